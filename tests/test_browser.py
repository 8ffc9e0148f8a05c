"""One real browser test: Debian's Chromium, driven by Playwright, against `streamlit run app.py`.

Uploads a sample roster through the file input and checks the overdue count shown on the page
against what the engine computes. The screenshots in docs/ come from scripts/screenshots.py.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from compliance import beijing
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
    accounts.add_user(engine, "boss", "admin", PASSWORD)
    accounts.add_user(engine, "insp-pages", "inspector", PASSWORD)  # "insp" is disabled by a test of its own
    with streamlit_server(url) as (base, _proc):
        yield base



def test_upload_shows_overdue_count(server: str, tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    sample = ROOT / "sample_uploads" / "hr_roster_2025.xlsx"
    as_of = beijing.today()  # the page's default as-of date: the user's day in Beijing
    want = status_counts(check(read_rosters([sample]), as_of).results)["overdue"]
    assert want > 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = chinese_page(browser)
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
        # the report downloads for this signed-in browser; its URL is no key for anyone else
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name=t("download_xlsx", "zh")).click()
        saved = tmp_path / "report.xlsx"
        download.value.save_as(saved)
        from openpyxl import load_workbook

        assert load_workbook(saved, read_only=True).sheetnames  # a real workbook
        url = download.value.url
        assert requests.get(url, timeout=30).status_code == 403  # no cookie: refused
        jar = {c["name"]: c["value"] for c in page.context.cookies()}
        again = requests.get(url, cookies=jar, timeout=30)  # the same browser, within the grace period
        assert again.status_code == 200 and again.headers["cache-control"] == "no-store"
        browser.close()
    assert elapsed < 60


def chinese_page(browser: Any) -> Any:
    """A new tab as a Chinese-speaking user's browser opens it (locale zh-CN, a desktop window)."""
    return browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")


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
        page = chinese_page(browser)
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
        page = chinese_page(browser)
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


# --- the dashboard speaks one language at a time (issue 14) -------------------------------------------------

# three English words in a row on one line (icons excluded: their ligature names are not text a person reads)
ENGLISH_SENTENCE = r"[A-Za-z]{2,}(?:[ ,'-]+[A-Za-z]{2,}){2,}"
# Chinese text with Chinese punctuation inside: a sentence, not a name from the data
CHINESE_SENTENCE = r"[\u4e00-\u9fff]+[，。；！？、][\u4e00-\u9fff]+"
FIXED = ["用户名 / Username", "密码 / Password", "登录 / Sign in", "语言 / Language"]  # section 9: bilingual labels
ROLE_PAGES = {  # sidebar page titles by key, per role
    "hr": ["page.hr", "page.cards", "page.flexible"],
    "insp-pages": ["page.inspector", "page.store", "page.worksheet", "page.cases", "page.cards", "page.flexible"],
    "boss": ["page.admin", "page.flexible"],
}
MENU_TEXT = """() => [...document.querySelectorAll('[data-testid="stSidebarNav"] a')].map(a => {
  const c = a.cloneNode(true);  // the entry's title, without its icon's ligature name
  c.querySelectorAll('[data-testid="stIconMaterial"]').forEach(i => i.remove());
  return c.innerText.trim();
})"""
VISIBLE_TEXT = """() => {
  const skip = el => el.closest('[data-testid="stIconMaterial"], [data-testid="stSidebarNav"] span[translate="no"]');
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || skip(el) || el.closest('style, script, noscript')) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const box = el.getBoundingClientRect();  // visually hidden (Streamlit's skip link): off screen or 1 px
    if (box.right <= 0 || box.bottom <= 0 || box.width <= 1 || box.height <= 1) continue;
    if (el.closest('[aria-hidden="true"]') && !el.closest('[data-testid="stWidgetLabel"]')) continue;
    const text = node.textContent.trim();
    if (text) out.push(text);
  }
  return out;
}"""


