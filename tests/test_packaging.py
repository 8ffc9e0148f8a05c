"""The package installs as a wheel with its data files (issue 15: `pip install .` on every Dask worker).

A copy of the package is built into a wheel in a temporary folder (so no ``build/`` or ``*.egg-info``
lands in the repository, where ``--doctest-modules`` or ruff would find a second copy), with pip and
the setuptools of this environment (no build isolation: works offline). The wheel must hold every file
under ``compliance/`` in the repository (the list is the tree's, not written down here: a new data
file that ``[tool.setuptools.package-data]`` does not match fails here, not on a worker). The wheel is
then installed into a fresh ``--target`` folder and used from another working directory with only
that folder on ``PYTHONPATH``: a holiday notice, the city parameters, the common-password list and the
store's migrations are read from the installed copy, and ``batch check`` runs on a local cluster with
the dashboard's and the store's packages made unimportable (they are the ``app`` extra, not needed on
a worker).
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "compliance"
# A notice for a year no library covers, put into the copy's compliance/calendar/ before building:
# the repository ships no notice file today, and one added there must travel with the wheel.
NOTICE_YEAR = 2031
NOTICE = f"""year = {NOTICE_YEAR}
source = "test notice (tests/test_packaging.py)"
holidays = [{NOTICE_YEAR}-03-03]
workdays = []
"""
# The dashboard's and the store's packages (pyproject.toml's `app` extra): a worker has none of them.
APP_ONLY = ("streamlit", "sqlalchemy", "alembic", "psycopg", "argon2")


def package_files() -> set[str]:
    """Every file under compliance/ (wheel paths), compiled files left out."""
    return {path.relative_to(ROOT).as_posix() for path in PACKAGE.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"}


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SHEBAO_") and k not in ("PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME")}
    return env | extra


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    proc = subprocess.run(args, cwd=cwd, env=env or clean_env(), capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, f"{args[:4]} exited {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the wheel, the --target folder it is installed in)."""
    try:
        version = importlib.metadata.version("setuptools")
    except importlib.metadata.PackageNotFoundError:
        pytest.skip("setuptools is not installed (pip install -r requirements-dev.txt)")
    if int(version.split(".")[0]) < 69:
        pytest.fail(f"setuptools {version} is older than pyproject.toml's build-system asks (>=69): "
                    "pip install -r requirements-dev.txt")
    tmp = tmp_path_factory.mktemp("packaging")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "MANIFEST.in"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, src / name)
    shutil.copytree(PACKAGE, src / "compliance", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (src / "compliance" / "calendar" / f"{NOTICE_YEAR}.toml").write_text(NOTICE, encoding="utf-8")
    dist = tmp / "dist"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "--no-cache-dir", "-q", "-w", str(dist), "."], cwd=src)
    (wheel,) = dist.glob("shebao_check-*.whl")
    target = tmp / "site"
    run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--no-cache-dir", "-q",
         "--target", str(target), str(wheel)], cwd=tmp)
    return wheel, target


