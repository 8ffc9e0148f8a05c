"""Planning a batch: the command line's inputs as files (:class:`Source`) and their partitions (:class:`Piece`).

The client reads only what it needs to cut each file: a CSV's head (encoding, delimiter, header row, as
``rosters.sniff_csv`` finds them for the single-machine reader) and a Parquet file's footer. A CSV is
cut into byte blocks, which the reader extends to line ends; a Parquet file into runs of row groups
(or slices of one big group). The workers open the files again by their fsspec URL.

Row numbers are the ones a person sees, as in the single-machine path: a CSV's header is its own row
(the first data row of a file whose header is on line 1 is row 2); a Parquet file's rows count from 2
likewise, unless it has its own ``source_row`` column. A Parquet piece knows its first row here, from
the footer; a CSV block learns it from the blocks before it (``driver._graph``).

No Dask here: the plan is plain data that another engine could run.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from fsspec.core import url_to_fs
from fsspec.spec import AbstractFileSystem

from compliance.errors import ShebaoError
from compliance.rosters import RosterError, detect_encoding, find_header, sniff_csv, unique_label

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


class BatchError(ShebaoError):
    """An input, an output or a cluster the batch cannot use (exit code 2, one line)."""


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
        """Columns a partition's frame has: every found field's position and every header cell."""
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


Planned = list[tuple[Source, list[Piece]]]


def natural(text: str) -> list[Any]:
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
    files: list[tuple[AbstractFileSystem, str]] = []
    for text in inputs:
        try:
            fs, path = url_to_fs(text)
        except (ImportError, ValueError) as exc:  # an unknown protocol, its package not installed
            raise BatchError(f"{text}: cannot be opened ({exc})") from None
        if any(ch in path for ch in "*?["):
            matches = sorted(fs.glob(path), key=natural)
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
    return [(fs, p) for p in sorted(paths, key=natural)]


def plan(inputs: Sequence[str], blocksize: int = BLOCKSIZE, partition_rows: int = PARTITION_ROWS) -> Planned:
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
    """A CSV in blocks of ``blocksize`` bytes; the first block holds at least the header line, so the
    header is never cut from the first rows."""
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
    """A Parquet file from its footer: the roster columns it has, and its row groups as pieces."""
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
    return source, _row_group_pieces(source, groups, partition_rows)


def _row_group_pieces(source: Source, groups: list[int], partition_rows: int) -> list[Piece]:
    """Pieces of about ``partition_rows`` rows from row groups of the given sizes: small groups joined
    in runs, a big group (over 1.5 times the size) cut in slices read batch by batch."""
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
    return pieces or [Piece(source, 0, row_groups=(), first_row=2)]
