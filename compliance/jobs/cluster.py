"""The batch use cases: city-scale checks and cross-checks on Dask (``compliance.batch``).

``compliance.batch`` loads its Dask driver on first use of a driver name: the dashboard's checking
processes import the jobs package and never pay for Dask.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from compliance import batch
from compliance.batch.plan import BLOCKSIZE, PARTITION_ROWS

if TYPE_CHECKING:
    from compliance.batch.driver import BatchSummary, CrossSummary


@dataclass
class Cluster:
    """Where a batch runs and how its inputs are cut (``python -m compliance batch``'s options)."""

    scheduler: str | None = None  # a running cluster's address; None: a local one of ``workers`` processes
    workers: int | None = None
    blocksize: int = BLOCKSIZE
    partition_rows: int = PARTITION_ROWS
    progress: bool = False


def batch_check(inputs: Sequence[str], out: str, as_of: dt.date, calendar_days: bool = False,
                cluster: Cluster | None = None) -> BatchSummary:
    """Check city-scale rosters partition by partition (the same rules as :func:`check_paths`); the
    results and problems go to Parquet datasets under ``out``. Inputs are planned before any cluster
    starts, so a missing or unusable input is reported first."""
    cluster = cluster or Cluster()
    planned = batch.plan(inputs, cluster.blocksize, cluster.partition_rows)
    with batch.connect(cluster.scheduler, cluster.workers) as client:
        return batch.run_check(client, planned, out, as_of, calendar_days, cluster.progress)


def batch_employers(inputs: Sequence[str], as_of: dt.date, calendar_days: bool = False,
                    cluster: Cluster | None = None) -> tuple[pd.DataFrame, BatchSummary]:
    """:func:`employer_summary` of city-scale rosters, reduced per partition on the cluster."""
    cluster = cluster or Cluster()
    planned = batch.plan(inputs, cluster.blocksize, cluster.partition_rows)
    with batch.connect(cluster.scheduler, cluster.workers) as client:
        return batch.run_employers(client, planned, as_of, calendar_days, cluster.progress)


def batch_crosscheck(rosters: Sequence[str], registry: Sequence[str], out: str,
                     cluster: Cluster | None = None) -> CrossSummary:
    """The cross-check of section 8 (:func:`findings`) over roster files and registry extracts on the
    cluster, as if each had been stored in command-line order; the findings go to ``out``."""
    cluster = cluster or Cluster()
    planned_rosters = batch.plan(rosters, cluster.blocksize, cluster.partition_rows)
    planned_registry = batch.plan(registry, cluster.blocksize, cluster.partition_rows)
    with batch.connect(cluster.scheduler, cluster.workers) as client:
        return batch.run_crosscheck(client, planned_rosters, planned_registry, out, cluster.progress)
