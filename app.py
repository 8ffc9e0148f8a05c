"""shebao-check dashboard: `streamlit run app.py`. Builds the page list; pages live in views/.

This file is two things. Imported as the module ``app`` (``streamlit run`` finds ``app = App(...)``
below and serves it), it is the ASGI application: Streamlit behind views.gateway, which binds each
session to its browser and refuses anonymous uploads before their body is read (issue 20). Run by
Streamlit as ``__main__`` for each session, it builds the pages (``main``).
"""

from __future__ import annotations


def settings_or_stop() -> None:
    """Every ``SHEBAO_*`` setting checked (``compliance.config.check_all``) before anything else runs: a bad
    value is the page's only content, one line naming the variable, the value and what is allowed, and
    the run stops there (no store, no checking processes, no sign-in); an unknown ``SHEBAO_*`` name, a
    likely typo, is a warning above the page. The server's console had both once, at start (the end of
    this file)."""
    import streamlit as st

    from compliance import config

    try:
        warnings = config.check_all()
    except config.ConfigError as exc:
        st.error(str(exc))
        st.stop()
    for warning in warnings:
        st.warning(warning)


def main() -> None:
    """One script run of a session: language, store, workers, the account checked again, then the pages.

    Every page is registered on every run, so a typed address reaches its page (and the page's
    ``require_role`` says whom it is for, showing nothing); the menu lists only the signed-in role's pages
    (``presentation.menu``), and the default page ("/", the HR page) is the sign-in page while nobody is
    signed in.
    """
    # Imported here, not above: the checking processes load this file too (see the end) and need
    # none of the dashboard (Streamlit, Altair, the store), only compliance.registration.
    import streamlit as st

    st.set_page_config(page_title="社保登记合规检查 / shebao-check", page_icon=":material/fact_check:",
                       layout="wide")
    settings_or_stop()  # before the imports below: compliance.rosters reads SHEBAO_MAX_FILE_MB when imported

    from compliance.i18n import LANGS, t
    from compliance.store import StoreError
    from views.presentation import PAGES, menu, page_title, uploader_style
    from views.runtime import check_workers, drop_unreferenced_uploads, engine, guard_uploads, max_file_mb
    from views.session import cookie_actions, enforce_account, sign_out

    lang = st.sidebar.radio(t("app.language"), list(LANGS), format_func=LANGS.get, key="lang", horizontal=True)
    st.html(uploader_style(lang, max_file_mb()))  # Streamlit's own uploader text in the user's language
    try:
        engine()  # migrate the store and create the first admin (its one-time password is printed once)
    except StoreError as exc:  # SHEBAO_DB names a folder that does not exist, or a server that does not answer
        print(f"shebao-check: {exc}", flush=True)  # the URL without its password, for the operator
        st.error(t("store.unavailable", lang))
        st.stop()
    check_workers()  # start the checking processes before the first upload
    guard_uploads()  # no uploads from sessions nobody is signed in to (views.gateway refuses most before)
    user = enforce_account()  # checked on every run: the sign-in of this browser, still live, account unchanged
    cookie_actions()  # the browser exchanges a new sign-in's ticket for its cookie, or clears it
    role = user.role if user is not None else None
    if user is not None:
        st.sidebar.caption(f"{t('auth.signed_in_as', lang)}{user.username} ({t(f'role.{user.role}', lang)})")
        # on_click runs before the next script run, so that run already starts empty
        st.sidebar.button(t("auth.sign_out", lang), key="auth-sign-out", on_click=sign_out)
    listed = menu(role)
    pages = {spec.name: st.Page(spec.file, title=page_title(spec, role, lang), icon=spec.icon, url_path=spec.url_path,
                                default=spec.name == "hr", visibility="visible" if spec.name in listed else "hidden")
             for spec in PAGES}  # the HR page is served at "/"; its own url_path is never shown

    def hr_alias() -> None:
        st.switch_page(pages["hr"])  # /hr, the address people guess, leads to the HR page at "/"

    alias = st.Page(hr_alias, title=t("page.hr", lang), url_path="hr", visibility="hidden")
    st.sidebar.caption(t("app.law", lang))
    try:
        st.navigation([pages[name] for name in listed] + [p for name, p in pages.items() if name not in listed]
                      + [alias]).run()
    finally:
        drop_unreferenced_uploads()  # files no widget of this run names go (after a grace period)


# Streamlit runs this file as __main__. The checking processes (compliance.workers, started with
# "spawn") load it again as __mp_main__: they must not build a page or start processes themselves.
if __name__ == "__main__":
    main()
elif __name__ != "__mp_main__":  # the ASGI application, imported by `streamlit run app.py`
    from starlette.middleware import Middleware
    from streamlit.starlette import App

    from compliance import config
    from views.gateway import Gateway, keep_uploads_in_memory, quiet_noisy_loggers, start_pruning

    try:  # told once on the console; every page says it too (settings_or_stop) and serves nothing else
        for warning in config.check_all():
            print(f"shebao-check: warning: {warning}", flush=True)
        keep_uploads_in_memory()  # SHEBAO_MAX_UPLOAD_MB, SHEBAO_TMP
    except config.ConfigError as exc:
        print(f"shebao-check: error: {exc}", flush=True)
    quiet_noisy_loggers()
    start_pruning()
    app = App("app.py", middleware=[Middleware(Gateway)])
