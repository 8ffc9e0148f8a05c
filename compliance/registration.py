"""Registration status of each employee as of a date (shared README section 3).

PRC Social Insurance Law Art. 58: the employer applies for registration within 30 days from
the date of employment. As of a date, an employee is

- ``on_time``: registered on or before the deadline (registering before the hire date is on time);
- ``late``: registered after the deadline (``days_late`` = registration - deadline);
- ``overdue``: not registered and the deadline has passed (``days_late`` = as-of - deadline);
- ``pending``: not registered, deadline not passed (``days_left`` = deadline - as-of);
- ``invalid``: hire date missing or unreadable, or registration date unreadable;
- ``exempt``: no Art. 58 duty for this employer (re-employed retiree, intern, dispatched worker,
  service contract: ``compliance.employment``), with the reason in ``problem``; never flagged.

A foreign employee's 30 days count from the work permit when it is later than the hire date
(MOHRSS Order No. 16, Art. 4); a person under 16 on the hire date is noted (Labour Law Art. 15).
Shared README section 10.

A registration dated after the as-of date had not happened by then: it counts as not
registered, with a note in ``problem``. A bad ID number does not change the status; it is
reported in ``id_problem``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from compliance import calendar, catalogue, documents, duty, fields, ids
from compliance.cards import normalise_status
from compliance.dates import age_on, iso_dates, parse_dates, parse_months, read_dates
from compliance.employment import EXEMPT, normalise_employment_type
from compliance.schema import (  # re-exported: callers import the contracts from here too
    CHECK_COLUMNS,
    EXTRA_COLUMNS,
    NORMALISED_SCHEMA,
    PROBLEM_CODED,
    PROBLEM_COLUMNS,
    STATUSES,
    Roster,
)

__all__ = ["CHECK_COLUMNS", "EXTRA_COLUMNS", "NORMALISED_SCHEMA", "PROBLEM_COLUMNS", "STATUSES", "CheckResult",
           "check", "check_roster", "check_slices", "judge", "normalise"]
# The longest text the store keeps per field (its column sizes, compliance/store.py). A longer value
# is a row problem here, before any database sees it: the row is checked but not stored.
TEXT_LIMITS = {"employer_id": 64, "employer_name": 255, "name": 128, "card_bank": 64, "card_city": 64}
# The employer typed on the page (or --employer-id/--employer-name) for rosters without employer columns:
# it fills every row, so it is refused above these before any row is built (a page's ``max_chars``).
MAX_EMPLOYER_ID_CHARS = TEXT_LIMITS["employer_id"]
MAX_EMPLOYER_NAME_CHARS = TEXT_LIMITS["employer_name"]
# What PostgreSQL text cannot hold (SQLite can): NUL. A cell with one is a row problem (``value_unstorable``),
# as an over-long one is, on both databases alike. (Lone surrogates, the other unstorable text, never get
# this far: Arrow strings are UTF-8.)
UNSTORABLE = "\x00"
MINIMUM_AGE = 16  # Labour Law Art. 15: no employing minors under 16
FAR_FUTURE_DAYS = 90  # a hire date this far after the as-of date is a typo more often than a plan
DEREGISTRATION_DAYS = 15  # Labour Contract Law Art. 50: the transfer (减员) within 15 days of the end
INSPECTION_YEARS = 2  # Regulations on Labour Security Supervision Art. 20
# the section 11.1 fields read from closed vocabularies (compliance.fields), with the table of each
CODED_FIELDS = {"insurance_status": fields.INSURANCE_STATUS, "social_function": fields.SOCIAL_FUNCTION,
                "financial_function": fields.FINANCIAL_FUNCTION, "dispatch_local_branch": fields.YES_NO}


def _text(values: pd.Series) -> pd.Series:
    """Cells as stripped text, blank as NA (names, employer fields, card fields)."""
    if values.isna().all():  # a column the roster does not have
        return pd.Series(pd.NA, index=values.index, dtype="string")
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
    return values.astype("string").str.len().gt(limit).fillna(False).astype(bool)


def unstorable(values: pd.Series) -> pd.Series:
    """Cells holding a character no store column can take on every database (``UNSTORABLE``)."""
    return values.astype("string").str.contains(UNSTORABLE, regex=False).fillna(False).astype(bool)


def storable(rows: pd.DataFrame) -> pd.Series:
    """Normalised roster rows the store keeps and the cross-check takes (shared README section 8): a
    valid ID number (= the social security number, Art. 58), an employer, and no text longer than its
    store column (``TEXT_LIMITS``) or holding a NUL (PostgreSQL would refuse the whole file, and quote
    its ID numbers)."""
    keep = rows["ssn"].notna() & rows["employer_id"].notna()
    for name, limit in TEXT_LIMITS.items():
        if name in rows:
            keep &= ~too_long(rows[name], limit) & ~unstorable(rows[name])
    return keep.fillna(False).astype(bool)


def employer_problem(employer_id: str | None, employer_name: str | None) -> str | None:
    """Why the employer given for rosters without employer columns (the page's boxes, ``--employer-id``,
    ``--employer-name``) is refused, or None: longer than the store keeps, or holding a NUL. It would fill
    every row (a 1 MB name on 300 rows cost 1.8 GB), so this is asked before any file is read. The reason
    is a ``catalogue.Text`` (English, with its code for a page in Chinese)."""
    for field_name, value, limit in (("employer USCC", employer_id, MAX_EMPLOYER_ID_CHARS),
                                     ("employer name", employer_name, MAX_EMPLOYER_NAME_CHARS)):
        if not value:
            continue
        if len(value) > limit and len(value.strip()) > limit:  # cells are stripped: so is this
            return catalogue.Text("employer_given_too_long", field=field_name, n=len(value), limit=limit)
        if UNSTORABLE in value:
            return catalogue.Text("employer_given_unstorable", field=field_name)
    return None


def _join(first: pd.Series, second: pd.Series, joiner: str = "; ") -> pd.Series:
    """Join two message columns with '; ' (structure entries with ','), skipping missing ones (one Arrow
    kernel: NA where both are)."""
    a, b = catalogue.arrow_text(first), catalogue.arrow_text(second.reindex(first.index))
    both = pc.binary_join_element_wise(a, b, pa.scalar(joiner, pa.large_string()))  # null unless both are there
    return pd.Series(pd.arrays.ArrowStringArray(pc.coalesce(both, a, b)), index=first.index, copy=False)


@dataclass
class CheckResult:
    """Per-row results (``CHECK_COLUMNS`` + ``EXTRA_COLUMNS``) and the long problems table
    (``PROBLEM_COLUMNS``, and its structure column ``message_coded`` when checked with ``coded=True``)."""

    results: pd.DataFrame
    problems: pd.DataFrame


@dataclass
class Normalised:
    """A roster's rows as typed values (``NORMALISED_SCHEMA``), the problems found in its cells, and
    the header each field came from (for messages: "入职日期 (column D)")."""

    rows: pd.DataFrame
    problems: pd.DataFrame
    labels: dict[str, str] = field(default_factory=dict)


Param = Callable[[pd.Series], pd.Series] | pd.Series | object


class _Problems:
    """Row problems as they are found: into ``problem``/``problem_code`` of the rows (``problem_coded``: the
    structure, ``compliance.catalogue``) and the long table.

    Each note keeps its rows and texts; the columns are built once, when first read (:attr:`text`,
    :attr:`code`, :meth:`coded`): the notes' texts sorted by row (note order within a row) and joined per
    row by one Arrow kernel, instead of a pass over the whole column per note."""

    def __init__(self, rows: pd.DataFrame, labels: Mapping[str, str]) -> None:
        self.rows = rows
        self.labels = labels
        self.found: list[pd.DataFrame] = []
        self._hits: list[np.ndarray] = []  # positions of each note's rows
        self._texts: list[pa.Array] = []
        self._entries: list[pa.Array] = []
        self._codes: list[str] = []
        self._columns: tuple[int, pd.Series, pd.Series, pd.Series] | None = None

    @property
    def text(self) -> pd.Series:
        """Every row's messages joined by "; " (NA where none)."""
        return self._built()[1]

    @property
    def code(self) -> pd.Series:
        """Every row's first problem code (NA where none)."""
        return self._built()[2]

    def coded(self) -> pd.Series:
        """The structure column of ``text``."""
        return catalogue.as_list(self._built()[3])

    def _built(self) -> tuple[int, pd.Series, pd.Series, pd.Series]:
        if self._columns is not None and self._columns[0] == len(self._hits):
            return self._columns
        n, index = len(self.rows), self.rows.index
        if not self._hits:
            none = pd.Series(pd.NA, index=index, dtype="string")
            self._columns = (0, none, none.copy(), none.copy())
            return self._columns
        positions = np.concatenate(self._hits)
        order = np.argsort(positions, kind="stable")
        positions = positions[order]
        starts = np.flatnonzero(np.r_[True, positions[1:] != positions[:-1]])
        offsets = pa.array(np.r_[starts, len(positions)].astype(np.int32))
        which = np.full(n, -1, dtype=np.int64)
        which[positions[starts]] = np.arange(len(starts))
        spread = pa.array(which, mask=which < 0)

        def joined(parts: list[pa.Array], joiner: str) -> pd.Series:
            values = pa.concat_arrays([p.cast(pa.large_string()) for p in parts]).take(pa.array(order))
            lists = pa.LargeListArray.from_arrays(offsets.cast(pa.int64()), values)
            text = pc.binary_join(lists, pa.scalar(joiner, pa.large_string())).take(spread)
            return pd.Series(pd.arrays.ArrowStringArray(text), index=index, copy=False)

        codes = pa.array(np.repeat(np.array(self._codes, dtype=object), [len(h) for h in self._hits]),
                         pa.large_string())
        first = codes.take(pa.array(order)).take(pa.array(starts)).take(spread)
        self._columns = (len(self._hits), joined(self._texts, "; "), pd.Series(
            pd.arrays.ArrowStringArray(first), index=index, copy=False), joined(self._entries, ","))
        return self._columns

    def label(self, field_name: str, default: str | None = None) -> str:
        return self.labels.get(field_name, default or field_name)

    def record(self, mask: pd.Series, field_name: str, code: str | pd.Series, message: pd.Series,
               value: pd.Series, coded: pd.Series) -> None:
        """Add rows to the problems table only."""
        self.found.append(pd.DataFrame({
            "source_file": self.rows["source_file"][mask], "source_row": self.rows["source_row"][mask],
            "column": self.label(field_name), "code": code[mask] if isinstance(code, pd.Series) else code,
            "value": value[mask], "message": message[mask], PROBLEM_CODED: coded[mask]}))

    def note(self, mask: pd.Series, code: str, field_name: str, raw: pd.Series, table: bool = True,
             key: str | None = None, **params: Param) -> None:
        """A row problem: catalogue message ``key`` (default ``code``) into ``problem``/``problem_code`` and,
        with ``table``, the problems table, built for those rows only. A parameter is a value, a column, or
        a function of the quoted cells (``raw`` of those rows, masked). ``table=False`` is for explanations
        (an exemption, a later start)."""
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        value = ids.mask_runs(_text(raw[mask]))  # the one place cells are quoted: no ID number in full, ever
        hit = mask.to_numpy(dtype=bool)
        at = self.rows.index[hit]
        msg, entry = catalogue.message(key or code, at, **{name: p(value) if callable(p) else p
                                                           for name, p in params.items()})
        self._hits.append(np.flatnonzero(hit))
        self._texts.append(catalogue.arrow_text(msg))
        self._entries.append(catalogue.arrow_text(entry))
        self._codes.append(code)
        if table:  # every part indexed by the rows hit already
            self.found.append(pd.DataFrame({
                "source_file": self.rows["source_file"][hit], "source_row": self.rows["source_row"][hit],
                "column": self.label(field_name), "code": code, "value": value, "message": msg,
                PROBLEM_CODED: catalogue.as_list(entry)}))

    def table(self, file_notes: pd.DataFrame | None = None) -> pd.DataFrame:
        if file_notes is not None:  # they quote headers and sheet names
            file_notes = file_notes.assign(message=ids.mask_runs(file_notes["message"].astype("string")),
                                           **{PROBLEM_CODED: ids.mask_runs(file_notes[PROBLEM_CODED].astype("string"))})
        parts = [p for p in [file_notes, *self.found] if p is not None and len(p)]
        return pd.concat(parts, ignore_index=True) if parts else _no_problems()


