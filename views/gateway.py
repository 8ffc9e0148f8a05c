"""The dashboard's front door: what is checked on a request before Streamlit sees it (issue 20).

Streamlit resumes a session for any WebSocket that names the session's id, and accepts an upload's
body for any session id it knows; the id itself travels in every upload URL. So, in front of
Streamlit (an ASGI middleware of ``st.App``, see app.py):

- Every browser gets a random ``shebao_browser`` cookie (HttpOnly, SameSite=Strict) on its first
  HTTP response. A session is bound to the browser cookie its first script run saw (``REGISTRY``);
  a WebSocket naming that session's id without the same cookie gets a new, empty session instead
  (the id is dropped from its handshake), so a leaked id takes over nothing, signed in or not.
- An upload (``PUT /_stcore/upload_file/<session>/<file>``) is refused before its body is read
  unless the session is signed in, the request carries the session's browser cookie, and the
  user's and the server's budgets of held uploads leave room for its ``Content-Length``.
- A sign-in is a second cookie, ``shebao_session``, holding a random token whose hash is in the
  store (compliance.signins). The page cannot set an HttpOnly cookie over its WebSocket, so at
  sign-in it hands the browser a one-time ticket (60 s, bound to the browser cookie) that the
  browser exchanges here (``POST /_shebao/sign-in``) for the cookie; with it a reload or a
  bookmark finds the sign-in again. ``POST /_shebao/sign-out`` clears it.
- A refused request costs one log line, never a traceback.

Nothing here knows about rules or pages; the registry is plain memory of the server process.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import logging
import re
import secrets
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from compliance import config

BROWSER_COOKIE = "shebao_browser"
SIGN_IN_COOKIE = "shebao_session"
SIGN_IN_PATH = "/_shebao/sign-in"
SIGN_OUT_PATH = "/_shebao/sign-out"
TICKET_SECONDS = 60.0
_BROWSER_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
# Streamlit's routes below server.baseUrlPath (matched from the start of the path: its own fonts live
# under /static/media/, which is not the media route)
_UPLOAD_PATH = re.compile(r"_stcore/upload_file/([^/]+)/([^/]+)")
_MEDIA_PATH = re.compile(r"media/([^/.]+)(?:\.[^/]*)?")
MAX_COOKIE_BYTES = 8192  # more than any browser of ours sends; parsing is quadratic on Python < 3.11.10
MEDIA_GRACE = 30.0  # seconds a download stays fetchable (by a signed-in browser) after it was first served
MAX_PARALLEL_UPLOADS = 32  # upload requests one account may have in flight (the bytes are budgeted apart)
log = logging.getLogger("shebao_check.gateway")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def max_upload_bytes() -> int:
    """The cap on all files of one upload together, in bytes: ``SHEBAO_MAX_UPLOAD_MB`` (compliance.config,
    default 300 MB), read at call time; a bad value is a ``config.ConfigError``.

    Each file has its own cap (150 MB, compliance.rosters.LIMITS); this one bounds what a single
    check can hold in a worker and in the results cache.
    """
    return config.megabytes("SHEBAO_MAX_UPLOAD_MB")


def user_upload_budget() -> int:
    """What one user may hold in uploaded files over all tabs: two uploads' worth (the agency page
    has two uploaders)."""
    return 2 * max_upload_bytes()


def server_upload_budget() -> int:
    """What the server holds in uploaded files for everyone, in bytes: ``SHEBAO_UPLOAD_BUDGET_MB``
    (compliance.config, default 2048 MB)."""
    return config.megabytes("SHEBAO_UPLOAD_BUDGET_MB")


def browser_hash(value: str | None) -> str | None:
    """The registry's form of a browser cookie; None for anything that is not one of ours."""
    if not isinstance(value, str) or not _BROWSER_PATTERN.fullmatch(value):
        return None
    return hashlib.sha256(value.encode("ascii")).hexdigest()


@dataclass
class Binding:
    """What one Streamlit session is bound to: a browser, and the sign-in made in it (if any)."""

    browser: str | None  # hash of the browser cookie at the session's first run (None: no cookie)
    username: str | None = None
    sign_in: str | None = None  # hash of the sign-in token (compliance.signins)


