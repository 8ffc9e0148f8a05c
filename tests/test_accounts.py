"""Accounts, sign-in, lock-out, the user CLI, and personal data kept out of logs and messages."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from compliance import accounts, cli, ids, jobs, store, workers
from compliance.catalogue import render
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
    assert str(wrong_password.value) == str(unknown_user.value) == "Wrong username or password"
    assert wrong_password.value.render("zh") == "用户名或密码错误"  # the dashboard's text (catalogue)


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
    assert set(created) == {"demo-hr", "demo-inspector"} == set(accounts.DEMO_USERNAMES)
    hr = accounts.authenticate(engine, "demo-hr", created["demo-hr"])
    # the employers of hr_roster_2025.xlsx, of the agency extract's first employer, and of hr_roster_2026.xlsx
    assert hr.employers == {"911101055347017256", "914403057569602043", "91440305798643266J", "91440305162243750H"}
    inspector = accounts.authenticate(engine, "demo-inspector", created["demo-inspector"])
    assert inspector.role == "inspector"
    assert hr.must_change_password and inspector.must_change_password  # the printed password is changed first
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
            return str(exc.code)

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
    failed = outcomes.count(accounts.SIGN_IN_FAILED)
    assert failed + outcomes.count(accounts.LOCKED) == 39
    attempts = _attempts(engine)
    assert [a for a in attempts if not a[1]] == [("hr1", False)] * failed  # every check recorded
    if right == accounts.LOCKED:  # evaluated after five checks had begun: refused without a check
        assert failed == 5 and ("hr1", True) not in attempts
    else:  # among the first five checks; while it ran it counted as a failure, so 4 or 5 others were checked
        assert right == accounts.User("hr1", "hr", frozenset({EMPLOYER}))
        assert failed in (4, 5) and attempts.index(("hr1", True)) < 5 and len(attempts) == failed + 1


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
        assert "\n" not in message and (not password.strip() or password not in message)
        assert refused.value.render("zh") != message  # a Chinese text of its own (catalogue)
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
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [f"error: {render(accounts.USERNAME_INVALID, 'en')}"]
    refused = run("add", "boss", "--role", "admin", stdin="password1234\n")
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == ["error: This is a common password: choose another"]
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


# --- limits before work (issue 20, finding 2) ------------------------------------------------

# NFKC turns U+FDFA into 18 characters: normalised first, 7.5 M of them froze the server ~20 s and added 1.1 GB.
BOMB = "\ufdfa" * 7_500_000


def _refused_at_once(call: Callable[[], object], error: type[Exception]) -> Exception:
    """What ``call`` raises, checked to come in under 50 ms and under 1 MB of allocations (a second run)."""
    start = time.perf_counter()
    with pytest.raises(error) as refused:
        call()
    elapsed = time.perf_counter() - start
    assert elapsed < 0.05, f"refused in {elapsed:.3f} s"
    tracemalloc.start()
    try:
        with pytest.raises(error):
            call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000, f"{peak:,} bytes allocated"
    return refused.value


def test_the_limits_are_exported_for_the_form_fields() -> None:
    assert (accounts.MAX_USERNAME_CHARS, accounts.MAX_PASSWORD_CHARS) == (64, 256)


def test_an_over_long_username_is_refused_in_milliseconds_without_normalising(engine: sa.Engine) -> None:
    accounts.add_user(engine, "hr1", "hr", PASSWORD, [EMPLOYER])
    refused = _refused_at_once(lambda: accounts.authenticate(engine, BOMB, PASSWORD), accounts.SignInError)
    assert refused.code == accounts.SIGN_IN_FAILED  # the message of any other failure
    _refused_at_once(lambda: accounts.authenticate(engine, "x" * 65, PASSWORD), accounts.SignInError)
    assert _attempts(engine) == []  # nothing stored, nothing counted
    accounts.add_user(engine, "x" * 64, "inspector", PASSWORD)  # 64 characters, surrounding spaces aside, pass
    assert accounts.authenticate(engine, "  " + "x" * 64 + "\u3000", PASSWORD).username == "x" * 64


def test_an_over_long_password_is_refused_unhashed_and_uncounted(engine: sa.Engine) -> None:
    longest = (PASSWORD + " ") * 9
    longest = longest[:accounts.MAX_PASSWORD_CHARS - 1] + "!"
    accounts.add_user(engine, "hr1", "hr", longest, [EMPLOYER])  # 256 characters are a password
    assert accounts.authenticate(engine, "hr1", longest).username == "hr1"
    for password in (longest + "x", BOMB):
        refused = _refused_at_once(lambda p=password: accounts.authenticate(engine, "hr1", p), accounts.SignInError)
        assert refused.code == accounts.SIGN_IN_FAILED
    assert _attempts(engine) == [("hr1", True)]  # no check was made, none counted towards the lock-out


def test_every_account_function_refuses_over_long_names_and_passwords_at_once(engine: sa.Engine) -> None:
    accounts.add_user(engine, "hr1", "hr", PASSWORD, [EMPLOYER])
    calls: list[tuple[Callable[[], object], type[Exception]]] = [
        (lambda: accounts.canonical_username(BOMB), accounts.UsernameRefused),
        (lambda: accounts.check_username(BOMB), accounts.UsernameRefused),
        (lambda: accounts.check_password(BOMB), accounts.PasswordRefused),
        (lambda: accounts.check_password(PASSWORD, BOMB), accounts.UsernameRefused),
        (lambda: accounts.add_user(engine, BOMB, "inspector", PASSWORD), accounts.UsernameRefused),
        (lambda: accounts.add_user(engine, "i2", "inspector", BOMB), accounts.PasswordRefused),
        (lambda: accounts.set_password(engine, "hr1", BOMB), accounts.PasswordRefused),
        (lambda: accounts.set_password(engine, BOMB, PASSWORD), accounts.UsernameRefused),
        (lambda: accounts.disable_user(engine, BOMB), accounts.UsernameRefused),
    ]
    for call, error in calls:
        refused = _refused_at_once(call, error)
        assert refused.code and len(str(refused)) < 200  # a catalogue message, never quoting the value
    too_long = "a long password that goes on " * 9  # 261 characters
    with pytest.raises(accounts.PasswordRefused, match="256") as refused:
        accounts.check_password(too_long)
    assert refused.value.code == accounts.PASSWORD_TOO_LONG
    assert [u["username"] for u in accounts.list_users(engine)] == ["hr1"]


# --- format characters (issue 20, finding 13) ------------------------------------------------

def test_format_characters_are_refused_in_passwords(engine: sa.Engine) -> None:
    invisible = ["\u200b" * 12,  # zero-width spaces only: looked like an accepted 12-character password
                 "\u200b" * 6 + " " * 6,  # format characters and spaces only
                 "\ufeff" * 12,  # BOMs
                 "correct\u200dhorse battery",  # ZERO WIDTH JOINER
                 "\ufeffcorrect horse battery",  # a BOM pasted in front
                 "correct horse\u200e battery",  # LEFT-TO-RIGHT MARK
                 "\u2066correct horse battery\u2069",  # bidi isolates
                 "correct horse\u00ad battery",  # SOFT HYPHEN
                 "correct horse battery\u2060"]  # WORD JOINER
    for password in invisible:
        with pytest.raises(accounts.PasswordRefused) as refused:
            accounts.add_user(engine, "hr1", "hr", password, [EMPLOYER])
        message = str(refused.value)
        assert "\n" not in message and password not in message
        assert refused.value.code in (accounts.PASSWORD_FORMAT_CHARACTERS, accounts.PASSWORD_BLANK)
    with pytest.raises(accounts.PasswordRefused) as refused:
        accounts.check_password("\u200b" * 12)
    assert refused.value.code == accounts.PASSWORD_FORMAT_CHARACTERS
    assert accounts.list_users(engine) == []
    accounts.add_user(engine, "hr1", "hr", "密码是一句很长很长的中文话", [EMPLOYER])  # letters of any script still pass
    with pytest.raises(accounts.PasswordRefused, match="invisible"):
        accounts.set_password(engine, "hr1", "\u200bcorrect horse battery")


# --- parallel anonymous sign-ins (issue 20, finding 3) ---------------------------------------

class _WatchedHasher:
    """accounts' argon2 hasher, watched: how many hashes run at once, a probe called inside each, a delay."""

    def __init__(self, real: object, probe: Callable[[], None] | None = None, delay: float = 0.0) -> None:
        self.real, self.probe, self.delay = real, probe, delay
        self._lock = threading.Lock()
        self.running = self.peak = self.calls = 0

    def _run(self, method: str, *args: str) -> object:
        with self._lock:
            self.running += 1
            self.calls += 1
            self.peak = max(self.peak, self.running)
        try:
            if self.probe:
                self.probe()
            if self.delay:
                time.sleep(self.delay)
            return getattr(self.real, method)(*args)
        finally:
            with self._lock:
                self.running -= 1

    def hash(self, password: str) -> object:
        return self._run("hash", password)

    def verify(self, password_hash: str, password: str) -> object:
        return self._run("verify", password_hash, password)


