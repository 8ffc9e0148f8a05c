"""Benchmark of ``python -m compliance batch check`` and ``batch crosscheck`` on Dask (issue 15).

    python bench/scale_run.py [--rows 10000000] [--workers 1 2] [--partition-rows 500000] [--repeat N]
    python bench/scale_run.py --rows 10000000 --crosscheck --no-check [--registry-rows 8000000]
    python bench/scale_run.py --chart      # only redraw docs/scale-chart.png from the results

1. Generates a roster as Parquet into ``bench/out/scale_<rows>.parquet`` (cached): bench/run.py's
   vectorised generator (USCCs, names, ID numbers with 1 % broken, every registration category, dates
   in three written forms and unreadable ones), 1M rows per call, written as text columns (what a CSV
   export converted to Parquet holds), row groups of ``--partition-rows``. Runs in a child process so
   that its arrays do not count in the measurements.
2. For each ``--workers`` count, on local clusters of that many processes (one thread each), each
   started fresh for its step (so no step's memory counts in another's, and every step pays the
   workers' imports):
   * the cluster's start-up time (``LocalCluster`` + ``Client`` until every worker is up);
   * a bare Dask read + write of the same Parquet (``dd.read_parquet(..., split_row_groups=True)
     .to_parquet(...)``: one partition per row group, as batch has them; Dask's default reads a
     single file of this size as one partition, on one worker): the floor;
   * ``python -m compliance batch check FILE --scheduler ADDRESS`` on a cluster of the same size;
   * as a user runs it, ``batch check FILE --workers N``, starting and closing its own cluster.
   With ``--repeat N`` each step runs N times: the best wall time and the highest peak are reported
   (this shared machine's timings vary by 20-40 % from run to run).

3. With ``--crosscheck``: a registry extract of ``--registry-rows`` rows (default 0.8 x the roster's)
   derived from the roster Parquet into ``bench/out/scale_registry_<rows>_of_<roster rows>.parquet``
   (cached; a child process, one row group at a time, vectorised: :func:`generate_registry` tells the
   mix), then per ``--workers`` count, each step on a fresh cluster as above: the floor, a bare Dask
   read + write of both inputs; ``batch crosscheck --rosters R --registry G --scheduler ADDRESS``;
   ``batch crosscheck ... --workers N``. And once, beside them, the single-process path: one Python
   process that stages every partition of both files in turn with the batch's own stage function,
   concatenates them and calls ``crosscheck.crosscheck`` on the whole (:func:`single_crosscheck`),
   killed if its memory passes ``--single-limit-gib``.
4. ``--chart`` (alone, or after the runs): docs/scale-chart.png from ``bench/out/scale_results.json``
   (matplotlib, Agg): seconds and peak GiB against rows, per worker count, with the floor.

Results of every run are merged into ``bench/out/scale_results.json`` (a run replaces the earlier one of
the same kind, rows and workers), so row counts can be measured in separate invocations.

Wall time is measured around each step; peak memory is the highest sum of RSS over the whole process
tree (this process, which hosts the scheduler, its worker and nanny processes, and the command's
process and its own cluster), polled every 0.1 s with psutil. RSS counts shared library pages once per
process, so the sum is an upper bound. Results: printed as Markdown tables and merged into
``bench/out/scale_results.json``.

Guarded entry point: the local cluster's workers re-import the main module.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
AS_OF = "2025-11-20"
SEED = 20261128
GENERATOR_VERSION = 1  # bump when the generated content changes, so cached files are rebuilt
REGISTRY_VERSION = 1  # the same for the registry extract
CHUNK_ROWS = 1_000_000  # rows generated per call of bench/run.py's make_roster
RESULTS = OUT / "scale_results.json"
CHART = REPO / "docs" / "scale-chart.png"


def log(msg: str) -> None:
    print(msg, flush=True)


def label(rows: int) -> str:
    return f"{rows // 1_000_000}m" if rows % 1_000_000 == 0 else f"{rows // 1000}k" if rows % 1000 == 0 else str(rows)


# ------------------------------------------------------------------------------------------- generation


def _generator() -> ModuleType:
    """bench/run.py, imported by path (bench/ is no package); its generator functions are reused."""
    spec = importlib.util.spec_from_file_location("bench_run", REPO / "bench" / "run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def generate(path: Path, rows: int, row_group: int) -> None:
    """Write ``rows`` generated roster rows to ``path`` as Parquet, 1M rows at a time (bounded memory)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    gen = _generator()
    gen.log = lambda _msg: None  # its progress lines are per million rows
    tmp = path.with_suffix(".part")
    writer = None
    for i, start in enumerate(range(0, rows, CHUNK_ROWS)):
        n = min(CHUNK_ROWS, rows - start)
        r = gen.make_roster(n, SEED + i)
        reg = gen.date_text(r.reg, r.reg_fmt)
        reg[r.reg_garbage] = "待补"
        wage = np.where(np.isnan(r.wage), "", np.nan_to_num(r.wage).astype(np.int64).astype("U6"))
        table = pa.table({
            "employer_id": r.employer_id, "employer_name": r.employer_name, "name": r.name, "id_number": r.id_number,
            "hire_date": pa.array(gen.date_text(r.hire, r.hire_fmt).tolist(), pa.string()),
            "registration_date": pa.array(reg.tolist(), pa.string()), "card_status": r.card_status,
            "wage": wage})
        if writer is None:
            writer = pq.ParquetWriter(tmp, table.schema)
        writer.write_table(table, row_group_size=row_group)
        log(f"  generated {start + n:,}/{rows:,} rows")
    assert writer is not None
    writer.close()
    tmp.replace(path)


