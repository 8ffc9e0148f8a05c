"""Accounts, roles and sign-in (shared README sections 9 and 10).

- ``hr`` is bound to one or more employers (USCC check character verified) and sees only them;
  ``inspector`` sees every employer; ``admin`` manages users.
- Usernames are 1-64 lower-case ASCII letters, digits, ``.``, ``_``, ``-``. ``add_user`` refuses
  anything else, look-alikes included (a Cyrillic ``а``, full-width ``ｈｒ``). At sign-in the typed
  name is canonicalised first (surrounding spaces, NFKC, lower case), so ``HR``, `` hr `` and
  ``ｈｒ`` (a Chinese IME in full-width mode) are ``hr``, for the password check and the lock-out.
- Passwords: at least 12 characters, not whitespace only, not containing the username
  (case-insensitive), not in Django's list of 20,000 common passwords (``data/common-passwords.txt.gz``,
  source and licence in ``data/README.md``). A new password must differ from the current one.
- Only argon2id hashes are kept (argon2-cffi's defaults). A wrong username and a wrong password
  get the same message and cost the same time (an unknown name is checked against a dummy hash).
- Lock-out: at most five failed password checks per username within 15 minutes. Once five are
  recorded, every further attempt, the right password included, is refused unchecked until 15
  minutes after the fifth; a success does not reset the count. Check, verify and record run as
  one transaction serialised per username: SQLite's ``BEGIN IMMEDIATE`` (``store``), and on
  PostgreSQL a transaction-scoped advisory lock keyed by the username, so parallel sign-ins
  cannot all pass the check before any failure is recorded.
- At first start, with no user at all, an ``admin`` is created with a one-time password that is
  printed once and must be changed at first sign-in (to a different one). ``user add --must-change``
  does the same for a user created on the command line; the dashboard's admin page always does.
- ``refresh`` re-reads a signed-in user's account, so that a disabled account or changed role or
  employers take effect at the user's next interaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import gzip
import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumValidationError

from compliance import store
from compliance.dates import now_utc
from compliance.errors import ShebaoError
from compliance.registration import CheckResult

ROLES = ("hr", "inspector", "admin")
MAX_FAILURES = 5
LOCK_WINDOW = dt.timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12
SIGN_IN_FAILED = "用户名或密码错误 / Wrong username or password"
LOCKED = "尝试次数过多，请15分钟后再试 / Too many attempts: try again in 15 minutes"
USERNAME_INVALID = ("用户名只能由1-64个小写英文字母、数字和 . _ - 组成 / "
                    "A username is 1-64 lower-case ASCII letters, digits, '.', '_' or '-'")
PASSWORD_TOO_SHORT = "密码至少需要12个字符 / The password needs at least 12 characters"
PASSWORD_BLANK = "密码不能只有空白字符 / The password cannot be whitespace only"
PASSWORD_HAS_USERNAME = "密码不能包含用户名 / The password must not contain the username"
PASSWORD_COMMON = "这是常见密码，请另选一个 / This is a common password: choose another"
PASSWORD_UNCHANGED = "新密码不能与当前密码相同 / The new password must differ from the current one"
USERNAME_PATTERN = re.compile(r"[a-z0-9._-]{1,64}")
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "data" / "common-passwords.txt.gz"
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


class AccountError(ShebaoError, ValueError):
    """A user cannot be created or changed as asked."""


class UsernameRefused(AccountError):
    """The username is not 1-64 lower-case ASCII letters, digits, ``.``, ``_``, ``-``."""


class PasswordRefused(AccountError):
    """The password breaks the policy of shared README section 10; the message says which rule."""


class SignInError(ShebaoError):
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


def canonical_username(typed: str) -> str:
    """What a typed username stands for: without surrounding spaces, NFKC (full-width → ASCII), lower case.

    >>> canonical_username(" ＨＲ ")
    'hr'
    """
    return unicodedata.normalize("NFKC", typed).strip().lower()


def check_username(username: str) -> str:
    """``username`` itself when it is a valid name, else :class:`UsernameRefused`.

    NFKC is applied first and must change nothing, so full-width and other compatibility
    look-alikes are refused rather than silently mapped; so are non-ASCII letters (a Cyrillic ``а``).
    """
    if unicodedata.normalize("NFKC", username) != username or not USERNAME_PATTERN.fullmatch(username):
        raise UsernameRefused(USERNAME_INVALID)
    return username


@functools.cache
def common_passwords() -> frozenset[str]:
    """Django's lower-case list of 20,000 common passwords (``data/README.md`` says where from)."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if line.strip())


