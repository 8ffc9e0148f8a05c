"""Inspector: the premium verification worksheet of a flagged employer (Art. 58 verification, Art. 86 late fee).

Who the worksheet covers (overdue employees, and the gap months of those registered late: README 11.5),
which employers are flagged and its notes come from compliance.jobs; the page lays them out (the totals,
split by kind and at the average wage where they differ) and offers the download (worksheet, totals, notes).
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from compliance import jobs, premiums, reports
from views.presentation import employer_label, notes_table, uncovered_text, worksheet_captions, worksheet_totals
from views.runtime import engine, on_store
from views.session import k, lang, require_role, tr
from views.widgets import audit_once, date_setting, download, metrics, table


def use_as_of(day: dt.date) -> None:
    """Set the worksheet's as-of date before the next run draws the date widget (a button callback)."""
    st.session_state[k("ws-as-of")] = day


st.title(tr("page.worksheet"))
user = require_role("inspector")
eng = engine()
if not jobs.store_state(eng)[0]:
    st.info(tr("agency.empty"))
    st.stop()
c1, c2, c3 = st.columns(3)
as_of = date_setting(c1, tr("as_of"), "ws-as-of")
results = on_store(jobs.stored_status, eng, as_of)
flagged = jobs.flagged_employers(results)
if not flagged:
    st.info(tr("agency.no_flagged"))
    st.stop()
names = jobs.employer_names(eng)
employer = c2.selectbox(tr("agency.employer"), flagged, format_func=lambda e: employer_label(names, e),
                        key=k("ws-employer"))
st.session_state["_focus"] = (employer, as_of)  # the cases page opens a case for this employer and date
shipped = premiums.cities()
if st.session_state.get("_ws_city_for") != employer:  # a new employer: the city of its USCC's region
    st.session_state[k("ws-city")] = jobs.employer_city(employer) or st.session_state.get(k("ws-city"), shipped[0])
    st.session_state["_ws_city_for"] = employer
city = c3.selectbox(tr("agency.city"), shipped, key=k("ws-city"), format_func=lambda c: tr(f"city.{c}"))
# which source decided (section 8): the registry for an employer in it, else the stored roster's dates
st.caption(tr("agency.source_registry" if jobs.in_registry(eng, employer) else "agency.source_roster"))
own_findings = on_store(jobs.findings, eng, None, True)
own_findings = own_findings[own_findings["employer_id"] == employer]
audit_once(user, [employer], "agency worksheet", (employer, as_of, len(results)))
if len(own_findings):
    with st.expander(tr("agency.employer_findings").format(count=len(own_findings))):
        table(own_findings, "ws-employer-findings")

params = premiums.load_params(city)
try:
    ws = jobs.worksheet_of(results, employer, as_of, params)
except premiums.UncoveredMonths as exc:  # never a bare refusal: what is covered, and that date in one click
    last = params.last_as_of()
    st.warning(uncovered_text(exc, params, lang()))
    st.button(tr("agency.use_last_as_of").format(last=last.isoformat()), key=k("ws-use-last"),
              on_click=use_as_of, args=(last,))
else:
    figures = worksheet_totals(ws.totals, lang())
    metrics(figures[:4])  # employees, premiums, late fee, both
    if figures[4:]:  # README 11.5: split by kind (gap months), at the average wage (no wage declared)
        metrics(figures[4:])
    captions, fee_warning = worksheet_captions(ws.notes, lang())
    for caption in captions:
        st.caption(caption)
    if fee_warning:
        st.warning(fee_warning)
    table(ws.sheet, "ws-worksheet")
    file_name = f"worksheet_{reports.safe_file_part(employer)}.xlsx"  # the employer cell is the upload's text
    download(tr("agency.download_worksheet"), file_name, "ws-dl-worksheet", user, [employer], "agency", ws.sheet,
             {"totals": ws.totals, "notes": notes_table(ws.notes, lang())}, sheet="worksheet")
case = jobs.case_of(eng, employer)
if case is not None:
    st.info(tr("agency.case_exists").format(case=case[0], state=tr(f"case.{case[1]}")))
st.page_link("views/pages/cases.py", label=tr("page.cases"), icon=":material/gavel:")
