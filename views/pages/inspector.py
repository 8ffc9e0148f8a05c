"""Agency inspector: employers by risk, premium-verification flags, drill-down, export."""

from __future__ import annotations

import streamlit as st

from compliance import jobs, reports
from compliance.employers import EMPLOYER_COLUMNS, filter_employers
from compliance.registration import CHECK_COLUMNS
from views.presentation import MAX_SEARCH_CHARS, employer_label, overdue_employers_chart, with_structure
from views.session import k, lang, require_role, tr
from views.widgets import audit_once, checked, download, headline, settings, table, upload_section

SAMPLE = ["agency_extract_gbk.csv", "english_roster.csv", "legacy_roster.xls"]
EMPLOYEE_COLUMNS = ["name", "id_number", "hire_date", "registration_date", "deadline", "status", "duty", "days_late",
                    "days_left", "leave_date", "problem", "source_file", "source_row"]

st.title(tr("page.inspector"))
st.caption(tr("app.law"))
user = require_role("inspector")
files = upload_section("insp", SAMPLE)
as_of, calendar_days = settings("insp")
result = checked(user, files, as_of, calendar_days)
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
        # keyed by the range: a new upload starts at its own range, not the last one's
        picked = c3.date_input(tr("insp.hire_period"), value=(first, last), key=k(f"insp-hire-period-{first}-{last}"))
        if isinstance(picked, tuple) and len(picked) == 2:
            period = picked
    scoped = filter_employers(results, search=search, hired_between=period)
    summary = jobs.employer_summary(scoped)
    if flagged_only:
        summary = summary[summary["flag_premium_verification"]]
    flagged = summary[summary["flag_premium_verification"]]
    st.metric(tr("insp.flagged_count"), f"{len(flagged):,}")

    st.subheader(tr("insp.employers"))
    table(summary, "insp-table", highlight=summary["flag_premium_verification"])
    chart = overdue_employers_chart(summary, lang())
    if chart is not None:
        st.caption(tr("insp.chart"))
        st.altair_chart(chart, width="stretch")
    download(tr("download_flagged"), "flagged_employers.xlsx", "insp-dl-flagged", user,
             flagged["employer_id"].tolist(), "inspector", with_structure(flagged, EMPLOYER_COLUMNS), sheet="flagged")

    st.subheader(tr("insp.drill"))
    options = summary["employer_id"].fillna("").tolist()
    names = dict(zip(options, summary["employer_name"].fillna(""), strict=True))
    chosen = st.selectbox(tr("insp.drill"), options, format_func=lambda e: employer_label(names, e),
                          key=k("insp-drill"), label_visibility="collapsed")
    if chosen is not None:
        rows = scoped[scoped["employer_id"].fillna("") == chosen]
        table(rows, "insp-employees", EMPLOYEE_COLUMNS)
        file_name = f"employer_{reports.safe_file_part(chosen)}.xlsx"  # the employer cell is the upload's text
        download(tr("download_xlsx"), file_name, "insp-dl-employer", user, [chosen], "inspector",
                 with_structure(rows, CHECK_COLUMNS), sheet="employees")
