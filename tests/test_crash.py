"""Crash safety: SIGKILL an import at random points; the database is either unchanged or complete."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from compliance import ids

ROOT = Path(__file__).resolve().parent.parent
ROWS = 150_000
EMPLOYER = "914403057569602043"


@pytest.fixture(scope="module")
def registry_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A registry extract of ROWS valid people (15-digit numbers upgraded by the normaliser)."""
    n = np.arange(ROWS)
    day = pd.Timestamp("1960-01-01") + pd.to_timedelta(n % 14000, unit="D")  # 1960-1998: 15 digits mean 19xx
    fifteen = ("110105" + pd.Series(day.strftime("%y%m%d")) + pd.Series(n // 14000 + 100).astype(str).str.zfill(3))
    ssn = ids.normalise_column(fifteen.astype(object))
    frame = pd.DataFrame({"ssn": ssn, "employer_id": EMPLOYER,
                          "registration_date": (pd.Timestamp("2025-01-01")
                                                + pd.to_timedelta(n % 300, unit="D")).strftime("%Y-%m-%d")})
    assert frame["ssn"].nunique() == ROWS
    path = tmp_path_factory.mktemp("crash") / "registry.csv"
    frame.to_csv(path, index=False)
    return path


def counts(db: Path) -> tuple[int, int, str]:
    with sqlite3.connect(db) as conn:
        uploads = conn.execute("select count(*) from uploads where kind = 'registry'").fetchone()[0]
        registrations = conn.execute("select count(*) from registrations").fetchone()[0]
        integrity = conn.execute("pragma integrity_check").fetchone()[0]
    return uploads, registrations, integrity


def test_sigkill_mid_import_leaves_nothing_or_everything(registry_file: Path, tmp_path: Path) -> None:
    rng = random.Random(20261125)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    outcomes = set()
    for attempt in range(6):
        db = tmp_path / f"crash{attempt}.sqlite"
        url = f"sqlite:///{db}"
        subprocess.run([sys.executable, "-m", "compliance", "history", "--db", url], check=True, env=env, cwd=ROOT,
                       capture_output=True)  # migrated, empty
        proc = subprocess.Popen([sys.executable, "-m", "compliance", "import-registry", str(registry_file),
                                 "--db", url], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.5, 6.0) if attempt < 5 else 0)
        if attempt < 5:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=300)
        uploads, registrations, integrity = counts(db)
        assert integrity == "ok"
        if proc.returncode == -signal.SIGKILL and uploads == 0:
            assert registrations == 0  # killed before the commit: unchanged
            outcomes.add("unchanged")
        else:
            assert (uploads, registrations) == (1, ROWS)  # committed: complete
            outcomes.add("complete")
    assert "complete" in outcomes  # the last run is never killed