def normalise(roster: Roster, today: dt.date | None = None,
              seen: dict[str, tuple[pa.Array, np.ndarray]] | None = None) -> Normalised:
    """Cells to typed columns (``NORMALISED_SCHEMA``), with every problem of the cells themselves.

    ID numbers (GB 11643-1999; the social security number is the ID number, Social Insurance
    Law Art. 58), dates in every written form, wages, employer and card fields, the fields of
    section 11.1. Nothing here depends on the as-of date: that is :func:`judge`'s. ``seen`` carries the
    people of the file's earlier slices (:func:`check_slices`), so that a person listed twice for one
    employer is found across slices too.
    """
    f = roster.frame
    found = _Problems(f, roster.columns)
    id_result = _documents(roster, found, today)
    hire, reg, permit, reg_bad, reg_month = _dates(roster, found)
    employment_type = _employment(f, id_result["birth_date"], hire, found)
    texts = {name: _text(f[name]) for name in ("employer_id", "employer_name", "name", "card_status", "card_bank",
                                                "card_city")}
    card_status = normalise_status(texts["card_status"])
    found.note(card_status == "unknown", "card_status_unknown", "card_status", texts["card_status"],
               label=found.label("card_status", "card status"), value=lambda v: v.str[:40])
    _unstorable_texts(texts, found)
    if roster.columns.keys() & {"employer_id", "employer_name"}:  # a roster naming employers; this row names none
        nobody = id_result["ssn"].notna() & texts["employer_id"].isna() & texts["employer_name"].isna()
        found.note(nobody, "employer_missing", "employer_id", f["employer_id"], label=found.label("employer_id"))
    id_problem, id_coded = _id_problems(roster, id_result, found)
    # one employer: its USCC, else its name (as the employers summary groups them)
    _duplicates(f, texts["employer_id"].fillna("name:" + texts["employer_name"]), id_result["ssn"], found, seen)
    later = _section_11(roster, found)

    rows = pd.DataFrame({
        "source_file": f["source_file"].astype("string"), "source_row": f["source_row"].astype("int64"),
        **{name: texts[name] for name in ("employer_id", "employer_name", "name", "card_bank", "card_city")},
        **{name: id_result[name] for name in ("ssn", "birth_date", "sex", "region", "id_code", "id_warning",
                                              "region_code", "id_warning_coded")},
        "id_number": _text(f["id_number"]), "id_problem": id_problem, "id_problem_coded": id_coded,
        "id_kind": id_result["kind"], "hire_date": hire, "registration_date": reg,
        "registration_unreadable": reg_bad.to_numpy(dtype=bool),
        "registration_month_only": reg_month.to_numpy(dtype=bool),
        "card_status": card_status, "activation_date": parse_dates(f["activation_date"]), "wage": _wages(f["wage"]),
        "employment_type": employment_type, "work_permit_date": permit,
        "problem": found.text, "problem_code": found.code, "problem_coded": found.coded(),
        **later,
    }, index=f.index)[list(NORMALISED_SCHEMA)].astype(NORMALISED_SCHEMA)
    return Normalised(rows, found.table(_file_notes(roster)), dict(roster.columns))


