"""Citizen identity numbers, which are also the social security numbers.

PRC Social Insurance Law Art. 58: "the national personal social security number is the citizen
identity number". So the social security number (SSN) is simply the normalised 18-character
identity number, and an invalid identity number has no SSN.

GB 11643-1999 structure (18 characters)::

    RRRRRR YYYYMMDD SSS C
    region birth    seq check

- the sequence is odd for men and even for women;
- the check character: weights ``2**(17-i) % 11`` over the first 17 digits,
  ``check = (12 - sum % 11) % 11``, 10 written ``X``.

First-generation numbers have 15 digits (``RRRRRR YYMMDD SSS``, 20th-century births) and are
upgraded by inserting ``19`` before the year and appending the check character.

The same check character is used by residence permits for Hong Kong and Macau residents
(address code exactly ``810000``/``820000``), for Taiwan residents (``830000``), and by the 2023
foreign permanent resident ID card (leading ``9``, then the accepting province in characters 2–3
and the holder's nationality as a GB/T 2659 = ISO 3166-1 numeric code in 4–6; its birth date sits
in the same place). The pre-2023 permanent resident card has 3 letters (the nationality, ISO 3166-1
alpha-3) and 12 digits; the National Immigration Administration's 2023 notice on the new card
confirms only that the letters became the numeric code, so only they are checked, with a warning
that it is the old card (valid until it expires). Shared README section 10.

Normalising strips spaces of every kind, dashes of every width, zero-width characters and the quotes
a spreadsheet leaves around a number (Excel's leading ``'``). A birth date before 1900 is impossible.

Region tables lag behind new districts (python-stdnum's lacks 330112, Lin'an District, 2017),
so an unknown *province* makes a number invalid while an unknown county is only a warning.

>>> validate('11010519491231002X')
'11010519491231002X'
>>> compact('110105491231002')          # 15 digits: 19 inserted, check character added
'11010519491231002X'
>>> validate('110105194912310021')
Traceback (most recent call last):
    ...
compliance.ids.InvalidChecksum: The check character should be X, not 1
>>> validate('1.10105E+17')
Traceback (most recent call last):
    ...
compliance.ids.ExcelMangled: Excel turned this number into scientific notation; digits are lost.
>>> mask('11010519491231002X')
'110105********002X'
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from stdnum import exceptions as stdnum_exceptions
from stdnum import numdb

from compliance import catalogue
from compliance.errors import ShebaoError

WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)
CHECK_CHARS = np.array(list("10X98765432"))  # index: sum % 11 -> check character
PERMIT_PREFIXES = {"81": "hkmo_tw_permit", "82": "hkmo_tw_permit", "83": "hkmo_tw_permit"}
PERMIT_ADDRESS_CODES = ["810000", "820000", "830000"]  # the only address codes of residence permits
FIRST_BIRTH_DATE = pd.Timestamp("1900-01-01")  # shared README section 10: earlier is impossible
# after NFKC (which folds full-width forms, no-break and ideographic spaces to ASCII): whitespace, dashes
# of every width (‐ ‑ ‒ – — ― −), zero-width characters and BOM, and the old separators _ / · .
_SEPARATORS = re.compile("[\\s\\-_/·.\u2010-\u2015\u2212\u200b-\u200d\u2060\ufeff]")
_QUOTES = re.compile("^[\'\"\u2018\u2019\u201c\u201d]+|[\'\"\u2018\u2019\u201c\u201d]+$")
_OLD_PR_CARD = re.compile(r"[A-Z]{3}[0-9]{12}")
_SCIENTIFIC = re.compile(r"^[0-9]+(?:\.[0-9]*)?E\+?[0-9]+$")
_X = ord("X")
_DAYS_1900 = (FIRST_BIRTH_DATE - pd.Timestamp("1970-01-01")).days
_CHECK_INDEX = np.array(["0123456789X".index(c) for c in CHECK_CHARS], dtype=np.uint8)  # sum % 11 -> "0123456789X"
_CHECK_TEXT = pa.array(list(CHECK_CHARS), type=pa.large_string())
_DIGIT_TEXT = pa.array(list("0123456789X"), type=pa.large_string())
_KINDS = pa.array(["resident", "hkmo_tw_permit", "foreign_permanent"], type=pa.large_string())


class ValidationError(ShebaoError, stdnum_exceptions.ValidationError):
    """The identity number is not valid. A user's error like any other (``ShebaoError``); ``code`` is the
    stable code of ``ERRORS`` (the ``id_code`` column), ``structure`` the message's catalogue structure
    when :func:`validate` raised it (``render`` gives it in a language)."""

    code = "id_invalid"
    message = "The identity number is not valid."
    structure: str | None = None

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else self.message

    def render(self, lang: str) -> str:
        return str(self) if self.structure is None else catalogue.render_coded(self.structure, lang)


class Missing(ValidationError):
    code = "id_missing"
    message = "No identity number given."


class ExcelMangled(ValidationError, stdnum_exceptions.InvalidFormat):
    code = "id_scientific"
    message = "Excel turned this number into scientific notation; digits are lost."


class NumberCell(ValidationError, stdnum_exceptions.InvalidFormat):
    code = "id_number_cell"
    message = "Stored as a number in Excel: digits after the 15th are lost; re-enter it as text."


class InvalidFormat(ValidationError, stdnum_exceptions.InvalidFormat):
    code = "id_format"
    message = "Only digits and a final X are allowed."


class InvalidLength(ValidationError, stdnum_exceptions.InvalidLength):
    code = "id_length"
    message = "An identity number has 18 characters (or 15 digits for the first generation)."


class InvalidChecksum(ValidationError, stdnum_exceptions.InvalidChecksum):
    code = "id_checksum"
    message = "The check character is wrong."


class InvalidBirthDate(ValidationError, stdnum_exceptions.InvalidComponent):
    code = "id_birth_date"
    message = "The birth date in the number does not exist."


class FutureBirthDate(ValidationError, stdnum_exceptions.InvalidComponent):
    code = "id_birth_future"
    message = "The birth date in the number lies in the future."


class UnknownProvince(ValidationError, stdnum_exceptions.InvalidComponent):
    code = "id_province"
    message = "The first two digits are not a province code."


class InvalidPermitAddress(ValidationError, stdnum_exceptions.InvalidComponent):
    code = "id_permit_address"
    message = "A residence permit's address code is 810000, 820000 or 830000."


class UnknownNationality(ValidationError, stdnum_exceptions.InvalidComponent):
    code = "id_nationality"
    message = "The nationality code of a permanent resident card names no country."


ERRORS: dict[str, type[ValidationError]] = {
    cls.code: cls
    for cls in (Missing, ExcelMangled, NumberCell, InvalidFormat, InvalidLength, InvalidChecksum,
                InvalidBirthDate, FutureBirthDate, UnknownProvince, InvalidPermitAddress, UnknownNationality)
}
WARNING_UNKNOWN_COUNTY = "id_region_unknown"
WARNING_OLD_PR_CARD = "id_old_pr_card"

# Columns of validate_column(), in order.
RESULT_COLUMNS = ["ssn", "id_code", "id_problem", "id_warning", "id_warning_code", "kind", "birth_date", "sex",
                  "region_code", "region", "id_problem_coded", "id_warning_coded"]


@functools.cache
def _countries() -> tuple[frozenset[str], frozenset[str]]:
    """ISO 3166-1 numeric and alpha-3 codes of the countries (GB/T 2659 follows ISO 3166-1), from
    pycountry's copy of the ISO tables (Debian's iso-codes), so no typed table to keep up to date."""
    import pycountry

    return (frozenset(c.numeric for c in pycountry.countries), frozenset(c.alpha_3 for c in pycountry.countries))


_NOT_A_CITY = {"市辖区", "县", "省直辖县级行政区划", "省直辖县级行政单位", "自治区直辖县级行政区划"}


@functools.cache
def _regions() -> tuple[dict[str, str], frozenset[str]]:
    """Region names by 6-digit code, and the province codes, from python-stdnum's table.

    A county renamed over time is listed with year ranges (``[-2010]崇文区``); the name shown is
    the last one listed, which is the current or the most recent name.
    """
    names: dict[str, str] = {}
    provinces: set[str] = set()
    db = numdb.get("cn/loc")
    for _length, low, _high, props, children in db.prefixes:  # a tree of code prefixes
        provinces.add(low)
        province = props.get("province", "")
        counties = {low + c_low: c_props.get("county", "").split(",")[-1].split("]")[-1]
                    for _c_length, c_low, _c_high, c_props, _ in children}
        for code, county in counties.items():
            city = counties.get(code[:4] + "00", "") if code[4:] != "00" else ""
            if city in _NOT_A_CITY or city == county:
                city = ""
            names[code] = province if code.endswith("0000") else province + city + county
    # Residence permits of Taiwan residents use 830000, which is no region of the mainland table
    # (GB/T 2260); Hong Kong and Macau residents' permits use 810000/820000, which it has.
    provinces.add("83")
    names["830000"] = "台湾居民居住证"
    names["810000"], names["820000"] = "香港特别行政区", "澳门特别行政区"  # the table's are traditional
    return names, frozenset(provinces)


def compact(number: object) -> str:
    """Normalise: strip spaces, dashes, zero-width characters and quotes, full-width to ASCII, x to X,
    15 digits to 18.

    >>> compact("\u2018110105\u2014491231\u200b002 ")
    '11010519491231002X'
    """
    text = normalise_column(pd.Series([number], dtype=object)).iloc[0]
    return text if isinstance(text, str) else ""


def clean(number: object) -> str:
    """What :func:`compact` does before upgrading a 15-digit number: the characters as typed, cleaned.

    >>> clean(" 110105-491231-002 ")
    '110105491231002'
    """
    text = _clean_column(pd.Series([number], dtype=object)).iloc[0]
    return text if isinstance(text, str) else ""


def calc_check_digit(number: str) -> str:
    """The check character for the first 17 digits of ``number``.

    >>> calc_check_digit('11010519491231002')
    'X'
    """
    digits = np.frombuffer(number[:17].encode("ascii"), dtype=np.uint8).astype(np.int64) - 48
    return str(CHECK_CHARS[int(digits @ WEIGHTS) % 11])


def validate(number: object, today: dt.date | None = None) -> str:
    """Return the normalised 18-character number, or raise the precise ValidationError."""
    result = validate_column(pd.Series([number], dtype=object), today=today).iloc[0]
    if pd.notna(result["id_code"]):
        error = ERRORS[result["id_code"]](result["id_problem"])
        error.structure = result["id_problem_coded"]
        raise error
    return result["ssn"]


def is_valid(number: object) -> bool:
    """Whether the number is a valid identity number."""
    try:
        return bool(validate(number))
    except ValidationError:
        return False


def mask(number: str | None) -> str:
    """Hide the birth date and most of the sequence: ``110101********123X``.

    Values shorter than 15 characters keep only their first and last two characters (four
    stars for anything shorter than five).
    """
    if not isinstance(number, str) or not number:
        return ""
    return str(mask_column(pd.Series([number], dtype=object)).iloc[0])


def mask_column(numbers: pd.Series) -> pd.Series:
    """Vectorised :func:`mask`: first six and last four characters kept; blank stays missing."""
    text = numbers.astype("string").fillna("")
    length = text.str.len()
    long_form = text.str[:6] + "********" + text.str[-4:]
    short_form = text.str[:2] + "*" * 4 + text.str[-2:]
    out = long_form.where(length >= 15, short_form.where(length >= 5, "*" * 4))
    return out.where(length > 0, None).astype(object)


# An ID number's shape inside any text, as a whole run of digits (full-width digits too): 18 characters
# (17 digits and a check digit or X) with a birth date 19xx/20xx-mm-dd in them, 15 digits with a yymmdd
# one, or any other run of 16 or more digits (17, 19, 36…: a number mistyped, two run together). An
# 18-digit credit code or a 15-digit business registration number has no date there and stays as it is.
# Masked as :func:`mask` masks a number: first six and last four (three of a 15-digit one) kept. No
# look-around (Arrow's RE2 runs it): the characters around a run are matched and written back, so a
# run right after a masked one is masked by a second pass.


def _fw(chars: str) -> str:
    """A character class of ASCII digits ``chars`` and their full-width forms."""
    return "[" + chars + "".join(chr(ord(c) + 0xFEE0) for c in chars if c.isdigit()) + "]"


_D, _ND = "[0-9\uff10-\uff19]", "[^0-9\uff10-\uff19]"
_MONTH = f"(?:{_fw('0')}{_fw('123456789')}|{_fw('1')}{_fw('012')})"
_DAY = f"(?:{_fw('0')}{_fw('123456789')}|{_fw('12')}{_D}|{_fw('3')}{_fw('01')})"
_YEAR = f"(?:{_fw('1')}{_fw('9')}|{_fw('2')}{_fw('0')}){_D}{{2}}"
_ID18 = f"({_D}{{6}}){_YEAR}{_MONTH}{_DAY}({_D}{{3}}[0-9\uff10-\uff19Xx])"
_ID15 = f"({_D}{{6}}){_D}{{2}}{_MONTH}{_DAY}({_D}{{3}})"
_LONG = f"({_D}{{6}})(?:{_D}{{6}}|{_D}{{7}}|{_D}{{9,}})({_D}{{4}})"
ID_RUN = f"(^|{_ND})(?:{_ID18}|{_ID15}|{_LONG})($|{_ND})"
_ID_RUN = re.compile(ID_RUN)
_MASKED_RUN = r"\1\2\4\6********\3\5\7\8"  # unmatched groups are empty (Python's re and RE2 alike)
_ANY_RUN = f"{_D}{{15}}"  # the rows that may hold one
_TRAILING_DIGITS = re.compile(f"{_D}+$")


def mask_runs(values: pd.Series) -> pd.Series:
    """Every ID-shaped run (``ID_RUN``) in a column of text masked (``张三110105********0021``),
    vectorised (Arrow's regex over the rows that hold a run); missing stays missing. For messages and quoted
    cells: whatever column an ID number was typed into, no message quotes it in full (docs/security.md)."""
    text = values if isinstance(values.dtype, pd.StringDtype) else values.astype("string")
    hits = text.str.contains(_ANY_RUN, regex=True).fillna(False).to_numpy(dtype=bool)  # a third of a replace
    if not hits.any():
        return text
    out = text.copy()
    out[hits] = text[hits].str.replace(ID_RUN, _MASKED_RUN, regex=True)
    again = hits & out.str.contains(_ANY_RUN, regex=True).fillna(False).to_numpy(dtype=bool)
    if again.any():  # a run whose leading character the first pass's match took ("…0021,110105…")
        out[again] = out[again].str.replace(ID_RUN, _MASKED_RUN, regex=True)
    return out


def mask_text(text: str) -> str:
    """:func:`mask_runs` of one text."""
    return _ID_RUN.sub(_MASKED_RUN, _ID_RUN.sub(_MASKED_RUN, text))


def plain_text(text: object, limit: int) -> str:
    """Text that may be written where a cell must never appear as typed (an audit entry, a file name, a log
    line): control, format (bidi, zero-width) and separator characters out, whitespace runs one space,
    ID-shaped runs masked, at most ``limit`` characters; a cut ends in "…" and drops the digits it splits."""
    raw = "" if text is None else str(text)
    head = raw[:limit + 256]  # bounded before the per-character step: a cell may be megabytes
    kept = "".join(ch if ch.isprintable() else " " if ch.isspace() else "" for ch in head)
    out = mask_text(" ".join(kept.split()))
    if len(raw) > len(head) or len(out) > limit:
        out = _TRAILING_DIGITS.sub("", out[:max(limit - 1, 0)]) + "…"
    return out[:limit]


def _arrow(text: pd.Series) -> pa.Array:
    """The Arrow strings behind a ``string`` column, as one array (no copy of a one-chunk column)."""
    values = pa.array(text.array)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    return values.cast(pa.large_string())


def _text(value: str) -> pa.Scalar:
    return pa.scalar(value, type=pa.large_string())


def _string_series(values: pa.Array | pa.ChunkedArray, index: pd.Index) -> pd.Series:
    """A ``string`` column over Arrow strings, without a Python object per row."""
    return pd.Series(pd.arrays.ArrowStringArray(values.cast(pa.large_string())), index=index, copy=False)


def _byte_lengths(values: pa.Array) -> np.ndarray:
    """Length in bytes of every cell; -1 for a missing cell."""
    return pc.fill_null(pc.binary_length(values), -1).to_numpy(zero_copy_only=False)


def _byte_matrix(values: pa.Array, rows: np.ndarray, width: int) -> np.ndarray:
    """The bytes of the cells of ``rows`` (all exactly ``width`` bytes long) as a (rows, width) uint8 matrix."""
    chosen = values if rows.all() else values.filter(pa.array(rows))
    fixed = chosen.cast(pa.binary(width))
    data = np.frombuffer(fixed.buffers()[1], dtype=np.uint8) if len(fixed) else np.zeros(0, dtype=np.uint8)
    return data[fixed.offset * width:(fixed.offset + len(fixed)) * width].reshape(-1, width)


def _shaped(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Which cells are 17 ASCII digits and a digit or X (``[0-9]{17}[0-9X]``), and those cells' characters
    minus '0', one row of the (18, m) matrix per position: digits 0–9, X 40."""
    rows = _byte_lengths(values) == 18
    digits = np.ascontiguousarray(_byte_matrix(values, rows, 18).T) - np.uint8(48)
    ok = (digits[:17].max(axis=0, initial=0) < 10) & ((digits[17] < 10) | (digits[17] == _X - 48))
    rows[rows] = ok
    return rows, digits[:, ok]


def _clean_column(values: pd.Series, shaped: np.ndarray | None = None) -> pd.Series:
    """Cells as text without separators, full-width folded to ASCII, upper case; blank is NA.

    Most cells of a roster are already 18 clean characters: they are recognised by their bytes
    (``shaped``, when the caller knows already) and left alone; only the others are folded and stripped.
    """
    text = cells_as_text(values)
    values_ = _arrow(text)
    if shaped is None:
        shaped = _shaped(values_)[0]
    dirty = ~shaped & (_byte_lengths(values_) >= 0)  # NA stays NA
    if not dirty.any():
        return text
    rest = text[dirty]
    folded = ~pc.string_is_ascii(_arrow(rest)).to_numpy(zero_copy_only=False)  # NFKC leaves ASCII as it is
    if folded.any():
        rest = rest.copy()
        rest[folded] = rest[folded].str.normalize("NFKC")
    rest = (rest.str.replace(_SEPARATORS.pattern, "", regex=True).str.replace(_QUOTES.pattern, "", regex=True)
            .str.upper())
    rest = rest.mask(rest == "", pd.NA)
    text = text.copy()
    text[dirty] = rest
    return text


def normalise_column(values: pd.Series) -> pd.Series:
    """Normalise a column of raw cells to text as :func:`compact` does; numbers become digits.

    Number cells (an ID that Excel stored as a number) keep their integer digits; the reader
    flags them separately, because the digits after the 15th are already lost.
    """
    return _upgrade_fifteen(_clean_column(values))


def _upgrade_fifteen(text: pd.Series) -> pd.Series:
    """First-generation 15-digit numbers to 18: '19' before the year, check character appended."""
    fifteen = _byte_lengths(_arrow(text)) == 15  # the pattern only for those
    if not fifteen.any():
        return text
    fifteen[fifteen] = text[fifteen].str.fullmatch(r"[0-9]{15}").fillna(False).to_numpy(dtype=bool)
    if not fifteen.any():
        return text
    text = text.copy()
    upgraded = text[fifteen].str[:6] + "19" + text[fifteen].str[6:]
    text[fifteen] = upgraded + _check_chars(upgraded)
    return text


def cells_as_text(values: pd.Series) -> pd.Series:
    """Raw cells as a string column; number cells written as :func:`_cell_text` does.

    Columns read from CSV are text already and are converted without a per-cell step.
    """
    if pd.api.types.is_string_dtype(values) and not pd.api.types.is_object_dtype(values):
        return values.astype("string")
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):  # text cells only: no per-cell step
        return values.astype("string")
    return values.map(_cell_text, na_action="ignore").astype("string")