def test_wheel_holds_every_file_of_the_package(built: tuple[Path, Path]) -> None:
    wheel, _ = built
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        metadata = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    expected = package_files() | {f"compliance/calendar/{NOTICE_YEAR}.toml"}
    data = {n for n in expected if not n.endswith(".py")}
    assert len(data) >= 7  # params/*.toml, data/*, migrations/script.py.mako, the notice
    missing = sorted(expected - names)
    assert not missing, f"not in the wheel (pyproject.toml's package-data): {missing}"
    assert {n for n in names if n.startswith("compliance/")} == expected  # nothing compiled or stray
    tops = {n.split("/")[0] for n in names} - {"compliance"}  # no tests/, bench/, app.py
    assert len(tops) == 1 and tops.pop().endswith(".dist-info")
    requires = [line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    base = {r.split(";")[0].split("[")[0].split(">")[0].strip().lower() for r in requires if "extra ==" not in r}
    app = {r.split(";")[0].split("[")[0].split(">")[0].strip().lower() for r in requires if 'extra == "app"' in r}
    assert {"pandas", "pyarrow", "dask", "distributed", "chinesecalendar", "holidays", "python-stdnum"} <= base
    assert {"streamlit", "sqlalchemy", "alembic", "psycopg", "argon2-cffi", "python-docx", "reportlab"} == app
    assert not app & base


def test_installed_wheel_reads_its_data_from_another_folder(built: tuple[Path, Path], tmp_path: Path) -> None:
    _, target = built
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    code = textwrap.dedent(f"""
        import datetime as dt, json
        from pathlib import Path
        import compliance, compliance.calendar as cal, compliance.premiums as premiums
        from compliance import accounts, store
        from alembic.script import ScriptDirectory
        from alembic.config import Config

        out = {{"package": compliance.__file__, "calendar": cal.__file__}}
        out["source"] = cal.year_source({NOTICE_YEAR})
        out["deadline"] = str(cal.deadline(dt.date({NOTICE_YEAR}, 2, 1)).date)
        out["cities"] = premiums.cities()
        out["periods"] = {{c: len(premiums.load_params(c).periods) for c in out["cities"]}}
        out["cards"] = sorted(__import__("compliance.cards").cards.old_cards())
        out["common"] = len(accounts.common_passwords())
        config = Config()
        config.set_main_option("script_location", str(Path(store.__file__).parent / "migrations"))
        out["revisions"] = len(list(ScriptDirectory.from_config(config).walk_revisions()))
        engine = store.connect("sqlite:///" + str(Path("store.sqlite").resolve()))
        out["tables"] = sorted(__import__("sqlalchemy").inspect(engine).get_table_names())
        out["default_db"] = str(store.DEFAULT_DB_FILE)
        print(json.dumps(out))
    """)
    proc = run([sys.executable, "-c", code], cwd=cwd, env=clean_env(PYTHONPATH=str(target)))
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert Path(out["package"]).is_relative_to(target) and Path(out["calendar"]).is_relative_to(target)
    # the notice inside the installed package: 2031-02-01 + 30 days = Monday 2031-03-03, its holiday
    assert out["source"] == "notice"
    assert out["deadline"] == str(dt.date(NOTICE_YEAR, 3, 4))
    # the cities with contribution periods: a city file may hold only its old cards' table (section 11.4)
    assert out["cities"] == sorted(p.stem for p in (PACKAGE / "params").glob("*.toml")
                                   if "[[period]]" in p.read_text(encoding="utf-8"))
    assert out["cities"] and out["cards"] == sorted(p.stem for p in (PACKAGE / "params").glob("*.toml")
                                                    if "[cards]" in p.read_text(encoding="utf-8"))
    assert all(n > 0 for n in out["periods"].values())
    assert out["common"] > 10_000
    assert out["revisions"] == len(list((PACKAGE / "migrations" / "versions").glob("*.py")))
    assert "alembic_version" in out["tables"] and len(out["tables"]) > 1
    # no checkout around an installed copy: the default store is ./data of where it runs, not site-packages
    assert out["default_db"] == str(cwd.resolve() / "data" / "shebao.sqlite")


def test_batch_check_runs_from_the_wheel_without_the_app_extra(built: tuple[Path, Path], tmp_path: Path) -> None:
    """`python -m compliance batch check` on a local cluster whose worker processes import the installed
    copy, with the `app` extra's packages unimportable in the client and in every worker."""
    _, target = built
    block = tmp_path / "block"
    block.mkdir()
    (block / "sitecustomize.py").write_text(textwrap.dedent(f"""
        import sys

        class _AppOnly:
            def find_spec(self, name, path=None, target=None):
                if name.partition(".")[0] in {APP_ONLY!r}:
                    raise ModuleNotFoundError(f"No module named {{name!r}} (app extra, blocked)", name=name)
                return None

        sys.meta_path.insert(0, _AppOnly())
    """), encoding="utf-8")
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    env = clean_env(PYTHONPATH=os.pathsep.join([str(target), str(block)]))
    blocked = subprocess.run([sys.executable, "-c", "import sqlalchemy"], cwd=cwd, env=env,
                             capture_output=True, text=True, timeout=60)
    assert blocked.returncode != 0 and "app extra, blocked" in blocked.stderr  # the blocker works
    roster = ROOT / "sample_uploads" / "english_roster.csv"
    proc = run([sys.executable, "-m", "compliance", "batch", "check", str(roster), "--as-of", "2025-11-20",
                "--out", str(tmp_path / "out"), "--workers", "1"], cwd=cwd, env=env)
    rows = re.match(r"(\d+) rows checked", proc.stdout)
    assert rows, proc.stdout
    results = pd.read_parquet(tmp_path / "out" / "results")
    assert len(results) == int(rows[1]) > 0 and results["status"].notna().all()
