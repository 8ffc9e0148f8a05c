"""Generate the synthetic sample rosters in ``sample_uploads/`` and what the checker must find in them.

Run from anywhere with the project's Python::

    python scripts/make_samples.py

It writes four rosters (``hr_roster_2025.xlsx``, ``agency_extract_gbk.csv``, ``english_roster.csv``,
``legacy_roster.xls``), ``expected.json`` and ``README.md``. Everything is deterministic: fixed seeds
for ``random`` and Faker, fixed workbook timestamps, so a re-run rewrites identical files.

The expected figures are computed here, from the generator's own dates, with its own arithmetic
(``chinese_calendar.is_workday`` for the deadline, shared/README.md sections 2-4 and 10), never by
calling the ``compliance`` package: they are an independent answer key for ``tests/test_samples.py``.
The vocabularies of section 10 (employment types, document types, card status words) are copied
here from shared/README.md, not imported from the engine.
All people and companies are synthetic (Faker zh_CN); ID check characters follow GB 11643-1999.

The rows of section 10 (documents other than the resident ID, work permits, exempt kinds of
employment, the agency's card words, under-16 hires, separators in ID numbers) are appended after
the original rows of each file, drawn after them from the same seeds: the original rows, their row
numbers and their values stay as they were. The agency extract is left unchanged (the registry
sample, ``scripts/make_registry_sample.py``, is made from it).
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar
import openpyxl
import xlwt
from faker import Faker
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from stdnum.cn import ric, uscc

AS_OF = date(2025, 11, 20)
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "sample_uploads"
STATUSES = ("on_time", "late", "overdue", "pending", "invalid", "exempt")
REGIONS = ("110101", "110105", "310104", "440305", "330106", "510107")
BANKS = ("中国工商银行", "中国建设银行", "中国银行", "中国农业银行")
EXCEL_EPOCH = date(1899, 12, 30)
FIXED_TIME = datetime(2025, 11, 18, 9, 0, 0)

# shared/README.md section 10, copied (not imported from the engine): what a roster cell means.
EMPLOYMENT_CODES = {  # value -> code; blank is full_time
    "全日制": "full_time", "劳动合同": "full_time", "full-time": "full_time",
    "非全日制": "part_time", "part-time": "part_time",
    "退休返聘": "retired", "返聘": "retired", "retired": "retired",
    "实习": "intern", "实习生": "intern", "intern": "intern",
    "劳务派遣": "dispatched", "派遣": "dispatched", "dispatched": "dispatched",
    "劳务": "service", "劳务关系": "service", "service": "service",
}
EXEMPT_KINDS = ("retired", "intern", "dispatched", "service")  # no Art. 58 duty for this employer
EXEMPT_TEXT = {
    "retired": "re-employed retiree (退休返聘): no Art. 58 duty",
    "intern": "student intern (实习生): no employment relation",
    "dispatched": "dispatched worker (劳务派遣): the dispatching agency registers",
    "service": "service contract (劳务): no employment relation",
}
DOCUMENT_KINDS = {  # 证件类型 -> id_kind; blank or 居民身份证 = a GB 11643 number, kind read from it
    "护照": "passport", "passport": "passport",
    "港澳居民来往内地通行证": "travel_permit", "台湾居民来往大陆通行证": "travel_permit",
}
CARD_CODES = {  # the agency's own words -> card_status code; anything else is "unknown"
    "未申领": "not_applied",
    "制卡中": "in_production", "申领中": "in_production",
    "已发放未激活": "issued_not_activated", "待激活": "issued_not_activated", "未激活": "issued_not_activated",
    "领卡未激活": "issued_not_activated", "未启用": "issued_not_activated", "封存": "issued_not_activated",
    "已激活": "activated", "已启用": "activated", "正常": "activated",
    "挂失": "lost", "临时挂失": "lost", "正式挂失": "lost", "书面挂失": "lost", "口头挂失": "lost",
    "注销": "cancelled",
}
MINIMUM_AGE = 16  # Labour Law Art. 15


# --------------------------------------------------------------------------- numbers and dates


def id_check(first17: str) -> str:
    """GB 11643-1999 check character of the first 17 characters, by python-stdnum: the answer key
    stays independent of compliance.ids, the code it checks."""
    return ric.calc_check_digit(first17 + "?")  # stdnum's function skips the number's last character


def make_id(prefix6: str, birth: str, seq: int) -> str:
    """18-character number from a 6-character prefix, a YYYYMMDD birth date and a 3-digit sequence."""
    first17 = f"{prefix6}{birth}{seq:03d}"
    return first17 + id_check(first17)


def upgrade_15(old: str) -> str:
    """First-generation 15-digit number to 18 digits: insert 19 before the year, add the check."""
    first17 = old[:6] + "19" + old[6:]
    return first17 + id_check(first17)


def make_uscc(rng: random.Random, region: str) -> str:
    """A valid unified social credit code: 9 1 + region + organisation code (GB 11714) + check."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    org_sum = sum(int(c) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    org_check = {10: "X", 11: "0"}.get(11 - org_sum % 11, str(11 - org_sum % 11))
    first17 = f"91{region}{body}{org_check}"
    return first17 + uscc.calc_check_digit(first17)


def deadline(hire: date) -> date:
    """hire + 30 days, moved to the next working day of China's calendar (adjusted workdays count)."""
    day = hire + timedelta(days=30)
    while not chinese_calendar.is_workday(day):
        day += timedelta(days=1)
    return day


def rand_date(rng: random.Random, start: date, end: date) -> date:
    """A uniformly chosen day in [start, end]."""
    return start + timedelta(days=rng.randint(0, (end - start).days))


def to_fullwidth(text: str) -> str:
    """ASCII digits to full-width digits (U+FF10..U+FF19)."""
    return text.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})


def gbk_ok(text: str) -> bool:
    """Whether text survives a GBK export."""
    try:
        text.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


def cn_date(d: date) -> str:
    """2025年3月5日."""
    return f"{d.year}年{d.month}月{d.day}日"


def slash_date(d: date) -> str:
    """2025/3/5."""
    return f"{d.year}/{d.month}/{d.day}"


# --------------------------------------------------------------------------- people


