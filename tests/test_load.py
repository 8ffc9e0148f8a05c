"""The load test's protocol client against the real server: a small run must sign in, upload and
see the right counts in every session (the full 20 x 10k run is `python bench/load.py`)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench.load import make_roster, run_load
from compliance import beijing
from compliance.registration import check, status_counts
from compliance.rosters import read_rosters


def test_protocol_sessions_see_the_counts_the_engine_computes() -> None:
    report = run_load(sessions=3, rows=300, timeout=120, client="protocol")
    assert report["errors"] == 0, report["error_samples"]
    assert report["ok"] == 3
    # The same rosters (same seeds) checked here, independently of the server and its workers.
    expected = []
    with tempfile.TemporaryDirectory() as folder:
        for seed in range(3):
            path = Path(folder) / f"roster_{seed:02d}.csv"
            make_roster(path, 300, seed=seed)
            expected.append(f"{status_counts(check(read_rosters([path]), beijing.today()).results)['overdue']:,}")
    assert report["overdue_shown"] == expected
    assert 0 < report["p50_s"] <= report["p95_s"] <= report["max_s"]
