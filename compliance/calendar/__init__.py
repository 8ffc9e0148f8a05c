"""China's working-day calendar and the Art. 58 registration deadline.

PRC Social Insurance Law Art. 58: registration within 30 days *from the date of employment*.
Civil Code Art. 201 and 203: the starting day is not counted, so the last day is
``hire_date + 30``; when that day is a rest day the period ends on the next working day.

A rest day is a Saturday or Sunday that is not an adjusted working day (调休上班), or a holiday
or substituted day off. Sources, in order of precedence for a year:

1. notice files ``<year>.toml`` in the folder named by ``SHEBAO_CALENDAR_DIR``, then in this
   package's folder (an operator adds next year's the day the State Council notice appears);
2. the ``chinese_calendar`` package, which records each year's State Council notice,
   adjusted working days included;
3. otherwise the year is **provisional**: weekends plus the statutory holidays of the national
   holiday regulations as the ``holidays`` package projects them. Such a deadline is flagged,
   never refused, so that the tool does not stop working on 1 January.

>>> deadline(dt.date(2025, 3, 5))          # 2025-04-04 is Qingming (Apr 4-6): next working day
Deadline(date=datetime.date(2025, 4, 7), provisional=False)
>>> deadline(dt.date(2025, 3, 5), calendar_days=True)
Deadline(date=datetime.date(2025, 4, 4), provisional=False)
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from pathlib import Path
from typing import NamedTuple

import chinese_calendar
import holidays
import numpy as np
import pandas as pd

from compliance import config
from compliance.errors import ShebaoError

REGISTRATION_DAYS = 30  # Art. 58: within 30 days from the date of employment
NOTICE_DIR = Path(__file__).parent
_MARGIN_DAYS = 40  # longer than any run of rest days (the longest is 9 days)


class NoticeFileError(ShebaoError, ValueError):
    """A holiday notice file is malformed."""


class Notice(NamedTuple):
    """One year's State Council holiday arrangement."""

    year: int
    source: str
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]


class Deadline(NamedTuple):
    date: dt.date
    provisional: bool


def _signature() -> tuple[tuple[str, int, int], ...]:
    """The notice files in force, with modification time and size: the key of every cache here.

    A file an operator adds, edits or removes while the dashboard runs changes the key, so the
    next deadline uses it without a restart.
    """
    extra = config.path("SHEBAO_CALENDAR_DIR")
    dirs = ((extra,) if extra else ()) + (NOTICE_DIR,)
    files = []
    for rank, folder in enumerate(dirs):
        for path in sorted(folder.glob("*.toml")):
            stat = path.stat()
            files.append((f"{rank}:{path}", stat.st_mtime_ns, stat.st_size))
    return tuple(files)


@functools.lru_cache(maxsize=8)
def _load_notices(signature: tuple[tuple[str, int, int], ...]) -> dict[int, Notice]:
    notices: dict[int, Notice] = {}
    for key, _mtime, _size in reversed(signature):  # earlier folders win
        path = Path(key.split(":", 1)[1])
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            notice = Notice(int(data["year"]), str(data.get("source", path.name)),
                            frozenset(data.get("holidays", [])), frozenset(data.get("workdays", [])))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise NoticeFileError(f"{path}: not a holiday notice file ({exc})") from exc
        wrong = [d for d in notice.holidays | notice.workdays if type(d) is not dt.date or d.year != notice.year]
        if wrong:
            raise NoticeFileError(f"{path}: dates outside {notice.year} or not dates: {wrong[:3]}")
        notices[notice.year] = notice
    return notices


def notices() -> dict[int, Notice]:
    """Notice files in force, by year (``SHEBAO_CALENDAR_DIR`` first, then the package's)."""
    return _load_notices(_signature())


def _library_years() -> range:
    years = sorted({d.year for d in chinese_calendar.constants.holidays})
    return range(years[0], years[-1] + 1)


def year_source(year: int) -> str:
    """Where the calendar of ``year`` comes from: 'notice', 'library' or 'provisional'."""
    if year in notices():
        return "notice"
    if year in _library_years():
        return "library"
    return "provisional"


