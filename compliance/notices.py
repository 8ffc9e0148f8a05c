"""Documents an inspector can send, and the one-page employer report (issue 24), as DOCX and PDF.

Documents, not rules: this module lays out text that the use case (``jobs.case_notice``) computed, from
plain values (:class:`Notice`, :class:`EmployerReport`); it imports python-docx and reportlab, never the
store or Streamlit. Three documents:

- 《社会保险登记限期改正通知书》 (``rectification``): the social insurance administrative department orders
  the employer to register its employees within a time limit (社会保险法 Art. 84 "责令限期改正"), for the
  employees not registered within 30 days of employment (Art. 58 para. 1), states the premiums at stake
  (the worksheet's totals, late fees apart: Art. 86, 0.05% a day) and what follows if it is not put right
  (Art. 84: a fine of one to three times the premiums due, 500–3,000 yuan each person in charge; no fine
  figure, as README 11.6 shows none before ``not_rectified``);
- 《社会保险稽核告知书》 (``audit``): the agency's audit finding (社会保险稽核办法, 原劳动和社会保障部令
  第16号), with the premiums it verified (Art. 58 para. 1 "由社会保险经办机构核定") and the same deadline;
- 《用人单位社会保险登记情况报告》 (``report``): one page, the HR summary (counts by status, the overdue
  list) and the inspector's 稽核 summary (premiums, late fee, the case).

Every document names the employer and its USCC, lists the employees concerned by name and masked ID
number (``compliance.ids.mask_column``: never the full number), leaves the issuing agency as a placeholder
to be edited and a place for the seal (盖章处) with the date. Chinese text: the DOCX names 宋体/仿宋 (the
reader's fonts), the PDF uses reportlab's CID font ``STSong-Light`` (Adobe-GB1; not embedded, every PDF
reader has it: Debian's fonts-noto-cjk are OpenType/CFF, which reportlab cannot embed). Dates are written
``2025年10月31日``, money ``#,##0.00`` yuan.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import pandas as pd

from compliance import ids
from compliance.errors import ShebaoError
from compliance.i18n import t

NOTICE_KINDS = ("rectification", "audit")  # 限期改正通知书, 稽核告知书
KINDS = (*NOTICE_KINDS, "report")  # and the one-page employer report
FORMATS = ("docx", "pdf")
MIME = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "pdf": "application/pdf"}
TITLES = {"rectification": "社会保险登记限期改正通知书", "audit": "社会保险稽核告知书",
          "report": "用人单位社会保险登记情况报告"}
AGENCIES = {"rectification": "（社会保险行政部门名称）", "audit": "（社会保险经办机构名称）",
            "report": "（社会保险经办机构名称）"}  # placeholders, edited in the DOCX or given as ``agency``
LAW = "《中华人民共和国社会保险法》"
ARTICLES = (  # the legal basis, quoted as enacted (2010, amended 2018)
    f"{LAW}第五十八条第一款：用人单位应当自用工之日起三十日内为其职工向社会保险经办机构申请办理社会保险登记。"
    "未办理社会保险登记的，由社会保险经办机构核定其应当缴纳的社会保险费。",
    f"{LAW}第八十四条：用人单位不办理社会保险登记的，由社会保险行政部门责令限期改正；逾期不改正的，对用人单位"
    "处应缴社会保险费数额一倍以上三倍以下的罚款，对其直接负责的主管人员和其他直接责任人员处五百元以上三千元以下"
    "的罚款。",
    f"{LAW}第八十六条：用人单位未按时足额缴纳社会保险费的，由社会保险费征收机构责令限期缴纳或者补足，并自欠缴"
    "之日起，按日加收万分之五的滞纳金；逾期仍不缴纳的，由有关行政部门处欠缴数额一倍以上三倍以下的罚款。",
)
SITUATIONS = {"overdue": "未办理登记", "late": "逾期办理登记"}  # the table's 情形 column
REPORT_ROWS = 10  # overdue people listed on the one-page report; the rest are counted
BLANK_DATE = "＿＿＿＿年＿＿月＿＿日"


class NoticeError(ShebaoError):
    """A notice that cannot be written (unknown kind or format, nobody concerned)."""


@dataclass(frozen=True)
class Person:
    """One employee concerned, as a document shows them: the ID number masked."""

    name: str
    masked_id: str
    hire_date: dt.date | None
    deadline: dt.date | None
    status: str  # overdue or late (premiums.COVERED_STATUSES)
    months: int = 0  # contribution months of the worksheet
    premiums: float = 0.0  # their worksheet total, late fees apart
    days_late: int | None = None


@dataclass(frozen=True)
class Money:
    """A worksheet's totals (``premiums.TOTALS_COLUMNS``, summed), yuan."""

    premiums: float = 0.0  # total: premiums due, late fees apart (the Art. 84 base)
    employer_part: float = 0.0
    employee_part: float = 0.0
    late_fee: float = 0.0  # Art. 86, as of the as-of date
    months: int = 0
    at_average_wage: float = 0.0  # undeclared wages priced at the average wage (人社部令第20号 Art. 8)
    unconfirmed: bool = False  # a figure of the parameters used is not confirmed by a source

    @classmethod
    def of(cls, totals: pd.DataFrame, unconfirmed: bool = False) -> Money:
        if not len(totals):
            return cls(unconfirmed=unconfirmed)
        s = totals.sum(numeric_only=True)
        return cls(round(float(s["total"]), 2), round(float(s["employer_amount"]), 2),
                   round(float(s["employee_amount"]), 2), round(float(s["late_fee"]), 2), int(s["months"]),
                   round(float(s["total_at_average_wage"]), 2), unconfirmed)


