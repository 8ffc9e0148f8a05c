"""The command line (shared README section 7), run in-process with ``main([...])`` and, for the
contract as outside callers use it, as ``python -m compliance`` in a subprocess.

Exit codes: 0 success, 1 an invalid ID number, 2 unusable input with one line on stderr.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import importlib
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from compliance import cli as cli_module
from compliance.cases import CASE_STATES
from compliance.cli import build_parser, main
from compliance.errors import ShebaoError

ROOT = Path(__file__).resolve().parents[1]
CHECK_COLUMNS = ["source_file", "source_row", "employer_id", "employer_name", "name", "id_number", "ssn",
                 "id_problem", "birth_date", "sex", "region", "hire_date", "registration_date", "deadline", "status",
                 "days_late", "days_left", "problem", "deadline_provisional", "id_kind", "card_status",
                 "career_start_date", "leave_date", "duty"]  # section 11.7: the last three after card_status
# section 11.7: left_before_deadline after exempt; work_injury_overdue, deregistration_issues after flag_reason
EMPLOYER_COLUMNS = ["employer_id", "employer_name", "employees", "on_time", "late", "overdue", "pending", "invalid",
                    "exempt", "left_before_deadline", "max_days_overdue", "flag_premium_verification", "flag_reason",
                    "work_injury_overdue", "deregistration_issues"]
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
    # section 11.7: 24 check columns (21 + career_start_date, leave_date, duty): A..X
    assert first.freeze_panes == "A2" and first.auto_filter.ref == "A1:X5"
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


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_check_refuses_an_employer_name_longer_than_the_store_keeps(capsys, tmp_path: Path, roster_file,
                                                                   make_id, suffix: str) -> None:
    """Issue 20, finding 6: the name fills every row (1 MB on 300 rows cost 1.8 GB); 256 characters is one
    more than the store keeps (registration.MAX_EMPLOYER_NAME_CHARS = 255). One line, exit 2, no output."""
    path = roster_file("plain.csv", [["姓名", "身份证号", "入职日期"],
                                     ["张三", make_id("11010519900307123"), "2025-03-05"]])
    out = tmp_path / f"c{suffix}"
    code, _, err = run(capsys, "check", str(path), "--employer-name", "名" * 256, "--out", str(out))
    assert code == 2 and not out.exists()
    assert err.strip().splitlines() == [
        "error: the employer name given for rosters without employer columns: 256 characters, more than the 255 "
        "allowed; nothing was checked"]


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


ALL_COMMANDS = ["check", "employers", "cards", "id", "deadline", "upload", "import-registry", "history", "crosscheck",
                "worksheet", "cases", "case", "user", "user add", "user list", "user disable", "user enable",
                "user reset-password", "user unlock", "user set-role", "user reset-admin", "user audit", "batch",
                "batch check", "batch employers", "batch crosscheck"]


def subcommands(parser: argparse.ArgumentParser | None = None,
                prefix: str = "") -> dict[str, tuple[argparse.ArgumentParser, str | None]]:
    """Every subcommand of build_parser(), nested ones (``user add``) included, with the help shown for
    it in its parent's command list."""
    found: dict[str, tuple[argparse.ArgumentParser, str | None]] = {}
    for action in (parser or build_parser())._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help for choice in action._choices_actions}
            for name, command in action.choices.items():
                found[prefix + name] = (command, helps.get(name))
                found.update(subcommands(command, f"{prefix}{name} "))
    return found


def test_every_command_has_help_text() -> None:
    commands = subcommands()
    assert sorted(commands) == sorted(ALL_COMMANDS)
    for name, (command, help_text) in commands.items():
        assert help_text, f"{name} has no help in the command list"
        assert command.description, f"{name} has no description"
        assert name in command.format_help()


def test_every_argument_has_help_text() -> None:
    """Options and positional arguments alike, of every command and subcommand."""
    missing = [f"{name} {(action.option_strings or [action.dest])[0]}" for name, (command, _) in subcommands().items()
               for action in command._actions
               if not isinstance(action, argparse._HelpAction | argparse._SubParsersAction) and not action.help]
    assert missing == []


def test_every_command_has_a_function() -> None:
    top = {name for name in subcommands() if " " not in name}
    assert set(cli_module.COMMANDS) == top


