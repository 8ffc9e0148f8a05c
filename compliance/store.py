"""The store: uploads, employers, people, employments, agency registrations, cards, cases, audit.

SQLAlchemy 2 Core over SQLite (the default file, created on first use) or PostgreSQL (a URL
in ``--db`` or ``SHEBAO_DB``). The schema is created and upgraded by the Alembic migrations in
``compliance/migrations``. Each uploaded file is stored in one transaction: a file that fails
halfway leaves nothing behind, and the same content again (same SHA-256) adds nothing.

People are keyed by the social security number, which is the citizen identity number
(PRC Social Insurance Law Art. 58), so only rows with a valid ID number are stored as
employments; the others are counted in the upload's ``errors``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import getpass
import hashlib
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import alembic.util
import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine
from stdnum.cn import uscc

from compliance import cases as case_rules
from compliance import config, ids
from compliance.dates import now_utc
from compliance.errors import ShebaoError

_CHECKOUT = Path(__file__).resolve().parent.parent
# the checkout's data/ (README: the dashboard and the command line share it); an installed copy (pip install
# ., a Dask worker) has no checkout around it: ./data of where it runs, never inside site-packages
DEFAULT_DB_PATH = config.path("SHEBAO_DATA_DIR") or (_CHECKOUT / "data" if (_CHECKOUT / "app.py").exists()
                                                     else Path.cwd() / "data")
DEFAULT_DB_FILE = DEFAULT_DB_PATH / "shebao.sqlite"
_BATCH = 100_000  # rows turned into driver tuples at a time when writing: bounds the Python objects alive

metadata = sa.MetaData()
uploads = sa.Table(
    "uploads", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),  # roster | registry
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("uploaded_at", sa.DateTime, nullable=False),
    sa.Column("uploaded_by", sa.String(128), nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("errors", sa.Integer, nullable=False),
    sa.UniqueConstraint("kind", "sha256", name="uq_uploads_kind_sha256"),
)
employers = sa.Table(
    "employers", metadata,
    sa.Column("employer_id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(255)),
)
people = sa.Table(
    "people", metadata,
    sa.Column("ssn", sa.String(18), primary_key=True),
    sa.Column("name", sa.String(128)),
    sa.Column("birth_date", sa.Date),
    sa.Column("sex", sa.String(1)),
    sa.Column("region_code", sa.String(6)),
)
employments = sa.Table(
    "employments", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("employer_id", sa.String(64), sa.ForeignKey("employers.employer_id"), nullable=False),
    sa.Column("ssn", sa.String(18), sa.ForeignKey("people.ssn"), nullable=False),
    sa.Column("name", sa.String(128)),
    sa.Column("hire_date", sa.Date),
    sa.Column("registration_date", sa.Date),
    sa.Column("wage", sa.Float),
    sa.Column("card_status", sa.String(32)),
    sa.Column("upload_id", sa.Integer, sa.ForeignKey("uploads.id"), nullable=False),
    sa.Column("source_file", sa.String(255), nullable=False),
    sa.Column("employment_type", sa.String(16)),  # migration 0004 (section 10)
    sa.Column("work_permit_date", sa.Date),
    sa.Column("source_row", sa.Integer, nullable=False),
    # migration 0007 (section 11.1): the roster's fields beside the employment
    sa.Column("career_start_date", sa.Date),
    sa.Column("leave_date", sa.Date),
    sa.Column("deregistration_date", sa.Date),
    sa.Column("insurance_status", sa.String(16)),
    sa.Column("card_city", sa.String(64)),
    sa.Column("social_function", sa.String(16)),
    sa.Column("financial_function", sa.String(16)),
    sa.Column("dispatch_local_branch", sa.String(8)),
    sa.Column("exempt_types", sa.String(64)),
    sa.Column("registration_month_only", sa.Boolean),
    sa.Index("ix_employments_employer", "employer_id"),
    sa.Index("ix_employments_ssn", "ssn"),
)
registrations = sa.Table(
    "registrations", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("employer_id", sa.String(64), nullable=False),
    sa.Column("ssn", sa.String(18), nullable=False),
    sa.Column("registration_date", sa.Date),
    sa.Column("upload_id", sa.Integer, sa.ForeignKey("uploads.id"), nullable=False),
    sa.Column("source_row", sa.Integer, nullable=False),
    sa.UniqueConstraint("employer_id", "ssn", name="uq_registrations_employer_ssn"),
    sa.Index("ix_registrations_ssn", "ssn"),
)
card_records = sa.Table(
    "card_records", metadata,
    sa.Column("ssn", sa.String(18), primary_key=True),
    sa.Column("card_status", sa.String(32)),
    sa.Column("card_bank", sa.String(64)),
    sa.Column("activation_date", sa.Date),
    sa.Column("upload_id", sa.Integer, sa.ForeignKey("uploads.id"), nullable=False),
)
audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("actor", sa.String(128), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("employer_id", sa.String(64)),
    sa.Column("detail", sa.Text),
)
cases = sa.Table(
    "cases", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("employer_id", sa.String(64), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("opened_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("document", sa.String(32)),  # migration 0006 (README 11.6): the notice served
    sa.Column("rectify_by", sa.Date),
)
case_notes = sa.Table(
    "case_notes", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("author", sa.String(128), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("document", sa.String(32)),  # migration 0006: the notice of a move to notified
    sa.Column("rectify_by", sa.Date),
)


class StoreError(ShebaoError):
    """The store cannot do what was asked (bad URL, unknown case, illegal transition)."""


def database_url(url: str | None = None) -> str:
    """``--db`` URL, else ``SHEBAO_DB``, else the default SQLite file (its folder is created, 0700)."""
    url = url or config.url("SHEBAO_DB")
    if url:
        return url
    folder = DEFAULT_DB_FILE.parent
    if not folder.is_dir():  # a folder that is there already (SHEBAO_DATA_DIR, ./data) is the operator's
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        _private(folder, 0o700)  # mkdir's mode passes through the umask
    return f"sqlite:///{DEFAULT_DB_FILE}"


def _private(path: Path, mode: int) -> None:
    """``path`` readable by its owner only (``mode``), whatever the umask; left alone if not ours to change."""
    with contextlib.suppress(OSError):
        if stat.S_IMODE(path.stat().st_mode) != mode:
            path.chmod(mode)


def _sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (None for an in-memory one)."""
    parsed = sa.engine.make_url(url)
    name = parsed.database or ""
    if not name or name == ":memory:" or name.startswith("file:") or parsed.query.get("mode") == "memory":
        return None
    return Path(name)


