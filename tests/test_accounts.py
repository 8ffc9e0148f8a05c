"""Accounts, sign-in, lock-out, the user CLI, and personal data kept out of logs and messages."""

from __future__ import annotations

import datetime as dt
import json
import logging
import subprocess
import sys
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
    with pytest.raises(accounts.AccountError, match="10 characters"):
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
