"""Per-employer summary and the Art. 58 premium-verification flag.

PRC Social Insurance Law Art. 58: where an employer has not applied for an employee's
registration within 30 days, the social insurance agency verifies (核定) the premiums it
should pay. An employer with at least one ``overdue`` employee is therefore flagged for
premium verification, with a reason a person can read. ``exempt`` rows (no Art. 58 duty, shared
README section 10) are counted apart and never flag an employer.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from compliance.registration import STATUSES

EMPLOYER_COLUMNS = ["employer_id", "employer_name", "employees", "on_time", "late", "overdue", "pending",
                    "invalid", "exempt", "max_days_overdue", "flag_premium_verification", "flag_reason"]


def flag_reason(overdue: pd.Series, longest: pd.Series) -> pd.Series:
    """'3 employees unregistered, longest 47 days past deadline' (NA where nothing is overdue)."""
    noun = pd.Series(np.where(overdue == 1, " employee", " employees"), index=overdue.index, dtype="string")
    days = pd.Series(np.where(longest == 1, " day", " days"), index=longest.index, dtype="string")
    reason = (overdue.astype("string") + noun + " unregistered, longest " + longest.astype("string") + days
              + " past deadline")
    return reason.where(overdue > 0)


def summarise(results: pd.DataFrame) -> pd.DataFrame:
    """One row per employer, riskiest first (most overdue, then longest overdue).

    Employers are told apart by ``employer_id``; rows without one fall back to the name, and
    rows with neither form one group with both fields empty.
    """
    frame = results[["employer_id", "employer_name", "status", "days_late"]].copy()
    frame["key"] = frame["employer_id"].fillna("name:" + frame["employer_name"]).fillna("")
    counts = pd.crosstab(frame["key"], frame["status"]).reindex(columns=STATUSES, fill_value=0)
    overdue_days = frame["days_late"].where(frame["status"] == "overdue")
    grouped = frame.assign(overdue_days=overdue_days).groupby("key", sort=False, dropna=False)
    out = pd.DataFrame({
        "employer_id": grouped["employer_id"].first(),
        "employer_name": grouped["employer_name"].agg(lambda s: s.dropna().mode().iloc[0]
                                                      if s.notna().any() else pd.NA),
        "employees": grouped.size(),
    })
    out = out.join(counts)
    out["max_days_overdue"] = grouped["overdue_days"].max().fillna(0).astype("int64")
    out["flag_premium_verification"] = out["overdue"] > 0
    out["flag_reason"] = flag_reason(out["overdue"], out["max_days_overdue"])
    out = out.sort_values(["overdue", "max_days_overdue", "employees"], ascending=False, kind="stable")
    return out[EMPLOYER_COLUMNS].reset_index(drop=True)


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
