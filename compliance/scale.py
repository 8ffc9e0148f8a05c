"""Batch checks past one machine: the engine's own stages, one partition at a time, on Dask (issue 15).

A city's roster (15–20 million rows) does not fit the single-process path, whose memory grows with
the rows. Here every input file is cut into partitions (CSV: byte blocks at line ends; Parquet: row
groups), each partition goes through :func:`compliance.registration.check_roster` (``normalise`` then
``judge``, the very code of ``python -m compliance check``), and the results are written as Parquet
datasets. No rule is copied: what is new is only the cutting, the row numbering across partitions,
and putting the pieces back together.

One task per partition reads it, checks it and writes its part of the two datasets (or, for
``batch employers``, reduces it to a few rows per employer): a checked partition never travels
between workers and a worker holds one at a time. (Measured: with ``dd.from_delayed(...).to_parquet``
the scheduler moved checked partitions to other workers for writing and let each worker check the
next partition before writing the last, holding two.) Every part is cast to the dtypes ``check``
gives (``RESULT_DTYPES``, ``PROBLEM_DTYPES``: the explicit ``meta``), so an empty part has the same
schema as a full one.

The partition functions (:func:`read_piece`, :func:`check_partition`, ``employers.partial``,
:func:`run_piece`) take and return plain pandas objects, so another engine (Spark's ``mapInPandas``)
could call them; only :func:`run_check`, :func:`run_employers` and :func:`connect` know Dask.

Row numbers are the ones a person sees, as in the single-machine path: a CSV's header is its own row
(the first data row of a file whose header is on line 1 is row 2); a Parquet file's rows count from 2
likewise, unless it has its own ``source_row`` column. A CSV partition learns its first row from the
lengths of the partitions before it in the same file (a chain of small tasks), so no file is read
twice.

The calendar does not travel by itself (a notice file added on the client is not on the workers'
disks, and ``SHEBAO_CALENDAR_DIR`` set on the client is not in their environment): the client's
notices go with every task (:func:`notices_payload`) and each worker writes them to a folder of its
own and points ``SHEBAO_CALENDAR_DIR`` at it (:func:`install_notices`) before judging.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import math
import operator
import os
import re
import sys
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from compliance import calendar, employers
from compliance.crosscheck import CROSSCHECK_COLUMNS, FINDINGS, crosscheck, rostered_employers
from compliance.errors import ShebaoError
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
from compliance.rosters import (
    Roster,
    RosterError,
    blank_rows_note,
    detect_encoding,
    find_header,
    read_csv_cells,
    roster_of,
    sniff_csv,
    unique_label,
)
from compliance.workers import usable_cores

if TYPE_CHECKING:
    from distributed import Client
    from fsspec import AbstractFileSystem

# Partitions of up to ~500k rows: smaller ones pay the fixed cost of a call (imports, the calendar
# span, the region table) too often, larger ones only raise the memory a worker needs.
PARTITION_ROWS = 500_000
BLOCKSIZE = 64 * 2**20  # CSV bytes per partition: ~500k rows of a typical roster (120-130 bytes a row)
MIN_BLOCKSIZE = 1024
HEAD_BYTES = 1 << 20  # what the client reads of a CSV to find its encoding, delimiter and header row
CSV_SUFFIXES = (".csv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".parq", ".pq")
COMPRESSIONS = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zst": "zstd"}
OWN_ROW_COLUMN = "source_row"  # a Parquet column of that name is the row number a person knows

# The dtypes ``check`` gives its columns (registration.normalise + judge): every partition is cast to
# them (the explicit meta), and they are the schema of every part of the Parquet datasets.
_JUDGED_DTYPES = {"deadline": "datetime64[ns]", "status": "string", "days_late": "Int64", "days_left": "Int64",
                  "deadline_provisional": "bool"}
RESULT_DTYPES: dict[str, str] = {c: _JUDGED_DTYPES.get(c) or NORMALISED_SCHEMA[c] for c in CHECK_COLUMNS}
PROBLEM_DTYPES: dict[str, str] = {c: "Int64" if c == "source_row" else "string" for c in PROBLEM_COLUMNS}


class BatchError(ShebaoError):
    """An input, an output or a cluster the batch cannot use (exit code 2, one line)."""


def empty_frame(dtypes: dict[str, str]) -> pd.DataFrame:
    """No rows, the given columns and dtypes (an untyped empty frame breaks the Parquet writer)."""
    return pd.DataFrame({c: pd.Series(dtype=d) for c, d in dtypes.items()})


def _typed(frame: pd.DataFrame, dtypes: dict[str, str]) -> pd.DataFrame:
    return frame[list(dtypes)].astype(dtypes).reset_index(drop=True)


# --------------------------------------------------------------------------------------------- planning


@dataclass(frozen=True)
class Source:
    """One input file as the client planned it: what every partition of it needs to be read alike."""

    url: str  # fsspec URL, opened again on the workers
    name: str  # ``source_file`` of its rows
    kind: str  # "csv" or "parquet"
    found: tuple[tuple[str, int], ...]  # field -> column position (as rosters.find_header gives it)
    header: tuple[str, ...]  # the header cells by position (for "入职日期 (column E)")
    notes: tuple[str, ...] = ()  # file notes known from the header (duplicate columns, bad bytes)
    encoding: str = "utf-8-sig"
    delimiter: str = ","
    header_row: int = 0  # CSV: 0-based line of the header
    compression: str | None = None
    columns: tuple[str, ...] = ()  # Parquet: the columns read
    own_rows: bool = False  # Parquet: has its own source_row column
    number_cells: frozenset[str] = frozenset()  # Parquet: ID columns stored as floats (digits lost)

    @property
    def width(self) -> int:
        return max(max((c for _, c in self.found), default=0) + 1, len(self.header))


@dataclass(frozen=True)
class Piece:
    """One partition of a file: a CSV byte range, or Parquet row groups (or a slice of one group)."""

    source: Source
    number: int  # position among the file's pieces
    offset: int = 0  # CSV
    length: int | None = None  # CSV; None: the whole (compressed) file
    row_groups: tuple[int, ...] = ()  # Parquet
    start: int = 0  # Parquet: rows of the (single) row group skipped
    stop: int | None = None  # Parquet: end of the slice in that row group
    first_row: int | None = None  # known at planning (Parquet), else from the pieces before (CSV)


def _natural(text: str) -> list[Any]:
    """Sort key: part.2 before part.10 (the order a writer numbered its parts in)."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def _kind(path: str) -> tuple[str | None, str | None]:
    """("csv"|"parquet"|None, compression) from a file's name."""
    lower = path.lower()
    compression = next((c for s, c in COMPRESSIONS.items() if lower.endswith(s)), None)
    if compression:
        lower = lower[: lower.rfind(".")]
    if lower.endswith(CSV_SUFFIXES):
        return "csv", compression
    if lower.endswith(PARQUET_SUFFIXES) and not compression:
        return "parquet", None
    return None, None


