"""The documents an inspector sends (issue 24, compliance.notices): 《社会保险登记限期改正通知书》, the 稽核告知
variant 《社会保险稽核告知书》 and the one-page employer report, as DOCX (read back with python-docx) and PDF
(read back with Debian's pdftotext), from a case of a stored roster and registry extract; the ``case notice``
command; the cases page's download buttons.

The store (SQLite in tmp_path), as of 2025-11-20, Beijing's parameters, employer 甲公司 911101000000000001,
the registry deciding who was registered (README section 8):
- 张三, hired 2025-09-03, wage 9,000, no registry record: overdue (deadline 2025-10-09 after National Day);
- 赵六, hired 2025-10-08, no wage, no record: overdue (deadline 2025-11-07);
- 李四, hired 2025-01-10, registered 2025-03-20: late (gap months 2025-01 and 2025-02);
- 王五, hired 2025-02-10, registered 2025-02-20: on time, not concerned.
The premiums at stake are the worksheet's ``total`` (late fees apart), summed here from its month rows.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest

from compliance import accounts, cli, jobs, notices, premiums, store
from compliance.i18n import t
from compliance.ids import calc_check_digit, mask

EMP, NAME = "911101000000000001", "甲公司"
AS_OF = dt.date(2025, 11, 20)
RECTIFY_BY = dt.date.today() + dt.timedelta(days=20)  # a notice's rectify-by date is not before the move


def person(body17: str) -> str:
    return body17 + calc_check_digit(body17)


A, B, C, E = (person("11010519900307101"), person("11010519850612202"), person("31010419920101303"),
              person("51010719950505505"))
CONCERNED = {"张三": A, "赵六": E, "李四": B}


def cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def engine(tmp_path: Path):
    """A store with the roster and the registry extract above."""
    eng = store.connect(f"sqlite:///{tmp_path / 'shebao.sqlite'}")
    jobs.store_roster(eng, write(tmp_path / "roster.csv", [
        "统一社会信用代码,单位名称,姓名,身份证号,入职日期,参保日期,月工资",
        f"{EMP},{NAME},张三,{A},2025-09-03,,9000",
        f"{EMP},{NAME},李四,{B},2025-01-10,,",
        f"{EMP},{NAME},王五,{C},2025-02-10,2025-02-20,",
        f"{EMP},{NAME},赵六,{E},2025-10-08,,",
    ]))
    jobs.import_registry(eng, write(tmp_path / "registry.csv", [
        "社会保障号码,统一社会信用代码,参保登记日期",
        f"{B},{EMP},2025-03-20",
        f"{C},{EMP},2025-02-20",
    ]))
    return eng


@pytest.fixture
def case(engine) -> int:
    """A case opened for the employer and notified with a rectification order and its rectify-by date."""
    case_id = jobs.open_case(engine, EMP, "2 employees unregistered", by="inspector1")
    jobs.move_case(engine, case_id, "notified", "限期改正指令书 served", by="inspector1",
                   document="rectification_order", rectify_by=RECTIFY_BY)
    return case_id


@pytest.fixture(scope="module")
def pdftotext() -> str:
    found = shutil.which("pdftotext")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("pdftotext is missing: .ci/run installs Debian's poppler-utils")
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils)")
    return found


def pdf_text(data: bytes, tool: str) -> str:
    proc = subprocess.run([tool, "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True, timeout=60)
    return proc.stdout.decode("utf-8")


def docx_text(data: bytes) -> str:
    doc = docx.Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def read_back(data: bytes, fmt: str, tool: str | None) -> str:
    """The document's text with all white space taken out (a PDF line may break anywhere in Chinese)."""
    text = docx_text(data) if fmt == "docx" else pdf_text(data, tool)
    return "".join(text.split())


def expected_premiums(engine) -> tuple[str, str]:
    """The premiums due and the late fee, ``#,##0.00``, summed from the worksheet's month rows and checked
    against its totals."""
    ws = jobs.worksheet(engine, EMP, AS_OF, premiums.load_params("beijing"))
    due, fee = round(float(ws.sheet["total"].sum()), 2), round(float(ws.sheet["late_fee"].sum()), 2)
    assert due == pytest.approx(float(ws.totals["total"].sum())) and due > 0
    assert sorted(ws.sheet["name"].unique()) == sorted(CONCERNED)
    return f"{due:,.2f}", f"{fee:,.2f}"


