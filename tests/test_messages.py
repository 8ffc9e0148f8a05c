"""Every message the engine writes is a catalogue code plus parameters, rendered in English or Chinese
(compliance/catalogue.py, issue 21).

A roster with one row per problem the engine knows is checked with its structure kept; every structure
value must render in English to exactly the text the engine wrote (the command line's contract), and in
Chinese to a text with no English sentence (three English words in a row) outside quoted cell values.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import gb11643

from compliance import cards, catalogue, rosters
from compliance.catalogue import MESSAGES, localise, render
from compliance.crosscheck import crosscheck
from compliance.employers import summarise
from compliance.jobs import check_uploads
from compliance.registration import CheckResult, check
from compliance.rosters import RosterError, read_roster, read_roster_bytes

ENGLISH_SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[ ,'-]+[A-Za-z]{2,}){2,}")
QUOTED = re.compile(r"“[^”]*”")  # a cell value quoted in a Chinese message stays as the user wrote it
CJK = re.compile(r"[\u4e00-\u9fff]")
HEADER = ["单位名称", "统一社会信用代码", "姓名", "证件类型", "身份证号", "入职日期", "参保日期", "用工形式",
          "工作许可日期", "社保卡状态",
          # section 11.1's fields, after the older ones (their letters unchanged): K to P
          "离职日期", "减员日期", "参保状态", "派遣单位本地分支机构", "社保功能状态", "免缴险种"]
OK = gb11643("11010519900307123")


def person(n: int) -> str:
    """A valid ID of a man or woman born 1990-03-07, one per ``n``: section 11 finds the same SSN twice for one
    employer in one file (duplicate_person), so each row has its own person unless it is about that."""
    return gb11643(f"11010519900307{n:03d}")


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
    ["甲", "E1", "m", "军官证", person(101), "2025-06-02", None, None, None, None],
    ["甲", "E1", "n", "外国人永久居留身份证", person(102), "2025-06-02", None, None, None, None],
    ["甲", "E1", "o", None, person(103), None, None, None, None, None],
    ["甲", "E1", "p", None, person(104), "待定", "不详", None, "不详", None],
    ["甲", "E1", "q", None, person(105), "2025-06-02", None, None, "2025-08-01", None],
    ["甲", "E1", "r", None, gb11643("11010520090603123"), "2025-06-02", None, None, None, None],
    ["甲", "E1", "s", None, person(106), "2025-06-02", None, "临时工", None, "冻结"],
    ["甲", "E1", "t" * 200, None, person(107), "2025-06-02", None, None, None, None],
    ["甲", "E1", "u", None, person(108), "2025-06-02", "2025-12-01", None, None, None],
    ["甲", "E1", "v", None, person(109), "2025-06-02", "2025-05-01", None, None, None],
    ["甲", "E1", "w", None, person(110), "2025-06-02", None, "退休返聘", None, None],
    ["甲", "E1", "x", None, person(111), "2025-06-02", None, "实习", None, None],
    ["甲", "E1", "y", None, person(112), "2025-06-02", None, "劳务派遣", None, None],
    ["甲", "E1", "z", None, person(113), "2025-06-02", None, "劳务", None, None],
    ["甲", "E1", "aa", "X" * 3, "X1", "2025-06-02", None, None, None, None],
    ["甲", "E1", "ab", None, "11010519900307123X1", "2025-06-02", None, None, None, None],
    ["甲", "E1", "ac", None, "1101051990030X1234", "2025-06-02", None, None, None, None],
    [None, None, "ad", None, person(114), "2025-06-02", None, None, None, None],  # no employer: not stored
    ["甲", "E1", "ae", None, person(115), 'a "b"\\c', None, None, None, None],  # quotes and a backslash, quoted
]
# Section 11, as of 2025-11-20: hire Mon 2025-06-02, deadline Wed 2025-07-02 (README 2); one row per new message.
OVER_AGE = gb11643("11010519550307123")  # a man born 1955-03-07: 70 on the hire date, past the reformed age (60)
ROWS += [
    # 11.2 month-only registration: June's last day 06-30 is on or before the deadline: on_time
    ["甲", "E1", "af", None, person(120), "2025-06-02", "2025-06"],
    # 11.2 a leave date after the as-of date is not counted
    ["甲", "E1", "ag", None, person(121), "2025-06-02", None, None, None, None, "2025-12-31"],
    # 11.2 not registered, left 2025-06-20 on or before the deadline: left_before_deadline
    ["甲", "E1", "ah", None, person(122), "2025-06-02", None, None, None, None, "2025-06-20"],
    # 11.2 not registered, left 2023-06-01 after the deadline and more than two years before the as-of date
    ["甲", "E1", "ai", None, person(123), "2022-06-01", None, None, None, None, "2023-06-01"],
    # 11.2 减员: left Mon 2025-09-01, + 15 days = Tue 09-16; deregistered 10-31: late (and, below, missing)
    ["甲", "E1", "aj", None, person(124), "2025-06-02", "2025-06-10", None, None, None, "2025-09-01", "2025-10-31"],
    ["甲", "E1", "ak", None, person(125), "2025-06-02", "2025-06-10", None, None, None, "2025-09-01"],
    # 11.2 pending (hire 2025-11-10, deadline 12-10): the employer bears work-injury benefits until registration
    ["甲", "E1", "al", None, person(126), "2025-11-10"],
    # 11.3 part-time: work injury only; a retiree over the age (exempt, coded over_statutory_age); a woman born
    # 1973-01-15, 52 on the hire date: past her 50-table age, below her 55-table age (55 + 10 months)
    ["甲", "E1", "am", None, person(127), "2025-06-02", None, "非全日制"],
    ["甲", "E1", "an", None, OVER_AGE, "2025-06-02", None, "退休返聘"],
    ["甲", "E1", "ao", None, gb11643("11010519730115124"), "2025-06-02"],
    # 11.3 a waiver is void; dispatch without and with a branch of the agency here
    ["甲", "E1", "ap", None, person(128), "2025-06-02", None, "自愿放弃社保"],
    ["甲", "E1", "aq", None, person(129), "2025-06-02", None, "劳务派遣", None, None, None, None, None, "否"],
    ["甲", "E1", "ar", None, person(130), "2025-06-02", None, "劳务派遣", None, None, None, None, None, "是"],
    # the person of row "af" again for the same employer: duplicate_person; a hire more than 90 days ahead
    ["甲", "E1", "as", None, person(120), "2025-06-02"],
    ["甲", "E1", "at", None, person(131), "2026-06-01"],
    # 11.1 values the coded fields do not take
    ["甲", "E1", "au", None, person(132), "2025-06-02", None, None, None, None, None, None, "待定", "不详", "不详",
     "x"],
    ["合计 3人"],  # a totals row: a file note, not an employee
]
# 11.1: a roster whose only date of that kind is 参加工作日期 (no employer columns either)
CAREER = [["姓名", "身份证号", "参加工作日期"], ["ba", person(140), "2003-07-01"]]
# 11.3: the over-age retiree as of 2026-11-20, after Order 56 (2026-07-01): work injury required
LATER = [["甲", "E1", "bb", None, OVER_AGE, "2025-06-02", None, "退休返聘"]]


def padded(rows: list[list[object]]) -> list[list[object]]:
    return [[*row, *[None] * (len(HEADER) - len(row))] for row in rows]

STRUCTURED = {"problem": "problem_coded", "id_problem": "id_problem_coded", "id_warning": "id_warning_coded"}


def english_left(message: str) -> list[str]:
    return ENGLISH_SENTENCE.findall(QUOTED.sub("", message))


@pytest.fixture
def all_problems(roster_file):
    files = [*read_roster(roster_file("all.csv", [HEADER, *padded(ROWS)])), *read_roster(roster_file("career.csv",
                                                                                                     CAREER))]
    now = check(files, dt.date(2025, 11, 20), coded=True)
    later = check(read_roster(roster_file("later.csv", [HEADER, *padded(LATER)])), dt.date(2026, 11, 20), coded=True)
    return CheckResult(pd.concat([now.results, later.results], ignore_index=True),
                       pd.concat([now.problems, later.problems], ignore_index=True))


def keys_of(structures: pd.Series) -> set[str]:
    return {code for s in structures.dropna().unique() for code, _params in json.loads(s)}


def test_every_entry_has_both_texts_with_the_same_parameters() -> None:
    placeholder = re.compile(r"\{(\w+)")
    for key, (english, chinese) in MESSAGES.items():
        assert english and CJK.search(chinese), key
        assert set(placeholder.findall(chinese)) <= set(placeholder.findall(english)), key


def test_every_entry_is_one_the_engine_emits() -> None:
    """No dead entry: each key is written in the engine's source (exempt_<type> is built from the types;
    the accounts' texts wait for that module to raise coded errors; the cases' are compliance.cases.refusal's
    and the store's; card_<step> is built from compliance.cards.GUIDANCE, section 11.4)."""
    source = "".join(p.read_text() for p in Path("compliance").rglob("*.py") if p.name != "catalogue.py")
    waiting = {"employer_invalid", "hr_without_employer", "employer_not_hr", "user_exists", "no_user"}
    built = {f"card_{step}" for step in cards.GUIDANCE}
    unused = [k for k in MESSAGES if f'"{k}"' not in source and not k.startswith("exempt_") and k not in waiting
              and k not in built]
    assert unused == []


