"""Cross-checking stored rosters against the agency's registration records (shared README section 8).

The agency's records are the truth rosters are checked against. For an employer that appears in
any imported registry extract, the registry decides whether and when a person was registered
(no record = not registered); for any other employer, the roster's date stands. Only rows
with a valid ID number (= social security number, Art. 58) take part. All joins are pandas
merges over whole columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import numpy as np
import pandas as pd

from compliance import catalogue, ids
from compliance.cards import normalise_status
from compliance.dates import iso_dates
from compliance.employment import EXEMPT
from compliance.registration import judge
from compliance.schema import (  # re-exported: callers import the contracts from here too
    CODED_COLUMNS,
    CROSSCHECK_CODED,
    CROSSCHECK_COLUMNS,
    FINDINGS,
    NORMALISED_SCHEMA,
)

__all__ = ["CROSSCHECK_COLUMNS", "FINDINGS", "crosscheck", "stored_check", "stored_rows"]


def exempt_rows(employments: pd.DataFrame) -> np.ndarray:
    """Stored employments the roster gives no Art. 58 duty of the employer's (re-employed retirees,
    interns, service contracts, dispatched workers unless their agency has no branch here; shared README
    sections 10 and 11.3), as a boolean array."""
    if "employment_type" not in employments:
        return np.zeros(len(employments), dtype=bool)
    exempt = employments["employment_type"].isin(EXEMPT).fillna(False).to_numpy(dtype=bool)
    if "dispatch_local_branch" in employments:  # no branch here: the user company registers (Art. 19(2))
        exempt = exempt & ~((employments["employment_type"] == "dispatched")
                    & (employments["dispatch_local_branch"] == "no")).fillna(False).to_numpy(dtype=bool)
    return exempt


def without_exempt(employments: pd.DataFrame) -> pd.DataFrame:
    """Stored employments that carry the Art. 58 duty (:func:`exempt_rows`): only they are judged against
    the registry; an exempt one with a registry record is an ``exempt_in_registry`` finding."""
    return employments[~exempt_rows(employments)]


def rostered_employers(employments: pd.DataFrame) -> set[str]:
    """Employers whose stored rosters list someone with the Art. 58 duty: a registry record of theirs
    that no roster of theirs lists is a ``not_in_roster`` finding."""
    return set(without_exempt(latest_employments(employments))["employer_id"])


def latest_employments(employments: pd.DataFrame) -> pd.DataFrame:
    """One row per (employer, person): the one from the newest upload (highest id)."""
    return employments.sort_values("id").drop_duplicates(["employer_id", "ssn"], keep="last")


def crosscheck(employments: pd.DataFrame, registrations: pd.DataFrame,
               registry_files: dict[int, str] | None = None, in_registry: Collection[str] | None = None,
               rostered: Collection[str] | None = None, coded: bool = False) -> pd.DataFrame:
    """Every finding, in the contract's columns (with ``coded``, the structure of ``detail`` beside them:
    ``detail_coded``, for a page in its language), ordered by finding then employer then row.

    ``employments``: stored roster rows (employer_id, ssn, name, registration_date, source_file,
    source_row, id); ``registrations``: the registry (employer_id, ssn, registration_date,
    upload_id, source_row); ``registry_files``: upload id → file name, for evidence rows.

    Two facts are about every employer, not about the people at hand: the employers present in any
    registry extract (``in_registry``) and those with a stored roster listing someone who carries the
    Art. 58 duty (``rostered``). By default they come from the rows given; the batch path, which sees
    a share of the people at a time (``compliance.scale``), passes the whole city's.
    """
    latest = latest_employments(employments)
    exempt = exempt_rows(latest)
    roster, exempt_listed = latest[~exempt], latest[exempt]
    if in_registry is None:
        in_registry = set(registrations["employer_id"])
    if rostered is None:
        rostered = set(roster["employer_id"])  # rostered_employers(employments), already filtered
    parts = [*_roster_findings(roster, registrations, in_registry),
             _not_in_roster(roster, registrations, rostered, registry_files, exempt_listed),
             _multiple_employers(roster), _exempt_in_registry(exempt_listed, registrations)]
    out = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else \
        pd.DataFrame(columns=[*CROSSCHECK_COLUMNS, CROSSCHECK_CODED])
    out["order"] = out["finding"].map({f: i for i, f in enumerate(FINDINGS)})
    out = out.sort_values(["order", "employer_id", "source_row"], kind="stable").drop(columns="order")
    out["source_row"] = out["source_row"].astype("Int64")
    return out[CROSSCHECK_COLUMNS + ([CROSSCHECK_CODED] if coded else [])].reset_index(drop=True)


def _findings(finding: str, rows: pd.DataFrame, **columns: object) -> pd.DataFrame:
    """Finding rows in the contract's columns (and ``detail_coded``): ``columns`` give what ``rows`` lack;
    ``detail`` is the catalogue message ``finding`` (its parameters in ``params``)."""
    params = columns.pop("params", {})
    text, entry = catalogue.message(finding, rows.index, **params)  # type: ignore[arg-type]
    frame = {"finding": finding, "employer_id": rows["employer_id"], "ssn": rows["ssn"], "name": rows.get("name"),
             "roster_registration_date": pd.NA, "registry_registration_date": pd.NA,
             "source_file": rows.get("source_file"), "source_row": rows["source_row"]}
    return pd.DataFrame({**frame, **columns, "detail": text, CROSSCHECK_CODED: catalogue.as_list(entry)})


def _roster_findings(roster: pd.DataFrame, registrations: pd.DataFrame,
                     in_registry: Collection[str]) -> list[pd.DataFrame]:
    """What the registry says of the dates the rosters give: no record, another date, a date left blank."""
    merged = roster.merge(registrations[["employer_id", "ssn", "registration_date"]], on=["employer_id", "ssn"],
                          how="left", suffixes=("_roster", "_registry"), indicator=True)
    has_roster_date = merged["registration_date_roster"].notna()
    has_registry_date = merged["registration_date_registry"].notna()
    differ = has_roster_date & has_registry_date & \
        (merged["registration_date_roster"] != merged["registration_date_registry"])
    days = (merged["registration_date_roster"] - merged["registration_date_registry"]).dt.days.abs().astype("Int64")
    masks = {"not_in_registry": merged["employer_id"].isin(in_registry) & has_roster_date
             & (merged["_merge"] == "left_only"),
             "date_mismatch": differ, "roster_date_missing": ~has_roster_date & has_registry_date}
    out = []
    for finding, mask in masks.items():
        rows = merged[mask]
        out.append(_findings(finding, rows, roster_registration_date=iso_dates(rows["registration_date_roster"]),
                             registry_registration_date=iso_dates(rows["registration_date_registry"]),
                             params={"days": days[mask]} if finding == "date_mismatch" else {}))
    return out


def _not_in_roster(roster: pd.DataFrame, registrations: pd.DataFrame, rostered: Collection[str],
                   registry_files: dict[int, str] | None, exempt_listed: pd.DataFrame | None = None) -> pd.DataFrame:
    """People the registry has registered with an employer whose stored rosters do not list them (one
    listed as exempt is listed: :func:`_exempt_in_registry` says so)."""
    reg = registrations[registrations["employer_id"].isin(rostered)]
    listed = roster[["employer_id", "ssn"]] if exempt_listed is None or exempt_listed.empty else \
        pd.concat([roster[["employer_id", "ssn"]], exempt_listed[["employer_id", "ssn"]]]).drop_duplicates()
    reg = reg.merge(listed, on=["employer_id", "ssn"], how="left", indicator=True)
    missing = reg[reg["_merge"] == "left_only"]
    names = roster.drop_duplicates("ssn").set_index("ssn")["name"]
    files = pd.Series(registry_files or {}, dtype="string")
    return _findings("not_in_roster", missing, name=missing["ssn"].map(names),
                     registry_registration_date=iso_dates(missing["registration_date"]),
                     source_file=missing["upload_id"].map(files) if "upload_id" in missing else pd.NA)


def _exempt_in_registry(exempt_listed: pd.DataFrame, registrations: pd.DataFrame) -> pd.DataFrame:
    """People a roster lists without the employer's duty (an intern, a retiree …) whom the registry has
    registered by that employer: the registration is the employer's own choice or the roster's label
    is wrong; neither is "not on the roster"."""
    found = exempt_listed.merge(registrations[["employer_id", "ssn", "registration_date"]],
                                on=["employer_id", "ssn"], how="inner", suffixes=("_roster", "_registry"))
    found.index = pd.RangeIndex(len(found))
    return _findings("exempt_in_registry", found,
                     roster_registration_date=iso_dates(found["registration_date_roster"]),
                     registry_registration_date=iso_dates(found["registration_date_registry"]),
                     params={"type": found.get("employment_type", pd.Series(pd.NA, index=found.index))})


def _multiple_employers(roster: pd.DataFrame) -> pd.DataFrame:
    """The same person on stored rosters of two or more employers: one row per employer."""
    per_person = roster.groupby("ssn")["employer_id"].transform("nunique")
    multi = roster[per_person >= 2]
    others = multi.groupby("ssn")["employer_id"].agg(lambda s: ", ".join(sorted(s)))
    others = ids.mask_runs(others.astype("string"))  # an ID number stored as an employer (a shifted column)
    return _findings("multiple_employers", multi, roster_registration_date=iso_dates(multi["registration_date"]),
                     params={"employers": multi["ssn"].map(others)})


def effective_registration(employments: pd.DataFrame, registrations: pd.DataFrame) -> pd.Series:
    """Registration date per stored employment under "which date is true" (same index).

    Employer in the registry: the registry's date for that person, or none. Otherwise: the roster's.
    """
    in_registry = employments["employer_id"].isin(set(registrations["employer_id"]))
    registry = employments[["employer_id", "ssn"]].merge(
        registrations[["employer_id", "ssn", "registration_date"]], on=["employer_id", "ssn"], how="left")
    registry.index = employments.index
    return employments["registration_date"].where(~in_registry, registry["registration_date"])


def stored_rows(employments: pd.DataFrame, registrations: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Stored employments as normalised rows (``registration.NORMALISED_SCHEMA``), the newest upload
    of each (employer, person), registration dates as the registry decides (section 8).

    Stored rows are normalised already: a valid SSN, typed dates. Only what the store does not
    keep per row is filled in (the SSN is the ID number; no problem text; region names and the
    kind of document from the SSN).
    """
    latest = latest_employments(employments).reset_index(drop=True)
    n = len(latest)
    none = pd.Series(pd.NA, index=latest.index, dtype="string")
    column = {name: latest.get(name, none) for name in ("birth_date", "sex", "region_code")}
    return pd.DataFrame({
        "source_file": latest["source_file"].astype("string"),
        "source_row": latest["source_row"].astype("int64"),
        "employer_id": latest["employer_id"].astype("string"),
        "employer_name": latest["employer_id"].map(names).astype("string"),
        "name": latest["name"].astype("string"),
        "id_number": latest["ssn"].astype("string"),
        "ssn": latest["ssn"].astype("string"),
        "id_problem": none,
        "birth_date": pd.to_datetime(column["birth_date"]),
        "sex": column["sex"].astype("string"),
        "region": ids.region_column(column["region_code"].astype("string")),
        "hire_date": pd.to_datetime(latest["hire_date"]),
        "registration_date": pd.to_datetime(effective_registration(latest, registrations)),
        "registration_unreadable": np.zeros(n, dtype=bool),
        "problem": none,
        "id_code": none,
        "id_warning": none,
        "id_kind": ids.kind_column(latest["ssn"].astype("string")),
        "region_code": column["region_code"].astype("string"),
        "card_status": normalise_status(latest["card_status"]),  # codes; rows stored before section 10 hold words
        "card_bank": none,
        "activation_date": pd.Series(pd.NaT, index=latest.index, dtype="datetime64[ns]"),
        "wage": latest["wage"].astype("float64"),
        "problem_code": none,
        "employment_type": latest.get("employment_type", none).astype("string").fillna("full_time"),
        "work_permit_date": pd.to_datetime(latest.get("work_permit_date", pd.Series(pd.NaT, index=latest.index))),
        **dict.fromkeys(CODED_COLUMNS, none),
        # section 11.1, as stored (rows stored before it have none of them: judged as before)
        **{name: pd.to_datetime(latest.get(name, pd.Series(pd.NaT, index=latest.index)))
           for name in ("career_start_date", "leave_date", "deregistration_date")},
        **{name: latest.get(name, none).astype("string")
           for name in ("insurance_status", "card_city", "social_function", "financial_function",
                        "dispatch_local_branch", "exempt_types")},
        "registration_month_only": latest.get("registration_month_only", pd.Series(False, index=latest.index))
        .fillna(False).astype(bool),
    }).astype(NORMALISED_SCHEMA)


def stored_check(employments: pd.DataFrame, registrations: pd.DataFrame, names: dict[str, str],
                 as_of: dt.date, calendar_days: bool = False) -> pd.DataFrame:
    """Status of every stored employment as of a date: ``judge`` over the stored rows directly."""
    return judge(stored_rows(employments, registrations, names), as_of, calendar_days).results
