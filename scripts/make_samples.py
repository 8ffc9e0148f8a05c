"""Generate the synthetic sample rosters in ``sample_uploads/`` and what the checker must find in them.

Run from anywhere with the project's Python::

    python scripts/make_samples.py

It writes five rosters (``hr_roster_2025.xlsx``, ``agency_extract_gbk.csv``, ``english_roster.csv``,
``legacy_roster.xls``, ``hr_roster_2026.xlsx``), ``expected.json`` and ``README.md``. Everything is
deterministic: fixed seeds for ``random`` and Faker, fixed workbook timestamps, so a re-run rewrites
identical files.

The expected figures are computed here, from the generator's own dates, with its own arithmetic
(``chinese_calendar.is_workday`` for the deadline, shared/README.md sections 2-4, 10 and 11: duty,
the reformed retirement age, leave and 减员 dates, month-only registrations, duplicates), never by
calling the ``compliance`` package: they are an independent answer key for ``tests/test_samples.py``.
Each file has its own as-of date (``as_of`` in ``expected.json``): 2025-11-20 for the first four,
2026-11-20 for ``hr_roster_2026.xlsx``, whose rows are section 11's (after Order 56, 2026-07-01). Its
hand-placed dates are chosen with the calendar in view and commented; ``chinese_calendar`` (data, not
the product's rule code) computes every deadline all the same.
The vocabularies of section 10 (employment types, document types, card status words) are copied
here from shared/README.md, not imported from the engine.
All people and companies are synthetic (Faker zh_CN); ID check characters follow GB 11643-1999.

The rows of section 10 (documents other than the resident ID, work permits, exempt kinds of
employment, the agency's card words, under-16 hires, separators in ID numbers) are appended after
the original rows of each file, drawn after them from the same seeds: the original rows, their row
numbers and their values stay as they were. The agency extract is left unchanged (the registry
sample, ``scripts/make_registry_sample.py``, is made from it). Section 11 changed the answers for the
first four files, not their bytes: over-age women are exempt as of 2025-11-20, the two young
"retirees" have the full duty, and the .xls's 参加工作日期 column is a career start (every row invalid).
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

AS_OF = date(2025, 11, 20)  # the as-of date of the four original samples
AS_OF_2026 = date(2026, 11, 20)  # hr_roster_2026.xlsx: after Order 56 took effect
ORDER_56 = date(2026, 7, 1)  # 超龄劳动者基本权益保障暂行规定 (人社部等五部门令第56号) in force
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "sample_uploads"
STATUSES = ("on_time", "late", "overdue", "pending", "invalid", "exempt", "left_before_deadline")
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
    # section 11.3: delayed retirement and probation are full-time; waivers are void (full-time, noted)
    "弹性延迟退休": "full_time", "延迟退休": "full_time", "试用期": "full_time", "试用": "full_time",
    "probation": "full_time",
    "自愿放弃社保": "full_time", "放弃缴纳社保": "full_time", "放弃参保": "full_time", "不缴社保": "full_time",
    "社保补贴代替": "full_time",
}
WAIVERS = ("自愿放弃社保", "放弃缴纳社保", "放弃参保", "不缴社保", "社保补贴代替")  # section 11.3: waiver_void
EXEMPT_KINDS = ("retired", "intern", "dispatched", "service")  # section 10's exempt kinds (11.3 narrows them)
# section 11.1, copied: 参保状态 and 派遣单位本地分支机构 cells
INSURANCE_CODES = {
    "正常": "active", "参保缴费": "active", "在职": "active", "active": "active",
    "暂停缴费": "suspended", "中断": "suspended", "停保": "suspended", "suspended": "suspended",
    "终止参保": "terminated", "已转出": "terminated", "转出": "terminated", "终止": "terminated",
    "terminated": "terminated",
}
BRANCH_CODES = {"是": "yes", "yes": "yes", "y": "yes", "1": "yes", "否": "no", "no": "no", "n": "no", "0": "no"}
# problem codes of section 11 the problems table (--problems) lists, each at its row
SECTION11_CODES = (
    "hire_date_is_career_start", "registration_month_only", "leave_date_after_as_of", "inspection_time_limit",
    "deregistration_late", "deregistration_missing", "over_statutory_age", "retired_below_statutory_age",
    "retirement_age_uncertain", "work_injury_required", "waiver_void", "dispatch_user_registers",
    "duplicate_person",
)
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
    # section 11.4
    "换卡中": "in_production", "补换中": "in_production", "待领取": "ready_for_collection",
    "已制卡待领取": "ready_for_collection", "制卡完成": "ready_for_collection", "已过期": "expired",
    "有效期满": "expired", "临时卡": "activated",
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
    # section 11
    as_of: date = AS_OF  # the file's as-of date
    career_start: bool = False  # the file's only date column of that kind is 参加工作日期 (11.1)
    reg_text: str | None = None  # a month-only registration as written (202507, 2025年7月); reg = its 1st day
    leave: date | None = None  # 离职日期
    dereg: date | None = None  # 减员日期
    insurance: str = ""  # 参保状态 as written
    branch: str = ""  # 派遣单位本地分支机构 as written
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


def roll(day: date) -> date:
    """The day itself, or the next working day of China's calendar when it is a rest day (section 2)."""
    while not chinese_calendar.is_workday(day):
        day += timedelta(days=1)
    return day


