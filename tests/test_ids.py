"""Identity numbers = social security numbers (shared README section 4, GB 11643-1999).

Every expected check character below comes from this file's own implementation of GB 11643-1999
(``check_char``, written from the standard, not from ``compliance.ids``) or is worked out by hand
in a comment. Expected region names, birth dates and sexes are read off the numbers by hand.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import unicodedata

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum import exceptions as stdnum_exceptions

from compliance import cli, ids

# GB 11643-1999: weight of position i (1-based from the left) is 2**(18-i) mod 11.
GB_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
# check = (12 - sum mod 11) mod 11, 10 written X; indexed by sum mod 11:
# 0->1, 1->0, 2->X, 3->9, 4->8, 5->7, 6->6, 7->5, 8->4, 9->3, 10->2
GB_CHECK = "10X98765432"
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def check_char(first17: str) -> str:
    """The test's own GB 11643-1999 check character of 17 ASCII digits."""
    assert len(first17) == 17 and first17.isascii() and first17.isdigit()
    return GB_CHECK[sum(int(c) * w for c, w in zip(first17, GB_WEIGHTS, strict=True)) % 11]


def with_check(first17: str) -> str:
    return first17 + check_char(first17)


# --- worked by hand ------------------------------------------------------------------------------
# 11010519491231002 (Beijing Chaoyang, born 1949-12-31, sequence 002):
#   digits   1  1  0  1  0  5  1  9  4  9  1  2  3  1  0  0  2
#   weights  7  9 10  5  8  4  2  1  6  3  7  9 10  5  8  4  2
#   products 7  9  0  5  0 20  2  9 24 27  7 18 30  5  0  0  4  -> sum 167
#   167 mod 11 = 2 -> (12 - 2) mod 11 = 10 -> 'X'
CHAOYANG_F = "11010519491231002X"
# 44030519900307123 (Shenzhen Nanshan, born 1990-03-07, sequence 123):
#   digits   4  4  0  3  0  5  1  9  9  0  0  3  0  7  1  2  3
#   products 28 36 0 15  0 20  2  9 54  0  0 27  0 35  8  8  6  -> sum 248
#   248 mod 11 = 6 (242 = 22*11) -> (12 - 6) mod 11 = 6 -> '6'
NANSHAN_M = "440305199003071236"
# Its first-generation form drops '19' and the check character: 440305 900307 123.
NANSHAN_15 = "440305900307123"
# 11010119900107123 (Beijing Dongcheng, born 1990-01-07, sequence 123):
#   region 1*7+1*9+0*10+1*5+0*8+1*4 = 25; date 1*2+9*1+9*6+0*3+0*7+1*9+0*10+7*5 = 109;
#   sequence 1*8+2*4+3*2 = 22; sum 156, 156 mod 11 = 2 -> 'X'
DONGCHENG_M = "11010119900107123X"

TODAY = dt.date(2025, 11, 20)


def test_hand_worked_check_characters_agree_with_own_implementation() -> None:
    assert check_char(CHAOYANG_F[:17]) == "X"
    assert check_char(NANSHAN_M[:17]) == "6"
    assert check_char(DONGCHENG_M[:17]) == "X"
    assert ids.calc_check_digit(CHAOYANG_F[:17]) == "X"
    assert ids.calc_check_digit(NANSHAN_M[:17]) == "6"


# --- valid numbers and normalisation -------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    (CHAOYANG_F, CHAOYANG_F),
    (NANSHAN_M, NANSHAN_M),
    (DONGCHENG_M, DONGCHENG_M),
    ("11010519491231002x", CHAOYANG_F),                      # lowercase x
    ("110105 19491231 002X", CHAOYANG_F),                    # spaces
    ("110105-19491231-002X", CHAOYANG_F),                    # dashes
    ("  11010119900107123x  ", DONGCHENG_M),                 # padding and lowercase
    ("１１０１０５１９４９１２３１００２Ｘ", CHAOYANG_F),          # full-width digits and X
    ("４４０３０５ １９９００３０７ １２３６", NANSHAN_M),          # full-width with spaces
    ("１１０１０１１９９００１０７１２３ｘ", DONGCHENG_M),         # full-width lowercase x
    (NANSHAN_15, NANSHAN_M),                                 # 15 digits: '19' inserted, check '6' (above)
    ("440305-900307-123", NANSHAN_M),                        # 15 digits with dashes
])
def test_valid_numbers_normalise_to_18_characters(raw: str, expected: str) -> None:
    assert ids.validate(raw, today=TODAY) == expected
    assert ids.compact(raw) == expected
    assert ids.is_valid(raw)


def test_fifteen_digit_upgrade_by_hand() -> None:
    # 110105491231002 -> 11010519491231002 + check; the check is 'X' (worked out above).
    assert ids.compact("110105491231002") == CHAOYANG_F
    assert ids.validate("110105491231002") == CHAOYANG_F


@pytest.mark.parametrize(("prefix", "region"), [
    ("810000", "香港特别行政区"),
    ("820000", "澳门特别行政区"),
    ("830000", "台湾居民居住证"),
])
def test_residence_permits(prefix: str, region: str) -> None:
    number = with_check(prefix + "19880808" + "101")
    row = ids.validate_column(pd.Series([number], dtype=object), today=TODAY).iloc[0]
    assert row["ssn"] == number
    assert pd.isna(row["id_code"])
    assert row["kind"] == "hkmo_tw_permit"
    assert row["region_code"] == prefix
    assert row["region"] == region
    assert row["birth_date"] == dt.date(1988, 8, 8)
    assert row["sex"] == "M"


