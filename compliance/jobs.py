"""The use cases, one function each: what the command line, every dashboard page and the batch path call.

A front end parses its input, makes one call here and renders what comes back; none of them runs the
read → normalise → judge (→ store) pipeline itself (``../shared/EXAMPLES.md``, "One use-case layer").
The rules stay in their modules (pure functions over DataFrames); the store keeps tables and saves and
loads them; this module puts the two together:

- checks: :func:`check_uploads` (bytes, as the dashboard has them; picklable, for the worker pool),
  :func:`check_paths` (files on disk, slice by slice: the caller decides where each slice goes);
- the store: :func:`ingest_roster` and :func:`ingest_registry` (pure: read + normalise + what is
  storable; they run in the dashboard's worker pool, never in its threaded server), :func:`store_file`;
- the agency's questions: :func:`findings`, :func:`stored_status`, :func:`worksheet`, the cases;
- who sees what: :func:`scope`.

Each rule of shared README section 8 that decides *who* a job covers lives here once: which date is
true (``crosscheck.stored_rows``), who goes into a premium worksheet (the employer's employees with a
valid ID number whose status as of the date is ``overdue``: Social Insurance Law Art. 58, verification
of the premiums of unregistered employees; Art. 86, late fees), one open case per employer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from compliance import batch, employers, premiums, store
from compliance.batch.plan import BLOCKSIZE, PARTITION_ROWS
from compliance.cases import CASE_STATES
from compliance.crosscheck import crosscheck, stored_check
from compliance.registration import (
    CheckResult,
    check,
    check_slices,
    employer_problem,
    normalise,
    normalise_registry,
    roster_slices,
    storable,
)
from compliance.rosters import (
    Roster,
    RosterError,
    display_name,
    read_roster_bytes,
    read_rosters,
    read_uploads,
    roster_paths,
)

if TYPE_CHECKING:  # the worker processes that run ingests and checks need no accounts (nor Dask)
    from compliance.accounts import User
    from compliance.batch.driver import BatchSummary, CrossSummary

log = logging.getLogger(__name__)

Files = Sequence[tuple[str, bytes]]  # uploads as (file name, content)
Runner = Callable[..., object]  # ``run(fn, *args)``: where an ingest runs (the worker pool), else in-process


# --- checks -----------------------------------------------------------------------------------

def check_uploads(files: Files, as_of: dt.date, calendar_days: bool = False, employer_id: str | None = None,
                  employer_name: str | None = None) -> tuple[CheckResult, list[str]]:
    """Read uploaded files (name, content) and check them; unusable files give error lines.

    One call from bytes to results, with picklable arguments and result, so that the dashboard runs it
    in a worker process (``compliance.workers``). An employer the page gives that the store could not
    keep (``registration.employer_problem``) is the one error line, before any file is read. Error lines
    quote file names: ID-shaped runs in them are masked. Messages keep their structure (``_coded`` columns,
    ``catalogue.Text`` lines), so a page renders them in the user's language.
    """
    if (refused := employer_problem(employer_id, employer_name)) is not None:
        return check([], as_of, calendar_days=calendar_days), [refused]
    rosters, errors = read_uploads(list(files), employer_id, employer_name)  # its lines are masked already
    return check(rosters, as_of, calendar_days=calendar_days, coded=True), errors


def warm_up() -> None:
    """Load what the first check would otherwise load while a user waits: the region table, the holiday
    calendar, lazily imported modules (a one-row check of a made-up roster). A worker's initializer."""
    roster = b"name,id_number,hire_date,registration_date\nwarm-up,11010519491231002X,2025-03-05,\n"
    try:
        check_uploads([("warm_up.csv", roster)], dt.date.today())
    except Exception:  # a failed warm-up only costs the first user time; the real check will report
        log.warning("warm-up check failed", exc_info=True)