@dataclass(frozen=True)
class Notice:
    """A 限期改正通知书 or 稽核告知书 of one case, in plain values."""

    kind: str  # NOTICE_KINDS
    case_id: int
    employer_id: str
    employer_name: str
    city: str  # the parameters' city (北京市)
    as_of: dt.date  # premiums and late fees computed to this day
    issued_on: dt.date  # the document's date, under the seal
    rectify_by: dt.date | None  # the case's; None: a blank date to fill in
    people: tuple[Person, ...]
    money: Money
    document: str | None = None  # the document the case recorded (compliance.cases.DOCUMENTS)
    agency: str | None = None  # the issuing body; None: the placeholder of AGENCIES
    basis: tuple[str, ...] = ARTICLES


@dataclass(frozen=True)
class CaseLine:
    """The case of a report's employer: state, notice, deadlines, the Art. 84 range once shown."""

    case_id: int
    state: str
    document: str | None
    rectify_by: dt.date | None
    investigate_by: dt.date
    fine: tuple[float, float, float, float] | None = None  # employer min, max, each person min, max


@dataclass(frozen=True)
class EmployerReport:
    """The one-page employer report: HR summary and the inspector's 稽核 summary."""

    employer_id: str
    employer_name: str
    city: str
    as_of: dt.date
    issued_on: dt.date
    counts: tuple[tuple[str, int], ...]  # (status, people), schema.STATUSES order, zeros left out
    overdue: tuple[Person, ...]
    covered: tuple[int, int]  # (overdue, registered late) people of the worksheet
    money: Money
    case: CaseLine | None = None
    agency: str | None = None
    kind: str = field(default="report", init=False)


def people_of(covered: pd.DataFrame, sheet: pd.DataFrame) -> tuple[Person, ...]:
    """The employees concerned from a worksheet's covered rows and month rows, in order of hire; ID numbers
    masked here (``ids.mask_column``), names with any ID-shaped run masked too."""
    if not len(covered):
        return ()
    rows = covered.drop_duplicates("ssn").sort_values(["hire_date", "name"], kind="stable")
    masked = ids.mask_column(rows["ssn"])
    per = sheet.groupby("ssn")[["total"]].agg(["sum", "count"]) if len(sheet) else None
    out = []
    for (_, row), mask in zip(rows.iterrows(), masked, strict=True):
        months, total = (int(per.loc[row["ssn"], ("total", "count")]), float(per.loc[row["ssn"], ("total", "sum")])) \
            if per is not None and row["ssn"] in per.index else (0, 0.0)
        days = row.get("days_late")
        out.append(Person(ids.mask_text(str(row["name"] if pd.notna(row["name"]) else "")), str(mask or ""),
                          _day(row.get("hire_date")), _day(row.get("deadline")), str(row["status"]), months,
                          round(total, 2), None if days is None or pd.isna(days) else int(days)))
    return tuple(out)


