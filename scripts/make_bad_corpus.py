"""Write the corpus of hostile and broken roster files in ``tests/data/bad/``.

Run from anywhere with the project's Python::

    python scripts/make_bad_corpus.py [--out DIR]

Every file is small on disk (the whole corpus stays far below 2 MB) and deterministic: fixed
seeds, fixed workbook and zip timestamps, so a re-run rewrites identical files. What each file is
and what the reader must do with it is in ``CORPUS`` below and in the ``README.md`` written beside
the files; ``tests/test_bad_input.py`` holds the checks. Files too big to commit (a 200 MB CSV, a
zip bomb expanding to more than 1 GiB) are made by the tests in a temporary folder with
:func:`write_zip_bomb` and friends.

All people and companies are synthetic; ID check characters follow GB 11643-1999.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import re
import string
import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import xlwt
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from stdnum.cn import ric

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "data" / "bad"
FIXED_TIME = dt.datetime(2025, 11, 20, 9, 0, 0)
SEED = 20251120
MiB = 2**20

# Values a spreadsheet would execute when a report is opened (OWASP "CSV injection").
FORMULAS = ('=HYPERLINK("http://evil.example","click")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)")
FORMULA_HIRE_DATE = "=TODAY()"  # a formula typed into a date column
REAL_FORMULA = 'HYPERLINK("http://evil.example","click")'  # a real formula cell in the workbook ...
REAL_FORMULA_CACHED = "click"  # ... and the value Excel cached for it

HEADER = ["单位名称", "姓名", "身份证号", "入职日期", "参保日期"]
EMPLOYERS = ("示例科技有限公司", "样本物流有限公司")
NAMES = ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴霞", "徐鹏", "孙丽")
# Bytes that are invalid in UTF-8 and in GB18030 (0x80 and 0xFF are never the first byte of a character).
INVALID_GBK = b"\x80\xff"


def id_number(i: int) -> str:
    """A valid 18-character resident ID (GB 11643-1999 check character), distinct for each ``i``."""
    first17 = f"110105{1980 + i % 20}{1 + i % 12:02d}{1 + i % 28:02d}{100 + i:03d}"
    return first17 + ric.calc_check_digit(first17 + "?")  # python-stdnum; it skips the last character


def person(i: int) -> list[object]:
    """One roster row (HEADER order): employer, name, ID, hire date, registration date (or blank)."""
    hire = dt.date(2025, 1, 6) + dt.timedelta(days=17 * i)
    reg = hire + dt.timedelta(days=10 + 9 * (i % 5)) if i % 3 else None
    return [EMPLOYERS[i % 2], NAMES[i % len(NAMES)], id_number(i), hire, reg]


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8") -> bytes:
    """Rows as a CSV the way Excel writes one (CRLF); dates ISO, ``None`` an empty field."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date) else v for v in row])
    return buffer.getvalue().encode(encoding)


def fixed_zip(data: bytes, patch: dict[str, Callable[[bytes], bytes]] | None = None) -> bytes:
    """Rewrite a zip (an .xlsx) with fixed member timestamps and ``modified`` date, members patched.

    openpyxl stamps the time of saving; fixing it makes a re-run give identical bytes.
    """
    patch = patch or {}
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                content = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp, content)
            if info.filename in patch:
                content = patch[info.filename](content)
            member = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            member.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(member, content)
    return out.getvalue()


def workbook_bytes(book: openpyxl.Workbook, patch: dict[str, Callable[[bytes], bytes]] | None = None) -> bytes:
    book.properties.creator = "shebao-check make_bad_corpus.py"
    book.properties.created = book.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    book.save(buffer)
    return fixed_zip(buffer.getvalue(), patch)


def fill_sheet(ws: Worksheet, rows: list[list[object]], *, start_row: int = 1, start_column: int = 1) -> None:
    """Write ``rows`` into a worksheet; a text starting with '=' stays a text cell (as Excel keeps a cell
    formatted as text), dates get a date format, ``None`` leaves no cell."""
    for r, row in enumerate(rows, start=start_row):
        for c, value in enumerate(row, start=start_column):
            if value is None:
                continue
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"