@pytest.mark.parametrize("argv", [["--help"], ["user", "--help"]])
def test_help_lists_every_command(capsys, argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    prefix = "" if argv == ["--help"] else "user "
    for name in ALL_COMMANDS:
        if name.startswith(prefix) and " " not in name[len(prefix):]:
            assert name[len(prefix):] in out


def test_case_states_are_the_stores() -> None:
    """The parser takes the case states from the light ``cases`` module, which the store also enforces."""
    case, _ = subcommands()["case"]
    assert next(a for a in case._actions if a.dest == "state").choices == CASE_STATES


# --- one base class for the user's errors, one handler --------------------------------------------------


@pytest.mark.parametrize(("module", "name", "value_error"), [
    ("compliance.rosters", "RosterError", False),
    ("compliance.store", "StoreError", False),
    ("compliance.premiums", "ParamsError", True),
    ("compliance.reports", "ReportError", True),
    ("compliance.accounts", "AccountError", True),
    ("compliance.accounts", "SignInError", False),
    ("compliance.cli", "UsageError", False),
    ("compliance.calendar", "NoticeFileError", True),
])
def test_every_user_error_is_a_shebao_error(module: str, name: str, value_error: bool) -> None:
    error = getattr(importlib.import_module(module), name)
    assert issubclass(error, ShebaoError)
    if value_error:  # a ValueError before the common base came, still one
        assert issubclass(error, ValueError)


def test_a_shebao_error_is_exit_2_with_its_message(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(args: argparse.Namespace) -> int:
        raise ShebaoError("x.toml: no period covers 2031-01")

    monkeypatch.setitem(cli_module.COMMANDS, "id", refuse)
    assert run(capsys, "id", "1") == (2, "", "error: x.toml: no period covers 2031-01\n")


def test_any_other_error_is_exit_3_without_its_message(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(args: argparse.Namespace) -> int:
        raise KeyError("11010519491231002X")  # a message that could quote personal data

    monkeypatch.setitem(cli_module.COMMANDS, "id", crash)
    code, out, err = run(capsys, "id", "1")
    assert (code, out) == (3, "")
    assert "KeyError" in err and "11010519491231002X" not in err and len(err.splitlines()) == 1
    monkeypatch.setenv("SHEBAO_DEBUG", "1")
    with pytest.raises(KeyError):
        main(["id", "1"])


def test_import_registry_missing_file_exit_2_one_line(capsys, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    code, _, err = run(capsys, "import-registry", str(tmp_path / "gone.csv"), "--db", db)
    assert code == 2 and err == f"error: {tmp_path / 'gone.csv'}: file not found\n"


# --- demo accounts end where real data begins (issue 20, finding 10) ---------------------------------------


@pytest.mark.parametrize("command", ["upload", "import-registry"])
def test_storing_a_real_file_disables_the_demo_accounts(capsys, tmp_path: Path, db_url: str, command: str) -> None:
    from compliance import accounts, store

    engine = store.connect(db_url)
    created = accounts.ensure_demo_users(engine)
    sample = ROOT / "sample_uploads" / ("agency_extract_gbk.csv" if command == "upload" else
                                        "registry/agency_registry_2025.csv")
    code, _, err = run(capsys, command, str(sample), "--db", db_url)
    assert (code, err) == (0, "")  # a bundled sample: the demo goes on
    assert not any(u["disabled"] for u in accounts.list_users(engine))
    real = tmp_path / "real.csv"
    real.write_bytes(sample.read_bytes() + b"\r\n")  # one more line: another file
    code, out, err = run(capsys, command, str(real), "--db", db_url)
    assert code == 0 and "real.csv" in out
    assert len(err.splitlines()) == 1 and "demo-hr" in err and "demo-inspector" in err and "disabled" in err
    assert all(u["disabled"] for u in accounts.list_users(engine))
    assert store.audit_entries(engine)["action"].tolist().count("user_disable") == 2
    with pytest.raises(accounts.SignInError):
        accounts.authenticate(engine, "demo-inspector", created["demo-inspector"])
    code, _, err = run(capsys, command, str(real), "--db", db_url)
    assert (code, err) == (0, "")  # nothing left to disable: nothing said


# --- JSON of stored tables --------------------------------------------------------------------------------


def json_out_before(frame: pd.DataFrame) -> str:
    """cli_module._json_out as it was before dates.iso_dates: the oracle of its output, byte for byte."""
    out = frame.copy()
    for name in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[name]):
            out[name] = out[name].dt.strftime("%Y-%m-%dT%H:%M:%S").astype(object).where(out[name].notna(), None)
    return json.dumps(json.loads(out.to_json(orient="records", force_ascii=False)), ensure_ascii=False, indent=1)


def test_json_of_a_table_is_unchanged() -> None:
    frame = pd.DataFrame({
        "kind": ["roster", "registry", None],
        "at": pd.Series([pd.Timestamp("2025-11-18 09:00:01.75"), pd.NaT, pd.Timestamp("1999-12-31 23:59:59")]),
        "never": pd.Series([pd.NaT] * 3, dtype="datetime64[ns]"),
        "rows": [3, 0, 12],
        "share": [0.5, None, 1.0],
        "name": ["张三", "'=1+1", ""],
    })
    for table in (frame, frame.iloc[:0], frame.iloc[[1]]):
        assert cli_module._json_out(table) == json_out_before(table)


def test_history_and_cases_json_are_unchanged(capsys, tmp_path: Path, roster: Path) -> None:
    from compliance import store

    db = f"sqlite:///{tmp_path / 'store.db'}"
    assert run(capsys, "upload", str(roster), "--db", db)[0] == 0
    assert run(capsys, "case", "open", "911", "--note", "flagged", "--db", db)[0] == 0
    engine = store.connect(db)
    for command, table in (("history", store.history(engine)), ("cases", store.list_cases(engine))):
        code, out, _ = run(capsys, command, "--json", "--db", db)
        assert code == 0 and len(table) == 1
        assert out == json_out_before(table) + "\n"
        assert json.loads(out)[0][{"history": "uploaded_at", "cases": "opened_at"}[command]].count(":") == 2


# --- lazy imports: the parser and ``id`` start without the heavy libraries ---------------------------------

HEAVY = ["sqlalchemy", "alembic", "streamlit", "openpyxl", "python_calamine", "argon2", "holidays",
         "chinese_calendar", "compliance.store", "compliance.registration", "compliance.rosters",
         "compliance.reports", "compliance.calendar", "compliance.accounts", "compliance.crosscheck"]
PROBE = """
import json, sys
from compliance.cli import build_parser, main
code = main(sys.argv[1:]) if sys.argv[1:] else build_parser() and 0
print(json.dumps(sorted(sys.modules)))
"""


def modules_loaded(*argv: str) -> set[str]:
    """The modules loaded by ``main(argv)`` (by ``build_parser()`` alone without argv), in a fresh process."""
    r = subprocess.run([sys.executable, "-c", PROBE, *argv], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return set(json.loads(r.stdout.splitlines()[-1]))


def test_the_parser_imports_nothing_heavy() -> None:
    loaded = modules_loaded()
    assert [m for m in [*HEAVY, "numpy", "pandas", "pyarrow"] if m in loaded] == []


def test_id_imports_nothing_heavy() -> None:
    loaded = modules_loaded("id", "11010519491231002X")
    assert "compliance.ids" in loaded
    assert [m for m in HEAVY if m in loaded] == []


@pytest.mark.xfail(strict=True, reason="compliance.ids imports pandas at module level and explain() goes "
                                       "through validate_column; the id command loads pandas until ids has "
                                       "a pandas-free path for one number")
def test_id_imports_no_pandas() -> None:
    assert "pandas" not in modules_loaded("id", "11010519491231002X")


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


def test_a_db_in_a_folder_that_does_not_exist_is_the_users_mistake(capsys, tmp_path: Path) -> None:
    """Issue 21: `--db` naming a folder that does not exist printed `internal error (OperationalError)`
    and exited 3; it is a mistake in the command, exit 2 with one line naming it."""
    url = f"sqlite:///{tmp_path / 'nope' / 'store.sqlite'}"
    code, _, err = run(capsys, "history", "--db", url)
    assert code == 2
    assert err.strip().splitlines() == [
        f"error: cannot use database URL '{url}': the folder '{tmp_path / 'nope'}' does not exist"]
    assert not (tmp_path / "nope").exists()  # nothing created on the way


def test_an_unreachable_database_names_it_without_its_password(capsys) -> None:
    code, _, err = run(capsys, "history", "--db", "postgresql+psycopg://clerk:secret-pw@127.0.0.1:1/store")
    assert code == 2
    assert err.strip().splitlines() == [
        "error: cannot open the database 'postgresql+psycopg://clerk:***@127.0.0.1:1/store' (OperationalError)"]


def test_a_row_that_is_not_stored_is_counted_as_a_row_with_a_problem(capsys, tmp_path: Path, roster_file,
                                                                      make_id) -> None:
    """Issue 21: a row with a valid ID and no employer was neither stored nor counted: "1 rows read,
    0 stored, 0 with a problem". Every row read is stored or counted."""
    path = roster_file("no_employer.csv", [["姓名", "身份证号", "入职日期"],
                                           ["张三", make_id("11010519900307123"), "2025-03-05"]])
    code, out, _ = run(capsys, "upload", str(path), "--db", f"sqlite:///{tmp_path / 's.sqlite'}")
    assert code == 0
    assert out.strip().splitlines() == ["no_employer.csv: 1 rows read, 0 stored, 1 with a problem"]


def test_a_bad_setting_is_one_line_and_exit_2(capsys, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Issue 21: every SHEBAO_* value is checked before a command runs (compliance.config): a store URL without
    its dialect is the operator's mistake, one line naming the variable, exit 2 — not an internal error."""
    monkeypatch.setenv("SHEBAO_DB", "shebao.sqlite")  # a file name where a URL (sqlite:///…) belongs
    code = main(["history"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "SHEBAO_DB" in err


def test_a_misspelt_setting_is_a_warning_and_the_command_runs(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    misspelt = "SHEBAO_" + "IDLE_MINUTE"  # SHEBAO_IDLE_MINUTES is the setting (split: test_config scans names)
    monkeypatch.setenv(misspelt, "5")
    assert main(["deadline", "2025-03-05"]) == 0
    out, err = capsys.readouterr()
    # 2025-03-05 + 30 days = 2025-04-04, the Qingming holiday (4-6 April 2025): the next working day is 2025-04-07
    assert out.strip() == "2025-04-07"
    assert misspelt in err and "SHEBAO_IDLE_MINUTES" in err