@dataclass
class Person:
    """One roster row as generated, and what the checker must conclude about it."""

    name: str
    id_text: str  # as written to the file
    ssn: str | None  # normalised 18-character number the checker must derive; None = invalid ID
    hire: date | None
    reg: date | None
    id_problem: str | None = None  # kind of ID problem the checker must report
    id_kind: str = "resident"
    hire_raw: str | None = None  # unreadable text written instead of the hire date
    reg_raw: str | None = None  # unreadable text written instead of the registration date
    id_as_number: float | None = None  # xlsx only: the ID stored as a number cell
    employer_id: str = ""
    employer_name: str = ""
    card_status: str = "未申领"
    card_bank: str = ""
    activation: date | None = None
    wage: int = 0
    id_type: str = ""  # 证件类型 / id_type as written (blank: resident ID)
    employment: str = ""  # 用工形式 / employment_type as written (blank: full-time)
    permit: date | None = None  # 工作许可日期 / work_permit_date
    note: str = ""  # why this row is worth a look (README)
    source_row: int = 0
    expected: dict[str, Any] = field(default_factory=dict)


def employment_code(text: str) -> str | None:
    """Section 10 code of an employment type cell: blank is full_time, an unknown value None."""
    text = text.strip()
    return "full_time" if not text else EMPLOYMENT_CODES.get(text.lower())


def start_date(p: Person) -> date | None:
    """Where the 30 days count from: the work permit when later than the hire date (MOHRSS Order 16 Art. 4)."""
    if p.hire is not None and p.permit is not None and p.permit > p.hire:
        return p.permit
    return p.hire


def age_on(birth: date, day: date) -> int:
    """Completed years of age on a day."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def birth_of(p: Person) -> date | None:
    """Birth date read from the number the checker must derive (none for passports, bad IDs)."""
    if p.ssn is None or p.id_kind not in ("resident", "hkmo_tw_permit", "foreign_permanent"):
        return None
    return date(int(p.ssn[6:10]), int(p.ssn[10:12]), int(p.ssn[12:14]))


def judge(p: Person) -> dict[str, Any]:
    """Status as of AS_OF by shared/README.md sections 3 and 10, computed independently of the engine."""
    if employment_code(p.employment) in EXEMPT_KINDS:
        return {"status": "exempt", "deadline": None, "days_late": None, "days_left": None}
    if p.hire is None or p.hire_raw is not None:
        return {"status": "invalid", "deadline": None, "days_late": None, "days_left": None}
    dl = deadline(start_date(p))
    if p.reg_raw is not None:  # the deadline is known, the registration is not
        return {"status": "invalid", "deadline": dl.isoformat(), "days_late": None, "days_left": None}
    out: dict[str, Any] = {"deadline": dl.isoformat(), "days_late": None, "days_left": None}
    if p.reg is not None and p.reg <= AS_OF:
        late = (p.reg - dl).days
        out["status"] = "late" if late > 0 else "on_time"
        out["days_late"] = late if late > 0 else None
    elif dl < AS_OF:
        out["status"], out["days_late"] = "overdue", (AS_OF - dl).days
    else:
        out["status"], out["days_left"] = "pending", (dl - AS_OF).days
    return out


class Factory:
    """Names, ID numbers and dates for one file, from one seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.names: set[str] = set()
        self.ids: set[str] = set()

    def name(self) -> str:
        """A Faker name not yet used in this file and encodable in GBK."""
        while True:
            n = self.fake.name()
            if n not in self.names and gbk_ok(n):
                self.names.add(n)
                return n

    def company(self) -> str:
        """A Faker company name encodable in GBK."""
        while True:
            c = self.fake.company()
            if gbk_ok(c):
                return c

    def birth(self) -> date:
        """A birth date between 1965 and 2004."""
        return rand_date(self.rng, date(1965, 1, 1), date(2004, 12, 31))

    def resident_id(self, *, want_x: bool = False, want_digit: bool = False) -> str:
        """A fresh valid resident ID; optionally one whose check character is X (or a digit)."""
        while True:
            num = make_id(self.rng.choice(REGIONS), self.birth().strftime("%Y%m%d"), self.rng.randint(1, 999))
            if (want_x and num[-1] != "X") or (want_digit and num[-1] == "X") or num in self.ids:
                continue
            self.ids.add(num)
            return num

    def dates(self, kind: str, earliest: date = date(2024, 6, 1)) -> tuple[date, date | None]:
        """Hire and registration dates that give status ``kind`` as of AS_OF."""
        rng = self.rng
        if kind == "on_time":
            hire = rand_date(rng, earliest, date(2025, 10, 15))
            dl = deadline(hire)
            reg = hire + timedelta(days=rng.choice([0, 1, 3, 7, 10, 14, 20, 25, (dl - hire).days]))
            return hire, min(reg, AS_OF)
        if kind == "late":
            hire = rand_date(rng, earliest, date(2025, 9, 15))
            reg = deadline(hire) + timedelta(days=rng.randint(1, 75))
            return hire, min(reg, AS_OF)
        if kind == "overdue":
            return rand_date(rng, max(earliest, date(2024, 9, 1)), date(2025, 9, 30)), None
        if kind == "pending":
            return rand_date(rng, date(2025, 10, 22), date(2025, 11, 19)), None
        raise ValueError(kind)

    def card_and_wage(self, p: Person) -> None:
        """Card status, bank, activation date and wage consistent with the registration date."""
        rng = self.rng
        p.wage = rng.randrange(4500, 32000, 100)
        if p.reg is None or p.reg > AS_OF or p.reg_raw is not None:
            p.card_status, p.card_bank, p.activation = "未申领", "", None
            return
        p.card_bank = rng.choice(BANKS)
        if (AS_OF - p.reg).days < 25:
            p.card_status = "制卡中"
            return
        p.card_status = rng.choices(["已发放未激活", "已激活", "挂失", "注销"], weights=[3, 10, 1, 1])[0]
        if p.card_status != "已发放未激活":
            p.activation = min(p.reg + timedelta(days=rng.randint(20, 60)), AS_OF)


def person(f: Factory, kind: str, **kw: Any) -> Person:
    """A person with fresh name, valid resident ID and dates for status ``kind``."""
    num = f.resident_id()
    hire, reg = f.dates(kind)
    p = Person(name=f.name(), id_text=num, ssn=num, hire=hire, reg=reg)
    for k, v in kw.items():
        setattr(p, k, v)
    return p


