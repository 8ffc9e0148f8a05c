"""The checking processes of the dashboard (compliance.workers) and the one-call check they run."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import tempfile
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from compliance import workers
from compliance.jobs import check_uploads
from compliance.registration import check, status_counts
from compliance.rosters import read_rosters
from compliance.workers import CheckTimedOut, ResultTooLarge, WorkerCrashed, WorkerPool, pickled

SAMPLES = Path(__file__).resolve().parent.parent / "sample_uploads"
AS_OF = dt.date(2025, 11, 20)


def die_in_worker() -> None:
    """Kill the process running it, as the kernel's OOM killer would."""
    os._exit(9)


def die_once(marker: str) -> int:
    """Die the first time (leaving a marker file behind), succeed when retried."""
    path = Path(marker)
    if not path.exists():
        path.write_text("crashed once")
        os._exit(9)
    return os.getpid()


def pid_after(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def span(seconds: float) -> tuple[float, float, int]:
    """When the call started and ended (wall clock, comparable across processes), and where it ran."""
    start = time.time()
    time.sleep(seconds)
    return start, time.time(), os.getpid()


def die_once_then_sleep(marker: str, seconds: float) -> int:
    """Crash the pool the first time; retried alone, take ``seconds``."""
    path = Path(marker)
    if not path.exists():
        path.write_text("crashed once")
        os._exit(9)
    time.sleep(seconds)
    return os.getpid()


def text_of(megabytes: float) -> str:
    return "x" * int(megabytes * 2**20)


def test_check_uploads_is_read_then_check() -> None:
    sample = SAMPLES / "english_roster.csv"
    result, errors = check_uploads([(sample.name, sample.read_bytes())], AS_OF)
    expected = check(read_rosters([sample]), AS_OF, coded=True)  # the pool keeps the messages' structure
    assert errors == []
    pd.testing.assert_frame_equal(result.results, expected.results)
    pd.testing.assert_frame_equal(result.problems, expected.problems)


def test_check_uploads_reports_a_bad_file_and_checks_the_rest() -> None:
    sample = SAMPLES / "english_roster.csv"
    result, errors = check_uploads([("broken.xlsx", b"PK\x03\x04 not really a workbook"),
                                    (sample.name, sample.read_bytes())], AS_OF)
    assert len(errors) == 1 and errors[0].startswith("broken.xlsx")
    assert len(result.results) == len(check(read_rosters([sample]), AS_OF).results)


def test_pool_gives_the_same_result_as_the_calling_process() -> None:
    sample = SAMPLES / "agency_extract_gbk.csv"
    files = ((sample.name, sample.read_bytes()),)
    pool = WorkerPool(2)
    try:
        in_worker, errors = pool.run(check_uploads, files, AS_OF, False, None, None)
    finally:
        pool.shutdown()
    here, _ = check_uploads(files, AS_OF)
    assert errors == []
    pd.testing.assert_frame_equal(in_worker.results, here.results)
    # the README's tour: 123 rows in this file; counts equal to the in-process check
    assert len(in_worker.results) == 123
    assert status_counts(in_worker.results) == status_counts(here.results)


def test_pool_runs_in_other_processes_and_zero_workers_in_this_one() -> None:
    pool = WorkerPool(1)
    try:
        assert pool.run(os.getpid) != os.getpid()
    finally:
        pool.shutdown()
    assert WorkerPool(0).run(os.getpid) == os.getpid()


def test_a_dead_worker_is_replaced_and_the_call_retried(tmp_path: Path) -> None:
    pool = WorkerPool(1)
    try:
        survivor = pool.run(die_once, str(tmp_path / "marker"))  # retried in a process of its own
        assert survivor != os.getpid()
        served = pool.run(os.getpid)  # and a fresh pool goes on serving
        assert served not in (os.getpid(), survivor)
    finally:
        pool.shutdown()


def test_a_call_that_kills_its_worker_twice_is_reported_and_the_pool_recovers() -> None:
    pool = WorkerPool(1)
    try:
        with pytest.raises(WorkerCrashed, match="stopped unexpectedly"):
            pool.run(die_in_worker)
        assert pool.run(os.getpid) != os.getpid()
    finally:
        pool.shutdown()


def test_a_crash_fails_only_the_call_that_caused_it() -> None:
    # Two workers: the crash breaks the pool under the innocent calls running beside it. They are
    # retried each in a process of its own and succeed; the culprit crashes again, alone.
    pool = WorkerPool(2)
    try:
        assert pool.run(os.getpid) != os.getpid()  # workers up
        with ThreadPoolExecutor(6) as callers:
            innocent = [callers.submit(pool.run, pid_after, 1.0) for _ in range(5)]
            time.sleep(0.2)  # the innocent calls are running or queued on the pool
            culprit = callers.submit(pool.run, die_in_worker)
            with pytest.raises(WorkerCrashed):
                culprit.result(timeout=120)
            assert all(f.result(timeout=120) != os.getpid() for f in innocent)
    finally:
        pool.shutdown()


def test_a_check_writes_nothing_to_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Uploads are read from memory: CSV, XLSX (also through the isolated, forked reader) and XLS leave
    no file in the temporary folder, so a killed worker leaves no roster behind."""
    from compliance import rosters

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    files = [(p.name, p.read_bytes()) for p in sorted(SAMPLES.iterdir()) if p.suffix in (".csv", ".xlsx", ".xls")]
    assert {Path(n).suffix for n, _ in files} == {".csv", ".xlsx", ".xls"}
    result, errors = check_uploads(files, AS_OF)
    assert not errors and len(result.results) > 100
    forked = rosters._read_sheets_isolated(dict(files)["hr_roster_2025.xlsx"], "hr_roster_2025.xlsx")
    assert forked and forked[0][1]
    assert list(tmp_path.iterdir()) == []


def test_start_starts_every_worker() -> None:
    pool = WorkerPool(2)
    try:
        pool.start()
        with ThreadPoolExecutor(2) as callers:  # two calls at once run in two different processes
            pids = {f.result() for f in [callers.submit(pool.run, pid_after, 1.0) for _ in range(2)]}
        assert len(pids) == 2
    finally:
        pool.shutdown()


@pytest.mark.parametrize(("value", "expected"), [("", workers.usable_cores()), ("0", 0), (" 3 ", 3)])
def test_workers_from_env(monkeypatch: pytest.MonkeyPatch, value: str, expected: int) -> None:
    monkeypatch.setenv("SHEBAO_CHECK_WORKERS", value)
    assert workers.workers_from_env() == expected


@pytest.mark.parametrize("value", ["two", "-1", "1.5"])
def test_workers_from_env_refuses_nonsense(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SHEBAO_CHECK_WORKERS", value)
    with pytest.raises(ValueError, match="SHEBAO_CHECK_WORKERS"):
        workers.workers_from_env()


def test_shutdown_without_waiting_lets_running_calls_finish() -> None:
    # nobody's check is cut short when the pool is shut down
    pool = WorkerPool(1)
    with ThreadPoolExecutor(2) as callers:
        running = [callers.submit(pool.run, pid_after, 1.0) for _ in range(2)]  # one runs, one waits
        time.sleep(0.3)
        pool.shutdown(wait=False)
        assert all(f.result(timeout=60) != os.getpid() for f in running)


def test_a_call_arriving_after_shutdown_still_runs_in_a_process_of_its_own() -> None:
    pool = WorkerPool(1)
    pool.start()
    pool.shutdown(wait=False)
    assert pool.run(os.getpid) != os.getpid()


# --- limits per call: time, a fair share per user, result size (issue 20, "Readers") --------------------------


def test_a_call_past_its_time_limit_is_stopped_and_the_call_beside_it_still_returns() -> None:
    pool = WorkerPool(2)
    try:
        assert pool.run(os.getpid) != os.getpid()  # workers up: the limit counts the call, not the start-up
        with ThreadPoolExecutor(2) as callers:
            started = time.monotonic()
            slow = callers.submit(pool.run, pid_after, 60.0, timeout=2.0)
            time.sleep(0.3)
            beside = callers.submit(pool.run, span, 3.0, timeout=30.0)  # running when the slow one is killed
            with pytest.raises(CheckTimedOut) as raised:
                slow.result(timeout=60)
            assert time.monotonic() - started < 10
            assert str(raised.value) == CheckTimedOut.__doc__
            assert beside.result(timeout=60)[2] != os.getpid()  # retried alone after the pool was killed
        assert pool.run(os.getpid) != os.getpid()  # and a fresh pool serves on
    finally:
        pool.shutdown()


def test_the_time_limit_defaults_to_shebao_check_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHEBAO_CHECK_SECONDS", "1.5")
    assert workers.check_seconds_from_env() == 1.5
    monkeypatch.delenv("SHEBAO_CHECK_SECONDS")
    assert workers.check_seconds_from_env() == 300
    pool = WorkerPool(1)
    try:
        pool.start()
        monkeypatch.setenv("SHEBAO_CHECK_SECONDS", "1")
        started = time.monotonic()
        with pytest.raises(CheckTimedOut):
            pool.run(pid_after, 60.0)
        assert time.monotonic() - started < 8
    finally:
        pool.shutdown()


@pytest.mark.parametrize("value", ["soon", "0", "-3"])
def test_check_seconds_from_env_refuses_nonsense(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SHEBAO_CHECK_SECONDS", value)
    with pytest.raises(ValueError, match="SHEBAO_CHECK_SECONDS"):
        workers.check_seconds_from_env()


def test_a_call_retried_alone_keeps_its_time_limit(tmp_path: Path) -> None:
    pool = WorkerPool(1)
    try:
        pool.start()
        started = time.monotonic()
        with pytest.raises(CheckTimedOut):
            pool.run(die_once_then_sleep, str(tmp_path / "marker"), 60.0, timeout=2.0)
        assert time.monotonic() - started < 15
    finally:
        pool.shutdown()


def test_a_call_after_shutdown_keeps_its_time_limit() -> None:
    pool = WorkerPool(1)
    pool.shutdown()
    started = time.monotonic()
    with pytest.raises(CheckTimedOut):
        pool.run(pid_after, 60.0, timeout=2.0)
    assert time.monotonic() - started < 15


def test_one_user_gets_half_the_pool_and_waits_without_holding_a_worker() -> None:
    """2 workers: a user's second call waits for the first (a share of max(1, 2 // 2) = 1), while another user's
    call, sent last, runs at once on the worker the waiting call does not hold."""
    pool = WorkerPool(2)
    try:
        pool.start()
        assert pool.run(os.getpid) != os.getpid()
        with ThreadPoolExecutor(3) as callers:
            first = callers.submit(pool.run, span, 2.0, owner=("hr1", "token-a"))
            time.sleep(0.2)
            second = callers.submit(pool.run, span, 2.0, owner=("hr1", "token-a"))
            time.sleep(0.2)
            other = callers.submit(pool.run, span, 2.0, owner=("hr2", "token-b"))
            (s1, e1, _), (s2, _, _), (s3, _, _) = (f.result(timeout=60) for f in (first, second, other))
        assert s2 >= e1 - 0.05  # one after the other
        assert s3 < e1  # the other user did not wait for the first user's calls
        assert s3 - s1 < 1.0
    finally:
        pool.shutdown()


def test_calls_without_an_owner_share_nothing() -> None:
    pool = WorkerPool(2)
    try:
        pool.start()
        assert pool.run(os.getpid) != os.getpid()
        with ThreadPoolExecutor(2) as callers:
            spans = [f.result(timeout=60) for f in [callers.submit(pool.run, span, 1.5) for _ in range(2)]]
        assert abs(spans[0][0] - spans[1][0]) < 1.0  # both at once
    finally:
        pool.shutdown()


def test_a_result_over_the_cap_is_refused_in_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHEBAO_MAX_RESULT_MB", "1")
    assert workers.max_result_bytes() == 2**20
    assert len(pickle.loads(pickled(text_of, 0.5))) == 2**19
    with pytest.raises(ResultTooLarge, match=r"more than 1 MB.*SHEBAO_MAX_RESULT_MB"):
        pickled(text_of, 50)
    pool = WorkerPool(1)  # spawned now: the workers see the cap
    try:
        with pytest.raises(ResultTooLarge, match=r"more than 1 MB"):
            pool.run(pickled, text_of, 50)
        assert len(pickle.loads(pool.run(pickled, text_of, 0.5))) == 2**19
    finally:
        pool.shutdown()


def test_a_result_over_the_cap_is_never_made_whole() -> None:
    """The pickle is written through a counting file: refused once the cap is passed, not after."""
    value = [bytes([i]) * 2**20 for i in range(64)]  # 64 MB to pickle (distinct: pickle keeps no memo of them)
    tracemalloc.start()
    try:
        with pytest.raises(ResultTooLarge):
            workers.capped_pickle(value, cap=4 * 2**20)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20, f"{peak / 2**20:.0f} MB"


@pytest.mark.parametrize(("result_mb", "cache_mb", "expected_mb"),
                         [("", "", 1024), ("100", "", 100), ("", "256", 256), ("2048", "512", 512), ("50", "0", 50)])
def test_the_result_cap_never_passes_the_results_cache(monkeypatch: pytest.MonkeyPatch, result_mb: str,
                                                       cache_mb: str, expected_mb: int) -> None:
    monkeypatch.setenv("SHEBAO_MAX_RESULT_MB", result_mb)
    monkeypatch.setenv("SHEBAO_RESULT_CACHE_MB", cache_mb)
    assert workers.max_result_bytes() == expected_mb * 2**20


@pytest.mark.parametrize("value", ["big", "0", "-1"])
def test_max_result_from_env_refuses_nonsense(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SHEBAO_MAX_RESULT_MB", value)
    with pytest.raises(ValueError, match="SHEBAO_MAX_RESULT_MB"):
        workers.max_result_bytes()


def test_a_result_holding_big_arrays_is_pickled_under_the_cap() -> None:
    """Protocol 5 writes a big array's buffer as a PickleBuffer, which has no len(): the capped buffer
    failed on every real check result of some size (a 10,000-row roster), though under the cap."""
    import numpy as np
    import pandas as pd

    from compliance.workers import ResultTooLarge, capped_pickle

    frame = pd.DataFrame({"n": np.arange(1_000_000), "s": pd.array(["x"] * 1_000_000, dtype="string[pyarrow]")})
    data = capped_pickle(frame, 64 * 2**20)
    assert pd.testing.assert_frame_equal(pickle.loads(data), frame) is None
    with pytest.raises(ResultTooLarge):
        capped_pickle(frame, 4 * 2**20)  # 8 MB of integers alone


POOL_OWNER = """
import sys, time
sys.path.insert(0, {root!r})
from compliance.workers import WorkerPool
pool = WorkerPool(2)
pool.start()
pool.run(int)
import multiprocessing
print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
time.sleep(600)
"""


def test_workers_end_when_the_process_that_started_them_is_killed(tmp_path: Path) -> None:
    """A dashboard stopped by a signal left its checking processes behind, waiting for ever (each ~1 GB
    after a big check): every test run and benchmark left two per server."""
    import signal
    import subprocess
    import sys
    import time

    root = str(Path(__file__).resolve().parent.parent)
    owner = subprocess.Popen([sys.executable, "-c", POOL_OWNER.format(root=root)], stdout=subprocess.PIPE, text=True)
    try:
        children = [int(p) for p in owner.stdout.readline().split()]
        assert len(children) >= 2  # the two workers (and the resource tracker)
        owner.send_signal(signal.SIGKILL)
        owner.wait(timeout=30)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in children):
            time.sleep(0.2)
        alive = [pid for pid in children if Path(f"/proc/{pid}").exists()
                 and "multiprocessing.spawn" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")]
        assert alive == []
    finally:
        owner.kill()