def _employment(f: pd.DataFrame, birth: pd.Series, hire: pd.Series, found: _Problems) -> pd.Series:
    """The kind of employment (``compliance.employment``), with its notes: a hire under 16 (Labour Law
    Art. 15), a word not known, a waiver of social insurance (void, 法释〔2025〕12号 Art. 19)."""
    under_age = (age_on(birth, hire) < MINIMUM_AGE).fillna(False).astype(bool)
    born = iso_dates(birth[under_age]).reindex(f.index)
    found.note(under_age, "under_16", "id_number", _masked(f["id_number"], under_age), date=born)
    employment_type, employment_unknown, waived = normalise_employment_type(_text(f["employment_type"]))
    found.note(employment_unknown, "employment_type_unknown", "employment_type", f["employment_type"],
               label=found.label("employment_type", "employment type"), value=lambda v: v.str[:40])
    found.note(waived, "waiver_void", "employment_type", f["employment_type"])
    return employment_type


def _documents(roster: Roster, found: _Problems, today: dt.date | None) -> pd.DataFrame:
    """The document type (noted when unknown) and ``documents.validate_documents`` of the numbers."""
    f = roster.frame
    number_cell = None
    if "id_number" in roster.number_cells:
        number_cell = f["id_number"].map(lambda v: isinstance(v, float | int) and not isinstance(v, bool))
    id_type, id_type_unknown = documents.normalise_id_type(_text(f["id_type"]))
    found.note(id_type_unknown, "id_type_unknown", "id_type", f["id_type"],
               label=found.label("id_type", "document type"), value=lambda v: v.str[:40])
    return documents.validate_documents(f["id_number"], id_type, today=today, number_cell=number_cell,
                                        dates_as_datetime=True)


