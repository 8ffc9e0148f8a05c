"""The checking processes of the dashboard (compliance.workers) and the one-call check they run."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from compliance import workers
from compliance.registration import check, check_uploads, status_counts
from compliance.rosters import read_rosters
from compliance.workers import WorkerCrashed, WorkerPool

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


def test_check_uploads_is_read_then_check() -> None:
    sample = SAMPLES / "english_roster.csv"
    result, errors = check_uploads([(sample.name, sample.read_bytes())], AS_OF)
    expected = check(read_rosters([sample]), AS_OF)
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
