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
- Administration (issue 24, item 7), each change audited: ``enable_user``; ``reset_password`` (a generated
  one-time password, to be changed at the next sign-in; the user's sign-ins end, its lock-out is cleared);
  ``unlock_user`` (deletes the failed attempts that still count towards the lock-out); ``change_role`` (the
  rules of ``add_user``; the only enabled admin keeps its role; sign-ins end); ``reset_admin`` for a lost admin
  password (``user reset-admin``); ``list_users`` gives the last sign-in (the last successful attempt) and
  whether the lock-out holds; ``audit_page`` reads one filtered page of the audit log, never the whole log.
  Times stay naive UTC here; ``compliance.beijing`` shows them in Beijing time.
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

from compliance import beijing, config, store
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


def _checked_binding(role: str, employers: list[str] | None) -> list[str]:
    """``employers`` verified (check character) and without repeats, for a user of ``role``: HR needs at
    least one employer, other roles none."""
    employers = list(dict.fromkeys(check_employer(e) for e in employers or []))
    if role not in ROLES:
        raise AccountError.coded("unknown_role", role=role, roles=", ".join(ROLES))
    if role == "hr" and not employers:
        raise AccountError.coded("hr_without_employer")
    if role != "hr" and employers:
        raise AccountError.coded("employer_not_hr")
    return employers


def add_user(engine: Engine, username: str, role: str, password: str, employers: list[str] | None = None,
             must_change_password: bool = False, by: str = "cli") -> None:
    """Create a user; HR needs at least one employer, other roles none."""
    employers = _checked_binding(role, employers)
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


def list_users(engine: Engine, now: dt.datetime | None = None) -> list[dict]:
    """Every user: name, role, employers, disabled, created_at and last_sign_in (ISO, UTC as stored;
    last_sign_in None before the first), locked (the lock-out holds ``now``)."""
    now = now or now_utc()
    with engine.connect() as conn:
        bound: dict[str, list[str]] = {}
        for row in conn.execute(sa.select(user_employers).order_by(user_employers.c.employer_id)):
            bound.setdefault(row.username, []).append(row.employer_id)
        last = last_sign_ins(conn)
        locked = _locked_names(conn, now)
        return [{"username": r.username, "role": r.role, "employers": bound.get(r.username, []),
                 "disabled": bool(r.disabled), "created_at": r.created_at.isoformat(timespec="seconds"),
                 "last_sign_in": last[r.username].isoformat(timespec="seconds") if r.username in last else None,
                 "locked": r.username in locked}
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
    return _lock_holds(failures, now)


def _lock_holds(failures: list[dt.datetime], now: dt.datetime) -> bool:
    """Whether the failures (in time order) lock their username at ``now``: five within 15 minutes, the fifth
    less than 15 minutes ago."""
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
DEMO_EMPLOYERS = ["911101055347017256", "914403057569602043", "91440305798643266J",
                  "91440305162243750H"]  # the last two: hr_roster_2026.xlsx
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


# --- administration (issue 24, item 7): enable, reset, unlock, role and employers, audit log -----------

# Between the USCCs an admin types: ASCII or full-width commas and semicolons (NFKC makes them ASCII),
# the enumeration comma 、 a Chinese IME types, and any white space.
_EMPLOYER_SEPARATORS = re.compile(r"[,;、\s]+")
AUDIT_PAGE_SIZES = (25, 50, 100, 200)


def parse_employers(text: str) -> list[str]:
    """The USCCs of a typed list, in order, without repeats; not verified (``check_employer`` does that).

    >>> parse_employers("914403057569602043，911101055347017256、 914403057569602043")
    ['914403057569602043', '911101055347017256']
    """
    codes = _EMPLOYER_SEPARATORS.split(unicodedata.normalize("NFKC", text or "").upper())
    return list(dict.fromkeys(c for c in codes if c))


def last_sign_ins(conn: sa.Connection) -> dict[str, dt.datetime]:
    """Username → its last successful sign-in (naive UTC), from the sign-in attempts."""
    return {r.username: r.at for r in conn.execute(
        sa.select(login_attempts.c.username, sa.func.max(login_attempts.c.at).label("at"))
        .where(login_attempts.c.success.is_(True)).group_by(login_attempts.c.username))}


def _locked_names(conn: sa.Connection, now: dt.datetime) -> set[str]:
    """The usernames the lock-out holds at ``now`` (``_locked``, for every name at once)."""
    failures: dict[str, list[dt.datetime]] = {}
    for r in conn.execute(sa.select(login_attempts.c.username, login_attempts.c.at).where(
            login_attempts.c.success.is_(False), login_attempts.c.at > now - 2 * LOCK_WINDOW)
            .order_by(login_attempts.c.username, login_attempts.c.at)):
        failures.setdefault(r.username, []).append(r.at)
    return {name for name, times in failures.items() if _lock_holds(times, now)}


def _account(conn: sa.Connection, typed: str) -> sa.Row:
    """The stored account ``typed`` names, or :class:`AccountError` ``no_user``."""
    username = _stored_name(conn, _bounded_name(typed))
    row = conn.execute(sa.select(users).where(users.c.username == username)).first()
    if row is None:
        raise AccountError.coded("no_user", user=username)
    return row


def _clear_failures(conn: sa.Connection, username: str, now: dt.datetime) -> int:
    """Delete the failed attempts that can still count towards ``username``'s lock-out (those of the last
    30 minutes, ``_locked``): the name is unlocked, and five checks are possible again."""
    _serialise_sign_in(conn, username)
    return conn.execute(login_attempts.delete().where(
        login_attempts.c.username == username, login_attempts.c.success.is_(False),
        login_attempts.c.at > now - 2 * LOCK_WINDOW)).rowcount


def _end_sign_ins(conn: sa.Connection, username: str) -> None:
    """End ``username``'s sign-ins in every browser (its old password, role or employers no longer hold)."""
    from compliance import signins  # signins imports this module

    conn.execute(signins.sign_ins.update().where(signins.sign_ins.c.username == username,
                                                 signins.sign_ins.c.ended_at.is_(None)).values(ended_at=now_utc()))


def enable_user(engine: Engine, username: str, by: str = "cli") -> None:
    """Enable a disabled user again (audited ``user_enable``). Its old sign-ins stay ended (a disable ended
    them); a demo account stays retired once the store holds real data."""
    with engine.begin() as conn:
        row = _account(conn, username)
        if not row.disabled:
            raise AccountError.coded("user_enabled_already", user=row.username)
        if row.username in DEMO_USERNAMES and store_has_real_data(conn):
            raise AccountError.coded("demo_retired", user=row.username)
        conn.execute(users.update().where(users.c.username == row.username).values(disabled=False))
        store.audit(conn, by, "user_enable", None, row.username)


def unlock_user(engine: Engine, username: str, by: str = "cli", now: dt.datetime | None = None) -> int:
    """Clear the failed sign-ins that lock ``username`` out (audited ``user_unlock``); how many were cleared."""
    now = now or now_utc()
    with _sign_in_transaction(engine) as conn:
        row = _account(conn, username)
        cleared = _clear_failures(conn, row.username, now)
        store.audit(conn, by, "user_unlock", None, f"{row.username}: {cleared} failed sign-in(s) cleared")
    return cleared


def _set_one_time_password(engine: Engine, username: str, by: str, action: str, enable: bool = False,
                           now: dt.datetime | None = None) -> tuple[str, str]:
    """A new one-time password for ``username`` (to be changed at the next sign-in), its lock-out cleared and
    its sign-ins ended (enabled too when ``enable``); audited as ``action``. Returns (username, password)."""
    with engine.connect() as conn:
        username = _account(conn, username).username
    password = _one_time_password(username)
    with _hash_turn(ACCOUNT_CHANGE_WAIT):  # outside any transaction
        password_hash = _hasher.hash(password)
    with _sign_in_transaction(engine) as conn:
        row = _account(conn, username)
        values = {"password_hash": password_hash, "must_change_password": True}
        conn.execute(users.update().where(users.c.username == username).values(**values, **(
            {"disabled": False} if enable else {})))
        cleared = _clear_failures(conn, username, now or now_utc())
        _end_sign_ins(conn, username)
        enabled = " and enabled" if enable and row.disabled else ""
        store.audit(conn, by, action, None, f"{username}: one-time password set{enabled}, to be changed at the "
                                            f"next sign-in; {cleared} failed sign-in(s) cleared")
    return username, password


def reset_password(engine: Engine, username: str, by: str = "cli", now: dt.datetime | None = None) -> str:
    """A generated one-time password for ``username``, returned to be shown once: it must be changed at the
    next sign-in, the user's sign-ins end and its lock-out is cleared (audited ``password_reset``)."""
    return _set_one_time_password(engine, username, by, "password_reset", now=now)[1]


def reset_admin(engine: Engine, username: str | None = None, by: str = "cli") -> tuple[str, str]:
    """A lost admin password (``user reset-admin``): the admin (the only one, else ``username``) gets a one-time
    password, is enabled and unlocked (audited ``admin_reset``). Returns (username, password). Works with no
    admin able to sign in; with no admin at all it is refused (``no_admin``)."""
    with engine.connect() as conn:
        admins = list(conn.execute(sa.select(users.c.username).where(users.c.role == "admin")
                                   .order_by(users.c.username)).scalars())
        if username is not None:
            username = _account(conn, username).username
            if username not in admins:
                raise AccountError.coded("not_admin", user=username)
    if username is None and not admins:
        raise AccountError.coded("no_admin")
    if username is None and len(admins) > 1:
        raise AccountError.coded("several_admins", users=", ".join(admins))
    return _set_one_time_password(engine, username or admins[0], by, "admin_reset", enable=True)


def change_role(engine: Engine, username: str, role: str, employers: list[str] | None = None,
                by: str = "cli") -> None:
    """Give ``username`` the role ``role`` and the employers ``employers`` (HR at least one, others none, as
    ``add_user``); its sign-ins end. The last admin keeps its role (``last_admin``). Audited ``user_role``."""
    employers = _checked_binding(role, employers)
    with engine.begin() as conn:
        row = _account(conn, username)
        before = list(conn.execute(sa.select(user_employers.c.employer_id).where(
            user_employers.c.username == row.username).order_by(user_employers.c.employer_id)).scalars())
        if row.role == role and sorted(before) == sorted(employers):
            raise AccountError.coded("role_unchanged", user=row.username)
        if row.role == "admin" and role != "admin" and not conn.execute(sa.select(users.c.username).where(
                users.c.role == "admin", users.c.disabled.is_(False), users.c.username != row.username)).first():
            raise AccountError.coded("last_admin", user=row.username)
        conn.execute(users.update().where(users.c.username == row.username).values(role=role))
        conn.execute(user_employers.delete().where(user_employers.c.username == row.username))
        if employers:
            conn.execute(user_employers.insert(), [{"username": row.username, "employer_id": e} for e in employers])
        _end_sign_ins(conn, row.username)
        store.audit(conn, by, "user_role", None, f"{row.username}: {row.role} {', '.join(before)}".rstrip()
                    + f" -> {role} {', '.join(employers)}".rstrip())


@dataclass(frozen=True)
class AuditPage:
    """One page of the audit log, newest first: its entries (id, at in naive UTC, actor, action,
    employer_id, detail), how many entries match, which page of how many."""

    entries: list[dict]
    total: int
    page: int
    pages: int


def audit_page(engine: Engine, actor: str | None = None, action: str | None = None, first: dt.date | None = None,
               last: dt.date | None = None, page: int = 1, page_size: int = 50) -> AuditPage:
    """The entries by ``actor`` of ``action`` on the Beijing days ``first`` to ``last`` (each optional), page
    ``page`` (cut to the pages there are) of ``page_size``: one count and one page read, never the whole log."""
    if first and last and first > last:
        raise AccountError.coded("audit_dates_reversed", first=first.isoformat(), last=last.isoformat())
    page_size = min(max(int(page_size), 1), max(AUDIT_PAGE_SIZES))
    log = store.audit_log
    since, until = beijing.utc_bounds(first, last)
    where = [c for c in (log.c.actor == actor if actor else None, log.c.action == action if action else None,
                         log.c.at >= since if since else None, log.c.at < until if until else None) if c is not None]
    with engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(log).where(*where)).scalar() or 0
        pages = max(1, -(-total // page_size))
        page = min(max(int(page), 1), pages)
        rows = conn.execute(sa.select(log).where(*where).order_by(log.c.id.desc())
                            .limit(page_size).offset((page - 1) * page_size))
        return AuditPage([dict(r._mapping) for r in rows], total, page, pages)


def audit_choices(engine: Engine) -> tuple[list[str], list[str]]:
    """The actors and the actions the audit log holds (for the filters' lists)."""
    log = store.audit_log
    with engine.connect() as conn:
        return (list(conn.execute(sa.select(log.c.actor).distinct().order_by(log.c.actor)).scalars()),
                list(conn.execute(sa.select(log.c.action).distinct().order_by(log.c.action)).scalars()))
