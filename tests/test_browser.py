"""One real browser test: Debian's Chromium, driven by Playwright, against `streamlit run app.py`.

Uploads a sample roster through the file input and checks the overdue count shown on the page
against what the engine computes. Set SHEBAO_SCREENSHOTS=1 to refresh docs/screenshot.png.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from compliance.i18n import t
from compliance.registration import check, status_counts
from compliance.rosters import read_rosters
from scripts.devserver import CHROMIUM_ARGS, streamlit_server

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no Debian chromium (.ci/run installs it)")
PASSWORD = "correct horse battery staple"
SAMPLE_EMPLOYER = "911101055347017256"  # hr_roster_2025.xlsx belongs to this employer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from compliance import accounts, store

    url = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'app.sqlite'}"
    accounts.add_user(store.connect(url), "hr", "hr", PASSWORD, [SAMPLE_EMPLOYER])
    with streamlit_server(url) as (base, _proc):
        yield base


def shoot(page, name: str) -> None:
    if os.environ.get("SHEBAO_SCREENSHOTS"):
        (ROOT / "docs").mkdir(exist_ok=True)
        page.screenshot(path=str(ROOT / "docs" / name), full_page=True)


def test_upload_shows_overdue_count(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    sample = ROOT / "sample_uploads" / "hr_roster_2025.xlsx"
    as_of = dt.date.today()
    want = status_counts(check(read_rosters([sample]), as_of).results)["overdue"]
    assert want > 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        page.goto(server, wait_until="domcontentloaded")  # the HR page is the default page
        page.get_by_label("用户名 / Username").fill("hr")
        page.get_by_label("密码 / Password").fill(PASSWORD)
        page.get_by_role("button", name="登录 / Sign in").click()
        page.locator('input[type="file"]').first.set_input_files(str(sample))
        started = time.monotonic()
        metric = page.locator('[data-testid="stMetric"]').filter(has_text=t("status.overdue", "zh")).first
        expect(metric.locator('[data-testid="stMetricValue"]')).to_have_text(f"{want:,}", timeout=60_000)
        elapsed = time.monotonic() - started
        page.wait_for_timeout(1500)  # let the charts draw before the screenshot
        page.screenshot(path=str(tmp_path / "hr.png"), full_page=True)
        shoot(page, "screenshot.png")
        browser.close()
    assert elapsed < 60
