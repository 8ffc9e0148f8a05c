"""Inspector cases (shared README 11.6): the states and moves, ``investigate_by`` (劳动保障监察条例 Art. 17),
``rectify_by`` and ``not_rectified``, the Art. 84 range (社会保险法); the store on SQLite and PostgreSQL,
migration 0006 over cases stored before it, and the ``case`` command. Values are worked by hand in the
comments, from the State Council's 2025 and 2026 holiday notices:

- 2025 (国办发明电〔2024〕12号): National Day + Mid-Autumn Oct 1-8 off; Sun Sep 28 and Sat Oct 11 worked.
- 2026 (国办发明电〔2025〕7号): Spring Festival Feb 15-23 off, Sat Feb 14 and Sat Feb 28 worked; Qingming
  Apr 4-6 off; Labour Day May 1-5 off, Sat May 9 worked.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from compliance import calendar, cases, cli, jobs, store
from compliance.cases import CASE_STATES, FINAL, MOVES, art84_range, refusal, shows_fine
from compliance.ids import calc_check_digit

EMP1, EMP2 = "911101000000000001", "911101000000000002"
DAY = dt.date(2025, 10, 9)
NOTICE = {"document": "rectification_order", "rectify_by": dt.date(2025, 10, 31)}


# --- the rules, without a store -------------------------------------------------------------------------

def test_the_moves_are_the_rulebooks() -> None:
    """11.6: open → notified → rectified or not_rectified → penalised → closed; withdrawn from open or notified.
    Chosen here (compliance.cases): rectified → closed, not_rectified → penalised only, penalised → closed."""
    assert {s: set(jobs.next_states(s)) for s in CASE_STATES} == {
        "open": {"notified", "withdrawn"},
        "notified": {"rectified", "not_rectified", "withdrawn"},
        "rectified": {"closed"},
        "not_rectified": {"penalised"},
        "penalised": {"closed"},
        "closed": set(),
        "withdrawn": set(),
    }
    assert sorted(FINAL) == ["closed", "withdrawn"]


REFUSED = [(s, t) for s in CASE_STATES for t in CASE_STATES if t not in MOVES[s]]


@pytest.mark.parametrize(("state", "target"), REFUSED, ids=[f"{s}->{t}" for s, t in REFUSED])
def test_every_other_move_is_refused(state: str, target: str) -> None:
    notice = NOTICE if target == "notified" else {}
    found = refusal(7, state, target, DAY, "a note", due=dt.date(2025, 10, 1), **notice)
    assert found == (("case_final", {"case": 7, "state": state}) if state in FINAL
                     else ("case_next_state", {"case": 7, "state": state, "state2": target}))


def test_every_allowed_move_passes_with_a_note_and_its_notice() -> None:
    for state, targets in MOVES.items():
        for target in targets:
            notice = NOTICE if target == "notified" else {}
            assert refusal(7, state, target, DAY, "a note", due=dt.date(2025, 10, 1), **notice) is None, target


def test_a_move_needs_a_note_and_notified_its_document_and_a_rectify_by_not_before_the_day() -> None:
    assert refusal(7, "open", "notified", DAY, "  ", **NOTICE)[0] == "case_note_required"
    assert refusal(7, "open", "notified", DAY, "served")[0] == "case_document_required"
    assert refusal(7, "open", "notified", DAY, "served", document="letter", rectify_by=DAY)[0] == (
        "unknown_case_document")
    assert refusal(7, "open", "notified", DAY, "served", document="audit_opinion")[0] == "case_rectify_by_required"
    assert refusal(7, "open", "notified", DAY, "served", document="payment_notice",
                   rectify_by=DAY - dt.timedelta(days=1)) == (
        "case_rectify_by_past", {"case": 7, "rectify_by": "2025-10-08", "on": "2025-10-09"})
    assert refusal(7, "open", "notified", DAY, "served", document="payment_notice", rectify_by=DAY) is None
    assert refusal(7, "notified", "rectified", DAY, "paid", **NOTICE)[0] == "case_document_only_notified"
    assert refusal(7, "open", "withdrawn", DAY, "duplicate", rectify_by=DAY)[0] == "case_document_only_notified"
    assert refusal(7, "open", "archived", DAY, "x")[0] == "unknown_case_state"


def test_not_rectified_only_after_the_rectify_by_date() -> None:
    """The last day given is still a day to put things right: not rectified from the day after it."""
    due = dt.date(2025, 10, 31)
    assert refusal(7, "notified", "not_rectified", dt.date(2025, 10, 20), "no reply", due=due) == (
        "case_not_yet_due", {"case": 7, "rectify_by": "2025-10-31", "on": "2025-10-20"})
    assert refusal(7, "notified", "not_rectified", due, "no reply", due=due)[0] == "case_not_yet_due"
    assert refusal(7, "notified", "not_rectified", due + dt.timedelta(days=1), "no reply", due=due) is None
    # a case notified before migration 0006 has no date: never "not rectified" (nothing to be past)
    assert refusal(7, "notified", "not_rectified", due, "no reply", due=None)[0] == "case_rectify_by_unknown"
    assert refusal(7, "notified", "rectified", due, "paid", due=None) is None


def test_investigate_by_is_60_working_days_after_the_opening_day() -> None:
    """劳动保障监察条例 Art. 17; the opening day not counted (Civil Code Art. 201)."""
    # Fri 2025-09-26: Sun 09-28 (worked) 1, 09-29 2, 09-30 3, Oct 1-8 off, 10-09 4, 10-10 5, Sat 10-11 (worked) 6;
    # then five a week: weeks of 10-13 … 12-19 bring 7-56; Mon 12-22 57, 12-23 58, 12-24 59, Thu 12-25 60.
    # (Weekdays alone would give 12-19: six weekdays off, two weekend days worked, four later.)
    assert cases.investigate_by(dt.date(2025, 9, 26)) == calendar.Deadline(dt.date(2025, 12, 25), False)
    # Fri 2026-01-30: 02-02..02-13 1-10, Sat 02-14 (worked) 11, Feb 16-23 off, 02-24..02-27 12-15, Sat 02-28
    # (worked) 16, weeks of 03-02 … 03-30 17-41, Mon 04-06 off (Qingming), 04-07..04-10 42-45, weeks of 04-13
    # and 04-20 46-55, 04-27..04-30 56-59, May 1-5 off, Wed 05-06 60.
    assert cases.investigate_by(dt.date(2026, 1, 30)) == calendar.Deadline(dt.date(2026, 5, 6), False)
    # the calendar counts the same way for any period: five working days from 2025-09-26 is 10-10
    assert calendar.add_working_days(dt.date(2025, 9, 26), 5).date == dt.date(2025, 10, 10)


def test_investigate_by_into_a_year_without_a_notice_is_provisional() -> None:
    """2026-11-20 + 60 working days ends in 2027, whose holidays may not be announced yet: flagged, not refused."""
    found = cases.investigate_by(dt.date(2026, 11, 20))
    assert found.date.year == 2027 and found.provisional == (calendar.year_source(2027) == "provisional")


def test_the_opening_day_is_the_day_in_china() -> None:
    """Stored times are naive UTC: 2025-09-25 20:00 UTC is 2025-09-26 04:00 in Beijing."""
    assert cases.china_date(dt.datetime(2025, 9, 25, 20, 0)) == dt.date(2025, 9, 26)
    assert cases.china_date(dt.datetime(2025, 9, 25, 15, 59)) == dt.date(2025, 9, 25)


def test_the_art84_range_from_the_premiums_due() -> None:
    """社会保险法 Art. 84: the employer 1-3 × the premiums due, each person in charge 500-3,000 yuan."""
    assert art84_range(7406.00) == (7406.00, 7406.00, 22218.00, 500.00, 3000.00)  # 3 × 7,406.00 = 22,218.00
    assert art84_range(3333.33) == (3333.33, 3333.33, 9999.99, 500.00, 3000.00)  # in whole fen, no float drift
    assert art84_range(0) == (0.0, 0.0, 0.0, 500.00, 3000.00)


def test_the_range_shows_once_the_case_was_not_rectified() -> None:
    assert not shows_fine(["open", "notified"])
    assert not shows_fine(["open", "notified", "rectified", "closed"])
    assert shows_fine(["open", "notified", "not_rectified"])
    assert shows_fine(["open", "notified", "not_rectified", "penalised", "closed"])


# --- the store (SQLite and PostgreSQL) ------------------------------------------------------------------

class Clock:
    """The store's clock (``store.now_utc``), set by the test: naive UTC, as stored."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.at = dt.datetime(2025, 9, 26, 2, 0)  # 10:00 in Beijing, Fri 2025-09-26
        monkeypatch.setattr(store, "now_utc", lambda: self.at)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def refused_code(call, *args: object, **kwargs: object) -> str | None:
    with pytest.raises(store.StoreError) as caught:
        call(*args, **kwargs)
    return caught.value.code


