"""Social security card activation: status breakdown, not activated, frozen accounts."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from compliance.cards import card_view, status_breakdown
from views.common import (
    audit_once,
    checked,
    display_table,
    k,
    lang,
    require_role,
    scope_to_user,
    settings,
    tr,
    upload_section,
)

SAMPLE = ["hr_roster_2025.xlsx", "english_roster.csv"]  # one employer's roster, and one of several employers

st.title(tr("page.cards"))
user = require_role("hr", "inspector")
files = upload_section("card", SAMPLE if user.role == "inspector" else SAMPLE[:1])  # HR: its own roster only
as_of, _ = settings("card")
c1, c2 = st.columns(2)
cancelled = c1.toggle(tr("card.cancelled"), key=k("card-cancelled"))
cancel_date = c2.date_input(tr("card.cancel_date"), value=dt.date.today(), key=k("card-cancel-date"),
                            disabled=not cancelled)
own = sorted(user.employers)  # HR: rosters without employer columns belong to the user's first employer
result = checked(files, as_of, False, own[0] if own else None)
if result is not None:
    result = scope_to_user(result, user)
if result is not None:
    results = result.results
    audit_once(user, results["employer_id"].dropna().unique().tolist(), "card activation", (files, as_of))
    if results["card_status"].isna().all():
        st.info(tr("card.no_columns"))
    else:
        view = card_view(results, as_of, cancel_date if cancelled else None, lang())
        people = pd.concat([results[["name", "id_number", "employer_name", "card_bank", "source_file",
                                     "source_row"]], view], axis=1)
        breakdown = status_breakdown(view["card_status_code"]).reset_index()
        breakdown.columns = ["code", "people"]
        breakdown["status"] = breakdown["code"].map(lambda c: tr(f"card.status.{c}"))
        st.subheader(tr("card.breakdown"))
        cols = st.columns(len(breakdown))
        for col, row in zip(cols, breakdown.itertuples(), strict=True):
            col.metric(row.status, f"{row.people:,}")
        st.altair_chart(alt.Chart(breakdown[breakdown["people"] > 0]).mark_bar().encode(
            x=alt.X("people:Q", title=None, axis=alt.Axis(format="d", tickMinStep=1)),
            y=alt.Y("status:N", sort="-x", title=None, axis=alt.Axis(labelLimit=300))),
            width="stretch")

        st.subheader(tr("card.not_activated"))
        issued = people[people["card_status_code"] == "issued_not_activated"]
        st.dataframe(display_table(issued[["name", "id_number", "employer_name", "card_bank", "how_to_activate",
                                           "source_file", "source_row"]]), hide_index=True, placeholder="",
                     key=k("card-issued"))
        must_apply = people[people["must_apply"]]
        if len(must_apply):  # no card at all: told to apply, never to bring a card (section 10)
            st.subheader(tr("card.must_apply").format(count=len(must_apply)))
            st.dataframe(display_table(must_apply[["name", "id_number", "employer_name", "how_to_activate",
                                                   "source_file", "source_row"]]),
                         hide_index=True, placeholder="", key=k("card-must-apply"))
        if cancelled:
            frozen = people[people["frozen"]]
            st.subheader(tr("card.frozen").format(count=len(frozen)))
            if len(frozen):
                st.dataframe(display_table(frozen[["name", "id_number", "card_status_code", "card_bank",
                                                   "how_to_activate", "source_file", "source_row"]]),
                             hide_index=True, placeholder="", key=k("card-frozen"))
            else:
                st.success(tr("card.frozen_none"))