def test_every_row_message_renders_back_to_the_engines_text(all_problems) -> None:
    results, problems = all_problems.results, all_problems.problems
    emitted = set()
    for text_column, coded_column in [*STRUCTURED.items(), ("message", "message_coded")]:
        frame = problems if text_column == "message" else results
        coded = frame[coded_column]
        assert (coded.isna() == frame[text_column].isna()).all(), text_column
        english = localise(frame[[text_column, coded_column]], "en")[text_column]
        assert english.fillna("").tolist() == frame[text_column].fillna("").tolist(), text_column
        emitted |= keys_of(coded)
    assert emitted == {  # what the roster above reaches, one row per message
        "card_status_unknown", "date_unreadable", "employer_missing", "employment_type_unknown", "exempt_dispatched",
        "exempt_intern", "exempt_retired", "exempt_service", "hire_date_missing", "id_birth_before_1900",
        "id_birth_future", "id_checksum", "id_document_format", "id_format_x", "id_length", "id_nationality",
        "id_old_pr_card", "id_permit_address", "id_province", "id_region_unknown", "id_scientific",
        "id_type_mismatch", "id_type_unknown", "registration_after_as_of", "registration_before_hire",
        "ssn_assigned_by_agency", "under_16", "value_too_long", "work_permit_later",
        # section 11 (the rows after "ae", career.csv and later.csv)
        "deregistration_late", "deregistration_missing", "dispatch_user_registers", "duplicate_person",
        "duty_part_time", "exempt_dispatched_branch", "hire_date_far_future", "hire_date_is_career_start",
        "inspection_time_limit", "leave_date_after_as_of", "left_before_deadline", "over_statutory_age",
        "overdue_until_leave", "pending_work_injury", "registration_month_only", "retired_below_statutory_age",
        "retirement_age_uncertain", "totals_row", "value_unknown", "waiver_void", "work_injury_required"}