def _dates(roster: Roster, found: _Problems) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series, pd.Series]:
    """Hire, registration and work permit dates, where the registration date is unreadable, and where it
    gives a month only (read as the month's first day, section 11.2); their problems noted (MOHRSS Order
    No. 16, Art. 4: the 30 days count from a later work permit)."""
    f = roster.frame
    hire_raw, reg_raw, permit_raw = f["hire_date"], f["registration_date"], f["work_permit_date"]
    (hire, hire_bad), (reg, reg_bad), (permit, permit_bad) = (read_dates(c) for c in (hire_raw, reg_raw, permit_raw))
    reg_month = pd.Series(False, index=f.index)
    if reg_bad.any():  # 参保年月: a month, never unreadable
        months = parse_months(reg_raw.where(reg_bad))
        reg_month = months.notna()
        reg, reg_bad = reg.fillna(months), reg_bad & ~reg_month
        month_text = months[reg_month].dt.strftime("%Y-%m").reindex(f.index)
        found.note(reg_month, "registration_month_only", "registration_date", reg_raw,
                   label=found.label("registration_date", "registration date"), month=month_text)
    hire_missing = hire.isna() & ~hire_bad
    hire_label = found.label("hire_date", "hire date")
    if "hire_date" not in roster.columns and "career_start_date" in roster.columns:
        found.note(hire_missing, "hire_date_is_career_start", "career_start_date", f["career_start_date"],
                   label=found.label("career_start_date"))
    elif "hire_date" not in roster.columns:
        found.note(hire_missing, "hire_date_column_missing", "hire_date", hire_raw)
    else:
        found.note(hire_missing, "hire_date_missing", "hire_date", hire_raw, label=hire_label)
    quoted = {"value": lambda v: v.fillna("")}
    found.note(hire_bad, "date_unreadable", "hire_date", hire_raw, label=hire_label, **quoted)
    found.note(reg_bad, "date_unreadable", "registration_date", reg_raw,
               label=found.label("registration_date", "registration date"), **quoted)
    permit_label = found.label("work_permit_date", "work permit date")
    found.note(permit_bad, "date_unreadable", "work_permit_date", permit_raw,
               label=permit_label, **quoted)
    permit_later = permit > hire
    permit_text = iso_dates(permit[permit_later]).reindex(f.index)
    found.note(permit_later, "work_permit_later", "work_permit_date", permit_text, table=False, label=permit_label,
               date=lambda v: v)
    return hire, reg, permit, reg_bad, reg_month


def _section_11(roster: Roster, found: _Problems) -> dict[str, pd.Series]:
    """The fields of shared README section 11.1 as typed columns: the career start, leave and
    deregistration dates (unreadable ones noted), the coded fields (a value not in their table noted
    and left blank), the insurance types an employee is exempt from."""
    f = roster.frame
    out: dict[str, pd.Series] = {}
    for name in ("career_start_date", "leave_date", "deregistration_date"):
        out[name], unreadable = read_dates(f[name])
        found.note(unreadable, "date_unreadable", name, f[name],
                   label=found.label(name), value=lambda v: v.fillna(""))
    for name, words in CODED_FIELDS.items():
        out[name], unknown = fields.normalise(_text(f[name]), words)
        found.note(unknown, f"{name}_unknown", name, f[name], key="value_unknown", label=found.label(name),
                   value=lambda v: v.str[:40])
    out["exempt_types"], unknown = fields.exempt_types(_text(f["exempt_types"]))
    found.note(unknown, "exempt_types_unknown", "exempt_types", f["exempt_types"], key="value_unknown",
               label=found.label("exempt_types"), value=lambda v: v.str[:40])
    return out