def ensure_parquet(rows: int, row_group: int) -> Path:
    """The cached Parquet of ``rows`` rows, generated in a child process when missing or stale."""
    path = OUT / f"scale_{label(rows)}.parquet"
    meta = path.with_name(path.name + ".meta.json")
    want = {"rows": rows, "row_group": row_group, "generator": GENERATOR_VERSION, "seed": SEED}
    if path.exists() and meta.exists() and json.loads(meta.read_text()) == {**want, "bytes": path.stat().st_size}:
        log(f"reusing {path.relative_to(REPO)}")
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    log(f"generating {path.relative_to(REPO)} ({rows:,} rows) ...")
    subprocess.run([sys.executable, __file__, "--generate", str(path), "--rows", str(rows),
                    "--partition-rows", str(row_group)], check=True)
    meta.write_text(json.dumps({**want, "bytes": path.stat().st_size}))
    return path


def _dates(text: Any) -> Any:
    """Roster date texts (ISO, 2025/3/5, 2025年3月5日, blank, unreadable) as datetime64[D]; NaT if unreadable."""
    import pandas as pd

    iso = pd.Series(text, dtype="string").str.replace("年", "-").str.replace("月", "-").str.replace("日", "") \
        .str.replace("/", "-")
    return pd.to_datetime(iso, format="%Y-%m-%d", errors="coerce").to_numpy().astype("datetime64[D]")


