"""Registration status of each employee as of a date (shared README section 3).

PRC Social Insurance Law Art. 58: the employer applies for registration within 30 days from
the date of employment. As of a date, an employee is

- ``on_time``: registered on or before the deadline (registering before the hire date is on time);
- ``late``: registered after the deadline (``days_late`` = registration - deadline);
- ``overdue``: not registered and the deadline has passed (``days_late`` = as-of - deadline);
- ``pending``: not registered, deadline not passed (``days_left`` = deadline - as-of);
- ``invalid``: hire date missing or unreadable, or registration date unreadable.

A registration dated after the as-of date had not happened by then: it counts as not
registered, with a note in ``problem``. A bad ID number does not change the status; it is
reported in ``id_problem``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from compliance import calendar, ids
from compliance.dates import parse_dates, unreadable_dates
from compliance.rosters import Roster, read_uploads

STATUSES = ["on_time", "late", "overdue", "pending", "invalid"]
CHECK_COLUMNS = ["source_file", "source_row", "employer_id", "employer_name", "name", "id_number", "ssn",
                 "id_problem", "birth_date", "sex", "region", "hire_date", "registration_date", "deadline",
                 "status", "days_late", "days_left", "problem", "deadline_provisional"]
# Kept beside the contract columns for the dashboard, the problems table and later issues.
PROBLEM_COLUMNS = ["source_file", "source_row", "column", "code", "value", "message"]
EXTRA_COLUMNS = ["id_code", "id_warning", "kind", "region_code", "card_status", "card_bank",
                 "activation_date", "wage", "problem_code"]
# The longest text the store keeps per field (its column sizes, compliance/store.py). A longer value
# is a row problem here, before any database sees it: the row is checked but not stored.
TEXT_LIMITS = {"employer_id": 64, "employer_name": 255, "name": 128, "card_status": 32, "card_bank": 64}


def _text(values: pd.Series) -> pd.Series:
    """Cells as stripped text, blank as NA (names, employer fields, card fields)."""
    text = ids.cells_as_text(values).str.strip()
    return text.mask(text == "", pd.NA)


def _wages(values: pd.Series) -> pd.Series:
    """Declared monthly wages as numbers; number cells directly, text like '8,500' without its commas."""
    wage = pd.to_numeric(values, errors="coerce").astype("float64")
    text = (values.notna() & wage.isna()).to_numpy(dtype=bool)
    if text.any():
        wage[text] = pd.to_numeric(_text(values[text]).str.replace(",", ""), errors="coerce").astype("float64")
    return wage


def too_long(values: pd.Series, limit: int) -> pd.Series:
    """Cells whose text is longer than ``limit`` characters (blank cells are not)."""
    return _text(values).str.len().gt(limit).fillna(False).astype(bool)


def _shortened(value: object, keep: int = 40) -> str:
    """A long cell as it may be quoted in a message: its first ``keep`` characters and an ellipsis."""
    text = str(value).strip()
    return text if len(text) <= keep else text[:keep] + "…"


def _join(first: pd.Series, second: pd.Series) -> pd.Series:
    """Join two message columns with '; ', skipping missing ones."""
    both = first + "; " + second
    return both.fillna(first).fillna(second)


@dataclass
class CheckResult:
    """Per-row results (``CHECK_COLUMNS`` + ``EXTRA_COLUMNS``) and the long problems table."""

    results: pd.DataFrame
    problems: pd.DataFrame


def check_roster(roster: Roster, as_of: dt.date, calendar_days: bool = False,
                 today: dt.date | None = None) -> CheckResult:
    """Status of every row of one roster, and every problem found in it."""
    f = roster.frame
    number_cell = None
    if "id_number" in roster.number_cells:
        number_cell = f["id_number"].map(lambda v: isinstance(v, float | int) and not isinstance(v, bool))
    id_result = ids.validate_column(f["id_number"], today=today, number_cell=number_cell)

    hire_raw, reg_raw = f["hire_date"], f["registration_date"]
    hire, reg = parse_dates(hire_raw), parse_dates(reg_raw)
    hire_bad, reg_bad = unreadable_dates(hire_raw, hire), unreadable_dates(reg_raw, reg)
    hire_missing = hire.isna() & ~hire_bad
    as_of_ts = pd.Timestamp(as_of)
    reg_after = reg > as_of_ts
    registered = reg.notna() & ~reg_after

    dl = calendar.deadlines(hire, calendar_days=calendar_days)
    deadline = dl["deadline"]
    invalid = hire.isna() | reg_bad
    late = ~invalid & registered & (reg > deadline)
    on_time = ~invalid & registered & ~late
    overdue = ~invalid & ~registered & (as_of_ts > deadline)
    pending = ~invalid & ~registered & ~overdue
    status = np.select([on_time, late, overdue, pending, invalid], STATUSES, default="invalid")

    days_late = pd.Series(pd.NA, index=f.index, dtype="Int64")
    days_late[late] = (reg - deadline)[late].dt.days
    days_late[overdue] = (as_of_ts - deadline)[overdue].dt.days
    days_left = pd.Series(pd.NA, index=f.index, dtype="Int64")
    days_left[pending] = (deadline - as_of_ts)[pending].dt.days

    col = roster.columns
    hire_label = col.get("hire_date", "hire date")
    reg_label = col.get("registration_date", "registration date")
    problem_text = pd.Series(pd.NA, index=f.index, dtype="string")
    problem_code = pd.Series(pd.NA, index=f.index, dtype="string")
    found: list[pd.DataFrame] = []

    def record(mask: pd.Series, field: str, code: str | pd.Series, message: pd.Series | str,
               value: pd.Series) -> None:
        """Add rows to the problems table."""
        found.append(pd.DataFrame({
            "source_file": f["source_file"][mask], "source_row": f["source_row"][mask],
            "column": col.get(field, field), "code": code[mask] if isinstance(code, pd.Series) else code,
            "value": value[mask],
            "message": message[mask] if isinstance(message, pd.Series) else message}))

    def note(mask: pd.Series, code: str, message: Callable[[pd.Series], pd.Series] | str, field: str,
             raw: pd.Series) -> None:
        """A row problem: into ``problem``/``problem_code`` and the problems table (texts built for those rows only)."""
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        value = _text(raw[mask])
        msg = pd.Series(message(value) if callable(message) else message, index=f.index[mask], dtype="string")
        problem_text[mask] = _join(problem_text[mask], msg)
        problem_code[mask] = problem_code[mask].fillna(code)
        record(mask, field, code, msg.reindex(f.index), value.reindex(f.index))

    if "hire_date" not in col:
        note(hire_missing, "hire_date_column_missing", "the file has no hire date column (入职日期)",
             "hire_date", hire_raw)
    else:
        note(hire_missing, "hire_date_missing", f"{hire_label}: no hire date", "hire_date", hire_raw)
    note(hire_bad, "date_unreadable", lambda v: f"{hire_label}: cannot read '" + v.fillna("") + "' as a date",
         "hire_date", hire_raw)
    note(reg_bad, "date_unreadable", lambda v: f"{reg_label}: cannot read '" + v.fillna("") + "' as a date",
         "registration_date", reg_raw)
    note(reg_after & ~invalid, "registration_after_as_of",
         lambda v: f"{reg_label}: " + reg[v.index].dt.strftime("%Y-%m-%d").astype("string").fillna("")
         + " lies after the as-of date " + as_of.isoformat() + "; counted as not registered on that date",
         "registration_date", reg_raw)
    note(registered & (reg < hire), "registration_before_hire",
         f"{reg_label}: registered before the hire date (counts as on time)", "registration_date", reg_raw)
    for field_name, limit in TEXT_LIMITS.items():
        label = col.get(field_name, field_name)
        text = _text(f[field_name])
        note(too_long(text, limit), "value_too_long",
             lambda v, label=label, limit=limit, text=text: f"{label}: " + text[v.index].str.len().astype("string")
             + f" characters, more than the {limit} the store keeps; the row is checked but not stored",
             field_name, text.map(_shortened, na_action="ignore"))

    id_problem = id_result["id_problem"]
    if "id_number" not in col:
        id_problem = id_problem.mask(id_result["id_code"] == "id_missing",
                                     "the file has no ID number column (身份证号)")
    has_id_problem = id_result["id_code"].notna()
    has_warning = id_result["id_warning"].notna()
    either = has_id_problem | has_warning
    masked_id = pd.Series(pd.NA, index=f.index, dtype="string")
    masked_id[either] = ids.mask_column(_text(f["id_number"][either]))
    if has_id_problem.any():
        record(has_id_problem, "id_number", id_result["id_code"], id_problem, masked_id)
    if has_warning.any():
        record(has_warning, "id_number", ids.WARNING_UNKNOWN_COUNTY, id_result["id_warning"], masked_id)

    out = pd.DataFrame({
        "source_file": f["source_file"],
        "source_row": f["source_row"].astype("int64"),
        "employer_id": _text(f["employer_id"]),
        "employer_name": _text(f["employer_name"]),
        "name": _text(f["name"]),
        "id_number": _text(f["id_number"]),
        "ssn": id_result["ssn"],
        "id_problem": id_problem,
        "birth_date": pd.to_datetime(id_result["birth_date"]),
        "sex": id_result["sex"],
        "region": id_result["region"],
        "hire_date": hire,
        "registration_date": reg,
        "deadline": deadline,
        "status": pd.Series(status, index=f.index, dtype="string"),
        "days_late": days_late,
        "days_left": days_left,
        "problem": problem_text,
        "deadline_provisional": dl["deadline_provisional"].astype(bool) & hire.notna(),
        "id_code": id_result["id_code"],
        "id_warning": id_result["id_warning"],
        "kind": id_result["kind"],
        "region_code": id_result["region_code"],
        "card_status": _text(f["card_status"]),
        "card_bank": _text(f["card_bank"]),
        "activation_date": parse_dates(f["activation_date"]),
        "wage": _wages(f["wage"]),
        "problem_code": problem_code,
    })
    file_notes = pd.DataFrame({"source_file": roster.source_file, "source_row": None, "column": None,
                               "code": "file_note", "value": None, "message": roster.notes})
    problems = pd.concat([file_notes, *found], ignore_index=True) if found or roster.notes else _no_problems()
    if len(problems):
        problems = problems.sort_values("source_row", kind="stable", na_position="first")
    return CheckResult(out, problems.reset_index(drop=True))


def _no_problems() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in PROBLEM_COLUMNS})


def check(rosters: list[Roster], as_of: dt.date, calendar_days: bool = False,
          today: dt.date | None = None) -> CheckResult:
    """Status of every row of several rosters, in file and row order."""
    parts = [check_roster(r, as_of, calendar_days, today) for r in rosters]
    if not parts:
        return CheckResult(pd.DataFrame(columns=CHECK_COLUMNS + EXTRA_COLUMNS), _no_problems())
    problems = [p.problems for p in parts if len(p.problems)]
    return CheckResult(pd.concat([p.results for p in parts], ignore_index=True),
                       pd.concat(problems, ignore_index=True) if problems else _no_problems())


def check_uploads(files: Sequence[tuple[str, bytes]], as_of: dt.date, calendar_days: bool = False,
                  employer_id: str | None = None, employer_name: str | None = None) -> tuple[CheckResult, list[str]]:
    """Read uploaded files (name, content) and check them; unusable files give error lines.

    One call from bytes to results, with picklable arguments and result, so that the dashboard
    can run it in a worker process (compliance.workers).
    """
    rosters, errors = read_uploads(list(files), employer_id, employer_name)
    return check(rosters, as_of, calendar_days=calendar_days), errors


def warm_up() -> None:
    """Load what the first check would otherwise load while a user waits: the region table,
    the holiday calendar, lazily imported modules (a one-row check of a made-up roster)."""
    roster = b"name,id_number,hire_date,registration_date\nwarm-up,11010519491231002X,2025-03-05,\n"
    try:
        check_uploads([("warm_up.csv", roster)], dt.date.today())
    except Exception:  # a failed warm-up only costs the first user time; the real check will report
        logging.getLogger(__name__).warning("warm-up check failed", exc_info=True)


def status_counts(results: pd.DataFrame) -> dict[str, int]:
    """Rows per status, every status present (zero when none)."""
    counts = results["status"].value_counts()
    return {s: int(counts.get(s, 0)) for s in STATUSES}


def needs_action(results: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """Employees to deal with first: overdue (longest first), then pending (fewest days left).

    The order is worked out on the three columns it needs; only the rows (and ``columns``)
    asked for are then copied.
    """
    keys = results[["status", "days_late", "days_left"]].reset_index(drop=True)  # labels = positions
    overdue = keys[keys["status"] == "overdue"].sort_values("days_late", ascending=False, kind="stable").index
    pending = keys[keys["status"] == "pending"].sort_values("days_left", kind="stable").index
    rows = overdue.append(pending).to_numpy()
    if columns is None:
        return results.iloc[rows]
    return results.iloc[rows, results.columns.get_indexer(columns)]
