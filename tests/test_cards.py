"""Card status in the agency's own words (shared README section 10) and the guidance each person gets."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import gb11643

from compliance.cards import card_view, normalise_status
from compliance.registration import check
from compliance.rosters import read_roster

WORDS = {  # section 10's table, word by word
    "not_applied": ["未申领"],
    "in_production": ["制卡中", "申领中"],
    "issued_not_activated": ["已发放未激活", "待激活", "未激活", "领卡未激活", "未启用", "封存"],
    "activated": ["已激活", "已启用", "正常"],
    "lost": ["挂失", "临时挂失", "正式挂失", "书面挂失", "口头挂失"],
    "cancelled": ["注销"],
}


@pytest.mark.parametrize(("code", "word"), [(c, w) for c, words in WORDS.items() for w in words])
def test_agency_words_map_to_codes(code: str, word: str) -> None:
    # case- and space-insensitive
    assert normalise_status(pd.Series([word, f" {word} ", word.upper()])).tolist() == [code] * 3


def test_unrecognised_status_is_unknown_and_listed(roster_file) -> None:
    rows = [["姓名", "身份证号", "入职日期", "社保卡状态"],
            ["甲", gb11643("11010519900307123"), "2025-06-02", "冻结"],
            ["乙", gb11643("11010519900307124"), "2025-06-02", "正常"],
            ["丙", gb11643("11010519900307125"), "2025-06-02", None]]
    result = check(read_roster(roster_file("r.csv", rows)), dt.date(2025, 11, 20))
    assert result.results["card_status"].tolist() == ["unknown", "activated", pd.NA]
    listed = result.problems[result.problems["code"] == "card_status_unknown"]
    assert listed[["source_row", "value", "column"]].values.tolist() == [[2, "冻结", "社保卡状态 (column D)"]]


def test_no_card_column_leaves_card_status_empty(roster_file) -> None:
    rows = [["姓名", "身份证号", "入职日期"], ["甲", gb11643("11010519900307123"), "2025-06-02"]]
    result = check(read_roster(roster_file("r.csv", rows)), dt.date(2025, 11, 20))
    assert result.results["card_status"].isna().all()


def test_never_applied_is_told_to_apply_not_to_bring_a_card() -> None:
    people = pd.DataFrame({"card_status": ["not_applied", "issued_not_activated", "activated", "in_production"],
                           "card_bank": [None, "中国银行", "工商银行", None],
                           "activation_date": [None, None, "2025-01-02", None]})
    view = card_view(people, dt.date(2025, 11, 20), old_cards_cancelled=dt.date(2025, 7, 1))
    assert view["must_apply"].tolist() == [True, False, False, False]
    assert "申领" in view["how_to_activate"].iloc[0] and "携带社保卡" not in view["how_to_activate"].iloc[0]
    assert "中国银行" in view["how_to_activate"].iloc[1] and "携带社保卡" in view["how_to_activate"].iloc[1]
    assert pd.isna(view["how_to_activate"].iloc[2])
    # old cards cancelled 2025-07-01: whoever has no activated new card is frozen, the never-applied too
    assert view["frozen"].tolist() == [True, True, False, True]
