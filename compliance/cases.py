"""An inspector's case (shared README 11.6, amending section 8), without the store: its states, which
move is allowed when, its deadlines and the Art. 84 fine range.

A case is opened for an employer flagged for premium verification (an employee not registered within
30 days, Social Insurance Law Art. 58). Its states and moves (:data:`MOVES`)::

    open ──► notified ──► rectified ─────────────► closed
      │         │    └──► not_rectified ► penalised ► closed
      └─────────┴──► withdrawn (撤销立案)

- ``notified``: the employer was served a document ordering it to put things right by a date
  (:data:`DOCUMENTS`): 限期改正指令书 (``rectification_order``: the labour inspectorate's order,
  劳动保障监察条例 Art. 18(2) and 社会保险法 Art. 84 "责令限期改正"), 稽核整改意见书 (``audit_opinion``:
  the agency's audit finding, 社会保险稽核办法, 原劳动和社会保障部令第16号) or 限期缴费通知书
  (``payment_notice``: 社会保险法 Art. 63 "责令其限期缴纳或者补足"). The move records the document and
  ``rectify_by``, which may not be earlier than the day of the move.
- ``rectified`` (改正): any time after the notice, then ``closed`` (结案). A case closes only through a
  decision: ``rectified`` or ``penalised``; never straight from ``open`` or ``notified``.
- ``not_rectified`` (逾期不改正): only once ``rectify_by`` has passed, i.e. on a day after it (the
  last day given is still a day to put things right; Civil Code Art. 203). Only then does Art. 84
  allow a fine, and only from then does a case show its range (:func:`art84_range`).
- ``penalised`` (作出行政处罚决定, 劳动保障监察条例 Art. 18(1)) only after ``not_rectified``; then
  ``closed``. A late rectification after ``not_rectified`` does not undo the Art. 84 violation
  ("逾期不改正的"): the case goes on to the penalty decision, whose amount reflects it.
- ``withdrawn`` (撤销立案, 劳动保障监察条例 Art. 18(3)) from ``open`` or ``notified`` only, as 11.6
  says; once rectified or not, a case ends with ``closed``.
- ``closed`` and ``withdrawn`` are final (:data:`FINAL`): an employer has at most one case that is
  not final, and a new case may be opened once the last one is.

Every move carries a note (what was done, on which document). ``investigate_by`` (劳动保障监察条例
Art. 17: the investigation is completed within 60 working days of the opening, 自立案之日起60个工作日内;
an extension of 30 working days needs the head of the department's approval and is not computed here)
counts working days on the repo's calendar (``compliance.calendar``), the opening day not counted (Civil
Code Art. 201).

This module is imported by the command line's parser: it imports the standard library only at the top
(the calendar, with pandas and the holiday data, on first use).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from compliance.calendar import Deadline

CASE_STATES = ["open", "notified", "rectified", "not_rectified", "penalised", "closed", "withdrawn"]
MOVES: dict[str, tuple[str, ...]] = {
    "open": ("notified", "withdrawn"),
    "notified": ("rectified", "not_rectified", "withdrawn"),
    "rectified": ("closed",),
    "not_rectified": ("penalised",),
    "penalised": ("closed",),
    "closed": (),
    "withdrawn": (),
}
FINAL = frozenset(s for s, following in MOVES.items() if not following)  # closed, withdrawn
DOCUMENTS = ("rectification_order", "audit_opinion", "payment_notice")  # 限期改正指令书, 稽核整改意见书, 限期缴费通知书
INVESTIGATION_WORKING_DAYS = 60  # 劳动保障监察条例 Art. 17
FINE_STATES = frozenset({"not_rectified", "penalised"})  # a case that has been in one shows the Art. 84 range
PERSON_FINE_YUAN = (500, 3_000)  # Art. 84: each directly responsible person in charge
EMPLOYER_FINE_TIMES = (1, 3)  # Art. 84: one to three times the premiums due
CHINA_TIME = dt.timezone(dt.timedelta(hours=8))  # China Standard Time, no daylight saving

Refusal = tuple[str, dict[str, object]]  # a catalogue key and its parameters


class Art84Range(NamedTuple):
    """社会保险法 Art. 84: an employer that does not register and does not put it right within the period
    ordered is fined one to three times the premiums due; each directly responsible person in charge and
    other directly responsible person 500 to 3,000 yuan. Yuan, to the fen."""

    premiums_due: float
    employer_min: float
    employer_max: float
    person_min: float
    person_max: float


def next_states(state: str) -> tuple[str, ...]:
    """The states a case in ``state`` may move to (:data:`MOVES`), none once final."""
    return MOVES[state]


def china_date(at: dt.datetime) -> dt.date:
    """The day in China of a stored timestamp (naive UTC, ``compliance.dates.now_utc``)."""
    return at.replace(tzinfo=dt.UTC).astimezone(CHINA_TIME).date()


def investigate_by(opened_on: dt.date) -> Deadline:
    """The day the investigation must be complete: the 60th working day after the opening day
    (劳动保障监察条例 Art. 17), provisional when the calendar of a year it spans is (calendar, section 2)."""
    from compliance import calendar

    return calendar.add_working_days(opened_on, INVESTIGATION_WORKING_DAYS)


def shows_fine(states: Iterable[str]) -> bool:
    """Whether a case whose states so far are ``states`` shows the Art. 84 range: once it has been
    ``not_rectified`` (11.6: no fine figure earlier)."""
    return any(s in FINE_STATES for s in states)


def art84_range(premiums_due: float) -> Art84Range:
    """The Art. 84 range from the premiums due (the worksheet's total without late fees), in whole fen:
    7,406.00 → employer 7,406.00–22,218.00, each person in charge 500.00–3,000.00."""
    fen = round(float(premiums_due) * 100)
    low, high = EMPLOYER_FINE_TIMES
    return Art84Range(fen / 100, low * fen / 100, high * fen / 100, float(PERSON_FINE_YUAN[0]),
                      float(PERSON_FINE_YUAN[1]))


def refusal(case: int, state: str, target: str, on: dt.date, note: str, document: str | None = None,
            rectify_by: dt.date | None = None, due: dt.date | None = None) -> Refusal | None:
    """Why a case in ``state`` may not move to ``target`` on the day ``on`` (None: it may).

    ``document`` and ``rectify_by`` go with the move to ``notified`` (both needed, nowhere else); ``due`` is
    the case's ``rectify_by`` recorded at its notice (None for a case notified before they were kept).
    """
    if target not in CASE_STATES:
        return "unknown_case_state", {"state": target, "states": ", ".join(CASE_STATES)}
    if state in FINAL:
        return "case_final", {"case": case, "state": state}
    if target not in MOVES.get(state, ()):
        return "case_next_state", {"case": case, "state": state, "state2": target}
    if not note.strip():
        return "case_note_required", {"case": case}
    if target != "notified":
        if document is not None or rectify_by is not None:
            return "case_document_only_notified", {"case": case}
    elif document is None:
        return "case_document_required", {"case": case}
    elif document not in DOCUMENTS:
        return "unknown_case_document", {"document": document, "documents": ", ".join(DOCUMENTS)}
    elif rectify_by is None:
        return "case_rectify_by_required", {"case": case}
    elif rectify_by < on:
        return "case_rectify_by_past", {"case": case, "rectify_by": rectify_by.isoformat(), "on": on.isoformat()}
    if target == "not_rectified":
        if due is None:
            return "case_rectify_by_unknown", {"case": case}
        if on <= due:
            return "case_not_yet_due", {"case": case, "rectify_by": due.isoformat(), "on": on.isoformat()}
    return None
