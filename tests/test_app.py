"""Streamlit AppTest for every page: the numbers shown equal what compliance computes."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from compliance import accounts, cards, catalogue, ids, jobs, store
from compliance.cards import status_breakdown
from compliance.employers import summarise
from compliance.i18n import t
from compliance.registration import STATUSES, check, status_counts
from compliance.rosters import read_rosters

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_uploads"
PAGES = {"views/pages/hr.py": "hr", "views/pages/inspector.py": "insp", "views/pages/cards.py": "insp",
         "views/pages/flexible.py": None, "views/pages/store.py": "insp", "views/pages/worksheet.py": "insp",
         "views/pages/cases.py": "insp", "views/pages/admin.py": "boss"}
PASSWORD = "correct horse battery staple"
SAMPLE_EMPLOYER = "911101055347017256"  # hr_roster_2025.xlsx belongs to this employer (sample_uploads/README.md)


@pytest.fixture(autouse=True)
def app_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every app test on its own SQLite store with one user per role."""
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    monkeypatch.setenv("SHEBAO_DB", url)
    engine = store.connect(url)
    accounts.add_user(engine, "hr", "hr", PASSWORD, [SAMPLE_EMPLOYER])
    accounts.add_user(engine, "insp", "inspector", PASSWORD)
    accounts.add_user(engine, "boss", "admin", PASSWORD)
    return url


def sign_in(at: AppTest, username: str, password: str = PASSWORD) -> AppTest:
    at.text_input(key="auth-username").input(username)
    at.text_input(key="auth-password").input(password)
    next(b for b in at.button if b.label == "登录 / Sign in").click()
    return at.run()


def app(page: str, user: str | None = "default") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page(page).run()
    user = PAGES[page] if user == "default" else user
    return sign_in(at, user) if user else at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected_counts(names: list[str], as_of: dt.date, calendar_days: bool = False, **employer: str) -> dict:
    rosters = read_rosters([SAMPLES / n for n in names], employer.get("employer_id"), employer.get("employer_name"))
    return status_counts(check(rosters, as_of, calendar_days=calendar_days).results)


def table(at: AppTest, column: str, lang: str = "zh"):
    """The first data table on the page that has the (translated) column."""
    label = t(f"col.{column}", lang)
    for frame in at.dataframe:
        if label in frame.value.columns:
            return frame.value
    raise AssertionError(f"no table with column {label!r}")


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_runs_without_exception(page: str) -> None:
    at = app(page)
    assert not at.exception
    assert at.title[0].value == t(f"page.{Path(page).stem}", "zh")


@pytest.mark.parametrize("page", [p for p, role in PAGES.items() if role])
def test_pages_ask_for_sign_in_with_the_contract_labels(page: str) -> None:
    at = app(page, user=None)
    assert [i.label for i in at.text_input] == ["用户名 / Username", "密码 / Password"]
    assert "登录 / Sign in" in [b.label for b in at.button]
    assert not at.dataframe and not at.metric  # nothing shown before sign-in


def test_wrong_username_and_wrong_password_get_the_same_message() -> None:
    at = app("views/pages/hr.py", user=None)
    sign_in(at, "hr", "wrong password!")
    wrong_password = [e.value for e in at.error]
    at = app("views/pages/hr.py", user=None)
    sign_in(at, "nobody-here", PASSWORD)
    # one message for both (no telling which usernames exist), in the interface's language
    assert [e.value for e in at.error] == wrong_password == ["用户名或密码错误"]


@pytest.mark.parametrize(("page", "user"), [("views/pages/inspector.py", "hr"), ("views/pages/store.py", "hr"),
                                            ("views/pages/worksheet.py", "hr"), ("views/pages/cases.py", "hr"),
                                            ("views/pages/hr.py", "insp"), ("views/pages/admin.py", "insp"),
                                            ("views/pages/admin.py", "hr"), ("views/pages/cards.py", "boss")])
