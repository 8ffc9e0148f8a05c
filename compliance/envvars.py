"""Deprecated: the settings are declared and read in :mod:`compliance.config`.

Kept only for ``views/gateway.py`` (``_megabytes_from_env``) until it calls ``config.megabytes``; then
this file goes. The default and the bounds are config's declaration, not the caller's.
"""

from __future__ import annotations

from compliance import config


def number_from_env(name: str, default: float | None = None) -> float:
    """``config.number(name)``; ``default`` is ignored (it is declared once, in ``config.SETTINGS``)."""
    return config.number(name)
