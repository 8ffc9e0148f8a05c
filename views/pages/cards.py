"""Social security card activation: status breakdown, not activated, never applied, frozen accounts."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from compliance.cards import card_view
from views.presentation import card_breakdown, card_chart
from views.session import k, lang, require_role, tr
from views.widgets import audit_once, checked, metrics, settings, table, upload_section

SAMPLE = ["hr_roster_2025.xlsx", "english_roster.csv"]  # one employer's roster, and one of several employers
PEOPLE = ["name", "id_number", "employer_name", "card_bank", "source_file", "source_row"]

st.title(tr("page.cards"))
user = require_role("hr", "inspector")
files = upload_section("card", SAMPLE if user.role == "inspector" else SAMPLE[:1])  # HR: its own roster only
as_of, _ = settings("card")
c1, c2 = st.columns(2)
cancelled = c1.toggle(tr("card.cancelled"), key=k("card-cancelled"))
cancel_date = c2.date_input(tr("card.cancel_date"), value=dt.date.today(), key=k("card-cancel-date"),
                            disabled=not cancelled)
own = sorted(user.employers)  # HR: rosters without employer columns belong to the user's first employer
result = checked(user, files, as_of, False, own[0] if own else None)
if result is not None:
    results = result.results
    audit_once(user, results["employer_id"].dropna().unique().tolist(), "card activation", (files, as_of))
    if results["card_status"].isna().all():
        st.info(tr("card.no_columns"))
        st.stop()
    view = card_view(results, as_of, cancel_date if cancelled else None, lang())
    people = pd.concat([results[PEOPLE], view], axis=1)
    breakdown = card_breakdown(view["card_status_code"], lang())
    st.subheader(tr("card.breakdown"))
    metrics([(row.status, f"{row.people:,}") for row in breakdown.itertuples()])
    st.altair_chart(card_chart(breakdown), width="stretch")

    st.subheader(tr("card.not_activated"))
    table(people[people["card_status_code"] == "issued_not_activated"], "card-issued",
          ["name", "id_number", "employer_name", "card_bank", "how_to_activate", "source_file", "source_row"])
    must_apply = people[people["must_apply"]]
    if len(must_apply):  # no card at all: told to apply, never to bring a card (section 10)
        st.subheader(tr("card.must_apply").format(count=len(must_apply)))
        table(must_apply, "card-must-apply",
              ["name", "id_number", "employer_name", "how_to_activate", "source_file", "source_row"])
    if cancelled:
        frozen = people[people["frozen"]]
        st.subheader(tr("card.frozen").format(count=len(frozen)))
        if len(frozen):
            table(frozen, "card-frozen", ["name", "id_number", "card_status_code", "card_bank", "how_to_activate",
                                          "source_file", "source_row"])
        else:
            st.success(tr("card.frozen_none"))
