"""The partition functions of the batch: plain pandas in, pandas out, one partition at a time.

Each function takes what one task has (a :class:`~compliance.batch.plan.Piece`, or its raw cells, and
the file's :class:`~compliance.batch.plan.Source`) and runs the engine's own stages on it:
:func:`check_partition` is :func:`compliance.registration.check_roster` (``normalise`` then ``judge``,
the very code of ``python -m compliance check``), :func:`stage_piece` the store's rules of which rows
take part in the cross-check, :func:`crosscheck_part` ``crosscheck.crosscheck``. No rule is copied: what
is new is only the cutting, the row numbering across partitions, and putting the pieces back together.
No Dask here either (the driver imports it), so another engine (Spark's ``mapInPandas``) could call them.

Every part is cast to the dtypes ``check`` gives (``RESULT_DTYPES``, ``PROBLEM_DTYPES``; the driver's
explicit ``meta``), so an empty part has the same schema as a full one; :func:`write_part` writes a
part of a Parquet dataset with that schema, :func:`read_dataset` reads a dataset back.

The calendar does not travel by itself (a notice file added on the client is not on the workers'
disks, and ``SHEBAO_CALENDAR_DIR`` set on the client is not in their environment): the client's
notices go with every task (:func:`notices_payload`) and each worker writes them to a folder of its
own and points ``SHEBAO_CALENDAR_DIR`` at it (:func:`install_notices`) before judging.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fsspec
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from fsspec.core import url_to_fs
from fsspec.spec import AbstractFileSystem
from fsspec.utils import read_block

from compliance import calendar, employers
from compliance.batch.plan import OWN_ROW_COLUMN, Piece, Source, natural
from compliance.crosscheck import CROSSCHECK_COLUMNS, crosscheck, rostered_employers
from compliance.registration import (
    CHECK_COLUMNS,
    NORMALISED_SCHEMA,
    PROBLEM_COLUMNS,
    STATUSES,
    check_roster,
    normalise,
    normalise_registry,
    storable,
)
from compliance.rosters import Roster, RosterError, blank_rows_note, read_csv_cells, roster_of

# The dtypes ``check`` gives its columns (registration.normalise + judge): every partition is cast to
# them (the explicit meta), and they are the schema of every part of the Parquet datasets.
_JUDGED_DTYPES = {"deadline": "datetime64[ns]", "status": "string", "days_late": "Int64", "days_left": "Int64",
                  "deadline_provisional": "bool", "duty": "string"}
RESULT_DTYPES: dict[str, str] = {c: _JUDGED_DTYPES.get(c) or NORMALISED_SCHEMA[c] for c in CHECK_COLUMNS}
PROBLEM_DTYPES: dict[str, str] = {c: "Int64" if c == "source_row" else "string" for c in PROBLEM_COLUMNS}
FINDING_DTYPES: dict[str, str] = {c: "Int64" if c == "source_row" else "string" for c in CROSSCHECK_COLUMNS}

# The rows the cross-check takes from both sides, in one frame: shuffled by SSN, a person's roster rows
# and registry records land in the same partition, so each partition is cross-checked on its own.
STAGED_DTYPES = {"side": "string", "employer_id": "string", "ssn": "string", "name": "string",
                 "registration_date": "datetime64[ns]", "employment_type": "string", "source_file": "string",
                 "source_row": "int64", "order": "int64"}
STAGE_STATS_DTYPES = {"side": "string", "rows": "int64", "kept": "int64"}
ROSTER, REGISTRY = "roster", "registry"
NOT_CROSSCHECKED = ("hire_date", "card_status", "activation_date", "wage", "work_permit_date")

Notices = tuple[tuple[int, str, tuple[str, ...], tuple[str, ...]], ...]


def empty_frame(dtypes: dict[str, str]) -> pd.DataFrame:
    """No rows, the given columns and dtypes (an untyped empty frame breaks the Parquet writer)."""
    return pd.DataFrame({c: pd.Series(dtype=d) for c, d in dtypes.items()})


def _typed(frame: pd.DataFrame, dtypes: dict[str, str]) -> pd.DataFrame:
    """The dataset's columns in its order and dtypes: every part alike, whatever its rows."""
    return frame[list(dtypes)].astype(dtypes).reset_index(drop=True)


# ------------------------------------------------------------------------------------------- reading


