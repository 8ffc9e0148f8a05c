"""The results cache: bounded in bytes, per owner, idle entries expire (compliance.resultcache)."""

from __future__ import annotations

import pytest

from compliance.resultcache import ResultCache, limit_from_env


def test_bound_in_bytes_evicts_the_least_recently_used() -> None:
    cache = ResultCache(limit=10)
    cache.put("a", 1, b"1234")
    cache.put("a", 2, b"5678")
    assert cache.get("a", 1) == b"1234"  # 1 is now the most recently used
    cache.put("b", 3, b"abcd")  # 12 bytes would pass 10: the least recently used (2) goes
    assert (cache.get("a", 2), cache.get("a", 1), cache.get("b", 3)) == (None, b"1234", b"abcd")
    assert cache.size == 8 and len(cache) == 2


def test_a_value_larger_than_the_bound_is_not_kept() -> None:
    cache = ResultCache(limit=3)
    assert cache.get_or_compute("a", 1, lambda: b"1234") == b"1234"
    assert cache.get("a", 1) is None and cache.size == 0


def test_owners_never_share_and_sign_out_drops_only_the_owner() -> None:
    cache = ResultCache(limit=100)
    calls: list[str] = []

    def compute(owner: str) -> bytes:
        calls.append(owner)
        return owner.encode()

    for owner in ("alice", "bob", "alice"):
        cache.get_or_compute(owner, "same upload", lambda owner=owner: compute(owner))
    assert calls == ["alice", "bob"]  # alice's second call was served from her own entry
    assert cache.drop_owner("alice") == 1
    assert cache.get("alice", "same upload") is None and cache.get("bob", "same upload") == b"bob"


def test_idle_entries_expire() -> None:
    now = [0.0]
    cache = ResultCache(limit=100, max_idle=60, clock=lambda: now[0])
    cache.put("a", 1, b"x")
    cache.put("a", 2, b"y")
    now[0] = 50
    assert cache.get("a", 2) == b"y"  # used at 50: lives until 110
    now[0] = 61
    assert cache.get("a", 1) is None and cache.get("a", 2) == b"y" and cache.size == 1


def test_limit_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHEBAO_RESULT_CACHE_MB", "2.5")
    assert limit_from_env() == int(2.5 * 2**20)
    monkeypatch.setenv("SHEBAO_RESULT_CACHE_MB", "lots")
    with pytest.raises(ValueError, match="SHEBAO_RESULT_CACHE_MB"):
        limit_from_env()
