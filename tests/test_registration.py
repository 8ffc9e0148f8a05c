"""Registration status as of a date (shared README sections 2 and 3), and the problems table.

Deadlines are worked out by hand from the 2025 State Council holiday notice: Spring Festival off
1/28-2/4 (Sun 1/26 and Sat 2/8 working), Qingming 4/4-4/6, Labour Day 5/1-5/5 (Sun 4/27
working), National Day 10/1-10/8 (Sun 9/28 and Sat 10/11 working).

Most tests use a hire on Mon 2025-06-02: 2025-06-02 + 30 days = 2025-07-02 (June has 30 days:
28 days to June 30, 2 more), a Wednesday and no holiday, so the deadline is 2025-07-02.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tempfile
import time
import tracemalloc
from pathlib import Path

import pandas as pd
import pytest
from conftest import gb11643
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance import jobs, registration
from compliance.jobs import check_uploads
from compliance.registration import (
    CHECK_COLUMNS,
    CheckResult,
    check,
    check_roster,
    needs_action,
    normalise,
    status_counts,
    storable,
)
from compliance.rosters import read_roster

HEADER = ["单位名称", "姓名", "身份证号", "入职日期", "参保日期"]  # 入职日期 is column D, 参保日期 column E
HIRE = "2025-06-02"
DEADLINE = pd.Timestamp("2025-07-02")
ID_M = "110105199003071239"  # 110105 19900307 123 + check 9 (GB 11643 by hand: see conftest.gb11643)


def person(n: int) -> str:
    """Another valid ID (born 1990-03-07), one per ``n``: the same SSN twice for one employer in one file is
    ``duplicate_person`` (section 11), so rows that are not about that have people of their own."""
    return gb11643(f"11010519900307{n:03d}")
D = dt.date.fromisoformat


def run(roster_file, rows: list[list[object]], as_of: str, *, calendar_days: bool = False,
        header: list[str] = HEADER, name: str = "r.csv") -> CheckResult:
    """Write a CSV roster with HEADER and ``rows``, read it and check it."""
    return check(read_roster(roster_file(name, [header, *rows])), D(as_of), calendar_days=calendar_days)


def one(roster_file, hire: str | None, registered: str | None, as_of: str, **kwargs: object) -> pd.Series:
    """The result row of one employee."""
    result = run(roster_file, [["甲公司", "张三", ID_M, hire, registered]], as_of, **kwargs)
    assert len(result.results) == 1
    return result.results.iloc[0]


def test_conftest_id_helper_matches_the_standard_example(make_id) -> None:
    # GB 11643-1999 worked example 11010519491231002X; and ID_M above
    assert make_id("11010519491231002") == "11010519491231002X"
    assert make_id(ID_M[:17]) == ID_M


# --- status boundaries (section 3) ------------------------------------------------------------------------


def test_registered_on_the_deadline_is_on_time(roster_file) -> None:
    row = one(roster_file, HIRE, "2025-07-02", "2025-11-20")
    assert row["deadline"] == DEADLINE
    assert row["status"] == "on_time"
    assert pd.isna(row["days_late"]) and pd.isna(row["days_left"])
    assert pd.isna(row["problem"])


def test_registered_one_day_after_the_deadline_is_late(roster_file) -> None:
    row = one(roster_file, HIRE, "2025-07-03", "2025-11-20")
    assert row["status"] == "late"
    assert row["days_late"] == 1
    assert pd.isna(row["days_left"])


def test_late_days_count_registration_minus_deadline(roster_file) -> None:
    row = one(roster_file, HIRE, "2025-08-15", "2025-11-20")  # July 2 -> Aug 15: 29 + 15 = 44
    assert (row["status"], row["days_late"]) == ("late", 44)


def test_registered_on_the_hire_date_is_on_time_without_a_note(roster_file) -> None:
    row = one(roster_file, HIRE, HIRE, "2025-11-20")
    assert row["status"] == "on_time" and pd.isna(row["problem"])


def test_registered_before_the_hire_date_is_on_time_with_a_note(roster_file) -> None:
    result = run(roster_file, [["甲公司", "张三", ID_M, HIRE, "2025-05-20"]], "2025-11-20")
    row = result.results.iloc[0]
    assert row["status"] == "on_time"
    assert "before the hire date" in row["problem"]
    found = result.problems[result.problems["source_row"] == 2]
    assert found["code"].tolist() == ["registration_before_hire"]
    assert found["column"].tolist() == ["参保日期 (column E)"]


def test_not_registered_as_of_the_deadline_is_pending_with_zero_days_left(roster_file) -> None:
    row = one(roster_file, HIRE, None, "2025-07-02")
    assert row["status"] == "pending"
    assert row["days_left"] == 0
    assert pd.isna(row["days_late"])


def test_not_registered_as_of_the_hire_date_has_thirty_days_left(roster_file) -> None:
    row = one(roster_file, HIRE, None, HIRE)
    assert (row["status"], row["days_left"]) == ("pending", 30)


def test_not_registered_one_day_after_the_deadline_is_overdue(roster_file) -> None:
    row = one(roster_file, HIRE, None, "2025-07-03")
    assert row["status"] == "overdue"
    assert row["days_late"] == 1
    assert pd.isna(row["days_left"])


def test_overdue_days_count_as_of_minus_deadline(roster_file) -> None:
    row = one(roster_file, HIRE, None, "2025-11-20")  # July 2 -> Nov 20: 29 + 31 + 30 + 31 + 20 = 141
    assert (row["status"], row["days_late"]) == ("overdue", 141)


def test_registration_on_the_as_of_date_counts(roster_file) -> None:
    row = one(roster_file, HIRE, "2025-06-25", "2025-06-25")
    assert row["status"] == "on_time" and pd.isna(row["problem"])


def test_registration_after_as_of_counts_as_not_registered_overdue(roster_file) -> None:
    result = run(roster_file, [["甲公司", "张三", ID_M, HIRE, "2025-07-10"]], "2025-07-05")
    row = result.results.iloc[0]
    assert row["status"] == "overdue"
    assert row["days_late"] == 3  # as-of 07-05 - deadline 07-02
    assert row["registration_date"] == pd.Timestamp("2025-07-10")  # the date is still shown
    assert "after the as-of date" in row["problem"]
    found = result.problems[result.problems["source_row"] == 2]
    assert found["code"].tolist() == ["registration_after_as_of"]
    assert found["value"].tolist() == ["2025-07-10"]


def test_registration_after_as_of_counts_as_not_registered_pending(roster_file) -> None:
    row = one(roster_file, HIRE, "2025-06-28", "2025-06-20")
    assert row["status"] == "pending"
    assert row["days_left"] == 12  # 06-20 -> 07-02: 10 + 2
    assert "after the as-of date" in row["problem"]


def test_unreadable_registration_date_is_invalid(roster_file) -> None:
    result = run(roster_file, [["甲公司", "张三", ID_M, HIRE, "2025-02-30"]], "2025-11-20")
    row = result.results.iloc[0]
    assert row["status"] == "invalid"
    assert pd.isna(row["days_late"]) and pd.isna(row["days_left"])
    assert "2025-02-30" in row["problem"] and "参保日期 (column E)" in row["problem"]
    found = result.problems[result.problems["source_row"] == 2]
    assert found[["column", "code", "value"]].values.tolist() == [["参保日期 (column E)", "date_unreadable",
                                                                   "2025-02-30"]]


@pytest.mark.parametrize("hire", [None, "", "  "])
def test_missing_hire_date_is_invalid(roster_file, hire: str | None) -> None:
    result = run(roster_file, [["甲公司", "张三", ID_M, hire, "2025-07-01"]], "2025-11-20")
    row = result.results.iloc[0]
    assert row["status"] == "invalid"
    assert pd.isna(row["deadline"])
    assert "入职日期 (column D)" in row["problem"]
    assert result.problems.loc[result.problems["source_row"] == 2, "code"].tolist() == ["hire_date_missing"]


def test_unreadable_hire_date_is_invalid(roster_file) -> None:
    result = run(roster_file, [["甲公司", "张三", ID_M, "明年", None]], "2025-11-20")
    row = result.results.iloc[0]
    assert row["status"] == "invalid"
    assert "明年" in row["problem"]
    assert result.problems.loc[result.problems["source_row"] == 2, "column"].tolist() == ["入职日期 (column D)"]


def test_out_of_range_date_only_invalidates_its_row(roster_file) -> None:
    result = run(roster_file, [["甲公司", "张三", ID_M, HIRE, "9999-12-31"],
                               ["甲公司", "李四", ID_M, HIRE, "2025-07-01"]], "2025-11-20")
    assert result.results["status"].tolist() == ["invalid", "on_time"]


@pytest.mark.parametrize("bad_id", ["110105199003071230", "12345", "1.10105E+17", "", "11010519900230123X"])
def test_a_bad_id_does_not_change_the_status(roster_file, bad_id: str) -> None:
    result = run(roster_file, [["甲公司", "坏号", bad_id, HIRE, "2025-07-03"],
                               ["甲公司", "好号", ID_M, HIRE, "2025-07-03"]], "2025-11-20")
    bad, good = result.results.iloc[0], result.results.iloc[1]
    assert bad["status"] == good["status"] == "late"
    assert bad["days_late"] == good["days_late"] == 1
    assert pd.notna(bad["id_problem"]) and pd.isna(bad["ssn"])
    assert pd.isna(bad["birth_date"]) and pd.isna(bad["sex"])
    assert pd.isna(good["id_problem"]) and good["ssn"] == ID_M
    assert good["birth_date"] == pd.Timestamp("1990-03-07") and good["sex"] == "M"  # sequence 123 is odd


# --- deadlines: holidays, adjusted working days, --calendar-days, provisional years -------------------------


@pytest.mark.parametrize(("hire", "deadline"), [
    ("2025-06-02", "2025-07-02"),  # Wed, a plain working day
    ("2025-06-05", "2025-07-07"),  # +30 = Sat 07-05 -> Mon 07-07
    ("2025-03-05", "2025-04-07"),  # +30 = Fri 04-04 Qingming (4/4-4/6) -> Mon 04-07
    ("2024-12-29", "2025-02-05"),  # +30 = Tue 01-28 Spring Festival (1/28-2/4) -> Wed 02-05
    ("2024-12-27", "2025-01-26"),  # +30 = Sun 01-26, an adjusted working day
    ("2025-01-09", "2025-02-08"),  # +30 = Sat 02-08, an adjusted working day
    ("2025-04-01", "2025-05-06"),  # +30 = Thu 05-01 Labour Day (5/1-5/5) -> Tue 05-06
    ("2025-03-28", "2025-04-27"),  # +30 = Sun 04-27, an adjusted working day
    ("2025-09-01", "2025-10-09"),  # +30 = Wed 10-01 National Day (10/1-10/8) -> Thu 10-09
    ("2025-08-29", "2025-09-28"),  # +30 = Sun 09-28, an adjusted working day
    ("2025-09-11", "2025-10-11"),  # +30 = Sat 10-11, an adjusted working day
])
def test_deadline_rolls_over_rest_days_of_the_2025_notice(roster_file, hire: str, deadline: str) -> None:
    row = one(roster_file, hire, None, "2025-12-31")
    assert row["deadline"] == pd.Timestamp(deadline)
    assert not row["deadline_provisional"]


def test_calendar_days_change_a_holiday_rolled_deadline(roster_file) -> None:
    # hire 2025-03-05: +30 = 2025-04-04 (Qingming) -> 2025-04-07 normally; 2025-04-04 with calendar days
    rows = [["甲公司", "张三", ID_M, "2025-03-05", "2025-04-07"]]
    normal = run(roster_file, rows, "2025-11-20").results.iloc[0]
    strict = run(roster_file, rows, "2025-11-20", calendar_days=True).results.iloc[0]
    assert normal["deadline"] == pd.Timestamp("2025-04-07") and normal["status"] == "on_time"
    assert strict["deadline"] == pd.Timestamp("2025-04-04") and strict["status"] == "late"
    assert strict["days_late"] == 3


def test_calendar_days_on_a_working_day_change_nothing(roster_file) -> None:
    normal = one(roster_file, HIRE, None, "2025-07-03")
    strict = one(roster_file, HIRE, None, "2025-07-03", calendar_days=True)
    assert normal["deadline"] == strict["deadline"] == DEADLINE


def test_deadline_in_a_year_without_a_notice_is_provisional(roster_file) -> None:
    # 2026-12-10 + 30 = 2027-01-09 (Sat) -> Mon 2027-01-11; no 2027 notice in the library or a file
    rows = [["甲公司", "张三", ID_M, "2026-12-10", None], ["甲公司", "李四", ID_M, HIRE, None]]
    result = run(roster_file, rows, "2027-01-11").results
    assert result["deadline"].tolist() == [pd.Timestamp("2027-01-11"), DEADLINE]
    assert result["deadline_provisional"].tolist() == [True, False]
    assert result["status"].tolist() == ["pending", "overdue"]


def test_invalid_rows_are_not_provisional(roster_file) -> None:
    row = one(roster_file, None, None, "2027-01-11")
    assert row["status"] == "invalid"
    assert not row["deadline_provisional"]


# --- the problems table -----------------------------------------------------------------------------------


def test_problems_table_columns_labels_and_masked_ids(roster_file, make_id) -> None:
    bad_checksum = ID_M[:17] + "0"
    rows = [
        ["甲公司", "好", ID_M, HIRE, "2025-07-01"],       # row 2: no problem
        ["甲公司", "坏号", bad_checksum, HIRE, None],      # row 3: checksum
        ["甲公司", "坏日", person(101), "2025/13/01", None],  # row 4: hire date unreadable
        [None, None, None, None, None],                    # row 5: blank
        ["甲公司", "两样", "12345", "", "abc"],            # row 6: short ID, no hire date, bad registration
    ]
    result = run(roster_file, rows, "2025-11-20")
    problems = result.problems
    assert list(problems.columns) == ["source_file", "source_row", "column", "code", "value", "message"]
    per_row = problems[problems["source_row"].notna()]
    assert sorted(set(per_row["source_row"].astype(int))) == [3, 4, 6]
    assert set(per_row["source_file"]) == {"r.csv"}
    got = {(int(r), c, code) for r, c, code in per_row[["source_row", "column", "code"]].itertuples(index=False)}
    assert got == {
        (3, "身份证号 (column C)", "id_checksum"),
        (4, "入职日期 (column D)", "date_unreadable"),
        (6, "身份证号 (column C)", "id_length"),
        (6, "入职日期 (column D)", "hire_date_missing"),
        (6, "参保日期 (column E)", "date_unreadable"),
    }
    # ID values are masked: first six and last four characters of an 18-character number
    ids = per_row[per_row["column"] == "身份证号 (column C)"].set_index("source_row")["value"]
    assert ids[3] == bad_checksum[:6] + "*" * 8 + bad_checksum[-4:]
    assert "12345" not in str(ids[6])
    assert not problems.astype(str).apply(lambda col: col.str.contains(bad_checksum)).any().any()
    # the blank row is a file note
    notes = problems[problems["source_row"].isna()]
    assert notes["code"].tolist() == ["file_note"]
    assert re.findall(r"\d+", notes["message"].iloc[0]) == ["5"]
    assert (notes["source_file"] == "r.csv").all()


def test_every_row_with_a_problem_is_in_the_problems_table(roster_file) -> None:
    rows = [["甲公司", "a", ID_M, HIRE, "2025-05-01"], ["甲公司", "b", "x", HIRE, None],
            ["甲公司", "c", person(101), "junk", None], ["甲公司", "d", person(102), HIRE, "2099-01-01"],
            ["甲公司", "e", person(103), HIRE, "2025-07-02"]]
    result = run(roster_file, rows, "2025-11-20")
    r = result.results
    flagged = r[(r["status"] == "invalid") | r["id_problem"].notna() | r["problem"].notna()]
    listed = set(result.problems["source_row"].dropna().astype(int))
    assert set(flagged["source_row"]) == {2, 3, 4, 5}
    assert set(flagged["source_row"]) <= listed
    assert 6 not in listed


def test_rows_and_problems_of_several_rosters_keep_their_files(roster_file) -> None:
    first = read_roster(roster_file("a.csv", [HEADER, ["甲", "x", "bad", HIRE, None]]))
    second = read_roster(roster_file("b.csv", [HEADER, ["乙", "y", ID_M, HIRE, None], ["乙", "z", ID_M, "?", None]]))
    result = check(first + second, D("2025-11-20"))
    assert list(zip(result.results["source_file"], result.results["source_row"], strict=True)) == [
        ("a.csv", 2), ("b.csv", 2), ("b.csv", 3)]
    per_row = result.problems[result.problems["source_row"].notna()]
    assert {(f, int(r)) for f, r in per_row[["source_file", "source_row"]].itertuples(index=False)} == {
        ("a.csv", 2), ("b.csv", 3)}


def test_check_of_no_rosters_is_empty() -> None:
    result = check([], D("2025-11-20"))
    assert len(result.results) == 0 and len(result.problems) == 0
    assert list(result.results.columns[: len(CHECK_COLUMNS)]) == CHECK_COLUMNS


def test_result_columns_follow_the_contract(roster_file) -> None:
    result = run(roster_file, [["甲公司", "张三", ID_M, HIRE, None]], "2025-11-20")
    assert list(result.results.columns[:24]) == [
        "source_file", "source_row", "employer_id", "employer_name", "name", "id_number", "ssn", "id_problem",
        "birth_date", "sex", "region", "hire_date", "registration_date", "deadline", "status", "days_late",
        "days_left", "problem", "deadline_provisional", "id_kind", "card_status",
        "career_start_date", "leave_date", "duty"]  # section 11.7: the last three after card_status


def test_status_counts_lists_every_status(roster_file) -> None:
    rows = [["甲", "a", ID_M, HIRE, "2025-07-01"], ["甲", "b", ID_M, HIRE, "2025-07-09"],
            ["甲", "c", ID_M, HIRE, None], ["甲", "d", ID_M, "2025-11-01", None], ["甲", "e", ID_M, None, None],
            ["甲", "f", ID_M, HIRE, None]]
    result = run(roster_file, rows, "2025-11-20")
    # d: 2025-11-01 + 30 = 2025-12-01 (Mon) > as-of -> pending
    # section 11.7: STATUSES gain left_before_deadline (last); none of these rows has a leave date
    assert status_counts(result.results) == {"on_time": 1, "late": 1, "overdue": 2, "pending": 1, "invalid": 1,
                                              "exempt": 0, "left_before_deadline": 0}


def test_check_roster_accepts_today_for_birth_dates_in_the_future(roster_file, make_id) -> None:
    born_2030 = make_id("11010520300101123")
    roster = read_roster(roster_file("future.csv", [HEADER, ["甲", "未来", born_2030, HIRE, None]]))[0]
    assert check_roster(roster, D("2025-11-20"), today=D("2025-11-20")).results.iloc[0]["id_code"] == \
        "id_birth_future"
    assert pd.isna(check_roster(roster, D("2025-11-20"), today=D("2031-01-01")).results.iloc[0]["id_code"])


# --- nothing dropped --------------------------------------------------------------------------------------

_cell = st.one_of(
    st.sampled_from(["", " ", "2025-03-05", "2025/3/5", "20250305", "2025年3月5日", "45721", "2025-02-30", "待定",
                     ID_M, "110105199003071230", "1.10105E+17", "=1+1", "张三", "甲公司"]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=8),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_cell, min_size=5, max_size=5), min_size=1, max_size=12))
def test_nothing_is_dropped(rows: list[list[str]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "any.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\r\n").writerows([HEADER, *rows])  # \r in a cell gets quoted
        rosters = read_roster(path)
        result = check(rosters, D("2025-11-20"))
    blank = [all(not c.strip() for c in row) for row in rows]
    last = max((i for i, b in enumerate(blank) if not b), default=-1)
    expected_rows = [i + 2 for i, b in enumerate(blank) if not b]
    interior_blank = {i + 2 for i, b in enumerate(blank) if b and i < last}
    assert result.results["source_row"].tolist() == expected_rows
    assert result.results["name"].fillna("").tolist() == [rows[r - 2][1].strip() for r in expected_rows]
    named: set[int] = set()
    for note in rosters[0].notes:
        for span in note.split(" ")[1].split(",") if "blank" in note else []:
            first, _, end = span.partition("-")
            named.update(range(int(first), int(end or first) + 1))
    assert named == interior_blank
    assert result.results["status"].isin(["on_time", "late", "overdue", "pending", "invalid"]).all()


def test_needs_action_puts_longest_overdue_first_then_fewest_days_left() -> None:
    # Hand-ordered: overdue by days late descending (ties keep roster order: A before F), then
    # pending by days left ascending; on-time, late and invalid rows are not in the list.
    results = pd.DataFrame({
        "name": ["A", "B", "C", "D", "E", "F", "G"],
        "status": ["overdue", "pending", "overdue", "on_time", "pending", "overdue", "late"],
        "days_late": pd.array([5, None, 20, None, None, 5, 3], dtype="Int64"),
        "days_left": pd.array([None, 10, None, None, 2, None, None], dtype="Int64"),
        "other": range(7),
    })
    action = needs_action(results)
    assert action["name"].tolist() == ["C", "A", "F", "E", "B"]
    assert list(action.columns) == list(results.columns)
    narrow = needs_action(results, ["name", "days_left"])
    assert list(narrow.columns) == ["name", "days_left"]
    assert narrow["name"].tolist() == ["C", "A", "F", "E", "B"]
    assert needs_action(results[results["status"] == "on_time"]).empty


def test_needs_action_is_by_position_whatever_the_index() -> None:
    results = pd.DataFrame({"name": ["A", "B"], "status": ["overdue", "pending"],
                            "days_late": pd.array([3, None], dtype="Int64"),
                            "days_left": pd.array([None, 4], dtype="Int64")})
    twice = pd.concat([results, results])  # index labels 0, 1, 0, 1
    assert needs_action(twice)["name"].tolist() == ["A", "A", "B", "B"]


def test_a_name_longer_than_the_store_keeps_is_a_row_problem_and_the_status_stands(roster_file) -> None:
    """The store keeps 128 characters of a name (compliance/store.py people.name); 129 are a row problem
    (value_too_long) quoted by its first 40 characters, while the status is judged as usual."""
    long_name = "名" * 129
    result = run(roster_file, [["甲公司", long_name, ID_M, HIRE, "2025-06-20"]], "2025-11-20")
    row = result.results.iloc[0]
    assert row["status"] == "on_time" and row["problem_code"] == "value_too_long"
    assert "129 characters, more than the 128" in row["problem"]
    problem = result.problems[result.problems["code"] == "value_too_long"].iloc[0]
    assert problem["value"] == "名" * 40 + "…" and problem["source_row"] == 2
    ok = run(roster_file, [["甲公司", "名" * 128, ID_M, HIRE, "2025-06-20"]], "2025-11-20")
    assert ok.results["problem_code"].isna().all()  # 128 characters fit


# --- ID numbers in other columns are masked in every message (issue 20, finding 14) --------------------------

SEVEN_DIGITS = re.compile(r"[0-9]{7}")  # a masked number keeps six digits at most in a row


def test_an_id_number_in_any_cell_is_masked_in_every_message_and_value(roster_file) -> None:
    """An ID number typed (or shifted) into a date, a type, a status or an over-long text column was quoted
    in full: date_unreadable "…110105194912310021…", a 129-character name's first 40 characters."""
    header = ["统一社会信用代码", "单位名称", "姓名", "证件类型", "身份证号", "入职日期", "参保日期", "用工形式",
              "工作许可日期", "社保卡状态", "发卡银行"]
    leaked = "110105194912310021"
    rows = [
        ["911", "甲", "张三", None, ID_M, leaked, None, None, None, None, None],
        ["911", "甲", "李四", None, ID_M, HIRE, "张三" + leaked, None, None, None, None],
        ["911", "甲", "王五", leaked, ID_M, HIRE, None, leaked, leaked, leaked, None],
        ["9" * 30 + leaked + "9" * 20, "甲", "赵六" * 15 + leaked + "名" * 100, None, ID_M, HIRE, None, None, None,
         None, "银" * 30 + leaked + "银" * 20],
        ["911", "甲", "钱七", None, ID_M, "11010519491231002X", "110105491231002", None, None, None, None],
    ]
    result = run(roster_file, rows, "2025-11-20", header=header)
    assert set(result.problems["code"]) >= {"date_unreadable", "id_type_unknown", "employment_type_unknown",
                                            "card_status_unknown", "value_too_long"}
    texts = pd.concat([result.results["problem"], result.problems["message"], result.problems["value"]])
    texts = texts.dropna().astype(str)
    assert not [t for t in texts if SEVEN_DIGITS.search(t)], [t for t in texts if SEVEN_DIGITS.search(t)]
    assert "cannot read '110105********0021' as a date" in result.results["problem"].iloc[0]
    assert "cannot read '张三110105********0021' as a date" in result.results["problem"].iloc[1]