def test_a_case_from_opening_to_penalty_and_closing(db_url: str, clock: Clock) -> None:
    engine = store.connect(db_url)
    case_id = store.open_case(engine, EMP1, "3 employees unregistered", by="insp")
    view = jobs.case_view(engine, case_id)
    assert (view.state, view.opened_on, view.next_states) == ("open", dt.date(2025, 9, 26), ("notified", "withdrawn"))
    assert view.investigate_by.date == dt.date(2025, 12, 25) and not view.shows_fine  # worked above
    assert view.document is None and view.rectify_by is None

    clock.at = dt.datetime(2025, 10, 9, 1, 0)  # 2025-10-09 in Beijing
    assert refused_code(jobs.move_case, engine, case_id, "notified", "served", by="insp") == "case_document_required"
    assert refused_code(jobs.move_case, engine, case_id, "notified", "served", by="insp",
                        document="rectification_order", rectify_by=dt.date(2025, 10, 8)) == "case_rectify_by_past"
    assert refused_code(jobs.move_case, engine, case_id, "notified", "", by="insp", **NOTICE) == "case_note_required"
    jobs.move_case(engine, case_id, "notified", "限期改正指令书 served in person", by="insp", **NOTICE)
    view = jobs.case_view(engine, case_id)
    assert (view.document, view.rectify_by) == ("rectification_order", dt.date(2025, 10, 31))
    assert view.next_states == ("rectified", "not_rectified", "withdrawn") and not view.shows_fine

    clock.at = dt.datetime(2025, 10, 31, 10, 0)  # 18:00 in Beijing on the rectify-by day: still in time
    assert refused_code(jobs.move_case, engine, case_id, "not_rectified", "no reply", by="insp") == "case_not_yet_due"
    clock.at = dt.datetime(2025, 10, 31, 17, 0)  # 01:00 in Beijing on 2025-11-01: the period is over
    jobs.move_case(engine, case_id, "not_rectified", "no reply, no registration", by="insp")
    assert refused_code(jobs.move_case, engine, case_id, "closed", "x", by="insp") == "case_next_state"
    view = jobs.case_view(engine, case_id)
    assert view.shows_fine and view.next_states == ("penalised",)
    jobs.move_case(engine, case_id, "penalised", "行政处罚决定书 served", by="insp")
    jobs.move_case(engine, case_id, "closed", "fine paid", by="insp")
    view = jobs.case_view(engine, case_id)
    assert view.state == "closed" and view.next_states == () and view.shows_fine
    assert refused_code(jobs.move_case, engine, case_id, "withdrawn", "x", by="insp") == "case_final"

    history = jobs.case_history(engine, case_id)
    assert history["state"].tolist() == ["open", "notified", "not_rectified", "penalised", "closed"]
    assert history["document"].fillna("").tolist() == ["", "rectification_order", "", "", ""]
    assert history["rectify_by"].notna().tolist() == [False, True, False, False, False]
    actions = store.audit_entries(engine, EMP1)["action"].tolist()
    assert actions == ["case_open", "case_notified", "case_not_rectified", "case_penalised", "case_closed"]
    listed = jobs.list_cases(engine).iloc[0]
    assert (listed["document"], listed["rectify_by"].date(), listed["investigate_by"].date()) == (
        "rectification_order", dt.date(2025, 10, 31), dt.date(2025, 12, 25))
    assert store.open_case(engine, EMP1, "new problem", by="insp") != case_id  # a closed case blocks no new one


