"""Every setting an operator makes in the environment (``SHEBAO_*``): declared once, read at call time.

Why one module: a setting read in six files with six wordings of a bad value (or none: a misspelt
``SHEBAO_DEMO=ture`` silently meant "no") is a setting nobody can list or trust. Here each variable
is declared once (:data:`SETTINGS`: name, kind, default, bounds, one line of meaning), the accessors
(:func:`number`, :func:`megabytes`, :func:`whole`, :func:`flag`, :func:`path`, :func:`url`) read the
environment when called, so a test or an operator changes a value without a restart, and a bad value
is a :class:`ConfigError` naming the variable, the value and what is allowed, never a silent default.
:func:`check_all` validates everything that is set, for the command line and the dashboard to call
first, and lists unknown ``SHEBAO_*`` names (a typo such as ``SHEBAO_IDLE_MINUTE``) as warnings.
``docs/configuration.md`` is :func:`reference_table`'s output (a test keeps the two alike).
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from compliance.errors import ShebaoError

Kind = Literal["number", "whole", "flag", "path", "url"]
PREFIX = "SHEBAO_"
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
# dialect[+driver]:// — the shape create_engine parses; checked here without importing SQLAlchemy
_URL = re.compile(r"[A-Za-z][A-Za-z0-9_]*(\+[A-Za-z0-9_]+)?://.*")
_PASSWORD = re.compile(r"(?<=:)[^:@/]*(?=@)")


class ConfigError(ShebaoError, ValueError):
    """A ``SHEBAO_*`` variable holds a value it may not hold. A ``ShebaoError`` (one line, exit 2 on the
    command line) and a ``ValueError`` (what the readers raised before this module: callers keep working)."""


@dataclass(frozen=True)
class Setting:
    """One environment variable: what it means, what it may hold, and what holds when it is not set.

    ``low``/``high`` bound a number or a whole number (``low`` itself allowed only with ``low_allowed``);
    ``must_exist`` asks a path to be an existing folder; ``shown_default`` words a default the code
    computes (one worker per core, the checkout's ``data/``) for the reference table.
    """

    name: str
    kind: Kind
    meaning: str
    default: float | int | bool | str | None = None
    low: float = 0.0
    high: float = math.inf
    low_allowed: bool = False
    must_exist: bool = False
    shown_default: str = ""

    def allowed(self) -> str:
        """What the variable may hold, in words (the message of a bad value and the reference table).

        >>> SETTINGS["SHEBAO_SIGN_IN_WAIT"].allowed(), SETTINGS["SHEBAO_IDLE_MINUTES"].allowed()
        ('a number from 0 to 600', 'a number more than 0')
        """
        if self.kind in ("number", "whole"):
            noun = "a number" if self.kind == "number" else "a whole number"
            low = f"{self.low:g} or more" if self.low_allowed else f"more than {self.low:g}"
            if self.high == math.inf:
                return f"{noun}, {low}" if self.low_allowed else f"{noun} {low}"
            return f"{noun} from {self.low:g} to {self.high:g}" if self.low_allowed else \
                f"{noun} {low} and at most {self.high:g}"
        if self.kind == "flag":
            return f"{'/'.join(TRUE_WORDS)} or {'/'.join(FALSE_WORDS)}"
        if self.kind == "path":
            return "the path of an existing folder" if self.must_exist else "a folder path"
        return "a SQLAlchemy URL such as sqlite:////srv/shebao.sqlite or postgresql+psycopg://user@host/db"

    def default_text(self) -> str:
        """The default as the reference table shows it."""
        if self.shown_default:
            return self.shown_default
        if isinstance(self.default, bool):
            return "off" if not self.default else "on"
        return f"{self.default:g}" if isinstance(self.default, float | int) else str(self.default)


def _number(name: str, meaning: str, default: float, *, high: float = math.inf, low_allowed: bool = False) -> Setting:
    """A number more than 0 (or 0 itself with ``low_allowed``): every number setting is a size or a time."""
    return Setting(name, "number", meaning, float(default), high=high, low_allowed=low_allowed)


_DECLARED = (
    _number("SHEBAO_CHECK_SECONDS", "seconds one check may run in a worker before the worker is killed", 300),
    Setting("SHEBAO_CHECK_WORKERS", "whole", "checking processes to start; 0 checks inside the server process",
            low_allowed=True, shown_default="one per usable core"),
    _number("SHEBAO_MAX_RESULT_MB", "MB of one check's pickled result, refused in the worker beyond it "
            "(never above SHEBAO_RESULT_CACHE_MB)", 1024),
    _number("SHEBAO_RESULT_CACHE_MB", "MB of check results the dashboard keeps in all; 0 keeps nothing", 1024,
            low_allowed=True),
    _number("SHEBAO_MAX_FILE_MB", "MB of one roster file", 150),
    _number("SHEBAO_MAX_UPLOAD_MB", "MB of all files of one upload together", 300),
    _number("SHEBAO_UPLOAD_BUDGET_MB", "MB of uploaded files the server holds for everyone at once", 2048),
    _number("SHEBAO_SIGN_IN_WAIT", "seconds a sign-in waits for a turn to hash its password before "
            "it is told the server is busy", 2, high=600, low_allowed=True),
    _number("SHEBAO_IDLE_MINUTES", "minutes a sign-in lasts without a click", 30),
    _number("SHEBAO_SESSION_HOURS", "hours a sign-in lasts at most", 12),
    Setting("SHEBAO_DB", "url", "the store's database; the command line's --db wins over it",
            shown_default="shebao.sqlite in SHEBAO_DATA_DIR"),
    Setting("SHEBAO_DATA_DIR", "path", "folder of the default SQLite store (created, owner-only, if missing)",
            shown_default="the checkout's data/, else ./data"),
    Setting("SHEBAO_CALENDAR_DIR", "path", "folder of holiday notice files (2027.toml, one per year), read "
            "before the package's own", must_exist=True, shown_default="none: the package's notices only"),
    Setting("SHEBAO_TMP", "path", "folder of the dashboard's temporary files, uploads past the in-memory "
            "cap among them (make it a tmpfs)", must_exist=True, shown_default="none: the system's temp folder"),
    Setting("SHEBAO_DEMO", "flag", "create the demo accounts demo-hr and demo-inspector (as --demo does)", False),
    Setting("SHEBAO_DEBUG", "flag", "show the traceback of an internal error on the command line "
            "(it may quote personal data)", False),
    Setting("SHEBAO_REQUIRE_PG", "flag", "tests: fail, not skip, the PostgreSQL tests when PostgreSQL is "
            "not installed (CI sets it)", False),
)
SETTINGS: Mapping[str, Setting] = {s.name: s for s in _DECLARED}


def _raw(name: str, kind: Kind) -> str:
    """The variable's text, stripped ("" when unset or blank); KeyError for a name nobody declared or
    a kind it is not, a programming error that must not pass as "unset"."""
    setting = SETTINGS[name]
    if setting.kind != kind:
        raise KeyError(f"{name} is a {setting.kind} setting, not a {kind}")
    return os.environ.get(name, "").strip()


def _bad(setting: Setting, value: str) -> ConfigError:
    shown = _PASSWORD.sub("***", value) if setting.kind == "url" else value
    return ConfigError(f"{setting.name} must be {setting.allowed()}, not {shown!r} "
                       f"({setting.meaning}; unset means {setting.default_text()})")


def _bounded(setting: Setting, value: str, parse: type[float] | type[int]) -> float:
    try:
        number = parse(value)
    except ValueError:
        raise _bad(setting, value) from None
    low_ok = number >= setting.low if setting.low_allowed else number > setting.low
    if not math.isfinite(number) or not low_ok or number > setting.high:  # "inf" MB is no size
        raise _bad(setting, value)
    return number


def number(name: str) -> float:
    """The number setting ``name``, else its default.

    A number setting's default is always a float (:func:`_number` makes it one).
    """
    value = _raw(name, "number")
    setting = SETTINGS[name]
    if value:
        return _bounded(setting, value, float)
    assert isinstance(setting.default, float)
    return setting.default


def megabytes(name: str) -> int:
    """The number setting ``name``, read as megabytes, in bytes (every size limit is set in MB)."""
    return int(number(name) * 2**20)


def whole(name: str) -> int | None:
    """The whole-number setting ``name``, else None: its default is the caller's (one worker per core)."""
    value = _raw(name, "whole")
    return int(_bounded(SETTINGS[name], value, int)) if value else None


def flag(name: str) -> bool:
    """The on/off setting ``name``: a word outside :data:`TRUE_WORDS` and :data:`FALSE_WORDS` is an error,
    since ``SHEBAO_DEMO=ture`` meaning "off" is the silent default this module exists to prevent."""
    value = _raw(name, "flag").lower()
    if not value:
        return bool(SETTINGS[name].default)
    if value in TRUE_WORDS or value in FALSE_WORDS:
        return value in TRUE_WORDS
    raise _bad(SETTINGS[name], os.environ[name].strip())


def path(name: str) -> Path | None:
    """The folder setting ``name``, else None; one that must exist and does not is an error (a misspelt
    notice folder would otherwise judge deadlines without the operator's notices, and say nothing)."""
    value = _raw(name, "path")
    if not value:
        return None
    folder = Path(value).expanduser()
    if SETTINGS[name].must_exist and not folder.is_dir():
        raise _bad(SETTINGS[name], value)
    return folder


def url(name: str) -> str | None:
    """The database URL setting ``name``, else None; a value without ``dialect://`` is an error (its
    password, if any, is hidden in the message)."""
    value = _raw(name, "url")
    if value and not _URL.fullmatch(value):
        raise _bad(SETTINGS[name], value)
    return value or None


_READERS = {"number": number, "whole": whole, "flag": flag, "path": path, "url": url}


def check_all() -> list[str]:
    """Validate every declared setting that is set; the warnings (unknown ``SHEBAO_*`` names) are returned
    for the caller to show. All bad values are raised together, one :class:`ConfigError`, so an operator
    fixes them in one go rather than one restart each."""
    errors = []
    for setting in SETTINGS.values():
        try:
            _READERS[setting.kind](setting.name)
        except ConfigError as exc:
            errors.append(str(exc))
    if errors:
        raise ConfigError("; ".join(errors))
    return [_unknown(name) for name in sorted(os.environ) if name.startswith(PREFIX) and name not in SETTINGS]


def _unknown(name: str) -> str:
    # compared without the prefix every name shares, or any SHEBAO_ name would look close
    close = difflib.get_close_matches(name.removeprefix(PREFIX), [n.removeprefix(PREFIX) for n in SETTINGS], n=1)
    hint = f"; did you mean {PREFIX}{close[0]}?" if close else ""
    return f"{name} is not a setting of shebao-check and is ignored{hint}"


def reference_table() -> str:
    """Every setting as a Markdown table: the body of ``docs/configuration.md``."""
    rows = ["| Variable | Meaning | Default | Allowed |", "|---|---|---|---|"]
    rows += [f"| `{s.name}` | {s.meaning} | {s.default_text()} | {s.allowed()} |" for s in SETTINGS.values()]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":  # python -m compliance.config > the table of docs/configuration.md
    print(reference_table(), end="")
