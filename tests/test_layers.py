"""The layers stay layers (issue 21; docs/architecture.md): a test of the import graph, read from the source.

- The rules (pure functions over DataFrames and dates) import nothing that reads or writes files, talks to
  a database, runs on Dask or draws a page: not ``rosters``/``reports`` (files), ``store``/``accounts``/
  ``signins`` (the database), ``jobs`` (the use cases that call them), ``batch``, ``workers``, ``cli``,
  nor SQLAlchemy, Alembic, Dask or Streamlit.
- Nothing under ``compliance/`` imports Streamlit; the dashboard's presentation module neither.
- The package's modules import each other without a cycle (at module level).

Every ``import`` counts, a function-level one too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "compliance"
RULES = ["ids", "retirement", "duty", "fields", "documents", "employment", "vocab", "dates", "calendar",
         "registration", "employers", "cards", "flexible", "premiums", "crosscheck", "cases", "schema", "catalogue",
         "errors"]
NOT_FOR_RULES = ("compliance.rosters", "compliance.reports", "compliance.store", "compliance.accounts",
                 "compliance.signins", "compliance.jobs", "compliance.batch",
                 "compliance.workers", "compliance.resultcache", "compliance.cli", "sqlalchemy", "alembic", "dask",
                 "distributed", "streamlit", "psycopg")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, top_level_only: bool = False) -> set[str]:
    """The modules ``path`` imports (``from compliance import ids`` counts as ``compliance.ids``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "migrations" not in p.parts)


def rule_files() -> list[Path]:
    files = []
    for name in RULES:
        module, package = PACKAGE / f"{name}.py", PACKAGE / name
        files += [module] if module.exists() else python_files(package)
    return files


def test_every_rule_module_exists() -> None:
    """The list above names real modules: a rule module renamed must be renamed here, not dropped."""
    missing = [n for n in RULES if not (PACKAGE / f"{n}.py").exists() and not (PACKAGE / n).is_dir()]
    assert not missing


@pytest.mark.parametrize("path", rule_files(), ids=lambda p: module_name(p))
def test_rules_import_no_io_store_jobs_batch_or_front_end(path: Path) -> None:
    bad = sorted(m for m in imports(path) if m.startswith(NOT_FOR_RULES))
    assert not bad, f"{module_name(path)} imports {bad}"


def test_nothing_in_the_package_imports_streamlit() -> None:
    bad = {module_name(p): sorted(m for m in imports(p) if m.split(".")[0] == "streamlit")
           for p in python_files(PACKAGE)}
    assert not {k: v for k, v in bad.items() if v}


def test_the_package_has_no_import_cycle() -> None:
    """Module-level imports between the package's modules form no cycle (a cycle is two modules that can
    only be understood together, and an import order that works by accident)."""
    modules = {module_name(p): p for p in python_files(PACKAGE)}
    graph = {name: {m for m in imports(path, top_level_only=True) if m in modules and m != name}
             for name, path in modules.items()}
    for name in graph:  # a package's __init__ importing its own submodules is not a cycle
        graph[name] = {m for m in graph[name] if not m.startswith(f"{name}.")}
    seen: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(graph[node]):
            if seen.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join([*path[path.index(nxt):], nxt]))
            if nxt not in seen:
                visit(nxt, [*path, nxt])
        seen[node] = 2

    for start in sorted(graph):
        if start not in seen:
            visit(start, [start])
