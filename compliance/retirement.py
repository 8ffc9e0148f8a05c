"""Statutory retirement age after the 2025 reform (shared README section 11.3), vectorised.

Source: 全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定 (2024-09-13, in force
2025-01-01), which adopts 国务院关于渐进式延迟法定退休年龄的办法: its Art. 1 and annex tables 1–3
(延迟法定退休年龄对照表 of 男职工; 原法定退休年龄五十五周岁的女职工; 原法定退休年龄五十周岁的女职工).
Months added to the original age, by the birth month index ``m`` (months since the table's start
month, 0 for that month):

=============  ========  ==========  ==================  =====
table          original  start       added months        cap
=============  ========  ==========  ==================  =====
``male_60``    60 years  1965-01     ⌈(m + 1) / 4⌉       36
``female_55``  55 years  1970-01     ⌈(m + 1) / 4⌉       36
``female_50``  50 years  1975-01     ⌊m / 2⌋ + 1         60
=============  ========  ==========  ==================  =====

Born before the start month: 0. These formulas reproduce the annex tables row by row (men born
1965-01..04 → 60岁1个月, 1976-09 on → 63岁; women-50 born 1975-01..02 → 50岁1个月, 1984-11 on → 55岁).

Day semantics. The retirement age is ``A`` months in all (original years × 12 + added months). A
person reaches it on ``birth + A`` calendar months: the same day of the month, or the last day of
the target month when it has no such day (民法典 Art. 202: no corresponding day → the month's last
day; born 1965-01-31, 60 years 1 month → 2025-02-28). :func:`retirement_month` is that date's month
(first day), the annex's 改革后退休时间 column. :func:`age_reached` is "at or above the age on a date":
``on_date >= birth + A months``, compared by day (a time of day is ignored), so the birthday itself
counts. A missing birth date (NaT) gives NA / NaT, and ``False`` from :func:`age_reached`.

Used for over-age workers: 劳动合同法 Art. 44(2) (the contract ends on drawing a basic pension) and,
from 2026-07-01, 超龄劳动者基本权益保障暂行规定 (人社部等五部门令第56号).

>>> birth = pd.Series(pd.to_datetime(["1964-12-10", "1965-03-15", "1976-12-01", None]))
>>> added_months(birth, "male_60").tolist()
[0, 1, 36, <NA>]
>>> retirement_date(birth, "male_60").dt.strftime("%Y-%m-%d").tolist()
['2024-12-10', '2025-04-15', '2039-12-01', nan]
>>> age_reached(birth, pd.Timestamp("2025-04-15"), "male_60").tolist()
[True, True, False, False]
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd

_NAT = np.datetime64("NaT")


@dataclasses.dataclass(frozen=True)
class Table:
    """One annex table of the 决定: the original age, the first birth month delayed, the cap."""

    original_years: int
    start: str  # first birth month (YYYY-MM) whose age is delayed
    every: int  # one month more per this many birth months (4, or 2 for women of original age 50)
    cap: int    # most months added

    def start_index(self) -> int:
        """The start month as months since 1970-01 (NumPy's datetime64[M] epoch)."""
        return int(np.datetime64(self.start, "M").astype(np.int64))


TABLES: dict[str, Table] = {
    "male_60": Table(60, "1965-01", 4, 36),    # annex 1: to 63
    "female_55": Table(55, "1970-01", 4, 36),  # annex 2: to 58
    "female_50": Table(50, "1975-01", 2, 60),  # annex 3: to 55
}


def _table(table: str) -> Table:
    try:
        return TABLES[table]
    except KeyError:
        raise ValueError(f"unknown retirement table {table!r}; expected one of {sorted(TABLES)}") from None


def _days(values: pd.Series) -> np.ndarray:
    """A column of dates as datetime64[D] (NaT kept; time of day dropped; an aware column in its wall time)."""
    if not pd.api.types.is_datetime64_any_dtype(values.dtype):
        values = pd.to_datetime(values)  # e.g. a column of datetime.date objects
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)
    return values.to_numpy().astype("datetime64[D]")  # NumPy floors, also before 1970


def _unit(birth: pd.Series) -> str:
    """The result's unit: the birth column's (``s`` when it is not datetime64, e.g. ``datetime.date`` objects)."""
    dtype = birth.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        return dtype.unit
    return np.datetime_data(dtype)[0] if dtype.kind == "M" else "s"


