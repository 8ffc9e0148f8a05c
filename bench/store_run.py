"""Store benchmark: a 1M-row registry extract imported and cross-checked against 1M roster rows.

    python bench/store_run.py [--rows 1000000] [--repeat 1]

Uses bench/out/roster_1m.csv from bench/run.py (made if missing), derives a registry extract from
it with numpy (most people registered as the roster says, some dates differing, some records
missing, some extra people), stores the roster in a fresh SQLite file (setup, timed too), then
times `import-registry` and `crosscheck` end to end. Target: import + cross-check < 60 s.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # bench/run.py: generators and the timing launcher

TARGET_S = 60.0


def make_registry(roster_path: Path, out: Path, seed: int = 7) -> int:
    """Registry rows from a roster: 5% missing, 3% dates +10 days, 1% extra people. Vectorised."""
    roster = pd.read_csv(roster_path, dtype=str, keep_default_na=False,
                         usecols=["employer_id", "id_number", "registration_date"])
    rng = np.random.default_rng(seed)
    keep = rng.random(len(roster)) >= 0.05
    reg = roster[keep & (roster["registration_date"] != "")].copy()
    dates = pd.to_datetime(reg["registration_date"].str.replace("年", "-").str.replace("月", "-")
                           .str.replace("日", "").str.replace("/", "-"), errors="coerce")
    shift = rng.random(len(reg)) < 0.03
    dates = dates + pd.to_timedelta(np.where(shift, 10, 0), unit="D")
    reg["registration_date"] = dates.dt.strftime("%Y-%m-%d")
    extra = reg.sample(frac=0.01, random_state=seed).copy()
    extra["employer_id"] = np.roll(extra["employer_id"].to_numpy(), 1)  # registered elsewhere too
    reg = pd.concat([reg, extra], ignore_index=True)
    reg = reg.rename(columns={"id_number": "ssn"})[["ssn", "employer_id", "registration_date"]]
    reg.to_csv(out, index=False)
    return len(reg)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args(argv)
    run.OUT.mkdir(parents=True, exist_ok=True)
    roster = run.OUT / f"roster_{run.size_label(args.rows)}.csv"
    run.ensure_file(roster, args.rows, seed=1, regen=False)
    registry = run.OUT / f"registry_{run.size_label(args.rows)}.csv"
    if not registry.exists():
        run.log(f"making {registry.name} ...")
        run.log(f"  {make_registry(roster, registry):,} registry rows")
    db = run.OUT / "store_bench.sqlite"
    timings = []
    for _ in range(args.repeat):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{db}"
        py = [sys.executable, "-m", "compliance"]
        timings = [
            run.bench("upload_roster", [*py, "upload", str(roster), "--db", url], None, 1, args.timeout),
            run.bench("import_registry", [*py, "import-registry", str(registry), "--db", url], None, 1, args.timeout),
            run.bench("crosscheck", [*py, "crosscheck", "--db", url, "--out", str(run.OUT / "crosscheck.csv")],
                      run.OUT / "crosscheck.csv", 1, args.timeout),
        ]
    total = sum(t.wall_s or 0 for t in timings[1:])
    ok = all(t.ok for t in timings) and total < TARGET_S
    print(f"\n{'command':<18}{'wall s':>10}{'peak MiB':>12}  note")
    for t in timings:
        print(f"{t.name:<18}{run.fmt_num(t.wall_s, '.2f'):>10}{run.fmt_kib(t.peak_rss_kib):>12}  {t.note}")
    print(f"\n  [{'PASS' if ok else 'FAIL'}] import-registry + crosscheck < {TARGET_S:.0f} s: {total:.2f} s")
    (run.OUT / "store_results.json").write_text(json.dumps(
        {t.name: {"wall_s": t.wall_s, "peak_rss_mib": t.peak_rss_mib, "ok": t.ok} for t in timings}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