def _duplicates(f: pd.DataFrame, employer_id: pd.Series, ssn: pd.Series, found: _Problems,
                seen: dict[str, tuple[pa.Array, np.ndarray]] | None) -> None:
    """The same person (SSN) twice for one employer in one file: a row problem on every later row, naming
    the first. ``seen`` holds, per file, the (employer, SSN) keys of its earlier slices and their first
    rows. Arrow's hash kernels do the work (dictionary encoding, set lookup): no per-row Python."""
    has = ssn.notna().to_numpy()
    if not has.any():
        return
    key = pc.binary_join_element_wise(catalogue.arrow_text(employer_id.fillna("")), catalogue.arrow_text(ssn),
                                      pa.scalar("\x1f", pa.large_string())).filter(pa.array(has))
    encoded = pc.dictionary_encode(key)
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    keys = encoded.dictionary
    rows = f["source_row"].to_numpy(dtype=np.int64)[has]
    _, first_at = np.unique(codes, return_index=True)  # codes number the keys in order of first appearance
    first = rows[first_at]  # per key
    source = str(f["source_file"].iloc[0])
    earlier = seen.get(source) if seen is not None else None
    known = np.zeros(len(keys), dtype=bool)
    if earlier is not None and len(earlier[0]):
        at = pc.index_in(keys, value_set=earlier[0]).to_numpy(zero_copy_only=False)
        known = ~np.isnan(at.astype(float))
        first = np.where(known, earlier[1][np.nan_to_num(at.astype(float)).astype(np.int64)], first)
    repeated = first[codes] < rows
    if repeated.any():
        mask = np.zeros(len(f), dtype=bool)
        mask[np.flatnonzero(has)[repeated]] = True
        named = pd.Series(pd.NA, index=f.index, dtype="string")
        named[mask] = first[codes][repeated].astype(str)
        hit = pd.Series(mask, index=f.index)
        found.note(hit, "duplicate_person", "id_number", _masked(f["id_number"], hit), row=named)
    if seen is not None:  # the keys not seen before, with their first rows
        new = ~known
        seen[source] = (keys.filter(pa.array(new)), first[new]) if earlier is None else \
            (pa.concat_arrays([earlier[0], keys.filter(pa.array(new))]), np.concatenate([earlier[1], first[new]]))


def _unstorable_texts(texts: dict[str, pd.Series], found: _Problems) -> None:
    """Text longer than the store keeps (``TEXT_LIMITS``), or holding a NUL: a row problem, before any
    database sees it (the row is checked but not stored)."""
    for field_name, limit in TEXT_LIMITS.items():
        label, text = found.label(field_name), texts[field_name]
        long = too_long(text, limit)
        if long.any():  # quoted by its first 40 characters, masked before the cut (which could halve a number)
            found.note(long, "value_too_long", field_name, (ids.mask_runs(text[long]).str[:40] + "…").reindex(
                text.index), label=label, n=text.str.len().astype("Int64"), limit=limit)
        nul = unstorable(text) & ~long
        if nul.any():  # quoted without the NULs: PostgreSQL would refuse the whole file for one of them
            found.note(nul, "value_unstorable", field_name,
                       text[nul].str.replace(UNSTORABLE, "", regex=False).str[:40].reindex(text.index), label=label)


def _id_problems(roster: Roster, id_result: pd.DataFrame, found: _Problems) -> tuple[pd.Series, pd.Series]:
    """The ID problems and warnings into the problems table; the agency-assigned numbers noted. Returns
    ``id_problem`` and its structure (a file without an ID number column says so)."""
    f = roster.frame
    id_problem, id_coded = id_result["id_problem"], id_result["id_problem_coded"]
    if "id_number" not in roster.columns:
        no_column = id_result["id_code"] == "id_missing"
        id_problem = id_problem.mask(no_column, catalogue.render("id_column_missing", "en"))
        id_coded = id_coded.mask(no_column, catalogue.as_list(catalogue.entry("id_column_missing")))
    has_id_problem = id_result["id_code"].notna()
    has_warning = id_result["id_warning"].notna()
    masked_id = _masked(f["id_number"], has_id_problem | has_warning)
    if has_id_problem.any():
        found.record(has_id_problem, "id_number", id_result["id_code"], id_problem, masked_id, id_coded)
    if has_warning.any():
        found.record(has_warning, "id_number", id_result["id_warning_code"], id_result["id_warning"], masked_id,
                     id_result["id_warning_coded"])
    agency_assigned = id_result["kind"].isin(documents.AGENCY_ASSIGNED).fillna(False).astype(bool)
    found.note(agency_assigned, "ssn_assigned_by_agency", "id_number", _masked(f["id_number"], agency_assigned),
               kind=id_result["kind"])
    return id_problem, id_coded


def _file_notes(roster: Roster) -> pd.DataFrame | None:
    """The notes of the file (``Roster.notes``) as problems table rows, with their structure when they have one."""
    if not roster.notes:
        return None
    coded = [n.coded() if isinstance(n, catalogue.Text) else None for n in roster.notes]  # a few per file
    return pd.DataFrame({"source_file": roster.source_file, "source_row": None, "column": None, "code": "file_note",
                         "value": None, "message": roster.notes, PROBLEM_CODED: coded})


def _masked(numbers: pd.Series, rows: pd.Series) -> pd.Series:
    """The numbers of ``rows``, masked (``110101********123X``): a problem under the ID number column quotes
    the number as every other does, never in full (docs/security.md); NA elsewhere."""
    out = pd.Series(pd.NA, index=numbers.index, dtype="string")
    if rows.any():
        out[rows] = ids.mask_column(_text(numbers[rows])).astype("string")
    return out


