"""The engine's messages in the user's language, by matching English text: until the pages render at the edge.

**This module goes once the views call** ``compliance.catalogue.localise`` (message columns rendered
from their structure columns) **and** ``ShebaoError.render`` / ``catalogue.Text`` (errors and file
lines): a message is a code plus its parameters there, and nothing parses English back. Until then
:func:`translate` and :func:`translate_column` keep working for the pages that call them, over the
catalogue's own templates (``TEMPLATES`` is derived from ``compliance.catalogue.MESSAGES``: there is one
table of texts). A message the catalogue does not know is shown as it is.

>>> translate("入职日期 (column D): cannot read '待定' as a date; The check character should be 9, not X", "zh")
'入职日期（D 列）：无法将“待定”识别为日期；校验码应为 9，而不是 X'
>>> translate("3 employees unregistered, longest 47 days past deadline", "zh")
'3 名员工未登记，最长逾期 47 天'
>>> translate("X may only be the last character; under 16 on the hire date (born 2009-06-03): Labour Law "
...           "Art. 15 forbids employing minors under 16", "zh")[:40]
'X 只能是最后一位；入职时未满16周岁（出生于 2009-06-03）：《劳动法'
"""

from __future__ import annotations

import functools
import re

import pandas as pd

from compliance import catalogue

# (English template, Chinese template), from the one catalogue of texts (compliance.catalogue): English
# plural choices spelled out, every placeholder a plain ``{name}`` matching any text; the words inside
# them translated by WORDS (document kinds, column labels, case states).
TEMPLATES: list[tuple[str, str]] = catalogue.legacy_templates()
WORDS = catalogue.legacy_words()
_COLUMN = re.compile(r" \(column ([A-Z]{1,3})\)")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@functools.cache
def _compiled() -> list[tuple[re.Pattern[str], str]]:
    out = []
    for english, chinese in TEMPLATES:
        parts = _PLACEHOLDER.split(english)  # literal, name, literal, name, …
        pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.*?)" for i, p in enumerate(parts))
        # a message ends where the text ends or where the next one starts after "; " (the engine's joiner;
        # templates contain "; " themselves, so the text is not simply split on it)
        out.append((re.compile(pattern + r"(?=; |\Z)", re.DOTALL), chinese))
    return out


def _word(value: str) -> str:
    return WORDS.get(value.strip(), value)


def _translated(message: str) -> list[str]:
    """The Chinese of each message joined in ``message``, left to right; unknown ones as they are."""
    out, pos = [], 0
    while pos < len(message):
        for pattern, chinese in _compiled():
            found = pattern.match(message, pos)
            if found:
                out.append(chinese.format(**{name: _word(value) for name, value in found.groupdict().items()}))
                pos = found.end()
                break
        else:  # not in the catalogue: up to the next joiner, unchanged
            end = message.find("; ", pos)
            end = len(message) if end < 0 else end
            out.append(message[pos:end])
            pos = end
        if message.startswith("; ", pos):
            pos += 2
    return out


_BILINGUAL = re.compile(r"(?P<zh>[^/]*[\u4e00-\u9fff][^/]*) / (?P<en>[^\u4e00-\u9fff]+)")


def translate(message: str | None, lang: str) -> str | None:
    """One message (or several joined by '; ') in ``lang``; English is the engine's own text. A message
    written in both languages ("密码错误 / Wrong password", the sign-in messages) gives the one asked for.

    >>> translate("用户名或密码错误 / Wrong username or password", "en")
    'Wrong username or password'
    """
    if isinstance(message, str) and (both := _BILINGUAL.fullmatch(message)):
        return both["en"] if lang == "en" else both["zh"]
    if message is None or lang != "zh" or not isinstance(message, str):
        return message
    return _COLUMN.sub(r"（\1 列）", "；".join(_translated(message)))


def translate_column(messages: pd.Series, lang: str) -> pd.Series:
    """:func:`translate` over a column, once per distinct message (a million rows hold few distinct ones)."""
    if lang != "zh" or messages.empty:
        return messages
    distinct = messages.dropna().unique()
    mapping = {m: translate(m, lang) for m in distinct}
    return messages.map(mapping).astype(messages.dtype if messages.dtype != object else "string")
