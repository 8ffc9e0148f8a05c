"""Accounts, roles and sign-in (shared README section 9).

- ``hr`` is bound to one or more employers (USCC check character verified) and sees only them;
  ``inspector`` sees every employer; ``admin`` manages users.
- Only argon2id hashes are kept (argon2-cffi's defaults). A wrong username and a wrong password
  get the same message; five failures for one username within 15 minutes lock it for 15 minutes.
- At first start, with no user at all, an ``admin`` is created with a one-time password that is
  printed once and must be changed at first sign-in.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumValidationError

from compliance import store
from compliance.registration import CheckResult

ROLES = ("hr", "inspector", "admin")
MAX_FAILURES = 5
LOCK_WINDOW = dt.timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
SIGN_IN_FAILED = "用户名或密码错误 / Wrong username or password"
LOCKED = "尝试次数过多，请15分钟后再试 / Too many attempts: try again in 15 minutes"
_hasher = PasswordHasher()  # argon2id

users = sa.Table(
    "users", store.metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("must_change_password", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime, nullable=False),
)
user_employers = sa.Table(
    "user_employers", store.metadata,
    sa.Column("username", sa.String(64), sa.ForeignKey("users.username"), primary_key=True),
    sa.Column("employer_id", sa.String(64), primary_key=True),
)
login_attempts = sa.Table(
    "login_attempts", store.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("username", sa.String(64), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("success", sa.Boolean, nullable=False),
)


class AccountError(ValueError):
    """A user cannot be created or changed as asked."""


class SignInError(Exception):
    """Sign-in refused; the message never says whether the username exists."""


@dataclass(frozen=True)
class User:
    """A signed-in user: who, which role, which employers (HR only)."""

    username: str
    role: str
    employers: frozenset[str] = field(default_factory=frozenset)
    must_change_password: bool = False

    def can_see(self, employer_id: str | None) -> bool:
        """Inspectors see every employer; HR only its own; admins no personal data."""
        if self.role == "inspector":
            return True
        return self.role == "hr" and employer_id in self.employers


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")


def check_employer(employer_id: str) -> str:
    """A USCC with a correct check character (GB 32100-2015), via python-stdnum."""
    try:
        return uscc.validate(employer_id)
    except StdnumValidationError as exc:
        raise AccountError(f"{employer_id!r} is not a valid unified social credit code ({exc})") from None


def add_user(engine: Engine, username: str, role: str, password: str, employers: list[str] | None = None,
             must_change_password: bool = False, by: str = "cli") -> None:
    """Create a user; HR needs at least one employer, other roles none."""
    employers = [check_employer(e) for e in employers or []]
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if role == "hr" and not employers:
        raise AccountError("an hr user is bound to at least one employer (--employer USCC)")
    if role != "hr" and employers:
        raise AccountError("only hr users are bound to employers")
    if not username or len(username) > 64 or not username.isprintable() or username != username.strip():
        raise AccountError("a username is 1-64 printable characters without surrounding spaces")
    check_password(password)
    with engine.begin() as conn:
        if conn.execute(sa.select(users.c.username).where(users.c.username == username)).first():
            raise AccountError(f"user {username!r} exists already")
        conn.execute(users.insert().values(username=username, password_hash=_hasher.hash(password), role=role,
                                           disabled=False, must_change_password=must_change_password,
                                           created_at=_now()))
        if employers:
            conn.execute(user_employers.insert(), [{"username": username, "employer_id": e} for e in employers])
        store.audit(conn, by, "user_add", None, f"{username} ({role}) {', '.join(employers)}".strip())


def list_users(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        bound: dict[str, list[str]] = {}
        for row in conn.execute(sa.select(user_employers).order_by(user_employers.c.employer_id)):
            bound.setdefault(row.username, []).append(row.employer_id)
        return [{"username": r.username, "role": r.role, "employers": bound.get(r.username, []),
                 "disabled": bool(r.disabled), "created_at": r.created_at.isoformat(timespec="seconds")}
                for r in conn.execute(sa.select(users).order_by(users.c.username))]


def disable_user(engine: Engine, username: str, by: str = "cli") -> None:
    with engine.begin() as conn:
        done = conn.execute(users.update().where(users.c.username == username).values(disabled=True)).rowcount
        if not done:
            raise AccountError(f"no user {username!r}")
        store.audit(conn, by, "user_disable", None, username)


def set_password(engine: Engine, username: str, password: str) -> None:
    check_password(password)
    with engine.begin() as conn:
        conn.execute(users.update().where(users.c.username == username).values(
            password_hash=_hasher.hash(password), must_change_password=False))
        store.audit(conn, username, "password_change", None, username)


def _locked(conn: sa.Connection, username: str, now: dt.datetime) -> bool:
    """Five failures within 15 minutes (since the last success) lock the username for 15 minutes.

    Attempts made while locked are not recorded, so hammering a locked account does not extend
    the lock beyond 15 minutes after the fifth failure.
    """
    last_ok = conn.execute(sa.select(sa.func.max(login_attempts.c.at)).where(
        login_attempts.c.username == username, login_attempts.c.success.is_(True))).scalar()
    since = now - 2 * LOCK_WINDOW
    if last_ok is not None and last_ok > since:
        since = last_ok
    failures = list(conn.execute(sa.select(login_attempts.c.at).where(
        login_attempts.c.username == username, login_attempts.c.success.is_(False),
        login_attempts.c.at > since).order_by(login_attempts.c.at)).scalars())
    for first, fifth in zip(failures, failures[MAX_FAILURES - 1:], strict=False):
        if fifth - first <= LOCK_WINDOW and now - fifth < LOCK_WINDOW:
            return True
    return False


def authenticate(engine: Engine, username: str, password: str, now: dt.datetime | None = None) -> User:
    """The user, or :class:`SignInError` with the same message for every kind of failure."""
    now = now or _now()
    username = username.strip()
    refusal: str | None = None
    with engine.begin() as conn:  # the attempt is recorded even when sign-in is refused
        if _locked(conn, username, now):
            refusal = LOCKED
        else:
            row = conn.execute(sa.select(users).where(users.c.username == username)).first()
            ok = False
            try:
                ok = row is not None and _hasher.verify(row.password_hash, password)
            except (VerificationError, InvalidHashError):
                ok = False
            if row is None:
                _hasher.hash(password)  # the same work whether or not the username exists
            ok = ok and row is not None and not row.disabled
            conn.execute(login_attempts.insert().values(username=username, at=now, success=ok))
            if ok:
                employers = frozenset(conn.execute(sa.select(user_employers.c.employer_id).where(
                    user_employers.c.username == username)).scalars())
                store.audit(conn, username, "sign_in", None, row.role)
            else:
                refusal = SIGN_IN_FAILED
    if refusal:
        raise SignInError(refusal)
    return User(username, row.role, employers, bool(row.must_change_password))


def ensure_first_admin(engine: Engine) -> str | None:
    """Create ``admin`` with a one-time password when there is no user at all; return that password."""
    with engine.connect() as conn:
        if conn.execute(sa.select(sa.func.count()).select_from(users)).scalar():
            return None
    password = secrets.token_urlsafe(12)
    try:
        add_user(engine, "admin", "admin", password, must_change_password=True, by="first-start")
    except (AccountError, sa.exc.IntegrityError):
        return None  # another process created it first
    return password


# The sample rosters' employers (sample_uploads/README.md), for the demo HR account.
DEMO_EMPLOYERS = ["911101055347017256", "914403057569602043"]


def ensure_demo_users(engine: Engine) -> dict[str, str]:
    """On the embedded demo store only: an HR and an inspector account to try the samples with.

    Created together with the first admin (random passwords, printed once); never on a store
    named by ``--db``/``SHEBAO_DB``, which is where real data lives.
    """
    created = {}
    for username, role, employers in (("demo-hr", "hr", DEMO_EMPLOYERS), ("demo-inspector", "inspector", [])):
        password = secrets.token_urlsafe(12)
        try:
            add_user(engine, username, role, password, employers, by="first-start")
        except (AccountError, sa.exc.IntegrityError):
            continue
        created[username] = password
    return created


def scope_results(result: CheckResult, user: User) -> tuple[CheckResult, int]:
    """Only the rows ``user`` may see (HR: its employers), and how many rows were set aside."""
    if user.role == "inspector":
        return result, 0
    mine = result.results["employer_id"].isin(sorted(user.employers)) if user.role == "hr" else \
        pd.Series(False, index=result.results.index)
    problems = result.problems
    keep = np.zeros(0, dtype=bool)
    if len(problems):  # a problem of a row is seen with its row; file-level notes by all
        rows = problems[["source_file", "source_row"]].astype({"source_row": "Int64"})
        allowed = result.results.loc[mine, ["source_file", "source_row"]].astype({"source_row": "Int64"})
        keep = problems["source_row"].isna().to_numpy() | pd.MultiIndex.from_frame(rows).isin(
            pd.MultiIndex.from_frame(allowed))
    set_aside = int((~mine).sum())
    results = result.results if not set_aside else result.results[mine].reset_index(drop=True)  # no copy if all
    return CheckResult(results, problems[keep].reset_index(drop=True)), set_aside


def audit_view(engine: Engine, user: User, employer_ids: list[str], what: str) -> None:
    """One audit entry per employer whose personal data ``user`` is shown (who, which, when)."""
    with engine.begin() as conn:
        for employer in sorted({e or "" for e in employer_ids}):
            store.audit(conn, user.username, "view", employer or None, what)