def _added(months: np.ndarray, table: str) -> np.ndarray:
    """Months added by the birth month (months since 1970-01, int64), as the rulebook writes the formula."""
    spec = _table(table)
    m = months - spec.start_index()
    # ⌊m / 2⌋ + 1 (women, original 50); ⌈(m + 1) / 4⌉ in integers (equal to ⌊m / 4⌋ + 1 for m ≥ 0)
    added = m // 2 + 1 if spec.every == 2 else -(-(m + 1) // spec.every)
    return np.where(m < 0, 0, np.minimum(added, spec.cap))


def _birth_months(birth: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Birth days (datetime64[D]), birth months (datetime64[M]) and where the birth date is known."""
    days = _days(birth)
    return days, days.astype("datetime64[M]"), ~np.isnat(days)


def _age_months(months: np.ndarray, known: np.ndarray, table: str) -> np.ndarray:
    """Retirement age in months (int64; 0 where the birth is unknown, masked by the callers)."""
    index = np.where(known, months.astype(np.int64), 0)
    return _table(table).original_years * 12 + _added(index, table)


def added_months(birth: pd.Series, table: str) -> pd.Series:
    """Months the 决定 (annex tables 1–3) adds to the original retirement age; ``Int64``, NA for NaT."""
    _, months, known = _birth_months(birth)
    added = _added(np.where(known, months.astype(np.int64), 0), table)
    return pd.Series(pd.arrays.IntegerArray(added.astype(np.int64), ~known), index=birth.index)


def retirement_age_months(birth: pd.Series, table: str) -> pd.Series:
    """The reformed statutory retirement age in months (original years × 12 + added); ``Int64``, NA for NaT."""
    _, months, known = _birth_months(birth)
    age = _age_months(months, known, table)
    return pd.Series(pd.arrays.IntegerArray(age.astype(np.int64), ~known), index=birth.index)


def _reached(birth: pd.Series, table: str, day: bool = True) -> np.ndarray:
    """``birth + A`` calendar months as datetime64[D], clipped to the month's end (民法典 Art. 202); with
    ``day=False`` only its month (datetime64[M]). NaT where the birth is unknown."""
    days, months, known = _birth_months(birth)
    target = months + _age_months(months, known, table).astype("timedelta64[M]")
    if not day:
        return np.where(known, target, np.datetime64("NaT", "M"))
    first = target.astype("datetime64[D]")
    length = (target + np.timedelta64(1, "M")).astype("datetime64[D]") - first
    offset = np.minimum(days - months.astype("datetime64[D]"), length - np.timedelta64(1, "D"))
    return np.where(known, first + offset, _NAT)


def retirement_date(birth: pd.Series, table: str) -> pd.Series:
    """The day the reformed statutory age is reached (决定, annex tables): ``birth + A`` months, NaT for NaT."""
    return pd.Series(_reached(birth, table).astype(f"datetime64[{_unit(birth)}]"), index=birth.index)


def retirement_month(birth: pd.Series, table: str) -> pd.Series:
    """First day of the month the age is reached: the annex tables' 改革后退休时间; NaT for NaT."""
    return pd.Series(_reached(birth, table, day=False).astype(f"datetime64[{_unit(birth)}]"), index=birth.index)


def age_reached(birth: pd.Series, on_date: pd.Series | pd.Timestamp | dt.date | str, table: str) -> pd.Series:
    """True where the person is at or above the reformed statutory age on ``on_date`` (e.g. the hire date):
    ``on_date >= birth + A months``, by day. ``False`` where the birth or the date is missing.

    ``on_date`` is one date for every row or a column of the same length as ``birth``, matched by
    position (the result carries ``birth``'s index).
    """
    reached = _reached(birth, table)
    if isinstance(on_date, pd.Series):
        if len(on_date) != len(birth):
            raise ValueError(f"on_date has {len(on_date)} rows, birth {len(birth)}")
        on = _days(on_date)
    else:
        stamp = pd.Timestamp(on_date)
        on = _NAT if pd.isna(stamp) else np.datetime64(stamp.tz_localize(None) if stamp.tz else stamp, "D")
    return pd.Series(on >= reached, index=birth.index, dtype=bool)  # NaT on either side compares False
