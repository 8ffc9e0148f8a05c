"""Store benchmark: the 1M-row roster stored, its registry extract imported, cross-checked — against a floor.

    python bench/store_run.py [--rows 1000000] [--repeat 1] [--db postgresql+psycopg://user@host:port/db]

Uses bench/out/roster_1m.csv from bench/run.py (made if missing) and derives a registry extract
from it with numpy (most people registered as the roster says, some dates differing, some records
missing, some extra people). Then times, each in a child process (wall time, peak RSS):

* ours: ``python -m compliance upload``, ``import-registry``, ``crosscheck --out`` on a fresh store;
* the floor, the same work with nothing but pandas and the driver: ``read_csv(dtype=str)``, the
  rows as tuples into an indexed table (SQLite: ``executemany``; PostgreSQL: ``COPY``), the same
  for the registry (later record replaces the earlier one), an indexed join in SQL that finds the
  same five kinds of differences, read into pandas and written with ``to_csv``.

Targets on SQLite: total at most 2x the floor; peak memory of each of our steps under 1 GiB. On
PostgreSQL (``--db``: a server URL; the benchmark creates and drops the databases
``shebao_store_bench`` and ``shebao_store_bench_floor`` there) the same table, no target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # bench/run.py: generators and the timing launcher

RATIO_TARGET = 2.0
MEMORY_TARGET_MIB = 1024
STEPS = ["upload_roster", "import_registry", "crosscheck"]
PG_DATABASES = ("shebao_store_bench", "shebao_store_bench_floor")


def make_registry(roster_path: Path, out: Path, seed: int = 7) -> int:
    """Registry rows from a roster: 5% missing, 3% dates +10 days, 1% extra people. Vectorised."""
    roster = pd.read_csv(roster_path, dtype=str, keep_default_na=False,
                         usecols=["employer_id", "id_number", "registration_date"])
    rng = np.random.default_rng(seed)
    keep = rng.random(len(roster)) >= 0.05
    reg = roster[keep & (roster["registration_date"] != "")].copy()
    dates = pd.to_datetime(reg["registration_date"].str.replace("年", "-").str.replace("月", "-")
                           .str.replace("日", "").str.replace("/", "-"), errors="coerce")
    shift = rng.random(len(reg)) < 0.03
    dates = dates + pd.to_timedelta(np.where(shift, 10, 0), unit="D")
    reg["registration_date"] = dates.dt.strftime("%Y-%m-%d")
    extra = reg.sample(frac=0.01, random_state=seed).copy()
    extra["employer_id"] = np.roll(extra["employer_id"].to_numpy(), 1)  # registered elsewhere too
    reg = pd.concat([reg, extra], ignore_index=True)
    reg = reg.rename(columns={"id_number": "ssn"})[["ssn", "employer_id", "registration_date"]]
    reg.to_csv(out, index=False)
    return len(reg)


# --- the floor: pandas + the bare driver -----------------------------------------------------------

ROSTER_COLUMNS = ["employer_id", "employer_name", "name", "id_number", "hire_date", "registration_date",
                  "card_status", "wage"]
REGISTRY_COLUMNS = ["ssn", "employer_id", "registration_date"]
FLOOR_INDEXES = [
    "CREATE INDEX roster_employer_ssn ON roster (employer_id, id_number)",
    "CREATE INDEX roster_ssn ON roster (id_number)",
]
# The five findings of shared README section 8, as one indexed join; rows numbered by rowid/n.
FLOOR_CROSSCHECK = """
WITH reg_employers AS (SELECT DISTINCT employer_id FROM registry),
     ros_employers AS (SELECT DISTINCT employer_id FROM roster)
SELECT 'not_in_registry' AS finding, r.employer_id, r.id_number AS ssn, r.name,
       r.registration_date AS roster_date, NULL AS registry_date, r.n AS source_row
  FROM roster r LEFT JOIN registry g ON g.employer_id = r.employer_id AND g.ssn = r.id_number
 WHERE g.ssn IS NULL AND r.registration_date IS NOT NULL
   AND r.employer_id IN (SELECT employer_id FROM reg_employers)
UNION ALL
SELECT CASE WHEN r.registration_date IS NULL THEN 'roster_date_missing' ELSE 'date_mismatch' END,
       r.employer_id, r.id_number, r.name, r.registration_date, g.registration_date, r.n
  FROM roster r JOIN registry g ON g.employer_id = r.employer_id AND g.ssn = r.id_number
 WHERE g.registration_date IS NOT NULL
   AND (r.registration_date IS NULL OR r.registration_date <> g.registration_date)
UNION ALL
SELECT 'not_in_roster', g.employer_id, g.ssn, NULL, NULL, g.registration_date, g.n
  FROM registry g
 WHERE g.employer_id IN (SELECT employer_id FROM ros_employers)
   AND NOT EXISTS (SELECT 1 FROM roster r WHERE r.employer_id = g.employer_id AND r.id_number = g.ssn)
