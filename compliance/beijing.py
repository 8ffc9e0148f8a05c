"""Beijing time on screen and in the command line; UTC in the store (issue 24, item 7).

Every stored timestamp is naive UTC (``compliance.dates.now_utc``). What a person reads is Beijing time
(``Asia/Shanghai``, UTC+8 all year: China has kept no daylight saving time since 1991), labelled as such,
so that 2026-12-01T23:30 UTC reads ``2026-12-02 07:30（北京时间）``: the day changes before 08:00.
A date range a person picks (the audit log's filter) is a range of Beijing days, turned into UTC bounds here.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from compliance.i18n import t

try:
    BEIJING: dt.tzinfo = ZoneInfo("Asia/Shanghai")
except ZoneInfoNotFoundError:  # no tz database on the host (a slim image without tzdata): the same offset
    BEIJING = dt.timezone(dt.timedelta(hours=8), "CST")


def to_beijing(at: dt.datetime) -> dt.datetime:
    """``at`` (naive UTC as stored, or aware) in Beijing time, naive."""
    aware = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at
    return aware.astimezone(BEIJING).replace(tzinfo=None)


def beijing_text(at: dt.datetime | str | None, language: str = "zh", seconds: bool = False) -> str:
    """``2026-12-02 07:30（北京时间）`` (``language`` "en": ``2026-12-02 07:30 (Beijing time)``) for a stored
    UTC time or its ISO text; empty for none."""
    if at is None or at == "":
        return ""
    if isinstance(at, str):
        at = dt.datetime.fromisoformat(at)
    return to_beijing(at).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") + t("time.beijing", language)


def utc_bounds(first: dt.date | None, last: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The naive UTC instants that bound the Beijing days ``first`` to ``last`` (both included): from
    ``first`` 00:00 Beijing time, up to but excluding the day after ``last``, 00:00 Beijing time."""

    def start_of(day: dt.date) -> dt.datetime:
        local = dt.datetime.combine(day, dt.time(), tzinfo=BEIJING)
        return local.astimezone(dt.UTC).replace(tzinfo=None)

    return (start_of(first) if first else None), (start_of(last + dt.timedelta(days=1)) if last else None)


def today() -> dt.date:
    """Today in Beijing."""
    return dt.datetime.now(BEIJING).date()
