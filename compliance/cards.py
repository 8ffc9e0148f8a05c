"""Social security card status, activation guidance and frozen medical-insurance accounts.

Shared README section 6. A new card must be activated before use: at the cooperating bank
printed on the card (financial function, in person, card + original ID), at a designated
hospital (first use), at the social security bureau, or through the 12333 hotline; in another
region where local policy or interconnection allows. When a city has cancelled its old cards
and the holder's new card is not activated, the medical-insurance personal account is frozen
until activation.

Rosters and agency extracts write the status in the agency's own words; section 10 of the shared
README maps them (case- and space-insensitive). 封存 means the card's social-security function is
not yet enabled, so it counts as issued but not activated; 正常 is an activated card.

>>> normalise_status(pd.Series(['已激活', '正常', '封存', '临时挂失', 'issued not activated', 'x', None])).tolist()
['activated', 'activated', 'issued_not_activated', 'lost', 'issued_not_activated', 'unknown', <NA>]
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from compliance import vocab

CARD_STATUSES = ["not_applied", "in_production", "issued_not_activated", "activated", "lost", "cancelled"]
STATUS_WORDS = {  # shared README section 10, then the English and older forms rosters use
    "not_applied": ["未申领", "未申请", "not applied", "not_applied"],
    "in_production": ["制卡中", "申领中", "在制", "in production", "in_production"],
    "issued_not_activated": ["已发放未激活", "待激活", "未激活", "领卡未激活", "未启用", "封存", "已发卡未激活",
                             "issued not activated", "issued_not_activated", "issued"],
    "activated": ["已激活", "已启用", "正常", "activated", "active"],
    "lost": ["挂失", "临时挂失", "正式挂失", "书面挂失", "口头挂失", "已挂失", "lost", "reported lost",
             "reported_lost"],
    "cancelled": ["注销", "已注销", "cancelled", "canceled"],
}
NOT_ACTIVATED = ["in_production", "issued_not_activated"]  # has (or will have) a card to activate
NO_CARD = ["not_applied"]  # must apply first: never told to "bring the card"
_LOOKUP = vocab.table(STATUS_WORDS)

GUIDE_COLUMNS = ["card_status_code", "activation_date", "frozen", "must_apply", "how_to_activate"]


def normalise_status(values: pd.Series) -> pd.Series:
    """Card status words to codes of ``CARD_STATUSES``; unrecognised text is ``unknown``, blank NA."""
    codes, unknown = vocab.lookup(values, _LOOKUP)
    return codes.mask(unknown, "unknown")


ACTIVATE = ("{where}，携带社保卡和身份证原件当面激活金融功能；或在定点医院首次使用时激活、到社保经办机构"
            "或拨打12333人工服务激活。异地激活视当地政策及互联互通情况而定。",
            "{where}, in person with the card and your original ID card, to activate its financial function; or "
            "activate it on first use at a designated hospital, at the social security agency, or through the 12333 "
            "hotline (manual service). Activation elsewhere depends on local policy and interconnection.")
BANK = (("到卡面所印合作银行（{bank}）网点", "到卡面所印合作银行网点"),
        ("Go to a branch of the cooperating bank printed on the card ({bank})",
         "Go to a branch of the cooperating bank printed on the card"))
APPLY = ("尚未申领社保卡：请由用人单位统一申领，或本人携带身份证原件到社保经办机构、合作银行网点申领"
         "（也可通过当地人社部门线上渠道申领）；领卡后再激活。",
         "No card yet: apply first, through your employer or in person with your original ID card at the social "
         "security agency or a cooperating bank (or the local online service); activate the card once you have it.")


def how_to_activate(bank: pd.Series, lang: str = "zh") -> pd.Series:
    """Activation guidance per person (shared README section 6), naming the cooperating bank on the card
    when known; Chinese by default (the guidance an employer hands on), English on request."""
    i = 1 if lang == "en" else 0
    named, unnamed = BANK[i]
    before, after = named.split("{bank}")
    where = (before + bank.astype("string") + after).fillna(unnamed)
    before, after = ACTIVATE[i].split("{where}")
    return before + where + after


def how_to_apply(count: int | pd.Index, lang: str = "zh") -> pd.Series:
    """Guidance for someone who never applied for a card: apply first (there is nothing to bring)."""
    index = count if isinstance(count, pd.Index) else pd.RangeIndex(count)
    return pd.Series(APPLY[1 if lang == "en" else 0], index=index, dtype="string")


def card_view(results: pd.DataFrame, as_of: dt.date,
              old_cards_cancelled: dt.date | None = None, lang: str = "zh") -> pd.DataFrame:
    """Each person's card situation as of a date.

    ``frozen`` is true when the city's old cards were cancelled on or before ``as_of`` and the
    person had no activated new card by then (never applied, in production, not yet activated, or
    activated after ``as_of``). Without a cancellation date nothing is frozen. ``guidance`` tells
    a person with a card how to activate it, and one who never applied how to apply (section 10:
    never "bring the card" to someone who has none); ``must_apply`` marks the latter.
    """
    code = normalise_status(results["card_status"])
    activated_on = pd.to_datetime(results["activation_date"])
    as_of_ts = pd.Timestamp(as_of)
    # an activation date on or before as-of means activated, whatever the status column says
    code = code.mask(activated_on.notna() & (activated_on <= as_of_ts) & code.isin(NOT_ACTIVATED), "activated")
    must_apply = code.isin(NO_CARD).fillna(False).astype(bool)
    to_activate = (code.isin(NOT_ACTIVATED) | ((code == "activated") & (activated_on > as_of_ts))).fillna(False)
    to_activate = to_activate.astype(bool)
    if old_cards_cancelled is not None and pd.Timestamp(old_cards_cancelled) <= as_of_ts:
        frozen = must_apply | to_activate
    else:
        frozen = pd.Series(False, index=results.index)
    guide = how_to_activate(results["card_bank"], lang).where(to_activate)
    guide = guide.mask(must_apply, how_to_apply(results.index, lang))
    return pd.DataFrame({"card_status_code": code, "activation_date": activated_on, "frozen": frozen,
                         "must_apply": must_apply, "how_to_activate": guide}, index=results.index)


def status_breakdown(codes: pd.Series) -> pd.Series:
    """People per card status, every status listed (blank status counted as 'missing')."""
    counts = codes.fillna("missing").value_counts()
    order = [*CARD_STATUSES, "unknown", "missing"]
    return counts.reindex(order, fill_value=0).astype("int64")
