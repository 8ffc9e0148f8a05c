"""The use cases of the store (the agency's system of record): ingest and save files, the agency's
questions over what is stored, the cases. Needs the ``app`` extra (SQLAlchemy).

The ingests are pure (read + normalise + what is storable) and run in the dashboard's worker pool, never
in its threaded server; the store module only saves and loads tables.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from compliance import cases as case_rules
from compliance import notices, premiums, store
from compliance.calendar import Deadline
from compliance.crosscheck import crosscheck, stored_check
from compliance.jobs.checks import Worksheet, fine_range, worksheet_of
from compliance.registration import employer_problem, normalise, normalise_registry, roster_slices, storable
from compliance.rosters import RosterError, display_name, read_roster_bytes
from compliance.schema import STATUSES

Runner = Callable[..., object]  # ``run(fn, *args)``: where an ingest runs (the worker pool), else in-process

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

def history(engine: Engine) -> pd.DataFrame:
    """Every stored upload, oldest first: kind, file, who, when, rows read, stored and with a problem."""
    return store.history(engine)


def employer_names(engine: Engine) -> dict[str, str]:
    """The stored employers' codes and names (the employer pickers of the worksheet and cases pages)."""
    return store.employer_names(engine)


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



def worksheet(engine: Engine, employer_id: str, as_of: dt.date, params: premiums.Params) -> Worksheet:
    """The Art. 58 premium verification worksheet of one stored employer as of a date."""
    return worksheet_of(stored_status(engine, as_of, employer_id), employer_id, as_of, params)



def list_cases(engine: Engine) -> pd.DataFrame:
    """Every case in the order opened, with its state, its current notice (document, rectify-by date) and
    ``investigate_by`` (劳动保障监察条例 Art. 17: 60 working days from the opening day in China)."""
    listed = store.list_cases(engine)
    listed["investigate_by"] = pd.to_datetime(pd.Series(
        [case_rules.investigate_by(case_rules.china_date(at)).date for at in listed["opened_at"]],
        index=listed.index, dtype="object"))
    return listed


def case_history(engine: Engine, case_id: int) -> pd.DataFrame:
    """A case's states and notes, in the order they were recorded, with the notice a move to notified served."""
    return store.case_history(engine, case_id)


def case_of(engine: Engine, employer_id: str) -> tuple[int, str] | None:
    """The employer's case that is not final (closed or withdrawn; an employer has at most one), as (id, state)."""
    cases = store.list_cases(engine)
    mine = cases[(cases["employer_id"] == employer_id) & ~cases["state"].isin(case_rules.FINAL)]
    return None if mine.empty else (int(mine["id"].iloc[0]), str(mine["state"].iloc[0]))


def open_case(engine: Engine, employer_id: str, reason: str, by: str | None = None) -> int:
    """Open a case for a flagged employer, or return the one that is not final yet."""
    return store.open_case(engine, employer_id, reason, by)


def move_case(engine: Engine, case_id: int, state: str, note: str = "", by: str | None = None,
              document: str | None = None, rectify_by: dt.date | None = None) -> None:
    """Move a case to a state its state allows (README 11.6, ``compliance.cases``), with a note; a move to
    ``notified`` names the document served and its rectify-by date. The store refuses any other move."""
    store.move_case(engine, case_id, state, note, by, document=document, rectify_by=rectify_by)


@dataclass(frozen=True)
class CaseView:
    """One case as the cases page and ``case show`` present it."""

    id: int
    employer_id: str
    employer_name: str | None
    state: str
    opened_on: dt.date  # the opening day in China
    investigate_by: Deadline  # 劳动保障监察条例 Art. 17
    document: str | None  # the notice served (compliance.cases.DOCUMENTS), None before one
    rectify_by: dt.date | None
    next_states: tuple[str, ...]
    shows_fine: bool  # not_rectified or later: the Art. 84 range is shown (README 11.6)
    history: pd.DataFrame


def case_view(engine: Engine, case_id: int) -> CaseView:
    """A case's state, deadlines, notice, allowed moves and history (a coded ``no_case`` when there is none)."""
    listed = store.list_cases(engine)
    found = listed[listed["id"] == case_id]
    if found.empty:
        raise store.StoreError.coded("no_case", case=case_id)
    row = found.iloc[0]
    history = store.case_history(engine, case_id)
    opened_on = case_rules.china_date(row["opened_at"])
    rectify_by = None if pd.isna(row["rectify_by"]) else row["rectify_by"].date()
    return CaseView(case_id, str(row["employer_id"]), None if pd.isna(row["employer_name"]) else row["employer_name"],
                    str(row["state"]), opened_on, case_rules.investigate_by(opened_on),
                    None if pd.isna(row["document"]) else str(row["document"]), rectify_by,
                    case_rules.next_states(str(row["state"])), case_rules.shows_fine(history["state"]), history)


