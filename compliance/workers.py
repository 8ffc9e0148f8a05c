"""Checks in worker processes, so one upload's CPU work does not stall every other session.

The dashboard server is one Python process: a script run holds the GIL while pandas works, and
twenty sessions checking at once were served one after the other on a single core. A pool of
worker processes (one per usable core by default) runs `registration.check_uploads` in
parallel, off the server's GIL; the server only lays out the results.

- Workers are started with ``spawn`` (forking a server that runs threads is unsafe), all of them
  at once, and warm up (`registration.warm_up`) before the first user waits.
- A worker that dies (killed for memory, a native reader abort) breaks the whole pool: every
  call running on it fails, not only the one that killed it. The pool is replaced, and each of
  those calls is retried once in a process of its own, so that a second crash can only be the
  culprit's: it gets :class:`WorkerCrashed`, the others their results.
- Uploads are read from memory (``rosters.read_roster_bytes``): nothing of a roster is written
  to disk, so a killed worker leaves nothing behind to clean up.

``SHEBAO_CHECK_WORKERS`` sets the number of workers; 0 checks in the calling process.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")
_SPAWN = multiprocessing.get_context("spawn")


class WorkerCrashed(RuntimeError):
    """The process running the call on its own died: the call itself is what kills processes."""


def usable_cores() -> int:
    """Cores this process may run on (a container's CPU set, not the host's core count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def workers_from_env() -> int:
    """Worker processes to start: ``SHEBAO_CHECK_WORKERS``, else one per usable core."""
    value = os.environ.get("SHEBAO_CHECK_WORKERS", "").strip()
    if not value:
        return usable_cores()
    try:
        workers = int(value)
    except ValueError:
        raise ValueError(f"SHEBAO_CHECK_WORKERS must be a whole number, not {value!r}") from None
    if workers < 0:
        raise ValueError(f"SHEBAO_CHECK_WORKERS must be 0 or more, not {workers}")
    return workers


def pickled(fn: Callable[..., object], /, *args: object) -> bytes:
    """``fn(*args)`` as pickle bytes, made where it runs: the worker pays for the pickling, and the
    server can cache the bytes as they are (``st.cache_data`` pickles what it stores)."""
    return pickle.dumps(fn(*args), protocol=pickle.HIGHEST_PROTOCOL)


class _Executor:
    """A process pool that knows its size and whether it was shut down."""

    def __init__(self, workers: int, initializer: Callable[[], object] | None) -> None:
        self.workers = workers
        self.pool = ProcessPoolExecutor(workers, _SPAWN, initializer=initializer)
        self.closed = False

    def start(self) -> None:
        # A spawn pool starts a process per submitted call while none is idle: one call per worker.
        for _ in range(self.workers):
            self.pool.submit(int)

    def shutdown(self, wait: bool) -> None:
        """Stop the processes once the calls already submitted have run."""
        self.closed = True
        self.pool.shutdown(wait=wait)


class WorkerPool:
    """A process pool that replaces itself when a worker dies (``workers == 0``: run in-process)."""

    def __init__(self, workers: int, initializer: Callable[[], object] | None = None) -> None:
        self.workers = workers
        self._initializer = initializer
        self._executor: _Executor | None = None
        self._closed = False  # shut down: calls still arriving run in a process of their own
        self._lock = threading.Lock()
        self._retries = threading.BoundedSemaphore(max(workers, 1))  # retry processes at a time

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

    def run(self, fn: Callable[..., T], /, *args: object) -> T:
        """``fn(*args)`` in a worker (``fn`` and the arguments must be picklable)."""
        if self.workers == 0:
            return fn(*args)
        executor = self._current()
        if executor is not None:
            try:
                return executor.pool.submit(fn, *args).result()
            except BrokenProcessPool:
                self._replace(executor)
            except RuntimeError:
                if not executor.closed:  # the call's own error
                    raise
                # the pool was shut down between handing it out and the submit: run alone
        with self._retries:  # alone in a process of its own: only the culprit can crash it
            alone = _Executor(1, None)
            try:
                return alone.pool.submit(fn, *args).result()
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
