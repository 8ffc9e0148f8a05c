"""Accounts, roles and sign-in (shared README sections 9 and 10).

- ``hr`` is bound to one or more employers (USCC check character verified) and sees only them;
  ``inspector`` sees every employer; ``admin`` manages users.
- Usernames are 1-64 lower-case ASCII letters, digits, ``.``, ``_``, ``-``. ``add_user`` refuses
  anything else, look-alikes included (a Cyrillic ``а``, full-width ``ｈｒ``). At sign-in the typed
  name is canonicalised first (surrounding spaces, NFKC, lower case), so ``HR``, `` hr `` and
  ``ｈｒ`` (a Chinese IME in full-width mode) are ``hr``, for the password check and the lock-out.
- Passwords: 12 to 256 characters, no format characters (Unicode category Cf: zero-width spaces and
  joiners, BOMs, bidi marks: invisible, so ``"\u200b" * 12`` looked like a password), not whitespace
  only, not containing the username (case-insensitive), not in Django's list of 20,000 common
  passwords (``data/common-passwords.txt.gz``, source and licence in ``data/README.md``). A new
  password must differ from the current one.
- Limits before work (issue 20): a typed username longer than ``MAX_USERNAME_CHARS`` (surrounding
  spaces aside) or a password longer than ``MAX_PASSWORD_CHARS`` is refused before anything is
  normalised, looked up or hashed (7.5 M × U+FDFA, 18 characters each after NFKC, froze the server
  for 20 s). No account can have such a name, so refusing it at once tells nobody anything.
- Only argon2id hashes are kept (argon2-cffi's defaults: 64 MiB each). A wrong username and a wrong
  password get the same message and cost the same time (an unknown name is checked against a dummy
  hash). At most one hash per usable core runs at once (``_HashGate``); a sign-in that cannot get a
  turn within ``SHEBAO_SIGN_IN_WAIT`` seconds (default 2) is refused with :class:`SignInBusy`,
  whether or not the name exists, and that refusal counts nothing towards the lock-out.
- No password is hashed inside a database transaction: on SQLite a transaction holds the store's
  only write lock (``BEGIN IMMEDIATE``), and on PostgreSQL a pooled connection.
- Lock-out: at most five failed password checks per username within 15 minutes. Once five are
  recorded, every further attempt, the right password included, is refused unchecked until 15
  minutes after the fifth; a success does not reset the count. A check is booked before it runs:
  a short transaction serialised per username (SQLite's ``BEGIN IMMEDIATE``, on PostgreSQL a
  transaction-scoped advisory lock keyed by the username) finds the name not locked and records the
  attempt as a failure; the password is verified after the commit, and a second short transaction
  marks the attempt a success if it was one. A check under way thus counts as a failure, so
  parallel sign-ins can never run more than five checks.
- At first start, with no user at all, an ``admin`` is created with a one-time password that is
  printed once and must be changed at first sign-in (to a different one). ``user add --must-change``
  does the same for a user created on the command line; the dashboard's admin page always does.
- ``refresh`` re-reads a signed-in user's account, so that a disabled account or changed role or
  employers take effect at the user's next interaction.
- Demo accounts (``DEMO_USERNAMES``) exist only when asked for (``ensure_demo_users``, which the
  dashboard calls only behind ``--demo``/``SHEBAO_DEMO=1``), must change their printed password, and
  work only while the store holds nothing but the bundled samples (``store_has_real_data``): from the
  first other file on, they are disabled (audited) and refused at sign-in and at their next click.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import gzip
import hashlib
import re
import secrets
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Engine
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumValidationError

from compliance import config, store
from compliance.dates import now_utc
from compliance.errors import ShebaoError
from compliance.workers import usable_cores

ROLES = ("hr", "inspector", "admin")
MAX_FAILURES = 5
LOCK_WINDOW = dt.timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12
MAX_USERNAME_CHARS = 64  # the longest valid username; the dashboard's max_chars
MAX_PASSWORD_CHARS = 256  # the longest password kept; the dashboard's max_chars
NAME_TURN_WAIT = 30.0  # seconds a sign-in waits for the sign-ins of the same name before it (a shared account)
ACCOUNT_CHANGE_WAIT = 30.0  # seconds add_user and set_password wait (signed-in or command-line callers)
# refusals: keys of compliance.catalogue (English and Chinese there), raised as ``Error.coded(KEY)``
SIGN_IN_FAILED = "sign_in_failed"
SIGN_IN_BUSY = "sign_in_busy"
LOCKED = "locked"
USERNAME_INVALID = "username_invalid"
PASSWORD_TOO_SHORT = "password_too_short"
PASSWORD_TOO_LONG = "password_too_long"
PASSWORD_BLANK = "password_blank"
PASSWORD_FORMAT_CHARACTERS = "password_format_characters"
PASSWORD_HAS_USERNAME = "password_has_username"
PASSWORD_COMMON = "password_common"
PASSWORD_UNCHANGED = "password_unchanged"
PASSWORD_CHANGED_MEANWHILE = "password_changed_meanwhile"
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


class SignInBusy(SignInError, AccountError):
    """Every turn to hash a password is taken and none came free within the short wait: try again.

    Decided before the username is looked up, so it says nothing about the name either. Also raised
    by ``add_user`` and ``set_password`` when no turn comes within ``ACCOUNT_CHANGE_WAIT``: an
    :class:`AccountError` too, so the handlers of those calls show it like any other refusal.
    """


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


def _bounded_name(typed: str) -> str:
    """``typed`` without surrounding spaces, or :class:`UsernameRefused` when that is still longer than any
    valid name: checked before NFKC, which turns one character into as many as 18."""
    typed = typed.strip()
    if len(typed) > MAX_USERNAME_CHARS:
        raise UsernameRefused.coded(USERNAME_INVALID)
    return typed


def canonical_username(typed: str) -> str:
    """What a typed username stands for: without surrounding spaces, NFKC (full-width → ASCII), lower case.

    Over ``MAX_USERNAME_CHARS`` characters (surrounding spaces aside): :class:`UsernameRefused`, unnormalised.

    >>> canonical_username(" ＨＲ ")
    'hr'
    """
    return unicodedata.normalize("NFKC", _bounded_name(typed)).strip().lower()


def check_username(username: str) -> str:
    """``username`` itself when it is a valid name, else :class:`UsernameRefused`.

    NFKC is applied first and must change nothing, so full-width and other compatibility
    look-alikes are refused rather than silently mapped; so are non-ASCII letters (a Cyrillic ``а``).
    An over-long name is refused before NFKC.
    """
    if len(username) > MAX_USERNAME_CHARS or unicodedata.normalize("NFKC", username) != username or \
            not USERNAME_PATTERN.fullmatch(username):
        raise UsernameRefused.coded(USERNAME_INVALID)
    return username


@functools.cache
def common_passwords() -> frozenset[str]:
    """Django's lower-case list of 20,000 common passwords (``data/README.md`` says where from)."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if line.strip())


