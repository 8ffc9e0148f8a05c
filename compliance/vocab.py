"""Words rosters use for a closed set of things (card statuses, employment types, document types) → codes.

Rosters write the same status many ways ("已激活", " 已 激活 ", "ACTIVATED"); a million rows hold a few
dozen distinct values. So each distinct value is keyed (lower case, no spaces, underscores or dashes)
and looked up once, and the codes are spread back over the rows: one dictionary lookup per distinct
value, not per row.

>>> codes, unknown = lookup(pd.Series(["Part-Time", "part time", None, "", "x"]), {"parttime": "part_time"})
>>> codes.tolist(), unknown.tolist()
(['part_time', 'part_time', <NA>, <NA>, <NA>], [False, False, False, False, True])
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa

KEY = re.compile(r"[\s_\-]")


def key(word: str) -> str:
    """The form words are compared in: lower case, without spaces, underscores or dashes."""
    return KEY.sub("", word.lower())


def table(words: dict[str, list[str]]) -> dict[str, str]:
    """``{code: [words]}`` → ``{key(word): code}``."""
    return {key(w): code for code, ws in words.items() for w in ws}


def lookup(values: pd.Series, keyed: dict[str, str]) -> tuple[pd.Series, pd.Series]:
    """Codes of ``values`` by ``keyed`` (from :func:`table`): NA for blank cells; and where a non-blank
    value is not in the table (its code is NA too: the caller decides what an unknown value means)."""
    positions, distinct = pd.factorize(values, use_na_sentinel=True)
    keys = pd.Series(distinct, dtype=object).astype("string").str.lower().str.replace(KEY.pattern, "", regex=True)
    found = keys.map(keyed)
    odd = (found.isna() & keys.fillna("").ne("")).to_numpy(dtype=bool)
    seen = positions >= 0
    # the codes spread over the rows by one Arrow take (no Python object per row)
    codes = pa.array(found.astype(object).where(found.notna(), None).tolist(), pa.large_string()).take(
        pa.array(positions, mask=~seen))
    unknown = np.zeros(len(values), dtype=bool)
    unknown[seen] = odd[positions[seen]]
    return (pd.Series(pd.arrays.ArrowStringArray(codes), index=values.index, copy=False),
            pd.Series(unknown, index=values.index, dtype=bool))