def _private_sqlite(path: Path) -> None:
    """The database file created 0600 before SQLite opens it (SQLite gives its -wal and -shm the mode of
    the database file), and an existing one with its -wal and -shm narrowed to 0600: the personal data
    of every stored roster are in them (docs/security.md)."""
    with contextlib.suppress(FileExistsError, FileNotFoundError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if part.exists():
            _private(part, 0o600)


_WRITE_CACHE = -262144  # KiB: 256 MB of pages, so the indexes of a bulk insert stay in memory
_READ_CACHE = -16384  # 16 MB while a whole table is read once


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below drive transactions
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a killed process never loses a commit
    cursor.execute(f"PRAGMA cache_size={_WRITE_CACHE}")  # bulk index inserts stay in memory
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=60000")
    cursor.close()


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")  # writers queue up instead of failing to upgrade a lock


# --- database errors without values ------------------------------------------------------------------
# ``hide_parameters`` keeps SQLAlchemy's ``[parameters: …]`` out of every error and log line; the
# database's own text can quote values too (PostgreSQL: ``DETAIL: Key (ssn)=(…) already exists.``,
# ``CONTEXT: COPY people, line 1, column …: "…"``, ``invalid input syntax for type date: "…"``). Of that
# text only the first line is kept, quoted values replaced and ID-shaped runs masked, in the driver's
# exception as in SQLAlchemy's, so no traceback in any log carries them.

_QUOTED_VALUE = re.compile(r'(?<!constraint )(?<!relation )(?<!column )(?<!table )(?<!index )(?<!type )'
                           r'(?<!database )(?<!schema )(?<!function )(?<!role )"[^"]*"')


def _scrubbed(message: str) -> str:
    first = message.strip().split("\n", 1)[0]
    return ids.mask_text(_QUOTED_VALUE.sub('"…"', first))[:500]


def scrub_error(error: BaseException) -> BaseException:
    """``error`` (a driver's or SQLAlchemy's) with no value of the statement left in its text."""
    for exc in (error, getattr(error, "orig", None)):
        if isinstance(exc, BaseException) and exc.args and isinstance(exc.args[0], str):
            if isinstance(exc, sa.exc.DBAPIError) and exc.orig is not None:
                orig = exc.orig
                exc.args = (f"({type(orig).__module__}.{type(orig).__name__}) {_scrubbed(str(orig))}",)
            else:
                exc.args = (_scrubbed(exc.args[0]), *exc.args[1:])
    return error


def _scrub_statement_error(context: sa.engine.ExceptionContext) -> None:
    scrub_error(context.original_exception)
    if context.sqlalchemy_exception is not None:
        scrub_error(context.sqlalchemy_exception)


@contextlib.contextmanager
def _scrubbed_driver_errors() -> Iterator[None]:
    """Errors of statements run on the DB-API connection directly (the bulk writes), scrubbed as above."""
    try:
        yield
    except Exception as exc:
        raise scrub_error(exc) from None


@functools.cache
def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        if (path := _sqlite_file(url)) is not None:
            _private_sqlite(path)
        # a connection per checkout: SQLite connections are cheap, and a fixed pool would make
        # many simultaneous dashboard sessions wait for a free connection and time out
        engine = sa.create_engine(url, connect_args={"timeout": 60}, poolclass=sa.pool.NullPool,
                                  hide_parameters=True)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = sa.create_engine(url, pool_pre_ping=True, hide_parameters=True)
    sa.event.listen(engine, "handle_error", _scrub_statement_error)
    return engine


def connect(url: str | None = None, upgrade: bool = True) -> Engine:
    """An engine for the store, migrated to the newest schema.

    A SQLite file in a folder that does not exist, or a database that cannot be reached, is the
    user's mistake in ``--db``/``SHEBAO_DB``: a :class:`StoreError` naming the URL (password hidden),
    not an internal error (issue 21).
    """
    url = database_url(url)
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise StoreError(f"cannot use database URL {url!r}: {exc}") from exc
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        folder = Path(parsed.database).expanduser().parent
        if not folder.is_dir():
            raise StoreError(f"cannot use database URL {shown!r}: the folder {str(folder)!r} does not exist")
    try:
        engine = _engine(url)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise StoreError(f"cannot use database URL {shown!r}: {exc}") from exc
    if upgrade:
        migrate(engine, shown=shown)
    return engine


def migrate(engine: Engine, revision: str = "head", shown: str | None = None) -> None:
    """Run the Alembic migrations up to ``revision`` (idempotent).

    A store that cannot be upgraded is the operator's to fix, not a bug: a server that does not answer,
    a file that is not a database, no right to create tables, a store written by a newer version of
    this program (a revision these migrations do not know). Each is one :class:`StoreError` line naming
    the store (password hidden) and the kind of failure, never the database's own text, which can quote
    statements (issue 21).
    """
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    shown = shown or engine.url.render_as_string(hide_password=True)
    try:
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    except alembic.util.CommandError as exc:
        unknown = "revision" in str(exc).lower()
        raise StoreError(f"cannot upgrade the database {shown!r}: "
                         + ("it was written by a newer version of shebao-check (a schema revision this version "
                            "does not know)" if unknown else "its schema history is damaged")) from None
    except sa.exc.DBAPIError as exc:
        kind = type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__
        raise StoreError(f"cannot open the database {shown!r} ({kind})") from None


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def os_user() -> str:
    """The operating-system user running a command-line import (the dashboard passes its signed-in user)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


AUDIT_DETAIL_CHARS = 1000  # audit_log.detail is unbounded text; what one entry may say is not
_AUDIT_EMPLOYER_CHARS = audit_log.c.employer_id.type.length


def _audit_employer(employer_id: str | None) -> tuple[str | None, str | None]:
    """The employer of an audit entry as it may be stored, and a note when that is not the cell as given.

    A credit code (GB 32100 check character right, not a resident ID number) is kept as it is, and so is
    any short, plain id; anything else (a shifted column: 65 characters with an ID number in them, control
    characters) is kept cleaned, masked and cut to its column (``ids.plain_text``), and the entry says so.
    """
    if not employer_id:
        return None, None
    if len(employer_id) <= _AUDIT_EMPLOYER_CHARS and uscc.is_valid(employer_id) and not ids.is_valid(employer_id):
        return employer_id, None
    safe = ids.plain_text(employer_id, _AUDIT_EMPLOYER_CHARS) or None
    if safe == employer_id:
        return safe, None
    return safe, f"[employer cell of {len(employer_id)} characters stored masked, cleaned and cut]"


def audit(conn: sa.Connection, actor: str, action: str, employer_id: str | None = None,
          detail: str | None = None) -> None:
    """Append one entry to the audit log (never updated or deleted).

    Nothing goes in unchecked: every text fits its column, has no control, bidi or zero-width character
    (a forged CR/LF line) and no ID number in full (``ids.plain_text``): an employer cell or a file name is
    whatever a roster held, and the entry must be written whatever it is (PostgreSQL refused a 65-character
    employer cell, and the log quoted it).
    """
    employer, note = _audit_employer(employer_id)
    text = None if detail is None else ids.plain_text(detail, AUDIT_DETAIL_CHARS - (len(note) + 1 if note else 0))
    if note:
        text = f"{text} {note}" if text else note
    conn.execute(audit_log.insert().values(
        at=now_utc(), actor=ids.plain_text(actor, audit_log.c.actor.type.length) or "unknown",
        action=ids.plain_text(action, audit_log.c.action.type.length) or "unknown", employer_id=employer,
        detail=text))


@dataclass
class UploadOutcome:
    """What storing one file did."""

    file_name: str
    sha256: str
    duplicate: bool
    rows: int
    errors: int
    stored: int
    upload_id: int | None = None


def _existing(conn: sa.Connection, kind: str, digest: str) -> sa.Row | None:
    return conn.execute(sa.select(uploads).where(uploads.c.kind == kind, uploads.c.sha256 == digest)).first()


# --- bulk writes: tuples through the DB-API inside SQLAlchemy's transaction ----------------------------
# SQLite: ``executemany`` on the raw sqlite3 connection, batches of ``_BATCH`` rows. PostgreSQL: ``COPY``
# (psycopg 3), straight into the table for plain inserts, into a temporary table for upserts, which
# then go in with one ``INSERT … SELECT … ON CONFLICT``. Values as the SQLAlchemy types would store
# them: dates as ISO text (SQLite's Date; PostgreSQL parses it), NA as NULL.


def _values(column: pd.Series) -> list:
    """One column as Python values for the driver: str/int/float, dates as 'YYYY-MM-DD', NA as None."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return pa.array(column).cast(pa.date32(), safe=False).cast(pa.string()).to_pylist()
    if pd.api.types.is_float_dtype(column):
        values = column.to_numpy(dtype="float64", na_value=np.nan)
        return np.where(np.isnan(values), None, values.astype(object)).tolist()
    if pd.api.types.is_integer_dtype(column) and not column.hasnans:
        return column.to_numpy(dtype="int64").tolist()
    return column.to_numpy(dtype=object, na_value=None).tolist()


def _tuples(frame: pd.DataFrame, columns: list[str]):
    """Rows of ``frame[columns]`` as tuples of driver values, converted ``_BATCH`` rows at a time."""
    for start in range(0, len(frame), _BATCH):
        part = frame.iloc[start:start + _BATCH]
        yield from zip(*(_values(part[name]) for name in columns), strict=True)


def _quoted(conn: sa.Connection, names: list[str]) -> str:
    return ", ".join(conn.dialect.identifier_preparer.quote(n) for n in names)


def _conflict(conn: sa.Connection, columns: list[str], keys: list[str]) -> str:
    """The ON CONFLICT clause of an upsert: the new values replace the old ones (nothing to replace: skip)."""
    quote = conn.dialect.identifier_preparer.quote
    update = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in columns if c not in keys)
    return f"ON CONFLICT ({_quoted(conn, keys)}) " + (f"DO UPDATE SET {update}" if update else "DO NOTHING")


