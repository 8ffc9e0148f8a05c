"""compliance.config: each kind of setting, its bounds and defaults, the wording of a bad value,
check_all at start-up, and docs/configuration.md against the declarations."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from compliance import config
from compliance.errors import ShebaoError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No SHEBAO_* from the shell or CI (SHEBAO_REQUIRE_PG=1) leaks into these tests."""
    for name in [n for n in os.environ if n.startswith("SHEBAO_")]:
        monkeypatch.delenv(name)


def test_defaults_when_nothing_is_set() -> None:
    numbers = {name: config.number(name) for name, s in config.SETTINGS.items() if s.kind == "number"}
    assert numbers == {"SHEBAO_CHECK_SECONDS": 300, "SHEBAO_MAX_RESULT_MB": 1024, "SHEBAO_RESULT_CACHE_MB": 1024,
                       "SHEBAO_MAX_FILE_MB": 150, "SHEBAO_MAX_UPLOAD_MB": 300, "SHEBAO_UPLOAD_BUDGET_MB": 2048,
                       "SHEBAO_SIGN_IN_WAIT": 2, "SHEBAO_IDLE_MINUTES": 30, "SHEBAO_SESSION_HOURS": 12}
    assert config.whole("SHEBAO_CHECK_WORKERS") is None  # the caller's default: one worker per core
    assert [config.flag(n) for n in ("SHEBAO_DEMO", "SHEBAO_DEBUG", "SHEBAO_REQUIRE_PG")] == [False] * 3
    assert config.url("SHEBAO_DB") is None
    assert config.path("SHEBAO_CALENDAR_DIR") is None and config.path("SHEBAO_TMP") is None
    assert config.check_all() == []


def test_a_number_is_read_at_call_time_and_blank_means_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHEBAO_IDLE_MINUTES", " 5.5 ")
    assert config.number("SHEBAO_IDLE_MINUTES") == 5.5
    monkeypatch.setenv("SHEBAO_IDLE_MINUTES", "  ")
    assert config.number("SHEBAO_IDLE_MINUTES") == 30
    monkeypatch.setenv("SHEBAO_MAX_UPLOAD_MB", "2.5")
    assert config.megabytes("SHEBAO_MAX_UPLOAD_MB") == int(2.5 * 2**20)


@pytest.mark.parametrize(("name", "value", "ok"), [
    ("SHEBAO_IDLE_MINUTES", "0", False),        # more than 0: a sign-in that ends at once is no setting
    ("SHEBAO_IDLE_MINUTES", "0.01", True),
    ("SHEBAO_IDLE_MINUTES", "-3", False),
    ("SHEBAO_RESULT_CACHE_MB", "0", True),      # 0 itself allowed: keep nothing
    ("SHEBAO_RESULT_CACHE_MB", "-0.5", False),
    ("SHEBAO_SIGN_IN_WAIT", "0", True),
    ("SHEBAO_SIGN_IN_WAIT", "600", True),       # the upper bound is allowed ...
    ("SHEBAO_SIGN_IN_WAIT", "600.5", False),    # ... and nothing past it
    ("SHEBAO_CHECK_SECONDS", "nan", False),
    ("SHEBAO_MAX_FILE_MB", "inf", False),       # int(inf MB) has no size
    ("SHEBAO_SESSION_HOURS", "twelve", False),
])
def test_number_bounds(monkeypatch: pytest.MonkeyPatch, name: str, value: str, ok: bool) -> None:
    monkeypatch.setenv(name, value)
    if ok:
        assert config.number(name) == float(value)
    else:
        with pytest.raises(config.ConfigError, match=f"^{name} must be"):
            config.number(name)


def test_a_bad_value_names_the_variable_the_value_and_what_is_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHEBAO_SIGN_IN_WAIT", "soon")
    with pytest.raises(config.ConfigError) as caught:
        config.number("SHEBAO_SIGN_IN_WAIT")
    assert str(caught.value) == (
        "SHEBAO_SIGN_IN_WAIT must be a number from 0 to 600, not 'soon' (seconds a sign-in waits for a turn "
        "to hash its password before it is told the server is busy; unset means 2)")
    # one line for the user (exit 2 on the command line), and still what callers caught before config
    assert isinstance(caught.value, ShebaoError) and isinstance(caught.value, ValueError)