def case_fine(engine: Engine, case: CaseView, as_of: dt.date, params: premiums.Params) -> case_rules.Art84Range | None:
    """The Art. 84 range of a case that shows one (not_rectified or later), from its employer's worksheet as of
    ``as_of`` (premiums due without late fees); None for a case before that (no fine figure earlier)."""
    if not case.shows_fine:
        return None
    return fine_range(worksheet(engine, case.employer_id, as_of, params))


# --- notices (compliance.notices: documents an inspector can send, the one-page employer report) ---------

def employer_city(employer_id: str) -> str | None:
    """The shipped city (``premiums.cities``) of an employer's USCC region (characters 3–8: the registering
    authority's region code, GB/T 2260), None when no shipped city's name is in that region's."""
    if len(employer_id or "") < 8:
        return None
    from compliance.ids import region_column

    region = region_column(pd.Series([employer_id[2:8]], dtype="string")).iloc[0]
    if pd.isna(region):
        return None
    return next((c for c in premiums.cities() if premiums.load_params(c).city in region), None)


def _money(ws: Worksheet) -> notices.Money:
    months = {pd.Period(m, "M") for m in ws.sheet["month"]} if len(ws.sheet) else set()
    unconfirmed = any(p.unconfirmed and any(p.start <= m <= p.end for m in months) for p in ws.params.periods)
    return notices.Money.of(ws.totals, unconfirmed)


def _report(results: pd.DataFrame, ws: Worksheet, employer_id: str, employer_name: str, as_of: dt.date,
            case: notices.CaseLine | None, agency: str | None) -> notices.EmployerReport:
    mine = results[results["employer_id"] == employer_id]
    counts = mine["status"].value_counts()
    overdue = mine[mine["status"] == "overdue"].sort_values("days_late", ascending=False, kind="stable")
    return notices.EmployerReport(
        employer_id, employer_name, ws.params.city, as_of, dt.date.today(),
        tuple((s, int(counts[s])) for s in STATUSES if counts.get(s, 0)), notices.people_of(overdue, ws.sheet),
        (int(ws.overdue["ssn"].nunique()), int(ws.late["ssn"].nunique())), _money(ws), case, agency)


def case_notice(engine: Engine, case_id: int, kind: str, fmt: str, as_of: dt.date, params: premiums.Params,
                agency: str | None = None) -> bytes:
    """A case's 《社会保险登记限期改正通知书》 (``rectification``), 《社会保险稽核告知书》 (``audit``) or its
    employer's one-page report (``report``), as ``docx`` or ``pdf`` bytes: the employees concerned and the
    premiums at stake are the employer's worksheet as of ``as_of`` in ``params`` (Art. 58, 86), the deadline
    is the case's ``rectify_by`` (a blank to fill in before the case is notified)."""
    if kind not in notices.KINDS:
        raise notices.NoticeError.coded("notice_kind", kind=kind, kinds=", ".join(notices.KINDS))
    if fmt not in notices.FORMATS:
        raise notices.NoticeError.coded("notice_format", format=fmt, formats=", ".join(notices.FORMATS))
    view = case_view(engine, case_id)
    results = stored_status(engine, as_of, view.employer_id)
    ws = worksheet_of(results, view.employer_id, as_of, params)
    name = view.employer_name or str(next(iter(results["employer_name"].dropna()), "") if len(results) else "")
    if kind == "report":
        fine = case_rules.art84_range(_money(ws).premiums) if view.shows_fine else None
        line = notices.CaseLine(view.id, view.state, view.document, view.rectify_by, view.investigate_by.date,
                                None if fine is None else (fine.employer_min, fine.employer_max, fine.person_min,
                                                           fine.person_max))
        return notices.render(_report(results, ws, view.employer_id, name, as_of, line, agency), fmt)
    people = notices.people_of(ws.covered, ws.sheet)
    if not people:
        raise notices.NoticeError.coded("notice_nobody", case=case_id, employer=view.employer_id,
                                        as_of=as_of.isoformat())
    return notices.render(notices.Notice(kind, view.id, view.employer_id, name, params.city, as_of, dt.date.today(),
                                         view.rectify_by, people, _money(ws), view.document, agency), fmt)


def employer_report(engine: Engine, employer_id: str, fmt: str, as_of: dt.date, params: premiums.Params,
                    agency: str | None = None) -> bytes:
    """The one-page report of a stored employer (HR summary, 稽核 summary, its case that is not final)."""
    if fmt not in notices.FORMATS:
        raise notices.NoticeError.coded("notice_format", format=fmt, formats=", ".join(notices.FORMATS))
    found = case_of(engine, employer_id)
    if found is not None:
        return case_notice(engine, found[0], "report", fmt, as_of, params, agency)
    results = stored_status(engine, as_of, employer_id)
    ws = worksheet_of(results, employer_id, as_of, params)
    name = employer_names(engine).get(employer_id) or ""
    return notices.render(_report(results, ws, employer_id, name, as_of, None, agency), fmt)