def normalise_registry(rosters: list[Roster]) -> tuple[pd.DataFrame, int]:
    """The agency's registration extract as typed rows (shared README section 8), and the count of
    rows that cannot be used: no valid social security number (Art. 58: the ID number), no employer,
    or a text longer than the store keeps. Extracts name the number ``ssn`` or ``id_number``."""
    frame = pd.concat([r.frame for r in rosters], ignore_index=True)
    ssn_raw = frame["ssn"].where(frame["ssn"].notna(), frame["id_number"])
    out = pd.DataFrame({
        "employer_id": _text(frame["employer_id"]),
        "ssn": ids.validate_column(ssn_raw)["ssn"],
        "registration_date": parse_dates(frame["registration_date"]),
        "card_status": normalise_status(frame["card_status"]),
        "card_bank": _text(frame["card_bank"]),
        "activation_date": parse_dates(frame["activation_date"]),
        "source_row": frame["source_row"].astype("int64"),
    })
    long_text = too_long(out["employer_id"], TEXT_LIMITS["employer_id"]) | \
        too_long(out["card_bank"], TEXT_LIMITS["card_bank"]) | unstorable(out["employer_id"]) | \
        unstorable(out["card_bank"])
    good = out["ssn"].notna() & out["employer_id"].notna() & ~long_text
    return out[good], int((~good).sum())


def judge(rows: pd.DataFrame, as_of: dt.date, calendar_days: bool = False,
          labels: Mapping[str, str] | None = None) -> CheckResult:
    """Deadline, status and days of normalised rows as of a date (shared README sections 2 and 3).

    Social Insurance Law Art. 58: registration within 30 days from the date of employment; the
    deadline rolls to the next working day (Civil Code Art. 201/203, ``compliance.calendar``).
    A registration dated after ``as_of`` had not happened by then. ``rows`` follows
    ``NORMALISED_SCHEMA`` (from :func:`normalise`, or stored rows); the problems returned are the
    ones that depend on the date judged, to be added to the normalised ones.
    """
    hire, reg = rows["hire_date"], rows["registration_date"]
    as_of_ts = pd.Timestamp(as_of)
    reg_after = reg > as_of_ts
    registered = reg.notna() & ~reg_after
    start = hire.where(~(rows["work_permit_date"] > hire), rows["work_permit_date"])  # MOHRSS Order No. 16, Art. 4
    owed = duty.duties(rows["employment_type"], rows["dispatch_local_branch"], rows["birth_date"], rows["sex"],
                       rows["id_kind"], hire, start, as_of)
    exempt = (owed.duty == "none").to_numpy(dtype=bool)
    leave = rows["leave_date"]
    leave_after = (leave > as_of_ts).fillna(False).to_numpy(dtype=bool)
    left = leave.where(~leave_after)  # a leave date counts only on or before the as-of date (section 11.2)

    dl = calendar.deadlines(owed.start.where(~exempt), calendar_days=calendar_days)
    deadline = dl["deadline"]
    invalid = (hire.isna() | rows["registration_unreadable"]) & ~exempt
    judged = ~invalid & ~exempt
    late = judged & registered & (reg > deadline)
    on_time = judged & registered & ~late
    left_early = judged & ~registered & (left <= deadline).fillna(False)
    overdue = judged & ~registered & ~left_early & (as_of_ts > deadline)
    pending = judged & ~registered & ~left_early & ~overdue
    status = np.select([on_time, late, overdue, pending, invalid, exempt, left_early],
                       np.arange(len(STATUSES)), default=STATUSES.index("invalid"))

    ended = left.where(overdue)  # the violation ends with the employment (Art. 58; 劳动保障监察条例 Art. 20)
    days_late = pd.Series(pd.NA, index=rows.index, dtype="Int64")
    days_late[late] = (reg - deadline)[late].dt.days
    days_late[overdue] = (ended.fillna(as_of_ts) - deadline)[overdue].dt.days
    days_left = pd.Series(pd.NA, index=rows.index, dtype="Int64")
    days_left[pending] = (deadline - as_of_ts)[pending].dt.days

    found = _Problems(rows, labels or {})
    reg_label = found.label("registration_date", "registration date")
    quoted = (reg_after & judged) | (registered & (reg < hire))  # the dates quoted, as text for those only
    reg_text = iso_dates(reg[quoted]).reindex(rows.index)
    found.note(reg_after & judged, "registration_after_as_of", "registration_date", reg_text, label=reg_label,
               date=reg_text, as_of=as_of.isoformat())
    found.note(registered & (reg < hire) & ~exempt, "registration_before_hire", "registration_date", reg_text,
               label=reg_label)
    far = (hire > as_of_ts + pd.Timedelta(days=FAR_FUTURE_DAYS)).fillna(False)
    found.note(far, "hire_date_far_future", "hire_date", _dates_text(hire, far), label=found.label("hire_date"),
               date=lambda v: v, as_of=as_of.isoformat())
    _duty_notes(rows, owed, exempt, found)
    _leaver_notes(rows, left, leave_after, registered, deadline, left_early, overdue, as_of, calendar_days, found)
    found.note(pending, "pending_work_injury", "registration_date", rows["registration_date"], table=False)

    provisional = dl["deadline_provisional"].astype(bool).to_numpy() & start.notna().to_numpy() & ~exempt
    return CheckResult(_judged(rows, found, owed, deadline=deadline, status=status, days_late=days_late,
                               days_left=days_left, deadline_provisional=provisional), found.table())