def test_withdrawn_from_open_or_notified_only_and_it_frees_the_employer(db_url: str, clock: Clock) -> None:
    engine = store.connect(db_url)
    first = store.open_case(engine, EMP1, "flagged", by="insp")
    jobs.move_case(engine, first, "withdrawn", "registered before the visit", by="insp")  # 撤销立案
    assert jobs.case_of(engine, EMP1) is None
    second = store.open_case(engine, EMP1, "flagged again", by="insp")
    assert second != first and jobs.case_of(engine, EMP1) == (second, "open")
    jobs.move_case(engine, second, "notified", "audit opinion", by="insp", document="audit_opinion",
                   rectify_by=dt.date(2025, 10, 10))
    jobs.move_case(engine, second, "withdrawn", "wrong employer", by="insp")
    third = store.open_case(engine, EMP1, "flagged a third time", by="insp")
    jobs.move_case(engine, third, "notified", "notice", by="insp", document="payment_notice",
                   rectify_by=dt.date(2025, 10, 10))
    jobs.move_case(engine, third, "rectified", "registered and paid", by="insp")
    assert refused_code(jobs.move_case, engine, third, "withdrawn", "x", by="insp") == "case_next_state"
    assert jobs.list_cases(engine)["state"].tolist() == ["withdrawn", "withdrawn", "rectified"]