def _copy(cursor, table: str, columns: str, rows) -> None:
    """PostgreSQL: rows into a table with COPY … FROM STDIN (psycopg 3)."""
    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _bulk(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame, keys: list[str] | None = None) -> None:
    """Insert the rows of ``frame`` (its columns = the table's) in the connection's transaction.

    With ``keys``, an upsert: where the key exists already, the new values replace the old ones.
    ``frame`` then holds each key at most once (PostgreSQL's ON CONFLICT refuses a key twice in one
    statement); in key order, so the key's index pages fill one after another.
    """
    if frame.empty:
        return
    columns = list(frame.columns)
    if keys:
        frame = frame.sort_values(keys, kind="stable")
    rows = _tuples(frame, columns)
    with _scrubbed_driver_errors():
        _bulk_rows(conn, table, columns, rows, keys)


def _bulk_rows(conn: sa.Connection, table: sa.Table, columns: list[str], rows, keys: list[str] | None) -> None:
    name, names = conn.dialect.identifier_preparer.format_table(table), _quoted(conn, columns)
    dbapi = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        with dbapi.cursor() as cursor:
            if not keys:
                _copy(cursor, name, names, rows)
                return
            incoming = conn.dialect.identifier_preparer.quote(f"incoming_{table.name}")
            cursor.execute(f"CREATE TEMPORARY TABLE {incoming} AS SELECT {names} FROM {name} WITH NO DATA")
            _copy(cursor, incoming, names, rows)
            cursor.execute(f"INSERT INTO {name} ({names}) SELECT {names} FROM {incoming} "
                           f"{_conflict(conn, columns, keys)}")
            cursor.execute(f"DROP TABLE {incoming}")
        return
    marks = ", ".join("?" * len(columns))
    sql = f"INSERT INTO {name} ({names}) VALUES ({marks})" + (f" {_conflict(conn, columns, keys)}" if keys else "")
    cursor = dbapi.cursor()
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