def test_pages_for_other_roles_say_so_and_show_nothing(page: str, user: str) -> None:
    at = app(page, user)
    assert at.warning and t("auth.wrong_role", "zh") in at.warning[0].value
    assert not at.dataframe and not at.metric and not at.file_uploader
    assert not at.text_input and not at.toggle and not at.selectbox and not at.get("form")  # no widget of the page
    own = {"hr": "page.hr", "insp": "page.inspector", "boss": "page.admin"}[user]
    assert [link.label for link in at.page_link] == [t("auth.your_page", "zh").format(page=t(own, "zh"))]


def test_hr_sees_only_its_employer_and_views_are_audited(app_store: str) -> None:
    at = app("views/pages/hr.py")
    at.button(key="hr-sample").click().run()
    # the sample roster's rows all belong to the HR user's employer
    assert not at.warning
    engine = store.connect(app_store)
    views = store.audit_entries(engine)
    views = views[views["action"] == "view"]
    assert views[["actor", "employer_id"]].values.tolist() == [["hr", SAMPLE_EMPLOYER]]


def test_hr_scope_sets_aside_other_employers_rows() -> None:
    # agency_extract_gbk.csv holds 123 rows of 5 employers; 30 belong to 914403057569602043
    # (sample_uploads/README.md)
    result = check(read_rosters([SAMPLES / "agency_extract_gbk.csv"]), dt.date(2025, 11, 20))
    user = accounts.User("hr-x", "hr", frozenset({"914403057569602043"}))
    scoped, set_aside = jobs.scope(result, user)
    assert (len(scoped.results), set_aside) == (30, 93)
    assert set(scoped.results["employer_id"]) == {"914403057569602043"}
    kept = set(zip(scoped.results["source_file"], scoped.results["source_row"], strict=True))
    assert all((f, r) in kept for f, r in scoped.problems.dropna(subset=["source_row"])[
        ["source_file", "source_row"]].itertuples(index=False))
    admin = accounts.User("boss", "admin")
    assert len(jobs.scope(result, admin)[0].results) == 0  # admins see no personal data


def test_hr_sample_headline_counts_equal_the_engine() -> None:
    at = app("views/pages/hr.py")
    at.date_input(key="hr-as-of").set_value(dt.date(2025, 11, 20)).run()
    at.button(key="hr-sample").click().run()
    assert not at.exception
    want = expected_counts(["hr_roster_2025.xlsx"], dt.date(2025, 11, 20))
    shown = metrics(at)
    for status in STATUSES:
        assert shown[t(f"status.{status}", "zh")] == f"{want[status]:,}"
    # the sample's answer key, worked out by the generator from the rules (sample_uploads/expected.json)
    key = json.loads((ROOT / "sample_uploads" / "expected.json").read_text(encoding="utf-8"))
    assert {s: want[s] for s in STATUSES} == {s: key["files"]["hr_roster_2025.xlsx"]["statuses"].get(s, 0)
                                              for s in STATUSES}


def test_hr_language_switch_and_calendar_days() -> None:
    at = app("views/pages/hr.py")
    at.date_input(key="hr-as-of").set_value(dt.date(2025, 11, 20)).run()
    at.button(key="hr-sample").click().run()
    at.sidebar.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert at.title[0].value == t("page.hr", "en")
    at.toggle(key="hr-calendar-days").set_value(True).run()
    want = expected_counts(["hr_roster_2025.xlsx"], dt.date(2025, 11, 20), calendar_days=True)
    shown = metrics(at)
    for status in STATUSES:
        assert shown[t(f"status.{status}", "en")] == f"{want[status]:,}"


def test_hr_ids_masked_by_default_and_full_on_request() -> None:
    at = app("views/pages/hr.py")
    at.button(key="hr-sample").click().run()
    shown = table(at, "ssn")
    masked = shown[t("col.ssn", "zh")].astype(str)
    masked = masked[masked != ""]  # a blank cell: no SSN (an invalid ID, or one the agency assigns)
    assert len(masked) > 30 and masked.str.fullmatch(r"\d{6}\*{8}[\dX]{4}").all()
    problems = next(d.value for d in at.dataframe if t("col.value", "zh") in d.value.columns)
    assert problems[t("col.value", "zh")].astype(str).str.contains(r"\*{8}").any()  # masked by default
    at.toggle(key="hr-show-full").set_value(True).run()
    full = table(at, "ssn")[t("col.ssn", "zh")].astype(str)
    full = full[full != ""]
    problems = next(d.value for d in at.dataframe if t("col.value", "zh") in d.value.columns)
    assert not problems[t("col.value", "zh")].astype(str).str.contains(r"\*{8}").any()  # unmasked there too
    assert len(full) == len(masked) and full.map(ids.is_valid).all()


