"""views.presentation, tested like the engine: plain frames in, plain values out, worked out by hand.

Nothing here starts Streamlit: the module imports none of it (the last test makes sure), so what a page
shows — labels, masks, translated messages, chart data, the worksheet's captions, the menu of a role —
is checked without a browser or an AppTest run.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from compliance import catalogue, ids, premiums
from compliance.i18n import column_labels, t
from views import presentation
from views.presentation import (
    card_breakdown,
    delay_chart,
    employer_label,
    highlighted,
    home,
    id_facts,
    localised,
    menu,
    overdue_by_month_chart,
    page_title,
    safe_text,
    screen_rows,
    upgraded_number,
    uploader_style,
    with_full_numbers,
    worksheet_captions,
    worksheet_totals,
)

ROOT = Path(__file__).resolve().parent.parent


def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "id_number": pd.array(["11010519491231002X", None, "440524188001010014"], dtype="string"),
        "status": pd.array(["late", "overdue", "on_time"], dtype="string"),
        "hire_date": pd.to_datetime(["2025-03-01", "2025-01-20", "2025-01-05"]),
        "registration_date": pd.to_datetime(["2025-04-15", None, "2025-01-14"]),
    })


# --- charts -------------------------------------------------------------------------------------------

def test_delay_chart_bins_days_by_week_and_draws_the_30_day_line() -> None:
    data, spec = delay_chart(frame(), "zh")
    # 2025-03-01 -> 2025-04-15 is 45 days: week bin 42; 2025-01-05 -> 01-14 is 9 days: bin 7.
    # The overdue row has no registration date and is not in this chart.
    assert sorted(map(tuple, data[["days", "status", "employees"]].to_numpy().tolist())) == [
        (7, "按时登记", 1), (42, "逾期登记", 1)]  # labelled in the user's language
    bars = spec["layer"][0]["encoding"]
    assert bars["color"]["legend"] is not None  # a colour legend (issue 14)
    assert bars["color"]["scale"]["domain"][:2] == [t("status.on_time"), t("status.late")]
    assert bars["y"]["axis"] == {"format": "d", "tickMinStep": 1}  # whole people on the axis
    rule = spec["layer"][1]
    assert rule["mark"]["type"] == "rule" and rule["data"]["values"] == [{"days": 30}]
    english, _ = delay_chart(frame(), "en")
    assert sorted(english["status"]) == [t("status.late", "en"), t("status.on_time", "en")]


def test_delay_chart_of_nobody_registered_is_none() -> None:
    assert delay_chart(frame()[frame()["status"] == "overdue"], "zh") is None


def test_overdue_by_month_counts_overdue_hires_per_month() -> None:
    rows = pd.concat([frame()] * 2, ignore_index=True)  # two overdue hires in 2025-01
    data, spec = overdue_by_month_chart(rows, "zh")
    assert data.to_dict("records") == [{"month": "2025-01", "overdue": 2}]
    assert spec["mark"]["type"] == "bar" and spec["encoding"]["y"]["title"] == t("status.overdue")
    assert overdue_by_month_chart(frame()[frame()["status"] != "overdue"], "zh") is None


def test_card_breakdown_counts_every_status_in_the_users_words() -> None:
    codes = pd.Series(["activated", "activated", "not_applied", None])
    breakdown = card_breakdown(codes, "zh").set_index("code")
    # two activated, one never applied, one blank; every other status listed with 0
    assert breakdown.loc["activated", "people"] == 2 and breakdown.loc["not_applied", "people"] == 1
    assert breakdown.loc["missing", "people"] == 1 and breakdown["people"].sum() == 4
    assert breakdown.loc["activated", "status"] == "已激活" and breakdown.loc["missing", "status"] == "未填写"


# --- tables -------------------------------------------------------------------------------------------

def test_localised_masks_translates_and_keeps_order() -> None:
    shown = localised(frame(), ["status", "id_number", "hire_date"], False, "zh")
    labels = column_labels(["status", "id_number", "hire_date"], "zh")
    assert list(shown.columns) == [labels["status"], labels["id_number"], labels["hire_date"]]
    assert shown[labels["status"]].tolist() == ["逾期登记", "逾期未登记", "按时登记"]
    ids_shown = shown[labels["id_number"]].tolist()
    assert ids_shown[0] == "110105********002X" and ids_shown[1] == ""  # an empty cell, never "None"
    assert shown[labels["hire_date"]].tolist() == ["2025-03-01", "2025-01-20", "2025-01-05"]
    full = localised(frame(), ["id_number"], True, "zh")
    assert full.iloc[0, 0] == "11010519491231002X"


def test_localised_labels_case_states_roles_and_renders_messages_from_their_structure() -> None:
    reason, structure = catalogue.message("overdue_employees", pd.RangeIndex(1), n=3, days=47)
    cases = pd.DataFrame({"state": ["open", "closed"], "role": ["hr", "inspector"],
                          "detail": [reason[0], None], "detail_coded": [catalogue.as_list(structure[0]), None]})
    zh = localised(cases, None, False, "zh")
    assert len(zh.columns) == 3  # the structure column is not shown
    assert zh.iloc[:, 0].tolist() == ["已立案", "已结案"] and zh.iloc[:, 1].tolist() == ["用人单位人事", "稽核人员"]
    assert zh.iloc[:, 2].tolist() == ["3 名员工未登记，最长逾期 47 天", ""]
    en = localised(cases, None, False, "en")
    assert en.iloc[:, 2].tolist() == ["3 employees unregistered, longest 47 days past deadline", ""]
    typed = localised(cases[["detail"]], None, False, "zh")  # without its structure: the text as it is
    assert typed.iloc[0, 0] == "3 employees unregistered, longest 47 days past deadline"


def test_localised_keeps_dates_for_downloads_only() -> None:
    assert localised(frame(), ["hire_date"], False, "zh", keep_dates=True).iloc[0, 0] == pd.Timestamp("2025-03-01")


def test_screen_rows_stop_at_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(presentation, "MAX_SCREEN_ROWS", 10)
    shown, total = screen_rows(pd.DataFrame({"n": range(25)}))
    assert (len(shown), total) == (10, 25) and shown["n"].tolist() == list(range(10))
    assert screen_rows(pd.DataFrame({"n": range(10)}))[1] is None  # ten rows: all shown, no caption


def test_with_full_numbers_unmasks_only_the_id_problems() -> None:
    results = pd.DataFrame({"source_file": ["a.csv", "a.csv"], "source_row": [2, 3],
                            "id_number": ["11010519491231002X", "440524188001010014"]})
    problems = pd.DataFrame({"source_file": ["a.csv", "a.csv"], "source_row": [2, 3],
                             "value": ["110105********002X", "待定"]})
    shown = with_full_numbers(problems, results)
    assert shown["value"].tolist() == ["11010519491231002X", "待定"]  # the date problem's value is not an ID
    assert list(shown.columns) == ["source_file", "source_row", "value"]


def test_highlighted_marks_the_flagged_rows_only() -> None:
    shown = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    styler = highlighted(shown, pd.Series([False, True, False]))
    styler._compute()
    marked = sorted({cell for cell, props in styler.ctx.items() if props})
    assert marked == [(1, 0), (1, 1)]  # row 1, both columns


def test_small_texts() -> None:
    assert employer_label({"911101055347017256": "甲公司"}, "911101055347017256") == "甲公司 911101055347017256"
    assert employer_label({}, "911101055347017256") == "911101055347017256"
    assert safe_text("[x](javascript:alert(1))") == "\\[x\\]\\(javascript:alert\\(1\\)\\)"
    style = uploader_style("zh", 150)
    assert "content:'选择文件'" in style and "每个文件不超过 150MB" in style


def test_id_facts_and_a_15_digit_number_made_18() -> None:
    report = ids.explain("110105491231002")  # GB 11643: 19 inserted, check character X
    assert upgraded_number("110105491231002", report) == ("110105491231002", "11010519491231002X")
    assert upgraded_number("11010519491231002X", ids.explain("11010519491231002X")) is None
    facts = id_facts(report, "zh").iloc[:, 0].to_dict()
    # 110105 朝阳区, born 1949-12-31, sequence 002: even, a woman
    assert facts == {t("flex.ssn"): "11010519491231002X", t("flex.birth"): "1949-12-31", t("flex.sex"): "女",
                     t("flex.region"): "北京市朝阳区", t("flex.kind"): "居民身份证"}


# --- the worksheet ------------------------------------------------------------------------------------

def test_worksheet_captions_name_the_rule_the_unconfirmed_figures_and_a_fee_above_the_premiums() -> None:
    params = premiums.load_params("beijing")  # 2024-07–2025-06: due_day unconfirmed (compliance/params)
    sheet = pd.DataFrame({"month": ["2025-01", "2025-02"], "total": [100.0, 100.0], "late_fee": [150.0, 20.0]})
    captions, warning = worksheet_captions(premiums.worksheet_notes(sheet, params), "zh")
    assert captions == ["滞纳金规则：2024-07–2025-06 按日加收欠缴保费万分之五，自应缴日次日起算"
                        "（《社会保险法》第八十六条）。",
                        "注意：2024-07–2025-06 的以下参数未能从公开来源核实：缴费截止日。"]  # the key in words
    assert warning is not None and warning.startswith("1 个月份的滞纳金超过应缴保费")  # 150 > 100 in 2025-01 only
    english, _ = worksheet_captions(premiums.worksheet_notes(sheet, params), "en")
    assert english[0].startswith("2024-07–2025-06: late fee 0.05% of the unpaid premiums per day")
    assert worksheet_captions(premiums.worksheet_notes(sheet.iloc[:0], params), "zh") == ([], None)


def test_worksheet_totals_are_the_four_headline_figures() -> None:
    totals = pd.DataFrame({"employees": [3], "total": [1234.5], "late_fee": [61.7],
                           "total_with_late_fee": [1296.2]})  # the engine rounds to cents
    assert worksheet_totals(totals, "en") == [(t("col.employees", "en"), "3"), (t("agency.total_premiums", "en"),
                                                                                "1,234.50"),
                                              (t("col.late_fee", "en"), "61.70"),
                                              (t("agency.totals", "en"), "1,296.20")]
    assert worksheet_totals(totals.iloc[:0], "en") == []


# --- the menu -----------------------------------------------------------------------------------------

def test_each_role_has_its_own_menu_and_the_public_page() -> None:
    assert menu(None) == ("hr", "flexible")
    assert menu("hr") == ("hr", "cards", "flexible")
    assert menu("inspector") == ("inspector", "store", "worksheet", "cases", "cards", "flexible")
    assert menu("admin") == ("admin", "flexible")
    assert menu("someone else") == ("flexible",)
    assert all("flexible" in menu(role) for role in (None, "hr", "inspector", "admin"))
    assert [home(role).name for role in ("hr", "inspector", "admin")] == ["hr", "inspector", "admin"]


def test_the_default_page_is_the_sign_in_page_while_nobody_is_signed_in() -> None:
    hr = next(spec for spec in presentation.PAGES if spec.name == "hr")
    assert page_title(hr, None, "zh") == "登录" and page_title(hr, "hr", "en") == t("page.hr", "en")
    assert {spec.url_path for spec in presentation.PAGES} == {"employer-hr", "inspector", "agency", "worksheet",
                                                              "cases", "cards", "flexible", "admin"}
    assert all((ROOT / spec.file).is_file() for spec in presentation.PAGES)


def test_presentation_imports_no_streamlit() -> None:
    code = "import sys, views.presentation; print(sorted(m for m in sys.modules if m.startswith('streamlit')))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