def expand_inputs(inputs: Sequence[str]) -> list[tuple[AbstractFileSystem, str]]:
    """Files of the command line in order: paths or URLs, globs (naturally sorted), directories (every
    CSV and Parquet file below them). A missing input raises :class:`BatchError` naming it."""
    from fsspec.core import url_to_fs

    files: list[tuple[AbstractFileSystem, str]] = []
    for text in inputs:
        try:
            fs, path = url_to_fs(text)
        except (ImportError, ValueError) as exc:  # an unknown protocol, its package not installed
            raise BatchError(f"{text}: cannot be opened ({exc})") from None
        if any(ch in path for ch in "*?["):
            matches = sorted(fs.glob(path), key=_natural)
            if not matches:
                raise BatchError(f"{text}: no file matches")
            for m in matches:
                files.extend(_files_below(fs, m) if fs.isdir(m) else [(fs, m)])
        elif fs.isdir(path):
            found = _files_below(fs, path)
            if not found:
                raise BatchError(f"{text}: no CSV or Parquet file in this folder")
            files.extend(found)
        elif fs.exists(path):
            files.append((fs, path))
        else:
            raise BatchError(f"{text}: file not found")
    for _fs, path in files:
        if _kind(path)[0] is None:
            raise BatchError(f"{path}: batch reads CSV and Parquet files only (.csv, .txt, .parquet); "
                             "save a workbook as CSV, or check it with `python -m compliance check`")
    return files