def _judged(rows: pd.DataFrame, found: _Problems, owed: duty.Duties, status: np.ndarray,
            **columns: object) -> pd.DataFrame:
    """The judged rows in the contract's columns: the normalised ones, what the judgement adds (``columns``,
    the status by its index in ``STATUSES``), the duty, and the problems of both steps joined."""
    out = rows.drop(columns="registration_unreadable")
    for name, values in columns.items():
        out[name] = values
    out["status"] = pd.Series(pd.arrays.ArrowStringArray(pa.array(STATUSES, pa.large_string()).take(pa.array(status))),
                              index=rows.index, copy=False)
    out["problem"] = _join(rows["problem"], found.text)
    out["problem_coded"] = catalogue.join_lists(rows["problem_coded"], found.coded())
    out["problem_code"] = catalogue.coalesce(rows["problem_code"], found.code)
    out["duty"] = owed.duty
    out["over_age"] = owed.over_age
    return out[CHECK_COLUMNS + EXTRA_COLUMNS]


def _dates_text(dates: pd.Series, mask: pd.Series) -> pd.Series:
    """``dates`` as ISO text where ``mask`` holds (for the messages of those rows only)."""
    return iso_dates(dates[mask]).reindex(dates.index)


def _duty_notes(rows: pd.DataFrame, owed: duty.Duties, exempt: np.ndarray, found: _Problems) -> None:
    """Why a row carries the duty it does (section 11.3): the exemption's reason (not in the problems
    table: an explanation), and the codes of the age, dispatch and part-time rules."""
    kind = rows["employment_type"]
    branch_here = (rows["dispatch_local_branch"] == "yes").fillna(False).to_numpy(dtype=bool)
    for reason in EXEMPT:  # the reason, in problem (compliance.employment)
        is_reason = (kind == reason).fillna(False).to_numpy(dtype=bool) if reason != "retired" else owed.over_age
        if reason == "dispatched":  # a branch here, or the roster does not say (then: unless there is none)
            found.note(pd.Series(is_reason & exempt & branch_here, index=rows.index), "exempt", "employment_type",
                       kind, table=False, key="exempt_dispatched_branch")
            is_reason = is_reason & ~branch_here
        found.note(pd.Series(is_reason & exempt, index=rows.index), "exempt", "employment_type", kind, table=False,
                   key=f"exempt_{reason}")
    born = owed.over_statutory_age | owed.retired_below_age | owed.age_uncertain
    birth = _dates_text(rows["birth_date"], born)
    quoted = _masked(rows["id_number"], pd.Series(born, index=rows.index))  # the ID the birth date is read from
    found.note(owed.over_statutory_age, "over_statutory_age", "id_number", quoted, birth=birth)
    found.note(owed.retired_below_age, "retired_below_statutory_age", "id_number", quoted, birth=birth)
    found.note(owed.age_uncertain, "retirement_age_uncertain", "id_number", quoted, birth=birth)
    starts = _dates_text(owed.start, owed.work_injury_required)
    found.note(owed.work_injury_required, "work_injury_required", "hire_date", starts, start=starts)
    found.note(owed.dispatch_user_registers, "dispatch_user_registers", "dispatch_local_branch",
               rows["dispatch_local_branch"])
    part_time = (kind == "part_time").fillna(False) & ~pd.Series(owed.over_age, index=rows.index)
    found.note(part_time, "duty_part_time", "employment_type", kind, table=False)


def _leaver_notes(rows: pd.DataFrame, left: pd.Series, leave_after: np.ndarray, registered: pd.Series,
                  deadline: pd.Series, left_early: pd.Series, overdue: pd.Series, as_of: dt.date,
                  calendar_days: bool, found: _Problems) -> None:
    """Section 11.2's leavers: a leave date after the as-of date (not counted), a leaver before the
    deadline, the violation ended by the leave and its two-year limit, and the deregistration (减员)
    15 days after the leave (Labour Contract Law Art. 50), late or missing."""
    leave_label = found.label("leave_date", "leave date")
    after = pd.Series(leave_after, index=rows.index)
    found.note(after, "leave_date_after_as_of", "leave_date", _dates_text(rows["leave_date"], after),
               label=leave_label, date=lambda v: v, as_of=as_of.isoformat())
    left_text = _dates_text(left, left.notna())
    found.note(left_early, "left_before_deadline", "leave_date", left_text, table=False, date=left_text,
               deadline=_dates_text(deadline, left_early))
    ended = overdue & left.notna()
    found.note(ended, "overdue_until_leave", "leave_date", left_text, table=False, date=left_text)
    limit = (left + pd.DateOffset(years=INSPECTION_YEARS) < pd.Timestamp(as_of)).fillna(False) & ended
    found.note(limit, "inspection_time_limit", "leave_date", left_text, date=left_text)

    leaver = registered & left.notna()
    if not leaver.any():
        return
    due = calendar.deadlines(left.where(leaver), calendar_days=calendar_days, days=DEREGISTRATION_DAYS)["deadline"]
    dereg = rows["deregistration_date"]
    late = leaver & (dereg > due).fillna(False)
    due_text = _dates_text(due, leaver)
    dereg_label = found.label("deregistration_date", "deregistration date")
    found.note(late, "deregistration_late", "deregistration_date", _dates_text(dereg, late), label=dereg_label,
               date=lambda v: v, days=(dereg - due).dt.days.astype("Int64"), deadline=due_text)
    stopped = rows["insurance_status"].isin(["terminated", "suspended"]).fillna(False)
    missing = leaver & dereg.isna() & ~stopped & (pd.Timestamp(as_of) > due).fillna(False)
    found.note(missing, "deregistration_missing", "deregistration_date", left_text, date=left_text,
               deadline=due_text)