def _begin_upload(conn: sa.Connection, kind: str, file_name: str, digest: str, by: str, rows: int,
                  errors: int) -> int:
    result = conn.execute(uploads.insert().values(kind=kind, file_name=file_name, sha256=digest, uploaded_at=now_utc(),
                                                  uploaded_by=by, rows=rows, errors=errors))
    return int(result.inserted_primary_key[0])




def find_upload(engine: Engine, kind: str, digest: str, name: str) -> UploadOutcome | None:
    """The outcome of a file stored before with the same content (by SHA-256), else None: asked before the
    file is read, so storing the same file again costs nothing."""
    with engine.connect() as conn:
        found = _existing(conn, kind, digest)
    return None if found is None else UploadOutcome(name, digest, True, found.rows, found.errors, 0, found.id)


# what the store keeps of a normalised roster row (employers, people, employments)
SECTION_11_COLUMNS = ["career_start_date", "leave_date", "deregistration_date", "insurance_status", "card_city",
                      "social_function", "financial_function", "dispatch_local_branch", "exempt_types",
                      "registration_month_only"]  # migration 0007
STORED_ROSTER_COLUMNS = ["employer_id", "employer_name", "ssn", "name", "birth_date", "sex", "region_code",
                         "hire_date", "registration_date", "wage", "card_status", "source_file", "source_row",
                         "employment_type", "work_permit_date", *SECTION_11_COLUMNS]