def _files_below(fs: AbstractFileSystem, folder: str) -> list[tuple[AbstractFileSystem, str]]:
    """CSV and Parquet files of a folder tree, hidden and ``_``-prefixed ones (``_SUCCESS``) left out."""
    paths = [p for p in fs.find(folder) if _kind(p)[0] and not Path(p).name.startswith((".", "_"))]
    return [(fs, p) for p in sorted(paths, key=_natural)]


def plan(inputs: Sequence[str], blocksize: int = BLOCKSIZE,
         partition_rows: int = PARTITION_ROWS) -> list[tuple[Source, list[Piece]]]:
    """Every input file and its partitions, from the command line's inputs (reads only CSV heads and
    Parquet footers). Two files of the same name get ``name (2)`` as the dashboard's uploads do."""
    used: set[str] = set()
    planned = []
    for fs, path in expand_inputs(inputs):
        name = unique_label(Path(path).name, used)
        kind, compression = _kind(path)
        if kind == "csv":
            planned.append(_plan_csv(fs, path, name, compression, max(blocksize, MIN_BLOCKSIZE)))
        else:
            planned.append(_plan_parquet(fs, path, name, max(partition_rows, 1)))
    return planned


def csv_layout(head: bytes, name: str) -> tuple[str, str, int, dict[str, int], list[str], list[str], int]:
    """Encoding, delimiter, header line, field positions, header cells, file notes, and the byte offset
    just past the header line, found in the first bytes of a CSV (``rosters.sniff_csv``, as the reader does)."""
    if b"\x00" in head[:8192]:
        raise RosterError(f"{name}: not a text file (binary content); expected a CSV text file")
    cut = max(head.rfind(b"\n"), head.rfind(b"\r"))
    sample = head[: cut + 1] if len(head) >= HEAD_BYTES and cut >= 0 else head  # no character cut in two
    encoding, note = detect_encoding(sample)
    layout = sniff_csv(sample.decode(encoding, errors="replace"), name)
    h, notes = layout.row, layout.notes
    if note:
        notes.insert(0, note)
    ends = [m.end() for m in re.finditer(rb"\r\n|\n|\r", sample)]
    header_end = ends[h] if h < len(ends) else len(sample)
    return encoding, layout.delimiter, h, layout.found, layout.cells, notes, header_end


def _plan_csv(fs: AbstractFileSystem, path: str, name: str, compression: str | None,
              blocksize: int) -> tuple[Source, list[Piece]]:
    with fs.open(path, "rb", compression=compression) as fh:
        head = fh.read(HEAD_BYTES)
    if not head:
        raise RosterError(f"{name}: the file is empty")
    encoding, delimiter, h, found, header, notes, header_end = csv_layout(head, name)
    source = Source(fs.unstrip_protocol(path), name, "csv", tuple(found.items()), tuple(header), tuple(notes),
                    encoding, delimiter, h, compression)
    if compression:  # a compressed stream cannot be cut: one partition
        return source, [Piece(source, 0, first_row=h + 2)]
    size = fs.size(path)
    starts = [0, *range(max(blocksize, header_end), size, blocksize)]
    ends = [*starts[1:], size]
    pieces = [Piece(source, i, offset=a, length=b - a) for i, (a, b) in enumerate(zip(starts, ends, strict=True))]
    return source, [Piece(source, 0, 0, pieces[0].length, first_row=h + 2), *pieces[1:]]