def render(doc: Notice | EmployerReport, fmt: str) -> bytes:
    """The document as ``docx`` or ``pdf`` bytes."""
    if fmt not in FORMATS:
        raise NoticeError.coded("notice_format", format=fmt, formats=", ".join(FORMATS))
    blocks = report_blocks(doc) if isinstance(doc, EmployerReport) else notice_blocks(doc)
    return _docx(blocks) if fmt == "docx" else _pdf(blocks, compact=isinstance(doc, EmployerReport))


def file_name(kind: str, case_id: int | str, fmt: str) -> str:
    """``社会保险登记限期改正通知书-案件3.docx``."""
    return f"{TITLES[kind]}-案件{case_id}.{fmt}"


# --- text -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Text:
    text: str
    style: str = "body"  # title, subtitle, plain, body, heading, right, small, gap


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # shares of the text width


@dataclass(frozen=True)
class Seal:
    """The issuing body, the place for its seal (盖章处) and the date, kept together on one page."""

    agency: str
    day: dt.date
    room: bool = True  # blank lines for the seal above and below 盖章处


Block = Text | Table | Seal


def cn_date(day: dt.date | None) -> str:
    """``2025年10月31日``; a blank to fill in when there is no date."""
    return BLANK_DATE if day is None else f"{day.year}年{day.month}月{day.day}日"


def yuan(amount: float) -> str:
    """``#,##0.00``."""
    return f"{amount:,.2f}"


def _day(value: object) -> dt.date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def _iso(day: dt.date | None) -> str:
    return "" if day is None else day.isoformat()


def _addressee(employer_name: str, employer_id: str) -> str:
    return f"{ids.mask_text(employer_name) or '（单位名称）'}（统一社会信用代码：{employer_id}）："


def _findings(people: Sequence[Person]) -> list[str]:
    overdue = sum(p.status == "overdue" for p in people)
    late = sum(p.status == "late" for p in people)
    found = []
    if overdue:
        found.append(f"{overdue}名职工自用工之日起三十日内未申请办理社会保险登记，至今仍未登记")
    if late:
        found.append(f"{late}名职工未在自用工之日起三十日内申请办理社会保险登记，登记前的月份未参保缴费")
    return found


def _premiums(n: Notice, verb: str, final: str = "") -> str:
    m = n.money
    text = (f"{verb}，上述职工应缴未缴的社会保险费合计人民币{yuan(m.premiums)}元（其中用人单位缴纳部分"
            f"{yuan(m.employer_part)}元，职工个人缴纳部分{yuan(m.employee_part)}元，由用人单位代扣代缴），共计"
            f"{m.months}个缴费月份，按{n.city}社会保险缴费基数和费率计算至{cn_date(n.as_of)}，不含滞纳金{final}。")
    if m.at_average_wage > m.premiums + 0.005:
        text += (f"其中未申报工资的月份按核定缴费基数计算；如按当地职工月平均工资计算，合计为人民币"
                 f"{yuan(m.at_average_wage)}元。")
    text += (f"依据{LAW}第八十六条，自欠缴之日起按日加收万分之五的滞纳金，截至{cn_date(n.as_of)}为人民币"
             f"{yuan(m.late_fee)}元，实际金额计算至缴清之日。")
    if m.unconfirmed:
        text += "部分缴费参数尚待核实，上述金额仅供参考，最终以核定结果为准。"
    return text


def _people_table(people: Sequence[Person]) -> Table:
    rows = tuple((str(i), p.name, p.masked_id, _iso(p.hire_date), _iso(p.deadline), SITUATIONS.get(p.status, p.status),
                  str(p.months), yuan(p.premiums)) for i, p in enumerate(people, start=1))
    total = ("合计", "", "", "", "", "", str(sum(p.months for p in people)), yuan(sum(p.premiums for p in people)))
    return Table(("序号", "姓名", "公民身份号码", "入职日期", "登记期限", "情形", "月数", "应缴保费（元）"),
                 (*rows, total), (0.07, 0.1, 0.22, 0.12, 0.12, 0.17, 0.08, 0.12))


