"""The sample rosters through the command line, against the answer key ``sample_uploads/expected.json``.

The answer key is computed by ``scripts/make_samples.py`` from its own data with its own arithmetic
(shared/README.md sections 2-4, 10 and 11), as of each file's ``as_of`` (2025-11-20 for the four original
files, 2026-11-20 for ``hr_roster_2026.xlsx``) with the default calendar. These tests call
``python -m compliance`` exactly as the outside acceptance tests do (sections 7, 10 and 11.7).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_uploads"
EXPECTED: dict[str, Any] = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
FILES = sorted(EXPECTED["files"])
MULTI = sorted(name for name, e in EXPECTED["files"].items() if e["multi_employer"])
STATUSES = ("on_time", "late", "overdue", "pending", "invalid", "exempt", "left_before_deadline")
DUTIES = {"full", "work_injury_only", "none"}
CARD_CODES = {"not_applied", "in_production", "issued_not_activated", "activated", "lost", "cancelled", "unknown"}
_RESULTS: dict[tuple[str, str], list[dict[str, Any]]] = {}


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the command line writes its JSON."""
    return tmp_path_factory.mktemp("samples")


def run_cli(command: str, name: str, out_dir: Path, *extra: str) -> list[dict[str, Any]]:
    """``python -m compliance COMMAND sample --as-of <the file's as-of date> --out x.json``, run once per
    module."""
    key = (command, name)
    if key not in _RESULTS:
        out = out_dir / f"{command}-{name}.json"
        args = [command, str(SAMPLES / name), *extra, "--as-of", EXPECTED["files"][name]["as_of"], "--out", str(out)]
        r = subprocess.run([sys.executable, "-m", "compliance", *args], cwd=ROOT, capture_output=True,
                           text=True, timeout=600)
        assert r.returncode == 0, f"compliance {command} {name}: exit {r.returncode}: {r.stderr[-500:]}"
        _RESULTS[key] = json.loads(out.read_text(encoding="utf-8"))
    return _RESULTS[key]


def check(name: str, out_dir: Path) -> list[dict[str, Any]]:
    """Rows of ``compliance check`` for one sample, with its extra arguments (the xlsx's employer); the
    same run writes the problems table (``--problems``)."""
    return run_cli("check", name, out_dir, *EXPECTED["files"][name]["extra_args"],
                   "--problems", str(out_dir / f"problems-{name}.json"))


def problems(name: str, out_dir: Path) -> list[dict[str, Any]]:
    """The problems table of the ``check`` run of one sample."""
    check(name, out_dir)
    return json.loads((out_dir / f"problems-{name}.json").read_text(encoding="utf-8"))


def employers(name: str, out_dir: Path) -> list[dict[str, Any]]:
    """Rows of ``compliance employers`` for one sample, with its extra arguments."""
    return run_cli("employers", name, out_dir, *EXPECTED["files"][name]["extra_args"])


def by_row(name: str, out_dir: Path) -> dict[int, dict[str, Any]]:
    """Check rows of one sample keyed by source_row."""
    rows = check(name, out_dir)
    keyed = {r["source_row"]: r for r in rows}
    assert len(keyed) == len(rows), "source_row repeated within one file"
    return keyed


@pytest.mark.parametrize("name", FILES)
def test_status_counts(name: str, out_dir: Path) -> None:
    """Number of rows, rows per status and rows with an ID problem equal the answer key."""
    e = EXPECTED["files"][name]
    rows = check(name, out_dir)
    assert len(rows) == e["rows"]
    counts = Counter(r["status"] for r in rows)
    assert {s: counts.get(s, 0) for s in STATUSES} == e["statuses"]
    assert sum(bool(r["id_problem"]) for r in rows) == e["id_problems"]
    assert all(Path(r["source_file"]).name == name for r in rows)
    assert not any(r["deadline_provisional"] for r in rows), "2024-2026 deadlines are never provisional"
    assert Counter(r["id_kind"] for r in rows if not r["id_problem"]) == e["id_kinds"]
    assert Counter(r["card_status"] for r in rows if r["card_status"]) == e["card_statuses"]
    if not e["card_column"]:
        assert all(r["card_status"] is None for r in rows), "no card column: card_status stays empty"


