"""Who the employer must register: the kind of employment (shared README section 10).

Social Insurance Law Art. 58 binds an employer to register its *employees*: people with whom it has
an employment (labour) relationship. Rosters also list people without one, or whose registration is
someone else's duty; flagging them overdue sends an inspector after employers who did nothing wrong.

- ``full_time`` (blank, 全日制, 劳动合同, full-time): Art. 58, 30 days;
- ``part_time`` (非全日制, part-time): Art. 58 for work-injury insurance, the same 30 days
  (劳社部发〔2003〕12号 Art. 12);
- ``retired`` (退休返聘, 返聘, retired): exempt, a service relationship (SPC Interpretation (I) on
  Labour Disputes, 法释〔2020〕26号, Art. 32);
- ``intern`` (实习, 实习生, intern): exempt, no employment relationship (劳部发〔1995〕309号 Art. 12);
- ``dispatched`` (劳务派遣, 派遣, dispatched): exempt here, the dispatching agency registers (Interim
  Provisions on Labour Dispatch, MOHRSS Order No. 22, Art. 8 and 18);
- ``service`` (劳务, 劳务关系, service): exempt, a service contract under the Civil Code.

An unrecognised value is treated as full-time (the duty stands) and noted.

>>> codes, unknown = normalise_employment_type(pd.Series(["退休返聘", " Part-Time ", None, "临时工"]))
>>> codes.tolist(), unknown.tolist()
(['retired', 'part_time', 'full_time', 'full_time'], [False, False, False, True])
"""

from __future__ import annotations

import pandas as pd

from compliance import catalogue, vocab

EMPLOYMENT_WORDS: dict[str, list[str]] = {
    "full_time": ["全日制", "劳动合同", "全职", "full-time", "full_time", "fulltime"],
    "part_time": ["非全日制", "兼职", "part-time", "part_time", "parttime"],
    "retired": ["退休返聘", "返聘", "retired", "re-employed retiree"],
    "intern": ["实习", "实习生", "intern", "internship"],
    "dispatched": ["劳务派遣", "派遣", "dispatched", "dispatch"],
    "service": ["劳务", "劳务关系", "service", "service contract"],
}
EMPLOYMENT_TYPES = list(EMPLOYMENT_WORDS)
# why each is exempt: the catalogue's ``exempt_<type>`` messages (their legal sources are in them)
EXEMPT_REASONS: dict[str, str] = {t: catalogue.render(f"exempt_{t}", "en") for t in ("retired", "intern", "dispatched",
                                                                                    "service")}
EXEMPT = list(EXEMPT_REASONS)
_LOOKUP = vocab.table(EMPLOYMENT_WORDS)


def normalise_employment_type(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Employment type codes (blank is ``full_time``) and where the value was not recognised (also
    ``full_time``: the duty stands unless the roster says otherwise in words we know)."""
    codes, unknown = vocab.lookup(values, _LOOKUP)
    return codes.fillna("full_time"), unknown


def exempt_reason(codes: pd.Series) -> pd.Series:
    """Why a row is exempt (NA where the Art. 58 duty stands)."""
    return codes.map(EXEMPT_REASONS).astype("string")
