"""shebao-check dashboard: `streamlit run app.py`. Builds the page list; pages live in views/.

This file is two things. Imported as the module ``app`` (``streamlit run`` finds ``app = App(...)``
below and serves it), it is the ASGI application: Streamlit behind views.gateway, which binds each
session to its browser and refuses anonymous uploads before their body is read (issue 20). Run by
Streamlit as ``__main__`` for each session, it builds the pages (``main``).
"""

from __future__ import annotations


def main() -> None:
    # Imported here, not above: the checking processes load this file too (see the end) and need
    # none of the dashboard (Streamlit, Altair, the store), only compliance.registration.
    import streamlit as st

    from compliance.i18n import LANGS, t
    from views.common import (
        check_workers,
        cookie_actions,
        drop_unreferenced_uploads,
        enforce_account,
        engine,
        guard_uploads,
        sign_out,
        uploader_style,
    )

    st.set_page_config(page_title="社保登记合规检查 / shebao-check", page_icon=":material/fact_check:",
                       layout="wide")
    lang = st.sidebar.radio(t("app.language"), list(LANGS), format_func=LANGS.get, key="lang", horizontal=True)
    st.html(uploader_style(lang))  # Streamlit's own uploader text in the user's language
    from compliance.store import StoreError

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
    if user is not None:
        st.sidebar.caption(f"{t('auth.signed_in_as', lang)}{user.username} ({t(f'role.{user.role}', lang)})")
        # on_click runs before the next script run, so that run already starts empty
        st.sidebar.button(t("auth.sign_out", lang), key="auth-sign-out", on_click=sign_out)
    hr_page = st.Page("views/hr.py", title=t("page.hr", lang), icon=":material/business:", url_path="employer-hr",
                      default=True)  # served at "/"; its own url_path is never shown

    def hr_alias() -> None:
        st.switch_page(hr_page)  # /hr, the address people guess, leads to the HR page at "/"

    pages = [
        hr_page,
        st.Page(hr_alias, title=t("page.hr", lang), url_path="hr", visibility="hidden"),
        st.Page("views/inspector.py", title=t("page.inspector", lang), icon=":material/policy:",
                url_path="inspector"),
        st.Page("views/agency.py", title=t("page.agency", lang), icon=":material/database:", url_path="agency"),
        st.Page("views/cards.py", title=t("page.cards", lang), icon=":material/credit_card:", url_path="cards"),
        st.Page("views/flexible.py", title=t("page.flexible", lang), icon=":material/person:", url_path="flexible"),
        st.Page("views/admin.py", title=t("page.admin", lang), icon=":material/manage_accounts:", url_path="admin"),
    ]
    st.sidebar.caption(t("app.law", lang))
    try:
        st.navigation(pages).run()
    finally:
        drop_unreferenced_uploads()  # files no widget of this run names go (after a grace period)


# Streamlit runs this file as __main__. The checking processes (compliance.workers, started with
# "spawn") load it again as __mp_main__: they must not build a page or start processes themselves.
if __name__ == "__main__":
    main()
elif __name__ != "__mp_main__":  # the ASGI application, imported by `streamlit run app.py`
    from starlette.middleware import Middleware
    from streamlit.starlette import App

    from views.gateway import Gateway, keep_uploads_in_memory, quiet_noisy_loggers, start_pruning

    keep_uploads_in_memory()
    quiet_noisy_loggers()
    start_pruning()
    app = App("app.py", middleware=[Middleware(Gateway)])