def _plan_parquet(fs: AbstractFileSystem, path: str, name: str,
                  partition_rows: int) -> tuple[Source, list[Piece]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        with fs.open(path, "rb") as fh:
            pf = pq.ParquetFile(fh)
            schema, meta = pf.schema_arrow, pf.metadata
            groups = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    except (OSError, pa.ArrowException) as exc:
        raise RosterError(f"{name}: not a readable Parquet file ({type(exc).__name__})") from None
    names = list(schema.names)
    hit = find_header([names])  # type: ignore[list-item]
    if hit is None:
        raise RosterError(f"{name}: no roster columns (expected columns such as 姓名, 身份证号, 入职日期)")
    _, found, notes = hit
    own = OWN_ROW_COLUMN in names
    floats = frozenset(f for f in ("id_number", "ssn") if f in found
                       and pa.types.is_floating(schema.field(found[f]).type))
    columns = tuple(names[c] for c in sorted(set(found.values()))) + ((OWN_ROW_COLUMN,) if own else ())
    source = Source(fs.unstrip_protocol(path), name, "parquet", tuple(found.items()), tuple(names), tuple(notes),
                    columns=columns, own_rows=own, number_cells=floats)
    pieces: list[Piece] = []
    run: list[int] = []
    before = run_start = 0

    def flush() -> None:
        if run:
            pieces.append(Piece(source, len(pieces), row_groups=tuple(run), first_row=2 + run_start))
            run.clear()

    for g, rows in enumerate(groups):
        if rows > partition_rows * 3 // 2:  # a big row group is cut in slices read batch by batch
            flush()
            k = math.ceil(rows / partition_rows)
            step = math.ceil(rows / k)
            for a in range(0, rows, step):
                pieces.append(Piece(source, len(pieces), row_groups=(g,), start=a, stop=min(a + step, rows),
                                    first_row=2 + before + a))
        else:
            if not run:
                run_start = before
            run.append(g)
            if before + rows - run_start >= partition_rows:
                before += rows
                flush()
                continue
        before += rows
    flush()
    return source, pieces or [Piece(source, 0, row_groups=(), first_row=2)]


# ---------------------------------------------------------------------- partition functions (engine-neutral)


def read_piece(piece: Piece) -> pd.DataFrame:
    """The raw cells of one partition, columns numbered by their position in the file, every record
    (blank ones too: they count for the row numbers). A Parquet ``source_row`` column comes along as
    ``source_row``."""
    return _read_csv_piece(piece) if piece.source.kind == "csv" else _read_parquet_piece(piece)


def _read_csv_piece(piece: Piece) -> pd.DataFrame:
    import fsspec
    from fsspec.utils import read_block

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
    import pyarrow as pa

    return pd.Int64Dtype() if pa.types.is_integer(arrow_type) else None


def _read_parquet_piece(piece: Piece) -> pd.DataFrame:
    import fsspec
    import pyarrow as pa
    import pyarrow.parquet as pq

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
                    notices: tuple | None = None) -> tuple[pd.DataFrame, pd.DataFrame, PartStats]:
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


def notices_payload() -> tuple[tuple[int, str, tuple[str, ...], tuple[str, ...]], ...]:
    """The holiday notices in force on the client (``SHEBAO_CALENDAR_DIR`` first, then the package's),
    as plain data for the workers. A malformed notice file stops the batch here, with its name."""
    return tuple((n.year, n.source, tuple(sorted(d.isoformat() for d in n.holidays)),
                  tuple(sorted(d.isoformat() for d in n.workdays)))
                 for n in sorted(calendar.notices().values()))


_INSTALLED: set[str] = set()


def install_notices(payload: tuple[tuple[int, str, tuple[str, ...], tuple[str, ...]], ...]) -> None:
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


# ------------------------------------------------------------------------------------------------ Dask


@dataclass
class BatchSummary:
    """Totals of a batch run, for the line the command prints."""

    files: int = 0
    partitions: int = 0
    rows: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    row_problems: int = 0
    provisional: int = 0
    provisional_years: list[int] = field(default_factory=list)

    def add(self, stats: Sequence[PartStats]) -> None:
        years = set(self.provisional_years)
        for s in stats:
            self.rows += s.rows
            self.row_problems += s.row_problems
            self.provisional += s.provisional
            years.update(s.provisional_years)
            for k, v in s.counts.items():
                self.counts[k] += v
        self.provisional_years = sorted(years)


