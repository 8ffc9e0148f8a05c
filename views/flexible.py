"""Flexible worker: check my own ID number and how to register myself. Nothing is stored or logged."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from compliance import flexible, ids
from compliance.cards import CARD_STATUSES, how_to_activate, how_to_apply
from views.common import k, lang, tr, translate_message

st.title(tr("page.flexible"))
st.caption(tr("flex.intro"))
number = st.text_input(tr("flex.id"), key=k("flex-id"), max_chars=40)
if number.strip():
    report = ids.explain(number)
    if report.valid:
        st.success(tr("flex.valid"))
        # the worker typed the number: shown in full, and what normalising changed is said (issue 14)
        typed = ids.clean(number)
        if len(typed) == 15 and report.ssn and len(report.ssn) == 18:
            st.info(tr("flex.upgraded").format(old=typed, new=report.ssn))
        facts = {tr("flex.ssn"): report.ssn or "", tr("flex.birth"): report.birth_date or "",
                 tr("flex.sex"): tr(f"sex.{report.sex}") if report.sex else "",
                 tr("flex.region"): report.region or report.region_code or "",
                 tr("flex.kind"): tr(f"kind.{report.kind}")}
        table = pd.DataFrame({tr("flex.item"): list(facts), tr("flex.value"): list(facts.values())})
        st.table(table.set_index(tr("flex.item")))
        for warning in report.warnings:
            st.warning(translate_message(warning))
    else:
        st.error(tr("flex.invalid") + "；".join(translate_message(p) for p in report.problems))

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
