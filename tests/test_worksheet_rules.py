"""The worksheet rules of README 11.5, one test per rule, figures worked by hand from the parameter files.

Beijing (compliance/params/beijing.toml) 2025-07..2026-06: bounds 7,162–35,811, average wage 11,937, rates
pension 16% / 8%, medical 9.8% / 2% + 3 yuan, unemployment 0.5% / 0.5%, work injury (class I) 0.2% / 0, due the
15th of the next month, late fee from the day after. 2024-07..2025-06: bounds 6,821–35,283, the same rates.
2026-07..2027-06: bounds 7,270–36,348. Amounts are rounded half up to the fen per type; late fee = total x
0.05% x days.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import gb11643, write_roster_file

from compliance import cli, jobs, premiums
from compliance.i18n import t
from views.presentation import localised, worksheet_totals

EMP = "911101000000000001"
IDS = [gb11643(f"1101051990030712{i}") for i in range(10)]  # men born 1990-03-07: never over-age here
BEIJING = premiums.load_params("beijing")


def rows(*people: dict) -> pd.DataFrame:
    """Judged rows as the worksheet reads them; a key left out is a column the rows do not carry."""
    frame = pd.DataFrame([{"employer_id": EMP, "ssn": IDS[i], "name": f"p{i}", **p} for i, p in enumerate(people)])
    for column in ("hire_date", "registration_date", "leave_date"):
        if column in frame:
            frame[column] = pd.to_datetime(frame[column])
    return frame


def params_file(tmp_path: Path, **period: object) -> Path:
    """A one-period parameter file (2025-01..2025-12) with pension only: average 10,000, bounds 5,000–30,000,
    default base 5,000, due day 15, pension 16% / 8%; ``period`` adds or overrides keys."""
    keys = {"from": "2025-01", "to": "2025-12", "average_wage": 10000, "base_floor": 5000, "base_cap": 30000,
            "default_base": 5000, "due_day": 15, "source": "test figures", **period}
    lines = ["city = \"测试市\"", "[[period]]"] + [f"{k} = {json.dumps(v)}" for k, v in keys.items()]
    lines += ["[period.rates.pension]", "employer = 0.16", "employee = 0.08"]
    path = tmp_path / "test.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def codes(verified: premiums.Verification, params: premiums.Params) -> list[str]:
    return [n.code for n in premiums.worksheet_notes(verified.sheet, params, verified)]


def test_contribution_months_run_to_the_leave_month_the_issues_example() -> None:
    """Hired 2025-07-15, left 2025-08-20, as of 2025-10-01: months 2025-07 and 2025-08 (min(leave month,
    the month before the as-of month)), not 2025-09. Wage 10,000 inside [7,162, 35,811]:
    pension 1,600.00 / 800.00; medical 980.00 / 200.00 + 3 = 203.00; unemployment 50.00 / 50.00; injury 20.00.
    Employer 2,650.00, employee 1,053.00, total 3,703.00 a month; two months 7,406.00 yuan.
    2025-07 is due 2025-08-15: 16 + 30 + 1 = 47 days to 10-01 → 3,703 x 0.0005 x 47 = 87.0205 → 87.02;
    2025-08 is due 09-15: 16 days → 29.624 → 29.62."""
    sheet = premiums.worksheet(rows({"hire_date": "2025-07-15", "leave_date": "2025-08-20", "wage": 10000,
                                     "status": "overdue"}), dt.date(2025, 10, 1), BEIJING)
    assert sheet["month"].tolist() == ["2025-07", "2025-08"]
    assert sheet["total"].tolist() == [3703.0, 3703.0] and sheet["total"].sum() == 7406.0
    assert (sheet["employer_amount"].tolist(), sheet["employee_amount"].tolist()) == ([2650.0] * 2, [1053.0] * 2)
    assert (sheet["days_late"].tolist(), sheet["late_fee"].tolist()) == ([47, 16], [87.02, 29.62])
    # a leave date after the as-of date does not count (README 11.2): 2025-07..2025-09
    later = premiums.worksheet(rows({"hire_date": "2025-07-15", "leave_date": "2025-12-01", "wage": 10000}),
                               dt.date(2025, 10, 1), BEIJING)
    assert later["month"].tolist() == ["2025-07", "2025-08", "2025-09"]


def test_a_part_timer_is_charged_work_injury_only() -> None:
    """duty work_injury_only (劳社部发〔2003〕12号): wage 3,000 is below the floor → base 7,162;
    work injury 7,162 x 0.2% = 14.324 → 14.32 a month, every other type 0; 2025-09 due 10-15, as of 10-20:
    5 days → 14.32 x 0.0025 = 0.0358 → 0.04."""
    verified = premiums.verify(rows({"hire_date": "2025-09-01", "wage": 3000, "duty": "work_injury_only"}),
                               dt.date(2025, 10, 20), BEIJING)
    row = verified.sheet.iloc[0]
    assert (row["base"], row["work_injury_employer"], row["total"], row["late_fee"]) == (7162, 14.32, 14.32, 0.04)
    assert all(row[f"{t}_{side}"] == 0 for t in ("pension", "medical", "unemployment") for side in ("employer",
                                                                                                   "employee"))
    assert "work_injury_only_charged" in codes(verified, BEIJING)


def test_over_age_months_before_2026_07_are_not_charged() -> None:
    """over_age, duty work_injury_only (Order 56 from 2026-07-01), hired 2026-05-10, as of 2026-09-01:
    months 2026-05..2026-08; 05 and 06 are left out with a note; 07 and 08 charge work injury at the 2026
    floor 7,270 (no wage): 7,270 x 0.2% = 14.54. 2026-07 due 08-15 → 17 days → 14.54 x 0.0085 = 0.12359 → 0.12."""
    verified = premiums.verify(rows({"hire_date": "2026-05-10", "wage": None, "duty": "work_injury_only",
                                     "over_age": True}), dt.date(2026, 9, 1), BEIJING)
    assert verified.sheet["month"].tolist() == ["2026-07", "2026-08"]
    assert verified.sheet["total"].tolist() == [14.54, 14.54]
    assert verified.sheet["late_fee"].tolist()[0] == 0.12
    assert (verified.over_age_rows, verified.over_age_people) == (2, 1)
    assert "over_age_not_charged" in codes(verified, BEIJING)


def test_exempt_types_are_not_charged() -> None:
    """exempt_types "pension;unemployment" (人社部令第16号 Art. 9), wage 10,000, 2025-09: medical 980.00 /
    203.00 and work injury 20.00 only: employer 1,000.00, employee 203.00, total 1,203.00."""
    verified = premiums.verify(rows({"hire_date": "2025-09-01", "wage": 10000, "exempt_types": "pension;unemployment"},
                                    {"hire_date": "2025-09-01", "wage": 10000, "exempt_types": None}),
                               dt.date(2025, 10, 1), BEIJING)
    exempt, full = verified.sheet.iloc[0], verified.sheet.iloc[1]
    assert (exempt["pension_employer"], exempt["unemployment_employee"], exempt["medical_employee"]) == (0, 0, 203)
    assert (exempt["employer_amount"], exempt["employee_amount"], exempt["total"]) == (1000, 203, 1203)
    assert full["total"] == 3703
    assert verified.exempt == (("pension", 1), ("unemployment", 1))
    assert codes(verified, BEIJING).count("exempt_types_not_charged") == 2


def test_a_late_registration_adds_its_gap_months_with_their_late_fees() -> None:
    """Late: hired 2025-03-10, registered 2025-06-05 (deadline 04-09), wage 8,000, as of 2025-07-01: gap months
    2025-03..2025-05 (hire month to the month before the registration month). Beijing 2024-07..2025-06:
    8,000 inside [6,821, 35,283]: 1,280 / 640; 784 / 163; 40 / 40; 16: total 2,963.00 a month.
    03 due 04-15: 15 + 31 + 30 + 1 = 77 days → 2,963 x 0.0385 = 114.0755 → 114.08;
    04 due 05-15: 16 + 30 + 1 = 47 → 69.6305 → 69.63; 05 due 06-15: 16 → 23.704 → 23.70.
    Beside it an overdue employee hired 2025-06-01 (same wage): 2025-06, due 07-15, no fee yet.
    Totals: 11,852.00 premiums, gap 8,889.00 + fees 207.41, overdue 2,963.00 + 0."""
    people = rows({"hire_date": "2025-03-10", "registration_date": "2025-06-05", "status": "late", "wage": 8000},
                  {"hire_date": "2025-06-01", "registration_date": None, "status": "overdue", "wage": 8000})
    verified = premiums.verify(people, dt.date(2025, 7, 1), BEIJING)
    sheet = verified.sheet
    assert list(sheet.columns)[-1] == "kind" and list(sheet.columns)[:11] == premiums.WORKSHEET_COLUMNS
    assert list(zip(sheet["month"], sheet["kind"], strict=True)) == [
        ("2025-03", "gap"), ("2025-04", "gap"), ("2025-05", "gap"), ("2025-06", "overdue")]
    assert sheet["total"].tolist() == [2963.0] * 4
    assert sheet["days_late"].tolist() == [77, 47, 16, 0]
    assert sheet["late_fee"].tolist() == [114.08, 69.63, 23.70, 0.0]
    totals = verified.totals().iloc[0]
    assert list(verified.totals().columns) == premiums.TOTALS_COLUMNS
    assert (totals["total"], totals["gap_total"], totals["gap_late_fee"]) == (11852.0, 8889.0, 207.41)
    assert (totals["overdue_total"], totals["overdue_late_fee"], totals["late_fee"]) == (2963.0, 0.0, 207.41)
    assert "worksheet_gap_months" in codes(verified, BEIJING)


def test_gap_months_before_the_parameters_are_named_not_priced_overdue_ones_refused() -> None:
    """Beijing's parameters start at 2024-07. A late registration (hired 2024-06-07, registered 2024-07-14) has
    the gap month 2024-06: no later as-of date can price it, so it is left out with a note naming it (never a
    guess). An overdue month there is refused as section 8 says."""
    late = rows({"hire_date": "2024-06-07", "registration_date": "2024-07-14", "status": "late", "wage": 8000})
    verified = premiums.verify(late, dt.date(2025, 11, 20), BEIJING)
    assert verified.sheet.empty and verified.gap_unpriced == ("2024-06",)
    note = next(n for n in premiums.worksheet_notes(verified.sheet, BEIJING, verified)
                if n.code == "gap_months_unpriced")
    assert note.render("en").startswith("gap months 2024-06 are not priced: the parameters start at 2024-07")
    with pytest.raises(premiums.UncoveredMonths, match="2024-06"):
        premiums.verify(rows({"hire_date": "2024-06-07", "status": "overdue", "wage": 8000}), dt.date(2024, 8, 1),
                        BEIJING)


@pytest.mark.parametrize(("rule", "late_fee_from", "due", "days", "fee"), [
    # March 2025, wage 10,000: pension 1,600 + 800 = 2,400.00; as of 2025-04-20.
    ("next_month", "day_after_due", "2025-04-15", 5, 6.00),  # today's defaults: from 04-16, 5 days → 6.00
    ("same_month", "day_after_due", "2025-03-15", 36, 43.20),  # 当月缴当月: 03-16..04-20 = 16 + 20 → 43.20
    ("same_month", "first_of_next_month", "2025-03-15", 20, 24.00),  # Shandong: 04-01..04-20 → 24.00
    ("next_month", "first_of_next_month", "2025-04-15", 5, 6.00),  # never before the day after the due date
])
def test_due_rule_and_late_fee_from(tmp_path: Path, rule: str, late_fee_from: str, due: str, days: int,
                                    fee: float) -> None:
    params = premiums.load_params(path=params_file(tmp_path, due_rule=rule, late_fee_from=late_fee_from))
    verified = premiums.verify(rows({"hire_date": "2025-03-01", "wage": 10000}), dt.date(2025, 4, 20), params)
    row = verified.sheet.iloc[0]
    assert (row["total"], row["due_date"], row["days_late"], row["late_fee"]) == (2400, pd.Timestamp(due), days, fee)
    noted = codes(verified, params)
    assert premiums.LATE_FEE_RULES[late_fee_from] in noted
    assert ("due_same_month" in noted) == (rule == "same_month")


@pytest.mark.parametrize(("key", "value"), [("due_rule", "next_day"), ("late_fee_from", "first_of_month")])
def test_an_unknown_rule_is_refused_naming_file_period_and_value(tmp_path: Path, key: str, value: str) -> None:
    path = params_file(tmp_path, **{key: value})
    with pytest.raises(premiums.ParamsError) as refused:
        premiums.load_params(path=path)
    assert str(path) in str(refused.value) and "2025-01–2025-12" in str(refused.value)
    assert f"{key} '{value}'" in str(refused.value)


def test_a_type_priced_on_its_own_floor_and_cap(tmp_path: Path) -> None:
    """The test file's pension bounds 5,000–30,000, medical its own 6,000–20,000 (medical 10% / 2%).
    Wage 4,000: pension base 5,000 → 800.00 / 400.00; medical base 6,000 → 600.00 / 120.00; total 1,920.00.
    Wage 25,000: pension 4,000.00 / 2,000.00; medical base 20,000 → 2,000.00 / 400.00; total 8,400.00."""
    path = params_file(tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + "[period.rates.medical]\nemployer = 0.10\nemployee = 0.02\n"
                    "base_floor = 6000\nbase_cap = 20000\n", encoding="utf-8")
    params = premiums.load_params(path=path)
    verified = premiums.verify(rows({"hire_date": "2025-03-01", "wage": 4000}, {"hire_date": "2025-03-01",
                                                                               "wage": 25000}),
                               dt.date(2025, 4, 1), params)
    low, high = verified.sheet.iloc[0], verified.sheet.iloc[1]
    assert (low["base"], low["pension_employer"], low["medical_employer"], low["medical_employee"]) == (
        5000, 800, 600, 120)
    assert low["total"] == 1920
    assert (high["base"], high["pension_employee"], high["medical_employer"], high["total"]) == (
        25000, 2000, 2000, 8400)
    notes = premiums.worksheet_notes(verified.sheet, params, verified)
    bounds = [n for n in notes if n.code == "type_base_bounds"]
    assert [n.render("en") for n in bounds] == ["2025-01–2025-12: medical insurance is priced on bounds of its own, "
                                                "6,000–20,000 yuan (the base column shows the base on the period's "
                                                "bounds)"]
    path.write_text(path.read_text(encoding="utf-8").replace("base_cap = 20000", "base_cap = 5000"), encoding="utf-8")
    with pytest.raises(premiums.ParamsError, match=r"rates\.medical base_floor 6000 and base_cap 5000"):
        premiums.load_params(path=path)


def test_guangzhou_prices_unemployment_and_work_injury_on_the_minimum_wage_floor() -> None:
    """compliance/params/guangzhou.toml 2025-07..2026-06: pension bounds 5,510–27,549; unemployment and work
    injury floor 2,500 (the minimum wage, unconfirmed); pension 16% / 8%, medical 6% / 2%, unemployment 0.8% /
    0.2%, injury 0.2%. Wage 3,000, 2025-10: pension and medical on 5,510: 881.60 / 440.80, 330.60 / 110.20;
    unemployment on 3,000: 24.00 / 6.00; injury 6.00. Employer 1,242.20, employee 557.00, total 1,799.20."""
    params = premiums.load_params("guangzhou")
    verified = premiums.verify(rows({"hire_date": "2025-10-01", "wage": 3000}), dt.date(2025, 11, 20), params)
    row = verified.sheet.iloc[0]
    assert (row["base"], row["pension_employer"], row["medical_employee"]) == (5510, 881.60, 110.20)
    assert (row["unemployment_employer"], row["unemployment_employee"], row["work_injury_employer"]) == (24, 6, 6)
    assert (row["employer_amount"], row["employee_amount"], row["total"]) == (1242.20, 557.00, 1799.20)
    notes = premiums.worksheet_notes(verified.sheet, params, verified)
    assert [n.params["type"] for n in notes if n.code == "type_base_bounds"] == ["unemployment", "work_injury"]
    unconfirmed = next(n for n in notes if n.code == "unconfirmed_figures")
    assert "rates.unemployment.base_floor" in unconfirmed.params["keys"]


def test_no_wage_uses_the_default_base_and_states_the_total_at_the_average_wage() -> None:
    """No wage, 2025-09, as of 2025-10-20 (5 days late): at the default base 7,162 the month is 2,652.94
    (tests/test_params_figures.py), fee 6.63. At the average wage 11,937 (人社部令第20号 Art. 8):
    pension 1,909.92 / 954.96; medical 1,169.826 → 1,169.83 / 238.74 + 3 = 241.74; unemployment 59.685 → 59.69
    each; injury 23.874 → 23.87: employer 3,163.31, employee 1,256.39, total 4,419.70; fee x 0.0025 = 11.04925
    → 11.05. A declared wage (10,000: 3,703.00, fee 9.2575 → 9.26) counts the same in both totals:
    2,652.94 + 3,703.00 = 6,355.94 (fees 15.89) and 4,419.70 + 3,703.00 = 8,122.70 (fees 20.31)."""
    verified = premiums.verify(rows({"hire_date": "2025-09-01", "wage": None}, {"hire_date": "2025-09-01",
                                                                                "wage": 10000}),
                               dt.date(2025, 10, 20), BEIJING)
    assert verified.sheet["base"].tolist() == [7162, 10000]
    assert verified.sheet["total"].tolist() == [2652.94, 3703.0]
    totals = verified.totals().iloc[0]
    assert (totals["total"], totals["late_fee"]) == (6355.94, 15.89)
    assert (totals["total_at_average_wage"], totals["late_fee_at_average_wage"]) == (8122.70, 20.31)
    note = next(n for n in premiums.worksheet_notes(verified.sheet, BEIJING, verified)
                if n.code == "default_base_no_wage")
    assert (note.params["rows"], note.params["total"], note.params["average"]) == (1, "6,355.94", "8,122.70")
    assert "人社部令第20号" in note.render("zh")


def test_the_use_case_covers_overdue_and_late_rows_of_the_employer_only() -> None:
    """jobs.worksheet_of: overdue and late rows with a valid ID of this employer; exempt,
    left_before_deadline, on-time rows, other employers and rows without an ID stay out."""
    judged = rows(*[{"hire_date": "2025-08-01", "wage": 8000, "status": s, "registration_date": r}
                    for s, r in [("overdue", None), ("late", "2025-09-20"), ("exempt", None),
                                 ("left_before_deadline", None), ("on_time", "2025-08-05"), ("overdue", None),
                                 ("overdue", None)]])
    judged.loc[5, "employer_id"] = "911101000000000002"
    judged.loc[6, "ssn"] = None
    ws = jobs.worksheet_of(judged, EMP, dt.date(2025, 10, 1), BEIJING)
    assert ws.covered["ssn"].tolist() == [IDS[0], IDS[1]]
    assert (ws.overdue["ssn"].tolist(), ws.late["ssn"].tolist()) == ([IDS[0]], [IDS[1]])
    assert list(zip(ws.sheet["ssn"], ws.sheet["month"], ws.sheet["kind"], strict=True)) == [
        (IDS[0], "2025-08", "overdue"), (IDS[0], "2025-09", "overdue"), (IDS[1], "2025-08", "gap")]
    assert list(ws.totals.columns) == premiums.TOTALS_COLUMNS


def test_the_command_line_worksheet_from_a_stored_roster(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """End to end through the store and the judgement (离职日期, 用工形式 read by the engine), as of 2025-10-01:
    - the issue's leaver: 2025-07 and 2025-08 at 3,703.00 (first test), overdue;
    - a part-timer hired 2025-08-01 (deadline 08-31, a Sunday → 09-01), wage 3,000: 2025-08 and 2025-09 at
      14.32 (work injury on the floor 7,162), overdue;
    - registered late (hired 2025-06-02, registered 07-03, deadline 07-02), wage 8,000: gap month 2025-06 at
      2,963.00 (2024-07..2025-06 figures), due 07-15 → 16 + 31 + 30 + 1 = 78 days → 115.557 → 115.56.
    Premiums 7,406 + 28.64 + 2,963 = 10,397.64; gap 2,963.00."""
    roster = write_roster_file(tmp_path / "r.csv", [
        ["统一社会信用代码", "单位名称", "姓名", "身份证号", "入职日期", "参保日期", "月工资", "离职日期", "用工形式"],
        [EMP, "甲公司", "离职", IDS[0], "2025-07-15", "", "10000", "2025-08-20", ""],
        [EMP, "甲公司", "兼职", IDS[1], "2025-08-01", "", "3000", "", "非全日制"],
        [EMP, "甲公司", "迟登", IDS[2], "2025-06-02", "2025-07-03", "8000", "", ""],
    ])
    db = f"sqlite:///{tmp_path / 'ws.sqlite'}"
    assert cli.main(["upload", str(roster), "--db", db]) == 0
    out = tmp_path / "ws.json"
    assert cli.main(["worksheet", EMP, "--as-of", "2025-10-01", "--city", "beijing", "--out", str(out),
                     "--db", db]) == 0
    sheet = pd.DataFrame(json.loads(out.read_text(encoding="utf-8")))
    assert list(sheet.columns)[-1] == "kind"
    got = {(r.name, r.month): (r.total, r.kind) for r in sheet.itertuples()}
    assert got == {("离职", "2025-07"): (3703.0, "overdue"), ("离职", "2025-08"): (3703.0, "overdue"),
                   ("兼职", "2025-08"): (14.32, "overdue"), ("兼职", "2025-09"): (14.32, "overdue"),
                   ("迟登", "2025-06"): (2963.0, "gap")}
    assert sheet.loc[sheet["kind"] == "gap", "late_fee"].tolist() == [115.56]
    printed = capsys.readouterr().out
    assert "2 overdue and 1 late-registered employees, 5 contribution months (1 gap)" in printed
    assert "premiums 10,397.64 yuan (gap months 2,963.00)" in printed


def test_the_page_shows_the_split_and_the_average_wage_and_the_kind_in_words() -> None:
    """views.presentation: the four headline figures, then (README 11.5) the split by kind where there are gap
    months and the total at the average wage where it differs; the kind column in the user's language."""
    people = rows({"hire_date": "2025-03-10", "registration_date": "2025-06-05", "status": "late", "wage": None},
                  {"hire_date": "2025-06-01", "status": "overdue", "wage": 8000})
    verified = premiums.verify(people, dt.date(2025, 7, 1), BEIJING)
    shown = dict(worksheet_totals(verified.totals(), "en"))
    totals = verified.totals().iloc[0]
    assert list(shown)[4:] == [t("agency.overdue_total", "en"), t("agency.gap_total", "en"),
                               t("agency.total_at_average_wage", "en")]
    assert shown[t("agency.gap_total", "en")] == f"{totals['gap_total']:,.2f}"
    kinds = localised(verified.sheet, None, False, "zh")[t("col.kind", "zh")]
    assert set(kinds) == {"空档月（逾期登记前）", "未登记月份"}
