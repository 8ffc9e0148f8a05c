"""The social security card where its holder is: status, its two functions, guidance, frozen accounts.

Shared README sections 6, 10 and 11.4. A card has two functions, enabled apart:

- the **social-security function** (社保功能: the medical account, the services), enabled at a 人社
  window or a service-bank branch, **or online from anywhere** — the electronic social security card
  (电子社保卡, app or mini-programme), 掌上12333, the national government service platform
  (国家政务服务平台); card services are 跨省通办 since the end of 2021. First use at a designated
  hospital enables it too;
- the **financial function** (金融功能), activated in person with the card and a valid ID at **any
  branch of the bank on the card, nationwide**.

An ``activated`` card with no function columns has both. What a person is told is a list of stable
guidance keys (:data:`GUIDANCE`, in the order of precedence of 11.4), rendered from the catalogue in
the user's language; never "it depends on local policy" as the only answer.

Where a city cancels its old cards, an insured person whose new card's social function is not
enabled by the as-of date has a frozen (封存) medical account. That is a parameter of the city
(``[cards]`` in ``compliance/params/<city>.toml``: ``old_card_mode`` ``city_date`` or
``on_activation``, ``old_card_cancel_date``, ``announced_on``, ``source``), not a date typed per
upload. Someone never registered has no account to freeze: they must register first. Someone whose
insurance relationship ended gets no new card: they transfer (seed).

>>> words = ['已激活', '正常', '封存', '临时挂失', '待领取', '有效期满', '补换中', 'x', None]
>>> normalise_status(pd.Series(words)).tolist()
['activated', 'activated', 'issued_not_activated', 'lost', 'ready_for_collection', 'expired', 'in_production', \
'unknown', <NA>]
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from compliance import catalogue, vocab
from compliance.errors import ShebaoError
from compliance.schema import CARD_COLUMNS  # re-exported: the cards command's contract

__all__ = ["CARD_COLUMNS", "CARD_STATUSES", "GUIDANCE", "CardReport", "card_report", "normalise_status",
           "old_cards", "status_breakdown"]

CARD_STATUSES = ["not_applied", "in_production", "ready_for_collection", "issued_not_activated", "activated",
                 "lost", "expired", "cancelled"]
STATUS_WORDS = {  # shared README sections 10 and 11.4, then the English and older forms rosters use
    "not_applied": ["未申领", "未申请", "not applied", "not_applied"],
    "in_production": ["制卡中", "申领中", "在制", "换卡中", "补换中", "in production", "in_production"],
    "ready_for_collection": ["待领取", "已制卡待领取", "制卡完成", "ready for collection", "ready_for_collection"],
    "issued_not_activated": ["已发放未激活", "待激活", "未激活", "领卡未激活", "未启用", "封存", "已发卡未激活",
                             "issued not activated", "issued_not_activated", "issued"],
    "activated": ["已激活", "已启用", "正常", "临时卡", "activated", "active"],
    "lost": ["挂失", "临时挂失", "正式挂失", "书面挂失", "口头挂失", "已挂失", "lost", "reported lost",
             "reported_lost"],
    "expired": ["已过期", "有效期满", "过期", "expired"],
    "cancelled": ["注销", "已注销", "cancelled", "canceled"],
}
_LOOKUP = vocab.table(STATUS_WORDS)
# the guidance keys of 11.4, in their order of precedence (a person gets the first that applies, or the
# three of a card whose social function is not enabled, or the financial one alone)
GUIDANCE = ["transfer_no_new_card", "apply_card", "await_production", "collect_card", "replace_lost",
            "replace_expired", "enable_social_online", "activate_financial_any_branch", "sign_up_electronic"]
NOT_ENABLED = ["enable_social_online", "activate_financial_any_branch", "sign_up_electronic"]
_NO_ENABLED_CARD = ["not_applied", "in_production", "ready_for_collection", "issued_not_activated", "cancelled"]
_BY_STATUS = {"not_applied": "apply_card", "cancelled": "apply_card", "in_production": "await_production",
              "ready_for_collection": "collect_card", "lost": "replace_lost", "expired": "replace_expired"}
MODES = ("city_date", "on_activation")
WARN_MONTHS = 6  # a cancellation announced less than six months ahead is warned of (seed)
PARAMS_DIR = Path(__file__).parent / "params"


def normalise_status(values: pd.Series) -> pd.Series:
    """Card status words to codes of ``CARD_STATUSES``; unrecognised text is ``unknown``, blank NA."""
    codes, unknown = vocab.lookup(values, _LOOKUP)
    return codes.mask(unknown, "unknown")


def status_breakdown(codes: pd.Series) -> pd.Series:
    """People per card status, every status listed (blank status counted as 'missing')."""
    counts = codes.fillna("missing").value_counts()
    order = [*CARD_STATUSES, "unknown", "missing"]
    return counts.reindex(order, fill_value=0).astype("int64")


# --- the cities' old cards ------------------------------------------------------------------------

class CardParamsError(ShebaoError):
    """A city's ``[cards]`` table is not usable (names the file, the key and the value)."""


