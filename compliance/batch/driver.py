"""The Dask driver of the batch: the plan's pieces as a task graph, run on a cluster, totals back.

One task per partition reads it, checks it and writes its part of the two datasets (or, for
``batch employers``, reduces it to a few rows per employer): a checked partition never travels
between workers and a worker holds one at a time. (Measured: with ``dd.from_delayed(...).to_parquet``
the scheduler moved checked partitions to other workers for writing and let each worker check the
next partition before writing the last, holding two.) The partition functions themselves
(``compliance.batch.partitions``) know nothing of Dask; only this module does.

A CSV partition learns its first row from the lengths of the partitions before it in the same file
(a chain of small tasks, :func:`_graph`), so no file is read twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import operator
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dask.dataframe as dd
import numpy as np
import pandas as pd
from dask import delayed
from dask.utils import parse_bytes
from distributed import Client, LocalCluster
from distributed import progress as progress_bar
from fsspec.core import url_to_fs

import compliance
from compliance import employers
from compliance.batch.partitions import (
    FINDING_DTYPES,
    REGISTRY,
    ROSTER,
    STAGE_STATS_DTYPES,
    STAGED_DTYPES,
    Job,
    PartStats,
    crosscheck_part,
    dataset_parts,
    employer_sets_part,
    empty_frame,
    notices_payload,
    read_piece,
    run_piece,
    stage_piece,
    write_file_notes,
    write_part,
)
from compliance.batch.plan import BatchError, Planned, Source
from compliance.crosscheck import FINDINGS
from compliance.registration import STATUSES
from compliance.workers import usable_cores

STAGING = "_staging"  # below the output folder while the run lasts (a leading "_": readers skip it)


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
        """Add the partitions' stats (they come back from the workers one list per file)."""
        years = set(self.provisional_years)
        for s in stats:
            self.rows += s.rows
            self.row_problems += s.row_problems
            self.provisional += s.provisional
            years.update(s.provisional_years)
            for k, v in s.counts.items():
                self.counts[k] += v
        self.provisional_years = sorted(years)


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


# --------------------------------------------------------------------------------------------- the graph


def _token(obj: object) -> str:
    """A key from an object's content: the same source or job is one key, sent once per worker."""
    return hashlib.sha256(repr(obj).encode()).hexdigest()[:16]


def _graph(planned: Planned, shared: Any, task: Callable[..., Any] | None = None,
           number: int = 0) -> list[tuple[Source, int, list[Any]]]:
    """Per file: the part number of its notes, and one delayed ``task`` per piece (default
    :func:`~compliance.batch.partitions.run_piece`), called as ``task(piece or raw cells, first_row,
    source, number, shared)`` and returning two things. ``number`` counts the parts from the given one.

    A Parquet piece is read by the task that checks it (its first row is known from the footer). A
    CSV block is read by a task of its own: its first row is the previous block's first row plus that
    block's records, a chain of additions on the lengths, so each block is read once and its rows are
    numbered as in the single-machine path, while the checks still run side by side.
    """
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
        with contextlib.redirect_stdout(sys.stderr):
            progress_bar(futures)
    return client.gather(futures)


def _fresh_folder(url: str) -> None:
    """An empty folder at ``url`` (a dataset of an earlier run there is replaced, not mixed in)."""
    fs, path = url_to_fs(url)
    if fs.exists(path):
        if not fs.isdir(path):
            raise BatchError(f"{url}: exists and is not a folder")
        fs.rm(path, recursive=True)
    fs.makedirs(path, exist_ok=True)


# ------------------------------------------------------------------------------ batch check and employers


def run_check(client: Client, planned: Planned, out: str, as_of: dt.date,
              calendar_days: bool = False, progress: bool = False) -> BatchSummary:
    """Check every row of the planned inputs (``plan``) on the cluster; write ``out/results``
    (``CHECK_COLUMNS``, ``RESULT_DTYPES``) and ``out/problems`` (``PROBLEM_COLUMNS``: each file's notes,
    then its row problems, in row order) as Parquet datasets, replacing earlier ones."""
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


def run_employers(client: Client, planned: Planned, as_of: dt.date, calendar_days: bool = False,
                  progress: bool = False) -> tuple[pd.DataFrame, BatchSummary]:
    """``employers.summarise`` of every row of the planned inputs: aggregated per partition on the
    workers (``employers.partial``), combined here (``employers.combine``); only a few rows per employer
    and partition travel."""
    graph = _graph(planned, Job(as_of, calendar_days, dt.date.today(), notices_payload(), None))
    runs = [r for _, _, file_runs in graph for r in file_runs]
    (gathered,) = _compute(client, [delayed(list)(runs)], progress)
    summary = BatchSummary(files=len(planned), partitions=len(runs))
    summary.add([stats for stats, _ in gathered])
    return employers.combine([partial for _, partial in gathered]), summary


# ------------------------------------------------------------- cross-check (shared README section 8)


