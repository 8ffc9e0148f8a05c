"""The card where its holder is (shared README sections 6, 10 and 11.4), worked by hand from the rulebook.

Every expected value below is read off 11.4, not off the engine: the status words, the two functions
(from the roster's columns, else the status; an activation date on or before the as-of date counts), the
guidance keys in their precedence, frozen (insured + the card city's ``city_date`` + as-of on or after
the date + social function known not enabled, empty when nothing says; never ``on_activation``, never the
unregistered or terminated),
``card_city_unknown`` and ``--old-cards-cancelled``, the six-months warning, the ``cards`` command.
The cities' ``[cards]`` parameters are made here (``OldCards``), never read from the shipped files.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from conftest import gb11643

from compliance import cards, catalogue
from compliance.cards import CARD_COLUMNS, OldCards, card_report, normalise_status
from compliance.cli import main
from compliance.registration import check
from compliance.rosters import read_roster

AS_OF = dt.date(2025, 11, 20)
CANCEL = dt.date(2025, 7, 1)
CITY_DATE = OldCards("testcity", "测试市", "city_date", CANCEL, dt.date(2025, 1, 1), "测试来源")
ON_ACTIVATION = OldCards("otherville", "另一市", "on_activation", None, None, "另一来源")
NOT_ENABLED = "enable_social_online;activate_financial_any_branch;sign_up_electronic"


@pytest.fixture(autouse=True)
def two_cities(monkeypatch: pytest.MonkeyPatch) -> None:
    """A ``city_date`` city (old cards stop on 2025-07-01, announced six months ahead) and an
    ``on_activation`` one, in place of the shipped parameters."""
    monkeypatch.setattr(cards, "old_cards", lambda: {"testcity": CITY_DATE, "otherville": ON_ACTIVATION})


def people(*rows: dict, **common: object) -> pd.DataFrame:
    """Checked rows as ``registration.check`` gives them, with only what the card needs: insured since
    2025-01-10 in testcity unless a row says otherwise."""
    base = {"source_file": "r.xlsx", "employer_id": "E1", "ssn": None, "card_status": "issued_not_activated",
            "activation_date": None, "registration_date": "2025-01-10", "insurance_status": None,
            "social_function": None, "financial_function": None, "card_city": "testcity", **common}
    frame = pd.DataFrame([{**base, "source_row": i + 2, "name": f"P{i}", **row} for i, row in enumerate(rows)])
    for column in ("activation_date", "registration_date"):
        frame[column] = pd.to_datetime(frame[column])
    for column in ("card_status", "insurance_status", "social_function", "financial_function", "card_city"):
        frame[column] = frame[column].astype("string")
    return frame


def flag(value: object) -> bool | None:
    """A nullable boolean cell as True, False or None (empty)."""
    return None if pd.isna(value) else bool(value)


def one(as_of: dt.date = AS_OF, city: str | None = None, cancelled: dt.date | None = None, lang: str = "zh",
        **row: object) -> pd.Series:
    return card_report(people(row), as_of, city, cancelled, lang).people.iloc[0]


# --- the status words (sections 10 and 11.4) -----------------------------------------------------------

WORDS = {
    "not_applied": ["未申领"],
    "in_production": ["制卡中", "申领中", "换卡中", "补换中"],
    "ready_for_collection": ["待领取", "已制卡待领取", "制卡完成"],
    "issued_not_activated": ["已发放未激活", "待激活", "未激活", "领卡未激活", "未启用", "封存"],
    "activated": ["已激活", "已启用", "正常", "临时卡"],
    "lost": ["挂失", "临时挂失", "正式挂失", "书面挂失", "口头挂失"],
    "expired": ["已过期", "有效期满"],
    "cancelled": ["注销"],
}


@pytest.mark.parametrize(("code", "word"), [(c, w) for c, words in WORDS.items() for w in words])
def test_agency_words_map_to_codes(code: str, word: str) -> None:
    # case- and space-insensitive
    assert normalise_status(pd.Series([word, f" {word} ", word.upper()])).tolist() == [code] * 3


def test_every_status_of_the_rulebook_is_a_card_status() -> None:
    assert set(cards.CARD_STATUSES) == set(WORDS)


def test_unrecognised_status_is_unknown_and_listed(roster_file) -> None:
    rows = [["姓名", "身份证号", "入职日期", "社保卡状态"],
            ["甲", gb11643("11010519900307123"), "2025-06-02", "冻结"],
            ["乙", gb11643("11010519900307124"), "2025-06-02", "待领取"],
            ["丙", gb11643("11010519900307125"), "2025-06-02", None]]
    result = check(read_roster(roster_file("r.csv", rows)), AS_OF)
    assert result.results["card_status"].tolist() == ["unknown", "ready_for_collection", pd.NA]
    listed = result.problems[result.problems["code"] == "card_status_unknown"]
    assert listed[["source_row", "value", "column"]].values.tolist() == [[2, "冻结", "社保卡状态 (column D)"]]


def test_no_card_column_leaves_card_status_empty(roster_file) -> None:
    rows = [["姓名", "身份证号", "入职日期"], ["甲", gb11643("11010519900307123"), "2025-06-02"]]
    result = check(read_roster(roster_file("r.csv", rows)), AS_OF)
    assert result.results["card_status"].isna().all()


# --- guidance keys and their precedence ----------------------------------------------------------------

@pytest.mark.parametrize(("status", "keys"), [
    ("not_applied", "apply_card"), ("cancelled", "apply_card"), ("in_production", "await_production"),
    ("ready_for_collection", "collect_card"), ("lost", "replace_lost"), ("expired", "replace_expired"),
    ("issued_not_activated", NOT_ENABLED), ("activated", None),  # activated, no function columns: both work
])
def test_guidance_of_each_status(status: str, keys: str | None) -> None:
    card = one(card_status=status)
    assert (None if pd.isna(card["guidance"]) else card["guidance"]) == keys
    assert bool(card["must_apply"]) is (status in ("not_applied", "cancelled"))


@pytest.mark.parametrize("status", [*cards.CARD_STATUSES, None])
def test_terminated_insurance_gets_transfer_only_and_no_new_card(status: str | None) -> None:
    card = one(card_status=status, insurance_status="terminated")
    assert card["guidance"] == "transfer_no_new_card"
    assert not card["must_apply"] and flag(card["frozen"]) is False  # not insured: nothing to freeze either


@pytest.mark.parametrize(("row", "social", "financial", "keys"), [
    # the roster's columns win over the status
    ({"card_status": "activated", "social_function": "not_enabled"}, "not_enabled", "activated", NOT_ENABLED),
    ({"card_status": "activated", "social_function": "enabled", "financial_function": "not_activated"},
     "enabled", "not_activated", "activate_financial_any_branch"),
    ({"card_status": "issued_not_activated", "social_function": "enabled"}, "enabled", "not_activated",
     "activate_financial_any_branch"),
    ({"card_status": "issued_not_activated", "social_function": "enabled", "financial_function": "activated"},
     "enabled", "activated", None),
    # an activation date on or before the as-of date counts as the social function enabled
    ({"card_status": "issued_not_activated", "activation_date": "2025-11-20"}, "enabled", "not_activated",
     "activate_financial_any_branch"),
    ({"card_status": "issued_not_activated", "activation_date": "2025-11-21"}, "not_enabled", "not_activated",
     NOT_ENABLED),
    # a status before the functions in the order of precedence: a card in production waits (and has no
    # function enabled yet)
    ({"card_status": "in_production", "social_function": "not_enabled"}, "not_enabled", "not_activated",
     "await_production"),
    ({"card_status": "not_applied"}, "not_enabled", "not_activated", "apply_card"),
    ({"card_status": "unknown"}, None, None, None),  # nothing says: no function, no guidance (listed apart)
])
def test_functions_from_columns_status_and_activation_date(row: dict, social: str | None, financial: str | None,
                                                           keys: str | None) -> None:
    card = one(**row)
    assert (None if pd.isna(card["social_function"]) else card["social_function"]) == social
    assert (None if pd.isna(card["financial_function"]) else card["financial_function"]) == financial
    assert (None if pd.isna(card["guidance"]) else card["guidance"]) == keys


def test_guidance_text_in_both_languages_in_the_order_of_the_keys() -> None:
    zh, en = one(card_status="issued_not_activated"), one(card_status="issued_not_activated", lang="en")
    parts = [catalogue.render(f"card_{key}", "zh") for key in NOT_ENABLED.split(";")]
    assert zh["guidance_text"] == "".join(parts)  # whole sentences, each ending 。: nothing between them
    assert "。；" not in zh["guidance_text"]
    assert en["guidance_text"].startswith(catalogue.render("card_enable_social_online", "en"))
    # the sources' channels, named concretely
    for word in ("电子社保卡", "掌上12333", "国家政务服务平台", "跨省通办", "全国的任一网点"):
        assert word in zh["guidance_text"], word
    for word in ("online, from anywhere", "any branch of the bank printed on the card", "across provinces"):
        assert word in en["guidance_text"], word


def test_no_guidance_text_is_depends_on_local_policy_alone() -> None:
    for key in cards.GUIDANCE:
        for lang, vague in (("zh", "视当地政策"), ("en", "depends on local policy")):
            text = catalogue.render(f"card_{key}", lang)
            assert vague not in text, (key, lang)
            # each names where or how: a window, a branch, a platform, the electronic card or 12333
            places = ("窗口", "网点", "平台", "电子社保卡", "12333") if lang == "zh" else (
                "window", "branch", "platform", "electronic social security card", "12333")
            assert any(place in text for place in places), (key, lang)
    assert "携带社保卡" not in catalogue.render("card_apply_card", "zh")  # no card: never "bring the card"
    assert "无需携带" in catalogue.render("card_await_production", "zh")
    transfer = catalogue.render("card_transfer_no_new_card", "zh")
    assert all(w in transfer for w in ("无需申领新卡", "国家社会保险公共服务平台", "国家医保服务平台", "个人账户"))


# --- frozen --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("row", "as_of", "frozen"), [
    ({}, AS_OF, True),  # insured, old cards gone since 2025-07-01, social function not enabled
    ({}, CANCEL, True),  # on the cancellation date itself
    ({}, dt.date(2025, 6, 30), False),  # the day before
    ({"card_status": "activated"}, AS_OF, False),
    ({"activation_date": "2025-08-01"}, AS_OF, False),
    ({"activation_date": "2025-11-21"}, AS_OF, True),  # enabled only after the as-of date
    ({"social_function": "enabled", "financial_function": "not_activated"}, AS_OF, False),  # the bank part alone
    ({"card_status": "not_applied"}, AS_OF, True),  # insured without a new card: no social function either
    ({"registration_date": None}, AS_OF, False),  # never registered: no account to freeze
    ({"registration_date": "2025-11-21"}, AS_OF, False),  # registered after the as-of date
    ({"insurance_status": "terminated"}, AS_OF, False),
    ({"card_city": "otherville"}, AS_OF, False),  # on_activation: the old card works until the new one
    ({"card_city": "otherville", "card_status": "not_applied"}, AS_OF, False),
    ({"card_status": "unknown"}, AS_OF, None),  # old cards gone, but nothing says whether the card works
    ({"card_status": None}, AS_OF, None),
    ({"card_status": None, "social_function": "not_enabled"}, AS_OF, True),  # the column says
])
def test_frozen_only_for_the_insured_in_a_city_date_city(row: dict, as_of: dt.date, frozen: bool | None) -> None:
    assert flag(one(as_of, **row)["frozen"]) is frozen


def test_unregistered_people_are_never_frozen_and_marked_unregistered() -> None:
    report = card_report(people({"registration_date": None}, {}), AS_OF)
    assert report.people["registered"].tolist() == [False, True]
    assert report.people["frozen"].tolist() == [False, True]


def test_card_city_by_name_or_from_city_for_rows_without_one() -> None:
    report = card_report(people({"card_city": "测试市"}, {"card_city": "测试"}, {"card_city": None}), AS_OF,
                         city="testcity")
    assert report.people["card_city"].tolist() == ["testcity"] * 3
    assert report.people["frozen"].tolist() == [True] * 3 and report.problems.empty


def test_card_city_unknown_leaves_frozen_empty_and_is_listed() -> None:
    report = card_report(people({"card_city": "成都"}, {"card_city": None}, {}), AS_OF)
    assert report.people["frozen"].isna().tolist() == [True, True, False]
    assert report.people["card_city"].tolist()[:1] == ["成都"]  # the roster's word kept where no city matches
    assert report.problems["code"].tolist() == ["card_city_unknown", "card_city_unknown"]
    assert report.problems["source_row"].tolist() == [2, 3] and report.problems["column"].eq("card_city").all()
    assert report.problems["value"].iloc[0] == "成都" and pd.isna(report.problems["value"].iloc[1])
    assert "成都" in report.problems["message"].iloc[0] and "--city" in report.problems["message"].iloc[1]


def test_old_cards_cancelled_sets_a_date_for_unknown_cities_only() -> None:
    rows = people({"card_city": "成都"}, {"card_city": "成都", "card_status": "activated"},
                  {"card_city": "otherville"})
    before = card_report(rows, AS_OF, old_cards_cancelled=dt.date(2025, 12, 1))  # not yet
    assert before.people["frozen"].tolist() == [False, False, False] and before.problems.empty
    after = card_report(rows, AS_OF, old_cards_cancelled=dt.date(2025, 9, 1))
    # the date decides 成都's rows; otherville keeps its own rule (on_activation: never frozen)
    assert after.people["frozen"].tolist() == [True, False, False]


# --- the cities' [cards] parameters and the six-months warning ---------------------------------------------

@pytest.mark.parametrize(("announced", "warned"), [
    (dt.date(2025, 1, 1), False),  # exactly six months ahead
    (dt.date(2025, 1, 2), True),  # one day short
    (dt.date(2025, 3, 1), True),
    (None, False),  # no announcement date known: nothing to compare
])
def test_six_months_warning(monkeypatch: pytest.MonkeyPatch, announced: dt.date | None, warned: bool) -> None:
    city = OldCards("testcity", "测试市", "city_date", CANCEL, announced, "来源")
    monkeypatch.setattr(cards, "old_cards", lambda: {"testcity": city, "otherville": ON_ACTIVATION})
    report = card_report(people({}), AS_OF)
    assert [w.code for w in report.warnings] == (["card_short_notice"] if warned else [])
    if warned:
        assert report.warnings[0].render("zh") == f"测试市于 {announced} 公告自 2025-07-01 起停用旧卡，距停用不足六个月"
    # a city nobody on the roster holds a card of is not warned of
    assert card_report(people({"card_city": "otherville"}), AS_OF).warnings == []


def test_old_cards_reads_each_citys_cards_table(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.undo()  # the real loader, on files written here
    (tmp_path / "a.toml").write_text('city = "甲市"\n[cards]\nold_card_mode = "city_date"\n'
                                     'old_card_cancel_date = 2025-07-01\nannounced_on = "2025-01-01"\n'
                                     'source = "某通告"\nunconfirmed = ["announced_on"]\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text('city = "乙市"\n[cards]\nold_card_mode = "on_activation"\nsource = "s"\n',
                                     encoding="utf-8")
    (tmp_path / "c.toml").write_text('city = "丙市"\n', encoding="utf-8")  # no [cards]: not a card city
    monkeypatch.setattr(cards, "PARAMS_DIR", tmp_path)
    cards.old_cards.cache_clear()
    try:
        assert cards.old_cards() == {
            "a": OldCards("a", "甲市", "city_date", CANCEL, dt.date(2025, 1, 1), "某通告", ("announced_on",)),
            "b": OldCards("b", "乙市", "on_activation", None, None, "s")}
        (tmp_path / "d.toml").write_text('[cards]\nold_card_mode = "sometimes"\n', encoding="utf-8")
        cards.old_cards.cache_clear()
        with pytest.raises(cards.CardParamsError, match="old_card_mode"):
            cards.old_cards()
    finally:
        cards.old_cards.cache_clear()


# --- python -m compliance cards ----------------------------------------------------------------------------

def card_roster(roster_file) -> Path:
    return roster_file("cards.csv", [
        ["姓名", "身份证号", "入职日期", "参保日期", "社保卡状态", "发卡地", "参保状态", "激活日期"],
        ["甲", gb11643("11010519900307123"), "2025-01-06", "2025-01-10", "待激活", "测试市", None, None],
        ["乙", gb11643("11010519900307124"), "2025-01-06", "2025-01-10", "正常", "另一市", None, "2025-02-01"],
        ["丙", gb11643("11010519900307125"), "2025-01-06", "2025-01-10", "未申领", "成都", "已转出", None],
        ["丁", gb11643("11010519900307126"), "2025-11-03", None, "制卡中", None, None, None]])


def test_cards_command_columns_guidance_and_problems(roster_file, tmp_path: Path, capsys) -> None:
    out, problems = tmp_path / "cards.csv", tmp_path / "problems.csv"
    code = main(["cards", str(card_roster(roster_file)), "--as-of", "2025-11-20", "--out", str(out),
                 "--problems", str(problems)])
    assert code == 0
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(frame.columns) == CARD_COLUMNS == [
        "source_file", "source_row", "employer_id", "name", "ssn", "card_city", "card_status", "social_function",
        "financial_function", "insurance_status", "frozen", "must_apply", "guidance", "guidance_text"]
    assert frame["card_city"].tolist() == ["testcity", "otherville", "成都", ""]
    assert frame["guidance"].tolist() == [NOT_ENABLED, "", "transfer_no_new_card", "await_production"]
    # 丙's 成都 has no parameters, 丁 has no city and no --city: frozen empty for both
    assert frame["frozen"].map(str.lower).tolist() == ["true", "false", "", ""]
    assert frame["must_apply"].map(str.lower).tolist() == ["false"] * 4  # 丙's insurance ended: transfer
    assert frame["guidance_text"].iloc[3] == catalogue.render("card_await_production", "zh")
    listed = pd.read_csv(problems, dtype=str, keep_default_na=False)
    assert listed.loc[listed["code"] == "card_city_unknown", ["source_row", "value"]].values.tolist() == [
        ["4", "成都"], ["5", ""]]
    assert capsys.readouterr().out.startswith("4 cards: 1 frozen, 2 not known")


def test_cards_command_lang_city_and_old_cards_cancelled(roster_file, tmp_path: Path, capsys) -> None:
    out = tmp_path / "cards.csv"
    code = main(["cards", str(card_roster(roster_file)), "--as-of", "2025-11-20", "--out", str(out),
                 "--city", "测试市", "--old-cards-cancelled", "2025-09-01", "--lang", "en"])
    assert code == 0
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert frame["card_city"].iloc[3] == "testcity"  # --city for the row without one
    assert frame["guidance_text"].iloc[3] == catalogue.render("card_await_production", "en")
    assert frame["guidance_text"].iloc[0].startswith("Enable the card's social-security function online")
    # with a date for 成都 and a city for 丁: 丙's insurance ended and 丁 is not registered, neither is frozen
    assert frame["frozen"].map(str.lower).tolist() == ["true", "false", "false", "false"]
    assert capsys.readouterr().out.startswith("4 cards: 1 frozen, 0 not known")


def test_cards_command_unusable_input_is_exit_2_in_one_line(tmp_path: Path, capsys) -> None:
    code = main(["cards", str(tmp_path / "missing.xlsx"), "--out", str(tmp_path / "o.csv")])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and err.startswith("error:")
