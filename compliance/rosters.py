"""Reading roster files: .xlsx, .xls, .csv (UTF-8, UTF-8 with BOM, GBK/GB18030).

The header row may sit below title rows; headers come in Chinese or English (shared README
section 5). Every data row keeps its row number as the user sees it in the spreadsheet, and
every cell stays as it was typed: dates and ID numbers are judged later, column-wise.

A file that cannot be used at all (missing, unreadable, no recognisable header row) raises
:class:`RosterError` with one line naming the file; a bad row never stops the file.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
import posixpath
import re
import resource
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from compliance import config
from compliance.catalogue import Text
from compliance.errors import ShebaoError
from compliance.ids import mask_text
from compliance.schema import Roster  # re-exported: readers make them, rules read them

# field -> recognised headers (shared README section 5); compared after _header_key().
ALIASES: dict[str, list[str]] = {
    "employer_id": ["统一社会信用代码", "单位编号", "employer_id", "uscc"],
    "employer_name": ["单位名称", "用人单位", "所属公司", "公司", "公司名称", "employer", "employer_name"],
    "name": ["姓名", "员工姓名", "name"],
    "id_number": ["身份证号", "身份证号码", "身份证", "公民身份号码", "证件号码", "id_number", "id"],
    "hire_date": ["入职日期", "用工日期", "入职时间", "到岗日期", "入司日期", "hire_date", "start_date"],
    "registration_date": ["参保日期", "参保登记日期", "社保登记日期", "社保起缴日期", "registration_date"],
    "card_status": ["社保卡状态", "card_status"],
    "card_bank": ["发卡银行", "合作银行", "card_bank"],
    "activation_date": ["激活日期", "社保卡激活日期", "activation_date"],
    "wage": ["月工资", "工资", "申报工资", "缴费工资", "wage", "monthly_wage"],
    "ssn": ["社会保障号码", "社保号码", "ssn"],
    # shared README section 10
    "id_type": ["证件类型", "证件名称", "id_type", "document_type"],
    "employment_type": ["用工形式", "用工性质", "人员类型", "employment_type"],
    "work_permit_date": ["工作许可日期", "工作许可证日期", "就业证日期", "work_permit_date"],
    # shared README section 11.1 (参加工作日期 is the start of a working life, not a hire date)
    "career_start_date": ["参加工作日期", "参加工作时间", "首次参加工作日期", "career_start_date"],
    "leave_date": ["离职日期", "解除劳动合同日期", "终止劳动合同日期", "用工终止日期", "leave_date"],
    "deregistration_date": ["减员日期", "停保日期", "社保减员日期", "deregistration_date"],
    "insurance_status": ["参保状态", "缴费状态", "insurance_status"],
    "card_city": ["发卡地", "社保卡发卡地", "发卡城市", "card_city"],
    "social_function": ["社保功能状态", "社保功能", "social_function"],
    "financial_function": ["金融功能状态", "金融功能", "银行账户状态", "financial_function"],
    "dispatch_local_branch": ["派遣单位本地分支机构", "派遣单位在本地设有分支机构", "dispatch_local_branch"],
    "exempt_types": ["免缴险种", "exempt_types"],
}
FIELDS = list(ALIASES)
KEY_FIELDS = {"id_number", "ssn", "name", "hire_date"}  # a header row names at least one of these
HEADER_SEARCH_ROWS = 100
ROSTER_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".txt")


@dataclass(frozen=True)
class Limits:
    """What one uploaded file may be; beyond these it is refused with a message, never half-read.

    They bound the time and memory a hostile or broken file can cost (docs/security.md). The
    file-size limit can be set with ``SHEBAO_MAX_FILE_MB``.

    Text (issue 20): a cell holds at most ``max_cell_chars``, Excel's own limit, so a longer one was not
    typed in Excel. In an .xlsx, text shown in several cells is stored once (shared strings) and the
    reader copies it into each: a 2 MB file showing one 1,000,000-character string in 2,000 cells read
    as 2 GB. So the pre-scan reads the lengths of the shared strings and the cells that show them
    before the reader runs, and refuses a string over the cell limit or text adding up past
    ``max_text_bytes`` (each shared string counted in every cell showing it; the text a roster at the
    row limit holds, 2,000,000 rows of about 250 bytes). Text written in the cells themselves (CSV,
    inline strings) is as large in the file as in memory: a cell over the limit is refused naming its
    row and column once read (in a CSV it is nearly always a quote left open that swallowed the lines
    below it, whose employees would be lost). An .xls is read in the capped child, which checks both
    before it sends anything back.

    Sheets: real exports have 1 to 5 (a year of months and a summary at most); every sheet with a
    header is a roster the check runs once (about 50 ms each here, 0.28 s on a loaded server), so
    ``max_sheets`` bounds a many-sheet file to seconds. Counted before any sheet is read.
    """

    max_bytes: int = config.megabytes("SHEBAO_MAX_FILE_MB")
    max_rows: int = 2_000_000
    max_columns: int = 1_000
    max_unzipped_bytes: int = 2**30  # all XML parts of an .xlsx together
    max_zip_ratio: int = 200  # uncompressed / compressed; real workbooks stay far below
    max_cells: int = 30_000_000  # rows × columns of a sheet: the reader allocates the whole rectangle
    max_seconds: int = 120  # reading one workbook
    reader_memory: int = 4 * 2**30  # address space the spreadsheet reader may add
    max_cell_chars: int = 32_767  # one cell's text: Excel's own limit
    max_text_bytes: int = 2**29  # all cells' text (UTF-8), a shared string counted in every cell showing it
    max_sheets: int = 32  # sheets per workbook


LIMITS = Limits()
EXCEL_MAGIC = {b"PK\x03\x04": "xlsx", b"\xd0\xcf\x11\xe0": "xls"}


def _header_key(text: object) -> str:
    """Case-, width- and space-insensitive form of a header; '*' required-field marks dropped."""
    key = unicodedata.normalize("NFKC", str(text)).lower()
    return re.sub(r"[\s*_\-:：]", "", key)


_LOOKUP = {_header_key(alias): f for f, aliases in ALIASES.items() for alias in aliases}


class RosterError(ShebaoError):
    """The file cannot be used as a roster at all (exit code 2). Raised as a catalogue code and its
    parameters (``RosterError.coded``), so a page shows it in Chinese: ``exc.render("zh")``."""


def _error(code: str, **params: object) -> RosterError:
    return RosterError.coded(code, **params)  # type: ignore[return-value]


def cell_too_long(source: str, chars: int, row: int | None = None, column: int | str | None = None) -> RosterError:
    """The refusal of a cell over ``max_cell_chars``: where it is when known (never its text)."""
    if row is None:
        return _error("cell_too_long", source=source, chars=chars, limit=LIMITS.max_cell_chars)
    letter = get_column_letter(column + 1) if isinstance(column, int) else str(column)
    return _error("cell_too_long_at", source=source, row=row, column=letter, chars=chars, limit=LIMITS.max_cell_chars)


def text_too_large(source: str, size: int) -> RosterError:
    return _error("text_too_large", source=source, size=size / 2**20, limit=LIMITS.max_text_bytes / 2**20)


def too_many_sheets(source: str, sheets: int) -> RosterError:
    return _error("too_many_sheets", source=source, sheets=sheets, limit=LIMITS.max_sheets)


def _fields_of(row: list[object], above: list[object] | None = None) -> tuple[dict[str, int], list[str]]:
    """The fields a header row names (field -> first column) and notes on repeated ones. With ``above``
    (the row over it), a column this row leaves empty takes the field named above it: a two-level
    header, 姓名 merged down over both rows while 证件信息 groups 证件类型 and 身份证号 below it."""
    found: dict[str, int] = {}
    notes: list[str] = []
    cells = [(c, cell) for c, cell in enumerate(row) if cell is not None and cell != ""]
    if above is not None:  # a merged cell's value is in its top row only
        cells += [(c, cell) for c, cell in enumerate(above)
                  if cell not in (None, "") and (c >= len(row) or row[c] in (None, ""))]
    for c, cell in sorted(cells, key=lambda item: item[0]):
        f = _LOOKUP.get(_header_key(cell))
        if f is None:
            continue
        if f in found:
            notes.append(Text("column_repeated", column=get_column_letter(c + 1), header=str(cell), field=f,
                              first=get_column_letter(found[f] + 1)))
        else:
            found[f] = c
    return found, notes


def _is_header(found: dict[str, int]) -> bool:
    return len(found) >= 2 and bool(KEY_FIELDS & found.keys())


def find_header(rows: list[list[object]]) -> tuple[int, dict[str, int], list[str]] | None:
    """The first row that names at least two fields, one of them a key field; the data start below it.

    A two-level header (a group row over a row of sub headers, some cells merged down over both) is
    read as one: the sub-header row is the header, and a column it leaves empty takes the field named
    in the row above. Returns the (last) header row's index, field -> column index (first occurrence),
    and notes on duplicates.
    """
    rows = rows[:HEADER_SEARCH_ROWS + 1]
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found, notes = _fields_of(row, rows[r - 1] if r else None)
        if not _is_header(found):
            continue
        if r + 1 < len(rows):  # the group row of a two-level header: its sub headers are below
            below, below_notes = _fields_of(rows[r + 1], row)
            if len(below) > len(found):
                return r + 1, below, below_notes
        return r, found, notes
    return None


def header_cells(rows: list[list[object]], h: int) -> list[object]:
    """The header of row ``h`` as :func:`find_header` reads it: a cell left empty takes the one above."""
    row = list(rows[h])
    if h == 0:
        return row
    above = rows[h - 1]
    width = max(len(row), len(above))
    row += [None] * (width - len(row))
    return [above[c] if cell in (None, "") and c < len(above) else cell for c, cell in enumerate(row)]


def _sniff(raw: bytes) -> str:
    head = raw[:8]
    for magic, kind in EXCEL_MAGIC.items():
        if head.startswith(magic):
            return kind
    return "csv"


def detect_encoding(raw: bytes) -> tuple[str, str | None]:
    """The encoding of a CSV's bytes, and a note when some bytes had to be replaced.

    Clean UTF-8 first, then clean GB18030 (a superset of GBK). A file that is neither is judged
    by its content: UTF-8 text with a stray bad byte still has more valid multi-byte UTF-8
    characters than broken ones; GBK text read as UTF-8 has almost none (its byte pairs rarely
    form valid UTF-8).
    """
    try:
        raw.decode("utf-8-sig")
        return "utf-8-sig", None
    except UnicodeDecodeError:
        pass
    as_utf8 = raw.decode("utf-8-sig", errors="replace")
    broken = as_utf8.count("\ufffd")
    # extra bytes of the valid multi-byte characters (CJK: 2 each; every U+FFFD accounts for 2)
    valid_multibyte = (len(as_utf8.encode("utf-8")) - len(as_utf8) - 2 * broken) // 2
    if valid_multibyte >= 2 * broken:
        return "utf-8-sig", Text("encoding_replaced", n=broken)
    try:
        raw.decode("gb18030")
        return "gb18030", None
    except UnicodeDecodeError:
        return "gb18030", Text("encoding_unknown")


def blank_rows_note(rows: list[int]) -> str:
    """'rows 5, 9-11 are blank and were skipped' from a sorted list of row numbers."""
    spans: list[str] = []
    start = prev = rows[0]
    for r in [*rows[1:], None]:
        if r is not None and r == prev + 1:
            prev = r
            continue
        spans.append(str(start) if start == prev else f"{start}-{prev}")
        if r is not None:
            start = prev = r
    return Text("blank_rows", count=len(rows), rows=", ".join(spans))


_TOTALS = re.compile(r"^(合计|总计|小计)")


def _totals_rows(data: pd.DataFrame, frame: pd.DataFrame) -> pd.Series:
    """Rows whose first cell or name starts with 合计, 总计 or 小计: an HR export's totals ("合计 229人"),
    not an employee (a file note names each)."""
    found = pd.Series(False, index=data.index)
    columns = [data.iloc[:, 0]] if data.shape[1] else []
    if "name" in frame.columns:
        columns.append(frame["name"])
    for column in columns:
        text = column.astype("string").str.strip()
        found |= text.str.match(_TOTALS.pattern).fillna(False).to_numpy(dtype=bool)
    return found


def _blank_rows(data: pd.DataFrame, source: str, first_row: int) -> pd.Series:
    """Rows whose every cell is empty or whitespace (two C-speed string tests per column, no copies).

    The lengths it takes anyway also refuse a cell over ``max_cell_chars``, naming its row and column
    (``first_row`` is the row number of ``data``'s first row).
    """
    blank = pd.Series(True, index=data.index)
    for position, c in enumerate(data.columns):
        text = data[c].astype("string")
        lengths = text.str.len()
        if len(lengths) and lengths.max() > LIMITS.max_cell_chars:
            at = int(np.argmax((lengths > LIMITS.max_cell_chars).fillna(False).to_numpy(dtype=bool)))
            raise cell_too_long(source, int(lengths.iloc[at]), first_row + at, c if isinstance(c, int) else position)
        blank &= (text.isna() | (lengths == 0) | text.str.isspace()).fillna(True).to_numpy(dtype=bool)
    return blank


def roster_of(source: str, data: pd.DataFrame, first_row: int, found: dict[str, int],
           header: list[object], notes: list[str]) -> Roster:
    """Select the recognised columns of ``data`` (rows below the header) and number its rows."""
    data = data.reset_index(drop=True)
    if data.empty:  # a header and no data rows
        data = pd.DataFrame(columns=range(len(header)), dtype=object)
    frame = pd.DataFrame({f: data[c] if c in data.columns else None for f, c in found.items()})
    if frame.empty and not found:
        frame = pd.DataFrame(index=data.index)
    rows = pd.Series(range(first_row, first_row + len(data)), index=data.index)
    blank = _blank_rows(data, source, first_row)
    # trailing blank lines are the end of the file, not rows a person sees
    last = blank[~blank].index.max() if (~blank).any() else -1
    interior_blank = blank & (blank.index < last)
    if interior_blank.any():
        notes.append(blank_rows_note(rows[interior_blank].tolist()))
    totals = _totals_rows(data, frame)
    for at in np.flatnonzero(totals.to_numpy()):  # a few per file
        first = data.iloc[at, 0] if data.shape[1] else None
        cell = first if _TOTALS.match(str(first or "").strip()) else frame["name"].iloc[at]
        notes.append(Text("totals_row", row=int(rows.iloc[at]), text=str(cell).strip()[:40]))
    keep = ~blank & ~totals
    frame = frame[keep].copy()
    frame.insert(0, "source_row", rows[keep].astype("int64"))
    frame.insert(0, "source_file", source)
    for f in FIELDS:
        if f not in frame.columns:
            frame[f] = None
    if "id_number" not in found and "ssn" in found:
        frame["id_number"] = frame["ssn"]
    columns = {f: f"{str(header[c]).strip()} (column {get_column_letter(c + 1)})" for f, c in found.items()}
    if "id_number" not in found and "ssn" in found:
        columns["id_number"] = columns["ssn"]
    return Roster(source, frame.reset_index(drop=True), columns, notes)


@dataclass(frozen=True)
class CsvLayout:
    """Where a CSV's header is and how its fields are split, as :func:`sniff_csv` finds them."""

    delimiter: str
    row: int  # 0-based line of the header
    found: dict[str, int]  # field -> column position (find_header)
    notes: list[str]  # duplicate columns (find_header)
    cells: list[str]  # the header's cells
    widest: int  # the most fields of a line from the header down, among the lines read


def sniff_csv(head: str, source: str) -> CsvLayout:
    """The delimiter (, tab ; |) and header row of a CSV from its first characters: the delimiter whose
    header names the most fields wins; :class:`RosterError` naming ``source`` when none gives one. Used
    by the file reader here and by the batch planner (``compliance.scale``), which reads only a head."""
    # only CR/LF end a line, as for pandas (str.splitlines would also split at \v, \f, U+2028)
    full_lines = re.split(r"\r\n|\n|\r", head)[:HEADER_SEARCH_ROWS]
    head_lines = [line[:10_000] for line in full_lines]  # a header is short; csv refuses fields over 128 KB
    best: CsvLayout | None = None
    for delimiter in (",", "\t", ";", "|"):
        rows = list(csv.reader(head_lines, delimiter=delimiter))
        hit = find_header(rows)  # type: ignore[arg-type]
        if hit and (best is None or len(hit[1]) > len(best.found)):
            h, found, notes = hit
            # pandas drops the extra fields of a first data row longer than the names it is given
            # (with only a warning), so the table starts as wide as the widest row seen here; a
            # line cut short above counts its delimiters (at least as many fields as it has)
            widest = max((len(r) if len(line) == len(cut) else max(len(r), line.count(delimiter) + 1)
                          for r, line, cut in zip(rows[h:], full_lines[h:], head_lines[h:], strict=False)),
                         default=0)
            best = CsvLayout(delimiter, h, found, notes, [str(c) for c in header_cells(rows, h)], widest)
    if best is None:
        raise _error("no_header_csv", source=source, n=HEADER_SEARCH_ROWS)
    return best


def _read_csv(raw: bytes, source: str) -> list[Roster]:
    if b"\x00" in raw[:8192]:
        raise _error("not_text", source=source)
    lines = raw.count(b"\n")
    if lines > LIMITS.max_rows + HEADER_SEARCH_ROWS:
        raise _error("too_many_lines", source=source, lines=lines, limit=LIMITS.max_rows)
    encoding, note = detect_encoding(raw)
    layout = sniff_csv(raw[:1 << 20].decode(encoding, errors="replace"), source)
    delimiter, h, found, notes, header, widest = (layout.delimiter, layout.row, layout.found, layout.notes,
                                                  layout.cells, layout.widest)
    if note:
        notes.insert(0, note)
    width = max(found.values()) + 1
    if widest > LIMITS.max_columns:
        raise _error("too_many_fields", source=source, fields=widest, limit=LIMITS.max_columns)
    try:
        data = read_csv_cells(raw, source, delimiter, h, encoding, max(width, len(header), widest))
    except pd.errors.ParserError as exc:
        first = str(exc).splitlines()[0]
        if "EOF inside string" in first:
            found_row = re.search(r"row (\d+)", first)
            # pandas counts rows from the top of the file, 0-based, skipped title rows included
            if found_row:
                raise _error("csv_quote_open_at", source=source, line=int(found_row.group(1)) + 1) from exc
            raise _error("csv_quote_open", source=source) from exc
        raise _error("csv_malformed", source=source, reason=first) from exc
    return [roster_of(source, data, h + 2, found, header, notes)]


def _read_csv_arrow(raw: bytes, delimiter: str, h: int, encoding: str, width: int) -> pd.DataFrame | None:
    """The ordinary CSV, read by Arrow's multithreaded reader (5× pandas' C parser on 1M rows); None
    for anything unusual (rows of another width, blank lines, bad bytes), which the pandas path
    below reads with its repairs. Both read every field as text, count records the same way (a
    quoted newline joins lines) and keep empty fields as empty text."""
    import pyarrow as pa
    from pyarrow import csv as arrow_csv

    start = 0
    for _ in range(h + 1):  # the first data line; a quote above it (a title over two lines) is unusual
        start = raw.find(b"\n", start) + 1
        if not start:
            return None
    if b'"' in raw[:start] or b"\r" in raw[:start].replace(b"\r\n", b""):
        return None
    names = [str(i) for i in range(width)]
    try:
        table = arrow_csv.read_csv(
            io.BytesIO(raw),
            read_options=arrow_csv.ReadOptions(skip_rows=h + 1, column_names=names,
                                               encoding="utf8" if encoding == "utf-8-sig" else encoding),
            parse_options=arrow_csv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False,
                                                 newlines_in_values=True),
            convert_options=arrow_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowException, UnicodeError, LookupError):
        return None
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=float("nan"))}.get)
    frame.columns = range(width)
    return frame