def _try(engine: sa.Engine, username: str, password: str) -> accounts.User | str:
    try:
        return accounts.authenticate(engine, username, password)
    except accounts.SignInError as exc:
        return str(exc.code)


def test_forty_parallel_anonymous_sign_ins_hold_up_neither_a_real_one_nor_the_store(
        db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = store.connect(db_url)
    accounts.add_user(engine, "hr1", "hr", PASSWORD, [EMPLOYER])
    watched = _WatchedHasher(accounts._hasher)
    monkeypatch.setattr(accounts, "_hasher", watched)
    monkeypatch.delenv("SHEBAO_SIGN_IN_WAIT", raising=False)
    barrier, stop, writes = threading.Barrier(41), threading.Event(), []

    def anonymous(i: int) -> accounts.User | str:  # random unknown names: no lock-out slows them down
        barrier.wait(timeout=60)
        return _try(engine, f"anon-{secrets.token_hex(6)}", f"wrong guess {i} of the flood")

    def another_session_writes() -> None:  # an audit entry in its own transaction, every 50 ms
        while not stop.is_set():
            start = time.perf_counter()
            with engine.begin() as conn:
                store.audit(conn, "i1", "view", EMPLOYER, "probe")
            writes.append(time.perf_counter() - start)
            stop.wait(0.05)

    with ThreadPoolExecutor(max_workers=41) as pool:
        flood = [pool.submit(anonymous, i) for i in range(40)]
        writer = pool.submit(another_session_writes)
        barrier.wait(timeout=60)
        time.sleep(0.3)  # the flood under way
        pending = sum(not f.done() for f in flood)
        start = time.perf_counter()
        real = _try(engine, "hr1", PASSWORD)
        real_seconds = time.perf_counter() - start
        outcomes = [f.result() for f in flood]
        stop.set()
        writer.result()
    measured = {"real": round(real_seconds, 2), "write": round(max(writes), 2), "hashing at once": watched.peak,
                "pending when the real one came": pending}
    assert real == accounts.User("hr1", "hr", frozenset({EMPLOYER})), measured
    assert real_seconds < 3, measured
    assert pending > 20, measured  # the real sign-in met the flood
    assert max(writes) < 0.5, measured  # no write waits behind argon2
    assert watched.peak <= workers.usable_cores(), measured  # 64 MiB each: at most one per core
    assert set(outcomes) <= {accounts.SIGN_IN_FAILED, accounts.SIGN_IN_BUSY}, measured
    recorded = [a for a in _attempts(engine) if a[0] != "hr1"]
    assert len(recorded) == outcomes.count(accounts.SIGN_IN_FAILED) and not any(ok for _, ok in recorded)


def test_a_sign_in_that_finds_every_hashing_slot_taken_is_refused_cheaply_and_uncounted(
        engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    accounts.add_user(engine, "hr1", "hr", PASSWORD, [EMPLOYER])
    accounts._dummy_hash()  # made before the hasher is slowed down
    slow = _WatchedHasher(accounts._hasher, delay=2.0)
    monkeypatch.setattr(accounts, "_hasher", slow)
    monkeypatch.setenv("SHEBAO_SIGN_IN_WAIT", "0.2")
    slots = workers.usable_cores()
    with ThreadPoolExecutor(max_workers=slots) as pool:
        holders = [pool.submit(_try, engine, f"anon-{i}", "a wrong password here") for i in range(slots)]
        deadline = time.monotonic() + 10
        while slow.running < slots and time.monotonic() < deadline:
            time.sleep(0.01)
        assert slow.running == slots
        for _ in range(accounts.MAX_FAILURES + 1):  # more refusals than the lock-out allows failures
            start = time.perf_counter()
            with pytest.raises(accounts.SignInBusy) as busy:
                accounts.authenticate(engine, "hr1", PASSWORD)
            assert time.perf_counter() - start < 1.0  # the short wait, then a refusal
        assert slow.calls == slots  # refused without hashing
        assert [h.result() for h in holders] == [accounts.SIGN_IN_FAILED] * slots
    assert busy.value.code == accounts.SIGN_IN_BUSY and busy.value.render("zh") == "服务器繁忙，请稍后再试"
    assert isinstance(busy.value, accounts.SignInError)  # the dashboard's handler shows it as any refusal
    assert issubclass(accounts.SignInBusy, accounts.AccountError)  # and so do those of add_user, set_password
    slow.delay = 0
    assert accounts.authenticate(engine, "hr1", PASSWORD).username == "hr1"  # six busy refusals counted nothing
    assert [a for a in _attempts(engine) if a[0] == "hr1"] == [("hr1", True)]
    monkeypatch.setenv("SHEBAO_SIGN_IN_WAIT", "soon")
    with pytest.raises(ValueError, match="SHEBAO_SIGN_IN_WAIT"):
        accounts.sign_in_wait()


def test_the_turn_to_hash_goes_to_the_latest_sign_in_and_the_oldest_waiter_is_refused_first() -> None:
    """A person who clicks after a burst is served next instead of waiting the burst out (FIFO); beyond
    the queue the oldest waiter is refused at once."""
    gate = accounts._HashGate(slots=1, queue=2)
    gate.acquire(0)  # the one turn, taken
    served: list[str] = []

    def wait_for(name: str, ticket: int) -> None:
        try:
            gate.acquire(10, ticket)
        except accounts.SignInBusy:
            served.append(f"{name} refused")
            return
        served.append(name)
        gate.release()

    threads = []
    for name, ticket in (("first", 10), ("latest", 30), ("middle", 20)):  # tickets: when each sign-in began
        threads.append(threading.Thread(target=wait_for, args=(name, ticket)))
        threads[-1].start()
        deadline = time.monotonic() + 5
        while gate.waiting < min(len(threads), 2) and time.monotonic() < deadline:
            time.sleep(0.01)
    threads[0].join(timeout=5)
    assert served == ["first refused"]  # pushed out when a third came: a cheap refusal, not a 10 s wait
    gate.release()
    for thread in threads:
        thread.join(timeout=5)
    assert served == ["first refused", "latest", "middle"]


def test_passwords_are_hashed_outside_any_transaction(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite: no write lock held while argon2 runs (every other write would wait); PostgreSQL: no
    connection held (40 sign-ins emptied the pool)."""
    engine = store.connect(db_url)
    held: list[str] = []

    def probe() -> None:
        if db_url.startswith("sqlite"):
            other = sqlite3.connect(db_url.removeprefix("sqlite:///"), timeout=0.2, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
            except sqlite3.OperationalError:
                held.append("the write lock")
            finally:
                other.close()
        elif engine.pool.checkedout():
            held.append("a connection")

    watched = _WatchedHasher(accounts._hasher, probe)
    monkeypatch.setattr(accounts, "_hasher", watched)
    accounts.add_user(engine, "hr1", "hr", PASSWORD, [EMPLOYER])
    assert accounts.authenticate(engine, "hr1", PASSWORD).username == "hr1"
    for username, password in (("hr1", "a wrong password"), ("nobody", PASSWORD)):
        with pytest.raises(accounts.SignInError, match="Wrong"):
            accounts.authenticate(engine, username, password)
    accounts.set_password(engine, "hr1", "a brand new long password")
    assert accounts.authenticate(engine, "hr1", "a brand new long password").username == "hr1"
    assert watched.calls >= 6 and held == []


# --- demo accounts (issue 20, finding 10) ----------------------------------------------------

SAMPLES = ROOT / "sample_uploads"


def _store_the_samples(engine: sa.Engine) -> None:
    """Every bundled sample, stored as the dashboard's sample buttons and README's commands store them."""
    jobs.store_roster(engine, SAMPLES / "hr_roster_2025.xlsx", "demo-hr", employer_id=accounts.DEMO_EMPLOYERS[0],
                       employer_name="商软冠联信息有限公司")
    for name in ("agency_extract_gbk.csv", "english_roster.csv", "legacy_roster.xls"):
        jobs.store_file(engine, "roster", name, (SAMPLES / name).read_bytes(), "demo-inspector")
    jobs.import_registry(engine, SAMPLES / "registry" / "agency_registry_2025.csv", "demo-inspector")


def _real_roster() -> bytes:
    """The agency extract with one more line: the same people, another file (another SHA-256)."""
    return (SAMPLES / "agency_extract_gbk.csv").read_bytes() + b"\r\n"


def test_demo_accounts_work_only_while_the_store_holds_nothing_but_the_samples(engine: sa.Engine) -> None:
    created = accounts.ensure_demo_users(engine)
    inspector = accounts.authenticate(engine, "demo-inspector", created["demo-inspector"])
    _store_the_samples(engine)
    assert len(store.history(engine)) == 5
    assert not accounts.store_has_real_data(engine)
    with engine.connect() as conn:
        assert not accounts.store_has_real_data(conn)
    assert accounts.refresh(engine, inspector) == inspector
    assert accounts.authenticate(engine, "demo-hr", created["demo-hr"]).username == "demo-hr"
    assert not jobs.store_file(engine, "roster", "real.csv", _real_roster(), "demo-inspector").duplicate
    assert accounts.store_has_real_data(engine)
    assert accounts.refresh(engine, inspector) is None  # a running dashboard signs the demo inspector out
    for username in accounts.DEMO_USERNAMES:
        with pytest.raises(accounts.SignInError) as refused:
            accounts.authenticate(engine, username, created[username])
        assert refused.value.code == accounts.SIGN_IN_FAILED
    assert {u["username"]: u["disabled"] for u in accounts.list_users(engine)} == {
        "demo-hr": True, "demo-inspector": True}
    log = store.audit_entries(engine)
    disabled = log[log["action"] == "user_disable"]
    assert sorted(d.split(":")[0] for d in disabled["detail"]) == ["demo-hr", "demo-inspector"]
    assert accounts.ensure_demo_users(engine) == {}
    assert accounts.refresh(engine, accounts.User("hr1", "hr", frozenset({EMPLOYER}))) is None  # others as before


def test_no_demo_accounts_on_a_store_with_real_data(engine: sa.Engine) -> None:
    jobs.store_file(engine, "roster", "real.csv", _real_roster(), "i1")
    assert accounts.ensure_demo_users(engine) == {}
    assert accounts.list_users(engine) == []
    accounts.add_user(engine, "demo-hr", "hr", PASSWORD, accounts.DEMO_EMPLOYERS)  # as an older version left it
    accounts.add_user(engine, "hr1", "hr", PASSWORD, [EMPLOYER])
    assert accounts.ensure_demo_users(engine) == {}
    assert {u["username"]: u["disabled"] for u in accounts.list_users(engine)} == {"demo-hr": True, "hr1": False}
    assert store.audit_entries(engine)["action"].tolist().count("user_disable") == 1
    assert accounts.ensure_demo_users(engine) == {}  # disabled once, audited once
    assert store.audit_entries(engine)["action"].tolist().count("user_disable") == 1
    assert accounts.authenticate(engine, "hr1", PASSWORD).username == "hr1"


def test_twenty_colleagues_signing_in_at_once_as_one_user_all_get_in(db_url: str) -> None:
    """A check in progress counts as a failure (the lock-out bound holds under parallel sign-ins), so
    without turns per name the sixth of twenty simultaneous right sign-ins was refused as locked, and
    the load test's twenty sessions (bench/load.py) as busy after 2 s."""
    engine = store.connect(db_url)
    accounts.add_user(engine, "hr1", "hr", PASSWORD, [EMPLOYER])
    barrier = threading.Barrier(20)

    def colleague() -> accounts.User | str:
        barrier.wait(timeout=60)
        return _try(engine, "hr1", PASSWORD)

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(lambda _: colleague(), range(20)))
    assert outcomes == [accounts.User("hr1", "hr", frozenset({EMPLOYER}))] * 20