def generate_registry(roster: Path, path: Path, rows: int, row_group: int) -> None:
    """A registry extract (ssn, employer_id, registration_date as ISO text) of about ``rows`` records
    derived from the roster Parquet, one roster row group at a time (bounded memory, vectorised). The
    mix, after bench/store_run.py's make_registry, per roster row group:

    * most roster people with a registration date, at the same date (those not drawn: missing from the
      registry, ``not_in_registry``); of them 3 % registered 10 days later and 1 % 1-60 days earlier
      than the roster says (``date_mismatch``);
    * 20 % of the people the roster gives no registration date but a hire date, registered 0-29 days
      after hire (``roster_date_missing``);
    * 1 % of the records again under another employer of the roster (the person registered elsewhere
      too: ``not_in_roster``), 1 % people on no roster at a roster's employer (``not_in_roster``),
      0.2 % at 20 employers that are on no roster (in the registry only);
    * 0.5 % later records for an (employer, person) already listed, appended after the group's records:
      a correction back to the roster's date or a date 1-29 days later (the later record counts).

    Records sorted by employer within a group, as an agency extract is; about 1 % of the new people's
    ID numbers carry a wrong check character (bench/run.py's generator), records the cross-check skips.
    Row groups of ``row_group`` records."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    gen = _generator()
    src = pq.ParquetFile(roster)
    total = src.metadata.num_rows
    lo, hi = np.datetime64("2023-01-01"), np.datetime64("2025-11-30")
    tmp = path.with_suffix(".part")
    writer = None
    pending: list[Any] = []
    buffered = written = done = 0

    def flush(final: bool) -> None:
        nonlocal writer, pending, buffered, written
        if not pending:
            return
        table = pa.concat_tables(pending)
        while table.num_rows >= row_group or (final and table.num_rows):
            head = table.slice(0, row_group)
            if writer is None:
                writer = pq.ParquetWriter(tmp, head.schema)
            writer.write_table(head, row_group_size=row_group)
            written += head.num_rows
            table = table.slice(head.num_rows)
        pending, buffered = ([table] if table.num_rows else []), table.num_rows

    for g in range(src.metadata.num_row_groups):
        part = src.read_row_group(g, columns=["employer_id", "id_number", "hire_date", "registration_date"])
        n = part.num_rows
        target = round(rows * (done + n) / total) - round(rows * done / total)
        done += n
        rng = np.random.default_rng(SEED + 7919 + g)
        employer = np.asarray(part.column("employer_id").to_pylist(), dtype=object)
        ssn = np.asarray(part.column("id_number").to_pylist(), dtype=object)
        reg = _dates(part.column("registration_date").to_pylist())
        hire = _dates(part.column("hire_date").to_pylist())
        employers = np.unique(employer)
        undated = np.flatnonzero(np.isnat(reg) & ~np.isnat(hire))
        n_missing_date = min(round(0.2 * len(undated)), target)
        n_elsewhere, n_new, n_only, n_later = (round(share * target) for share in (0.01, 0.01, 0.002, 0.005))
        dated = np.flatnonzero(~np.isnat(reg))
        n_base = max(min(target - n_missing_date - n_elsewhere - n_new - n_only - n_later, len(dated)), 0)
        base = np.sort(rng.choice(dated, n_base, replace=False))
        base_dates = reg[base].copy()
        u = rng.random(n_base)
        base_dates[u < 0.03] += np.timedelta64(10, "D")
        earlier = (u >= 0.03) & (u < 0.04)
        base_dates[earlier] -= rng.integers(1, 61, int(earlier.sum())).astype("timedelta64[D]")
        late_hire = rng.choice(undated, n_missing_date, replace=False) if n_missing_date else undated[:0]
        again = rng.choice(base, n_elsewhere) if n_base else base[:0]
        new_ids = gen.make_ids(rng, n_new + n_only).astype(object)
        only_employers, _ = gen.make_employers(rng, 20)
        span = int((hi - lo).astype(int))
        parts_e = [employer[base], employer[late_hire], employers[rng.integers(0, len(employers), len(again))],
                   employers[rng.integers(0, len(employers), n_new)],
                   only_employers.astype(object)[rng.integers(0, 20, n_only)]]
        parts_s = [ssn[base], ssn[late_hire], ssn[again], new_ids[:n_new], new_ids[n_new:]]
        parts_d = [base_dates, hire[late_hire] + rng.integers(0, 30, len(late_hire)).astype("timedelta64[D]"),
                   reg[again], lo + rng.integers(0, span, n_new).astype("timedelta64[D]"),
                   lo + rng.integers(0, span, n_only).astype("timedelta64[D]")]
        e, s_, d = (np.concatenate(x) for x in (parts_e, parts_s, parts_d))
        order = np.argsort(e.astype(str), kind="stable")
        e, s_, d = e[order], s_[order], d[order]
        later = rng.choice(n_base, min(n_later, n_base), replace=False) if n_base else np.empty(0, dtype=np.int64)
        back = rng.random(len(later)) < 0.5  # half of them put the roster's date back, half move it on
        later_dates = np.where(back, reg[base][later],
                               base_dates[later] + rng.integers(1, 30, len(later)).astype("timedelta64[D]"))
        e = np.concatenate([e, employer[base][later]])
        s_ = np.concatenate([s_, ssn[base][later]])
        d = np.concatenate([d, later_dates])
        pending.append(pa.table({"ssn": pa.array(s_.tolist(), pa.string()),
                                 "employer_id": pa.array(e.tolist(), pa.string()),
                                 "registration_date": pa.array(np.datetime_as_string(d, unit="D").tolist(),
                                                               pa.string())}))
        buffered += len(e)
        if buffered >= row_group:
            flush(final=False)
        log(f"  registry: {done:,}/{total:,} roster rows read, {written + buffered:,} records")
    flush(final=True)
    assert writer is not None
    writer.close()
    tmp.replace(path)


def ensure_registry(roster: Path, roster_rows: int, rows: int, row_group: int) -> Path:
    """The cached registry extract derived from ``roster``, generated in a child process when missing
    or stale."""
    path = OUT / f"scale_registry_{label(rows)}_of_{label(roster_rows)}.parquet"
    meta = path.with_name(path.name + ".meta.json")
    want = {"rows": rows, "roster": roster.name, "roster_bytes": roster.stat().st_size, "row_group": row_group,
            "generator": REGISTRY_VERSION, "seed": SEED}
    if path.exists() and meta.exists() and json.loads(meta.read_text()) == {**want, "bytes": path.stat().st_size}:
        log(f"reusing {path.relative_to(REPO)}")
        return path
    log(f"generating {path.relative_to(REPO)} (about {rows:,} records from {roster.name}) ...")
    subprocess.run([sys.executable, __file__, "--generate-registry", str(path), str(roster), "--registry-rows",
                    str(rows), "--partition-rows", str(row_group)], check=True)
    meta.write_text(json.dumps({**want, "bytes": path.stat().st_size}))
    return path


def single_crosscheck(rosters: str, registry: str, out: str, partition_rows: int) -> None:
    """The single-process path (run in a child): every partition of both files staged in turn with
    ``compliance.batch.partitions.stage_piece`` (read, ``partition_roster``, the engine's normalise, the
    store's rule of which rows take part), numbered as ``run_crosscheck`` numbers them; all of them
    concatenated, the store's view of both sides (``partitions.sides``), then ``crosscheck.crosscheck`` on
    the whole frames (the employer sets from the whole, its defaults); the findings as one Parquet
    file. Prints the command's count line."""
    import pandas as pd

    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from compliance.batch.partitions import FINDING_DTYPES, REGISTRY, ROSTER, sides, stage_piece
    from compliance.batch.plan import plan
    from compliance.crosscheck import FINDINGS, crosscheck

    frames = []
    number = 0
    for side, inputs in ((ROSTER, [rosters]), (REGISTRY, [registry])):
        for source, pieces in plan(inputs, partition_rows=partition_rows):
            number += 1  # the file's notes part, as run_crosscheck numbers the parts
            for piece in pieces:
                _, staged = stage_piece(piece, piece.first_row, source, number, side)
                frames.append(staged)
                number += 1
    staged = pd.concat(frames, ignore_index=True)
    del frames
    roster, records = sides(staged)
    del staged
    codes, files = pd.factorize(records["source_file"])
    found = crosscheck(roster, records.assign(upload_id=codes), dict(enumerate(files)))
    Path(out).mkdir(parents=True, exist_ok=True)
    found.astype(FINDING_DTYPES).to_parquet(Path(out) / "findings.parquet", index=False)
    counts = found["finding"].value_counts()
    print(f"{len(found)} findings ({', '.join(f'{k} {int(counts.get(k, 0))}' for k in FINDINGS)}) from "
          f"{len(roster)} roster rows and {len(records)} registry records")


# ------------------------------------------------------------------------------------------ measuring


class TreePeak(threading.Thread):
    """Polls the summed RSS of a process and all its descendants; ``peak`` is the highest seen."""

    def __init__(self, pid: int, interval: float = 0.1, limit: int | None = None) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak, self.limit, self.killed = pid, interval, 0, limit, False
        self._stop_event = threading.Event()

    def sample(self) -> int:
        import psutil

        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return 0
        total = 0
        for p in procs:
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, self.sample())
            if self.limit and self.peak > self.limit and not self.killed:
                self.kill()
            self._stop_event.wait(self.interval)

    def kill(self) -> None:
        """Kill the watched process and its descendants (a child this script started)."""
        import psutil

        self.killed = True
        with contextlib.suppress(psutil.Error):
            root = psutil.Process(self.pid)
            for p in [*root.children(recursive=True), root]:
                with contextlib.suppress(psutil.Error):
                    p.kill()

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        self.peak = max(self.peak, self.sample())
        return self.peak