def check_password(password: str, username: str | None = None) -> None:
    """:class:`PasswordRefused` unless ``password`` meets the policy of shared README section 10."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRefused(PASSWORD_TOO_SHORT)
    if not password.strip():
        raise PasswordRefused(PASSWORD_BLANK)
    folded = unicodedata.normalize("NFKC", password).casefold()
    if username and canonical_username(username) in folded:
        raise PasswordRefused(PASSWORD_HAS_USERNAME)
    if {folded.strip(), re.sub(r"\s+", "", folded)} & common_passwords():
        raise PasswordRefused(PASSWORD_COMMON)


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
    check_username(username)
    check_password(password, username)
    with engine.begin() as conn:
        if conn.execute(sa.select(users.c.username).where(users.c.username == username)).first():
            raise AccountError(f"user {username!r} exists already")
        conn.execute(users.insert().values(username=username, password_hash=_hasher.hash(password), role=role,
                                           disabled=False, must_change_password=must_change_password,
                                           created_at=now_utc()))
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


def _stored_name(conn: sa.Connection, typed: str) -> str:
    """The stored username ``typed`` names: itself when stored as typed (an account made before the
    username rule, such as ``Boss``, stays reachable and distinct from ``boss``), else its canonical form."""
    exact = conn.execute(sa.select(users.c.username).where(users.c.username == typed)).scalar()
    return exact if exact is not None else canonical_username(typed)


def disable_user(engine: Engine, username: str, by: str = "cli") -> None:
    with engine.begin() as conn:
        username = _stored_name(conn, username)
        done = conn.execute(users.update().where(users.c.username == username).values(disabled=True)).rowcount
        if not done:
            raise AccountError(f"no user {username!r}")
        store.audit(conn, by, "user_disable", None, username)


def _matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def set_password(engine: Engine, username: str, password: str) -> None:
    """A new password for ``username``; it must meet the policy and differ from the current one
    (so a one-time or admin-set password cannot be "changed" to itself)."""
    with engine.connect() as conn:
        username = _stored_name(conn, username)
    check_password(password, username)
    with engine.begin() as conn:
        current = conn.execute(sa.select(users.c.password_hash).where(users.c.username == username)).scalar()
        if current is None:
            raise AccountError(f"no user {username!r}")
        if _matches(current, password):
            raise PasswordRefused(PASSWORD_UNCHANGED)
        conn.execute(users.update().where(users.c.username == username).values(
            password_hash=_hasher.hash(password), must_change_password=False))
        store.audit(conn, username, "password_change", None, username)


def _lock_key(username: str) -> int:
    """A stable signed 64-bit key for PostgreSQL's advisory locks (the same in every process)."""
    digest = hashlib.sha256(b"shebao-check sign-in\0" + username.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _serialise_sign_in(conn: sa.Connection, username: str) -> None:
    """Hold ``username``'s sign-in lock until this transaction ends.

    SQLite's transactions already begin with ``BEGIN IMMEDIATE`` (``store``), one writer at a
    time. PostgreSQL under READ COMMITTED would let parallel sign-ins each count the failures
    before any of them is recorded; a transaction-scoped advisory lock per username makes
    check, verify and record one step for that username, and is released at commit or rollback.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(CAST(:key AS bigint))"), {"key": _lock_key(username)})


def _locked(conn: sa.Connection, username: str, now: dt.datetime) -> bool:
    """Five failures within 15 minutes lock the username until 15 minutes after the fifth.

    A success does not reset the count: at most five failed password checks per username per
    15 minutes, however often the real user signs in meanwhile. Attempts made while locked are
    not recorded, so hammering a locked account does not extend the lock.
    """
    since = now - 2 * LOCK_WINDOW  # a lock in force needs its fifth failure within the last 15 minutes
    failures = list(conn.execute(sa.select(login_attempts.c.at).where(
        login_attempts.c.username == username, login_attempts.c.success.is_(False),
        login_attempts.c.at > since).order_by(login_attempts.c.at)).scalars())
    for first, fifth in zip(failures, failures[MAX_FAILURES - 1:], strict=False):
        if fifth - first <= LOCK_WINDOW and now - fifth < LOCK_WINDOW:
            return True
    return False


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def authenticate(engine: Engine, username: str, password: str, now: dt.datetime | None = None) -> User:
    """The user, or :class:`SignInError` with the same message for every kind of failure.

    The typed name is canonicalised (``canonical_username``) before the lookup and the lock-out
    bookkeeping. Lock check, password check and the record of the attempt are one transaction,
    serialised per username (``_serialise_sign_in``).
    """
    now = now or now_utc()
    username = canonical_username(username)
    if not USERNAME_PATTERN.fullmatch(username):  # no such user can exist: same work, nothing stored
        _matches(_dummy_hash(), password)
        raise SignInError(SIGN_IN_FAILED)
    refusal: str | None = None
    with engine.begin() as conn:  # the attempt is recorded even when sign-in is refused
        _serialise_sign_in(conn, username)
        if _locked(conn, username, now):
            refusal = LOCKED
        else:
            row = conn.execute(sa.select(users).where(users.c.username == username)).first()
            # an unknown name is checked against a dummy hash: the same work whether or not it exists
            ok = _matches(row.password_hash if row is not None else _dummy_hash(), password)
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


def refresh(engine: Engine, user: User) -> User | None:
    """``user``'s account as it is now: None when it no longer exists or is disabled.

    The dashboard compares the result with the session's user at every interaction and signs
    the user out when they differ (role, employers or must-change-password changed).
    """
    with engine.connect() as conn:
        row = conn.execute(sa.select(users.c.role, users.c.disabled, users.c.must_change_password).where(
            users.c.username == user.username)).first()
        if row is None or row.disabled:
            return None
        employers = frozenset(conn.execute(sa.select(user_employers.c.employer_id).where(
            user_employers.c.username == user.username)).scalars())
    return User(user.username, row.role, employers, bool(row.must_change_password))


def _one_time_password(username: str) -> str:
    """A random password that meets the policy (a random one could, very rarely, contain the name)."""
    while True:
        password = secrets.token_urlsafe(12)
        try:
            check_password(password, username)
        except PasswordRefused:
            continue
        return password


def ensure_first_admin(engine: Engine) -> str | None:
    """Create ``admin`` with a one-time password when there is no user at all; return that password."""
    with engine.connect() as conn:
        if conn.execute(sa.select(sa.func.count()).select_from(users)).scalar():
            return None
    password = _one_time_password("admin")
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
        password = _one_time_password(username)
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
