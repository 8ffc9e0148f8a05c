"""Employer HR: check my roster."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from compliance import ids
from compliance.registration import CHECK_COLUMNS, MAX_EMPLOYER_NAME_CHARS, needs_action
from views.common import (
    SAMPLE_EMPLOYER,
    audit_once,
    audited_download,
    checked,
    delay_chart,
    display_table,
    headline,
    k,
    lang,
    localised_report,
    overdue_by_month_chart,
    require_role,
    scope_to_user,
    settings,
    tr,
    upload_section,
)

SAMPLE = ["hr_roster_2025.xlsx"]


def with_full_numbers(problems: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """The problems table with the ID-number problems quoting the number in full (a join on file and row)."""
    numbers = results[["source_file", "source_row", "id_number"]].drop_duplicates(["source_file", "source_row"])
    joined = problems.merge(numbers, on=["source_file", "source_row"], how="left")
    masked = ids.mask_column(joined["id_number"]).astype("string")
    about_id = (joined["value"].astype("string") == masked).fillna(False) & joined["id_number"].notna()
    joined["value"] = joined["value"].astype("string").mask(about_id, joined["id_number"].astype("string"))
    return joined.drop(columns="id_number")

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
result = checked(files, as_of, calendar_days, employer_id, employer_name)
if result is not None:
    result = scope_to_user(result, user)
if result is not None:
    audit_once(user, result.results["employer_id"].dropna().unique().tolist(), "hr roster check",
               (files, as_of, calendar_days))
    results = result.results
    headline(results)
    st.caption(tr("hr.source"))  # the agency's worksheet may count other people: the registry decides there
    show_full = st.toggle(tr("show_full"), key=k("hr-show-full"))

    st.subheader(tr("hr.action"))
    action_cols = ["name", "id_number", "hire_date", "deadline", "status", "days_late", "days_left",
                   "source_file", "source_row"]
    action = needs_action(results, action_cols)
    if len(action):
        st.dataframe(display_table(action, show_full=show_full), hide_index=True, placeholder="", key=k("hr-action"))
    else:
        st.success(tr("hr.action_none"))

    exempt = results[results["status"] == "exempt"]
    if len(exempt):  # apart from the overdue ones: no Art. 58 duty, with the reason (shared README section 10)
        st.subheader(tr("hr.exempt").format(count=len(exempt)))
        st.dataframe(display_table(exempt, ["name", "id_number", "hire_date", "problem", "source_file", "source_row"],
                                   show_full), hide_index=True, placeholder="", key=k("hr-exempt"))

    left, right = st.columns(2)
    chart = delay_chart(results)
    if chart is not None:
        left.caption(tr("hr.delay_chart"))
        left.vega_lite_chart(*chart, width="stretch")
    chart = overdue_by_month_chart(results)
    if chart is not None:
        right.caption(tr("hr.overdue_chart"))
        right.vega_lite_chart(*chart, width="stretch")

    st.subheader(tr("hr.all"))
    table_cols = ["source_file", "source_row", "name", "id_number", "ssn", "id_problem", "hire_date",
                  "registration_date", "deadline", "status", "days_late", "days_left", "problem", "id_kind",
                  "card_status"]
    st.dataframe(display_table(results, table_cols, show_full), hide_index=True, placeholder="", key=k("hr-table"))

    st.subheader(tr("hr.problems"))
    if len(result.problems):
        problems = result.problems
        if show_full:  # the engine quotes ID numbers masked; "show full numbers" shows them in this table too
            problems = with_full_numbers(problems, results)
        st.dataframe(display_table(problems, [c for c in problems.columns if c != "code"]), hide_index=True,
                     placeholder="", key=k("hr-problems"))
    else:
        st.success(tr("hr.problems_none"))

    st.caption(tr("personal_data"))
    c1, c2 = st.columns(2)
    shown_employers = results["employer_id"].dropna().unique().tolist()
    c1.download_button(tr("download_xlsx"), on_click="ignore", file_name="registration_check.xlsx",
                       data=audited_download(user, shown_employers, "hr registration_check.xlsx", localised_report,
                                             results[CHECK_COLUMNS], ".xlsx", {"problems": result.problems},
                                             sheet="employees", language=lang()),
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=k("hr-dl-xlsx"))
    c2.download_button(tr("download_csv"), on_click="ignore", file_name="registration_check.csv",
                       data=audited_download(user, shown_employers, "hr registration_check.csv", localised_report,
                                             results[CHECK_COLUMNS], ".csv", language=lang()), mime="text/csv",
                       key=k("hr-dl-csv"))
