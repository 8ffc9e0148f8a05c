"""A cache of check results bounded in bytes and keyed by who asked (shared README section 10).

The dashboard keeps each check's pickled result so that moving a widget does not re-read the
upload. Streamlit's own ``st.cache_data`` is the wrong home for it: it is bounded in entries, not
bytes (one 1M-row result is ~1 GB once unpickled), it is shared by every user, and any client can
empty it with a ``clear_cache`` message. This cache lives in the server process, outside
Streamlit's caches; its entries belong to one signed-in session (``owner``), are dropped when that
session signs out, and the least recently used entries go first when the total would pass the
bound (``SHEBAO_RESULT_CACHE_MB``, default 1024 MB). A tab closed without signing out leaves its
entries behind: they go when unused for ``max_idle`` seconds (an hour), or earlier to make room.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from compliance import config

DEFAULT_MAX_IDLE = 3600.0  # seconds


def limit_from_env() -> int:
    """The bound in bytes: ``SHEBAO_RESULT_CACHE_MB`` (0 keeps nothing), else 1024 MB."""
    return config.megabytes("SHEBAO_RESULT_CACHE_MB")


class ResultCache:
    """Bytes values under ``(owner, key)``, at most ``limit`` bytes in all (least recently used go first).

    >>> cache = ResultCache(limit=10)
    >>> cache.get_or_compute("alice", "k", lambda: b"12345")
    b'12345'
    >>> cache.get("bob", "k") is None  # another owner never sees alice's entry
    True
    >>> cache.drop_owner("alice"), cache.size
    (1, 0)
    """

    def __init__(self, limit: int | None = None, max_idle: float = DEFAULT_MAX_IDLE,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit_from_env() if limit is None else limit
        self.max_idle = max_idle
        self._clock = clock
        self._entries: OrderedDict[tuple[Hashable, Hashable], bytes] = OrderedDict()
        self._used: dict[tuple[Hashable, Hashable], float] = {}
        self._lock = threading.Lock()
        self.size = 0

    def _expire(self) -> None:
        """Drop entries unused for ``max_idle`` seconds (oldest first; the order is by last use)."""
        cutoff = self._clock() - self.max_idle
        while self._entries:
            oldest = next(iter(self._entries))
            if self._used[oldest] > cutoff:
                break
            self._remove(oldest)

    def _remove(self, entry: tuple[Hashable, Hashable]) -> None:
        self.size -= len(self._entries.pop(entry))
        del self._used[entry]

    def get(self, owner: Hashable, key: Hashable) -> bytes | None:
        with self._lock:
            self._expire()
            value = self._entries.get((owner, key))
            if value is not None:
                self._entries.move_to_end((owner, key))
                self._used[(owner, key)] = self._clock()
            return value

    def put(self, owner: Hashable, key: Hashable, value: bytes) -> None:
        """Keep ``value`` unless it alone is larger than the bound; evict the oldest to make room."""
        with self._lock:
            self._expire()
            if (owner, key) in self._entries:
                self._remove((owner, key))
            if len(value) > self.limit:
                return
            while self._entries and self.size + len(value) > self.limit:
                self._remove(next(iter(self._entries)))
            self._entries[(owner, key)] = value
            self._used[(owner, key)] = self._clock()
            self.size += len(value)

    def get_or_compute(self, owner: Hashable, key: Hashable, compute: Callable[[], bytes]) -> bytes:
        value = self.get(owner, key)
        if value is None:
            value = compute()
            self.put(owner, key, value)
        return value

    def drop_owner(self, owner: Hashable) -> int:
        """Forget every entry of ``owner`` (its session signed out); returns how many."""
        with self._lock:
            gone = [k for k in self._entries if k[0] == owner]
            for k in gone:
                self._remove(k)
            return len(gone)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._used.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self._entries)
