"""Load test: N simultaneous dashboard sessions upload a 10k-row roster each (local addresses only).

    python bench/load.py [--sessions 20] [--rows 10000] [--timeout 300]

Starts `streamlit run app.py` on 127.0.0.1 with a fresh SQLite store and one HR user, then
drives N pages of Debian's Chromium at once with Playwright (async): each signs in, then all
upload a different 10k-row roster at the same moment (a barrier) and wait for the headline
counts. Reports p50/p95 time from upload to results, errors, and the server's peak memory
(VmHWM). Bounded: every session has a timeout and the run stops by itself.
Target: no errors, p95 under 5 s on the 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PASSWORD = "correct horse battery staple"
EMPLOYER = "911101055347017256"


def make_roster(path: Path, rows: int, seed: int) -> None:
    """A roster of ``rows`` valid people of the HR user's employer (vectorised)."""
    from compliance import ids

    rng = np.random.default_rng(seed)
    n = np.arange(rows)
    birth = pd.Timestamp("1960-01-01") + pd.to_timedelta(rng.integers(0, 14000, rows), unit="D")
    fifteen = "110105" + pd.Series(birth.strftime("%y%m%d")) + pd.Series(n % 1000).astype(str).str.zfill(3)
    hire = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 660, rows), unit="D")
    delay = rng.integers(0, 60, rows)
    registered = rng.random(rows) < 0.85
    reg = pd.Series((hire + pd.to_timedelta(delay, unit="D")).strftime("%Y-%m-%d")).where(registered, "")
    pd.DataFrame({"employer_id": EMPLOYER, "employer_name": "压测单位", "name": "员工" + pd.Series(n).astype(str),
                  "id_number": ids.normalise_column(fifteen.astype(object)), "hire_date": hire.strftime("%Y-%m-%d"),
                  "registration_date": reg}).to_csv(path, index=False)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (from /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mib(pid: int) -> float:
    """Peak resident memory of a process and its children (VmHWM), in MiB."""
    total = 0
    for p in [pid, *map(int, subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
                        .stdout.split())]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


async def session(browser, url: str, roster: Path, timeout: float, barrier: asyncio.Barrier) -> dict:
    """One user: sign in, then (all together) upload and wait; the time from upload to the counts shown."""
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    page = await context.new_page()
    page.set_default_timeout(timeout * 1000)
    signed_in = False
    try:
        await page.goto(url, wait_until="domcontentloaded", timeout=timeout * 1000)
        await page.get_by_label("用户名 / Username").fill("hr")
        await page.get_by_label("密码 / Password").fill(PASSWORD)
        await page.get_by_role("button", name="登录 / Sign in").click()
        await page.locator('input[type="file"]').first.wait_for(state="attached", timeout=timeout * 1000)
        signed_in = True
        await barrier.wait()  # every session uploads at the same moment
        started = time.monotonic()
        await page.locator('input[type="file"]').first.set_input_files(str(roster))
        done = page.locator('[data-testid="stMetric"]').filter(has_text="逾期未登记").first
        await done.wait_for(timeout=timeout * 1000)
        return {"ok": True, "seconds": time.monotonic() - started}
    except Exception as exc:  # a failed session is a result to report, not a crash of the run
        if not signed_in:
            barrier.abort()
        return {"ok": False, "error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"}
    finally:
        await context.close()


async def drive(url: str, rosters: list[Path], timeout: float) -> list[dict]:
    from playwright.async_api import async_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    async with async_playwright() as p:
        from scripts.devserver import CHROMIUM_ARGS

        browser = await p.chromium.launch(executable_path=chromium, args=[
            *CHROMIUM_ARGS, "--disable-dev-shm-usage", "--disable-background-timer-throttling",
            "--disable-backgrounding-occluded-windows", "--disable-renderer-backgrounding"])  # 20 tabs, none idle
        barrier = asyncio.Barrier(len(rosters))
        try:
            return await asyncio.gather(*(session(browser, url, r, timeout, barrier) for r in rosters))
        finally:
            await browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from compliance import accounts, store

    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="shebao-load-"))
    rosters = []
    for i in range(args.sessions):
        path = work / f"roster_{i:02d}.csv"
        make_roster(path, args.rows, seed=i)
        rosters.append(path)
    db = f"sqlite:///{work / 'load.sqlite'}"
    accounts.add_user(store.connect(db), "hr", "hr", PASSWORD, [EMPLOYER])
    from scripts.devserver import streamlit_server

    try:
        with streamlit_server(db) as (url, server):
            t0, cpu0 = time.monotonic(), cpu_seconds(server.pid)
            results = asyncio.run(drive(url, rosters, args.timeout))
            wall = time.monotonic() - t0
            server_cpu = cpu_seconds(server.pid) - cpu0
            memory = peak_rss_mib(server.pid)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    times = sorted(r["seconds"] for r in results if r["ok"])
    errors = [r["error"] for r in results if not r["ok"]]
    p50 = statistics.median(times) if times else None
    p95 = times[max(0, round(0.95 * len(times)) - 1)] if times else None
    report = {"sessions": args.sessions, "rows_each": args.rows, "ok": len(times), "errors": len(errors),
              "p50_s": p50, "p95_s": p95, "max_s": times[-1] if times else None, "wall_s": wall,
              "server_peak_rss_mib": memory, "server_cpu_s": round(server_cpu, 2),
              "machine_cpu_s": round(wall * (os.cpu_count() or 1), 2), "error_samples": errors[:3]}
    (OUT / "load_results.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(json.dumps(report, indent=2, ensure_ascii=False))
    verdict = "PASS" if not errors and p95 is not None and p95 < 5 else "FAIL"
    print(f"[{verdict}] no errors and p95 < 5 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