def _check_password_length(password: str) -> None:
    """The length rules alone: cheap, so they come before anything that walks or normalises the text."""
    if len(password) > MAX_PASSWORD_CHARS:
        raise PasswordRefused.coded(PASSWORD_TOO_LONG)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordRefused.coded(PASSWORD_TOO_SHORT)


def check_password(password: str, username: str | None = None) -> None:
    """:class:`PasswordRefused` unless ``password`` meets the policy of shared README section 10 and issue 20.

    Format characters (Cf) are refused outright: invisible, a password made of them looks empty, and
    one pasted with the password (a BOM, a bidi mark) would make it impossible to type again.
    """
    _check_password_length(password)
    if username is not None:
        _bounded_name(username)
    if any(unicodedata.category(c) == "Cf" for c in password):
        raise PasswordRefused.coded(PASSWORD_FORMAT_CHARACTERS)
    if not password.strip():
        raise PasswordRefused.coded(PASSWORD_BLANK)
    folded = unicodedata.normalize("NFKC", password).casefold()
    if username and canonical_username(username) in folded:
        raise PasswordRefused.coded(PASSWORD_HAS_USERNAME)
    if {folded.strip(), re.sub(r"\s+", "", folded)} & common_passwords():
        raise PasswordRefused.coded(PASSWORD_COMMON)


def check_employer(employer_id: str) -> str:
    """A USCC with a correct check character (GB 32100-2015), via python-stdnum."""
    try:
        return uscc.validate(employer_id)
    except StdnumValidationError as exc:
        raise AccountError.coded("employer_invalid", employer=employer_id, detail=str(exc)) from None


