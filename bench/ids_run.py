"""Time the vectorised ID validation (``compliance.ids.validate_column``) and, on a roster file,
``registration.normalise`` around it.

    python bench/ids_run.py                               # 1M generated numbers, best of 3
    python bench/ids_run.py --rows 200000 --dirty 0.3     # 30 % written with dashes or 15 digits
    python bench/ids_run.py --roster bench/out/roster_1m.csv   # the roster's id_number column, and normalise

Generated numbers are resident IDs of the region table's codes, births 1950-2006, about 1 % with a
wrong check character (as bench/run.py's rosters). Prints one JSON object: seconds per call (best
of ``--repeat``) and per million rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from compliance import ids

AS_OF = dt.date(2025, 11, 20)


def generated(rows: int, dirty: float, seed: int) -> pd.Series:
    """``rows`` ID numbers as a ``str`` column (what a CSV gives), a share ``dirty`` written with dashes
    or as 15 digits, without a Python loop over rows."""
    rng = np.random.default_rng(seed)
    regions = np.array([int(c) for c in ids.known_regions() if not c.endswith("00")])
    start = np.datetime64("1950-01-01")
    birth = start + rng.integers(0, int((np.datetime64("2006-12-31") - start).astype(int)), rows).astype(
        "timedelta64[D]")
    ymd = pd.DatetimeIndex(birth).strftime("%Y%m%d").to_numpy().astype(np.int64)
    first17 = regions[rng.integers(0, len(regions), rows)] * 10**11 + ymd * 1000 + rng.integers(0, 1000, rows)
    digits = first17[:, None] // 10 ** np.arange(16, -1, -1) % 10
    check = (digits @ ids.WEIGHTS) % 11
    check = np.where(rng.random(rows) < 0.01, (check + 1) % 11, check)
    chars = np.empty((rows, 18), dtype=np.uint8)
    chars[:, :17] = digits + ord("0")
    chars[:, 17] = np.frombuffer("".join(ids.CHECK_CHARS).encode(), dtype=np.uint8)[check]
    numbers = pd.Series(chars.view("S18").ravel().astype("U18"), dtype="str")
    if dirty:
        pick = rng.random(rows) < dirty
        fifteen = pick & (rng.random(rows) < 0.3) & (ymd < 20000000)
        dashed = pick & ~fifteen
        numbers[dashed] = numbers[dashed].str[:6] + "-" + numbers[dashed].str[6:14] + "-" + numbers[dashed].str[14:]
        numbers[fifteen] = numbers[fifteen].str[:6] + numbers[fifteen].str[8:17]
    return numbers


def best_of(repeat: int, run) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dirty", type=float, default=0.0, help="share written with dashes or as 15 digits")
    parser.add_argument("--roster", type=Path, help="take the id_number column of this roster, and time normalise")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20251120)
    args = parser.parse_args(argv)
    roster = None
    if args.roster:
        from compliance import rosters

        roster = rosters.read_roster(args.roster)[0]
        numbers = roster.frame["id_number"]
    else:
        numbers = generated(args.rows, args.dirty, args.seed)
    ids.validate_column(numbers.iloc[:1000], today=AS_OF)  # tables built outside the timing
    seconds = best_of(args.repeat, lambda: ids.validate_column(numbers, today=AS_OF, dates_as_datetime=True))
    result = {"rows": len(numbers), "dirty": args.dirty if roster is None else None, "repeat": args.repeat,
              "validate_column_s": round(seconds, 3),
              "validate_column_s_per_million": round(seconds * 1e6 / max(len(numbers), 1), 3)}
    if roster is not None:
        from compliance import registration

        normalise = best_of(args.repeat, lambda: registration.normalise(roster, AS_OF))
        result |= {"normalise_s": round(normalise, 3),
                   "normalise_s_per_million": round(normalise * 1e6 / max(len(numbers), 1), 3)}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