def finish(f: Factory, people: list[Person]) -> None:
    """Fill card fields and wages, and attach the expected judgement to every person."""
    for p in people:
        f.card_and_wage(p)
        p.expected = judge(p)


def finish_extra(f: Factory, people: list[Person]) -> None:
    """For the section 10 rows, whose card words are chosen by hand: bank, activation date and wage
    consistent with the card word, and the expected judgement."""
    rng = f.rng
    for p in people:
        p.wage = rng.randrange(4500, 32000, 100)
        code = CARD_CODES.get(p.card_status, "unknown")
        p.card_bank = "" if code in ("not_applied", "unknown") else rng.choice(BANKS)
        p.activation = None
        if code in ("activated", "lost", "cancelled") and p.reg is not None and p.reg <= AS_OF:
            p.activation = min(p.reg + timedelta(days=rng.randint(20, 40)), AS_OF)
        p.expected = judge(p)


def passport_number(rng: random.Random, first: str) -> str:
    """A synthetic passport number: one letter and eight digits."""
    return first + "".join(rng.choice("0123456789") for _ in range(8))


def permit_note(p: Person) -> str:
    """What the work permit changes for this row, worked out from the dates (README)."""
    assert p.hire is not None and p.permit is not None and p.permit > p.hire
    by_hire, by_permit = deadline(p.hire), deadline(p.permit)
    if p.reg is not None and p.reg <= AS_OF:
        late_by_hire = (p.reg - by_hire).days
        return (f"work permit {p.permit} later than hire {p.hire}: the 30 days count from the permit, deadline "
                f"{by_permit} (from the hire date it would be {by_hire}, registration {p.reg} "
                f"{late_by_hire} days late)")
    return (f"work permit {p.permit} later than hire {p.hire}: the 30 days count from the permit, deadline "
            f"{by_permit} (from the hire date: {by_hire}, {(AS_OF - by_hire).days} days overdue)")


# --------------------------------------------------------------------------- 1. hr_roster_2025.xlsx


def build_hr(f: Factory) -> tuple[list[Person], str, str]:
    """40 employees of one employer; ID and date quirks at fixed positions."""
    employer_name = f.company()
    employer_id = make_uscc(f.rng, "110105")
    kinds = ["on_time"] * 18 + ["late"] * 5 + ["overdue"] * 5 + ["pending"] * 5
    f.rng.shuffle(kinds)
    people = [person(f, k) for k in kinds]
    # Fixed edge cases, placed between the random rows.
    edges = [
        (3, person(f, "on_time", hire=date(2025, 9, 1), reg=date(2025, 10, 9),
                   note="hire+30 = 2025-10-01 (National Day) -> deadline 2025-10-09; registered on it")),
        (9, person(f, "late", hire=date(2025, 8, 29), reg=date(2025, 9, 29),
                   note="hire+30 = Sun 2025-09-28, an adjusted working day -> deadline stays; 1 day late")),
        (16, person(f, "pending", hire=date(2025, 10, 21), reg=None,
                    note="deadline 2025-11-20 = as-of date: pending, days_left 0")),
        (24, person(f, "overdue", hire=date(2025, 10, 20), reg=None,
                    note="deadline 2025-11-19: overdue by 1 day")),
        (28, person(f, "on_time", hire_raw="待定", hire=None, note="hire date '待定' unreadable: invalid")),
        (34, person(f, "on_time", reg_raw="不详", note="registration date '不详' unreadable: invalid")),
        (37, person(f, "late")),
    ]
    for pos, p in edges:
        people.insert(pos, p)
    assert len(people) == 40
    # ID quirks (positions chosen so that none falls on an edge-case row above).
    # The 15-digit number: 110105 680315 123 -> 110105 19680315 123 + check 3 (worked out in the test).
    p = people[2]
    p.id_text, p.ssn = "110105680315123", upgrade_15("110105680315123")
    p.note = "15-digit first-generation number: valid, SSN 110105196803151233"
    p = people[7]  # digits lost: Excel keeps 15 significant digits of 110105199003071234
    p.id_text, p.ssn, p.id_as_number = "", None, 1.10105199003071e17
    p.id_problem, p.note = "excel_scientific", "ID stored as a NUMBER cell 1.10105199003071E+17: digits lost"
    p = people[13]
    good = p.id_text
    bad = "0123456789X"[("0123456789X".index(good[-1]) + 1) % 11]
    p.id_text, p.ssn, p.id_problem = good[:17] + bad, None, "checksum"
    p.note = f"wrong check character {bad} (should be {good[-1]})"
    p = people[21]
    num = f.resident_id(want_x=True)
    p.id_text, p.ssn, p.note = num.lower(), num, "check character written as lowercase x: valid"
    p = people[30]
    num = f.resident_id(want_digit=True)
    p.id_text, p.ssn, p.note = to_fullwidth(num), num, "ID in full-width digits: valid after normalising"
    for p in people:
        p.employer_id, p.employer_name = employer_id, employer_name
    finish(f, people)
    extras = hr_section10(f)
    for p in extras:
        p.employer_id, p.employer_name = employer_id, employer_name
    finish_extra(f, extras)
    return people + extras, employer_id, employer_name