@dataclass(frozen=True)
class Job:
    """What every partition of a run shares: the date judged, the calendar, and where the results go."""

    as_of: dt.date
    calendar_days: bool
    today: dt.date
    notices: tuple[tuple[int, str, tuple[str, ...], tuple[str, ...]], ...]
    out: str | None  # batch check: the output folder (URL); None: batch employers (partials come back)


def write_part(frame: pd.DataFrame, folder: str, number: int, dtypes: dict[str, str]) -> None:
    """``frame`` as part ``number`` of the Parquet dataset in ``folder``, with the dataset's schema (an
    empty part too: every part has the same columns and types)."""
    import fsspec
    import pyarrow as pa
    import pyarrow.parquet as pq

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


def _token(obj: object) -> str:
    return hashlib.sha256(repr(obj).encode()).hexdigest()[:16]


def _graph(planned: list[tuple[Source, list[Piece]]], shared: Any, task: Any = None,
           number: int = 0) -> list[tuple[Source, int, list[Any]]]:
    """Per file: the part number of its notes, and one delayed ``task`` per piece (default
    :func:`run_piece`), called as ``task(piece or raw cells, first_row, source, number, shared)`` and
    returning two things. ``number`` counts the parts from the given one.

    A Parquet piece is read by the task that checks it (its first row is known from the footer). A
    CSV block is read by a task of its own: its first row is the previous block's first row plus that
    block's records, a chain of additions on the lengths, so each block is read once and its rows are
    numbered as in the single-machine path, while the checks still run side by side.
    """
    from dask import delayed

    task = task or run_piece
    shared_key = delayed(shared, name=f"shebao-shared-{_token(shared)}")  # one copy per worker, not per task
    graph = []
    for source, pieces in planned:
        src = delayed(source, name=f"shebao-source-{_token(source)}")
        notes_number, number = number, number + 1
        runs: list[Any] = []
        first_row: Any = None
        for piece in pieces:
            if piece.first_row is not None:
                first_row = piece.first_row
            data: Any = piece
            if source.kind == "csv":
                data = delayed(read_piece)(piece)
            runs.append(delayed(task, nout=2)(data, first_row, src, number, shared_key))
            number += 1
            if source.kind == "csv":
                first_row = delayed(operator.add)(first_row, delayed(len)(data))
        graph.append((source, notes_number, runs))
    return graph


def _compute(client: Client, items: list[Any], progress: bool) -> list[Any]:
    """Compute on the cluster, with Dask's progress bar on the terminal (stderr, so stdout stays the
    command's one line)."""
    futures = client.compute(items)
    if progress:
        from distributed import progress as progress_bar

        with contextlib.redirect_stdout(sys.stderr):
            progress_bar(futures)
    return client.gather(futures)


def _name_part(i: int) -> str:
    """part.000000.parquet: file names that sort in row order."""
    return f"part.{i:06d}.parquet"


def _fresh_folder(url: str) -> None:
    """An empty folder at ``url`` (a dataset of an earlier run there is replaced, not mixed in)."""
    from fsspec.core import url_to_fs

    fs, path = url_to_fs(url)
    if fs.exists(path):
        if not fs.isdir(path):
            raise BatchError(f"{url}: exists and is not a folder")
        fs.rm(path, recursive=True)
    fs.makedirs(path, exist_ok=True)


