"""The use cases that need no store: checks of uploads and files, who sees what, what a worksheet covers.

Run in the dashboard's worker processes and by the core install (no SQLAlchemy): ``python -m compliance
check`` and ``batch`` work without the ``app`` extra (tests/test_packaging.py).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from compliance import cards, cases, employers, premiums
from compliance.registration import PROBLEM_CODED, CheckResult, check, check_slices, employer_problem
from compliance.rosters import Roster, RosterError, read_rosters, read_uploads, roster_paths

if TYPE_CHECKING:  # the worker processes that run checks need no accounts
    from compliance.accounts import User

log = logging.getLogger(__name__)

Files = Sequence[tuple[str, bytes]]  # uploads as (file name, content)


# --- checks -----------------------------------------------------------------------------------

def check_uploads(files: Files, as_of: dt.date, calendar_days: bool = False, employer_id: str | None = None,
                  employer_name: str | None = None) -> tuple[CheckResult, list[str]]:
    """Read uploaded files (name, content) and check them; unusable files give error lines.

    One call from bytes to results, with picklable arguments and result, so that the dashboard runs it
    in a worker process (``compliance.workers``). An employer the page gives that the store could not
    keep (``registration.employer_problem``) is the one error line, before any file is read. Error lines
    quote file names: ID-shaped runs in them are masked. Messages keep their structure (``_coded`` columns,
    ``catalogue.Text`` lines), so a page renders them in the user's language.
    """
    if (refused := employer_problem(employer_id, employer_name)) is not None:
        return check([], as_of, calendar_days=calendar_days), [refused]
    rosters, errors = read_uploads(list(files), employer_id, employer_name)  # its lines are masked already
    return check(rosters, as_of, calendar_days=calendar_days, coded=True), errors


def warm_up() -> None:
    """Load what the first check would otherwise load while a user waits: the region table, the holiday
    calendar, lazily imported modules (a one-row check of a made-up roster). A worker's initializer."""
    roster = b"name,id_number,hire_date,registration_date\nwarm-up,11010519491231002X,2025-03-05,\n"
    try:
        check_uploads([("warm_up.csv", roster)], dt.date.today())
    except Exception:  # a failed warm-up only costs the first user time; the real check will report
        log.warning("warm-up check failed", exc_info=True)


@dataclass
class PathCheck:
    """A check of files on disk: the inputs set aside (folders' other files), and the judged slices of
    ``registration.CHUNK_ROWS`` rows, in file and row order, made as they are consumed."""

    skipped: list[str]
    slices: Iterator[CheckResult]


def read_paths(inputs: Sequence[str], employer_id: str | None = None,
               employer_name: str | None = None) -> tuple[list[Roster], list[str]]:
    """The rosters that files and folders name, and the inputs set aside; an employer given for rosters
    without employer columns that the store could not keep is refused first (it fills every row)."""
    if (refused := employer_problem(employer_id, employer_name)) is not None:
        raise RosterError(refused)
    paths, skipped = roster_paths(list(inputs))
    return read_rosters(paths, employer_id, employer_name), skipped


def check_paths(inputs: Sequence[str], as_of: dt.date, calendar_days: bool = False,
                employer_id: str | None = None, employer_name: str | None = None) -> PathCheck:
    """Check roster files (``python -m compliance check``): the caller writes each slice as it comes, so a
    big roster's results are never all in memory. Unusable input raises ``RosterError`` (exit 2)."""
    rosters, skipped = read_paths(inputs, employer_id, employer_name)
    return PathCheck(skipped, check_slices(rosters, as_of, calendar_days))


def check_paths_whole(inputs: Sequence[str], as_of: dt.date, calendar_days: bool = False,
                      employer_id: str | None = None, employer_name: str | None = None) -> tuple[CheckResult,
                                                                                                 list[str]]:
    """:func:`check_paths` with every slice in one result (an ``.xlsx``/``.json`` output, ``employers``)."""
    rosters, skipped = read_paths(inputs, employer_id, employer_name)
    return check(rosters, as_of, calendar_days=calendar_days), skipped


def employer_summary(results: pd.DataFrame) -> pd.DataFrame:
    """One row per employer, flagged for premium verification where anyone is overdue (Art. 58)."""
    return employers.summarise(results)


def card_report(result: CheckResult, as_of: dt.date, city: str | None = None,
                old_cards_cancelled: dt.date | None = None, lang: str = "zh") -> cards.CardReport:
    """Every person's card (section 11.4: functions, guidance, frozen account) of a check's rows; the
    problems are the check's with the card's own (``card_city_unknown``) in row order."""
    report = cards.card_report(result.results, as_of, city, old_cards_cancelled, lang)
    problems = result.problems if PROBLEM_CODED in result.problems else \
        result.problems.assign(**{PROBLEM_CODED: pd.NA})
    merged = pd.concat([problems, report.problems], ignore_index=True) if len(report.problems) else problems
    order = np.lexsort((np.arange(len(merged)), merged["source_row"].astype("Float64").fillna(-1).to_numpy()))
    wanted = list(result.problems.columns)
    report.problems = merged.iloc[order][wanted].astype({"source_row": "Int64"}).reset_index(drop=True)
    return report