def test_inspector_flags_equal_the_engine() -> None:
    names = ["agency_extract_gbk.csv", "english_roster.csv", "legacy_roster.xls"]
    at = app("views/pages/inspector.py")
    at.date_input(key="insp-as-of").set_value(dt.date(2025, 11, 20)).run()
    at.button(key="insp-sample").click().run()
    assert not at.exception
    rosters = read_rosters([SAMPLES / n for n in names])
    summary = summarise(check(rosters, dt.date(2025, 11, 20)).results)
    assert metrics(at)[t("insp.flagged_count", "zh")] == str(int(summary["flag_premium_verification"].sum()))
    at.toggle(key="insp-flagged-only").set_value(True).run()
    shown = table(at, "flag_reason")
    assert len(shown) == int(summary["flag_premium_verification"].sum()) > 0
    at.text_input(key="insp-search").input("no such employer at all").run()
    assert len(table(at, "flag_reason")) == 0


CARD_CITIES = {  # made here, not the shipped [cards] tables: old cards gone 2025-07-01 (short notice), and not
    "testcity": cards.OldCards("testcity", "测试市", "city_date", dt.date(2025, 7, 1), dt.date(2025, 3, 1), "来源甲"),
    "otherville": cards.OldCards("otherville", "另一市", "on_activation", None, None, "来源乙")}


def card_lists(report: cards.CardReport, results) -> dict[str, int]:
    """The counts the card page's lists should head with, worked from the report (README 11.4): frozen;
    register first (not insured, not terminated, with a registration duty); by first guidance key, the
    people to register left out."""
    people = report.people
    to_register = ~people["registered"] & ~(people["insurance_status"] == "terminated").fillna(False) & \
        ~results["status"].isin(["exempt", "left_before_deadline"])
    first = people["guidance"].str.split(";").str[0]
    counts = {"frozen": int(people["frozen"].fillna(False).sum()), "register_first": int(to_register.sum())}
    for key in cards.GUIDANCE:
        counts[key] = int(((first == key).fillna(False) & ~to_register).sum())
    return {key: n for key, n in counts.items() if n}