def _cell_text(value: object) -> str:
    """A cell as text: integral floats (Excel number cells) without '.0' or exponent."""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


def _digit_matrix(numbers: pd.Series) -> np.ndarray:
    """An (n, 17) integer matrix of the first 17 digits of equal-length digit strings."""
    joined = "".join(numbers.str[:17].tolist()).encode("ascii")
    return np.frombuffer(joined, dtype=np.uint8).reshape(-1, 17).astype(np.int64) - 48


def _check_chars(numbers: pd.Series) -> pd.Series:
    """Check characters of a column of strings whose first 17 characters are digits."""
    if numbers.empty:
        return numbers.astype("string")
    return pd.Series(CHECK_CHARS[(_digit_matrix(numbers) @ WEIGHTS) % 11], index=numbers.index,
                     dtype="string")


@functools.cache
def _tables() -> tuple[np.ndarray, np.ndarray, pa.Array, np.ndarray, np.ndarray]:
    """Lookup tables by number: the position in the region names of every 6-digit code (-1: none) and
    of every province's own code, the region names, whether a 2-digit province code is known and
    whether a 3-digit nationality code is."""
    names, provinces = _regions()
    region = np.full(1_000_000, -1, dtype=np.int32)
    for i, code in enumerate(names):
        if len(code) == 6 and code.isascii() and code.isdigit():
            region[int(code)] = i
    known_province = np.zeros(100, dtype=bool)
    known_province[[int(p) for p in provinces if len(p) == 2 and p.isascii() and p.isdigit()]] = True
    known_country = np.zeros(1000, dtype=bool)
    known_country[[int(c) for c in _countries()[0] if len(c) == 3 and c.isascii() and c.isdigit()]] = True
    return (region, region[np.arange(100) * 10000], pa.array(list(names.values()), type=pa.large_string()),
            known_province, known_country)