def _sorted_problems(*tables: pd.DataFrame) -> pd.DataFrame:
    """Problems of one roster in row order (file notes first), the order found kept within a row."""
    problems = pd.concat([t for t in tables if len(t)], ignore_index=True) if any(len(t) for t in tables) \
        else _no_problems()
    if len(problems):
        rank = problems["code"].map(_PROBLEM_ORDER).fillna(len(_PROBLEM_ORDER))
        order = np.lexsort((np.arange(len(problems)), rank.to_numpy(),
                            problems["source_row"].astype("Float64").fillna(-1).to_numpy(dtype=float)))
        problems = problems.iloc[order]
    return problems.reset_index(drop=True)


# Within a row, problems are listed cells first in the order of the columns a person reads, then
# what the judgement adds, then the ID number (as before the split into normalise and judge).
_PROBLEM_ORDER = {code: i for i, code in enumerate([
    "file_note", "id_type_unknown", "hire_date_column_missing", "hire_date_missing", "date_unreadable",
    "work_permit_later", "under_16", "employment_type_unknown", "card_status_unknown", "registration_after_as_of",
    "registration_before_hire", "exempt", "ssn_assigned_by_agency", "value_too_long", "value_unstorable",
    "employer_missing", "hire_date_is_career_start", "registration_month_only", "waiver_void", "duplicate_person",
    "hire_date_far_future", "over_statutory_age", "retired_below_statutory_age", "retirement_age_uncertain",
    "work_injury_required", "dispatch_user_registers", "leave_date_after_as_of", "inspection_time_limit",
    "deregistration_late", "deregistration_missing"])}


CHUNK_ROWS = 250_000  # rows normalised and judged at a time: bounds the temporaries of a big roster


def check_slices(rosters: list[Roster], as_of: dt.date, calendar_days: bool = False,
                 today: dt.date | None = None, coded: bool = False) -> Iterator[CheckResult]:
    """``judge(normalise(...))`` of the rosters, a slice of ``CHUNK_ROWS`` rows at a time, in file and
    row order: the rules are per row, so only the peak memory depends on the slices, and a caller that
    writes each slice as it comes (``python -m compliance check … --out x.csv``) never holds them all.

    The problems table is ``PROBLEM_COLUMNS`` (the command line writes it whole); with ``coded`` it keeps
    its structure column too (``message_coded``: a page renders it in its language)."""
    seen: dict[str, tuple[pa.Array, np.ndarray]] = {}  # per file, who came first (duplicate_person)
    for part in roster_slices(rosters):
        normalised = normalise(part, today, seen)
        judged = judge(normalised.rows, as_of, calendar_days, normalised.labels)
        problems = _sorted_problems(normalised.problems, judged.problems)
        yield CheckResult(judged.results, problems if coded else problems[PROBLEM_COLUMNS])


def roster_slices(rosters: list[Roster]) -> Iterator[Roster]:
    """The rosters ``CHUNK_ROWS`` rows at a time, in file and row order, a file's notes with its first
    slice (the rules are per row: only the peak memory depends on the slices)."""
    for roster in rosters:
        frame = roster.frame
        for start in range(0, max(len(frame), 1), CHUNK_ROWS):
            yield Roster(roster.source_file, frame.iloc[start:start + CHUNK_ROWS], roster.columns,
                         roster.notes if start == 0 else [], roster.number_cells)


def check_roster(roster: Roster, as_of: dt.date, calendar_days: bool = False,
                 today: dt.date | None = None, coded: bool = False) -> CheckResult:
    """Status of every row of one roster, and every problem found in it (:func:`check_slices`)."""
    parts = list(check_slices([roster], as_of, calendar_days, today, coded))
    if len(parts) == 1:
        return parts[0]
    return CheckResult(pd.concat([p.results for p in parts]),
                       pd.concat([p.problems for p in parts if len(p.problems)] or [_no_problems(coded)],
                                 ignore_index=True))


def _no_problems(coded: bool = True) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in PROBLEM_COLUMNS + ([PROBLEM_CODED] if coded else [])})


def check(rosters: list[Roster], as_of: dt.date, calendar_days: bool = False,
          today: dt.date | None = None, coded: bool = False) -> CheckResult:
    """Status of every row of several rosters, in file and row order (``coded``: :func:`check_slices`)."""
    parts = [check_roster(r, as_of, calendar_days, today, coded) for r in rosters]
    if not parts:
        return CheckResult(pd.DataFrame(columns=CHECK_COLUMNS + EXTRA_COLUMNS), _no_problems(coded))
    problems = [p.problems for p in parts if len(p.problems)]
    return CheckResult(pd.concat([p.results for p in parts], ignore_index=True),
                       pd.concat(problems, ignore_index=True) if problems else _no_problems(coded))


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
