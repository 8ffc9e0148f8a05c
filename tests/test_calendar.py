"""Working days and the Art. 58 registration deadline (shared README section 2).

The expected values come from this file's own table of the State Council holiday notices
(国务院办公厅关于2024/2025/2026年部分节假日安排的通知), written out below, and from the weekday of
each date — never from ``chinese_calendar`` or ``holidays``. A deadline is ``hire + 30`` days
(Civil Code Art. 201/203: the day of employment is not counted), moved to the next working day
when that day is a rest day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pandas as pd
import pytest

from compliance import calendar, cli

D = dt.date


class Period(NamedTuple):
    name: str
    first: dt.date
    last: dt.date
    workdays: tuple[dt.date, ...]   # the adjusted working days (调休上班) of this arrangement


# One entry per holiday arrangement of the notices; first..last are the days off (weekends that
# the notice counts into the break included).
NOTICES: dict[int, tuple[str, list[Period]]] = {
    2024: ("国办发明电〔2023〕7号", [
        Period("元旦", D(2023, 12, 30), D(2024, 1, 1), ()),                   # Sat 12/30 - Mon 1/1
        Period("春节", D(2024, 2, 10), D(2024, 2, 17), (D(2024, 2, 4), D(2024, 2, 18))),   # Sun, Sun
        Period("清明节", D(2024, 4, 4), D(2024, 4, 6), (D(2024, 4, 7),)),        # Sun
        Period("劳动节", D(2024, 5, 1), D(2024, 5, 5), (D(2024, 4, 28), D(2024, 5, 11))),  # Sun, Sat
        Period("端午节", D(2024, 6, 8), D(2024, 6, 10), ()),                    # Mon 6/10 with the weekend
        Period("中秋节", D(2024, 9, 15), D(2024, 9, 17), (D(2024, 9, 14),)),     # Sat
        Period("国庆节", D(2024, 10, 1), D(2024, 10, 7), (D(2024, 9, 29), D(2024, 10, 12))),  # Sun, Sat
    ]),
    2025: ("国办发明电〔2024〕12号", [
        Period("元旦", D(2025, 1, 1), D(2025, 1, 1), ()),                       # Wed
        Period("春节", D(2025, 1, 28), D(2025, 2, 4), (D(2025, 1, 26), D(2025, 2, 8))),    # Sun, Sat
        Period("清明节", D(2025, 4, 4), D(2025, 4, 6), ()),                      # Fri - Sun
        Period("劳动节", D(2025, 5, 1), D(2025, 5, 5), (D(2025, 4, 27),)),       # Sun
        Period("端午节", D(2025, 5, 31), D(2025, 6, 2), ()),                     # Sat - Mon
        Period("国庆节、中秋节", D(2025, 10, 1), D(2025, 10, 8), (D(2025, 9, 28), D(2025, 10, 11))),  # Sun, Sat
    ]),
    2026: ("国办发明电〔2025〕7号", [
        Period("元旦", D(2026, 1, 1), D(2026, 1, 3), (D(2026, 1, 4),)),          # Thu - Sat; Sun 1/4
        Period("春节", D(2026, 2, 15), D(2026, 2, 23), (D(2026, 2, 14), D(2026, 2, 28))),  # Sat, Sat
        Period("清明节", D(2026, 4, 4), D(2026, 4, 6), ()),                      # Sat - Mon
        Period("劳动节", D(2026, 5, 1), D(2026, 5, 5), (D(2026, 5, 9),)),        # Sat
        Period("端午节", D(2026, 6, 19), D(2026, 6, 21), ()),                    # Fri - Sun
        Period("中秋节", D(2026, 9, 25), D(2026, 9, 27), ()),                    # Fri - Sun
        Period("国庆节", D(2026, 10, 1), D(2026, 10, 7), (D(2026, 9, 20), D(2026, 10, 10))),  # Sun, Sat
    ]),
}
PERIODS = [p for _source, periods in NOTICES.values() for p in periods]


def days(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


HOLIDAYS = {d: p for p in PERIODS for d in days(p.first, p.last)}
WORKDAYS = {d: p for p in PERIODS for d in p.workdays}


def expected_workday(day: dt.date) -> bool:
    """Working day per the notice table above (valid for 2024-2026)."""
    assert D(2023, 12, 30) <= day <= D(2026, 12, 31)
    if day in HOLIDAYS:
        return False
    return day.weekday() < 5 or day in WORKDAYS


def expected_deadline(hire: dt.date) -> dt.date:
    """hire + 30, then the first working day on or after it, per the table."""
    day = hire + dt.timedelta(days=30)
    while not expected_workday(day):
        day += dt.timedelta(days=1)
    return day


def hire_for(deadline_day: dt.date) -> dt.date:
    return deadline_day - dt.timedelta(days=30)


@pytest.fixture(autouse=True)
def fresh_calendar(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No operator notice folder from the environment, and no cached calendar between tests.

    The caches must be cleared: ``_year_days`` is keyed on the *years* of the notices in force,
    not on their folder or content, so a 2027 notice of one test would otherwise be served to the
    next test's different 2027 notice (see ``test_cache_follows_notice_content``).
    """
    monkeypatch.delenv("SHEBAO_CALENDAR_DIR", raising=False)
    calendar._load_notices.cache_clear()
    calendar._year_days.cache_clear()
    yield
    calendar._load_notices.cache_clear()
    calendar._year_days.cache_clear()