def run_crosscheck(client: Client, rosters: Planned, registry: Planned, out: str,
                   progress: bool = False) -> CrossSummary:
    """The cross-check of section 8 over roster files and registry extracts, as if every roster had been
    uploaded and every extract imported in command-line order: ``out`` becomes a Parquet dataset of the
    findings (``CROSSCHECK_COLUMNS``), each part in the order ``crosscheck`` gives.

    Three steps. Both sides' rows are staged, shuffled by SSN with Dask's shuffle (a person's rows meet
    in one partition) into ``out/_staging`` (:func:`_stage`). Then the two employer sets are gathered
    (the registry's employers; employers whose rosters list someone with the duty): without them
    ``not_in_registry`` and ``not_in_roster`` would come out wrong per partition (issue 15). Then each
    staged partition is cross-checked with ``crosscheck.crosscheck`` and written
    (:func:`_crosscheck_staged`). The staging folder is removed at the end.
    """
    out = out.rstrip("/")
    _fresh_folder(out)
    stage = f"{out}/{STAGING}"
    summary = CrossSummary(files=len(rosters) + len(registry))
    try:
        _stage(client, rosters, registry, stage, summary, progress)
        _crosscheck_staged(client, stage, out, summary, progress)
    finally:
        fs, root = url_to_fs(stage)
        if fs.exists(root):
            fs.rm(root, recursive=True)
    return summary


def _stage(client: Client, rosters: Planned, registry: Planned, stage: str, summary: CrossSummary,
           progress: bool) -> None:
    """Both sides' rows staged (``partitions.stage_piece``) and shuffled by SSN into ``stage``, in one
    graph with their counts, so each piece is read once; the counts go into ``summary``."""
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


def _union(arrays: list[np.ndarray]) -> pd.Index:
    """The distinct values of the partitions' arrays (none: an empty index)."""
    return pd.Index(pd.unique(np.concatenate(arrays or [np.empty(0, dtype=object)])))


def _crosscheck_staged(client: Client, stage: str, out: str, summary: CrossSummary, progress: bool) -> None:
    """The city's employer sets from every staged partition, then each partition cross-checked with
    them and written as a part of ``out``; the findings counted into ``summary``."""
    fs, parts = dataset_parts(stage)
    parts = [fs.unstrip_protocol(p) for p in parts]
    (sets,) = _compute(client, [delayed(list)([delayed(employer_sets_part)(p) for p in parts])], progress)
    in_registry = _union([a for a, _ in sets])
    rostered = _union([b for _, b in sets])
    in_registry_key = delayed(in_registry, name=f"shebao-in-registry-{uuid.uuid4().hex}")
    rostered_key = delayed(rostered, name=f"shebao-rostered-{uuid.uuid4().hex}")
    tasks = [delayed(crosscheck_part)(p, in_registry_key, rostered_key, out, i) for i, p in enumerate(parts)]
    (counts,) = _compute(client, [delayed(list)(tasks)], progress)
    for c in counts:
        for k, v in c.items():
            summary.findings[k] += v
    if not parts:  # nothing staged: an empty dataset with the columns still
        write_part(empty_frame(FINDING_DTYPES), out, 0, FINDING_DTYPES)


# ------------------------------------------------------------------------------------------ the cluster


def _worker_probe() -> str:
    """Runs on each worker at connection: unpickling it (it lives in this package) fails where the
    package is not installed."""
    return str(Path(compliance.__file__).parent)


@contextlib.contextmanager
def connect(scheduler: str | None = None, workers: int | None = None,
            timeout: float = 60) -> Iterator[Client]:
    """A client of the cluster at ``scheduler``, or of a local cluster of ``workers`` processes (one
    thread each; default the usable cores) started here and closed on the way out."""
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


# ----------------------------------------------------------------------------------- the command's lines


def parse_size(text: str) -> int:
    """'64MB', '512KiB', '1048576' as bytes (Dask's parser, so ``--blocksize`` reads as Dask's own do)."""
    try:
        return int(parse_bytes(text))
    except (ValueError, TypeError):
        raise BatchError(f"'{text}' is not a size (such as 64MB)") from None


def _describe(files: int, partitions: int) -> str:
    """'1 file, 3 partitions': what a run read, for both summary lines."""
    return f"{files} file{'s' if files != 1 else ''}, {partitions} partition{'s' if partitions != 1 else ''}"


def summary_line(summary: BatchSummary, out: str) -> str:
    """The line the single-machine check prints, for the batch."""
    counts = ", ".join(f"{k} {v}" for k, v in summary.counts.items())
    return (f"{summary.rows} rows checked ({_describe(summary.files, summary.partitions)}): {counts}; "
            f"{summary.row_problems} row problems -> {out}/results, {out}/problems")


def crosscheck_line(summary: CrossSummary, out: str) -> str:
    """The single-machine cross-check's line, with what the batch read."""
    total = sum(summary.findings.values())
    counts = ", ".join(f"{k} {v}" for k, v in summary.findings.items() if v) or "no findings"
    left = summary.roster_rows - summary.roster_kept + summary.registry_rows - summary.registry_kept
    return (f"{total} findings ({counts}) from {summary.roster_kept} roster rows and {summary.registry_kept} "
            f"registry records ({_describe(summary.files, summary.partitions)}); {left} rows take no part "
            f"(no valid ID number, no employer, or a text longer than the store keeps) -> {out}")


def provisional_warning(summary: BatchSummary) -> str | None:
    """The single-machine check's warning on provisional deadlines, or None."""
    if not summary.provisional_years:
        return None
    return (f"warning: no holiday notice for {', '.join(map(str, summary.provisional_years))}: "
            f"{summary.provisional} deadline(s) are provisional (weekends and statutory holidays only)")
