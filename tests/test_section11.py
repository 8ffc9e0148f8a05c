"""Shared README section 11.1, 11.2, 11.3 and 11.7 (revision of 2026-12-02), worked by hand from the rule.

Every roster is a small CSV with the headers HR exports, read by ``compliance.rosters.read_roster`` and
judged by ``compliance.registration.check(..., coded=True)``; the contract columns go through
``python -m compliance check/employers ... --out x.csv`` in a subprocess.

Deadlines (section 2): hire date + 30 days (the day of hire not counted), rolled to the next working day by
the State Council holiday notices. The dates used:

- 2025 notice: Spring Festival 1/28-2/4, Qingming 4/4-4/6, Labour Day 5/1-5/5 (Sun 4/27 worked), Dragon Boat
  5/31-6/2, National Day 10/1-10/8 (Sun 9/28 and Sat 10/11 worked).
- 2026 notice: New Year 1/1-1/3, Spring Festival 2/15-2/23, Qingming 4/4-4/6, Labour Day 5/1-5/5, Dragon Boat
  6/19-6/21, Mid-Autumn 9/25-9/27, National Day 10/1-10/7 (Sun 9/20, Sat 10/10 worked).
- 2023 notice: Dragon Boat 6/22-6/24.

Hires used and their deadlines (hire + 30; none of these lands on a rest day):

- Mon 2025-06-02 -> Wed 2025-07-02 (28 days to 6/30, 2 more), a working day: ``DEADLINE``.
- Tue 2025-07-15 -> Thu 2025-08-14 (16 days to 7/31, 14 more), working (the rulebook's Beijing example).
- Tue 2023-05-16 -> Thu 2023-06-15 (15 days to 5/31, 15 more), working (Dragon Boat is 6/22).
- Mon 2025-03-31 -> Wed 2025-04-30 (30 days of April), working (Labour Day starts 5/1).
- Over-age from 2026-07-01: max(hire, Wed 2026-07-01) + 30 = Fri 2026-07-31, working (no July holiday).
- Mon 2026-07-06 -> Wed 2026-08-05 (25 days to 7/31, 5 more), working.
- Wed 2026-05-06 -> Fri 2026-06-05 (25 days to 5/31, 5 more), working (Dragon Boat is 6/19).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import gb11643

from compliance.registration import CheckResult, check
from compliance.rosters import read_roster

ROOT = Path(__file__).resolve().parents[1]
D = dt.date.fromisoformat
T = pd.Timestamp

HIRE = "2025-06-02"  # Monday
DEADLINE = T("2025-07-02")  # Wednesday, a working day (see the module docstring)
REG_ON_TIME = "2025-06-20"  # Friday, before the deadline


def uscc(first17: str) -> str:
    """A unified social credit code with its GB 32100-2015 check character."""
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(chars.index(c) * w for c, w in zip(first17, weights, strict=True))
    return first17 + chars[(31 - total % 31) % 31]


EMP_A = uscc("91110105MA0000001")
EMP_B = uscc("91110105MA0000002")
EMP_C = uscc("91110105MA0000003")
EMP_D = uscc("91110105MA0000004")


def rid(birth: str, seq: str = "123") -> str:
    """A valid resident ID of Chaoyang District, Beijing (110105) born on ``birth`` (YYYYMMDD); ``seq`` odd = man,
    even = woman."""
    return gb11643(f"110105{birth}{seq}")


MAN_1990 = rid("19900307", "123")  # 35 in 2025: far from any retirement age


def write(roster_file, header: list[str], rows: list[list[object]], name: str = "r.csv") -> Path:
    return roster_file(name, [header, *rows])


def run(path: Path, as_of: str) -> CheckResult:
    return check(read_roster(path), D(as_of), coded=True)


def judge(roster_file, header: list[str], rows: list[list[object]], as_of: str) -> CheckResult:
    return run(write(roster_file, header, rows), as_of)


def codes(row: pd.Series) -> set[str]:
    """The problem codes of one result row (its ``problem_coded`` structure)."""
    value = row["problem_coded"]
    if value is None or (not isinstance(value, list | str) and pd.isna(value)):
        return set()
    entries = json.loads(value) if isinstance(value, str) else value
    return {entry[0] for entry in entries}


def by_row(result: CheckResult) -> dict[int, pd.Series]:
    return {int(r["source_row"]): r for _, r in result.results.iterrows()}


def num(value: object) -> object:
    return None if pd.isna(value) else int(value)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "compliance", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def truthy(value: str) -> bool:
    return value.strip().lower() in ("true", "1", "yes")


# ========================================= 11.1 Roster fields =========================================

BASE = ["单位名称", "统一社会信用代码", "姓名", "身份证号"]


@pytest.mark.parametrize("career_header", ["参加工作日期", "参加工作时间"])
def test_career_start_alone_is_not_a_hire_date(roster_file, career_header: str) -> None:
    # 11.1: 参加工作日期 / 参加工作时间 name the start of a working life (工龄), not of this employment. A roster
    # whose only such date column is career_start_date: invalid, code hire_date_is_career_start.
    result = judge(roster_file, [*BASE, career_header, "参保日期"],
                   [["甲公司", EMP_A, "张三", MAN_1990, "2010-07-01", REG_ON_TIME]], "2025-08-01")
    row = result.results.iloc[0]
    assert row["status"] == "invalid"
    assert "hire_date_is_career_start" in codes(row)
    assert pd.isna(row["hire_date"])
    assert row["career_start_date"] == T("2010-07-01")  # shown, never judged


def test_career_start_beside_the_hire_date_is_shown_only(roster_file) -> None:
    # 11.1: with 入职日期 too, the hire date is 入职日期 (Mon 2025-06-02 -> deadline Wed 2025-07-02), and the career
    # start (2010-07-01) is shown as career_start_date. Registered 2025-06-20 <= deadline: on_time.
    result = judge(roster_file, [*BASE, "参加工作日期", "入职日期", "参保日期"],
                   [["甲公司", EMP_A, "张三", MAN_1990, "2010-07-01", HIRE, REG_ON_TIME]], "2025-08-01")
    row = result.results.iloc[0]
    assert row["hire_date"] == T(HIRE)
    assert row["career_start_date"] == T("2010-07-01")
    assert row["deadline"] == DEADLINE
    assert row["status"] == "on_time"
    assert "hire_date_is_career_start" not in codes(row)


@pytest.mark.parametrize("header", ["入职时间", "到岗日期", "用工日期"])
def test_the_new_hire_date_headers(roster_file, header: str) -> None:
    # 11.1: hire_date headers 入职日期, 用工日期, 入职时间, 到岗日期: hire Mon 2025-06-02 -> deadline Wed 2025-07-02.
    result = judge(roster_file, [*BASE, header, "参保日期"],
                   [["甲公司", EMP_A, "张三", MAN_1990, HIRE, REG_ON_TIME]], "2025-08-01")
    row = result.results.iloc[0]
    assert (row["hire_date"], row["deadline"], row["status"]) == (T(HIRE), DEADLINE, "on_time")


@pytest.mark.parametrize("written", ["2025-07", "202507", "2025年7月", "2025.07", "2025/07"])
def test_month_only_registration_in_each_written_form(roster_file, written: str) -> None:
    # 11.1/11.2: a registration of month precision is that month, never invalid. Hire Mon 2025-06-02, deadline
    # Wed 2025-07-02 lies inside July 2025 -> on_time, code registration_month_only, shown as 2025-07-01.
    result = judge(roster_file, [*BASE, "入职日期", "参保日期"],
                   [["甲公司", EMP_A, "张三", MAN_1990, HIRE, written]], "2025-10-01")
    row = result.results.iloc[0]
    assert row["status"] == "on_time"
    assert row["registration_date"] == T("2025-07-01")
    assert "registration_month_only" in codes(row)


@pytest.mark.parametrize("written", ["2025-08", "202508", "2025年8月", "2025.08", "2025/08"])
def test_month_only_registration_after_the_deadline_in_each_form(roster_file, written: str) -> None:
    # 11.2: August 2025 starts after the deadline Wed 2025-07-02 -> late, days_late = 2025-08-01 - 2025-07-02 = 30
    # (29 days to 7/31, 1 more) - a lower bound.
    result = judge(roster_file, [*BASE, "入职日期", "参保日期"],
                   [["甲公司", EMP_A, "张三", MAN_1990, HIRE, written]], "2025-10-01")
    row = result.results.iloc[0]
    assert row["status"] == "late"
    assert num(row["days_late"]) == 30
    assert row["registration_date"] == T("2025-08-01")
    assert "registration_month_only" in codes(row)


INSURANCE_WORDS = [("正常", "active"), ("参保缴费", "active"), ("在职", "active"), ("active", "active"),
                   ("暂停缴费", "suspended"), ("中断", "suspended"), ("停保", "suspended"), ("suspended", "suspended"),
                   ("终止参保", "terminated"), ("已转出", "terminated"), ("转出", "terminated"), ("终止", "terminated"),
                   ("terminated", "terminated"), (" Active ", "active")]


def test_insurance_status_words(roster_file) -> None:
    # 11.1 table: 正常, 参保缴费, 在职, active -> active; 暂停缴费, 中断, 停保, suspended -> suspended;
    # 终止参保, 已转出, 转出, 终止, terminated -> terminated (case- and space-insensitive).
    rows = [["甲公司", EMP_A, f"员工{i}", rid("19900307", f"{100 + 2 * i + 1:03d}"), HIRE, REG_ON_TIME, word]
            for i, (word, _) in enumerate(INSURANCE_WORDS)]
    result = judge(roster_file, [*BASE, "入职日期", "参保日期", "参保状态"], rows, "2025-08-01")
    assert list(result.results["insurance_status"]) == [code for _, code in INSURANCE_WORDS]


DISPATCH_WORDS = [("是", "yes"), ("yes", "yes"), ("y", "yes"), ("1", "yes"),
                  ("否", "no"), ("no", "no"), ("n", "no"), ("0", "no"), ("YES", "yes")]


def test_dispatch_branch_words(roster_file) -> None:
    # 11.1 table: 是, yes, y, 1 -> yes; 否, no, n, 0 -> no.
    rows = [["甲公司", EMP_A, f"员工{i}", rid("19900307", f"{100 + 2 * i + 1:03d}"), HIRE, REG_ON_TIME, "劳务派遣",
             word] for i, (word, _) in enumerate(DISPATCH_WORDS)]
    result = judge(roster_file, [*BASE, "入职日期", "参保日期", "用工形式", "派遣单位本地分支机构"], rows, "2025-08-01")
    assert list(result.results["dispatch_local_branch"]) == [code for _, code in DISPATCH_WORDS]


# ============================================ 11.2 Status ============================================

LEAVE = [*BASE, "入职日期", "参保日期", "离职日期"]


def test_leaver_before_the_deadline(roster_file) -> None:
    # Hire Mon 2025-06-02, deadline Wed 2025-07-02; not registered. Left Fri 2025-06-20 (<= deadline), and one
    # left on the deadline itself (<= counts): left_before_deadline, no days_late; the problem says premiums for
    # the months worked may still be due.
    result = judge(roster_file, LEAVE, [["甲公司", EMP_A, "张三", MAN_1990, HIRE, None, "2025-06-20"],
                                        ["甲公司", EMP_A, "李四", rid("19910405", "135"), HIRE, None, "2025-07-02"]],
                   "2025-08-01")
    for row in result.results.itertuples():
        assert row.status == "left_before_deadline"
        assert pd.isna(row.days_late)
        assert "premium" in row.problem.lower()
    assert list(result.results["leave_date"]) == [T("2025-06-20"), T("2025-07-02")]


def test_leaver_after_the_deadline_rulebook_beijing_example(roster_file) -> None:
    # The Beijing example: hired Tue 2025-07-15 -> deadline Thu 2025-08-14 (a working day); left Wed 2025-08-20,
    # never registered, as of 2025-10-01: overdue, days_late = leave - deadline = 2025-08-20 - 2025-08-14 = 6
    # (not as-of - deadline = 48: the violation ended with the employment).
    result = judge(roster_file, LEAVE, [["北京某公司", EMP_A, "张三", MAN_1990, "2025-07-15", None, "2025-08-20"]],
                   "2025-10-01")
    row = result.results.iloc[0]
    assert row["deadline"] == T("2025-08-14")
    assert row["status"] == "overdue"
    assert num(row["days_late"]) == 6
    assert row["leave_date"] == T("2025-08-20")


def test_leave_on_the_as_of_date_counts(roster_file) -> None:
    # "Only a leave_date on or before the as-of date counts": hired 2025-07-15 (deadline Thu 2025-08-14), left on
    # the as-of date 2025-10-01 -> overdue, days_late = 2025-10-01 - 2025-08-14 = 48 (31 to 9/14, 17 more), and no
    # leave_date_after_as_of.
    result = judge(roster_file, LEAVE, [["甲公司", EMP_A, "张三", MAN_1990, "2025-07-15", None, "2025-10-01"]],
                   "2025-10-01")
    row = result.results.iloc[0]
    assert (row["status"], num(row["days_late"])) == ("overdue", 48)
    assert "leave_date_after_as_of" not in codes(row)


def test_leave_date_after_the_as_of_date_is_ignored(roster_file) -> None:
    # Hire 2025-06-02 (deadline Wed 2025-07-02), not registered, "left" 2025-09-01 but as of 2025-08-01: the leave
    # does not count (code leave_date_after_as_of), so overdue with days_late = as-of - deadline = 2025-08-01 -
    # 2025-07-02 = 30.
    result = judge(roster_file, LEAVE, [["甲公司", EMP_A, "张三", MAN_1990, HIRE, None, "2025-09-01"]], "2025-08-01")
    row = result.results.iloc[0]
    assert row["status"] == "overdue"
    assert num(row["days_late"]) == 30
    assert "leave_date_after_as_of" in codes(row)


def test_leaver_before_the_deadline_by_a_later_as_of_only(roster_file) -> None:
    # A leave dated before the deadline but after the as-of date: ignored, so the row is judged as employed - as of
    # Mon 2025-06-23 the deadline Wed 2025-07-02 is 9 days away: pending, days_left 9, leave_date_after_as_of.
    result = judge(roster_file, LEAVE, [["甲公司", EMP_A, "张三", MAN_1990, HIRE, None, "2025-06-30"]], "2025-06-23")
    row = result.results.iloc[0]
    assert (row["status"], num(row["days_left"])) == ("pending", 9)
    assert "leave_date_after_as_of" in codes(row)


def test_two_year_inspection_limit(roster_file) -> None:
    # Row 2: hired Tue 2023-05-16 -> deadline Thu 2023-06-15 (Dragon Boat 2023 is 6/22-6/24), never registered,
    # left 2023-09-15. As of 2025-10-01 the leave (the end of the violation) is more than two years back
    # (2023-09-15 + 2 years = 2025-09-15 < 2025-10-01): overdue, days_late = 2023-09-15 - 2023-06-15 = 92
    # (15 + 31 + 31 + 15), code inspection_time_limit.
    # Row 3: same hire, still employed: no limit; days_late = 2025-10-01 - 2023-06-15 = 839 (731 to 2025-06-15
    # with 2024's 29 February, then 108).
    # Row 4: hire 2025-06-02, left 2025-08-01, within two years: days_late = 2025-08-01 - 2025-07-02 = 30, no code.
    result = judge(roster_file, LEAVE, [["甲公司", EMP_A, "张三", MAN_1990, "2023-05-16", None, "2023-09-15"],
                                        ["甲公司", EMP_A, "李四", rid("19910405", "135"), "2023-05-16", None, None],
                                        ["甲公司", EMP_A, "王五", rid("19920506", "157"), HIRE, None, "2025-08-01"]],
                   "2025-10-01")
    rows = by_row(result)
    assert rows[2]["deadline"] == T("2023-06-15")
    assert (rows[2]["status"], num(rows[2]["days_late"])) == ("overdue", 92)
    assert "inspection_time_limit" in codes(rows[2])
    assert (rows[3]["status"], num(rows[3]["days_late"])) == ("overdue", 839)
    assert "inspection_time_limit" not in codes(rows[3])
    assert (rows[4]["status"], num(rows[4]["days_late"])) == ("overdue", 30)
    assert "inspection_time_limit" not in codes(rows[4])


DEREG = [*BASE, "入职日期", "参保日期", "离职日期", "减员日期", "参保状态"]
LEFT = "2025-08-01"  # Friday; + 15 days = Sat 2025-08-16, a rest day -> Mon 2025-08-18 (no August holiday)


def test_deregistration_late_after_the_rolled_deadline(roster_file) -> None:
    # Registered on time (2025-06-20), left Fri 2025-08-01: deregistration deadline = 2025-08-16 (Saturday) rolled
    # to Mon 2025-08-18. Row 2: 减员 Wed 2025-08-20 -> deregistration_late, 2 days after 2025-08-18. Row 3: 减员 on
    # Mon 2025-08-18 itself -> not late (unrolled, 8/16, it would be). Status stays on_time.
    result = judge(
        roster_file, DEREG,
        [["甲公司", EMP_A, "张三", MAN_1990, HIRE, REG_ON_TIME, LEFT, "2025-08-20", None],
         ["甲公司", EMP_A, "李四", rid("19910405", "135"), HIRE, REG_ON_TIME, LEFT, "2025-08-18", None]],
        "2025-09-01")
    rows = by_row(result)
    assert rows[2]["status"] == rows[3]["status"] == "on_time"
    assert "deregistration_late" in codes(rows[2])
    assert "2025-08-18" in rows[2]["problem"] and "2 days" in rows[2]["problem"]
    assert not codes(rows[3]) & {"deregistration_late", "deregistration_missing"}


@pytest.mark.parametrize(("status_word", "as_of", "missing"), [
    (None, "2025-09-01", True),        # as-of past Mon 2025-08-18, no 减员, status unknown -> missing
    ("正常", "2025-09-01", True),      # still "active" in the file: missing
    ("终止参保", "2025-09-01", False),  # terminated: the relationship has ended, nothing missing
    ("已转出", "2025-09-01", False),    # terminated (transferred out)
    ("暂停缴费", "2025-09-01", False),  # suspended
    ("停保", "2025-09-01", False),      # suspended
    (None, "2025-08-18", False),       # as-of on the deadline, not past it
    (None, "2025-08-19", True),        # the day after
])
def test_deregistration_missing(roster_file, status_word: str | None, as_of: str, missing: bool) -> None:
    # Registered on time, left Fri 2025-08-01, deregistration deadline Sat 8/16 -> Mon 2025-08-18.
    result = judge(roster_file, DEREG, [["甲公司", EMP_A, "张三", MAN_1990, HIRE, REG_ON_TIME, LEFT, None,
                                         status_word]], as_of)
    row = result.results.iloc[0]
    assert row["status"] == "on_time"
    assert ("deregistration_missing" in codes(row)) is missing
    assert "deregistration_late" not in codes(row)


def test_no_deregistration_duty_for_a_leave_after_the_as_of_date(roster_file) -> None:
    # Registered, "left" 2025-09-01, as of 2025-08-25: the leave does not count, so no 减员 is due yet.
    result = judge(
        roster_file, DEREG, [["甲公司", EMP_A, "张三", MAN_1990, HIRE, REG_ON_TIME, "2025-09-01", None, None]],
        "2025-08-25")
    row = result.results.iloc[0]
    assert "leave_date_after_as_of" in codes(row)
    assert not codes(row) & {"deregistration_late", "deregistration_missing"}


def test_pending_notes_the_work_injury_burden(roster_file) -> None:
    # Hire 2025-06-02, deadline Wed 2025-07-02, as of Fri 2025-06-20, not registered: pending, days_left = 12;
    # problem: until registration the employer bears work-injury (工伤) benefits itself, 工伤保险条例 Art. 62(2).
    result = judge(roster_file, LEAVE, [["甲公司", EMP_A, "张三", MAN_1990, HIRE, None, None]], "2025-06-20")
    row = result.results.iloc[0]
    assert (row["status"], num(row["days_left"])) == ("pending", 12)
    assert "62" in row["problem"]
    assert "工伤" in row["problem"] or "work-injury" in row["problem"].lower()


# ===================================== 11.3 Who carries which duty =====================================

KIND = [*BASE, "入职日期", "参保日期", "用工形式"]


def test_part_time_carries_work_injury_only(roster_file) -> None:
    # 非全日制 -> work_injury_only (劳社部发〔2003〕12号), same 30 days: hire 2025-06-02, deadline Wed 2025-07-02, as of
    # 2025-08-01 not registered -> overdue, days_late 30.
    result = judge(roster_file, KIND, [["甲公司", EMP_A, "张三", MAN_1990, HIRE, None, "非全日制"]], "2025-08-01")
    row = result.results.iloc[0]
    assert row["duty"] == "work_injury_only"
    assert (row["deadline"], row["status"], num(row["days_late"])) == (DEADLINE, "overdue", 30)


RETIREE = rid("19550110", "013")  # a man born 1955-01-10: 70 in 2025, over any retirement age


def test_retiree_before_order_56(roster_file) -> None:
    # 退休返聘 hired 2025-06-02, as of Tue 2026-06-30 (before 2026-07-01): no duty -> duty none, status exempt.
    result = judge(roster_file, KIND, [["甲公司", EMP_A, "张三", RETIREE, HIRE, None, "退休返聘"]], "2026-06-30")
    row = result.results.iloc[0]
    assert (row["duty"], row["status"]) == ("none", "exempt")


@pytest.mark.parametrize(("as_of", "status", "days"), [("2026-07-15", "pending", 16), ("2026-08-01", "overdue", 1)])
def test_retiree_from_order_56(roster_file, as_of: str, status: str, days: int) -> None:
    # From 2026-07-01 (Order 56 Art. 15): work_injury_only, 30 days from max(hire 2025-06-02, Wed 2026-07-01) =
    # Fri 2026-07-31 (a working day). As of 2026-07-15: pending, 16 days left; as of Sat 2026-08-01: overdue by 1.
    # Code work_injury_required.
    result = judge(roster_file, KIND, [["甲公司", EMP_A, "张三", RETIREE, HIRE, None, "退休返聘"]], as_of)
    row = result.results.iloc[0]
    assert row["duty"] == "work_injury_only"
    assert row["deadline"] == T("2026-07-31")
    assert row["status"] == status
    assert num(row["days_left" if status == "pending" else "days_late"]) == days
    assert "work_injury_required" in codes(row)


@pytest.mark.parametrize("as_of", ["2026-06-30", "2026-08-01"])
def test_retiree_past_the_age_is_coded_over_age_whatever_the_label(roster_file, as_of: str) -> None:
    # 11.3: "Anyone (any label) at or above the reformed age on the hire date - men by the 60 table - is over-age,
    # code over_statutory_age". The man born 1955-01-10 (before 1965-01: 60 years, reached 2015-01-10) is 70 on the
    # hire date 2025-06-02, labelled 退休返聘 or not.
    result = judge(roster_file, KIND, [["甲公司", EMP_A, "张三", RETIREE, HIRE, None, "退休返聘"],
                                       ["甲公司", EMP_A, "李四", rid("19550110", "035"), HIRE, None, None]], as_of)
    for row in result.results.itertuples():
        assert "over_statutory_age" in codes(pd.Series(row._asdict())), row.source_row


def test_retiree_hired_after_order_56(roster_file) -> None:
    # Hired Mon 2026-07-06 (after 2026-07-01): deadline Wed 2026-08-05; as of Mon 2026-08-10 overdue by 5.
    result = judge(
        roster_file, KIND, [["甲公司", EMP_A, "张三", RETIREE, "2026-07-06", None, "退休返聘"]], "2026-08-10")
    row = result.results.iloc[0]
    assert (row["duty"], row["deadline"], row["status"], num(row["days_late"])) == (
        "work_injury_only", T("2026-08-05"), "overdue", 5)
    assert "work_injury_required" in codes(row)


# Men, original 60, from 1965-01: + ceil((m + 1) / 4) months, at most 36, m = months since 1965-01.
#  - born 1965-03-10: m = 2, ceil(3/4) = 1 -> 60y1m, reached 2025-04-10.
#  - born 1970-06-20: m = 65, ceil(66/4) = 17 -> 61y5m, reached 2031-11-20.
#  - born 1976-12-15: m = 143, ceil(144/4) = 36 (the cap) -> 63y, reached 2039-12-15.
@pytest.mark.parametrize(("birth", "seq", "hire", "as_of", "over"), [
    ("19650310", "015", "2025-03-31", "2025-06-30", False),  # 60y0m21d: over 60, under 60y1m -> full
    ("19650310", "015", "2025-04-09", "2025-06-30", False),  # the day before 60y1m
    ("19650310", "015", "2025-04-10", "2025-06-30", True),   # 60y1m exactly ("at or above")
    ("19650310", "015", "2025-05-12", "2025-06-30", True),
    ("19700620", "017", "2031-11-19", "2031-11-29", False),  # 61y4m30d
    ("19700620", "017", "2031-11-20", "2031-11-30", True),   # 61y5m
    ("19761215", "019", "2039-06-01", "2039-06-11", False),  # 62y5m: under the capped 63
    ("19761215", "019", "2039-12-14", "2039-12-24", False),
    ("19761215", "019", "2039-12-15", "2039-12-25", True),   # 63y
])
def test_mens_reformed_retirement_age(roster_file, birth: str, seq: str, hire: str, as_of: str, over: bool) -> None:
    # Over-age on the hire date (any label): code over_statutory_age; duty none before 2026-07-01 (2025 rows: as of
    # 2026-06-30 at the latest -> exempt), work_injury_only from then on (2031 and 2039 rows). Younger: full.
    result = judge(roster_file, KIND, [["甲公司", EMP_A, "张三", rid(birth, seq), hire, None, None]], as_of)
    row = result.results.iloc[0]
    assert ("over_statutory_age" in codes(row)) is over
    before_order_56 = D(as_of) < D("2026-07-01")
    expected = ("none" if before_order_56 else "work_injury_only") if over else "full"
    assert row["duty"] == expected
    if over and before_order_56:
        assert row["status"] == "exempt"


def test_over_age_man_full_duty_keeps_the_normal_deadline(roster_file) -> None:
    # Born 1965-03-10, hired Mon 2025-03-31 (60 but under 60y1m): full, deadline Wed 2025-04-30 (the day before
    # Labour Day, a working day); as of Sun 2025-06-01 not registered: overdue, 2025-06-01 - 2025-04-30 = 32.
    result = judge(roster_file, KIND, [["甲公司", EMP_A, "张三", rid("19650310", "015"), "2025-03-31", None, None]],
                   "2025-06-01")
    row = result.results.iloc[0]
    assert (row["duty"], row["deadline"], row["status"], num(row["days_late"])) == (
        "full", T("2025-04-30"), "overdue", 32)


# Women on the 55 table (from 1970-01, + ceil((m + 1) / 4), at most 36) and the 50 table (from 1975-01,
# + floor(m / 2) + 1, at most 60):
#  - born 1970-05-15: 55 table m = 4 -> +2 -> 55y2m, reached 2025-07-15; 50 table: born before 1975 -> 50,
#    reached 2020-05-15. Between 2020-05-15 and 2025-07-15: uncertain.
#  - born 1976-03-10: 50 table m = 14 -> 7 + 1 = 8 -> 50y8m, reached 2026-11-10; 55 table m = 74 -> ceil(75/4) = 19
#    -> 55y7m, reached 2031-10-10.
@pytest.mark.parametrize(("birth", "hire", "as_of", "duty", "code"), [
    ("19700515", "2025-06-02", "2025-08-01", "full", "retirement_age_uncertain"),  # 55y0m: under 55y2m
    ("19700515", "2025-07-14", "2025-08-01", "full", "retirement_age_uncertain"),  # the day before 55y2m
    ("19700515", "2025-07-15", "2025-08-01", "none", "over_statutory_age"),        # 55y2m, before Order 56
    ("19700515", "2026-07-06", "2026-07-16", "work_injury_only", "over_statutory_age"),  # 56y, after Order 56
    ("19760310", "2026-11-09", "2026-11-19", "full", None),                        # 50y7m30d: under 50y8m
    ("19760310", "2026-11-10", "2026-11-20", "full", "retirement_age_uncertain"),  # 50y8m
])
def test_womens_reformed_retirement_age(roster_file, birth: str, hire: str, as_of: str, duty: str,
                                        code: str | None) -> None:
    result = judge(roster_file, KIND, [["甲公司", EMP_A, "李梅", rid(birth, "024"), hire, None, None]], as_of)
    row = result.results.iloc[0]
    assert row["duty"] == duty
    found = codes(row) & {"retirement_age_uncertain", "over_statutory_age"}
    assert found == ({code} if code else set())


def test_woman_between_her_ages_keeps_the_normal_status(roster_file) -> None:
    # Born 1970-05-15, hired 2025-06-02 (uncertain, full): deadline Wed 2025-07-02, as of 2025-08-01 overdue by 30.
    result = judge(
        roster_file, KIND, [["甲公司", EMP_A, "李梅", rid("19700515", "024"), HIRE, None, None]], "2025-08-01")
    row = result.results.iloc[0]
    assert (row["status"], num(row["days_late"])) == ("overdue", 30)


@pytest.mark.parametrize(("birth", "seq"), [("19800110", "024"), ("19700110", "013")])
def test_retired_below_the_original_age(roster_file, birth: str, seq: str) -> None:
    # 退休返聘 but younger on the hire date than the original age: a woman born 1980-01-10 (45 < 50) and a man born
    # 1970-01-10 (55 < 60) -> duty full, code retired_below_statutory_age; hire 2025-06-02, deadline Wed 2025-07-02,
    # as of 2025-08-01 not registered: overdue by 30 (not exempt).
    result = judge(
        roster_file, KIND, [["甲公司", EMP_A, "王某", rid(birth, seq), HIRE, None, "退休返聘"]], "2025-08-01")
    row = result.results.iloc[0]
    assert row["duty"] == "full"
    assert "retired_below_statutory_age" in codes(row)
    assert (row["status"], num(row["days_late"])) == ("overdue", 30)


@pytest.mark.parametrize("word", ["自愿放弃社保", "放弃缴纳社保", "放弃参保", "不缴社保", "社保补贴代替"])
def test_waiver_is_void(roster_file, word: str) -> None:
    # A waiver is void (法释〔2025〕12号 Art. 19): full duty, code waiver_void; hire 2025-06-02, as of 2025-08-01,
    # not registered: overdue by 30.
    result = judge(roster_file, KIND, [["甲公司", EMP_A, "张三", MAN_1990, HIRE, None, word]], "2025-08-01")
    row = result.results.iloc[0]
    assert row["duty"] == "full"
    assert "waiver_void" in codes(row)
    assert (row["status"], num(row["days_late"])) == ("overdue", 30)


@pytest.mark.parametrize("word", ["试用期", "试用", "probation", "弹性延迟退休", "延迟退休"])
def test_probation_and_delayed_retirement_are_full_time(roster_file, word: str) -> None:
    # 试用期 / probation: full_time, no note (劳动合同法 Art. 19); 弹性延迟退休 too (Order 56 Art. 23). Registered
    # 2025-06-20 before the deadline: on_time and nothing to say.
    result = judge(roster_file, KIND, [["甲公司", EMP_A, "张三", MAN_1990, HIRE, REG_ON_TIME, word]], "2025-08-01")
    row = result.results.iloc[0]
    assert (row["duty"], row["employment_type"], row["status"]) == ("full", "full_time", "on_time")
    assert pd.isna(row["problem"])


DISPATCH = [*KIND, "派遣单位本地分支机构"]


def test_dispatch_without_a_local_branch_is_the_users_duty(roster_file) -> None:
    # 劳务派遣 with 否: the user company registers (劳务派遣暂行规定 Art. 19(2)): full, dispatch_user_registers;
    # hire 2025-06-02, as of 2025-08-01 not registered: overdue by 30.
    result = judge(
        roster_file, DISPATCH, [["甲公司", EMP_A, "张三", MAN_1990, HIRE, None, "劳务派遣", "否"]], "2025-08-01")
    row = result.results.iloc[0]
    assert row["duty"] == "full"
    assert "dispatch_user_registers" in codes(row)
    assert (row["status"], num(row["days_late"])) == ("overdue", 30)


def test_dispatch_with_a_local_branch_is_exempt(roster_file) -> None:
    result = judge(
        roster_file, DISPATCH, [["甲公司", EMP_A, "张三", MAN_1990, HIRE, None, "劳务派遣", "是"]], "2025-08-01")
    row = result.results.iloc[0]
    assert (row["duty"], row["status"]) == ("none", "exempt")
    assert "dispatch_user_registers" not in codes(row)


def test_dispatch_branch_unknown_is_exempt_with_the_caveat(roster_file) -> None:
    result = judge(
        roster_file, DISPATCH, [["甲公司", EMP_A, "张三", MAN_1990, HIRE, None, "劳务派遣", None]], "2025-08-01")
    row = result.results.iloc[0]
    assert (row["duty"], row["status"]) == ("none", "exempt")
    assert "unless the dispatching agency has no branch" in row["problem"]


# ============================================== employers ==============================================

EMPLOYER_ROSTER = [
    [*BASE, "入职日期", "参保日期", "用工形式", "离职日期", "减员日期", "参保状态"],
    # A: a part-timer, not registered, hire 2025-06-02 (deadline Wed 2025-07-02): overdue 91 days as of 2025-10-01,
    # work_injury_only -> not flagged, work_injury_overdue 1.
    ["甲公司", EMP_A, "张一", rid("19900101", "011"), HIRE, None, "非全日制", None, None, None],
    # B: a full-timer overdue (2025-10-01 - 2025-07-02 = 91: 31 + 31 + 29) -> flagged, max_days_overdue 91; and a
    # leaver before the deadline.
    ["乙公司", EMP_B, "张二", rid("19900102", "013"), HIRE, None, None, None, None, None],
    ["乙公司", EMP_B, "张三", rid("19900103", "015"), HIRE, None, None, "2025-06-20", None, None],
    # C: a leaver before the deadline only: never flagged.
    ["丙公司", EMP_C, "张四", rid("19900104", "017"), HIRE, None, None, "2025-06-20", None, None],
    # D: registered on time, left Fri 2025-08-01 (减员 deadline Sat 8/16 -> Mon 2025-08-18): one 减员 on 8/20 (late),
    # one with none (missing as of 2025-10-01), one with none but 终止参保 (no issue) -> deregistration_issues 2.
    ["丁公司", EMP_D, "张五", rid("19900105", "019"), HIRE, REG_ON_TIME, None, LEFT, "2025-08-20", None],
    ["丁公司", EMP_D, "张六", rid("19900106", "031"), HIRE, REG_ON_TIME, None, LEFT, None, None],
    ["丁公司", EMP_D, "张七", rid("19900107", "033"), HIRE, REG_ON_TIME, None, LEFT, None, "终止参保"],
]


def test_employers_flags_only_full_duty_overdue(roster_file, tmp_path: Path) -> None:
    path = roster_file("employers.csv", EMPLOYER_ROSTER)
    out = tmp_path / "employers.csv"
    done = cli("employers", str(path), "--as-of", "2025-10-01", "--out", str(out))
    assert done.returncode == 0, done.stderr
    _, rows = read_csv(out)
    got = {r["employer_id"]: r for r in rows}
    assert set(got) == {EMP_A, EMP_B, EMP_C, EMP_D}

    a, b, c, d = got[EMP_A], got[EMP_B], got[EMP_C], got[EMP_D]
    assert (a["employees"], a["overdue"], a["work_injury_overdue"]) == ("1", "1", "1")
    assert not truthy(a["flag_premium_verification"])
    assert (b["employees"], b["overdue"], b["left_before_deadline"], b["max_days_overdue"]) == ("2", "1", "1", "91")
    assert truthy(b["flag_premium_verification"])
    assert b["work_injury_overdue"] == "0"
    assert (c["employees"], c["overdue"], c["left_before_deadline"]) == ("1", "0", "1")
    assert not truthy(c["flag_premium_verification"])
    assert (d["employees"], d["on_time"], d["deregistration_issues"]) == ("3", "3", "2")
    assert not truthy(d["flag_premium_verification"])


# ========================================= 11.7 Output contract =========================================

CHECK_HEADER = ["source_file", "source_row", "employer_id", "employer_name", "name", "id_number", "ssn",
                "id_problem", "birth_date", "sex", "region", "hire_date", "registration_date", "deadline", "status",
                "days_late", "days_left", "problem", "deadline_provisional", "id_kind", "card_status",
                "career_start_date", "leave_date", "duty"]
EMPLOYERS_HEADER = ["employer_id", "employer_name", "employees", "on_time", "late", "overdue", "pending", "invalid",
                    "exempt", "left_before_deadline", "max_days_overdue", "flag_premium_verification", "flag_reason",
                    "work_injury_overdue", "deregistration_issues"]

CONTRACT_HEADER = [*BASE, "入职日期", "参保日期", "用工形式", "离职日期", "减员日期", "派遣单位本地分支机构"]
# As of Sat 2026-08-01 (after Order 56). Row numbers as the user sees them (header = row 1).
CONTRACT_ROWS = {
    # row 2: month-only registration (July 2025 holds the deadline Wed 2025-07-02): on_time
    2: (["甲公司", EMP_A, "张一", rid("19900101", "011"), HIRE, "2025-07", None, None, None, None],
        "registration_month_only", "参保日期"),
    # row 3: hire Wed 2026-05-06 (deadline Fri 2026-06-05), leave 2026-09-01 after the as-of date: ignored;
    # overdue, 2026-08-01 - 2026-06-05 = 57
    3: (["甲公司", EMP_A, "张二", rid("19900102", "013"), "2026-05-06", None, None, "2026-09-01", None, None],
        "leave_date_after_as_of", "离职日期"),
    # row 4: hire 2026-11-02, 93 days after the as-of date (> 90; 2026-08-01 + 90 = 2026-10-30)
    4: (["甲公司", EMP_A, "张三", rid("19900103", "015"), "2026-11-02", None, None, None, None, None],
        "hire_date_far_future", "入职日期"),
    # row 5: left 2023-09-15, more than two years before the as-of date, never registered
    5: (["甲公司", EMP_A, "张四", rid("19900104", "017"), "2023-05-16", None, None, "2023-09-15", None, None],
        "inspection_time_limit", None),
    # row 6: registered, left Fri 2025-08-01, 减员 Wed 2025-08-20 after Mon 2025-08-18
    6: (["甲公司", EMP_A, "张五", rid("19900105", "019"), HIRE, REG_ON_TIME, None, LEFT, "2025-08-20", None],
        "deregistration_late", None),
    # row 7: registered, left 2025-08-01, no 减员 by 2025-08-18
    7: (["甲公司", EMP_A, "张六", rid("19900106", "031"), HIRE, REG_ON_TIME, None, LEFT, None, None],
        "deregistration_missing", None),
    # row 8: a waiver
    8: (["甲公司", EMP_A, "张七", rid("19900107", "033"), HIRE, REG_ON_TIME, "自愿放弃社保", None, None, None],
        "waiver_void", None),
    # row 9: dispatched, no local branch
    9: (["甲公司", EMP_A, "张八", rid("19900108", "035"), HIRE, REG_ON_TIME, "劳务派遣", None, None, "否"],
        "dispatch_user_registers", None),
    # row 10: a retiree (born 1955), after 2026-07-01: work injury from 2026-07-01, deadline Fri 2026-07-31
    10: (["甲公司", EMP_A, "张九", RETIREE, HIRE, None, "退休返聘", None, None, None], "work_injury_required", None),
    # row 11: a man born 1965-03-10 hired after his 60y1m (2025-04-10): over-age by his ID
    11: (["甲公司", EMP_A, "张十", rid("19650310", "037"), "2025-05-12", None, None, None, None, None],
         "over_statutory_age", None),
    # row 12: 退休返聘 at 45 (a woman born 1980-01-10)
    12: (["甲公司", EMP_A, "李一", rid("19800110", "024"), HIRE, REG_ON_TIME, "退休返聘", None, None, None],
         "retired_below_statutory_age", None),
    # row 13: a woman born 1970-05-15 hired at 55y0m (under 55y2m, over 50)
    13: (["甲公司", EMP_A, "李二", rid("19700515", "026"), HIRE, REG_ON_TIME, None, None, None, None],
         "retirement_age_uncertain", None),
    # row 14: row 2's person again for the same employer
    14: (["甲公司", EMP_A, "张一", rid("19900101", "011"), HIRE, REG_ON_TIME, None, None, None, None],
         "duplicate_person", "身份证号"),
}


def contract_run(roster_file, tmp_path: Path) -> tuple[list[str], list[dict[str, str]], list[dict[str, str]]]:
    main = roster_file("main.csv", [CONTRACT_HEADER, *(row for row, _, _ in CONTRACT_ROWS.values()),
                                    ["合计 229人", None, None, None, None, None, None, None, None, None]])
    career = roster_file("career.csv", [[*BASE, "参加工作日期", "参保日期"],
                                        ["甲公司", EMP_A, "王一", rid("19800202", "051"), "2003-07-01", None]])
    out, problems = tmp_path / "check.csv", tmp_path / "problems.csv"
    done = cli("check", str(main), str(career), "--as-of", "2026-08-01", "--out", str(out), "--problems",
               str(problems))
    assert done.returncode == 0, done.stderr
    header, rows = read_csv(out)
    _, problem_rows = read_csv(problems)
    return header, rows, problem_rows


def test_check_header_order(roster_file, tmp_path: Path) -> None:
    header, _, _ = contract_run(roster_file, tmp_path)
    assert header == CHECK_HEADER


def test_check_contract_values(roster_file, tmp_path: Path) -> None:
    _, rows, _ = contract_run(roster_file, tmp_path)
    got = {(r["source_file"], r["source_row"]): r for r in rows}
    main = {int(row): r for (f, row), r in got.items() if f == "main.csv"}
    assert set(main) == set(CONTRACT_ROWS)  # the 合计 row (15) is no employee
    assert (main[2]["status"], main[2]["registration_date"], main[2]["duty"]) == ("on_time", "2025-07-01", "full")
    assert (main[3]["status"], main[3]["days_late"]) == ("overdue", "57")
    assert main[5]["leave_date"] == "2023-09-15"
    assert (main[10]["duty"], main[10]["deadline"], main[10]["status"], main[10]["days_late"]) == (
        "work_injury_only", "2026-07-31", "overdue", "1")
    assert main[11]["duty"] == "work_injury_only"
    assert (main[12]["duty"], main[13]["duty"], main[8]["duty"], main[9]["duty"]) == ("full",) * 4
    career = got[("career.csv", "2")]
    assert (career["status"], career["career_start_date"], career["hire_date"]) == ("invalid", "2003-07-01", "")


def test_new_codes_in_the_problems_table(roster_file, tmp_path: Path) -> None:
    _, _, problems = contract_run(roster_file, tmp_path)
    for row, (_, code, column) in CONTRACT_ROWS.items():
        # (a code may sit on other rows too: the retiree of row 10 is over-age by his ID as well, and the over-age
        # man of row 11 needs work injury from 2026-07-01 as well)
        hits = [p for p in problems if p["source_file"] == "main.csv" and p["code"] == code
                and p["source_row"] == str(row)]
        assert len(hits) == 1, (code, row, hits)
        assert hits[0]["column"], code
        if column:
            assert column in hits[0]["column"], (code, hits[0]["column"])
    career = [p for p in problems if p["source_file"] == "career.csv" and p["code"] == "hire_date_is_career_start"]
    assert [p["source_row"] for p in career] == ["2"]
    assert career[0]["column"]


def test_age_codes_name_the_roster_column(roster_file, tmp_path: Path) -> None:
    # 11.7: the new codes appear in the problems table "with the row and column like the others", i.e. the roster
    # column as the user sees it ("<header> (column X)"). The birth date of rows 10-13 comes from 身份证号 (column D);
    # row 10, the 退休返聘 retiree born 1955, is over the reformed age whatever the label (11.3: "anyone (any label)").
    _, _, problems = contract_run(roster_file, tmp_path)
    age = [p for p in problems if p["code"] in {"over_statutory_age", "retired_below_statutory_age",
                                                 "retirement_age_uncertain"}]
    assert sorted(p["source_row"] for p in age) == ["10", "11", "12", "13"]
    for p in age:
        assert "身份证号" in p["column"], p


def test_totals_row_is_a_file_note(roster_file, tmp_path: Path) -> None:
    # "合计 229人" under the employees: a note on the file, not an employee, not a row problem.
    _, rows, problems = contract_run(roster_file, tmp_path)
    assert "15" not in {r["source_row"] for r in rows if r["source_file"] == "main.csv"}
    assert not [p for p in problems if p["source_file"] == "main.csv" and p["source_row"] == "15"]
    notes = [p for p in problems if p["source_file"] == "main.csv" and p["code"] == "file_note"]
    assert notes and not notes[0]["source_row"]


def test_employers_header_order(roster_file, tmp_path: Path) -> None:
    path = roster_file("employers.csv", EMPLOYER_ROSTER)
    out = tmp_path / "employers.csv"
    done = cli("employers", str(path), "--as-of", "2025-10-01", "--out", str(out))
    assert done.returncode == 0, done.stderr
    header, _ = read_csv(out)
    assert header == EMPLOYERS_HEADER


def test_duplicate_person_on_the_later_row_only(roster_file) -> None:
    # The same SSN twice for one employer: duplicate_person on the later row (3), not the first (2). The same person
    # at another employer (row 4) is no duplicate of this kind (that is the cross-check's multiple_employers).
    header = [*BASE, "入职日期", "参保日期"]
    result = judge(roster_file, header, [["甲公司", EMP_A, "张三", MAN_1990, HIRE, REG_ON_TIME],
                                         ["甲公司", EMP_A, "张三", MAN_1990, HIRE, REG_ON_TIME],
                                         ["乙公司", EMP_B, "张三", MAN_1990, HIRE, REG_ON_TIME]], "2025-08-01")
    rows = by_row(result)
    assert "duplicate_person" not in codes(rows[2])
    assert "duplicate_person" in codes(rows[3])
    assert "duplicate_person" not in codes(rows[4])
    dup = result.problems[result.problems["code"] == "duplicate_person"]
    assert list(dup["source_row"].astype(int)) == [3]


def test_the_same_person_at_two_employers_without_a_uscc_is_no_duplicate(roster_file) -> None:
    # Two sole traders without a USCC, told apart by their names (as the employers summary groups them): the
    # same person on both lists is not "twice for one employer"; twice at the same one is (row 4).
    header = [*BASE, "入职日期", "参保日期"]
    result = judge(roster_file, header, [["个体户王五", None, "张三", MAN_1990, HIRE, REG_ON_TIME],
                                         ["个体户李六", None, "张三", MAN_1990, HIRE, REG_ON_TIME],
                                         ["个体户李六", None, "张三", MAN_1990, HIRE, REG_ON_TIME]], "2025-08-01")
    dup = result.problems[result.problems["code"] == "duplicate_person"]
    assert list(dup["source_row"].astype(int)) == [4]


@pytest.mark.parametrize(("hire", "flagged"), [("2025-10-30", False), ("2025-10-31", True)])
def test_hire_date_far_future(roster_file, hire: str, flagged: bool) -> None:
    # As of Fri 2025-08-01: + 90 days = 2025-10-30 (30 to 8/31, 30 to 9/30, 30 more). 90 days after is not "more
    # than 90"; 2025-10-31 (91) is.
    result = judge(roster_file, [*BASE, "入职日期", "参保日期"], [["甲公司", EMP_A, "张三", MAN_1990, hire, None]],
                   "2025-08-01")
    row = result.results.iloc[0]
    assert ("hire_date_far_future" in codes(row)) is flagged