@dataclass
class PathCheck:
    """A check of files on disk: the inputs set aside (folders' other files), and the judged slices of
    ``registration.CHUNK_ROWS`` rows, in file and row order, made as they are consumed."""

    skipped: list[str]
    slices: Iterator[CheckResult]


def read_paths(inputs: Sequence[str], employer_id: str | None = None,
               employer_name: str | None = None) -> tuple[list[Roster], list[str]]:
    """The rosters that files and folders name, and the inputs set aside; an employer given for rosters
    without employer columns that the store could not keep is refused first (it fills every row)."""
    if (refused := employer_problem(employer_id, employer_name)) is not None:
        raise RosterError(refused)
    paths, skipped = roster_paths(list(inputs))
    return read_rosters(paths, employer_id, employer_name), skipped


def check_paths(inputs: Sequence[str], as_of: dt.date, calendar_days: bool = False,
                employer_id: str | None = None, employer_name: str | None = None) -> PathCheck:
    """Check roster files (``python -m compliance check``): the caller writes each slice as it comes, so a
    big roster's results are never all in memory. Unusable input raises ``RosterError`` (exit 2)."""
    rosters, skipped = read_paths(inputs, employer_id, employer_name)
    return PathCheck(skipped, check_slices(rosters, as_of, calendar_days))


def check_paths_whole(inputs: Sequence[str], as_of: dt.date, calendar_days: bool = False,
                      employer_id: str | None = None, employer_name: str | None = None) -> tuple[CheckResult,
                                                                                                 list[str]]:
    """:func:`check_paths` with every slice in one result (an ``.xlsx``/``.json`` output, ``employers``)."""
    rosters, skipped = read_paths(inputs, employer_id, employer_name)
    return check(rosters, as_of, calendar_days=calendar_days), skipped


def employer_summary(results: pd.DataFrame) -> pd.DataFrame:
    """One row per employer, flagged for premium verification where anyone is overdue (Art. 58)."""
    return employers.summarise(results)


def scope(result: CheckResult, user: User) -> tuple[CheckResult, int]:
    """Only the rows ``user`` may see (HR: its employers; an inspector: all), and how many were set aside.
    A problem of a row is seen with its row; a file-level note by all."""
    if user.role == "inspector":
        return result, 0
    mine = result.results["employer_id"].isin(sorted(user.employers)) if user.role == "hr" else \
        pd.Series(False, index=result.results.index)
    problems = result.problems
    keep = np.zeros(0, dtype=bool)
    if len(problems):
        rows = problems[["source_file", "source_row"]].astype({"source_row": "Int64"})
        allowed = result.results.loc[mine, ["source_file", "source_row"]].astype({"source_row": "Int64"})
        keep = problems["source_row"].isna().to_numpy() | pd.MultiIndex.from_frame(rows).isin(
            pd.MultiIndex.from_frame(allowed))
    set_aside = int((~mine).sum())
    results = result.results if not set_aside else result.results[mine].reset_index(drop=True)  # no copy if all
    return CheckResult(results, problems[keep].reset_index(drop=True)), set_aside


def empty_result() -> CheckResult:
    """A check of nothing: every contract column, no row."""
    return check([], dt.date.today())


# --- the store: ingest (pure) and save ----------------------------------------------------------

@dataclass
class Ingested:
    """A file read and normalised, ready to save (``store.save``): what is kept of its storable rows, in
    file order and in slices (no copy of them all at the peak), and the counts the user is told."""

    kind: str  # "roster" or "registry"
    file_name: str
    sha256: str
    rows: int  # rows read
    problems: int  # rows with a problem (a roster), rows rejected (an extract)
    parts: list[pd.DataFrame] = field(default_factory=list)


def _content(data: bytes | Path) -> bytes:
    """A file's bytes: given, or read from its path here (so that nothing else holds them)."""
    return data if isinstance(data, bytes) else Path(data).read_bytes()


