"""Benchmark of ``python -m compliance batch check`` on Dask (issue 15): time and memory past one process.

    python bench/scale_run.py [--rows 10000000] [--workers 1 2] [--partition-rows 500000]

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

Wall time is measured around each step; peak memory is the highest sum of RSS over the whole process
tree (this process, which hosts the scheduler, its worker and nanny processes, and the command's
process and its own cluster), polled every 0.1 s with psutil. RSS counts shared library pages once per
process, so the sum is an upper bound. Results: printed as a Markdown table and written to
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
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
AS_OF = "2025-11-20"
SEED = 20261128
GENERATOR_VERSION = 1  # bump when the generated content changes, so cached files are rebuilt
CHUNK_ROWS = 1_000_000  # rows generated per call of bench/run.py's make_roster


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


# ------------------------------------------------------------------------------------------ measuring


class TreePeak(threading.Thread):
    """Polls the summed RSS of a process and all its descendants; ``peak`` is the highest seen."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0
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
            self._stop_event.wait(self.interval)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        self.peak = max(self.peak, self.sample())
        return self.peak


@contextlib.contextmanager
def measured(record: dict, pid: int | None = None) -> Iterator[None]:
    """Wall seconds and peak tree RSS (MiB) of the block into ``record``."""
    peak = TreePeak(pid or os.getpid())
    peak.start()
    t0 = time.perf_counter()
    try:
        yield
    finally:
        record["wall_s"] = round(time.perf_counter() - t0, 2)
        record["peak_mib"] = round(peak.stop() / 2**20)


def run_command(cmd: list[str], record: dict, own_tree: bool) -> None:
    """Run a command from the repository root; time it and the peak RSS of its tree (``own_tree``) or
    of this process's whole tree (the cluster it uses included)."""
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    with measured(record, proc.pid if own_tree else None):
        out, err = proc.communicate()
    record["stdout"] = out.strip()
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


def bench_workers(path: Path, workers: int, scratch: Path, partition_rows: int, repeat: int = 1) -> dict:
    """The runs of one worker count (see the module docstring); each step ``repeat`` times."""
    import dask.dataframe as dd

    if str(REPO) not in sys.path:  # the workers (spawned: they get this sys.path) must import compliance
        sys.path.insert(0, str(REPO))
    batch = [sys.executable, "-m", "compliance", "batch", "check", str(path), "--as-of", AS_OF,
             "--partition-rows", str(partition_rows)]
    out: dict = {"workers": workers}
    floors, sames, owns = [], [], []
    for _ in range(repeat):
        with local_cluster(workers, out):
            floors.append({})
            with measured(floors[-1]):
                # one partition per row group, as batch reads them (Dask's default reads this file whole)
                dd.read_parquet(str(path), split_row_groups=True).to_parquet(
                    str(scratch / f"floor_{workers}"), write_index=False, overwrite=True)
        with local_cluster(workers, out) as client:  # a cluster of the same size, fresh as the floor's was
            sames.append({})
            run_command([*batch, "--out", str(scratch / f"same_{workers}"), "--scheduler",
                         client.scheduler.address], sames[-1], own_tree=False)
        owns.append({})
        run_command([*batch, "--out", str(scratch / f"own_{workers}"), "--workers", str(workers)], owns[-1],
                    own_tree=True)
    out["startup_s"] = min(out["startup_s"])
    out["floor"], out["batch_same_cluster"], out["batch_own_cluster"] = best(floors), best(sames), best(owns)
    f, s, o = out["floor"], out["batch_same_cluster"], out["batch_own_cluster"]
    log(f"  workers {workers}: start-up {out['startup_s']} s; bare read+write {f['wall_s']} s, {f['peak_mib']} MiB; "
        f"batch check {s['wall_s']} s, {s['peak_mib']} MiB ({s['wall_s'] / f['wall_s']:.2f}x); with its own "
        f"cluster {o['wall_s']} s, {o['peak_mib']} MiB")
    return out


def table(results: list[dict]) -> str:
    """The Markdown table of docs/scale.md."""
    lines = ["| rows | workers | cluster start-up s | bare read+write s / peak MiB | batch check (same cluster) s / "
             "peak MiB | ratio | batch check (own cluster) s / peak MiB |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        f, s, o = r["floor"], r["batch_same_cluster"], r["batch_own_cluster"]
        lines.append(f"| {r['rows']:,} | {r['workers']} | {r['startup_s']} | {f['wall_s']} / {f['peak_mib']:,} | "
                     f"{s['wall_s']} / {s['peak_mib']:,} | {s['wall_s'] / f['wall_s']:.2f}× | "
                     f"{o['wall_s']} / {o['peak_mib']:,} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000_000], help="row counts (default 10M)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts (default 1 2)")
    parser.add_argument("--partition-rows", type=int, default=500_000, help="Parquet row group size and partition")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each step: best wall time, highest peak")
    parser.add_argument("--generate", metavar="PATH", help=argparse.SUPPRESS)  # the generation child
    args = parser.parse_args(argv)
    if args.generate:
        generate(Path(args.generate), args.rows[0], args.partition_rows)
        return 0
    import pandas as pd
    import psutil

    results = []
    for rows in args.rows:
        path = ensure_parquet(rows, args.partition_rows)
        log(f"{rows:,} rows ({path.stat().st_size / 2**20:,.0f} MiB of Parquet)")
        for workers in args.workers:
            scratch = Path(tempfile.mkdtemp(prefix="scale_run_", dir=OUT))
            try:
                results.append({"rows": rows, **bench_workers(path, workers, scratch, args.partition_rows,
                                                              args.repeat)})
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
    report = {"measured_at": dt.datetime.now().isoformat(timespec="seconds"), "as_of": AS_OF,
              "host": {"python": platform.python_version(), "pandas": pd.__version__, "cpus": os.cpu_count(),
                       "usable_cpus": len(os.sched_getaffinity(0)),
                       "mem_total_gib": round(psutil.virtual_memory().total / 2**30, 1)},
              "partition_rows": args.partition_rows, "repeat": args.repeat, "runs": results}
    (OUT / "scale_results.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    log("\n" + table(results))
    log(f"\nwritten to {(OUT / 'scale_results.json').relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
