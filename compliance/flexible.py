"""Self-registration of flexible workers (PRC Social Insurance Law Art. 58, paragraph 2).

Sole traders without employees, part-time workers not insured by an employer and other
flexible workers apply for social-insurance registration themselves. The social security
number is the citizen identity number (Art. 58, paragraph 3), so checking one's own number is
the first step. Nothing here is stored.
"""

from __future__ import annotations

CATEGORIES = ["sole_trader", "part_timer", "other_flexible", "employed"]

# What to bring and where to apply, per category (zh, en). Local agencies add their own forms.
GUIDE: dict[str, dict[str, tuple[str, str]]] = {
    "sole_trader": {
        "who": ("无雇工的个体工商户", "Sole trader without employees"),
        "bring": ("居民身份证原件、营业执照", "Original ID card and business licence"),
    },
    "part_timer": {
        "who": ("未在用人单位参加社会保险的非全日制从业人员",
                "Part-time worker not insured through an employer"),
        "bring": ("居民身份证原件", "Original ID card"),
    },
    "other_flexible": {
        "who": ("其他灵活就业人员", "Other flexible worker"),
        "bring": ("居民身份证原件；如有，灵活就业相关证明", "Original ID card; proof of flexible employment if any"),
    },
    "employed": {
        "who": ("由用人单位雇用的职工", "Employee of an employer"),
        "bring": ("无需自行登记：用人单位应在用工之日起30日内为您申请社会保险登记",
                  "No self-registration: your employer must register you within 30 days of employment"),
    },
}
WHERE = ("户籍所在地或居住地（持居住证）的社会保险经办机构窗口、当地人社网上服务平台或掌上12333",
         "The social insurance agency of your household registration or residence (with a residence permit), "
         "the local online service platform, or the 12333 app")


def self_registers(category: str) -> bool:
    """Whether a person of this category registers themselves (Art. 58 para. 2)."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}; expected one of {CATEGORIES}")
    return category != "employed"


def guide(category: str, lang: str = "zh") -> dict[str, str]:
    """Who, what to bring and where to apply, in the chosen language."""
    i = 0 if lang == "zh" else 1
    entry = GUIDE[category]
    return {"who": entry["who"][i], "bring": entry["bring"][i], "where": WHERE[i],
            "self_registers": str(self_registers(category))}
