"""Reading roster files (shared README section 5): formats, encodings, header rows, row numbers.

Every file is written in tmp_path by the test (openpyxl, xlwt, csv). Row numbers are the ones a
person sees in the spreadsheet: the header row is its own row, so a header on row 3 puts the
first data row on row 4.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from compliance.registration import check
from compliance.rosters import RosterError, read_roster, read_rosters, roster_paths

AS_OF = dt.date(2025, 11, 20)
HEADER = ["姓名", "身份证号", "入职日期", "参保日期"]

# Section 5 of the shared README, typed out here (not taken from the code).
SECTION_5 = {
    "employer_id": ["统一社会信用代码", "单位编号", "employer_id", "uscc"],
    "employer_name": ["单位名称", "用人单位", "employer", "employer_name"],
    "name": ["姓名", "name"],
    "id_number": ["身份证号", "身份证号码", "公民身份号码", "证件号码", "id_number", "id"],
    # section 11.1: 参加工作日期 is no hire-date header any more (it is career_start_date); 入职时间, 到岗日期 are
    "hire_date": ["入职日期", "用工日期", "入职时间", "到岗日期", "hire_date", "start_date"],
    "registration_date": ["参保日期", "参保登记日期", "社保登记日期", "registration_date"],
    "card_status": ["社保卡状态", "card_status"],
    "card_bank": ["发卡银行", "合作银行", "card_bank"],
    "activation_date": ["激活日期", "社保卡激活日期", "activation_date"],
    "wage": ["月工资", "工资", "申报工资", "缴费工资", "wage", "monthly_wage"],
    "ssn": ["社会保障号码", "社保号码", "ssn"],
}
# Section 11.1's new fields, typed out from its table likewise.
SECTION_11 = {
    "career_start_date": ["参加工作日期", "参加工作时间", "首次参加工作日期", "career_start_date"],
    "leave_date": ["离职日期", "解除劳动合同日期", "终止劳动合同日期", "用工终止日期", "leave_date"],
    "deregistration_date": ["减员日期", "停保日期", "社保减员日期", "deregistration_date"],
    "insurance_status": ["参保状态", "缴费状态", "insurance_status"],
    "card_city": ["发卡地", "社保卡发卡地", "发卡城市", "card_city"],
    "social_function": ["社保功能状态", "社保功能", "social_function"],
    "financial_function": ["金融功能状态", "金融功能", "银行账户状态", "financial_function"],
    "dispatch_local_branch": ["派遣单位本地分支机构", "派遣单位在本地设有分支机构", "dispatch_local_branch"],
    "exempt_types": ["免缴险种", "exempt_types"],
}
ALIAS_CASES = [(f, a) for f, aliases in {**SECTION_5, **SECTION_11}.items() for a in aliases]


def rows_named(notes: list[str]) -> set[int]:
    """Row numbers named by the blank-row notes: 'rows 5, 9-11 ...' -> {5, 9, 10, 11}."""
    found: set[int] = set()
    for note in notes:
        if "blank" not in note:
            continue
        for first, last in re.findall(r"(\d+)(?:-(\d+))?", note):
            found.update(range(int(first), int(last or first) + 1))
    return found


def only(rosters: list) -> object:
    assert len(rosters) == 1
    return rosters[0]


# --- xlsx -------------------------------------------------------------------------------------------------


def test_xlsx_header_below_title_rows_numbers_rows_as_excel_shows(roster_file, make_id) -> None:
    a, b, c = make_id("11010519900307123"), make_id("11010519900307124"), make_id("11010519851111001")
    path = roster_file("hr.xlsx", [
        ["某某有限公司员工花名册"],                           # row 1
        ["制表日期：2025年11月"],                             # row 2
        ["序号", *HEADER],                                    # row 3: header
        [1, "张三", a, dt.date(2025, 3, 5), dt.date(2025, 4, 7)],  # row 4
        [2, "李四", b, "2025/3/5", None],                     # row 5
        [None, None, None, None, None],                       # row 6: blank, in the middle
        [3, "王五", c, 45721, "2025年4月8日"],                 # row 7
        [" ", " ", " ", " ", " "],                            # row 8: trailing blank
        [" ", " ", " ", " ", " "],                            # row 9: trailing blank
    ])
    roster = only(read_roster(path))
    frame = roster.frame
    assert frame["source_row"].tolist() == [4, 5, 7]
    assert frame["source_file"].tolist() == ["hr.xlsx"] * 3
    assert frame["name"].tolist() == ["张三", "李四", "王五"]
    assert frame["id_number"].tolist() == [a, b, c]
    assert rows_named(roster.notes) == {6}, roster.notes
    assert roster.columns["hire_date"] == "入职日期 (column D)"
    assert roster.columns["registration_date"] == "参保日期 (column E)"
    # the same rows through the check: dates in every form read as 2025-03-05
    result = check([roster], AS_OF).results
    assert result["hire_date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-03-05"] * 3
    assert result["registration_date"].dt.strftime("%Y-%m-%d").fillna("").tolist() == ["2025-04-07", "",
                                                                                        "2025-04-08"]


def test_xlsx_header_not_in_column_a(roster_file, make_id) -> None:
    a = make_id("11010519900307123")
    path = roster_file("offset.xlsx", [[], [], [None, None, *HEADER[:3]], [None, None, "张三", a, "2025-03-05"]])
    roster = only(read_roster(path))
    assert roster.frame["source_row"].tolist() == [4]
    assert roster.columns["name"] == "姓名 (column C)"
    assert roster.columns["hire_date"] == "入职日期 (column E)"


def test_xls_written_by_xlwt(roster_file, make_id) -> None:
    a, b = make_id("11010519900307123"), make_id("11010519900307124")
    path = roster_file("legacy.xls", [
        ["员工名单"],                                          # row 1
        [],                                                    # row 2
        HEADER,                                                # row 3
        ["张三", a, dt.date(2025, 3, 5), "2025.4.7"],          # row 4
        [],                                                    # row 5
        ["李四", b, 45721, dt.date(2025, 4, 8)],               # row 6
    ])
    roster = only(read_roster(path))
    assert roster.source_file == "legacy.xls"
    assert roster.frame["source_row"].tolist() == [4, 6]
    assert roster.frame["id_number"].tolist() == [a, b]
    assert rows_named(roster.notes) == {5}
    result = check([roster], AS_OF).results
    assert result["hire_date"].dt.strftime("%Y-%m-%d").tolist() == ["2025-03-05", "2025-03-05"]
    # deadline 2025-04-07 (2025-04-04 Qingming, rolled to Monday): 4-7 on time, 4-8 one day late
    assert result["status"].tolist() == ["on_time", "late"]
    assert result["days_late"].tolist()[1] == 1


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_id_stored_as_an_excel_number_is_flagged_not_guessed(roster_file, make_id, suffix: str) -> None:
    good = make_id("11010519900307123")
    path = roster_file(f"numbers{suffix}", [HEADER, ["张三", 110105194912310021, "2025-03-05", "2025-03-20"],
                                            ["李四", good, "2025-03-05", "2025-03-20"]])
    roster = only(read_roster(path))
    cell = roster.frame["id_number"].iloc[0]
    assert isinstance(cell, float | int) and not isinstance(cell, str)
    rows = check([roster], AS_OF).results
    first = rows.iloc[0]
    assert first["id_code"] == "id_number_cell"
    assert pd.isna(first["ssn"]) and pd.notna(first["id_problem"])
    assert first["status"] == "on_time"  # a bad ID does not change the status
    # the lost digits are never made up: the typed number appears nowhere in the results
    assert "110105194912310021" not in rows.astype(str).to_string()
    assert rows.iloc[1]["ssn"] == good


def test_fifteen_digit_id_in_a_number_cell_keeps_its_digits(roster_file) -> None:
    # 15 digits fit in a double exactly; 110105491231002 -> 110105 19 491231 002 + check X
    path = roster_file("old.xlsx", [HEADER, ["张三", 110105491231002, "2025-03-05", None]])
    rows = check(read_roster(path), AS_OF).results
    assert rows["id_code"].isna().all()
    assert rows["ssn"].fillna("").tolist() == ["11010519491231002X"]


def test_two_sheets_with_headers_are_both_read(roster_file, make_id) -> None:
    a, b = make_id("11010519900307123"), make_id("11010519900307124")
    path = roster_file("group.xlsx", {
        "北京": [["单位名称", *HEADER], ["北京分公司", "张三", a, "2025-03-05", None]],
        "上海": [["标题"], ["单位名称", *HEADER], ["上海分公司", "李四", b, "2025-03-06", None],
                 ["上海分公司", "王五", a, "2025-03-07", None]],
    })
    rosters = read_roster(path)
    assert [r.source_file for r in rosters] == ["group.xlsx[北京]", "group.xlsx[上海]"]
    assert rosters[0].frame["source_row"].tolist() == [2]
    assert rosters[1].frame["source_row"].tolist() == [3, 4]
    assert rosters[1].frame["source_file"].tolist() == ["group.xlsx[上海]"] * 2
    assert rosters[1].frame["employer_name"].tolist() == ["上海分公司"] * 2


def test_sheet_without_header_beside_one_with_is_noted(roster_file, make_id) -> None:
    path = roster_file("notes.xlsx", {
        "填表说明": [["请按模板填写"], ["身份证号须为文本格式"]],
        "名单": [HEADER, ["张三", make_id("11010519900307123"), "2025-03-05", None]],
        "空白": [],
    })
    rosters = read_roster(path)
    assert [r.source_file for r in rosters] == ["notes.xlsx[名单]"]
    notes = [n for r in rosters for n in r.notes]
    assert any("填表说明" in n for n in notes), notes
    assert len(rosters[0].frame) == 1


@pytest.mark.parametrize("suffix", [".xlsx", ".xls"])
def test_workbook_with_a_header_and_no_rows(roster_file, suffix: str) -> None:
    roster = only(read_roster(roster_file(f"empty{suffix}", [HEADER])))
    assert len(roster.frame) == 0


def test_csv_with_a_header_and_no_rows(roster_file) -> None:
    roster = only(read_roster(roster_file("empty.csv", [HEADER])))
    assert len(roster.frame) == 0
    assert len(check([roster], AS_OF).results) == 0


# --- csv: encodings and separators ------------------------------------------------------------------------


@pytest.mark.parametrize(("encoding", "name"), [
    ("utf-8", "张三丰"), ("utf-8-sig", "张三丰"), ("gbk", "张三丰"), ("gb18030", "㐀䶮"),  # Ext. A: not in GBK
])
def test_csv_encodings(tmp_path: Path, make_id, encoding: str, name: str) -> None:
    a = make_id("11010519900307123")
    text = f"员工花名册\n单位名称,{','.join(HEADER)}\n示例公司,{name},{a},2025年3月5日,2025年4月7日\n"
    raw = text.encode(encoding)
    if encoding == "utf-8-sig":
        assert raw.startswith(b"\xef\xbb\xbf")
    if encoding == "gb18030":
        with pytest.raises(UnicodeEncodeError):
            name.encode("gbk")
    path = tmp_path / f"{encoding}.csv"
    path.write_bytes(raw)
    roster = only(read_roster(path))
    assert roster.frame["name"].tolist() == [name]
    assert roster.frame["employer_name"].tolist() == ["示例公司"]
    assert roster.frame["source_row"].tolist() == [3]
    assert roster.columns["employer_name"] == "单位名称 (column A)"  # no BOM glued to the first header
    assert not roster.notes
    assert check([roster], AS_OF).results["status"].tolist() == ["on_time"]


def test_gbk_csv_with_a_stray_byte_is_read_with_a_note(tmp_path: Path, make_id) -> None:
    a, b = make_id("11010519900307123"), make_id("11010519900307124")
    path = tmp_path / "stray.csv"
    path.write_bytes(f"姓名,身份证号,入职日期\n张三,{a},2025-03-05\n".encode("gbk") + b"\xff\xff," + b.encode()
                     + b",2025-03-06\n")
    roster = only(read_roster(path))
    assert roster.frame["name"].tolist()[0] == "张三"
    assert roster.frame["id_number"].tolist() == [a, b]
    assert len(roster.notes) == 1  # the replaced bytes are mentioned


def test_utf8_csv_with_a_stray_byte_is_read_with_a_note(tmp_path: Path, make_id) -> None:
    a, b = make_id("11010519900307123"), make_id("11010519900307124")
    path = tmp_path / "stray.csv"
    path.write_bytes(f"姓名,身份证号,入职日期\n张三,{a},2025-03-05\n".encode() + b"\xff\xff," + b.encode()
                     + b",2025-03-06\n")
    roster = only(read_roster(path))
    assert roster.frame["name"].tolist()[0] == "张三"
    assert roster.frame["id_number"].tolist() == [a, b]
    assert len(roster.notes) == 1


def test_tab_separated_csv(roster_file, make_id) -> None:
    a = make_id("11010519900307123")
    path = roster_file("tabs.csv", [HEADER, ["张三", a, "2025-03-05", ""], ["李, 四", a, "2025/3/6", ""]],
                       delimiter="\t")
    roster = only(read_roster(path))
    assert roster.frame["name"].tolist() == ["张三", "李, 四"]
    assert roster.frame["hire_date"].tolist() == ["2025-03-05", "2025/3/6"]


def test_csv_keeps_cells_as_typed(roster_file) -> None:
    # leading zeros and long digit strings stay text (a CSV is never turned into numbers)
    path = roster_file("typed.csv", [["姓名", "身份证号", "入职日期", "单位编号"],
                                     ["张三", "011010519900307123", "45721", "00123"]])
    frame = only(read_roster(path)).frame
    assert frame["id_number"].tolist() == ["011010519900307123"]
    assert frame["employer_id"].tolist() == ["00123"]
    assert frame["hire_date"].tolist() == ["45721"]


def test_csv_blank_rows_in_the_middle_and_at_the_end(tmp_path: Path, make_id) -> None:
    a, b = make_id("11010519900307123"), make_id("11010519900307124")
    path = tmp_path / "gaps.csv"
    path.write_text(f"姓名,身份证号,入职日期\n张三,{a},2025-03-05\n\n,,\n李四,{b},2025-03-06\n , ,\n\n\n",
                    encoding="utf-8")
    roster = only(read_roster(path))
    # line 1 header, 2 张三, 3 empty, 4 only commas, 5 李四, 6-8 trailing blanks
    assert roster.frame["source_row"].tolist() == [2, 5]
    assert rows_named(roster.notes) == {3, 4}, roster.notes


def test_csv_crlf_line_ends(tmp_path: Path, make_id) -> None:
    a = make_id("11010519900307123")
    path = tmp_path / "crlf.csv"
    path.write_bytes(f"名单\r\n姓名,身份证号,入职日期\r\n张三,{a},2025-03-05\r\n\r\n李四,{a},2025-03-06\r\n".encode())
    roster = only(read_roster(path))
    assert roster.frame["source_row"].tolist() == [3, 5]
    assert rows_named(roster.notes) == {4}


def test_csv_quoted_line_breaks_count_as_one_spreadsheet_row(tmp_path: Path, make_id) -> None:
    a = make_id("11010519900307123")
    path = tmp_path / "quoted.csv"
    # Excel shows: row 1 the two-line title, row 2 the header, rows 3-4 people (one with a two-line name)
    path.write_text(f'"员工花名册\n2025年"\n姓名,身份证号,入职日期\n"王\n五",{a},2025-03-05\n赵六,{a},2025-03-06\n',
                    encoding="utf-8")
    roster = only(read_roster(path))
    assert roster.frame["source_row"].tolist() == [3, 4]
    assert roster.frame["name"].tolist() == ["王\n五", "赵六"]


@pytest.mark.parametrize("separator", ["\x0b", "\x0c", "\u2028"])
def test_csv_line_separator_characters_in_the_title(tmp_path: Path, make_id, separator: str) -> None:
    a, b = make_id("11010519900307123"), make_id("11010519900307124")
    path = tmp_path / "title.csv"
    path.write_text(f"员工{separator}名单\n姓名,身份证号,入职日期\n张三,{a},2025-03-05\n李四,{b},2025-03-06\n",
                    encoding="utf-8")
    roster = only(read_roster(path))
    assert roster.frame["name"].tolist() == ["张三", "李四"]
    assert roster.frame["source_row"].tolist() == [3, 4]


def test_csv_footer_wider_than_the_header_is_kept_as_a_row(tmp_path: Path, make_id) -> None:
    a = make_id("11010519900307123")
    path = tmp_path / "footer.csv"
    path.write_text(f"姓名,身份证号,入职日期\n张三,{a},2025-03-05\n制表人：赵六,,,,,审核：钱七\n", encoding="utf-8")
    roster = only(read_roster(path))
    assert roster.frame["source_row"].tolist() == [2, 3]
    result = check([roster], AS_OF).results
    assert result["status"].tolist() == ["overdue", "invalid"]  # nothing dropped: the footer is reported


# --- headers ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("field", "alias"), ALIAS_CASES, ids=[f"{f}={a}" for f, a in ALIAS_CASES])
def test_every_alias_of_section_5(roster_file, field: str, alias: str) -> None:
    base = {"name": "姓名", "id_number": "身份证号", "hire_date": "入职日期"}
    base[field] = alias
    fields = list(base)
    values = [f"value-of-{f}" for f in fields]
    roster = only(read_roster(roster_file("alias.csv", [list(base.values()), values])))
    assert roster.frame[field].tolist() == [f"value-of-{field}"]
    assert roster.columns[field] == f"{alias} (column {'ABCD'[fields.index(field)]})"


@pytest.mark.parametrize("alias", SECTION_5["ssn"])
def test_ssn_column_serves_as_id_number(roster_file, make_id, alias: str) -> None:
    a = make_id("11010519900307123")
    roster = only(read_roster(roster_file("extract.csv", [["姓名", alias, "参保日期"], ["张三", a, "2025-03-05"]])))
    assert roster.frame["id_number"].tolist() == [a]
    assert check([roster], AS_OF).results["ssn"].tolist() == [a]


CASE_AND_SPACE = [
    ("HIRE_DATE", "hire_date"), (" 入职日期 ", "hire_date"), ("Hire Date", "hire_date"), ("Start_Date", "hire_date"),
    ("入 职 日 期", "hire_date"), ("REGISTRATION DATE", "registration_date"), ("Employer ID", "employer_id"),
    ("USCC", "employer_id"), ("ID", "id_number"), ("Id_Number", "id_number"), ("NAME", "name"),
    ("Monthly Wage", "wage"), ("SSN", "ssn"),
]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize(("header", "field"), CASE_AND_SPACE, ids=[h for h, _ in CASE_AND_SPACE])
def test_headers_are_case_and_space_insensitive(roster_file, suffix: str, header: str, field: str) -> None:
    base = {"name": "姓名", "id_number": "身份证号", "hire_date": "入职日期"}
    base[field] = header
    values = [f"value-of-{f}" for f in base]
    roster = only(read_roster(roster_file(f"case{suffix}", [list(base.values()), values])))
    assert roster.frame[field].tolist() == [f"value-of-{field}"]


def test_no_recognisable_header_names_the_file(roster_file) -> None:
    path = roster_file("payroll.csv", [["工号", "部门", "金额"], ["1", "财务", "100"]])
    with pytest.raises(RosterError, match=r"payroll\.csv"):
        read_roster(path)
    path = roster_file("payroll.xlsx", {"A": [["工号", "部门"]], "B": [["金额"]]})
    with pytest.raises(RosterError, match=r"payroll\.xlsx"):
        read_roster(path)


def test_one_field_alone_is_no_header(roster_file) -> None:
    # a title row mentioning one field must not be taken for the header
    path = roster_file("title.csv", [["姓名"], ["张三"]])
    with pytest.raises(RosterError, match=r"title\.csv"):
        read_roster(path)


def test_empty_csv_is_unusable(tmp_path: Path) -> None:
    path = tmp_path / "nothing.csv"
    path.write_bytes(b"")
    with pytest.raises(RosterError, match=r"nothing\.csv"):
        read_roster(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match=r"absent\.xlsx"):
        read_roster(tmp_path / "absent.xlsx")


def test_corrupt_workbook_is_unusable(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a zip archive")
    with pytest.raises(RosterError, match=r"broken\.xlsx"):
        read_roster(path)


def test_duplicate_header_columns_first_is_used(roster_file, make_id) -> None:
    a = make_id("11010519900307123")
    path = roster_file("dup.xlsx", [["姓名", "入职日期", "身份证号", "入职日期"],
                                    ["张三", "2025-03-05", a, "2025-09-09"]])
    roster = only(read_roster(path))
    assert roster.frame["hire_date"].tolist() == ["2025-03-05"]
    assert roster.columns["hire_date"] == "入职日期 (column B)"
    assert any("column D" in n and "column B" in n for n in roster.notes), roster.notes


def test_roster_without_hire_date_column_gives_invalid_rows(roster_file, make_id) -> None:
    a, b = make_id("11010519900307123"), make_id("11010519900307124")
    roster = only(read_roster(roster_file("nohire.csv", [["姓名", "身份证号"], ["张三", a], ["李四", b]])))
    assert "hire_date" not in roster.columns
    result = check([roster], AS_OF)
    assert result.results["status"].tolist() == ["invalid", "invalid"]
    assert result.results["problem"].str.contains("hire date column").all()
    problems = result.problems[result.problems["source_row"].notna()]
    assert sorted(problems["source_row"].tolist()) == [2, 3]
    assert set(problems["code"]) == {"hire_date_column_missing"}


def test_roster_without_id_column_reports_every_row(roster_file) -> None:
    roster = only(read_roster(roster_file("noid.csv", [["姓名", "入职日期"], ["张三", "2025-03-05"]])))
    row = check([roster], AS_OF).results.iloc[0]
    assert "ID number column" in row["id_problem"]
    assert row["status"] == "overdue"  # 2025-04-07 deadline, as of 2025-11-20


# --- employer filling -------------------------------------------------------------------------------------


def test_employer_id_and_name_fill_a_roster_without_employer_columns(roster_file, make_id) -> None:
    a = make_id("11010519900307123")
    path = roster_file("one.xlsx", [HEADER, ["张三", a, "2025-03-05", None], ["李四", a, "2025-03-06", None]])
    roster = only(read_roster(path, employer_id="91110105MA00000000", employer_name="示例科技有限公司"))
    assert roster.frame["employer_id"].tolist() == ["91110105MA00000000"] * 2
    assert roster.frame["employer_name"].tolist() == ["示例科技有限公司"] * 2


def test_employer_filling_only_touches_blank_cells(roster_file, make_id) -> None:
    a = make_id("11010519900307123")
    path = roster_file("mixed.csv", [["统一社会信用代码", "单位名称", *HEADER],
                                     ["911", "甲公司", "张三", a, "2025-03-05", ""],
                                     ["", " ", "李四", a, "2025-03-06", ""]])
    roster = only(read_roster(path, employer_id="999", employer_name="默认单位"))
    assert roster.frame["employer_id"].tolist() == ["911", "999"]
    assert roster.frame["employer_name"].tolist() == ["甲公司", "默认单位"]


def test_without_employer_arguments_nothing_is_filled(roster_file, make_id) -> None:
    path = roster_file("plain.csv", [HEADER, ["张三", make_id("11010519900307123"), "2025-03-05", ""]])
    results = check(read_roster(path), AS_OF).results
    assert results["employer_id"].isna().all() and results["employer_name"].isna().all()


# --- several files ----------------------------------------------------------------------------------------


def test_roster_paths_skips_readme_with_a_note(tmp_path: Path, roster_file, make_id) -> None:
    a = roster_file("a.csv", [HEADER, ["张三", make_id("11010519900307123"), "2025-03-05", ""]])
    b = roster_file("b.xlsx", [HEADER, ["李四", make_id("11010519900307124"), "2025-03-05", None]])
    readme = tmp_path / "README.md"
    readme.write_text("# uploads\n", encoding="utf-8")
    keep, notes = roster_paths([a, readme, b])
    assert keep == [a, b]
    assert len(notes) == 1 and "README.md" in notes[0]


def test_roster_paths_missing_and_empty(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match=r"ghost\.csv"):
        roster_paths([tmp_path / "ghost.csv"])
    readme = tmp_path / "README.md"
    readme.write_text("x", encoding="utf-8")
    with pytest.raises(RosterError):
        roster_paths([readme])


def test_read_rosters_keeps_file_order(roster_file, make_id) -> None:
    a = roster_file("first.csv", [HEADER, ["张三", make_id("11010519900307123"), "2025-03-05", ""]])
    b = roster_file("second.xlsx", {"S1": [HEADER, ["李四", make_id("11010519900307124"), "2025-03-05", None]],
                                    "S2": [HEADER, ["王五", make_id("11010519900307124"), "2025-03-05", None]]})
    rosters = read_rosters([a, b])
    assert [r.source_file for r in rosters] == ["first.csv", "second.xlsx[S1]", "second.xlsx[S2]"]


def test_first_data_row_longer_than_the_header_loses_nothing(tmp_path: Path) -> None:
    # pandas drops the extra fields of a first row longer than the column names it is given, with
    # only a ParserWarning ("loss of data"); the reader must start wide enough that it never does.
    path = tmp_path / "wide.csv"
    path.write_text("name,id_number,hire_date\n"
                    "A,11010519491231002X,2025-03-05,extra,more\n"
                    "B,,2025-03-06\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (roster,) = read_rosters([path])
    assert roster.frame["source_row"].tolist() == [2, 3]
    assert roster.frame["name"].tolist() == ["A", "B"]
    assert roster.frame["hire_date"].tolist() == ["2025-03-05", "2025-03-06"]


def test_first_data_row_over_the_column_limit_is_refused_not_cut(tmp_path: Path) -> None:
    path = tmp_path / "too_wide.csv"
    path.write_text("name,id_number,hire_date\n" + "A,,2025-03-05" + ",x" * 1197 + "\nB,,2025-03-06\n",
                    encoding="utf-8")  # 3 + 1197 = 1,200 fields in the first data row
    with pytest.raises(RosterError, match=r"1,200 fields; the limit is 1,000 columns"):
        read_rosters([path])


def test_a_very_long_first_data_row_keeps_its_last_field(tmp_path: Path) -> None:
    # The header search reads lines cut at 10,000 characters; the field after a long one must still
    # be read (pandas would drop it with only a ParserWarning, an error here). Columns that are no
    # roster field are not kept in the frame, so the warning is what shows a loss.
    path = tmp_path / "long.csv"
    path.write_text("name,id_number,hire_date,note\n"
                    "A,,2025-03-05," + "y" * 10_050 + ",LAST\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (roster,) = read_rosters([path])
    assert roster.frame["hire_date"].tolist() == ["2025-03-05"]


# --- text per cell and sheets per workbook (issue 20, findings 5 and 7) ------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_cell_over_excel_s_limit_is_refused_naming_its_row_and_column(roster_file, make_id, suffix: str) -> None:
    """32,767 characters is all an Excel cell holds; a longer one is no roster value (in a CSV it is nearly always
    a quote left open that swallowed the lines below it). Refused, never read half: which row and column."""
    rows = [["名单"], HEADER, ["张三", make_id("11010519491231002"), "2025-03-05", None],
            ["李四", make_id("11010519900307124"), "2025-03-05", "x" * 32_767]]
    path = roster_file(f"long_cell{suffix}", rows)
    if suffix == ".csv":
        path.write_bytes(path.read_bytes().replace(b"x" * 32_767, b"x" * 32_768))
    else:  # openpyxl cuts a longer text at Excel's limit: the cell is lengthened in the sheet's XML
        with zipfile.ZipFile(path) as archive:
            parts = {name: archive.read(name) for name in archive.namelist()}
        parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(b"x" * 32_767, b"x" * 32_768)
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in parts.items():
                archive.writestr(name, data)
    with pytest.raises(RosterError, match=r"^long_cell\S*: row 4, column D holds 32,768 characters; the limit is "
                                          r"32,767 per cell \(Excel's own\)$"):
        read_roster(path)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_cell_of_excel_s_limit_is_read(roster_file, make_id, suffix: str) -> None:
    rows = [HEADER, ["张三", make_id("11010519491231002"), "2025-03-05", "2025-03-06"],
            ["李四", make_id("11010519900307124"), "2025-03-05", "x" * 32_767]]
    roster = only(read_roster(roster_file(f"at_limit{suffix}", rows)))
    assert roster.frame["source_row"].tolist() == [2, 3]
    assert roster.frame["registration_date"].str.len().tolist() == [10, 32_767]


def test_sheets_up_to_the_limit_are_read_one_more_is_refused(roster_file, make_id) -> None:
    from compliance.rosters import LIMITS

    def book(count: int) -> dict[str, list[list[object]]]:
        return {f"S{i}": [HEADER, [f"员工{i}", make_id("11010519491231002"), "2025-03-05", None]]
                for i in range(count)}

    assert len(read_roster(roster_file("at_limit.xlsx", book(LIMITS.max_sheets)))) == LIMITS.max_sheets
    for suffix in (".xlsx", ".xls"):
        with pytest.raises(RosterError, match=rf"^over\{suffix}: {LIMITS.max_sheets + 1} sheets; the limit is "
                                              rf"{LIMITS.max_sheets} sheets per workbook$"):
            read_roster(roster_file(f"over{suffix}", book(LIMITS.max_sheets + 1)))