def read_csv_cells(raw: bytes, source: str, delimiter: str, h: int, encoding: str, width: int) -> pd.DataFrame:
    """Every row below the header, every column, as text (nothing is skipped as blank here).

    Rows may be shorter than the header (a trailing empty field left out) or longer (a total
    line with an extra field): the table is widened to the widest row, within the column limit.
    """
    fast = _read_csv_arrow(raw, delimiter, h, encoding, width)
    if fast is not None:
        return fast
    columns = width
    while True:
        try:
            return pd.read_csv(io.BytesIO(raw), sep=delimiter, header=None, skiprows=h + 1, dtype=str,
                               encoding=encoding, encoding_errors="replace", keep_default_na=False,
                               skip_blank_lines=False, index_col=False, names=list(range(columns)),
                               quoting=csv.QUOTE_MINIMAL)
        except pd.errors.ParserError as exc:
            wider = re.search(r"Expected \d+ fields in line \d+, saw (\d+)", str(exc))
            if wider is None or int(wider.group(1)) <= columns:
                raise
            columns = int(wider.group(1))
            if columns > LIMITS.max_columns:
                raise _error("too_many_fields", source=source, fields=columns, limit=LIMITS.max_columns) from exc


_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, zlib.error, EOFError, OSError,
               ValueError, RuntimeError)


