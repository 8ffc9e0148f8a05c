"""Numbers an operator sets in the environment (SHEBAO_*): one reader, one wording of a bad value.

A limit read from the environment is read where it applies, so that a test or an operator can change
it without a restart of the module; a value that is not a number, or out of range, is a ValueError
naming the variable, never a silent default.
"""

from __future__ import annotations

import math
import os


def number_from_env(name: str, default: float, low: float = 0.0, high: float = math.inf,
                    low_allowed: bool = False) -> float:
    """``$name`` as a number, else ``default``: more than ``low`` (or ``low`` itself when ``low_allowed``)
    and at most ``high``.

    >>> number_from_env("SHEBAO_NOT_SET_ANYWHERE", 30.0)
    30.0
    """
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {value!r}") from None
    if math.isnan(number) or not (number >= low if low_allowed else number > low) or number > high:
        bound = f"{low:g} or more" if low_allowed else f"more than {low:g}"
        if high != math.inf:
            bound = f"between {low:g} and {high:g}"
        raise ValueError(f"{name} must be {bound}, not {value!r}")
    return number