class Registry:
    """Sessions of this server process and their bindings (module attribute ``REGISTRY``)."""

    def __init__(self) -> None:
        self._sessions: dict[str, Binding] = {}
        self._tickets: dict[str, tuple[str, str | None, float]] = {}  # ticket -> token, browser, expiry
        self._missing: set[str] = set()  # sessions the last prune did not find
        self._lock = threading.Lock()

    def bind(self, session_id: str, browser: str | None) -> Binding:
        """The session's binding, made at its first run from the browser cookie that run saw."""
        with self._lock:
            return self._sessions.setdefault(session_id, Binding(browser))

    def get(self, session_id: str) -> Binding | None:
        with self._lock:
            return self._sessions.get(session_id)

    def may_resume(self, session_id: str, browser: str | None) -> bool:
        """A session may be resumed only from the browser it is bound to (a session that has not run
        yet holds nothing and may be)."""
        binding = self.get(session_id)
        return binding is None or (binding.browser is not None and binding.browser == browser)

    def signed_in(self, session_id: str, username: str, sign_in: str | None) -> None:
        with self._lock:
            binding = self._sessions.setdefault(session_id, Binding(None))
            binding.username, binding.sign_in = username, sign_in

    def signed_out(self, session_id: str) -> None:
        with self._lock:
            binding = self._sessions.get(session_id)
            if binding is not None:
                binding.username = binding.sign_in = None

    def sessions_of(self, username: str) -> list[str]:
        with self._lock:
            return [sid for sid, b in self._sessions.items() if b.username == username]

    def sign_ins_of_browser(self, browser: str | None) -> list[str]:
        """The sign-in hashes of the signed-in sessions bound to ``browser``."""
        if browser is None:
            return []
        with self._lock:
            return sorted({b.sign_in for b in self._sessions.values() if b.browser == browser and b.sign_in})

    def forget_except(self, alive: set[str], held: set[str] | None = None) -> set[str]:
        """Drop the bindings of sessions Streamlit no longer has (closed tabs past their TTL): those missing
        from two prunes in a row, so a session moving between Streamlit's lists meanwhile is not one.
        Returns the sessions gone, of those bound and of ``held`` (the sessions holding uploads)."""
        with self._lock:
            missing = {sid for sid in {*self._sessions, *(held or set())} if sid not in alive}
            gone = missing & self._missing
            for sid in gone:
                self._sessions.pop(sid, None)
            self._missing = missing - gone
            return gone

    def ticket(self, token: str, browser: str | None) -> str:
        """A one-time ticket for the browser to exchange for the sign-in cookie (60 s)."""
        ticket = secrets.token_urlsafe(32)
        now = time.monotonic()
        with self._lock:
            for stale in [t for t, (_, _, expiry) in self._tickets.items() if expiry < now]:
                del self._tickets[stale]
            self._tickets[ticket] = (token, browser, now + TICKET_SECONDS)
        return ticket

    def redeem(self, ticket: str, browser: str | None) -> str | None:
        """The token of a live ticket presented by the browser it was made for (once)."""
        with self._lock:
            entry = self._tickets.pop(ticket, None)
        if entry is None or entry[2] < time.monotonic() or entry[1] is None or entry[1] != browser:
            return None
        return entry[0]

    def clear(self) -> None:
        with self._lock:
            self._sessions.clear()
            self._tickets.clear()
            self._missing.clear()


REGISTRY = Registry()
PRUNE_EVERY = 20.0  # seconds between prunes: a closed tab is let go 20-40 s after Streamlit drops it
_last_prune = [0.0]


def prune_registry(force: bool = False) -> None:
    """Forget the sessions Streamlit no longer holds, at most every ``PRUNE_EVERY`` seconds (``force``: now).

    Only sessions gone for good are forgotten: a disconnected one kept for its reconnect TTL is still
    bound, so a leaked id cannot resume it the moment its owner's connection drops. A session gone
    also lets go of its uploads: Streamlit drops a closed tab's session when its reconnect time is
    over without shutting it down, and its files stayed in memory for good (bench/memory_run.py: three
    closed tabs' 97 MB uploads, 0.7 GB that never went).
    """
    now = time.monotonic()
    if not force and now - _last_prune[0] < PRUNE_EVERY:
        return
    _last_prune[0] = now
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return
    runtime = Runtime.instance()
    manager, uploads = getattr(runtime, "_session_mgr", None), runtime.uploaded_file_mgr
    if manager is None:
        return
    try:
        alive = {info.session.id for info in manager.list_sessions()}
        held = set(getattr(uploads, "file_storage", {}))
    except RuntimeError:  # a list changed while it was read: next time
        return
    gone = REGISTRY.forget_except(alive, held)
    for session_id in gone & held:
        uploads.remove_session_files(session_id)
    if gone & held:
        gc.collect()  # the dropped sessions are cycles; their widget values hold copies of the files