@pytest.mark.parametrize(("value", "expected"), [(" 3 ", 3), ("0", 0), ("", None)])
def test_whole_numbers(monkeypatch: pytest.MonkeyPatch, value: str, expected: int | None) -> None:
    monkeypatch.setenv("SHEBAO_CHECK_WORKERS", value)
    assert config.whole("SHEBAO_CHECK_WORKERS") == expected


@pytest.mark.parametrize("value", ["two", "-1", "1.5"])
def test_whole_numbers_refuse_the_rest(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SHEBAO_CHECK_WORKERS", value)
    with pytest.raises(config.ConfigError, match=f"a whole number, 0 or more, not '{re.escape(value)}'"):
        config.whole("SHEBAO_CHECK_WORKERS")


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("TRUE", True), (" yes ", True), ("On", True),
                                                 ("0", False), ("false", False), ("No", False), ("off", False)])
def test_flags(monkeypatch: pytest.MonkeyPatch, value: str, expected: bool) -> None:
    monkeypatch.setenv("SHEBAO_DEMO", value)
    assert config.flag("SHEBAO_DEMO") is expected


def test_a_misspelt_flag_is_an_error_not_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHEBAO_DEMO", "Ture")
    with pytest.raises(config.ConfigError, match=r"SHEBAO_DEMO must be 1/true/yes/on or 0/false/no/off, not 'Ture'"):
        config.flag("SHEBAO_DEMO")


