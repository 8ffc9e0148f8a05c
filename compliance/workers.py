"""Checks in worker processes, so one upload's CPU work does not stall every other session.

The dashboard server is one Python process: a script run holds the GIL while pandas works, and
twenty sessions checking at once were served one after the other on a single core. A pool of
worker processes (one per usable core by default) runs `jobs.check_uploads` in
parallel, off the server's GIL; the server only lays out the results.

- Workers are started with ``spawn`` (forking a server that runs threads is unsafe), all of them
  at once, and warm up (`jobs.warm_up`) before the first user waits.
- A worker that dies (killed for memory, a native reader abort) breaks the whole pool: every
  call running on it fails, not only the one that killed it. The pool is replaced, and each of
  those calls is retried once in a process of its own, so that a second crash can only be the
  culprit's: it gets :class:`WorkerCrashed`, the others their results.
- Uploads are read from memory (``rosters.read_roster_bytes``): nothing of a roster is written
  to disk, so a killed worker leaves nothing behind to clean up.
- Limits per call (issue 20): a call that runs past ``timeout`` seconds (``SHEBAO_CHECK_SECONDS``,
  300) has the pool's processes killed under it and gets :class:`CheckTimedOut`; the calls running
  beside it are retried alone, as after a crash. A caller's ``owner`` (the dashboard passes the
  sign-in) runs at most ``max(1, workers // 2)`` calls at once; its further calls wait in the server,
  holding no worker, so one user cannot take the pool from the others. :func:`pickled` refuses a
  result over ``SHEBAO_MAX_RESULT_MB`` (1024, never above the results cache's bound) in the worker,
  while pickling it, so a huge result never crosses the pipe (:class:`ResultTooLarge`).

``SHEBAO_CHECK_WORKERS`` sets the number of workers; 0 checks in the calling process (no time limit
there: nothing could stop the call but the process itself; the command line runs so).
"""

from __future__ import annotations

import io
import multiprocessing
import os
import pickle
import signal
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from compliance import config, resultcache

T = TypeVar("T")
_SPAWN = multiprocessing.get_context("spawn")


class WorkerCrashed(RuntimeError):
    """The process running the call on its own died: the call itself is what kills processes."""


class CheckTimedOut(RuntimeError):
    """The check ran past its time limit and was stopped."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.__doc__)


class ResultTooLarge(RuntimeError):
    """The check's result is larger than a result may be (SHEBAO_MAX_RESULT_MB); it was not sent on."""


def check_seconds_from_env() -> float:
    """The time limit of one call: ``SHEBAO_CHECK_SECONDS``, else 300 s."""
    return config.number("SHEBAO_CHECK_SECONDS")


def max_result_bytes() -> int:
    """The largest pickled result a worker sends: ``SHEBAO_MAX_RESULT_MB`` (1024 MB), and never more than the
    results cache keeps (``SHEBAO_RESULT_CACHE_MB``; 0 there keeps nothing and bounds nothing)."""
    cap = config.megabytes("SHEBAO_MAX_RESULT_MB")
    cache = resultcache.limit_from_env()
    return min(cap, cache) if cache > 0 else cap


def usable_cores() -> int:
    """Cores this process may run on (a container's CPU set, not the host's core count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def workers_from_env() -> int:
    """Worker processes to start: ``SHEBAO_CHECK_WORKERS``, else one per usable core."""
    workers = config.whole("SHEBAO_CHECK_WORKERS")
    return usable_cores() if workers is None else workers


class _CappedBuffer(io.BytesIO):
    """A file for the pickler that refuses to hold more than ``cap`` bytes."""

    def __init__(self, cap: int) -> None:
        super().__init__()
        self.cap = cap

    def write(self, data: bytes | pickle.PickleBuffer) -> int:  # type: ignore[override]
        # protocol 5 hands big array buffers over as they are (a PickleBuffer, which has no len())
        if self.tell() + memoryview(data).nbytes > self.cap:
            raise ResultTooLarge(f"the check's result is more than {self.cap / 2**20:,.0f} MB, the limit on a result "
                                 "(SHEBAO_MAX_RESULT_MB); check fewer or smaller files at a time")
        return super().write(data)


def capped_pickle(value: object, cap: int) -> bytes:
    """``value`` pickled, or :class:`ResultTooLarge` as soon as the pickle passes ``cap`` bytes: it is written in
    frames of about 64 KB, so a huge value is refused without ever being held whole."""
    buffer = _CappedBuffer(cap)
    pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def pickled(fn: Callable[..., object], /, *args: object) -> bytes:
    """``fn(*args)`` as pickle bytes, made where it runs: the worker pays for the pickling, and the
    server can cache the bytes as they are (``st.cache_data`` pickles what it stores). A result over
    :func:`max_result_bytes` raises :class:`ResultTooLarge` here, in the worker: it never crosses the pipe."""
    return capped_pickle(fn(*args), max_result_bytes())


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _start_worker(initializer: Callable[[], object] | None, parent: int) -> None:
    """A worker's first step: it ends when the process that started it ends, then warms up.

    A server stopped by a signal (a restart, ``kill``) does not shut its pool down, and its workers,
    ~1 GB each after a big check, waited for work for ever (seen after every test run and benchmark).
    On Linux the kernel sends them SIGTERM when their parent dies; elsewhere they stay as before.
    """
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(0)
    if initializer is not None:
        initializer()


class _Executor:
    """A process pool that knows its size and whether it was shut down."""

    def __init__(self, workers: int, initializer: Callable[[], object] | None) -> None:
        self.workers = workers
        self.pool = ProcessPoolExecutor(workers, _SPAWN, initializer=_start_worker,
                                        initargs=(initializer, os.getpid()))
        self.closed = False

    def start(self) -> None:
        # A spawn pool starts a process per submitted call while none is idle: one call per worker.
        for _ in range(self.workers):
            self.pool.submit(int)

    def shutdown(self, wait: bool) -> None:
        """Stop the processes once the calls already submitted have run."""
        self.closed = True
        self.pool.shutdown(wait=wait)

    def kill(self) -> None:
        """Kill every process of the pool now: a call past its time limit cannot be stopped otherwise. The pool
        breaks, and the calls running beside it fail with BrokenProcessPool (their callers retry them alone)."""
        self.closed = True
        kill_workers = getattr(self.pool, "kill_workers", None)  # Python 3.14
        if kill_workers is not None:
            kill_workers()
            return
        for process in list(getattr(self.pool, "_processes", {}).values()):
            if process.is_alive():
                process.kill()


def _result(future: Future[T], executor: _Executor, timeout: float) -> T:
    """The call's result within ``timeout`` seconds, else its executor killed and :class:`CheckTimedOut`."""
    try:
        return future.result(timeout=timeout)
    except FutureTimeout:
        executor.kill()
        raise CheckTimedOut from None


