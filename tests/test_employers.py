"""Per-employer summary and the Art. 58 premium-verification flag (shared README section 7)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from compliance import catalogue, employers
from compliance.employers import summarise
from compliance.registration import check
from compliance.rosters import read_roster

# section 11.7: employers gain left_before_deadline after exempt, work_injury_overdue and deregistration_issues
# after flag_reason
COLUMNS = ["employer_id", "employer_name", "employees", "on_time", "late", "overdue", "pending", "invalid",
           "exempt", "left_before_deadline", "max_days_overdue", "flag_premium_verification", "flag_reason",
           "work_injury_overdue", "deregistration_issues"]
CODED = "flag_reason_coded"  # the structure of flag_reason beside the contract's columns (compliance.catalogue)


def results(rows: list[tuple[str | None, str | None, str, int | None]]) -> pd.DataFrame:
    """A results frame as check() types it: (employer_id, employer_name, status, days_late)."""
    ids, names, statuses, days = zip(*rows, strict=True)
    return pd.DataFrame({
        "employer_id": pd.Series(ids, dtype="string"),
        "employer_name": pd.Series(names, dtype="string"),
        "status": pd.Series(statuses, dtype="string"),
        "days_late": pd.Series(days, dtype="Int64"),
    })


ROWS = [
    ("911", "甲公司", "overdue", 47),
    ("911", "甲公司", "overdue", 10),
    ("911", "甲有限公司", "overdue", 5),     # same USCC, other spelling: one employer
    ("911", "甲公司", "on_time", None),
    ("911", "甲公司", "late", 90),           # late days are not overdue days
    ("912", "乙公司", "overdue", 1),
    ("913", "丙公司", "late", 100),
    ("913", "丙公司", "late", 3),
    ("913", "丙公司", "pending", None),
    ("913", "丙公司", "invalid", None),
    (None, "个体户王五", "overdue", 60),     # no USCC: grouped by name
    (None, "个体户王五", "on_time", None),
    (None, None, "pending", None),           # neither: one group with both fields empty
    (None, None, "invalid", None),
    (None, None, "on_time", None),
]


def by_key(summary: pd.DataFrame) -> dict[str, dict]:
    return {(r["employer_id"] if pd.notna(r["employer_id"]) else
             r["employer_name"] if pd.notna(r["employer_name"]) else ""): r for r in summary.to_dict("records")}


def test_columns_follow_the_contract() -> None:
    assert list(summarise(results(ROWS)).columns) == [*COLUMNS, CODED]


def test_counts_per_status_and_longest_overdue() -> None:
    got = by_key(summarise(results(ROWS)))
    assert set(got) == {"911", "912", "913", "个体户王五", ""}
    a = got["911"]
    assert (a["employees"], a["on_time"], a["late"], a["overdue"], a["pending"], a["invalid"]) == (5, 1, 1, 3, 0, 0)
    assert a["max_days_overdue"] == 47
    assert a["employer_name"] == "甲公司"  # the name most rows give
    c = got["913"]
    assert (c["employees"], c["on_time"], c["late"], c["overdue"], c["pending"], c["invalid"]) == (4, 0, 2, 0, 1, 1)
    assert c["max_days_overdue"] == 0
    empty = got[""]
    assert pd.isna(empty["employer_id"]) and pd.isna(empty["employer_name"])
    assert (empty["employees"], empty["on_time"], empty["pending"], empty["invalid"]) == (3, 1, 1, 1)


def test_rows_without_employer_id_are_grouped_by_name() -> None:
    person = by_key(summarise(results(ROWS)))["个体户王五"]
    assert pd.isna(person["employer_id"])
    assert (person["employees"], person["overdue"], person["on_time"], person["max_days_overdue"]) == (2, 1, 1, 60)


def test_flag_only_when_something_is_overdue() -> None:
    got = by_key(summarise(results(ROWS)))
    flags = {k: bool(v["flag_premium_verification"]) for k, v in got.items()}
    assert flags == {"911": True, "912": True, "913": False, "个体户王五": True, "": False}
    assert pd.isna(got["913"]["flag_reason"]) and pd.isna(got[""]["flag_reason"])


def test_flag_reason_text() -> None:
    got = by_key(summarise(results(ROWS)))
    assert got["911"]["flag_reason"] == "3 employees unregistered, longest 47 days past deadline"
    assert got["912"]["flag_reason"] == "1 employee unregistered, longest 1 day past deadline"
    assert got["个体户王五"]["flag_reason"] == "1 employee unregistered, longest 60 days past deadline"


def test_flag_reason_carries_its_structure_for_the_page() -> None:
    """The reason's code and numbers travel beside it: a page shows it in Chinese without parsing the English."""
    summary = catalogue.localise(summarise(results(ROWS)), "zh").set_index("employer_id")
    assert CODED not in summary.columns
    assert summary.loc["911", "flag_reason"] == "3 名员工未登记，最长逾期 47 天"
    assert summary.loc["912", "flag_reason"] == "1 名员工未登记，最长逾期 1 天"
    assert pd.isna(summary.loc["913", "flag_reason"])