def test_file_errors_mask_an_id_number_in_the_file_name() -> None:
    _, errors = check_uploads([("张三110105194912310021.csv", b"")], D("2025-11-20"))
    assert errors and not [e for e in errors if SEVEN_DIGITS.search(e)]
    assert "张三110105********0021.csv" in errors[0]


# --- the employer given on the page is bounded (issue 20, finding 6) -----------------------------------------

# 300 people of their own (section 11: one SSN twice for one employer is duplicate_person)
ROSTER_WITHOUT_EMPLOYER = ("姓名,身份证号,入职日期\n" + "".join(f"张{i},{person(i)},{HIRE}\n" for i in range(300))
                           ).encode()


@pytest.mark.parametrize(("employer_id", "employer_name", "field"), [
    (None, "甲" * 1_048_576, "employer name"),  # 1 MB on 300 rows cost the server 1.8 GB
    (None, "甲" * 256, "employer name"),  # one more than MAX_EMPLOYER_NAME_CHARS
    ("9" * 65, "甲公司", "employer USCC"),  # one more than MAX_EMPLOYER_ID_CHARS
])
def test_an_employer_longer_than_the_store_keeps_is_refused_before_any_row_is_built(
        employer_id: str | None, employer_name: str, field: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the files were read")

    monkeypatch.setattr(jobs.checks, "read_uploads", no_reading)  # where check_uploads reads
    tracemalloc.start()
    try:
        started = time.perf_counter()
        result, errors = check_uploads([("r.csv", ROSTER_WITHOUT_EMPLOYER)], D("2025-11-20"),
                                       employer_id=employer_id, employer_name=employer_name)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.results.empty and result.problems.empty
    assert len(errors) == 1 and errors[0].startswith(f"the {field} given for rosters without employer columns: ")
    assert "nothing was checked" in errors[0] and len(errors[0]) < 200
    assert elapsed < 0.1 and peak < 1_000_000


def test_an_employer_name_the_store_keeps_is_applied_to_every_row() -> None:
    name = "甲" * registration.MAX_EMPLOYER_NAME_CHARS
    assert registration.MAX_EMPLOYER_NAME_CHARS == 255 and registration.MAX_EMPLOYER_ID_CHARS == 64
    result, errors = check_uploads([("r.csv", ROSTER_WITHOUT_EMPLOYER)], D("2025-11-20"),
                                   employer_id="911101055347017256", employer_name=name)
    assert errors == [] and len(result.results) == 300
    assert (result.results["employer_name"] == name).all() and result.results["problem_code"].isna().all()


# --- a NUL character is a row problem of its own (issue 20, finding 12) --------------------------------------

def test_a_nul_character_in_a_cell_is_a_row_problem_and_the_row_is_not_storable(roster_file) -> None:
    """PostgreSQL text cannot hold NUL (U+0000): one such cell made the whole file unstorable there while
    SQLite stored it. The row is checked and reported (``value_unstorable``), and no database sees it."""
    path = roster_file("nul.xlsx", [["统一社会信用代码", "单位名称", "姓名", "身份证号", "入职日期", "发卡银行"],
                                    ["911", "甲公司", "李_x0000_四", ID_M, HIRE, None],
                                    ["911", "甲_x0000_公司", "王五", person(101), HIRE, None],
                                    ["9_x0000_11", "甲公司", "赵六", person(102), HIRE, "工商_x0000_银行"],
                                    ["911", "甲公司", "钱七", person(103), HIRE, None]])
    roster = read_roster(path)
    assert "\x00" in roster[0].frame["name"].iloc[0]  # the reader decodes Excel's escape
    result = check(roster, D("2025-11-20"))
    rows = result.results
    assert rows["problem_code"].tolist()[:3] == ["value_unstorable"] * 3 and pd.isna(rows["problem_code"].iloc[3])
    assert rows["status"].tolist() == ["overdue"] * 4  # checked as usual
    assert "姓名 (column C): holds a NUL character (U+0000)" in rows["problem"].iloc[0]
    found = result.problems[result.problems["code"] == "value_unstorable"]
    assert found["column"].tolist() == ["姓名 (column C)", "单位名称 (column B)", "统一社会信用代码 (column A)",
                                        "发卡银行 (column F)"]
    assert found["value"].tolist() == ["李四", "甲公司", "911", "工商银行"]  # quoted without the NUL
    normalised = registration.normalise(roster[0]).rows
    assert registration.storable(normalised).tolist() == [False, False, False, True]


def test_a_row_without_employer_is_a_row_problem_and_not_storable(roster_file) -> None:
    """Issue 21: a valid ID and no employer (neither 统一社会信用代码 nor 单位名称) on a roster that names
    employers: the row is judged as usual, but the store cannot keep it, so it is a row problem."""
    header = ["统一社会信用代码", "单位名称", "姓名", "身份证号", "入职日期", "参保日期"]
    result = run(roster_file, [["911", "甲", "张三", ID_M, HIRE, None], [None, None, "李四", person(101), HIRE, None],
                               [None, "个体户王五", "王五", person(102), HIRE, None],
                               [None, None, "赵六", "123", HIRE, None]],
                 "2025-11-20", header=header)
    rows = result.results
    assert rows["problem"].tolist()[1] == ("统一社会信用代码 (column A): no employer (统一社会信用代码) on this row; "
                                           "the row is checked but not stored")
    assert rows["problem_code"].isna().tolist() == [True, False, True, True]
    assert rows["problem_code"][1] == "employer_missing"
    assert rows["status"].tolist() == ["overdue"] * 4
    problems = result.problems[result.problems["code"] == "employer_missing"]
    assert problems[["source_row", "column"]].values.tolist() == [[3, "统一社会信用代码 (column A)"]]
    assert storable(normalise(read_roster(roster_file("r2.csv", [header, [None, None, "李四", ID_M, HIRE, None]]))[0])
                    .rows).tolist() == [False]
    # a roster with the name column only: the label is the field's own name
    named = run(roster_file, [[None, "李四", ID_M, HIRE, None]], "2025-11-20",
                header=["单位名称", "姓名", "身份证号", "入职日期", "参保日期"], name="r3.csv")
    assert named.problems["column"].tolist() == ["employer_id"]
