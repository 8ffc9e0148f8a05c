"""Writing reports: CSV (UTF-8 with BOM, so Excel shows Chinese), XLSX (formatted), JSON.

No text cell of a CSV or XLSX report may start a formula: values beginning with ``=``, ``+``,
``-``, ``@``, tab or carriage return get a leading apostrophe (OWASP "CSV injection"), so a
spreadsheet shows them as text instead of executing them. Numbers and dates are not touched.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter
from pyarrow import csv as pa_csv

from compliance import ids
from compliance.dates import iso_dates
from compliance.errors import ShebaoError

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_START = "[" + re.escape("".join(FORMULA_STARTS)) + "]"
FORMATS = (".csv", ".xlsx", ".json")
STATUS_FILLS = {  # traffic-light colours of the status column
    "on_time": "C6EFCE", "late": "FFEB9C", "overdue": "FFC7CE", "pending": "DDEBF7", "invalid": "D9D9D9",
}
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_FONT = Font(bold=True, color="FFFFFF")
PERSONAL_DATA_NOTE = "含个人信息，仅限社保登记核查使用 / Contains personal data: for registration compliance use only"


FILE_PART_CHARS = 64  # of a cell in a download's file name
_NOT_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\s]')  # folders, Windows' reserved characters, blanks


class ReportError(ShebaoError, ValueError):
    """The report cannot be written (unknown format or unwritable path)."""


def safe_file_part(text: object) -> str:
    """A cell (an employer id or name) fit to be part of a download's file name: at most ``FILE_PART_CHARS``
    characters, no folder, no control, bidi or zero-width character, ID-shaped runs masked (``ids.plain_text``),
    ``_`` for what a file system refuses, no leading or trailing dot. The cell is whatever a roster held
    (``张三110105194912310021``, ``../../x``, CR/LF); a credit code comes out as it is."""
    part = _NOT_IN_FILE_NAMES.sub("_", ids.plain_text(text, FILE_PART_CHARS)).strip("._")
    return part or "unnamed"


def escape_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would execute get a leading apostrophe."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
            continue
        text = column.astype("string")
        found = pc.match_substring_regex(pa.array(text.array), "^" + _FORMULA_START)  # one Arrow pass per column
        if pc.any(found).as_py():
            risky = pd.Series(found.to_numpy(zero_copy_only=False), index=column.index).fillna(False).astype(bool)
            out[name] = column.astype(object).where(~risky, "'" + text)
    return out


def _dates_to_iso(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for name in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[name]):
            out[name] = iso_dates(out[name])
    return out


def _csv_table(frame: pd.DataFrame) -> pa.Table:
    """A frame as the Arrow table the CSV writer takes: ISO dates, formula-safe text, true/false."""
    out = escape_formulas(_dates_to_iso(frame))
    for name in out.columns:
        if pd.api.types.is_bool_dtype(out[name]):  # a nullable boolean's NA is an empty field
            column = out[name]
            text = np.where(column.fillna(False).to_numpy(dtype=bool), "true", "false")
            out[name] = pd.Series(text, index=column.index, dtype="string").mask(column.isna())
        elif pd.api.types.is_object_dtype(out[name]) or pd.api.types.is_string_dtype(out[name]):
            out[name] = out[name].astype("string")
    table = pa.Table.from_pandas(out, preserve_index=False)
    # text columns always as text, whatever one slice holds (an all-empty column would read as null)
    return table.cast(pa.schema([pa.field(f.name, pa.large_string() if pa.types.is_string(f.type)
                                          or pa.types.is_large_string(f.type) or pa.types.is_null(f.type)
                                          else f.type) for f in table.schema]))


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """UTF-8 with BOM, written by Arrow's multi-threaded CSV writer.

    Arrow's ``quoting_style="needed"`` quotes by type, not by content: every text value is in double
    quotes (the header, dates, ``true``/``false`` and formula-escaped cells included), numbers are
    bare, and a missing value is an empty field (an empty text is ``""``).
    """
    write_csv_parts([frame], path)


def write_csv_parts(parts: Iterable[pd.DataFrame], path: Path) -> None:
    """:func:`write_csv` of the parts one after the other, as one file: a big check is written slice
    by slice as it is judged, so its results are never all in memory at once."""
    try:
        with Path(path).open("wb") as fh:
            _csv_into(fh, parts)
    except OSError as exc:
        raise ReportError(f"{path}: cannot be written ({exc.strerror or exc})") from exc


def _csv_into(fh: BinaryIO, parts: Iterable[pd.DataFrame]) -> None:
    """The CSV of the parts into a binary file object (a file, or a buffer in memory for a download)."""
    writer, schema = None, None
    fh.write(codecs.BOM_UTF8)
    for part in parts:
        table = _csv_table(part)
        if writer is None:
            schema = table.schema
            writer = pa_csv.CSVWriter(fh, schema, write_options=pa_csv.WriteOptions(quoting_style="needed"))
        writer.write_table(table.cast(schema))
    if writer is not None:
        writer.close()


def write_json(frame: pd.DataFrame, path: Path) -> None:
    """A list of objects: ISO dates, integers as numbers, ``null`` for empty."""
    path.write_bytes(_json_bytes(frame))


def _json_bytes(frame: pd.DataFrame) -> bytes:
    out = _dates_to_iso(frame)
    text = out.to_json(orient="records", force_ascii=False)
    return json.dumps(json.loads(text), ensure_ascii=False, indent=1).encode("utf-8")


def _xml_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Control characters that XML (and so .xlsx) cannot hold are replaced by '\ufffd'."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column):
            text = column.astype("string")
            bad = text.str.contains(ILLEGAL_CHARACTERS_RE.pattern, regex=True).fillna(False)
            if bad.any():
                out[name] = column.astype(object).where(
                    ~bad, text.str.replace(ILLEGAL_CHARACTERS_RE.pattern, "\ufffd", regex=True))
    return out


def _sheet(book: Workbook, title: str, frame: pd.DataFrame, note: str | None = None,
           archive: zipfile.ZipFile | None = None) -> None:
    """One formatted sheet: styled, frozen header, autofilter, status colours, widths.

    With ``archive``, the sheet's XML goes straight into its entry of that zip as the rows are written
    (:func:`_stream_sheet`); without, openpyxl spools it to a temporary file until the book is saved.
    """
    ws = book.create_sheet(title)
    frame = _xml_safe(escape_formulas(frame))
    columns = list(frame.columns)
    widths = [max(10, min(40, len(str(c)) + 2)) for c in columns]
    sample = frame.head(200).astype("string").fillna("")
    for i, name in enumerate(columns):
        if len(sample):
            widths[i] = max(widths[i], min(40, int(sample[name].str.len().max() * 1.6) + 2))
        ws.column_dimensions[get_column_letter(i + 1)].width = widths[i]
    ws.freeze_panes = "A2"
    entry = None if archive is None else _stream_sheet(book, ws, archive, frame)
    try:
        _rows(ws, frame, columns, note)
    except BaseException:
        if entry is not None:
            entry.close()  # the zip can then be closed, and the error is the one raised here
        raise
    if entry is not None:
        ws.close()  # the rest of the sheet's XML (filter, colours) into the entry, which is then complete
        entry.close()


def _rows(ws: WriteOnlyWorksheet, frame: pd.DataFrame, columns: list[str], note: str | None) -> None:
    """The header, the rows, the filter, the status colours and the note of one sheet."""
    header = []
    for name in columns:
        cell = WriteOnlyCell(ws, value=name)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center")
        header.append(cell)
    ws.append(header)
    values = frame.astype(object).where(frame.notna(), None)
    for name in columns:
        if pd.api.types.is_datetime64_any_dtype(frame[name]):
            values[name] = frame[name].dt.date.astype(object).where(frame[name].notna(), None)
    for row in values.itertuples(index=False, name=None):
        ws.append(row)
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A1:{last}{len(frame) + 1}"
    if "status" in columns:
        col = get_column_letter(columns.index("status") + 1)
        for status, colour in STATUS_FILLS.items():
            ws.conditional_formatting.add(
                f"{col}2:{col}{len(frame) + 1}",
                CellIsRule(operator="equal", formula=[f'"{status}"'], fill=PatternFill("solid", bgColor=colour)))
    if note:
        ws.append([])
        ws.append([note])


_ZIP64_CELLS = 5_000_000  # a sheet this big may pass zip's 4 GiB without Zip64 (a cell's XML is ~50-800 bytes)


def _stream_sheet(book: Workbook, ws: WriteOnlyWorksheet, archive: zipfile.ZipFile,
                  frame: pd.DataFrame) -> IO[bytes]:
    """Give a write-only sheet a writer whose output is its entry in ``archive`` (compressed as it is
    written), in place of the temporary file openpyxl would create: a report holds full ID numbers and
    is never written to disk (docs/security.md). The entry is named as openpyxl's ``ExcelWriter`` names it."""
    ws._id = book.worksheets.index(ws) + 1  # what ExcelWriter sets when it saves, so ``ws.path`` is final
    entry = archive.open(ws.path[1:], "w", force_zip64=frame.size >= _ZIP64_CELLS)
    ws._writer = WorksheetWriter(ws, out=entry)
    ws._writer.write_top()
    return entry