@functools.lru_cache(maxsize=2)
def _birth_days(today: dt.date) -> np.ndarray:
    """Days since 1900-01-01 of every possible birth date (1900-01-01 to ``today``) by its digits
    YYYYMMDD less 19000000; -1 where they are no date or a date outside those."""
    dates = np.arange(np.datetime64(FIRST_BIRTH_DATE.date(), "D"), np.datetime64(today, "D") + 1)
    months = dates.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (dates - months.astype("datetime64[D]")).astype(np.int64) + 1
    table = np.full(max(today.year - FIRST_BIRTH_DATE.year + 1, 1) * 10000, -1, dtype=np.int32)
    table[(year - FIRST_BIRTH_DATE.year) * 10000 + month * 100 + day] = np.arange(len(dates))
    return table


def _arrow_backed(values: pd.Series) -> bool:
    return isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow"


@functools.cache
def _region_keys() -> pa.Array:
    """The region codes, in the order of the region names (``_tables``)."""
    return pa.array(list(_regions()[0]), type=pa.large_string())


def _fixed_strings(chars: np.ndarray) -> pa.Array:
    """Arrow strings of the rows of an (m, width) uint8 matrix of ASCII characters."""
    m, width = chars.shape
    offsets = np.arange(0, (m + 1) * width, width, dtype=np.int64)
    return pa.Array.from_buffers(pa.large_string(), m, [None, pa.py_buffer(offsets),
                                                        pa.py_buffer(np.ascontiguousarray(chars))])