def release_memory() -> None:
    """Hand the memory Arrow freed back to the system (its pool keeps it otherwise), before the writes
    fill the database's page cache."""
    pa.default_memory_pool().release_unused()


def _write_roster(conn: sa.Connection, upload_id: int, parts: list[pd.DataFrame]) -> str:
    """Employers, people and employments of a roster's kept rows (``STORED_ROSTER_COLUMNS``), in file order."""
    stored = sum(len(part) for part in parts)
    # an employer's name: the last one given in the file (groupby's last skips blanks, slice by slice too)
    names = pd.concat([part.groupby("employer_id", as_index=False)["employer_name"].last() for part in parts]
                      or [pd.DataFrame({"employer_id": [], "employer_name": []})])
    _bulk(conn, employers, names.groupby("employer_id", as_index=False)["employer_name"].last()
          .rename(columns={"employer_name": "name"}), ["employer_id"])
    while parts:  # slice by slice in file order: a later row for the same person replaces the earlier one
        part = parts.pop(0)
        _bulk(conn, people, part.drop_duplicates("ssn", keep="last")[["ssn", "name", "birth_date", "sex",
                                                                        "region_code"]], ["ssn"])
        _bulk(conn, employments, part[["employer_id", "ssn", "name", "hire_date", "registration_date", "wage",
                                       "card_status", "source_file", "source_row", "employment_type",
                                       "work_permit_date", *SECTION_11_COLUMNS]].assign(upload_id=upload_id))
    return f"{stored} rows stored"