def xlsx_bytes(rows: list[list[object]], *, start_row: int = 1, start_column: int = 1) -> bytes:
    """Rows as a one-sheet workbook (see :func:`fill_sheet`)."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "花名册"
    fill_sheet(ws, rows, start_row=start_row, start_column=start_column)
    return workbook_bytes(book)


# --------------------------------------------------------------------------- the files


def roster_rows(n: int) -> list[list[object]]:
    return [HEADER, *(person(i) for i in range(n))]


def truncated_xlsx() -> bytes:
    """A real 20-row roster workbook cut in half: the zip's central directory is gone."""
    data = xlsx_bytes(roster_rows(20))
    return data[: len(data) // 2]


def _sheet_xml_parts() -> tuple[dict[str, bytes], bytes, bytes]:
    """The parts of a small real workbook, and its sheet XML split around the rows."""
    data = xlsx_bytes(roster_rows(1))
    src = zipfile.ZipFile(io.BytesIO(data))
    parts = {name: src.read(name) for name in src.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    head, tail = sheet.split(b"</sheetData>")
    return parts, head, b"</sheetData>" + tail


def write_zip_bomb(path: Path, mib: int, *, declared_size: int | None = None) -> Path:
    """An .xlsx whose sheet XML holds ``mib`` MiB of blanks between its rows, deflated in streaming chunks.

    Deflate packs a run of one byte about 1,000:1, so 300 MiB takes about 300 KB and 1,100 MiB about
    1.1 MB. With ``declared_size`` the zip headers lie: they claim the sheet expands to that many bytes.
    """
    parts, head, tail = _sheet_xml_parts()
    chunk = b" " * MiB
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in parts.items():
            member = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
            member.compress_type = zipfile.ZIP_DEFLATED
            if name != "xl/worksheets/sheet1.xml":
                archive.writestr(member, content)
                continue
            with archive.open(member, "w") as fh:
                fh.write(head)
                for _ in range(mib):
                    fh.write(chunk)
                fh.write(tail)
    if declared_size is not None:
        _declare_size(path, "xl/worksheets/sheet1.xml", declared_size)
    return path


def _declare_size(path: Path, name: str, size: int) -> None:
    """Overwrite the uncompressed size of member ``name`` in its local header and central directory."""
    raw = bytearray(path.read_bytes())
    info = zipfile.ZipFile(io.BytesIO(bytes(raw))).getinfo(name)
    assert raw[info.header_offset:info.header_offset + 4] == b"PK\x03\x04"
    struct.pack_into("<I", raw, info.header_offset + 22, size)
    encoded = name.encode()
    at = raw.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", raw, at + 28)[0]
        if raw[at + 46:at + 46 + length] == encoded:
            struct.pack_into("<I", raw, at + 24, size)
        at = raw.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(raw))


def binary_garbage() -> bytes:
    """Random bytes with NULs, named .csv."""
    data = bytearray(random.Random(SEED).randbytes(4096))
    data[0:2] = b"\x1f\x8b"  # starts like a gzip file, no spreadsheet magic
    data[100] = data[2000] = 0
    return bytes(data)


def binary_garbage_late_nul() -> bytes:
    """Random bytes whose first NUL comes after 8 KiB, so the NUL test does not see it."""
    rng = random.Random(SEED + 1)
    head = bytes(b for b in rng.randbytes(9000) if b)[:8192 + 100]
    return b"\x89PNG" + head + b"\x00" * 16 + rng.randbytes(2048)


def wide_16384_columns() -> bytes:
    """Every column Excel has (A to XFD) in the header row, a roster in the first five, three rows."""
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("wide")
    width = 16_384
    ws.append([*HEADER, *(f"c{i}" for i in range(len(HEADER) + 1, width + 1))])
    for i in range(3):
        ws.append([*person(i)[:4], None, *([None] * (width - len(HEADER) - 1)), f"end{i}"])
    return workbook_bytes(book)


def far_cell(column: int, row: int = 1_048_576, patch: Callable[[bytes], bytes] | None = None) -> Callable[[], bytes]:
    """A three-row roster plus one cell far away: a few KB on disk, ``column`` × ``row`` cells as a range.

    ``patch`` rewrites the sheet XML (the same far cell, spelt in another valid way).
    """

    def build() -> bytes:
        book = openpyxl.Workbook()
        ws = book.active
        fill_sheet(ws, roster_rows(2))
        ws.cell(row=row, column=column, value="end")
        return workbook_bytes(book, {"xl/worksheets/sheet1.xml": patch} if patch else None)

    return build


def _attributes_swapped(xml: bytes) -> bytes:
    """``<c t="inlineStr" r="XFD1048576">``: attribute order is free in XML."""
    new, count = re.subn(rb'<c r="([A-Z]+1048576)" t="inlineStr">', rb'<c t="inlineStr" r="\1">', xml)
    assert count == 1
    return new


def _references_left_out(xml: bytes) -> bytes:
    """Row 1048576 with 1,000 cells that carry no ``r`` reference (optional in OOXML: cells follow in order)."""
    cells = b'<c t="inlineStr"><is><t>x</t></is></c>' * 1_000
    new, count = re.subn(rb'<row r="1048576">.*?</row>', b'<row r="1048576">' + cells + b"</row>", xml)
    assert count == 1
    return new


def formula_rows() -> list[list[object]]:
    """Formulas as employer names and names of otherwise valid rows, and one as a hire date."""
    rows: list[list[object]] = [HEADER]
    for i, text in enumerate(FORMULAS):
        row = person(i)
        row[1] = text
        row[0] = FORMULAS[(i + 1) % len(FORMULAS)]
        rows.append(row)
    row = person(len(FORMULAS))
    row[3] = FORMULA_HIRE_DATE
    rows.append(row)
    return rows


def formula_xlsx() -> bytes:
    """The formula rows as text cells, and a last row whose name is a real formula cell with a cached value."""
    rows = formula_rows()
    rows.append(person(len(rows) - 1))
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "花名册"
    fill_sheet(ws, rows)
    ws.cell(row=len(rows), column=2, value="=" + REAL_FORMULA)  # a real formula: data_type 'f'
    ref = f"B{len(rows)}".encode()

    def cache(xml: bytes) -> bytes:
        # openpyxl writes no cached value; Excel does: <c r="B8" t="str"><f>...</f><v>click</v></c>
        # (an empty value is <v/> from openpyxl's own writer, <v></v> when it writes with lxml)
        new, count = re.subn(rb'<c r="' + ref + rb'"><f>(.*?)</f>(?:<v ?/>|<v></v>)',
                             rb'<c r="' + ref + rb'" t="str"><f>\1</f><v>' + REAL_FORMULA_CACHED.encode() + rb"</v>",
                             xml)
        assert count == 1, "the formula cell was not found"
        return new

    return workbook_bytes(book, {"xl/worksheets/sheet1.xml": cache})


def formula_csv() -> bytes:
    return csv_bytes(formula_rows())


def gbk_invalid_bytes() -> bytes:
    """A GBK roster with bytes that are neither UTF-8 nor GB18030 inside two names and an employer name."""
    lines = csv_bytes(roster_rows(6), "gbk").split(b"\r\n")
    lines[2] = lines[2].replace("王芳".encode("gbk"), "王".encode("gbk") + INVALID_GBK + "芳".encode("gbk"))
    lines[4] = lines[4].replace("刘洋".encode("gbk"), "刘洋".encode("gbk") + b"\xff")
    lines[5] = lines[5].replace(EMPLOYERS[0].encode("gbk"), b"\x80" + EMPLOYERS[0].encode("gbk"))
    data = b"\r\n".join(lines)
    for encoding in ("utf-8", "gb18030"):
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        raise AssertionError(f"gbk_invalid_bytes.csv decodes as {encoding}")
    return data


DUPLICATE_HEADER = ["姓名", "身份证号", "入职日期", "身份证号", "参保日期"]


def duplicate_rows() -> list[list[object]]:
    """Two 身份证号 columns: the first holds valid numbers, the second other text."""
    rows: list[list[object]] = [DUPLICATE_HEADER]
    for i in range(4):
        _, name, number, hire, reg = person(i)
        rows.append([name, number, hire, f"见附件{i + 1}", reg])
    return rows


TITLE_LINES = 49


def title_rows() -> list[list[object]]:
    """49 lines above the header: a title, notes (some with commas), blank lines, a lone field name."""
    rows: list[list[object]] = [["示例科技有限公司 2025年11月 员工社保登记花名册"],
                                ["制表日期：2025年11月20日", "制表人：人事部"]]
    for i in range(TITLE_LINES - len(rows)):
        if i % 6 == 0:
            rows.append([])
        elif i == 7:
            rows.append(["说明：", "姓名", "以身份证为准"])  # one field name alone is no header
        else:
            rows.append([f"注{i}：本表由人事部填写，请勿修改表头", "如有疑问请联系 12333"])
    assert len(rows) == TITLE_LINES
    return rows


def header_at_line_50_csv() -> bytes:
    return csv_bytes([*title_rows(), *roster_rows(5)])


def header_at_row_50_xlsx() -> bytes:
    """Title in rows 1-2, rows 3-49 empty (no cells at all), header on row 50 starting in column B."""
    rows: list[list[object]] = [*title_rows()[:2], *([[]] * (TITLE_LINES - 2)), *roster_rows(5)]
    return xlsx_bytes(rows, start_column=2)


def unrelated_columns() -> bytes:
    rows: list[list[object]] = [["产品", "数量", "单价", "备注"]]
    rows += [[f"商品{i}", i + 1, f"{9.5 * (i + 1):.2f}", ""] for i in range(5)]
    return csv_bytes(rows)


def xls_bytes(rows: list[list[object]]) -> bytes:
    """Rows as a legacy .xls workbook (BIFF8 in an OLE2 compound file); xlwt writes no timestamps."""
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("花名册")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                ws.write(r, c, value, date_style)
            elif value is not None:
                ws.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def truncated_xls() -> bytes:
    """A real 20-row .xls cut 3/4 of the way: the last sectors of the compound file are missing."""
    data = xls_bytes(roster_rows(20))
    return data[: len(data) * 3 // 4]


def cyclic_fat_xls() -> bytes:
    """A real .xls whose directory sector chain points back to itself (an endless chain in the FAT)."""
    data = bytearray(xls_bytes(roster_rows(5)))
    sector = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    first_fat = struct.unpack_from("<I", data, 0x4C)[0]  # first entry of the header's DIFAT
    directory = struct.unpack_from("<I", data, 0x30)[0]
    struct.pack_into("<I", data, 512 + first_fat * sector + 4 * directory, directory)
    return bytes(data)


def zip_version_99() -> bytes:
    """A valid roster .xlsx whose central directory says its members need zip version 9.9 to extract."""
    data = bytearray(xlsx_bytes(roster_rows(3)))
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        struct.pack_into("<H", data, at + 6, 99)
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def short_rows() -> bytes:
    """A roster nobody is registered in yet, whose rows leave out the empty last field (and its comma)."""
    rows = [[*person(i)[:4], None] for i in range(4)]
    text = csv_bytes([HEADER, *rows]).decode()
    return "\r\n".join(line.rstrip(",") for line in text.split("\r\n")).encode()


def not_a_workbook() -> bytes:
    """A well-formed zip with no workbook in it (an exported folder renamed .xlsx)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        member = zipfile.ZipInfo("readme.txt", date_time=FIXED_TIME.timetuple()[:6])
        archive.writestr(member, "这不是工作簿 / not a workbook\n" * 20)
    return out.getvalue()


def fake_ole() -> bytes:
    """The OLE2 magic of an .xls followed by garbage."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + random.Random(SEED + 2).randbytes(4088)


def unbalanced_quote() -> bytes:
    """A CSV whose third data row opens a quote that never closes (a name typed as "李四)."""
    lines = csv_bytes(roster_rows(5)).split(b"\r\n")
    lines[3] = b'"' + lines[3]
    return b"\r\n".join(lines)


def footer_wider_than_header() -> bytes:
    """A roster with a total line below it that has more fields than the header (合计 in a sixth column)."""
    return csv_bytes([*roster_rows(3), ["合计", None, None, None, None, "3人"]])


JUNK_HEADER = [*HEADER, "备注"]


def junk_only_rows() -> list[list[object]]:
    """A roster with a 备注 (remarks) column; two rows hold only a remark, the second one is the last row."""
    rows: list[list[object]] = [JUNK_HEADER]
    rows += [[*person(0), None], [None, None, None, None, None, "离职待补"], [*person(1), None]]
    rows += [[None, None, None, None, None, "以上共2人"]]
    return rows


# --------------------------------------------------------------------------- workbooks written part by part

_MAIN_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL_NS = b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_PKG_RELS = b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"'
_DOC_REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_CT = b"application/vnd.openxmlformats-officedocument.spreadsheetml."


def _xml_text(text: str) -> bytes:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").encode()


def shared_cells(row: int, indices: list[int], first_column: int = 1) -> bytes:
    """One ``<row>`` whose cells show the shared strings ``indices``, from ``first_column`` on."""
    cells = b"".join(b'<c r="%s%d" t="s"><v>%d</v></c>' % (get_column_letter(first_column + i).encode(), row, index)
                     for i, index in enumerate(indices))
    return b'<row r="%d">%s</row>' % (row, cells)


def package_xlsx(sheets: list[tuple[str, bytes]], shared: list[str], *, sheet_paths: list[str] | None = None,
                 sst: bytes | None = None) -> bytes:
    """A workbook written part by part, as Excel lays one out (shared strings in ``xl/sharedStrings.xml``;
    openpyxl writes inline strings only): ``sheets`` are (name, the rows inside ``<sheetData>``).

    ``sheet_paths`` puts the sheets' parts elsewhere (the relationships say where; a path may repeat, so
    that two sheets read one part); ``sst`` replaces the shared-strings part as written.
    """
    paths = sheet_paths or [f"xl/worksheets/sheet{i}.xml" for i in range(1, len(sheets) + 1)]
    content = [b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
               b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">',
               b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
               b'<Default Extension="xml" ContentType="application/xml"/>',
               b'<Override PartName="/xl/workbook.xml" ContentType="' + _CT + b'sheet.main+xml"/>',
               b'<Override PartName="/xl/sharedStrings.xml" ContentType="' + _CT + b'sharedStrings+xml"/>']
    book = [b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook ' + _MAIN_NS + b" " + _REL_NS
            + b"><sheets>"]
    rels = [b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships ' + _PKG_RELS + b">"]
    parts: dict[str, bytes] = {}
    for i, ((name, rows), path) in enumerate(zip(sheets, paths, strict=True), start=1):
        if path not in parts:
            content.append(b'<Override PartName="/%s" ContentType="%sworksheet+xml"/>' % (path.encode(), _CT))
        book.append(b'<sheet name="%s" sheetId="%d" r:id="rId%d"/>' % (_xml_text(name), i, i))
        target = path[3:] if path.startswith("xl/") else "/" + path
        rels.append(b'<Relationship Id="rId%d" Type="%sworksheet" Target="%s"/>' % (i, _DOC_REL, target.encode()))
        parts[path] = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet ' + _MAIN_NS
                       + b"><sheetData>" + rows + b"</sheetData></worksheet>")
    rels.append(b'<Relationship Id="rId%d" Type="%ssharedStrings" Target="sharedStrings.xml"/>'
                % (len(sheets) + 1, _DOC_REL))
    if sst is None:
        sst = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst ' + _MAIN_NS
               + b' count="%d" uniqueCount="%d">' % (len(shared), len(shared))
               + b"".join(b"<si><t>" + _xml_text(text) + b"</t></si>" for text in shared) + b"</sst>")
    members = {"[Content_Types].xml": b"".join(content) + b"</Types>",
               "_rels/.rels": b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships ' + _PKG_RELS
               + b'><Relationship Id="rId1" Type="' + _DOC_REL + b'officeDocument" Target="xl/workbook.xml"/>'
               b"</Relationships>",
               "xl/workbook.xml": b"".join(book) + b"</sheets></workbook>",
               "xl/_rels/workbook.xml.rels": b"".join(rels) + b"</Relationships>",
               **parts, "xl/sharedStrings.xml": sst}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            member = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
            member.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(member, data)
    return out.getvalue()


SHARED_HEADER = ["姓名", "身份证号", "入职日期"]


CJK = "".join(map(chr, range(0x4E00, 0x9FA6)))  # the unified ideographs of GB 13000


def random_text(chars: int, seed: int = SEED, alphabet: str = string.ascii_letters) -> str:
    """Random characters, which deflate no better than their entropy allows (letters about 4:3, CJK about
    7:4 from UTF-8), so a long text is nearly as large in the zip as it claims."""
    rng = random.Random(seed)
    return "".join(rng.choices(alphabet, k=chars))


def shared_string_workbook(chars: int, rows: int, columns: int, alphabet: str = string.ascii_letters) -> bytes:
    """A roster header, then ``rows`` × ``columns`` cells that all show one shared string of ``chars`` characters:
    the string is stored once, and a reader that copies it into every cell holds it ``rows × columns`` times."""
    body = shared_cells(1, [0, 1, 2])
    body += b"".join(shared_cells(r, [3] * columns) for r in range(2, rows + 2))
    return package_xlsx([("花名册", body)], [*SHARED_HEADER, random_text(chars, alphabet=alphabet)])


def write_shared_string_bomb(path: Path, chars: int = 1_000_000, cells: int = 2_000) -> Path:
    """Finding 5 of issue 20: a ~2 MB workbook whose ``cells`` cells all show one shared string of ``chars`` CJK
    characters (within the zip and size limits; read as it was, ~6 GB of text)."""
    path.write_bytes(shared_string_workbook(chars, cells // 2, 2, CJK))
    return path


def many_sheets_xlsx(count: int) -> bytes:
    """``count`` sheets, each a roster header and one employee (finding 7 of issue 20: a check per sheet)."""
    sheets = []
    for i in range(count):
        shared_at = 3 + 2 * i
        sheets.append((f"第{i + 1}页", shared_cells(1, [0, 1, 2]) + shared_cells(2, [shared_at, shared_at + 1])))
    shared = [*SHARED_HEADER]
    for i in range(count):
        shared += [NAMES[i % len(NAMES)], id_number(i)]
    return package_xlsx(sheets, shared)


def many_sheets_xls(count: int) -> bytes:
    """The .xls form: ``count`` sheets of a header and one employee."""
    book = xlwt.Workbook(encoding="utf-8")
    for i in range(count):
        ws = book.add_sheet(f"第{i + 1}页")
        for c, value in enumerate([*SHARED_HEADER]):
            ws.write(0, c, value)
        ws.write(1, 0, NAMES[i % len(NAMES)])
        ws.write(1, 1, id_number(i))
        ws.write(1, 2, "2025-01-06")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheet_outside_worksheets() -> bytes:
    """A two-row roster and one cell at XFD1048576, its sheet stored as ``xl/sheets/roster.xml`` (the relationships
    may name any part; a scan of ``xl/worksheets/`` alone does not see it)."""
    rows = shared_cells(1, [0, 1, 2]) + shared_cells(2, [3, 4])
    rows += b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>end</t></is></c></row>'
    return package_xlsx([("花名册", rows)], [*SHARED_HEADER, NAMES[0], id_number(0)],
                        sheet_paths=["xl/sheets/roster.xml"])


def two_sheets_one_part() -> bytes:
    """Two sheets whose relationships name the same part: a reader reads it twice (never written by Excel)."""
    rows = shared_cells(1, [0, 1, 2]) + shared_cells(2, [3, 4])
    return package_xlsx([("一", rows), ("二", rows)], [*SHARED_HEADER, NAMES[0], id_number(0)],
                        sheet_paths=["xl/worksheets/sheet1.xml", "xl/worksheets/sheet1.xml"])


def shared_strings_with_comment(chars: int) -> bytes:
    """A 40,000-letter shared string in a table that holds an XML comment: legal, never written by Excel, and
    enough to make a fast byte scan unsure where strings start (the file is read in the capped child)."""
    texts = [*SHARED_HEADER, NAMES[0], random_text(chars, SEED + 3)]
    sst = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst ' + _MAIN_NS + b"><!-- <si> -->"
           + b"".join(b"<si><t>" + _xml_text(t) + b"</t></si>" for t in texts) + b"</sst>")
    rows = shared_cells(1, [0, 1, 2]) + shared_cells(2, [3, 4])
    return package_xlsx([("花名册", rows)], texts, sst=sst)


QUOTE_SWALLOWED_LINES = 700


def quote_swallows_lines() -> bytes:
    """A CSV whose 2nd data row opens a quote (a name typed as "王芳) that a quote 700 lines below closes: one field
    of 35,469 characters swallows those lines, and their employees with it."""
    rows = roster_rows(QUOTE_SWALLOWED_LINES + 5)
    lines = csv_bytes(rows).split(b"\r\n")
    lines[2] = lines[2].replace(NAMES[1].encode(), b'"' + NAMES[1].encode(), 1)
    lines[2 + QUOTE_SWALLOWED_LINES] = lines[2 + QUOTE_SWALLOWED_LINES].replace(b",", b'",', 1)
    return b"\r\n".join(lines)


@dataclass(frozen=True)
class Entry:
    """One corpus file: how it is written, what it is, what a reader must do with it."""

    write: Callable[[Path], object]
    what: str
    expect: str


def data(build: Callable[[], bytes]) -> Callable[[Path], object]:
    return lambda path: path.write_bytes(build())


ZIP_BOMB_MIB = 300
LYING_MIB, LYING_DECLARED = 20, 40_000
CORPUS: dict[str, Entry] = {
    "truncated.xlsx": Entry(data(truncated_xlsx), "a real 20-row workbook cut in half",
                            "refused: damaged or truncated"),
    "zip_bomb.xlsx": Entry(lambda p: write_zip_bomb(p, ZIP_BOMB_MIB),
                           f"sheet XML of {ZIP_BOMB_MIB} MiB of blanks deflated to ~300 KB (ratio ~1,000)",
                           "refused before expanding: looks like a zip bomb"),
    "zip_bomb_lying_sizes.xlsx": Entry(lambda p: write_zip_bomb(p, LYING_MIB, declared_size=LYING_DECLARED),
                                       f"{LYING_MIB} MiB sheet XML whose zip headers claim {LYING_DECLARED:,} bytes",
                                       "refused: the sheet is larger than its declared size"),
    "binary_garbage.csv": Entry(data(binary_garbage), "4 KiB of random bytes with NULs", "refused: binary content"),
    "binary_garbage_late_nul.csv": Entry(data(binary_garbage_late_nul), "random bytes, first NUL after 8 KiB",
                                         "refused: no header row"),
    "wide_16384_columns.xlsx": Entry(data(wide_16384_columns), "columns A to XFD, three rows",
                                     "refused: 16,384 columns, the limit is 1,000"),
    "far_cell_xfd1048576.xlsx": Entry(data(far_cell(16_384)), "a 2-row roster and one cell at XFD1048576",
                                      "refused by the limits, in bounded memory"),
    "far_cell_all1048576.xlsx": Entry(data(far_cell(1_000)), "a 2-row roster and one cell at ALL1048576 (column 1,000)",
                                      "refused by the limits (10^9 cells), in bounded memory"),
    "far_cell_attr_order.xlsx": Entry(data(far_cell(16_384, patch=_attributes_swapped)),
                                      "the XFD1048576 cell written <c t=... r=...> (attributes swapped)",
                                      "refused by the limits, in bounded memory"),
    "far_cell_no_refs.xlsx": Entry(data(far_cell(1, patch=_references_left_out)),
                                   "row 1048576 holding 1,000 cells without cell references",
                                   "refused by the limits, in bounded memory"),
    "formula_roster.xlsx": Entry(data(formula_xlsx), "formulas as names/employers (text cells), one real formula cell",
                                 "7 rows read; reports show the formulas as text with a leading apostrophe"),
    "formula_roster.csv": Entry(data(lambda: csv_bytes(formula_rows())), "the same formulas in a CSV",
                                "6 rows read; reports escape them"),
    "gbk_invalid_bytes.csv": Entry(data(gbk_invalid_bytes), "GBK text with bytes invalid in UTF-8 and GB18030",
                                   "6 rows read, bad bytes shown as U+FFFD, a note"),
    "duplicate_headers.xlsx": Entry(data(lambda: xlsx_bytes(duplicate_rows())), "two 身份证号 columns",
                                    "4 rows read, the first column used, a note"),
    "duplicate_headers.csv": Entry(data(lambda: csv_bytes(duplicate_rows())), "two 身份证号 columns",
                                   "4 rows read, the first column used, a note"),
    "header_at_line_50.csv": Entry(data(header_at_line_50_csv), "49 title/note lines, header on line 50",
                                   "5 rows read, the first is row 51"),
    "header_at_row_50.xlsx": Entry(data(header_at_row_50_xlsx), "title, 47 empty rows, header on row 50 from column B",
                                   "5 rows read, the first is row 51"),
    "empty.csv": Entry(data(lambda: b""), "0 bytes", "refused: empty"),
    "empty.xlsx": Entry(data(lambda: b""), "0 bytes", "refused: empty"),
    "unrelated_columns.csv": Entry(data(unrelated_columns), "a product list (产品, 数量, 单价, 备注)",
                                   "refused: no header row"),
    "truncated.xls": Entry(data(truncated_xls), "a real 20-row .xls cut at 3/4 of its length",
                           "refused: damaged"),
    "cyclic_fat.xls": Entry(data(cyclic_fat_xls), "a real .xls whose directory sector chain loops on itself",
                            "refused in bounded memory"),
    "zip_version_99.xlsx": Entry(data(zip_version_99), "a roster .xlsx claiming zip version 9.9 is needed",
                                 "refused: damaged"),
    "short_rows.csv": Entry(data(short_rows), "header of 5 columns, rows without their empty last field",
                            "4 rows read"),
    "footer_wider_than_header.csv": Entry(data(footer_wider_than_header), "a 合计 line with one field more than "
                                          "the header", "4 rows read (the total line is a row)"),
    "not_a_workbook.xlsx": Entry(data(not_a_workbook), "a zip holding only readme.txt", "refused: cannot be opened"),
    "fake_ole.xls": Entry(data(fake_ole), "the .xls magic number, then garbage", "refused: cannot be opened"),
    "unbalanced_quote.csv": Entry(data(unbalanced_quote), "a quote opened in row 4 and never closed",
                                  "refused: a quote is never closed, naming its line"),
    "junk_only_rows.csv": Entry(data(lambda: csv_bytes(junk_only_rows())), "rows holding only a remark, one last",
                                "the same 4 rows as the .xlsx (none called blank, none dropped)"),
    "junk_only_rows.xlsx": Entry(data(lambda: xlsx_bytes(junk_only_rows())), "rows holding only a remark",
                                 "4 rows read"),
    "shared_string_40000_chars.xlsx": Entry(data(lambda: shared_string_workbook(40_000, 5, 10)),
                                            "one 40,000-letter shared string shown by 50 cells",
                                            "refused before the strings are read: over 32,767 characters per cell"),
    "shared_string_repeated.xlsx": Entry(data(lambda: shared_string_workbook(32_767, 57, 300)),
                                         "one 32,767-letter shared string shown by 17,100 cells (560 MB of text)",
                                         "refused before the strings are read: the text adds up past the limit"),
    "shared_strings_with_comment.xlsx": Entry(data(lambda: shared_strings_with_comment(40_000)),
                                              "a 40,000-letter shared string in a table that holds an XML comment",
                                              "refused (read in the capped child): over 32,767 characters per cell"),
    "many_sheets_100.xlsx": Entry(data(lambda: many_sheets_xlsx(100)), "100 sheets of a header and one employee",
                                  "refused before any sheet is read: the limit is 32 sheets"),
    "many_sheets_100.xls": Entry(data(lambda: many_sheets_xls(100)), "the same 100 sheets as an .xls",
                                 "refused before any sheet is checked: the limit is 32 sheets"),
    "sheet_outside_worksheets.xlsx": Entry(data(sheet_outside_worksheets),
                                           "a cell at XFD1048576 in a sheet stored as xl/sheets/roster.xml",
                                           "refused by the limits, in bounded memory"),
    "two_sheets_one_part.xlsx": Entry(data(two_sheets_one_part), "two sheets whose relationships name one part",
                                      "refused: a crafted workbook"),
    "quote_swallows_lines.csv": Entry(data(quote_swallows_lines), f"a quote opened in row 3 and closed "
                                      f"{QUOTE_SWALLOWED_LINES} lines below (one field of 35,469 characters)",
                                      "refused, naming the row and column of the over-long cell"),
}


def build(out: Path) -> dict[str, int]:
    """Write every file of the corpus and its README into ``out``; file name -> size in bytes."""
    out.mkdir(parents=True, exist_ok=True)
    for name, entry in CORPUS.items():
        entry.write(out / name)
    sizes = {name: (out / name).stat().st_size for name in CORPUS}
    lines = ["# Hostile and broken roster files", "",
             "Written by `scripts/make_bad_corpus.py` (deterministic: run it again, same bytes); checked by",
             "`tests/test_bad_input.py`. Do not open these with a desktop spreadsheet program: some are built",
             "to exhaust memory. Synthetic data only.", "",
             "| file | bytes | what it is | what the reader must do |", "|---|---:|---|---|"]
    lines += [f"| `{name}` | {sizes[name]:,} | {e.what} | {e.expect} |" for name, e in CORPUS.items()]
    lines += ["", "Made by the tests in a temporary folder (too big to commit): a CSV over the 150 MB limit, a",
              "CSV with more lines than the row limit, a zip bomb expanding to more than 1 GiB, a CSV whose",
              "title line is one field of 200,000 characters, a 2 MB workbook whose 2,000 cells show one",
              "1,000,000-letter shared string.", ""]
    (out / "README.md").write_text("\n".join(lines), encoding="utf-8")
    return sizes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder to write (default {OUT})")
    args = parser.parse_args(argv)
    sizes = build(args.out)
    for name, size in sizes.items():
        print(f"{size:>10,}  {name}")
    print(f"{sum(sizes.values()):>10,}  total in {args.out}")


if __name__ == "__main__":
    main()
