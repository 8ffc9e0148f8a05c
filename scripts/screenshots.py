"""Screenshots of every dashboard page into docs/, and the browser-measured time for a 100k roster.

    python scripts/screenshots.py [--big bench/out/roster_100k.xlsx]

Starts `streamlit run app.py` on 127.0.0.1 with a throwaway store holding one user per role,
drives Debian's Chromium with Playwright: signs in, presses "try the sample" on each page and
saves docs/page_<name>.png. With --big, an inspector uploads the 100k-row roster made by
bench/run.py and the time from upload to the headline counts is printed (and written to
bench/out/browser_100k.json).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "correct horse battery staple"
# the demo store's own accounts (compliance.accounts.ensure_demo_users), as a first-time user meets them
# (shot, address, user, sample button key): the store page's sample fills the store that the worksheet and
# cases pages read, so they come after it
PAGES = [("hr", "", "demo-hr", "hr-sample"), ("inspector", "inspector", "demo-inspector", "insp-sample"),
         ("store", "agency", "demo-inspector", "store-sample"), ("worksheet", "worksheet", "demo-inspector", None),
         ("cases", "cases", "demo-inspector", None), ("cards", "cards", "demo-hr", "card-sample"),
         ("flexible", "flexible", None, None), ("admin", "admin", "admin", None)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=Path, help="a big roster to time (e.g. bench/out/roster_100k.xlsx)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from compliance import accounts, store
    from scripts.devserver import CHROMIUM_ARGS, streamlit_server

    work = Path(tempfile.mkdtemp(prefix="shebao-shots-"))
    url = f"sqlite:///{work / 'shots.sqlite'}"
    engine = store.connect(url)
    accounts.add_user(engine, "demo-hr", "hr", PASSWORD, accounts.DEMO_EMPLOYERS)
    accounts.add_user(engine, "demo-inspector", "inspector", PASSWORD)
    accounts.add_user(engine, "admin", "admin", PASSWORD)
    try:
        with streamlit_server(url) as (base, _proc), sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                        args=CHROMIUM_ARGS)
            for name, path, user, sample in PAGES:
                page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
                page.set_default_timeout(120_000)
                page.goto(f"{base}/{path}", wait_until="domcontentloaded")
                if user:
                    page.get_by_label("用户名 / Username").fill(user)
                    page.get_by_label("密码 / Password").fill(PASSWORD)
                    page.get_by_role("button", name="登录 / Sign in").click()
                    page.wait_for_timeout(1500)
                if sample:
                    page.get_by_role("button", name="试用示例数据").first.click()
                if name == "flexible":
                    page.get_by_label("证件号码", exact=True).fill("11010519491231002X")
                    page.keyboard.press("Enter")
                page.wait_for_timeout(4000)
                page.screenshot(path=str(ROOT / "docs" / f"page_{name}.png"), full_page=True)
                print(f"docs/page_{name}.png")
                if name == "hr":  # the README's picture: demo-hr with the sample
                    page.screenshot(path=str(ROOT / "docs" / "screenshot.png"), full_page=False)
                page.close()
            if args.big:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(600_000)
                page.goto(f"{base}/inspector", wait_until="domcontentloaded")
                page.get_by_label("用户名 / Username").fill("demo-inspector")
                page.get_by_label("密码 / Password").fill(PASSWORD)
                page.get_by_role("button", name="登录 / Sign in").click()
                page.locator('input[type="file"]').first.wait_for(state="attached")
                started = time.monotonic()
                page.locator('input[type="file"]').first.set_input_files(str(args.big))
                page.locator('[data-testid="stMetric"]').filter(has_text="逾期未登记").first.wait_for()
                seconds = time.monotonic() - started
                result = {"file": str(args.big), "bytes": args.big.stat().st_size, "upload_to_results_s": seconds}
                (ROOT / "bench" / "out").mkdir(parents=True, exist_ok=True)
                (ROOT / "bench" / "out" / "browser_100k.json").write_text(json.dumps(result, indent=2))
                print(json.dumps(result))
            browser.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
