"""Sessions that hold under attack (issue "Sessions and accounts that hold under attack"; shared README
section 10, "Accounts and sessions"), through Streamlit's AppTest: the dashboard's own code paths,
on a real SQLite store.

Each test here failed on the code before the fix: sign-out only dropped ``user`` (the sample choice,
cached results and the audit bookkeeping survived for the next user), an account was read only at
sign-in, the worker pool and the engines lived in Streamlit caches that a ``clear_cache`` message
empties, and problems were matched to rows by file name.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
import streamlit as st
from streamlit.runtime import caching
from streamlit.testing.v1 import AppTest

from compliance import accounts, beijing, jobs, signins, store
from compliance.i18n import t
from compliance.jobs import check_uploads

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
EMPLOYER_A = "911101055347017256"  # hr_roster_2025.xlsx's employer (sample_uploads/README.md)
EMPLOYER_B = "914403057569602043"


@pytest.fixture(autouse=True)
def app_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    monkeypatch.setenv("SHEBAO_DB", url)
    engine = store.connect(url)
    accounts.add_user(engine, "hr-a", "hr", PASSWORD, [EMPLOYER_A])
    accounts.add_user(engine, "hr-b", "hr", PASSWORD, [EMPLOYER_B])
    accounts.add_user(engine, "insp", "inspector", PASSWORD)
    accounts.add_user(engine, "boss", "admin", PASSWORD)
    import views.runtime

    views.runtime.RESULTS.clear()
    return url


def key(at: AppTest, name: str) -> str:
    """The widget key as the page names it now (``name~N`` after the N-th sign-out of the tab)."""
    epoch = at.session_state["_epoch"] if "_epoch" in at.session_state else 0  # noqa: SIM401 (no .get)
    return name if not epoch else f"{name}~{epoch}"


def sign_in(at: AppTest, username: str) -> AppTest:
    at.text_input(key=key(at, "auth-username")).input(username)
    at.text_input(key=key(at, "auth-password")).input(PASSWORD)
    next(b for b in at.button if b.label == "登录 / Sign in").click()
    return at.run()


def app(page: str, username: str | None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page(page).run()
    return sign_in(at, username) if username else at


def visible_text(at: AppTest) -> str:
    """Everything the page shows as text: messages, metrics and every table cell."""
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "subheader")
             for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    return "\n".join(str(p) for p in parts)


def test_sign_out_leaves_nothing_for_the_next_user_on_the_tab(app_store: str) -> None:
    import views.runtime

    at = app("views/pages/hr.py", "hr-a")
    at.date_input(key="hr-as-of").set_value(dt.date(2025, 11, 20)).run()
    at.button(key="hr-sample").click().run()
    assert at.metric and not at.exception  # user A sees the sample's counts
    sample = ROOT / "sample_uploads" / "hr_roster_2025.xlsx"
    names_of_a = check_uploads([(sample.name, sample.read_bytes())], dt.date(2025, 11, 20))[0].results["name"]
    names_of_a = names_of_a.dropna().head(5).tolist()
    assert len(names_of_a) == 5 and all(name in visible_text(at) for name in names_of_a)
    assert len(views.runtime.RESULTS) == 1

    at.sidebar.button(key="auth-sign-out").click().run()
    assert "user" not in at.session_state
    assert len(views.runtime.RESULTS) == 0  # A's cached results are gone with A
    for gone in ("audited", "hr-use-sample", "hr-as-of", "_token", "_sign_in"):
        assert gone not in at.session_state
    assert [i.label for i in at.text_input] == ["用户名 / Username", "密码 / Password"]

    sign_in(at, "hr-b")
    assert not at.exception
    assert not at.metric and not at.dataframe  # B starts empty: nothing checked, nothing shown
    text = visible_text(at)
    assert not any(name in text for name in names_of_a)
    assert not [b for b in at.get("download_button")]
    # the widgets are new ones: nothing A set (as-of date, sample choice) is B's
    assert at.date_input(key=key(at, "hr-as-of")).value == beijing.today()  # the user's day (Beijing)
    views_of_b = store.audit_entries(store.connect(app_store))
    assert views_of_b[(views_of_b["actor"] == "hr-b") & (views_of_b["action"] == "view")].empty


def test_disabled_inspector_is_signed_out_at_the_next_click(app_store: str) -> None:
    at = app("views/pages/inspector.py", "insp")
    at.date_input(key="insp-as-of").set_value(dt.date(2025, 11, 20)).run()
    at.button(key="insp-sample").click().run()
    assert at.dataframe
    accounts.disable_user(store.connect(app_store), "insp", by="test")
    at.toggle(key="insp-flagged-only").set_value(True).run()  # the next click
    assert not at.exception
    assert not at.dataframe and not at.metric
    assert [i.label for i in at.text_input] == ["用户名 / Username", "密码 / Password"]
    assert t("auth.account_changed") in [w.value for w in at.warning]


def test_changed_employers_sign_the_hr_user_out(app_store: str) -> None:
    at = app("views/pages/hr.py", "hr-a")
    at.button(key="hr-sample").click().run()
    assert at.metric
    engine = store.connect(app_store)
    with engine.begin() as conn:  # an administrator rebinds hr-a to employer B
        conn.execute(sa.update(accounts.user_employers).where(accounts.user_employers.c.username == "hr-a")
                     .values(employer_id=EMPLOYER_B))
    at.run()
    assert not at.metric and t("auth.account_changed") in [w.value for w in at.warning]


def test_disabled_admin_cannot_add_an_admin(app_store: str) -> None:
    at = app("views/pages/admin.py", "boss")
    accounts.disable_user(store.connect(app_store), "boss", by="test")
    at.text_input(key="admin-username").input("intruder")
    at.text_input(key="admin-password").input("another long passphrase 42")
    at.selectbox(key="admin-role").set_value("admin")
    next(b for b in at.button if b.label == t("admin.add")).click().run()
    assert "intruder" not in [u["username"] for u in accounts.list_users(store.connect(app_store))]
    assert [i.label for i in at.text_input] == ["用户名 / Username", "密码 / Password"]


def test_clear_cache_keeps_the_workers_engines_and_results(app_store: str) -> None:
    """What Streamlit does on a client's ``clear_cache`` message (AppSession._handle_clear_cache_request)
    must not touch the checking processes, the store's engine or the results cache."""
    import views.runtime

    at = app("views/pages/hr.py", "hr-a")
    at.button(key="hr-sample").click().run()
    pool, engine, cached = views.runtime.check_workers(), views.runtime.engine(), len(views.runtime.RESULTS)
    assert cached == 1
    for _ in range(10):
        caching.cache_data.clear()
        caching.cache_resource.clear()
        at.run()
    assert views.runtime.check_workers() is pool and views.runtime.engine() is engine
    assert len(views.runtime.RESULTS) == cached and at.metric


