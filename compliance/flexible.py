"""Flexible workers joining social insurance, and their card (shared README section 11.4). Nothing is stored.

Sources:

- PRC Social Insurance Law Art. 58(2): sole traders without employees, part-time workers not insured
  through an employer and other flexible workers who join social insurance **of their own will** apply to
  the social insurance agency for registration. Joining is voluntary: nothing here says "you must
  register". Art. 10(2) and Art. 23(2): they may join the employees' basic pension and basic medical
  insurance, paying the contributions themselves; or the residents' schemes (城乡居民基本养老保险,
  城乡居民基本医疗保险).
- The 2025 central policy that removes the 户籍 restriction on joining social insurance at the place of
  work: 中共中央办公厅 国务院办公厅《关于进一步保障和改善民生 着力解决群众急难愁盼的意见》(dated
  2025-03-02, published by Xinhua 2025-06-09): "全面取消在就业地参加社会保险的户籍限制" (the 2025
  No. 1 central document, 《中共中央 国务院关于进一步深化农村改革 扎实推进乡村全面振兴的意见》, says
  the same). So a flexible worker joins where they work or where their 户籍 is; no residence permit is
  asked for here, and the materials are what the local agency says.
- Part-time workers: the employer insures them against work injury (劳社部发〔2003〕12号; shared README
  section 10); pension and medical insurance they may join as flexible workers.
- Employees (Art. 58(1)): the employer registers them within 30 days of employment.
- The card: the guidance keys of ``compliance.cards`` (section 11.4), in the same precedence.

A passport or travel permit holder's social security number is assigned by the agency
(``compliance.documents``); that number is never "invalid" for having no GB 11643 layout.

>>> card_guidance("in_production"), card_guidance("issued_not_activated")[0], card_guidance(None, True)
(['await_production'], 'enable_social_online', ['transfer_no_new_card'])
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from compliance import cards

CATEGORIES = ["sole_trader", "part_timer", "other_flexible", "employed"]
ITEMS = ["insurances", "where", "bring", "check", "transfer"]  # what the page shows, in this order

VOLUNTARY = ("灵活就业人员参加社会保险是自愿的（《社会保险法》第五十八条第二款）：自愿参保的，向社会保险经办机构申请"
             "办理社会保险登记。",
             "Flexible workers join social insurance if they wish (Social Insurance Law Art. 58(2)): whoever "
             "chooses to applies to the social insurance agency for registration.")
GENERAL: dict[str, tuple[str, str]] = {
    "insurances": (
        "以灵活就业人员身份参加职工基本养老保险和职工基本医疗保险，费用由个人缴纳；也可以参加城乡居民基本养老保险和"
        "城乡居民基本医疗保险（居民养老保险在户籍地参加，居民医保在户籍地或按当地规定在常住地参加）。",
        "The employees' basic pension and basic medical insurance as a flexible worker, paying the contributions "
        "yourself; or the residents' pension and medical schemes (the residents' pension where your 户籍 is, "
        "residents' medical insurance there or where you live, as local rules say)."),
    "where": (
        "在就业地或户籍地均可办理：当地社会保险经办机构（人社服务窗口），或当地人社网上服务平台、“掌上12333”App、"
        "电子社保卡。按照2025年中央政策（中共中央办公厅、国务院办公厅《关于进一步保障和改善民生 着力解决群众急难愁盼的"
        "意见》），在就业地参加社会保险不再受户籍限制。",
        "Where you work or where your 户籍 is: the local social insurance agency (a 人社 service window), or "
        "online through the local 人社 service platform, the 掌上12333 app or the electronic social security "
        "card. Under the 2025 central policy (General Offices of the CPC Central Committee and the State "
        "Council, opinions on improving people's livelihood), joining where you work has no 户籍 restriction."),
    "bring": (
        "本人有效身份证件（居民身份证，或港澳台居民居住证、外国人永久居留身份证、护照等）；其他材料以当地经办机构的"
        "要求为准。",
        "Your valid identity document (resident ID card, or a residence permit, foreign permanent resident ID "
        "card, passport …); any other papers as the local agency asks."),
    "check": (
        "在“掌上12333”App、电子社保卡或国家社会保险公共服务平台查询本人的参保记录和社保卡状态。",
        "Look up your insurance record and your card's status in the 掌上12333 app, the electronic social "
        "security card or the national social insurance public service platform (国家社会保险公共服务平台)."),
    "transfer": (
        "到另一城市工作、参保时，办理社会保险关系转移接续：在新参保地通过国家社会保险公共服务平台或“掌上12333”申请"
        "养老保险关系转移，医保关系通过国家医保服务平台办理转移，个人账户随之转移；无需重新申领社保卡。",
        "When you work and insure in another city, transfer your insurance: apply for the pension transfer in the "
        "new place through the national social insurance public service platform or 掌上12333, and for the "
        "medical insurance through the national medical insurance service platform (国家医保服务平台); the "
        "personal accounts move with it. No new card is needed."),
}
NOTES: dict[str, tuple[str, str]] = {  # what differs per situation (none is pre-selected on the page)
    "sole_trader": (
        "无雇工的个体工商户可以灵活就业人员身份参保；部分地方另需营业执照，以当地经办机构要求为准。",
        "A sole trader without employees may join as a flexible worker; some places also ask for the business "
        "licence, as the local agency says."),
    "part_timer": (
        "非全日制从业人员：用人单位应为您参加工伤保险；养老保险和医疗保险可自愿以灵活就业人员身份参加。",
        "A part-time worker: the employer insures you against work injury; pension and medical insurance you may "
        "join as a flexible worker."),
    "other_flexible": (
        "其他灵活就业人员（如网约配送员、网约车司机、自由职业者）可在就业地以灵活就业人员身份参保，一般只需本人有效身份"
        "证件，具体以当地经办机构要求为准。",
        "Other flexible workers (delivery riders, ride-hailing drivers, freelancers …) may join where they work "
        "as flexible workers, usually with their valid ID alone, as the local agency says."),
    "employed": (
        "受雇于用人单位的职工由用人单位自用工之日起三十日内申请社会保险登记（《社会保险法》第五十八条第一款），"
        "无需自行登记；可在“掌上12333”或电子社保卡查询单位是否已为您参保。",
        "An employee is registered by the employer within 30 days of employment (Social Insurance Law Art. "
        "58(1)), not by themselves; check in 掌上12333 or the electronic social security card whether it has."),
}


def guide(category: str | None = None, lang: str = "zh") -> dict[str, str]:
    """What a flexible worker reads, in ``lang``: ``voluntary``, the ``ITEMS`` (which insurances, where, what
    to bring, how to check, moving cities) and ``note``, the situation's own line (empty without one)."""
    if category is not None and category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}; expected one of {CATEGORIES}")
    i = 0 if lang == "zh" else 1
    out = {"voluntary": VOLUNTARY[i], **{item: GENERAL[item][i] for item in ITEMS}}
    out["note"] = NOTES[category][i] if category else ""
    return out


def card_guidance(status: str | None, insurance_ended: bool = False, as_of: dt.date | None = None) -> list[str]:
    """The guidance keys (``compliance.cards.GUIDANCE``) of one person's card by its status code, the way
    the card report gives them (section 11.4): ended insurance → transfer only; no status → nothing."""
    codes = pd.Series([status], dtype="string")
    none = pd.Series([pd.NA], dtype="string")
    social, financial = cards.functions(codes, none, none, pd.Series([pd.NaT]), as_of or dt.date.today())
    keys = cards.guidance(codes, social, financial, pd.Series(["terminated" if insurance_ended else pd.NA],
                                                               dtype="string")).iloc[0]
    return [] if pd.isna(keys) else str(keys).split(";")
