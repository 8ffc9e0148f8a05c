"""Per-employer summary and the Art. 58 premium-verification flag.

PRC Social Insurance Law Art. 58: where an employer has not applied for an employee's
registration within 30 days, the social insurance agency verifies (核定) the premiums it
should pay. An employer with at least one ``overdue`` employee is therefore flagged for
premium verification, with a reason a person can read. ``exempt`` rows (no Art. 58 duty, shared
README section 10) are counted apart and never flag an employer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from compliance import catalogue
from compliance.schema import EMPLOYER_CODED, EMPLOYER_COLUMNS, STATUSES

__all__ = ["EMPLOYER_COLUMNS", "combine", "flag_reason", "partial", "summarise"]


def flag_reason(overdue: pd.Series, longest: pd.Series) -> pd.Series:
    """'3 employees unregistered, longest 47 days past deadline' (NA where nothing is overdue)."""
    return flag_reason_coded(overdue, longest)[0]


def flag_reason_coded(overdue: pd.Series, longest: pd.Series) -> tuple[pd.Series, pd.Series]:
    """:func:`flag_reason` and its structure (catalogue ``overdue_employees``), NA where nothing is overdue."""
    text, entry = catalogue.message("overdue_employees", overdue.index, n=overdue.astype("int64"),
                                    days=longest.astype("int64"))
    flagged = (overdue > 0).to_numpy(dtype=bool)
    return text.where(flagged), catalogue.as_list(entry).where(flagged)


ORDER_SHIFT = 32  # an employer's first appearance: partition number << 32 | row position in it


_COUNTED = ["full_overdue", "work_injury_overdue", "deregistration_issues"]  # rows per employer, besides statuses
_DEREGISTRATION = r'"deregistration_(?:late|missing)"'


def _deregistration_issues(results: pd.DataFrame) -> pd.Series:
    """Rows with a late or missing deregistration (减员, section 11.2), by their structure column (or, in
    frames without it, the problem text)."""
    if "problem_coded" in results:
        return results["problem_coded"].astype("string").str.contains(_DEREGISTRATION, regex=True).fillna(False)
    if "problem" in results:
        return results["problem"].astype("string").str.contains("deregistration (减员)", regex=False).fillna(False)
    return pd.Series(False, index=results.index)


def summarise(results: pd.DataFrame) -> pd.DataFrame:
    """One row per employer, riskiest first (most overdue, then longest overdue; ties in order of
    first appearance).

    Employers are told apart by ``employer_id``; rows without one fall back to the name, and
    rows with neither form one group with both fields empty. The name shown is the one most
    rows give (a tie goes to the first in sort order).
    """
    return combine([partial(results)])


def partial(results: pd.DataFrame, number: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """What :func:`summarise` needs of one part of the results (part ``number`` in row order), in a form
    that adds up across parts (the batch path sums them from many workers, ``compliance.scale``): per
    employer key (the ID, else "name:" + the name) its first appearance, ID, status counts and longest
    overdue; and the rows per (key, name), for the most used name."""
    if results.empty:
        keys = pd.DataFrame({"order": pd.Series(dtype="int64"), "employer_id": pd.Series(dtype="string"),
                             "employees": pd.Series(dtype="int64"), "overdue_days": pd.Series(dtype="Int64"),
                             "full_overdue_days": pd.Series(dtype="Int64"),
                             **{s: pd.Series(dtype="int64") for s in [*STATUSES, *_COUNTED]}})
        return keys, pd.Series(dtype="int64", index=pd.MultiIndex.from_tuples([], names=["key", "name"]))
    key = results["employer_id"].fillna("name:" + results["employer_name"]).fillna("")
    overdue = (results["status"] == "overdue").fillna(False)
    duty = results["duty"].fillna("full") if "duty" in results else pd.Series("full", index=results.index)
    full = overdue & (duty == "full")
    frame = pd.DataFrame({"key": key, "employer_id": results["employer_id"],
                          "order": (number << ORDER_SHIFT) + np.arange(len(results), dtype=np.int64),
                          "overdue_days": results["days_late"].where(overdue),
                          "full_overdue_days": results["days_late"].where(full),
                          "full_overdue": full.astype("int64"),
                          "work_injury_overdue": (overdue & (duty == "work_injury_only")).astype("int64"),
                          "deregistration_issues": _deregistration_issues(results).astype("int64")})
    grouped = frame.groupby("key", sort=False)
    keys = pd.DataFrame({"order": grouped["order"].min(), "employer_id": grouped["employer_id"].first(),
                         "employees": grouped.size(), "overdue_days": grouped["overdue_days"].max(),
                         "full_overdue_days": grouped["full_overdue_days"].max(),
                         **{c: grouped[c].sum() for c in _COUNTED}})
    counts = pd.crosstab(key, results["status"]).reindex(columns=STATUSES, fill_value=0)
    keys = keys.join(counts).fillna({s: 0 for s in STATUSES})
    named = results["employer_name"].notna()
    names = pd.DataFrame({"key": key[named], "name": results["employer_name"][named]}).value_counts()
    return keys, names


def combine(partials: Sequence[tuple[pd.DataFrame, pd.Series]]) -> pd.DataFrame:
    """The summary (``EMPLOYER_COLUMNS``, and ``flag_reason_coded``: its structure) from the :func:`partial`
    of every part of the results."""
    if not partials:
        return pd.DataFrame({c: pd.Series(dtype="string" if c in ("employer_id", "employer_name", "flag_reason",
                                                                  EMPLOYER_CODED) else "int64")
                             for c in [*EMPLOYER_COLUMNS, EMPLOYER_CODED]})
    keys = pd.concat([k for k, _ in partials]).sort_values("order", kind="stable")
    grouped = keys.groupby(level=0, sort=False)
    out = pd.DataFrame({"employer_id": grouped["employer_id"].first(), "employees": grouped["employees"].sum()})
    names = pd.concat([n for _, n in partials])
    if len(names):
        names = names.groupby(level=[0, 1]).sum().rename("n").reset_index()
        # the most used name; a tie goes to the first in sort order, as Series.mode() gives it
        names = names.sort_values(["key", "n", "name"], ascending=[True, False, True], kind="stable")
        out["employer_name"] = names.drop_duplicates("key").set_index("key")["name"].reindex(out.index)
    else:
        out["employer_name"] = pd.Series(pd.NA, index=out.index, dtype="string")
    for status in [*STATUSES, *_COUNTED]:
        out[status] = grouped[status].sum().astype("int64")
    out["max_days_overdue"] = grouped["overdue_days"].max().fillna(0).astype("int64")
    # Art. 58: the premiums of employees never registered are verified; a work-injury-only row overdue is
    # counted apart (section 11.3), and does not flag the employer
    out["flag_premium_verification"] = out["full_overdue"] > 0
    out["flag_reason"], out[EMPLOYER_CODED] = flag_reason_coded(
        out["full_overdue"], grouped["full_overdue_days"].max().fillna(0).astype("int64"))
    out = out.sort_values(["overdue", "max_days_overdue", "employees"], ascending=False, kind="stable")
    out["employees"] = out["employees"].astype("int64")
    return out[[*EMPLOYER_COLUMNS, EMPLOYER_CODED]].reset_index(drop=True)


def filter_employers(results: pd.DataFrame, search: str = "",
                     hired_between: tuple[dt.date, dt.date] | None = None) -> pd.DataFrame:
    """Rows of employers whose name or ID contains ``search``, hired within the period (inclusive)."""
    keep = pd.Series(True, index=results.index)
    if search.strip():
        needle = search.strip().lower()
        text = (results["employer_id"].fillna("") + " " + results["employer_name"].fillna("")).str.lower()
        keep &= text.str.contains(needle, regex=False)
    if hired_between is not None:
        start, end = (pd.Timestamp(d) for d in hired_between)
        keep &= results["hire_date"].between(start, end) | results["hire_date"].isna()
    return results[keep]