@pytest.fixture
def no_package_notices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty package notice folder, so that a 2027.toml added to the project later does not
    change what these tests mean by 'a year without a notice'."""
    folder = tmp_path / "package_notices"
    folder.mkdir()
    monkeypatch.setattr(calendar, "NOTICE_DIR", folder)
    return folder


@pytest.fixture
def notice_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_package_notices: Path) -> Path:
    """The operator's folder, named by SHEBAO_CALENDAR_DIR."""
    folder = tmp_path / "operator_notices"
    folder.mkdir()
    monkeypatch.setenv("SHEBAO_CALENDAR_DIR", str(folder))
    return folder


# --- the table itself ----------------------------------------------------------------------------

def test_table_is_consistent() -> None:
    for period in PERIODS:
        for workday in period.workdays:
            assert workday.weekday() >= 5, f"{workday} is an adjusted working day, so a Saturday or Sunday"
            assert workday not in HOLIDAYS
    assert len(WORKDAYS) == 8 + 5 + 6
    # spot checks of the weekdays written in the comments
    assert D(2025, 1, 26).strftime("%a") == "Sun" and D(2025, 2, 8).strftime("%a") == "Sat"
    assert D(2026, 2, 14).strftime("%a") == "Sat" and D(2026, 1, 4).strftime("%a") == "Sun"


# --- is_workday against the notices --------------------------------------------------------------

def _case_id(day: dt.date, period: Period) -> str:
    return f"{day.isoformat()}-{period.name}"


@pytest.mark.parametrize("day", sorted(HOLIDAYS), ids=[_case_id(d, HOLIDAYS[d]) for d in sorted(HOLIDAYS)])
def test_holiday_is_not_a_workday(day: dt.date) -> None:
    assert calendar.is_workday(day) is False


@pytest.mark.parametrize("day", sorted(WORKDAYS), ids=[_case_id(d, WORKDAYS[d]) for d in sorted(WORKDAYS)])
def test_adjusted_working_day_is_a_workday(day: dt.date) -> None:
    assert calendar.is_workday(day) is True


def test_every_day_of_2024_to_2026_matches_the_notices() -> None:
    wrong = [d for d in days(D(2024, 1, 1), D(2026, 12, 31)) if calendar.is_workday(d) != expected_workday(d)]
    assert wrong == []


def test_covered_years_come_from_the_library() -> None:
    for year in (2024, 2025, 2026):
        assert calendar.year_source(year) == "library"


# --- deadlines -----------------------------------------------------------------------------------

def test_shared_readme_example() -> None:
    # hire 2025-03-05 + 30 = 2025-04-04, Qingming (4/4-4/6) -> Monday 2025-04-07
    assert calendar.deadline(D(2025, 3, 5)) == calendar.Deadline(D(2025, 4, 7), False)


@pytest.mark.parametrize("period", PERIODS, ids=[f"{p.first.year}-{p.name}" for p in PERIODS])
def test_deadline_on_first_holiday_day_rolls_past_the_period(period: Period) -> None:
    hire = hire_for(period.first)
    expected = expected_deadline(hire)
    assert expected > period.last                       # the table says: after the whole break
    assert calendar.deadline(hire) == calendar.Deadline(expected, False)