@contextlib.contextmanager
def measured(record: dict, pid: int | None = None, limit: int | None = None) -> Iterator[None]:
    """Wall seconds and peak tree RSS (MiB) of the block into ``record``; with ``limit`` (bytes) the
    process ``pid`` and its tree are killed when their RSS passes it (``record["killed"]``)."""
    peak = TreePeak(pid or os.getpid(), limit=limit)
    peak.start()
    t0 = time.perf_counter()
    try:
        yield
    finally:
        record["wall_s"] = round(time.perf_counter() - t0, 2)
        record["peak_mib"] = round(peak.stop() / 2**20)
        if peak.killed:
            record["killed"] = f"killed at {peak.peak / 2**30:.1f} GiB (limit {limit / 2**30:.0f} GiB)"


def run_command(cmd: list[str], record: dict, own_tree: bool, limit: int | None = None) -> None:
    """Run a command from the repository root; time it and the peak RSS of its tree (``own_tree``) or
    of this process's whole tree (the cluster it uses included). ``limit``: see :func:`measured`."""
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with measured(record, proc.pid if own_tree else None, limit if own_tree else None):
        out, err = proc.communicate()
    record["stdout"] = out.strip()
    if record.get("killed"):
        return
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {err.strip()[-2000:]}")


def best(records: list[dict]) -> dict:
    """Of repeated runs: the fastest wall time, the highest peak (a peak is not luck)."""
    fastest = min(records, key=lambda r: r["wall_s"])
    return {**fastest, "peak_mib": max(r["peak_mib"] for r in records), "walls_s": [r["wall_s"] for r in records]}