def add_months(d: date, months: int) -> date:
    """The same day ``months`` later; a day the month lacks (31st, 29 Feb) becomes its last day."""
    y, m = divmod(d.month - 1 + months, 12)
    y, m = d.year + y, m + 1
    last = (date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1)).day
    return date(y, m, min(d.day, last))


def added_months(birth: date, table: str) -> int:
    """Months the NPC Standing Committee decision of 2024-09-13 (annex tables 1-3, from 2025-01-01) adds
    to the original retirement age, by birth month m (months since the table's start month, 0 for it):
    men 60 from 1965-01 and women 55 from 1970-01: ceil((m + 1) / 4), at most 36; women 50 from
    1975-01: floor(m / 2) + 1, at most 60; born before the start month: 0 (shared/README.md 11.3)."""
    start_year, cap = {"men60": (1965, 36), "women55": (1970, 36), "women50": (1975, 60)}[table]
    m = (birth.year - start_year) * 12 + birth.month - 1
    if m < 0:
        return 0
    return min(cap, (m + 1 + 3) // 4 if table != "women50" else m // 2 + 1)


def age_reached(birth: date, table: str, hire: date) -> bool:
    """Whether the reformed age of ``table`` is reached on the hire date: it is reached on birth date +
    N months. Refuses a row whose answer would depend on how a missing day (31st + N months) is read."""
    years = {"men60": 60, "women55": 55, "women50": 50}[table]
    months = years * 12 + added_months(birth, table)
    reached = add_months(birth, months)
    overflow = add_months(birth.replace(day=1), months) + timedelta(days=birth.day - 1)
    assert not (reached <= hire < overflow), f"born {birth}: the reformed age's day is ambiguous for hire {hire}"
    return hire >= reached


def is_male(p: Person) -> bool:
    """Sex from the derived number's sequence digit (odd = male)."""
    assert p.ssn is not None
    return int(p.ssn[16]) % 2 == 1


def hire_of(p: Person) -> date | None:
    """The hire date the checker can judge by: none when unreadable or read from a career-start column."""
    return None if p.career_start or p.hire_raw is not None else p.hire


def duty_of(p: Person, codes: list[str]) -> tuple[str, bool]:
    """Section 11.3: ``duty`` (full, work_injury_only, none) and whether the person is over-age; the codes
    it gives are appended to ``codes``."""
    text = p.employment.strip()
    kind = employment_code(text) or "full_time"  # unknown: full-time, noted (section 10)
    if text in WAIVERS:
        codes.append("waiver_void")  # 法释〔2025〕12号 Art. 19: void, the duty stands
    if kind in ("intern", "service"):
        return "none", False
    if kind == "dispatched":  # 劳务派遣暂行规定 Art. 19(2)
        if BRANCH_CODES.get(p.branch.strip().lower()) == "no":
            codes.append("dispatch_user_registers")
            return "full", False
        return "none", False  # yes, or unknown ("unless the agency has no branch in this city")
    over = kind == "retired"
    birth, hire = birth_of(p) if p.id_kind == "resident" else None, hire_of(p)
    if birth is not None and hire is not None:
        male = is_male(p)
        if kind == "retired" and age_on(birth, hire) < (60 if male else 50):  # the original ages
            codes.append("retired_below_statutory_age")  # early retirement needs an approval
            return "full", False
        if age_reached(birth, "men60" if male else "women55", hire):
            over = True
            codes.append("over_statutory_age")  # any label
        elif not male and age_reached(birth, "women50", hire):
            codes.append("retirement_age_uncertain")  # keeps the label's duty
    if over:
        if p.as_of < ORDER_56:
            return "none", True  # Labour Contract Law Art. 44(2): no employment relation
        codes.append("work_injury_required")  # Order 56 Art. 15
        return "work_injury_only", True
    if kind == "part_time":
        return "work_injury_only", False  # 劳社部发〔2003〕12号 items 10-12
    return "full", False


def judge(p: Person) -> dict[str, Any]:
    """Status as of the file's as-of date by shared/README.md sections 3, 10 and 11, computed
    independently of the engine: duty first (11.3), then the deadline, the registration (a month-only
    one by the month rule of 11.2), the leave date and the deregistration (11.2)."""
    as_of, codes = p.as_of, []
    out: dict[str, Any] = {
        "status": None, "deadline": None, "days_late": None, "days_left": None,
        "registration_date": p.reg.isoformat() if p.reg is not None and p.reg_raw is None else None,
        "leave_date": p.leave.isoformat() if p.leave else None,
        "career_start_date": p.hire.isoformat() if p.career_start and p.hire else None,
        "codes": codes,
    }
    if p.career_start:
        codes.append("hire_date_is_career_start")
    out["duty"], over = duty_of(p, codes)
    leave = p.leave if p.leave is not None and p.leave <= as_of else None
    if p.leave is not None and leave is None:
        codes.append("leave_date_after_as_of")  # ignored
    if out["duty"] == "none":
        out["status"] = "exempt"
        return out
    hire = hire_of(p)
    if hire is None:
        out["status"] = "invalid"
        return out
    start = start_date(p)
    assert start is not None
    if over:  # work-injury insurance from Order 56: the 30 days count from max(hire, 2026-07-01)
        start = max(start, ORDER_56)
    dl = deadline(start)
    out["deadline"] = dl.isoformat()
    if p.reg_raw is not None:  # the deadline is known, the registration is not
        out["status"] = "invalid"
        return out
    if p.reg is not None and p.reg <= as_of:
        if p.reg_text is not None:  # month precision (11.2): compare the month with the deadline
            # the month's last day on or before D, or D inside the month: on time; its first day after D:
            # late by (first day - D), a lower bound
            codes.append("registration_month_only")
            late = (p.reg - dl).days if p.reg > dl else 0
        else:
            late = (p.reg - dl).days
        out["status"] = "late" if late > 0 else "on_time"
        out["days_late"] = late if late > 0 else None
        if leave is not None:  # 减员 within 15 days of the leave (劳动合同法 Art. 50), rolled over
            due = roll(leave + timedelta(days=15))
            status = INSURANCE_CODES.get(p.insurance.strip().lower())
            if p.dereg is not None and p.dereg > due:
                codes.append("deregistration_late")
            elif p.dereg is None and status not in ("terminated", "suspended") and as_of > due:
                codes.append("deregistration_missing")
    elif leave is not None:  # not registered, left (劳动保障监察条例 Art. 20)
        if leave <= dl:
            out["status"] = "left_before_deadline"
        else:
            out["status"], out["days_late"] = "overdue", (leave - dl).days  # ended with the employment
        if leave < date(as_of.year - 2, as_of.month, as_of.day):
            codes.append("inspection_time_limit")
    elif dl < as_of:
        out["status"], out["days_late"] = "overdue", (as_of - dl).days
    else:
        out["status"], out["days_left"] = "pending", (dl - as_of).days
    return out


def mark_duplicates(people: list[Person]) -> None:
    """Section 11: the same SSN twice for one employer in one file: ``duplicate_person`` on the later row."""
    seen: set[tuple[str, str]] = set()
    for p in sorted(people, key=lambda q: q.source_row):
        if p.ssn is None:
            continue
        key = (p.employer_id, p.ssn)
        if key in seen:
            p.expected["codes"].append("duplicate_person")
        seen.add(key)


class Factory:
    """Names, ID numbers and dates for one file, from one seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.names: set[str] = set()
        self.ids: set[str] = set()
        self.births = (date(1965, 1, 1), date(2004, 12, 31))  # range of the random birth dates

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
        """A birth date in ``births`` (1965-2004 unless a file says otherwise)."""
        return rand_date(self.rng, *self.births)

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
               note="用工形式 退休返聘 but born 1989-12-05, below the original age 60: retired_below_statutory_age, "
                    "full duty, overdue (section 11.3); card 正常 = activated"),
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
        person(f, "on_time", card_status="冻结",
               note="card 冻结 is not an agency status word: card_status unknown, listed as card_status_unknown"),
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
           note="employment_type retired but born 1987-05-23, below the original age 60: "
                "retired_below_statutory_age, full duty, overdue (section 11.3); card 正常 = activated"),
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
    for p in people:  # 参加工作日期 is the start of a working life, not a hire date (section 11.1)
        p.career_start = True
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
        p.career_start = True
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


# --------------------------------------------------------------------------- 5. hr_roster_2026.xlsx
#
# Section 11's rows, in a file of their own with its own as-of date (2026-11-20, after Order 56 took
# effect on 2026-07-01), so that the four files above keep their rows. Every fixed date below was
# chosen with the calendar in view; the deadlines are computed by ``deadline`` (chinese_calendar) all
# the same, and the comments give the hand calculation.

DEPARTMENTS = ("人力资源部", "财务部", "销售部", "研发中心", "生产部", "行政部", "客服中心")
POSITIONS = ("专员", "主管", "工程师", "操作工", "销售代表", "会计", "助理")


def id_for(f: Factory, birth: date, male: bool, region: str = "440305") -> str:
    """A fresh valid resident ID with a given birth date and sex (odd sequence = male)."""
    while True:
        seq = f.rng.randrange(1 if male else 2, 999, 2)
        num = make_id(region, birth.strftime("%Y%m%d"), seq)
        if num not in f.ids:
            f.ids.add(num)
            return num


def dates_2026(f: Factory, kind: str) -> tuple[date, date | None]:
    """Hire and registration dates that give status ``kind`` as of AS_OF_2026."""
    rng = f.rng
    if kind == "on_time":
        hire = rand_date(rng, date(2025, 6, 1), date(2026, 10, 15))
        return hire, hire + timedelta(days=rng.randint(0, (deadline(hire) - hire).days))
    if kind == "late":
        hire = rand_date(rng, date(2025, 6, 1), date(2026, 9, 15))
        return hire, min(deadline(hire) + timedelta(days=rng.randint(1, 60)), AS_OF_2026)
    if kind == "overdue":
        return rand_date(rng, date(2026, 6, 1), date(2026, 10, 15)), None
    if kind == "pending":
        return rand_date(rng, date(2026, 10, 22), date(2026, 11, 19)), None
    raise ValueError(kind)


def person_2026(f: Factory, kind: str, **kw: Any) -> Person:
    """A person of the 2026 roster: fresh name and ID (born 1976-06 or later: below every retirement
    table in 2026), dates for status ``kind``, 参保状态 正常 once registered."""
    num = f.resident_id()
    hire, reg = dates_2026(f, kind)
    p = Person(name=f.name(), id_text=num, ssn=num, hire=hire, reg=reg, as_of=AS_OF_2026,
               insurance="正常" if reg is not None else "")
    for k, v in kw.items():
        setattr(p, k, v)
    return p


def fixed_2026(f: Factory, hire: date, reg: date | None, note: str, *, birth: date | None = None,
               male: bool = True, **kw: Any) -> Person:
    """A hand-placed row of the 2026 roster; ``birth`` fixes the ID's birth date and sex."""
    num = id_for(f, birth, male) if birth is not None else f.resident_id()
    p = Person(name=f.name(), id_text=num, ssn=num, hire=hire, reg=reg, as_of=AS_OF_2026, note=note,
               insurance="正常" if reg is not None else "")
    for k, v in kw.items():
        setattr(p, k, v)
    return p


def build_hr2026(f: Factory) -> tuple[list[Person], int]:
    """A group HR system's roster export (金蝶/用友 style): two employers, ordinary rows, then the rows of
    section 11 (leavers, 减员, part-timers, over-age workers, month-only registrations, a waiver,
    dispatched workers, a duplicate). Returns the people and the row of the 合计 line."""
    f.births = (date(1976, 6, 1), date(2003, 12, 31))
    a_id, a_name = make_uscc(f.rng, "440305"), f.company()
    b_id, b_name = make_uscc(f.rng, "440305"), f.company()
    kinds = ["on_time"] * 8 + ["late"] * 3 + ["overdue"] * 2 + ["pending"] * 3
    f.rng.shuffle(kinds)
    ordinary = [person_2026(f, k) for k in kinds]
    twin = ordinary[3]  # listed again further down (duplicate_person), and at the other employer
    F = fixed_2026
    fixed = [
        # leavers, not registered (11.2)
        F(f, date(2026, 9, 14), None, leave=date(2026, 10, 9),
          note="left 2026-10-09, before the deadline 2026-10-14 (hire 09-14 + 30, a Wednesday), never "
               "registered: left_before_deadline, not overdue"),
        F(f, date(2026, 5, 11), None, leave=date(2026, 8, 31),
          note="left 2026-08-31, after the deadline 2026-06-10 (hire 05-11 + 30, a Wednesday), never "
               "registered: overdue until the leave, days_late = 08-31 - 06-10 = 82"),
        F(f, date(2024, 3, 4), None, leave=date(2024, 9, 30),
          note="hired 2024-03-04 (deadline Wed 2024-04-03), left 2024-09-30 unregistered: overdue 180 days "
               "(to the leave); the leave lies more than two years before 2026-11-20: inspection_time_limit"),
        # leavers, registered: 减员 within leave + 15 days, rolled over (11.2)
        F(f, date(2025, 9, 1), date(2025, 9, 15), leave=date(2026, 9, 30), dereg=date(2026, 10, 30),
          insurance="终止参保",
          note="left 2026-09-30; 减员 due 09-30 + 15 = Thu 2026-10-15, done 2026-10-30: deregistration_late "
               "(15 days); the hire 2025-09-01 rolls over National Day to the deadline 2025-10-09"),
        F(f, date(2026, 1, 5), date(2026, 1, 20), leave=date(2026, 8, 14), insurance="正常",
          note="left 2026-08-14; 减员 due 08-14 + 15 = Sat 08-29 -> Mon 2026-08-31; none, 参保状态 still 正常: "
               "deregistration_missing"),
        F(f, date(2026, 2, 2), date(2026, 2, 10), leave=date(2026, 7, 31), insurance="停保",
          note="left 2026-07-31, no 减员 date but 参保状态 停保 (suspended): no deregistration code"),
        F(f, date(2025, 11, 3), date(2025, 11, 10), leave=date(2026, 6, 30), dereg=date(2026, 7, 10),
          insurance="已转出", note="left 2026-06-30, 减员 2026-07-10 within its deadline Wed 07-15: no code"),
        F(f, date(2026, 3, 2), date(2026, 3, 16), leave=date(2026, 12, 31),
          note="离职日期 2026-12-31 lies after the as-of date: ignored (leave_date_after_as_of), on_time"),
        # part-timers: work-injury insurance only (11.3)
        F(f, date(2026, 10, 12), None, employment="非全日制",
          note="非全日制: duty work_injury_only; deadline Wed 2026-11-11, overdue 9 (counted in "
               "work_injury_overdue, does not flag the employer)"),
        F(f, date(2026, 6, 1), date(2026, 6, 15), employment="非全日制",
          note="非全日制: duty work_injury_only, registered on time (deadline Wed 2026-07-01)"),
        # over-age workers, by the reformed statutory age of the ID's birth date (11.3)
        F(f, date(2026, 9, 3), date(2026, 9, 22), birth=date(1970, 9, 15), male=False,
          note="woman born 1970-09-15: 55-table m = 8, +ceil(9/4) = 3 months, age 55y3m reached 2025-12-15; "
               "hired 2026-09-03 after 2026-07-01: work_injury_only, deadline 09-03 + 30 = 10-03 (National "
               "Day) -> Thu 2026-10-08; registered 09-22: on_time"),
        F(f, date(2026, 10, 10), None, birth=date(1966, 5, 10),
          note="man born 1966-05-10: m = 16, +ceil(17/4) = 5 months, age 60y5m reached on 2026-10-10 = the "
               "hire date: over-age, work_injury_only, deadline 10-10 + 30 = Mon 2026-11-09, overdue 11"),
        F(f, date(2026, 10, 9), date(2026, 11, 6), birth=date(1966, 5, 10),
          note="man born 1966-05-10, hired 2026-10-09, one day before his reformed age 60y5m (by the old "
               "rule, 60, he would be over-age): full duty; deadline Sun 11-08 -> Mon 2026-11-09, on_time"),
        F(f, date(2026, 3, 2), None, birth=date(1963, 4, 20),
          note="man born 1963-04-20 (before 1965-01: age 60), hired 2026-03-02: over-age; the 30 days count "
               "from 2026-07-01 (Order 56), deadline Fri 2026-07-31, overdue 112"),
        F(f, date(2026, 4, 13), date(2026, 4, 20), birth=date(1973, 5, 5), male=False,
          note="woman born 1973-05-05, 52 on the hire date: past the 50-table age (50, born before 1975), "
               "below the 55-table age (55y11m): retirement_age_uncertain, full duty"),
        # month-only registration dates (11.2)
        F(f, date(2025, 6, 10), date(2025, 7, 1), reg_text="202507",
          note="参保日期 202507 (month only); deadline Thu 2025-07-10 lies inside July: on_time, "
               "registration_month_only"),
        F(f, date(2025, 5, 6), date(2025, 7, 1), reg_text="2025年7月",
          note="参保日期 2025年7月 (month only); deadline Thu 2025-06-05 before July: late by "
               "07-01 - 06-05 = 26 days (a lower bound), registration_month_only"),
        # waiver, dispatch, probation (11.3)
        F(f, date(2026, 4, 1), None, employment="自愿放弃社保",
          note="用工形式 自愿放弃社保: the waiver is void (waiver_void), full duty; deadline 05-01 (Labour Day) "
               "-> Wed 2026-05-06, overdue 198"),
        F(f, date(2026, 7, 20), date(2026, 8, 25), employment="劳务派遣", branch="否",
          note="劳务派遣, 派遣单位本地分支机构 否: the user company registers (dispatch_user_registers), full "
               "duty; deadline Wed 2026-08-19, late 6"),
        F(f, date(2026, 8, 3), None, employment="劳务派遣", branch="是",
          note="劳务派遣, the agency has a local branch (是): exempt"),
        F(f, date(2026, 8, 10), None, employment="派遣",
          note="派遣, branch column blank: exempt, unless the agency has no branch in this city (problem)"),
        F(f, date(2026, 10, 26), None, employment="试用期",
          note="试用期 (probation): full-time, no note; deadline Wed 2026-11-25, pending 5"),
    ]
    dup = Person(name=twin.name, id_text=twin.id_text, ssn=twin.ssn, hire=twin.hire, reg=twin.reg,
                 as_of=AS_OF_2026, insurance=twin.insurance,
                 note=f"the same person as an earlier row of this employer (SSN {twin.ssn}): duplicate_person")
    people = ordinary + fixed + [dup]
    for p in people:
        p.employer_id, p.employer_name = a_id, a_name
    other = [person_2026(f, "on_time"), person_2026(f, "late")]
    other_twin = Person(name=twin.name, id_text=twin.id_text, ssn=twin.ssn, hire=twin.hire, reg=twin.reg,
                        as_of=AS_OF_2026, insurance=twin.insurance,
                        note="the same SSN at the other employer: not a duplicate (duplicate_person is per employer)")
    for p in [*other, other_twin]:
        p.employer_id, p.employer_name = b_id, b_name
    people += [other[0], other_twin, other[1]]
    for p in people:
        p.wage = f.rng.randrange(4500, 32000, 100)
        p.expected = judge(p)
    for i, p in enumerate(people):
        p.source_row = i + 4  # title rows 1-2, header row 3
    totals_row = len(people) + 4
    full_overdue = [p.expected["days_late"] for p in people
                    if p.expected["status"] == "overdue" and p.expected["duty"] == "full"]
    any_overdue = [p.expected["days_late"] for p in people if p.expected["status"] == "overdue"]
    # max_days_overdue must not depend on whether work-injury-only rows count in it
    for eid in (a_id, b_id):
        days = [p.expected["days_late"] or 0 for p in people if p.employer_id == eid
                and p.expected["status"] == "overdue"]
        full = [p.expected["days_late"] for p in people if p.employer_id == eid
                and p.expected["status"] == "overdue" and p.expected["duty"] == "full"]
        assert max(days, default=0) == max(full, default=0), eid
    assert full_overdue and any_overdue
    return people, totals_row


def write_hr2026(people: list[Person], path: Path, totals_row: int) -> None:
    """Two title rows, the header in row 3, data from row 4, a 合计 row at the bottom; dates as date cells,
    ISO text and 2026/3/2 text, month-only registrations as text."""
    rng = random.Random(20261121)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "员工花名册"
    headers = ["序号", "工号", "姓名", "性别", "身份证号码", "单位名称", "统一社会信用代码", "部门", "岗位",
               "用工形式", "派遣单位本地分支机构", "入职日期", "参保日期", "参保状态", "离职日期", "减员日期", "月工资"]
    ws.cell(1, 1, "员工花名册（含离职人员）").font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.cell(2, 1, f"导出时间：{cn_date(AS_OF_2026)} 09:00　　数据来源：人力资源系统 > 员工信息 > 花名册　　"
                  f"共{len(people)}条")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(headers))
    for col, h in enumerate(headers, 1):
        ws.cell(3, col, h).font = Font(bold=True)

    def put_date(row: int, col: int, d: date | None, form: int) -> None:
        if d is None:
            return
        value, fmt = [(d, "yyyy-mm-dd"), (d.isoformat(), "@"), (slash_date(d), "@")][form % 3]
        ws.cell(row, col, value).number_format = fmt

    for i, p in enumerate(people):
        r = p.source_row
        assert p.ssn is not None
        ws.cell(r, 1, i + 1)
        ws.cell(r, 2, f"E{20000 + i * 7:06d}")
        ws.cell(r, 3, p.name)
        ws.cell(r, 4, "男" if is_male(p) else "女")
        ws.cell(r, 5, p.id_text).number_format = "@"
        ws.cell(r, 6, p.employer_name)
        ws.cell(r, 7, p.employer_id).number_format = "@"
        ws.cell(r, 8, rng.choice(DEPARTMENTS))
        ws.cell(r, 9, rng.choice(POSITIONS))
        ws.cell(r, 10, p.employment or "全日制")
        ws.cell(r, 11, p.branch or None)
        put_date(r, 12, p.hire, i)
        if p.reg_text is not None:
            ws.cell(r, 13, p.reg_text).number_format = "@"  # text: 202507 as a number would be a serial
        else:
            put_date(r, 13, p.reg, i + 1)
        ws.cell(r, 14, p.insurance or None)
        put_date(r, 15, p.leave, i)
        put_date(r, 16, p.dereg, i + 2)
        ws.cell(r, 17, p.wage).number_format = "#,##0.00"
    ws.cell(totals_row, 1, "合计").font = Font(bold=True)
    ws.cell(totals_row, 3, f"共{len(people)}人")
    ws.cell(totals_row, 17, sum(p.wage for p in people)).number_format = "#,##0.00"
    widths = (6, 10, 10, 6, 22, 26, 22, 12, 10, 14, 12, 12, 12, 10, 12, 12, 12)
    for col, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A4"
    wb.properties.creator = "shebao-check make_samples.py"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(fixed_zip(buf.getvalue()))


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
        if birth is not None and hire_of(p) is not None and age_on(birth, p.hire) < MINIMUM_AGE:
            mentions.append("Art. 15")  # Labour Law: no employing minors under 16
        if employment_code(p.employment) is None:
            mentions.append(p.employment.strip())  # the unrecognised value, quoted
    # 11.2: left_before_deadline says premiums may still be due, pending names the work-injury risk;
    # every section 11 code has its text
    required = (bool(mentions) or bool(p.expected["codes"])
                or status in ("invalid", "exempt", "pending", "left_before_deadline")
                or (p.reg is not None and p.reg > p.as_of))
    return required, mentions