def test_problems_of_a_same_named_upload_of_another_employer_stay_hidden() -> None:
    """Two files named roster.csv: the second belongs to another employer. Its row problems must not
    reach HR of the first through a match on (file name, row)."""
    # section 11.3: mine is someone born 1990 (110105199003071239): a 1949 ID would be coded over_statutory_age
    mine = "employer_id,name,id_number,hire_date\n911101055347017256,甲,110105199003071239,2025-03-05\n"
    theirs = "employer_id,name,id_number,hire_date\n914403057569602043,乙,110105194912310021,2025-03-05\n"
    result, errors = check_uploads([("roster.csv", mine.encode()), ("roster.csv", theirs.encode())],
                                   dt.date(2025, 11, 20))
    assert not errors
    assert result.results["source_file"].tolist() == ["roster.csv", "roster.csv (2)"]
    user = accounts.User("hr-a", "hr", frozenset({EMPLOYER_A}))
    scoped, set_aside = jobs.scope(result, user)
    assert set_aside == 1
    # 110105194912310021 has a wrong check character (it should be X): a problem of the other employer's row
    assert scoped.problems.empty


def test_upload_over_the_total_cap_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    import views.runtime

    monkeypatch.setenv("SHEBAO_MAX_UPLOAD_MB", "1")
    assert views.runtime.max_upload_bytes() == 2**20
    at = AppTest.from_string(CAP_PAGE, default_timeout=30).run()
    assert [e.value for e in at.error] == [t("upload_too_big").format(total=2.0, cap=1.0)]


