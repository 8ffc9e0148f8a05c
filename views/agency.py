"""Inspector: the store — registry import, cross-check, premium worksheet, cases."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from compliance import accounts, jobs, premiums, reports, store
from compliance.crosscheck import FINDINGS
from compliance.rosters import RosterError, display_name
from views.common import (
    MAX_NOTE_CHARS,
    SAMPLES,
    audit_once,
    audited_download,
    cached,
    date_setting,
    display_table,
    engine,
    in_worker,
    k,
    lang,
    localised_report,
    require_role,
    safe_text,
    show_error,
    tr,
    translate_message,
    use_sample,
    within_upload_cap,
)

st.title(tr("page.agency"))
user = require_role("inspector")
eng = engine()

with st.expander(tr("agency.store"), expanded=store.history(eng).empty):  # open while the store is empty
    rosters = st.file_uploader(tr("agency.rosters"), type=["xlsx", "xls", "csv"], accept_multiple_files=True,
                               key=k("agency-roster-upload"))
    registry = st.file_uploader(tr("agency.registry"), type=["xlsx", "xls", "csv"], accept_multiple_files=True,
                                key=k("agency-registry-upload"))
    c1, c2 = st.columns(2)
    files = [("roster", f.name, f.getvalue()) for f in rosters or []] + \
        [("registry", f.name, f.getvalue()) for f in registry or []]
    if c2.button(tr("try_sample"), key=k("agency-sample"), on_click=use_sample, args=("agency",)):
        files = [("roster", "agency_extract_gbk.csv", (SAMPLES / "agency_extract_gbk.csv").read_bytes()),
                 ("registry", "agency_registry_2025.csv",
                  (SAMPLES / "registry" / "agency_registry_2025.csv").read_bytes())]
    if files and not within_upload_cap(sum(len(data) for _, _, data in files)):
        files = []
    if files and (c1.button(tr("agency.store"), key=k("agency-store")) or st.session_state.get(k("agency-sample"))):
        progress = st.progress(0.0)
        for i, (kind, name, data) in enumerate(files):
            shown_name = safe_text(display_name(name))
            try:
                outcome = jobs.store_file(eng, kind, name, data, user.username, run=in_worker)
            except RosterError as exc:  # our own message, naming the file by its sanitised name
                st.error(f"{tr('file_error')}{tr('colon')}{safe_text(exc)}")
            except Exception as exc:  # one bad file must not stop the others; no exception text on screen
                show_error("unexpected_error", exc)
            else:
                if outcome.duplicate:
                    st.info(f"{shown_name}{tr('colon')}{tr('agency.duplicate')}")
                else:
                    st.success(f"{shown_name}{tr('colon')}{tr('agency.stored')} {outcome.stored:,} / {outcome.rows:,}")
                    accounts.retire_demo_users(eng, by=user.username)  # a real file ends the demo (issue 20, #10)
            progress.progress((i + 1) / len(files))

hist = store.history(eng)
if hist.empty:
    st.info(tr("agency.empty"))
    st.stop()
with st.expander(tr("agency.history")):
    st.dataframe(display_table(hist), hide_index=True, placeholder="", key=k("agency-history"))

names = store.employer_names(eng)
audit_once(user, sorted(names), "agency store", (len(hist), hist["sha256"].iloc[-1]))
state = (eng.url.render_as_string(), *jobs.store_state(eng))  # what the cached results depend on

st.subheader(tr("agency.crosscheck"))
findings = cached(("findings", state), jobs.findings, eng)
chosen = st.multiselect(tr("agency.finding_filter"), FINDINGS, default=FINDINGS, key=k("agency-findings"),
                        format_func=lambda f: tr(f"finding.{f}"))
shown = findings[findings["finding"].isin(chosen)]
counts = findings["finding"].value_counts()
for col, finding in zip(st.columns(len(FINDINGS)), FINDINGS, strict=True):
    col.metric(tr(f"finding.{finding}"), int(counts.get(finding, 0)))
st.dataframe(display_table(shown), hide_index=True, placeholder="", key=k("agency-findings-table"))
st.download_button(tr("agency.download_findings"), on_click="ignore", file_name="crosscheck.xlsx",
                   data=audited_download(user, shown["employer_id"].tolist(), "agency crosscheck.xlsx",
                                         localised_report, shown, ".xlsx", sheet="crosscheck", language=lang()),
                   key=k("agency-dl-findings"))



def _use_as_of(day: dt.date) -> None:
    """Set the worksheet's as-of date before the next run draws the date widget (a button callback)."""
    st.session_state[k("agency-as-of")] = day


def _worksheet_notes(sheet: pd.DataFrame, params: premiums.Params) -> None:
    """The late-fee rule used, months whose fee exceeds the principal, unconfirmed figures (section 10)."""
    if sheet.empty:
        return
    months = {pd.Period(m, "M") for m in sheet["month"]}
    used = [p for p in params.periods if any(p.start <= m <= p.end for m in months)]
    for p in used:
        st.caption(tr(f"agency.late_fee_rule.{p.late_fee_from}").format(months=p.months))
        if p.unconfirmed:
            st.caption(tr("agency.unconfirmed").format(months=p.months, fields=", ".join(p.unconfirmed)))
    above = int(premiums.fee_above_principal(sheet).sum())
    if above:
        st.warning(tr("agency.fee_above_principal").format(count=above))


