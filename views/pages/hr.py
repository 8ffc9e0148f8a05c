"""Employer HR: check my roster (only my employers' rows are shown, stored or downloaded)."""

from __future__ import annotations

import streamlit as st

from compliance.registration import CHECK_COLUMNS, MAX_EMPLOYER_NAME_CHARS, needs_action
from views.presentation import (
    SAMPLE_EMPLOYER,
    delay_chart,
    overdue_by_month_chart,
    with_full_numbers,
    with_structure,
)
from views.session import k, lang, require_role, tr
from views.widgets import audit_once, checked, download, headline, settings, table, upload_section

SAMPLE = ["hr_roster_2025.xlsx"]
ACTION_COLUMNS = ["name", "id_number", "hire_date", "deadline", "status", "days_late", "days_left", "source_file",
                  "source_row"]
EXEMPT_COLUMNS = ["name", "id_number", "hire_date", "status", "problem", "source_file", "source_row"]
TABLE_COLUMNS = ["source_file", "source_row", "name", "id_number", "ssn", "id_problem", "hire_date",
                 "registration_date", "deadline", "status", "duty", "days_late", "days_left", "leave_date", "problem",
                 "id_kind", "card_status"]

st.title(tr("page.hr"))
st.caption(tr("app.law"))
user = require_role("hr")
files = upload_section("hr", SAMPLE)
using_sample = bool(st.session_state.get("hr-use-sample")) and files and files[0][0] == SAMPLE[0]
as_of, calendar_days = settings("hr")
with st.expander(tr("employer_id"), expanded=False):
    own = sorted(user.employers)
    default = SAMPLE_EMPLOYER[0] if using_sample and SAMPLE_EMPLOYER[0] in own else own[0]
    employer_id = st.selectbox(tr("employer_id"), own, index=own.index(default), key=k("hr-employer-id"))
    employer_name = st.text_input(tr("employer_name"), value=SAMPLE_EMPLOYER[1] if using_sample else "",
                                  key=k("hr-employer-name"), max_chars=MAX_EMPLOYER_NAME_CHARS)
result = checked(user, files, as_of, calendar_days, employer_id, employer_name)
if result is not None:
    results = result.results
    shown_employers = results["employer_id"].dropna().unique().tolist()
    audit_once(user, shown_employers, "hr roster check", (files, as_of, calendar_days))
    headline(results)
    st.caption(tr("hr.source"))  # the agency's worksheet may count other people: the registry decides there
    show_full = st.toggle(tr("show_full"), key=k("hr-show-full"))

    st.subheader(tr("hr.action"))
    action = needs_action(results, ACTION_COLUMNS)
    if len(action):
        table(action, "hr-action", show_full=show_full)
    else:
        st.success(tr("hr.action_none"))

    exempt = results[results["status"].isin(["exempt", "left_before_deadline"])]
    if len(exempt):  # apart from the overdue ones: no Art. 58 duty, or gone before it fell due (sections 10, 11.2)
        st.subheader(tr("hr.exempt").format(count=len(exempt)))
        table(exempt, "hr-exempt", EXEMPT_COLUMNS, show_full)

    for where, caption, chart in zip(st.columns(2), ("hr.delay_chart", "hr.overdue_chart"),
                                     (delay_chart(results, lang()), overdue_by_month_chart(results, lang())),
                                     strict=True):
        if chart is not None:
            where.caption(tr(caption))
            where.vega_lite_chart(*chart, width="stretch")

    st.subheader(tr("hr.all"))
    table(results, "hr-table", TABLE_COLUMNS, show_full)

    st.subheader(tr("hr.problems"))
    if len(result.problems):
        problems = with_full_numbers(result.problems, results) if show_full else result.problems
        table(problems, "hr-problems", [c for c in problems.columns if c != "code" and not c.endswith("_coded")])
    else:
        st.success(tr("hr.problems_none"))

    st.caption(tr("personal_data"))
    c1, c2 = st.columns(2)
    download(tr("download_xlsx"), "registration_check.xlsx", "hr-dl-xlsx", user, shown_employers, "hr",
             with_structure(results, CHECK_COLUMNS), {"problems": result.problems}, sheet="employees", where=c1)
    download(tr("download_csv"), "registration_check.csv", "hr-dl-csv", user, shown_employers, "hr",
             with_structure(results, CHECK_COLUMNS), where=c2)
