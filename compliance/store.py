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

import datetime as dt
import functools
import getpass
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from compliance.registration import TEXT_LIMITS, normalise, normalise_registry, too_long
from compliance.rosters import RosterError, display_name, read_roster_bytes

DEFAULT_DB_PATH = Path(os.environ.get("SHEBAO_DATA_DIR", Path(__file__).resolve().parent.parent / "data"))
DEFAULT_DB_FILE = DEFAULT_DB_PATH / "shebao.sqlite"
CASE_STATES = ["open", "notified", "rectified", "closed"]
_BATCH = 50_000

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
    sa.Column("source_row", sa.Integer, nullable=False),
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
)
case_notes = sa.Table(
    "case_notes", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("author", sa.String(128), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("note", sa.Text),
)


class StoreError(Exception):
    """The store cannot do what was asked (bad URL, unknown case, illegal transition)."""


def database_url(url: str | None = None) -> str:
    """``--db`` URL, else ``SHEBAO_DB``, else the default SQLite file (its folder is created)."""
    url = url or os.environ.get("SHEBAO_DB")
    if url:
        return url
    DEFAULT_DB_FILE.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_DB_FILE}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below drive transactions
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a killed process never loses a commit
    cursor.execute("PRAGMA cache_size=-262144")  # 256 MB of pages: bulk index inserts stay in memory
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=60000")
    cursor.close()


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")  # writers queue up instead of failing to upgrade a lock


@functools.cache
def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        # a connection per checkout: SQLite connections are cheap, and a fixed pool would make
        # many simultaneous dashboard sessions wait for a free connection and time out
        engine = sa.create_engine(url, connect_args={"timeout": 60}, poolclass=sa.pool.NullPool)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
    else:
        engine = sa.create_engine(url, pool_pre_ping=True)
    return engine


def connect(url: str | None = None, upgrade: bool = True) -> Engine:
    """An engine for the store, migrated to the newest schema."""
    url = database_url(url)
    try:
        engine = _engine(url)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise StoreError(f"cannot use database URL {url!r}: {exc}") from exc
    if upgrade:
        migrate(engine)
    return engine


def migrate(engine: Engine, revision: str = "head") -> None:
    """Run the Alembic migrations up to ``revision`` (idempotent)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def os_user() -> str:
    """The operating-system user running a command-line import (the dashboard passes its signed-in user)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def audit(conn: sa.Connection, actor: str, action: str, employer_id: str | None = None,
          detail: str | None = None) -> None:
    """Append one entry to the audit log (never updated or deleted). No ID numbers in ``detail``."""
    conn.execute(audit_log.insert().values(at=_now(), actor=actor, action=action, employer_id=employer_id,
                                           detail=detail))


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


def _upsert(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame, keys: list[str]) -> None:
    """Insert rows; where the key exists already, the new values replace the old ones."""
    if frame.empty:
        return
    rows = _records(frame.sort_values(keys))  # in key order, index pages fill one after another
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    for start in range(0, len(rows), _BATCH):
        stmt = insert(table)
        update = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in keys and not c.primary_key}
        stmt = stmt.on_conflict_do_update(index_elements=keys, set_=update) if update else \
            stmt.on_conflict_do_nothing(index_elements=keys)
        conn.execute(stmt, rows[start:start + _BATCH])


def _records(frame: pd.DataFrame) -> list[dict]:
    """DataFrame rows as dicts with Python values (dates as date, NA as None)."""
    out = frame.copy()
    for name in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[name]):
            out[name] = out[name].dt.date
    return out.astype(object).where(out.notna(), None).to_dict("records")


def fields_too_long(frame: pd.DataFrame) -> pd.Series:
    """Rows with a text longer than its store column (registration.TEXT_LIMITS): never sent to the
    database, where PostgreSQL would refuse the whole file and quote the batch's ID numbers."""
    mask = pd.Series(False, index=frame.index)
    for name, limit in TEXT_LIMITS.items():
        if name in frame:
            mask |= too_long(frame[name], limit)
    return mask


def _begin_upload(conn: sa.Connection, kind: str, file_name: str, digest: str, by: str, rows: int,
                  errors: int) -> int:
    result = conn.execute(uploads.insert().values(kind=kind, file_name=file_name, sha256=digest, uploaded_at=_now(),
                                                  uploaded_by=by, rows=rows, errors=errors))
    return int(result.inserted_primary_key[0])


Source = str | Path | bytes  # a file on disk, or its bytes (then name it with ``file_name``)


def _read_source(source: Source, file_name: str | None) -> tuple[bytes, str]:
    """The bytes and the shown name of a roster or registry source (never written anywhere)."""
    if isinstance(source, bytes):
        return source, display_name(file_name or "upload")
    path = Path(source)
    if not path.is_file():
        raise RosterError(f"{path}: file not found")
    return path.read_bytes(), file_name or path.name