def run_check(client: Client, planned: list[tuple[Source, list[Piece]]], out: str, as_of: dt.date,
              calendar_days: bool = False, progress: bool = False) -> BatchSummary:
    """Check every row of the planned inputs (:func:`plan`) on the cluster; write ``out/results``
    (``CHECK_COLUMNS``, ``RESULT_DTYPES``) and ``out/problems`` (``PROBLEM_COLUMNS``: each file's notes,
    then its row problems, in row order) as Parquet datasets, replacing earlier ones."""
    from dask import delayed

    out = out.rstrip("/")
    for name in ("results", "problems"):
        _fresh_folder(f"{out}/{name}")
    graph = _graph(planned, Job(as_of, calendar_days, dt.date.today(), notices_payload(), out))
    stats, notes = [], []
    for source, notes_number, runs in graph:
        file_stats = [r[0] for r in runs]
        stats.append(file_stats)
        notes.append(delayed(write_file_notes)(source, file_stats, out, notes_number))
    gathered, _ = _compute(client, [delayed(list)(stats), delayed(list)(notes)], progress)
    summary = BatchSummary(files=len(planned), partitions=sum(len(runs) for _, _, runs in graph))
    for file_stats in gathered:
        summary.add(file_stats)
    return summary


def run_employers(client: Client, planned: list[tuple[Source, list[Piece]]], as_of: dt.date,
                  calendar_days: bool = False, progress: bool = False) -> tuple[pd.DataFrame, BatchSummary]:
    """``employers.summarise`` of every row of the planned inputs: aggregated per partition on the
    workers (``employers.partial``), combined here (``employers.combine``); only a few rows per employer
    and partition travel."""
    from dask import delayed

    graph = _graph(planned, Job(as_of, calendar_days, dt.date.today(), notices_payload(), None))
    runs = [r for _, _, file_runs in graph for r in file_runs]
    (gathered,) = _compute(client, [delayed(list)(runs)], progress)
    summary = BatchSummary(files=len(planned), partitions=len(runs))
    summary.add([stats for stats, _ in gathered])
    return employers.combine([partial for _, partial in gathered]), summary


# ------------------------------------------------------------- cross-check (shared README section 8)

# The rows the cross-check takes from both sides, in one frame: shuffled by SSN, a person's roster rows
# and registry records land in the same partition, so each partition is cross-checked on its own.
STAGED_DTYPES = {"side": "string", "employer_id": "string", "ssn": "string", "name": "string",
                 "registration_date": "datetime64[ns]", "employment_type": "string", "source_file": "string",
                 "source_row": "int64", "order": "int64"}
FINDING_DTYPES: dict[str, str] = {c: "Int64" if c == "source_row" else "string" for c in CROSSCHECK_COLUMNS}
ROSTER, REGISTRY = "roster", "registry"
STAGING = "_staging"  # below the output folder while the run lasts (a leading "_": readers skip it)


NOT_CROSSCHECKED = ("hire_date", "card_status", "activation_date", "wage", "work_permit_date")
STAGE_STATS_DTYPES = {"side": "string", "rows": "int64", "kept": "int64"}


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
    return _typed(pd.DataFrame({"side": [side], "rows": [rows], "kept": [kept]}), STAGE_STATS_DTYPES)


def _staged(path: str, columns: list[str] | None = None) -> pd.DataFrame:
    import fsspec
    import pyarrow.parquet as pq

    with fsspec.open(path, "rb") as fh:
        frame = pq.read_table(fh, columns=columns).to_pandas()
    return frame.astype({c: d for c, d in STAGED_DTYPES.items() if c in frame.columns})


def _employments(frame: pd.DataFrame) -> pd.DataFrame:
    """The staged roster rows of one partition as the store holds them (``id`` = upload order)."""
    return frame[frame["side"] == ROSTER].rename(columns={"order": "id"})


def _sides(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
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
    roster, records = _sides(_staged(path))
    codes, files = pd.factorize(records["source_file"])
    found = crosscheck(roster, records.assign(upload_id=codes), dict(enumerate(files)), in_registry, rostered)
    write_part(_typed(found, FINDING_DTYPES), out, number, FINDING_DTYPES)
    return {k: int(v) for k, v in found["finding"].value_counts().items()}


@dataclass
class CrossSummary:
    """Totals of a batch cross-check, for the line the command prints."""

    files: int = 0
    partitions: int = 0
    roster_rows: int = 0
    roster_kept: int = 0
    registry_rows: int = 0
    registry_kept: int = 0
    findings: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FINDINGS, 0))