def _only(values: pa.Array, rows: np.ndarray) -> pa.Array:
    """``values`` where ``rows``, missing elsewhere (a new validity bitmap over the same data)."""
    if values.null_count:
        rows = rows & values.is_valid().to_numpy(zero_copy_only=False)
    bits = np.packbits(np.concatenate([np.zeros(values.offset, dtype=bool), rows]), bitorder="little")
    return pa.Array.from_buffers(values.type, len(values), [pa.py_buffer(bits), *values.buffers()[1:]],
                                 null_count=len(values) - int(rows.sum()), offset=values.offset)


def _spread(m: int, rows: np.ndarray, values: pa.Array) -> pa.Array:
    """``values`` placed at the rows of a column of ``m`` rows (positions ``rows``, sorted); the others missing."""
    if len(rows) == m:
        return values
    take = np.full(m, -1, dtype=np.int64)
    take[rows] = np.arange(len(rows))
    return values.cast(pa.large_string()).take(pa.array(take, mask=take < 0))


def _constant(value: str, m: int) -> pa.Array:
    """``m`` times the ASCII text ``value``."""
    return _fixed_strings(np.broadcast_to(np.frombuffer(value.encode("ascii"), dtype=np.uint8), (m, len(value))))


@dataclass
class _Fast:
    """What the layout of GB 11643 tells about well-formed numbers, one entry per number: valid,
    wrong check character, or left to the general checks; the result columns (missing where not
    valid; ``id_code`` and ``id_problem`` where the check character is wrong)."""

    good: np.ndarray
    bad_check: np.ndarray
    undecided: np.ndarray
    columns: dict[str, pa.Array]
    birth: np.ndarray   # datetime64[D]; meaningful where good


