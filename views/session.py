"""Who is signed in on this tab: sign-in, sign-out, the account checked on every run, the role guard.

A sign-in is bound to its browser (issue 20, docs/security.md): views.gateway binds each session to the
browser cookie of its first run and refuses to resume it from another; the sign-in itself is a token in
an HttpOnly cookie, kept in the store as a hash (compliance.signins), checked on every run, and ended by
sign-out, disable or expiry in every tab that shares it. Signing out ends everything of the user in the
tab (shared README section 10): cached results, held uploads, widget values (``k`` gives every widget a
new key), audit bookkeeping, download links. The labels of the sign-in form are a contract (section 9).
"""

from __future__ import annotations

import secrets

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from compliance import accounts, signins
from compliance.i18n import t
from views import gateway
from views.presentation import home, message_text
from views.runtime import RESULTS, engine, session_owner


def lang() -> str:
    """The interface language of this tab (the sidebar's choice; Chinese unless English was picked)."""
    return st.session_state.get("lang", "zh")


def tr(key: str) -> str:
    """The label ``key`` in this tab's language."""
    return t(key, lang())


def current_user() -> accounts.User | None:
    """The user signed in on this browser tab (None when nobody is)."""
    return st.session_state.get("user")


def k(name: str) -> str:
    """A widget key of this sign-in: after a sign-out every widget is new, with nothing of the last user.

    The first sign-in of a tab keeps the plain names (tests and the load client use them).
    """
    epoch = st.session_state.get("_epoch", 0)
    return name if not epoch else f"{name}~{epoch}"


def _session_id() -> str | None:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def _cookie(name: str) -> str | None:
    """A cookie of the connection this run serves (its WebSocket handshake's); None outside a server."""
    try:
        value = st.context.cookies.get(name)
    except Exception:  # no connection: AppTest, bare mode
        return None
    return value if isinstance(value, str) else None