def foreign_text(page, lang: str) -> list[str]:
    """Text on the page in the other language: English sentences in Chinese mode, Chinese ones in English."""
    import re

    pattern = re.compile(ENGLISH_SENTENCE if lang == "zh" else CHINESE_SENTENCE)
    texts = [t_ for t_ in page.evaluate(VISIBLE_TEXT) if t_ not in FIXED]
    return [text for text in texts if pattern.search(text)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_of_every_role_speaks_one_language(server: str, lang: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    found: dict[str, list[str]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for role, pages in ROLE_PAGES.items():
            page = chinese_page(browser)
            page.goto(server, wait_until="domcontentloaded")
            if lang == "en":
                page.get_by_text("English", exact=True).click()
                page.wait_for_timeout(1000)
            sign_in(page, role)
            expect(page.get_by_role("button", name=t("auth.sign_out", lang))).to_be_visible(timeout=30_000)
            page.wait_for_timeout(1000)
            # the menu holds the role's pages and nothing else (HR sees no admin or inspector entry)
            menu = page.evaluate(MENU_TEXT)
            assert menu == [t(key, lang) for key in pages], (role, menu)
            for key in pages:
                page.get_by_role("link", name=t(key, lang)).first.click()
                page.wait_for_timeout(2000)
                sample = page.get_by_role("button", name=t("try_sample", lang))
                if sample.count():
                    sample.first.click()
                    page.wait_for_timeout(6000)  # checked, charts drawn
                if key == "page.flexible":
                    page.get_by_label(t("flex.id", lang)).fill("110105491231002")
                    page.keyboard.press("Enter")
                    page.wait_for_timeout(1500)
                bad = foreign_text(page, lang)
                if bad:
                    found[f"{role} {key}"] = bad
            page.close()
        browser.close()
    assert not found, found


def test_hr_address_leads_to_the_hr_page(server: str) -> None:
    """/hr, the address people guess, used to show "Page not found" (the HR page lives at /)."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = chinese_page(browser)
        page.goto(f"{server}/hr", wait_until="domcontentloaded")
        expect(page.get_by_label("用户名 / Username")).to_be_visible(timeout=30_000)
        assert page.url.rstrip("/") == server.rstrip("/")
        assert "Page not found" not in page.inner_text("body")
        browser.close()


def test_a_fully_set_aside_upload_is_no_all_clear(server: str) -> None:
    """Issue 14, point 2: an HR user uploads a roster whose every row belongs to other employers. Before,
    the page said "检查完成: 36 行", showed zeros, a green "no overdue employees" and working downloads."""
    from playwright.sync_api import expect, sync_playwright

    sample = ROOT / "sample_uploads" / "english_roster.csv"  # employers 9131…, none of them hr's
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = chinese_page(browser)
        page.goto(server, wait_until="domcontentloaded")
        sign_in(page, "hr")
        page.locator('input[type="file"]').first.set_input_files(str(sample))
        said = t("nothing_checked.set_aside", "zh").split("：")[0]  # "没有检查任何行"
        expect(page.get_by_text(said).first).to_be_visible(timeout=60_000)
        page.wait_for_timeout(1500)
        assert page.locator('[data-testid="stMetric"]').count() == 0
        assert page.locator('[data-testid="stDownloadButton"]').count() == 0
        assert page.locator('[data-testid="stAlertContentSuccess"]').count() == 0
        assert page.get_by_text(t("hr.action_none", "zh")).count() == 0
        browser.close()


def test_a_reload_keeps_the_sign_in_and_a_sign_out_ends_it_in_every_tab(server: str, server_db: str) -> None:
    """Issue 20, findings 1 and 18: a reload, a typed URL or a bookmark signed the user out, and the
    sign-in was the tab's alone. Now an HttpOnly cookie carries it: a reload and a second tab of the
    same browser are signed in; a sign-out in one tab signs the other out at its next click."""
    from playwright.sync_api import expect, sync_playwright

    from compliance import accounts, store

    accounts.add_user(store.connect(server_db), "insp-tabs", "inspector", PASSWORD)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
        first = context.new_page()
        failed: list[str] = []  # the page's own assets (fonts, icons, scripts) all served to a stranger
        first.on("response", lambda r: failed.append(f"{r.status} {r.url}")
                 if r.status >= 400 and "/static/" in r.url else None)
        first.goto(f"{server}/inspector", wait_until="networkidle")
        assert failed == []
        sign_in(first, "insp-tabs")
        expect(first.get_by_role("button", name=t("auth.sign_out", "zh"))).to_be_visible(timeout=30_000)
        cookie = next(c for c in context.cookies() if c["name"] == "shebao_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert first.evaluate("document.cookie").find("shebao_session") < 0  # no script on the page reads it
        first.reload(wait_until="domcontentloaded")
        expect(first.get_by_role("button", name=t("auth.sign_out", "zh"))).to_be_visible(timeout=30_000)
        second = context.new_page()  # a bookmark opened in a second tab
        second.goto(f"{server}/inspector", wait_until="domcontentloaded")
        expect(second.get_by_role("button", name=t("auth.sign_out", "zh"))).to_be_visible(timeout=30_000)
        second.get_by_role("button", name=t("auth.sign_out", "zh")).click()
        expect(second.get_by_label("用户名 / Username")).to_be_visible(timeout=30_000)
        first.get_by_text(t("calendar_days", "zh")).click()  # the first tab's next click
        expect(first.get_by_label("用户名 / Username")).to_be_visible(timeout=30_000)
        expect(first.get_by_text(t("auth.signed_out_elsewhere", "zh"))).to_be_visible()
        first.reload(wait_until="domcontentloaded")  # and a reload does not bring it back
        expect(first.get_by_label("用户名 / Username")).to_be_visible(timeout=30_000)
        browser.close()


def test_the_card_page_freezes_by_the_card_city_and_each_list_downloads(server: str, tmp_path: Path) -> None:
    """Issue 23: a roster with cards of three cities — 上海 cancelled its old cards on 2020-12-31 (city_date),
    北京 keeps them until the new card is enabled (on_activation), 深圳 has no parameters. Registered people
    whose new card's social function is not enabled: frozen in 上海 only; 深圳 is not judged."""
    from conftest import gb11643
    from openpyxl import load_workbook
    from playwright.sync_api import expect, sync_playwright

    people = [("上海甲", gb11643("31010419900101123"), "上海"), ("上海乙", gb11643("31010419920202123"), "上海市"),
              ("北京甲", gb11643("11010519900303123"), "北京"), ("深圳甲", gb11643("44030519910404123"), "深圳")]
    lines = ["统一社会信用代码,单位名称,姓名,身份证号,入职日期,参保日期,社保卡状态,发卡地"]
    for name, number, city in people:
        lines.append(f"{SAMPLE_EMPLOYER},商软冠联信息有限公司,{name},{number},2025-03-03,2025-03-10,已发放未激活,{city}")
    roster = tmp_path / "three_cities.csv"
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = chinese_page(browser)
        page.goto(server + "/cards", wait_until="domcontentloaded")
        sign_in(page, "insp-pages")
        page.locator('input[type="file"]').first.set_input_files(str(roster))
        frozen = page.get_by_role("heading", name=t("card.list.frozen", "zh").format(count=2))
        expect(frozen).to_be_visible(timeout=60_000)  # the two 上海 people; 北京 never freezes; 深圳 unknown
        page.wait_for_timeout(1000)
        lists = page.get_by_role("button", name=t("card.download_list", "zh"))
        assert lists.count() >= 2  # a download under every list on the page
        with page.expect_download(timeout=60_000) as download:
            lists.first.click()
        saved = tmp_path / "frozen.xlsx"
        download.value.save_as(saved)
        sheet = load_workbook(saved, read_only=True).worksheets[0]
        cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
        assert "上海甲" in cells and "上海乙" in cells and "北京甲" not in cells
        assert not any(number in cells for _, number, _ in people)  # the list is handed out: IDs masked
        browser.close()
