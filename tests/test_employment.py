"""Who must be registered (shared README section 10): employment types, work permits, minors.

Dates worked out by hand from the 2025 State Council holiday notice (National Day 10/1-10/8; no
holiday in June-September apart from it):
- hire Mon 2025-06-02: + 30 days = Wed 2025-07-02, a working day: deadline 2025-07-02; as of
  2025-11-20 an unregistered employee is 141 days overdue (29 days to 07-31, 31 + 30 + 31 to 10-31, 20).
- work permit Fri 2025-08-01: + 30 days = Sun 2025-08-31, a rest day -> Mon 2025-09-01; as of
  2025-11-20 that is 80 days overdue (29 days to 09-30, 31 to 10-31, 20).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from conftest import gb11643

from compliance import jobs, premiums, store
from compliance.employers import summarise
from compliance.employment import normalise_employment_type
from compliance.registration import CheckResult, check
from compliance.rosters import read_roster

HEADER = ["统一社会信用代码", "单位名称", "姓名", "身份证号", "入职日期", "参保日期", "用工形式", "工作许可日期"]
EMP = "91110105MA0000001X"
AS_OF = dt.date(2025, 11, 20)
HIRE = "2025-06-02"
ID = [gb11643(f"1101051990030712{i}") for i in range(10)]
# section 11.3: a retiree (退休返聘) is exempt only at or above the original retirement age (men 60) on the hire
# date: born 1955-03-07, a man (17th digit 3), 70 on 2025-06-02; as of 2025-11-20 (before Order 56) duty none
RETIREE = gb11643("11010519550307123")


def run(roster_file, rows: list[list[object]], header: list[str] = HEADER) -> CheckResult:
    return check(read_roster(roster_file("r.csv", [header, *rows])), AS_OF)


RETIRED = "exempt: over the statutory retirement age"  # section 11.3: Art. 44(2), no longer SPC Interpretation (I)


@pytest.mark.parametrize(("written", "reason"), [
    ("退休返聘", RETIRED), ("返聘", RETIRED), ("Retired", RETIRED),
    ("实习", "student intern"), ("实习生", "student intern"), ("intern", "student intern"),
    ("劳务派遣", "dispatching agency"), ("派遣", "dispatching agency"), ("dispatched", "dispatching agency"),
    ("劳务", "service contract"), ("劳务关系", "service contract"), ("service", "service contract"),
])
def test_exempt_types_are_never_overdue(roster_file, written: str, reason: str) -> None:
    person = RETIREE if reason == RETIRED else ID[0]  # section 11.3: a retiree over the age
    result = run(roster_file, [[EMP, "甲", "张三", person, HIRE, None, written, None]])
    row = result.results.iloc[0]
    assert row["status"] == "exempt"
    assert reason in row["problem"]
    assert pd.isna(row["days_late"]) and pd.isna(row["days_left"]) and pd.isna(row["deadline"])
    assert not row["deadline_provisional"]
    # an exemption explains the row; it is not a problem of the file. Section 11.3: an ID past the reformed
    # age (born 1955, 60 for a man born before 1965-01) is coded over_statutory_age whatever the label
    assert result.problems["code"].tolist() == (["over_statutory_age"] if reason == RETIRED else [])
    assert row["duty"] == "none"  # section 11.3: duty none gives exempt


def test_a_retiree_below_the_original_age_carries_the_full_duty(roster_file) -> None:
    # section 11.3: 退休返聘 born 1990-03-07 (35 < 60 on the hire date) -> duty full, code
    # retired_below_statutory_age; deadline 2025-07-02, as of 2025-11-20 overdue 141 days
    result = run(roster_file, [[EMP, "甲", "张三", ID[0], HIRE, None, "退休返聘", None]])
    row = result.results.iloc[0]
    assert (row["status"], row["duty"], row["days_late"]) == ("overdue", "full", 141)
    assert result.problems["code"].tolist() == ["retired_below_statutory_age"]


PART_TIME = ["非全日制", "part-time", " Part Time "]


@pytest.mark.parametrize("written", [None, "全日制", "劳动合同", "full-time", *PART_TIME])
def test_full_and_part_time_keep_the_thirty_days(roster_file, written: str | None) -> None:
    result = run(roster_file, [[EMP, "甲", "张三", ID[0], HIRE, None, written, None]])
    row = result.results.iloc[0]
    assert (row["status"], row["deadline"], row["days_late"]) == ("overdue", pd.Timestamp("2025-07-02"), 141)
    if written in PART_TIME:  # section 11.3: part-time is work-injury only, explained in problem (not a problem)
        assert row["duty"] == "work_injury_only"
        assert row["problem"].startswith("part-time (非全日制): the employer registers work-injury insurance only")
        assert result.problems.empty
    else:
        assert row["duty"] == "full"
        assert pd.isna(row["problem"])


def test_unknown_employment_type_counts_as_full_time_and_is_noted(roster_file) -> None:
    result = run(roster_file, [[EMP, "甲", "张三", ID[0], HIRE, None, "临时工", None]])
    row = result.results.iloc[0]
    assert (row["status"], row["days_late"]) == ("overdue", 141)
    assert "'临时工' is not an employment type we know" in row["problem"]
    problem = result.problems.iloc[0]
    assert (problem["code"], problem["value"], problem["source_row"]) == ("employment_type_unknown", "临时工", 2)
    assert problem["column"] == "用工形式 (column G)"


def test_employment_type_codes() -> None:
    codes, unknown, _ = normalise_employment_type(pd.Series(["劳务派遣", "", None, "兼职", "x"], dtype=object))
    assert codes.tolist() == ["dispatched", "full_time", "full_time", "part_time", "full_time"]
    assert unknown.tolist() == [False, False, False, False, True]


def test_work_permit_later_than_hire_starts_the_thirty_days(roster_file) -> None:
    result = run(roster_file, [
        [EMP, "甲", "Smith", ID[0], HIRE, None, None, "2025-08-01"],        # later: deadline from the permit
        [EMP, "甲", "Jones", ID[1], HIRE, None, None, "2025-05-01"],        # earlier: the hire date counts
        [EMP, "甲", "Brown", ID[2], HIRE, "2025-08-20", None, "2025-08-01"],  # late by the hire, on time by the permit
    ])
    smith, jones, brown = (result.results.iloc[i] for i in range(3))
    assert (smith["deadline"], smith["status"], smith["days_late"]) == (pd.Timestamp("2025-09-01"), "overdue", 80)
    assert "work permit dated 2025-08-01 is later than the hire date" in smith["problem"]
    assert "Order No. 16" in smith["problem"]
    assert (jones["deadline"], jones["days_late"]) == (pd.Timestamp("2025-07-02"), 141)
    assert pd.isna(jones["problem"])
    assert (brown["deadline"], brown["status"]) == (pd.Timestamp("2025-09-01"), "on_time")
    assert result.problems.empty  # explanations, not problems


def test_unreadable_work_permit_date_is_a_problem(roster_file) -> None:
    result = run(roster_file, [[EMP, "甲", "Smith", ID[0], HIRE, None, None, "不详"]])
    row = result.results.iloc[0]
    assert (row["status"], row["days_late"]) == ("overdue", 141)  # the hire date still counts
    assert result.problems.iloc[0]["code"] == "date_unreadable"
    assert result.problems.iloc[0]["column"] == "工作许可日期 (column H)"


def test_under_16_on_the_hire_date_is_noted(roster_file) -> None:
    fifteen = gb11643("110105" + "20090603" + "123")  # 16 on 2025-06-03: one day short on the hire date
    sixteen = gb11643("110105" + "20090602" + "123")  # 16 on the hire date itself
    result = run(roster_file, [[EMP, "甲", "小明", fifteen, HIRE, None, None, None],
                               [EMP, "甲", "小红", sixteen, HIRE, None, None, None]])
    young, of_age = result.results.iloc[0], result.results.iloc[1]
    assert young["status"] == "overdue"  # status as usual
    assert "under 16 on the hire date (born 2009-06-03)" in young["problem"]
    assert "Labour Law Art. 15" in young["problem"]
    assert pd.isna(of_age["problem"])
    assert result.problems["code"].tolist() == ["under_16"]


def test_employers_count_exempt_apart_and_never_flag_them(roster_file) -> None:
    result = run(roster_file, [
        [EMP, "甲", "a", RETIREE, HIRE, None, "退休返聘", None],  # section 11.3: over the age, exempt
        [EMP, "甲", "b", ID[1], HIRE, None, None, None],
        ["91110105MA0000002X", "乙", "c", ID[2], HIRE, None, "实习", None],
    ])
    summary = summarise(result.results).set_index("employer_id")
    a, b = summary.loc[EMP], summary.loc["91110105MA0000002X"]
    assert (a["employees"], a["overdue"], a["exempt"], bool(a["flag_premium_verification"])) == (2, 1, 1, True)
    assert (b["employees"], b["exempt"], bool(b["flag_premium_verification"])) == (1, 1, False)
    assert pd.isna(b["flag_reason"])


def test_stored_rows_keep_the_type_and_the_permit(db_url: str, tmp_path: Path, roster_file) -> None:
    path = roster_file("stored.csv", [HEADER,
                                      [EMP, "甲", "退休", RETIREE, HIRE, None, "退休返聘", None],  # 11.3: over 60
                                      [EMP, "甲", "外籍", ID[1], HIRE, None, None, "2025-08-01"],
                                      [EMP, "甲", "全职", ID[2], HIRE, None, None, None]])
    engine = store.connect(db_url)
    jobs.store_roster(engine, path, uploaded_by="tester")
    judged = jobs.stored_status(engine, AS_OF).set_index("name")
    assert judged.loc["退休", "status"] == "exempt"
    assert (judged.loc["外籍", "deadline"], judged.loc["外籍", "days_late"]) == (pd.Timestamp("2025-09-01"), 80)
    assert judged.loc["全职", "days_late"] == 141
    assert jobs.flagged_employers(judged.reset_index()) == [EMP]
    sheet = jobs.worksheet(engine, EMP, AS_OF, premiums.load_params("beijing"))
    assert set(sheet.overdue["name"]) == {"外籍", "全职"}  # the worksheet leaves the exempt row out


def test_crosscheck_leaves_exempt_rows_out(db_url: str, roster_file) -> None:
    # the employer is in the registry, and neither person has a record there: the roster's dates are
    # unconfirmed. Only the full-time one is a finding; the intern carries no Art. 58 duty.
    roster = roster_file("roster.csv", [HEADER,
                                        [EMP, "甲", "实习", ID[0], HIRE, "2025-06-10", "实习", None],
                                        [EMP, "甲", "全职", ID[1], HIRE, "2025-06-10", None, None]])
    registry = roster_file("registry.csv", [["社会保障号码", "统一社会信用代码", "参保登记日期"],
                                            [ID[2], EMP, "2025-06-10"]])
    engine = store.connect(db_url)
    jobs.store_roster(engine, roster, uploaded_by="tester")
    jobs.import_registry(engine, registry, uploaded_by="tester")
    found = jobs.findings(engine)
    not_in_registry = found[found["finding"] == "not_in_registry"]
    assert not_in_registry["name"].tolist() == ["全职"]