def hr_section10(f: Factory) -> list[Person]:
    """Nine rows after the 40 original ones (rows 45-53): a passport holder whose work permit came
    after the hire date, exempt kinds of employment, a part-timer, an employment type not in the
    rulebook, an under-16 hire, an ID written with em dashes, and the agency's card words."""
    passport = person(f, "on_time", hire=date(2025, 9, 15), permit=date(2025, 10, 10), reg=date(2025, 11, 5),
                      id_type="护照", id_kind="passport", card_status="制卡中")
    passport.name, passport.id_text, passport.ssn = "MILLER JAMES", passport_number(f.rng, "X"), None
    passport.note = "passport (护照): no SSN to derive, the agency assigns it; " + permit_note(passport)
    minor = make_id("110105", "20091015", 36)
    dashed = f.resident_id()
    return [
        passport,
        person(f, "overdue", hire=date(2025, 3, 3), employment="退休返聘", card_status="正常",
               note="用工形式 退休返聘 (re-employed retiree): exempt, never flagged; card 正常 = activated"),
        person(f, "overdue", hire=date(2025, 7, 7), employment="实习生", card_status="未申领",
               note="用工形式 实习生 (student intern): exempt; card 未申领 = not_applied"),
        person(f, "overdue", hire=date(2025, 6, 16), employment="劳务派遣", card_status="待激活",
               note="用工形式 劳务派遣 (dispatched worker, the dispatching agency registers): exempt; "
                    "card 待激活 = issued_not_activated"),
        person(f, "overdue", hire=date(2025, 8, 4), employment="非全日制", card_status="未申领",
               note="用工形式 非全日制 (part-time): same 30-day duty (work-injury insurance), overdue"),
        person(f, "on_time", hire=date(2025, 7, 1), reg=date(2025, 7, 10), id_text=minor, ssn=minor,
               card_status="封存",
               note="born 2009-10-15, 15 on the hire date: status as usual, problem notes Labour Law Art. 15; "
                    "card 封存 = issued_not_activated"),
        person(f, "late", employment="临时工", card_status="临时挂失",
               note="用工形式 临时工 is not in the rulebook: treated as full-time and noted "
                    "(employment_type_unknown); card 临时挂失 = lost"),
        person(f, "on_time", id_text=f"{dashed[:6]}\u2014{dashed[6:14]}\u2014{dashed[14:]}", ssn=dashed,
               card_status="注销", note="ID written with em dashes (U+2014) between region, birth date and "
                                       "sequence: valid after normalising; card 注销 = cancelled"),
        person(f, "on_time", card_status="待领取",
               note="card 待领取 is not an agency status word: card_status unknown, listed as card_status_unknown"),
    ]


def xlsx_date(d: date, form: int) -> tuple[Any, str]:
    """A date in one of seven forms (value, number format), as HR staff type them."""
    serial = (d - EXCEL_EPOCH).days
    forms: list[tuple[Any, str]] = [
        (d, "yyyy-mm-dd"),
        (serial, "General"),
        (d.isoformat(), "@"),
        (slash_date(d), "@"),
        (f"{d.year}.{d.month}.{d.day}", "@"),
        (d.strftime("%Y%m%d"), "@"),
        (cn_date(d), "@"),
        (d, 'yyyy"年"m"月"d"日"'),
    ]
    return forms[form % len(forms)]


def write_hr(people: list[Person], employer_name: str, path: Path) -> None:
    """Title row, note row, header row 3, data from row 4 with one blank row in the middle."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "花名册"
    headers = ["序号", "姓名", "身份证号", "入职日期", "参保日期",
               "社保卡状态", "发卡银行", "激活日期", "月工资", "证件类型", "用工形式", "工作许可日期"]
    ws.cell(1, 1, f"2025年度员工花名册 — {employer_name}").font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.cell(2, 1, f"制表：人力资源部　　统计截止：{cn_date(date(2025, 11, 18))}　　共{len(people)}人")
    for col, h in enumerate(headers, 1):
        ws.cell(3, col, h).font = Font(bold=True)
    row = 4
    for i, p in enumerate(people):
        if i == 20:
            row += 1  # a blank row, as left behind when someone deletes a line's contents
        p.source_row = row
        ws.cell(row, 1, i + 1)
        ws.cell(row, 2, p.name)
        if p.id_as_number is not None:
            ws.cell(row, 3, p.id_as_number).number_format = "General"
        else:
            ws.cell(row, 3, p.id_text).number_format = "@"
        for col, d, raw, shift in ((4, p.hire, p.hire_raw, 0), (5, p.reg, p.reg_raw, 3)):
            if raw is not None:
                ws.cell(row, col, raw)
            elif d is not None:
                value, fmt = xlsx_date(d, i + shift)
                ws.cell(row, col, value).number_format = fmt
        ws.cell(row, 6, p.card_status)
        ws.cell(row, 7, p.card_bank or None)
        if p.activation is not None:
            value, fmt = xlsx_date(p.activation, 0 if i % 3 else 2)
            ws.cell(row, 8, value).number_format = fmt
        ws.cell(row, 9, p.wage).number_format = "#,##0"
        ws.cell(row, 10, p.id_type or None)
        ws.cell(row, 11, p.employment or None)
        if p.permit is not None:
            value, fmt = xlsx_date(p.permit, 0)
            ws.cell(row, 12, value).number_format = fmt
        row += 1
    for col, width in enumerate((6, 10, 22, 14, 14, 14, 14, 14, 10, 10, 10, 14), 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A4"
    wb.properties.creator = "shebao-check make_samples.py"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(fixed_zip(buf.getvalue()))


def fixed_zip(data: bytes) -> bytes:
    """Rewrite an xlsx with fixed member timestamps and a fixed ``modified`` date (openpyxl stamps the
    time of saving), so that a re-run gives identical bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, content)
            member = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            member.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(member, content)
    return out.getvalue()


# --------------------------------------------------------------------------- 2. agency_extract_gbk.csv


def build_agency(f: Factory) -> list[Person]:
    """~120 rows, 5 employers; the first two have overdue people, the rest are (mostly) on time."""
    plans = [  # (region, on_time, late, overdue, pending, invalid)
        ("440305", 22, 2, 5, 1, 0),
        ("310104", 22, 1, 2, 2, 1),
        ("330106", 21, 0, 0, 2, 1),
        ("510107", 20, 1, 0, 1, 0),
        ("110101", 17, 0, 0, 2, 0),
    ]
    people: list[Person] = []
    for region, *counts in plans:
        employer_id, employer_name = make_uscc(f.rng, region), f.company()
        kinds = [k for k, n in zip(STATUSES[:5], counts, strict=True) for _ in range(n)]
        f.rng.shuffle(kinds)
        for k in kinds:
            blank_hire = {"hire": None, "note": "用工日期 left blank: invalid"} if k == "invalid" else {}
            p = person(f, "on_time" if k == "invalid" else k, **blank_hire)
            p.employer_id, p.employer_name = employer_id, employer_name
            people.append(p)
    # One overdue hire of the first employer moved to just before the National Day holiday.
    edge = next(p for p in people if p.employer_id == people[0].employer_id and p.reg is None
                and p.hire is not None and p.hire < date(2025, 9, 1))
    edge.hire, edge.note = date(2025, 9, 2), "hire+30 = 2025-10-02 (holiday) -> deadline 2025-10-09"
    finish(f, people)
    for i, p in enumerate(people):
        p.source_row = i + 2
    return people


