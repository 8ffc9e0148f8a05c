"""Administration (issue 24, item 7): enable, reset a password, unlock, role and employers, last sign-in, the
audit log a page at a time, ``user reset-admin``, Beijing time on screen and in the command line."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from compliance import accounts, beijing, signins, store
from compliance.i18n import t
from views.presentation import audit_table, employers_text, users_table

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new long password"
EMPLOYER = "914403057569602043"  # USCCs with their GB 32100-2015 check characters (the samples' employers)
EMPLOYER_2 = "911101055347017256"
T0 = dt.datetime(2026, 1, 5, 9, 0)


@pytest.fixture
def engine(db_url: str) -> sa.Engine:
    eng = store.connect(db_url)
    accounts.add_user(eng, "boss", "admin", PASSWORD)
    accounts.add_user(eng, "hr1", "hr", PASSWORD, [EMPLOYER])
    return eng


def code_of(excinfo: pytest.ExceptionInfo) -> str | None:
    return excinfo.value.code


def actions(engine: sa.Engine, actor: str = "boss") -> list[str]:
    log = store.audit_entries(engine)
    return log.loc[log["actor"] == actor, "action"].tolist()


def test_enable_a_disabled_user(engine: sa.Engine) -> None:
    signins.disable_account(engine, "hr1", by="boss")
    with pytest.raises(accounts.SignInError):
        accounts.authenticate(engine, "hr1", PASSWORD)
    accounts.enable_user(engine, "hr1", by="boss")
    assert accounts.authenticate(engine, "hr1", PASSWORD).role == "hr"
    with pytest.raises(accounts.AccountError) as again:
        accounts.enable_user(engine, "hr1", by="boss")
    assert code_of(again) == "user_enabled_already"
    with pytest.raises(accounts.AccountError) as nobody:
        accounts.enable_user(engine, "nobody", by="boss")
    assert code_of(nobody) == "no_user"
    assert actions(engine) == ["user_disable", "user_enable"]


def test_reset_password_gives_a_one_time_password_that_must_be_changed(engine: sa.Engine) -> None:
    token = signins.begin(engine, "hr1")
    one_time = accounts.reset_password(engine, "hr1", by="boss")
    assert len(one_time) >= accounts.MIN_PASSWORD_LENGTH and one_time != PASSWORD
    assert signins.check(engine, signins.token_hash(token)).reason == "ended"  # its sign-ins ended
    with pytest.raises(accounts.SignInError):
        accounts.authenticate(engine, "hr1", PASSWORD)  # the old password is gone
    signed_in = accounts.authenticate(engine, "hr1", one_time)
    assert signed_in.must_change_password  # the dashboard shows only the new-password form
    with pytest.raises(accounts.PasswordRefused) as same:
        accounts.set_password(engine, "hr1", one_time)
    assert code_of(same) == "password_unchanged"
    accounts.set_password(engine, "hr1", NEW_PASSWORD)
    with pytest.raises(accounts.SignInError):
        accounts.authenticate(engine, "hr1", one_time)  # once only
    assert not accounts.authenticate(engine, "hr1", NEW_PASSWORD).must_change_password
    entry = store.audit_entries(engine).query("action == 'password_reset'").iloc[0]
    assert entry["actor"] == "boss" and one_time not in entry["detail"]


def test_unlock_lets_a_locked_out_user_sign_in(engine: sa.Engine) -> None:
    for minute in range(accounts.MAX_FAILURES):
        with pytest.raises(accounts.SignInError):
            accounts.authenticate(engine, "hr1", "not the password", now=T0 + dt.timedelta(minutes=minute))
    later = T0 + dt.timedelta(minutes=6)
    with pytest.raises(accounts.SignInError) as locked:
        accounts.authenticate(engine, "hr1", PASSWORD, now=later)
    assert code_of(locked) == "locked"
    assert {u["username"]: u["locked"] for u in accounts.list_users(engine, now=later)} == {"boss": False, "hr1": True}
    assert accounts.unlock_user(engine, "hr1", by="boss", now=later) == accounts.MAX_FAILURES
    assert not accounts.list_users(engine, now=later)[1]["locked"]
    assert accounts.authenticate(engine, "hr1", PASSWORD, now=later).username == "hr1"
    assert "hr1: 5 failed sign-in(s) cleared" in store.audit_entries(engine).query("action == 'user_unlock'")[
        "detail"].iloc[0]


def test_role_and_employer_changes_follow_the_rules(engine: sa.Engine) -> None:
    refusals = {
        "employer_not_hr": ("hr1", "inspector", [EMPLOYER]),
        "hr_without_employer": ("hr1", "hr", []),
        "employer_invalid": ("hr1", "hr", ["914403057569602044"]),  # check character 3, not 4
        "unknown_role": ("hr1", "root", []),
        "role_unchanged": ("hr1", "hr", [EMPLOYER]),
        "last_admin": ("boss", "inspector", []),
        "no_user": ("nobody", "inspector", []),
    }
    for code, (name, role, employers) in refusals.items():
        with pytest.raises(accounts.AccountError) as refused:
            accounts.change_role(engine, name, role, employers, by="boss")
        assert code_of(refused) == code, code
        assert refused.value.render("zh") != refused.value.render("en")  # a catalogue text in both languages
    before = accounts.User("hr1", "hr", frozenset({EMPLOYER}))
    token = signins.begin(engine, "hr1")
    accounts.change_role(engine, "hr1", "hr", [EMPLOYER, EMPLOYER_2, EMPLOYER], by="boss")  # a repeat is one
    assert accounts.refresh(engine, before) == accounts.User("hr1", "hr", frozenset({EMPLOYER, EMPLOYER_2}))
    assert signins.check(engine, signins.token_hash(token)).reason == "ended"
    accounts.change_role(engine, "hr1", "inspector", by="boss")
    assert [(u["role"], u["employers"]) for u in accounts.list_users(engine) if u["username"] == "hr1"] == [
        ("inspector", [])]
    accounts.change_role(engine, "hr1", "admin", by="boss")
    accounts.change_role(engine, "boss", "inspector", by="hr1")  # another admin is left: allowed
    assert actions(engine) == ["user_role", "user_role", "user_role"] and actions(engine, "hr1") == ["user_role"]


def test_last_sign_in_is_recorded(engine: sa.Engine) -> None:
    assert {u["username"]: u["last_sign_in"] for u in accounts.list_users(engine)} == {"boss": None, "hr1": None}
    accounts.authenticate(engine, "hr1", PASSWORD, now=T0)
    accounts.authenticate(engine, "hr1", PASSWORD, now=T0 + dt.timedelta(hours=1))
    with pytest.raises(accounts.SignInError):  # a failure is no sign-in
        accounts.authenticate(engine, "hr1", "not the password", now=T0 + dt.timedelta(hours=2))
    last = {u["username"]: u["last_sign_in"] for u in accounts.list_users(engine)}
    assert last == {"boss": None, "hr1": "2026-01-05T10:00:00"}
    shown = users_table(accounts.list_users(engine), {}, "zh").set_index("username")
    assert shown.loc["hr1", "last_sign_in"] == "2026-01-05 18:00（北京时间）"


def test_every_admin_action_is_audited(engine: sa.Engine) -> None:
    accounts.add_user(engine, "i1", "inspector", PASSWORD, by="boss")
    signins.disable_account(engine, "i1", by="boss")
    accounts.enable_user(engine, "i1", by="boss")
    accounts.reset_password(engine, "i1", by="boss")
    accounts.unlock_user(engine, "i1", by="boss")
    accounts.change_role(engine, "i1", "hr", [EMPLOYER], by="boss")
    accounts.reset_admin(engine, by="boss")
    assert actions(engine) == ["user_add", "user_disable", "user_enable", "password_reset", "user_unlock",
                               "user_role", "admin_reset"]
    log = store.audit_entries(engine)
    assert (log.loc[log["actor"] == "boss", "detail"].str.len() > 0).all()  # each says whom it changed


def _entries(engine: sa.Engine, rows: list[tuple[dt.datetime, str, str]]) -> None:
    with engine.begin() as conn:
        conn.execute(store.audit_log.insert(), [{"at": at, "actor": actor, "action": action, "detail": "x"}
                                                for at, actor, action in rows])


def test_audit_log_is_filtered_and_read_a_page_at_a_time(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(store.audit_log.delete())  # only the entries below
    base = dt.datetime(2026, 11, 1, 2, 0)
    _entries(engine, [(base + dt.timedelta(minutes=i), "hr1" if i % 3 else "boss", "view") for i in range(23)])
    page_size, total = 5, 23
    pages = [accounts.audit_page(engine, page=p, page_size=page_size) for p in range(1, 6)]
    assert [(p.total, p.page, p.pages, len(p.entries)) for p in pages] == [
        (total, p, 5, page_size if p < 5 else total - 4 * page_size) for p in range(1, 6)]
    ids = [e["id"] for p in pages for e in p.entries]
    assert ids == sorted(ids, reverse=True) and len(set(ids)) == total  # newest first, each once
    assert accounts.audit_page(engine, page=99, page_size=page_size).page == 5  # cut to the pages there are
    boss = accounts.audit_page(engine, actor="boss", page_size=50)
    assert boss.total == 8 and {e["actor"] for e in boss.entries} == {"boss"}
    assert accounts.audit_page(engine, action="sign_in").total == 0
    # Beijing days: 15:59 UTC is 23:59 on the 1st in Beijing, 16:00 UTC is 00:00 on the 2nd
    _entries(engine, [(dt.datetime(2026, 12, 1, 15, 59), "boss", "user_add"),
                      (dt.datetime(2026, 12, 1, 16, 0), "boss", "user_add")])
    day = accounts.audit_page(engine, first=dt.date(2026, 12, 2), last=dt.date(2026, 12, 2))
    assert [e["at"] for e in day.entries] == [dt.datetime(2026, 12, 1, 16, 0)]
    first_day = accounts.audit_page(engine, action="user_add", first=dt.date(2026, 12, 1), last=dt.date(2026, 12, 1))
    assert [e["at"] for e in first_day.entries] == [dt.datetime(2026, 12, 1, 15, 59)]
    with pytest.raises(accounts.AccountError) as reversed_dates:
        accounts.audit_page(engine, first=dt.date(2026, 12, 2), last=dt.date(2026, 12, 1))
    assert code_of(reversed_dates) == "audit_dates_reversed"
    shown = audit_table(day.entries, "zh")
    assert shown.loc[0, "at"] == "2026-12-02 00:00:00（北京时间）" and shown.loc[0, "action"] == "新增用户"


def test_a_page_of_the_audit_log_reads_a_page_not_the_log(engine: sa.Engine) -> None:
    _entries(engine, [(T0, "hr1", "view")] * 40)
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        page = accounts.audit_page(engine, page=2, page_size=10)
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    assert len(page.entries) == 10
    reads = [s for s in statements if "audit_log" in s and "count(" not in s.lower()]
    assert reads and all("LIMIT" in s.upper() for s in reads)


def run_cli(db_url: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "compliance", "user", *args, "--db", db_url], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_reset_admin_prints_a_one_time_password_when_no_admin_can_sign_in(db_url: str) -> None:
    eng = store.connect(db_url)
    r = run_cli(db_url, "reset-admin")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "no admin" in r.stderr  # no admin
    accounts.add_user(eng, "boss", "admin", PASSWORD)
    accounts.disable_user(eng, "boss")
    for minute in range(accounts.MAX_FAILURES):  # and locked out: nobody can sign in as admin
        with pytest.raises(accounts.SignInError):
            accounts.authenticate(eng, "boss", "lost password!", now=accounts.now_utc() - dt.timedelta(minutes=minute))
    r = run_cli(db_url, "reset-admin")
    assert r.returncode == 0, r.stderr
    password = r.stdout.strip()
    assert len(password.splitlines()) == 1 and "shown this once" in r.stderr
    admin = accounts.authenticate(eng, "boss", password)
    assert admin.role == "admin" and admin.must_change_password
    entry = store.audit_entries(eng).query("action == 'admin_reset'")
    assert len(entry) == 1 and entry["detail"].iloc[0].startswith("boss: one-time password set and enabled")
    accounts.add_user(eng, "chief", "admin", PASSWORD)
    r = run_cli(db_url, "reset-admin")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "--username" in r.stderr
    r = run_cli(db_url, "reset-admin", "--username", "chief")
    assert r.returncode == 0 and accounts.authenticate(eng, "chief", r.stdout.strip()).must_change_password
    assert run_cli(db_url, "reset-admin", "--username", "nobody").returncode == 2


def test_user_cli_enable_unlock_set_role_reset_and_list_in_beijing_time(db_url: str) -> None:
    eng = store.connect(db_url)
    accounts.add_user(eng, "hr1", "hr", PASSWORD, [EMPLOYER])
    with eng.begin() as conn:  # signed in at 23:30 UTC on 1 December: 07:30 on 2 December in Beijing
        conn.execute(accounts.login_attempts.insert().values(username="hr1", at=dt.datetime(2026, 12, 1, 23, 30),
                                                             success=True))
    listed = run_cli(db_url, "list")
    assert listed.returncode == 0
    assert listed.stdout.startswith(f"hr1                  hr         {EMPLOYER}")  # the listing as it was
    assert "last sign-in: 2026-12-02 07:30 (Beijing time)" in listed.stdout
    assert run_cli(db_url, "disable", "hr1").returncode == 0
    assert run_cli(db_url, "enable", "hr1").returncode == 0
    assert run_cli(db_url, "enable", "hr1").returncode == 2
    assert run_cli(db_url, "unlock", "hr1").stdout.strip() == "user hr1 unlocked (0 failed sign-in(s) cleared)"
    r = run_cli(db_url, "set-role", "hr1", "--role", "hr", "--employer", f"{EMPLOYER}，{EMPLOYER_2}")
    assert r.returncode == 0, r.stderr
    assert sorted(accounts.list_users(eng)[0]["employers"]) == sorted([EMPLOYER, EMPLOYER_2])
    r = run_cli(db_url, "set-role", "hr1", "--role", "inspector", "--employer", EMPLOYER)
    assert r.returncode == 2 and "only hr" in r.stderr
    r = run_cli(db_url, "reset-password", "hr1")
    assert r.returncode == 0 and accounts.authenticate(eng, "hr1", r.stdout.strip()).must_change_password
    audit = run_cli(db_url, "audit", "--action", "password_reset")
    assert audit.returncode == 0 and "(Beijing time)" in audit.stdout and "password_reset" in audit.stdout
    assert audit.stdout.strip().endswith("page 1 of 1, 1 entries (newest first)")


def test_beijing_time_changes_the_day_before_8_am() -> None:
    utc = dt.datetime(2026, 12, 1, 23, 30)
    assert beijing.to_beijing(utc) == dt.datetime(2026, 12, 2, 7, 30)
    assert beijing.beijing_text(utc) == "2026-12-02 07:30（北京时间）"
    assert beijing.beijing_text("2026-12-01T23:30:00", "en") == "2026-12-02 07:30 (Beijing time)"
    assert beijing.beijing_text(utc.replace(tzinfo=dt.UTC), seconds=True) == "2026-12-02 07:30:00（北京时间）"
    assert beijing.beijing_text(None) == ""
    assert beijing.utc_bounds(dt.date(2026, 12, 2), dt.date(2026, 12, 2)) == (
        dt.datetime(2026, 12, 1, 16, 0), dt.datetime(2026, 12, 2, 16, 0))


def test_employers_separated_by_full_width_commas_and_shown_as_a_list() -> None:
    typed = f" {EMPLOYER}，{EMPLOYER_2}、{EMPLOYER.lower()}；\u3000"
    assert accounts.parse_employers(typed) == [EMPLOYER, EMPLOYER_2]
    assert accounts.parse_employers(f"{EMPLOYER}, {EMPLOYER_2}") == [EMPLOYER, EMPLOYER_2]
    assert accounts.parse_employers("") == []
    names = {EMPLOYER: "深圳示例有限公司"}
    assert employers_text([EMPLOYER, EMPLOYER_2], names, "zh") == f"深圳示例有限公司 {EMPLOYER}，{EMPLOYER_2}"
    shown = users_table([{"username": "hr1", "role": "hr", "employers": [EMPLOYER, EMPLOYER_2], "disabled": False,
                          "locked": False, "last_sign_in": None, "created_at": "2026-12-01T23:30:00"}], names, "en")
    assert shown.loc[0, "employers"] == f"深圳示例有限公司 {EMPLOYER}, {EMPLOYER_2}"  # not a list literal
    assert shown.loc[0, "created_at"] == "2026-12-02 07:30 (Beijing time)"


# --- the admin page (Streamlit AppTest, signed in as tests/test_app.py does) ------------------------------

@pytest.fixture
def app_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> sa.Engine:
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    monkeypatch.setenv("SHEBAO_DB", url)
    eng = store.connect(url)
    accounts.add_user(eng, "boss", "admin", PASSWORD)
    accounts.add_user(eng, "hr", "hr", PASSWORD, [EMPLOYER])
    return eng


def admin_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("views/pages/admin.py").run()
    at.text_input(key="auth-username").input("boss")
    at.text_input(key="auth-password").input(PASSWORD)
    next(b for b in at.button if b.label == "登录 / Sign in").click()
    return at.run()


def button(at: AppTest, key: str):
    return next(b for b in at.button if b.label == t(key, "zh"))


def test_admin_page_forms_keep_their_values_and_reset_shows_the_password_once(app_store: sa.Engine) -> None:
    at = admin_page()
    assert not at.exception and at.title[0].value == t("page.admin", "zh")
    users = at.dataframe[0].value
    assert users.loc[users["用户名"] == "hr", "所属单位"].iloc[0] == EMPLOYER  # not "['9144…']"
    last = dict(zip(users["用户名"], users["最近登录"], strict=True))
    assert last["boss"].endswith("（北京时间）") and last["hr"] == ""  # hr never signed in
    # a refusal keeps the form's values
    at.text_input(key="admin-username").input("hr2")
    at.text_input(key="admin-password").input("short")
    at.selectbox(key="admin-role").select("hr")
    at.text_input(key="admin-employers").input(f"{EMPLOYER}，{EMPLOYER_2}")
    at = button(at, "admin.add").click().run()
    assert [e.value for e in at.error] == ["密码至少需要12个字符"]
    assert at.text_input(key="admin-username").value == "hr2"
    assert at.text_input(key="admin-employers").value == f"{EMPLOYER}，{EMPLOYER_2}"
    at.text_input(key="admin-password").input(PASSWORD)
    at = button(at, "admin.add").click().run()
    assert not at.error and at.success[0].value.startswith("已新增用户 hr2")
    assert at.text_input(key="admin-username").value == ""  # emptied after a success
    hr2 = next(u for u in accounts.list_users(app_store) if u["username"] == "hr2")
    assert sorted(hr2["employers"]) == sorted([EMPLOYER, EMPLOYER_2])
    # reset: the one-time password shown once, and it signs in
    at.selectbox(key="admin-target").select("hr")
    at = button(at, "admin.reset").click().run()
    assert len(at.code) == 1
    password = at.code[0].value
    assert accounts.authenticate(app_store, "hr", password).must_change_password
    at = at.run()
    assert not at.code  # shown once
    # a refused role change keeps its values; the audit log lists the actions
    at.selectbox(key="admin-role-user").select("hr2")
    at.selectbox(key="admin-new-role").select("inspector")
    at.text_input(key="admin-new-employers").input(EMPLOYER)
    at = button(at, "admin.save_role").click().run()
    assert [e.value for e in at.error] == ["只有人事角色的用户绑定用人单位"]
    assert at.text_input(key="admin-new-employers").value == EMPLOYER
    log = at.dataframe[-1].value
    assert {"新增用户", "重置密码", "登录"} <= set(log["操作"]) and log["时间"].str.endswith("（北京时间）").all()