st.subheader(tr("agency.worksheet"))
c1, c2, c3 = st.columns(3)
as_of = date_setting(c1, tr("as_of"), "agency-as-of")
results = cached(("stored_status", state, as_of), jobs.stored_status, eng, as_of)
flagged = jobs.flagged_employers(results)
if not flagged:
    st.info(tr("agency.no_flagged"))
else:
    employer = c2.selectbox(tr("agency.employer"), flagged, format_func=lambda e: f"{names.get(e, '')} {e}",
                            key=k("agency-employer"))
    # which source decided (section 8): the registry for an employer in it, else the stored roster's dates
    in_registry = jobs.in_registry(eng, employer)
    own_findings = findings[findings["employer_id"] == employer]
    st.caption(tr("agency.source_registry" if in_registry else "agency.source_roster"))
    if len(own_findings):
        with st.expander(tr("agency.employer_findings").format(count=len(own_findings))):
            st.dataframe(display_table(own_findings), hide_index=True, placeholder="",
                         key=k("agency-employer-findings"))
    city = c3.selectbox(tr("agency.city"), premiums.cities(), key=k("agency-city"),
                        format_func=lambda c: tr(f"city.{c}"))
    params = premiums.load_params(city)
    try:
        ws = jobs.worksheet_of(results, employer, as_of, params)
    except premiums.UncoveredMonths as exc:  # never a bare refusal: what is covered, and that date in one click
        last = params.last_as_of()
        months = ", ".join(exc.months[:3]) + (" …" if len(exc.months) > 3 else "")
        st.warning(tr("agency.params_uncovered").format(city=params.city, coverage=params.coverage(), months=months,
                                                        last=last.isoformat(), last_month=params.last_month()))
        st.button(tr("agency.use_last_as_of").format(last=last.isoformat()), key=k("agency-use-last"),
                  on_click=_use_as_of, args=(last,))
    else:
        sheet, totals = ws.sheet, ws.totals
        if len(totals):
            t = totals.iloc[0]
            m = st.columns(4)
            m[0].metric(tr("col.employees"), int(t["employees"]))
            m[1].metric(tr("agency.total_premiums"), f"{t['total']:,.2f}")
            m[2].metric(tr("col.late_fee"), f"{t['late_fee']:,.2f}")
            m[3].metric(tr("agency.totals"), f"{t['total_with_late_fee']:,.2f}")
        _worksheet_notes(sheet, params)
        st.dataframe(display_table(sheet), hide_index=True, placeholder="", key=k("agency-worksheet"))
        notes = pd.DataFrame({"note": premiums.worksheet_notes(sheet, params)}, dtype="string")
        file_name = f"worksheet_{reports.safe_file_part(employer)}.xlsx"  # the employer cell is the upload's text
        st.download_button(tr("agency.download_worksheet"), on_click="ignore", file_name=file_name,
                           data=audited_download(user, [employer], f"agency {file_name}",
                                                 localised_report, sheet, ".xlsx",
                                                 {"totals": totals, "notes": notes},
                                                 sheet="worksheet", language=lang()),
                           key=k("agency-dl-worksheet"))
    open_cases = store.list_cases(eng)
    open_cases = open_cases[(open_cases["employer_id"] == employer) & (open_cases["state"] != "closed")]
    if len(open_cases):  # one case per employer at a time: say so instead of a button that does nothing
        st.info(tr("agency.case_exists").format(case=int(open_cases["id"].iloc[0]),
                                                state=tr(f"case.{open_cases['state'].iloc[0]}")))
    elif st.button(tr("agency.open_case"), key=k("agency-open-case")):
        unregistered = int(jobs.overdue_of(results, employer)["ssn"].nunique())
        jobs.open_case(eng, employer, tr("agency.case_reason").format(count=unregistered, as_of=as_of.isoformat()),
                        by=user.username)
        st.rerun()

st.subheader(tr("agency.cases"))
case_list = store.list_cases(eng)
st.dataframe(display_table(case_list.assign(state=case_list["state"].map(lambda c: tr(f"case.{c}")))),
             hide_index=True, placeholder="", key=k("agency-cases"))
if len(case_list):
    c1, c2, c3 = st.columns([1, 1, 2])
    case_id = c1.selectbox(tr("agency.case"), case_list["id"].tolist(), key=k("agency-case"))
    current = case_list.loc[case_list["id"] == case_id, "state"].iloc[0]
    step = store.CASE_STATES.index(current) + 1
    if step < len(store.CASE_STATES):  # only the one allowed next state (open → notified → rectified → closed)
        state = store.CASE_STATES[step]
        c2.text_input(tr("agency.next_state"), value=tr(f"case.{state}"), disabled=True, max_chars=64,
                      key=k(f"agency-next-state-{case_id}"))
        note = c3.text_input(tr("agency.note"), key=k("agency-note"), max_chars=MAX_NOTE_CHARS)
        if st.button(tr("agency.move_case"), key=k("agency-move")):
            try:
                jobs.move_case(eng, int(case_id), state, note, by=user.username)
                st.rerun()
            except store.StoreError as exc:
                st.error(translate_message(str(exc)))
    else:
        c2.caption(tr("agency.case_closed"))
    st.caption(tr("agency.case_history"))
    history_table = store.case_history(eng, int(case_id))
    st.dataframe(display_table(history_table.assign(state=history_table["state"].map(lambda c: tr(f"case.{c}")))),
                 hide_index=True, placeholder="", key=k("agency-case-history"))