@pytest.mark.parametrize("name", FILES)
def test_rows_match_answer_key(name: str, out_dir: Path) -> None:
    """Row by row: status, duty, deadline, days late/left, the dates read, SSN or ID problem, at the row a
    person sees."""
    got = by_row(name, out_dir)
    expected = EXPECTED["files"][name]["rows_detail"]
    assert sorted(got) == [d["source_row"] for d in expected]
    for d in expected:
        r = got[d["source_row"]]
        where = f"{name} row {d['source_row']} ({d['note'] or d['status']})"
        assert r["name"] == d["name"], where
        assert r["status"] == d["status"], where
        assert r["duty"] == d["duty"] and r["duty"] in DUTIES, where
        assert (r["registration_date"], r["leave_date"]) == (d["registration_date"], d["leave_date"]), where
        assert (r["hire_date"], r["career_start_date"]) == (d["hire_date"], d["career_start_date"]), where
        if d["status"] != "invalid":
            assert r["deadline"] == d["deadline"], where  # None for exempt rows
        if d["status"] in ("late", "overdue"):  # overdue up to the leave date for a leaver (11.2)
            assert r["days_late"] == d["days_late"], where
        if d["status"] == "pending":
            assert r["days_left"] == d["days_left"], where
        if d["status"] in ("invalid", "exempt", "left_before_deadline"):
            assert r["problem"], where
        if d["status"] == "left_before_deadline":
            assert (r["days_late"], r["days_left"]) == (None, None), where
        if d["status"] == "exempt":
            assert (r["days_late"], r["days_left"]) == (None, None), where
        assert r["ssn"] == d["ssn"], where
        assert bool(r["id_problem"]) == bool(d["id_problem"]), where
        assert r["id_kind"] == d["id_kind"], where
        assert r["card_status"] == d["card_status"], where
        assert r["card_status"] is None or r["card_status"] in CARD_CODES, where
        if d["problem_required"]:
            assert r["problem"], where
        for mention in d["problem_mentions"]:
            assert mention.lower() in (r["problem"] or "").lower(), f"{where}: problem should mention {mention!r}"


@pytest.mark.parametrize("name", FILES)
def test_problems_table_lists_the_codes(name: str, out_dir: Path) -> None:
    """An unknown card word (card_status_unknown) and an unknown employment type (employment_type_unknown)
    are listed in the problems table, at the row a person sees, with the raw value (section 10); so are
    the codes of section 11 (registration_month_only, deregistration_late/_missing, over_statutory_age,
    work_injury_required, waiver_void, dispatch_user_registers, duplicate_person, ...), each at exactly
    the rows the generator worked out."""
    e = EXPECTED["files"][name]
    table = problems(name, out_dir)
    raw = {d["source_row"]: d for d in e["rows_detail"]}
    for code, want in e["problem_table"].items():
        listed = [p for p in table if p["code"] == code]
        assert sorted(p["source_row"] for p in listed) == want, code
    for p in table:
        if p["code"] == "employment_type_unknown":
            assert p["value"] == raw[p["source_row"]]["employment_type"]


@pytest.mark.parametrize("name", FILES)
def test_file_notes_for_rows_that_are_not_employees(name: str, out_dir: Path) -> None:
    """A blank row and a 合计 totals row are not employees: no check row, a file note naming the row."""
    e = EXPECTED["files"][name]
    notes = [p["message"] for p in problems(name, out_dir) if p["code"] == "file_note"]
    rows = by_row(name, out_dir)
    for note in e["file_notes"]:
        assert note["row"] not in rows
        assert any(str(note["row"]) in m and (note["text"] or "") in m for m in notes), note