UNION ALL
SELECT 'multiple_employers', r.employer_id, r.id_number, r.name, r.registration_date, NULL, r.n
  FROM roster r
 WHERE r.id_number IN (SELECT id_number FROM roster GROUP BY id_number HAVING COUNT(DISTINCT employer_id) >= 2)
"""


def _floor_sqlite(step: str, db: str, source: str) -> None:
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("PRAGMA cache_size=-262144")  # the store's settings (compliance/store.py), so only the code differs
    if step == "crosscheck":
        pd.read_sql_query(FLOOR_CROSSCHECK, con).to_csv(source, index=False)
        return
    frame = pd.read_csv(source, dtype=str)
    frame.insert(0, "n", np.arange(2, len(frame) + 2))  # the file's row number
    table, columns = ("roster", ROSTER_COLUMNS) if step == "roster" else ("registry", REGISTRY_COLUMNS)
    con.execute(f"CREATE TABLE {table} (n INTEGER, {', '.join(c + ' TEXT' for c in columns)})")
    if step == "roster":
        for sql in FLOOR_INDEXES:
            con.execute(sql)
        insert = f"INSERT INTO roster VALUES ({', '.join('?' * (len(columns) + 1))})"
    else:
        con.execute("CREATE UNIQUE INDEX registry_employer_ssn ON registry (employer_id, ssn)")
        con.execute("CREATE INDEX registry_ssn ON registry (ssn)")
        insert = ("INSERT INTO registry VALUES (?, ?, ?, ?) ON CONFLICT (employer_id, ssn) DO UPDATE SET "
                  "n = excluded.n, registration_date = excluded.registration_date")
    con.execute("BEGIN")
    con.executemany(insert, frame[["n", *columns]].itertuples(index=False, name=None))
    con.execute("COMMIT")


def _floor_postgresql(step: str, url: str, source: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as con, con.cursor() as cur:
        if step == "crosscheck":
            cur.execute(FLOOR_CROSSCHECK)
            names = [d.name for d in cur.description]
            pd.DataFrame(cur.fetchall(), columns=names).to_csv(source, index=False)
            return
        frame = pd.read_csv(source, dtype=str)
        frame.insert(0, "n", np.arange(2, len(frame) + 2))
        table, columns = ("roster", ROSTER_COLUMNS) if step == "roster" else ("registry", REGISTRY_COLUMNS)
        cur.execute(f"CREATE TABLE {table} (n INTEGER, {', '.join(c + ' TEXT' for c in columns)})")
        if step == "roster":
            for sql in FLOOR_INDEXES:
                cur.execute(sql)
            target = "roster"
        else:
            cur.execute("CREATE UNIQUE INDEX registry_employer_ssn ON registry (employer_id, ssn)")
            cur.execute("CREATE INDEX registry_ssn ON registry (ssn)")
            cur.execute("CREATE TEMP TABLE incoming (LIKE registry) ON COMMIT DROP")
            target = "incoming"
        with cur.copy(f"COPY {target} FROM STDIN (FORMAT csv)") as copy:
            for start in range(0, len(frame), 100_000):
                copy.write(frame.iloc[start:start + 100_000][["n", *columns]].to_csv(index=False, header=False))
        if step == "registry":
            cur.execute("INSERT INTO registry SELECT DISTINCT ON (employer_id, ssn) * FROM incoming "
                        "ORDER BY employer_id, ssn, n DESC ON CONFLICT (employer_id, ssn) DO UPDATE SET "
                        "n = excluded.n, registration_date = excluded.registration_date")


def floor_step(step: str, db: str, source: str) -> None:
    """One step of the floor (run in a child): ``roster``/``registry`` load a CSV, ``crosscheck`` writes one."""
    if db.startswith("postgresql"):
        _floor_postgresql(step, db, source)
    else:
        _floor_sqlite(step, db.removeprefix("sqlite:///"), source)


# --- the run ---------------------------------------------------------------------------------------

def _fresh_databases(db: str | None) -> tuple[str, str]:
    """URLs of an empty store and an empty floor database (SQLite files in bench/out, or new PG databases)."""
    if db is None:
        urls = []
        for name in ("store_bench.sqlite", "store_floor.sqlite"):
            path = run.OUT / name
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            urls.append(f"sqlite:///{path}")
        return urls[0], urls[1]
    import sqlalchemy as sa

    server = sa.make_url(db)
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in PG_DATABASES:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    ours, floor = (server.set(database=name).render_as_string(hide_password=False) for name in PG_DATABASES)
    return ours, floor


def _ratio(ours: float | None, floor: float | None) -> float | None:
    return ours / floor if ours and floor else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="run each step N times, keep the best")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--db", help="a PostgreSQL server URL (postgresql+psycopg://…); default SQLite files")
    parser.add_argument("--floor-step", nargs=3, metavar=("STEP", "DB", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.floor_step:
        floor_step(*args.floor_step)
        return 0
    run.OUT.mkdir(parents=True, exist_ok=True)
    label = run.size_label(args.rows)
    roster = run.OUT / f"roster_{label}.csv"
    run.ensure_file(roster, args.rows, seed=1, regen=False)
    registry = run.OUT / f"registry_{label}.csv"
    if not registry.exists():
        run.log(f"making {registry.name} ...")
        run.log(f"  {make_registry(roster, registry):,} registry rows")
    backend = "postgresql" if args.db else "sqlite"
    out_ours, out_floor = run.OUT / "crosscheck.csv", run.OUT / "crosscheck_floor.csv"
    py = [sys.executable, "-m", "compliance"]
    floor = [sys.executable, str(Path(__file__).resolve()), "--floor-step"]
    best: dict[str, run.Timing] = {}
    for _ in range(args.repeat):  # each repeat on fresh databases; best wall time per step
        ours_url, floor_url = _fresh_databases(args.db)
        timings = [
            run.bench("upload_roster", [*py, "upload", str(roster), "--db", ours_url], None, 1, args.timeout),
            run.bench("import_registry", [*py, "import-registry", str(registry), "--db", ours_url], None, 1,
                      args.timeout),
            run.bench("crosscheck", [*py, "crosscheck", "--db", ours_url, "--out", str(out_ours)], out_ours, 1,
                      args.timeout),
            run.bench("floor_roster", [*floor, "roster", floor_url, str(roster)], None, 1, args.timeout),
            run.bench("floor_registry", [*floor, "registry", floor_url, str(registry)], None, 1, args.timeout),
            run.bench("floor_crosscheck", [*floor, "crosscheck", floor_url, str(out_floor)], out_floor, 1,
                      args.timeout),
        ]
        for t in timings:
            if t.name not in best or (t.ok and (not best[t.name].ok or (t.wall_s or 0) < (best[t.name].wall_s or 0))):
                best[t.name] = t
    ours = [best[s] for s in STEPS]
    floors = [best[f] for f in ("floor_roster", "floor_registry", "floor_crosscheck")]
    total_ours = sum(t.wall_s or 0 for t in ours)
    total_floor = sum(t.wall_s or 0 for t in floors)
    rows = []
    print(f"\n{backend}, {args.rows:,}-row roster, {run.count_lines(registry) - 1:,}-row registry")
    print(f"{'step':<18}{'ours s':>9}{'floor s':>9}{'ratio':>7}{'ours MiB':>10}{'floor MiB':>11}  note")
    for o, f in zip(ours, floors, strict=True):
        ratio = _ratio(o.wall_s, f.wall_s)
        rows.append({"step": o.name, "ours_s": o.wall_s, "floor_s": f.wall_s, "ratio": ratio,
                     "ours_peak_mib": o.peak_rss_mib, "floor_peak_mib": f.peak_rss_mib, "ok": o.ok and f.ok})
        print(f"{o.name:<18}{run.fmt_num(o.wall_s, '9.2f')}{run.fmt_num(f.wall_s, '9.2f')}"
              f"{run.fmt_num(ratio, '7.2f')}{run.fmt_kib(o.peak_rss_kib):>10}{run.fmt_kib(f.peak_rss_kib):>11}  "
              f"{o.note}{' | floor: ' + f.note if f.note else ''}")
    ratio = _ratio(total_ours, total_floor)
    peak = max((t.peak_rss_mib or 0) for t in ours)
    print(f"{'total':<18}{total_ours:9.2f}{total_floor:9.2f}{run.fmt_num(ratio, '7.2f')}{peak:10.0f}"
          f"{max((t.peak_rss_mib or 0) for t in floors):11.0f}")
    all_ok = all(t.ok for t in ours + floors)
    targets = []
    if backend == "sqlite":
        targets = [
            {"target": f"total <= {RATIO_TARGET:g}x the floor", "value": ratio,
             "pass": all_ok and ratio is not None and ratio <= RATIO_TARGET},
            {"target": f"peak memory of each step < {MEMORY_TARGET_MIB} MiB", "value": peak,
             "pass": all_ok and peak < MEMORY_TARGET_MIB},
        ]
    print()
    for tg in targets:
        print(f"  [{'PASS' if tg['pass'] else 'FAIL'}] {tg['target']}: {tg['value']:.2f}")
    if not all_ok:
        print("  [FAIL] a step failed (see above)")
    (run.OUT / f"store_results_{backend}.json").write_text(json.dumps({
        "measured_at": dt.datetime.now().isoformat(timespec="seconds"), "backend": backend, "rows": args.rows,
        "repeat": args.repeat, "steps": rows,
        "total": {"ours_s": total_ours, "floor_s": total_floor, "ratio": ratio, "ours_peak_mib": peak},
        "targets": targets}, indent=2))
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