def _store_once(engine: Engine, kind: str, raw: bytes, name: str, by: str,
                prepare: Callable[[], tuple[int, int, pd.DataFrame]],
                write: Callable[[sa.Connection, int, pd.DataFrame], str]) -> UploadOutcome:
    """Store one file at most once (by SHA-256), in one transaction; shared by rosters and registries.

    ``prepare`` reads and normalises the file outside the transaction: (rows read, rows with a
    problem, rows to store). ``write`` stores those rows under the new upload's id and returns the
    audit detail. The same content from another process at the same moment ends as a duplicate.
    """
    digest = sha256_of(raw)

    def duplicate() -> UploadOutcome | None:
        with engine.connect() as conn:
            found = _existing(conn, kind, digest)
        return None if found is None else UploadOutcome(name, digest, True, found.rows, found.errors, 0, found.id)

    if (known := duplicate()) is not None:
        return known
    rows, errors, good = prepare()
    try:
        with engine.begin() as conn:
            upload_id = _begin_upload(conn, kind, name, digest, by, rows, errors)
            audit(conn, by, f"upload_{kind}", None, f"{name}: {write(conn, upload_id, good)}")
    except sa.exc.IntegrityError:
        if (known := duplicate()) is None:
            raise
        return known
    return UploadOutcome(name, digest, False, rows, errors, len(good), upload_id)


def store_roster(engine: Engine, source: Source, uploaded_by: str | None = None,
                 employer_id: str | None = None, employer_name: str | None = None,
                 file_name: str | None = None) -> UploadOutcome:
    """Store one roster in one transaction (nothing on failure, nothing twice).

    The store keeps normalised rows (``registration.normalise``): typed values, judged later as
    of any date. Rows with a valid ID number (= social security number, Art. 58), an employer,
    and no text longer than its column are stored; the others count as rows with a problem.
    """
    raw, name = _read_source(source, file_name)

    def prepare() -> tuple[int, int, pd.DataFrame]:
        parts = [normalise(r) for r in read_roster_bytes(raw, name, employer_id, employer_name)]
        rows = pd.concat([p.rows for p in parts], ignore_index=True)
        valid = rows["ssn"].notna() & rows["employer_id"].notna() & ~fields_too_long(rows)
        problem = rows["id_problem"].notna() | rows["problem"].notna() | rows["hire_date"].isna() | \
            rows["registration_unreadable"]
        return len(rows), int(problem.sum()), rows[valid]

    def write(conn: sa.Connection, upload_id: int, good: pd.DataFrame) -> str:
        _upsert(conn, employers, good.groupby("employer_id", as_index=False)["employer_name"].last()
                .rename(columns={"employer_name": "name"}), ["employer_id"])
        _upsert(conn, people, good.drop_duplicates("ssn", keep="last")[["ssn", "name", "birth_date", "sex",
                                                                          "region_code"]], ["ssn"])
        rows = good[["employer_id", "ssn", "name", "hire_date", "registration_date", "wage", "card_status",
                     "source_file", "source_row"]].assign(upload_id=upload_id)
        for start in range(0, len(rows), _BATCH):
            conn.execute(employments.insert(), _records(rows.iloc[start:start + _BATCH]))
        return f"{len(good)} rows stored"

    return _store_once(engine, "roster", raw, name, uploaded_by or os_user(), prepare, write)


def import_registry(engine: Engine, source: Source, uploaded_by: str | None = None,
                    file_name: str | None = None) -> UploadOutcome:
    """Store one agency registration extract in one transaction (``registration.normalise_registry``).

    The record for the same (employer, person) in a later extract replaces the earlier one.
    """
    raw, name = _read_source(source, file_name)

    def prepare() -> tuple[int, int, pd.DataFrame]:
        good, bad = normalise_registry(read_roster_bytes(raw, name))
        return len(good) + bad, bad, good.drop_duplicates(["employer_id", "ssn"], keep="last")

    def write(conn: sa.Connection, upload_id: int, good: pd.DataFrame) -> str:
        _upsert(conn, registrations,
                good[["employer_id", "ssn", "registration_date", "source_row"]].assign(upload_id=upload_id),
                ["employer_id", "ssn"])
        cards = good[good["card_status"].notna() | good["activation_date"].notna()]
        _upsert(conn, card_records,
                cards.drop_duplicates("ssn", keep="last")[["ssn", "card_status", "card_bank", "activation_date"]]
                .assign(upload_id=upload_id), ["ssn"])
        return f"{len(good)} records stored"

    return _store_once(engine, "registry", raw, name, uploaded_by or os_user(), prepare, write)