def run_crosscheck(client: Client, rosters: list[tuple[Source, list[Piece]]],
                   registry: list[tuple[Source, list[Piece]]], out: str, progress: bool = False) -> CrossSummary:
    """The cross-check of section 8 over roster files and registry extracts, as if every roster had been
    uploaded and every extract imported in command-line order: ``out`` becomes a Parquet dataset of the
    findings (``CROSSCHECK_COLUMNS``), each part in the order ``crosscheck`` gives.

    Three steps. Both sides' rows are staged, shuffled by SSN with Dask's shuffle (a person's rows meet
    in one partition) into ``out/_staging``. Then the two employer sets are gathered (the registry's
    employers; employers whose rosters list someone with the duty): without them ``not_in_registry``
    and ``not_in_roster`` would come out wrong per partition (issue 15). Then each staged partition is
    cross-checked with ``crosscheck.crosscheck`` and written. The staging folder is removed at the end.
    """
    import dask.dataframe as dd
    from dask import delayed
    from fsspec.core import url_to_fs

    out = out.rstrip("/")
    _fresh_folder(out)
    stage = f"{out}/{STAGING}"
    summary = CrossSummary(files=len(rosters) + len(registry))
    try:
        runs_roster = [r for _, _, rs in _graph(rosters, ROSTER, stage_piece) for r in rs]
        first = sum(len(pieces) + 1 for _, pieces in rosters)
        runs_registry = [r for _, _, rs in _graph(registry, REGISTRY, stage_piece, first) for r in rs]
        runs = runs_roster + runs_registry
        summary.partitions = len(runs)
        staged = dd.from_delayed([r[1] for r in runs], meta=empty_frame(STAGED_DTYPES), verify_meta=False)
        write = staged.shuffle("ssn", npartitions=max(len(runs), 1)).to_parquet(
            stage, write_index=False, compute=False)
        counted = dd.from_delayed([r[0] for r in runs], meta=empty_frame(STAGE_STATS_DTYPES), verify_meta=False)
        stats, _ = _compute(client, [counted, write], progress)  # one graph: each piece is read once
        totals = stats.groupby("side")[["rows", "kept"]].sum()
        for side, name in ((ROSTER, "roster"), (REGISTRY, "registry")):
            if side in totals.index:
                setattr(summary, f"{name}_rows", int(totals.loc[side, "rows"]))
                setattr(summary, f"{name}_kept", int(totals.loc[side, "kept"]))

        fs, root = url_to_fs(stage)
        parts = [fs.unstrip_protocol(p) for p in sorted(fs.find(root), key=_natural) if p.endswith(".parquet")]
        (sets,) = _compute(client, [delayed(list)([delayed(employer_sets_part)(p) for p in parts])], progress)
        in_registry = pd.Index(pd.unique(np.concatenate([a for a, _ in sets] or [np.empty(0, dtype=object)])))
        rostered = pd.Index(pd.unique(np.concatenate([b for _, b in sets] or [np.empty(0, dtype=object)])))
        in_registry_key = delayed(in_registry, name=f"shebao-in-registry-{uuid.uuid4().hex}")
        rostered_key = delayed(rostered, name=f"shebao-rostered-{uuid.uuid4().hex}")
        tasks = [delayed(crosscheck_part)(p, in_registry_key, rostered_key, out, i) for i, p in enumerate(parts)]
        (counts,) = _compute(client, [delayed(list)(tasks)], progress)
        for c in counts:
            for k, v in c.items():
                summary.findings[k] += v
        if not parts:  # nothing staged: an empty dataset with the columns still
            write_part(empty_frame(FINDING_DTYPES), out, 0, FINDING_DTYPES)
    finally:
        fs, root = url_to_fs(stage)
        if fs.exists(root):
            fs.rm(root, recursive=True)
    return summary