def test_resident_kind() -> None:
    row = ids.validate_column(pd.Series([NANSHAN_M], dtype=object), today=TODAY).iloc[0]
    assert row["kind"] == "resident"


def test_foreign_permanent_resident_2023() -> None:
    # 9 | 11 (accepting province: Beijing) | 840 (nationality) | 19850615 | 124 | check
    number = with_check("9" + "11" + "840" + "19850615" + "124")
    row = ids.validate_column(pd.Series([number], dtype=object), today=TODAY).iloc[0]
    assert row["ssn"] == number
    assert row["kind"] == "foreign_permanent"
    assert row["birth_date"] == dt.date(1985, 6, 15)
    assert row["sex"] == "F"
    assert row["region_code"] == "110000"
    assert row["region"] == "北京市"
    assert ids.validate(number, today=TODAY) == number


# --- problems and their stable codes -------------------------------------------------------------

STABLE_CODES = {
    ids.Missing: "id_missing",
    ids.ExcelMangled: "id_scientific",
    ids.NumberCell: "id_number_cell",
    ids.InvalidFormat: "id_format",
    ids.InvalidLength: "id_length",
    ids.InvalidChecksum: "id_checksum",
    ids.InvalidBirthDate: "id_birth_date",
    ids.FutureBirthDate: "id_birth_future",
    ids.UnknownProvince: "id_province",
    ids.InvalidPermitAddress: "id_permit_address",
    ids.UnknownNationality: "id_nationality",
}


def test_error_codes_are_stable_and_unique() -> None:
    assert {cls: cls.code for cls in STABLE_CODES} == STABLE_CODES
    assert {code: cls for cls, code in STABLE_CODES.items()} == ids.ERRORS


@pytest.mark.parametrize(("cls", "base"), [
    (ids.ValidationError, stdnum_exceptions.ValidationError),
    (ids.Missing, stdnum_exceptions.ValidationError),
    (ids.ExcelMangled, stdnum_exceptions.InvalidFormat),
    (ids.NumberCell, stdnum_exceptions.InvalidFormat),
    (ids.InvalidFormat, stdnum_exceptions.InvalidFormat),
    (ids.InvalidLength, stdnum_exceptions.InvalidLength),
    (ids.InvalidChecksum, stdnum_exceptions.InvalidChecksum),
    (ids.InvalidBirthDate, stdnum_exceptions.InvalidComponent),
    (ids.FutureBirthDate, stdnum_exceptions.InvalidComponent),
    (ids.UnknownProvince, stdnum_exceptions.InvalidComponent),
])
def test_exceptions_subclass_stdnum(cls: type, base: type) -> None:
    assert issubclass(cls, base)
    assert issubclass(cls, ids.ValidationError)


def test_stdnum_handlers_catch_our_errors() -> None:
    with pytest.raises(stdnum_exceptions.InvalidChecksum):
        ids.validate("110105194912310021")
    with pytest.raises(stdnum_exceptions.InvalidLength):
        ids.validate("1101051949123100")
    with pytest.raises(stdnum_exceptions.InvalidComponent):
        ids.validate(with_check("11010519900230123"))


INVALID_CASES = [
    # (raw input, error class, a fragment the message must contain)
    (None, ids.Missing, "No identity number"),
    ("", ids.Missing, "No identity number"),
    ("   ", ids.Missing, "No identity number"),
    (float("nan"), ids.Missing, "No identity number"),
    ("1.10105E+17", ids.ExcelMangled, "scientific notation"),
    ("1.10105e+17", ids.ExcelMangled, "scientific notation"),
    ("4.40305E+17", ids.ExcelMangled, "digits are lost"),
    ("11010519491231002A", ids.InvalidFormat, "found 'A'"),  # names the bad character, never the number
    ("身份证11010519491231002X", ids.InvalidFormat, "Only digits"),
    ("1101051949X231002X", ids.InvalidFormat, "X may only be the last"),
    ("1101051949123100", ids.InvalidLength, "got 16"),
    ("11010519491231002X1", ids.InvalidLength, "got 19"),
    ("12345", ids.InvalidLength, "got 5"),
    # checksum: the hand-worked number with a wrong final character
    ("110105194912310021", ids.InvalidChecksum, "should be X, not 1"),
    ("440305199003071235", ids.InvalidChecksum, "should be 6, not 5"),
    # 1990-02-30 does not exist; the check character is right, so the date is the problem
    (with_check("11010519900230123"), ids.InvalidBirthDate, "19900230"),
    (with_check("11010519901301123"), ids.InvalidBirthDate, "19901301"),
    (with_check("11010520230229123"), ids.InvalidBirthDate, "20230229"),   # 2023 no leap year
    (with_check("11010520251121123"), ids.FutureBirthDate, "20251121"),    # day after TODAY
    # unknown provinces: 00, 19, 99 are no provinces; a leading 9 puts the province at digits 2-3
    (with_check("00000019900101123"), ids.UnknownProvince, "00"),
    (with_check("19010119900101123"), ids.UnknownProvince, "19"),
    (with_check("99010119900101123"), ids.UnknownProvince, "90"),       # leading 9: province = digits 2-3
    (with_check("90084019900101123"), ids.UnknownProvince, "00"),       # foreign permanent, province 00
    (with_check("97084019900101123"), ids.UnknownProvince, "70"),       # foreign permanent, province 70
]