def store_upload(engine: Engine, kind: str, name: str, data: bytes, uploaded_by: str | None = None,
                 **options: object) -> UploadOutcome:
    """Store uploaded bytes (dashboard) as a roster or a registry extract, under the uploaded name."""
    if kind == "registry":
        return import_registry(engine, data, uploaded_by, file_name=name)
    return store_roster(engine, data, uploaded_by, file_name=name, **options)  # type: ignore[arg-type]


def history(engine: Engine) -> pd.DataFrame:
    """One row per distinct uploaded content, oldest first."""
    query = sa.select(uploads.c.kind, uploads.c.file_name, uploads.c.sha256, uploads.c.uploaded_at,
                      uploads.c.uploaded_by, uploads.c.rows, uploads.c.errors).order_by(uploads.c.id)
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


def load_employments(engine: Engine, employer_id: str | None = None) -> pd.DataFrame:
    """Stored roster rows, with the person's birth date, sex and region code (from ``people``)."""
    query = sa.select(employments, people.c.birth_date, people.c.sex, people.c.region_code).select_from(
        employments.join(people, people.c.ssn == employments.c.ssn))
    if employer_id:
        query = query.where(employments.c.employer_id == employer_id)
    with engine.connect() as conn:
        frame = pd.read_sql(query, conn, parse_dates=["hire_date", "registration_date", "birth_date"])
    return frame


def load_registrations(engine: Engine, employer_id: str | None = None) -> pd.DataFrame:
    query = sa.select(registrations)
    if employer_id:
        query = query.where(registrations.c.employer_id == employer_id)
    with engine.connect() as conn:
        return pd.read_sql(query, conn, parse_dates=["registration_date"])


def upload_names(engine: Engine) -> dict[int, str]:
    """Upload id → file name (evidence rows name the file)."""
    with engine.connect() as conn:
        return {r.id: r.file_name for r in conn.execute(sa.select(uploads.c.id, uploads.c.file_name))}


def employer_names(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        return {r.employer_id: r.name for r in conn.execute(sa.select(employers))}


# --- cases -------------------------------------------------------------------------------------

def open_case(engine: Engine, employer_id: str, reason: str, by: str | None = None) -> int:
    """Open a case for a flagged employer; an employer has at most one case that is not closed."""
    by = by or os_user()
    with engine.begin() as conn:
        existing = conn.execute(sa.select(cases.c.id).where(cases.c.employer_id == employer_id,
                                                            cases.c.state != "closed")).scalar()
        if existing is not None:
            return int(existing)
        now = _now()
        case_id = int(conn.execute(cases.insert().values(employer_id=employer_id, state="open", opened_at=now,
                                                         updated_at=now, reason=reason)).inserted_primary_key[0])
        conn.execute(case_notes.insert().values(case_id=case_id, at=now, author=by, state="open", note=reason))
        audit(conn, by, "case_open", employer_id, f"case {case_id}: {reason}")
    return case_id


def move_case(engine: Engine, case_id: int, state: str, note: str = "", by: str | None = None) -> None:
    """Move a case one step along open → notified → rectified → closed, with a dated note."""
    by = by or os_user()
    if state not in CASE_STATES:
        raise StoreError(f"unknown case state {state!r}; expected one of {CASE_STATES}")
    with engine.begin() as conn:
        row = conn.execute(sa.select(cases).where(cases.c.id == case_id)).first()
        if row is None:
            raise StoreError(f"no case {case_id}")
        if CASE_STATES.index(state) != CASE_STATES.index(row.state) + 1:
            raise StoreError(f"case {case_id} is {row.state}; it can move only to the next state, not {state}")
        now = _now()
        conn.execute(cases.update().where(cases.c.id == case_id).values(state=state, updated_at=now))
        conn.execute(case_notes.insert().values(case_id=case_id, at=now, author=by, state=state, note=note))
        audit(conn, by, f"case_{state}", row.employer_id, f"case {case_id}: {note}")


def list_cases(engine: Engine) -> pd.DataFrame:
    query = (sa.select(cases.c.id, cases.c.employer_id, employers.c.name.label("employer_name"), cases.c.state,
                       cases.c.opened_at, cases.c.updated_at, cases.c.reason)
             .select_from(cases.outerjoin(employers, employers.c.employer_id == cases.c.employer_id))
             .order_by(cases.c.id))
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


def case_history(engine: Engine, case_id: int) -> pd.DataFrame:
    query = sa.select(case_notes.c.at, case_notes.c.author, case_notes.c.state, case_notes.c.note).where(
        case_notes.c.case_id == case_id).order_by(case_notes.c.id)
    with engine.connect() as conn:
        return pd.read_sql(query, conn)


def audit_entries(engine: Engine, employer_id: str | None = None) -> pd.DataFrame:
    query = sa.select(audit_log).order_by(audit_log.c.id)
    if employer_id:
        query = query.where(audit_log.c.employer_id == employer_id)
    with engine.connect() as conn:
        return pd.read_sql(query, conn)
