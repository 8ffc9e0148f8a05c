"""Inspector: cases — open one for a flagged employer, move it along its states, read its history.

An employer has at most one case that is not final (``jobs.case_of``). A case moves only to the states its
state allows (``jobs.case_view(...).next_states``, README 11.6): notifying names the document served and its
rectify-by date, every move needs a note, a final move (closed, withdrawn) a confirmation; the case shows its
investigation deadline (Art. 17) and, once not rectified, the Art. 84 fine range from its worksheet; its
notices (限期改正通知书, 稽核告知书) and the employer's one-page report download as DOCX and PDF.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from compliance import jobs, premiums
from compliance.cases import DOCUMENTS, FINAL
from compliance.errors import ShebaoError
from views.presentation import MAX_NOTE_CHARS, employer_label, message_text
from views.runtime import engine, on_store
from views.session import k, lang, require_role, tr
from views.widgets import date_setting, metrics, notice_downloads, table

st.title(tr("page.cases"))
user = require_role("inspector")
eng = engine()
focus_employer, focus_as_of = st.session_state.get("_focus", (None, None))  # the worksheet page's choice

st.subheader(tr("agency.open_case"))
c1, c2 = st.columns(2)
as_of = date_setting(c1, tr("as_of"), "cases-as-of", focus_as_of)
results = on_store(jobs.stored_status, eng, as_of) if jobs.store_state(eng)[0] else None
flagged = jobs.flagged_employers(results) if results is not None else []
if not flagged:
    st.info(tr("agency.no_flagged"))
else:
    names = jobs.employer_names(eng)
    employer = c2.selectbox(tr("agency.employer"), flagged, format_func=lambda e: employer_label(names, e),
                            index=flagged.index(focus_employer) if focus_employer in flagged else 0,
                            key=k("cases-employer"))
    case = jobs.case_of(eng, employer)
    if case is not None:  # one case per employer at a time: say so instead of a button that does nothing
        st.info(tr("agency.case_exists").format(case=case[0], state=tr(f"case.{case[1]}")))
    elif st.button(tr("agency.open_case"), key=k("cases-open")):
        unregistered = int(jobs.overdue_of(results, employer)["ssn"].nunique())
        jobs.open_case(eng, employer, tr("agency.case_reason").format(count=unregistered, as_of=as_of.isoformat()),
                       by=user.username)
        st.rerun()


def fine(view: jobs.CaseView, city: str) -> None:
    """The Art. 84 range (not_rectified and later): 1-3 × the premiums due of the employer's worksheet as of
    the page's date in the chosen city's parameters, 500-3,000 yuan each person in charge."""
    try:
        found = jobs.fine_range(jobs.worksheet_of(results, view.employer_id, as_of, premiums.load_params(city)))
    except ShebaoError as exc:  # a month the parameters do not cover: no figure, and why
        st.warning(tr("case.fine_unavailable").format(reason=message_text(exc, lang())))
        return
    st.markdown(tr("case.fine").format(due=found.premiums_due, as_of=as_of.isoformat()))
    metrics([(tr("case.fine_employer"), tr("case.fine_range").format(low=found.employer_min, high=found.employer_max)),
             (tr("case.fine_person"), tr("case.fine_range").format(low=found.person_min, high=found.person_max))])


def move(view: jobs.CaseView) -> None:
    """The move form: widgets keyed by the case and its state, so that after a move they offer the new state's
    options (issue 24, item 4)."""
    at = f"{view.id}-{view.state}"
    c1, c2 = st.columns([1, 2])
    following = c1.selectbox(tr("agency.next_state"), view.next_states, format_func=lambda s: tr(f"case.{s}"),
                             key=k(f"cases-next-state-{at}"))
    note = c2.text_input(tr("agency.note"), key=k(f"cases-note-{at}"), max_chars=MAX_NOTE_CHARS)
    document = rectify_by = None
    if following == "notified":
        d1, d2 = st.columns(2)
        document = d1.selectbox(tr("case.document"), DOCUMENTS, format_func=lambda d: tr(f"case.doc.{d}"),
                                key=k(f"cases-document-{at}"))
        rectify_by = d2.date_input(tr("case.rectify_by"), value=None, min_value=dt.date.today(),
                                   key=k(f"cases-rectify-by-{at}"))
    confirmed = following not in FINAL or st.checkbox(tr("case.confirm").format(state=tr(f"case.{following}")),
                                                      key=k(f"cases-confirm-{at}"))
    if st.button(tr("agency.move_case"), key=k("cases-move"), disabled=not confirmed):
        if not note.strip():
            st.error(tr("case.note_required"))
            return
        try:
            jobs.move_case(eng, view.id, following, note, by=user.username, document=document, rectify_by=rectify_by)
            st.rerun()
        except ShebaoError as exc:  # a move the law's order refuses (not rectified before the date, …)
            st.error(message_text(exc, lang()))


st.subheader(tr("agency.cases"))
case_list = jobs.list_cases(eng)
table(case_list, "cases-table")
if len(case_list):
    view = jobs.case_view(eng, int(st.selectbox(tr("agency.case"), case_list["id"].tolist(), key=k("cases-case"))))
    deadline = view.investigate_by
    st.caption(tr("case.facts").format(opened=view.opened_on.isoformat(), investigate_by=deadline.date.isoformat())
               + (tr("case.provisional") if deadline.provisional else ""))
    if view.document:
        st.caption(tr("case.notice").format(document=tr(f"case.doc.{view.document}"),
                                            rectify_by=view.rectify_by.isoformat() if view.rectify_by else ""))
    cities = premiums.cities()  # the worksheet's parameters: the fine range and the notices
    city = st.selectbox(tr("agency.city"), cities, key=k("cases-city"), format_func=lambda c: tr(f"city.{c}"),
                        index=cities.index(jobs.employer_city(view.employer_id) or cities[0]))
    if view.shows_fine and results is not None:
        fine(view, city)
    notice_downloads(user, view.id, view.employer_id, as_of, premiums.load_params(city), results)
    if view.next_states:
        move(view)
    else:
        st.caption(tr("agency.case_closed").format(state=tr(f"case.{view.state}")))
    st.caption(tr("agency.case_history"))
    table(view.history, "cases-history")