def _check_zip(raw: bytes, source: str) -> None:
    """Refuse a truncated .xlsx or a zip bomb before any XML is expanded."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            infos = archive.infolist()
    except _ZIP_ERRORS as exc:
        raise _error("xlsx_damaged", source=source) from exc
    unpacked = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if unpacked > LIMITS.max_unzipped_bytes or unpacked / packed > LIMITS.max_zip_ratio:
        raise _error("zip_bomb", source=source, size=unpacked / 2**20, ratio=unpacked / packed)


def _column_number(letters: bytes) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


# a cell reference (an r attribute in any position of any element: only cells have letters in it)
# naming a column of two or three letters, or a row of six or more digits; rows that say so too.
# A literal first character keeps the scan at memchr speed. What slips past (spaces around '=',
# cells without references) is caught by the isolated reader's memory cap.
_WIDE = re.compile(rb'r=["\']([A-Z]{2,3})[0-9]')
_TALL = re.compile(rb'r=["\'][A-Z]{0,3}([0-9]{6,})')


@dataclass
class _Extent:
    """What a scan of an .xlsx's parts tells before the native reader sees it."""

    max_row: int = 99_999
    max_col: int = 26
    unplaced_cells: bool = False  # cells whose position the scan could not read
    text_bytes: int = 0  # the cells' text once read (an upper bound), a shared string counted per cell showing it
    text_sure: bool = True  # False: the shared strings were written so that the bound is only a guess
    longest_string: int = 0  # bytes of the longest shared string (an upper bound when not sure)