def write_agency(people: list[Person], path: Path) -> None:
    """GBK CSV with CRLF line ends, as exported by an agency system."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["统一社会信用代码", "单位名称", "姓名", "公民身份号码", "用工日期", "参保登记日期"])
    for p in people:
        w.writerow([p.employer_id, p.employer_name, p.name, p.id_text,
                    slash_date(p.hire) if p.hire else "", slash_date(p.reg) if p.reg else ""])
    path.write_bytes(buf.getvalue().encode("gbk"))


# --------------------------------------------------------------------------- 3. english_roster.csv


def build_english(f: Factory) -> list[Person]:
    """30 rows, 2 employers; permits, a foreign permanent resident ID, and deadline edge cases."""
    a_id, a_name = make_uscc(f.rng, "310104"), f.company()
    b_id, b_name = make_uscc(f.rng, "440305"), f.company()

    def at(kind: str, employer: str, **kw: Any) -> Person:
        p = person(f, kind, **kw)
        p.employer_id, p.employer_name = (a_id, a_name) if employer == "A" else (b_id, b_name)
        return p

    hk = make_id("810000", "19880512", 23)
    mo = make_id("820000", "19930107", 41)
    tw = make_id("830000", "19790923", 18)
    fp = make_id("911840", "19850612", 3)  # 9 + province 11 + country 840 + birth + sequence
    bad_birth = make_id("110105", "19900230", 125)
    people = [
        at("on_time", "A", id_text=hk, ssn=hk, id_kind="hkmo_tw_permit",
           note="Hong Kong resident permit (810000)"),
        at("on_time", "A"),
        at("late", "A", id_text=tw, ssn=tw, id_kind="hkmo_tw_permit", note="Taiwan resident permit (830000)"),
        at("on_time", "A", hire=date(2025, 3, 10), reg=date(2025, 3, 3),
           note="registered 7 days before the hire date: on_time"),
        at("overdue", "A"),
        at("on_time", "A", id_text=fp, ssn=fp, id_kind="foreign_permanent",
           note="2023 foreign permanent resident ID (9 + 11 + 840 + birth + seq + check)"),
        at("on_time", "A", hire=date(2025, 1, 9), reg=date(2025, 2, 8),
           note="deadline Sat 2025-02-08 (an adjusted working day), registered exactly on it: on_time"),
        at("late", "A", hire=date(2025, 4, 1), reg=date(2025, 5, 7),
           note="hire+30 = 2025-05-01 (Labour Day) -> deadline 2025-05-06; registered one day after: late 1"),
        at("pending", "A"),
        at("overdue", "A", id_text="1.10105E+17", ssn=None, id_problem="excel_scientific",
           note="ID mangled by Excel into 1.10105E+17: digits lost"),
        at("overdue", "A", hire=date(2025, 10, 10), reg=date(2025, 11, 25),
           note="registration 2025-11-25 lies after the as-of date: counts as not registered, overdue 10"),
        at("on_time", "A"),
        at("pending", "A", hire=date(2025, 11, 14), id_text=mo, ssn=mo, id_kind="hkmo_tw_permit",
           note="Macau resident permit (820000); deadline 2025-12-15"),
        at("on_time", "A"),
        at("on_time", "A", hire=None, note="hire_date blank: invalid"),
        at("late", "A"),
        at("on_time", "B"),
        at("on_time", "B", id_text=bad_birth, ssn=None, id_problem="birth_date",
           note="birth date 19900230 impossible, check character correct"),
        at("late", "B"),
        at("on_time", "B"),
        at("pending", "B"),
        at("on_time", "B"),
        at("on_time", "B"),
        at("late", "B"),
        at("on_time", "B"),
        at("pending", "B"),
        at("on_time", "B", hire=date(2025, 8, 29), reg=date(2025, 9, 28),
           note="deadline Sun 2025-09-28 (adjusted working day), registered exactly on it"),
        at("on_time", "B"),
        at("late", "B", hire=date(2025, 9, 11), reg=date(2025, 10, 12),
           note="deadline Sat 2025-10-11 (adjusted working day); registered one day after: late 1"),
        at("on_time", "B"),
    ]
    finish(f, people)
    # Section 10 rows, after the 30 original ones (rows 32-37).
    passport = at("overdue", "A", hire=date(2025, 8, 18), permit=date(2025, 9, 26), id_type="passport",
                  id_kind="passport", card_status="未申领")
    passport.name, passport.id_text, passport.ssn = "KOWALSKA ANNA", passport_number(f.rng, "E"), None
    passport.note = "passport: no SSN to derive, the agency assigns it; " + permit_note(passport)
    travel = at("on_time", "B", id_type="台湾居民来往大陆通行证", id_kind="travel_permit", card_status="正常",
                note="travel permit (台湾居民来往大陆通行证), 8 digits: shape valid, no SSN (assigned by the agency); "
                     "card 正常 = activated")
    travel.id_text = "".join(f.rng.choice("0123456789") for _ in range(8))
    travel.ssn = None
    zero_width = f.resident_id()
    extras = [
        passport,
        travel,
        at("overdue", "B", hire=date(2024, 12, 2), employment="retired", card_status="正常",
           note="employment_type retired (re-employed retiree): exempt, never flagged; card 正常 = activated"),
        at("overdue", "A", hire=date(2025, 5, 12), employment="service", card_status="未申领",
           note="employment_type service (service contract, 劳务): exempt"),
        at("pending", "B", employment="part-time", card_status="未申领",
           note="employment_type part-time: same 30-day duty (work-injury insurance), pending"),
        at("on_time", "A", id_text=zero_width[:6] + "\u200b" + zero_width[6:14] + "\u200b" + zero_width[14:],
           ssn=zero_width, card_status="待激活",
           note="zero-width spaces (U+200B) inside the ID: valid after normalising; "
                "card 待激活 = issued_not_activated"),
    ]
    finish_extra(f, extras)
    people += extras
    for i, p in enumerate(people):
        p.source_row = i + 2
    return people


def write_english(people: list[Person], path: Path) -> None:
    """UTF-8 with BOM; ISO dates, a few slash dates."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["employer_id", "employer_name", "name", "id_number", "hire_date", "registration_date",
                "card_status", "wage", "id_type", "employment_type", "work_permit_date"])
    for i, p in enumerate(people):
        fmt = slash_date if i % 7 == 3 else date.isoformat
        w.writerow([p.employer_id, p.employer_name, p.name, p.id_text, fmt(p.hire) if p.hire else "",
                    fmt(p.reg) if p.reg else "", p.card_status, p.wage, p.id_type, p.employment,
                    p.permit.isoformat() if p.permit else ""])
    path.write_bytes(buf.getvalue().encode("utf-8-sig"))