@pytest.mark.parametrize("kind", notices.NOTICE_KINDS)
@pytest.mark.parametrize("fmt", notices.FORMATS)
def test_a_notice_names_the_employer_the_masked_employees_the_premiums_the_date_and_the_three_articles(
        engine, case: int, kind: str, fmt: str, request: pytest.FixtureRequest) -> None:
    tool = request.getfixturevalue("pdftotext") if fmt == "pdf" else None
    data = jobs.case_notice(engine, case, kind, fmt, AS_OF, premiums.load_params("beijing"))
    text = read_back(data, fmt, tool)
    assert notices.TITLES[kind] in text
    assert NAME in text and EMP in text
    for name, number in CONCERNED.items():
        assert name in text and mask(number) in text
        assert number not in text  # never the full number
    assert "王五" not in text  # registered on time: not concerned
    due, fee = expected_premiums(engine)
    assert f"人民币{due}元" in text and f"人民币{fee}元" in text
    assert f"于{cn(RECTIFY_BY)}前" in text
    for article in ("第五十八条", "第八十四条", "第八十六条"):
        assert article in text
    assert "一倍以上三倍以下" in text and "五百元以上三千元以下" in text and "万分之五" in text
    assert "盖章处" in text and notices.AGENCIES[kind] in text
    if fmt == "docx":  # nor anywhere in the file (its XML, its properties)
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            raw = b"".join(zf.read(n) for n in zf.namelist()).decode("utf-8", "replace")
        assert not [n for n in CONCERNED.values() if n in raw]


def test_a_case_not_yet_notified_leaves_the_rectify_by_date_blank_to_fill_in(engine) -> None:
    case_id = jobs.open_case(engine, EMP, "2 employees unregistered")
    text = read_back(jobs.case_notice(engine, case_id, "rectification", "docx", AS_OF,
                                      premiums.load_params("beijing")), "docx", None)
    assert f"于{notices.BLANK_DATE}前" in text


@pytest.mark.parametrize("fmt", notices.FORMATS)
def test_the_employer_report_is_one_page_of_counts_overdue_people_and_the_audit_summary(
        engine, case: int, fmt: str, request: pytest.FixtureRequest) -> None:
    tool = request.getfixturevalue("pdftotext") if fmt == "pdf" else None
    data = jobs.case_notice(engine, case, "report", fmt, AS_OF, premiums.load_params("beijing"))
    if fmt == "pdf":
        assert pdf_text(data, tool).count("\f") == 1  # one page
    text = read_back(data, fmt, tool)
    assert notices.TITLES["report"] in text and NAME in text and EMP in text
    # counts by status: on time 1 (王五), late 1 (李四), overdue 2 (张三, 赵六), 4 in all
    assert "按时登记逾期登记逾期未登记合计人数1124" in text
    for name in ("张三", "赵六"):
        assert name in text and mask(CONCERNED[name]) in text and CONCERNED[name] not in text
    assert "李四" not in text  # the overdue list only
    due, fee = expected_premiums(engine)
    assert f"人民币{due}元" in text and f"人民币{fee}元" in text
    assert f"编号{case}，已通知" in text and cn(RECTIFY_BY) in text
    assert "第八十四条罚款幅度" not in text  # no fine figure before not_rectified (README 11.6)


def test_the_report_of_an_employer_without_a_case_says_so(engine) -> None:
    text = read_back(jobs.employer_report(engine, EMP, "docx", AS_OF, premiums.load_params("beijing")), "docx", None)
    assert "案件：尚未立案。" in text and "按时登记逾期登记逾期未登记合计人数1124" in text
    assert f"人民币{expected_premiums(engine)[0]}元" in text


def test_notices_render_from_plain_values_alone() -> None:
    """The module needs no store: a Notice of plain values, the ID number masked by ``people_of``'s rule."""
    person_ = notices.Person("钱七", mask(A), dt.date(2025, 9, 3), dt.date(2025, 10, 9), "overdue", 2, 6666.0)
    notice = notices.Notice("audit", 7, EMP, NAME, "北京市", AS_OF, AS_OF, dt.date(2025, 12, 31), (person_,),
                            notices.Money(6666.0, 4770.0, 1896.0, 68.32, 2, 6666.0),
                            agency="北京市社会保险事业管理中心")
    text = read_back(notices.render(notice, "docx"), "docx", None)
    assert "钱七" in text and mask(A) in text and "人民币6,666.00元" in text and "于2025年12月31日前" in text
    assert "北京市社会保险事业管理中心" in text and "未申报工资" not in text  # no month at the default base
    with pytest.raises(notices.NoticeError, match="docx, pdf"):
        notices.render(notice, "odt")


def test_the_city_of_an_employer_is_read_from_its_credit_code() -> None:
    assert jobs.employer_city(EMP) == "beijing"  # region 110100
    assert jobs.employer_city("91310115MA1H7XXX0X") == "shanghai"  # 310115 浦东新区
    assert jobs.employer_city("914403057569602043") is None  # Shenzhen: no shipped parameters
    assert jobs.employer_city("123") is None