@dataclass(frozen=True)
class OldCards:
    """What a city did with its old cards (``[cards]`` of its parameter file, section 11.4)."""

    city: str  # the file's key (beijing …)
    name: str  # 北京市
    mode: str  # city_date: every old card stops on a date; on_activation: each works until the new one is enabled
    cancel_date: dt.date | None
    announced_on: dt.date | None
    source: str
    unconfirmed: tuple[str, ...] = ()

    def short_notice(self) -> bool:
        """A cancellation announced less than six months before it takes effect (seed: "a date announced
        six months ahead")."""
        if self.mode != "city_date" or self.cancel_date is None or self.announced_on is None:
            return False
        return pd.Timestamp(self.announced_on) + pd.DateOffset(months=WARN_MONTHS) > pd.Timestamp(self.cancel_date)


def _date(value: object, path: Path, key: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise CardParamsError.coded("card_params_bad", file=path.name, key=key, value=str(value)) from None


@functools.cache
def old_cards() -> dict[str, OldCards]:
    """Every shipped city with a ``[cards]`` table, by key."""
    out = {}
    for path in sorted(PARAMS_DIR.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        table = data.get("cards")
        if table is None:
            continue
        mode = table.get("old_card_mode")
        if mode not in MODES:
            raise CardParamsError.coded("card_params_bad", file=path.name, key="old_card_mode", value=str(mode))
        out[path.stem] = OldCards(path.stem, str(data.get("city", path.stem)), mode,
                                  _date(table.get("old_card_cancel_date"), path, "old_card_cancel_date"),
                                  _date(table.get("announced_on"), path, "announced_on"),
                                  str(table.get("source", "")), tuple(table.get("unconfirmed", ())))
    return out


def city_key(values: pd.Series) -> pd.Series:
    """City names as rosters write them (北京, 北京市, Beijing …) → the keys of :func:`old_cards`; NA where
    no shipped city is named."""
    words: dict[str, list[str]] = {}
    for key, city in old_cards().items():
        words[key] = [key, city.name, city.name.removesuffix("市"), city.name.removesuffix("市") + "市"]
    codes, _ = vocab.lookup(values.astype("string"), vocab.table(words))
    return codes


# --- one person's card ----------------------------------------------------------------------------

def functions(status: pd.Series, social: pd.Series, financial: pd.Series,
              activation_date: pd.Series, as_of: dt.date) -> tuple[pd.Series, pd.Series]:
    """The two functions as of a date: the roster's columns where given; else from the status (an
    ``activated`` card has both, an issued one neither); an activation date on or before the as-of date
    counts as the social function enabled. NA where nothing says."""
    without = dict.fromkeys(_NO_ENABLED_CARD, "not_enabled")  # no new card in hand, or one never enabled
    by_status_social = status.map({"activated": "enabled", **without}).astype("string")
    by_status_fin = status.map({"activated": "activated", **dict.fromkeys(_NO_ENABLED_CARD, "not_activated")}
                               ).astype("string")
    social = social.astype("string").fillna(by_status_social)
    financial = financial.astype("string").fillna(by_status_fin)
    enabled_by = (pd.to_datetime(activation_date) <= pd.Timestamp(as_of)).fillna(False)
    social = social.mask(enabled_by & status.isin(["issued_not_activated", "activated"]).fillna(False), "enabled")
    return social, financial


def guidance(status: pd.Series, social: pd.Series, financial: pd.Series, insurance_status: pd.Series) -> pd.Series:
    """Each person's guidance keys joined by ``;`` in the order of :data:`GUIDANCE` (NA: nothing to do)."""
    keys = status.map(_BY_STATUS).astype("string")
    has_card = status.isin(["issued_not_activated", "activated"]).fillna(False) | (keys.isna() & social.notna())
    not_enabled = has_card & keys.isna() & (social == "not_enabled").fillna(False)
    only_financial = has_card & keys.isna() & (social == "enabled").fillna(False) & \
        (financial == "not_activated").fillna(False)
    keys = keys.mask(not_enabled, ";".join(NOT_ENABLED)).mask(only_financial, "activate_financial_any_branch")
    return keys.mask((insurance_status == "terminated").fillna(False), "transfer_no_new_card")


def guidance_text(keys: pd.Series, lang: str) -> pd.Series:
    """The text of each person's guidance keys in ``lang``, once per distinct list of keys."""
    joiner = " " if lang == "en" else ""  # each guidance text is whole sentences
    texts = {k: joiner.join(catalogue.render(f"card_{key}", lang) for key in k.split(";"))
             for k in keys.dropna().unique()}
    return keys.map(texts).astype("string")


@dataclass
class CardReport:
    """The card of every person (``CARD_COLUMNS``) and the card problems (``card_city_unknown`` rows of
    the problems table), with the warnings of the cities used (a short notice)."""

    people: pd.DataFrame
    problems: pd.DataFrame
    warnings: list[catalogue.Text]


def card_report(results: pd.DataFrame, as_of: dt.date, city: str | None = None,
                old_cards_cancelled: dt.date | None = None, lang: str = "zh") -> CardReport:
    """Section 11.4 over checked rows (``registration.check`` results): the functions, the guidance, and
    ``frozen`` — true when the person is insured (registered by the as-of date, insurance not terminated),
    their card city (``card_city``, else ``city``) cancels old cards on a date on or before the as-of date,
    and the social function is known not enabled by then (the column, or a status without an enabled card);
    empty where the card city has no parameters (``card_city_unknown``; ``old_cards_cancelled`` is the date
    for those rows) or nothing says whether the card is enabled. ``on_activation`` cities never freeze."""
    index = results.index
    status = results["card_status"].astype("string")
    social, financial = functions(status, results.get("social_function", pd.Series(pd.NA, index=index)),
                                  results.get("financial_function", pd.Series(pd.NA, index=index)),
                                  results["activation_date"], as_of)
    insurance = results.get("insurance_status", pd.Series(pd.NA, index=index)).astype("string")
    keys = guidance(status, social, financial, insurance)
    named = results.get("card_city", pd.Series(pd.NA, index=index)).astype("string")
    named = named.fillna(city) if city else named
    key = city_key(named)
    cities = old_cards()
    mode = key.map({k: c.mode for k, c in cities.items()}).astype("string")
    cancel = pd.to_datetime(key.map({k: c.cancel_date for k, c in cities.items()}))
    unknown = key.isna()
    if old_cards_cancelled is not None:
        mode, cancel = mode.mask(unknown, "city_date"), cancel.mask(unknown, pd.Timestamp(old_cards_cancelled))
    as_of_ts = pd.Timestamp(as_of)
    insured = (pd.to_datetime(results["registration_date"]) <= as_of_ts).fillna(False) & \
        ~(insurance == "terminated").fillna(False)
    frozen = insured & (mode == "city_date").fillna(False) & (cancel <= as_of_ts).fillna(False) & \
        (social == "not_enabled").fillna(False)
    undecided = mode.isna()
    # where old cards are gone and nothing says whether this person's new card is enabled: not known
    unsure = insured & (mode == "city_date").fillna(False) & (cancel <= as_of_ts).fillna(False) & social.isna()
    must_apply = status.isin(["not_applied", "cancelled"]).fillna(False) & ~(insurance == "terminated").fillna(False)
    people = pd.DataFrame({
        "source_file": results["source_file"], "source_row": results["source_row"],
        "employer_id": results["employer_id"], "name": results["name"], "ssn": results["ssn"],
        "card_city": key.fillna(named), "card_status": status, "social_function": social,
        "financial_function": financial, "insurance_status": insurance,
        "frozen": pd.array(np.where(undecided | unsure, None, frozen.to_numpy(dtype=bool)), dtype="boolean"),
        "must_apply": must_apply.astype(bool), "guidance": keys, "guidance_text": guidance_text(keys, lang),
    }, index=index)
    people["registered"] = insured  # beside the contract: who must register before any card question
    used = [c for k, c in cities.items() if (key == k).any()]
    warnings = [catalogue.Text("card_short_notice", city=c.name, date=str(c.cancel_date), announced=str(c.announced_on))
                for c in used if c.short_notice()]
    warnings += [catalogue.Text("card_params_unconfirmed", city=c.name, key=key) for c in used for key in c.unconfirmed]
    return CardReport(people, _unknown_cities(results, undecided, named, city), warnings)


def _unknown_cities(results: pd.DataFrame, rows: pd.Series, named: pd.Series, city: str | None) -> pd.DataFrame:
    """The ``card_city_unknown`` rows of the problems table: a card city with no parameters, or none at all
    (no ``card_city`` cell and no ``--city``)."""
    hit = rows.fillna(False).astype(bool)
    given = named[hit].notna()
    parts = []
    for key, mask in (("card_city_unknown", given), ("card_city_missing", ~given)):
        at = named[hit][mask].index
        if not len(at):
            continue
        text, entry = catalogue.message(key, at, city=named[at].fillna(""))
        parts.append(pd.DataFrame({"source_file": results["source_file"][at], "source_row": results["source_row"][at],
                                   "column": "card_city", "code": "card_city_unknown", "value": named[at],
                                   "message": text, "message_coded": catalogue.as_list(entry)}))
    columns = ["source_file", "source_row", "column", "code", "value", "message", "message_coded"]
    return pd.concat(parts).sort_index() if parts else pd.DataFrame(columns=columns)