# --------------------------------------------------------------------------- 4. legacy_roster.xls


def build_legacy(f: Factory) -> list[Person]:
    """25 rows, 2 employers, hires from 2024 on; one employer with overdue people."""
    a_id, a_name = make_uscc(f.rng, "330106"), f.company()
    b_id, b_name = make_uscc(f.rng, "510107"), f.company()
    plan = {"A": ["on_time"] * 6 + ["late"] * 2 + ["overdue"] * 3 + ["pending"],
            "B": ["on_time"] * 8 + ["late"] + ["pending"]}
    people: list[Person] = []
    for emp, kinds in plan.items():
        for k in kinds:
            p = person(f, k)
            p.hire, p.reg = f.dates(k, earliest=date(2024, 1, 1))
            p.employer_id, p.employer_name = (a_id, a_name) if emp == "A" else (b_id, b_name)
            people.append(p)
    lin_an = make_id("330112", "19760814", 37)
    extras = [  # (position, employer, kind, overrides)
        (2, "A", "on_time", {"hire": date(2024, 9, 1), "reg": date(2024, 10, 8),
                             "note": "hire+30 = 2024-10-01 -> deadline 2024-10-08; registered on it"}),
        (5, "A", "on_time", {"hire": date(2024, 12, 31), "reg": date(2025, 2, 5),
                             "note": "hire+30 = 2025-01-30 (Spring Festival) -> deadline 2025-02-05"}),
        (9, "A", "on_time", {"id_text": lin_an, "ssn": lin_an,
                             "note": "county 330112 (Lin'an, 2017) unknown to old tables: still valid"}),
        (16, "B", "on_time", {"hire": None, "note": "参加工作日期 blank: invalid"}),
        (20, "B", "late", {"id_text": "", "ssn": None, "id_problem": "length",
                           "note": "17-digit number (a digit dropped when typing): wrong length"}),
    ]
    for pos, emp, kind, kw in extras:
        p = person(f, kind, **kw)
        if p.id_problem == "length":
            full = f.resident_id()
            p.id_text = full[:9] + full[10:]
        p.employer_id, p.employer_name = (a_id, a_name) if emp == "A" else (b_id, b_name)
        people.insert(pos, p)
    assert len(people) == 27
    finish(f, people)
    # Section 10 rows, after the 27 original ones (rows 29-32): separators and two invalid numbers.
    quoted, spaced = f.resident_id(), f.resident_id()
    before_1900 = make_id("110105", "18991231", 117)
    bad_permit = make_id("810100", "19870316", 45)
    extras = [
        person(f, "on_time", id_text="'" + quoted[:6] + "\uff0d" + quoted[6:14] + "\uff0d" + quoted[14:],
               ssn=quoted, note="leading ' (Excel's text marker) and full-width hyphens (U+FF0D): valid after "
                                "normalising"),
        person(f, "pending", id_text=spaced[:6] + "\u3000" + spaced[6:14] + "\u00a0" + spaced[14:], ssn=spaced,
               note="ideographic space (U+3000) and no-break space (U+00A0) inside the ID: valid after "
                    "normalising"),
        person(f, "on_time", id_text=before_1900, ssn=None, id_problem="birth_date",
               note="birth date 1899-12-31, before 1900 (check character correct): impossible birth date"),
        person(f, "late", id_text=bad_permit, ssn=None, id_problem="permit_address",
               note="81... residence permit with address code 810100 (only 810000 is valid): invalid"),
    ]
    for p, emp in zip(extras, "ABAB", strict=True):
        p.employer_id, p.employer_name = (a_id, a_name) if emp == "A" else (b_id, b_name)
    finish_extra(f, extras)
    people += extras
    for i, p in enumerate(people):
        p.source_row = i + 2
    return people


def write_legacy(people: list[Person], path: Path) -> None:
    """Excel 97 workbook: header in row 1, dates as date cells or as 2024年11月5日 text."""
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("参保人员")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    text_style = xlwt.easyxf(num_format_str="@")
    bold = xlwt.easyxf("font: bold on")
    for col, h in enumerate(["单位编号", "用人单位", "姓名", "证件号码", "参加工作日期", "社保登记日期"]):
        ws.write(0, col, h, bold)
        ws.col(col).width = 256 * (22 if col in (0, 1, 3) else 14)
    for i, p in enumerate(people):
        r = p.source_row - 1
        ws.write(r, 0, p.employer_id, text_style)
        ws.write(r, 1, p.employer_name)
        ws.write(r, 2, p.name)
        ws.write(r, 3, p.id_text, text_style)
        for col, d, shift in ((4, p.hire, 0), (5, p.reg, 1)):
            if d is None:
                continue
            if (i + shift) % 3 == 2:
                ws.write(r, col, cn_date(d))
            else:
                ws.write(r, col, datetime(d.year, d.month, d.day), date_style)
    wb.save(str(path))


# --------------------------------------------------------------------------- expected figures


def card_code(p: Person, has_card: bool) -> str | None:
    """Expected ``card_status`` code: empty without a card column or for a blank cell."""
    if not has_card or not p.card_status.strip():
        return None
    return CARD_CODES.get(p.card_status.strip(), "unknown")


