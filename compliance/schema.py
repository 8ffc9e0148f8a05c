"""The column contracts, in one place (shared README sections 7, 8, 10 and 11.7).

What the command line writes (``CHECK_COLUMNS``, ``EMPLOYER_COLUMNS``, ``CROSSCHECK_COLUMNS``, the
problems table's ``PROBLEM_COLUMNS``) is a contract outside tests call; what the engine keeps beside
it for the dashboard (``EXTRA_COLUMNS``) and the typed frame the store keeps and the judgement reads
(``NORMALISED_SCHEMA``) are contracts between the layers. The modules that build these frames import
them from here (and re-export them, so ``registration.CHECK_COLUMNS`` stays where callers find it).

Message columns have a structure column beside them (``<column>_coded``, ``compliance.catalogue``):
the results and the employers summary always (the writers select the contract columns), the problems
table and the cross-check's findings when asked (``coded=True``), since the command line writes
those whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from compliance.catalogue import SUFFIX

STATUSES = ["on_time", "late", "overdue", "pending", "invalid", "exempt", "left_before_deadline"]
CHECK_COLUMNS = ["source_file", "source_row", "employer_id", "employer_name", "name", "id_number", "ssn",
                 "id_problem", "birth_date", "sex", "region", "hire_date", "registration_date", "deadline",
                 "status", "days_late", "days_left", "problem", "deadline_provisional", "id_kind", "card_status",
                 "career_start_date", "leave_date", "duty"]  # the last three: section 11.7
# the structure of each message column of the results (compliance.catalogue.localise renders them)
CODED_COLUMNS = [f"{c}{SUFFIX}" for c in ("problem", "id_problem", "id_warning")]
# Kept beside the contract columns for the dashboard, the problems table and later issues.
# Section 11.1's fields besides them, read and kept (the worksheet, the cards and the store use them).
ROSTER_FIELDS_11 = ["deregistration_date", "insurance_status", "card_city", "social_function", "financial_function",
                    "dispatch_local_branch", "exempt_types", "registration_month_only"]
EXTRA_COLUMNS = ["id_code", "id_warning", "region_code", "card_bank", "activation_date", "wage", "problem_code",
                 "employment_type", "work_permit_date", *CODED_COLUMNS, *ROSTER_FIELDS_11, "over_age"]
PROBLEM_COLUMNS = ["source_file", "source_row", "column", "code", "value", "message"]
PROBLEM_CODED = f"message{SUFFIX}"  # the problems table's structure column, with coded=True

# The normalised frame: every cell typed, every problem of the cells found (``registration.normalise``).
# It is what the store keeps and what ``judge`` reads; ``registration_unreadable`` is the one fact of the
# raw cells the judgement needs beyond the typed values (an unreadable date is not a missing one).
NORMALISED_SCHEMA: dict[str, str] = {
    "source_file": "string", "source_row": "int64", "employer_id": "string", "employer_name": "string",
    "name": "string", "id_number": "string", "ssn": "string", "id_problem": "string",
    "birth_date": "datetime64[ns]", "sex": "string", "region": "string", "hire_date": "datetime64[ns]",
    "registration_date": "datetime64[ns]", "registration_unreadable": "bool", "problem": "string",
    "id_code": "string", "id_warning": "string", "id_kind": "string", "region_code": "string",
    "card_status": "string", "card_bank": "string", "activation_date": "datetime64[ns]", "wage": "float64",
    "problem_code": "string", "employment_type": "string", "work_permit_date": "datetime64[ns]",
    **dict.fromkeys(CODED_COLUMNS, "string"),
    # section 11.1
    "career_start_date": "datetime64[ns]", "leave_date": "datetime64[ns]", "deregistration_date": "datetime64[ns]",
    "insurance_status": "string", "card_city": "string", "social_function": "string", "financial_function": "string",
    "dispatch_local_branch": "string", "exempt_types": "string", "registration_month_only": "bool",
}

EMPLOYER_COLUMNS = ["employer_id", "employer_name", "employees", "on_time", "late", "overdue", "pending",
                    "invalid", "exempt", "left_before_deadline", "max_days_overdue", "flag_premium_verification",
                    "flag_reason", "work_injury_overdue", "deregistration_issues"]  # section 11.7
EMPLOYER_CODED = f"flag_reason{SUFFIX}"  # beside EMPLOYER_COLUMNS in employers.summarise's frame

CARD_COLUMNS = ["source_file", "source_row", "employer_id", "name", "ssn", "card_city", "card_status",
                "social_function", "financial_function", "insurance_status", "frozen", "must_apply", "guidance",
                "guidance_text"]  # python -m compliance cards (section 11.4)

CROSSCHECK_COLUMNS = ["finding", "employer_id", "ssn", "name", "roster_registration_date",
                      "registry_registration_date", "source_file", "source_row", "detail"]
CROSSCHECK_CODED = f"detail{SUFFIX}"  # with crosscheck(coded=True)
FINDINGS = ["not_in_registry", "date_mismatch", "roster_date_missing", "not_in_roster", "multiple_employers",
            "exempt_in_registry"]


@dataclass
class Roster:
    """The rows of one roster file (or one sheet of a workbook), cells as typed.

    ``frame`` has ``source_file``, ``source_row`` and one column per recognised field; for the
    fields that are present, ``columns`` says which header and spreadsheet column they came
    from (for messages such as "入职日期 (column D)"). ``notes`` are file-level remarks that
    must reach the user (blank rows skipped, duplicate columns, missing columns).
    """

    source_file: str
    frame: pd.DataFrame
    columns: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # catalogue.Text: text that keeps its code
    number_cells: set[str] = field(default_factory=set)  # fields whose cells may be Excel numbers