def notice_blocks(n: Notice) -> list[Block]:
    """The notice as titled paragraphs and tables, shared by the DOCX and the PDF."""
    if n.kind not in NOTICE_KINDS:
        raise NoticeError.coded("notice_kind", kind=n.kind, kinds=", ".join(KINDS))
    agency = n.agency or AGENCIES[n.kind]
    found = _findings(n.people)
    numbered = "存在以下情形：" + "；".join(f"（{'一二'[i]}）{f}" for i, f in enumerate(found)) if len(found) > 1 \
        else "有" + "".join(found)
    blocks: list[Block] = [Text(TITLES[n.kind], "title"),
                           Text(f"〔{n.issued_on.year}〕第＿＿＿＿号　　案件编号：{n.case_id}", "subtitle"),
                           Text(_addressee(n.employer_name, n.employer_id), "plain")]
    if n.kind == "rectification":
        blocks += [
            Text(f"经核查，截至{cn_date(n.as_of)}，你单位{numbered}（名单见附表）。上述行为违反了{LAW}第五十八条"
                 "第一款关于用人单位应当自用工之日起三十日内为其职工申请办理社会保险登记的规定。"),
            Text(f"根据{LAW}第八十四条的规定，现责令你单位于{cn_date(n.rectify_by)}前改正：为上述职工向社会保险"
                 "经办机构申请办理社会保险登记，如实申报缴费工资，并依法补缴应缴的社会保险费。"),
            Text(_premiums(n, "经初步核算", "，最终以社会保险经办机构核定的数额为准")),
            Text(f"逾期不改正的，将依照{LAW}第八十四条的规定，对你单位处应缴社会保险费数额一倍以上三倍以下的罚款，"
                 "对直接负责的主管人员和其他直接责任人员处五百元以上三千元以下的罚款。"),
            Text("你单位如对本通知不服，可以自收到本通知书之日起六十日内依法申请行政复议，或者自收到本通知书之日起"
                 "六个月内依法向人民法院提起行政诉讼。"),
            Text("特此通知。"),
        ]
    else:
        blocks += [
            Text(f"根据{LAW}和《社会保险稽核办法》（原劳动和社会保障部令第16号）的规定，本机构对你单位职工社会保险"
                 "登记及社会保险费缴纳情况进行了稽核。现将稽核结果告知如下："),
            Text(f"一、稽核发现的问题。截至{cn_date(n.as_of)}，你单位{numbered}（名单见附表）。上述情形不符合{LAW}"
                 "第五十八条第一款的规定。"),
            Text("二、核定的社会保险费。依据" + LAW + "第五十八条第一款，" + _premiums(n, "本机构核定")),
            Text(f"三、整改要求。请你单位于{cn_date(n.rectify_by)}前为上述职工办理社会保险登记，申报并补缴上述社会"
                 "保险费及滞纳金，并将整改情况书面报送本机构。"),
            Text(f"四、法律责任。逾期不改正的，本机构将提请社会保险行政部门依照{LAW}第八十四条的规定，对你单位处应缴"
                 "社会保险费数额一倍以上三倍以下的罚款，对直接负责的主管人员和其他直接责任人员处五百元以上三千元以下"
                 f"的罚款；逾期仍不缴纳社会保险费的，依照该法第八十六条的规定处理。"),
            Text("如对上述稽核结果有异议，请在收到本告知书后及时向本机构书面提出陈述和申辩意见，并提供相关证明材料。"),
            Text("特此告知。"),
        ]
    blocks += [Text("联系人：＿＿＿＿＿＿　　联系电话：＿＿＿＿＿＿＿＿", "plain"), Seal(agency, n.issued_on),
               Text("附表：未依法办理社会保险登记的职工名单（公民身份号码部分隐去）", "heading"),
               _people_table(n.people),
               Text("附：法律依据", "heading"), *(Text(line, "small") for line in n.basis),
               Text("送达回执", "heading"),
               Text(f"受送达单位：{ids.mask_text(n.employer_name)}（盖章）　　签收人：＿＿＿＿＿＿　　签收日期："
                    f"{BLANK_DATE}", "plain")]
    return blocks