def test_paths(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SHEBAO_CALENDAR_DIR", str(tmp_path))
    assert config.path("SHEBAO_CALENDAR_DIR") == tmp_path
    missing = tmp_path / "notices"
    monkeypatch.setenv("SHEBAO_CALENDAR_DIR", str(missing))  # a typo would judge without the notices
    with pytest.raises(config.ConfigError, match="the path of an existing folder"):
        config.path("SHEBAO_CALENDAR_DIR")
    monkeypatch.setenv("SHEBAO_DATA_DIR", str(missing))  # the store creates its folder
    assert config.path("SHEBAO_DATA_DIR") == missing


@pytest.mark.parametrize("value", ["sqlite:////tmp/x.sqlite", "sqlite://", "postgresql+psycopg://u:p@host/db"])
def test_database_urls(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SHEBAO_DB", value)
    assert config.url("SHEBAO_DB") == value


def test_a_bad_url_is_refused_without_its_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHEBAO_DB", "postgresql//admin:hunter2@db/shebao")
    with pytest.raises(config.ConfigError) as caught:
        config.url("SHEBAO_DB")
    assert "'postgresql//admin:***@db/shebao'" in str(caught.value) and "hunter2" not in str(caught.value)


def test_an_undeclared_name_or_a_wrong_kind_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        config.number("SHEBAO_IDLE_MINUTE")
    with pytest.raises(KeyError, match="flag setting, not a number"):
        config.number("SHEBAO_DEMO")


def test_check_all_lists_every_bad_value_and_warns_of_unknown_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHEBAO_IDLE_MINUTE", "5")
    monkeypatch.setenv("SHEBAO_COLOUR", "blue")
    assert config.check_all() == [
        "SHEBAO_COLOUR is not a setting of shebao-check and is ignored",
        "SHEBAO_IDLE_MINUTE is not a setting of shebao-check and is ignored; did you mean SHEBAO_IDLE_MINUTES?"]
    monkeypatch.setenv("SHEBAO_CHECK_SECONDS", "-1")
    monkeypatch.setenv("SHEBAO_DEBUG", "maybe")
    with pytest.raises(config.ConfigError) as caught:
        config.check_all()
    message = str(caught.value)
    assert message.startswith("SHEBAO_CHECK_SECONDS must be a number more than 0, not '-1'")
    assert "; SHEBAO_DEBUG must be 1/true/yes/on or 0/false/no/off, not 'maybe'" in message
    assert "\n" not in message


def test_every_setting_the_code_and_docs_name_is_declared() -> None:
    """A SHEBAO_* read somewhere but not declared would escape check_all and the reference table."""
    folders = ("compliance", "views", "bench", "scripts", "tests")
    files = [p for folder in folders for p in (ROOT / folder).rglob("*.py")]
    files += [ROOT / "app.py", ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
    mine = {ROOT / "compliance" / "config.py", ROOT / "tests" / "test_config.py", ROOT / "docs" / "configuration.md"}
    named = {m for p in files if p not in mine for m in re.findall(r"SHEBAO_[A-Z][A-Z_]*[A-Z]", p.read_text("utf-8"))}
    assert named - set(config.SETTINGS) == set()


def test_the_reference_page_is_the_declarations() -> None:
    page = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert config.reference_table() in page, "run: python -m compliance.config, and paste it into the page"
    listed = re.findall(r"^\| `(SHEBAO_\w+)` \|", page, flags=re.MULTILINE)
    assert listed == list(config.SETTINGS)


# --- the settings where they are read: the dashboard's start, its gateway, the roster reader -------------

def test_the_dashboard_with_a_bad_value_shows_the_error_and_nothing_else(monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SHEBAO_MAX_UPLOAD_MB", "lots")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception
    [error] = at.error
    assert error.value.startswith("SHEBAO_MAX_UPLOAD_MB must be a number more than 0, not 'lots'")
    assert not at.text_input and not at.button  # no sign-in form, no page: the run stopped there


def test_the_dashboard_warns_of_a_misspelt_setting_and_goes_on(monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("SHEBAO_DB", f"sqlite:///{tmp_path / 'app.sqlite'}")
    monkeypatch.setenv("SHEBAO_IDLE_MINUTE", "5")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception and not at.error
    assert [w.value for w in at.warning] == [
        "SHEBAO_IDLE_MINUTE is not a setting of shebao-check and is ignored; did you mean SHEBAO_IDLE_MINUTES?"]
    assert at.text_input(key="auth-username")  # the sign-in page is there below it


def test_the_server_with_a_bad_value_says_so_once_and_still_serves_the_page_that_says_it(tmp_path: Path) -> None:
    """``streamlit run app.py`` imports app.py for its ASGI application: a bad value (here SHEBAO_TMP, which
    the gateway reads at that point) is one line on the console, no traceback, and the application is
    still built, so every page can show the error."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEBAO_")}
    env["SHEBAO_TMP"] = str(tmp_path / "no-such-tmpfs")
    done = subprocess.run([sys.executable, "-c", "import app; print(type(app.app).__name__)"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"shebao-check: error: SHEBAO_TMP must be the path of an existing folder, not '{env['SHEBAO_TMP']}' "
        "(folder of the dashboard's temporary files, uploads past the in-memory cap among them (make it a tmpfs); "
        "unset means none: the system's temp folder)", "App"]
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(("value", "limit"), [("1", 2**20), ("", 150 * 2**20)])
def test_the_roster_readers_file_limit_is_the_setting(tmp_path: Path, value: str, limit: int) -> None:
    """``rosters.LIMITS`` is made when the module is imported, so in a fresh process."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("SHEBAO_")}, "SHEBAO_MAX_FILE_MB": value}
    done = subprocess.run([sys.executable, "-c", "from compliance.rosters import LIMITS; print(LIMITS.max_bytes)"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == limit


def test_a_bad_file_limit_is_an_error_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """What ``rosters.LIMITS`` and the uploader's text (``views.runtime.max_file_mb``) both read."""
    from views import runtime

    monkeypatch.setenv("SHEBAO_MAX_FILE_MB", "12.5")
    assert runtime.max_file_mb() == 12
    monkeypatch.setenv("SHEBAO_MAX_FILE_MB", "150MB")
    with pytest.raises(config.ConfigError, match=r"^SHEBAO_MAX_FILE_MB must be a number more than 0, not '150MB'"):
        runtime.max_file_mb()


def test_demo_accounts_follow_the_flag_and_a_misspelt_one_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from views import runtime

    monkeypatch.setattr(sys, "argv", ["app.py"])
    assert runtime.demo_requested() is False
    monkeypatch.setenv("SHEBAO_DEMO", "on")
    assert runtime.demo_requested() is True
    monkeypatch.setenv("SHEBAO_DEMO", "ture")  # before config: silently no demo accounts
    with pytest.raises(config.ConfigError, match=r"^SHEBAO_DEMO must be"):
        runtime.demo_requested()
    monkeypatch.setattr(sys, "argv", ["app.py", "--demo"])
    assert runtime.demo_requested() is True