def _fast(digits: np.ndarray, today: dt.date) -> _Fast:
    """The checks of :func:`validate_column` for well-formed numbers (17 digits and a check character
    after normalising; ``digits``: their characters minus '0', one row per position, X 40), by integer
    arithmetic over whole columns. Only the outcomes that need no message beyond the check
    character's are decided: a number with a wrong birth date, province, permit address or
    nationality is left undecided, for :func:`_validate_rows` to name what is wrong."""
    m = digits.shape[1]
    i16 = np.int16
    total = np.zeros(m, dtype=i16)
    for i in range(17):
        total += digits[i] * i16(WEIGHTS[i])
    expected = total % i16(11)  # index into CHECK_CHARS
    given = np.where(digits[17] == _X - 48, np.uint8(10), digits[17])  # index into "0123456789X"
    bad = _CHECK_INDEX[expected] != given

    year = digits[6] * i16(1000) + digits[7] * i16(100) + digits[8] * i16(10) + digits[9]
    month_day = digits[10] * i16(1000) + digits[11] * i16(100) + digits[12] * i16(10) + digits[13]
    table = _birth_days(today)
    key = (year - i16(FIRST_BIRTH_DATE.year)).astype(np.int32) * 10000 + month_day
    days = table[np.where((key >= 0) & (key < len(table)), key, 0)]
    dated = days >= 0  # exists, not before 1900, not in the future

    region_table, province_region, region_names, known_province, known_country = _tables()
    foreign = digits[0] == 9
    province = np.where(foreign, digits[1] * np.uint8(10) + digits[2], digits[0] * np.uint8(10) + digits[1])
    permit = (digits[0] == 8) & (digits[1] - np.uint8(1) < 3)  # 81, 82, 83
    county = digits[2] * i16(1000) + digits[3] * i16(100) + digits[4] * i16(10) + digits[5]
    country = digits[3] * i16(100) + digits[4] * i16(10) + digits[5]
    good = ~bad & dated & known_province[province] & (~permit | (county == 0)) & (~foreign | known_country[country])
    undecided = ~bad & ~good

    name = region_table[province.astype(np.int32) * 10000 + np.where(foreign, i16(0), county)]
    unknown_county = good & (name < 0)
    name = np.where(name < 0, province_region[province], name)
    code_chars = np.empty((6, m), dtype=np.uint8)
    code_chars[0] = np.where(foreign, digits[1], digits[0])
    code_chars[1] = np.where(foreign, digits[2], digits[1])
    code_chars[2:] = np.where(foreign, np.uint8(0), digits[2:6])
    code_chars += np.uint8(48)
    columns = {
        "kind": _only(_KINDS.take(np.where(foreign, np.uint8(2), permit.view(np.uint8))), good),
        "sex": _only(_fixed_strings(np.where(digits[16] & 1, np.uint8(ord("M")), np.uint8(ord("F")))[:, None]), good),
        "region_code": _only(_fixed_strings(code_chars.T), good),
        "region": region_names.take(pa.array(name, mask=(name < 0) | ~good)),
    }
    _fast_messages(columns, m, unknown_county, bad, expected, given)
    birth = (days.astype(np.int64) + _DAYS_1900).astype("datetime64[D]")
    return _Fast(good, bad, undecided, columns, birth)