def _release_session(only_if_signed_in: bool = False) -> None:
    """This browser session may upload no more, and the files the server holds for it go."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    binding = gateway.REGISTRY.get(ctx.session_id)
    if only_if_signed_in and (binding is None or not binding.username):
        return
    gateway.REGISTRY.signed_out(ctx.session_id)
    ctx.uploaded_file_mgr.remove_session_files(ctx.session_id)


def _start_session(user: accounts.User, sign_in: str | None) -> None:
    """``user`` is signed in on this tab with the sign-in whose token hash is ``sign_in``."""
    state = st.session_state
    state.pop("_signed_out_reason", None)
    state["user"] = user
    state["_sign_in"] = sign_in
    state["_token"] = secrets.token_hex(16)  # owner of this tab's cached results
    session_id = _session_id()
    if session_id is not None:
        gateway.REGISTRY.signed_in(session_id, user.username, sign_in)


def sign_out(reason: str | None = None) -> None:
    """End everything of the signed-in user in this tab (shared README section 10), and the sign-in
    itself in every tab of this browser (its cookie's token is ended in the store).

    Cached results, uploaded files held by the server, widget values, audit bookkeeping and
    download links all go; widget keys change (``k``), so the next user starts empty. Only the
    language choice stays. ``reason``: a message key shown above the sign-in form.
    """
    signins.end(engine(), st.session_state.get("_sign_in"))
    RESULTS.drop_owner(session_owner())
    _release_session()
    state = st.session_state
    epoch = state.get("_epoch", 0) + 1
    ended = state.get("_sign_in")
    for name in list(state.keys()):
        if name not in ("lang", "_browser"):
            del state[name]
    state["_epoch"] = epoch
    if ended:
        state["_clear_cookie"] = ended  # the browser clears its sign-in cookie if it still holds this one
    if reason:
        state["_signed_out_reason"] = reason


def enforce_account() -> accounts.User | None:
    """Who is signed in on this run, checked again every time (shared README section 10, issue 20).

    - The connection must come from the browser the session is bound to (the gateway makes sure;
      checked here again).
    - The sign-in must still hold: not ended in another tab, not idle for ``SHEBAO_IDLE_MINUTES``,
      not older than ``SHEBAO_SESSION_HOURS``.
    - The account is re-read: disabled, or a changed role or employer list, signs the user out now.
    - Nobody signed in on this tab, but the browser holds a live sign-in cookie (a reload, a
      bookmark, a second tab): that sign-in is taken up.
    """
    session_id = _session_id()
    browser = gateway.browser_hash(_cookie(gateway.BROWSER_COOKIE))
    gateway.prune_registry()
    if session_id is not None:
        # bound once, at the session's first run, and kept in its state: a binding the registry lost is
        # made again from that, never from whichever browser is connected now
        bound = st.session_state.setdefault("_browser", browser)
        binding = gateway.REGISTRY.bind(session_id, bound)
        if binding.browser != browser and current_user() is not None:
            sign_out("auth.session_moved")
            return None
    user = current_user()
    if user is None:
        _release_session(only_if_signed_in=True)  # its state was emptied (a clear_cache message)
        return _resume_from_cookie()
    if accounts.refresh(engine(), user) != user:
        sign_out("auth.account_changed")
        return None
    held = signins.check(engine(), st.session_state.get("_sign_in"))
    if held.username != user.username:
        sign_out("auth.session_expired" if held.reason == "expired" else "auth.signed_out_elsewhere")
        return None
    return user


def _resume_from_cookie() -> accounts.User | None:
    """The user of this browser's sign-in cookie, when it still holds; the tab is signed in with it."""
    hashed = signins.token_hash(_cookie(gateway.SIGN_IN_COOKIE) or "")
    if hashed is None or hashed == st.session_state.get("_ended_sign_in"):
        return None
    held = signins.check(engine(), hashed)
    user = accounts.refresh(engine(), accounts.User(held.username, "")) if held.username else None
    if user is None:
        st.session_state["_ended_sign_in"] = hashed  # asked once per tab, not at every click
        if held.reason == "expired" and "_signed_out_reason" not in st.session_state:
            st.session_state["_signed_out_reason"] = "auth.session_expired"
        st.session_state["_clear_cookie"] = hashed
        return None
    _start_session(user, hashed)
    return user


def cookie_actions() -> None:
    """Hand the browser what only it can do with its cookies: exchange a sign-in's one-time ticket
    for the HttpOnly sign-in cookie (views.gateway), or clear that cookie after a sign-out."""
    state = st.session_state
    base = "/" + "/".join(p for p in str(st.get_option("server.baseUrlPath") or "").split("/") if p)
    base = base.rstrip("/")
    ticket, ended = state.pop("_cookie_ticket", None), state.pop("_clear_cookie", None)
    if ticket:
        path = base + gateway.SIGN_IN_PATH
        script = f"fetch({path!r}, {{method: 'POST', body: {ticket!r}, credentials: 'same-origin'}});"
    elif isinstance(ended, str):
        path = base + gateway.SIGN_OUT_PATH
        script = f"fetch({path!r}, {{method: 'POST', body: {ended!r}, credentials: 'same-origin'}});"
    else:
        return
    with st.sidebar:
        st.html(f"<script>{script}</script>", unsafe_allow_javascript=True, width="content")


def _sign_in_submitted() -> None:
    """The sign-in button's callback: it runs before the next script run starts, so a run interrupted
    by another rerun (the first seconds of a fresh server) cannot lose the sign-in (issue 20, #18)."""
    state = st.session_state
    username = str(state.get(k("auth-username"), ""))[:accounts.MAX_USERNAME_CHARS + 2]
    password = str(state.get(k("auth-password"), ""))[:accounts.MAX_PASSWORD_CHARS + 1]
    state[k("auth-password")] = ""
    if not username.strip() or not password:  # typed text lost on the way (a page redrawn under the user)
        state["_sign_in_error"] = "auth.fields_empty"
        return
    try:
        user = accounts.authenticate(engine(), username, password)
    except accounts.SignInError as exc:
        state["_sign_in_error"] = exc  # rendered in the user's language (its catalogue code)
        return
    state.pop("_sign_in_error", None)
    token = signins.begin(engine(), user.username)
    _start_session(user, signins.token_hash(token))
    browser = gateway.browser_hash(_cookie(gateway.BROWSER_COOKIE))
    if browser is not None:
        state["_cookie_ticket"] = gateway.REGISTRY.ticket(token, browser)


def sign_in_form() -> None:
    """The sign-in form of shared README section 9 (labels are fixed, in both languages)."""
    st.subheader(tr("auth.title"))
    reason = st.session_state.get("_signed_out_reason")
    if reason:
        st.warning(tr(reason))
    with st.form(k("auth-form")):
        st.text_input(t("auth.username"), key=k("auth-username"), max_chars=accounts.MAX_USERNAME_CHARS)
        st.text_input(t("auth.password"), type="password", key=k("auth-password"),
                      max_chars=accounts.MAX_PASSWORD_CHARS)
        st.form_submit_button(t("auth.submit"), on_click=_sign_in_submitted)
    error = st.session_state.pop("_sign_in_error", None)
    if error:
        st.error(tr(error) if isinstance(error, str) else message_text(error, lang()))


def change_password_form(user: accounts.User) -> None:
    """The new-password form a one-time or admin-set password leads to (section 10): nothing else of the
    dashboard until the password is changed, to a different one that passes the password rules."""
    st.subheader(tr("auth.change_password"))
    with st.form(k("auth-change"), clear_on_submit=True):
        first = st.text_input(tr("auth.new_password"), type="password", key=k("auth-new-password"),
                              max_chars=accounts.MAX_PASSWORD_CHARS)
        second = st.text_input(tr("auth.new_password_again"), type="password", key=k("auth-new-password-2"),
                               max_chars=accounts.MAX_PASSWORD_CHARS)
        submitted = st.form_submit_button(tr("auth.save_password"))
    if submitted:
        if first != second:
            st.error(tr("auth.passwords_differ"))
            return
        try:
            accounts.set_password(engine(), user.username, first)
        except accounts.AccountError as exc:
            st.error(message_text(exc, lang()))
            return
        st.session_state["user"] = accounts.refresh(engine(), user)
        st.rerun()


def require_role(*roles: str) -> accounts.User:
    """Stop the page unless a user with one of ``roles`` is signed in: the sign-in form when nobody is, the
    new-password form when the password must change, and for another role a warning saying whom the page
    is for (section 9: it shows nothing else). The menu lists only the role's pages (app.py), but every
    page stays registered, so a typed address reaches it and this guard is what keeps it empty."""
    user = current_user()  # app.py re-read the account at the start of this run (enforce_account)
    if user is None:
        sign_in_form()
        st.stop()
    if user.must_change_password:
        change_password_form(user)
        st.stop()
    if user.role not in roles:
        st.warning(tr("auth.wrong_role") + ", ".join(tr(f"role.{r}") for r in roles))
        own = home(user.role)  # a typed address of another role's page: nothing of it, a way to one's own
        st.page_link(own.file, label=tr("auth.your_page").format(page=tr(own.title_key)), icon=own.icon)
        st.stop()
    return user
