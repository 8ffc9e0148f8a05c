"""Agency inspector: employers by risk, premium-verification flags, drill-down, export."""

from __future__ import annotations

import altair as alt
import streamlit as st

from compliance import reports
from compliance.employers import EMPLOYER_COLUMNS, filter_employers, summarise
from compliance.registration import CHECK_COLUMNS
from views.common import (
    MAX_SEARCH_CHARS,
    STATUS_COLOURS,
    audit_once,
    audited_download,
    checked,
    display_table,
    headline,
    k,
    lang,
    localised_report,
    require_role,
    settings,
    tr,
    upload_section,
)

SAMPLE = ["agency_extract_gbk.csv", "english_roster.csv", "legacy_roster.xls"]

st.title(tr("page.inspector"))
st.caption(tr("app.law"))
user = require_role("inspector")
files = upload_section("insp", SAMPLE)
as_of, calendar_days = settings("insp")
result = checked(files, as_of, calendar_days)
if result is not None:
    results = result.results
    audit_once(user, results["employer_id"].dropna().unique().tolist(), "inspector employers",
               (files, as_of, calendar_days))
    headline(results)
    c1, c2, c3 = st.columns([1, 1, 2])
    flagged_only = c1.toggle(tr("insp.flagged_only"), key=k("insp-flagged-only"))
    search = c2.text_input(tr("insp.search"), key=k("insp-search"), max_chars=MAX_SEARCH_CHARS)
    hires = results["hire_date"].dropna()
    period = None
    if len(hires):
        first, last = hires.min().date(), hires.max().date()
        picked = c3.date_input(tr("insp.hire_period"), value=(first, last), key=k("insp-hire-period"))
        if isinstance(picked, tuple) and len(picked) == 2:
            period = picked
    scoped = filter_employers(results, search=search, hired_between=period)
    summary = summarise(scoped)
    if flagged_only:
        summary = summary[summary["flag_premium_verification"]]
    flagged = summary[summary["flag_premium_verification"]]
    st.metric(tr("insp.flagged_count"), f"{len(flagged):,}")

    st.subheader(tr("insp.employers"))
    styled = display_table(summary).style.apply(
        lambda row: ["background-color: #fde0dc" if summary.loc[row.name, "flag_premium_verification"] else ""
                     for _ in row], axis=1)
    st.dataframe(styled, hide_index=True, placeholder="", key=k("insp-table"))

    chart_data = summary[summary["overdue"] > 0].head(25)
    if len(chart_data):
        st.caption(tr("insp.chart"))
        chart_data = chart_data.assign(label=chart_data["employer_name"].fillna(chart_data["employer_id"]))
        st.altair_chart(alt.Chart(chart_data).mark_bar(color=STATUS_COLOURS["overdue"]).encode(
            x=alt.X("overdue:Q", title=tr("status.overdue"), axis=alt.Axis(format="d", tickMinStep=1)),
            y=alt.Y("label:N", sort="-x", title=None, axis=alt.Axis(labelLimit=400)),  # whole company names
            tooltip=["employer_id", "employer_name", "overdue", "max_days_overdue", "flag_reason"]),
            width="stretch")

    st.download_button(tr("download_flagged"), on_click="ignore", file_name="flagged_employers.xlsx",
                       data=audited_download(user, flagged["employer_id"].tolist(), "inspector flagged_employers.xlsx",
                                             localised_report, flagged[EMPLOYER_COLUMNS], ".xlsx", sheet="flagged",
                                             language=lang()),
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key=k("insp-dl-flagged"))

    st.subheader(tr("insp.drill"))
    options = summary["employer_id"].fillna("").tolist()
    names = dict(zip(options, summary["employer_name"].fillna(""), strict=True))
    chosen = st.selectbox(tr("insp.drill"), options, format_func=lambda k: f"{names.get(k, '')} {k}".strip(),
                          key=k("insp-drill"), label_visibility="collapsed")
    if chosen is not None:
        rows = scoped[scoped["employer_id"].fillna("") == chosen]
        cols = ["name", "id_number", "hire_date", "registration_date", "deadline", "status", "days_late",
                "days_left", "problem", "source_file", "source_row"]
        st.dataframe(display_table(rows, cols), hide_index=True, placeholder="", key=k("insp-employees"))
        file_name = f"employer_{reports.safe_file_part(chosen)}.xlsx"  # the employer cell is the upload's text
        st.download_button(tr("download_xlsx"), on_click="ignore", file_name=file_name,
                           data=audited_download(user, [chosen], f"inspector {file_name}", localised_report,
                                                 rows[CHECK_COLUMNS], ".xlsx", sheet="employees", language=lang()),
                           key=k("insp-dl-employer"))