@pytest.mark.parametrize(("raw", "error", "fragment"), INVALID_CASES)
def test_each_problem_has_its_class_code_and_message(raw: object, error: type, fragment: str) -> None:
    with pytest.raises(error) as info:
        ids.validate(raw, today=TODAY)
    assert type(info.value) is error
    assert fragment in str(info.value)
    row = ids.validate_column(pd.Series([raw], dtype=object), today=TODAY).iloc[0]
    assert row["id_code"] == STABLE_CODES[error]
    assert fragment in row["id_problem"]
    assert pd.isna(row["ssn"])
    if error is not ids.FutureBirthDate:   # is_valid() judges against the real today
        assert not ids.is_valid(raw)


def test_leap_day_is_a_valid_birth_date() -> None:
    number = with_check("11010520000229123")
    assert ids.validate(number, today=TODAY) == number


def test_future_birth_date_depends_on_today() -> None:
    number = with_check("11010520251121123")  # born 2025-11-21
    with pytest.raises(ids.FutureBirthDate):
        ids.validate(number, today=dt.date(2025, 11, 20))
    assert ids.validate(number, today=dt.date(2025, 11, 21)) == number   # born today: fine
    assert ids.validate(number, today=dt.date(2026, 1, 1)) == number


def test_number_cell_flag() -> None:
    # A number cell as pandas reads it from Excel: a float; the digits after the 15th are gone.
    raw = pd.Series([1.10105194912310e17, CHAOYANG_F, 1.10105194912310e17], dtype=object, index=[4, 6, 7])
    number_cell = pd.Series([True, False, False], index=raw.index)
    out = ids.validate_column(raw, today=TODAY, number_cell=number_cell)
    assert out.loc[4, "id_code"] == "id_number_cell"
    assert "re-enter it as text" in out.loc[4, "id_problem"]
    assert pd.isna(out.loc[4, "ssn"])
    assert out.loc[6, "ssn"] == CHAOYANG_F
    # not flagged as a number cell: judged on its digits, 110105194912310000 -> wrong check character
    assert out.loc[7, "id_code"] == "id_checksum"


def test_fifteen_digit_number_cell_is_intact() -> None:
    raw = pd.Series([440305900307123.0], dtype=object)
    out = ids.validate_column(raw, today=TODAY, number_cell=pd.Series([True]))
    assert pd.isna(out["id_code"].iloc[0])
    assert out["ssn"].iloc[0] == NANSHAN_M


def test_unknown_county_is_only_a_warning() -> None:
    assert "110199" not in set(ids.known_regions())   # Beijing (11) is a province, 110199 no county
    assert "110000" in set(ids.known_regions())
    number = with_check("11019919900101123")
    assert ids.validate(number, today=TODAY) == number
    row = ids.validate_column(pd.Series([number], dtype=object), today=TODAY).iloc[0]
    assert pd.isna(row["id_code"])
    assert row["region_code"] == "110199"
    assert row["region"] == "北京市"                  # falls back to the province
    assert "110199" in row["id_warning"]
    report = ids.explain(number, today=TODAY)
    assert report.valid
    assert len(report.warnings) == 1 and "110199" in report.warnings[0]
    assert report.problems == []


def test_known_county_has_no_warning() -> None:
    row = ids.validate_column(pd.Series([CHAOYANG_F], dtype=object), today=TODAY).iloc[0]
    assert pd.isna(row["id_warning"])
    assert ids.explain(CHAOYANG_F, today=TODAY).warnings == []


# --- what the number encodes ---------------------------------------------------------------------

@pytest.mark.parametrize("seventeenth", range(10))
def test_sex_from_seventeenth_digit(seventeenth: int) -> None:
    number = with_check("110105" + "19700101" + "01" + str(seventeenth))
    row = ids.validate_column(pd.Series([number], dtype=object), today=TODAY).iloc[0]
    assert row["sex"] == ("M" if seventeenth % 2 else "F")


@pytest.mark.parametrize(("number", "birth", "sex", "region_code", "region"), [
    (CHAOYANG_F, dt.date(1949, 12, 31), "F", "110105", "北京市朝阳区"),
    (NANSHAN_M, dt.date(1990, 3, 7), "M", "440305", "广东省深圳市南山区"),
    (DONGCHENG_M, dt.date(1990, 1, 7), "M", "110101", "北京市东城区"),
    (with_check("31011520010915246"), dt.date(2001, 9, 15), "F", "310115", "上海市浦东新区"),
])
def test_birth_date_sex_region(number: str, birth: dt.date, sex: str, region_code: str, region: str) -> None:
    row = ids.validate_column(pd.Series([number], dtype=object), today=TODAY).iloc[0]
    assert row["birth_date"] == birth
    assert row["sex"] == sex
    assert row["region_code"] == region_code
    assert row["region"] == region


# --- masking -------------------------------------------------------------------------------------