class _StreamedExcelWriter(ExcelWriter):
    """openpyxl's writer for a book whose sheets are in the archive already (:func:`_stream_sheet`)."""

    def write_worksheet(self, ws: WriteOnlyWorksheet) -> None:
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        ws._rels = ws._writer._rels
        self.manifest.append(ws)


def workbook(sheets: dict[str, pd.DataFrame], note: str | None = PERSONAL_DATA_NOTE,
             archive: zipfile.ZipFile | None = None) -> Workbook:
    """The report's write-only workbook, its sheets filled (streamed into ``archive`` when given)."""
    book = Workbook(write_only=True)
    for title, frame in sheets.items():
        _sheet(book, title, frame, note, archive)
    return book


def _xlsx_into(target: str | Path | BinaryIO, sheets: dict[str, pd.DataFrame], note: str | None) -> None:
    """The XLSX of ``sheets`` into a path or a binary file object, with no temporary file on the way."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        book = workbook(sheets, note, archive)
        book.properties.modified = dt.datetime.now(tz=dt.UTC).replace(tzinfo=None)  # as openpyxl's save does
        _StreamedExcelWriter(book, archive).write_data()


def write_xlsx(sheets: dict[str, pd.DataFrame], path: Path, note: str | None = PERSONAL_DATA_NOTE) -> None:
    _xlsx_into(path, sheets, note)


def xlsx_bytes(sheets: dict[str, pd.DataFrame], note: str | None = PERSONAL_DATA_NOTE) -> bytes:
    """An XLSX report built in memory (a download)."""
    buffer = io.BytesIO()
    _xlsx_into(buffer, sheets, note)
    return buffer.getvalue()


def to_bytes(frame: pd.DataFrame, suffix: str, extra_sheets: dict[str, pd.DataFrame] | None = None,
             sheet: str = "report") -> bytes:
    """The report as bytes (for download buttons), in the format of ``suffix``, built in memory: a
    download holds full ID numbers, and no copy of it is written to disk, not even a temporary one."""
    suffix = suffix.lower()
    if suffix not in FORMATS:
        raise ReportError(f"unknown report format '{suffix}' (use .csv, .xlsx or .json)")
    if suffix == ".json":
        return _json_bytes(frame)
    if suffix == ".xlsx":
        return xlsx_bytes({sheet: frame, **(extra_sheets or {})})
    buffer = io.BytesIO()
    _csv_into(buffer, [frame])
    return buffer.getvalue()


def write(frame: pd.DataFrame, path: str | Path, extra_sheets: dict[str, pd.DataFrame] | None = None,
          sheet: str = "report") -> None:
    """Write ``frame`` in the format named by the suffix of ``path``.

    ``extra_sheets`` (such as the problems table) go into further sheets of an XLSX report
    and are left out of single-table formats.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ReportError(f"{path}: unknown report format '{suffix}' (use .csv, .xlsx or .json)")
    try:
        if suffix == ".csv":
            write_csv(frame, path)
        elif suffix == ".json":
            write_json(frame, path)
        else:
            write_xlsx({sheet: frame, **(extra_sheets or {})}, path)
    except OSError as exc:
        raise ReportError(f"{path}: cannot be written ({exc.strerror or exc})") from exc