# --- the parts that name the sheets ------------------------------------------------------------------------

_SHEET_TAG = re.compile(rb"<(?:[\w.-]+:)?sheet[\s/>][^>]*")
_SHEET_ID = re.compile(rb"""\s[\w.-]+:id\s*=\s*["']([^"']*)["']""")
_RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship[\s/][^>]*")
_REL_ID = re.compile(rb"""\sId\s*=\s*["']([^"']*)["']""")
_REL_TARGET = re.compile(rb"""\sTarget\s*=\s*["']([^"']*)["']""")


def _member(archive: zipfile.ZipFile, name: str) -> zipfile.ZipInfo | None:
    """The part the reader opens for ``name``: it looks parts up regardless of case."""
    found = [i for i in archive.infolist() if i.filename.lower() == name]
    return found[0] if found else None


def _check_sheets(archive: zipfile.ZipFile, source: str) -> None:
    """Refuse more than ``max_sheets`` sheets, and two sheets that are one part, before any sheet is read.

    The reader takes the sheet list from ``xl/workbook.xml`` and each sheet's part from the relationships
    beside it; a part named twice would be read twice (never written by Excel, and a way past every limit
    per sheet).
    """
    book = _member(archive, "xl/workbook.xml")
    if book is None or book.file_size > 64 * 2**20:  # no sheets for the reader; or not a workbook a person made
        return
    tags = _SHEET_TAG.findall(archive.read(book))
    if len(tags) > LIMITS.max_sheets:
        raise too_many_sheets(source, len(tags))
    rels = _member(archive, "xl/_rels/workbook.xml.rels")
    if rels is None or rels.file_size > 64 * 2**20:
        return
    targets: dict[bytes, bytes] = {}
    for tag in _RELATIONSHIP.findall(archive.read(rels)):
        rel_id, target = _REL_ID.search(tag), _REL_TARGET.search(tag)
        if rel_id and target:
            targets.setdefault(rel_id.group(1), target.group(1))
    parts: set[str] = set()
    for tag in tags:
        for rel_id in _SHEET_ID.findall(tag):
            target = targets.get(rel_id)
            if target is None:
                continue
            text = target.decode("utf-8", "replace").replace("\\", "/")
            path = posixpath.normpath(text[1:] if text.startswith("/") else "xl/" + text).lower()
            if path in parts:
                raise _error("sheets_one_part", source=source)
            parts.add(path)


# --- shared strings ----------------------------------------------------------------------------------------

_SST_CHUNK = 1 << 24
_ENDS_NAME = np.zeros(256, bool)  # bytes that end a tag's name
_ENDS_NAME[[32, 9, 10, 13, 47, 62]] = True
_ENTITY = re.compile(rb"&(?:#[0-9]+|#x[0-9A-Fa-f]+|[A-Za-z]+);")


_PRESERVE = np.frombuffer(b'<t xml:space="preserve">', np.uint8)
_FEW_OTHER_TAGS = 10_000