def _write_registry(conn: sa.Connection, upload_id: int, parts: list[pd.DataFrame]) -> str:
    """Registration records and card records of an extract's usable rows."""
    good = parts.pop()
    _bulk(conn, registrations,
          good[["employer_id", "ssn", "registration_date", "source_row"]].assign(upload_id=upload_id),
          ["employer_id", "ssn"])
    cards = good[good["card_status"].notna() | good["activation_date"].notna()]
    _bulk(conn, card_records,
          cards.drop_duplicates("ssn", keep="last")[["ssn", "card_status", "card_bank", "activation_date"]]
          .assign(upload_id=upload_id), ["ssn"])
    return f"{len(good)} records stored"


class Ingest(Protocol):
    """What :func:`save` takes: a file read and normalised (``compliance.jobs.Ingested``)."""

    kind: str
    file_name: str
    sha256: str
    rows: int
    problems: int
    parts: list[pd.DataFrame]


def save(engine: Engine, ingested: Ingest, by: str) -> UploadOutcome:
    """Save an ingested roster or extract in one transaction (nothing on failure, nothing twice). Its parts
    are emptied as they are written. The same content saved by another process at the same moment ends
    as a duplicate."""
    kind, name, digest = ingested.kind, ingested.file_name, ingested.sha256
    write = _write_registry if kind == "registry" else _write_roster
    stored = sum(len(part) for part in ingested.parts)
    try:
        with engine.begin() as conn:
            upload_id = _begin_upload(conn, kind, name, digest, by, ingested.rows, ingested.problems)
            audit(conn, by, f"upload_{kind}", None, f"{name}: {write(conn, upload_id, ingested.parts)}")
    except sa.exc.IntegrityError:
        if (known := find_upload(engine, kind, digest, name)) is None:
            raise
        return known
    return UploadOutcome(name, digest, False, ingested.rows, ingested.problems, stored, upload_id)


def history(engine: Engine) -> pd.DataFrame:
    """One row per distinct uploaded content, oldest first."""
    query = sa.select(uploads.c.kind, uploads.c.file_name, uploads.c.sha256, uploads.c.uploaded_at,
                      uploads.c.uploaded_by, uploads.c.rows, uploads.c.errors).order_by(uploads.c.id)
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


_READ_BATCH = 20_000  # rows fetched at a time: their Python objects are what a read adds beyond its columns


def _arrow_type(column: sa.ColumnElement) -> pa.DataType:
    if isinstance(column.type, sa.Date):
        return pa.date32()
    if isinstance(column.type, sa.Integer):
        return pa.int64()
    if isinstance(column.type, sa.Float):
        return pa.float64()
    if isinstance(column.type, sa.Boolean):
        return pa.bool_()
    return pa.string()


def _arrow(values: tuple, kind: pa.DataType) -> pa.Array:
    """One fetched column as an Arrow array (SQLite gives dates as ISO text, PostgreSQL as dates)."""
    if kind == pa.bool_():  # SQLite gives 0 and 1
        return pa.array(values, pa.int64()).cast(kind) if not any(isinstance(v, bool) for v in values[:1]) else \
            pa.array(values, kind)
    return pa.array(values).cast(kind) if kind == pa.date32() else pa.array(values, kind)