def test_mask() -> None:
    assert ids.mask(DONGCHENG_M) == "110101********123X"
    assert ids.mask(CHAOYANG_F) == "110105********002X"
    assert ids.mask(NANSHAN_M) == "440305********1236"
    assert ids.mask("") == ""
    assert ids.mask(None) == ""
    assert ids.mask("12345") == "12****45"


def test_mask_column() -> None:
    col = pd.Series([DONGCHENG_M, None, NANSHAN_M, float("nan"), "12345"], dtype=object, index=list("abcde"))
    out = ids.mask_column(col)
    assert out[["a", "c", "e"]].tolist() == ["110101********123X", "440305********1236", "12****45"]
    assert out[["b", "d"]].isna().all()          # "blank stays missing"
    assert out.index.tolist() == list("abcde")


def test_mask_short_values_keep_two_and_two() -> None:
    assert ids.mask("1101051949") == "11****49"                  # 10 characters: shorter than 15
    assert ids.mask("11010519491231002") == "110105********1002"  # 17 characters: the long form


# --- explain() and the CLI -----------------------------------------------------------------------

def test_explain_valid() -> None:
    assert ids.explain(CHAOYANG_F, today=TODAY) == ids.IdReport(
        input=CHAOYANG_F, valid=True, kind="resident", ssn=CHAOYANG_F, birth_date="1949-12-31", sex="F",
        region_code="110105", problems=[], warnings=[], region="北京市朝阳区")


def test_explain_invalid() -> None:
    report = ids.explain("110105194912310021", today=TODAY)
    assert report == ids.IdReport(
        input="110105194912310021", valid=False, kind=None, ssn=None, birth_date=None, sex=None,
        region_code=None, problems=["The check character should be X, not 1"], warnings=[], region=None)


def test_explain_keeps_raw_input() -> None:
    report = ids.explain("110105 491231 002", today=TODAY)
    assert report.input == "110105 491231 002"
    assert report.ssn == CHAOYANG_F


@pytest.mark.parametrize(("number", "exit_code"), [(CHAOYANG_F, 0), ("110105194912310021", 1),
                                                   (with_check("11019919900101123"), 0)])
def test_cli_id_json_prints_explain(number: str, exit_code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["id", number, "--json"]) == exit_code
    printed = json.loads(capsys.readouterr().out)
    # contract section 7: exactly these keys, in this order
    assert list(printed) == ["input", "valid", "kind", "ssn", "birth_date", "sex", "region_code", "problems",
                             "warnings"]
    expected = dataclasses.asdict(ids.explain(number))
    expected.pop("region")
    assert printed == expected


# --- validate_column -----------------------------------------------------------------------------

def test_validate_column_mixed_series_keeps_index() -> None:
    raw = pd.Series(
        [CHAOYANG_F, "11010119900107123x", None, 1.10105194912310e17, "1.10105E+17", "abc", NANSHAN_15,
         float("nan"), 110105194912310021, "440305 19900307 1236", with_check("11010519900230123")],
        index=[101, 7, -3, 55, 2, 9, 1000, 8, 3, 4, 5], dtype=object)
    out = ids.validate_column(raw, today=TODAY)
    assert list(out.columns) == ids.RESULT_COLUMNS
    assert out.index.tolist() == [101, 7, -3, 55, 2, 9, 1000, 8, 3, 4, 5]
    assert out["ssn"].astype(object).where(out["ssn"].notna(), None).tolist() == [
        CHAOYANG_F, DONGCHENG_M, None, None, None, None, NANSHAN_M, None, None, NANSHAN_M, None]
    assert out["id_code"].astype(object).where(out["id_code"].notna(), None).tolist() == [
        None, None, "id_missing", "id_checksum", "id_scientific", "id_format", None, "id_missing",
        "id_checksum", None, "id_birth_date"]
    # a float number cell without the number_cell flag is judged on its (lost) digits
    assert out.loc[55, "id_problem"].startswith("The check character should be")
    assert out.loc[101, "region"] == "北京市朝阳区"
    assert out.loc[4, "sex"] == "M"


def test_validate_column_string_dtype_and_empty() -> None:
    out = ids.validate_column(pd.Series([CHAOYANG_F, None], dtype="string"), today=TODAY)
    assert out["ssn"].iloc[0] == CHAOYANG_F
    assert out["id_code"].iloc[1] == "id_missing"
    empty = ids.validate_column(pd.Series([], dtype=object), today=TODAY)
    assert len(empty) == 0
    assert list(empty.columns) == ids.RESULT_COLUMNS


def test_validate_column_duplicate_index() -> None:
    raw = pd.Series([CHAOYANG_F, NANSHAN_M, "12345"], index=[0, 0, 1], dtype=object)
    out = ids.validate_column(raw, today=TODAY)
    assert out.index.tolist() == [0, 0, 1]
    assert out["ssn"].iloc[:2].tolist() == [CHAOYANG_F, NANSHAN_M]
    assert out["id_code"].iloc[2] == "id_length"


ARABIC_INDIC_15 = "١١٠١٠٥٤٩١٢٣١٠٠٢"   # 110105491231002 in Arabic-Indic digits (not changed by NFKC)


def test_non_ascii_digits_are_a_format_problem_not_a_crash() -> None:
    out = ids.validate_column(pd.Series([ARABIC_INDIC_15], dtype=object), today=TODAY)
    assert out["id_code"].iloc[0] == "id_format"


