"""Every shipped parameter period priced by hand (docs/params-sources.md).

For each city and period: one employee with a declared wage and one without, hired on the first of
one month of the period, worksheet as of the 20th of the next month (one contribution month, due the
15th of the next month, 5 days late). The expected figures below are computed by hand from the
PUBLISHED figures (bases and rates as the sources give them, docs/params-sources.md), not read from
the parameter files: base = wage clamped to [floor, cap] (no wage: the floor); each amount =
base x rate rounded half up to the fen, plus the fixed yuan; late fee = total x 0.05% x days.
"""

from __future__ import annotations

import datetime as dt
import itertools
import sys
from pathlib import Path

import pandas as pd
import pytest

# `.venv/bin/pytest` (unlike `python -m pytest`) does not put the repository root on sys.path and the
# package is not installed in the venv: make this module importable either way.
ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
from compliance.premiums import load_params, worksheet  # noqa: E402

TYPES = ("pension", "medical", "unemployment", "work_injury")
EMP = "91310000MA1K000001"

# (city, month, wage, expected for the declared wage, expected with no wage declared)
# expected = (base, {type: (employer, employee)}, employer total, employee total, total, late fee)
CASES = [
    # --- Shanghai 2024-07..2024-12: bases 7384/36921; pension 16/8, medical 9/2, unemployment 0.5/0.5,
    # work injury class I 0.16%. Wage 50,000 > cap -> 36,921:
    #   pension 36921x16% = 5907.36 / x8% = 2953.68; medical x9% = 3322.89 / x2% = 738.42;
    #   unemployment x0.5% = 184.605 -> 184.61 each; injury x0.16% = 59.0736 -> 59.07.
    #   employer 5907.36+3322.89+184.61+59.07 = 9473.93; employee 2953.68+738.42+184.61 = 3876.71;
    #   total 13350.64; late fee 13350.64 x 0.0005 x 5 = 33.3766 -> 33.38.
    # No wage -> 7384: 1181.44/590.72; 664.56/147.68; 36.92/36.92; 7384x0.16% = 11.8144 -> 11.81.
    #   employer 1894.73; employee 775.32; total 2670.05; fee 6.675125 -> 6.68.
    ("shanghai", "2024-09", 50000,
     (36921, {"pension": (5907.36, 2953.68), "medical": (3322.89, 738.42), "unemployment": (184.61, 184.61),
              "work_injury": (59.07, 0)}, 9473.93, 3876.71, 13350.64, 33.38),
     (7384, {"pension": (1181.44, 590.72), "medical": (664.56, 147.68), "unemployment": (36.92, 36.92),
             "work_injury": (11.81, 0)}, 1894.73, 775.32, 2670.05, 6.68)),
    # --- Shanghai 2025-01..2025-06: same bases; work injury class I 0.2% from 2025-01-01.
    # Wage 12,000 inside: 1920/960; 1080/240; 60/60; 24. employer 3084; employee 1260; total 4344; fee 10.86.
    # No wage 7384: as above but injury 7384x0.2% = 14.768 -> 14.77; employer 1897.69; employee 775.32;
    #   total 2673.01; fee 6.682525 -> 6.68.
    ("shanghai", "2025-03", 12000,
     (12000, {"pension": (1920, 960), "medical": (1080, 240), "unemployment": (60, 60), "work_injury": (24, 0)},
      3084, 1260, 4344, 10.86),
     (7384, {"pension": (1181.44, 590.72), "medical": (664.56, 147.68), "unemployment": (36.92, 36.92),
             "work_injury": (14.77, 0)}, 1897.69, 775.32, 2673.01, 6.68)),
    # --- Shanghai 2025-07..2025-12: bases 7460/37302. Wage 6,000 < floor -> 7460 (and no wage -> 7460):
    #   7460x16% = 1193.60 / x8% = 596.80; x9% = 671.40 / x2% = 149.20; x0.5% = 37.30 each; x0.2% = 14.92.
    #   employer 1917.22; employee 783.30; total 2700.52; fee 6.7513 -> 6.75.
    ("shanghai", "2025-09", 6000,
     (7460, {"pension": (1193.60, 596.80), "medical": (671.40, 149.20), "unemployment": (37.30, 37.30),
             "work_injury": (14.92, 0)}, 1917.22, 783.30, 2700.52, 6.75),
     (7460, {"pension": (1193.60, 596.80), "medical": (671.40, 149.20), "unemployment": (37.30, 37.30),
             "work_injury": (14.92, 0)}, 1917.22, 783.30, 2700.52, 6.75)),
    # --- Shanghai 2026-01..2026-06: same bases (unemployment employer 0.5% unconfirmed for 2026).
    # Wage 40,000 > cap -> 37302: 5968.32/2984.16; 3357.18/746.04; 186.51 each; 74.604 -> 74.60.
    #   employer 9586.61; employee 3916.71; total 13503.32; fee 33.7583 -> 33.76. No wage: as 2025-09.
    ("shanghai", "2026-02", 40000,
     (37302, {"pension": (5968.32, 2984.16), "medical": (3357.18, 746.04), "unemployment": (186.51, 186.51),
              "work_injury": (74.60, 0)}, 9586.61, 3916.71, 13503.32, 33.76),
     (7460, {"pension": (1193.60, 596.80), "medical": (671.40, 149.20), "unemployment": (37.30, 37.30),
             "work_injury": (14.92, 0)}, 1917.22, 783.30, 2700.52, 6.75)),
    # --- Shanghai 2026-07..2027-02: bases 7546/37731. Wage 15,000 inside: 2400/1200; 1350/300; 75/75; 30.
    #   employer 3855; employee 1575; total 5430; fee 13.575 -> 13.58.
    # No wage 7546: 1207.36/603.68; 679.14/150.92; 37.73 each; 15.092 -> 15.09. employer 1939.32;
    #   employee 792.33; total 2731.65; fee 6.829125 -> 6.83.
    ("shanghai", "2026-08", 15000,
     (15000, {"pension": (2400, 1200), "medical": (1350, 300), "unemployment": (75, 75), "work_injury": (30, 0)},
      3855, 1575, 5430, 13.58),
     (7546, {"pension": (1207.36, 603.68), "medical": (679.14, 150.92), "unemployment": (37.73, 37.73),
             "work_injury": (15.09, 0)}, 1939.32, 792.33, 2731.65, 6.83)),
    # --- Beijing 2024-07..2025-06: bases 6821/35283; pension 16/8, medical 9.8/2 + 3 yuan, unemployment
    # 0.5/0.5, work injury class I 0.2%. Wage 8,000 inside: 1280/640; 8000x9.8% = 784 / 160+3 = 163; 40/40; 16.
    #   employer 2120; employee 843; total 2963; fee 7.4075 -> 7.41.
    # No wage 6821: 1091.36/545.68; 668.458 -> 668.46 / 136.42+3 = 139.42; 34.105 -> 34.11 each; 13.642 -> 13.64.
    #   employer 1807.57; employee 719.21; total 2526.78; fee 6.31695 -> 6.32.
    ("beijing", "2024-10", 8000,
     (8000, {"pension": (1280, 640), "medical": (784, 163), "unemployment": (40, 40), "work_injury": (16, 0)},
      2120, 843, 2963, 7.41),
     (6821, {"pension": (1091.36, 545.68), "medical": (668.46, 139.42), "unemployment": (34.11, 34.11),
             "work_injury": (13.64, 0)}, 1807.57, 719.21, 2526.78, 6.32)),
    # --- Beijing 2025-07..2026-06: bases 7162/35811. Wage 5,000 < floor -> 7162 (and no wage -> 7162):
    #   1145.92/572.96; 7162x9.8% = 701.876 -> 701.88 / 143.24+3 = 146.24; 35.81 each; 14.324 -> 14.32.
    #   employer 1897.93; employee 755.01 (the published "个人月缴755.01元"); total 2652.94; fee 6.63235 -> 6.63.
    ("beijing", "2025-12", 5000,
     (7162, {"pension": (1145.92, 572.96), "medical": (701.88, 146.24), "unemployment": (35.81, 35.81),
             "work_injury": (14.32, 0)}, 1897.93, 755.01, 2652.94, 6.63),
     (7162, {"pension": (1145.92, 572.96), "medical": (701.88, 146.24), "unemployment": (35.81, 35.81),
             "work_injury": (14.32, 0)}, 1897.93, 755.01, 2652.94, 6.63)),
    # --- Beijing 2026-07..2027-06: bases 7270/36348. Wage 50,000 > cap -> 36348: 5815.68/2907.84;
    #   36348x9.8% = 3562.104 -> 3562.10 / 726.96+3 = 729.96; 181.74 each; 72.696 -> 72.70.
    #   employer 9632.22 (the published 9704.92 uses a 0.4% injury rate: +72.70); employee 3819.54 (published);
    #   total 13451.76; fee 33.6294 -> 33.63.
    # No wage 7270: 1163.20/581.60; 712.46/145.40+3 = 148.40; 36.35 each; 14.54. employer 1926.55 (published
    #   1941.09 at 0.4% injury: +14.54); employee 766.35 (published); total 2692.90; fee 6.73225 -> 6.73.
    ("beijing", "2026-09", 50000,
     (36348, {"pension": (5815.68, 2907.84), "medical": (3562.10, 729.96), "unemployment": (181.74, 181.74),
              "work_injury": (72.70, 0)}, 9632.22, 3819.54, 13451.76, 33.63),
     (7270, {"pension": (1163.20, 581.60), "medical": (712.46, 148.40), "unemployment": (36.35, 36.35),
             "work_injury": (14.54, 0)}, 1926.55, 766.35, 2692.90, 6.73)),
    # --- Guangzhou 2024-07..2025-06: pension bounds 5500/27501 (wage kept inside the medical and pension
    # ranges, see guangzhou.toml); pension 16/8, medical 6/2, unemployment 0.8/0.2, injury 0.2% (employer
    # rates unconfirmed). Wage 10,000: 1600/800; 600/200; 80/20; 20. employer 2300; employee 1020;
    #   total 3320; fee 8.30.
    # No wage 5500: 880/440; 330/110; 44/11; 11. employer 1265; employee 561; total 1826; fee 4.565 -> 4.57.
    ("guangzhou", "2024-08", 10000,
     (10000, {"pension": (1600, 800), "medical": (600, 200), "unemployment": (80, 20), "work_injury": (20, 0)},
      2300, 1020, 3320, 8.30),
     (5500, {"pension": (880, 440), "medical": (330, 110), "unemployment": (44, 11), "work_injury": (11, 0)},
      1265, 561, 1826, 4.57)),
    # --- Guangzhou 2025-07..2026-06: 5510/27549. Wage 20,000: 3200/1600; 1200/400; 160/40; 40.
    #   employer 4600; employee 2040; total 6640; fee 16.60.
    # No wage 5510: 881.60/440.80; 330.60/110.20; 44.08/11.02; 11.02. employer 1267.30; employee 562.02;
    #   total 1829.32; fee 4.5733 -> 4.57.
    ("guangzhou", "2025-10", 20000,
     (20000, {"pension": (3200, 1600), "medical": (1200, 400), "unemployment": (160, 40), "work_injury": (40, 0)},
      4600, 2040, 6640, 16.60),
     (5510, {"pension": (881.60, 440.80), "medical": (330.60, 110.20), "unemployment": (44.08, 11.02),
             "work_injury": (11.02, 0)}, 1267.30, 562.02, 1829.32, 4.57)),
    # --- Guangzhou 2026-07..2026-11 (provisional, 2025 bounds carried over): wage 8,000: 1280/640; 480/160;
    #   64/16; 16. employer 1840; employee 816; total 2656; fee 6.64. No wage 5510: as 2025-10.
    ("guangzhou", "2026-10", 8000,
     (8000, {"pension": (1280, 640), "medical": (480, 160), "unemployment": (64, 16), "work_injury": (16, 0)},
      1840, 816, 2656, 6.64),
     (5510, {"pension": (881.60, 440.80), "medical": (330.60, 110.20), "unemployment": (44.08, 11.02),
             "work_injury": (11.02, 0)}, 1267.30, 562.02, 1829.32, 4.57)),
]