def test_cards_page_frozen_by_city_lists_and_guidance(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cards, "old_cards", lambda: CARD_CITIES)
    at = app("views/pages/cards.py")
    at.button(key="card-sample").click().run()
    assert not at.exception and at.date_input(key="card-as-of").value == dt.date(2025, 11, 20)
    result = check(read_rosters([SAMPLES / "hr_roster_2025.xlsx", SAMPLES / "english_roster.csv"]),
                   dt.date(2025, 11, 20))
    # no card city on the samples' rows and none chosen: nobody is judged, and the page asks for a city or a date
    report = jobs.card_report(result, dt.date(2025, 11, 20))
    assert report.people["frozen"].isna().all()
    shown = metrics(at)
    for code, n in status_breakdown(report.people["card_status"]).items():
        assert shown.get(t(f"card.status.{code}", "zh")) == (f"{n:,}" if n else None)
    assert t("card.undecided", "zh").format(count=len(result.results), cities="未填写") in [i.value for i in at.info]
    headers = [h.value for h in at.subheader]
    assert not any(h.startswith(t("card.list.frozen", "zh")[:8]) for h in headers)
    expected = card_lists(report, result.results)
    assert expected["register_first"] > 0 and "frozen" not in expected
    for key, n in expected.items():
        assert t(f"card.list.{key}", "zh").format(count=n) in headers, key
    # each list says what to do, in Chinese, from the catalogue
    infos = [i.value for i in at.info]
    assert catalogue.render("card_apply_card", "zh") in infos
    assert "\n\n".join(catalogue.render(f"card_{k}", "zh") for k in cards.NOT_ENABLED) in infos

    # the city for rows without one: testcity freezes the insured whose card is not enabled, with its warning
    at.selectbox(key="card-city").set_value("testcity").run()
    report = jobs.card_report(result, dt.date(2025, 11, 20), "testcity")
    frozen = int(report.people["frozen"].fillna(False).sum())
    assert frozen > 0 and not report.people.loc[report.people["frozen"].fillna(False), "registered"].eq(False).any()
    headers = [h.value for h in at.subheader]
    assert t("card.list.frozen", "zh").format(count=frozen) in headers
    assert [w.value for w in at.warning] == ["测试市于 2025-03-01 公告自 2025-07-01 起停用旧卡，距停用不足六个月"]
    assert any(c.value.startswith("测试市：自 2025-07-01 起停用旧卡") for c in at.caption)
    assert "card-cancel-date" not in [d.key for d in at.date_input]  # every row has parameters now
    # on_activation: never frozen
    at.selectbox(key="card-city").set_value("otherville").run()
    assert t("card.list.frozen", "zh").format(count=0) in [h.value for h in at.subheader]
    assert t("card.frozen_none", "zh") in [s_.value for s_ in at.success]
    # no city again, and a date for the rows without parameters (--old-cards-cancelled)
    at.selectbox(key="card-city").set_value(None).run()
    at.date_input(key="card-cancel-date").set_value(dt.date(2025, 7, 1)).run()
    report = jobs.card_report(result, dt.date(2025, 11, 20), None, dt.date(2025, 7, 1))
    assert t("card.list.frozen", "zh").format(count=int(report.people["frozen"].fillna(False).sum())) in [
        h.value for h in at.subheader]
    assert not at.exception


def test_cards_page_in_english() -> None:
    at = app("views/pages/cards.py")
    at.sidebar.radio(key="lang").set_value("en").run()
    at.button(key="card-sample").click().run()
    assert not at.exception
    headers = [h.value for h in at.subheader]
    assert t("card.breakdown", "en") in headers
    assert any(h.startswith("No card yet, to apply: ") for h in headers)
    assert catalogue.render("card_apply_card", "en") in [i.value for i in at.info]
    assert t("col.card_status", "en") in table(at, "card_status", "en").columns


def test_flexible_worker_id_check() -> None:
    at = app("views/pages/flexible.py")
    at.text_input(key="flex-id").input("11010519491231002X").run()
    shown = at.table[0].value.iloc[:, 0].to_dict()  # the worker typed the number: shown in full
    assert shown[t("flex.ssn", "zh")] == "11010519491231002X"
    assert shown[t("flex.birth", "zh")] == "1949-12-31"
    assert not at.info or t("flex.upgraded", "zh")[:10] not in at.info[0].value
    # GB 11643 worked example: 110105491231002 -> 19 inserted -> 11010519491231002 + check X
    at.text_input(key="flex-id").input("110105491231002").run()
    assert at.table[0].value.iloc[:, 0].to_dict()[t("flex.ssn", "zh")] == "11010519491231002X"
    assert t("flex.upgraded", "zh").format(old="110105491231002", new="11010519491231002X") in [
        i.value for i in at.info]
    at.text_input(key="flex-id").input("110105194912310021").run()
    assert "X" in at.error[0].value and "1" in at.error[0].value  # "check character should be X, not 1"


def test_flexible_worker_passport_is_not_invalid() -> None:
    at = app("views/pages/flexible.py")
    assert at.selectbox(key="flex-id-type").value == "resident"
    at.selectbox(key="flex-id-type").set_value("passport").run()
    at.text_input(key="flex-id").input("E12345678").run()
    assert not at.error and not at.table  # no SSN to show: the agency assigns it
    assert t("flex.valid", "zh") in [s_.value for s_ in at.success]
    assert "社会保障号码由经办机构分配（护照）" in [i.value for i in at.info]