def _fast_messages(columns: dict[str, pa.Array], m: int, unknown_county: np.ndarray, bad: np.ndarray,
                   expected: np.ndarray, given: np.ndarray) -> None:
    """The warnings (a county the table lacks) and problems (a wrong check character) of :func:`_fast`'s
    numbers, with their structure, into ``columns`` (catalogue templates, built column-wise)."""
    if unknown_county.any():
        rows = np.flatnonzero(unknown_county)
        codes = _string_series(columns["region_code"].take(rows), pd.RangeIndex(len(rows)))
        warning, coded = catalogue.message(WARNING_UNKNOWN_COUNTY, codes.index, code=codes)
        columns["id_warning"] = _spread(m, rows, _arrow(warning))
        columns["id_warning_coded"] = _spread(m, rows, _arrow(catalogue.as_list(coded)))
        columns["id_warning_code"] = _spread(m, rows, _constant(WARNING_UNKNOWN_COUNTY, len(rows)))
    if bad.any():
        rows = np.flatnonzero(bad)
        where = pd.RangeIndex(len(rows))
        problem, coded = catalogue.message(InvalidChecksum.code, where,
                                           expected=_string_series(_CHECK_TEXT.take(expected[rows]), where),
                                           found=_string_series(_DIGIT_TEXT.take(given[rows]), where))
        columns["id_problem"] = _spread(m, rows, _arrow(problem))
        columns["id_problem_coded"] = _spread(m, rows, _arrow(catalogue.as_list(coded)))
        columns["id_code"] = _only(_constant(InvalidChecksum.code, m), bad)


def validate_column(raw: pd.Series, today: dt.date | None = None,
                    number_cell: pd.Series | None = None, dates_as_datetime: bool = False) -> pd.DataFrame:
    """Validate a whole column of identity numbers at once; one result row per input row.

    ``number_cell`` marks cells that a spreadsheet stored as numbers (digits beyond the 15th lost).
    ``birth_date`` holds ``datetime.date`` objects, or a datetime64 column with ``dates_as_datetime``
    (what a whole roster wants: no Python object per row).
    Checks go cheapest first; each row gets the first problem found, as a stable code
    (``id_code``, see ``ERRORS``) and a message (``id_problem``) quoting what was wrong.

    Well-formed numbers (17 digits and a check character after normalising, most of a roster) are
    checked by integer arithmetic on their bytes (:func:`_fast`); the others, and those with a wrong
    birth date, province, permit address or nationality, go through :func:`_validate_rows`, which
    names precisely what is wrong. Both give the same result for a row.
    """
    today = today or dt.date.today()
    n = len(raw)
    original_index = raw.index
    raw = raw.reset_index(drop=True)  # positions, so that repeated labels cannot misalign masks
    if number_cell is not None:
        number_cell = number_cell.reset_index(drop=True)
    index = raw.index
    cells = cells_as_text(raw)
    values = _arrow(cells)
    shaped, digits = _shaped(values)
    cleaned = text = cells
    if (~shaped & (_byte_lengths(values) >= 0)).any():  # some to clean or upgrade
        cleaned = _clean_column(cells, shaped)
        text = _upgrade_fifteen(cleaned)
        values = _arrow(text)
        shaped, digits = _shaped(values)
    if number_cell is not None:  # a number cell longer than 15 digits: the general checks say so
        flagged = number_cell.fillna(False).astype(bool).to_numpy(dtype=bool)
        if len(flagged) != n:
            flagged = np.ones(n, dtype=bool)
        digits = digits[:, ~flagged[shaped]]
        shaped = shaped & ~flagged
    at = np.flatnonzero(shaped)  # the well-formed numbers' positions
    fast = _fast(digits, today)
    rest = ~shaped
    rest[at[fast.undecided]] = True
    rest_at = np.flatnonzero(rest)
    general = None
    if len(rest_at) == n:  # none decided by the layout alone
        out = _validate_rows(cleaned, text, today, number_cell)
        if not dates_as_datetime:
            out["birth_date"] = out["birth_date"].dt.date.astype(object)
        out.index = original_index
        return out
    if len(rest_at):
        general = _validate_rows(cleaned.iloc[rest_at].reset_index(drop=True),
                                 text.iloc[rest_at].reset_index(drop=True), today,
                                 None if number_cell is None else number_cell.iloc[rest_at].reset_index(drop=True))
    spread = None if len(at) == n else pa.array(np.where(shaped, np.cumsum(shaped) - 1, 0), mask=~shaped)

    def column(name: str) -> pd.Series:
        part = fast.columns.get(name)
        values_ = pa.nulls(n, pa.large_string()) if part is None else part if spread is None else part.take(spread)
        if general is not None:
            values_ = pc.replace_with_mask(values_.cast(pa.large_string()), pa.array(rest),
                                           _arrow(general[name]).cast(pa.large_string()))
        return _string_series(values_, index)

    valid = np.zeros(n, dtype=bool)
    valid[at[fast.good]] = True
    if general is not None:
        valid[rest_at] = general["id_code"].isna().to_numpy(dtype=bool)

    # the birth date's unit follows pandas' parsing of the written dates: microseconds once any parses
    parsed = fast.good.any() or (general is not None and general["birth_date"].dtype == "datetime64[us]")
    if not parsed and fast.bad_check.any():
        written = pc.utf8_slice_codeunits(values.take(at[fast.bad_check]), 6, 14)
        written = _string_series(written, pd.RangeIndex(len(written)))
        parsed = bool(pd.to_datetime(written, format="%Y%m%d", errors="coerce").notna().any())
    unit = "us" if parsed else "s"
    birth_values = np.full(n, np.datetime64("NaT"), dtype=f"datetime64[{unit}]")
    birth_values[at[fast.good]] = fast.birth[fast.good]
    if general is not None:
        birth_values[rest_at] = general["birth_date"].to_numpy()
    birth = pd.Series(birth_values, index=index)

    out = pd.DataFrame({
        "ssn": _string_series(_only(values, valid), index),
        "id_code": column("id_code"),
        "id_problem": column("id_problem"),
        "id_warning": column("id_warning"),
        "id_warning_code": column("id_warning_code"),
        "kind": column("kind"),
        "birth_date": birth if dates_as_datetime else birth.dt.date.astype(object),
        "sex": column("sex"),
        "region_code": column("region_code"),
        "region": column("region"),
        "id_problem_coded": column("id_problem_coded"),
        "id_warning_coded": column("id_warning_coded"),
    }, index=index)
    assert len(out) == n
    out.index = original_index
    return out