def test_non_ascii_digits_18_are_a_format_problem() -> None:
    out = ids.validate_column(pd.Series([ARABIC_INDIC_15 + "١٢٣"], dtype=object), today=TODAY)
    assert out["id_code"].iloc[0] == "id_format"


# --- hypothesis ----------------------------------------------------------------------------------

def _has_non_ascii_decimal(value: object) -> bool:
    """Whether the value holds a non-ASCII decimal digit that NFKC leaves alone (the known crash, above)."""
    if not isinstance(value, str):
        return False
    return any(not ch.isascii() and ch.isdecimal() for ch in unicodedata.normalize("NFKC", value))


ANY_CELL = st.one_of(st.text(), st.floats(), st.integers(), st.none())
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.text())
def test_compact_never_raises_on_text(text: str) -> None:
    assert isinstance(ids.compact(text), str)
    assert isinstance(ids.is_valid(text), bool)


@FAST
@given(st.lists(ANY_CELL, max_size=20), st.none() | st.lists(st.booleans(), min_size=20, max_size=20))
def test_validate_column_one_row_per_input(cells: list[object], flags: list[bool] | None) -> None:
    index = pd.Index([f"r{i}" for i in range(len(cells))])
    raw = pd.Series(cells, index=index, dtype=object)
    number_cell = None if flags is None else pd.Series(flags[:len(cells)], index=index)
    out = ids.validate_column(raw, today=TODAY, number_cell=number_cell)
    assert len(out) == len(cells)
    assert out.index.equals(index)
    has_ssn = out["ssn"].notna()
    has_code = out["id_code"].notna()
    assert (has_ssn ^ has_code).all(), "each row has exactly one of ssn and id_code"
    assert out.loc[has_code, "id_code"].isin(list(ids.ERRORS)).all()
    assert out.loc[has_code, "id_problem"].notna().all()
    for ssn in out.loc[has_ssn, "ssn"]:
        assert len(ssn) == 18 and ssn[:17].isascii() and ssn[:17].isdigit()
        assert ssn[17] == check_char(ssn[:17])


# A few region codes read off GB/T 2260 by hand (each with its expected name).
REGIONS = {
    "110105": "北京市朝阳区",
    "110101": "北京市东城区",
    "310115": "上海市浦东新区",
    "440305": "广东省深圳市南山区",
    "330106": "浙江省杭州市西湖区",
    "510107": "四川省成都市武侯区",
}


def test_sample_regions_are_known() -> None:
    assert set(REGIONS) <= set(ids.known_regions())


@st.composite
def valid_numbers(draw: st.DrawFn) -> tuple[str, str, dt.date, int]:
    region = draw(st.sampled_from(sorted(REGIONS)))
    birth = draw(st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)))
    sequence = draw(st.integers(0, 999))
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return with_check(first17), region, birth, sequence


@st.composite
def separated(draw: st.DrawFn, number: str) -> str:
    """The number with spaces/dashes inserted at random places."""
    out = []
    for ch in number:
        out.append(draw(st.sampled_from(["", "", "", " ", "-", " - "])))
        out.append(ch)
    out.append(draw(st.sampled_from(["", " ", "-"])))
    return "".join(out)


@FAST
@given(valid_numbers(), st.data())
def test_valid_numbers_round_trip(generated: tuple[str, str, dt.date, int], data: st.DataObject) -> None:
    number, region, birth, sequence = generated
    assert ids.validate(number, today=TODAY) == number
    variants = [
        number,
        number.lower(),
        number.translate(FULL_WIDTH),
        number.translate(FULL_WIDTH).lower(),
        data.draw(separated(number)),
        data.draw(separated(number.lower().translate(FULL_WIDTH))),
    ]
    if birth.year < 2000:
        variants.append(number[:6] + number[8:17])   # first-generation form (1900-1999 births)
    out = ids.validate_column(pd.Series(variants, dtype=object), today=TODAY)   # one call: keeps the test fast
    assert out["id_code"].isna().all(), out.loc[out["id_code"].notna(), "id_problem"].tolist()
    assert (out["ssn"] == number).all()
    assert (out["birth_date"] == birth).all()
    assert (out["region"] == REGIONS[region]).all()
    assert (out["sex"] == ("M" if sequence % 2 else "F")).all()
    assert (out["kind"] == "resident").all()


@settings(max_examples=100, deadline=None)
@given(valid_numbers())
def test_every_single_character_change_is_caught(generated: tuple[str, str, dt.date, int]) -> None:
    """All 17*9 + 10 single-character substitutions of a valid number fail the checksum."""
    number = generated[0]
    changed = [number[:position] + replacement + number[position + 1:]
               for position in range(18)
               for replacement in ("0123456789X" if position == 17 else "0123456789")
               if replacement != number[position]]
    assert len(changed) == 17 * 9 + 10
    out = ids.validate_column(pd.Series(changed, dtype=object), today=TODAY)
    assert (out["id_code"] == "id_checksum").all(), [c for c, ok in zip(changed, out["id_code"] == "id_checksum",
                                                                        strict=True) if not ok]


# --- shared README section 10: documents and normalising ---------------------------------------