def test_the_case_notice_command_writes_both_formats(engine, case: int, tmp_path: Path, capsys, pdftotext: str
                                                     ) -> None:
    db = str(engine.url)
    due, _ = expected_premiums(engine)
    for fmt in notices.FORMATS:
        out = tmp_path / f"notice.{fmt}"
        code = cli.main(["case", "notice", str(case), "--kind", "rectification", "--out", str(out),
                         "--as-of", AS_OF.isoformat(), "--db", db])  # the city from the USCC: Beijing
        assert code == 0
        said = capsys.readouterr().out
        assert said == f"case {case}: 社会保险登记限期改正通知书 (北京市, as of 2025-11-20) -> {out}\n"
        text = read_back(out.read_bytes(), fmt, pdftotext)
        assert NAME in text and f"人民币{due}元" in text and cn(RECTIFY_BY) in text
    out = tmp_path / "audit.pdf"
    assert cli.main(["case", "notice", str(case), "--kind", "audit", "--out", str(out), "--as-of", "2025-11-20",
                     "--city", "beijing", "--db", db]) == 0
    assert notices.TITLES["audit"] in read_back(out.read_bytes(), "pdf", pdftotext)


@pytest.mark.parametrize(("args", "message"), [
    (["case", "notice", "99", "--kind", "audit", "--out", "x.pdf"], "error: no case 99\n"),
    (["case", "notice", "abc", "--kind", "audit", "--out", "x.pdf"], "error: 'abc' is not a case number\n"),
    (["case", "notice", "1", "--kind", "audit", "--out", "x.txt"],
     "error: a notice is written as .docx, .pdf, not '.txt'\n"),
    (["case", "notice", "1", "--out", "x.pdf"],
     "error: case notice needs --kind (rectification, audit or report) and --out FILE.docx|FILE.pdf\n"),
    (["case", "show", "1", "--kind", "audit"], "error: --kind goes with 'case notice', not 'case show'\n"),
])
def test_a_wrong_case_or_argument_is_exit_2_with_one_line(engine, case: int, tmp_path: Path, capsys, monkeypatch,
                                                          args: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main([*args, "--db", str(engine.url)]) == 2
    captured = capsys.readouterr()
    assert captured.err == message and not list(tmp_path.glob("x.*"))


def test_a_case_whose_employer_has_nobody_concerned_gets_no_notice(engine, tmp_path: Path, capsys) -> None:
    other = "911101000000000002"
    jobs.store_roster(engine, write(tmp_path / "other.csv", [
        "统一社会信用代码,单位名称,姓名,身份证号,入职日期,参保日期",
        f"{other},乙公司,孙八,{C},2025-02-10,2025-02-20",
    ]))
    case_id = jobs.open_case(engine, other, "checked")
    out = tmp_path / "n.pdf"
    assert cli.main(["case", "notice", str(case_id), "--kind", "audit", "--out", str(out), "--as-of", "2025-11-20",
                     "--db", str(engine.url)]) == 2
    assert "nobody of employer 911101000000000002" in capsys.readouterr().err and not out.exists()
    report = jobs.case_notice(engine, case_id, "report", "docx", AS_OF, premiums.load_params("beijing"))
    assert "没有逾期未登记的职工" in read_back(report, "docx", None)


def test_the_cases_page_offers_each_notice_in_each_format_built_at_click_time(
        engine, case: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cases page lays out one download button per document and format for the selected case, each through
    ``widgets.audited_download`` (built and audited when clicked); what a click would build is built here from
    the arguments the page handed over."""
    from streamlit.testing.v1 import AppTest

    import views.widgets

    monkeypatch.setenv("SHEBAO_DB", str(engine.url))
    password = "correct horse battery staple"
    accounts.add_user(engine, "insp", "inspector", password)
    handed: dict[str, tuple] = {}
    real = views.widgets.audited_download

    def recording(user, employer_ids, what, make, *args, **kwargs):
        handed[what] = (employer_ids, make, args)
        return real(user, employer_ids, what, make, *args, **kwargs)

    monkeypatch.setattr(views.widgets, "audited_download", recording)
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=120).run()
    at.switch_page("views/pages/cases.py").run()
    at.text_input(key="auth-username").input("insp")
    at.text_input(key="auth-password").input(password)
    next(b for b in at.button if b.label == "登录 / Sign in").click().run()
    at.date_input(key="cases-as-of").set_value(AS_OF).run()
    assert not at.exception
    buttons = {b.proto.id.split("-cases-notice-")[1]: b.proto for b in at.get("download_button")
               if "-cases-notice-" in b.proto.id}
    wanted = {f"{kind}-{fmt}": kind for kind in notices.KINDS for fmt in notices.FORMATS}
    assert set(buttons) == set(wanted)
    for key, kind in wanted.items():
        fmt = key.rsplit("-", 1)[1]
        assert buttons[key].label == t(f"notice.{kind}", "zh").format(fmt=fmt.upper()) and "下载" in buttons[key].label
        employer_ids, make, args = handed[f"notice {kind} case {case} .{fmt}"]
        assert employer_ids == [EMP]
        data = make(*args)
        assert data[:4] == (b"PK\x03\x04" if fmt == "docx" else b"%PDF")
        if fmt == "docx":
            text = read_back(data, fmt, None)
            assert notices.TITLES[kind] in text and NAME in text and cn(AS_OF) in text
