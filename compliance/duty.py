"""Who carries which registration duty (shared README section 11.3): ``full``, ``work_injury_only`` or ``none``.

Social Insurance Law Art. 58 binds the employer to register its employees within 30 days; what it must
insure them for depends on the employment:

- full-time employees (blank, 全日制, probation — part of the contract term, Labour Contract Law
  Art. 19 —, 延迟退休, Order 56 Art. 23): ``full``; a waiver of social insurance (自愿放弃社保) changes
  nothing: it is void (法释〔2025〕12号 Art. 19);
- part-timers (非全日制): ``work_injury_only`` — the employer pays work-injury insurance, pension and
  medical are the worker's own (劳社部发〔2003〕12号 items 10–12);
- interns and service contracts: ``none`` (no employment relationship);
- dispatched workers: ``none`` here, the dispatching agency registers (劳务派遣暂行规定 Art. 8) — unless
  the roster says it has no branch where the work is done: then the user company registers (Art. 19(2)),
  ``full``;
- over-age workers (``retired``, or anyone whose resident ID shows them at or above the reformed
  statutory retirement age on the hire date, ``compliance.retirement``): a service relationship
  (Labour Contract Law Art. 44(2)), ``none`` for an as-of date before 2026-07-01; from then on
  ``work_injury_only`` (超龄劳动者基本权益保障暂行规定, 人社部等五部门令第56号, Art. 15), the 30 days
  counting from the later of the start date and 2026-07-01.

``retired`` below the original age (men 60, women 50) on the hire date is ``full`` (early retirement
needs an approval); a woman between the ages of the 50 and 55 tables keeps her label's duty (which
table is hers depends on her post, which a roster does not say).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from compliance import retirement
from compliance.dates import age_on

ORDER_56_FROM = pd.Timestamp(2026, 7, 1)  # 人社部等五部门令第56号 in force: over-age workers insured for work injury
ORIGINAL_AGE_YEARS = {"M": 60, "F": 50}  # below these no retirement is possible without an approval
DUTIES = ["full", "work_injury_only", "none"]


@dataclass
class Duties:
    """The duty of each row and why, as columns aligned with the rows."""

    duty: pd.Series  # DUTIES
    over_age: pd.Series  # bool: a service relationship by age (retired label or the ID's birth date)
    start: pd.Series  # the day the 30 days count from (later than the given start for Order 56 rows)
    over_statutory_age: pd.Series  # bool: by the ID, at or above the reformed age on the hire date
    retired_below_age: pd.Series  # bool: labelled retired, below the original age
    age_uncertain: pd.Series  # bool: a woman between the 50-table and the 55-table ages
    work_injury_required: pd.Series  # bool: over-age, as of 2026-07-01 or later
    dispatch_user_registers: pd.Series  # bool: dispatched, no branch of the agency here
    dispatch_branch_unknown: pd.Series  # bool: dispatched, the roster does not say


def duties(employment_type: pd.Series, dispatch_local_branch: pd.Series, birth: pd.Series, sex: pd.Series,
           id_kind: pd.Series, hire: pd.Series, start: pd.Series, as_of: dt.date) -> Duties:
    """The duty of every row as of ``as_of`` (module docstring); ``start`` is the day the 30 days would
    count from (the hire date, or a later work permit)."""
    index = employment_type.index
    kind = employment_type.fillna("full_time")
    resident = (id_kind == "resident").fillna(False).to_numpy(dtype=bool) & birth.notna().to_numpy()
    men = resident & (sex == "M").fillna(False).to_numpy(dtype=bool)
    women = resident & (sex == "F").fillna(False).to_numpy(dtype=bool)
    age = age_on(birth, hire)  # completed years: only those of 50 or more can be past any retirement age
    fifty = (age >= min(ORIGINAL_AGE_YEARS.values())).fillna(False).to_numpy(dtype=bool)
    reformed_men = _reached(birth, hire, "male_60", men & fifty)
    reformed_55 = _reached(birth, hire, "female_55", women & fifty)
    reformed_50 = _reached(birth, hire, "female_50", women & fifty)
    labelled_retired = (kind == "retired").to_numpy(dtype=bool)
    original = (age >= sex.map(ORIGINAL_AGE_YEARS).astype("Int64")).fillna(False).to_numpy(dtype=bool) | ~resident
    retired_below = labelled_retired & resident & ~original & hire.notna().to_numpy()
    over_by_id = reformed_men | reformed_55
    uncertain = reformed_50 & ~reformed_55
    over_age = (labelled_retired & ~retired_below) | over_by_id

    branch = dispatch_local_branch.astype("string")
    dispatched = (kind == "dispatched").to_numpy(dtype=bool)
    user_registers = dispatched & (branch == "no").fillna(False).to_numpy(dtype=bool)
    branch_unknown = dispatched & branch.isna().to_numpy()
    no_relationship = kind.isin(["intern", "service"]).to_numpy(dtype=bool) | (dispatched & ~user_registers)
    part_time = (kind == "part_time").to_numpy(dtype=bool)

    order_56 = pd.Timestamp(as_of) >= ORDER_56_FROM
    duty = np.where(no_relationship, "none", np.where(part_time, "work_injury_only", "full")).astype(object)
    duty[over_age & ~no_relationship] = "work_injury_only" if order_56 else "none"
    required = over_age & ~no_relationship & order_56
    later_start = start.where(~(required & (start < ORDER_56_FROM).fillna(False).to_numpy()), ORDER_56_FROM)
    series = {name: pd.Series(values, index=index, dtype=bool) for name, values in {
        "over_age": over_age, "over_statutory_age": over_by_id, "retired_below_age": retired_below,
        "age_uncertain": uncertain & ~over_by_id, "work_injury_required": required,
        "dispatch_user_registers": user_registers, "dispatch_branch_unknown": branch_unknown}.items()}
    return Duties(pd.Series(duty, index=index, dtype="string"), start=later_start, **series)


def _reached(birth: pd.Series, day: pd.Series, table: str, rows: np.ndarray) -> np.ndarray:
    """At or above ``table``'s reformed age on ``day``, worked out for ``rows`` only (False elsewhere)."""
    out = np.zeros(len(birth), dtype=bool)
    if rows.any():
        out[rows] = retirement.age_reached(birth[rows], day[rows], table).fillna(False).to_numpy(dtype=bool)
    return out