def test_check_character_worked_by_hand() -> None:
    # 81000019880808101?: digits 8,1,0,0,0,0,1,9,8,8,0,8,0,8,1,0,1 times weights
    # 7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2 = 56+9+0+0+0+0+2+9+48+24+0+72+0+40+8+0+2 = 270;
    # 270 % 11 = 6; check = (12 - 6) % 11 = 6 (the table "10X98765432" at index 6 says the same)
    assert ids.calc_check_digit("81000019880808101") == "6"
    assert with_check("81000019880808101") == "810000198808081016"


@pytest.mark.parametrize("prefix", ["810101", "820102", "830100", "811000"])
def test_residence_permit_needs_exact_address_code(prefix: str) -> None:
    # section 10: a permit's address code is exactly 810000/820000/830000; 810101 used to pass with a warning
    number = with_check(prefix + "19880808" + "101")
    row = ids.validate_column(pd.Series([number], dtype=object), today=TODAY).iloc[0]
    assert row["id_code"] == "id_permit_address"
    assert prefix in row["id_problem"]
    assert pd.isna(row["ssn"]) and pd.isna(row["id_warning"])
    with pytest.raises(ids.InvalidPermitAddress):
        ids.validate(number, today=TODAY)


def test_foreign_permanent_2023_needs_a_country() -> None:
    # 9 | 11 | 000 (no country in ISO 3166-1 numeric / GB/T 2659) | 19850615 | 124 | check
    number = with_check("9" + "11" + "000" + "19850615" + "124")
    row = ids.validate_column(pd.Series([number], dtype=object), today=TODAY).iloc[0]
    assert row["id_code"] == "id_nationality"
    assert "000" in row["id_problem"]
    # 156 is China's own numeric code; 250 France: both name a country
    for nationality in ("250", "392"):
        assert ids.is_valid(with_check("9" + "31" + nationality + "19850615" + "124"))


def test_old_foreign_permanent_card_is_valid_with_a_warning() -> None:
    # pre-2023 card: 3 letters (ISO 3166-1 alpha-3, USA = United States) + 12 digits
    row = ids.validate_column(pd.Series(["usa 110085 061501"], dtype=object), today=TODAY).iloc[0]
    assert pd.isna(row["id_code"])
    assert row["ssn"] == "USA110085061501"
    assert row["kind"] == "foreign_permanent"
    assert row["id_warning_code"] == "id_old_pr_card"
    assert "pre-2023" in row["id_warning"]
    assert pd.isna(row["birth_date"]) and pd.isna(row["sex"]) and pd.isna(row["region_code"])
    report = ids.explain("USA110085061501", today=TODAY)
    assert report.valid and report.kind == "foreign_permanent" and len(report.warnings) == 1


def test_old_foreign_permanent_card_with_no_country() -> None:
    row = ids.validate_column(pd.Series(["ZZZ110085061501"], dtype=object), today=TODAY).iloc[0]
    assert row["id_code"] == "id_nationality"
    assert "ZZZ" in row["id_problem"]


@pytest.mark.parametrize("dirty", [
    "110105\u201419491231\u2013002X",     # em dash, en dash
    "110105\u2212194912310\u201102X",    # minus sign, non-breaking hyphen
    "\u200b11010519491231002X\ufeff",      # zero-width space, BOM
    "110105\u00a019491231\u3000002X",     # no-break space, ideographic space
    "'11010519491231002X",                  # Excel's text marker
    '"11010519491231002X"',                 # surrounding quotes
    "\u201c11010519491231002x\u201d",      # curly quotes, lower-case x
    "\uff11\uff11\uff10\uff11\uff10\uff15\u2010\uff11\uff19\uff14\uff19\uff11\uff12\uff13\uff11\uff10\uff10\uff12\uff38",
])
def test_normalising_strips_dashes_spaces_and_quotes(dirty: str) -> None:
    assert ids.validate(dirty, today=TODAY) == CHAOYANG_F


def test_quote_inside_the_number_is_a_format_problem() -> None:
    row = ids.validate_column(pd.Series(["110105'19491231002X"], dtype=object), today=TODAY).iloc[0]
    assert row["id_code"] == "id_format"


def test_birth_before_1900_is_impossible() -> None:
    # 1899-12-31 exists in the calendar but no living employee was born then: section 10 says invalid
    number = with_check("110105" + "18991231" + "002")
    row = ids.validate_column(pd.Series([number], dtype=object), today=TODAY).iloc[0]
    assert row["id_code"] == "id_birth_date"
    assert "before 1900" in row["id_problem"]
    assert ids.is_valid(with_check("110105" + "19000101" + "002"))


# --- the layout shortcut (ids._fast) and the check-by-check path (ids._validate_rows) agree --------

def _check_by_check(raw: pd.Series, number_cell: pd.Series | None = None) -> pd.DataFrame:
    """validate_column's result with every row through the check-by-check path (birth as datetime64)."""
    cleaned = ids._clean_column(raw.reset_index(drop=True))
    out = ids._validate_rows(cleaned, ids._upgrade_fifteen(cleaned), TODAY,
                             None if number_cell is None else number_cell.reset_index(drop=True))
    out.index = raw.index
    return out


def _both_paths_agree(raw: pd.Series, number_cell: pd.Series | None = None, dates: bool = True) -> pd.DataFrame:
    out = ids.validate_column(raw, today=TODAY, number_cell=number_cell, dates_as_datetime=True)
    pd.testing.assert_frame_equal(out, _check_by_check(raw, number_cell), check_exact=True)
    if not dates:
        return out
    dated = ids.validate_column(raw, today=TODAY, number_cell=number_cell)
    pd.testing.assert_frame_equal(dated.drop(columns="birth_date"), out.drop(columns="birth_date"), check_exact=True)
    assert dated["birth_date"].dtype == object
    return out