def _one_month(month: str, wage: float) -> tuple[pd.DataFrame, dt.date, dt.date]:
    start = pd.Period(month, "M")
    nxt = start + 1
    overdue = pd.DataFrame({
        "employer_id": [EMP, EMP],
        "ssn": ["110101199001011234", "110101199001015678"],
        "name": ["有工资", "无工资"],
        "hire_date": pd.to_datetime([start.to_timestamp(), start.to_timestamp()]),
        "wage": [wage, None],
    })
    return overdue, dt.date(nxt.year, nxt.month, 20), dt.date(nxt.year, nxt.month, 15)


@pytest.mark.parametrize(("city", "month", "wage", "declared", "undeclared"), CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_one_month_priced_by_hand(city: str, month: str, wage: float, declared: tuple, undeclared: tuple) -> None:
    overdue, as_of, due = _one_month(month, wage)
    sheet = worksheet(overdue, as_of, load_params(city)).set_index("name")
    assert sorted(sheet["month"]) == [month, month]  # one contribution month each
    for name, (base, amounts, employer, employee, total, fee) in (("有工资", declared), ("无工资", undeclared)):
        row = sheet.loc[name]
        assert row["base"] == pytest.approx(base, abs=1e-9), (city, month, name)
        for t in TYPES:
            got = (row[f"{t}_employer"], row[f"{t}_employee"])
            assert got == pytest.approx(amounts[t], abs=1e-9), (city, month, name, t)
        assert (row["employer_amount"], row["employee_amount"], row["total"]) == pytest.approx(
            (employer, employee, total), abs=1e-9), (city, month, name)
        assert row["due_date"] == pd.Timestamp(due)
        assert row["days_late"] == 5
        assert row["late_fee"] == pytest.approx(fee, abs=1e-9), (city, month, name)


@pytest.mark.parametrize("city", ["shanghai", "beijing", "guangzhou"])
def test_periods_cover_2024_07_on_without_gaps_or_overlaps(city: str) -> None:
    periods = load_params(city).periods
    assert periods[0].start == pd.Period("2024-07", "M")
    for p in periods:
        assert p.start <= p.end, p.months
    for before, after in itertools.pairwise(periods):
        assert after.start == before.end + 1, f"{city}: {before.months} then {after.months}"


@pytest.mark.parametrize("city", ["shanghai", "beijing", "guangzhou"])
def test_every_period_is_sourced_typed_alike_and_names_what_it_could_not_confirm(city: str) -> None:
    params = load_params(city)
    fields = {"average_wage", "base_floor", "base_cap", "default_base", "due_day"}
    for p in params.periods:
        assert p.source.strip() and p.late_fee_from == "day_after_due"
        assert tuple(p.rates) == TYPES, p.months  # the same insurance types in every period
        assert p.default_base == p.base_floor  # the documented basis (file header)
        for u in p.unconfirmed:  # each unconfirmed entry names a real figure of the period
            if u.startswith("rates."):
                _, t, side = u.split(".")
                assert side in p.rates[t], (p.months, u)
            else:
                assert u in fields, (p.months, u)


def test_every_period_has_a_priced_case() -> None:
    """The CASES above price one month of every period (a new period needs a new hand-priced case)."""
    covered = {(c[0], p.months) for c in CASES for p in load_params(c[0]).periods
               if p.start <= pd.Period(c[1], "M") <= p.end}
    every = {(city, p.months) for city in ("shanghai", "beijing", "guangzhou") for p in load_params(city).periods}
    assert covered == every