def _string_bytes(block: bytes, first: bool, source: str) -> np.ndarray | None:
    """The bytes of text in each shared string of ``block`` (whole ``<si>`` elements), in table order; None
    when it is written in a way this scan does not follow as the reader would.

    A string's text is what its ``<t>`` elements hold, entities counted as written (an upper bound). The
    reader takes a string from its ``<si>`` to its ``</si>`` (or the end of its first ``<t>``), so the
    lengths are exact in order only if every '<' opens a tag (no '<' inside a tag, no comment, CDATA or
    processing instruction), <si> and <t> carry no namespace prefix, <si> no attributes, <si>s do not nest,
    and no <t> is open where a <si> starts or ends. Excel writes exactly that; anything else gets None and
    the caller's cautious path. A string over ``max_cell_chars`` characters is refused here.

    Vectorised over the tags: the ones Excel writes (<si>, </si>, <si/>, <t>, </t>, <r>, </r>, <rPr>,
    <t xml:space="preserve">) are told by the bytes after their '<' (nothing can hide inside them); the
    others (rich-text properties, the table's own tag) are checked for a '>' before the next '<', one by one
    when few, else from every '>' of the block.
    """
    n = len(block)
    arr = np.frombuffer(block + b"\0" * 32, np.uint8)
    colon = np.flatnonzero(arr[:n] == 58)
    if len(colon) and ((arr[colon + 1] == 115) & (arr[colon + 2] == 105) & _ENDS_NAME[arr[colon + 3]]
                       | (arr[colon + 1] == 116) & _ENDS_NAME[arr[colon + 2]]).any():
        return None  # a prefixed <x:si> or <x:t> (or a text that merely looks like one)
    lt = np.flatnonzero(arr[:n] == 60)
    if not len(lt):
        return np.zeros(0, np.int64)
    b1, b2, b3, b4 = np.lib.stride_tricks.sliding_window_view(arr, 5)[lt, 1:].T
    close, is_si, is_t = b1 == 47, (b1 == 115) & (b2 == 105), b1 == 116
    si_open, si_empty = is_si & (b3 == 62), is_si & (b3 == 47) & (b4 == 62)
    si_close = close & (b2 == 115) & (b3 == 105) & (b4 == 62)
    t_plain, t_close = is_t & (b2 == 62), close & (b2 == 116) & (b3 == 62)
    t_spaced = is_t & _ENDS_NAME[b2] & (b2 != 62)  # <t ...>, <t/>
    rich = ((b1 == 114) & ((b2 == 62) | ((b2 == 80) & (b3 == 114) & (b4 == 62)))) | (close & (b2 == 114) & (b3 == 62))
    if ((is_si & ~si_open & ~si_empty & _ENDS_NAME[b3])  # <si ...>: attributes
            | (close & (b2 == 115) & (b3 == 105) & (b4 != 62) & _ENDS_NAME[b4])  # </si >
            | (close & (b2 == 116) & _ENDS_NAME[b3] & (b3 != 62))).any():  # </t >
        return None
    special = np.flatnonzero((b1 == 33) | (b1 == 63))  # <! and <?
    if len(special) and not (first and len(special) == 1 and special[0] == 0 and block[lt[0]:lt[0] + 5] == b"<?xml"):
        return None
    # where the tags with attributes end: <t xml:space="preserve"> spelt out, the others looked up
    spaced = np.flatnonzero(t_spaced)
    preserve = spaced[(np.lib.stride_tricks.sliding_window_view(arr, len(_PRESERVE))[lt[spaced]] == _PRESERVE
                       ).all(axis=1)] if len(spaced) else spaced
    known = si_open | si_empty | si_close | t_plain | t_close | rich
    known[preserve] = True
    others = np.flatnonzero(~known)
    if len(others) > _FEW_OTHER_TAGS:
        gt = np.flatnonzero(arr[:n] == 62)
        ends = np.searchsorted(gt, lt)
        if ends[-1] >= len(gt) or (len(lt) > 1 and (ends[1:] <= ends[:-1]).any()):
            return None  # a '<' inside a tag, or a tag never closed
        other_end = gt[ends[others]]
    else:
        following = np.append(lt[1:], n)
        other_end = np.array([block.find(b">", int(lt[i]), int(following[i])) for i in others.tolist()], np.int64)
        if (other_end < 0).any():
            return None
    end = np.zeros(len(lt), np.int64)
    end[others] = other_end
    t_open = t_plain.copy()
    t_open[preserve] = True
    t_open[others] |= t_spaced[others] & (arr[other_end - 1] != 47)  # not <t .../>
    content = np.where(t_plain, lt + 3, np.where(known, lt + len(_PRESERVE), end + 1))[t_open]
    starts = lt[si_open | si_empty]
    stops = lt[si_close | si_empty]
    if len(starts) != len(stops) or (stops < starts).any() or (stops[:-1] >= starts[1:]).any():
        return None  # <si>s nested or left open
    opens, closes = lt[t_open], lt[t_close]
    if len(opens) != len(closes) or (closes < opens).any() or (opens[1:] < closes[:-1]).any():
        return None  # a <t> nested or left open
    owner = np.searchsorted(starts, opens, side="right") - 1
    # a <t> inside a string must close before the string ends; one outside any (the reader skips it) must
    # not start inside one: otherwise the reader would join strings
    inside = (owner >= 0) & (opens < stops[np.maximum(owner, 0)])
    if (inside & (closes > stops[np.maximum(owner, 0)])).any() or (
            ~inside & (np.searchsorted(starts, closes, side="right") - 1 != owner)).any():
        return None
    owner, content, closes = owner[inside], content[inside], closes[inside]
    lengths = np.bincount(owner, weights=closes - content, minlength=len(starts)).astype(np.int64)
    long = np.flatnonzero(lengths > LIMITS.max_cell_chars)  # bytes first; characters where it may matter
    if len(long):  # each over 32 KB of the block: a few at most
        texts: dict[int, list[bytes]] = {}
        for t in np.flatnonzero(np.isin(owner, long)):
            texts.setdefault(int(owner[t]), []).append(block[content[t]:closes[t]])
        for pieces in texts.values():
            chars = len(_ENTITY.sub(b"&", b"".join(pieces)).decode("utf-8", "replace"))
            if chars > LIMITS.max_cell_chars:
                raise cell_too_long(source, chars)
    return lengths


@dataclass
class _Strings:
    """The shared strings as the pre-scan knows them."""

    lengths: np.ndarray  # bytes of text per string, in table order (empty when not known exactly)
    longest: int  # an upper bound for any one string
    sure: bool  # lengths are exact and in order


def _shared_strings(archive: zipfile.ZipFile, source: str) -> _Strings:
    """Scan ``xl/sharedStrings.xml`` in blocks of whole strings, never holding more than one block."""
    info = _member(archive, "xl/sharedstrings.xml")
    if info is None:
        return _Strings(np.zeros(0, np.int64), 0, True)
    found: list[np.ndarray] = []
    carry, first, seen = b"", True, 0
    with archive.open(info) as part:
        while True:
            piece = part.read(_SST_CHUNK)
            seen += len(piece)
            if seen > LIMITS.max_unzipped_bytes:
                raise _error("shared_strings_bomb", source=source, limit=LIMITS.max_unzipped_bytes / 2**20)
            block = carry + piece
            if piece:
                cut = max(block.rfind(b"</si>"), block.rfind(b"<si/>")) + 5
                if cut < 5:
                    if len(block) > 2 * _SST_CHUNK:  # one string of more than 16 MB of XML
                        return _Strings(np.zeros(0, np.int64), max(info.file_size, seen), False)
                    carry = block
                    continue
                block, carry = block[:cut], block[cut:]
            lengths = _string_bytes(block, first, source)
            if lengths is None:
                return _Strings(np.zeros(0, np.int64), max(info.file_size, seen), False)
            found.append(lengths)
            first = False
            if not piece:
                break
    lengths = np.concatenate(found) if found else np.zeros(0, np.int64)
    return _Strings(lengths, int(lengths.max()) if len(lengths) else 0, True)


