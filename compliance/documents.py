"""Identity documents other than the resident ID card (shared README section 10).

Not every employee has a citizen identity number. The roster's document type (证件类型) says which
document the number belongs to:

- blank, 居民身份证, 身份证: a citizen identity number (GB 11643, ``compliance.ids``); so are the
  residence permits of Hong Kong, Macau and Taiwan residents (港澳台居民居住证) and the foreign permanent
  resident ID card (外国人永久居留身份证), which share its layout: their kind is read from the number;
- 护照 / passport: ``passport``; 港澳居民来往内地通行证, 台湾居民来往大陆通行证: ``travel_permit``. These are
  checked for shape only (5–20 letters and digits). The social security number of such a person is
  assigned by the agency (Interim Measures for Foreigners Employed in China Participating in Social
  Insurance, MOHRSS Order No. 16, Art. 6), so there is none to derive: that is not an ID problem.

>>> types, unknown = normalise_id_type(pd.Series(["护照", None]))
>>> check = validate_documents(pd.Series(["E12345678", "11010519491231002X"]), types)
>>> check["kind"].tolist(), check["ssn"].tolist(), check["id_code"].isna().tolist()
(['passport', 'resident'], [<NA>, '11010519491231002X'], [True, True])
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
from stdnum import exceptions as stdnum_exceptions

from compliance import catalogue, ids, vocab

TYPE_WORDS: dict[str, list[str]] = {
    "resident": ["居民身份证", "身份证", "二代身份证", "resident", "resident id", "id card"],
    "hkmo_tw_permit": ["港澳台居民居住证", "港澳居民居住证", "台湾居民居住证", "residence permit", "hkmo_tw_permit"],
    "foreign_permanent": ["外国人永久居留身份证", "外国人永久居留证", "永居证", "foreign_permanent",
                          "foreign permanent resident id"],
    "passport": ["护照", "外国护照", "passport"],
    "travel_permit": ["港澳居民来往内地通行证", "台湾居民来往大陆通行证", "回乡证", "台胞证", "travel permit",
                      "travel_permit"],
}
AGENCY_ASSIGNED = ["passport", "travel_permit"]  # no SSN derived from the number
ID_KINDS = ["resident", "hkmo_tw_permit", "foreign_permanent", *AGENCY_ASSIGNED]
WARNING_TYPE_MISMATCH = "id_type_mismatch"
_LOOKUP = vocab.table(TYPE_WORDS)
_DOCUMENT_SHAPE = re.compile(r"[A-Z0-9]{5,20}")


class InvalidDocumentNumber(ids.ValidationError, stdnum_exceptions.InvalidFormat):
    code = "id_document_format"
    message = "A passport or travel permit number has 5 to 20 letters and digits."


def normalise_id_type(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Document type codes (blank: NA, a GB 11643 number) and where the value was not recognised
    (checked as a GB 11643 number, and noted)."""
    return vocab.lookup(values, _LOOKUP)


def validate_documents(raw: pd.Series, id_types: pd.Series | None = None, today: dt.date | None = None,
                       number_cell: pd.Series | None = None, dates_as_datetime: bool = False) -> pd.DataFrame:
    """``ids.validate_column``'s result for every row, whatever its document.

    ``id_types`` holds codes of ``TYPE_WORDS`` (``normalise_id_type``) or NA. Passports and travel
    permits get ``kind`` and a shape check, no SSN; a declared permit or permanent resident card
    whose number reads as another kind gets a warning.
    """
    if id_types is None:
        return ids.validate_column(raw, today, number_cell, dates_as_datetime)
    types = id_types.astype("string").reset_index(drop=True)
    assigned = types.isin(AGENCY_ASSIGNED).fillna(False).to_numpy(dtype=bool)
    out = ids.validate_column(raw, today, number_cell, dates_as_datetime)
    if not assigned.any() and types.isna().all():
        return out
    positions = out.index
    out = out.reset_index(drop=True)
    if assigned.any():
        numbers = ids._clean_column(raw.reset_index(drop=True)[assigned])
        missing = numbers.isna()
        bad = ~numbers.str.fullmatch(_DOCUMENT_SHAPE.pattern).fillna(False) & ~missing
        code = pd.Series(pd.NA, index=numbers.index, dtype="string")
        problem = pd.Series(pd.NA, index=numbers.index, dtype="string")
        coded = pd.Series(pd.NA, index=numbers.index, dtype="string")
        code[missing] = ids.Missing.code
        problem[missing], coded[missing] = ids.Missing.message, catalogue.as_list(catalogue.entry(ids.Missing.code))
        if bad.any():
            code[bad] = InvalidDocumentNumber.code
            at = numbers.index[bad.to_numpy(dtype=bool)]
            problem[at], entry = catalogue.message(InvalidDocumentNumber.code, at, kind=types[assigned][bad],
                                                   n=numbers[bad].str.len().astype("int64"))
            coded[at] = catalogue.as_list(entry)
        fill = {"ssn": pd.NA, "id_code": code, "id_problem": problem, "id_warning": pd.NA,
                "id_warning_code": pd.NA, "kind": types[assigned].where(code.isna()), "birth_date": pd.NaT,
                "sex": pd.NA, "region_code": pd.NA, "region": pd.NA, "id_problem_coded": coded,
                "id_warning_coded": pd.NA}
        for name, value in fill.items():
            out.loc[assigned, name] = value
    declared = types.isin(["hkmo_tw_permit", "foreign_permanent"]).fillna(False) & out["id_code"].isna()
    mismatch = declared & (out["kind"] != types).fillna(False)
    if mismatch.any():
        at = out.index[mismatch.to_numpy(dtype=bool)]
        note, entry = catalogue.message(WARNING_TYPE_MISMATCH, at, declared=types[at], read=out.loc[at, "kind"])
        out.loc[mismatch, "id_warning"] = (out.loc[mismatch, "id_warning"] + "; " + note).fillna(note)
        out.loc[mismatch, "id_warning_coded"] = catalogue.join_lists(out.loc[at, "id_warning_coded"],
                                                                     catalogue.as_list(entry))
        out.loc[mismatch, "id_warning_code"] = out.loc[mismatch, "id_warning_code"].fillna(WARNING_TYPE_MISMATCH)
    out.index = positions
    return out


def explain(number: str, id_type: str | None = None, today: dt.date | None = None) -> ids.IdReport:
    """``ids.explain`` for a number of any document (``python -m compliance id NUMBER --type passport``).

    >>> report = explain(" e 1234-5678 ", "passport")
    >>> report.valid, report.kind, report.ssn, report.warnings
    (True, 'passport', None, ['The social security number is assigned by the agency (passport)'])
    """
    if id_type is None:
        return ids.explain(number, today)
    row = validate_documents(pd.Series([number], dtype=object), pd.Series([id_type], dtype="string"), today).iloc[0]
    report = ids.report_of(number, row)
    if id_type in AGENCY_ASSIGNED and report.valid:
        report.warnings.append(catalogue.Text("ssn_agency_note", kind=id_type))
    return report