def problem_expectations(p: Person) -> tuple[bool, list[str]]:
    """Whether ``problem`` must say something, and what it must mention (section 10's notes)."""
    mentions: list[str] = []
    if p.id_kind in ("passport", "travel_permit") and p.id_problem is None:
        mentions.append("agency")  # the agency assigns the social security number
    status = p.expected["status"]
    if status != "exempt":
        if p.hire is not None and p.permit is not None and p.permit > p.hire:
            mentions.append("work permit")  # the 30 days count from it
        birth = birth_of(p)
        if birth is not None and p.hire is not None and age_on(birth, p.hire) < MINIMUM_AGE:
            mentions.append("Art. 15")  # Labour Law: no employing minors under 16
        if employment_code(p.employment) is None:
            mentions.append(p.employment.strip())  # the unrecognised value, quoted
    required = bool(mentions) or status in ("invalid", "exempt") or (p.reg is not None and p.reg > AS_OF)
    return required, mentions


def summary(people: list[Person], name: str, args: list[str], multi: bool, has_card: bool) -> dict[str, Any]:
    """The answer key for one file."""
    counts = Counter(p.expected["status"] for p in people)
    employers: dict[str, dict[str, Any]] = {}
    for p in people:
        e = employers.setdefault(p.employer_id, {"employer_name": p.employer_name, "employees": 0,
                                                 **dict.fromkeys(STATUSES, 0), "max_days_overdue": 0})
        e["employees"] += 1
        e[p.expected["status"]] += 1
        if p.expected["status"] == "overdue":
            e["max_days_overdue"] = max(e["max_days_overdue"], p.expected["days_late"])
    return {
        "file": name,
        "extra_args": args,
        "multi_employer": multi,
        "rows": len(people),
        "statuses": {s: counts.get(s, 0) for s in STATUSES},
        "id_problems": sum(p.id_problem is not None for p in people),
        "id_problem_kinds": dict(Counter(p.id_problem for p in people if p.id_problem)),
        "id_kinds": dict(Counter(p.id_kind for p in people if not p.id_problem)),
        "card_column": has_card,
        "card_statuses": dict(Counter(c for p in people if (c := card_code(p, has_card)))),
        "problem_table": {  # rows the problems table (--problems) must list under these codes
            "card_status_unknown": [p.source_row for p in people if card_code(p, has_card) == "unknown"],
            "employment_type_unknown": [p.source_row for p in people if employment_code(p.employment) is None],
        },
        "flagged_employers": sorted(k for k, e in employers.items() if e["overdue"] > 0),
        "employers": employers,
        "rows_detail": [
            {"source_row": p.source_row, "name": p.name, "ssn": p.ssn, "id_problem": p.id_problem,
             "id_kind": None if p.id_problem else p.id_kind,
             "card_status": card_code(p, has_card),
             "employment_type": p.employment or None,
             "hire_date": p.hire.isoformat() if p.hire and not p.hire_raw else None,
             "work_permit_date": p.permit.isoformat() if p.permit else None,
             **p.expected,
             "problem_required": problem_expectations(p)[0],
             "problem_mentions": problem_expectations(p)[1],
             "note": p.note}
            for p in people
        ],
    }


KIND_TEXT = {
    "excel_scientific": "number turned into scientific notation by Excel (digits lost)",
    "checksum": "bad check character",
    "birth_date": "impossible birth date",
    "length": "wrong length",
    "permit_address": "residence permit with an address code other than 810000/820000/830000",
}