# Every outcome the shortcut decides or hands on: valid (resident, permit, foreign, unknown county
# named by its province), wrong check character, and each problem only the check-by-check path names.
ALL_OUTCOMES = [
    CHAOYANG_F, NANSHAN_M, DONGCHENG_M, NANSHAN_15, CHAOYANG_F.lower(), " 440305-19900307-1236 ",
    with_check("11019919900107123"),                          # unknown county: a warning, region Beijing
    with_check("71010119900107123"),                          # Taiwan (71): a province of the table
    with_check("81000019900107123"), with_check("83000019900107123"),   # residence permits
    with_check("81123419900107123"),                          # permit with a county: wrong address
    with_check("91184019900107123"),                          # 2023 card, USA (840), accepted in 11
    with_check("91100019900107123"),                          # 2023 card, nationality 000
    with_check("99984019900107123"),                          # 2023 card, province 99
    with_check("99084019900107123"),                          # 2023 card, province 90
    with_check("00000019900107123"), with_check("10010519900107123"),   # no province
    with_check("11010518991231002"), with_check("11010500010101002"),   # before 1900
    with_check("11010500000101002"), with_check("11010519001301002"),   # no such date
    with_check("11010519000229002"), with_check("11010520000229002"),   # 1900 no leap year, 2000 one
    with_check("11010520251120002"), with_check("11010520251121002"),   # today; tomorrow
    with_check("11010599991231002"), with_check("11010522620412002"),
    CHAOYANG_F[:17] + "1", NANSHAN_M[:17] + "X",              # wrong check characters
    "11010519491231002Y", "1101051949123100XX", "X10105194912310021", "１１０１０５１９４９１２３１００２Ｘ",
    "USA110085061501", "ZZZ110085061501", "1.10105E+17", "", None, "12345", CHAOYANG_F + "0",
    ARABIC_INDIC_15, ARABIC_INDIC_15 + "١٢٣", "é" * 9,
]


def test_both_paths_agree_on_every_outcome() -> None:
    out = _both_paths_agree(pd.Series(ALL_OUTCOMES, dtype=object))
    codes = set(out["id_code"].dropna())
    assert {"id_checksum", "id_birth_date", "id_birth_future", "id_province", "id_permit_address",
            "id_nationality", "id_format", "id_length", "id_missing", "id_scientific"} <= codes
    assert set(out["kind"].dropna()) == {"resident", "hkmo_tw_permit", "foreign_permanent"}
    assert set(out["id_warning_code"].dropna()) == {ids.WARNING_UNKNOWN_COUNTY, ids.WARNING_OLD_PR_CARD}
    row = out.iloc[ALL_OUTCOMES.index(with_check("11019919900107123"))]
    assert (row["region_code"], row["region"]) == ("110199", "北京市")
    row = out.iloc[ALL_OUTCOMES.index(with_check("91184019900107123"))]
    assert (row["kind"], row["region_code"], row["region"]) == ("foreign_permanent", "110000", "北京市")


@pytest.mark.parametrize("dtype", [object, "string", "str"])
def test_both_paths_agree_with_any_text_column(dtype: object) -> None:
    cells = [c for c in ALL_OUTCOMES if c is not None] * 3
    _both_paths_agree(pd.Series(cells, dtype=dtype, index=[i % 7 for i in range(len(cells))]))


def test_both_paths_agree_with_number_cells() -> None:
    raw = pd.Series([*ALL_OUTCOMES, 110105194912310021, 440305900307123.0], dtype=object)
    flags = pd.Series([i % 3 == 0 for i in range(len(raw))], dtype=object)
    flags.iloc[1] = None
    out = _both_paths_agree(raw, flags)
    assert out["id_code"].iloc[0] == "id_number_cell"   # flagged: 18 digits in a number cell


@pytest.mark.parametrize("cells", [
    [CHAOYANG_F[:17] + "1"],                                   # a wrong check character, a real date
    [with_check("11010519491331002")[:17] + "0", "abc"],       # a wrong check character, no date
    [with_check("11010519491331002")],                          # no date at all: seconds, as pandas gives
    [],
])
def test_birth_date_unit_follows_pandas_parsing(cells: list[str]) -> None:
    _both_paths_agree(pd.Series(cells, dtype=object))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(
    st.text(alphabet="0123456789", min_size=17, max_size=17).map(with_check),
    st.text(alphabet="0123456789X", min_size=15, max_size=19),
    st.builds(lambda region, birth, seq: with_check(f"{region}{birth:%Y%m%d}{seq:03d}"),
              st.sampled_from(["110105", "810000", "811234", "830000", "910840", "911000", "330112", "990000"]),
              st.dates(dt.date(1800, 1, 1), dt.date(2100, 12, 31)), st.integers(0, 999)),
    ANY_CELL), max_size=30))
def test_both_paths_agree_on_generated_numbers(cells: list[object]) -> None:
    _both_paths_agree(pd.Series(cells, dtype=object), dates=False)