def summary(people: list[Person], name: str, args: list[str], multi: bool, has_card: bool,
            file_notes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The answer key for one file; ``file_notes`` are the notes on rows that are not employees (blank
    rows, a totals row) the problems table must carry."""
    file_notes = file_notes or []
    counts = Counter(p.expected["status"] for p in people)
    employers: dict[str, dict[str, Any]] = {}
    for p in people:
        e = employers.setdefault(p.employer_id, {"employer_name": p.employer_name, "employees": 0,
                                                 **dict.fromkeys(STATUSES, 0), "max_days_overdue": 0,
                                                 "full_duty_overdue": 0, "work_injury_overdue": 0,
                                                 "deregistration_issues": 0})
        x = p.expected
        e["employees"] += 1
        e[x["status"]] += 1
        if x["status"] == "overdue":
            e["max_days_overdue"] = max(e["max_days_overdue"], x["days_late"])
            e["full_duty_overdue"] += x["duty"] == "full"  # 11.3: only these flag the employer
            e["work_injury_overdue"] += x["duty"] == "work_injury_only"  # 11.7
        e["deregistration_issues"] += bool({"deregistration_late", "deregistration_missing"} & set(x["codes"]))
    as_of = {p.as_of for p in people}
    assert len(as_of) == 1, name
    return {
        "file": name,
        "as_of": as_of.pop().isoformat(),
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
            **{code: [p.source_row for p in people if code in p.expected["codes"]] for code in SECTION11_CODES},
        },
        "file_notes": file_notes,
        "flagged_employers": sorted(k for k, e in employers.items() if e["full_duty_overdue"] > 0),
        "employers": employers,
        "rows_detail": [
            {"source_row": p.source_row, "name": p.name, "ssn": p.ssn, "id_problem": p.id_problem,
             "id_kind": None if p.id_problem else p.id_kind,
             "card_status": card_code(p, has_card),
             "employment_type": p.employment or None,
             "hire_date": h.isoformat() if (h := hire_of(p)) else None,
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
            "Rows 29 on exercise the ID rules of section 10. Since section 11.1, `参加工作日期` is the start of "
            "a working life (工龄), not a hire date: it is read as `career_start_date`, and as the file has no "
            "other hire-date column every row is `invalid` with code `hire_date_is_career_start` (the ID "
            "checks still run). This is the mistake 11.1 was written for; the file is kept as it was."
        ),
        "hr_roster_2026.xlsx": (
            "A group HR system's roster export (金蝶/用友 style, .xlsx), two employers, **as of 2026-11-20** "
            "(after Order 56 took effect on 2026-07-01). Row 1 is a merged title `员工花名册（含离职人员）`, row 2 "
            "the export note, row 3 the one-row header `序号, 工号, 姓名, 性别, 身份证号码, 单位名称, "
            "统一社会信用代码, 部门, 岗位, 用工形式, 派遣单位本地分支机构, 入职日期, 参保日期, 参保状态, 离职日期, "
            "减员日期, 月工资` (工号, 性别, 部门, 岗位 are not roster fields and are ignored), data from row 4, "
            f"and a `合计` row at the bottom (row {exp['hr_roster_2026.xlsx']['file_notes'][0]['row']}): a "
            "file note, not an employee. Dates as date cells, `2026-03-02` and `2026/3/2` text; two "
            "registration dates of month precision as text (`202507`, `2025年7月`). Rows 4-19 are ordinary; "
            "rows 20 on are the rules of section 11:\n\n"
            "```\npython -m compliance check sample_uploads/hr_roster_2026.xlsx --as-of 2026-11-20 "
            "--out report.xlsx --problems problems.xlsx\n```"
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
        "All figures are **as of each file's as-of date** (`as_of` in `expected.json`: 2025-11-20 for the "
        "four original files, 2026-11-20 for `hr_roster_2026.xlsx`) **with the default calendar** "
        "(deadline = hire + 30 days, moved to the next working day of China's calendar, adjusted working "
        "days counted as working days; computed with `chinese_calendar.is_workday`). Every deadline falls "
        "in 2024-2026, years the calendar covers, so no deadline is provisional. Row numbers are as a "
        "person sees them in the spreadsheet (header row = its own row).",
        "",
        "| file | as of | data rows | on_time | late | overdue | pending | invalid | exempt "
        "| left_before_deadline | ID problems | flagged employers |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, e in exp.items():
        s = e["statuses"]
        flagged = ", ".join(e["flagged_employers"]) or "none"
        if not e["multi_employer"]:
            flagged = f"the `--employer-id` ({'flagged' if e['flagged_employers'] else 'not flagged'})"
        lines.append(f"| `{name}` | {e['as_of']} | {e['rows']} | {s['on_time']} | {s['late']} | {s['overdue']} | "
                     f"{s['pending']} | {s['invalid']} | {s['exempt']} | {s['left_before_deadline']} | "
                     f"{e['id_problems']} | {flagged} |")
    lines += [
        "",
        "How the figures read the rulebook (shared/README.md sections 2-5, 10 and 11; section 11 wins):",
        "",
        "- A bad ID number never changes the status; it is reported in `id_problem`, and the row has "
        "no `ssn`.",
        "- A completely blank spreadsheet row is not a data row (nothing to report); a row with any "
        "value is.",
        "- `待定`, `不详` in a date column are unreadable dates (status `invalid`); an empty cell is a "
        "missing date (missing hire date: `invalid`; missing registration date: not registered).",
        "- A registration dated after the as-of date had not happened yet: the row is `overdue`/`pending` "
        "as the deadline says, with a `problem` note.",
        "- The ID numbers use the region codes 110101, 110105, 310104, 440305, 330106, 510107 (and one "
        "330112) with birth dates 1965-2004. python-stdnum 2.2 dates its county codes (`[1990-]南山区`) "
        "and rejects a number whose county code is younger than its holder (e.g. 440305 with a 1980 birth "
        "date, 330112 with any birth before 2017). Codes are assigned when the card is issued, not at "
        "birth, and an unknown county never invalidates a number (section 4), so all of these are valid: "
        "only the rows listed as ID problems below have one.",
        "- Duty (section 11.3, column `duty`): `实习生`, `service` and a `劳务派遣` worker whose agency has a "
        "local branch (or none is stated) are `exempt` (duty `none`: no deadline, no days, the reason in "
        "`problem`, never flagged; `employers` counts them in its `exempt` column). `非全日制`/`part-time` "
        "keeps the 30 days, duty `work_injury_only`. A value not in the rulebook (`临时工`) counts as "
        "full-time and is listed as `employment_type_unknown`.",
        "- Over-age (11.3): anyone whose resident ID shows them at or above the reformed statutory age on the "
        "hire date (men 60 + ceil((m + 1) / 4) months, at most 36, m = months since 1965-01; women 55 the "
        "same from 1970-01; reached on birth date + N months), or labelled `退休返聘`/`retired`, is over-age "
        "(`over_statutory_age` for the ID rule): as of a date before 2026-07-01 `exempt` (duty `none`), from "
        "2026-07-01 duty `work_injury_only` with the 30 days from max(hire, 2026-07-01) "
        "(`work_injury_required`). The 2025 files have women born 1965-1969 hired at 55 or more: `exempt` "
        "as of 2025-11-20. A woman between her 50-table and 55-table ages keeps her duty "
        "(`retirement_age_uncertain`). A `退休返聘`/`retired` label under the original age (men 60, women "
        "50) is `retired_below_statutory_age`, duty `full`: the two labelled retirees of the 2025 files "
        "(born 1989 and 1987) are judged as full-time.",
        "- Section 11.2: a leaver never registered is `left_before_deadline` when the leave came on or "
        "before the deadline, else `overdue` up to the leave date; a registered leaver's 减员 is due 15 days "
        "after the leave (rolled over), late -> `deregistration_late`, missing while 参保状态 is not "
        "停保/终止 -> `deregistration_missing`. A month-only registration date is judged by the month "
        "(`registration_month_only`). `employers` flags only `overdue` rows with duty `full`; "
        "work-injury-only ones are counted in `work_injury_overdue`.",
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
        lines.append("- Duties: " + ", ".join(f"{k} {v}" for k, v in
                                               sorted(Counter(r["duty"] for r in e["rows_detail"]).items())) + ".")
        codes = {k: v for k, v in e["problem_table"].items() if v}
        lines.append("- Problem codes of sections 10-11 (rows): "
                     + ("; ".join(f"`{k}` {', '.join(map(str, v))}" for k, v in codes.items()) or "none") + ".")
        lines.append("- Employers:")
        for eid, emp in e["employers"].items():
            flag = "**flagged for premium verification**" if eid in e["flagged_employers"] else "not flagged"
            lines.append(f"  - `{eid}` {emp['employer_name']}: {emp['employees']} employees, "
                         + ", ".join(f"{k} {emp[k]}" for k in STATUSES)
                         + f", max {emp['max_days_overdue']} days overdue, work_injury_overdue "
                         f"{emp['work_injury_overdue']}, deregistration_issues {emp['deregistration_issues']} "
                         f"— {flag}.")
        lines += ["", "Rows worth a look:", "",
                  "| row | name | status | duty | deadline | days late / left | id_kind | card_status | codes "
                  "| what |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for r in e["rows_detail"]:
            if not r["note"] and not (set(r["codes"]) - {"hire_date_is_career_start"}):
                continue
            days = r["days_late"] if r["days_late"] is not None else r["days_left"]
            note = r["note"] or "—"
            if "hire_date_is_career_start" in r["codes"] and r["note"]:
                note = f"(参加工作日期 is a career start: not judged) read as a hire date: {note}"
            lines.append(f"| {r['source_row']} | {r['name']} | {r['status']} | {r['duty']} | {r['deadline'] or '—'} "
                         f"| {'—' if days is None else days} | {r['id_kind'] or '—'} | {r['card_status'] or '—'} "
                         f"| {', '.join(r['codes']) or '—'} | {note} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    """Build, write and summarise all five samples."""
    OUT.mkdir(exist_ok=True)
    hr, hr_id, hr_name = build_hr(Factory(20251120))
    write_hr(hr, hr_name, OUT / "hr_roster_2025.xlsx")
    agency = build_agency(Factory(20251121))
    write_agency(agency, OUT / "agency_extract_gbk.csv")
    english = build_english(Factory(20251122))
    write_english(english, OUT / "english_roster.csv")
    legacy = build_legacy(Factory(20251123))
    write_legacy(legacy, OUT / "legacy_roster.xls")
    hr2026, totals_row = build_hr2026(Factory(20261120))
    write_hr2026(hr2026, OUT / "hr_roster_2026.xlsx", totals_row)
    for people in (hr, agency, english, legacy, hr2026):
        mark_duplicates(people)

    hr_args = ["--employer-id", hr_id, "--employer-name", hr_name]
    exp = {
        "hr_roster_2025.xlsx": summary(hr, "hr_roster_2025.xlsx", hr_args, False, True,
                                       [{"kind": "blank_rows", "row": 24, "text": None}]),
        "agency_extract_gbk.csv": summary(agency, "agency_extract_gbk.csv", [], True, False),
        "english_roster.csv": summary(english, "english_roster.csv", [], True, True),
        "legacy_roster.xls": summary(legacy, "legacy_roster.xls", [], True, False),
        "hr_roster_2026.xlsx": summary(hr2026, "hr_roster_2026.xlsx", [], True, False,
                                       [{"kind": "totals_row", "row": totals_row, "text": "合计"}]),
    }
    doc = {"as_of": AS_OF.isoformat(), "as_of_note": "the default; each file's own as_of wins",
           "calendar": "default (chinese_calendar)", "files": exp}
    (OUT / "expected.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (OUT / "README.md").write_text(readme(exp, hr_args) + "\n", encoding="utf-8")
    for name, e in exp.items():
        print(f"{name} (as of {e['as_of']}): {e['rows']} rows {e['statuses']} id_problems={e['id_problems']} "
              f"flagged={e['flagged_employers']}")


if __name__ == "__main__":
    main()
