"""Flexible worker: check my own ID number and how to register myself. Public: nothing is stored or logged."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from compliance import flexible, ids
from compliance.cards import CARD_STATUSES, how_to_activate, how_to_apply
from views.presentation import id_facts, message_text, upgraded_number
from views.session import k, lang, tr

st.title(tr("page.flexible"))
st.caption(tr("flex.intro"))
number = st.text_input(tr("flex.id"), key=k("flex-id"), max_chars=40)
if number.strip():
    report = ids.explain(number)
    if report.valid:
        st.success(tr("flex.valid"))
        # the worker typed the number: shown in full, and what normalising changed is said (issue 14)
        upgraded = upgraded_number(ids.clean(number), report)
        if upgraded is not None:
            st.info(tr("flex.upgraded").format(old=upgraded[0], new=upgraded[1]))
        st.table(id_facts(report, lang()))
        for warning in report.warnings:
            st.warning(message_text(warning, lang()))
    else:
        st.error(tr("flex.invalid") + "；".join(message_text(p, lang()) for p in report.problems))

category = st.radio(tr("flex.category"), flexible.CATEGORIES, format_func=lambda c: tr(f"category.{c}"),
                    key=k("flex-category"))
info = flexible.guide(category, lang())
if flexible.self_registers(category):
    st.info(tr("flex.self_registers"))
    st.markdown(f"**{tr('flex.bring')}**{tr('colon')}{info['bring']}  \n**{tr('flex.where')}**{tr('colon')}"
                f"{info['where']}")
else:
    st.info(info["bring"])
st.subheader(tr("flex.card"))
card = st.selectbox(tr("flex.card_status"), CARD_STATUSES, format_func=lambda c: tr(f"card.status.{c}"),
                    index=CARD_STATUSES.index("issued_not_activated"), key=k("flex-card-status"))
if card == "not_applied":  # never "bring the card" to someone who has none (section 10)
    st.write(how_to_apply(1, lang()).iloc[0])
elif card in ("in_production", "issued_not_activated"):
    st.write(how_to_activate(pd.Series([None]), lang()).iloc[0])
else:
    st.write(tr(f"flex.card.{card}"))
