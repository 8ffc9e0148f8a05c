"""The roster fields of shared README section 11.1 beside the employment: words → codes.

Each closed set of values rosters write in many ways (``compliance.vocab``): the insurance status, the
two functions of the social security card, whether a dispatching agency has a branch where the work is
done, and the insurance types an employee is exempt from (bilateral social-security agreements,
人社部令第16号 Art. 9). Blank is NA; a value not in the table is NA too, and reported by the caller.

>>> codes, unknown = normalise(pd.Series(["参保缴费", "停保", "已转出", "x", None]), INSURANCE_STATUS)
>>> codes.tolist(), unknown.tolist()
(['active', 'suspended', 'terminated', <NA>, <NA>], [False, False, False, True, False])
>>> exempt_types(pd.Series(["养老、失业", "pension,work_injury", "x", None]))[0].tolist()
['pension;unemployment', 'pension;work_injury', <NA>, <NA>]
"""

from __future__ import annotations

import re

import pandas as pd

from compliance import vocab

INSURANCE_STATUS = vocab.table({
    "active": ["正常", "参保缴费", "正常参保", "在职", "active"],
    "suspended": ["暂停缴费", "中断", "停保", "suspended"],
    "terminated": ["终止参保", "已转出", "转出", "终止", "terminated"],
})
SOCIAL_FUNCTION = vocab.table({"enabled": ["已启用", "已激活", "启用", "enabled"],
                               "not_enabled": ["未启用", "未激活", "not_enabled", "not enabled"]})
FINANCIAL_FUNCTION = vocab.table({"activated": ["已激活", "已启用", "activated"],
                                  "not_activated": ["未激活", "未启用", "not_activated", "not activated"]})
YES_NO = vocab.table({"yes": ["是", "有", "yes", "y", "1", "true"], "no": ["否", "无", "no", "n", "0", "false"]})
# the insurance types of the parameter files (compliance/params), and maternity where a city keeps it apart
INSURANCE_TYPES = vocab.table({
    "pension": ["养老", "养老保险", "基本养老保险", "pension"],
    "medical": ["医疗", "医疗保险", "基本医疗保险", "医保", "medical"],
    "unemployment": ["失业", "失业保险", "unemployment"],
    "work_injury": ["工伤", "工伤保险", "work_injury", "work injury"],
    "maternity": ["生育", "生育保险", "maternity"],
})
_SEPARATORS = re.compile(r"[,，、;；]")


def normalise(values: pd.Series, words: dict[str, str]) -> tuple[pd.Series, pd.Series]:
    """Codes of ``values`` by a table above, and where a non-blank value is not in it."""
    return vocab.lookup(values.astype("string").str.strip(), words)


def exempt_types(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Insurance types an employee is exempt from, as type keys joined by ``;`` in the order of
    ``INSURANCE_TYPES`` (NA when none); and where a cell names something that is not a type."""
    positions, distinct = pd.factorize(values.astype("string").str.strip(), use_na_sentinel=True)
    order = list(dict.fromkeys(INSURANCE_TYPES.values()))
    codes, unknown = [], []
    for cell in distinct:
        names = [n.strip() for n in _SEPARATORS.split(str(cell)) if n.strip()]
        found = {INSURANCE_TYPES.get(vocab.key(n)) for n in names}
        unknown.append(None in found)
        kept = [t for t in order if t in found]
        codes.append(";".join(kept) if kept else None)
    code_of = pd.array([*codes, None], dtype="string")
    odd_of = pd.array([*unknown, False], dtype=bool)
    return (pd.Series(code_of[positions], index=values.index, dtype="string"),
            pd.Series(odd_of[positions], index=values.index, dtype=bool))