def test_most_overdue_first() -> None:
    order = [r["employer_id"] if pd.notna(r["employer_id"]) else r["employer_name"]
             for r in summarise(results(ROWS)).to_dict("records")]
    # overdue 3 (911); overdue 1 with 60 days (个体户王五) before overdue 1 with 1 day (912); then no overdue,
    # more employees first: 913 (4) before the unnamed group (3)
    assert order[:4] == ["911", "个体户王五", "912", "913"]
    assert len(order) == 5 and pd.isna(order[4])


def test_summary_of_checked_rosters(roster_file, make_id) -> None:
    a = make_id("11010519900307123")
    path = roster_file("two.csv", [
        ["统一社会信用代码", "单位名称", "姓名", "身份证号", "入职日期", "参保日期"],
        ["911", "甲公司", "张三", a, "2025-06-02", None],          # deadline 07-02: 141 days overdue on 11-20
        ["911", "甲公司", "李四", a, "2025-10-01", None],          # +30 = 10-31 (Fri): 20 days overdue
        ["912", "乙公司", "王五", a, "2025-06-02", "2025-07-02"],  # on time
    ])
    summary = summarise(check(read_roster(path), dt.date(2025, 11, 20)).results)
    rows = summary.to_dict("records")
    assert [r["employer_id"] for r in rows] == ["911", "912"]
    assert rows[0]["overdue"] == 2 and rows[0]["max_days_overdue"] == 141
    assert rows[0]["flag_reason"] == "2 employees unregistered, longest 141 days past deadline"
    assert bool(rows[1]["flag_premium_verification"]) is False and rows[1]["on_time"] == 1


def test_summary_of_nothing_is_empty() -> None:
    empty = pd.DataFrame({"employer_id": pd.Series(dtype="string"), "employer_name": pd.Series(dtype="string"),
                          "status": pd.Series(dtype="string"), "days_late": pd.Series(dtype="Int64")})
    summary = summarise(empty)
    assert len(summary) == 0 and list(summary.columns) == [*COLUMNS, CODED]


def test_employer_partials_combine_to_summarise() -> None:
    """Ties of names across partitions, employers known by name only, rows with neither."""
    results = pd.DataFrame({
        "employer_id": pd.array(["A", "A", None, "B", "A", None, None, "B", "A", None], dtype="string"),
        "employer_name": pd.array(["甲", "乙", "丙", None, "乙", "丙", None, "丁", "甲", None], dtype="string"),
        "status": pd.array(["overdue", "on_time", "overdue", "late", "overdue", "pending", "invalid", "overdue",
                            "exempt", "overdue"], dtype="string"),
        "days_late": pd.array([5, None, 9, 3, 7, None, None, 9, None, 1], dtype="Int64")})
    for cut in ([4], [1, 5, 8], [3, 6]):
        parts = np.split(np.arange(len(results)), cut)
        partials = [employers.partial(results.iloc[p].reset_index(drop=True), i) for i, p in enumerate(parts)]
        pd.testing.assert_frame_equal(employers.combine(partials), summarise(results), check_dtype=False)
    # worked by hand: A has rows 0, 1, 4, 8 (overdue 5 and 7 days, on time, exempt), named 甲 twice and 乙
    # twice: the tie goes to 乙 (U+4E59 sorts before 甲, U+7532). 丙 (no ID: rows 2, 5) and B (rows 3, 7) both
    # have one employee 9 days overdue and two rows: 丙 appears first. Rows 6 and 9 have neither: last (1 day).
    got = summarise(results)
    assert got["employer_id"].fillna("").tolist() == ["A", "", "B", ""]
    assert got["employer_name"].fillna("").tolist() == ["乙", "丙", "丁", ""]
    assert got[["employees", "on_time", "late", "overdue", "pending", "invalid", "exempt",
                "max_days_overdue"]].to_numpy().tolist() == [[4, 1, 0, 2, 0, 0, 1, 7], [2, 0, 0, 1, 1, 0, 0, 9],
                                                             [2, 0, 1, 1, 0, 0, 0, 9], [2, 0, 0, 1, 0, 1, 0, 1]]