def test_every_row_message_has_chinese_without_english_sentences(all_problems) -> None:
    results = localise(all_problems.results, "zh")
    problems = localise(all_problems.problems, "zh")
    assert not {c for c in [*results.columns, *problems.columns] if c.endswith("_coded")}
    messages = pd.concat([results[c] for c in STRUCTURED] + [problems["message"]]).dropna().unique()
    untranslated = {m: english_left(m) for m in messages if english_left(m)}
    assert not untranslated, untranslated
    # the quoted cell comes through the structure as typed, quotes and backslash included
    assert "入职日期（F 列）：无法将“a \"b\"\\c”识别为日期" in set(messages)


def test_a_message_with_parameters_in_both_languages() -> None:
    params = {"label": "参保日期 (column G)", "date": "2025-12-01", "as_of": "2025-11-20"}
    assert render("registration_after_as_of", "en", **params) == (
        "参保日期 (column G): 2025-12-01 lies after the as-of date 2025-11-20; counted as not registered on that date")
    assert render("registration_after_as_of", "zh", **params) == (
        "参保日期（G 列）：2025-12-01 晚于核查日期 2025-11-20，按当日尚未登记处理")
    assert render("value_too_long", "zh", label="姓名 (column C)", n=200, limit=128) == (
        "姓名（C 列）：共 200 个字符，超过数据库可保存的 128 个；该行已检查但不会保存")
    assert render("ssn_assigned_by_agency", "zh", kind="travel_permit").startswith("持往来通行证人员")
    assert render("hire_date_missing", "zh", label="hire date") == "入职日期：未填写入职日期"  # a default label