def test_flexible_worker_registration_is_voluntary_with_nothing_preselected() -> None:
    from compliance import flexible

    at = app("views/pages/flexible.py")
    assert at.radio(key="flex-category").value is None  # no situation pre-selected (issue 23)
    assert at.selectbox(key="flex-card-status").value is None
    text = " ".join([i.value for i in at.info] + [m.value for m in at.markdown])
    assert "自愿" in text and "第五十八条第二款" in text and "户籍" in text and "就业地" in text
    assert "营业执照" not in text and "居住证" not in text.replace("港澳台居民居住证", "")
    assert "您需要自行申请" not in text and "必须" not in text
    for item in ("掌上12333", "转移接续", "城乡居民基本养老保险", "职工基本医疗保险"):
        assert item in text, item
    at.radio(key="flex-category").set_value("sole_trader").run()
    assert flexible.guide("sole_trader", "zh")["note"] in [i.value for i in at.info]
    at.radio(key="flex-category").set_value("employed").run()
    assert any("三十日内" in i.value for i in at.info)


@pytest.mark.parametrize(("status", "ended", "keys"), [
    ("not_applied", False, ["apply_card"]), ("in_production", False, ["await_production"]),
    ("ready_for_collection", False, ["collect_card"]), ("lost", False, ["replace_lost"]),
    ("expired", False, ["replace_expired"]), ("cancelled", False, ["apply_card"]),
    ("issued_not_activated", False, ["enable_social_online", "activate_financial_any_branch", "sign_up_electronic"]),
    ("activated", False, []), ("issued_not_activated", True, ["transfer_no_new_card"]),
    (None, True, ["transfer_no_new_card"]),
])
def test_flexible_worker_card_guidance_by_status(status: str | None, ended: bool, keys: list[str]) -> None:
    at = app("views/pages/flexible.py")
    at.checkbox(key="flex-ended").set_value(ended).run()
    if status:
        at.selectbox(key="flex-card-status").set_value(status).run()
    written = [m.value for m in at.markdown]
    guidance = [text for text in written if text in {catalogue.render(f"card_{k}", "zh") for k in cards.GUIDANCE}]
    assert guidance == [catalogue.render(f"card_{k}", "zh") for k in keys]
    if status == "not_applied":  # no card: never "bring the card"
        assert not any("携带社保卡" in text for text in written)