def test_kind_and_region_columns_same_on_arrow_and_object() -> None:
    numbers = ["", "9", "A", "a", "８１", "81", "83000019900107123X", "USA", None, CHAOYANG_F]
    arrow = ids.kind_column(pd.Series(numbers, dtype="string"))
    assert arrow.tolist()[:8] == ["resident", "foreign_permanent", "foreign_permanent", "resident", "resident",
                                  "hkmo_tw_permit", "hkmo_tw_permit", "foreign_permanent"]
    pd.testing.assert_series_equal(arrow, ids.kind_column(pd.Series(numbers, dtype=object)))
    codes = ["110105", "110199", "990000", "", "1", None, "830000", "11010５"]
    arrow = ids.region_column(pd.Series(codes, dtype="string"))
    assert arrow.iloc[:3].tolist() == ["北京市朝阳区", "北京市", pd.NA]
    pd.testing.assert_series_equal(arrow, ids.region_column(pd.Series(codes, dtype=object)))


# --- ID-shaped runs in free text (issue 20, finding 14) -----------------------------------------------------

@pytest.mark.parametrize(("text", "masked"), [
    ("110105194912310021", "110105********0021"),
    ("cannot read '110105194912310021' as a date", "cannot read '110105********0021' as a date"),
    ("张三110105194912310021", "张三110105********0021"),  # inside a cell, no separator
    ("11010519491231002X x", "110105********002X x"),
    ("11010519491231002x", "110105********002x"),
    ("110105194912310021xyz", "110105********0021xyz"),  # a letter after the number is not its check character
    ("110105491231002", "110105********002"),  # 15 digits: a first-generation number
    ("110105491231002X", "110105********002X"),
    ("1101051949123100", "110105********3100"),  # 16, 17, 19 or more digits: a number mistyped, or two
    ("11010519491231002", "110105********1002"),
    ("1101051949123100219999", "110105********9999"),
    ("110105194912310021110105194912310022", "110105********0022"),
    ("a110105194912310021,110105194912310022,110105194912310023b",
     "a110105********0021,110105********0022,110105********0023b"),
    ("１１０１０５１９４９１２３１００２１", "１１０１０５********００２１"),  # full-width digits
    ("911101055347017256", "911101055347017256"),  # an 18-digit credit code: no birth date in it
    ("911101000000000001", "911101000000000001"),
    ("110108000000016", "110108000000016"),  # a 15-digit business registration number
    ("12345678901234", "12345678901234"),  # 14 digits: no ID's shape
    ("2025-06-02 / 20250602", "2025-06-02 / 20250602"),
    ("110101********123X", "110101********123X"),  # masked already
    ("", ""),
])
def test_mask_runs_masks_every_id_shaped_run_in_text(text: str, masked: str) -> None:
    assert ids.mask_text(text) == masked
    for dtype in ("string", "str", object, pd.StringDtype("python")):
        column = ids.mask_runs(pd.Series([text, None, text], dtype=dtype))
        assert column.iloc[0] == masked and column.iloc[2] == masked and pd.isna(column.iloc[1]), dtype


def test_mask_runs_masks_every_row_of_a_big_column() -> None:
    column = pd.Series([f"cannot read '11010519491231{i % 10_000:04d}' as a date" for i in range(200_000)],
                       dtype="string")
    masked = ids.mask_runs(column)
    assert masked.str.contains(r"[0-9]{7}").sum() == 0
    assert masked.iloc[5] == "cannot read '110105********0005' as a date"


@pytest.mark.parametrize("text", [
    "张三110105194912310021", "../../x\r\nSet-Cookie: a=b", "\u202eexe.txt\u202c", "a\x00b\u200bc", "x" * 5000,
    "1" * 30 + "\x00" + "110105194912310021" * 200,
])
def test_plain_text_has_no_control_characters_no_id_and_a_bound(text: str) -> None:
    out = ids.plain_text(text, 64)
    assert len(out) <= 64 and out == out.strip()
    assert all(ch.isprintable() for ch in out), repr(out)
    assert "110105194912310021" not in out and not re.search(r"[0-9]{11}", out)


def test_plain_text_keeps_ordinary_text_and_says_where_it_was_cut() -> None:
    assert ids.plain_text("甲公司 2025-06-02", 64) == "甲公司 2025-06-02"
    assert ids.plain_text("a\r\nb\tc", 64) == "a b c"
    assert ids.plain_text("x" * 100, 10) == "x" * 9 + "…"
    assert ids.plain_text("abc 1101051949", 10) == "abc …"  # the digits a cut splits go too


def test_a_validation_error_is_a_users_error_with_its_message_in_both_languages() -> None:
    """Issue 21: ``ids.ValidationError`` is a ``ShebaoError`` (one handler in every front end) and still the
    stdnum exception it was; raised by ``validate`` it carries the message's structure."""
    from stdnum.exceptions import ValidationError as StdnumError

    from compliance.errors import ShebaoError

    with pytest.raises(ids.InvalidChecksum) as caught:
        ids.validate("110105194912310021")
    error = caught.value
    assert isinstance(error, ShebaoError) and isinstance(error, StdnumError) and isinstance(error, Exception)
    assert (str(error), error.code) == ("The check character should be X, not 1", "id_checksum")
    assert error.render("zh") == "校验码应为 X，而不是 1"
    assert ids.InvalidFormat("x").render("zh") == "x"  # raised by hand: its text as it is
