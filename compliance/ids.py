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
from stdnum import exceptions as stdnum_exceptions
from stdnum import numdb

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


class ValidationError(stdnum_exceptions.ValidationError):
    """The identity number is not valid."""

    code = "id_invalid"
    message = "The identity number is not valid."

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else self.message


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
                  "region_code", "region"]


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
        raise ERRORS[result["id_code"]](result["id_problem"])
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


def _clean_column(values: pd.Series) -> pd.Series:
    """Cells as text without separators, full-width folded to ASCII, upper case; blank is NA.

    Most cells of a roster are already 18 clean characters: they are recognised with one
    C-speed pattern test and left alone; only the others are folded and stripped.
    """
    text = cells_as_text(values)
    dirty = ~text.str.fullmatch(r"[0-9]{17}[0-9X]").fillna(True).to_numpy(dtype=bool)
    if dirty.any():
        rest = (text[dirty].str.normalize("NFKC").str.replace(_SEPARATORS.pattern, "", regex=True)
                .str.replace(_QUOTES.pattern, "", regex=True).str.upper())
        text = text.copy()
        text[dirty] = rest
    return text.mask(text == "", pd.NA)


def normalise_column(values: pd.Series) -> pd.Series:
    """Normalise a column of raw cells to text as :func:`compact` does; numbers become digits.

    Number cells (an ID that Excel stored as a number) keep their integer digits; the reader
    flags them separately, because the digits after the 15th are already lost.
    """
    return _upgrade_fifteen(_clean_column(values))


def _upgrade_fifteen(text: pd.Series) -> pd.Series:
    """First-generation 15-digit numbers to 18: '19' before the year, check character appended."""
    text = text.copy()
    fifteen = (text.str.len() == 15).fillna(False).to_numpy(dtype=bool)  # the pattern only for those
    fifteen[fifteen] = text[fifteen].str.fullmatch(r"[0-9]{15}").fillna(False).to_numpy(dtype=bool)
    if fifteen.any():
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


