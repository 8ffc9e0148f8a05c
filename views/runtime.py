"""What the dashboard runs on: the store's engines, the checking processes, the per-sign-in result cache.

What must outlive a script run but not a client message lives here at module level, not in
Streamlit's caches: any client, signed in or not, can send ``clear_cache`` and empty those
(shared README section 10). So the engines, the worker pool and the results cache are plain module
attributes, made once per server process. Checks and ingests run in the worker pool, never in the
threaded server (docs/security.md); the upload guards repeat the gateway's checks on the bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
import sys
import threading
import time
from collections.abc import Callable

import streamlit as st
from sqlalchemy.engine import Engine
from streamlit.runtime.scriptrunner import get_script_run_ctx

from compliance import accounts, config, jobs, store
from compliance.jobs import check_uploads, warm_up
from compliance.resultcache import ResultCache
from compliance.workers import WorkerPool, pickled, workers_from_env
from views import gateway

_lock = threading.Lock()
_engines: dict[str, Engine] = {}
_pool: WorkerPool | None = None
RESULTS = ResultCache()  # check results, per signed-in session, bounded in bytes (SHEBAO_RESULT_CACHE_MB)
UNREFERENCED_GRACE = 60.0  # seconds an upload no widget names is kept (its widget state may be on the way)
_unreferenced_since: dict[tuple[str, str], float] = {}
_uploads_guarded = False


# --- the store and the checking processes -------------------------------------------------------------

def demo_requested() -> bool:
    """Demo accounts were asked for: ``streamlit run app.py -- --demo`` or ``SHEBAO_DEMO=1`` (issue 20, #10)."""
    return "--demo" in sys.argv[1:] or config.flag("SHEBAO_DEMO")


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


# --- work for this sign-in, cached for it -------------------------------------------------------------

def session_owner() -> tuple[str, str]:
    """Who owns what this tab caches and runs: the signed-in user and this sign-in's random token
    (views.session sets both at sign-in and empties them at sign-out)."""
    user = st.session_state.get("user")
    return (user.username if user else "", st.session_state.get("_token", ""))


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
    it counts against the cache's byte bound and goes at sign-out)."""
    data = RESULTS.get_or_compute(session_owner(), key, lambda: pickle.dumps(compute(*args),
                                                                              protocol=pickle.HIGHEST_PROTOCOL))
    return pickle.loads(data)


def on_store(compute: Callable[..., object], eng: Engine, *args: object) -> object:
    """``compute(eng, *args)`` (a question to the store: findings, stored status), cached for this sign-in
    until something is stored: the key holds the store's state (``jobs.store_state``), so the store,
    worksheet and cases pages share one computation and see a new upload at once."""
    key = (compute.__name__, eng.url.render_as_string(), *jobs.store_state(eng), *args)
    return cached(key, compute, eng, *args)


# --- uploads --------------------------------------------------------------------------------------------

def max_upload_bytes() -> int:
    """The cap on all files of one upload together (``gateway.max_upload_bytes``, SHEBAO_MAX_UPLOAD_MB)."""
    return gateway.max_upload_bytes()


def max_file_mb() -> int:
    """The cap on one file, in whole MB, as the uploader says it (``SHEBAO_MAX_FILE_MB``, compliance.config)."""
    return int(config.number("SHEBAO_MAX_FILE_MB"))


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
