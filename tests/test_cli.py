"""The command line (shared README section 7), run in-process with ``main([...])`` and, for the
contract as outside callers use it, as ``python -m compliance`` in a subprocess.

Exit codes: 0 success, 1 an invalid ID number, 2 unusable input with one line on stderr.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from compliance.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]
CHECK_COLUMNS = ["source_file", "source_row", "employer_id", "employer_name", "name", "id_number", "ssn",
                 "id_problem", "birth_date", "sex", "region", "hire_date", "registration_date", "deadline", "status",
                 "days_late", "days_left", "problem", "deadline_provisional"]
EMPLOYER_COLUMNS = ["employer_id", "employer_name", "employees", "on_time", "late", "overdue", "pending", "invalid",
                    "max_days_overdue", "flag_premium_verification", "flag_reason"]
ID_KEYS = ["input", "valid", "kind", "ssn", "birth_date", "sex", "region_code", "problems", "warnings"]
HEADER = ["统一社会信用代码", "单位名称", "姓名", "身份证号", "入职日期", "参保日期"]


@pytest.fixture
def roster(roster_file, make_id) -> Path:
    """Four people of two employers; statuses as of 2025-11-20 worked out per row."""
    a, b = make_id("11010519900307123"), make_id("11010519900307124")
    return roster_file("hr.xlsx", [
        ["2025年员工花名册"],                                        # row 1
        HEADER,                                                       # row 2
        ["911", "甲公司", "张三", a, "2025-03-05", "2025-04-07"],     # 3: deadline 04-07 (Qingming): on time
        ["911", "甲公司", "李四", b, "2025-06-02", None],             # 4: deadline 07-02: overdue 141 days
        ["912", "乙公司", "王五", "123", "2025-11-01", None],         # 5: +30 = 12-01 (Mon): pending 11 days
        ["912", "乙公司", "赵六", a, "待定", None],                   # 6: invalid
    ])


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def check_json(capsys, *argv: str, tmp: Path) -> list[dict]:
    out = tmp / "check.json"
    code, _, err = run(capsys, "check", *argv, "--out", str(out))
    assert code == 0, err
    return json.loads(out.read_text(encoding="utf-8"))


# --- check ------------------------------------------------------------------------------------------------


def test_check_json(capsys, tmp_path: Path, roster: Path) -> None:
    rows = check_json(capsys, str(roster), "--as-of", "2025-11-20", tmp=tmp_path)
    assert [list(r) for r in rows] == [CHECK_COLUMNS] * 4
    got = [(r["source_row"], r["status"], r["days_late"], r["days_left"]) for r in rows]
    assert got == [(3, "on_time", None, None), (4, "overdue", 141, None), (5, "pending", None, 11),
                   (6, "invalid", None, None)]
    assert rows[0]["deadline"] == "2025-04-07" and rows[0]["source_file"] == "hr.xlsx"
    assert rows[2]["id_problem"] and rows[2]["ssn"] is None


def test_check_csv(capsys, tmp_path: Path, roster: Path) -> None:
    out = tmp_path / "check.csv"
    code, stdout, _ = run(capsys, "check", str(roster), "--as-of", "2025-11-20", "--out", str(out))
    assert code == 0
    assert str(out) in stdout and "4 rows" in stdout
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == CHECK_COLUMNS
    assert [r[14] for r in rows[1:]] == ["on_time", "overdue", "pending", "invalid"]


def test_check_xlsx_has_the_employees_and_the_problems(capsys, tmp_path: Path, roster: Path) -> None:
    out = tmp_path / "check.xlsx"
    code, _, _ = run(capsys, "check", str(roster), "--as-of", "2025-11-20", "--out", str(out))
    assert code == 0
    book = openpyxl.load_workbook(out)
    first, problems = book.worksheets[0], book.worksheets[1]
    assert [c.value for c in first[1]] == CHECK_COLUMNS
    assert [first.cell(r, 15).value for r in range(2, 6)] == ["on_time", "overdue", "pending", "invalid"]
    assert first.freeze_panes == "A2" and first.auto_filter.ref == "A1:S5"
    rows = {(r[1], r[3]) for r in problems.iter_rows(min_row=2, values_only=True) if r[1] is not None}
    assert {(5, "id_length"), (6, "date_unreadable")} <= rows


def test_check_problems_file(capsys, tmp_path: Path, roster: Path) -> None:
    problems = tmp_path / "problems.json"
    code, _, _ = run(capsys, "check", str(roster), "--as-of", "2025-11-20", "--out", str(tmp_path / "c.json"),
                     "--problems", str(problems))
    assert code == 0
    listed = json.loads(problems.read_text(encoding="utf-8"))
    assert {(p["source_row"], p["column"]) for p in listed} >= {(5, "身份证号 (column D)"), (6, "入职日期 (column E)")}
    assert all(set(p) == {"source_file", "source_row", "column", "code", "value", "message"} for p in listed)


def test_check_calendar_days(capsys, tmp_path: Path, roster: Path) -> None:
    rows = check_json(capsys, str(roster), "--as-of", "2025-11-20", "--calendar-days", tmp=tmp_path)
    # registered 2025-04-07, strict deadline 2025-03-05 + 30 = 2025-04-04: three days late
    assert (rows[0]["deadline"], rows[0]["status"], rows[0]["days_late"]) == ("2025-04-04", "late", 3)


def test_check_as_of_defaults_to_today(capsys, tmp_path: Path, roster: Path) -> None:
    default = check_json(capsys, str(roster), tmp=tmp_path)
    explicit = check_json(capsys, str(roster), "--as-of", dt.date.today().isoformat(), tmp=tmp_path)
    assert default == explicit


def test_check_employer_arguments_fill_the_employer(capsys, tmp_path: Path, roster_file, make_id) -> None:
    path = roster_file("plain.csv", [["姓名", "身份证号", "入职日期"],
                                     ["张三", make_id("11010519900307123"), "2025-03-05"]])
    rows = check_json(capsys, str(path), "--as-of", "2025-11-20", "--employer-id", "91110105MA00000000",
                      "--employer-name", "示例公司", tmp=tmp_path)
    assert (rows[0]["employer_id"], rows[0]["employer_name"]) == ("91110105MA00000000", "示例公司")


def test_check_skips_readme_with_a_warning(capsys, tmp_path: Path, roster: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# uploads\n", encoding="utf-8")
    out = tmp_path / "c.json"
    code, _, err = run(capsys, "check", str(roster), str(readme), "--as-of", "2025-11-20", "--out", str(out))
    assert code == 0
    assert "README.md" in err
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 4


def test_check_warns_about_provisional_deadlines(capsys, tmp_path: Path, roster_file, make_id) -> None:
    path = roster_file("dec.csv", [["姓名", "身份证号", "入职日期"],
                                   ["张三", make_id("11010519900307123"), "2026-12-10"]])
    out = tmp_path / "c.json"
    code, _, err = run(capsys, "check", str(path), "--as-of", "2026-12-20", "--out", str(out))
    assert code == 0
    assert len(err.strip().splitlines()) == 1 and "2027" in err
    row = json.loads(out.read_text(encoding="utf-8"))[0]
    assert (row["deadline"], row["deadline_provisional"], row["status"]) == ("2027-01-11", True, "pending")


# --- employers --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".json", ".csv", ".xlsx"])
def test_employers(capsys, tmp_path: Path, roster: Path, suffix: str) -> None:
    out = tmp_path / f"employers{suffix}"
    code, stdout, _ = run(capsys, "employers", str(roster), "--as-of", "2025-11-20", "--out", str(out))
    assert code == 0 and "2 employers" in stdout and "1 flagged" in stdout
    if suffix == ".json":
        rows = json.loads(out.read_text(encoding="utf-8"))
    elif suffix == ".csv":
        lines = list(csv.reader(out.read_bytes().decode("utf-8-sig").splitlines()))
        rows = [dict(zip(lines[0], r, strict=True)) for r in lines[1:]]
        assert lines[0] == EMPLOYER_COLUMNS
    else:
        ws = openpyxl.load_workbook(out).worksheets[0]
        values = list(ws.iter_rows(values_only=True))
        rows = [dict(zip(values[0], r, strict=True)) for r in values[1:3]]
    assert [list(r) for r in rows] == [EMPLOYER_COLUMNS] * 2
    first, second = rows
    assert str(first["employer_id"]) == "911" and str(first["overdue"]) == "1"
    assert str(first["max_days_overdue"]) == "141"
    assert str(first["flag_premium_verification"]).lower() == "true"
    assert first["flag_reason"] == "1 employee unregistered, longest 141 days past deadline"
    assert str(second["employer_id"]) == "912" and str(second["flag_premium_verification"]).lower() == "false"
    assert (str(second["pending"]), str(second["invalid"])) == ("1", "1")


# --- id ---------------------------------------------------------------------------------------------------


def test_id_json_valid(capsys) -> None:
    code, out, _ = run(capsys, "id", "11010519491231002x", "--json")
    obj = json.loads(out)
    assert list(obj) == ID_KEYS
    assert code == 0
    assert obj == {"input": "11010519491231002x", "valid": True, "kind": "resident", "ssn": "11010519491231002X",
                   "birth_date": "1949-12-31", "sex": "F", "region_code": "110105", "problems": [], "warnings": []}


def test_id_json_invalid(capsys) -> None:
    code, out, _ = run(capsys, "id", "110105194912310021", "--json")
    obj = json.loads(out)
    assert code == 1
    assert set(obj) == set(ID_KEYS)
    assert obj["valid"] is False and obj["ssn"] is None
    assert len(obj["problems"]) == 1 and "X" in obj["problems"][0]  # the check character should be X


def test_id_text(capsys) -> None:
    code, out, _ = run(capsys, "id", "11010519491231002X")
    assert code == 0 and "11010519491231002X" in out and "1949-12-31" in out
    code, out, _ = run(capsys, "id", "12345")
    assert code == 1 and out.startswith("invalid")


# --- deadline ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("argv", "printed"), [
    (["2025-03-05"], "2025-04-07"),                     # +30 = 04-04 Qingming -> Mon 04-07
    (["2025-03-05", "--calendar-days"], "2025-04-04"),
    (["2024-12-29"], "2025-02-05"),                     # +30 = 01-28 Spring Festival -> 02-05
    (["2025-09-11"], "2025-10-11"),                     # +30 = Sat 10-11, an adjusted working day
])
def test_deadline(capsys, argv: list[str], printed: str) -> None:
    code, out, err = run(capsys, "deadline", *argv)
    assert (code, out, err) == (0, printed + "\n", "")


def test_deadline_in_a_year_without_a_notice_is_provisional(capsys) -> None:
    # 2026-12-10 + 30 = 2027-01-09, a Saturday; no 2027 notice -> provisional Monday 2027-01-11
    code, out, err = run(capsys, "deadline", "2026-12-10")
    assert code == 0 and out == "2027-01-11\n"
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "2027" in lines[0] and "provisional" in lines[0]


# --- exit codes and errors --------------------------------------------------------------------------------


def test_missing_file_exit_2_one_line(capsys, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-file.xlsx"
    out = tmp_path / "c.json"
    code, _, err = run(capsys, "check", str(missing), "--out", str(out))
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1 and "no-such-file.xlsx" in lines[0]
    assert not out.exists()


def test_missing_file_among_good_ones(capsys, tmp_path: Path, roster: Path) -> None:
    code, _, err = run(capsys, "employers", str(roster), str(tmp_path / "gone.csv"), "--out", str(tmp_path / "e.csv"))
    assert code == 2 and len(err.splitlines()) == 1 and "gone.csv" in err


def test_no_header_exit_2(capsys, tmp_path: Path, roster_file) -> None:
    path = roster_file("payroll.csv", [["工号", "金额"], ["1", "100"]])
    code, _, err = run(capsys, "check", str(path), "--out", str(tmp_path / "c.json"))
    assert code == 2 and len(err.splitlines()) == 1 and "payroll.csv" in err


def test_unknown_out_suffix_exit_2(capsys, tmp_path: Path, roster: Path) -> None:
    out = tmp_path / "report.txt"
    code, _, err = run(capsys, "check", str(roster), "--as-of", "2025-11-20", "--out", str(out))
    assert code == 2 and len(err.splitlines()) == 1 and ".txt" in err
    assert not out.exists()


@pytest.mark.parametrize("argv", [
    ["check", "x.csv", "--as-of", "2025-02-30", "--out", "x.json"],
    ["check", "x.csv", "--as-of", "20/11/2025", "--out", "x.json"],
    ["employers", "x.csv", "--as-of", "tomorrow", "--out", "x.json"],
    ["deadline", "2025-13-01"],
    ["check", "x.csv"],  # --out is required
    ["frobnicate"],
])
def test_bad_arguments_exit_2(capsys, argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "error" in capsys.readouterr().err


def subcommands() -> tuple[dict[str, argparse.ArgumentParser], dict[str, str | None]]:
    """The subcommands of build_parser() and the help shown for each in the command list."""
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices), {choice.dest: choice.help for choice in sub._choices_actions}


def test_every_command_has_help_text() -> None:
    commands, helps = subcommands()
    assert {"check", "employers", "id", "deadline"} <= set(commands)
    for name, command in commands.items():
        assert helps.get(name), f"{name} has no help in the command list"
        assert command.description, f"{name} has no description"
        assert name in command.format_help()


def test_every_option_has_help_text() -> None:
    commands, _ = subcommands()
    missing = [f"{name} {action.option_strings[0]}" for name, command in commands.items()
               for action in command._actions
               if action.option_strings and not isinstance(action, argparse._HelpAction) and not action.help]
    assert missing == []


def test_top_level_help_lists_every_command(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for name in ("check", "employers", "id", "deadline"):
        assert name in out


# --- python -m compliance, as outside callers run it ------------------------------------------------------


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "compliance", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_subprocess_check_and_deadline(tmp_path: Path, roster: Path) -> None:
    out = tmp_path / "c.json"
    r = cli("check", str(roster), "--as-of", "2025-11-20", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert [row["status"] for row in json.loads(out.read_text(encoding="utf-8"))] == ["on_time", "overdue",
                                                                                      "pending", "invalid"]
    r = cli("deadline", "2026-12-10")
    assert (r.returncode, r.stdout) == (0, "2027-01-11\n")
    assert len(r.stderr.strip().splitlines()) == 1


def test_subprocess_missing_file(tmp_path: Path) -> None:
    r = cli("check", str(tmp_path / "no-such-file.xlsx"), "--out", str(tmp_path / "x.json"))
    assert r.returncode == 2
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "no-such-file.xlsx" in lines[0]
    assert r.stdout == ""


@pytest.mark.parametrize("text", ["20251120", "2025-W47-4", "2025-11-20T00:00", "2025/11/20"])
def test_date_arguments_are_strictly_iso(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["deadline", text])
    assert exit_info.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