def validate_column(raw: pd.Series, today: dt.date | None = None,
                    number_cell: pd.Series | None = None, dates_as_datetime: bool = False) -> pd.DataFrame:
    """Validate a whole column of identity numbers at once; one result row per input row.

    ``number_cell`` marks cells that a spreadsheet stored as numbers (digits beyond the 15th lost).
    ``birth_date`` holds ``datetime.date`` objects, or a datetime64 column with ``dates_as_datetime``
    (what a whole roster wants: no Python object per row).
    Checks go cheapest first; each row gets the first problem found, as a stable code
    (``id_code``, see ``ERRORS``) and a message (``id_problem``) quoting what was wrong.
    """
    today = today or dt.date.today()
    n = len(raw)
    original_index = raw.index
    raw = raw.reset_index(drop=True)  # positions, so that repeated labels cannot misalign masks
    if number_cell is not None:
        number_cell = number_cell.reset_index(drop=True)
    index = raw.index
    cleaned = _clean_column(raw)
    text = _upgrade_fifteen(cleaned)
    code = pd.Series(pd.NA, index=index, dtype="string")
    detail = pd.Series(pd.NA, index=index, dtype="string")

    def fail(mask_: pd.Series, error: type[ValidationError],
             message: Callable[[pd.Series], pd.Series] | str | None = None) -> None:
        """Give ``error`` to the rows of ``mask_`` that have no problem yet; message built for those only."""
        hit = mask_.fillna(False) & code.isna()
        if hit.any():
            code[hit] = error.code
            detail[hit] = message(hit) if callable(message) else (message or error.message)

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
             lambda hit: "The nationality code " + text[hit].str[:3] + " names no country (ISO 3166-1 alpha-3)")
        shaped = shaped | old_card
    odd = text[~shaped]

    def on_odd(mask_: pd.Series) -> pd.Series:
        return mask_.reindex(index, fill_value=False)

    fail(on_odd(odd.str.fullmatch(_SCIENTIFIC.pattern)), ExcelMangled)
    # the message names the offending characters only: an ID number never goes into a message
    fail(on_odd(~odd.str.fullmatch(r"[0-9X]*").fillna(True)), InvalidFormat,
         lambda hit: "Only digits and a final X are allowed; found " + _quoted(
             text[hit].str.replace(r"[0-9X]", "", regex=True).str[:10]))
    length = odd.str.len()
    fail(on_odd(length != 18), InvalidLength,
         lambda hit: "Expected 18 characters (or 15 digits), got " + length.reindex(index)[hit].astype("string"))
    fail(pd.Series(~shaped, index=index), InvalidFormat, "X may only be the last character")
    new_shape = pd.Series(~old_card, index=index)  # the checks below are those of GB 11643's layout

    ok = code.isna() & new_shape
    cand = text[ok]
    expected = _check_chars(cand)
    bad_check = cand.str[17] != expected
    fail(bad_check.reindex(index, fill_value=False), InvalidChecksum,
         lambda hit: "The check character should be " + expected[hit] + ", not " + cand.str[17][hit])

    birth = pd.to_datetime(text.str[6:14].where(new_shape), format="%Y%m%d", errors="coerce")
    ok = code.isna() & new_shape
    fail(ok & birth.isna(), InvalidBirthDate,
         lambda hit: "The birth date " + text[hit].str[6:14] + " in the number does not exist")
    fail(ok & (birth < FIRST_BIRTH_DATE), InvalidBirthDate,
         lambda hit: "The birth date " + text[hit].str[6:14] + " lies before 1900: impossible")
    fail(ok & (birth > pd.Timestamp(today)), FutureBirthDate,
         lambda hit: "The birth date " + text[hit].str[6:14] + " lies in the future")

    names, provinces = _regions()
    foreign = (text.str[0] == "9") & new_shape
    province = text.str[1:3].where(foreign, text.str[:2])
    fail(new_shape & ~province.isin(list(provinces)), UnknownProvince,
         lambda hit: "Unknown province code " + province[hit])
    permit = new_shape & text.str[:2].isin(list(PERMIT_PREFIXES))
    fail(permit & ~text.str[:6].isin(PERMIT_ADDRESS_CODES), InvalidPermitAddress,
         lambda hit: "A residence permit's address code is 810000, 820000 or 830000, not " + text[hit].str[:6])
    if foreign.any():  # GB/T 2659 = ISO 3166-1 numeric; 000 and other unassigned codes name no country
        fail(foreign & ~text.str[3:6].isin(list(_countries()[0])), UnknownNationality,
             lambda hit: "The nationality code " + text[hit].str[3:6] + " names no country (GB/T 2659)")

    valid = code.isna()
    kind = kind_column(text)
    region_code = text.str[:6].where(~foreign, text.str[1:3] + "0000").where(new_shape)
    region = region_column(region_code)
    unknown_county = (valid & region_code.notna() & ~region_code.isin(list(names))).fillna(False)
    warning = pd.Series(pd.NA, index=index, dtype="string")
    warning_code = pd.Series(pd.NA, index=index, dtype="string")
    if unknown_county.any():
        warning[unknown_county] = ("Region code " + region_code[unknown_county]
                                   + " is not in the region table (a newer district?); the number stays valid")
        warning_code[unknown_county] = WARNING_UNKNOWN_COUNTY
    old_valid = valid & ~new_shape
    if old_valid.any():
        warning[old_valid] = ("The pre-2023 foreign permanent resident card: valid until it expires; only its "
                              "nationality code can be checked")
        warning_code[old_valid] = WARNING_OLD_PR_CARD

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
        "birth_date": birth.where(valid) if dates_as_datetime else birth.where(valid).dt.date.astype(object),
        "sex": sex.where(valid),
        "region_code": region_code.where(valid),
        "region": region.where(valid),
    }, index=index)
    assert len(out) == n
    out.index = original_index
    return out


def kind_column(numbers: pd.Series) -> pd.Series:
    """Which document each number is: ``resident``, ``hkmo_tw_permit`` (81/82/83) or
    ``foreign_permanent`` (starts with 9, or a pre-2023 card: starts with a letter), by its leading
    characters.

    >>> kind_column(pd.Series(["11010519491231002X", "810000199901010012", "9", "USA123456789012"])).tolist()
    ['resident', 'hkmo_tw_permit', 'foreign_permanent', 'foreign_permanent']
    """
    kind = pd.Series("resident", index=numbers.index, dtype="string")
    kind[numbers.str[:2].isin(list(PERMIT_PREFIXES)).fillna(False).to_numpy(bool)] = "hkmo_tw_permit"
    kind[numbers.str[0].str.contains("[9A-Z]", regex=True).fillna(False).to_numpy(bool)] = "foreign_permanent"
    return kind


def region_column(region_codes: pd.Series) -> pd.Series:
    """Region names of 6-digit codes; a county the table does not know is named by its province
    (tables lag behind new districts: the number stays valid, shared README section 4)."""
    names, _ = _regions()
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
        problems=[p for p in [value("id_problem")] if p],
        warnings=[w for w in [value("id_warning")] if w], region=value("region"))


def known_regions() -> Iterable[str]:
    """The 6-digit region codes the table knows (for generators and tests)."""
    return _regions()[0].keys()
