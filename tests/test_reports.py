"""Report files (shared README section 7): CSV with BOM, JSON, formatted XLSX, no formula injection."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import io
import json
import os
import re
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from compliance import reports
from compliance.employers import summarise
from compliance.registration import CHECK_COLUMNS, check
from compliance.rosters import read_roster

CONTRACT_CHECK = ["source_file", "source_row", "employer_id", "employer_name", "name", "id_number", "ssn",
                  "id_problem", "birth_date", "sex", "region", "hire_date", "registration_date", "deadline", "status",
                  "days_late", "days_left", "problem", "deadline_provisional", "id_kind", "card_status",
                  "career_start_date", "leave_date", "duty"]  # section 11.7: the last three after card_status
PAYLOADS = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "=cmd|' /C calc'!A0", "=1+1"]


def small_frame() -> pd.DataFrame:
    """Every kind of column a report holds, with gaps."""
    return pd.DataFrame({
        "name": pd.Series(["张三", pd.NA], dtype="string"),
        "source_row": pd.Series([4, 7], dtype="int64"),
        "days_late": pd.Series([3, pd.NA], dtype="Int64"),
        "deadline": pd.to_datetime(pd.Series(["2025-04-07", None])),
        "flag": pd.Series([True, False]),
    })


def read_csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def cells(path: Path) -> list[openpyxl.cell.Cell]:
    book = openpyxl.load_workbook(path)
    return [c for ws in book.worksheets for row in ws.iter_rows() for c in row]


@pytest.fixture
def checked(roster_file, make_id):
    """check() results of a roster with a few statuses, as of 2025-11-20."""
    a = make_id("11010519900307123")
    path = roster_file("r.csv", [
        ["统一社会信用代码", "单位名称", "姓名", "身份证号", "入职日期", "参保日期"],
        ["911", "甲公司", "张三", a, "2025-03-05", "2025-04-08"],  # deadline 2025-04-07: late by 1
        ["911", "甲公司", "李四", "123", "2025-11-01", None],      # +30 = 12-01 (Mon): pending, 11 days left
        ["912", "乙公司", "王五", a, "junk", None],               # invalid
    ])
    return check(read_roster(path), dt.date(2025, 11, 20))


# --- CSV ----------------------------------------------------------------------------------------------------


def test_csv_starts_with_a_bom_and_has_the_contract_header(tmp_path: Path, checked) -> None:
    out = tmp_path / "check.csv"
    reports.write(checked.results[CHECK_COLUMNS], out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = read_csv_rows(out)
    assert rows[0] == CONTRACT_CHECK
    body = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert [r["status"] for r in body] == ["late", "pending", "invalid"]
    first = body[0]
    assert (first["hire_date"], first["deadline"], first["registration_date"]) == ("2025-03-05", "2025-04-07",
                                                                                  "2025-04-08")
    assert (first["days_late"], first["days_left"], first["source_row"]) == ("1", "", "2")
    assert (first["birth_date"], first["sex"]) == ("1990-03-07", "M")
    assert body[1]["days_left"] == "11" and body[1]["ssn"] == "" and body[1]["id_problem"] != ""
    assert body[2]["deadline"] == "" and body[2]["problem"] != ""
    assert {r["deadline_provisional"] for r in body} == {"false"}


def test_csv_of_every_column_kind(tmp_path: Path) -> None:
    out = tmp_path / "kinds.csv"
    reports.write(small_frame(), out)
    assert read_csv_rows(out) == [["name", "source_row", "days_late", "deadline", "flag"],
                                  ["张三", "4", "3", "2025-04-07", "true"],
                                  ["", "7", "", "", "false"]]


def test_csv_quotes_every_text_and_no_number(tmp_path: Path) -> None:
    """What write_csv's docstring says: text (header, dates, booleans included) quoted, numbers bare,
    a missing value an empty field, an empty text ``""``."""
    out = tmp_path / "kinds.csv"
    frame = small_frame().assign(note=pd.Series(["", "a,b"], dtype="string"))
    reports.write(frame, out)
    assert out.read_bytes().decode("utf-8-sig").splitlines() == [
        '"name","source_row","days_late","deadline","flag","note"',
        '"张三",4,3,"2025-04-07","true",""',
        ',7,,,"false","a,b"',
    ]


# --- JSON ---------------------------------------------------------------------------------------------------


def test_json_is_a_list_with_iso_dates_integers_null_and_booleans(tmp_path: Path) -> None:
    out = tmp_path / "kinds.json"
    reports.write(small_frame(), out)
    assert json.loads(out.read_text(encoding="utf-8")) == [
        {"name": "张三", "source_row": 4, "days_late": 3, "deadline": "2025-04-07", "flag": True},
        {"name": None, "source_row": 7, "days_late": None, "deadline": None, "flag": False},
    ]


def test_json_check_rows(tmp_path: Path, checked) -> None:
    out = tmp_path / "check.json"
    reports.write(checked.results[CHECK_COLUMNS], out)
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(rows, list) and len(rows) == 3
    assert [list(r) for r in rows] == [CONTRACT_CHECK] * 3
    late = rows[0]
    assert late["days_late"] == 1 and isinstance(late["days_late"], int)
    assert late["source_row"] == 2 and isinstance(late["source_row"], int)
    assert late["deadline"] == "2025-04-07" and late["birth_date"] == "1990-03-07"
    assert late["days_left"] is None and late["id_problem"] is None
    assert late["deadline_provisional"] is False
    assert rows[1]["days_left"] == 11 and rows[1]["ssn"] is None


# --- XLSX ---------------------------------------------------------------------------------------------------


def test_xlsx_is_formatted(tmp_path: Path, checked) -> None:
    out = tmp_path / "check.xlsx"
    reports.write(checked.results[CHECK_COLUMNS], out, extra_sheets={"problems": checked.problems},
                  sheet="employees")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["employees", "problems"]
    ws = book["employees"]
    assert [c.value for c in ws[1]] == CONTRACT_CHECK
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:X4"  # section 11.7: 24 columns (X), header + 3 rows
    assert all(c.font.b for c in ws[1])
    row2 = {h: c.value for h, c in zip(CONTRACT_CHECK, ws[2], strict=True)}
    assert row2["deadline"] == dt.datetime(2025, 4, 7) and ws.cell(2, 14).is_date
    assert row2["days_late"] == 1 and row2["source_row"] == 2 and row2["status"] == "late"
    assert row2["deadline_provisional"] is False
    problems = book["problems"]
    assert [c.value for c in problems[1]] == ["source_file", "source_row", "column", "code", "value", "message"]
    assert problems.freeze_panes == "A2" and problems.auto_filter.ref.startswith("A1:F")


def test_xlsx_of_every_column_kind(tmp_path: Path) -> None:
    out = tmp_path / "kinds.xlsx"
    reports.write(small_frame(), out)
    ws = openpyxl.load_workbook(out).worksheets[0]
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=1, max_row=3)]
    assert values == [["name", "source_row", "days_late", "deadline", "flag"],
                      ["张三", 4, 3, dt.datetime(2025, 4, 7), True],
                      [None, 7, None, None, False]]


# --- formula injection --------------------------------------------------------------------------------------


@pytest.fixture
def hostile(roster_file, make_id):
    """check() results where names, employer names and IDs start formulas."""
    a = make_id("11010519900307123")
    rows = [["统一社会信用代码", "单位名称", "姓名", "身份证号", "入职日期", "参保日期"]]
    rows += [[f"91{i}", p, p, a, "2025-03-05", None] for i, p in enumerate(PAYLOADS)]
    rows += [["999", "正常公司", "赵六", "+86 110105", "=1+1", None]]  # a formula where a date belongs
    return check(read_roster(roster_file("hostile.csv", rows)), dt.date(2025, 11, 20))


def test_csv_report_escapes_formulas(tmp_path: Path, hostile) -> None:
    out = tmp_path / "check.csv"
    reports.write(hostile.results[CHECK_COLUMNS], out)
    rows = read_csv_rows(out)
    body = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert [r["name"] for r in body[:-1]] == ["'" + p for p in PAYLOADS]
    assert [r["employer_name"] for r in body[:-1]] == ["'" + p for p in PAYLOADS]
    assert body[-1]["id_number"] == "'+86 110105"
    for row in body:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_csv_employer_summary_escapes_formulas(tmp_path: Path, hostile) -> None:
    out = tmp_path / "employers.csv"
    reports.write(summarise(hostile.results), out)
    names = {r[1] for r in read_csv_rows(out)[1:]}
    assert {"'" + p for p in PAYLOADS} <= names


def test_xlsx_report_has_no_formula_cells(tmp_path: Path, hostile) -> None:
    out = tmp_path / "check.xlsx"
    reports.write(hostile.results[CHECK_COLUMNS], out, extra_sheets={"problems": hostile.problems})
    found = cells(out)
    assert not [c.coordinate for c in found if c.data_type == "f"]
    text = {c.value for c in found if isinstance(c.value, str)}
    assert {"'" + p for p in PAYLOADS} <= text
    assert "'=1+1" in text  # the unreadable hire date as listed in the problems sheet
    assert not {v for v in text if v.startswith(("=", "+", "-", "@"))}


def test_xlsx_employer_summary_has_no_formula_cells(tmp_path: Path, hostile) -> None:
    out = tmp_path / "employers.xlsx"
    reports.write(summarise(hostile.results), out, sheet="employers")
    found = cells(out)
    assert not [c.coordinate for c in found if c.data_type == "f"]
    assert {"'" + p for p in PAYLOADS} <= {c.value for c in found}


def test_a_file_name_that_starts_a_formula_is_escaped(tmp_path: Path, roster_file, make_id) -> None:
    path = roster_file("=1+1.csv", [["姓名", "身份证号", "入职日期"],
                                    ["张三", make_id("11010519900307123"), "2025-03-05"]])
    result = check(read_roster(path), dt.date(2025, 11, 20))
    reports.write(result.results[CHECK_COLUMNS], tmp_path / "c.csv")
    reports.write(result.results[CHECK_COLUMNS], tmp_path / "c.xlsx")
    assert read_csv_rows(tmp_path / "c.csv")[1][0] == "'=1+1.csv"
    xlsx = cells(tmp_path / "c.xlsx")
    assert "'=1+1.csv" in {c.value for c in xlsx} and not [c for c in xlsx if c.data_type == "f"]


def test_json_keeps_the_text_as_typed(tmp_path: Path, hostile) -> None:
    out = tmp_path / "check.json"
    reports.write(hostile.results[CHECK_COLUMNS], out)
    assert [r["name"] for r in json.loads(out.read_text(encoding="utf-8"))[:-1]] == PAYLOADS


def test_escape_formulas_leaves_numbers_dates_and_plain_text() -> None:
    frame = pd.DataFrame({
        "text": pd.Series(["\t=1", "\r=2", "a=b", "-", "中文", pd.NA], dtype="string"),
        "number": pd.Series([-1, -2, 3, 4, 5, pd.NA], dtype="Int64"),
        "float": [-1.5, 0.0, 1.0, 2.0, 3.0, float("nan")],
        "date": pd.to_datetime(["2025-01-01"] * 5 + [None]),
        "object": ["=x", 1, None, "@y", "ok", "+z"],
    })
    out = reports.escape_formulas(frame)
    assert out["text"].tolist()[:5] == ["'\t=1", "'\r=2", "a=b", "'-", "中文"]
    assert pd.isna(out["text"].iloc[5])
    assert out["number"].tolist()[:5] == [-1, -2, 3, 4, 5]
    assert out["float"].iloc[0] == -1.5
    assert out["date"].equals(frame["date"])
    assert out["object"].tolist() == ["'=x", 1, None, "'@y", "ok", "'+z"]
    assert frame["text"].iloc[0] == "\t=1"  # the input is not changed


# --- errors -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["report.txt", "report.xls", "report", "report.json.bak"])
def test_unknown_suffix_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(reports.ReportError, match="report"):
        reports.write(small_frame(), tmp_path / name)
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".json"])
def test_unwritable_path_is_a_report_error(tmp_path: Path, suffix: str) -> None:
    with pytest.raises(reports.ReportError, match="missing"):
        reports.write(small_frame(), tmp_path / "missing" / f"out{suffix}")


def test_upper_case_suffix(tmp_path: Path) -> None:
    reports.write(small_frame(), tmp_path / "OUT.JSON")
    assert json.loads((tmp_path / "OUT.JSON").read_text(encoding="utf-8"))[0]["name"] == "张三"


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # openpyxl's abandoned writer
def test_xlsx_with_control_characters(tmp_path: Path) -> None:
    frame = pd.DataFrame({"name": pd.Series(["张\x0b三", "李\x01四"], dtype="string")})
    error = None
    try:
        reports.write(frame, tmp_path / "ctl.xlsx")
    except Exception as exc:  # reported as a plain failure: pytest cannot render openpyxl's traceback here
        error = f"{type(exc).__name__}: {exc}"
    finally:
        gc.collect()  # finalise openpyxl's abandoned row writer now, under the filter above
    assert error is None, error
    names = [c.value for c in cells(tmp_path / "ctl.xlsx")][1:3]
    assert all(isinstance(n, str) and n[0] in "张李" for n in names)


# --- downloads in memory (issue 20, finding 11) ---------------------------------------------------------------
# A download holds full ID numbers: building it writes no file, not even a temporary one (openpyxl's
# write-only mode spools each sheet's XML to a temporary file of its own, reports.to_bytes used a
# temporary folder). An audit hook sees every open() for writing and every temporary file or folder made.

_WRITES: list[str] | None = None
_WRITE_BITS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND


def _watch_writes(event: str, args: tuple) -> None:
    if _WRITES is None:
        return
    if event == "open":
        path, mode, flags = (*args, None, None)[:3]
        writes = isinstance(mode, str) and any(c in mode for c in "wax+")
        if writes or (isinstance(flags, int) and flags & _WRITE_BITS):
            _WRITES.append(str(path))
    elif event in ("tempfile.mkstemp", "tempfile.mkdtemp", "os.mkdir", "os.rename", "shutil.copyfile"):
        _WRITES.append(f"{event} {args[0]}")


sys.addaudithook(_watch_writes)


@contextlib.contextmanager
def files_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every file written while the block runs: opened for writing, or left in a new, empty temp folder."""
    global _WRITES
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    monkeypatch.setenv("TMPDIR", str(spool))
    before = sorted(p.name for p in tmp_path.iterdir())
    found: list[str] = []
    _WRITES = found
    try:
        yield found
    finally:
        _WRITES = None
    found += [f"left behind: {p}" for p in spool.iterdir()]
    found += [f"new in tmp_path: {n}" for n in sorted(p.name for p in tmp_path.iterdir()) if n not in before]


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".json"])
def test_a_download_is_built_in_memory_and_writes_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         checked, suffix: str) -> None:
    frame = checked.results[CHECK_COLUMNS]
    with files_written(tmp_path, monkeypatch) as written:
        data = reports.to_bytes(frame, suffix, {"problems": checked.problems}, sheet="employees")
    assert written == []
    reports.write(frame, tmp_path / f"cli{suffix}", {"problems": checked.problems}, sheet="employees")
    if suffix == ".xlsx":  # the same cells as the command line's file, and no formula
        book, cli = openpyxl.load_workbook(io.BytesIO(data)), openpyxl.load_workbook(tmp_path / "cli.xlsx")
        assert book.sheetnames == cli.sheetnames == ["employees", "problems"]
        for ws, other in zip(book.worksheets, cli.worksheets, strict=True):
            assert [[c.value for c in r] for r in ws.iter_rows()] == [[c.value for c in r] for r in other.iter_rows()]
        assert not [c for ws in book.worksheets for r in ws.iter_rows() for c in r if c.data_type == "f"]
        assert [c.value for c in book["employees"][1]] == CONTRACT_CHECK
    else:
        assert data == (tmp_path / f"cli{suffix}").read_bytes()