def ingest_roster(name: str, data: bytes | Path, employer_id: str | None = None,
                  employer_name: str | None = None) -> Ingested:
    """Read and normalise a roster for the store (``registration.normalise``: typed values, judged later as
    of any date). Rows with a valid ID number (= social security number, Art. 58), an employer, and no
    text longer than its column (or holding a NUL) are kept; every row not kept is a row with a problem,
    whatever the reason. Pure (no database): it runs in a worker process. ``data``: the bytes, or the path
    of the file (then read here, and let go once parsed)."""
    if (refused := employer_problem(employer_id, employer_name)) is not None:
        raise RosterError(refused)
    data = _content(data)
    digest = store.sha256_of(data)
    rosters = read_roster_bytes(data, name, employer_id, employer_name)
    del data  # read from a path, the bytes go once parsed: a 1M-row file is 120 MB
    count, problems, kept = 0, 0, []
    for part in roster_slices(rosters):
        rows = normalise(part).rows
        valid = storable(rows)
        problem = rows["id_problem"].notna() | rows["problem"].notna() | rows["hire_date"].isna() | \
            rows["registration_unreadable"] | ~valid
        count, problems = count + len(rows), problems + int(problem.sum())
        kept.append(rows.loc[valid, store.STORED_ROSTER_COLUMNS])
    store.release_memory()
    return Ingested("roster", name, digest, count, problems, kept)


def ingest_registry(name: str, data: bytes | Path) -> Ingested:
    """Read and normalise an agency registration extract (``registration.normalise_registry``); the record
    for the same (employer, person) later in the file replaces the earlier one. Pure, like
    :func:`ingest_roster`."""
    data = _content(data)
    digest = store.sha256_of(data)
    rosters = read_roster_bytes(data, name)
    del data
    goods, bad = [], 0
    for part in roster_slices(rosters):
        good, unusable = normalise_registry([part])
        goods.append(good)
        bad += unusable
    good = pd.concat(goods, ignore_index=True)
    return Ingested("registry", name, digest, len(good) + bad, bad,
                    [good.drop_duplicates(["employer_id", "ssn"], keep="last")])


def _in_process(fn: Callable[..., Ingested], *args: object) -> Ingested:
    return fn(*args)


def store_file(engine: Engine, kind: str, name: str, data: bytes | Path, uploaded_by: str | None = None,
               employer_id: str | None = None, employer_name: str | None = None,
               run: Runner | None = None) -> store.UploadOutcome:
    """Store one roster or registry extract at most once (by SHA-256), in one transaction: a duplicate is
    found before anything is read; the ingest runs where ``run`` puts it (the dashboard's worker pool). The
    file is named as it may be shown (``rosters.display_name``: no folders, no control characters)."""
    if kind == "roster" and (refused := employer_problem(employer_id, employer_name)) is not None:
        raise RosterError(refused)  # before anything is read or hashed
    name = display_name(name)
    digest = store.sha256_of(data) if isinstance(data, bytes) else _file_digest(Path(data))
    known = store.find_upload(engine, kind, digest, name)
    if known is not None:
        return known
    run = run or _in_process
    ingested = run(ingest_registry, name, data) if kind == "registry" else \
        run(ingest_roster, name, data, employer_id, employer_name)
    return store.save(engine, ingested, uploaded_by or store.os_user())  # type: ignore[arg-type]


