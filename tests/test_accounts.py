"""Accounts, sign-in, lock-out, the user CLI, and personal data kept out of logs and messages."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from compliance import accounts, cli, ids, store
from compliance.registration import check
from compliance.rosters import read_rosters

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
# A USCC with its GB 32100-2015 check character (the agency sample's first employer).
EMPLOYER = "914403057569602043"
T0 = dt.datetime(2026, 1, 5, 9, 0)


@pytest.fixture
def engine(db_url: str) -> sa.Engine:
    return store.connect(db_url)


def test_only_argon2id_hashes_are_kept(engine: sa.Engine) -> None:
    accounts.add_user(engine, "hr1", "hr", PASSWORD, [EMPLOYER])
    with engine.connect() as conn:
        stored = conn.execute(sa.select(accounts.users.c.password_hash)).scalar()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_roles_and_employers_are_checked(engine: sa.Engine) -> None:
    with pytest.raises(accounts.AccountError, match="at least one employer"):
        accounts.add_user(engine, "hr1", "hr", PASSWORD)
    with pytest.raises(accounts.AccountError, match="unified social credit code"):
        accounts.add_user(engine, "hr1", "hr", PASSWORD, ["914403057569602044"])  # check character 3, not 4
    with pytest.raises(accounts.AccountError, match="only hr"):
        accounts.add_user(engine, "i1", "inspector", PASSWORD, [EMPLOYER])
    with pytest.raises(accounts.AccountError, match="unknown role"):
        accounts.add_user(engine, "x", "root", PASSWORD)
    with pytest.raises(accounts.AccountError, match="12 characters"):
        accounts.add_user(engine, "i1", "inspector", "short")
    accounts.add_user(engine, "i1", "inspector", PASSWORD)
    with pytest.raises(accounts.AccountError, match="exists"):
        accounts.add_user(engine, "i1", "inspector", PASSWORD)


def test_sign_in_and_same_message_for_unknown_user_and_wrong_password(engine: sa.Engine) -> None:
    accounts.add_user(engine, "hr1", "hr", PASSWORD, [EMPLOYER])
    user = accounts.authenticate(engine, "hr1", PASSWORD, now=T0)
    assert user == accounts.User("hr1", "hr", frozenset({EMPLOYER}))
    assert user.can_see(EMPLOYER) and not user.can_see("91310104215140748Q")
    with pytest.raises(accounts.SignInError) as wrong_password:
        accounts.authenticate(engine, "hr1", "not the password", now=T0)
    with pytest.raises(accounts.SignInError) as unknown_user:
        accounts.authenticate(engine, "nobody", PASSWORD, now=T0)
    assert str(wrong_password.value) == str(unknown_user.value) == accounts.SIGN_IN_FAILED


def test_five_failures_in_15_minutes_lock_for_15_minutes(engine: sa.Engine) -> None:
    accounts.add_user(engine, "hr1", "hr", PASSWORD, [EMPLOYER])
    for minute in range(5):  # failures at 09:00 … 09:04
        with pytest.raises(accounts.SignInError, match="Wrong"):
            accounts.authenticate(engine, "hr1", "nope", now=T0 + dt.timedelta(minutes=minute))
    for minute in (5, 10, 18):  # locked even with the right password, until 09:04 + 15 min
        with pytest.raises(accounts.SignInError, match="15 minutes"):
            accounts.authenticate(engine, "hr1", PASSWORD, now=T0 + dt.timedelta(minutes=minute))
    assert accounts.authenticate(engine, "hr1", PASSWORD, now=T0 + dt.timedelta(minutes=19, seconds=1))


def test_four_failures_do_not_lock_and_spread_failures_do_not_lock(engine: sa.Engine) -> None:
    accounts.add_user(engine, "hr1", "hr", PASSWORD, [EMPLOYER])
    for minute in (0, 5, 10, 15, 20):  # five failures, but never five within 15 minutes
        with pytest.raises(accounts.SignInError, match="Wrong"):
            accounts.authenticate(engine, "hr1", "nope", now=T0 + dt.timedelta(minutes=minute))
    assert accounts.authenticate(engine, "hr1", PASSWORD, now=T0 + dt.timedelta(minutes=21))


def test_disabled_user_cannot_sign_in(engine: sa.Engine) -> None:
    accounts.add_user(engine, "hr1", "hr", PASSWORD, [EMPLOYER])
    accounts.disable_user(engine, "hr1")
    with pytest.raises(accounts.SignInError, match="Wrong"):
        accounts.authenticate(engine, "hr1", PASSWORD)
    assert accounts.list_users(engine)[0]["disabled"] is True


def test_first_admin_once_with_a_one_time_password(engine: sa.Engine) -> None:
    password = accounts.ensure_first_admin(engine)
    assert password and len(password) >= 12
    assert accounts.ensure_first_admin(engine) is None  # only at first start
    admin = accounts.authenticate(engine, "admin", password)
    assert admin.role == "admin" and admin.must_change_password
    with pytest.raises(accounts.PasswordRefused, match="differ from the current"):
        accounts.set_password(engine, "admin", password)  # the one-time password "changed" to itself
    assert accounts.authenticate(engine, "admin", password).must_change_password  # still to be changed
    accounts.set_password(engine, "admin", "a brand new long password")
    assert not accounts.authenticate(engine, "admin", "a brand new long password").must_change_password


def test_user_cli_reads_the_password_from_stdin(db_url: str) -> None:
    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "compliance", "user", *args, "--db", db_url], input=stdin,
                              capture_output=True, text=True, cwd=ROOT, timeout=120)

    r = run("add", "hr1", "--role", "hr", "--employer", EMPLOYER, stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    assert PASSWORD not in r.stdout + r.stderr
    r = run("add", "hr2", "--role", "hr", "--employer", "914403057569602044", stdin=PASSWORD + "\n")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert run("add", "i1", "--role", "inspector", stdin=PASSWORD + "\n").returncode == 0
    assert run("disable", "i1").returncode == 0
    listed = json.loads(run("list", "--json").stdout)
    assert [(u["username"], u["role"], u["employers"], u["disabled"]) for u in listed] == [
        ("hr1", "hr", [EMPLOYER], False), ("i1", "inspector", [], True)]
    assert accounts.authenticate(store.connect(db_url), "hr1", PASSWORD).role == "hr"


def test_views_are_audited_per_employer(engine: sa.Engine) -> None:
    user = accounts.User("i1", "inspector")
    accounts.audit_view(engine, user, [EMPLOYER, "91310104215140748Q", EMPLOYER], "inspector employers")
    log = store.audit_entries(engine)
    assert log[["actor", "action", "employer_id"]].values.tolist() == [
        ["i1", "view", "91310104215140748Q"], ["i1", "view", EMPLOYER]]


def test_id_numbers_never_in_logs_or_exception_messages(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    caplog.set_level(logging.DEBUG)
    samples = sorted((ROOT / "sample_uploads").glob("*.*[!dn]"))  # the rosters, not README.md / expected.json
    result = check(read_rosters(samples), dt.date(2025, 11, 20))
    numbers = set(result.results["ssn"].dropna()) | set(result.results["id_number"].dropna())
    numbers = {n for n in numbers if len(n) >= 15}
    assert len(numbers) > 100
    messages = [str(m) for m in result.results["id_problem"].dropna()] + list(result.problems["message"].dropna())
    for number in list(numbers)[:400]:
        try:
            ids.validate(number[:-1] + ("0" if number[-1] != "0" else "1"))  # a wrong check character
        except ids.ValidationError as exc:
            messages.append(str(exc))
        try:
            ids.validate(number[:17] + "Y")
        except ids.ValidationError as exc:
            messages.append(str(exc))
    out = tmp_path / "r.csv"
    assert cli.main(["check", *map(str, samples), "--as-of", "2025-11-20", "--out", str(out)]) == 0
    text = caplog.text + "\n".join(messages)
    assert not [n for n in numbers if n in text or n[:17] in text]
    masked = result.problems.loc[result.problems["column"].astype("string").str.contains("身份证|证件|id_number",
                                                                                          na=False), "value"]
    assert masked.dropna().str.contains(r"\*{4}").all()  # problems table values of ID columns are masked


def test_demo_users_can_try_the_samples(engine: sa.Engine) -> None:
    created = accounts.ensure_demo_users(engine)
    assert set(created) == {"demo-hr", "demo-inspector"}
    hr = accounts.authenticate(engine, "demo-hr", created["demo-hr"])
    # the employers of hr_roster_2025.xlsx and of the agency extract's first employer
    assert hr.employers == {"911101055347017256", "914403057569602043"}
    assert accounts.authenticate(engine, "demo-inspector", created["demo-inspector"]).role == "inspector"
    assert accounts.ensure_demo_users(engine) == {}  # once only


# --- lock-out under parallel sign-ins (shared README section 10) -----------------------------

def _race(engine: sa.Engine, username: str, passwords: list[str]) -> list[accounts.User | str]:
    """All ``passwords`` tried at once, one thread each; a User or the refusal message per attempt."""
    barrier = threading.Barrier(len(passwords))

    def attempt(password: str) -> accounts.User | str:
        barrier.wait(timeout=60)
        try:
            return accounts.authenticate(engine, username, password)
        except accounts.SignInError as exc:
            return str(exc)

    with ThreadPoolExecutor(max_workers=len(passwords)) as pool:
        return list(pool.map(attempt, passwords))


def _attempts(engine: sa.Engine) -> list[tuple[str, bool]]:
    """The recorded sign-in attempts in the order they were recorded."""
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(accounts.login_attempts.c.username,
                                                         accounts.login_attempts.c.success)
                                               .order_by(accounts.login_attempts.c.id))]


def test_forty_parallel_wrong_passwords_get_exactly_five_checks(engine: sa.Engine) -> None:
    accounts.add_user(engine, "hr1", "hr", PASSWORD, [EMPLOYER])
    outcomes = _race(engine, "hr1", [f"wrong guess number {i}" for i in range(40)])
    assert outcomes.count(accounts.SIGN_IN_FAILED) == 5
    assert outcomes.count(accounts.LOCKED) == 35
    assert _attempts(engine) == [("hr1", False)] * 5  # refusals while locked are not recorded


def test_the_right_password_among_39_parallel_guesses_is_refused_once_five_failed(engine: sa.Engine) -> None:
    accounts.add_user(engine, "hr1", "hr", PASSWORD, [EMPLOYER])
    passwords = [f"wrong guess number {i}" for i in range(39)]
    passwords.insert(17, PASSWORD)
    outcomes = _race(engine, "hr1", passwords)
    right = outcomes.pop(17)
    assert outcomes.count(accounts.SIGN_IN_FAILED) == 5 and outcomes.count(accounts.LOCKED) == 34
    attempts = _attempts(engine)
    assert [a for a in attempts if not a[1]] == [("hr1", False)] * 5  # at most five password checks failed
    if right == accounts.LOCKED:  # evaluated after the fifth failure: refused without a check
        assert ("hr1", True) not in attempts
    else:  # evaluated before the fifth failure
        assert right == accounts.User("hr1", "hr", frozenset({EMPLOYER}))
        assert attempts.index(("hr1", True)) < 5 and len(attempts) == 6


def test_a_success_does_not_reset_the_failure_count(engine: sa.Engine) -> None:
    accounts.add_user(engine, "hr1", "hr", PASSWORD, [EMPLOYER])
    for minute in range(4):
        with pytest.raises(accounts.SignInError, match="Wrong"):
            accounts.authenticate(engine, "hr1", "nope", now=T0 + dt.timedelta(minutes=minute))
    assert accounts.authenticate(engine, "hr1", PASSWORD, now=T0 + dt.timedelta(minutes=5))
    with pytest.raises(accounts.SignInError, match="Wrong"):  # the fifth failure within 15 minutes
        accounts.authenticate(engine, "hr1", "nope", now=T0 + dt.timedelta(minutes=6))
    with pytest.raises(accounts.SignInError, match="15 minutes"):
        accounts.authenticate(engine, "hr1", PASSWORD, now=T0 + dt.timedelta(minutes=7))
    assert accounts.authenticate(engine, "hr1", PASSWORD, now=T0 + dt.timedelta(minutes=21))


def test_the_lock_key_does_not_depend_on_the_process() -> None:
    code = "from compliance import accounts; print(accounts._lock_key('hr'), accounts._lock_key('demo-hr'))"
    keys = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(keys) == 1
    hr, demo = map(int, keys.pop().split())
    assert hr != demo and all(-2**63 <= k < 2**63 for k in (hr, demo))


# --- usernames -------------------------------------------------------------------------------

def test_usernames_are_lower_case_ascii_letters_digits_dot_underscore_dash(engine: sa.Engine) -> None:
    refused = ["hr\u0430",  # "hrа": the last letter is CYRILLIC SMALL LETTER A
               "\uff48\uff52\uff41",  # "ｈｒａ": full-width
               "HR", "Hr", " hr", "hr ", "h r", "", "x" * 65, "张三", "hr@corp", "hr/1", "ﬁle"]  # ﬁ: a ligature
    for name in refused:
        with pytest.raises(accounts.UsernameRefused, match="lower-case ASCII"):
            accounts.add_user(engine, name, "inspector", PASSWORD)
    for name in ("z", "x" * 64, "li.wei_2-b", "demo-hr"):  # none of them in PASSWORD
        accounts.add_user(engine, name, "inspector", PASSWORD)
    assert sorted(u["username"] for u in accounts.list_users(engine)) == ["demo-hr", "li.wei_2-b", "x" * 64, "z"]


def test_the_typed_name_is_canonicalised_at_sign_in(engine: sa.Engine) -> None:
    accounts.add_user(engine, "hr", "hr", PASSWORD, [EMPLOYER])
    for typed in ("hr", "HR", " hr ", "\uff48\uff52", "\uff28\uff32\u3000"):  # ｈｒ, ＨＲ + ideographic space
        assert accounts.authenticate(engine, typed, PASSWORD, now=T0).username == "hr"
    with pytest.raises(accounts.SignInError, match="Wrong"):  # a Cyrillic look-alike is another name
        accounts.authenticate(engine, "h\u0433", PASSWORD, now=T0)
    assert {a[0] for a in _attempts(engine)} == {"hr"}


def test_the_lock_out_cannot_be_bypassed_by_case_spaces_or_full_width(engine: sa.Engine) -> None:
    accounts.add_user(engine, "hr", "hr", PASSWORD, [EMPLOYER])
    for minute, typed in enumerate(("HR", " hr ", "\uff48\uff52", "Hr", "hR\t")):  # five failures, five spellings
        with pytest.raises(accounts.SignInError, match="Wrong"):
            accounts.authenticate(engine, typed, "nope", now=T0 + dt.timedelta(minutes=minute))
    assert _attempts(engine) == [("hr", False)] * 5
    for typed in ("hr", "HR", "\uff28\uff32", "  hr"):
        with pytest.raises(accounts.SignInError, match="15 minutes"):
            accounts.authenticate(engine, typed, PASSWORD, now=T0 + dt.timedelta(minutes=5))
    assert accounts.authenticate(engine, "\uff48\uff52", PASSWORD, now=T0 + dt.timedelta(minutes=19, seconds=1))


# --- passwords -------------------------------------------------------------------------------

def test_password_policy(engine: sa.Engine) -> None:
    cases = {
        "elevenchars": "at least 12 characters",  # 11 characters
        " " * 12: "whitespace only",
        "\u3000" * 8 + "\t\n  ": "whitespace only",
        "my hr password 2026": "contain the username",  # the user is "hr"
        "HR is my middle name": "contain the username",
        "\uff28\uff32 full-width here": "contain the username",  # ＨＲ
        "password1234": "common password",  # in Django's list of common passwords
        "Password1234": "common password",  # compared case-insensitively
        "QWERTYUIOP123 ": "common password",
        "1q2w3e4r5t6y": "common password",
        "password 1234": "common password",  # spaces do not make it another password
    }
    for password, why in cases.items():
        with pytest.raises(accounts.PasswordRefused, match=why) as refused:
            accounts.add_user(engine, "hr", "hr", password, [EMPLOYER])
        message = str(refused.value)
        assert " / " in message and "\n" not in message and (not password.strip() or password not in message)
    assert accounts.list_users(engine) == []
    accounts.add_user(engine, "hr", "hr", "twelve chars", [EMPLOYER])  # 12 characters, none of the above
    with pytest.raises(accounts.PasswordRefused, match="contain the username"):
        accounts.set_password(engine, "hr", "new Hr password")


def test_common_password_list_is_the_documented_file() -> None:
    listed = accounts.common_passwords()
    assert len(listed) == 19640  # data/README.md: 19,640 lines
    assert {"123456", "password", "qwerty", "password1234"} <= listed
    assert all(p == p.lower() for p in listed)
    assert "common-passwords.txt.gz" in (ROOT / "compliance" / "data" / "README.md").read_text(encoding="utf-8")


def test_random_one_time_and_demo_passwords_meet_the_policy() -> None:
    for name in ("admin", "demo-hr", "demo-inspector"):
        accounts.check_password(accounts._one_time_password(name), name)
    accounts.check_password(PASSWORD, "hr")  # the tests' password stays valid


# --- must change, refresh --------------------------------------------------------------------

def test_user_cli_must_change_flag(db_url: str) -> None:
    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "compliance", "user", *args, "--db", db_url], input=stdin,
                              capture_output=True, text=True, cwd=ROOT, timeout=120)

    assert run("add", "i1", "--role", "inspector", "--must-change", stdin=PASSWORD + "\n").returncode == 0
    assert run("add", "i2", "--role", "inspector", stdin=PASSWORD + "\n").returncode == 0
    engine = store.connect(db_url)
    assert accounts.authenticate(engine, "i1", PASSWORD).must_change_password
    assert not accounts.authenticate(engine, "i2", PASSWORD).must_change_password
    refused = run("add", "Boss", "--role", "admin", stdin="password1234\n")
    assert refused.returncode == 2 and refused.stderr.strip().splitlines() == [f"error: {accounts.USERNAME_INVALID}"]
    refused = run("add", "boss", "--role", "admin", stdin="password1234\n")
    assert refused.returncode == 2 and refused.stderr.strip().splitlines() == [f"error: {accounts.PASSWORD_COMMON}"]
    helptext = subprocess.run([sys.executable, "-m", "compliance", "user", "add", "--help"], capture_output=True,
                              text=True, cwd=ROOT, timeout=120).stdout
    assert "--must-change" in helptext and "Off by default" in helptext


def test_refresh_rereads_the_account(engine: sa.Engine) -> None:
    other = "91310104215140748Q"
    accounts.add_user(engine, "hr1", "hr", PASSWORD, [EMPLOYER])
    accounts.add_user(engine, "boss", "admin", PASSWORD, must_change_password=True)
    hr = accounts.authenticate(engine, "hr1", PASSWORD)
    assert accounts.refresh(engine, hr) == hr  # unchanged: equal
    with engine.begin() as conn:  # an administrator binds hr1 to a second employer
        conn.execute(accounts.user_employers.insert().values(username="hr1", employer_id=other))
    assert accounts.refresh(engine, hr) == accounts.User("hr1", "hr", frozenset({EMPLOYER, other}))
    with engine.begin() as conn:
        conn.execute(sa.update(accounts.users).where(accounts.users.c.username == "hr1").values(role="inspector"))
        conn.execute(sa.delete(accounts.user_employers))
    assert accounts.refresh(engine, hr) == accounts.User("hr1", "inspector")
    boss = accounts.authenticate(engine, "boss", PASSWORD)
    assert boss.must_change_password and accounts.refresh(engine, boss) == boss
    accounts.set_password(engine, "boss", "a brand new long password")
    assert accounts.refresh(engine, boss) == accounts.User("boss", "admin", must_change_password=False)
    accounts.disable_user(engine, "hr1")
    assert accounts.refresh(engine, hr) is None  # disabled
    assert accounts.refresh(engine, accounts.User("ghost", "inspector")) is None  # no such user


def test_an_account_named_before_the_username_rule_is_disabled_by_its_own_name(db_url: str) -> None:
    """'Boss' (allowed before section 10's rule) and 'boss': disabling 'Boss' must not disable 'boss'."""
    engine = store.connect(db_url)
    accounts.add_user(engine, "boss", "inspector", "correct horse battery staple")
    with engine.begin() as conn:  # as an older version stored it
        conn.execute(accounts.users.insert().values(username="Boss", password_hash="x", role="admin",
                                                    disabled=False, must_change_password=False,
                                                    created_at=dt.datetime(2026, 1, 1)))
    accounts.disable_user(engine, "Boss", by="test")
    state = {u["username"]: u["disabled"] for u in accounts.list_users(engine)}
    assert state == {"Boss": True, "boss": False}