@contextlib.contextmanager
def local_cluster(workers: int, record: dict) -> Iterator[Any]:
    """A fresh local cluster (processes, one thread each) and its client; start-up seconds into ``record``.

    Fresh for every step rather than ``client.restart()``: on this shared machine a restarted worker
    twice failed to come back within three minutes."""
    from distributed import Client, LocalCluster

    t0 = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        client.wait_for_workers(workers)
        record.setdefault("startup_s", []).append(round(time.perf_counter() - t0, 2))
        yield client


def three_steps(workers: int, floor: Callable[[], None], batch: list[str], scratch: Path, repeat: int) -> dict:
    """The three measured steps of one worker count, each ``repeat`` times on fresh local clusters: the floor,
    the command with ``--scheduler`` on a cluster of the same size, the command with its own cluster."""
    out: dict = {"workers": workers}
    floors, sames, owns = [], [], []
    for _ in range(repeat):
        with local_cluster(workers, out):
            floors.append({})
            with measured(floors[-1]):
                floor()
        with local_cluster(workers, out) as client:  # a cluster of the same size, fresh as the floor's was
            sames.append({})
            run_command([*batch, "--out", str(scratch / f"same_{workers}"), "--scheduler",
                         client.scheduler.address], sames[-1], own_tree=False)
        owns.append({})
        run_command([*batch, "--out", str(scratch / f"own_{workers}"), "--workers", str(workers)], owns[-1],
                    own_tree=True)
    out["startup_s"] = min(out["startup_s"])
    out["floor"], out["batch_same_cluster"], out["batch_own_cluster"] = best(floors), best(sames), best(owns)
    return out


def bench_workers(path: Path, workers: int, scratch: Path, partition_rows: int, repeat: int = 1) -> dict:
    """The runs of one worker count (see the module docstring); each step ``repeat`` times."""
    import dask.dataframe as dd

    if str(REPO) not in sys.path:  # the workers (spawned: they get this sys.path) must import compliance
        sys.path.insert(0, str(REPO))
    batch = [sys.executable, "-m", "compliance", "batch", "check", str(path), "--as-of", AS_OF,
             "--partition-rows", str(partition_rows)]
    def floor() -> None:  # one partition per row group, as batch reads them (Dask's default: the file whole)
        dd.read_parquet(str(path), split_row_groups=True).to_parquet(
            str(scratch / f"floor_{workers}"), write_index=False, overwrite=True)

    out = three_steps(workers, floor, batch, scratch, repeat)
    f, s, o = out["floor"], out["batch_same_cluster"], out["batch_own_cluster"]
    log(f"  workers {workers}: start-up {out['startup_s']} s; bare read+write {f['wall_s']} s, {f['peak_mib']} MiB; "
        f"batch check {s['wall_s']} s, {s['peak_mib']} MiB ({s['wall_s'] / f['wall_s']:.2f}x); with its own "
        f"cluster {o['wall_s']} s, {o['peak_mib']} MiB")
    return out


def findings_of(line: str) -> dict[str, int]:
    """The counts per finding of a cross-check's count line (``... (not_in_registry 12, ...) ...``)."""
    import re

    return {k: int(v) for k, v in re.findall(r"([a-z_]+) (\d+)", line.split("(", 1)[1].split(")", 1)[0])}