# --- the cells that show them ------------------------------------------------------------------------------

_MAX_DIGITS = 10  # an index of more digits is past any table the limits allow


def _shown_text(arr: np.ndarray, n: int, strings: _Strings) -> tuple[int, int]:
    """Bytes of shared text the ``<v>`` values in ``arr[:n]`` (one block of sheet XML) show, and how many it read.

    Every ``<v>`` counts as if its cell were text (a number cell's value read as an index: an upper bound;
    attributes are not parsed, so no spelling of ``t="s"`` slips past). The reader takes the index from the
    digits up to the next tag, 0 from anything else; where an entity, a comment or the block's end could
    make it another number, the longest string is counted. ``arr`` has 16 bytes of padding after ``n``.
    """
    v = np.flatnonzero(arr[:n] == 118)
    v = v[(v > 0) & (arr[v - 1] == 60) & (arr[v + 1] == 62)]  # <v>
    if not len(v):
        return 0, 0
    at = v + 2  # the value's first byte
    index, run = np.zeros(len(v), np.int64), np.zeros(len(v), np.int64)
    going = np.ones(len(v), bool)
    for _ in range(_MAX_DIGITS + 1):  # digit by digit, all values at once; most indices have a few digits
        byte = arr[at + run]
        going &= (byte >= 48) & (byte <= 57) & (at + run < n)
        if not going.any():
            break
        index = np.where(going, index * 10 + byte - 48, index)
        run += going
    stop = at + run  # the byte after the digits
    after, next_after = arr[stop], arr[stop + 1]
    unknown = (run > _MAX_DIGITS) | (stop >= n) | (after == 38) | ((after == 60) & ((next_after == 33) |
                                                                                   (next_after == 63)))
    known = ~unknown & (run > 0) & (after == 60)
    zero = ~unknown & ~known  # not digits up to a tag: index 0 (or an empty cell)
    table = strings.lengths
    in_table = known & (index < len(table))
    total = int(table[index[in_table]].sum()) if in_table.any() else 0
    total += int((known & ~in_table).sum() + unknown.sum()) * strings.longest
    total += int(zero.sum()) * (int(table[0]) if len(table) else strings.longest)
    return total, len(v)


def _parsed_text(archive: zipfile.ZipFile, parts: list[zipfile.ZipInfo], strings: _Strings) -> int:
    """The shared text the ``<v>`` values of ``parts`` show, each value read (:func:`_shown_text`): a second
    pass, for the few files whose count of values times the longest string passes the budget."""
    total = 0
    for info in parts:
        values = chunks = 0
        with archive.open(info) as part:
            while chunk := part.read(1 << 24):
                chunks += 1
                values += chunk.count(b"<v") + chunk.count(b":v")
                shown, matched = _shown_text(np.frombuffer(chunk + b"\0" * 16, np.uint8), len(chunk), strings)
                total += shown
                values -= matched
        # <v>s not read (prefixed, spaced; one cut at a chunk boundary) show the longest string
        total += (max(values, 0) + chunks) * strings.longest
    return total


def _xlsx_extent(raw: bytes, source: str) -> _Extent:
    """Upper bounds of the last row and column any sheet uses, read from the cell references, and of the text
    its cells will hold; the sheet count is checked first.

    The spreadsheet reader allocates rows × columns cells at once, so a few-KB file with one cell
    at XFD1048576 would ask for hundreds of GB. Only unusual references are parsed (columns of
    two or three letters, rows of six or more digits): a normal roster costs one C-speed scan.
    Cells written without a plain ``r="A1"`` reference (allowed, but not what Excel writes)
    cannot be placed: such a file is then read in an isolated, capped process. The XML actually
    expanded is counted too, whatever the zip headers claim. A sheet may be any part of the file
    (its relationships say which), so every part holding ``sheetData`` is scanned.

    Text: every ``<v>`` (counted, two C-speed scans) is taken to show the longest shared string; only
    when that passes ``max_text_bytes`` are the values read, in a second pass (:func:`_parsed_text`).
    """
    extent, expanded = _Extent(), 0
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            _check_sheets(archive, source)
            strings = _shared_strings(archive, source)
            extent.text_sure, extent.longest_string = strings.sure, strings.longest
            sst = _member(archive, "xl/sharedstrings.xml")
            sheets: list[zipfile.ZipInfo] = []
            values = 0
            for info in archive.infolist():
                if info is sst or info.is_dir():
                    continue
                max_col, max_row, part_values, sheet = 26, 99_999, 0, False
                cells = placed = chunks = 0
                with archive.open(info) as part:
                    tail = b""
                    while chunk := part.read(1 << 24):
                        expanded += len(chunk)
                        if expanded > LIMITS.max_unzipped_bytes:
                            raise _error("sheets_bomb", source=source, limit=LIMITS.max_unzipped_bytes / 2**20)
                        block = tail + chunk
                        sheet = sheet or b"sheetData" in block
                        max_col = max([max_col, *(_column_number(m) for m in set(_WIDE.findall(block)))])
                        rows = _TALL.findall(block)
                        if rows:
                            max_row = max(max_row, max(int(r) for r in set(rows)))
                        chunks += 1
                        cells += chunk.count(b"<c ") + chunk.count(b"<c>") + chunk.count(b":c ") + chunk.count(b":c>")
                        placed += chunk.count(b' r="') + chunk.count(b" r='") - chunk.count(b"<row ")
                        if strings.longest:  # <v>, <x:v> (and more: an upper bound); one cut at a boundary
                            part_values += chunk.count(b"<v") + chunk.count(b":v") + 1
                        tail = block[-16:]
                if not sheet:
                    continue
                sheets.append(info)
                values += part_values
                extent.max_col, extent.max_row = max(extent.max_col, max_col), max(extent.max_row, max_row)
                extent.unplaced_cells |= cells > placed + 2 * chunks  # a tag cut at a chunk boundary miscounts by one
            extent.text_bytes = values * strings.longest
            if extent.text_bytes > LIMITS.max_text_bytes and strings.sure:
                extent.text_bytes = _parsed_text(archive, sheets, strings)
    except _ZIP_ERRORS as exc:
        raise _error("xlsx_zip_mismatch", source=source) from exc
    return extent


