"""Checks in worker processes, so one upload's CPU work does not stall every other session.

The dashboard server is one Python process: a script run holds the GIL while pandas works, and
twenty sessions checking at once were served one after the other on a single core. A pool of
worker processes (one per core by default) runs `registration.check_uploads` in parallel,
off the server's GIL; the server only lays out the results.

Workers are started with ``spawn`` (forking a server that runs threads is unsafe) and warm up
(`registration.warm_up`) when they start, not when the first user waits. A worker that dies —
killed for memory, say — breaks the pool: the pool is replaced and the call retried once on a
fresh one; a second crash is reported to the caller as :class:`WorkerCrashed`.

``SHEBAO_CHECK_WORKERS`` sets the number of workers; 0 checks in the calling process.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

T = TypeVar("T")


class WorkerCrashed(RuntimeError):
    """A worker process died twice in a row while running the same call."""


def workers_from_env() -> int:
    """Worker processes to start: ``SHEBAO_CHECK_WORKERS``, else one per core."""
    value = os.environ.get("SHEBAO_CHECK_WORKERS", "").strip()
    if not value:
        return os.cpu_count() or 1
    try:
        workers = int(value)
    except ValueError:
        raise ValueError(f"SHEBAO_CHECK_WORKERS must be a whole number, not {value!r}") from None
    if workers < 0:
        raise ValueError(f"SHEBAO_CHECK_WORKERS must be 0 or more, not {workers}")
    return workers


class WorkerPool:
    """A process pool that replaces itself when a worker dies (``workers == 0``: run in-process)."""

    def __init__(self, workers: int, initializer: Callable[[], object] | None = None) -> None:
        self.workers = workers
        self._initializer = initializer
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _current(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ProcessPoolExecutor(self.workers, multiprocessing.get_context("spawn"),
                                                     initializer=self._initializer)
            return self._executor

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is broken:  # another caller may have replaced it already
                self._executor = None
        broken.shutdown(wait=False, cancel_futures=True)

    def start(self) -> None:
        """Start the workers now (they warm up in the background) rather than at the first call."""
        if self.workers:
            self._current().submit(int)  # any call makes the pool start its processes

    def run(self, fn: Callable[..., T], /, *args: object) -> T:
        """``fn(*args)`` in a worker (``fn`` and the arguments must be picklable)."""
        if self.workers == 0:
            return fn(*args)
        for attempt in range(2):
            executor = self._current()
            try:
                return executor.submit(fn, *args).result()
            except BrokenProcessPool:
                self._replace(executor)
                if attempt:
                    raise WorkerCrashed("the checking process stopped unexpectedly (out of memory?); "
                                        "try a smaller file or try again") from None
        raise AssertionError("unreachable")

    def shutdown(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
