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
import re
import resource
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

import pandas as pd
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from compliance.errors import ShebaoError

# field -> recognised headers (shared README section 5); compared after _header_key().
ALIASES: dict[str, list[str]] = {
    "employer_id": ["统一社会信用代码", "单位编号", "employer_id", "uscc"],
    "employer_name": ["单位名称", "用人单位", "employer", "employer_name"],
    "name": ["姓名", "name"],
    "id_number": ["身份证号", "身份证号码", "公民身份号码", "证件号码", "id_number", "id"],
    "hire_date": ["入职日期", "用工日期", "参加工作日期", "hire_date", "start_date"],
    "registration_date": ["参保日期", "参保登记日期", "社保登记日期", "registration_date"],
    "card_status": ["社保卡状态", "card_status"],
    "card_bank": ["发卡银行", "合作银行", "card_bank"],
    "activation_date": ["激活日期", "社保卡激活日期", "activation_date"],
    "wage": ["月工资", "工资", "申报工资", "缴费工资", "wage", "monthly_wage"],
    "ssn": ["社会保障号码", "社保号码", "ssn"],
    # shared README section 10
    "id_type": ["证件类型", "证件名称", "id_type", "document_type"],
    "employment_type": ["用工形式", "用工性质", "人员类型", "employment_type"],
    "work_permit_date": ["工作许可日期", "工作许可证日期", "就业证日期", "work_permit_date"],
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
    """

    max_bytes: int = int(float(os.environ.get("SHEBAO_MAX_FILE_MB", "150")) * 2**20)
    max_rows: int = 2_000_000
    max_columns: int = 1_000
    max_unzipped_bytes: int = 2**30  # all XML parts of an .xlsx together
    max_zip_ratio: int = 200  # uncompressed / compressed; real workbooks stay far below
    max_cells: int = 30_000_000  # rows × columns of a sheet: the reader allocates the whole rectangle
    max_seconds: int = 120  # reading one workbook
    reader_memory: int = 4 * 2**30  # address space the spreadsheet reader may add


LIMITS = Limits()
EXCEL_MAGIC = {b"PK\x03\x04": "xlsx", b"\xd0\xcf\x11\xe0": "xls"}


def _header_key(text: object) -> str:
    """Case-, width- and space-insensitive form of a header; '*' required-field marks dropped."""
    key = unicodedata.normalize("NFKC", str(text)).lower()
    return re.sub(r"[\s*_\-:：]", "", key)


_LOOKUP = {_header_key(alias): f for f, aliases in ALIASES.items() for alias in aliases}


class RosterError(ShebaoError):
    """The file cannot be used as a roster at all (exit code 2)."""


@dataclass
class Roster:
    """The rows of one roster file (or one sheet of a workbook), cells as typed.

    ``frame`` has ``source_file``, ``source_row`` and one column per recognised field; for the
    fields that are present, ``columns`` says which header and spreadsheet column they came
    from (for messages such as "入职日期 (column D)"). ``notes`` are file-level remarks that
    must reach the user (blank rows skipped, duplicate columns, missing columns).
    """

    source_file: str
    frame: pd.DataFrame
    columns: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    number_cells: set[str] = field(default_factory=set)  # fields whose cells may be Excel numbers


def find_header(rows: list[list[object]]) -> tuple[int, dict[str, int], list[str]] | None:
    """The first row that names at least two fields, one of them a key field.

    Returns the row index, field -> column index (first occurrence), and notes on duplicates.
    """
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found: dict[str, int] = {}
        notes: list[str] = []
        for c, cell in enumerate(row):
            if cell is None or cell == "":
                continue
            f = _LOOKUP.get(_header_key(cell))
            if f is None:
                continue
            if f in found:
                notes.append(f"column {get_column_letter(c + 1)} ('{cell}') repeats the {f} column "
                             f"{get_column_letter(found[f] + 1)}; the first one is used")
            else:
                found[f] = c
        if len(found) >= 2 and KEY_FIELDS & found.keys():
            return r, found, notes
    return None


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
        return "utf-8-sig", f"{broken} invalid UTF-8 byte sequence(s) are shown as '�'"
    try:
        raw.decode("gb18030")
        return "gb18030", None
    except UnicodeDecodeError:
        return "gb18030", "some bytes are neither UTF-8 nor GBK; they are shown as '�'"


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
    word = "row" if len(rows) == 1 else "rows"
    verb = "is blank and was" if len(rows) == 1 else "are blank and were"
    return f"{word} {', '.join(spans)} {verb} skipped"


def _blank_rows(data: pd.DataFrame) -> pd.Series:
    """Rows whose every cell is empty or whitespace (two C-speed string tests per column, no copies)."""
    blank = pd.Series(True, index=data.index)
    for c in data.columns:
        text = data[c].astype("string")
        blank &= (text.isna() | (text.str.len() == 0) | text.str.isspace()).fillna(True).to_numpy(dtype=bool)
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
    blank = _blank_rows(data)
    # trailing blank lines are the end of the file, not rows a person sees
    last = blank[~blank].index.max() if (~blank).any() else -1
    interior_blank = blank & (blank.index < last)
    if interior_blank.any():
        notes.append(blank_rows_note(rows[interior_blank].tolist()))
    keep = ~blank
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
            best = CsvLayout(delimiter, h, found, notes, [str(c) for c in rows[h]], widest)
    if best is None:
        raise RosterError(f"{source}: no header row found in the first {HEADER_SEARCH_ROWS} lines "
                          "(expected columns such as 姓名, 身份证号, 入职日期)")
    return best


def _read_csv(raw: bytes, source: str) -> list[Roster]:
    if b"\x00" in raw[:8192]:
        raise RosterError(f"{source}: not a text file (binary content); expected .xlsx, .xls or a CSV text file")
    lines = raw.count(b"\n")
    if lines > LIMITS.max_rows + HEADER_SEARCH_ROWS:
        raise RosterError(f"{source}: {lines:,} lines; the limit is {LIMITS.max_rows:,} rows per file")
    encoding, note = detect_encoding(raw)
    layout = sniff_csv(raw[:1 << 20].decode(encoding, errors="replace"), source)
    delimiter, h, found, notes, header, widest = (layout.delimiter, layout.row, layout.found, layout.notes,
                                                  layout.cells, layout.widest)
    if note:
        notes.insert(0, note)
    width = max(found.values()) + 1
    if widest > LIMITS.max_columns:
        raise RosterError(f"{source}: a row has {widest:,} fields; the limit is {LIMITS.max_columns:,} columns")
    try:
        data = read_csv_cells(raw, source, delimiter, h, encoding, max(width, len(header), widest))
    except pd.errors.ParserError as exc:
        first = str(exc).splitlines()[0]
        if "EOF inside string" in first:
            found_row = re.search(r"row (\d+)", first)
            # pandas counts rows from the top of the file, 0-based, skipped title rows included
            where = f" on line {int(found_row.group(1)) + 1}" if found_row else ""
            raise RosterError(f"{source}: malformed CSV: a quote opened{where} is never closed") from exc
        raise RosterError(f"{source}: malformed CSV ({first})") from exc
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
                raise RosterError(f"{source}: a row has {columns:,} fields; the limit is "
                                  f"{LIMITS.max_columns:,} columns") from exc


_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, zlib.error, EOFError, OSError,
               ValueError, RuntimeError)


def _check_zip(raw: bytes, source: str) -> None:
    """Refuse a truncated .xlsx or a zip bomb before any XML is expanded."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            infos = archive.infolist()
    except _ZIP_ERRORS as exc:
        raise RosterError(f"{source}: damaged or truncated .xlsx (not a readable zip archive)") from exc
    unpacked = sum(i.file_size for i in infos)
    packed = max(1, sum(i.compress_size for i in infos))
    if unpacked > LIMITS.max_unzipped_bytes or unpacked / packed > LIMITS.max_zip_ratio:
        raise RosterError(f"{source}: refused: it would expand to {unpacked / 2**20:,.0f} MB "
                          f"({unpacked / packed:,.0f}× its size), which looks like a zip bomb")


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
    """What a scan of an .xlsx's sheet XML tells before the native reader sees it."""

    max_row: int = 99_999
    max_col: int = 26
    unplaced_cells: bool = False  # cells whose position the scan could not read


def _xlsx_extent(raw: bytes, source: str) -> _Extent:
    """Upper bounds of the last row and column any sheet uses, read from the cell references.

    The spreadsheet reader allocates rows × columns cells at once, so a few-KB file with one cell
    at XFD1048576 would ask for hundreds of GB. Only unusual references are parsed (columns of
    two or three letters, rows of six or more digits): a normal roster costs one C-speed scan.
    Cells written without a plain ``r="A1"`` reference (allowed, but not what Excel writes)
    cannot be placed: such a file is then read in an isolated, capped process. The XML actually
    expanded is counted too, whatever the zip headers claim.
    """
    extent, expanded = _Extent(), 0
    cells = placed = chunks = 0
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            for info in archive.infolist():
                if not info.filename.startswith("xl/worksheets/") or not info.filename.endswith(".xml"):
                    continue
                with archive.open(info) as part:
                    tail = b""
                    while chunk := part.read(1 << 24):
                        expanded += len(chunk)
                        if expanded > LIMITS.max_unzipped_bytes:
                            raise RosterError(f"{source}: refused: its sheets expand beyond "
                                              f"{LIMITS.max_unzipped_bytes / 2**20:,.0f} MB (a zip bomb?)")
                        block = tail + chunk
                        extent.max_col = max([extent.max_col,
                                              *(_column_number(m) for m in set(_WIDE.findall(block)))])
                        rows = _TALL.findall(block)
                        if rows:
                            extent.max_row = max(extent.max_row, max(int(r) for r in set(rows)))
                        chunks += 1
                        cells += chunk.count(b"<c ") + chunk.count(b"<c>") + chunk.count(b":c ") + chunk.count(b":c>")
                        placed += chunk.count(b' r="') + chunk.count(b" r='") - chunk.count(b"<row ")
                        tail = block[-16:]
    except _ZIP_ERRORS as exc:
        raise RosterError(f"{source}: damaged .xlsx: its zip data does not match its headers (a part is larger "
                          "than its declared size, or corrupt)") from exc
    extent.unplaced_cells = cells > placed + 2 * chunks  # a tag cut at a chunk boundary miscounts by one
    return extent


def _load_sheets(raw: bytes) -> list[tuple[str, list[list[object]] | None, tuple[int, int]]]:
    """Every sheet's cells (None when over the limits) and its size: the part that runs isolated."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    sheets = []
    for i, name in enumerate(book.sheet_names):
        sheet = book.get_sheet_by_index(i)
        size = (max(sheet.height, sheet.total_height), max(sheet.width, sheet.total_width))
        too_big = size[1] > LIMITS.max_columns or size[0] > LIMITS.max_rows
        sheets.append((name, None if too_big else sheet.to_python(skip_empty_area=False), size))
    return sheets


def _isolated_child(conn: Connection, raw: bytes, address_space: int) -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)  # a native abort's message and backtrace are not the user's business
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            address_space = min(address_space, hard)  # an outer cap (a test, a container) stays in force
        resource.setrlimit(resource.RLIMIT_AS, (address_space, hard))
        conn.send(("ok", _load_sheets(raw)))
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


def _read_sheets_isolated(raw: bytes, source: str) -> list[tuple[str, list[list[object]] | None, tuple[int, int]]]:
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
            raise RosterError(f"{source}: reading took longer than {LIMITS.max_seconds} s and was stopped")
        status, payload = receive.recv()
    except (EOFError, OSError) as exc:
        raise RosterError(f"{source}: the spreadsheet reader stopped on this file: damaged, or over the reader's "
                          f"limits ({LIMITS.reader_memory / 2**30:.0f} GB of memory)") from exc
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join()
    if status != "ok":
        raise RosterError(f"{source}: cannot be opened as a spreadsheet (damaged or unsupported content: {payload})")
    return payload


def _read_sheets(raw: bytes, source: str) -> list[tuple[str, list[list[object]] | None, tuple[int, int]]]:
    """The sheets of a workbook the pre-scan found ordinary, read in this process."""
    try:
        return _load_sheets(raw)
    except BaseException as exc:  # the reader's panics are BaseExceptions
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        # the reader's own text may quote a cell (an ID number): only the kind of error is shown
        raise RosterError(f"{source}: cannot be opened as a spreadsheet (damaged or unsupported content: "
                          f"{type(exc).__name__})") from None


def _read_workbook(raw: bytes, source: str, kind: str) -> list[Roster]:
    isolate = True
    if kind == "xlsx":
        _check_zip(raw, source)
        extent = _xlsx_extent(raw, source)
        rows, columns = extent.max_row, extent.max_col
        if columns > LIMITS.max_columns or rows > LIMITS.max_rows or rows * columns > LIMITS.max_cells:
            raise RosterError(f"{source}: a sheet reaches row {rows:,} and column {get_column_letter(columns)}; "
                              f"the limits are {LIMITS.max_rows:,} rows, {LIMITS.max_columns:,} columns and "
                              f"{LIMITS.max_cells:,} cells per sheet")
        isolate = extent.unplaced_cells  # an ordinary workbook is read in-process, at full speed
    rosters: list[Roster] = []
    skipped: list[str] = []
    sheets = _read_sheets_isolated(raw, source) if isolate else _read_sheets(raw, source)
    for sheet_name, rows, (height, width) in sheets:
        if rows is None:
            raise RosterError(f"{source}: sheet '{sheet_name}' has {height:,} rows × {width:,} columns; "
                              f"the limits are {LIMITS.max_rows:,} rows and {LIMITS.max_columns:,} columns")
        hit = find_header(rows)
        if hit is None:
            if any(any(c not in ("", None) for c in row) for row in rows):
                skipped.append(f"sheet '{sheet_name}' has no recognisable header row and was not read")
            continue
        h, found, notes = hit
        label = source if len(sheets) == 1 else f"{source}[{sheet_name}]"
        data = pd.DataFrame(rows[h + 1:], dtype=object)
        roster = roster_of(label, data, h + 2, found, rows[h], notes)
        roster.number_cells = {"id_number", "ssn"}
        rosters.append(roster)
    if not rosters:
        raise RosterError(f"{source}: no header row found in the first {HEADER_SEARCH_ROWS} rows of any sheet "
                          "(expected columns such as 姓名, 身份证号, 入职日期)")
    rosters[0].notes.extend(skipped)
    return rosters


def read_roster(path: str | Path, employer_id: str | None = None,
                employer_name: str | None = None) -> list[Roster]:
    """Read one roster file from disk (see :func:`read_roster_bytes`); messages name it by its path."""
    path = Path(path)
    if not path.is_file():
        raise RosterError(f"{path}: file not found")
    size = path.stat().st_size
    if size > LIMITS.max_bytes:
        raise RosterError(f"{path.name}: {size / 2**20:,.0f} MB; the limit is "
                          f"{LIMITS.max_bytes / 2**20:,.0f} MB per file")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RosterError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
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
        raise RosterError(f"{source}: {len(raw) / 2**20:,.0f} MB; the limit is "
                          f"{LIMITS.max_bytes / 2**20:,.0f} MB per file")
    if not raw:
        raise RosterError(f"{source}: the file is empty")
    kind = _sniff(raw)
    if kind == "csv" and Path(source).suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        # agencies' systems export text (CSV, tab-separated) under an Excel name: read it as text, and if
        # that finds no roster either, say what the file is rather than that it lacks a header row
        try:
            rosters = _read_csv(raw, source)
        except RosterError as exc:
            raise RosterError(f"{source}: not an Excel file (its content is not a workbook) and not a roster "
                              "as text either; open it in Excel and save it as .xlsx") from exc
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
            raise RosterError(f"{p}: file not found")
        if p.is_dir():
            notes.append(f"{p}: skipped, a folder")
        elif p.suffix.lower() not in ROSTER_SUFFIXES:
            notes.append(f"{p}: skipped, not a roster file ({', '.join(ROSTER_SUFFIXES[:4])})")
        else:
            keep.append(p)
    if not keep:
        raise RosterError(f"{paths[0] if paths else '(none)'}: no roster file given (.xlsx, .xls or .csv)")
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
            errors.append(str(exc))
            continue
        except Exception as exc:  # one file must never stop the others; no cell values in the message
            errors.append(f"{shown}: cannot be read ({type(exc).__name__})")
            continue
        for roster in read:
            label = unique_label(roster.source_file, used)
            if label != roster.source_file:
                roster.source_file = label
                roster.frame["source_file"] = label
        rosters.extend(read)
    return rosters, errors


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