# --- reading ----------------------------------------------------------------------------------------------

Sheets = list[tuple[str, list[list[object]] | None, tuple[int, int]]]


class _Refused(Exception):
    """A limit the reader's own output broke: what to tell, as numbers only (never a cell's text)."""


def _text_refusal(sheets: Sheets) -> tuple[object, ...] | None:
    """('cell', sheet, row, column, chars) or ('text', bytes) when the sheets' text breaks a limit.

    Run in the capped child on what the reader returned (an .xls, an .xlsx the pre-scan was unsure of), before
    any of it is sent back: the cost of a hostile file stays in the child.
    """
    total = 0
    for name, rows, _size in sheets:
        for r, row in enumerate(rows or ()):
            for c, cell in enumerate(row):
                if isinstance(cell, str):
                    size = len(cell) if cell.isascii() else len(cell.encode("utf-8", "surrogatepass"))
                    if len(cell) > LIMITS.max_cell_chars:
                        return ("cell", name, r + 1, c, len(cell))
                    total += size
        if total > LIMITS.max_text_bytes:
            return ("text", total)
    return None


def _refusal(source: str, found: tuple[object, ...]) -> RosterError:
    """The message for what the reader's child refused (:class:`_Refused`'s numbers)."""
    kind, *numbers = found
    if kind == "sheets":
        return too_many_sheets(source, int(str(numbers[0])))
    if kind == "text":
        return text_too_large(source, int(str(numbers[0])))
    sheet, row, column, chars, several = numbers
    return cell_too_long(f"{source}[{sheet}]" if several else source, int(str(chars)), int(str(row)),
                         int(str(column)))


def _load_sheets(raw: bytes, check_text: bool = False) -> Sheets:
    """Every sheet's cells (None when over the limits) and its size: the part that runs isolated.

    Raises :class:`_Refused` for more than ``max_sheets`` sheets (the reader's list, before a sheet is
    built) and, with ``check_text``, for text over the limits.
    """
    book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    if len(book.sheet_names) > LIMITS.max_sheets:
        raise _Refused("sheets", len(book.sheet_names))
    sheets: Sheets = []
    for i, name in enumerate(book.sheet_names):
        sheet = book.get_sheet_by_index(i)
        size = (max(sheet.height, sheet.total_height), max(sheet.width, sheet.total_width))
        too_big = size[1] > LIMITS.max_columns or size[0] > LIMITS.max_rows
        sheets.append((name, None if too_big else sheet.to_python(skip_empty_area=False), size))
        if check_text and (found := _text_refusal(sheets[-1:])):
            raise _Refused(*found, len(book.sheet_names) > 1)
    if check_text and (found := _text_refusal(sheets)):
        raise _Refused(*found)
    return sheets


def _isolated_child(conn: Connection, raw: bytes, address_space: int) -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)  # a native abort's message and backtrace are not the user's business
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            address_space = min(address_space, hard)  # an outer cap (a test, a container) stays in force
        resource.setrlimit(resource.RLIMIT_AS, (address_space, hard))
        try:
            sheets = _load_sheets(raw, check_text=True)
        except _Refused as refused:
            conn.send(("refused", refused.args))
        else:
            conn.send(("ok", sheets))
    except BaseException as exc:  # the reader's panics are BaseExceptions; nothing may escape the child
        conn.send(("error", type(exc).__name__))  # never the text: it may quote a cell
    finally:
        conn.close()
        os._exit(0)