def bench_crosscheck(roster: Path, registry: Path, workers: int, scratch: Path, partition_rows: int,
                     repeat: int = 1) -> dict:
    """``batch crosscheck`` on one worker count: floor, same cluster, own cluster (module docstring)."""
    import dask
    import dask.dataframe as dd

    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    batch = [sys.executable, "-m", "compliance", "batch", "crosscheck", "--rosters", str(roster), "--registry",
             str(registry), "--partition-rows", str(partition_rows)]
    def floor() -> None:  # both inputs in one compute
        dask.compute(*(dd.read_parquet(str(p), split_row_groups=True).to_parquet(
            str(scratch / f"floor_{workers}_{i}"), write_index=False, overwrite=True, compute=False)
            for i, p in enumerate((roster, registry))))

    out = three_steps(workers, floor, batch, scratch, repeat)
    out["findings"] = findings_of(out["batch_same_cluster"]["stdout"])
    f, s, o = out["floor"], out["batch_same_cluster"], out["batch_own_cluster"]
    log(f"  crosscheck, workers {workers}: start-up {out['startup_s']} s; bare read+write of both {f['wall_s']} s, "
        f"{f['peak_mib']} MiB; batch crosscheck {s['wall_s']} s, {s['peak_mib']} MiB "
        f"({s['wall_s'] / f['wall_s']:.2f}x); with its own cluster {o['wall_s']} s, {o['peak_mib']} MiB")
    return out


def bench_single(roster: Path, registry: Path, scratch: Path, partition_rows: int, limit_gib: float) -> dict:
    """The single-process path (:func:`single_crosscheck`) in a child, killed past ``limit_gib``."""
    record: dict = {}
    run_command([sys.executable, __file__, "--single-crosscheck", str(roster), str(registry), str(scratch / "single"),
                 "--partition-rows", str(partition_rows)], record, own_tree=True, limit=int(limit_gib * 2**30))
    if not record.get("killed"):
        record["findings"] = findings_of(record["stdout"])
    log(f"  single process: {record['wall_s']} s, {record['peak_mib']} MiB {record.get('killed', '')}")
    return record


def _gib(mib: float) -> str:
    return f"{mib / 1024:.2f}"


