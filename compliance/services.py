"""One function per job on the store, shared by the command line and the dashboard.

Each rule of shared README section 8 that decides *who* a job covers lives here once: which
date is true (``crosscheck.stored_rows``), and who goes into a premium worksheet (the employer's
employees with a valid ID number whose status as of the date is ``overdue``: Social Insurance
Law Art. 58, verification of the premiums of unregistered employees; Art. 86, late fees).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from compliance import premiums, store
from compliance.crosscheck import crosscheck, stored_check


@dataclass
class Worksheet:
    """A premium verification worksheet: the employees it covers, month rows and totals."""

    employer_id: str
    overdue: pd.DataFrame  # the employees covered (judged stored rows)
    sheet: pd.DataFrame  # one row per employee and contribution month (premiums.WORKSHEET_COLUMNS…)
    totals: pd.DataFrame  # per employer (premiums.totals)
    params: premiums.Params


def store_state(engine: Engine) -> tuple[int, int]:
    """What the stored data depend on: (uploads stored, newest upload id). A cache keyed by it is
    stale exactly when a roster or registry extract was stored since."""
    with engine.connect() as conn:
        count, newest = conn.execute(sa.select(sa.func.count(), sa.func.max(store.uploads.c.id))).one()
    return int(count), int(newest or 0)


def findings(engine: Engine, employer_id: str | None = None) -> pd.DataFrame:
    """The cross-check of stored rosters against the registry (``crosscheck.CROSSCHECK_COLUMNS``)."""
    # only the columns the cross-check reads: no join with people (a third of the memory at 1M rows)
    columns = ["id", "employer_id", "ssn", "name", "registration_date", "source_file", "source_row", "employment_type"]
    return crosscheck(store.load_employments(engine, employer_id, columns=columns),
                      store.load_registrations(engine, employer_id), store.upload_names(engine))


def in_registry(engine: Engine, employer_id: str) -> bool:
    """Whether any imported registry extract names the employer: then the registry decides whether and
    when its employees were registered (section 8), not the employer's roster."""
    with engine.connect() as conn:
        return conn.execute(sa.select(store.registrations.c.id).where(
            store.registrations.c.employer_id == employer_id).limit(1)).first() is not None


def stored_status(engine: Engine, as_of: dt.date, employer_id: str | None = None,
                  calendar_days: bool = False) -> pd.DataFrame:
    """Every stored employment judged as of a date, registration dates as the registry decides."""
    return stored_check(store.load_employments(engine, employer_id), store.load_registrations(engine, employer_id),
                        store.employer_names(engine), as_of, calendar_days)


def overdue_of(results: pd.DataFrame, employer_id: str) -> pd.DataFrame:
    """Who a worksheet covers: ``employer_id``'s employees with a valid ID number who are overdue."""
    return results[(results["status"] == "overdue") & (results["employer_id"] == employer_id)
                   & results["ssn"].notna()]


def flagged_employers(results: pd.DataFrame) -> list[str]:
    """Employers flagged for premium verification: at least one employee overdue (Art. 58)."""
    return sorted(results.loc[results["status"] == "overdue", "employer_id"].dropna().unique())


def worksheet_of(results: pd.DataFrame, employer_id: str, as_of: dt.date, params: premiums.Params) -> Worksheet:
    """The worksheet of one employer from judged stored rows (:func:`stored_status`)."""
    overdue = overdue_of(results, employer_id)
    sheet = premiums.worksheet(overdue, as_of, params)
    return Worksheet(employer_id, overdue, sheet, premiums.totals(sheet), params)


def worksheet(engine: Engine, employer_id: str, as_of: dt.date, params: premiums.Params) -> Worksheet:
    """The Art. 58 premium verification worksheet of one stored employer as of a date."""
    return worksheet_of(stored_status(engine, as_of, employer_id), employer_id, as_of, params)