# Small pages for AppTest, guarded: AppTest runs a script as __main__, and the worker processes
# (spawn) started later in the same test session run __main__'s file again as __mp_main__.
CAP_PAGE = """
if __name__ == "__main__":
    from views.widgets import within_upload_cap

    within_upload_cap(2 * 2**20)
"""
TABLE_PAGE = """
if __name__ == "__main__":
    import pandas as pd
    import streamlit as st

    import views.widgets

    st.dataframe(views.widgets.display_table(pd.DataFrame({"name": [f"n{i}" for i in range(25)]})))
"""


def test_unexpected_store_errors_show_one_translated_line_and_log_no_id(
        app_store: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """A database error's text quotes the statement's parameters (ID numbers): never on screen or in the log."""
    secret_id = "11010519491231002X"

    def failing_upload(*_args: object, **_kwargs: object) -> None:
        raise sa.exc.DataError("INSERT INTO people …", [{"ssn": secret_id}], Exception("value too long"))

    monkeypatch.setattr(store, "save", failing_upload)  # what jobs.store_file saves with
    at = app("views/pages/store.py", "insp")
    with caplog.at_level(logging.DEBUG):
        at.button(key="store-sample").click().run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors and all(e == t("unexpected_error") for e in errors)
    assert secret_id not in visible_text(at) and secret_id not in caplog.text


def test_every_download_is_audited(app_store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import views.widgets

    user = accounts.User("hr-a", "hr", frozenset({EMPLOYER_A}))
    frame = pd.DataFrame({"name": ["=1+1"], "employer_id": [EMPLOYER_A]})
    from compliance import reports

    engine = store.connect(app_store)
    monkeypatch.setitem(st.session_state, "_sign_in", signins.token_hash(signins.begin(engine, "hr-a")))
    build = views.widgets.audited_download(user, [EMPLOYER_A], "hr test.csv", reports.to_bytes, frame, ".csv")
    before = len(store.audit_entries(engine))
    data = build()
    entries = store.audit_entries(engine).iloc[before:]
    assert entries[["actor", "action", "employer_id", "detail"]].values.tolist() == [
        ["hr-a", "view", EMPLOYER_A, "download hr test.csv"]]
    assert "'=1+1" in io.BytesIO(data).read().decode("utf-8-sig")  # the formula-safe writer was used


def test_streamlit_table_export_and_error_details_are_off() -> None:
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True
    assert config["client"]["showErrorDetails"] == "none"


def test_file_names_in_messages_are_sanitised() -> None:
    """A crafted upload name (folders, right-to-left override, markdown link) is echoed in its safe form:
    no folder, no control character, and no markdown that st.error would turn into a link."""
    import views.presentation

    evil = "../../etc/\u202epasswd[x](javascript:alert(1))\u202c.csv"
    _, errors = check_uploads([(evil, b"\x00\x01 not a roster")], dt.date(2025, 11, 20))
    assert len(errors) == 1 and errors[0].startswith("passwd[x](javascript:alert(1)).csv: ")
    shown = views.presentation.safe_text(errors[0])
    assert "\u202e" not in shown and "../" not in shown and "](" not in shown


def test_on_screen_tables_stop_at_max_screen_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 25-row frame with the cap at 10 rows: 10 rows reach the browser, and a caption says so."""
    import views.presentation

    monkeypatch.setattr(views.presentation, "MAX_SCREEN_ROWS", 10)
    at = AppTest.from_string(TABLE_PAGE, default_timeout=30).run()
    assert len(at.dataframe[0].value) == 10
    assert [c.value for c in at.caption] == [t("table_truncated").format(shown=10, total=25)]



def test_a_download_clicked_after_the_sign_in_ended_gets_nothing(app_store: str,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A click on a download button runs no script (so no enforce_account): the data function itself
    refuses once the user is disabled, or once that sign-in has ended (signed out)."""
    import views.widgets
    from compliance import reports

    user = accounts.User("hr-a", "hr", frozenset({EMPLOYER_A}))
    frame = pd.DataFrame({"name": ["甲"], "employer_id": [EMPLOYER_A]})
    engine = store.connect(app_store)
    hashed = signins.token_hash(signins.begin(engine, "hr-a"))
    monkeypatch.setitem(st.session_state, "_sign_in", hashed)
    build = views.widgets.audited_download(user, [EMPLOYER_A], "hr test.csv", reports.to_bytes, frame, ".csv")
    assert build()  # while the sign-in lasts
    signins.end(engine, hashed)  # signed out (in this tab or another of the same browser)
    with pytest.raises(PermissionError):
        build()
    again = signins.token_hash(signins.begin(engine, "hr-a"))
    monkeypatch.setitem(st.session_state, "_sign_in", again)
    build = views.widgets.audited_download(user, [EMPLOYER_A], "hr test.csv", reports.to_bytes, frame, ".csv")
    assert build()
    accounts.disable_user(engine, "hr-a", by="test")
    with pytest.raises(PermissionError):
        build()


# --- issue 20 ---------------------------------------------------------------------------------------

PAGES_AND_USERS = [("views/pages/hr.py", "hr-a", "hr-sample"), ("views/pages/inspector.py", "insp", "insp-sample"),
                   ("views/pages/store.py", "insp", "store-sample"), ("views/pages/worksheet.py", "insp", None),
                   ("views/pages/cases.py", "insp", None), ("views/pages/cards.py", "hr-a", "card-sample"),
                   ("views/pages/admin.py", "boss", None), ("views/pages/flexible.py", None, None),
                   ("views/pages/hr.py", None, None)]


@pytest.mark.parametrize(("page", "username", "sample"), PAGES_AND_USERS)
def test_every_text_input_has_a_length_limit(app_store: str, page: str, username: str | None,
                                             sample: str | None) -> None:
    """Finding 6 (and 2): no text box of any page takes text without a bound (a 1 MB employer name on a
    300-row roster added 1.8 GB; a 7.5 M-character username froze the server). Streamlit cuts a value
    to ``max_chars`` on the server too, so a crafted widget value is bounded as well."""
    store.open_case(store.connect(app_store), EMPLOYER_A, "test", by="test")  # the cases page's case note
    at = app(page, username)
    if sample:
        at.button(key=sample).click().run()
    assert not at.exception
    boxes = list(at.text_input)
    assert all(0 < box.max_chars <= 2_000 for box in boxes), [(box.label, box.max_chars) for box in boxes]


def test_a_crafted_long_widget_value_is_cut_on_the_server() -> None:
    """What the limits above rely on: Streamlit cuts a text widget's value from the client to
    ``max_chars`` when it reads it (a crafted client is not held to the browser's limit)."""
    from streamlit.elements.widgets.text_widgets import TextInputSerde

    from compliance.registration import MAX_EMPLOYER_NAME_CHARS

    assert len(TextInputSerde("", MAX_EMPLOYER_NAME_CHARS).deserialize("名" * 1_000_000)) == MAX_EMPLOYER_NAME_CHARS


def test_demo_accounts_only_when_asked_and_they_must_change_their_password(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Finding 10: the embedded store always had a demo-inspector with a password printed in the log,
    never to be changed."""
    import views.runtime

    monkeypatch.delenv("SHEBAO_DEMO", raising=False)
    plain = views.runtime.engine_for(f"sqlite:///{tmp_path / 'plain.sqlite'}")
    assert [u["username"] for u in accounts.list_users(plain)] == ["admin"]
    assert "demo" not in capsys.readouterr().out
    monkeypatch.setenv("SHEBAO_DEMO", "1")
    demo = views.runtime.engine_for(f"sqlite:///{tmp_path / 'demo.sqlite'}")
    printed = capsys.readouterr().out
    passwords = dict(line.split("user '")[1].split("', one-time password: ") for line in printed.splitlines()
                     if "shebao-check demo: user" in line)
    passwords = {name: value.split(" ")[0] for name, value in passwords.items()}
    assert sorted(passwords) == ["demo-hr", "demo-inspector"]
    user = accounts.authenticate(demo, "demo-inspector", passwords["demo-inspector"])
    assert user.must_change_password  # to be changed at first sign-in, like the admin's


def test_sign_out_ends_the_stored_sign_in(app_store: str) -> None:
    at = app("views/pages/hr.py", "hr-a")
    hashed = at.session_state["_sign_in"]
    engine = store.connect(app_store)
    assert signins.check(engine, hashed).username == "hr-a"
    at.sidebar.button(key="auth-sign-out").click().run()
    assert signins.check(engine, hashed).reason == "ended"  # for every tab holding this sign-in's cookie


def test_an_empty_sign_in_says_it_was_not_taken(app_store: str) -> None:
    """Finding 18: a sign-in whose typed text was lost came back as an empty form with no message."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    next(b for b in at.button if b.label == "登录 / Sign in").click()
    at.run()
    assert [e.value for e in at.error] == [t("auth.fields_empty")]


def test_a_failing_audit_shows_one_line_and_no_personal_data(app_store: str, monkeypatch: pytest.MonkeyPatch,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    """Finding 4: on PostgreSQL a long employer cell made the audit insert fail on the inspector page, and
    the log quoted the cell with its ID number. The store now bounds what it audits (tests/test_store.py);
    should an audit still fail, the page shows one translated line and none of the data it could not audit."""
    secret_id = "11010519491231002X"

    def failing_audit(*_args: object, **_kwargs: object) -> None:
        raise sa.exc.DataError("INSERT INTO audit_log …", [{"employer_id": secret_id}], Exception("too long"))

    monkeypatch.setattr(accounts, "audit_view", failing_audit)
    at = app("views/pages/inspector.py", "insp")
    with caplog.at_level(logging.DEBUG):
        at.button(key="insp-sample").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("unexpected_error")]
    assert not at.dataframe and not at.metric
    assert secret_id not in caplog.text


DROP_PAGE = """
if __name__ == "__main__":
    import types

    import streamlit as st
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    from streamlit.runtime.uploaded_file_manager import UploadedFileRec

    import views.runtime

    ctx = get_script_run_ctx()
    if "added" not in st.session_state:
        for file_id in ("orphan", "shown"):
            ctx.uploaded_file_mgr.add_file(ctx.session_id, UploadedFileRec(file_id, "r.csv", "text/csv", b"a" * 10))
        st.session_state["added"] = True
        st.session_state["uploader"] = [types.SimpleNamespace(file_id="shown")]  # as an uploader's value looks
    views.runtime.drop_unreferenced_uploads()
    st.write(",".join(sorted(ctx.uploaded_file_mgr.file_storage.get(ctx.session_id, {}))))
"""


def test_files_no_widget_names_are_dropped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Finding 8: held uploads were capped per tab only and kept until the session ended; a file a crafted
    client uploads without a widget, or one whose widget is gone, now goes after a grace period."""
    import views.runtime

    monkeypatch.setattr(views.runtime, "UNREFERENCED_GRACE", 0.0)
    at = AppTest.from_string(DROP_PAGE, default_timeout=30).run()
    assert [m.value for m in at.markdown] == ["shown"]


def test_a_store_that_cannot_be_opened_is_one_line_on_the_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 21's `--db` fault on the dashboard: SHEBAO_DB naming a folder that does not exist showed
    Streamlit's exception page; now one translated line, and the reason (no password) on the console."""
    url = f"sqlite:///{tmp_path / 'missing' / 'store.sqlite'}"
    monkeypatch.setenv("SHEBAO_DB", url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert [e.value for e in at.error] == [t("store.unavailable")]
    assert "does not exist" in capsys.readouterr().out