@pytest.mark.parametrize("name", FILES)
def test_flagged_employers(name: str, out_dir: Path) -> None:
    """Employers with at least one overdue employee of duty ``full``, and only those, are flagged (Art. 58,
    section 11.3); exempt rows are counted in their own column (after ``invalid``) and never flag an
    employer (section 10); work-injury-only overdue rows and 减员 issues have their own columns (11.7)."""
    e = EXPECTED["files"][name]
    rows = employers(name, out_dir)
    assert {r["employer_id"] for r in rows if r["flag_premium_verification"]} == set(e["flagged_employers"])
    got = {r["employer_id"]: r for r in rows}
    assert set(got) == set(e["employers"])
    keys = ("employees", *STATUSES, "max_days_overdue", "work_injury_overdue", "deregistration_issues")
    for eid, want in e["employers"].items():
        assert {k: got[eid][k] for k in keys} == {k: want[k] for k in keys}, eid
    for r in rows:
        columns = list(r)
        assert columns.index("exempt") == columns.index("invalid") + 1
        assert columns.index("left_before_deadline") == columns.index("exempt") + 1
        assert columns.index("work_injury_overdue") == columns.index("flag_reason") + 1
        assert columns.index("deregistration_issues") == columns.index("flag_reason") + 2


def test_xlsx_rows_as_seen_in_excel(out_dir: Path) -> None:
    """Title row 1, note row 2, header row 3: the first person is row 4; the blank row 24 is skipped."""
    rows = by_row("hr_roster_2025.xlsx", out_dir)
    assert min(rows) == 3 + 1
    assert 24 not in rows
    n = EXPECTED["files"]["hr_roster_2025.xlsx"]["rows"]
    assert sorted(rows) == [*range(4, 24), *range(25, 25 + n - 20)]


def test_xlsx_employer_from_command_line(out_dir: Path) -> None:
    """The roster has no employer columns: every row carries the --employer-id/--employer-name given."""
    args = EXPECTED["files"]["hr_roster_2025.xlsx"]["extra_args"]
    employer_id = args[args.index("--employer-id") + 1]
    employer_name = args[args.index("--employer-name") + 1]
    for r in check("hr_roster_2025.xlsx", out_dir):
        assert (r["employer_id"], r["employer_name"]) == (employer_id, employer_name)


def test_xlsx_fifteen_digit_number_upgraded(out_dir: Path) -> None:
    """110105680315123 (first generation) becomes 110105 19 680315 123 + check character.

    Worked by hand, weights 2^(17-i) mod 11 = 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2:
      digits   1 1 0  1 0 5 1 9 6 8 0 3 1  5 1 2 3
      products 7 9 0  5 0 20 2 9 36 24 0 27 10 25 8 8 6  -> sum 196
      196 mod 11 = 9; check = (12 - 9) mod 11 = 3     -> 110105196803151233
    Born 1968-03-15, sequence 123 is odd: male.
    """
    r = by_row("hr_roster_2025.xlsx", out_dir)[6]
    assert r["ssn"] == "110105196803151233"
    assert r["id_problem"] is None
    assert r["birth_date"] == "1968-03-15"
    assert r["sex"] == "M"


def test_xlsx_number_cell_id_has_problem_and_no_ssn(out_dir: Path) -> None:
    """Row 11 holds the ID as a number cell (1.10105199003071E+17): digits are lost, never guessed."""
    r = by_row("hr_roster_2025.xlsx", out_dir)[11]
    assert r["id_problem"]
    assert r["ssn"] is None
    assert r["status"] == "on_time", "a bad ID does not change the status"


def test_xlsx_normalised_ids(out_dir: Path) -> None:
    """Lowercase x and full-width digits are normalised; a wrong check character is a problem."""
    rows = by_row("hr_roster_2025.xlsx", out_dir)
    assert rows[26]["ssn"] == "11010119851128306X" and rows[26]["id_problem"] is None
    assert rows[35]["ssn"] == "310104197212246770" and rows[35]["id_problem"] is None
    assert rows[17]["ssn"] is None and rows[17]["id_problem"]