def test_a_refused_move_changes_nothing(db_url: str, clock: Clock) -> None:
    engine = store.connect(db_url)
    case_id = store.open_case(engine, EMP1, "flagged", by="insp")
    before = (jobs.list_cases(engine), jobs.case_history(engine, case_id), store.audit_entries(engine))
    for state, kwargs in (("rectified", {}), ("notified", {"document": "payment_notice"}), ("bogus", {})):
        with pytest.raises(store.StoreError):
            jobs.move_case(engine, case_id, state, "note", by="insp", **kwargs)
    with pytest.raises(store.StoreError) as caught:
        jobs.move_case(engine, 99, "notified", "note", by="insp", **NOTICE)
    assert caught.value.code == "no_case"
    after = (jobs.list_cases(engine), jobs.case_history(engine, case_id), store.audit_entries(engine))
    for old, new in zip(before, after, strict=True):
        assert old.equals(new)


def test_migration_0006_keeps_the_cases_stored_before_it(db_url: str, clock: Clock) -> None:
    """Cases as the code of revision 0005 wrote them (no document, no rectify-by date) keep their states and
    moves; one notified then cannot be recorded not rectified (there is no date to be past)."""
    engine = store.connect(db_url, upgrade=False)
    store.migrate(engine, "0005")
    assert "document" not in {c["name"] for c in sa.inspect(engine).get_columns("cases")}
    with engine.begin() as conn:
        for employer, state in ((EMP1, "notified"), (EMP2, "rectified")):
            conn.execute(sa.text("insert into cases (employer_id, state, opened_at, updated_at, reason) "
                                 "values (:e, :s, :t, :t, 'old')"), {"e": employer, "s": state, "t": clock.at})
            conn.execute(sa.text("insert into case_notes (case_id, at, author, state, note) select id, :t, 'insp', "
                                 ":s, 'old' from cases where employer_id = :e"), {"e": employer, "s": state,
                                                                                   "t": clock.at})
    store.migrate(engine)
    inspector = sa.inspect(engine)
    for table in ("cases", "case_notes"):
        assert {"document", "rectify_by"} <= {c["name"] for c in inspector.get_columns(table)}
    with engine.connect() as conn:
        assert conn.execute(sa.text("select version_num from alembic_version")).scalar() >= "0006"
    old = jobs.case_view(engine, 1)
    assert (old.state, old.document, old.rectify_by, old.next_states) == (
        "notified", None, None, ("rectified", "not_rectified", "withdrawn"))
    assert old.investigate_by.date == dt.date(2025, 12, 25)  # opened 2025-09-26 in Beijing, as above
    assert refused_code(jobs.move_case, engine, 1, "not_rectified", "no reply", by="insp") == (
        "case_rectify_by_unknown")
    jobs.move_case(engine, 1, "rectified", "registered", by="insp")
    jobs.move_case(engine, 1, "closed", "done", by="insp")
    jobs.move_case(engine, 2, "closed", "done", by="insp")
    assert jobs.list_cases(engine)["state"].tolist() == ["closed", "closed"]
    assert jobs.case_history(engine, 1)["state"].tolist() == ["notified", "rectified", "closed"]