@pytest.mark.parametrize(("first_day", "expected"), [
    (D(2024, 2, 10), D(2024, 2, 18)),    # 春节 2024 ends Sat 2/17; Sun 2/18 is an adjusted working day
    (D(2024, 10, 1), D(2024, 10, 8)),    # 国庆 2024 -> Tue 10/8
    (D(2025, 1, 1), D(2025, 1, 2)),      # 元旦 2025 (Wed) -> Thu
    (D(2025, 1, 28), D(2025, 2, 5)),     # 春节 2025 1/28-2/4 -> Wed 2/5
    (D(2025, 5, 31), D(2025, 6, 3)),     # 端午 2025 5/31-6/2 -> Tue 6/3
    (D(2025, 10, 1), D(2025, 10, 9)),    # 国庆+中秋 2025 10/1-10/8 -> Thu 10/9
    (D(2026, 1, 1), D(2026, 1, 4)),      # 元旦 2026 1/1-1/3 -> Sun 1/4, an adjusted working day
    (D(2026, 2, 15), D(2026, 2, 24)),    # 春节 2026 2/15-2/23 -> Tue 2/24
    (D(2026, 10, 1), D(2026, 10, 8)),    # 国庆 2026 -> Thu 10/8
])
def test_holiday_deadlines_by_hand(first_day: dt.date, expected: dt.date) -> None:
    assert expected_deadline(hire_for(first_day)) == expected     # the table agrees with the hand count
    assert calendar.deadline(hire_for(first_day)) == calendar.Deadline(expected, False)


@pytest.mark.parametrize("day", sorted(HOLIDAYS), ids=[_case_id(d, HOLIDAYS[d]) for d in sorted(HOLIDAYS)])
def test_deadline_on_any_holiday_day_rolls(day: dt.date) -> None:
    result = calendar.deadline(hire_for(day))
    assert result.date == expected_deadline(hire_for(day))
    assert result.date > HOLIDAYS[day].last


@pytest.mark.parametrize("day", sorted(WORKDAYS), ids=[_case_id(d, WORKDAYS[d]) for d in sorted(WORKDAYS)])
def test_deadline_on_adjusted_working_day_does_not_roll(day: dt.date) -> None:
    assert day.weekday() >= 5
    assert calendar.deadline(hire_for(day)) == calendar.Deadline(day, False)


@pytest.mark.parametrize(("day", "expected"), [
    (D(2025, 3, 8), D(2025, 3, 10)),     # Sat -> Mon
    (D(2025, 3, 9), D(2025, 3, 10)),     # Sun -> Mon
    (D(2024, 7, 13), D(2024, 7, 15)),    # Sat -> Mon
    (D(2026, 11, 15), D(2026, 11, 16)),  # Sun -> Mon
    (D(2025, 9, 27), D(2025, 9, 28)),    # Sat -> Sun 9/28, an adjusted working day
    (D(2026, 2, 8), D(2026, 2, 9)),      # Sun -> Mon (the Saturday before, 2/14, is a working day)
])
def test_deadline_on_ordinary_weekend_rolls(day: dt.date, expected: dt.date) -> None:
    assert day not in HOLIDAYS and day not in WORKDAYS and day.weekday() >= 5
    assert calendar.deadline(hire_for(day)) == calendar.Deadline(expected, False)


@pytest.mark.parametrize("day", [D(2025, 3, 5), D(2026, 12, 31), D(2024, 2, 29)])
def test_deadline_on_ordinary_workday_stays(day: dt.date) -> None:
    assert calendar.deadline(hire_for(day)) == calendar.Deadline(day, False)


def test_hire_date_itself_not_counted() -> None:
    # hired Mon 2025-03-03: day 1 is 3/4, day 30 is 4/2 (Wed)
    assert calendar.deadline(D(2025, 3, 3)).date == D(2025, 4, 2)


@pytest.mark.parametrize("day", [p.first for p in PERIODS] + sorted(WORKDAYS) + [D(2025, 3, 8), D(2027, 1, 1)])
def test_calendar_days_never_roll(day: dt.date) -> None:
    result = calendar.deadline(hire_for(day), calendar_days=True)
    assert result.date == day
    assert result.provisional is False     # no calendar is consulted, so nothing is provisional