def test_xlsx_deadline_edges(out_dir: Path) -> None:
    """National Day rollover, an adjusted Sunday working day, and the deadline equal to the as-of date."""
    rows = by_row("hr_roster_2025.xlsx", out_dir)
    # hire 2025-09-01: +30 = 2025-10-01, holiday to 10-08 -> 2025-10-09; registered 10-09.
    assert (rows[7]["deadline"], rows[7]["status"]) == ("2025-10-09", "on_time")
    # hire 2025-08-29: +30 = Sunday 2025-09-28, an adjusted working day; registered 09-29.
    assert (rows[13]["deadline"], rows[13]["status"], rows[13]["days_late"]) == ("2025-09-28", "late", 1)
    # hire 2025-10-21: +30 = Thursday 2025-11-20, the as-of date itself.
    assert (rows[20]["status"], rows[20]["days_left"]) == ("pending", 0)
    # hire 2025-10-20: deadline Wednesday 2025-11-19.
    assert (rows[29]["status"], rows[29]["days_late"]) == ("overdue", 1)
    assert rows[33]["status"] == "invalid" and rows[33]["problem"]  # hire date 待定
    assert rows[39]["status"] == "invalid" and rows[39]["problem"]  # registration date 不详


def test_english_permits_and_registration_after_as_of(out_dir: Path) -> None:
    """Permits and the foreign permanent resident ID are valid; a future registration counts as none."""
    rows = by_row("english_roster.csv", out_dir)
    assert rows[2]["ssn"] == "810000198805120235" and rows[2]["id_problem"] is None
    assert rows[4]["ssn"] == "83000019790923018X" and rows[4]["id_problem"] is None
    assert rows[7]["ssn"] == "911840198506120031" and rows[7]["id_problem"] is None
    assert rows[11]["ssn"] is None and rows[11]["id_problem"]  # 1.10105E+17
    assert rows[19]["ssn"] is None and rows[19]["id_problem"]  # born 1990-02-30
    # Registered 2025-11-25, after the as-of date: not yet registered on 2025-11-20.
    assert (rows[12]["status"], rows[12]["days_late"]) == ("overdue", 10)
    assert rows[12]["problem"]
    assert rows[5]["status"] == "on_time"  # registered before the hire date
    assert rows[8]["status"] == "on_time"  # registered on the deadline, Saturday 2025-02-08 (working day)
    assert (rows[9]["status"], rows[9]["days_late"]) == ("late", 1)  # one day after the deadline


def test_legacy_unknown_county_stays_valid(out_dir: Path) -> None:
    """330112 (Lin'an District, 2017) with a 1976 birth date: valid, region may be unknown."""
    r = by_row("legacy_roster.xls", out_dir)[11]
    assert r["ssn"] == "330112197608140378"
    assert r["id_problem"] is None


# --- section 10 rows (appended to the original rows of each file) ----------------------------------


def test_xlsx_passport_with_later_work_permit(out_dir: Path) -> None:
    """Row 45: passport (护照), hired 2025-09-15, work permit 2025-10-10, registered 2025-11-05.

    From the hire date: 2025-09-15 + 30 = Wednesday 2025-10-15, a working day: 21 days late.
    From the work permit (MOHRSS Order No. 16, Art. 4): 2025-10-10 + 30 = Sunday 2025-11-09 ->
    Monday 2025-11-10; registered 2025-11-05: on time. No SSN (the agency assigns it), no ID problem.
    """
    r = by_row("hr_roster_2025.xlsx", out_dir)[45]
    assert (r["status"], r["deadline"], r["id_kind"]) == ("on_time", "2025-11-10", "passport")
    assert r["ssn"] is None and r["id_problem"] is None
    assert "work permit" in r["problem"].lower() and "agency" in r["problem"].lower()


def test_english_passport_overdue_counted_from_the_work_permit(out_dir: Path) -> None:
    """Row 32: hired 2025-08-18, work permit 2025-09-26, not registered. 2025-09-26 + 30 = Sunday
    2025-10-26 -> Monday 2025-10-27; as of 2025-11-20 overdue by 24 days (from the hire date it would
    be 2025-09-17, 64 days)."""
    r = by_row("english_roster.csv", out_dir)[32]
    assert (r["status"], r["deadline"], r["days_late"]) == ("overdue", "2025-10-27", 24)
    assert (r["id_kind"], r["ssn"], r["id_problem"]) == ("passport", None, None)


