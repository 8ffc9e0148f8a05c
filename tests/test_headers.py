"""Headers as HR systems export them (issue 24 item 1): title rows, a two-level merged header, synonyms."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from conftest import gb11643

from compliance.registration import check
from compliance.rosters import find_header, read_roster

AS_OF = dt.date(2025, 11, 20)
ZHANG, LI = gb11643("11010519900307123"), gb11643("11010519920512234")  # born 1990 and 1992: full duty


def kingdee_export(path: Path) -> Path:
    """A 金蝶/用友-style export: a merged title row, a group row (证件信息, 任职信息, 社保信息) over the sub
    headers, 序号 and 姓名 merged down over both header rows, a 合计 row at the bottom."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["2025年员工花名册"])
    ws.merge_cells("A1:H1")
    ws.append(["序号", "员工姓名", "证件信息", None, "任职信息", None, None, "社保信息"])
    ws.append([None, None, "证件类型", "身份证", "所属公司", "统一社会信用代码", "入司日期", "社保起缴日期"])
    for cells in ("A2:A3", "B2:B3", "C2:D2", "E2:G2"):
        ws.merge_cells(cells)
    ws.append([1, "张三", "居民身份证", ZHANG, "甲公司", "911101055347017256", dt.date(2025, 3, 3),
               "2025-03-10"])
    ws.append([2, "李四", "居民身份证", LI, "甲公司", "911101055347017256", dt.date(2025, 3, 3),
               None])
    ws.append(["合计 2人"])
    book.save(path)
    return path


def test_a_two_level_merged_header_keeps_the_merged_name_and_the_sub_headers(tmp_path: Path) -> None:
    roster = read_roster(kingdee_export(tmp_path / "export.xlsx"))[0]
    # 姓名 is in B2 (merged down over B2:B3); the sub headers are row 3; data from row 4
    assert roster.columns == {"name": "员工姓名 (column B)", "id_type": "证件类型 (column C)",
                              "id_number": "身份证 (column D)", "employer_name": "所属公司 (column E)",
                              "employer_id": "统一社会信用代码 (column F)", "hire_date": "入司日期 (column G)",
                              "registration_date": "社保起缴日期 (column H)"}
    assert roster.frame["source_row"].tolist() == [4, 5]
    assert roster.frame["name"].tolist() == ["张三", "李四"]
    assert roster.frame["employer_name"].tolist() == ["甲公司", "甲公司"]
    assert [str(n) for n in roster.notes] == ["row 6 is a totals row ('合计 2人'), not an employee, and was skipped"]


def test_the_export_is_judged_with_names_and_employers(tmp_path: Path) -> None:
    result = check(read_roster(kingdee_export(tmp_path / "export.xlsx")), AS_OF)
    rows = result.results.set_index("name")
    # hired Mon 2025-03-03: deadline 03-03 + 30 = Wed 2025-04-02 (a working day)
    assert rows.loc["张三", "deadline"] == dt.datetime(2025, 4, 2)
    assert rows.loc["张三", "status"] == "on_time"  # registered 03-10
    assert rows.loc["李四", "status"] == "overdue"  # never registered: 2025-11-20 − 04-02 = 232 days
    assert rows.loc["李四", "days_late"] == 232
    assert rows["employer_name"].tolist() == ["甲公司", "甲公司"]


def test_a_data_row_below_a_one_row_header_is_not_taken_for_sub_headers() -> None:
    rows = [["姓名", "身份证号", "入职日期", "参保日期"], ["张三", "11010519491231002X", "2025-03-03", ""]]
    assert find_header(rows) == (0, {"name": 0, "id_number": 1, "hire_date": 2, "registration_date": 3}, [])
