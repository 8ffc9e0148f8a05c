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
OTHER_EMPLOYER = "914403057569602043"


@pytest.fixture(scope="module")
def server_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The SQLite store the browser tests' server runs on."""
    return f"sqlite:///{tmp_path_factory.mktemp('browser') / 'app.sqlite'}"


@pytest.fixture(scope="module")
def server(server_db: str) -> Iterator[str]:
    from compliance import accounts, store

    url = server_db
    engine = store.connect(url)
    accounts.add_user(engine, "hr", "hr", PASSWORD, [SAMPLE_EMPLOYER])
    accounts.add_user(engine, "hr-b", "hr", PASSWORD, [OTHER_EMPLOYER])
    accounts.add_user(engine, "insp", "inspector", PASSWORD)
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


def sign_in(page, username: str) -> None:
    page.get_by_label("用户名 / Username").fill(username)
    page.get_by_label("密码 / Password").fill(PASSWORD)
    page.get_by_role("button", name="登录 / Sign in").click()


def test_after_sign_out_the_next_user_on_the_tab_sees_nothing_of_the_last(server: str, server_db: str,
                                                                         tmp_path: Path) -> None:
    """HR user A uploads a roster without employer columns and signs out; B signs in on the same tab.

    Before the fix B saw A's counts and employees, and could download them under B's employer.
    """
    from playwright.sync_api import expect, sync_playwright

    from compliance import store

    names = [f"测试员工{i}" for i in range(6)]
    roster = tmp_path / "roster_a.csv"
    roster.write_text("姓名,身份证号,入职日期,参保日期\n" + "".join(
        f"{n},11010519491231002X,2025-01-0{i + 1},\n" for i, n in enumerate(names)), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        page.goto(server, wait_until="domcontentloaded")
        sign_in(page, "hr")
        page.locator('input[type="file"]').first.set_input_files(str(roster))
        metric = page.locator('[data-testid="stMetric"]').filter(has_text=t("status.overdue", "zh")).first
        expect(metric.locator('[data-testid="stMetricValue"]')).to_have_text("6", timeout=60_000)
        expect(page.get_by_text(names[0]).first).to_be_attached()

        page.get_by_role("button", name=t("auth.sign_out", "zh")).click()
        expect(page.get_by_label("用户名 / Username")).to_be_visible(timeout=30_000)
        sign_in(page, "hr-b")
        expect(page.locator('input[type="file"]').first).to_be_attached(timeout=30_000)
        expect(page.get_by_text(t("no_data", "zh"))).to_be_visible(timeout=30_000)
        page.wait_for_timeout(1500)  # give a leak every chance to show
        assert page.locator('[data-testid="stMetric"]').count() == 0
        assert page.locator('[data-testid="stDownloadButton"]').count() == 0
        assert page.locator('[data-testid="stFileUploaderFile"]').count() == 0
        text = page.locator("body").inner_text()
        assert not any(n in text for n in names) and t("checked", "zh") not in text
        browser.close()
    entries = store.audit_entries(store.connect(server_db))
    assert entries[(entries["actor"] == "hr-b") & (entries["action"] == "view")].empty


def test_a_disabled_inspector_is_signed_out_at_the_next_click(server: str, server_db: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    from compliance import accounts, store

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        page.goto(f"{server}/inspector", wait_until="domcontentloaded")
        sign_in(page, "insp")
        page.get_by_role("button", name=t("try_sample", "zh")).click()
        expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible(timeout=60_000)

        accounts.disable_user(store.connect(server_db), "insp", by="test")
        page.get_by_text(t("insp.flagged_only", "zh")).click()  # the next click
        expect(page.get_by_label("用户名 / Username")).to_be_visible(timeout=30_000)
        expect(page.get_by_text(t("auth.account_changed", "zh"))).to_be_visible()
        assert page.locator('[data-testid="stDataFrame"]').count() == 0
        assert page.locator('[data-testid="stMetric"]').count() == 0
        browser.close()