def start_pruning() -> None:
    """Prune every ``PRUNE_EVERY`` seconds in the background, so an idle server lets go of closed tabs too."""

    def loop() -> None:
        while True:
            time.sleep(PRUNE_EVERY)
            try:
                prune_registry(force=True)
            except Exception as exc:  # a prune that fails is tried again; the server goes on
                log.warning("pruning closed sessions failed (%s)", type(exc).__name__)

    threading.Thread(target=loop, name="shebao-prune", daemon=True).start()


def held_upload_bytes(session_ids: list[str] | None = None) -> int:
    """Bytes of uploaded files the server holds for ``session_ids`` (all sessions when None)."""
    manager = _upload_manager()
    storage = getattr(manager, "file_storage", {}) if manager is not None else {}
    ids = list(storage) if session_ids is None else session_ids
    return sum(len(f.data) for sid in ids for f in list(storage.get(sid, {}).values()))


def _upload_manager() -> Any:
    from streamlit.runtime import Runtime

    return Runtime.instance().uploaded_file_mgr if Runtime.exists() else None


class InFlight:
    """Upload bytes announced by requests still being received, per user and in all: the budgets count
    them with what is held, so parallel uploads cannot each pass the check and then all land."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.by_user: dict[str, int] = {}
        self.requests: dict[str, int] = {}
        self.total = 0

    def reserve(self, username: str, size: int) -> str | None:
        """Reserve ``size`` bytes for ``username``'s upload, or say why not (budgets counted with held files)."""
        with self._lock:
            if self.requests.get(username, 0) >= MAX_PARALLEL_UPLOADS:
                return "too many uploads in flight for this user"
            mine = held_upload_bytes(REGISTRY.sessions_of(username)) + self.by_user.get(username, 0)
            if size + mine > user_upload_budget():
                return "user's upload budget exhausted"
            if size + held_upload_bytes() + self.total > server_upload_budget():
                return "server's upload budget exhausted"
            self.by_user[username] = self.by_user.get(username, 0) + size
            self.requests[username] = self.requests.get(username, 0) + 1
            self.total += size
            return None

    def release(self, username: str, size: int) -> None:
        with self._lock:
            self.by_user[username] -= size
            self.requests[username] -= 1
            self.total -= size
            if not self.requests[username]:
                del self.by_user[username], self.requests[username]


IN_FLIGHT = InFlight()


def upload_binding(session_id: str, browser: str | None) -> tuple[Binding | None, str | None]:
    """The signed-in binding an upload request (PUT or DELETE) may act on, or why it may not."""
    binding = REGISTRY.get(session_id)
    if binding is None or not binding.username:
        return None, "session not signed in"
    if binding.browser is None or binding.browser != browser:
        return None, "browser cookie does not match the session"
    return binding, None


def live_sign_in(browser: str | None) -> bool:
    """Whether a sign-in made in this browser still holds (checked in the store)."""
    from compliance import signins
    from views.runtime import engine

    hashes = REGISTRY.sign_ins_of_browser(browser)
    return any(signins.check(engine(), hashed).username for hashed in hashes)


def drop_media_file(file_id: str) -> None:
    """A download served once is gone: the next click builds it again, for whoever is signed in then."""
    from streamlit.runtime import Runtime

    try:
        Runtime.instance().media_file_mgr._storage.delete_file(file_id)
    except Exception:  # already gone, or a storage without deletes: nothing to keep safe then
        return


def _base_path() -> str:
    """``server.baseUrlPath`` as a path prefix ("" or "/some/prefix")."""
    from streamlit import config

    parts = [p for p in str(config.get_option("server.baseUrlPath") or "").split("/") if p]
    return "/" + "/".join(parts) if parts else ""


def _route(path: str) -> str:
    """``path`` below the base path, without its leading slash ("" when outside it)."""
    base = _base_path()
    if base and not (path == base or path.startswith(base + "/")):
        return ""
    return path[len(base):].lstrip("/")


def _cookie_bytes(scope: Scope) -> int:
    return sum(len(value) for name, value in scope.get("headers", []) if name == b"cookie")


def _cookies(scope: Scope) -> dict[str, str]:
    """The request's cookies as Streamlit reads them (Starlette's parser, the first Cookie header): the
    gateway and the page must agree on what a browser holds, whatever other cookies share the host."""
    from starlette.requests import cookie_parser

    header = _header(scope, b"cookie")
    return cookie_parser(header) if header else {}


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return value.decode("latin-1")
    return None