def test_deadlines_vectorised_over_every_hire_date() -> None:
    hires = pd.Series(pd.date_range("2023-11-30", "2026-11-30", freq="D"))
    out = calendar.deadlines(hires)
    expected = [expected_deadline(h.date()) for h in hires]
    assert [d.date() for d in out["deadline"]] == expected
    assert not out["deadline_provisional"].any()
    strict = calendar.deadlines(hires, calendar_days=True)
    assert (strict["deadline"] - hires == pd.Timedelta(days=30)).all()


def test_deadlines_keeps_nat_and_index() -> None:
    hires = pd.Series([pd.Timestamp("2025-03-05"), pd.NaT, pd.Timestamp("2026-12-02"), pd.NaT],
                      index=["a", "b", "c", "d"])
    out = calendar.deadlines(hires)
    assert list(out.columns) == ["deadline", "deadline_provisional"]
    assert out.index.tolist() == ["a", "b", "c", "d"]
    assert pd.api.types.is_datetime64_any_dtype(out["deadline"])
    assert out.loc["a", "deadline"] == pd.Timestamp("2025-04-07")
    assert pd.isna(out.loc["b", "deadline"]) and pd.isna(out.loc["d", "deadline"])
    assert out["deadline_provisional"].tolist() == [False, False, True, False]
    strict = calendar.deadlines(hires, calendar_days=True)
    assert strict.index.tolist() == ["a", "b", "c", "d"]
    assert pd.isna(strict.loc["b", "deadline"])
    assert strict.loc["a", "deadline"] == pd.Timestamp("2025-04-04")


def test_deadlines_all_nat_empty_and_duplicate_index() -> None:
    out = calendar.deadlines(pd.Series([pd.NaT, pd.NaT], index=[5, 6]))
    assert out["deadline"].isna().all() and out.index.tolist() == [5, 6]
    assert len(calendar.deadlines(pd.Series([], dtype="datetime64[ns]"))) == 0
    dup = calendar.deadlines(pd.Series(pd.to_datetime(["2025-03-05", "2025-01-02"]), index=[0, 0]))
    assert [d.date() for d in dup["deadline"]] == [D(2025, 4, 7), D(2025, 2, 5)]   # 2/1 is in 春节 1/28-2/4 -> Wed 2/5


# --- the year boundary: provisional deadlines ----------------------------------------------------
# 2027 has no notice and no library data. Provisional = weekends + the statutory holidays of the
# national regulations (全国年节及纪念日放假办法, 2024 revision, Art. 2 and Art. 6: a holiday that
# falls on a Saturday or Sunday is made up on a working day). For 2027: 元旦 Fri 1/1; 春节 除夕 Fri
# 2/5, 初一 Sat 2/6 .. 初三 Mon 2/8, with Sat 2/6 and Sun 2/7 made up on Tue 2/9 and Wed 2/10.

@pytest.mark.usefixtures("no_package_notices")
@pytest.mark.parametrize(("hire", "expected"), [
    (D(2026, 12, 2), D(2027, 1, 4)),     # 1/1 Fri holiday, 1/2-1/3 weekend -> Mon 1/4
    (D(2026, 12, 5), D(2027, 1, 4)),     # Mon 1/4 itself
    (D(2026, 12, 10), D(2027, 1, 11)),   # Sat 1/9 -> Mon 1/11 (no adjusted working days are known)
    (D(2026, 12, 14), D(2027, 1, 13)),   # Wed 1/13
    (D(2027, 1, 6), D(2027, 2, 11)),     # 除夕 Fri 2/5 .. made-up Wed 2/10 -> Thu 2/11
])
def test_deadline_in_2027_is_provisional(hire: dt.date, expected: dt.date) -> None:
    assert calendar.year_source(2027) == "provisional"
    assert calendar.deadline(hire) == calendar.Deadline(expected, True)


@pytest.mark.usefixtures("no_package_notices")
def test_deadline_on_last_day_of_2026_is_not_provisional() -> None:
    # hire 2026-12-01 + 30 = Thu 2026-12-31, an ordinary working day
    assert calendar.deadline(D(2026, 12, 1)) == calendar.Deadline(D(2026, 12, 31), False)


