"""The use cases, one function each: what the command line, every dashboard page and the batch path call.

A front end parses its input, makes one call here and renders what comes back; none of them runs the
read → normalise → judge (→ store) pipeline itself (``../shared/EXAMPLES.md``, "One use-case layer").
The rules stay in their modules (pure functions over DataFrames); the store keeps tables and saves and
loads them; this package puts the two together, in three modules:

- ``checks`` (no store, no Dask: the core install and the worker processes): :func:`check_uploads`
  (bytes, as the dashboard has them; picklable, for the worker pool), :func:`check_paths` (files on
  disk, slice by slice: the caller decides where each slice goes), who sees what (:func:`scope`), who a
  worksheet covers (:func:`worksheet_of`);
- ``stored`` (the ``app`` extra: SQLAlchemy): :func:`ingest_roster` and :func:`ingest_registry` (pure:
  read + normalise + what is storable; they run in the dashboard's worker pool, never in its threaded
  server), :func:`store_file`; the agency's questions (:func:`findings`, :func:`stored_status`,
  :func:`worksheet`), the cases and the documents an inspector sends
  (:func:`case_notice`, :func:`employer_report`: ``compliance.notices``);
- ``cluster``: the batch path on Dask (:func:`batch_check`, :func:`batch_employers`,
  :func:`batch_crosscheck`).

Every name is reached as ``jobs.<name>``; ``stored``'s are imported on first use, so that ``python -m
compliance check`` and ``batch`` run where SQLAlchemy is not installed.

Each rule of shared README section 8 that decides *who* a job covers lives here once: which date is
true (``crosscheck.stored_rows``), who goes into a premium worksheet (the employer's employees with a
valid ID number whose status as of the date is ``overdue``: Social Insurance Law Art. 58, verification
of the premiums of unregistered employees; Art. 86, late fees), one open case per employer.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from compliance.jobs.checks import (
    Files,
    PathCheck,
    Worksheet,
    card_report,
    check_paths,
    check_paths_whole,
    check_uploads,
    employer_summary,
    empty_result,
    fine_range,
    flagged_employers,
    next_states,
    overdue_of,
    read_paths,
    scope,
    warm_up,
    worksheet_of,
)
from compliance.jobs.cluster import Cluster, batch_check, batch_crosscheck, batch_employers

if TYPE_CHECKING:
    from compliance.jobs.stored import (
        CaseView,
        Ingested,
        Runner,
        Source,
        case_fine,
        case_history,
        case_notice,
        case_of,
        case_view,
        employer_city,
        employer_names,
        employer_report,
        findings,
        history,
        import_registry,
        in_registry,
        ingest_registry,
        ingest_roster,
        list_cases,
        move_case,
        open_case,
        store_file,
        store_roster,
        store_state,
        stored_status,
        worksheet,
    )

STORED = ("CaseView", "Ingested", "Runner", "Source", "case_fine", "case_history", "case_notice", "case_of",
          "case_view", "employer_city", "employer_names", "employer_report", "findings", "history",
          "import_registry", "in_registry", "ingest_registry", "ingest_roster", "list_cases", "move_case", "open_case",
          "store_file", "store_roster", "store_state", "stored_status", "worksheet")

__all__ = [
    "CaseView",
    "Cluster",
    "Files",
    "Ingested",
    "PathCheck",
    "Runner",
    "Source",
    "Worksheet",
    "batch_check",
    "batch_crosscheck",
    "batch_employers",
    "card_report",
    "case_fine",
    "case_history",
    "case_notice",
    "case_of",
    "case_view",
    "check_paths",
    "check_paths_whole",
    "check_uploads",
    "employer_city",
    "employer_names",
    "employer_report",
    "employer_summary",
    "empty_result",
    "findings",
    "fine_range",
    "flagged_employers",
    "history",
    "import_registry",
    "in_registry",
    "ingest_registry",
    "ingest_roster",
    "list_cases",
    "move_case",
    "next_states",
    "open_case",
    "overdue_of",
    "read_paths",
    "scope",
    "store_file",
    "store_roster",
    "store_state",
    "stored_status",
    "warm_up",
    "worksheet",
    "worksheet_of",
]


def __getattr__(name: str) -> Any:
    """The store's use cases, imported on first use (they need SQLAlchemy, which the core install lacks)."""
    if name in STORED:
        return getattr(importlib.import_module("compliance.jobs.stored"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