def table(results: list[dict]) -> str:
    """The Markdown table of batch check runs (docs/scale-benchmark.md)."""
    lines = ["| rows | workers | cluster start-up s | bare read+write s / peak GiB | batch check (same cluster) s / "
             "peak GiB | ratio | batch check (own cluster) s / peak GiB |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in sorted(results, key=lambda r: (r["rows"], r["workers"])):
        f, s, o = r["floor"], r["batch_same_cluster"], r["batch_own_cluster"]
        lines.append(f"| {r['rows']:,} | {r['workers']} | {r['startup_s']} | {f['wall_s']} / {_gib(f['peak_mib'])} | "
                     f"{s['wall_s']} / {_gib(s['peak_mib'])} | {s['wall_s'] / f['wall_s']:.2f}× | "
                     f"{o['wall_s']} / {_gib(o['peak_mib'])} |")
    return "\n".join(lines)


def cross_table(results: list[dict], singles: list[dict]) -> str:
    """The Markdown table of batch crosscheck runs and the single-process path beside them."""
    lines = ["| roster × registry rows | workers | cluster start-up s | bare read+write of both s / peak GiB | "
             "batch crosscheck (same cluster) s / peak GiB | ratio | batch crosscheck (own cluster) s / peak GiB |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in sorted(results, key=lambda r: (r["rows"], r["registry_rows"], r["workers"])):
        f, s, o = r["floor"], r["batch_same_cluster"], r["batch_own_cluster"]
        lines.append(f"| {r['rows']:,} × {r['registry_rows']:,} | {r['workers']} | {r['startup_s']} | "
                     f"{f['wall_s']} / {_gib(f['peak_mib'])} | {s['wall_s']} / {_gib(s['peak_mib'])} | "
                     f"{s['wall_s'] / f['wall_s']:.2f}× | {o['wall_s']} / {_gib(o['peak_mib'])} |")
    for r in sorted(singles, key=lambda r: (r["rows"], r["registry_rows"])):
        lines.append(f"| {r['rows']:,} × {r['registry_rows']:,} | single process | – | – | – | – | "
                     f"{r['wall_s']} / {_gib(r['peak_mib'])}{' (' + r['killed'] + ')' if r.get('killed') else ''} |")
    return "\n".join(lines)


def load_results() -> dict:
    """bench/out/scale_results.json, or an empty report."""
    if RESULTS.exists():
        report = json.loads(RESULTS.read_text())
        report.setdefault("crosscheck", [])
        report.setdefault("single_crosscheck", [])
        return report
    return {"runs": [], "crosscheck": [], "single_crosscheck": []}


def merge(report: dict, kind: str, record: dict, keys: tuple[str, ...]) -> None:
    """``record`` into ``report[kind]``, replacing a run of the same ``keys``."""
    key = tuple(record[k] for k in keys)
    report[kind] = [r for r in report[kind] if tuple(r.get(k) for k in keys) != key] + [record]


def chart(report: dict, path: Path = CHART) -> None:
    """Two panels from the results: seconds and peak GiB against rows, per worker count (batch check on
    the same cluster, with its own cluster, the bare read+write floor), the cross-check's runs beside."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_t, ax_m) = plt.subplots(1, 2, figsize=(12, 4.8))
    colours = {1: "tab:blue", 2: "tab:orange"}
    runs = report.get("runs", [])
    for workers in sorted({r["workers"] for r in runs}):
        mine = sorted((r for r in runs if r["workers"] == workers), key=lambda r: r["rows"])
        x = [r["rows"] / 1e6 for r in mine]
        c = colours.get(workers)
        for ax, value, scale in ((ax_t, "wall_s", 1), (ax_m, "peak_mib", 1 / 1024)):
            ax.plot(x, [r["batch_same_cluster"][value] * scale for r in mine], "o-", color=c,
                    label=f"batch check, {workers} worker{'s' if workers > 1 else ''}")
            ax.plot(x, [r["floor"][value] * scale for r in mine], "s--", color=c, alpha=0.6,
                    label=f"bare Dask read+write, {workers} worker{'s' if workers > 1 else ''}")
    cross = report.get("crosscheck", [])
    for workers in sorted({r["workers"] for r in cross}):
        mine = sorted((r for r in cross if r["workers"] == workers), key=lambda r: r["rows"])
        x = [r["rows"] / 1e6 for r in mine]
        c = colours.get(workers)
        w = f"{workers} worker{'s' if workers > 1 else ''}"
        for ax, value, scale in ((ax_t, "wall_s", 1), (ax_m, "peak_mib", 1 / 1024)):
            ax.plot(x, [r["batch_same_cluster"][value] * scale for r in mine], "D-.", color=c, markersize=7,
                    markerfacecolor="none", label=f"batch crosscheck (registry 0.8 × rows), {w}")
            ax.plot(x, [r["floor"][value] * scale for r in mine], "v:", color=c, markersize=7,
                    markerfacecolor="none", alpha=0.6, label=f"its floor (read+write of both inputs), {w}")
    singles = sorted(report.get("single_crosscheck", []), key=lambda r: r["rows"])
    if singles:
        for ax, value, scale in ((ax_t, "wall_s", 1), (ax_m, "peak_mib", 1 / 1024)):
            ax.plot([r["rows"] / 1e6 for r in singles], [r[value] * scale for r in singles], "X-.", color="black",
                    markersize=8, label="crosscheck in one process (pandas)")
    ax_m.axhline(3e9 / 2**30, color="tab:red", linestyle=":", linewidth=1, label="target: check < 3 GB")
    ax_m.axhline(4e9 / 2**30, color="tab:purple", linestyle=":", linewidth=1, label="target: crosscheck < 4 GB")
    ax_t.set(xlabel="roster rows (millions)", ylabel="wall seconds", title="Time")
    ax_m.set(xlabel="roster rows (millions)", ylabel="peak RSS of the process tree (GiB)", title="Peak memory")
    for ax in (ax_t, ax_m):
        ax.grid(True, alpha=0.3)
        ax.set_xlim(left=0)
        ax.set_ylim(bottom=0)
    ax_m.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.02, 1.0))
    host = report.get("host", {})
    fig.suptitle(f"python -m compliance batch on a local Dask cluster ({host.get('usable_cpus', '?')} cores, "
                 f"partitions of {report.get('partition_rows', 500_000):,} rows)", fontsize=11)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    log(f"chart written to {path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000_000], help="row counts (default 10M)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts (default 1 2)")
    parser.add_argument("--partition-rows", type=int, default=500_000, help="Parquet row group size and partition")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each step: best wall time, highest peak")
    parser.add_argument("--crosscheck", action="store_true", help="also benchmark batch crosscheck")
    parser.add_argument("--registry-rows", type=int, help="registry records (default 0.8 x the roster rows)")
    parser.add_argument("--no-check", action="store_true", help="skip the batch check runs")
    parser.add_argument("--no-single", action="store_true", help="skip the single-process cross-check")
    parser.add_argument("--single-limit-gib", type=float, default=18.0,
                        help="kill the single-process cross-check past this peak (default 18 GiB)")
    parser.add_argument("--chart", action="store_true",
                        help="redraw docs/scale-chart.png from bench/out/scale_results.json (alone: no runs)")
    parser.add_argument("--generate", metavar="PATH", help=argparse.SUPPRESS)  # the generation child
    parser.add_argument("--generate-registry", nargs=2, metavar=("PATH", "ROSTER"), help=argparse.SUPPRESS)
    parser.add_argument("--single-crosscheck", nargs=3, metavar=("ROSTER", "REGISTRY", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate:
        generate(Path(args.generate), args.rows[0], args.partition_rows)
        return 0
    if args.generate_registry:
        generate_registry(Path(args.generate_registry[1]), Path(args.generate_registry[0]), args.registry_rows,
                          args.partition_rows)
        return 0
    if args.single_crosscheck:
        single_crosscheck(*args.single_crosscheck, args.partition_rows)
        return 0
    if args.chart and not any(a.startswith("--rows") or a == "--crosscheck" for a in (argv or sys.argv[1:])):
        chart(load_results())
        return 0
    import pandas as pd
    import psutil

    report = load_results()
    report.update({"as_of": AS_OF, "partition_rows": args.partition_rows,
                   "host": {"python": platform.python_version(), "pandas": pd.__version__, "cpus": os.cpu_count(),
                            "usable_cpus": len(os.sched_getaffinity(0)),
                            "mem_total_gib": round(psutil.virtual_memory().total / 2**30, 1)}})

    def save() -> None:
        report["measured_at"] = dt.datetime.now().isoformat(timespec="seconds")
        RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False))

    for rows in args.rows:
        path = ensure_parquet(rows, args.partition_rows)
        log(f"{rows:,} rows ({path.stat().st_size / 2**20:,.0f} MiB of Parquet)")
        stamp = {"rows": rows, "repeat": args.repeat, "measured_at": dt.datetime.now().isoformat(timespec="seconds")}
        if not args.no_check:
            for workers in args.workers:
                scratch = Path(tempfile.mkdtemp(prefix="scale_run_", dir=OUT))
                try:
                    merge(report, "runs", {**stamp, **bench_workers(path, workers, scratch, args.partition_rows,
                                                                    args.repeat)}, ("rows", "workers"))
                finally:
                    shutil.rmtree(scratch, ignore_errors=True)
                save()
        if args.crosscheck:
            registry_rows = args.registry_rows or rows * 4 // 5
            registry = ensure_registry(path, rows, registry_rows, args.partition_rows)
            log(f"cross-check: {rows:,} roster rows x {registry_rows:,} registry records "
                f"({registry.stat().st_size / 2**20:,.0f} MiB of Parquet)")
            stamp = {**stamp, "registry_rows": registry_rows}
            for workers in args.workers:
                scratch = Path(tempfile.mkdtemp(prefix="scale_run_", dir=OUT))
                try:
                    merge(report, "crosscheck", {**stamp, **bench_crosscheck(path, registry, workers, scratch,
                                                                             args.partition_rows, args.repeat)},
                          ("rows", "registry_rows", "workers"))
                finally:
                    shutil.rmtree(scratch, ignore_errors=True)
                save()
            if not args.no_single:
                scratch = Path(tempfile.mkdtemp(prefix="scale_run_", dir=OUT))
                try:
                    merge(report, "single_crosscheck", {**stamp, **bench_single(
                        path, registry, scratch, args.partition_rows, args.single_limit_gib)},
                        ("rows", "registry_rows"))
                finally:
                    shutil.rmtree(scratch, ignore_errors=True)
                save()
    save()
    log("\n" + table(report["runs"]))
    if report["crosscheck"] or report["single_crosscheck"]:
        log("\n" + cross_table(report["crosscheck"], report["single_crosscheck"]))
    log(f"\nmerged into {RESULTS.relative_to(REPO)}")
    if args.chart:
        chart(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