def report_blocks(r: EmployerReport) -> list[Block]:
    """The one-page report: who is where (HR), what is owed and where the case stands (稽核)."""
    total = sum(n for _, n in r.counts)
    m = r.money
    listed = r.overdue[:REPORT_ROWS]
    blocks: list[Block] = [
        Text(TITLES["report"], "title"),
        Text(f"单位名称：{ids.mask_text(r.employer_name)}　　统一社会信用代码：{r.employer_id}", "plain"),
        Text(f"城市：{r.city}　　核查基准日：{cn_date(r.as_of)}　　生成日期：{cn_date(r.issued_on)}", "plain"),
        Text("一、职工社会保险登记情况（人力资源部门）", "heading"),
        Table(("登记状态", *(t(f"status.{s}", "zh") for s, _ in r.counts), "合计"),
              (("人数", *(str(n) for _, n in r.counts), str(total)),),
              (0.16, *([0.84 / (len(r.counts) + 1)] * (len(r.counts) + 1)))),
        Text(f"逾期未登记职工（{len(r.overdue)}人）" if r.overdue else "没有逾期未登记的职工。", "plain"),
    ]
    if listed:
        blocks.append(Table(("序号", "姓名", "公民身份号码（部分隐去）", "入职日期", "登记期限", "逾期天数"),
                            tuple((str(i), p.name, p.masked_id, _iso(p.hire_date), _iso(p.deadline),
                                   "" if p.days_late is None else str(p.days_late))
                                  for i, p in enumerate(listed, start=1)),
                            (0.08, 0.14, 0.3, 0.16, 0.16, 0.16)))
    if len(r.overdue) > len(listed):
        blocks.append(Text(f"另有{len(r.overdue) - len(listed)}人未列出，详见保费核定工作表。", "small"))
    overdue, late = r.covered
    blocks += [
        Text("二、稽核摘要（社会保险经办机构）", "heading"),
        Text(f"核定范围：逾期未登记{overdue}人，逾期登记{late}人（登记前月份），共{m.months}个缴费月份（{r.city}"
             "缴费参数）。", "plain"),
        Text(f"应缴社会保险费：人民币{yuan(m.premiums)}元（用人单位{yuan(m.employer_part)}元，职工个人"
             f"{yuan(m.employee_part)}元），不含滞纳金；滞纳金（{LAW}第八十六条，按日万分之五，截至"
             f"{cn_date(r.as_of)}）：人民币{yuan(m.late_fee)}元；合计人民币{yuan(m.premiums + m.late_fee)}元。",
             "plain"),
    ]
    if m.at_average_wage > m.premiums + 0.005:
        blocks.append(Text(f"未申报工资的月份按核定基数计算；按当地职工月平均工资计算为人民币{yuan(m.at_average_wage)}元。",
                           "small"))
    if m.unconfirmed:
        blocks.append(Text("部分缴费参数尚待核实，金额供参考，不作为核定决定。", "small"))
    blocks.append(Text(_case_line(r.case), "plain"))
    if r.case is not None and r.case.fine is not None:
        low, high, p_low, p_high = r.case.fine
        blocks.append(Text(f"{LAW}第八十四条罚款幅度：用人单位{yuan(low)}–{yuan(high)}元（应缴保费的一至三倍）；"
                           f"直接负责的主管人员和其他直接责任人员每人{yuan(p_low)}–{yuan(p_high)}元。", "plain"))
    blocks += [Text(f"依据：{LAW}第五十八条（自用工之日起三十日内办理社会保险登记）、第八十四条（责令限期改正；逾期"
                    "不改正的，处应缴社会保险费一至三倍罚款，直接负责的主管人员和其他直接责任人员五百元至三千元）、"
                    "第八十六条（按日加收万分之五的滞纳金）。", "small"),
               Seal(r.agency or AGENCIES["report"], r.issued_on, room=False)]
    return blocks


def _case_line(case: CaseLine | None) -> str:
    if case is None:
        return "案件：尚未立案。"
    doc = {"rectification_order": "限期改正指令书", "audit_opinion": "稽核整改意见书",
           "payment_notice": "限期缴费通知书"}.get(case.document or "", "")
    served = f"；已送达{doc}，改正期限{cn_date(case.rectify_by)}" if doc else ""
    state = t(f"case.{case.state}", "zh")
    return f"案件：编号{case.case_id}，{state}{served}；调查期限{cn_date(case.investigate_by)}。"


# --- DOCX (python-docx) ---------------------------------------------------------------------------------

_DOCX_SIZES = {"title": 20, "subtitle": 11, "plain": 12, "body": 12, "heading": 12, "right": 12, "small": 10,
               "gap": 12}