def crosscheck_line(summary: CrossSummary, out: str) -> str:
    """The single-machine cross-check's line, with what the batch read."""
    total = sum(summary.findings.values())
    counts = ", ".join(f"{k} {v}" for k, v in summary.findings.items() if v) or "no findings"
    left = summary.roster_rows - summary.roster_kept + summary.registry_rows - summary.registry_kept
    return (f"{total} findings ({counts}) from {summary.roster_kept} roster rows and {summary.registry_kept} "
            f"registry records ({_describe(summary.files, summary.partitions)}); {left} rows take no part "
            f"(no valid ID number, no employer, or a text longer than the store keeps) -> {out}")


def _worker_probe() -> str:
    """Runs on each worker at connection: unpickling it fails where the package is not installed."""
    import compliance

    return str(Path(compliance.__file__).parent)


@contextlib.contextmanager
def connect(scheduler: str | None = None, workers: int | None = None,
            timeout: float = 60) -> Iterator[Client]:
    """A client of the cluster at ``scheduler``, or of a local cluster of ``workers`` processes (one
    thread each; default the usable cores) started here and closed on the way out."""
    from distributed import Client, LocalCluster

    if scheduler is None:
        with LocalCluster(n_workers=workers or usable_cores(), threads_per_worker=1, processes=True,
                          dashboard_address=":0", silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(scheduler, timeout=min(timeout, 30))  # a mistyped address should not keep one waiting
    except OSError as exc:
        raise BatchError(f"{scheduler}: cannot reach a Dask scheduler there ({exc})") from None
    try:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except TimeoutError:
            raise BatchError(f"{scheduler}: the scheduler has no workers (start some with `dask worker "
                             f"{scheduler}`)") from None
        try:
            client.run(_worker_probe)
        except Exception as exc:  # the workers' own error, whatever it is
            raise BatchError(f"{scheduler}: a worker cannot import the compliance package ({str(exc)[:200]}); "
                             "install it on every worker (docs/scale.md)") from None
        yield client
    finally:
        client.close()


def parse_size(text: str) -> int:
    """'64MB', '512KiB', '1048576' as bytes (Dask's parser)."""
    from dask.utils import parse_bytes

    try:
        return int(parse_bytes(text))
    except (ValueError, TypeError):
        raise BatchError(f"'{text}' is not a size (such as 64MB)") from None


def _describe(files: int, partitions: int) -> str:
    return f"{files} file{'s' if files != 1 else ''}, {partitions} partition{'s' if partitions != 1 else ''}"


def summary_line(summary: BatchSummary, out: str) -> str:
    """The line the single-machine check prints, for the batch."""
    counts = ", ".join(f"{k} {v}" for k, v in summary.counts.items())
    return (f"{summary.rows} rows checked ({_describe(summary.files, summary.partitions)}): {counts}; "
            f"{summary.row_problems} row problems -> {out}/results, {out}/problems")


def provisional_warning(summary: BatchSummary) -> str | None:
    """The single-machine check's warning on provisional deadlines, or None."""
    if not summary.provisional_years:
        return None
    return (f"warning: no holiday notice for {', '.join(map(str, summary.provisional_years))}: "
            f"{summary.provisional} deadline(s) are provisional (weekends and statutory holidays only)")


def read_dataset(path: str) -> pd.DataFrame:
    """A dataset written by :func:`run_check` or :func:`run_crosscheck`, parts in order, with the dtypes it
    was written with."""
    import pyarrow.parquet as pq
    from fsspec.core import url_to_fs

    fs, root = url_to_fs(path)
    files = sorted((p for p in fs.find(root) if p.endswith(".parquet")), key=_natural)
    tables = [pq.read_table(p, filesystem=fs) for p in files]
    if not tables:
        return pd.DataFrame()
    frame = pd.concat([t.to_pandas() for t in tables], ignore_index=True)
    dtypes = RESULT_DTYPES if "status" in frame.columns else FINDING_DTYPES if "finding" in frame.columns \
        else PROBLEM_DTYPES
    return frame.astype({c: d for c, d in dtypes.items() if c in frame.columns})


