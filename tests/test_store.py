"""The store, cross-check, worksheet and cases on a real SQLite file and a real PostgreSQL.

The PostgreSQL cluster is a throwaway one started with Debian's initdb/pg_ctl in a temp dir
(.ci/run installs the `postgresql` package and sets SHEBAO_REQUIRE_PG=1 so it cannot be skipped).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
import os
import re
import stat
import subprocess
import sys
import traceback
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from compliance import accounts, cli, jobs, premiums, store
from compliance.crosscheck import CROSSCHECK_COLUMNS, crosscheck, stored_check
from compliance.ids import calc_check_digit
from compliance.rosters import RosterError

ROOT = Path(__file__).resolve().parent.parent


def person(body17: str) -> str:
    return body17 + calc_check_digit(body17)


# Hand-made people; check characters from GB 11643 (compliance.ids is tested on its own).
A = person("11010519900307101")  # on both employers' rosters
B = person("11010519850612202")
C = person("31010419920101303")
D = person("44030519880808404")  # only in the registry
E = person("51010719950505505")
EMP1, EMP2, EMP3 = "911101000000000001", "911101000000000002", "911101000000000003"


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


ROSTER_HEADER = ["统一社会信用代码", "单位名称", "姓名", "身份证号", "入职日期", "参保日期", "月工资"]


@pytest.fixture
def roster1(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "roster1.csv", ROSTER_HEADER, [
        [EMP1, "甲公司", "张三", A, "2025-09-03", "", "9000"],         # registry: none → overdue
        [EMP1, "甲公司", "李四", B, "2025-01-10", "2025-01-20", ""],    # registry agrees
        [EMP1, "甲公司", "王五", C, "2025-02-10", "2025-02-20", ""],    # registry says 2025-03-01
        [EMP1, "甲公司", "赵六", E, "2025-03-01", "", ""],              # registry has 2025-03-05
        [EMP1, "甲公司", "坏号", "110105194912310021", "2025-03-01", "", ""],  # bad check char: not stored
    ])


@pytest.fixture
def roster2(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "roster2.csv", ROSTER_HEADER, [
        [EMP2, "乙公司", "张三", A, "2025-06-01", "2025-06-05", ""],
        [EMP3, "丙公司", "钱七", C, "2025-06-01", "", ""],  # employer not in the registry: roster date stands
    ])


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "registry.csv", ["社会保障号码", "统一社会信用代码", "参保登记日期", "社保卡状态"], [
        [B, EMP1, "2025-01-20", "已激活"],
        [C, EMP1, "2025-03-01", "已发放未激活"],
        [E, EMP1, "2025-03-05", ""],
        [D, EMP1, "2025-04-01", "制卡中"],
        [A, EMP2, "2025-06-05", ""],
    ])


def test_default_url_is_a_sqlite_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHEBAO_DB", raising=False)
    assert store.database_url().startswith("sqlite:///")
    assert store.database_url().endswith("data/shebao.sqlite")
    monkeypatch.setenv("SHEBAO_DB", "sqlite:////tmp/elsewhere.sqlite")
    assert store.database_url() == "sqlite:////tmp/elsewhere.sqlite"
    assert store.database_url("postgresql+psycopg://x/y") == "postgresql+psycopg://x/y"


def test_migrations_create_every_table(db_url: str) -> None:
    engine = store.connect(db_url)
    tables = set(sa.inspect(engine).get_table_names())
    assert {"uploads", "employers", "people", "employments", "registrations", "card_records", "audit_log",
            "cases", "case_notes", "alembic_version"} <= tables
    store.migrate(engine)  # a second run is a no-op
    with engine.connect() as conn:
        head = ScriptDirectory(str(ROOT / "compliance" / "migrations")).get_current_head()
        assert conn.execute(sa.text("select version_num from alembic_version")).scalar() == head
    columns = {c["name"] for c in sa.inspect(engine).get_columns("employments")}
    assert {"employment_type", "work_permit_date"} <= columns  # 0004, shared README section 10


def test_upgrade_from_previous_revision_keeps_data(db_url: str) -> None:
    engine = store.connect(db_url, upgrade=False)
    store.migrate(engine, "0001")
    assert "cases" not in sa.inspect(engine).get_table_names()
    # a row as the code of revision 0001 wrote it: none of 0004's columns
    with engine.begin() as conn:
        upload = conn.execute(store.uploads.insert().values(
            kind="roster", file_name="old.csv", sha256="0" * 64, uploaded_at=dt.datetime(2025, 1, 1),
            uploaded_by="tester", rows=1, errors=0)).inserted_primary_key[0]
        conn.execute(store.employers.insert().values(employer_id="E1", name="甲"))
        conn.execute(store.people.insert().values(ssn=person("11010519900307123")))
        conn.execute(store.employments.insert().values(
            employer_id="E1", ssn=person("11010519900307123"), hire_date=dt.date(2025, 6, 2), upload_id=upload,
            source_file="old.csv", source_row=2))
    store.migrate(engine)
    assert "cases" in sa.inspect(engine).get_table_names()
    stored = store.load_employments(engine)
    assert len(stored) == 1 and pd.isna(stored["employment_type"].iloc[0])
    # judged as full-time, as before the revision: 2025-06-02 + 30 = Wed 2025-07-02; 2025-11-20 is 141 days later
    row = jobs.stored_status(engine, dt.date(2025, 11, 20)).iloc[0]
    assert (row["status"], row["days_late"]) == ("overdue", 141)


def test_upload_is_idempotent_and_counts_rows(db_url: str, roster1: Path) -> None:
    engine = store.connect(db_url)
    first = jobs.store_roster(engine, roster1, uploaded_by="hr1")
    assert (first.duplicate, first.rows, first.stored, first.errors) == (False, 5, 4, 1)
    again = jobs.store_roster(engine, roster1, uploaded_by="hr1")
    assert again.duplicate and again.stored == 0 and again.upload_id == first.upload_id
    assert len(store.load_employments(engine)) == 4
    hist = store.history(engine)
    assert hist[["kind", "file_name", "rows", "errors", "uploaded_by"]].values.tolist() == [
        ["roster", "roster1.csv", 5, 1, "hr1"]]
    assert hist["sha256"][0] == store.sha256_of(roster1.read_bytes())


def test_failed_upload_leaves_nothing(db_url: str, roster1: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = store.connect(db_url)

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full halfway")

    monkeypatch.setattr(store, "audit", boom)  # fails after employments were inserted
    with pytest.raises(RuntimeError):
        jobs.store_roster(engine, roster1)
    with engine.connect() as conn:
        for table in (store.uploads, store.employments, store.people, store.employers):
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0


def test_later_registry_extract_replaces_earlier_record(db_url: str, registry: Path, tmp_path: Path) -> None:
    engine = store.connect(db_url)
    jobs.import_registry(engine, registry)
    later = write_csv(tmp_path / "registry_later.csv", ["ssn", "employer_id", "registration_date"],
                      [[C, EMP1, "2025-02-18"]])
    outcome = jobs.import_registry(engine, later)
    assert outcome.stored == 1 and not outcome.duplicate
    regs = store.load_registrations(engine)
    assert len(regs) == 5
    assert regs.loc[regs["ssn"] == C, "registration_date"].dt.date.tolist() == [dt.date(2025, 2, 18)]
    assert jobs.import_registry(engine, later).duplicate


def test_crosscheck_findings(db_url: str, roster1: Path, roster2: Path, registry: Path) -> None:
    engine = store.connect(db_url)
    jobs.store_roster(engine, roster1)
    jobs.store_roster(engine, roster2)
    jobs.import_registry(engine, registry)
    found = crosscheck(store.load_employments(engine), store.load_registrations(engine), store.upload_names(engine))
    assert list(found.columns) == CROSSCHECK_COLUMNS
    got = sorted(zip(found["finding"], found["employer_id"], found["ssn"], strict=True))
    assert got == sorted([
        ("date_mismatch", EMP1, C),           # roster 2025-02-20, registry 2025-03-01
        ("roster_date_missing", EMP1, E),     # roster blank, registry 2025-03-05
        ("not_in_roster", EMP1, D),           # registered by EMP1, not on its roster
        ("multiple_employers", EMP1, A),      # A on EMP1's and EMP2's rosters
        ("multiple_employers", EMP2, A),
        ("multiple_employers", EMP1, C),      # C on EMP1's and EMP3's rosters
        ("multiple_employers", EMP3, C),
    ])
    mismatch = found[found["finding"] == "date_mismatch"].iloc[0]
    assert (mismatch["roster_registration_date"], mismatch["registry_registration_date"]) == ("2025-02-20",
                                                                                                "2025-03-01")
    assert "9 days" in mismatch["detail"]  # 2025-03-01 − 2025-02-20 = 9 days
    missing = found[found["finding"] == "not_in_roster"].iloc[0]
    assert (missing["source_file"], missing["source_row"]) == ("registry.csv", 5)  # header row 1, D on row 5


def test_not_in_registry(db_url: str, roster1: Path, tmp_path: Path) -> None:
    engine = store.connect(db_url)
    jobs.store_roster(engine, roster1)
    jobs.import_registry(engine, write_csv(tmp_path / "r.csv", ["ssn", "employer_id", "registration_date"],
                                            [[C, EMP1, "2025-02-20"]]))
    found = crosscheck(store.load_employments(engine), store.load_registrations(engine))
    # B gives a roster date, EMP1 is in the registry, B has no record there
    assert found.loc[found["finding"] == "not_in_registry", "ssn"].tolist() == [B]


def test_registry_decides_the_status(db_url: str, roster1: Path, roster2: Path, registry: Path) -> None:
    engine = store.connect(db_url)
    jobs.store_roster(engine, roster1)
    jobs.store_roster(engine, roster2)
    jobs.import_registry(engine, registry)
    results = stored_check(store.load_employments(engine), store.load_registrations(engine),
                           store.employer_names(engine), dt.date(2025, 11, 20)).set_index(["employer_id", "ssn"])
    # E: roster blank, registry 2025-03-05; hire 2025-03-01 + 30 = 03-31 (Mon) → on time
    assert results.loc[(EMP1, E), "status"] == "on_time"
    # C at EMP1: registry 2025-03-01, hire 02-10 + 30 = 03-12 (Wed) → on time
    assert results.loc[(EMP1, C), "status"] == "on_time"
    # C at EMP3 (no registry records): roster blank; hire 06-01 + 30 = 07-01 → overdue 142 days on 11-20
    assert results.loc[(EMP3, C), "status"] == "overdue"
    assert results.loc[(EMP3, C), "days_late"] == 142
    # A at EMP1: registry has nothing → overdue
    assert results.loc[(EMP1, A), "status"] == "overdue"


def test_worksheet_figures_by_hand(db_url: str, roster1: Path, registry: Path, tmp_path: Path) -> None:
    engine = store.connect(db_url)
    jobs.store_roster(engine, roster1)
    jobs.import_registry(engine, registry)
    out = tmp_path / "ws.json"
    assert cli.main(["worksheet", EMP1, "--as-of", "2025-11-20", "--city", "beijing", "--out", str(out),
                     "--db", db_url]) == 0
    rows = json.loads(out.read_text(encoding="utf-8"))
    # Only A is overdue: hired 2025-09-03, deadline 10-03 → National Day → 10-09; not registered by 11-20.
    # Months 2025-09 and 2025-10 (through the month before the as-of month). Wage 9,000 within
    # Beijing 2025-07..2026-06 bounds [7,162, 35,811], so base = 9,000.
    # pension 9000×16% = 1,440.00 / 9000×8% = 720.00; medical 9000×9.8% = 882.00 / 9000×2% + 3 = 183.00;
    # unemployment 45.00 / 45.00; work injury 9000×0.2% = 18.00 / 0.
    # employer 1440 + 882 + 45 + 18 = 2,385.00; employee 720 + 183 + 45 = 948.00; total 3,333.00.
    # September is due 2025-10-15: 16 + 20 = 36 days late → 3333 × 0.0005 × 36 = 59.994 → 59.99.
    # October is due 2025-11-15: 5 days late → 3333 × 0.0005 × 5 = 8.3325 → 8.33.
    assert [(r["ssn"], r["month"]) for r in rows] == [(A, "2025-09"), (A, "2025-10")]
    for r, due, days, fee in zip(rows, ["2025-10-15", "2025-11-15"], [36, 5], [59.99, 8.33], strict=True):
        assert (r["base"], r["employer_amount"], r["employee_amount"], r["total"]) == (9000, 2385, 948, 3333)
        assert (r["pension_employer"], r["medical_employee"], r["work_injury_employer"]) == (1440, 183, 18)
        assert (r["due_date"], r["days_late"], r["late_fee"]) == (due, days, fee)
    assert list(rows[0])[:11] == premiums.WORKSHEET_COLUMNS


def test_worksheet_refuses_months_without_parameters(db_url: str, roster1: Path, capsys) -> None:
    engine = store.connect(db_url)
    jobs.store_roster(engine, roster1)
    # Shanghai's parameters run to 2027-02 (compliance/params/shanghai.toml): a worksheet as of 2027-04-20
    # needs 2027-03, which no period covers; the refusal names the month, what is covered, and the last date
    code = cli.main(["worksheet", EMP1, "--as-of", "2027-04-20", "--city", "shanghai", "--out", "/tmp/x.json",
                     "--db", db_url])
    assert code == 2
    err = capsys.readouterr().err
    assert "上海市" in err and "2027-03" in err and "2024-07–2027-02" in err and "2027-03-01" in err


def test_shanghai_base_floor_by_period(db_url: str, tmp_path: Path, capsys) -> None:
    """Issue 13's check: 2024-08 is verified at the 2024 floor 7384, 2025-08 at the 2025 floor 7460
    (Shanghai's 2024 and 2025 notices on the contribution bases; the file had them a year apart)."""
    path = write_csv(tmp_path / "sh.csv", ROSTER_HEADER, [[EMP1, "甲公司", "张三", A, "2024-08-05", "", ""]])
    engine = store.connect(db_url)
    jobs.store_roster(engine, path)
    out = tmp_path / "ws.json"
    assert cli.main(["worksheet", EMP1, "--as-of", "2025-09-01", "--city", "shanghai", "--out", str(out),
                     "--db", db_url]) == 0
    rows = {r["month"]: r for r in json.loads(out.read_text(encoding="utf-8"))}
    assert (rows["2024-08"]["base"], rows["2025-08"]["base"]) == (7384, 7460)
    assert "late fee 0.05% of the unpaid premiums per day" in capsys.readouterr().out  # the rule it used


def test_cases_move_as_the_rulebook_allows_and_are_audited(db_url: str) -> None:
    """README 11.6 (tests/test_cases.py has every move): open → notified (with its notice) → rectified → closed."""
    engine = store.connect(db_url)
    case_id = store.open_case(engine, EMP1, "3 employees unregistered", by="inspector1")
    assert store.open_case(engine, EMP1, "again") == case_id  # one open case per employer
    with pytest.raises(store.StoreError):
        store.move_case(engine, case_id, "closed", note="too early")
    notice = {"document": "rectification_order", "rectify_by": dt.date.today() + dt.timedelta(days=30)}
    for state in ("notified", "rectified", "closed"):
        store.move_case(engine, case_id, state, note=f"now {state}", by="inspector1",
                        **(notice if state == "notified" else {}))
    assert store.list_cases(engine)["state"].tolist() == ["closed"]
    assert store.case_history(engine, case_id)["state"].tolist() == ["open", "notified", "rectified", "closed"]
    actions = store.audit_entries(engine, EMP1)["action"].tolist()
    assert actions == ["case_open", "case_notified", "case_rectified", "case_closed"]
    assert store.open_case(engine, EMP1, "new problem") != case_id  # closed cases do not block a new one


def test_history_json_contract(db_url: str, roster1: Path, registry: Path, capsys) -> None:
    assert cli.main(["upload", str(roster1), "--db", db_url]) == 0
    assert cli.main(["upload", str(roster1), "--db", db_url]) == 0
    assert "already stored" in capsys.readouterr().out
    assert cli.main(["import-registry", str(registry), "--db", db_url]) == 0
    capsys.readouterr()
    assert cli.main(["history", "--json", "--db", db_url]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert [list(e) for e in entries] == [["kind", "file_name", "sha256", "uploaded_at", "uploaded_by", "rows",
                                          "errors"]] * 2
    assert [(e["kind"], e["file_name"], e["rows"]) for e in entries] == [("roster", "roster1.csv", 5),
                                                                         ("registry", "registry.csv", 5)]


UPLOAD_SCRIPT = """
import sys
from compliance import jobs, store
engine = store.connect(sys.argv[1])
print(jobs.store_roster(engine, sys.argv[2]).duplicate)
"""


def test_concurrent_uploads_from_two_processes(db_url: str, tmp_path: Path, roster1: Path, roster2: Path) -> None:
    store.connect(db_url)  # migrate once, as the first start of the app does
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", UPLOAD_SCRIPT, db_url, str(p)], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for p in (roster1, roster2, roster1, roster2)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [o[1][-500:] for o in outputs]
    duplicates = sorted(o[0].strip() for o in outputs)
    assert duplicates == ["False", "False", "True", "True"]  # each file stored once, nothing lost
    engine = store.connect(db_url)
    assert len(store.history(engine)) == 2
    assert len(store.load_employments(engine)) == 4 + 2


def test_records_keep_python_types(db_url: str, roster1: Path) -> None:
    engine = store.connect(db_url)
    jobs.store_roster(engine, roster1)
    frame = store.load_employments(engine, EMP1)
    assert pd.api.types.is_datetime64_any_dtype(frame["hire_date"])
    assert frame.loc[frame["ssn"] == A, "wage"].tolist() == [9000.0]


def test_text_longer_than_its_column_is_a_row_problem_not_a_database_error(db_url: str, tmp_path: Path) -> None:
    """A 129-character name (people.name holds 128): PostgreSQL refused the whole file with
    StringDataRightTruncation, quoting the batch's ID numbers. Now the row is checked, reported and
    not stored; the other rows are stored."""
    roster = write_csv(tmp_path / "long.csv", ROSTER_HEADER, [
        [EMP1, "甲公司", "名" * 129, A, "2025-09-03", "", ""],
        [EMP1, "甲公司", "李四", B, "2025-01-10", "2025-01-20", ""],
        ["9" * 65, "乙公司", "王五", C, "2025-01-10", "", ""],  # employer id over its 64 characters
    ])
    engine = store.connect(db_url)
    outcome = jobs.store_roster(engine, roster)
    assert (outcome.rows, outcome.stored, outcome.errors) == (3, 1, 2)
    stored = store.load_employments(engine)
    assert stored["ssn"].tolist() == [B]
    registry = write_csv(tmp_path / "registry.csv", ["统一社会信用代码", "社会保障号码", "参保日期", "发卡银行"], [
        [EMP1, A, "2025-09-10", "银" * 65],  # card bank over its 64 characters
        [EMP1, B, "2025-01-20", "工商银行"],
    ])
    imported = jobs.import_registry(engine, registry)
    assert (imported.stored, imported.errors) == (1, 1)


# --- nothing unchecked into the audit log, no values in database errors (issue 20, finding 4) ---------------

LEAKED = "110105194912310021"
SEVEN_DIGITS = re.compile(r"[0-9]{7}")  # a masked number keeps six digits at most in a row


def test_an_audit_of_an_over_long_employer_cell_holding_an_id_number_succeeds_and_stores_none(
        db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    """A shifted column put 65 characters with an ID number into the employer cell: on PostgreSQL the audit
    insert of the inspector's and the card page's view failed, and the log quoted the cell (SQLAlchemy's
    ``[parameters: …]``). Now the entry is written, in a bounded, masked form that says so."""
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # statements and their parameters logged
    cell = "张三" + LEAKED + "x" * 45
    assert len(cell) == 65
    engine = store.connect(db_url)
    try:
        with engine.begin() as conn:
            store.audit(conn, "inspector1", "view", cell, f"download inspector employer_{cell}.xlsx\r\nforged line")
        accounts.audit_view(engine, accounts.User("i1", "inspector"), [cell, EMP1, "E\x00\u202e1"],
                            f"inspector employer_{cell}.xlsx")
        store.open_case(engine, EMP1, f"flagged; employer cell {cell}", by="inspector1")
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    entries = store.audit_entries(engine)
    assert len(entries) == 5
    for column in ("actor", "action", "employer_id", "detail"):
        for value in entries[column].dropna():
            assert LEAKED not in value and not SEVEN_DIGITS.search(value.replace(EMP1, "")), (column, value)
            assert all(ch.isprintable() for ch in value), (column, value)
    first = entries.iloc[0]
    assert len(first["employer_id"]) <= 64 and first["employer_id"].startswith("张三110105********0021")
    assert "employer cell of 65 characters stored masked" in first["detail"]
    assert "\r" not in first["detail"] and "\n" not in first["detail"]
    assert set(entries["employer_id"]) >= {EMP1, "E1"}  # an ordinary id is kept as it is, controls out
    assert LEAKED not in caplog.text and cell not in caplog.text
    assert "[SQL parameters hidden due to hide_parameters=True]" in caplog.text or "parameters" not in caplog.text


def test_audit_texts_are_bounded_to_their_columns(db_url: str) -> None:
    engine = store.connect(db_url)
    with engine.begin() as conn:
        store.audit(conn, "a" * 500, "b" * 500, "9" * 10_000, "甲" * 1_000_000)
    entry = store.audit_entries(engine).iloc[0]
    assert (len(entry["actor"]), len(entry["action"])) == (128, 64)
    assert len(entry["employer_id"]) <= 64 and len(entry["detail"]) <= store.AUDIT_DETAIL_CHARS


def test_database_errors_carry_no_parameter_values(db_url: str) -> None:
    """With ``hide_parameters`` SQLAlchemy leaves out ``[parameters: …]``; PostgreSQL's own text still
    quoted them (``DETAIL: Key (ssn)=(…) already exists``, ``date/time field value out of range: "…"``),
    in the exception and so in every traceback: only the scrubbed first line is kept."""
    engine = store.connect(db_url)
    assert engine.hide_parameters
    errors = []
    with engine.begin() as conn:
        conn.execute(store.people.insert(), {"ssn": LEAKED, "name": "张三"})
    with pytest.raises(sa.exc.IntegrityError) as duplicate, engine.begin() as conn:
        conn.execute(store.people.insert(), {"ssn": LEAKED, "name": "张三"})
    errors.append(duplicate.value)
    if engine.dialect.name == "postgresql":
        with pytest.raises(sa.exc.DataError) as bad_date, engine.begin() as conn:
            conn.execute(sa.text("SELECT CAST(:v AS date)"), {"v": "张三" + LEAKED})
        errors.append(bad_date.value)
        with pytest.raises(sa.exc.DataError) as too_long, engine.begin() as conn:
            conn.execute(store.employers.insert(), {"employer_id": "张三" + LEAKED * 4, "name": "x"})
        errors.append(too_long.value)
        frame = pd.DataFrame({"ssn": [A], "name": ["张三"], "birth_date": ["张三" + LEAKED], "sex": ["M"],
                              "region_code": ["110105"]})
        with pytest.raises(Exception) as copied, engine.begin() as conn:  # COPY through the driver itself
            store._bulk(conn, store.people, frame)
        errors.append(copied.value)
    for error in errors:  # the exception and every one it was raised from, as a traceback prints them
        chain, seen = [], error
        while seen is not None:
            chain.append("".join(traceback.format_exception_only(seen)))
            seen = seen.__cause__ or seen.__context__
        assert not [t for t in chain if LEAKED in t or "张三" in t], chain


# --- a NUL character is a row problem on both databases (issue 20, finding 12) -------------------------------

def test_a_nul_in_a_cell_is_a_row_problem_and_the_rest_of_the_file_is_stored(db_url: str, roster_file) -> None:
    """One NUL in a cell made the whole file unstorable on PostgreSQL (``internal error (DataError)``,
    exit 3) while SQLite stored it. Now the row is a problem (``value_unstorable``) on both, alike."""
    roster = roster_file("nul.xlsx", [ROSTER_HEADER,
                                      [EMP1, "甲公司", "张_x0000_三", A, "2025-09-03", "", ""],
                                      [EMP1, "甲公司", "李四", B, "2025-01-10", "2025-01-20", ""],
                                      [EMP2, "乙_x0000_公司", "王五", C, "2025-01-10", "", ""],
                                      [EMP2, "乙公司", "赵六", E, "2025-03-01", "", ""]])
    engine = store.connect(db_url)
    outcome = jobs.store_roster(engine, roster)
    assert (outcome.rows, outcome.stored, outcome.errors) == (4, 2, 2)
    assert sorted(store.load_employments(engine)["ssn"]) == sorted([B, E])
    assert store.employer_names(engine) == {EMP1: "甲公司", EMP2: "乙公司"}
    registry = roster_file("registry.xlsx", [["统一社会信用代码", "社会保障号码", "参保日期", "发卡银行"],
                                             [EMP1, A, "2025-09-10", "工商_x0000_银行"],
                                             [EMP1, B, "2025-01-20", "工商银行"]])
    imported = jobs.import_registry(engine, registry)
    assert (imported.stored, imported.errors) == (1, 1)
    assert store.load_registrations(engine)["ssn"].tolist() == [B]


def test_store_roster_refuses_an_employer_longer_than_the_store_keeps(db_url: str, roster1: Path) -> None:
    """The employer for rosters without employer columns fills every row: refused before the file is read."""
    engine = store.connect(db_url)
    with pytest.raises(RosterError, match="employer name given for rosters without employer columns: 1048576"):
        jobs.store_roster(engine, roster1, employer_name="甲" * 1_048_576)
    with pytest.raises(RosterError, match="employer USCC given"):
        jobs.store_roster(engine, roster1, employer_id="9" * 65)
    assert store.history(engine).empty


# --- the store is readable by its owner only (issue 20, finding 16) ------------------------------------------

def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def test_the_default_store_is_private_whatever_the_umask(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          permissive_umask: None) -> None:
    """``data/`` came out 0755 and the SQLite file 0644 (so were its -wal and -shm, whose mode SQLite copies
    from the database file): every stored ID number readable by any local user."""
    folder = tmp_path / "checkout" / "data"
    monkeypatch.delenv("SHEBAO_DB", raising=False)
    monkeypatch.setattr(store, "DEFAULT_DB_PATH", folder)
    monkeypatch.setattr(store, "DEFAULT_DB_FILE", folder / "shebao.sqlite")
    engine = store.connect()
    try:
        with engine.begin() as conn:  # a write transaction open: the -wal and -shm exist
            store.audit(conn, "tester", "check")
            files = {p.name: _mode(p) for p in folder.iterdir()}
            assert files == {"shebao.sqlite": 0o600, "shebao.sqlite-wal": 0o600, "shebao.sqlite-shm": 0o600}
        assert _mode(folder) == 0o700 and _mode(folder.parent) == 0o755  # only the store's own folder
    finally:
        store._engine.cache_clear()


def test_an_existing_store_is_narrowed_to_its_owner(tmp_path: Path, permissive_umask: None) -> None:
    path = tmp_path / "old.sqlite"
    engine = store.connect(f"sqlite:///{path}")
    with engine.begin() as conn:
        store.audit(conn, "tester", "check")
    path.chmod(0o644)
    store._engine.cache_clear()  # a new process on the same file
    engine = store.connect(f"sqlite:///{path}")
    with engine.connect() as conn:
        conn.execute(sa.select(store.audit_log.c.id)).all()
        assert {p.name: _mode(p) for p in tmp_path.iterdir() if p.name.startswith("old")} == {
            "old.sqlite": 0o600, "old.sqlite-wal": 0o600, "old.sqlite-shm": 0o600}


def test_a_crosscheck_detail_masks_an_id_number_stored_as_an_employer() -> None:
    """A shifted column stored an ID number as an employer id: the multiple-employer detail, a message
    like the others, names it masked (an employer's credit code stays as it is)."""
    employments = pd.DataFrame({"id": [1, 2], "employer_id": [EMP1, LEAKED], "ssn": [A, A], "name": ["甲", "甲"],
                                "registration_date": pd.to_datetime([None, None]), "source_file": "r.csv",
                                "source_row": [2, 3]})
    registrations = pd.DataFrame({"employer_id": pd.Series([], dtype="string"),
                                  "ssn": pd.Series([], dtype="string"),
                                  "registration_date": pd.to_datetime(pd.Series([], dtype="object")),
                                  "upload_id": pd.Series([], dtype="int64"),
                                  "source_row": pd.Series([], dtype="int64")})
    found = crosscheck(employments, registrations)
    details = found.loc[found["finding"] == "multiple_employers", "detail"].tolist()
    assert details == [f"on the rosters of 110105********0021, {EMP1}"] * 2


def test_a_case_note_with_a_nul_is_stored_on_both_databases(db_url: str) -> None:
    """A note typed on the agency page (or ``case move --note``) is text PostgreSQL must be able to hold."""
    engine = store.connect(db_url)
    case_id = store.open_case(engine, EMP1, "flagged\x00", by="inspector1")
    store.move_case(engine, case_id, "notified", note="called\x00 them", by="inspector1", document="payment_notice",
                    rectify_by=dt.date.today() + dt.timedelta(days=15))
    assert store.case_history(engine, case_id)["note"].tolist() == ["flagged", "called them"]
    assert store.list_cases(engine)["reason"].tolist() == ["flagged"]


def test_a_file_that_is_not_a_database_is_one_line_exit_2(tmp_path: Path, capsys) -> None:
    """Issue 21: a --db naming a file that is not a database (a roster given by mistake) is the user's error:
    exit 2 and one line naming the store, not "internal error" with exit 3."""
    not_a_db = tmp_path / "roster.sqlite"
    not_a_db.write_text("姓名,身份证号\n" * 400, encoding="utf-8")
    code = cli.main(["history", "--db", f"sqlite:///{not_a_db}"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "cannot open the database" in err and "roster.sqlite" in err


def test_a_store_of_a_newer_version_is_one_line_exit_2(tmp_path: Path, capsys) -> None:
    """A store upgraded by a newer shebao-check names a schema revision these migrations do not know: one line
    saying so (the operator runs the newer version, or restores a backup), exit 2, the store untouched."""
    url = f"sqlite:///{tmp_path / 'newer.sqlite'}"
    engine = store.connect(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    code = cli.main(["history", "--db", url])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "newer version" in err
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "9999"
