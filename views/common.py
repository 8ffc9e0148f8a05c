"""Widgets, sessions and shared loaders of the dashboard pages. No rules live here.

What must outlive a script run but not a client message lives here at module level, not in
Streamlit's caches: any client, signed in or not, can send ``clear_cache`` and empty those
(shared README section 10). So the store's engines, the checking processes and the results cache
are plain module attributes, made once per server process.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import pickle
import secrets
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
import streamlit as st
from sqlalchemy.engine import Engine
from streamlit.runtime.scriptrunner import get_script_run_ctx

from compliance import accounts, calendar, ids, reports, signins, store
from compliance.dates import iso_dates
from compliance.i18n import column_labels, t
from compliance.jobs import check_uploads, scope, warm_up
from compliance.messages import translate, translate_column
from compliance.registration import STATUSES, CheckResult, status_counts
from compliance.resultcache import ResultCache
from compliance.rosters import display_name
from compliance.workers import CheckTimedOut, ResultTooLarge, WorkerCrashed, WorkerPool, pickled, workers_from_env
from views import gateway

SAMPLES = Path(__file__).resolve().parent.parent / "sample_uploads"
SAMPLE_EMPLOYER = ("911101055347017256", "商软冠联信息有限公司")  # the employer of hr_roster_2025.xlsx
SAMPLE_AS_OF = dt.date(2025, 11, 20)  # the date the samples' figures (sample_uploads/README.md) are worked out for
STATUS_COLOURS = {"on_time": "#2e7d32", "late": "#f9a825", "overdue": "#c62828", "pending": "#1565c0",
                  "invalid": "#757575", "exempt": "#8e24aa"}
# columns of codes shown by their label (i18n key prefix), and columns of the engine's messages
CODE_LABELS = {"status": "status", "card_status": "card.status", "card_status_code": "card.status",
               "id_kind": "kind", "kind": "upload", "finding": "finding", "employment_type": "employment",
               "sex": "sex"}
MESSAGE_COLUMNS = {"problem", "id_problem", "id_warning", "message", "flag_reason", "detail", "reason", "column"}
# Text a widget takes (issue 20, finding 6): max_chars is enforced by Streamlit on the server as well
# (a crafted widget value is cut to it before any page code sees it).
MAX_NOTE_CHARS = 2_000  # a case note
MAX_SEARCH_CHARS = 100  # an employer search
MAX_EMPLOYER_LIST_CHARS = 1_000  # an HR user's employers, comma-separated (50 codes)
MAX_SCREEN_ROWS = 10_000  # rows of one on-screen table; downloads have all of them
log = logging.getLogger("shebao_check.dashboard")

_lock = threading.Lock()
_engines: dict[str, Engine] = {}
_pool: WorkerPool | None = None
RESULTS = ResultCache()  # check results, per signed-in session, bounded in bytes (SHEBAO_RESULT_CACHE_MB)
UNREFERENCED_GRACE = 60.0  # seconds an upload no widget names is kept (its widget state may be on the way)
_unreferenced_since: dict[tuple[str, str], float] = {}
_uploads_guarded = False


def guard_uploads() -> None:
    """The gateway's upload checks again, on the received bytes, where Streamlit keeps them.

    views.gateway refuses an upload before its body is read unless the session is signed in in its
    own browser, it has a Content-Length, and the budgets leave room for it. Should a request reach
    Streamlit some other way, the same rules hold here: one user at most
    ``gateway.user_upload_budget`` over all tabs, the server ``gateway.server_upload_budget``.
    Installed once per server process, on the uploaded-file manager.
    """
    global _uploads_guarded
    ctx = get_script_run_ctx()
    if ctx is None or _uploads_guarded:
        return
    manager = ctx.uploaded_file_mgr
    add_file = manager.add_file

    def guarded_add_file(session_id: str, file: object) -> None:
        binding = gateway.REGISTRY.get(session_id)
        size = len(getattr(file, "data", b""))
        if binding is None or not binding.username or binding.browser is None:
            raise PermissionError("uploads need a session signed in in its own browser")
        if (size + gateway.held_upload_bytes(gateway.REGISTRY.sessions_of(binding.username))
                > gateway.user_upload_budget() or size + gateway.held_upload_bytes() > gateway.server_upload_budget()):
            raise PermissionError("the upload budget is exhausted")
        add_file(session_id, file)

    with _lock:
        if not _uploads_guarded:
            manager.add_file = guarded_add_file
            _uploads_guarded = True


def drop_unreferenced_uploads() -> None:
    """Files this session holds that no widget names any more go (after a grace period).

    A file stays only while an uploader of the page shows it: one a crafted client uploaded without
    a widget, or one of a widget the page no longer draws (another page, a sign-out), is dropped.
    """
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    held = getattr(ctx.uploaded_file_mgr, "file_storage", {}).get(ctx.session_id, {})
    if not held:
        return
    referenced: set[str] = set()
    for value in list(st.session_state.to_dict().values()):
        for item in value if isinstance(value, list) else [value]:
            file_id = getattr(item, "file_id", None)
            if isinstance(file_id, str):
                referenced.add(file_id)
    now = time.monotonic()
    for file_id in list(held):
        entry = (ctx.session_id, file_id)
        if file_id in referenced:
            _unreferenced_since.pop(entry, None)
        elif now - _unreferenced_since.setdefault(entry, now) >= UNREFERENCED_GRACE:
            ctx.uploaded_file_mgr.remove_file(ctx.session_id, file_id)
            _unreferenced_since.pop(entry, None)


def max_upload_bytes() -> int:
    """The cap on all files of one upload together (``gateway.max_upload_bytes``, SHEBAO_MAX_UPLOAD_MB)."""
    return gateway.max_upload_bytes()


def demo_requested() -> bool:
    """Demo accounts were asked for: ``streamlit run app.py -- --demo`` or ``SHEBAO_DEMO=1`` (issue 20, #10)."""
    return "--demo" in sys.argv[1:] or os.environ.get("SHEBAO_DEMO", "").strip().lower() in ("1", "true", "yes")


def engine_for(url: str) -> Engine:
    """One engine per database URL, migrated on first use; a first admin is created if none exists.

    Demo accounts (``demo-hr``, ``demo-inspector``) only when asked for (``demo_requested``), with
    one-time passwords that must be changed at first sign-in, and never on a store that holds data
    other than the bundled samples (compliance.accounts.ensure_demo_users).
    """
    with _lock:
        if url in _engines:
            return _engines[url]
        eng = store.connect(url)
        password = accounts.ensure_first_admin(eng)
        if password:  # printed once on the server's console, never stored in clear or logged
            print(f"shebao-check first start: user 'admin', one-time password: {password}", flush=True)
        if demo_requested():
            created = accounts.ensure_demo_users(eng)
            for username, demo_password in created.items():
                print(f"shebao-check demo: user '{username}', one-time password: {demo_password} "
                      "(to be changed at first sign-in)", flush=True)
            if not created and accounts.store_has_real_data(eng):
                print("shebao-check demo: no demo accounts on a store that holds real data", flush=True)
        _engines[url] = eng
        return eng


def engine() -> Engine:
    """The store named by SHEBAO_DB, else the default SQLite file."""
    return engine_for(store.database_url())


def check_workers() -> WorkerPool:
    """The server's pool of checking processes (compliance.workers), started once and warmed up."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = WorkerPool(workers_from_env(), initializer=warm_up)
            _pool.start()
        return _pool


# --- sessions ---------------------------------------------------------------------------------
# A sign-in is bound to its browser (issue 20): views.gateway binds each session to the browser
# cookie of its first run and refuses to resume it from another; the sign-in itself is a token in
# an HttpOnly cookie, kept in the store as a hash (compliance.signins), checked on every run, and
# ended by sign-out, disable or expiry in every tab that shares it.

def current_user() -> accounts.User | None:
    """The user signed in on this browser tab (None when nobody is)."""
    return st.session_state.get("user")


def k(name: str) -> str:
    """A widget key of this sign-in: after a sign-out every widget is new, with nothing of the last user.

    The first sign-in of a tab keeps the plain names (tests and the load client use them).
    """
    epoch = st.session_state.get("_epoch", 0)
    return name if not epoch else f"{name}~{epoch}"


def session_owner() -> tuple[str, str]:
    """Who owns what this tab caches: the user and this sign-in's random token."""
    user = current_user()
    return (user.username if user else "", st.session_state.get("_token", ""))


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
        state["_sign_in_error"] = str(exc)
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
        st.error(tr(error) if error.startswith("auth.") else translate_message(error))


def change_password_form(user: accounts.User) -> None:
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
            st.error(translate_message(str(exc)))
            return
        st.session_state["user"] = accounts.refresh(engine(), user)
        st.rerun()


def require_role(*roles: str) -> accounts.User:
    """Stop the page unless a user with one of ``roles`` is signed in (sign-in form otherwise)."""
    user = current_user()  # app.py re-read the account at the start of this run (enforce_account)
    if user is None:
        sign_in_form()
        st.stop()
    if user.must_change_password:
        change_password_form(user)
        st.stop()
    if user.role not in roles:
        st.warning(tr("auth.wrong_role") + ", ".join(tr(f"role.{r}") for r in roles))
        st.stop()
    return user


def scope_to_user(result: CheckResult, user: accounts.User) -> CheckResult | None:
    """HR sees only its employers' rows; the page says how many rows were set aside and why. When every
    row was set aside, nothing was checked for this user: the page says so, what to do, and shows
    no result, all-clear or download (None)."""
    scoped, set_aside = scope(result, user)
    if set_aside and scoped.results.empty:
        st.warning(tr("nothing_checked.set_aside").format(count=set_aside, employers=", ".join(sorted(user.employers))))
        return None
    if set_aside:
        st.warning(f"{set_aside:,} {tr('auth.set_aside')}")
    return scoped


def audit_once(user: accounts.User, employer_ids: list[str], what: str, data_key: object) -> None:
    """Audit a view of personal data once per sign-in and data shown (who, which employer, when)."""
    seen = st.session_state.setdefault("audited", set())
    key = (what, hash(data_key))
    if key not in seen:
        try:
            accounts.audit_view(engine(), user, employer_ids, what)
        except sa.exc.SQLAlchemyError as exc:  # not audited, not shown (issue 20, finding 4)
            show_error("unexpected_error", exc)
            st.stop()
        seen.add(key)


def audited_download(user: accounts.User, employer_ids: list[str], what: str,
                     make: Callable[..., bytes], *args: object, **kwargs: object) -> Callable[[], bytes]:
    """The data of a download button, built when clicked and audited then (who, which employer, what).

    Every download goes through the product's own formula-safe writers (compliance.reports);
    Streamlit's table toolbar export is off (``client.disableDataExport``).
    """
    employers = sorted({e for e in employer_ids if e})
    sign_in = st.session_state.get("_sign_in")

    def build() -> bytes:
        # a click on a download button runs no script: the sign-in and the account are checked here,
        # and a sign-in that has ended (signed out, expired, disabled, role or employers changed) gets nothing
        if signins.check(engine(), sign_in).username != user.username or accounts.refresh(engine(), user) != user:
            raise PermissionError("the sign-in that made this download has ended")
        data = make(*args, **kwargs)
        accounts.audit_view(engine(), user, employers or [""], f"download {what}")
        return data

    return build


def safe_text(text: object) -> str:
    """Text for st.markdown-based elements (st.error, st.write, …): user-supplied names cannot
    become links, images or formatting."""
    out = str(text)
    for ch in "\\`*_{}[]()<>#+-.!|~$":
        out = out.replace(ch, "\\" + ch)
    return out


def show_error(message_key: str, exc: BaseException) -> None:
    """One translated line on screen for an unexpected error; the detail in the server log, without
    the exception's text (a database error quotes the statement's parameters: ID numbers)."""
    log.error("%s: %s", message_key, type(exc).__name__)
    st.error(tr(message_key))


def translate_message(message: str) -> str:
    """An engine message (English) in the user's language (compliance.messages)."""
    return translate(message, lang()) or ""


def uploader_style(language: str) -> str:
    """CSS that writes Streamlit's own file-uploader texts ("Upload", "150MB per file • …") in the user's
    language: Streamlit offers no parameter for them (streamlit/streamlit#13500), so the original text
    is hidden and the translation drawn in its place."""
    button, limit = t("upload.button", language), t("upload.limit", language).format(
        mb=int(float(os.environ.get("SHEBAO_MAX_FILE_MB", "150"))))
    return (f"<style>[data-testid='stFileUploaderDropzone'] button [data-testid='stMarkdownContainer'] p"
            f"{{display:none}}[data-testid='stFileUploaderDropzone'] button [data-testid='stMarkdownContainer']"
            f"::after{{content:'{button}'}}[data-testid='stFileUploaderDropzoneInstructions'] span{{display:none}}"
            f"[data-testid='stFileUploaderDropzoneInstructions']>div::after{{content:'{limit}';font-size:.875rem;"
            f"opacity:.7}}</style>")


def lang() -> str:
    return st.session_state.get("lang", "zh")


def tr(key: str) -> str:
    return t(key, lang())


def run_check(files: tuple[tuple[str, bytes], ...], as_of: dt.date, calendar_days: bool,
              employer_id: str | None, employer_name: str | None) -> bytes:
    """Read and check uploads in a worker process: (CheckResult, errors) pickled by the worker.

    Cached for this sign-in on file content and settings (``RESULTS``), so widgets and filters
    do not re-read; the cache is bounded in bytes and emptied at sign-out.
    """
    key = (tuple((name, hashlib.sha256(data).hexdigest()) for name, data in files), as_of, calendar_days,
           employer_id or None, employer_name or None)
    owner = session_owner()  # one sign-in gets at most half of the checking processes at once
    return RESULTS.get_or_compute(owner, key, lambda: check_workers().run(
        pickled, check_uploads, files, as_of, calendar_days, employer_id or None, employer_name or None,
        owner=owner))


def in_worker(fn: Callable[..., object], *args: object) -> object:
    """``fn(*args)`` in a checking process, for this sign-in (an ingest of the store page: no reading or
    parsing inside the threaded server)."""
    return pickle.loads(check_workers().run(pickled, fn, *args, owner=session_owner()))


def cached(key: object, compute: Callable[..., object], *args: object) -> object:
    """``compute(*args)``, kept for this sign-in in the results cache under ``key`` (pickled there, so
    it counts against the cache's byte bound and goes at sign-out). The agency page keys its
    cross-check by the store's state, so it is computed again only after something was stored."""
    data = RESULTS.get_or_compute(session_owner(), key, lambda: pickle.dumps(compute(*args),
                                                                              protocol=pickle.HIGHEST_PROTOCOL))
    return pickle.loads(data)


def sample_files(names: list[str]) -> tuple[tuple[str, bytes], ...]:
    return tuple((n, (SAMPLES / n).read_bytes()) for n in names)


def upload_section(prefix: str, sample_names: list[str]) -> tuple[tuple[str, bytes], ...]:
    """File uploader plus a "try the sample" button; returns the files to check."""
    uploaded = st.file_uploader(tr("upload"), type=["xlsx", "xls", "csv"], accept_multiple_files=True,
                                key=k(f"{prefix}-upload"))
    col1, col2 = st.columns([1, 3])
    col1.button(tr("try_sample"), key=k(f"{prefix}-sample"), on_click=use_sample, args=(prefix,))
    if uploaded:
        st.session_state[f"{prefix}-use-sample"] = False
        if not within_upload_cap(sum(f.size for f in uploaded)):
            return ()
        return tuple((f.name, f.getvalue()) for f in uploaded)
    if st.session_state.get(f"{prefix}-use-sample"):
        col2.caption(tr("using_sample") + ", ".join(sample_names))
        return sample_files(sample_names)
    return ()


def use_sample(prefix: str, as_of_key: str | None = None) -> None:
    """The "try the sample" button (a callback, before the page's widgets are drawn): use the samples,
    as of the date their figures are worked out for (the as-of date widget shows it)."""
    st.session_state[f"{prefix}-use-sample"] = True
    st.session_state[k(as_of_key or f"{prefix}-as-of")] = SAMPLE_AS_OF


def within_upload_cap(total: int) -> bool:
    """Refuse (with a message) an upload whose files together pass ``max_upload_bytes``."""
    cap = max_upload_bytes()
    if total <= cap:
        return True
    st.error(tr("upload_too_big").format(total=total / 2**20, cap=cap / 2**20))
    return False


def settings(prefix: str) -> tuple[dt.date, bool]:
    col1, col2 = st.columns(2)
    as_of = date_setting(col1, tr("as_of"), f"{prefix}-as-of")
    calendar_days = col2.toggle(tr("calendar_days"), key=k(f"{prefix}-calendar-days"))
    return as_of, calendar_days


def date_setting(where: object, label: str, name: str) -> dt.date:
    """A date input that starts at today and that callbacks may set (the sample, "use the last covered
    date"): its value lives in the session state only, so Streamlit never sees two defaults."""
    key = k(name)
    st.session_state.setdefault(key, dt.date.today())
    return where.date_input(label, key=key)  # type: ignore[attr-defined]


def checked(files: tuple[tuple[str, bytes], ...], as_of: dt.date, calendar_days: bool,
            employer_id: str | None = None, employer_name: str | None = None) -> CheckResult | None:
    """Run the check with a progress status; show per-file errors and the provisional banner."""
    if not files:
        st.info(tr("no_data"))
        return None
    with st.status(tr("checking"), expanded=False) as status:
        for name, data in files:
            st.write(f"{tr('reading_file')} {safe_text(display_name(name))} ({len(data) / 1024:,.0f} KB)")
        try:
            result, errors = pickle.loads(run_check(files, as_of, calendar_days, employer_id, employer_name))
        except (WorkerCrashed, CheckTimedOut, ResultTooLarge) as exc:
            status.update(label=tr("file_error"), state="error")
            st.error(tr({CheckTimedOut: "check_timed_out", ResultTooLarge: "result_too_large"}.get(
                type(exc), "check_crashed")))
            return None
        status.update(label=f"{tr('checked')}{tr('colon')}{len(result.results):,} {tr('rows')}",
                      state="error" if result.results.empty else "complete")
    for error in errors:
        st.error(f"{tr('file_error')}{tr('colon')}{safe_text(translate_message(error))}")
    if result.results.empty:  # nothing checked: never an all-clear, a chart or a download
        st.warning(tr("nothing_checked.unusable"))
        return None
    provisional = result.results.loc[result.results["deadline_provisional"], "deadline"]
    years = calendar.provisional_years(provisional)
    if years:
        st.warning(tr("provisional") + ", ".join(map(str, years)))
    return result


def headline(results: pd.DataFrame) -> None:
    counts = status_counts(results)
    for col, status in zip(st.columns(len(STATUSES)), STATUSES, strict=True):
        col.metric(tr(f"status.{status}"), f"{counts[status]:,}")


def display_table(frame: pd.DataFrame, columns: list[str] | None = None, show_full: bool = False) -> pd.DataFrame:
    """A results table for the screen: IDs masked unless asked, statuses translated, labels.

    Built column by column from ``frame`` (``columns``: which, in order), without copying the
    whole frame first: under load this table is most of what the server does per session. At most
    ``MAX_SCREEN_ROWS`` rows go to the browser (a caption says so): a million-row table costs the
    server about a gigabyte per rerun and no one reads it on screen; the downloads hold every row.
    """
    if len(frame) > MAX_SCREEN_ROWS:
        st.caption(tr("table_truncated").format(shown=MAX_SCREEN_ROWS, total=len(frame)))
        frame = frame.iloc[:MAX_SCREEN_ROWS]
    return localised(frame, columns, show_full, lang())


def localised_report(frame: pd.DataFrame, suffix: str, extra_sheets: dict[str, pd.DataFrame] | None = None,
                     sheet: str = "report", language: str = "zh") -> bytes:
    """A download's bytes (``reports.to_bytes``, formula-safe) with its tables localised at click time."""
    extra = {name: for_download(table, language) for name, table in (extra_sheets or {}).items()}
    return reports.to_bytes(for_download(frame, language), suffix, extra, sheet=sheet)


def for_download(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    """A table for the dashboard's downloads: every row, full numbers, headers, codes and messages in the
    interface language (the command line keeps the contract's English codes). Dates stay dates."""
    return localised(frame, None, True, language, keep_dates=True)


def localised(frame: pd.DataFrame, columns: list[str] | None, show_full: bool, language: str,
              keep_dates: bool = False) -> pd.DataFrame:
    """``frame``'s ``columns`` with IDs masked unless ``show_full``, codes by their labels, messages
    translated, text blanks empty, headers labelled, all in ``language``."""
    def label(key: str) -> str:
        return t(key, language)

    out: dict[str, pd.Series] = {}
    for name in columns if columns is not None else list(frame.columns):
        column = frame[name]
        if name in ("id_number", "ssn") and not show_full:
            column = ids.mask_column(column)
        elif name in CODE_LABELS:  # codes in the user's words: 'overdue' → 逾期未登记
            labels = {c: label(f"{CODE_LABELS[name]}.{c}") for c in column.dropna().unique()}
            column = column.map(labels).astype("string").fillna("")  # a dict per distinct code, not per row
        elif name in MESSAGE_COLUMNS:
            column = translate_column(column.astype("string"), language)
        elif pd.api.types.is_datetime64_any_dtype(column) and not keep_dates:  # ISO text: cheap to send
            column = iso_dates(column)
        if pd.api.types.is_string_dtype(column) or pd.api.types.is_object_dtype(column):
            column = column.astype("string").fillna("")  # an empty cell, never "None"
        out[name] = column
    table = pd.DataFrame(out, index=frame.index, copy=False)
    return table.rename(columns=column_labels(list(table.columns), language))


VegaChart = tuple[pd.DataFrame, dict]  # data and a Vega-Lite spec, for st.vega_lite_chart
WHOLE_PEOPLE = {"format": "d", "tickMinStep": 1}  # an axis of people counts whole people


def delay_chart(results: pd.DataFrame) -> VegaChart | None:
    """Days from hire to registration in weekly bins per status, with the 30-day line.

    Binned here, so the browser receives a few dozen bars instead of every row. Written as a
    Vega-Lite spec rather than with Altair: Altair's schema validation cost the server more
    than the chart's data under load.
    """
    registered, hired = results["registration_date"], results["hire_date"]
    done = (registered.notna() & hired.notna()).to_numpy()
    if not done.any():
        return None
    days = (registered[done] - hired[done]).dt.days.clip(-28, 364)
    week = (days // 7) * 7
    data = (pd.DataFrame({"days": week, "status": results["status"][done]}).value_counts().rename("employees")
            .reset_index())
    data["status"] = data["status"].map(lambda c: tr(f"status.{c}"))  # the legend speaks the user's language
    bars = {
        "mark": {"type": "bar"},
        "transform": [{"calculate": "datum.days + 7", "as": "end"}],
        "encoding": {
            "x": {"field": "days", "type": "quantitative", "bin": {"binned": True, "step": 7},
                  "title": tr("hr.delay_chart")},
            "x2": {"field": "end"},
            "y": {"aggregate": "sum", "field": "employees", "type": "quantitative", "title": tr("col.employees"),
                  "axis": WHOLE_PEOPLE},
            "color": {"field": "status", "type": "nominal", "title": tr("col.status"),
                      "legend": {"orient": "bottom"},
                      "scale": {"domain": [tr(f"status.{c}") for c in STATUS_COLOURS],
                                "range": list(STATUS_COLOURS.values())}},
        },
    }
    rule = {"data": {"values": [{"days": 30}]}, "mark": {"type": "rule", "color": "red", "strokeWidth": 2},
            "encoding": {"x": {"field": "days", "type": "quantitative"}}}
    return data, {"layer": [bars, rule]}


def overdue_by_month_chart(results: pd.DataFrame) -> VegaChart | None:
    """Overdue employees by month of hire (a bar per month)."""
    hired = results["hire_date"][(results["status"] == "overdue").to_numpy(dtype=bool, na_value=False)]
    if hired.empty:
        return None
    data = hired.dt.strftime("%Y-%m").value_counts().sort_index().reset_index()
    data.columns = ["month", "overdue"]
    return data, {"mark": {"type": "bar", "color": STATUS_COLOURS["overdue"]},
                  "encoding": {"x": {"field": "month", "type": "ordinal", "title": tr("col.hire_date")},
                               "y": {"field": "overdue", "type": "quantitative", "title": tr("status.overdue"),
                                     "axis": WHOLE_PEOPLE}}}