def _read_frame(conn: sa.Connection, query: sa.Select) -> pd.DataFrame:
    """A query's rows as a frame, fetched through the DB-API ``_READ_BATCH`` rows at a time into Arrow
    columns: text as ``str``, dates as ``datetime64[s]`` (as ``read_sql(parse_dates=…)``), numbers as numbers."""
    compiled = query.compile(dialect=conn.dialect)
    params = tuple(compiled.params[k] for k in compiled.positiontup) if compiled.positional else compiled.params
    names = [c.name for c in query.selected_columns]
    kinds = [_arrow_type(c) for c in query.selected_columns]
    parts: list[list[pa.Array]] = [[] for _ in names]
    sqlite = conn.dialect.name == "sqlite"
    dbapi = conn.connection.driver_connection
    # PostgreSQL: a server-side cursor, so that the rows come as fetched, not all at once into the client
    cursor = dbapi.cursor() if sqlite else dbapi.cursor(name="shebao_read")
    try:
        if sqlite:  # one pass over the tables: the writers' page cache would only grow
            cursor.execute(f"PRAGMA cache_size={_READ_CACHE}")
        else:  # plan for all the rows (a hash join), not for the first ones as for a cursor
            conn.exec_driver_sql("SET LOCAL cursor_tuple_fraction = 1")
        cursor.execute(str(compiled), params)
        while batch := cursor.fetchmany(_READ_BATCH):
            for part, values, kind in zip(parts, zip(*batch, strict=True), kinds, strict=True):
                part.append(_arrow(values, kind))
        del batch
    finally:
        if sqlite:
            cursor.execute(f"PRAGMA cache_size={_WRITE_CACHE}")
        cursor.close()
    frame = pd.DataFrame(index=pd.RangeIndex(sum(len(p) for p in parts[0])) if parts else None)
    for name, kind, i in zip(names, kinds, range(len(parts)), strict=True):
        column = pa.chunked_array(parts[i], kind)
        parts[i] = []  # one column at a time: its chunks go as its Series comes
        if kind == pa.date32():
            column = column.cast(pa.timestamp("s"))
        frame[name] = column.to_pandas()
    release_memory()
    return frame


PERSON_COLUMNS = ["birth_date", "sex", "region_code"]  # of ``people``, beside each stored employment
EMPLOYMENT_COLUMNS = [c.name for c in employments.columns] + PERSON_COLUMNS


def load_employments(engine: Engine, employer_id: str | None = None,
                     columns: list[str] | None = None) -> pd.DataFrame:
    """Stored roster rows, with the person's birth date, sex and region code (from ``people``).

    ``columns``: only these of ``EMPLOYMENT_COLUMNS`` (a cross-check needs neither the person's
    columns nor the join that brings them: half the columns, half the time).
    """
    names = columns or EMPLOYMENT_COLUMNS
    query = sa.select(*(people.c[n] if n in PERSON_COLUMNS else employments.c[n] for n in names))
    if any(n in PERSON_COLUMNS for n in names):
        query = query.select_from(employments.join(people, people.c.ssn == employments.c.ssn))
    if employer_id:
        query = query.where(employments.c.employer_id == employer_id)
    with engine.connect() as conn:
        return _read_frame(conn, query)


def load_registrations(engine: Engine, employer_id: str | None = None) -> pd.DataFrame:
    query = sa.select(registrations)
    if employer_id:
        query = query.where(registrations.c.employer_id == employer_id)
    with engine.connect() as conn:
        return _read_frame(conn, query)


def upload_names(engine: Engine) -> dict[int, str]:
    """Upload id → file name (evidence rows name the file)."""
    with engine.connect() as conn:
        return {r.id: r.file_name for r in conn.execute(sa.select(uploads.c.id, uploads.c.file_name))}


