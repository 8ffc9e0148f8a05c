"""Shared fixtures for the test suite."""

from __future__ import annotations

# =====================================================================================
# Engine tests (test_dates, test_rosters, test_registration, test_employers, test_reports,
# test_cli): identity numbers made here by the GB 11643-1999 rule, and roster files written
# into tmp_path with csv / openpyxl / xlwt from rows given by each test.
# =====================================================================================
import csv
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import xlwt


def gb11643(first17: str) -> str:
    """``first17`` plus its check character: weights 2^(17-i) mod 11, check = (12 - sum mod 11) mod 11."""
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    check = (12 - total % 11) % 11
    return first17 + ("X" if check == 10 else str(check))


@pytest.fixture
def make_id() -> Callable[[str], str]:
    """Build a valid 18-character identity number from its first 17 digits."""
    return gb11643


RosterRows = list[list[object]] | dict[str, list[list[object]]]


def write_roster_file(path: Path, rows: RosterRows, *, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    """Write ``rows`` (or ``{sheet: rows}``) as .csv, .xlsx or .xls by the suffix of ``path``.

    CSV: ``None`` is an empty field, CRLF line ends, text encoded with ``encoding``. XLSX: ``None`` leaves no cell,
    dates become date cells and numbers number cells. XLS: the same, dates with a date format.
    """
    sheets = rows if isinstance(rows, dict) else {"Sheet1": rows}
    suffix = path.suffix.lower()
    if suffix == ".csv":
        assert len(sheets) == 1, "a CSV has one sheet"
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")  # as Excel writes it
        for row in next(iter(sheets.values())):
            writer.writerow(["" if v is None else v for v in row])
        path.write_bytes(buffer.getvalue().encode(encoding))
    elif suffix == ".xlsx":
        book = openpyxl.Workbook()
        book.remove(book.active)
        for title, sheet_rows in sheets.items():
            ws = book.create_sheet(title)
            for r, row in enumerate(sheet_rows, start=1):
                for c, value in enumerate(row, start=1):
                    if value is not None:
                        ws.cell(row=r, column=c, value=value)
        book.save(path)
    elif suffix == ".xls":
        book = xlwt.Workbook()
        date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
        for title, sheet_rows in sheets.items():
            ws = book.add_sheet(title)
            for r, row in enumerate(sheet_rows):
                for c, value in enumerate(row):
                    if isinstance(value, dt.date):
                        ws.write(r, c, value, date_style)
                    elif value is not None:
                        ws.write(r, c, value)
        book.save(str(path))
    else:
        raise ValueError(f"no writer for {path.suffix}")
    return path


@pytest.fixture
def roster_file(tmp_path: Path) -> Callable[..., Path]:
    """``roster_file('name.xlsx', rows, encoding=..., delimiter=...)`` -> the file written in tmp_path."""

    def write(name: str, rows: RosterRows, **kwargs: str) -> Path:
        return write_roster_file(tmp_path / name, rows, **kwargs)

    return write


# ===================================== end of engine-test fixtures =====================================

# Database fixtures (a SQLite file and a throwaway PostgreSQL), defined in db_fixtures.py.
from db_fixtures import db_url, pg_cluster  # noqa: E402, F401