def test_exempt_rows_and_the_employers_exempt_column(out_dir: Path) -> None:
    """实习生, 劳务派遣 (xlsx rows 47-48) and service (CSV row 35): exempt, no deadline, the reason in problem.
    The 退休返聘 labels (xlsx row 46, born 1989-12-05; CSV row 34, born 1987-05-23) are below the original
    age of 60: full duty, overdue (section 11.3, retired_below_statutory_age). Women born 1965-1969 and
    hired at 55 or more (xlsx rows 10, 16, 41, 52) are over-age: exempt as of 2025-11-20, before
    Order 56. The employer counts the exempt rows in ``exempt``; its flag comes from full-duty overdue rows."""
    rows = by_row("hr_roster_2025.xlsx", out_dir)
    for row in (47, 48, 10, 16, 41, 52):
        assert rows[row]["status"] == "exempt" and rows[row]["deadline"] is None and rows[row]["problem"]
        assert rows[row]["duty"] == "none"
    # hired 2025-03-03: deadline Wed 2025-04-02; as of 2025-11-20 overdue 28 + 31 + 30 + 31 + 31 + 30 + 31 + 20 = 232
    assert (rows[46]["status"], rows[46]["duty"], rows[46]["days_late"]) == ("overdue", "full", 232)
    (employer,) = employers("hr_roster_2025.xlsx", out_dir)
    assert employer["exempt"] == 6
    assert employer["overdue"] == sum(r["status"] == "overdue" for r in rows.values())
    assert employer["flag_premium_verification"]
    english = by_row("english_roster.csv", out_dir)
    assert english[35]["status"] == "exempt"  # service
    assert (english[34]["status"], english[34]["duty"]) == ("overdue", "full")  # retired at 37


def test_part_time_unknown_type_and_under_16_keep_the_duty(out_dir: Path) -> None:
    """非全日制 (row 49) and part-time (CSV row 36) keep the 30-day duty, for work injury only (11.3);
    临时工 (row 51) counts as full-time with a note; the under-16 hire (row 50, born 2009-10-15, hired
    2025-07-01) is judged as usual and noted (Labour Law Art. 15)."""
    rows = by_row("hr_roster_2025.xlsx", out_dir)
    assert (rows[49]["status"], rows[49]["duty"]) == ("overdue", "work_injury_only")
    assert by_row("english_roster.csv", out_dir)[36]["status"] == "pending"
    assert rows[51]["status"] == "late" and "临时工" in rows[51]["problem"]
    assert (rows[50]["status"], rows[50]["birth_date"]) == ("on_time", "2009-10-15")
    assert "Art. 15" in rows[50]["problem"]


def test_agency_card_words(out_dir: Path) -> None:
    """正常, 封存, 临时挂失, 待激活, 未申领, 注销 map to the section 10 codes; 冻结 is unknown (待领取 is
    ready_for_collection since section 11.4)."""
    rows = by_row("hr_roster_2025.xlsx", out_dir)
    assert [rows[r]["card_status"] for r in (46, 47, 48, 50, 51, 52, 53)] == [
        "activated", "not_applied", "issued_not_activated", "issued_not_activated", "lost", "cancelled", "unknown"]
    unknown = [p for p in problems("hr_roster_2025.xlsx", out_dir) if p["code"] == "card_status_unknown"]
    assert [(p["source_row"], p["value"]) for p in unknown] == [(53, "冻结")]