def _docx(blocks: Iterable[Block]) -> bytes:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(26)
    section.top_margin, section.bottom_margin = Mm(30), Mm(25)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(_qn("w:eastAsia"), "仿宋")
    width = section.page_width - section.left_margin - section.right_margin
    for block in _flat(blocks):
        if isinstance(block, Table):
            table = doc.add_table(rows=1, cols=len(block.header), style="Table Grid")
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for row_cells, values in zip([table.rows[0].cells] + [table.add_row().cells for _ in block.rows],
                                         [block.header, *block.rows], strict=True):
                for cell, value, share in zip(row_cells, values, block.widths, strict=True):
                    cell.width = int(width * share)
                    _docx_run(cell.paragraphs[0].add_run(value), 9.5, values is block.header)
            doc.add_paragraph()
            continue
        p = doc.add_paragraph()
        fmt = p.paragraph_format
        fmt.space_after, fmt.line_spacing = Pt(0), 1.5
        if block.style in ("title", "subtitle"):
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif block.style == "right":
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif block.style == "body":
            fmt.first_line_indent = Pt(24)  # two characters
        if block.style in ("title", "heading"):
            fmt.space_before, fmt.space_after = Pt(6), Pt(6)
        _docx_run(p.add_run(block.text), _DOCX_SIZES[block.style], block.style in ("title", "heading"),
                  "宋体" if block.style == "title" else "仿宋")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _flat(blocks: Iterable[Block]) -> Iterable[Text | Table]:
    """A seal as its lines (the DOCX: the user moves them as they like)."""
    for block in blocks:
        if isinstance(block, Seal):
            gap = [Text("", "gap")] if block.room else []
            yield from [*gap, Text(block.agency, "right"), Text("（盖章处）", "right"), *gap,
                        Text(cn_date(block.day), "right")]
        else:
            yield block


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(tag)


def _docx_run(run: object, size: float, bold: bool = False, east_asia: str = "仿宋") -> None:
    from docx.shared import Pt

    run.font.size, run.font.bold, run.font.name = Pt(size), bold, "Times New Roman"  # type: ignore[attr-defined]
    run._element.get_or_add_rPr().get_or_add_rFonts().set(_qn("w:eastAsia"), east_asia)  # type: ignore[attr-defined]


# --- PDF (reportlab) ------------------------------------------------------------------------------------

FONT = "STSong-Light"


def _pdf(blocks: Iterable[Block], compact: bool = False) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as PdfTable

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    size = 10 if compact else 12
    lead = size * (1.5 if compact else 1.75)
    base = ParagraphStyle("base", fontName=FONT, fontSize=size, leading=lead, wordWrap="CJK")
    styles = {
        "title": ParagraphStyle("title", base, fontSize=18 if compact else 20, leading=30, alignment=TA_CENTER,
                                spaceAfter=6 if compact else 10),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=10.5, alignment=TA_CENTER, spaceAfter=8),
        "plain": base,
        "body": ParagraphStyle("body", base, firstLineIndent=2 * size),
        "heading": ParagraphStyle("heading", base, fontSize=size + 1, spaceBefore=6, spaceAfter=3),
        "right": ParagraphStyle("right", base, alignment=TA_RIGHT),
        "small": ParagraphStyle("small", base, fontSize=size - 2, leading=(size - 2) * 1.5),
        "gap": base,
    }
    cell = ParagraphStyle("cell", base, fontSize=8.5 if compact else 9, leading=12)
    page_width, _ = A4
    margin = 22 * mm if compact else 25 * mm
    width = page_width - 2 * margin
    story: list[object] = []
    blocks = list(blocks)
    for block in blocks:
        if isinstance(block, Table):
            data = [[Paragraph(escape(v), cell) for v in row] for row in (block.header, *block.rows)]
            table = PdfTable(data, colWidths=[width * s for s in block.widths], repeatRows=1)
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                       ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                                       ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
            story += [table, Spacer(1, 4 if compact else 8)]
        elif isinstance(block, Seal):
            gap = [Spacer(1, lead * 2)] if block.room else []
            story.append(KeepTogether([*gap, Paragraph(escape(block.agency), styles["right"]),
                                       Paragraph("（盖章处）", styles["right"]), *gap,
                                       Paragraph(cn_date(block.day), styles["right"])]))
        elif block.style == "gap":
            story.append(Spacer(1, lead * (1 if compact else 2)))
        else:
            story.append(Paragraph(escape(block.text), styles[block.style]))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=margin,
                      bottomMargin=margin, title=blocks[0].text if blocks and isinstance(blocks[0], Text) else "",
                      author="", creator="shebao-check").build(story)
    return out.getvalue()