def _validate_rows(cleaned: pd.Series, text: pd.Series, today: dt.date, number_cell: pd.Series | None
                   ) -> pd.DataFrame:
    """:func:`validate_column` for any cells, check by check, given them cleaned (:func:`_clean_column`)
    and normalised (:func:`normalise_column`), with a positional index; ``birth_date`` as datetime64."""
    n = len(text)
    index = text.index
    code = pd.Series(pd.NA, index=index, dtype="string")
    detail = pd.Series(pd.NA, index=index, dtype="string")
    coded = pd.Series(pd.NA, index=index, dtype="string")

    def fail(mask_: pd.Series, error: type[ValidationError], key: str | None = None,
             **params: Callable[[pd.Series], pd.Series]) -> None:
        """Give ``error`` to the rows of ``mask_`` that have no problem yet: the catalogue message ``key``
        (default: the error's code), its parameters (of the rows hit) built for those rows only."""
        hit = mask_.fillna(False) & code.isna()
        if hit.any():
            code[hit] = error.code
            text, entry = catalogue.message(key or error.code, index[hit.to_numpy(dtype=bool)],
                                            **{name: param(hit) for name, param in params.items()})
            detail[hit] = text
            coded[hit] = catalogue.as_list(entry)

    fail(text.isna(), Missing)
    if number_cell is not None:
        # Excel keeps 15 significant digits: a 15-digit number cell is whole, a longer one is not
        long_number = number_cell.fillna(False).astype(bool) & (cleaned.str.len() > 15).fillna(False)
        fail(long_number, NumberCell)
    # the shape checks look only at numbers that are not 17 digits and a check character already
    shaped = text.str.fullmatch(r"[0-9]{17}[0-9X]").fillna(True).to_numpy(dtype=bool)
    old_card = np.zeros(n, dtype=bool)
    old_card[~shaped] = text[~shaped].str.fullmatch(_OLD_PR_CARD.pattern).fillna(False).to_numpy(dtype=bool)
    if old_card.any():  # 3 letters (nationality, ISO 3166-1 alpha-3) + 12 digits
        alpha3 = text[old_card].str[:3]
        fail((~alpha3.isin(list(_countries()[1]))).reindex(index, fill_value=False), UnknownNationality,
             "id_nationality_alpha3", code=lambda hit: text[hit].str[:3])
        shaped = shaped | old_card
    odd = text[~shaped]

    def on_odd(mask_: pd.Series) -> pd.Series:
        return mask_.reindex(index, fill_value=False)

    fail(on_odd(odd.str.fullmatch(_SCIENTIFIC.pattern)), ExcelMangled)
    # the message names the offending characters only: an ID number never goes into a message
    fail(on_odd(~odd.str.fullmatch(r"[0-9X]*").fillna(True)), InvalidFormat,
         chars=lambda hit: text[hit].str.replace(r"[0-9X]", "", regex=True).str[:10])
    length = odd.str.len()
    fail(on_odd(length != 18), InvalidLength, n=lambda hit: length.reindex(index)[hit].astype("int64"))
    fail(pd.Series(~shaped, index=index), InvalidFormat, "id_format_x")
    new_shape = pd.Series(~old_card, index=index)  # the checks below are those of GB 11643's layout

    ok = code.isna() & new_shape
    cand = text[ok]
    expected = _check_chars(cand)
    bad_check = cand.str[17] != expected
    fail(bad_check.reindex(index, fill_value=False), InvalidChecksum,
         expected=lambda hit: expected[hit[hit].index], found=lambda hit: cand.str[17][hit[hit].index])

    birth = pd.to_datetime(text.str[6:14].where(new_shape), format="%Y%m%d", errors="coerce")
    ok = code.isna() & new_shape
    fail(ok & birth.isna(), InvalidBirthDate, date=lambda hit: text[hit].str[6:14])
    fail(ok & (birth < FIRST_BIRTH_DATE), InvalidBirthDate, "id_birth_before_1900",
         date=lambda hit: text[hit].str[6:14])
    fail(ok & (birth > pd.Timestamp(today)), FutureBirthDate, date=lambda hit: text[hit].str[6:14])

    names, provinces = _regions()
    foreign = (text.str[0] == "9") & new_shape
    province = text.str[1:3].where(foreign, text.str[:2])
    fail(new_shape & ~province.isin(list(provinces)), UnknownProvince, code=lambda hit: province[hit])
    permit = new_shape & text.str[:2].isin(list(PERMIT_PREFIXES))
    fail(permit & ~text.str[:6].isin(PERMIT_ADDRESS_CODES), InvalidPermitAddress, code=lambda hit: text[hit].str[:6])
    if foreign.any():  # GB/T 2659 = ISO 3166-1 numeric; 000 and other unassigned codes name no country
        fail(foreign & ~text.str[3:6].isin(list(_countries()[0])), UnknownNationality,
             code=lambda hit: text[hit].str[3:6])

    valid = code.isna()
    kind = kind_column(text)
    region_code = text.str[:6].where(~foreign, text.str[1:3] + "0000").where(new_shape)
    region = region_column(region_code)
    unknown_county = (valid & region_code.notna() & ~region_code.isin(list(names))).fillna(False)
    warning = pd.Series(pd.NA, index=index, dtype="string")
    warning_code = pd.Series(pd.NA, index=index, dtype="string")
    warning_coded = pd.Series(pd.NA, index=index, dtype="string")
    for rows, key, params in ((unknown_county, WARNING_UNKNOWN_COUNTY, {"code": region_code}),
                              (valid & ~new_shape, WARNING_OLD_PR_CARD, {})):
        if rows.any():
            at = index[rows.to_numpy(dtype=bool)]
            warning[at], entry = catalogue.message(key, at, **{k: v[at] for k, v in params.items()})
            warning_coded[at] = catalogue.as_list(entry)
            warning_code[at] = key

    sequence_odd = text.str[16].isin(["1", "3", "5", "7", "9"]).fillna(False)  # GB 11643: odd = male
    sex = pd.Series(np.where(sequence_odd.to_numpy(bool), "M", "F"), index=index, dtype="string")
    sex = sex.where(new_shape)
    out = pd.DataFrame({
        "ssn": text.where(valid),
        "id_code": code,
        "id_problem": detail,
        "id_warning": warning,
        "id_warning_code": warning_code,
        "kind": kind.where(valid),
        "birth_date": birth.where(valid),
        "sex": sex.where(valid),
        "region_code": region_code.where(valid),
        "region": region.where(valid),
        "id_problem_coded": coded,
        "id_warning_coded": warning_coded,
    }, index=index)
    assert len(out) == n
    return out


