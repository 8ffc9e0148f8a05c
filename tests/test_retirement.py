"""Statutory retirement age (shared README section 11.3; compliance/retirement.py).

Expected values are worked by hand from the rulebook's formulas (months added by the birth month index
m, months since the table's start month): men (60, from 1965-01) and women (55, from 1970-01)
⌈(m + 1) / 4⌉ at most 36; women (50, from 1975-01) ⌊m / 2⌋ + 1 at most 60; before the start month 0.
Rows quoted from the 决定's annex tables (2024-09-13) are marked "annex".

Timing (this machine, 1,000,000 births 1940–2005, 1% NaT, datetime64[us]; mean of 5 calls): added_months
0.07–0.09 s, retirement_month 0.09 s, retirement_date 0.2 s, age_reached against a hire-date column 0.16 s
(test_a_million_rows_at_once runs one such call; its 5 s bound only catches a per-row loop).
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pandas as pd
import pytest
from conftest import gb11643

from compliance import ids
from compliance.retirement import (
    TABLES,
    added_months,
    age_reached,
    retirement_age_months,
    retirement_date,
    retirement_month,
)


def births(*values: str | None) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values), format="ISO8601"))


def iso(values: pd.Series) -> list[str | None]:
    return [None if pd.isna(v) else v.strftime("%Y-%m-%d") for v in values]


# (birth, months added, retirement age "years+months", retirement month)
MEN = [
    ("1950-01-01", 0, (60, 0), "2010-01-01"),   # before the start month
    ("1964-12-31", 0, (60, 0), "2024-12-01"),   # m = -1 → 0
    ("1965-01-01", 1, (60, 1), "2025-02-01"),   # m = 0 → ⌈1/4⌉ = 1 (annex: 1965.1–1965.4 → 60岁1个月, 2025.2–2025.5)
    ("1965-03-15", 1, (60, 1), "2025-04-01"),   # m = 2 → ⌈3/4⌉ = 1 → 60y1m → 2025-04
    ("1965-04-30", 1, (60, 1), "2025-05-01"),   # m = 3 → ⌈4/4⌉ = 1
    ("1965-05-01", 2, (60, 2), "2025-07-01"),   # m = 4 → ⌈5/4⌉ = 2 (annex: 1965.5–1965.8 → 60岁2个月, 2025.7–2025.10)
    ("1976-08-20", 35, (62, 11), "2039-07-01"),  # m = 11·12 + 7 = 139 → ⌈140/4⌉ = 35
    ("1976-09-01", 36, (63, 0), "2039-09-01"),  # m = 140 → ⌈141/4⌉ = 36 (annex: 1976.9 on → 63岁)
    ("1976-12-10", 36, (63, 0), "2039-12-01"),  # m = 143 → ⌈144/4⌉ = 36 → 63y → 2039-12
    ("1990-06-15", 36, (63, 0), "2053-06-01"),  # m = 305 → ⌈306/4⌉ = 77, capped at 36
]
WOMEN_55 = [
    ("1969-12-31", 0, (55, 0), "2024-12-01"),   # m = -1 → 0
    ("1970-01-01", 1, (55, 1), "2025-02-01"),   # m = 0 → 1 (annex: 1970.1–1970.4 → 55岁1个月, 2025.2–2025.5)
    ("1970-04-30", 1, (55, 1), "2025-05-01"),   # m = 3 → ⌈4/4⌉ = 1
    ("1970-05-01", 2, (55, 2), "2025-07-01"),   # m = 4 → ⌈5/4⌉ = 2
    ("1981-08-01", 35, (57, 11), "2039-07-01"),  # m = 139 → 35
    ("1981-09-01", 36, (58, 0), "2039-09-01"),  # m = 140 → 36 (annex: 1981.9 on → 58岁)
    ("1981-12-01", 36, (58, 0), "2039-12-01"),  # m = 11·12 + 11 = 143 → ⌈144/4⌉ = 36 → 58y
    ("2000-01-01", 36, (58, 0), "2058-01-01"),  # m = 360 → 91, capped at 36
]
WOMEN_50 = [
    ("1974-12-31", 0, (50, 0), "2024-12-01"),   # m = -1 → 0
    ("1975-01-01", 1, (50, 1), "2025-02-01"),  # m = 0 → ⌊0/2⌋ + 1 = 1 (annex: 1975.1–1975.2 → 50岁1个月, 2025.2–2025.3)
    ("1975-02-28", 1, (50, 1), "2025-03-01"),   # m = 1 → ⌊1/2⌋ + 1 = 1
    ("1975-03-01", 2, (50, 2), "2025-05-01"),  # m = 2 → ⌊2/2⌋ + 1 = 2 (annex: 1975.3–1975.4 → 50岁2个月, 2025.5–2025.6)
    ("1984-10-01", 59, (54, 11), "2039-09-01"),  # m = 9·12 + 9 = 117 → ⌊117/2⌋ + 1 = 59
    ("1984-11-01", 60, (55, 0), "2039-11-01"),  # m = 118 → 60 (annex: 1984.11 on → 55岁)
    ("1984-12-01", 60, (55, 0), "2039-12-01"),  # m = 119 → ⌊119/2⌋ + 1 = 60 → 55y
    ("1995-01-01", 60, (55, 0), "2050-01-01"),  # m = 240 → 121, capped at 60
]


@pytest.mark.parametrize(("table", "rows"), [("male_60", MEN), ("female_55", WOMEN_55), ("female_50", WOMEN_50)])
def test_the_rulebook_by_hand(table: str, rows: list) -> None:
    birth = births(*(r[0] for r in rows))
    assert added_months(birth, table).tolist() == [r[1] for r in rows]
    assert retirement_age_months(birth, table).tolist() == [y * 12 + m for _, _, (y, m), _ in rows]
    assert iso(retirement_month(birth, table)) == [r[3] for r in rows]
    assert added_months(birth, table).dtype == "Int64"


def annex_rows(start: str, every: int, cap: int) -> dict[pd.Period, int]:
    """The annex tables built the way they read: rows of ``every`` birth months, the k-th row adding k months,
    up to ``cap``; written independently of the closed formula."""
    first = pd.Period(start, "M")
    table = {}
    for k in range(1, cap + 1):
        for j in range(every):
            table[first + (k - 1) * every + j] = k
    return table


@pytest.mark.parametrize(("table", "every"), [("male_60", 4), ("female_55", 4), ("female_50", 2)])
def test_the_formula_matches_the_annex_for_every_birth_month(table: str, every: int) -> None:
    spec = TABLES[table]
    rows = annex_rows(spec.start, every, spec.cap)
    months = pd.period_range("1955-01", "2005-12", freq="M")
    birth = pd.Series(months.to_timestamp())
    expected = [rows.get(p, 0 if p < pd.Period(spec.start, "M") else spec.cap) for p in months]
    assert added_months(birth, table).tolist() == expected
    assert max(rows.values()) == spec.cap and len(rows) == every * spec.cap


def test_retirement_date_keeps_the_day_and_clips_to_the_month_end() -> None:
    birth = births("1965-03-15", "1965-01-31", "1976-12-31", "1970-01-31")
    # men: 1965-03-15 + 721 months; 1965-01-31 + 60y1m → 2025-02-31 does not exist → 2025-02-28 (民法典 Art. 202);
    # 1976-12-31 + 63y → 2039-12-31; 1970-01-31 (a man, m = 60 → ⌈61/4⌉ = 16) + 61y4m → 2031-05-31
    assert iso(retirement_date(birth, "male_60")) == ["2025-04-15", "2025-02-28", "2039-12-31", "2031-05-31"]
    # women 50 born 1972-02-29 (before the start): 50y → 2022-02-29 does not exist → 2022-02-28
    assert iso(retirement_date(births("1972-02-29"), "female_50")) == ["2022-02-28"]
    # women 55 born 1970-01-31: m = 0 → 55y1m → 2025-02-28
    assert iso(retirement_date(births("1970-01-31"), "female_55")) == ["2025-02-28"]


def test_age_reached_on_the_day_not_the_day_before() -> None:
    birth = births(*["1965-03-15"] * 4, *["1965-01-31"] * 2)
    hired = births("2025-04-14", "2025-04-15", "2025-04-15 23:59", "2025-04-16", "2025-02-27", "2025-02-28")
    assert age_reached(birth, hired, "male_60").tolist() == [False, True, True, True, False, True]
    # one date for every row
    assert age_reached(birth, pd.Timestamp("2025-04-15"), "male_60").tolist() == [True] * 6
    assert age_reached(birth, dt.date(2025, 2, 27), "male_60").tolist() == [False] * 6
    # women 50 born 1984-12-01 reach 55 on 2039-12-01
    assert age_reached(births("1984-12-01", "1984-12-01"), births("2039-11-30", "2039-12-01"),
                       "female_50").tolist() == [False, True]


def test_nat_births_and_dates() -> None:
    birth = births("1965-03-15", None)
    assert added_months(birth, "male_60").isna().tolist() == [False, True]
    assert retirement_age_months(birth, "male_60").isna().tolist() == [False, True]
    assert retirement_date(birth, "male_60").isna().tolist() == [False, True]
    assert retirement_month(birth, "female_50").isna().tolist() == [False, True]
    assert age_reached(birth, pd.Timestamp("2030-01-01"), "male_60").tolist() == [True, False]
    assert age_reached(birth, births(None, "2030-01-01"), "male_60").tolist() == [False, False]
    assert age_reached(birth, pd.NaT, "male_60").tolist() == [False, False]
    assert age_reached(birth, pd.NaT, "male_60").dtype == bool
    empty = pd.Series([], dtype="datetime64[ns]")
    assert added_months(empty, "male_60").tolist() == [] and age_reached(empty, empty, "male_60").tolist() == []


def test_index_units_and_types_of_the_input() -> None:
    index = pd.Index(["b", "a", "a"])
    birth = pd.Series(births("1965-03-15 10:30", "1964-06-01", "1976-12-10").to_numpy(), index=index)
    on = pd.Series(pd.to_datetime(["2025-04-15", "2024-05-31", "2039-12-10"]), index=[9, 8, 7])  # by position
    assert age_reached(birth, on, "male_60").tolist() == [True, False, True]
    assert list(age_reached(birth, on, "male_60").index) == ["b", "a", "a"]
    assert list(added_months(birth, "male_60").index) == ["b", "a", "a"]
    expected = ["2025-04-15", "2024-06-01", "2039-12-10"]  # a time of day before 1970 is dropped, not rounded
    for unit in ("s", "ms", "us", "ns"):
        assert iso(retirement_date(birth.astype(f"datetime64[{unit}]"), "male_60")) == expected
        assert retirement_date(birth.astype(f"datetime64[{unit}]"), "male_60").dtype == f"datetime64[{unit}]"
    as_dates = pd.Series([dt.date(1965, 3, 15), None, dt.date(1976, 12, 10)], dtype=object)
    assert added_months(as_dates, "male_60").tolist() == [1, pd.NA, 36]
    aware = birth.dt.tz_localize("Asia/Shanghai")
    assert iso(retirement_date(aware, "male_60")) == expected


def test_bad_arguments() -> None:
    birth = births("1965-03-15")
    with pytest.raises(ValueError, match="unknown retirement table"):
        added_months(birth, "female_60")
    with pytest.raises(ValueError, match="rows"):
        age_reached(birth, births("2025-01-01", "2025-01-02"), "male_60")


def test_birth_and_sex_from_resident_ids() -> None:
    """compliance.ids already reads birth date and sex off a resident ID: reuse it, men by the 60 table,
    women by the 55 table and the 50 table (README 11.3)."""
    numbers = pd.Series([gb11643("11010119650315001"),   # 1965-03-15, 17th digit 1 odd → M
                         gb11643("11010119700131002"),   # 1970-01-31, 2 even → F
                         gb11643("11010119841201004")])  # 1984-12-01, F
    found = ids.validate_column(numbers, today=dt.date(2025, 6, 1), dates_as_datetime=True)
    assert found["id_code"].isna().all() and found["sex"].tolist() == ["M", "F", "F"]
    birth, male = found["birth_date"], (found["sex"] == "M").to_numpy()
    hired = births("2025-04-15", "2025-02-27", "2034-12-01")
    over_60 = age_reached(birth, hired, "male_60")
    over_55 = age_reached(birth, hired, "female_55")
    over_50 = age_reached(birth, hired, "female_50")
    # man: 60y1m on 2025-04-15 → over-age on the hire date
    assert bool(over_60[0]) and male[0]
    # woman born 1970-01-31: 55y1m on 2025-02-28, hired 2025-02-27 → not yet; 50 table: 50y on 2020-01-31 → past it
    assert not over_55[1] and over_50[1]
    # woman born 1984-12-01: 55 table 58y → 2042-12-01; 50 table 55y → 2039-12-01; hired 2034-12-01 (50y) → neither
    assert not over_55[2] and not over_50[2]


def test_a_million_rows_at_once() -> None:
    """Vectorised: 1,000,000 births (1940–2005) and hire dates; the result agrees with the by-hand rows
    placed among them (timings in the module docstring)."""
    rng = np.random.default_rng(11)
    n = 1_000_000
    days = rng.integers(np.datetime64("1940-01-01").astype(int), np.datetime64("2005-12-31").astype(int), n)
    birth = pd.Series(days.astype("datetime64[D]").astype("datetime64[s]"))
    birth[::97] = pd.NaT
    hired = birth + pd.to_timedelta(rng.integers(16 * 365, 70 * 365, n), unit="D")
    placed = births(*(r[0] for r in MEN))
    at = np.arange(len(placed)) * 1000 + 1
    birth.iloc[at] = placed.to_numpy()
    start = time.perf_counter()
    reached = age_reached(birth, hired, "male_60")
    added = added_months(birth, "male_60")
    elapsed = time.perf_counter() - start
    assert elapsed < 5, elapsed
    assert len(reached) == n and reached[birth.isna()].eq(False).all()
    assert added.iloc[at].tolist() == [r[1] for r in MEN]
    expected = hired.dt.normalize() >= retirement_date(birth, "male_60")
    assert reached.equals(expected.fillna(False).astype(bool))