def test_localise_a_frame_with_and_without_structure() -> None:
    coded = "[" + catalogue.entry("id_checksum", expected="X", found="1") + "," + catalogue.entry(
        "exempt_intern") + "]"
    english = "The check character should be X, not 1; " + render("exempt_intern", "en")
    frame = pd.DataFrame({"problem": [english, "stored before codes", None],
                          "problem_coded": [coded, None, None], "name": ["a", "b", "c"]})
    zh = localise(frame, "zh")
    assert list(zh.columns) == ["problem", "name"]
    assert zh["problem"].tolist()[0] == "校验码应为 X，而不是 1；" + MESSAGES["exempt_intern"][1]
    assert zh["problem"].tolist()[1:] == ["stored before codes", None] or pd.isna(zh["problem"][2])
    assert localise(frame, "en")["problem"][0] == english
    plain = frame.drop(columns="problem_coded")
    assert localise(plain, "zh") is plain  # nothing to render: the frame as it is


def test_problems_and_findings_keep_their_structure_only_when_asked(roster_file) -> None:
    """The command line writes the problems table and the findings whole: their columns are the contract's."""
    path = read_roster(roster_file("one.csv", [HEADER, *padded(ROWS[:1])]))
    assert "message_coded" not in check(path, dt.date(2025, 11, 20)).problems.columns
    day = pd.Timestamp
    employments = pd.DataFrame({
        "id": [1, 2, 3, 4], "employer_id": ["E1", "E1", "E1", "E2"], "ssn": ["A", "B", "C", "A"],
        "name": ["a", "b", "c", "a"], "registration_date": [day("2025-01-01"), day("2025-01-01"), pd.NaT, pd.NaT],
        "source_file": "r.csv", "source_row": [2, 3, 4, 5]})
    registrations = pd.DataFrame({"employer_id": ["E1", "E1", "E1", "E1"], "ssn": ["B", "C", "D", "E"],
                                  "registration_date": [day("2025-01-05"), day("2025-01-01"), day("2025-01-01"),
                                                        day("2025-01-01")],
                                  "upload_id": [1, 1, 1, 1], "source_row": [2, 3, 4, 5]})
    assert "detail_coded" not in crosscheck(employments, registrations, {1: "registry.csv"}).columns
    # section 11.7: an intern (no duty of the employer's) whom the registry has registered: exempt_in_registry
    intern = pd.DataFrame({"id": [5], "employer_id": ["E1"], "ssn": ["E"], "name": ["e"],
                           "registration_date": [pd.NaT], "source_file": "r.csv", "source_row": [6],
                           "employment_type": ["intern"]})
    typed = pd.concat([employments, intern], ignore_index=True)
    found = crosscheck(typed, registrations, {1: "registry.csv"}, coded=True)
    assert set(found["finding"]) == {"not_in_registry", "date_mismatch", "roster_date_missing", "not_in_roster",
                                     "multiple_employers", "exempt_in_registry"}
    zh = localise(found, "zh").set_index("finding")["detail"]
    assert zh["date_mismatch"] == "花名册的参保日期与登记系统相差 4 天"
    assert zh["multiple_employers"].tolist() == ["同时出现在以下单位的花名册中：E1, E2"] * 2
    assert all(not english_left(d) for d in zh)