def test_separators_and_section_10_invalid_numbers(out_dir: Path) -> None:
    """Em dashes (xlsx row 52), zero-width spaces (CSV row 37), a leading ' with full-width hyphens and
    ideographic/no-break spaces (xls rows 29-30) are stripped; a birth date before 1900 (row 31) and a
    residence permit with address code 810100 (row 32) are invalid. The .xls's only date column of that
    kind is 参加工作日期, a career start since section 11.1: every row of it is invalid, the ID checks run
    all the same."""
    xlsx, english, legacy = (by_row(n, out_dir) for n in ("hr_roster_2025.xlsx", "english_roster.csv",
                                                           "legacy_roster.xls"))
    for r in (xlsx[52], english[37], legacy[29], legacy[30]):
        assert r["ssn"] and r["id_problem"] is None and r["id_kind"] == "resident"
        assert len(r["ssn"]) == 18
    assert legacy[31]["ssn"] is None and legacy[31]["id_problem"]
    assert legacy[32]["ssn"] is None and "810100" in legacy[32]["id_problem"]
    assert (legacy[31]["status"], legacy[32]["status"]) == ("invalid", "invalid")


# --- section 11 rows (hr_roster_2026.xlsx, as of 2026-11-20) ------------------------------------------

HR2026 = "hr_roster_2026.xlsx"


def test_hr2026_layout_and_totals_row(out_dir: Path) -> None:
    """Title rows 1-2, the one-row header in row 3, people in rows 4-45; row 46 (合计 / 共42人) is a totals
    row: a file note, not an employee, and no employer counts it."""
    rows = by_row(HR2026, out_dir)
    assert sorted(rows) == list(range(4, 46))
    assert EXPECTED["files"][HR2026]["as_of"] == "2026-11-20"
    notes = [p["message"] for p in problems(HR2026, out_dir) if p["code"] == "file_note"]
    assert any("46" in m and "合计" in m for m in notes)
    assert sum(r["employees"] for r in employers(HR2026, out_dir)) == 42


def test_hr2026_leavers(out_dir: Path) -> None:
    """Section 11.2, worked by hand.

    Row 20: hired Mon 2026-09-14, + 30 = Wed 10-14 (a working day); left 10-09, never registered:
    left_before_deadline, no days. Row 21: hired 2026-05-11, deadline Wed 06-10, left 08-31 unregistered:
    overdue 20 + 31 + 31 = 82 days, to the leave, not to the as-of date. Row 22: deadline Wed 2024-04-03,
    left 2024-09-30: overdue 27 + 31 + 30 + 31 + 31 + 30 = 180, and the leave is more than two years
    before 2026-11-20 (inspection_time_limit). Row 23: left 09-30, 减员 due 09-30 + 15 = Thu 10-15, done
    10-30: deregistration_late. Row 24: left 08-14, due 08-29 (Saturday) -> Mon 08-31, no 减员 and 参保状态
    正常: deregistration_missing. Row 25 (停保) and row 26 (减员 07-10, due Wed 07-15): no code. Row 27:
    离职日期 2026-12-31 after the as-of date: ignored (leave_date_after_as_of)."""
    rows = by_row(HR2026, out_dir)
    assert (rows[20]["status"], rows[20]["deadline"], rows[20]["days_late"]) == (
        "left_before_deadline", "2026-10-14", None)
    assert (rows[21]["status"], rows[21]["deadline"], rows[21]["days_late"]) == ("overdue", "2026-06-10", 82)
    assert (rows[22]["status"], rows[22]["deadline"], rows[22]["days_late"]) == ("overdue", "2024-04-03", 180)
    assert rows[27]["status"] == "on_time"
    table = problems(HR2026, out_dir)
    codes = {code: sorted(p["source_row"] for p in table if p["code"] == code)
             for code in ("inspection_time_limit", "deregistration_late", "deregistration_missing",
                          "leave_date_after_as_of")}
    assert codes == {"inspection_time_limit": [22], "deregistration_late": [23], "deregistration_missing": [24],
                     "leave_date_after_as_of": [27]}
    (a, b) = sorted(employers(HR2026, out_dir), key=lambda r: -r["employees"])
    assert (a["left_before_deadline"], a["deregistration_issues"]) == (1, 2)
    assert (b["left_before_deadline"], b["deregistration_issues"]) == (0, 0)


