"""Who the employer must register: the kind of employment (shared README sections 10 and 11.3).

Social Insurance Law Art. 58 binds an employer to register its *employees*: people with whom it has
an employment (labour) relationship. Rosters also list people without one, or whose registration is
someone else's duty; flagging them overdue sends an inspector after employers who did nothing wrong.
The words are read here; what each kind owes is ``compliance.duty``'s.

- ``full_time`` (blank, 全日制, 劳动合同, full-time; 试用期/probation, part of the contract term, Labour
  Contract Law Art. 19; 弹性延迟退休/延迟退休, Order 56 Art. 23): Art. 58, 30 days;
- ``part_time`` (非全日制, part-time): work-injury insurance, the same 30 days (劳社部发〔2003〕12号
  items 10–12);
- ``retired`` (退休返聘, 返聘, retired): over-age, a service relationship (Labour Contract Law Art. 44(2));
- ``intern`` (实习, 实习生, intern): no employment relationship (劳部发〔1995〕309号 Art. 12);
- ``dispatched`` (劳务派遣, 派遣, dispatched): the dispatching agency registers (劳务派遣暂行规定 Art. 8),
  unless it has no branch where the work is done (Art. 19(2));
- ``service`` (劳务, 劳务关系, service): a service contract under the Civil Code;
- ``waiver`` (自愿放弃社保 …): read as ``full_time`` — a waiver is void (法释〔2025〕12号 Art. 19).

An unrecognised value is treated as full-time (the duty stands) and noted.

>>> words = ["退休返聘", " Part-Time ", None, "临时工", "自愿放弃社保"]
>>> codes, unknown, waived = normalise_employment_type(pd.Series(words))
>>> codes.tolist(), unknown.tolist(), waived.tolist()
(['retired', 'part_time', 'full_time', 'full_time', 'full_time'], [False, False, False, True, False], \
[False, False, False, False, True])
"""

from __future__ import annotations

import pandas as pd

from compliance import catalogue, vocab

EMPLOYMENT_WORDS: dict[str, list[str]] = {
    "full_time": ["全日制", "劳动合同", "全职", "full-time", "full_time", "fulltime", "试用期", "试用", "probation",
                  "弹性延迟退休", "延迟退休"],
    "part_time": ["非全日制", "兼职", "part-time", "part_time", "parttime"],
    "retired": ["退休返聘", "返聘", "retired", "re-employed retiree"],
    "intern": ["实习", "实习生", "intern", "internship"],
    "dispatched": ["劳务派遣", "派遣", "dispatched", "dispatch"],
    "service": ["劳务", "劳务关系", "service", "service contract"],
    "waiver": ["自愿放弃社保", "放弃缴纳社保", "放弃参保", "不缴社保", "社保补贴代替", "waiver"],
}
EMPLOYMENT_TYPES = [t for t in EMPLOYMENT_WORDS if t != "waiver"]  # a waiver is read as full-time
# why a row of each kind may be exempt: the catalogue's ``exempt_<type>`` messages (their sources are in them)
EXEMPT_REASONS: dict[str, str] = {t: catalogue.render(f"exempt_{t}", "en") for t in ("retired", "intern", "dispatched",
                                                                                    "service")}
EXEMPT = list(EXEMPT_REASONS)
_LOOKUP = vocab.table(EMPLOYMENT_WORDS)


def normalise_employment_type(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Employment type codes (blank is ``full_time``), where the value was not recognised (also
    ``full_time``: the duty stands unless the roster says otherwise in words we know), and where it records
    a waiver of social insurance (read as ``full_time``: void, 法释〔2025〕12号 Art. 19)."""
    codes, unknown = vocab.lookup(values, _LOOKUP)
    waived = (codes == "waiver").fillna(False).astype(bool)
    return codes.fillna("full_time").mask(waived, "full_time"), unknown, waived
