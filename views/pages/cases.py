"""Inspector: cases — open one for a flagged employer, move it along its states, read its history.

An employer has at most one case that is not closed (``jobs.case_of``), and a case moves only to the one
state that comes next (``jobs.next_state``: open → notified → rectified → closed); every move is audited.
"""

from __future__ import annotations

import streamlit as st

from compliance import jobs
from compliance.errors import ShebaoError
from views.presentation import MAX_NOTE_CHARS, employer_label, message_text
from views.runtime import engine, on_store
from views.session import k, lang, require_role, tr
from views.widgets import date_setting, table

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

st.subheader(tr("agency.cases"))
case_list = jobs.list_cases(eng)
table(case_list, "cases-table")
if len(case_list):
    c1, c2, c3 = st.columns([1, 1, 2])
    case_id = int(c1.selectbox(tr("agency.case"), case_list["id"].tolist(), key=k("cases-case")))
    following = jobs.next_state(str(case_list.loc[case_list["id"] == case_id, "state"].iloc[0]))
    if following is not None:
        c2.text_input(tr("agency.next_state"), value=tr(f"case.{following}"), disabled=True, max_chars=64,
                      key=k(f"cases-next-state-{case_id}"))
        note = c3.text_input(tr("agency.note"), key=k("cases-note"), max_chars=MAX_NOTE_CHARS)
        if st.button(tr("agency.move_case"), key=k("cases-move")):
            try:
                jobs.move_case(eng, case_id, following, note, by=user.username)
                st.rerun()
            except ShebaoError as exc:
                st.error(message_text(exc, lang()))
    else:
        c2.caption(tr("agency.case_closed"))
    st.caption(tr("agency.case_history"))
    table(jobs.case_history(eng, case_id), "cases-history")