def _file_digest(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


Source = str | Path | bytes  # a file on disk, or its bytes (then name it with ``file_name``)


def _read_source(source: Source, file_name: str | None) -> tuple[str, bytes | Path]:
    """The shown name and the content (bytes, or the path of a file, read when it is ingested)."""
    if isinstance(source, bytes):
        return file_name or "upload", source
    path = Path(source)
    if not path.is_file():
        raise RosterError(f"{path}: file not found")
    return file_name or path.name, path


def store_roster(engine: Engine, source: Source, uploaded_by: str | None = None, employer_id: str | None = None,
                 employer_name: str | None = None, file_name: str | None = None) -> store.UploadOutcome:
    """Store a roster (``python -m compliance upload``)."""
    return store_file(engine, "roster", *_read_source(source, file_name), uploaded_by, employer_id, employer_name)


def import_registry(engine: Engine, source: Source, uploaded_by: str | None = None,
                    file_name: str | None = None) -> store.UploadOutcome:
    """Store an agency registration extract (``python -m compliance import-registry``)."""
    return store_file(engine, "registry", *_read_source(source, file_name), uploaded_by)


# --- the agency's questions -----------------------------------------------------------------------

def store_state(engine: Engine) -> tuple[int, int]:
    """What the stored data depend on: (uploads stored, newest upload id). A cache keyed by it is stale
    exactly when a roster or registry extract was stored since."""
    with engine.connect() as conn:
        count, newest = conn.execute(sa.select(sa.func.count(), sa.func.max(store.uploads.c.id))).one()
    return int(count), int(newest or 0)


# only the columns the cross-check reads: no join with people (a third of the memory at 1M rows)
_CROSSCHECK_READS = ["id", "employer_id", "ssn", "name", "registration_date", "source_file", "source_row",
                     "employment_type"]


def findings(engine: Engine, employer_id: str | None = None, coded: bool = False) -> pd.DataFrame:
    """The cross-check of stored rosters against the registry (``crosscheck.CROSSCHECK_COLUMNS``; with
    ``coded``, the structure of each detail too, for a page to render it in the user's language)."""
    return crosscheck(store.load_employments(engine, employer_id, columns=_CROSSCHECK_READS),
                      store.load_registrations(engine, employer_id), store.upload_names(engine), coded=coded)


def in_registry(engine: Engine, employer_id: str) -> bool:
    """Whether any imported registry extract names the employer: then the registry decides whether and
    when its employees were registered (section 8), not the employer's roster."""
    with engine.connect() as conn:
        return conn.execute(sa.select(store.registrations.c.id).where(
            store.registrations.c.employer_id == employer_id).limit(1)).first() is not None


def stored_status(engine: Engine, as_of: dt.date, employer_id: str | None = None,
                  calendar_days: bool = False) -> pd.DataFrame:
    """Every stored employment judged as of a date, registration dates as the registry decides."""
    return stored_check(store.load_employments(engine, employer_id), store.load_registrations(engine, employer_id),
                        store.employer_names(engine), as_of, calendar_days)


def overdue_of(results: pd.DataFrame, employer_id: str) -> pd.DataFrame:
    """Who a worksheet covers: ``employer_id``'s employees with a valid ID number who are overdue."""
    return results[(results["status"] == "overdue") & (results["employer_id"] == employer_id)
                   & results["ssn"].notna()]


def flagged_employers(results: pd.DataFrame) -> list[str]:
    """Employers flagged for premium verification: at least one employee overdue (Art. 58)."""
    return sorted(results.loc[results["status"] == "overdue", "employer_id"].dropna().unique())


@dataclass
class Worksheet:
    """A premium verification worksheet: the employees it covers, month rows, totals, and its notes as
    codes with parameters (``premiums.worksheet_notes``), rendered where they are shown."""

    employer_id: str
    overdue: pd.DataFrame  # the employees covered (judged stored rows)
    sheet: pd.DataFrame  # one row per employee and contribution month (premiums.WORKSHEET_COLUMNS…)
    totals: pd.DataFrame  # per employer (premiums.totals)
    params: premiums.Params
    notes: list[str] = field(default_factory=list)


def worksheet_of(results: pd.DataFrame, employer_id: str, as_of: dt.date, params: premiums.Params) -> Worksheet:
    """The worksheet of one employer from judged stored rows (:func:`stored_status`)."""
    overdue = overdue_of(results, employer_id)
    sheet = premiums.worksheet(overdue, as_of, params)
    return Worksheet(employer_id, overdue, sheet, premiums.totals(sheet), params,
                     premiums.worksheet_notes(sheet, params))


def worksheet(engine: Engine, employer_id: str, as_of: dt.date, params: premiums.Params) -> Worksheet:
    """The Art. 58 premium verification worksheet of one stored employer as of a date."""
    return worksheet_of(stored_status(engine, as_of, employer_id), employer_id, as_of, params)


# --- cases -----------------------------------------------------------------------------------------

def next_state(state: str) -> str | None:
    """The one state a case may move to (open → notified → rectified → closed), None once closed."""
    step = CASE_STATES.index(state) + 1
    return CASE_STATES[step] if step < len(CASE_STATES) else None


def case_of(engine: Engine, employer_id: str) -> tuple[int, str] | None:
    """The employer's case that is not closed (an employer has at most one), as (id, state)."""
    cases = store.list_cases(engine)
    mine = cases[(cases["employer_id"] == employer_id) & (cases["state"] != "closed")]
    return None if mine.empty else (int(mine["id"].iloc[0]), str(mine["state"].iloc[0]))


def open_case(engine: Engine, employer_id: str, reason: str, by: str | None = None) -> int:
    """Open a case for a flagged employer, or return the one that is not closed yet."""
    return store.open_case(engine, employer_id, reason, by)


def move_case(engine: Engine, case_id: int, state: str, note: str = "", by: str | None = None) -> None:
    """Move a case one step along its states, with a dated note (the store refuses any other step)."""
    store.move_case(engine, case_id, state, note, by)



# --- the batch path (Dask; compliance.batch) -------------------------------------------------------
# ``compliance.batch`` loads its Dask driver on first use of a driver name: the dashboard's checking
# processes import this module and never pay for Dask.

@dataclass
class Cluster:
    """Where a batch runs and how its inputs are cut (``python -m compliance batch``'s options)."""

    scheduler: str | None = None  # a running cluster's address; None: a local one of ``workers`` processes
    workers: int | None = None
    blocksize: int = BLOCKSIZE
    partition_rows: int = PARTITION_ROWS
    progress: bool = False


def batch_check(inputs: Sequence[str], out: str, as_of: dt.date, calendar_days: bool = False,
                cluster: Cluster | None = None) -> BatchSummary:
    """Check city-scale rosters partition by partition (the same rules as :func:`check_paths`); the
    results and problems go to Parquet datasets under ``out``. Inputs are planned before any cluster
    starts, so a missing or unusable input is reported first."""
    cluster = cluster or Cluster()
    planned = batch.plan(inputs, cluster.blocksize, cluster.partition_rows)
    with batch.connect(cluster.scheduler, cluster.workers) as client:
        return batch.run_check(client, planned, out, as_of, calendar_days, cluster.progress)


def batch_employers(inputs: Sequence[str], as_of: dt.date, calendar_days: bool = False,
                    cluster: Cluster | None = None) -> tuple[pd.DataFrame, BatchSummary]:
    """:func:`employer_summary` of city-scale rosters, reduced per partition on the cluster."""
    cluster = cluster or Cluster()
    planned = batch.plan(inputs, cluster.blocksize, cluster.partition_rows)
    with batch.connect(cluster.scheduler, cluster.workers) as client:
        return batch.run_employers(client, planned, as_of, calendar_days, cluster.progress)


def batch_crosscheck(rosters: Sequence[str], registry: Sequence[str], out: str,
                     cluster: Cluster | None = None) -> CrossSummary:
    """The cross-check of section 8 (:func:`findings`) over roster files and registry extracts on the
    cluster, as if each had been stored in command-line order; the findings go to ``out``."""
    cluster = cluster or Cluster()
    planned_rosters = batch.plan(rosters, cluster.blocksize, cluster.partition_rows)
    planned_registry = batch.plan(registry, cluster.blocksize, cluster.partition_rows)
    with batch.connect(cluster.scheduler, cluster.workers) as client:
        return batch.run_crosscheck(client, planned_rosters, planned_registry, out, cluster.progress)