def readme(exp: dict[str, dict[str, Any]], hr_args: list[str]) -> str:
    """sample_uploads/README.md, written from the same figures as expected.json."""
    hr_rows = exp["hr_roster_2025.xlsx"]["rows"]
    shapes = {
        "hr_roster_2025.xlsx": (
            "HR roster of one employer (.xlsx). Row 1 is a merged title `2025年度员工花名册 — <company>`, "
            "row 2 a note, row 3 the header `序号, 姓名, 身份证号, 入职日期, 参保日期, 社保卡状态, 发卡银行, "
            "激活日期, 月工资, 证件类型, 用工形式, 工作许可日期`, data from row 4. Row 24 is completely blank "
            f"(not a data row: it is skipped, so the {hr_rows} people occupy rows 4-23 and 25-{hr_rows + 4}). "
            "Dates come as Excel date cells, numeric serials "
            "(General format), and text `2025-03-05`, `2025/3/5`, `2025.3.5`, `20250305`, `2025年3月5日`. "
            "ID numbers are text cells except one number cell. The last three columns are empty except in "
            "the section 10 rows 45 on. No employer columns: the employer is given "
            "on the command line:\n\n"
            "```\npython -m compliance check sample_uploads/hr_roster_2025.xlsx "
            + " ".join(f'"{a}"' if " " in a else a for a in hr_args)
            + " --as-of 2025-11-20 --out report.xlsx\n```"
        ),
        "agency_extract_gbk.csv": (
            "GBK-encoded CSV (CRLF) exported by an agency, five employers, header "
            "`统一社会信用代码, 单位名称, 姓名, 公民身份号码, 用工日期, 参保登记日期` in row 1, "
            "dates as `2025/3/5` text. USCCs carry valid "
            "check characters (organisation-code check included)."
        ),
        "english_roster.csv": (
            "UTF-8 CSV with BOM, two employers, English header `employer_id, employer_name, name, id_number, "
            "hire_date, registration_date, card_status, wage, id_type, employment_type, work_permit_date` in "
            "row 1; ISO dates with a few `2025/3/5`. Card statuses use the Chinese vocabulary of "
            "shared/README.md sections 6 and 10. The last three columns are empty except in the section 10 "
            "rows 32 on."
        ),
        "legacy_roster.xls": (
            "Excel 97 workbook (xlwt), two employers, header "
            "`单位编号, 用人单位, 姓名, 证件号码, 参加工作日期, 社保登记日期` in row 1; "
            "dates as Excel date cells and as `2024年11月5日` text. No card column: `card_status` is empty. "
            "Rows 29 on exercise the ID rules of section 10."
        ),
    }
    lines = [
        "# Sample rosters",
        "",
        "Synthetic people and companies only (Faker zh_CN, fixed seeds). Generated by "
        "`python scripts/make_samples.py`, which also writes `expected.json` (the same figures, machine-"
        "readable; `tests/test_samples.py` checks the CLI against it). Do not edit these files by hand: "
        "change the generator and re-run it.",
        "",
        "All figures are **as of 2025-11-20 with the default calendar** (deadline = hire + 30 days, "
        "moved to the next working day of China's calendar, adjusted working days counted as working "
        "days; computed with `chinese_calendar.is_workday`). Every deadline falls in 2024 or 2025, so no "
        "deadline is provisional. Row numbers are as a person sees them in the spreadsheet (header row "
        "= its own row).",
        "",
        "| file | data rows | on_time | late | overdue | pending | invalid | exempt | ID problems "
        "| flagged employers |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, e in exp.items():
        s = e["statuses"]
        flagged = ", ".join(e["flagged_employers"])
        if not e["multi_employer"]:
            flagged = f"the `--employer-id` ({'flagged' if flagged else 'not flagged'})"
        lines.append(f"| `{name}` | {e['rows']} | {s['on_time']} | {s['late']} | {s['overdue']} | "
                     f"{s['pending']} | {s['invalid']} | {s['exempt']} | {e['id_problems']} | {flagged} |")
    lines += [
        "",
        "How the figures read the rulebook (shared/README.md sections 2-5 and 10):",
        "",
        "- A bad ID number never changes the status; it is reported in `id_problem`, and the row has "
        "no `ssn`.",
        "- A completely blank spreadsheet row is not a data row (nothing to report); a row with any "
        "value is.",
        "- `待定`, `不详` in a date column are unreadable dates (status `invalid`); an empty cell is a "
        "missing date (missing hire date: `invalid`; missing registration date: not registered).",
        "- A registration dated after 2025-11-20 had not happened yet: the row is `overdue`/`pending` as "
        "the deadline says, with a `problem` note.",
        "- The ID numbers use the region codes 110101, 110105, 310104, 440305, 330106, 510107 (and one "
        "330112) with birth dates 1965-2004. python-stdnum 2.2 dates its county codes (`[1990-]南山区`) "
        "and rejects a number whose county code is younger than its holder (e.g. 440305 with a 1980 birth "
        "date, 330112 with any birth before 2017). Codes are assigned when the card is issued, not at "
        "birth, and an unknown county never invalidates a number (section 4), so all of these are valid: "
        "only the rows listed as ID problems below have one.",
        "- Section 10: `退休返聘`/`retired`, `实习生`, `劳务派遣`, `service` in the employment type column "
        "are `exempt` (no deadline, no days, the reason in `problem`, never flagged; `employers` counts "
        "them in its `exempt` column). `非全日制`/`part-time` keeps the 30-day duty. A value not in the "
        "rulebook (`临时工`) counts as full-time and is listed as `employment_type_unknown`.",
        "- A passport or travel permit is checked for shape only (5-20 letters and digits): no `ssn` (the "
        "agency assigns it), no `id_problem`, `id_kind` `passport`/`travel_permit`. A work permit dated "
        "after the hire date starts the 30 days.",
        "- `card_status` is the code of the agency's word (正常 = activated, 封存/待激活 = "
        "issued_not_activated, 临时挂失 = lost, 注销 = cancelled, 未申领 = not_applied, 制卡中 = "
        "in_production); any other word is `unknown` and listed as `card_status_unknown`. Files without a "
        "card column leave it empty.",
        "",
    ]
    for name, e in exp.items():
        lines += [f"## `{name}`", "", shapes[name], ""]
        s = e["statuses"]
        lines.append(f"- **{e['rows']} data rows**: " + ", ".join(f"{k} {v}" for k, v in s.items()) + ".")
        kinds = ", ".join(f"{n} × {KIND_TEXT[k]}" for k, n in e["id_problem_kinds"].items()) or "none"
        lines.append(f"- **ID problems: {e['id_problems']}** ({kinds}).")
        lines.append("- ID kinds of the valid numbers: " + ", ".join(f"{k} {v}" for k, v in e["id_kinds"].items())
                     + ".")
        if e["card_column"]:
            lines.append("- Card statuses: " + ", ".join(f"{k} {v}" for k, v in sorted(e["card_statuses"].items()))
                         + ".")
        lines.append("- Employers:")
        for eid, emp in e["employers"].items():
            flag = "**flagged for premium verification**" if emp["overdue"] else "not flagged"
            lines.append(f"  - `{eid}` {emp['employer_name']}: {emp['employees']} employees, "
                         + ", ".join(f"{k} {emp[k]}" for k in STATUSES)
                         + f", max {emp['max_days_overdue']} days overdue — {flag}.")
        lines += ["", "Rows worth a look:", "",
                  "| row | name | status | deadline | days late / left | id_kind | card_status | what |",
                  "|---|---|---|---|---|---|---|---|"]
        for r in e["rows_detail"]:
            if not r["note"]:
                continue
            days = r["days_late"] if r["days_late"] is not None else r["days_left"]
            lines.append(f"| {r['source_row']} | {r['name']} | {r['status']} | {r['deadline'] or '—'} | "
                         f"{'—' if days is None else days} | {r['id_kind'] or '—'} | {r['card_status'] or '—'} | "
                         f"{r['note']} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    """Build, write and summarise all four samples."""
    OUT.mkdir(exist_ok=True)
    hr, hr_id, hr_name = build_hr(Factory(20251120))
    write_hr(hr, hr_name, OUT / "hr_roster_2025.xlsx")
    agency = build_agency(Factory(20251121))
    write_agency(agency, OUT / "agency_extract_gbk.csv")
    english = build_english(Factory(20251122))
    write_english(english, OUT / "english_roster.csv")
    legacy = build_legacy(Factory(20251123))
    write_legacy(legacy, OUT / "legacy_roster.xls")

    hr_args = ["--employer-id", hr_id, "--employer-name", hr_name]
    exp = {
        "hr_roster_2025.xlsx": summary(hr, "hr_roster_2025.xlsx", hr_args, False, True),
        "agency_extract_gbk.csv": summary(agency, "agency_extract_gbk.csv", [], True, False),
        "english_roster.csv": summary(english, "english_roster.csv", [], True, True),
        "legacy_roster.xls": summary(legacy, "legacy_roster.xls", [], True, False),
    }
    doc = {"as_of": AS_OF.isoformat(), "calendar": "default (chinese_calendar)", "files": exp}
    (OUT / "expected.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (OUT / "README.md").write_text(readme(exp, hr_args) + "\n", encoding="utf-8")
    for name, e in exp.items():
        print(f"{name}: {e['rows']} rows {e['statuses']} id_problems={e['id_problems']} "
              f"flagged={e['flagged_employers']}")


if __name__ == "__main__":
    main()