def test_hr2026_part_time_and_over_age(out_dir: Path) -> None:
    """Section 11.3, worked by hand (reformed age reached on birth date + N months).

    Rows 28-29 (非全日制): work_injury_only. Row 30: woman born 1970-09-15, 55-table m = 8, + ceil(9/4) = 3
    months: 55y3m on 2025-12-15; hired 2026-09-03: over-age, + 30 = 10-03 (National Day) -> Thu 10-08.
    Row 31: man born 1966-05-10, m = 16, + ceil(17/4) = 5: 60y5m on 2026-10-10 = his hire date: over-age,
    deadline Mon 11-09, overdue 11. Row 32: the same birth date, hired 10-09, one day short: full duty.
    Row 33: born 1963-04-20 (age 60), hired 2026-03-02: the 30 days count from 2026-07-01, deadline Fri
    07-31, overdue 31 + 30 + 31 + 20 = 112. Row 34: woman born 1973-05-05 (52): between the tables."""
    rows = by_row(HR2026, out_dir)
    assert [rows[r]["duty"] for r in range(28, 35)] == [
        "work_injury_only", "work_injury_only", "work_injury_only", "work_injury_only", "full",
        "work_injury_only", "full"]
    assert (rows[30]["status"], rows[30]["deadline"]) == ("on_time", "2026-10-08")
    assert (rows[31]["status"], rows[31]["deadline"], rows[31]["days_late"]) == ("overdue", "2026-11-09", 11)
    assert (rows[32]["status"], rows[32]["deadline"]) == ("on_time", "2026-11-09")
    assert (rows[33]["status"], rows[33]["deadline"], rows[33]["days_late"]) == ("overdue", "2026-07-31", 112)
    table = problems(HR2026, out_dir)
    listed = {code: sorted(p["source_row"] for p in table if p["code"] == code)
              for code in ("over_statutory_age", "work_injury_required", "retirement_age_uncertain")}
    assert listed == {"over_statutory_age": [30, 31, 33], "work_injury_required": [30, 31, 33],
                      "retirement_age_uncertain": [34]}
    (a, _) = sorted(employers(HR2026, out_dir), key=lambda r: -r["employees"])
    assert a["work_injury_overdue"] == 3  # rows 28, 31, 33


def test_hr2026_month_only_waiver_dispatch_duplicate(out_dir: Path) -> None:
    """Row 35: 202507, deadline Thu 2025-07-10 inside July: on_time, shown as 2025-07-01. Row 36: 2025年7月,
    deadline Thu 2025-06-05 before July: late 07-01 - 06-05 = 26 (a lower bound). Row 37: 自愿放弃社保 is
    void: full duty, + 30 = 05-01 (Labour Day) -> Wed 05-06, overdue 198. Row 38: 劳务派遣 with no local
    branch (否): the user company registers, full duty, late 6. Rows 39 (是) and 40 (blank): exempt.
    Row 42 repeats row 7's person for the same employer: duplicate_person; row 44, the same person at the
    other employer, is no duplicate."""
    rows = by_row(HR2026, out_dir)
    assert (rows[35]["status"], rows[35]["registration_date"]) == ("on_time", "2025-07-01")
    assert (rows[36]["status"], rows[36]["days_late"]) == ("late", 26)
    assert (rows[37]["status"], rows[37]["duty"], rows[37]["deadline"], rows[37]["days_late"]) == (
        "overdue", "full", "2026-05-06", 198)
    assert (rows[38]["status"], rows[38]["duty"], rows[38]["days_late"]) == ("late", "full", 6)
    assert rows[39]["status"] == rows[40]["status"] == "exempt"
    assert rows[7]["ssn"] == rows[42]["ssn"] == rows[44]["ssn"]
    table = problems(HR2026, out_dir)
    listed = {code: sorted(p["source_row"] for p in table if p["code"] == code)
              for code in ("registration_month_only", "waiver_void", "dispatch_user_registers", "duplicate_person")}
    assert listed == {"registration_month_only": [35, 36], "waiver_void": [37], "dispatch_user_registers": [38],
                      "duplicate_person": [42]}
