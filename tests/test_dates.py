"""Reading the dates people type into rosters (shared README section 5).

Expected dates are worked out by hand. The Excel serial 45721: serial 1 is 1900-01-01 and Excel
counts a phantom 1900-02-29, so serials from 61 on count days from 1899-12-30:
1899-12-30 -> 1900-01-01 is 2 days; 1900-01-01 -> 2025-01-01 is 125 years with 31 leap days
(1904, 1908, ..., 2024; 1900 is not one) = 125 * 365 + 31 = 45656 days; 2025-01-01 -> 2025-03-05
is 31 + 28 + 4 = 63 days. 2 + 45656 + 63 = 45721.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.dates import iso_dates, now_utc, parse_dates, unreadable_dates

MARCH_5 = pd.Timestamp("2025-03-05")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def parse_one(value: object) -> pd.Timestamp:
    return parse_dates(pd.Series([value], dtype=object)).iloc[0]


def unreadable_one(value: object) -> bool:
    return bool(unreadable_dates(pd.Series([value], dtype=object)).iloc[0])


@pytest.mark.parametrize("text", [
    "2025-03-05", "2025-3-5", "2025/3/5", "2025/03/05", "2025.3.5", "2025.03.05", "20250305",
    "2025年3月5日", "2025年03月05日", "2025 年 3 月 5 日", " 2025-03-05 ", "2025-03-05\u3000",
])
def test_text_forms_of_section_5(text: str) -> None:
    assert parse_one(text) == MARCH_5
    assert not unreadable_one(text)


@pytest.mark.parametrize("text", ["2025年3月5日", "2025-03-05", "20250305", "2025/3/5", "2025.3.5"])
def test_full_width_digits(text: str) -> None:
    wide = text.translate(FULL_WIDTH)
    assert wide != text
    assert parse_one(wide) == MARCH_5


def test_full_width_separators() -> None:
    assert parse_one("２０２５－０３－０５") == MARCH_5  # full-width hyphen-minus U+FF0D
    assert parse_one("２０２５／３／５") == MARCH_5  # full-width solidus U+FF0F


@pytest.mark.parametrize("text", [
    "2025-03-05 08:30", "2025-03-05 08:30:15", "2025-03-05T08:30:00", "2025/3/5 8:30", "2025年3月5日 08:30",
    "2025-03-05 23:59:59.5",
])
def test_text_with_a_time_of_day_keeps_the_day(text: str) -> None:
    assert parse_one(text) == MARCH_5


@pytest.mark.parametrize("cell", [
    dt.date(2025, 3, 5), dt.datetime(2025, 3, 5), dt.datetime(2025, 3, 5, 14, 30), dt.datetime(2025, 3, 5, 23, 59, 59),
    pd.Timestamp("2025-03-05 10:00"), np.datetime64("2025-03-05"),
], ids=["date", "datetime-midnight", "datetime-afternoon", "datetime-last-second", "timestamp", "datetime64"])
def test_excel_date_cells_lose_their_time_of_day(cell: object) -> None:
    assert parse_one(cell) == MARCH_5


@pytest.mark.parametrize("serial", [45721, 45721.0, np.int64(45721), np.float64(45721), "45721", " 45721 ",
                                    "45721.0", "４５７２１"],
                         ids=["int", "float", "np.int64", "np.float64", "text", "text-spaced", "text-.0",
                              "text-full-width"])
def test_excel_serial_numbers(serial: object) -> None:
    assert parse_one(serial) == MARCH_5


@pytest.mark.parametrize(("serial", "expected"), [
    (45658, "2025-01-01"),  # 45721 - 63 (Jan 31 + Feb 28 + 4)
    (45717, "2025-03-01"),  # 45721 - 4
    (45747, "2025-03-31"),  # 45721 + 26
    (45658 + 365, "2026-01-01"),
    (10000, "1927-05-18"),  # the first serial read as a date: 1899-12-30 + 10,000 days
])
def test_serial_arithmetic(serial: int, expected: str) -> None:
    assert parse_one(serial) == pd.Timestamp(expected)


@pytest.mark.parametrize("serial", [1, 59, 61, 2025, 9999, "9999"])
def test_small_numbers_are_not_dates(serial: object) -> None:
    # Below 10,000 (1927-05-18) a number in a date column is a year typed alone or a typo, and
    # Excel's phantom 1900-02-29 makes serials below 61 ambiguous: unreadable, never guessed.
    assert pd.isna(parse_one(serial))
    assert unreadable_one(serial)


@pytest.mark.parametrize("serial", [45721.5, "45721.5", 45721.375], ids=["noon", "noon-text", "09:00"])
def test_serial_with_a_time_part(serial: object) -> None:
    assert parse_one(serial) == MARCH_5


@pytest.mark.parametrize("text", [
    "2025-02-30", "20250230", "2025年2月30日", "2025/2/29", "2025-13-01", "2025-00-10", "2025-04-31", "2025.4.0",
])
def test_impossible_dates_are_unreadable(text: str) -> None:
    assert pd.isna(parse_one(text))
    assert unreadable_one(text)


def test_leap_day_exists_in_2024_only() -> None:
    assert parse_one("2024-02-29") == pd.Timestamp("2024-02-29")
    assert unreadable_one("2025-02-29")


@pytest.mark.parametrize("junk", ["待定", "abc", "N/A", "2025-03", "3/5/2025", "05.03.2025", "45721abc",
                                  "2025-03-05 8:30 PM x", "-", "0", 0, -45721, True, "1899-12-31", "2101-01-01"])
def test_junk_is_unreadable(junk: object) -> None:
    assert pd.isna(parse_one(junk))
    assert unreadable_one(junk)


def test_a_bare_year_is_not_a_serial() -> None:
    assert pd.isna(parse_one("2025"))
    assert unreadable_one("2025")


@pytest.mark.parametrize("blank", ["", "   ", "\u3000", "\t", None, np.nan, pd.NA, pd.NaT])
def test_blank_is_missing_not_unreadable(blank: object) -> None:
    assert pd.isna(parse_one(blank))
    assert not unreadable_one(blank)


@pytest.mark.parametrize("cell", ["9999-12-31", "99991231", "1600-01-01", dt.date(9999, 12, 31),
                                  dt.datetime(1600, 1, 1)])
def test_dates_beyond_the_timestamp_range_are_unreadable(cell: object) -> None:
    values = pd.Series(["2025-03-05", cell], dtype=object)
    assert parse_dates(values).tolist()[0] == MARCH_5
    assert unreadable_dates(values).tolist() == [False, True]


def test_repeated_values_map_back_to_their_rows() -> None:
    values = pd.Series(["2025-03-05", "", "2025/3/6", "2025-03-05", None, "2025/3/6", "x", 45721],
                       index=[10, 11, 12, 13, 14, 15, 16, 17], dtype=object)
    parsed = parse_dates(values)
    assert parsed.index.tolist() == [10, 11, 12, 13, 14, 15, 16, 17]
    expected = ["2025-03-05", None, "2025-03-06", "2025-03-05", None, "2025-03-06", None, "2025-03-05"]
    assert [None if pd.isna(v) else v.strftime("%Y-%m-%d") for v in parsed] == expected
    assert unreadable_dates(values).tolist() == [False, False, False, False, False, False, True, False]


def test_unreadable_dates_reuses_a_given_parse() -> None:
    values = pd.Series(["2025-03-05", "junk", ""], dtype=object)
    assert unreadable_dates(values, parse_dates(values)).tolist() == [False, True, False]


def test_empty_column() -> None:
    assert len(parse_dates(pd.Series([], dtype=object))) == 0
    assert len(unreadable_dates(pd.Series([], dtype=object))) == 0


# --- properties -------------------------------------------------------------------------------------------

_cells = st.one_of(
    st.none(),
    st.text(max_size=25),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(min_value=dt.date(1700, 1, 1), max_value=dt.date(2250, 12, 31)),
    st.datetimes(min_value=dt.datetime(1700, 1, 1), max_value=dt.datetime(2250, 12, 31)),
    # date-like text and digit strings of any year (beyond pandas' 1677-2262 range too)
    st.from_regex(r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?( \d{1,2}:\d\d)?", fullmatch=True),
    st.from_regex(r"\d{8}", fullmatch=True),
    st.from_regex(r"\d{1,7}(\.\d{1,3})?", fullmatch=True),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_cells, max_size=12), st.integers(min_value=-3, max_value=3))
def test_parse_dates_never_raises_and_keeps_the_index(values: list[object], shift: int) -> None:
    column = pd.Series(values, index=[7 * i + shift for i in range(len(values))], dtype=object)
    parsed = parse_dates(column)
    bad = unreadable_dates(column)
    assert len(parsed) == len(column) and parsed.index.equals(column.index)
    assert bad.index.equals(column.index)
    assert pd.api.types.is_datetime64_any_dtype(parsed)
    readable = parsed.dropna()
    assert (readable == readable.dt.normalize()).all(), "a time of day survived"
    assert readable.dt.year.between(1900, 2100).all()
    # unreadable exactly when nothing was read from a non-blank cell
    for value, date, flag in zip(values, parsed, bad, strict=True):
        blank = value is None or (isinstance(value, float) and np.isnan(value)) or (
            isinstance(value, str) and not value.strip())
        assert flag == (pd.isna(date) and not blank)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 12, 31)), st.booleans())
def test_every_written_form_reads_back(day: dt.date, wide: bool) -> None:
    y, m, d = day.year, day.month, day.day
    forms = [f"{y}-{m:02d}-{d:02d}", f"{y}-{m}-{d}", f"{y}/{m}/{d}", f"{y}.{m}.{d}", f"{y}{m:02d}{d:02d}",
             f"{y}年{m}月{d}日", f"{y}-{m:02d}-{d:02d} 09:15:00"]
    if wide:
        forms = [f.translate(FULL_WIDTH) for f in forms]
    parsed = parse_dates(pd.Series(forms, dtype=object))
    assert parsed.tolist() == [pd.Timestamp(day)] * len(forms)


# --- writing dates as ISO text, and the clock ------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.datetimes(min_value=dt.datetime(1900, 1, 1),
                                                  max_value=dt.datetime(2100, 12, 31, 23, 59, 59))), max_size=20))
def test_iso_dates_is_strftime_with_missing_kept(stamps: list[dt.datetime | None]) -> None:
    column = pd.Series(pd.to_datetime(pd.Series(stamps, dtype=object)), dtype="datetime64[ns]")
    for unit, fmt in (("D", "%Y-%m-%d"), ("s", "%Y-%m-%dT%H:%M:%S")):
        text = iso_dates(column, unit=unit)
        assert text.dtype == "string"
        assert text.tolist() == [pd.NA if s is None else s.strftime(fmt) for s in stamps]


@pytest.mark.parametrize("resolution", ["s", "ms", "us", "ns"])
def test_iso_dates_of_any_resolution_keeps_the_index(resolution: str) -> None:
    column = pd.Series(pd.to_datetime(["2025-03-05 23:59:59", None]), index=[7, 3]).astype(f"datetime64[{resolution}]")
    text = iso_dates(column)
    assert text.index.tolist() == [7, 3]
    assert text.tolist() == ["2025-03-05", pd.NA]


def test_iso_dates_of_an_aware_column_is_its_wall_clock() -> None:
    column = pd.Series(pd.to_datetime(["2025-03-05 23:30"])).dt.tz_localize("Asia/Shanghai")
    assert iso_dates(column).tolist() == ["2025-03-05"]
    assert iso_dates(column, unit="s").tolist() == ["2025-03-05T23:30:00"]


def test_iso_dates_of_nothing() -> None:
    assert iso_dates(pd.Series([], dtype="datetime64[ns]")).tolist() == []
    assert iso_dates(pd.Series([pd.NaT, pd.NaT], dtype="datetime64[ns]")).isna().all()


def test_now_utc_is_naive_utc_in_whole_seconds() -> None:
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    now = now_utc()
    assert now.tzinfo is None and now.microsecond == 0
    assert before - dt.timedelta(seconds=1) <= now <= dt.datetime.now(dt.UTC).replace(tzinfo=None)