def employer_names(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return {r.employer_id: r.name for r in conn.execute(sa.select(employers))}


# --- cases -------------------------------------------------------------------------------------

def _typed_text(text: str) -> str:
    """A reason or note as typed, storable on every database: PostgreSQL text cannot hold a NUL."""
    return text.replace("\x00", "")


def open_case(engine: Engine, employer_id: str, reason: str, by: str | None = None) -> int:
    """Open a case for a flagged employer; an employer has at most one case that is not final (closed or
    withdrawn): that one's id is returned instead."""
    by, reason = by or os_user(), _typed_text(reason)
    with engine.begin() as conn:
        existing = conn.execute(sa.select(cases.c.id).where(cases.c.employer_id == employer_id,
                                                            cases.c.state.notin_(case_rules.FINAL))).scalar()
        if existing is not None:
            return int(existing)
        now = now_utc()
        case_id = int(conn.execute(cases.insert().values(employer_id=employer_id, state="open", opened_at=now,
                                                         updated_at=now, reason=reason)).inserted_primary_key[0])
        conn.execute(case_notes.insert().values(case_id=case_id, at=now, author=by, state="open", note=reason))
        audit(conn, by, "case_open", employer_id, f"case {case_id}: {reason}")
    return case_id


def move_case(engine: Engine, case_id: int, state: str, note: str = "", by: str | None = None,
              document: str | None = None, rectify_by: dt.date | None = None) -> None:
    """Move a case to one of the states its state allows (``compliance.cases.MOVES``, README 11.6), with a
    dated note; a move to ``notified`` records the document served and its rectify-by date. The day of the
    move is today in China; a refused move is a coded :class:`StoreError` and changes nothing."""
    by, note = by or os_user(), _typed_text(note)
    if state not in case_rules.CASE_STATES:
        raise StoreError.coded("unknown_case_state", state=state, states=", ".join(case_rules.CASE_STATES))
    with engine.begin() as conn:
        row = conn.execute(sa.select(cases).where(cases.c.id == case_id).with_for_update()).first()
        if row is None:
            raise StoreError.coded("no_case", case=case_id)
        now = now_utc()
        refused = case_rules.refusal(case_id, row.state, state, case_rules.china_date(now), note, document,
                                     rectify_by, row.rectify_by)
        if refused is not None:
            raise StoreError.coded(refused[0], **refused[1])
        notice = {"document": document, "rectify_by": rectify_by} if state == "notified" else {}
        conn.execute(cases.update().where(cases.c.id == case_id).values(state=state, updated_at=now, **notice))
        conn.execute(case_notes.insert().values(case_id=case_id, at=now, author=by, state=state, note=note,
                                                **notice))
        served = f" ({document}, rectify by {rectify_by.isoformat()})" if notice else ""
        audit(conn, by, f"case_{state}", row.employer_id, f"case {case_id}: {note}{served}")


def list_cases(engine: Engine) -> pd.DataFrame:
    """Every case in the order opened: its employer, state, times, reason and current notice."""
    query = (sa.select(cases.c.id, cases.c.employer_id, employers.c.name.label("employer_name"), cases.c.state,
                       cases.c.opened_at, cases.c.updated_at, cases.c.reason, cases.c.document, cases.c.rectify_by)
             .select_from(cases.outerjoin(employers, employers.c.employer_id == cases.c.employer_id))
             .order_by(cases.c.id))
    with engine.connect() as conn:
        return pd.read_sql(query, conn, parse_dates=["rectify_by"])


def case_history(engine: Engine, case_id: int) -> pd.DataFrame:
    """A case's notes in the order recorded: when, by whom, the state moved to, the note, the notice served."""
    query = sa.select(case_notes.c.at, case_notes.c.author, case_notes.c.state, case_notes.c.note,
                      case_notes.c.document, case_notes.c.rectify_by).where(
        case_notes.c.case_id == case_id).order_by(case_notes.c.id)
    with engine.connect() as conn:
        return pd.read_sql(query, conn, parse_dates=["rectify_by"])


def audit_entries(engine: Engine, employer_id: str | None = None) -> pd.DataFrame:
    query = sa.select(audit_log).order_by(audit_log.c.id)
    if employer_id:
        query = query.where(audit_log.c.employer_id == employer_id)
    with engine.connect() as conn:
        return pd.read_sql(query, conn)