def cookie_header(name: str, value: str, max_age: int | None, secure: bool) -> bytes:
    """A Set-Cookie value no script on the page can read and no other site's request carries
    (``max_age`` None: a cookie that ends with the browser)."""
    attributes = f"{name}={value}; Path=/;{'' if max_age is None else f' Max-Age={max_age};'} HttpOnly; SameSite=Strict"
    return (attributes + ("; Secure" if secure else "")).encode("latin-1")


def _is_secure(scope: Scope) -> bool:
    return scope.get("scheme") in ("https", "wss") or _header(scope, b"x-forwarded-proto") == "https"


async def _respond(send: Send, status: int, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-length", b"0"), *(headers or [])]})
    await send({"type": "http.response.body", "body": b""})


async def _read_small_body(receive: Receive, limit: int = 1024) -> bytes | None:
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if len(body) > limit:
            return None
        if not message.get("more_body"):
            return body


class Gateway:
    """ASGI middleware: session binding, upload refusal before the body, downloads for signed-in browsers
    only and once, the sign-in cookie routes, and a bound on the Cookie header everything parses."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if _cookie_bytes(scope) > MAX_COOKIE_BYTES:  # before anything parses it, Streamlit included
            log.warning("refused a request with a Cookie header over %d bytes", MAX_COOKIE_BYTES)
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            else:
                await _respond(send, 431)
            return
        cookies = _cookies(scope)
        browser = browser_hash(cookies.get(BROWSER_COOKIE))
        if scope["type"] == "websocket":
            await self.app(self._websocket(scope, browser), receive, send)
            return
        method, route = scope.get("method", ""), _route(scope.get("path", ""))
        if not browser:
            send = self._with_browser_cookie(scope, send)
        if route == SIGN_IN_PATH.lstrip("/") and method == "POST":
            await self._sign_in(scope, receive, send, browser)
        elif route == SIGN_OUT_PATH.lstrip("/") and method == "POST":
            await self._sign_out(scope, receive, send, cookies)
        elif (upload := _UPLOAD_PATH.fullmatch(route)) and method in ("PUT", "DELETE"):
            await self._upload(scope, receive, send, upload.group(1), browser)
        elif (media := _MEDIA_PATH.fullmatch(route)) and method in ("GET", "HEAD"):
            await self._media(scope, receive, send, media.group(1), browser)
        else:
            await self.app(scope, receive, send)

    def _websocket(self, scope: Scope, browser: str | None) -> Scope:
        """Drop a session id from the handshake unless the connection carries the session's browser cookie."""
        protocol = _header(scope, b"sec-websocket-protocol")
        if not protocol:
            return scope
        entries = [e.strip() for e in protocol.split(",")]
        if len(entries) < 3 or not entries[2] or REGISTRY.may_resume(entries[2], browser):
            return scope
        log.warning("refused to resume a session from another browser: a new session was started")
        headers = [(n, v) for n, v in scope["headers"] if n != b"sec-websocket-protocol"]
        headers.append((b"sec-websocket-protocol", ", ".join(entries[:2]).encode("latin-1")))
        return {**scope, "headers": headers}

    async def _sign_in(self, scope: Scope, receive: Receive, send: Send, browser: str | None) -> None:
        body = await _read_small_body(receive)
        token = REGISTRY.redeem(body.decode("ascii", "replace").strip(), browser) if body else None
        if token is None:
            log.warning("refused a sign-in cookie request: no live ticket for this browser")
            await _respond(send, 403)
            return
        # no Max-Age: the cookie ends with the browser (a shared PC); the store ends it after 12 h anyway
        await _respond(send, 204, [(b"set-cookie", cookie_header(SIGN_IN_COOKIE, token, None, _is_secure(scope)))])

    async def _sign_out(self, scope: Scope, receive: Receive, send: Send, cookies: dict[str, str]) -> None:
        """Clear the sign-in cookie, but only the one the page signed out: a stale tab must not clear the
        cookie of a sign-in made since in another tab (the page sends the hash it ended)."""
        from compliance.signins import token_hash

        body = await _read_small_body(receive)
        ended = body.decode("ascii", "replace").strip() if body else ""
        held = token_hash(cookies.get(SIGN_IN_COOKIE, ""))
        if held is None or held != ended:
            await _respond(send, 204)
            return
        await _respond(send, 204, [(b"set-cookie", cookie_header(SIGN_IN_COOKIE, "", 0, _is_secure(scope)))])

    async def _upload(self, scope: Scope, receive: Receive, send: Send, session_id: str,
                      browser: str | None) -> None:
        """An upload (PUT) or its removal (DELETE) only from the session's own signed-in browser; a PUT
        only with a Content-Length that the budgets leave room for, reserved until the request ends."""
        binding, reason = upload_binding(session_id, browser)
        if binding is None or scope["method"] == "DELETE":
            if binding is None:
                log.warning("refused an upload request before its body: %s", reason)
                await _respond(send, 403)
            else:
                await self.app(scope, receive, send)
            return
        try:
            size = int(_header(scope, b"content-length") or "")
        except ValueError:
            log.warning("refused an upload before its body: no Content-Length")
            await _respond(send, 411)
            return
        username = binding.username or ""
        reason = IN_FLIGHT.reserve(username, size)
        if reason:
            log.warning("refused an upload before its body: %s", reason)
            await _respond(send, 403)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            IN_FLIGHT.release(username, size)

    async def _media(self, scope: Scope, receive: Receive, send: Send, file_id: str, browser: str | None) -> None:
        """A download (every media file of this dashboard is one) only for a browser with a live sign-in,
        never cached, and dropped ``MEDIA_GRACE`` seconds after it was first served: its URL, a hash of its
        content, is no key to it afterwards (the next click builds it again)."""
        if not browser or not await asyncio.to_thread(live_sign_in, browser):
            log.warning("refused a download: no live sign-in in this browser")
            await _respond(send, 403)
            return
        status: list[int] = []

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                message = {**message, "headers": [*headers, (b"cache-control", b"no-store")]}
            await send(message)

        await self.app(scope, receive, send_no_store)
        if scope["method"] == "GET" and status and status[0] in (200, 206):
            if MEDIA_GRACE <= 0:
                drop_media_file(file_id)
            else:  # the browser's download manager may ask again (a range, a retry) right after
                asyncio.get_running_loop().call_later(MEDIA_GRACE, drop_media_file, file_id)

    def _with_browser_cookie(self, scope: Scope, send: Send) -> Send:
        """``send`` that adds a new browser cookie to the response (the request had none)."""
        header = cookie_header(BROWSER_COOKIE, secrets.token_urlsafe(32), 400 * 86400, _is_secure(scope))

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", header)]}
            await send(message)

        return send_with_cookie


# Streamlit's loggers that write a traceback, or quote a client's text, for a request a client made up:
# a bogus download id, a malformed message (issue 20, finding 15: the log grew 9x faster than the
# attacker sent).
NOISY_LOGGERS = ("uvicorn.error", "streamlit.runtime.backend_operation_handler",
                 "streamlit.web.server.starlette.starlette_websocket",
                 "streamlit.web.server.starlette.starlette_routes", "streamlit.runtime.app_session",
                 "streamlit.runtime.media_file_manager", "streamlit.runtime.memory_media_file_storage",
                 "shebao_check.gateway")
MAX_LOG_LINE = 300


class OneLine(logging.Filter):
    """A record as one bounded line: no traceback, the exception's type only, control characters out."""

    def filter(self, record: logging.LogRecord) -> bool:
        kind = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
        try:
            text = record.getMessage()
        except Exception:  # a client's text that breaks %-formatting is not worth a traceback either
            text = str(record.msg)
        text = "".join(ch if ch.isprintable() else " " for ch in text[:MAX_LOG_LINE + 1])
        text = text if len(text) <= MAX_LOG_LINE else text[:MAX_LOG_LINE] + "…"
        record.msg = f"{text} ({kind})" if kind else text
        record.args, record.exc_info, record.exc_text, record.stack_info = None, None, None, None
        return True


def quiet_noisy_loggers() -> None:
    """One log line, never a traceback, for what a client can make the server log (``NOISY_LOGGERS``)."""
    for name in NOISY_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, OneLine) for f in logger.filters):
            logger.addFilter(OneLine())


def keep_uploads_in_memory() -> None:
    """Uploads up to the cap stay in memory (Starlette spools a form's file to disk past 1 MB), or
    go to ``SHEBAO_TMP`` (a tmpfs the operator names) when that is set: no roster on a real disk.
    A ``SHEBAO_TMP`` that is not an existing folder is a ``config.ConfigError`` (and nothing is changed):
    a typo must not send rosters to the system's temp folder on a real disk, silently."""
    from starlette.formparsers import MultiPartParser

    cap, folder = max_upload_bytes(), config.path("SHEBAO_TMP")
    MultiPartParser.spool_max_size = max(MultiPartParser.spool_max_size, cap + 2**20)
    if folder is not None:
        tempfile.tempdir = str(folder)