def read_piece(piece: Piece) -> pd.DataFrame:
    """The raw cells of one partition, columns numbered by their position in the file, every record
    (blank ones too: they count for the row numbers). A Parquet ``source_row`` column comes along as
    ``source_row``."""
    return _read_csv_piece(piece) if piece.source.kind == "csv" else _read_parquet_piece(piece)


def _read_csv_piece(piece: Piece) -> pd.DataFrame:
    """A CSV block, extended to the line ends (``fsspec.utils.read_block``), read as the file reader reads."""
    src = piece.source
    with fsspec.open(src.url, "rb", compression=src.compression) as fh:
        raw = fh.read() if piece.length is None else read_block(fh, piece.offset, piece.length, delimiter=b"\n")
    h = src.header_row if piece.offset == 0 else -1  # only the first block holds the header
    if not raw.strip(b"\r\n"):
        return pd.DataFrame(columns=range(src.width), dtype=object)
    try:
        return read_csv_cells(raw, src.name, src.delimiter, h, src.encoding, src.width)
    except pd.errors.EmptyDataError:
        return pd.DataFrame(columns=range(src.width), dtype=object)
    except pd.errors.ParserError as exc:
        raise RosterError(f"{src.name}: malformed CSV in the block from byte {piece.offset:,} "
                          f"({str(exc).splitlines()[0]})") from None


def _nullable_ints(arrow_type: Any) -> Any:
    """Whole-number Parquet columns as pandas' nullable Int64: a null must not turn an ID into a float."""
    return pd.Int64Dtype() if pa.types.is_integer(arrow_type) else None


def _read_parquet_piece(piece: Piece) -> pd.DataFrame:
    """Row groups of a Parquet file, or a slice of one group read batch by batch (never the whole group)."""
    src = piece.source
    with fsspec.open(src.url, "rb") as fh:
        pf = pq.ParquetFile(fh)
        if piece.stop is None:
            table = pf.read_row_groups(list(piece.row_groups), columns=list(src.columns), use_threads=False)
        else:  # a slice of one big row group
            batches, seen = [], 0
            for batch in pf.iter_batches(batch_size=65_536, row_groups=list(piece.row_groups),
                                         columns=list(src.columns), use_threads=False):
                lo, hi = max(piece.start - seen, 0), min(piece.stop - seen, batch.num_rows)
                if hi > lo:
                    batches.append(batch.slice(lo, hi - lo))
                seen += batch.num_rows
                if seen >= piece.stop:
                    break
            table = pa.Table.from_batches(batches, schema=pa.schema([pf.schema_arrow.field(c) for c in src.columns]))
    # DATE columns would come back as datetime.date objects: as datetime64 here (the pitfall of issue 15)
    frame = table.to_pandas(date_as_object=False, types_mapper=_nullable_ints)
    positions = {name: i for i, name in enumerate(src.header)}
    frame.columns = [c if c == OWN_ROW_COLUMN and src.own_rows else positions[c] for c in frame.columns]
    return frame


# ------------------------------------------------------------------------------------------ checking


@dataclass
class PartStats:
    """What the client needs of a partition beyond its rows: counts for the summary line, and the
    blank records for the file's "rows 5, 9-11 are blank" note (only the whole file knows which are
    trailing)."""

    rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    row_problems: int = 0
    provisional: int = 0
    provisional_years: tuple[int, ...] = ()
    blank_rows: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    blank_before_last: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    has_data: bool = False