def add_user(engine: Engine, username: str, role: str, password: str, employers: list[str] | None = None,
             must_change_password: bool = False, by: str = "cli") -> None:
    """Create a user; HR needs at least one employer, other roles none."""
    employers = [check_employer(e) for e in employers or []]
    if role not in ROLES:
        raise AccountError.coded("unknown_role", role=role, roles=", ".join(ROLES))
    if role == "hr" and not employers:
        raise AccountError.coded("hr_without_employer")
    if role != "hr" and employers:
        raise AccountError.coded("employer_not_hr")
    check_username(username)
    check_password(password, username)
    with engine.connect() as conn:  # an existing name costs no hash
        if _exists(conn, username):
            raise AccountError.coded("user_exists", user=username)
    with _hash_turn(ACCOUNT_CHANGE_WAIT):  # outside any transaction
        password_hash = _hasher.hash(password)
    with engine.begin() as conn:
        if _exists(conn, username):
            raise AccountError.coded("user_exists", user=username)
        conn.execute(users.insert().values(username=username, password_hash=password_hash, role=role,
                                           disabled=False, must_change_password=must_change_password,
                                           created_at=now_utc()))
        if employers:
            conn.execute(user_employers.insert(), [{"username": username, "employer_id": e} for e in employers])
        store.audit(conn, by, "user_add", None, f"{username} ({role}) {', '.join(employers)}".strip())


def _exists(conn: sa.Connection, username: str) -> bool:
    return conn.execute(sa.select(users.c.username).where(users.c.username == username)).first() is not None


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
    _bounded_name(username)
    with engine.begin() as conn:
        username = _stored_name(conn, username)
        done = conn.execute(users.update().where(users.c.username == username).values(disabled=True)).rowcount
        if not done:
            raise AccountError.coded("no_user", user=username)
        store.audit(conn, by, "user_disable", None, username)


def _matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def set_password(engine: Engine, username: str, password: str) -> None:
    """A new password for ``username``; it must meet the policy and differ from the current one
    (so a one-time or admin-set password cannot be "changed" to itself).

    Verified and hashed outside any transaction; the update then applies only if the password was
    not changed meanwhile (else :class:`AccountError`: try again).
    """
    _bounded_name(username)
    _check_password_length(password)
    with engine.connect() as conn:
        username = _stored_name(conn, username)
        current = conn.execute(sa.select(users.c.password_hash).where(users.c.username == username)).scalar()
    check_password(password, username)
    if current is None:
        raise AccountError.coded("no_user", user=username)
    with _hash_turn(ACCOUNT_CHANGE_WAIT):
        if _matches(current, password):
            raise PasswordRefused.coded(PASSWORD_UNCHANGED)
        password_hash = _hasher.hash(password)
    with engine.begin() as conn:
        changed = conn.execute(users.update().where(users.c.username == username,
                                                    users.c.password_hash == current).values(
            password_hash=password_hash, must_change_password=False)).rowcount
        if not changed:
            raise AccountError.coded(PASSWORD_CHANGED_MEANWHILE)
        store.audit(conn, username, "password_change", None, username)