def scope(result: CheckResult, user: User) -> tuple[CheckResult, int]:
    """Only the rows ``user`` may see (HR: its employers; an inspector: all), and how many were set aside.
    A problem of a row is seen with its row; a file-level note by all."""
    if user.role == "inspector":
        return result, 0
    mine = result.results["employer_id"].isin(sorted(user.employers)) if user.role == "hr" else \
        pd.Series(False, index=result.results.index)
    problems = result.problems
    keep = np.zeros(0, dtype=bool)
    if len(problems):
        rows = problems[["source_file", "source_row"]].astype({"source_row": "Int64"})
        allowed = result.results.loc[mine, ["source_file", "source_row"]].astype({"source_row": "Int64"})
        keep = problems["source_row"].isna().to_numpy() | pd.MultiIndex.from_frame(rows).isin(
            pd.MultiIndex.from_frame(allowed))
    set_aside = int((~mine).sum())
    results = result.results if not set_aside else result.results[mine].reset_index(drop=True)  # no copy if all
    return CheckResult(results, problems[keep].reset_index(drop=True)), set_aside


def empty_result() -> CheckResult:
    """A check of nothing: every contract column, no row."""
    return check([], dt.date.today())


# --- who a worksheet covers -------------------------------------------------------------------------

def overdue_of(results: pd.DataFrame, employer_id: str) -> pd.DataFrame:
    """``employer_id``'s employees with a valid ID number who are overdue."""
    return results[(results["status"] == "overdue") & (results["employer_id"] == employer_id)
                   & results["ssn"].notna()]


def covered_of(results: pd.DataFrame, employer_id: str) -> pd.DataFrame:
    """Who a worksheet covers (README 8, 11.5): ``employer_id``'s employees with a valid ID number who are
    overdue, or registered late (their gap months); exempt and left-before-deadline rows stay out."""
    return results[results["status"].isin(premiums.COVERED_STATUSES) & (results["employer_id"] == employer_id)
                   & results["ssn"].notna()]


def flagged_employers(results: pd.DataFrame) -> list[str]:
    """Employers flagged for premium verification: at least one employee overdue (Art. 58)."""
    return sorted(results.loc[results["status"] == "overdue", "employer_id"].dropna().unique())


@dataclass
class Worksheet:
    """A premium verification worksheet (Social Insurance Law Art. 58, 86; README 11.5): the employees it
    covers, month rows, totals, and its notes as codes with parameters (``premiums.worksheet_notes``),
    rendered where they are shown."""

    employer_id: str
    covered: pd.DataFrame  # the employees covered, overdue and late (judged stored rows)
    sheet: pd.DataFrame  # one row per employee and contribution month (premiums.WORKSHEET_COLUMNS…, kind)
    totals: pd.DataFrame  # per employer (premiums.TOTALS_COLUMNS)
    params: premiums.Params
    notes: list[str] = field(default_factory=list)

    @property
    def overdue(self) -> pd.DataFrame:
        """The covered employees who are overdue (the others were registered late: gap months only)."""
        return self.covered[self.covered["status"] == "overdue"]

    @property
    def late(self) -> pd.DataFrame:
        """The covered employees registered late."""
        return self.covered[self.covered["status"] == "late"]


def worksheet_of(results: pd.DataFrame, employer_id: str, as_of: dt.date, params: premiums.Params) -> Worksheet:
    """The worksheet of one employer from judged stored rows (:func:`stored_status`): months, types and
    money as ``compliance.premiums`` says (duty, leave date, exempt types and over-age read where the rows
    carry them)."""
    covered = covered_of(results, employer_id)
    verified = premiums.verify(covered, as_of, params)
    return Worksheet(employer_id, covered, verified.sheet, verified.totals(), params,
                     premiums.worksheet_notes(verified.sheet, params, verified))



# --- cases -----------------------------------------------------------------------------------------

def next_states(state: str) -> tuple[str, ...]:
    """The states a case may move to (README 11.6, ``compliance.cases.MOVES``): open → notified or withdrawn;
    notified → rectified, not_rectified (after its rectify-by date) or withdrawn; rectified → closed;
    not_rectified → penalised → closed; none once closed or withdrawn."""
    return cases.next_states(state)


def fine_range(ws: Worksheet) -> cases.Art84Range:
    """The Social Insurance Law Art. 84 range of a worksheet's employer: one to three times the premiums due
    (the worksheet's total, late fees excluded), 500 to 3,000 yuan each person in charge."""
    return cases.art84_range(float(ws.totals["total"].sum()) if len(ws.totals) else 0.0)