def test_file_errors_are_codes_that_survive_a_worker() -> None:
    with pytest.raises(RosterError) as caught:
        read_roster_bytes(b"", "r.csv")
    error = pickle.loads(pickle.dumps(caught.value))
    assert (str(error), error.code, error.params) == ("r.csv: the file is empty", "file_empty", {"source": "r.csv"})
    assert error.render("zh") == render(error.code, "zh", **error.params) == "r.csv：文件为空"
    cases = [rosters.too_many_sheets("r.xlsx", 100), rosters.cell_too_long("r.csv", 40_000, 12_345, 3)]
    assert [str(e) for e in cases] == [
        "r.xlsx: 100 sheets; the limit is 32 sheets per workbook",
        "r.csv: row 12,345, column D holds 40,000 characters; the limit is 32,767 per cell (Excel's own)"]
    assert [e.render("zh") for e in cases] == [
        "r.xlsx：共有 100 个工作表，超过每个工作簿 32 个工作表的上限",
        "r.csv：第 12,345 行 D 列含 40,000 个字符，超过每个单元格 32,767 个字符的上限（Excel 本身的上限）"]


def test_upload_lines_and_refused_employers_keep_their_codes() -> None:
    """A page renders an unusable upload's line or a refused employer in Chinese from its code."""
    lines = [*check_uploads([("a110105199001011234.csv", b"")], dt.date(2025, 11, 20))[1],
             *check_uploads([("r.csv", b"x")], dt.date(2025, 11, 20), employer_name="甲" * 256)[1],
             *check_uploads([("r.csv", b"x")], dt.date(2025, 11, 20), employer_name="甲\x00")[1]]
    assert lines[0] == "a110105********1234.csv: the file is empty"  # the file name's ID-shaped run masked
    assert [catalogue.render(line.code, "zh", **line.params) for line in lines] == [
        "a110105********1234.csv：文件为空",
        "为无单位列的花名册填写的单位名称共 256 个字符，超过允许的 255 个；未进行检查",
        "为无单位列的花名册填写的单位名称含有 NUL 字符（U+0000）；未进行检查"]
    assert pickle.loads(pickle.dumps(lines[1])).code == "employer_given_too_long"


def test_file_notes_carry_their_structure(roster_file) -> None:
    path = roster_file("notes.csv", [["姓名", "身份证号", "入职日期", "姓名"], ["a", OK, "2025-06-02", "x"], [],
                                     ["b", OK, "2025-06-02", "y"]])
    notes = check(read_roster(path), dt.date(2025, 11, 20), coded=True).problems.query("code == 'file_note'")
    zh = localise(notes, "zh")["message"].tolist()
    assert zh == ["D 列（“姓名”）与 A 列重复（姓名），使用前一列", "第 3 行为空行，已跳过"]
    assert notes["message"].tolist() == ["column D ('姓名') repeats the name column A; the first one is used",
                                         "row 3 is blank and was skipped"]


def test_the_pages_render_messages_from_their_codes() -> None:
    """Tables, errors and one ID number's problems reach the screen in Chinese from their structure; nothing
    parses English back (views/presentation.py, the one place the pages render messages)."""
    from compliance import accounts, ids
    from views.presentation import localised, message_text, with_structure

    summary = summarise(pd.DataFrame({"employer_id": ["E1", "E1", "E2"], "employer_name": ["甲", "甲", "乙"],
                                      "status": ["overdue"] * 3, "days_late": [47, 3, 1]}))
    shown = localised(with_structure(summary, ["employer_id", "flag_reason"]), None, False, "zh")
    assert shown.iloc[:, 1].tolist() == ["2 名员工未登记，最长逾期 47 天", "1 名员工未登记，最长逾期 1 天"]
    assert len(shown.columns) == 2  # the structure column is not shown
    refused = accounts.PasswordRefused.coded(accounts.PASSWORD_TOO_SHORT)
    assert (str(refused), message_text(refused, "zh")) == ("The password needs at least 12 characters",
                                                           "密码至少需要12个字符")
    report = ids.explain(OK[:17] + ("0" if OK[17] != "0" else "1"))  # a wrong check character
    assert message_text(report.problems[0], "zh").startswith("校验码应为 ")
    assert message_text(report.problems[0], "en") == report.problems[0]  # the CLI's text
    assert message_text("王小明", "zh") == "王小明"  # text without a code: as it is