def _lock_key(username: str) -> int:
    """A stable signed 64-bit key for PostgreSQL's advisory locks (the same in every process)."""
    digest = hashlib.sha256(b"shebao-check sign-in\0" + username.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _serialise_sign_in(conn: sa.Connection, username: str) -> None:
    """Hold ``username``'s sign-in lock until this transaction ends.

    SQLite's transactions already begin with ``BEGIN IMMEDIATE`` (``store``), one writer at a
    time. PostgreSQL under READ COMMITTED would let parallel sign-ins each count the failures
    before any of them is recorded; a transaction-scoped advisory lock per username makes the
    lock check and the booking of a check one step for that username (``_book_check``), and is
    released at commit or rollback, before the password is verified.
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


class _Waiter:
    """One caller waiting for a turn; ``granted`` and ``refused`` are set under the gate's lock."""

    __slots__ = ("granted", "refused", "ticket", "woken")

    def __init__(self, ticket: int) -> None:
        self.ticket = ticket
        self.woken = threading.Event()
        self.granted = self.refused = False


class _HashGate:
    """At most ``slots`` argon2 computations at once (64 MiB and a core each; 40 at once added 1.4 GiB).

    Newest first, by the ticket a caller takes when its sign-in begins: a freed turn goes to the one
    who came last. Under a burst the oldest waiters are the ones whose short wait runs out anyway, and
    a person who clicks after a burst gets the next free turn instead of waiting it out (a FIFO queue
    made them; 40 anonymous sign-ins took a real one 25 s). Beyond ``queue`` waiters the oldest is
    refused at once: a cheap refusal, no thread held.
    """

    def __init__(self, slots: int, queue: int) -> None:
        self._lock = threading.Lock()
        self._free, self._queue, self._tickets = slots, queue, 0
        self._waiting: list[_Waiter] = []  # by ticket, oldest first

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    def ticket(self) -> int:
        """A caller's place in time: a higher ticket is served first."""
        with self._lock:
            self._tickets += 1
            return self._tickets

    def acquire(self, wait: float, ticket: int | None = None) -> None:
        """A turn, or :class:`SignInBusy` when none comes within ``wait`` seconds."""
        ticket = self.ticket() if ticket is None else ticket
        with self._lock:
            if self._free:
                self._free -= 1
                return
            me = _Waiter(ticket)
            bisect.insort(self._waiting, me, key=lambda w: w.ticket)
            if len(self._waiting) > self._queue:  # possibly the newcomer itself, if it is the oldest
                oldest = self._waiting.pop(0)
                oldest.refused = True
                oldest.woken.set()
        me.woken.wait(wait)
        with self._lock:
            if me.granted:  # possibly just as the wait ran out: the turn is ours
                return
            if not me.refused:
                self._waiting.remove(me)
        raise SignInBusy.coded(SIGN_IN_BUSY)

    def release(self) -> None:
        with self._lock:
            if self._waiting:  # handed straight to the newest waiter
                newest = self._waiting.pop()
                newest.granted = True
                newest.woken.set()
            else:
                self._free += 1


@functools.cache
def _gate() -> _HashGate:
    """The process's gate: one turn per usable core (a container's CPU set), 16 waiters per turn."""
    slots = usable_cores()
    return _HashGate(slots, 16 * slots)


def sign_in_wait() -> float:
    """Seconds a sign-in waits for a turn to hash: ``SHEBAO_SIGN_IN_WAIT``, default 2. A flood beyond
    the gate's queue is refused at once; the sign-ins of one name wait for each other apart
    (``NAME_TURN_WAIT``), so colleagues sharing an account are not told the server is busy."""
    return config.number("SHEBAO_SIGN_IN_WAIT")


@contextmanager
def _hash_turn(wait: float, ticket: int | None = None) -> Iterator[None]:
    """Hold one of the gate's turns while argon2 runs (:class:`SignInBusy` if none within ``wait``)."""
    gate = _gate()
    gate.acquire(wait, ticket)
    try:
        yield
    finally:
        gate.release()


_sqlite_sign_ins = threading.Lock()
_NAME_TURNS = [threading.Lock() for _ in range(256)]  # striped: bounded memory whatever names are tried


@contextmanager
def _name_turn(username: str, wait: float) -> Iterator[None]:
    """This process's sign-ins of one username one after the other, from booking to record.

    A check in progress counts as a failure (``_book_check``), so parallel sign-ins of one name (twenty
    colleagues at a training session, one person's tabs) would lock each other out at the sixth; in
    turn, each finds the last one's outcome recorded. Across processes the booked failure still bounds
    the checks to five. :class:`SignInBusy` (nothing booked) when no turn comes within ``wait``.
    """
    stripe = _NAME_TURNS[int.from_bytes(hashlib.sha256(username.encode("utf-8")).digest()[:2], "big") % 256]
    if not stripe.acquire(timeout=wait):
        raise SignInBusy.coded(SIGN_IN_BUSY)
    try:
        yield
    finally:
        stripe.release()


@contextmanager
def _sign_in_transaction(engine: Engine) -> Iterator[sa.Connection]:
    """A short write transaction of the sign-in bookkeeping.

    On SQLite this process's sign-ins take turns on a lock of their own before ``BEGIN IMMEDIATE``:
    40 threads polling SQLite's busy handler for the write lock left it idle between polls and kept
    other writers (an audit entry) waiting behind the lottery; in turn they run back to back. The
    connection is opened before the turn is taken: the last connection to close checkpoints the WAL
    (18 ms instead of 1 ms a transaction), and with the waiters' connections open none is the last.
    """
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            yield conn
        return
    with engine.connect() as conn, _sqlite_sign_ins, conn.begin():
        yield conn


@dataclass(frozen=True)
class _Booked:
    """A password check booked for ``username``: its attempt row (recorded as a failure) and the account."""

    attempt_id: int
    account: sa.Row | None


def _book_check(engine: Engine, username: str, now: dt.datetime) -> _Booked:
    """The lock-out's short transaction, serialised per username: refuse a locked name (or a retired demo
    account), else record the attempt as a failure and read the account. Nothing is hashed here."""
    refusal = None
    with _sign_in_transaction(engine) as conn:
        _serialise_sign_in(conn, username)
        if _retire_if_demo(conn, username):
            refusal = SIGN_IN_FAILED  # committed: the demo accounts stay disabled
        elif _locked(conn, username, now):
            refusal = LOCKED
        else:
            account = conn.execute(sa.select(users).where(users.c.username == username)).first()
            attempt_id = conn.execute(login_attempts.insert().values(username=username, at=now, success=False)
                                      ).inserted_primary_key[0]
    if refusal:
        raise SignInError.coded(refusal)
    return _Booked(int(attempt_id), account)


def _unbook(engine: Engine, attempt_id: int) -> None:
    """A booked check that never ran (no turn to hash) counts nothing."""
    with _sign_in_transaction(engine) as conn:
        conn.execute(login_attempts.delete().where(login_attempts.c.id == attempt_id))


def authenticate(engine: Engine, username: str, password: str, now: dt.datetime | None = None) -> User:
    """The user, or :class:`SignInError` with the same message for every kind of failure
    (:class:`SignInBusy` when no turn to hash comes within ``sign_in_wait()`` seconds).

    An over-long name or password is refused before any other work. The typed name is canonicalised
    (``canonical_username``) before the lookup and the lock-out bookkeeping. The check is booked
    (``_book_check``), the password verified outside any transaction, and a success recorded after.
    """
    now = now or now_utc()
    ticket = _gate().ticket()  # taken first: the turn to hash goes to the latest sign-in, not the latest booking
    wait = sign_in_wait()  # read before anything is booked: a bad setting must not count as a failure
    if len(password) > MAX_PASSWORD_CHARS:  # no password is that long: nothing to check, nothing counted
        raise SignInError.coded(SIGN_IN_FAILED)
    try:
        username = canonical_username(username)
    except UsernameRefused:  # over-long: no account has such a name, so refusing it at once tells nothing
        raise SignInError.coded(SIGN_IN_FAILED) from None
    if not USERNAME_PATTERN.fullmatch(username):  # no such user can exist: same work, nothing stored
        with _hash_turn(wait, ticket):
            _matches(_dummy_hash(), password)
        raise SignInError.coded(SIGN_IN_FAILED)
    with _name_turn(username, max(wait, NAME_TURN_WAIT)):
        return _check_booked(engine, username, password, now, wait, ticket)


def _check_booked(engine: Engine, username: str, password: str, now: dt.datetime, wait: float,
                  ticket: int) -> User:
    """``authenticate``'s check of a well-formed name, in that name's turn: book, verify, record."""
    booked = _book_check(engine, username, now)
    account = booked.account
    try:
        with _hash_turn(wait, ticket):
            # an unknown name is checked against a dummy hash: the same work whether or not it exists
            ok = _matches(account.password_hash if account is not None else _dummy_hash(), password)
    except SignInBusy:
        _unbook(engine, booked.attempt_id)
        raise
    if not ok or account is None or account.disabled:
        raise SignInError.coded(SIGN_IN_FAILED)  # already recorded as a failure
    refusal = None
    with _sign_in_transaction(engine) as conn:
        current = conn.execute(sa.select(users).where(users.c.username == username)).first()
        if _retire_if_demo(conn, username) or current is None or current.disabled or \
                current.password_hash != account.password_hash:  # changed while the password was checked
            refusal = SIGN_IN_FAILED  # the attempt stays a failure
        else:
            conn.execute(login_attempts.update().where(login_attempts.c.id == booked.attempt_id).values(success=True))
            employers = frozenset(conn.execute(sa.select(user_employers.c.employer_id).where(
                user_employers.c.username == username)).scalars())
            store.audit(conn, username, "sign_in", None, current.role)
    if refusal:
        raise SignInError.coded(refusal)
    return User(username, current.role, employers, bool(current.must_change_password))


def refresh(engine: Engine, user: User) -> User | None:
    """``user``'s account as it is now: None when it no longer exists or is disabled.

    The dashboard compares the result with the session's user at every interaction and signs
    the user out when they differ (role, employers or must-change-password changed). A demo
    account is retired here too once the store holds real data (so a running dashboard stops
    serving the demo inspector as soon as the command line stores a real roster).
    """
    if user.username in DEMO_USERNAMES:
        with engine.begin() as conn:
            if _retire_if_demo(conn, user.username):
                return None
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


# --- demo accounts (issue 20, finding 10) ---------------------------------------------------

# The sample rosters' employers (sample_uploads/README.md), for the demo HR account.
DEMO_EMPLOYERS = ["911101055347017256", "914403057569602043"]
DEMO_USERNAMES = ("demo-hr", "demo-inspector")
DEMO_GUARD = "demo-guard"  # the audit log's actor when a demo account is retired on its own
SAMPLES_DIR = Path(__file__).resolve().parent.parent / "sample_uploads"
SAMPLE_SUFFIXES = (".csv", ".xlsx", ".xls")


@functools.cache
def sample_digests() -> frozenset[str]:
    """SHA-256 of every bundled sample roster and registry extract (``sample_uploads/``, registry included),
    as the store keys an upload. An installed copy without the folder has none: every file then counts
    as real data, so the demo fails closed."""
    if not SAMPLES_DIR.is_dir():
        return frozenset()
    return frozenset(store.sha256_of(p.read_bytes()) for p in sorted(SAMPLES_DIR.rglob("*"))
                     if p.is_file() and p.suffix.lower() in SAMPLE_SUFFIXES)


def store_has_real_data(conn_or_engine: sa.Connection | Engine) -> bool:
    """Whether the store holds any upload (roster or registry extract) that is not a bundled sample."""
    query = sa.select(store.uploads.c.id).limit(1)
    digests = sorted(sample_digests())
    if digests:
        query = query.where(store.uploads.c.sha256.not_in(digests))
    if isinstance(conn_or_engine, sa.Connection):
        return conn_or_engine.execute(query).first() is not None
    with conn_or_engine.connect() as conn:
        return conn.execute(query).first() is not None


def _disable_demo_users(conn: sa.Connection, by: str) -> list[str]:
    """Disable the demo accounts still enabled (audited each); their names."""
    names = list(conn.execute(sa.select(users.c.username).where(
        users.c.username.in_(DEMO_USERNAMES), users.c.disabled.is_(False)).order_by(users.c.username)).scalars())
    for name in names:
        conn.execute(users.update().where(users.c.username == name).values(disabled=True))
        store.audit(conn, by, "user_disable", None, f"{name}: the store holds data other than the bundled samples")
    return names


def _retire_if_demo(conn: sa.Connection, username: str, by: str = DEMO_GUARD) -> bool:
    """True when ``username`` is a demo account and the store holds real data (the demo accounts are then
    disabled in ``conn``'s transaction). Other names cost nothing."""
    if username not in DEMO_USERNAMES or not store_has_real_data(conn):
        return False
    _disable_demo_users(conn, by)
    return True


def retire_demo_users(engine: Engine, by: str = DEMO_GUARD) -> list[str]:
    """Once the store holds real data: disable the demo accounts still enabled (audited); their names.

    The command line's ``upload`` and ``import-registry`` call it after each file they store.
    """
    with engine.begin() as conn:
        return _disable_demo_users(conn, by) if store_has_real_data(conn) else []


def ensure_demo_users(engine: Engine) -> dict[str, str]:
    """An HR and an inspector account to try the samples with, only when asked for (``--demo``).

    Random passwords (returned to be printed once) that must be changed at first sign-in. Nothing is
    created on a store that holds real data (``store_has_real_data``): there it returns ``{}`` and
    disables any demo account left (audited).
    """
    with engine.begin() as conn:
        if store_has_real_data(conn):
            _disable_demo_users(conn, DEMO_GUARD)
            return {}
    created = {}
    for username, role, employers in (("demo-hr", "hr", DEMO_EMPLOYERS), ("demo-inspector", "inspector", [])):
        password = _one_time_password(username)
        try:
            add_user(engine, username, role, password, employers, must_change_password=True, by="demo")
        except (AccountError, sa.exc.IntegrityError):
            continue
        created[username] = password
    return created


def audit_view(engine: Engine, user: User, employer_ids: list[str], what: str) -> None:
    """One audit entry per employer whose personal data ``user`` is shown (who, which, when)."""
    with engine.begin() as conn:
        for employer in sorted({e or "" for e in employer_ids}):
            store.audit(conn, user.username, "view", employer or None, what)