class WorkerPool:
    """A process pool that replaces itself when a worker dies (``workers == 0``: run in-process)."""

    def __init__(self, workers: int, initializer: Callable[[], object] | None = None) -> None:
        self.workers = workers
        self.share = max(1, workers // 2)  # calls of one owner at a time
        self._initializer = initializer
        self._executor: _Executor | None = None
        self._closed = False  # shut down: calls still arriving run in a process of their own
        self._lock = threading.Lock()
        self._retries = threading.BoundedSemaphore(max(workers, 1))  # retry processes at a time
        # a call holds a slot while it is in the pool, so none waits in the pool's own queue (where its time
        # limit would run before it does, and it would hold its place from the other owners)
        self._slots = threading.Semaphore(max(workers, 1))
        self._owners: dict[Hashable, int] = {}  # owner -> calls running
        self._owners_changed = threading.Condition()

    def _current(self) -> _Executor | None:
        with self._lock:
            if self._closed:
                return None
            if self._executor is None:
                self._executor = _Executor(self.workers, self._initializer)
                self._executor.start()
            return self._executor

    def _replace(self, broken: _Executor) -> None:
        with self._lock:
            if self._executor is broken:  # another caller may have replaced it already
                self._executor = None
        broken.shutdown(wait=False)

    def start(self) -> None:
        """Start the workers now (they warm up in the background) rather than at the first call."""
        if self.workers:
            self._current()

    def _enter(self, owner: Hashable) -> None:
        """Wait until ``owner`` runs fewer than ``share`` calls (holding no worker meanwhile)."""
        with self._owners_changed:
            while self._owners.get(owner, 0) >= self.share:
                self._owners_changed.wait()
            self._owners[owner] = self._owners.get(owner, 0) + 1

    def _leave(self, owner: Hashable) -> None:
        with self._owners_changed:
            running = self._owners.pop(owner) - 1
            if running:
                self._owners[owner] = running
            self._owners_changed.notify_all()

    def run(self, fn: Callable[..., T], /, *args: object, owner: Hashable | None = None,
            timeout: float | None = None) -> T:
        """``fn(*args)`` in a worker (``fn`` and the arguments must be picklable).

        ``timeout``: seconds the call may run (default :func:`check_seconds_from_env`), in the pool and again
        if it is retried alone; past it the processes running it are killed and :class:`CheckTimedOut`
        raised. ``owner``: calls of one owner run at most ``share`` at a time (None: no limit).
        """
        if self.workers == 0:
            return fn(*args)
        limit = check_seconds_from_env() if timeout is None else timeout
        if owner is None:
            return self._run(fn, args, limit)
        self._enter(owner)
        try:
            return self._run(fn, args, limit)
        finally:
            self._leave(owner)

    def _run(self, fn: Callable[..., T], args: tuple[object, ...], limit: float) -> T:
        executor = self._current()
        if executor is not None:
            with self._slots:
                try:
                    return _result(executor.pool.submit(fn, *args), executor, limit)
                except CheckTimedOut:
                    self._replace(executor)
                    raise
                except BrokenProcessPool:
                    self._replace(executor)
                except RuntimeError:
                    if not executor.closed:  # the call's own error
                        raise
                    # the pool was shut down between handing it out and the submit: run alone
        with self._retries:  # alone in a process of its own: only the culprit can crash it
            alone = _Executor(1, None)
            try:
                return _result(alone.pool.submit(fn, *args), alone, limit)
            except BrokenProcessPool:
                raise WorkerCrashed("the checking process stopped unexpectedly (out of memory?)") from None
            finally:
                alone.shutdown(wait=True)

    def shutdown(self, wait: bool = True) -> None:
        """Stop the workers after the calls already submitted (``wait``: until they have stopped)."""
        with self._lock:
            executor, self._executor, self._closed = self._executor, None, True
        if executor is not None:
            executor.shutdown(wait=wait)
