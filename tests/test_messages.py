"""Every message the engine writes has its Chinese in the catalogue (compliance/messages.py, issue 14).

A roster with one row per problem the engine knows is checked; each distinct message, translated,
must hold no English sentence (three English words in a row) outside the quoted cell values.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
from conftest import gb11643

from compliance.crosscheck import crosscheck
from compliance.employers import summarise
from compliance.messages import translate, translate_column
from compliance.registration import check, check_uploads
from compliance.rosters import read_roster

ENGLISH_SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[ ,'-]+[A-Za-z]{2,}){2,}")
QUOTED = re.compile(r"“[^”]*”")  # a cell value quoted in a Chinese message stays as the user wrote it
HEADER = ["单位名称", "统一社会信用代码", "姓名", "证件类型", "身份证号", "入职日期", "参保日期", "用工形式",
          "工作许可日期", "社保卡状态"]
OK = gb11643("11010519900307123")
ROWS = [
    ["甲", "E1", "a", None, OK[:17] + ("0" if OK[17] != "0" else "1"), "2025-06-02", None, None, None, None],
    ["甲", "E1", "b", None, "1.10105E+17", "2025-06-02", None, None, None, None],
    ["甲", "E1", "c", None, "1101051990", "2025-06-02", None, None, None, None],
    ["甲", "E1", "d", None, gb11643("11010520990101123"), "2025-06-02", None, None, None, None],
    ["甲", "E1", "e", None, gb11643("11010518991231123"), "2025-06-02", None, None, None, None],
    ["甲", "E1", "f", None, gb11643("99010519900307123"), "2025-06-02", None, None, None, None],
    ["甲", "E1", "g", None, gb11643("81010119900307123"), "2025-06-02", None, None, None, None],
    ["甲", "E1", "h", None, gb11643("91100019850615124"), "2025-06-02", None, None, None, None],
    ["甲", "E1", "i", None, "USA110085061501", "2025-06-02", None, None, None, None],
    ["甲", "E1", "j", None, gb11643("11019919900101123"), "2025-06-02", None, None, None, None],
    ["甲", "E1", "k", "护照", "E12345678", "2025-06-02", None, None, None, None],
    ["甲", "E1", "l", "护照", "AB", "2025-06-02", None, None, None, None],
    ["甲", "E1", "m", "军官证", OK, "2025-06-02", None, None, None, None],
    ["甲", "E1", "n", "外国人永久居留身份证", OK, "2025-06-02", None, None, None, None],
    ["甲", "E1", "o", None, OK, None, None, None, None, None],
    ["甲", "E1", "p", None, OK, "待定", "不详", None, "不详", None],
    ["甲", "E1", "q", None, OK, "2025-06-02", None, None, "2025-08-01", None],
    ["甲", "E1", "r", None, gb11643("11010520090603123"), "2025-06-02", None, None, None, None],
    ["甲", "E1", "s", None, OK, "2025-06-02", None, "临时工", None, "冻结"],
    ["甲", "E1", "t" * 200, None, OK, "2025-06-02", None, None, None, None],
    ["甲", "E1", "u", None, OK, "2025-06-02", "2025-12-01", None, None, None],
    ["甲", "E1", "v", None, OK, "2025-06-02", "2025-05-01", None, None, None],
    ["甲", "E1", "w", None, OK, "2025-06-02", None, "退休返聘", None, None],
    ["甲", "E1", "x", None, OK, "2025-06-02", None, "实习", None, None],
    ["甲", "E1", "y", None, OK, "2025-06-02", None, "劳务派遣", None, None],
    ["甲", "E1", "z", None, OK, "2025-06-02", None, "劳务", None, None],
    ["甲", "E1", "aa", "X" * 3, "X1", "2025-06-02", None, None, None, None],
    ["甲", "E1", "ab", None, "11010519900307123X1", "2025-06-02", None, None, None, None],
    ["甲", "E1", "ac", None, "1101051990030X1234", "2025-06-02", None, None, None, None],
]


def english_left(message: str) -> list[str]:
    return ENGLISH_SENTENCE.findall(QUOTED.sub("", message))


def test_every_row_message_has_its_chinese(roster_file) -> None:
    result = check(read_roster(roster_file("all.csv", [HEADER, *ROWS])), dt.date(2025, 11, 20))
    messages = pd.concat([result.results[c] for c in ("problem", "id_problem", "id_warning")]
                         + [result.problems["message"], result.problems["column"]]).dropna().unique()
    assert len(messages) > 30  # the roster above reaches that many different messages
    untranslated = {m: english_left(translate(m, "zh")) for m in messages if english_left(translate(m, "zh"))}
    assert not untranslated, untranslated
    # English mode is the engine's own text, untouched
    assert all(translate(m, "en") == m for m in messages)


def test_employer_reasons_and_findings_have_their_chinese() -> None:
    results = pd.DataFrame({"employer_id": ["E1", "E1", "E2"], "employer_name": ["甲", "甲", "乙"],
                            "status": ["overdue", "overdue", "overdue"], "days_late": [47, 3, 1]})
    reasons = summarise(results)["flag_reason"]
    assert translate_column(reasons, "zh").tolist() == ["2 名员工未登记，最长逾期 47 天",
                                                        "1 名员工未登记，最长逾期 1 天"]
    day = pd.Timestamp
    employments = pd.DataFrame({
        "id": [1, 2, 3, 4], "employer_id": ["E1", "E1", "E1", "E2"], "ssn": ["A", "B", "C", "A"],
        "name": ["a", "b", "c", "a"], "registration_date": [day("2025-01-01"), day("2025-01-01"), pd.NaT, pd.NaT],
        "source_file": "r.csv", "source_row": [2, 3, 4, 5]})
    registrations = pd.DataFrame({"employer_id": ["E1", "E1", "E1"], "ssn": ["B", "C", "D"],
                                  "registration_date": [day("2025-01-05"), day("2025-01-01"), day("2025-01-01")],
                                  "upload_id": [1, 1, 1], "source_row": [2, 3, 4]})
    found = crosscheck(employments, registrations, {1: "registry.csv"})
    assert set(found["finding"]) == {"not_in_registry", "date_mismatch", "roster_date_missing", "not_in_roster",
                                     "multiple_employers"}
    for detail in found["detail"].unique():
        assert not english_left(translate(detail, "zh")), detail


def test_nul_cells_and_refused_employers_have_their_chinese(roster_file) -> None:
    """Issue 20: a NUL character (value_unstorable) and an employer from the page that is too long or
    holds a NUL (check_uploads refuses it before reading) are messages like the others."""
    path = roster_file("nul.xlsx", [["单位名称", "姓名", "身份证号", "入职日期"],
                                    ["甲", "李_x0000_四", OK, "2025-06-02"]])
    result = check(read_roster(path), dt.date(2025, 11, 20))
    messages = [*result.problems["message"].dropna().unique()]
    for employer_id, employer_name in (("9" * 65, None), (None, "甲" * 256), (None, "甲\x00")):
        messages += check_uploads([("r.csv", b"x")], dt.date(2025, 11, 20), employer_id=employer_id,
                                  employer_name=employer_name)[1]
    assert len(messages) == 4
    untranslated = {m: english_left(translate(m, "zh")) for m in messages if english_left(translate(m, "zh"))}
    assert not untranslated, untranslated
    assert translate(messages[0], "zh") == "姓名（B 列）：含有数据库无法保存的 NUL 字符（U+0000）；该行已检查但不会保存"


def test_the_reader_limits_of_issue_20_have_their_chinese() -> None:
    from compliance import rosters

    cases = [rosters.too_many_sheets("r.xlsx", 100), rosters.text_too_large("r.xlsx", 600 * 2**20)]
    chinese = [translate(str(e), "zh") for e in cases]
    assert chinese == ["r.xlsx：共有 100 个工作表，超过每个工作簿 32 个工作表的上限",
                       "r.xlsx：已拒绝：各单元格的文本合计 600 MB（共享文本按显示它的每个单元格计算），"
                       "超过 512 MB 的上限"]
