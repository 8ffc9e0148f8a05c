"""Server memory across big uploads from sessions that come and go (docs/security.md, "Memory").

Starts the dashboard, then one session after another signs in over the wire protocol
(bench/wsclient.py), uploads its own distinct roster, waits for the whole page and closes without
signing out, as a user who closes the tab. Reports the resident memory of the server and its
checking processes after each upload and once all sessions are gone. Before the results cache was
bounded in bytes, each distinct 148 MB upload added about 1.3 GB that stayed after the session
closed; now the cache holds at most ``SHEBAO_RESULT_CACHE_MB``.

    python bench/memory_run.py [--uploads 3] [--rows 1250000] [--cache-mb 1024]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load import (  # noqa: E402
    EMPLOYER,
    PASSWORD,
    SIGN_IN_LABELS,
    make_roster,
    peak_rss_mib,
    process_tree,
    rss_mib,
)


def rss_by_process(pid: int) -> dict[str, float]:
    """Resident memory now of the server (``server``) and of each child, in MiB."""
    out = {}
    for p in process_tree(pid):
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        rss = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
        out["server" if p == pid else str(p)] = round(rss / 1024, 1)
    return out


def run(uploads: int, rows: int, cache_mb: float, timeout: float, linger: float) -> dict:
    from bench.wsclient import Session
    from compliance import accounts, store
    from compliance.i18n import t
    from scripts.devserver import streamlit_server

    os.environ["SHEBAO_RESULT_CACHE_MB"] = str(cache_mb)
    work = Path(tempfile.mkdtemp(prefix="shebao-memory-"))
    report: dict = {"uploads": uploads, "rows_each": rows, "cache_mb": cache_mb, "steps": []}
    try:
        rosters = []
        for i in range(uploads):
            path = work / f"roster_{i}.csv"
            make_roster(path, rows, seed=100 + i)
            rosters.append(path)
        report["file_mb"] = round(rosters[0].stat().st_size / 2**20, 1)
        db = f"sqlite:///{work / 'memory.sqlite'}"
        accounts.add_user(store.connect(db), "hr", "hr", PASSWORD, [EMPLOYER])
        with streamlit_server(db) as (url, server):
            first = Session(url, timeout=timeout)
            first.open()
            first.rerun()
            first.wait_finished()
            first.close()
            time.sleep(5)  # workers started and warmed up
            report["idle_mib"] = rss_mib(server.pid)
            for roster in rosters:
                started = time.monotonic()
                client = Session(url, timeout=timeout)
                client.open()
                try:
                    client.check_upload("hr", PASSWORD, SIGN_IN_LABELS, roster.name, roster.read_bytes(),
                                        t("status.overdue", "zh"))
                finally:
                    client.close()  # the tab is closed, without signing out
                time.sleep(3)
                report["steps"].append({"file": roster.name, "seconds": round(time.monotonic() - started, 1),
                                        "rss_after_mib": rss_mib(server.pid),
                                        "by_process_mib": rss_by_process(server.pid)})
            time.sleep(10)
            report["after_all_closed_mib"] = rss_mib(server.pid)
            report["after_all_closed_by_process_mib"] = rss_by_process(server.pid)
            if linger:  # past server.disconnectedSessionTTL (120 s): Streamlit has dropped the closed sessions
                time.sleep(linger)
                poke = Session(url, timeout=timeout)  # a page view, so the server's cleanup runs
                poke.open()
                poke.rerun()
                poke.wait_finished()
                poke.close()
                report[f"after_{linger:g}s_mib"] = rss_mib(server.pid)
                report[f"after_{linger:g}s_by_process_mib"] = rss_by_process(server.pid)
            report["peak_mib"] = round(peak_rss_mib(server.pid), 1)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1_250_000)
    parser.add_argument("--cache-mb", type=float, default=1024)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--linger", type=float, default=150,
                        help="seconds to wait after the last session closed before measuring again")
    args = parser.parse_args(argv)
    report = run(args.uploads, args.rows, args.cache_mb, args.timeout, args.linger)
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"memory_{args.cache_mb:g}.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
