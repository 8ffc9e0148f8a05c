"""The dashboard's shape: a menu per role (every page still registered and guarded), thin pages.

The menu is read from what app.py hands ``st.navigation`` on a real AppTest run; the pages are read as
source (their size, their tables). What the tables and charts hold is tested in test_presentation.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from compliance import accounts, store
from compliance.i18n import t

ROOT = Path(__file__).resolve().parent.parent
PAGES_DIR = ROOT / "views" / "pages"
PASSWORD = "correct horse battery staple"
ADDRESSES = {"", "hr", "inspector", "agency", "worksheet", "cases", "cards", "flexible", "admin"}


@pytest.fixture(autouse=True)
def app_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'views.sqlite'}"
    monkeypatch.setenv("SHEBAO_DB", url)
    engine = store.connect(url)
    accounts.add_user(engine, "hr", "hr", PASSWORD, ["911101055347017256"])
    accounts.add_user(engine, "insp", "inspector", PASSWORD)
    accounts.add_user(engine, "boss", "admin", PASSWORD)
    return url


@pytest.fixture
def menus(monkeypatch: pytest.MonkeyPatch) -> list[list[tuple[str, str, str]]]:
    """What each run hands st.navigation: (title, url_path, visibility) per page, run after run."""
    seen: list[list[tuple[str, str, str]]] = []
    navigation = st.navigation

    def recording(pages: list, **kwargs: object) -> object:
        seen.append([(p.title, p.url_path, p.visibility) for p in pages])
        return navigation(pages, **kwargs)

    monkeypatch.setattr(st, "navigation", recording)
    return seen


def signed_in(username: str | None, page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    if page:
        at.switch_page(page).run()
    if username:
        at.text_input(key="auth-username").input(username)
        at.text_input(key="auth-password").input(PASSWORD)
        next(b for b in at.button if b.label == "登录 / Sign in").click()
        at.run()
    return at


def menu_titles(run: list[tuple[str, str, str]]) -> list[str]:
    return [title for title, _path, visibility in run if visibility == "visible"]


@pytest.mark.parametrize(("username", "titles"), [
    (None, ["page.sign_in", "page.flexible"]),
    ("hr", ["page.hr", "page.cards", "page.flexible"]),
    ("insp", ["page.inspector", "page.store", "page.worksheet", "page.cases", "page.cards", "page.flexible"]),
    ("boss", ["page.admin", "page.flexible"]),
])
def test_the_menu_lists_the_pages_of_the_signed_in_role(menus: list, username: str | None, titles: list[str]) -> None:
    at = signed_in(username)
    assert not at.exception
    assert menu_titles(menus[-1]) == [t(key, "zh") for key in titles]
    # every page stays registered, so a typed address still reaches it (and its guard)
    assert {path for _title, path, _visibility in menus[-1]} == ADDRESSES  # "": the HR page, the default


def test_hr_has_no_admin_or_inspector_entry_and_the_inspector_no_admin_entry(menus: list) -> None:
    signed_in("hr")
    hr = menu_titles(menus[-1])
    assert not {t("page.admin"), t("page.inspector"), t("page.store"), t("page.cases")} & set(hr)
    signed_in("insp")
    assert t("page.admin") not in menu_titles(menus[-1])


def test_admin_typed_by_hr_says_so_and_shows_no_admin_widget() -> None:
    at = signed_in("hr", "views/pages/admin.py")
    assert not at.exception
    assert at.title[0].value == t("page.admin")
    assert [w.value for w in at.warning] == [t("auth.wrong_role") + t("role.admin")]
    assert not at.get("form") and not at.text_input and not at.selectbox and not at.dataframe
    assert [link.label for link in at.page_link] == [t("auth.your_page").format(page=t("page.hr"))]


def test_the_language_switch_renames_the_menu(menus: list) -> None:
    at = signed_in("insp")
    at.sidebar.radio(key="lang").set_value("en").run()
    assert menu_titles(menus[-1])[:2] == [t("page.inspector", "en"), t("page.store", "en")]


def page_sources() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(PAGES_DIR.glob("*.py")) if p.name != "__init__.py"}


def test_pages_are_thin() -> None:
    """Issue 21: no page file over 120 lines; a page lays out widgets and calls the engine, nothing else."""
    sources = page_sources()
    assert set(sources) == {f"{name}.py" for name in ("hr", "inspector", "store", "worksheet", "cases", "cards",
                                                      "flexible", "admin")}
    assert {name: len(text.splitlines()) for name, text in sources.items() if len(text.splitlines()) > 120} == {}
    for name, text in sources.items():
        used = set()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom):
                used |= {alias.name for alias in node.names}
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                used.add(node.attr if node.value.id != "jobs" else f"jobs.{node.attr}")
        # no page runs the pipeline itself or reads an upload in the server (jobs does, in the worker pool)
        assert not used & PIPELINE, (name, used & PIPELINE)
        if name == "store.py":
            assert "jobs.store_file" in used and "in_worker" in used


PIPELINE = {"read_uploads", "read_roster_bytes", "read_rosters", "check", "check_uploads", "check_slices", "normalise",
            "normalise_registry", "crosscheck", "stored_check", "save", "ingest_roster", "ingest_registry",
            "next_state_of", "CASE_STATES", "worksheet_notes"}


def test_every_table_shows_a_missing_value_as_an_empty_cell() -> None:
    """Streamlit writes "None" in a cell without a value (a day count of a registered employee, issue 14)
    unless told otherwise: the one st.dataframe of the dashboard (widgets.table) passes ``placeholder=""``
    and no page calls st.dataframe itself."""
    calls = []
    for path in (ROOT / "views").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "dataframe":
                placeholder = [kw.value for kw in node.keywords if kw.arg == "placeholder"]
                calls.append((path.relative_to(ROOT).as_posix(), bool(placeholder) and placeholder[0].value == ""))
    assert calls == [("views/widgets.py", True)]
