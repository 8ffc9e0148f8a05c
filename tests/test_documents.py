"""Documents other than the resident ID (shared README section 10): passports and travel permits
are checked for shape only and get no derived social security number; a declared permit or permanent
resident card is checked as GB 11643; an unknown document type is checked as a resident ID."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pandas as pd
import pytest
from conftest import gb11643

from compliance import documents
from compliance.registration import CheckResult, check
from compliance.rosters import read_roster

HEADER = ["姓名", "证件类型", "身份证号", "入职日期", "参保日期"]
AS_OF = dt.date(2025, 11, 20)
RESIDENT = gb11643("11010519900307123")


def run(roster_file, rows: list[list[object]]) -> CheckResult:
    return check(read_roster(roster_file("r.csv", [HEADER, *rows])), AS_OF)


@pytest.mark.parametrize(("written", "number", "kind", "compact"), [
    ("护照", "E1234 5678", "passport", "E12345678"),
    ("Passport", "p-998877", "passport", "P998877"),
    ("港澳居民来往内地通行证", "H12345678", "travel_permit", "H12345678"),
    ("台湾居民来往大陆通行证", "12345678", "travel_permit", "12345678"),
])
def test_passport_and_travel_permit_have_no_derived_ssn(roster_file, written: str, number: str, kind: str,
                                                        compact: str) -> None:
    # hire Mon 2025-06-02: deadline Wed 2025-07-02; unregistered on 2025-11-20: 141 days overdue
    result = run(roster_file, [["Smith", written, number, "2025-06-02", None]])
    row = result.results.iloc[0]
    assert (row["id_kind"], row["status"], row["days_late"]) == (kind, "overdue", 141)
    assert pd.isna(row["ssn"]) and pd.isna(row["id_problem"])  # not an ID problem
    assert row["id_number"] == number.strip()
    assert "the agency assigns it at registration" in row["problem"]
    assert result.problems["code"].tolist() == ["ssn_assigned_by_agency"]
    assert documents.explain(number, kind).ssn is None


@pytest.mark.parametrize(("number", "length"), [("AB1", 3), ("A" * 21, 21), ("E1234_5678!", None)])
def test_passport_shape(roster_file, number: str, length: int | None) -> None:
    row = run(roster_file, [["Smith", "护照", number, "2025-06-02", None]]).results.iloc[0]
    assert pd.isna(row["id_kind"]) and pd.isna(row["ssn"])
    assert "5 to 20 letters and digits" in row["id_problem"]
    if length:
        assert f"found {length} characters" in row["id_problem"]


def test_blank_type_and_resident_id_are_gb11643(roster_file) -> None:
    result = run(roster_file, [["甲", None, RESIDENT, "2025-06-02", None],
                               ["乙", "居民身份证", RESIDENT, "2025-06-02", None]])
    assert result.results["id_kind"].tolist() == ["resident", "resident"]
    assert result.results["ssn"].tolist() == [RESIDENT, RESIDENT]


def test_unknown_document_type_is_checked_as_resident_id_and_noted(roster_file) -> None:
    result = run(roster_file, [["甲", "军官证", RESIDENT, "2025-06-02", None]])
    row = result.results.iloc[0]
    assert (row["ssn"], row["id_kind"]) == (RESIDENT, "resident")
    assert "'军官证' is not a document type we know" in row["problem"]
    assert result.problems.iloc[0][["code", "column"]].tolist() == ["id_type_unknown", "证件类型 (column B)"]


def test_declared_permanent_resident_card_with_a_resident_number_is_a_warning(roster_file) -> None:
    result = run(roster_file, [["甲", "外国人永久居留身份证", RESIDENT, "2025-06-02", None]])
    row = result.results.iloc[0]
    assert row["ssn"] == RESIDENT  # valid: the number decides
    warning = result.problems[result.problems["code"] == "id_type_mismatch"]
    assert "foreign permanent but the number reads as resident" in warning["message"].iloc[0]


def test_2023_permanent_resident_card_declared_as_such(roster_file) -> None:
    number = gb11643("9" + "11" + "840" + "19850615" + "124")
    row = run(roster_file, [["Smith", "外国人永久居留身份证", number, "2025-06-02", None]]).results.iloc[0]
    assert (row["ssn"], row["id_kind"]) == (number, "foreign_permanent")


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "compliance", *args], capture_output=True, text=True, timeout=60)


def test_cli_id_type_passport() -> None:
    done = cli("id", "E 1234 5678", "--type", "passport", "--json")
    obj = json.loads(done.stdout)
    assert done.returncode == 0
    assert (obj["valid"], obj["kind"], obj["ssn"]) == (True, "passport", None)
    assert obj["warnings"] == ["The social security number is assigned by the agency (passport)"]
    bad = cli("id", "AB", "--type", "travel_permit", "--json")
    assert bad.returncode == 1 and json.loads(bad.stdout)["valid"] is False


def test_cli_id_text_of_a_passport_says_the_agency_assigns_the_ssn_once() -> None:
    done = cli("id", "E12345678", "--type", "passport")
    assert done.returncode == 0
    assert done.stdout.splitlines() == ["valid passport",
                                        "warning: The social security number is assigned by the agency (passport)"]