def _parts(xlsx: bytes | Path) -> dict[str, bytes]:
    """The parts of an xlsx but its timestamps (docProps/core.xml)."""
    with zipfile.ZipFile(io.BytesIO(xlsx) if isinstance(xlsx, bytes) else xlsx) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n != "docProps/core.xml"}


def test_an_xlsx_download_holds_the_parts_openpyxl_itself_writes(tmp_path: Path, checked, hostile) -> None:
    """The sheets streamed into the zip in memory are byte for byte what openpyxl's own write-only writer
    (which spools them to temporary files) makes of the same workbook: the download is unchanged."""
    sheets = {"employees": hostile.results[CHECK_COLUMNS], "problems": checked.problems,
              "kinds": small_frame().assign(ctl=pd.Series(["a\x01b", "=1"], dtype="string"))}
    stock = reports.workbook(sheets, reports.PERSONAL_DATA_NOTE)  # openpyxl's own writer, files in the temp dir
    stock.save(tmp_path / "stock.xlsx")
    ours = reports.xlsx_bytes(sheets)
    assert _parts(ours) == _parts(tmp_path / "stock.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(ours))
    assert book.sheetnames == ["employees", "problems", "kinds"]
    assert book["kinds"]["A2"].value == "张三" and book["kinds"]["F3"].value == "'=1"
    assert book["employees"].freeze_panes == "A2" and book["employees"].auto_filter.ref == "A1:X8"  # 11.7: 24 columns
    assert book["employees"].conditional_formatting  # the status colours


# --- a file name from a cell (issue 20, finding 14) ----------------------------------------------------------

@pytest.mark.parametrize(("cell", "part"), [
    ("911101055347017256", "911101055347017256"),  # a credit code as it is
    ("甲公司", "甲公司"),
    ("张三110105194912310021", "张三110105________0021"),
    ("../../x", "x"),
    ("..\\..\\x", "x"),
    ("a\r\nSet-Cookie: b", "a_Set-Cookie__b"),
    ("\u202egpj.exe", "gpj.exe"),
    ('a<b>c:d"e|f?g*h', "a_b_c_d_e_f_g_h"),
    ("..", "unnamed"),
    ("", "unnamed"),
    (None, "unnamed"),
])
def test_safe_file_part_is_bounded_masked_and_free_of_paths_and_controls(cell: str | None, part: str) -> None:
    assert reports.safe_file_part(cell) == part


def test_safe_file_part_of_a_huge_cell_is_bounded() -> None:
    part = reports.safe_file_part("甲" * 1_000_000 + "110105194912310021")
    assert len(part) <= reports.FILE_PART_CHARS and set(part) <= {"甲", "…"}
    part = reports.safe_file_part("9" * 30 + "110105194912310021" + "x" * 100)
    assert len(part) <= reports.FILE_PART_CHARS and "110105194912310021" not in part
    assert not re.search(r"[0-9]{7}", part)
