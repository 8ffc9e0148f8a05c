"""Batch checks past one machine: the engine's own stages, one partition at a time, on Dask (issue 15).

A city's roster (15–20 million rows) does not fit the single-process path, whose memory grows with
the rows. Here every input file is cut into partitions (CSV: byte blocks at line ends; Parquet: row
groups), each partition goes through the single-machine check, and the results are written as
Parquet datasets. Three layers:

- ``plan``: the command line's inputs as files and their partitions (reads only CSV heads and
  Parquet footers);
- ``partitions``: what one task does to one partition, plain pandas in and out (no Dask);
- ``driver``: the Dask graph, the cluster, the totals and the command's lines.

``python -m compliance batch`` uses the names below (docs/scale.md).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from compliance.batch.partitions import read_dataset
from compliance.batch.plan import BatchError, plan

if TYPE_CHECKING:
    from compliance.batch.driver import (
        BatchSummary,
        CrossSummary,
        connect,
        crosscheck_line,
        parse_size,
        provisional_warning,
        run_check,
        run_crosscheck,
        run_employers,
        summary_line,
    )

__all__ = ["BatchError", "BatchSummary", "CrossSummary", "connect", "crosscheck_line", "parse_size", "plan",
           "provisional_warning", "read_dataset", "run_check", "run_crosscheck", "run_employers", "summary_line"]


def __getattr__(name: str) -> Any:
    """The driver's names, imported on first use: importing ``compliance.batch.plan`` or
    ``.partitions`` runs this package's module first, and they must stay importable without Dask
    (a worker of another engine, the tests of the import graph)."""
    if name in __all__:  # the ones not imported above
        return getattr(importlib.import_module("compliance.batch.driver"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