@pytest.mark.usefixtures("no_package_notices")
def test_provisional_workdays_2027() -> None:
    assert calendar.is_workday(D(2027, 1, 1)) is False
    assert calendar.is_workday(D(2027, 1, 4)) is True
    assert calendar.is_workday(D(2027, 2, 10)) is False
    assert calendar.is_workday(D(2027, 2, 11)) is True


@pytest.mark.usefixtures("no_package_notices")
def test_provisional_years() -> None:
    dates = pd.Series([pd.Timestamp("2026-06-01"), pd.NaT, pd.Timestamp("2027-01-04"), pd.Timestamp("2027-03-01")])
    assert calendar.provisional_years(dates) == [2027]
    assert calendar.provisional_years(pd.Series(pd.to_datetime(["2024-01-01", "2025-06-30", "2026-12-31"]))) == []
    assert calendar.provisional_years(pd.Series([], dtype="datetime64[ns]")) == []


@pytest.mark.usefixtures("no_package_notices")
def test_cli_deadline_provisional_warns(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["deadline", "2026-12-02"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == "2027-01-04"
    assert "2027" in captured.err and "provisional" in captured.err
    assert len(captured.err.strip().splitlines()) == 1


@pytest.mark.usefixtures("no_package_notices")
def test_cli_deadline_covered_year_is_silent(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["deadline", "2025-03-05"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == "2025-04-07"
    assert captured.err == ""


# --- notice files --------------------------------------------------------------------------------
# The 2027 arrangement below is invented test data (the real notice is not out yet); it differs
# from the provisional projection on purpose, so that the test shows which one is used.
NOTICE_2027 = """\
year = 2027
source = "test data, not the real notice"
holidays = [2027-01-01, 2027-01-02, 2027-01-03, 2027-01-04]
workdays = [2027-01-09]
"""


def test_notice_file_for_next_year(notice_dir: Path) -> None:
    (notice_dir / "2027.toml").write_text(NOTICE_2027, encoding="utf-8")
    assert calendar.year_source(2027) == "notice"
    assert calendar.notices()[2027].source == "test data, not the real notice"
    # 1/1 -> 1/4 are days off in the file -> Tue 1/5 (provisional would say Mon 1/4)
    assert calendar.deadline(D(2026, 12, 2)) == calendar.Deadline(D(2027, 1, 5), False)
    # Sat 1/9 is a working day in the file -> no roll (provisional would say Mon 1/11)
    assert calendar.deadline(D(2026, 12, 10)) == calendar.Deadline(D(2027, 1, 9), False)
    assert calendar.provisional_years(pd.Series(pd.to_datetime(["2027-01-05"]))) == []
    hires = pd.Series(pd.to_datetime(["2026-12-02", "2026-12-10"]))
    assert not calendar.deadlines(hires)["deadline_provisional"].any()


def test_notice_file_in_package_folder(no_package_notices: Path) -> None:
    (no_package_notices / "2027.toml").write_text(NOTICE_2027, encoding="utf-8")
    assert calendar.deadline(D(2026, 12, 2)) == calendar.Deadline(D(2027, 1, 5), False)


def test_operator_folder_wins_over_package_folder(notice_dir: Path, no_package_notices: Path) -> None:
    (no_package_notices / "2027.toml").write_text(NOTICE_2027, encoding="utf-8")
    (notice_dir / "2027.toml").write_text(
        'year = 2027\nsource = "operator"\nholidays = [2027-01-01]\nworkdays = []\n', encoding="utf-8")
    assert calendar.notices()[2027].source == "operator"
    assert calendar.deadline(D(2026, 12, 2)) == calendar.Deadline(D(2027, 1, 4), False)


def test_notice_file_overrides_library_for_covered_year(notice_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Invented 2025 arrangement: only 1/1 and Wed 3/5 off, no adjusted working days.
    (notice_dir / "2025.toml").write_text(
        'year = 2025\nsource = "override"\nholidays = [2025-01-01, 2025-03-05]\nworkdays = []\n', encoding="utf-8")
    assert calendar.year_source(2025) == "notice"
    assert calendar.is_workday(D(2025, 3, 5)) is False
    assert calendar.is_workday(D(2025, 1, 26)) is False    # Sunday, no longer an adjusted working day
    assert calendar.is_workday(D(2025, 1, 28)) is True     # Spring Festival is not in this file
    assert calendar.deadline(D(2025, 2, 3)) == calendar.Deadline(D(2025, 3, 6), False)   # 3/5 -> Thu 3/6
    assert calendar.deadline(D(2024, 12, 29)) == calendar.Deadline(D(2025, 1, 28), False)
    monkeypatch.delenv("SHEBAO_CALENDAR_DIR")
    assert calendar.year_source(2025) == "library"
    assert calendar.deadline(D(2025, 2, 3)) == calendar.Deadline(D(2025, 3, 5), False)
    assert calendar.deadline(D(2024, 12, 29)) == calendar.Deadline(D(2025, 2, 5), False)


def test_rolling_from_covered_year_into_provisional_year(notice_dir: Path) -> None:
    # Invented 2026 notice that makes Thu 12/31 a day off: the deadline rolls into 2027, which is
    # provisional (1/1 holiday, weekend) -> Mon 2027-01-04, flagged.
    (notice_dir / "2026.toml").write_text('year = 2026\nholidays = [2026-12-31]\n', encoding="utf-8")
    assert calendar.notices()[2026].source == "2026.toml"
    assert calendar.deadline(D(2026, 12, 1)) == calendar.Deadline(D(2027, 1, 4), True)


@pytest.mark.parametrize("text", [
    "year = 2027\nholidays = [2027-01-01",                       # not TOML
    'source = "no year"\nholidays = [2027-01-01]\n',             # no year
    'year = "next"\nholidays = []\n',                            # year not a number
    'year = 2027\nholidays = ["2027-01-01"]\n',                  # strings, not dates
    "year = 2027\nholidays = [2026-12-31]\n",                    # a date outside the year
    "year = 2027\nworkdays = [2028-01-02]\n",                    # a date outside the year
    "year = 2027\nholidays = 2027-01-01\n",                      # not a list
    "year = 2027\nholidays = [1, 2]\n",                          # numbers, not dates
], ids=["toml", "no-year", "year-text", "strings", "outside-h", "outside-w", "not-list", "numbers"])
def test_malformed_notice_file(notice_dir: Path, text: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = notice_dir / "2027.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(calendar.NoticeFileError, match=r"2027\.toml"):
        calendar.deadline(D(2025, 3, 5))      # any deadline: the file is read whatever the year
    with pytest.raises(calendar.NoticeFileError):
        calendar.notices()
    # the CLI turns it into one line on stderr and exit 2 (unusable input)
    assert cli.main(["deadline", "2025-03-05"]) == 2
    err = capsys.readouterr().err
    assert "2027.toml" in err


def test_notice_file_datetime_is_not_silently_ignored(notice_dir: Path) -> None:
    (notice_dir / "2027.toml").write_text("year = 2027\nholidays = [2027-01-04T00:00:00]\n", encoding="utf-8")
    try:
        workday = calendar.is_workday(D(2027, 1, 4))
    except calendar.NoticeFileError:
        return
    assert workday is False


def test_cache_follows_notice_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      no_package_notices: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "2027.toml").write_text(NOTICE_2027, encoding="utf-8")
    (second / "2027.toml").write_text("year = 2027\nholidays = [2027-01-01]\n", encoding="utf-8")
    monkeypatch.setenv("SHEBAO_CALENDAR_DIR", str(first))
    assert calendar.deadline(D(2026, 12, 2)).date == D(2027, 1, 5)
    monkeypatch.setenv("SHEBAO_CALENDAR_DIR", str(second))
    assert calendar.notices()[2027].holidays == frozenset({D(2027, 1, 1)})   # the new file is read ...
    assert calendar.deadline(D(2026, 12, 2)).date == D(2027, 1, 4)           # ... but its calendar is not used


def test_notice_file_added_later_is_used(notice_dir: Path) -> None:
    assert calendar.deadline(D(2026, 12, 2)) == calendar.Deadline(D(2027, 1, 4), True)
    (notice_dir / "2027.toml").write_text(NOTICE_2027, encoding="utf-8")
    assert calendar.deadline(D(2026, 12, 2)) == calendar.Deadline(D(2027, 1, 5), False)