def partition_roster(raw: pd.DataFrame, source: Source, first_row: int) -> tuple[Roster, PartStats]:
    """The roster of one partition whose first record is row ``first_row`` of its file (blank records
    left out, as the file reader leaves them out), and its stats so far: which records were blank."""
    own = raw[OWN_ROW_COLUMN] if OWN_ROW_COLUMN in raw.columns else None
    if own is not None:  # not a cell of the roster (and the input frame is not changed: Dask may share it)
        raw = raw.drop(columns=OWN_ROW_COLUMN)
    roster = roster_of(source.name, raw, first_row, dict(source.found), list(source.header), [])
    roster.number_cells = set(source.number_cells)
    roster.notes = []  # the file's notes are the whole file's (file_notes), not one partition's
    position = (roster.frame["source_row"] - first_row).to_numpy()
    kept = np.zeros(len(raw), dtype=bool)
    kept[position] = True
    blank = np.flatnonzero(~kept)
    numbers = np.arange(first_row, first_row + len(raw), dtype=np.int64)
    if own is not None:  # the file's own row numbers, where it has them
        own_rows = pd.to_numeric(own, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        numbers = np.where(np.isnan(own_rows), numbers, own_rows).astype(np.int64)
        roster.frame["source_row"] = numbers[position]
    last = position.max() if len(position) else -1
    stats = PartStats(blank_rows=numbers[blank], blank_before_last=numbers[blank[blank < last]],
                      has_data=bool(len(position)))
    return roster, stats


def check_partition(raw: pd.DataFrame, source: Source, first_row: int, as_of: dt.date,
                    calendar_days: bool = False, today: dt.date | None = None,
                    notices: Notices | None = None) -> tuple[pd.DataFrame, pd.DataFrame, PartStats]:
    """Results (``CHECK_COLUMNS``, ``RESULT_DTYPES``), problems (``PROBLEM_DTYPES``, in row order) and
    stats of one partition whose first record is row ``first_row`` of its file: ``check_roster``, the
    single-machine code, on the partition. ``notices`` (:func:`notices_payload`) are installed first."""
    if notices is not None:
        install_notices(notices)
    roster, stats = partition_roster(raw, source, first_row)
    if roster.frame.empty:
        return empty_frame(RESULT_DTYPES), empty_frame(PROBLEM_DTYPES), stats
    checked = check_roster(roster, as_of, calendar_days, today)
    results = _typed(checked.results, RESULT_DTYPES)
    problems = _typed(checked.problems, PROBLEM_DTYPES)
    counts = results["status"].value_counts()
    provisional = results.loc[results["deadline_provisional"], "deadline"]
    stats.rows = len(results)
    stats.counts = {s: int(counts.get(s, 0)) for s in STATUSES}
    stats.row_problems = int(problems["source_row"].notna().sum())
    stats.provisional = len(provisional)
    stats.provisional_years = tuple(calendar.provisional_years(provisional)) if len(provisional) else ()
    return results, problems, stats


def file_notes(source: Source, stats: Sequence[PartStats]) -> pd.DataFrame:
    """The file notes of one file (as ``normalise`` lists them): the header's, then its blank rows
    (the trailing ones are the end of the file, not rows a person sees)."""
    notes = list(source.notes)
    last = max((i for i, s in enumerate(stats) if s.has_data), default=-1)
    interior = [s.blank_rows for s in stats[:last]] + ([stats[last].blank_before_last] if last >= 0 else [])
    rows = np.concatenate(interior) if interior else np.empty(0, dtype=np.int64)
    if len(rows):
        notes.append(blank_rows_note(rows.tolist()))
    if not notes:
        return empty_frame(PROBLEM_DTYPES)
    return _typed(pd.DataFrame({"source_file": source.name, "source_row": None, "column": None, "code": "file_note",
                                "value": None, "message": notes}), PROBLEM_DTYPES)


# ------------------------------------------------------------------------------------------ the calendar


def notices_payload() -> Notices:
    """The holiday notices in force on the client (``SHEBAO_CALENDAR_DIR`` first, then the package's),
    as plain data for the workers. A malformed notice file stops the batch here, with its name."""
    return tuple((n.year, n.source, tuple(sorted(d.isoformat() for d in n.holidays)),
                  tuple(sorted(d.isoformat() for d in n.workdays)))
                 for n in sorted(calendar.notices().values()))


_INSTALLED: set[str] = set()


def install_notices(payload: Notices) -> None:
    """Make the client's notices the ones this process judges with: one TOML file per year in a folder
    named by their content (written once per process and machine), ``SHEBAO_CALENDAR_DIR`` pointed at
    it. The calendar's caches are keyed by the files in force, so a new payload takes effect at once."""
    digest = hashlib.sha256(repr(payload).encode()).hexdigest()[:20]
    folder = Path(tempfile.gettempdir()) / f"shebao-notices-{digest}"
    if digest not in _INSTALLED and not folder.is_dir():
        staging = Path(tempfile.mkdtemp(prefix=f"shebao-notices-{digest}-"))
        for year, source, holidays, workdays in payload:
            (staging / f"{year}.toml").write_text(
                f"year = {year}\nsource = {json.dumps(source)}\n"
                f"holidays = [{', '.join(holidays)}]\nworkdays = [{', '.join(workdays)}]\n", encoding="utf-8")
        try:
            staging.rename(folder)  # atomic: another worker on this machine may have won the race
        except OSError:
            for path in staging.iterdir():
                path.unlink()
            staging.rmdir()
    _INSTALLED.add(digest)
    os.environ["SHEBAO_CALENDAR_DIR"] = str(folder)


# ------------------------------------------------------------------------------ batch check and employers


@dataclass(frozen=True)
class Job:
    """What every partition of a run shares: the date judged, the calendar, and where the results go."""

    as_of: dt.date
    calendar_days: bool
    today: dt.date
    notices: Notices
    out: str | None  # batch check: the output folder (URL); None: batch employers (partials come back)


def _name_part(i: int) -> str:
    """part.000000.parquet: file names that sort in row order."""
    return f"part.{i:06d}.parquet"


def write_part(frame: pd.DataFrame, folder: str, number: int, dtypes: dict[str, str]) -> None:
    """``frame`` as part ``number`` of the Parquet dataset in ``folder``, with the dataset's schema (an
    empty part too: every part has the same columns and types)."""
    schema = pa.Schema.from_pandas(empty_frame(dtypes), preserve_index=False)
    table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    with fsspec.open(f"{folder}/{_name_part(number)}", "wb") as fh:
        pq.write_table(table, fh)


def run_piece(data: Piece | pd.DataFrame, first_row: int, source: Source, number: int,
              job: Job) -> tuple[PartStats, tuple[pd.DataFrame, pd.Series] | None]:
    """One partition, from its piece (read here) or its raw cells, to what the client gets back: its
    stats, and for ``batch employers`` its employer partials. For ``batch check`` its results and
    problems are written here, as part ``number`` of the two datasets, by the worker that holds them:
    the partition never travels, and a worker holds one checked partition at a time."""
    raw = read_piece(data) if isinstance(data, Piece) else data
    results, problems, stats = check_partition(raw, source, first_row, job.as_of, job.calendar_days, job.today,
                                               job.notices)
    if job.out is None:
        return stats, employers.partial(results, number)
    write_part(results, f"{job.out}/results", number, RESULT_DTYPES)
    write_part(problems, f"{job.out}/problems", number, PROBLEM_DTYPES)
    return stats, None


def write_file_notes(source: Source, stats: Sequence[PartStats], out: str, number: int) -> None:
    """The file's notes (:func:`file_notes`) as part ``number`` of the problems dataset: just before the
    parts of the file's rows, as ``check`` lists them."""
    write_part(file_notes(source, stats), f"{out}/problems", number, PROBLEM_DTYPES)


# ------------------------------------------------------------- cross-check (shared README section 8)


def stage_piece(data: Piece | pd.DataFrame, first_row: int, source: Source, number: int,
                side: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One partition of a roster or registry file as the rows the cross-check takes (``STAGED_DTYPES``):
    roster rows the store keeps (``registration.storable``: a valid ID number and an employer) and
    registry records with a valid SSN and an employer (``registration.normalise_registry``). ``order``
    is the upload order the store's ids give (a later file, a later row, replaces an earlier one). Also
    one row of stats (``STAGE_STATS_DTYPES``): records read (blank ones not counted), records kept."""
    raw = read_piece(data) if isinstance(data, Piece) else data
    roster, _ = partition_roster(raw, source, first_row)
    if roster.frame.empty:
        return _stage_stats(side, 0, 0), empty_frame(STAGED_DTYPES)
    if side == ROSTER:
        # cells neither the cross-check nor ``storable`` reads are not normalised (a third of the cost);
        # the equality tests with the store path hold this to what the store keeps
        blank = dict.fromkeys(NOT_CROSSCHECKED)
        rows = normalise(Roster(roster.source_file, roster.frame.assign(**blank), roster.columns, [],
                                roster.number_cells)).rows
        rows = rows.loc[storable(rows), ["employer_id", "ssn", "name", "registration_date", "employment_type",
                                         "source_row"]]  # the columns staged, before the rows: one take
        names, types = rows["name"], rows["employment_type"]
    else:
        rows, _ = normalise_registry([Roster(roster.source_file, roster.frame.assign(card_status=None,
                                                                               activation_date=None))])
        names = types = pd.Series(pd.NA, index=rows.index, dtype="string")
    frame = pd.DataFrame({"side": side, "employer_id": rows["employer_id"], "ssn": rows["ssn"], "name": names,
                          "registration_date": rows["registration_date"], "employment_type": types,
                          "source_file": source.name, "source_row": rows["source_row"],
                          "order": (number << employers.ORDER_SHIFT) + rows.index.to_numpy(dtype=np.int64)})
    return _stage_stats(side, len(roster.frame), len(frame)), _typed(frame, STAGED_DTYPES)


def _stage_stats(side: str, rows: int, kept: int) -> pd.DataFrame:
    """The one row of stats of a staged partition (``STAGE_STATS_DTYPES``)."""
    return _typed(pd.DataFrame({"side": [side], "rows": [rows], "kept": [kept]}), STAGE_STATS_DTYPES)


def _staged(path: str, columns: list[str] | None = None) -> pd.DataFrame:
    """A staged partition as written by Dask's shuffle, back in ``STAGED_DTYPES``."""
    with fsspec.open(path, "rb") as fh:
        frame = pq.read_table(fh, columns=columns).to_pandas()
    return frame.astype({c: d for c, d in STAGED_DTYPES.items() if c in frame.columns})


def _employments(frame: pd.DataFrame) -> pd.DataFrame:
    """The staged roster rows of one partition as the store holds them (``id`` = upload order)."""
    return frame[frame["side"] == ROSTER].rename(columns={"order": "id"})


def sides(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The staged rows of one partition as the store holds them: employments (:func:`_employments`) and
    registrations, the latest record per (employer, person)."""
    roster = _employments(frame)
    records = frame[frame["side"] == REGISTRY].sort_values("order", kind="stable")
    return roster, records.drop_duplicates(["employer_id", "ssn"], keep="last")


def employer_sets_part(path: str) -> tuple[np.ndarray, np.ndarray]:
    """The employers of one staged partition present in the registry, and those whose rosters list
    someone with the Art. 58 duty (``crosscheck.rostered_employers``): unions over the partitions give
    the city's two sets, which no partition knows by itself."""
    frame = _staged(path, ["side", "employer_id", "ssn", "employment_type", "order"])
    roster = _employments(frame)
    registered = frame.loc[frame["side"] == REGISTRY, "employer_id"].unique()  # which record is latest: no matter
    return np.asarray(registered, dtype=object), np.array(list(rostered_employers(roster)), dtype=object)


def crosscheck_part(path: str, in_registry: pd.Index, rostered: pd.Index, out: str,
                    number: int) -> dict[str, int]:
    """``crosscheck.crosscheck`` of one staged partition, given the city's employer sets; written as part
    ``number`` of the findings dataset (``FINDING_DTYPES``). Returns the count per finding."""
    roster, records = sides(_staged(path))
    codes, files = pd.factorize(records["source_file"])
    found = crosscheck(roster, records.assign(upload_id=codes), dict(enumerate(files)), in_registry, rostered)
    write_part(_typed(found, FINDING_DTYPES), out, number, FINDING_DTYPES)
    return {k: int(v) for k, v in found["finding"].value_counts().items()}


# ------------------------------------------------------------------------------------ reading results


def dataset_parts(path: str) -> tuple[AbstractFileSystem, list[str]]:
    """The Parquet parts of a dataset folder in the order they were numbered (row order)."""
    fs, root = url_to_fs(path)
    return fs, sorted((p for p in fs.find(root) if p.endswith(".parquet")), key=natural)


def read_dataset(path: str) -> pd.DataFrame:
    """A dataset written by ``run_check`` or ``run_crosscheck``, parts in order, with the dtypes it
    was written with."""
    fs, files = dataset_parts(path)
    tables = [pq.read_table(p, filesystem=fs) for p in files]
    if not tables:
        return pd.DataFrame()
    frame = pd.concat([t.to_pandas() for t in tables], ignore_index=True)
    dtypes = RESULT_DTYPES if "status" in frame.columns else FINDING_DTYPES if "finding" in frame.columns \
        else PROBLEM_DTYPES
    return frame.astype({c: d for c, d in dtypes.items() if c in frame.columns})