# --- the command line -----------------------------------------------------------------------------------

def person(body17: str) -> str:
    return body17 + calc_check_digit(body17)


PARAMS = """city = "测试市"
[[period]]
from = "2025-01"
to = "2025-12"
average_wage = 10000
base_floor = 6000
base_cap = 30000
default_base = 6000
due_day = 15
source = "made up for the test"
[period.rates.pension]
employer = 0.16
employee = 0.08
[period.rates.medical]
employer = 0.098
employee = 0.02
employee_fixed = 3
"""


def test_the_case_command(tmp_path: Path, capsys: pytest.CaptureFixture[str], clock: Clock) -> None:
    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    roster = tmp_path / "roster.csv"
    roster.write_text("统一社会信用代码,单位名称,姓名,身份证号,入职日期,参保日期,月工资\n"
                      f"{EMP1},甲公司,张三,{person('11010519900307101')},2025-08-04,,9000\n", encoding="utf-8")
    params = tmp_path / "test.toml"
    params.write_text(PARAMS, encoding="utf-8")

    def run(*argv: str) -> tuple[int, str, str]:
        code = cli.main([*argv, "--db", db])
        out, err = capsys.readouterr()
        return code, out, err

    assert run("upload", str(roster))[0] == 0
    assert run("case", "open", EMP1, "--note", "1 employee unregistered")[:2] == (0, f"case 1 open for {EMP1}\n")
    code, out, _ = run("case", "show", "1")
    assert code == 0 and "state: open; next: notified, withdrawn" in out
    assert "opened: 2025-09-26; investigate by: 2025-12-25" in out  # worked above

    clock.at = dt.datetime(2025, 10, 9, 1, 0)
    code, _, err = run("case", "move", "1", "notified", "--note", "served")  # no document: refused, one line
    assert code == 2 and err.count("\n") == 1 and "needs the document served" in err
    code, _, err = run("case", "move", "1", "rectified", "--note", "x")
    assert code == 2 and err == "error: case 1 is open; it cannot move to rectified from there\n"
    code, _, err = run("case", "open", EMP1, "--rectify-by", "2025-10-31")
    assert code == 2 and err == "error: --rectify-by goes with 'case move', not 'case open'\n"
    code, out, _ = run("case", "move", "1", "notified", "--note", "限期改正指令书 served", "--document",
                       "rectification_order", "--rectify-by", "2025-10-31")
    assert (code, out) == (0, "case 1 -> notified (rectification_order, rectify by 2025-10-31)\n")
    code, _, err = run("case", "move", "1", "not_rectified", "--note", "no reply")
    assert code == 2 and err.count("\n") == 1 and "only after its rectify-by date 2025-10-31" in err
    code, _, err = run("case", "move", "1")
    assert code == 2 and "case 1 is notified: name the state to move to (rectified, not_rectified, withdrawn)" in err
    code, out, _ = run("case", "show", "1", "--params", str(params), "--as-of", "2025-11-20")
    assert "document: rectification_order; rectify by: 2025-10-31" in out and "Art. 84" not in out  # not yet

    clock.at = dt.datetime(2025, 11, 3, 2, 0)
    assert run("case", "move", "1", "not_rectified", "--note", "no registration")[0] == 0
    code, out, _ = run("case", "show", "1")
    assert "give --city or --params (and --as-of) for the fine range" in out
    # 张三: hired 2025-08-04, deadline Wed 2025-09-03, overdue as of 2025-11-20; months 2025-08..2025-10 (3).
    # A month on the wage 9,000: pension 1,440.00 + 720.00, medical 882.00 + 180.00 + 3 = 3,225.00; 3 months
    # 9,675.00 → employer 9,675.00-29,025.00 (3 ×), each person in charge 500.00-3,000.00.
    code, out, _ = run("case", "show", "1", "--params", str(params), "--as-of", "2025-11-20")
    assert code == 0 and "state: not_rectified; next: penalised" in out
    assert ("Social Insurance Law Art. 84: premiums due 9,675.00 yuan as of 2025-11-20 (测试市, late fees excluded): "
            "employer 9,675.00-29,025.00 yuan; each person in charge 500.00-3,000.00 yuan") in out
    assert run("case", "show", "9")[2] == "error: no case 9\n"