@functools.lru_cache(maxsize=256)
def _year_days(year: int, signature: tuple[tuple[str, int, int], ...]) -> tuple[np.ndarray, bool]:
    """Working-day flags for every day of ``year`` and whether the year is provisional."""
    days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
    weekend = days.day_of_week >= 5
    dates = days.date
    source = year_source(year)
    if source == "notice":
        notice = notices()[year]
        rest = np.isin(dates, list(notice.holidays)) | (weekend & ~np.isin(dates, list(notice.workdays)))
    elif source == "library":
        off = [d for d in chinese_calendar.constants.holidays if d.year == year]
        on = [d for d in chinese_calendar.constants.workdays if d.year == year]
        rest = np.isin(dates, off) | (weekend & ~np.isin(dates, on))
    else:
        rest = weekend | np.isin(dates, list(holidays.China(years=year)))
    return ~rest, source == "provisional"


def _span(first: dt.date, last: dt.date) -> tuple[pd.Timestamp, np.ndarray, np.ndarray]:
    """Working-day and provisional flags for every day from ``first``'s year to ``last``'s."""
    key = _signature()
    work, prov = [], []
    for year in range(first.year, last.year + 1):
        w, p = _year_days(year, key)
        work.append(w)
        prov.append(np.full(len(w), p))
    return pd.Timestamp(first.year, 1, 1), np.concatenate(work), np.concatenate(prov)


def is_workday(day: dt.date) -> bool:
    """Whether ``day`` is a working day (adjusted working days included)."""
    start, work, _ = _span(day, day)
    return bool(work[(pd.Timestamp(day) - start).days])


def deadlines(hire: pd.Series, calendar_days: bool = False, days: int = REGISTRATION_DAYS) -> pd.DataFrame:
    """Registration deadlines of a column of hire dates (datetime64; NaT stays NaT): ``days`` after the
    date, rolled to the next working day (another period, such as the 15 days of a deregistration after
    the employment ends, Labour Contract Law Art. 50, is counted the same way).

    Returns ``deadline`` (datetime64) and ``deadline_provisional`` (bool), same index.
    Vectorised: the calendar is built once over the span of the dates and each deadline is a
    lookup in a "next working day on or after" table.
    """
    hire = pd.to_datetime(hire)
    candidate = hire + pd.Timedelta(days=days)
    out = pd.DataFrame({"deadline": candidate, "deadline_provisional": False}, index=hire.index)
    valid = candidate.notna()
    if calendar_days or not valid.any():
        return out
    first = candidate[valid].min().date()
    last = candidate[valid].max().date() + dt.timedelta(days=_MARGIN_DAYS)
    start, work, prov = _span(first, last)
    positions = np.arange(len(work))
    next_work = np.minimum.accumulate(np.where(work, positions, len(work))[::-1])[::-1]
    cand_idx = ((candidate[valid] - start).dt.days).to_numpy()
    dl_idx = next_work[cand_idx]
    out.loc[valid, "deadline"] = start + pd.to_timedelta(dl_idx, unit="D")
    out.loc[valid, "deadline_provisional"] = prov[cand_idx] | prov[dl_idx]
    return out


def deadline(hire_date: dt.date, calendar_days: bool = False) -> Deadline:
    """The registration deadline of one hire date."""
    row = deadlines(pd.Series([pd.Timestamp(hire_date)]), calendar_days=calendar_days).iloc[0]
    return Deadline(row["deadline"].date(), bool(row["deadline_provisional"]))


def add_working_days(start: dt.date, days: int) -> Deadline:
    """The ``days``-th working day after ``start``, the starting day not counted (Civil Code Art. 201):
    a period in working days (劳动保障监察条例 Art. 17: 60 working days from the opening of a case).
    Provisional when any day from ``start`` to it falls in a provisional year.

    >>> add_working_days(dt.date(2025, 9, 26), 5)   # Sun 09-28 is worked; Oct 1-8 is National Day
    Deadline(date=datetime.date(2025, 10, 10), provisional=False)
    """
    if days < 1:
        raise ValueError(f"a period of {days} working days")
    last = start + dt.timedelta(days=2 * days + _MARGIN_DAYS)  # at least 5 working days in 7, less holidays
    first, work, prov = _span(start, last)
    offset = (pd.Timestamp(start) - first).days
    end = offset + 1 + int(np.flatnonzero(work[offset + 1:])[days - 1])
    return Deadline((first + pd.Timedelta(days=end)).date(), bool(prov[offset:end + 1].any()))


def provisional_years(dates: pd.Series) -> list[int]:
    """The years among ``dates`` whose calendar is provisional (for warnings and banners)."""
    years = sorted({int(y) for y in pd.to_datetime(dates).dropna().dt.year.unique()})
    return [y for y in years if year_source(y) == "provisional"]