def _vm_size() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _read_sheets_isolated(raw: bytes, source: str) -> Sheets:
    """Run the spreadsheet reader in a forked child with a memory cap and a time limit.

    The reader is native code: a crafted or corrupt workbook can make it abort the whole process
    (a failed allocation, a panic). In a child, that ends the child only; the user gets one line
    and the dashboard keeps serving everyone else.
    """
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    # forked: the child has the bytes already, nothing is pickled or written to disk
    child = ctx.Process(target=_isolated_child, args=(send, raw, _vm_size() + LIMITS.reader_memory),
                        daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(LIMITS.max_seconds):
            raise _error("read_timeout", source=source, seconds=LIMITS.max_seconds)
        status, payload = receive.recv()  # the child's own check bounds what it sends
    except (EOFError, OSError) as exc:
        raise _error("reader_stopped", source=source, memory=LIMITS.reader_memory / 2**30) from exc
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join()
    if status == "refused":
        raise _refusal(source, payload)
    if status != "ok":
        raise _error("not_a_spreadsheet", source=source, reason=str(payload))
    return payload


def _read_sheets(raw: bytes, source: str) -> Sheets:
    """The sheets of a workbook the pre-scan found ordinary, read in this process."""
    try:
        return _load_sheets(raw)
    except _Refused as refused:
        raise _refusal(source, refused.args) from None
    except BaseException as exc:  # the reader's panics are BaseExceptions
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        # the reader's own text may quote a cell (an ID number): only the kind of error is shown
        raise _error("not_a_spreadsheet", source=source, reason=type(exc).__name__) from None


def _read_workbook(raw: bytes, source: str, kind: str) -> list[Roster]:
    isolate = True
    if kind == "xlsx":
        _check_zip(raw, source)
        extent = _xlsx_extent(raw, source)
        rows, columns = extent.max_row, extent.max_col
        if columns > LIMITS.max_columns or rows > LIMITS.max_rows or rows * columns > LIMITS.max_cells:
            raise _error("sheet_extent", source=source, rows=rows, column=get_column_letter(columns),
                         max_rows=LIMITS.max_rows, max_columns=LIMITS.max_columns, max_cells=LIMITS.max_cells)
        if extent.text_bytes > LIMITS.max_text_bytes and extent.text_sure:
            raise text_too_large(source, extent.text_bytes)
        # an ordinary workbook is read in-process, at full speed; one whose cells the scan could not place, or
        # whose shared strings it could not follow (a string may be over the cell limit, the text over the
        # budget), in the capped child, which checks the text before it sends any back
        isolate = extent.unplaced_cells or (not extent.text_sure and (
            extent.text_bytes > LIMITS.max_text_bytes or extent.longest_string > LIMITS.max_cell_chars))
    rosters: list[Roster] = []
    skipped: list[str] = []
    sheets = _read_sheets_isolated(raw, source) if isolate else _read_sheets(raw, source)
    for sheet_name, rows, (height, width) in sheets:
        if rows is None:
            raise _error("sheet_too_big", source=source, sheet=sheet_name, rows=height, columns=width,
                         max_rows=LIMITS.max_rows, max_columns=LIMITS.max_columns)
        hit = find_header(rows)
        if hit is None:
            if any(any(c not in ("", None) for c in row) for row in rows):
                skipped.append(Text("sheet_skipped", sheet=sheet_name))
            continue
        h, found, notes = hit
        label = source if len(sheets) == 1 else f"{source}[{sheet_name}]"
        data = pd.DataFrame(rows[h + 1:], dtype=object)
        roster = roster_of(label, data, h + 2, found, header_cells(rows, h), notes)
        roster.number_cells = {"id_number", "ssn"}
        rosters.append(roster)
    if not rosters:
        raise _error("no_header_sheets", source=source, n=HEADER_SEARCH_ROWS)
    rosters[0].notes.extend(skipped)
    return rosters


def read_roster(path: str | Path, employer_id: str | None = None,
                employer_name: str | None = None) -> list[Roster]:
    """Read one roster file from disk (see :func:`read_roster_bytes`); messages name it by its path."""
    path = Path(path)
    if not path.is_file():
        raise _error("file_not_found", source=str(path))
    size = path.stat().st_size
    if size > LIMITS.max_bytes:
        raise _error("file_too_large", source=path.name, size=size / 2**20, limit=LIMITS.max_bytes / 2**20)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise _error("file_unreadable", source=str(path), reason=str(exc.strerror or exc)) from exc
    return read_roster_bytes(raw, path.name, employer_id, employer_name)


def read_roster_bytes(raw: bytes, source: str, employer_id: str | None = None,
                      employer_name: str | None = None) -> list[Roster]:
    """Read one roster from its bytes: one :class:`Roster` per sheet that has a header row.

    Everything happens in memory (calamine, ``pandas.read_csv`` and ``zipfile`` read from a
    buffer), so an upload is never written to disk. ``source`` is the name rows and messages
    show. ``employer_id``/``employer_name`` fill in the employer for rosters without employer
    columns (and blank employer cells).
    """
    if len(raw) > LIMITS.max_bytes:
        raise _error("file_too_large", source=source, size=len(raw) / 2**20, limit=LIMITS.max_bytes / 2**20)
    if not raw:
        raise _error("file_empty", source=source)
    kind = _sniff(raw)
    if kind == "csv" and Path(source).suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        # agencies' systems export text (CSV, tab-separated) under an Excel name: read it as text, and if
        # that finds no roster either, say what the file is rather than that it lacks a header row
        try:
            rosters = _read_csv(raw, source)
        except RosterError as exc:
            raise _error("not_excel_nor_text", source=source) from exc
    else:
        rosters = _read_csv(raw, source) if kind == "csv" else _read_workbook(raw, source, kind)
    for roster in rosters:
        frame = roster.frame
        for f, value in (("employer_id", employer_id), ("employer_name", employer_name)):
            if value:
                blank = frame[f].isna() | (frame[f].astype("string").str.strip() == "").fillna(True)
                frame.loc[blank, f] = value
    return rosters


def roster_paths(paths: list[str | Path]) -> tuple[list[Path], list[str]]:
    """Split command-line paths into roster files and notes on files that are not rosters.

    A shell glob such as ``sample_uploads/*`` also catches README.md: a file whose suffix is
    no roster format is left out with a note, not an error. A path that does not exist raises
    :class:`RosterError`, and so does a list with no roster file at all.
    """
    keep: list[Path] = []
    notes: list[str] = []
    for p in map(Path, paths):
        if not p.exists():
            raise _error("file_not_found", source=str(p))
        if p.is_dir():
            notes.append(Text("skipped_folder", source=str(p)))
        elif p.suffix.lower() not in ROSTER_SUFFIXES:
            notes.append(Text("skipped_not_roster", source=str(p), suffixes=", ".join(ROSTER_SUFFIXES[:4])))
        else:
            keep.append(p)
    if not keep:
        raise _error("no_roster_file", source=str(paths[0]) if paths else "(none)")
    return keep, notes


def read_uploads(files: list[tuple[str, bytes]], employer_id: str | None = None,
                 employer_name: str | None = None) -> tuple[list[Roster], list[str]]:
    """Read uploaded files (name, content) in memory; an unusable file gives an error line, the rest are read.

    Rows and messages show the uploaded name in its safe form (:func:`display_name`); two
    uploads of the same name are told apart (:func:`unique_label`).
    """
    rosters: list[Roster] = []
    errors: list[str] = []
    used: set[str] = set()
    for name, data in files:
        shown = display_name(name)
        try:
            read = read_roster_bytes(data, shown, employer_id, employer_name)
        except RosterError as exc:
            errors.append(error_line(exc))
            continue
        except Exception as exc:  # one file must never stop the others; no cell values in the message
            errors.append(error_line(_error("file_unreadable", source=shown, reason=type(exc).__name__)))
            continue
        for roster in read:
            label = unique_label(roster.source_file, used)
            if label != roster.source_file:
                roster.source_file = label
                roster.frame["source_file"] = label
        rosters.extend(read)
    return rosters, errors


def error_line(exc: ShebaoError) -> str:
    """An unusable file's line: its text with ID-shaped runs masked (a file name may hold a number), as a
    ``catalogue.Text`` that keeps its code when the error has one (a page renders it in Chinese)."""
    if exc.code is None:
        return mask_text(str(exc))
    return Text(exc.code, **{k: mask_text(v) if isinstance(v, str) else v for k, v in exc.params.items()})


def unique_label(label: str, used: set[str]) -> str:
    """``label``, or ``label (2)``, ``(3)``… when an earlier upload of the same call has it; recorded in ``used``.

    Two uploaded files of the same name are two uploads: their rows and problems must not be
    mistaken for each other (an HR user's scoping matches problems to rows by file and row).

    >>> used = set(); [unique_label(n, used) for n in ("a.csv", "a.csv", "a.csv (2)")]
    ['a.csv', 'a.csv (2)', 'a.csv (2) (2)']
    """
    candidate, n = label, 1
    while candidate in used:
        n += 1
        candidate = f"{label} ({n})"
    used.add(candidate)
    return candidate


def display_name(name: str) -> str:
    """An uploaded file's name as it may be shown: no folders, no control characters, at most 120 characters."""
    base = re.split(r"[\\/]", str(name))[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip() or "upload"
    if base in {".", ".."}:
        base = "upload"
    if len(base) > 120:
        stem, suffix = base[:-len(Path(base).suffix) or None], Path(base).suffix[:8]
        base = stem[:120 - len(suffix)] + suffix
    return base


def read_rosters(paths: list[str | Path], employer_id: str | None = None,
                 employer_name: str | None = None) -> list[Roster]:
    """Read several files; the first unusable one raises :class:`RosterError`."""
    return [r for p in paths for r in read_roster(p, employer_id, employer_name)]