def kind_column(numbers: pd.Series) -> pd.Series:
    """Which document each number is: ``resident``, ``hkmo_tw_permit`` (81/82/83) or
    ``foreign_permanent`` (starts with 9, or a pre-2023 card: starts with a letter), by its leading
    characters.

    >>> kind_column(pd.Series(["11010519491231002X", "810000199901010012", "9", "USA123456789012"])).tolist()
    ['resident', 'hkmo_tw_permit', 'foreign_permanent', 'foreign_permanent']
    """
    if _arrow_backed(numbers):  # the same tests as below, as Arrow kernels
        values = _arrow(numbers)
        permit = pc.fill_null(pc.match_substring_regex(values, "^8[123]"), False).to_numpy(zero_copy_only=False)
        foreign = pc.fill_null(pc.match_substring_regex(values, "^[9A-Z]"), False).to_numpy(zero_copy_only=False)
        return _string_series(_KINDS.take(np.where(foreign, np.uint8(2), permit.view(np.uint8))), numbers.index)
    kind = pd.Series("resident", index=numbers.index, dtype="string")
    kind[numbers.str[:2].isin(list(PERMIT_PREFIXES)).fillna(False).to_numpy(bool)] = "hkmo_tw_permit"
    kind[numbers.str[0].str.contains("[9A-Z]", regex=True).fillna(False).to_numpy(bool)] = "foreign_permanent"
    return kind


def region_column(region_codes: pd.Series) -> pd.Series:
    """Region names of 6-digit codes; a county the table does not know is named by its province
    (tables lag behind new districts: the number stays valid, shared README section 4)."""
    names, _ = _regions()
    if _arrow_backed(region_codes):  # the same lookups as below, as Arrow kernels
        values, keys = _arrow(region_codes), _region_keys()
        found = pc.index_in(values, value_set=keys)
        if found.null_count > values.null_count:
            province = pc.binary_join_element_wise(pc.utf8_slice_codeunits(values, 0, 2), _text("0000"), _text(""))
            found = pc.coalesce(found, pc.index_in(province, value_set=keys))
        return _string_series(_tables()[2].take(found), region_codes.index)
    region = region_codes.map(names).astype("string")
    unknown = (region_codes.notna() & region.isna()).to_numpy(bool)
    if unknown.any():
        region[unknown] = (region_codes[unknown].str[:2] + "0000").map(names).astype("string")
    return region


def _quoted(values: pd.Series) -> pd.Series:
    return "'" + values.astype("string").fillna("") + "'"


@dataclass
class IdReport:
    """Everything ``python -m compliance id`` prints about one number (contract section 7)."""

    input: str
    valid: bool
    kind: str | None
    ssn: str | None
    birth_date: str | None
    sex: str | None
    region_code: str | None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    region: str | None = None


def explain(number: str, today: dt.date | None = None) -> IdReport:
    """Explain one number: validity with the exact problem, and what it encodes."""
    return report_of(number, validate_column(pd.Series([number], dtype=object), today=today).iloc[0])


def report_of(number: str, row: pd.Series) -> IdReport:
    """The report of one row of :func:`validate_column`'s result."""

    def value(key: str) -> str | None:
        v = row[key]
        return None if pd.isna(v) else str(v)

    return IdReport(
        input=number, valid=value("id_code") is None, kind=value("kind"), ssn=value("ssn"),
        birth_date=value("birth_date"), sex=value("sex"), region_code=value("region_code"),
        problems=[catalogue.coded_text(p, row.get("id_problem_coded")) for p in [value("id_problem")] if p],
        warnings=[catalogue.coded_text(w, row.get("id_warning_coded")) for w in [value("id_warning")] if w],
        region=value("region"))


def known_regions() -> Iterable[str]:
    """The 6-digit region codes the table knows (for generators and tests)."""
    return _regions()[0].keys()