def test_store_worksheet_and_cases_pages_store_crosscheck_and_move_a_case(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The agency's work on three pages: store the samples and see the cross-check; the worksheet of the
    first flagged employer as of the samples' date; a case opened for it and moved one step."""
    from compliance import premiums, store

    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    monkeypatch.setenv("SHEBAO_DB", url)
    at = app("views/pages/store.py")
    assert at.info and not at.exception  # empty store: says what to do
    at.button(key="store-sample").click().run()
    assert not at.exception
    # the sample registry's README plants: 1 not_in_registry, 2 date_mismatch, 1 roster_date_missing,
    # 2 not_in_roster
    shown = metrics(at)
    assert [shown[t(f"finding.{f}", "zh")] for f in ("not_in_registry", "date_mismatch", "roster_date_missing",
                                                     "not_in_roster")] == ["1", "2", "1", "2"]
    engine = store.connect(url)
    assert len(store.history(engine)) == 2

    at.switch_page("views/pages/worksheet.py").run()  # the sample set the worksheet's date to its own
    assert not at.exception and at.date_input(key="ws-as-of").value == dt.date(2025, 11, 20)
    employer = at.selectbox(key="ws-employer").value
    assert employer == jobs.flagged_employers(jobs.stored_status(engine, dt.date(2025, 11, 20)))[0]
    # the city starts as the employer's USCC region (issue 24 item 3): 9131… is Shanghai
    city = jobs.employer_city(employer)
    assert at.selectbox(key="ws-city").value == city and city == {"11": "beijing", "31": "shanghai"}.get(
        employer[2:4], city)
    sheet = jobs.worksheet(engine, employer, dt.date(2025, 11, 20), premiums.load_params(city))
    assert metrics(at)[t("agency.total_premiums", "zh")] == f"{sheet.totals['total'].iloc[0]:,.2f}"

    at.switch_page("views/pages/cases.py").run()  # the worksheet's employer and date carried over
    assert at.selectbox(key="cases-employer").value == employer
    at.button(key="cases-open").click().run()
    assert t("agency.case_exists", "zh").format(case=1, state=t("case.open", "zh")) in [i.value for i in at.info]
    assert not [b for b in at.button if b.key == "cases-open"]  # one open case per employer: no second button
    # README 11.6: the moves the case's state allows; investigate_by = opened + 60 working days (Art. 17)
    view = jobs.case_view(engine, 1)
    assert t("case.facts", "zh").format(opened=view.opened_on.isoformat(), investigate_by=view.investigate_by.date
                                        .isoformat()) in at.caption[0].value
    assert at.selectbox(key="cases-next-state-1-open").options == [t("case.notified", "zh"), t("case.withdrawn", "zh")]
    at.button(key="cases-move").click().run()  # no note: refused on the page, nothing moved
    assert [e.value for e in at.error] == [t("case.note_required", "zh")]
    assert store.list_cases(engine)["state"].tolist() == ["open"]
    rectify_by = dt.date.today() + dt.timedelta(days=20)
    at.text_input(key="cases-note-1-open").input("letter sent")
    at.selectbox(key="cases-document-1-open").set_value("audit_opinion")
    at.date_input(key="cases-rectify-by-1-open").set_value(rectify_by)
    at.button(key="cases-move").click().run()
    assert not at.exception and not at.error
    assert store.list_cases(engine)["state"].tolist() == ["notified"]
    history = store.case_history(engine, 1).iloc[-1]
    assert (history["note"], history["document"], history["rectify_by"].date()) == ("letter sent", "audit_opinion",
                                                                                    rectify_by)


def test_the_cases_page_offers_each_states_moves_confirms_final_ones_and_shows_the_art84_range(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """README 11.6 on the page: after a move the next-state field offers the new state's moves (issue 24 item
    4), withdrawing asks for a confirmation, not rectified waits for the rectify-by date, and then the Art. 84
    range is 1-3 × the worksheet's premiums due (late fees excluded) and 500-3,000 yuan a person in charge."""
    from compliance import premiums

    roster, body = tmp_path / "roster.csv", "11010519900307101"
    roster.write_text("统一社会信用代码,单位名称,姓名,身份证号,入职日期,参保日期,月工资\n"
                      f"{SAMPLE_EMPLOYER},甲公司,张三,{body}{ids.calc_check_digit(body)},2025-08-04,,9000\n",
                      encoding="utf-8")
    engine = store.connect(os.environ["SHEBAO_DB"])
    jobs.store_roster(engine, roster)
    as_of = dt.date(2025, 11, 20)  # 2025-08-04 + 30 = Wed 09-03: overdue, months 2025-08..2025-10
    at = app("views/pages/cases.py")
    at.date_input(key="cases-as-of").set_value(as_of).run()
    at.button(key="cases-open").click().run()
    assert store.list_cases(engine)["state"].tolist() == ["open"]
    at.text_input(key="cases-note-1-open").input("letter")
    at.selectbox(key="cases-document-1-open").set_value("payment_notice")
    at.date_input(key="cases-rectify-by-1-open").set_value(dt.date.today() + dt.timedelta(days=10))
    at.button(key="cases-move").click().run()
    assert not at.exception and store.list_cases(engine)["state"].tolist() == ["notified"]
    assert at.selectbox(key="cases-next-state-1-notified").options == [
        t(f"case.{s}", "zh") for s in ("rectified", "not_rectified", "withdrawn")]
    at.selectbox(key="cases-next-state-1-notified").set_value("withdrawn").run()
    assert at.button(key="cases-move").disabled  # 撤销立案 asks for a confirmation first
    at.checkbox(key="cases-confirm-1-notified").check().run()
    assert not at.button(key="cases-move").disabled
    at.selectbox(key="cases-next-state-1-notified").set_value("not_rectified")
    at.text_input(key="cases-note-1-notified").input("no reply").run()
    at.button(key="cases-move").click().run()  # before the rectify-by date: refused, one line
    assert len(at.error) == 1 and store.list_cases(engine)["state"].tolist() == ["notified"]
    later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=12)
    monkeypatch.setattr(store, "now_utc", lambda: later)
    at.button(key="cases-move").click().run()
    assert not at.exception and store.list_cases(engine)["state"].tolist() == ["not_rectified"]
    sheet = jobs.worksheet(engine, SAMPLE_EMPLOYER, as_of, premiums.load_params(premiums.cities()[0]))
    due = float(sheet.totals["total"].sum())
    assert metrics(at)[t("case.fine_employer", "zh")] == t("case.fine_range", "zh").format(low=due, high=3 * due)
    assert metrics(at)[t("case.fine_person", "zh")] == "500.00–3,000.00 元"
    assert at.selectbox(key="cases-next-state-1-not_rectified").options == [t("case.penalised", "zh")]


def kill_the_checking_process(*_args: object) -> bytes:
    """Stands in for the check in a worker and dies there, as an out-of-memory kill would."""
    os._exit(9)


def test_a_check_whose_worker_dies_shows_an_error_and_the_next_check_works(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import views.runtime

    views.runtime.RESULTS.clear()  # no cached result from an earlier test
    check_uploads = views.runtime.check_uploads
    monkeypatch.setattr(views.runtime, "check_uploads", kill_the_checking_process)
    at = app("views/pages/hr.py")
    at.button(key="hr-sample").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("check_crashed")]
    assert not at.metric  # nothing shown as if it had been checked

    monkeypatch.setattr(views.runtime, "check_uploads", check_uploads)  # not undo(): SHEBAO_DB stays set
    views.runtime.RESULTS.clear()
    at.button(key="hr-sample").click().run()
    assert not at.error
    expected = expected_counts(["hr_roster_2025.xlsx"], dt.date(2025, 11, 20))  # the sample's as-of date
    assert metrics(at)[t("status.overdue")] == f"{expected['overdue']:,}"


def test_worksheet_beyond_the_parameters_offers_the_last_covered_date() -> None:
    """Issue 14, point 1: no bare refusal. Beijing's parameters cover 2024-07–2027-06
    (compliance/params/beijing.toml): as of 2027-12-01 the months 2027-07… are not covered; the page
    names what is, and one click sets the latest as-of date they allow, 2027-07-01."""
    from compliance import premiums

    at = app("views/pages/store.py")
    at.button(key="store-sample").click().run()
    at.switch_page("views/pages/worksheet.py").run()
    at.selectbox(key="ws-city").set_value("beijing").run()  # whatever the employer's region, Beijing's figures
    at.date_input(key="ws-as-of").set_value(dt.date(2027, 12, 1)).run()
    assert not at.exception and not at.error
    params = premiums.load_params("beijing")
    assert params.last_as_of() == dt.date(2027, 7, 1)
    warning = next(w.value for w in at.warning if params.coverage() in w.value)
    assert "2027-07-01" in warning and "北京市" in warning
    at.button(key="ws-use-last").click().run()
    assert at.date_input(key="ws-as-of").value == dt.date(2027, 7, 1)
    shown = metrics(at)
    assert t("agency.total_premiums", "zh") in shown and t("agency.totals", "zh") in shown  # two named totals
    assert any(c.value.startswith("滞纳金规则：") for c in at.caption)  # the note in Chinese (catalogue)


def test_hr_uploads_once_for_the_check_and_the_card_pages() -> None:
    """Issue 23: the roster HR used on the check page is the card page's too, for the same sign-in."""
    at = app("views/pages/hr.py")
    at.button(key="hr-sample").click().run()
    assert not at.exception and metrics(at)  # the check's headline
    at.switch_page("views/pages/cards.py").run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert t("using_shared", "zh").format(names="hr_roster_2025.xlsx") in captions
    # the card page judged the same 49 rows (hr_roster_2025.xlsx: sample_uploads/README.md)
    result = check(read_rosters([SAMPLES / "hr_roster_2025.xlsx"], SAMPLE_EMPLOYER), dt.date(2025, 11, 20))
    report = jobs.card_report(result, dt.date(2025, 11, 20))
    shown = metrics(at)
    for code, n in status_breakdown(report.people["card_status"]).items():
        assert shown.get(t(f"card.status.{code}", "zh")) == (f"{n:,}" if n else None)
