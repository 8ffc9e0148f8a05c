"""Flexible worker (public; nothing is stored or logged): check my document number, how to join social
insurance of my own will (Art. 58(2): which insurances, where, what to bring, checking, moving cities) and
what to do with my card (the guidance keys of README 11.4). Nothing is pre-selected but the document."""

from __future__ import annotations

import streamlit as st

from compliance import catalogue, documents, flexible, ids
from compliance.cards import CARD_STATUSES
from views.presentation import id_facts, message_text, upgraded_number
from views.session import k, lang, tr

st.title(tr("page.flexible"))
st.caption(tr("flex.intro"))
c1, c2 = st.columns([1, 2])
id_type = c1.selectbox(tr("flex.id_type"), documents.ID_KINDS, format_func=lambda c: tr(f"kind.{c}"),
                       key=k("flex-id-type"))
number = c2.text_input(tr("flex.id"), key=k("flex-id"), max_chars=40)
if number.strip():
    # a resident ID by its own rules (15 digits upgraded); other documents as the roster's id_type (section 10)
    report = documents.explain(number, None if id_type == "resident" else id_type)
    if report.valid:
        st.success(tr("flex.valid"))
        # the worker typed the number: shown in full, and what normalising changed is said (issue 14)
        upgraded = upgraded_number(ids.clean(number), report)
        if upgraded is not None:
            st.info(tr("flex.upgraded").format(old=upgraded[0], new=upgraded[1]))
        if report.ssn:  # a passport's or travel permit's number is assigned by the agency: said below
            st.table(id_facts(report, lang()))
        for warning in report.warnings:
            agency = getattr(warning, "code", None) == "ssn_agency_note"
            (st.info if agency else st.warning)(message_text(warning, lang()))
    else:
        st.error(tr("flex.invalid") + catalogue.JOINER[lang()].join(message_text(p, lang()) for p in report.problems))

st.subheader(tr("flex.join"))
st.info(flexible.guide(None, lang())["voluntary"])
category = st.radio(tr("flex.category"), flexible.CATEGORIES, index=None, format_func=lambda c: tr(f"category.{c}"),
                    key=k("flex-category"))
info = flexible.guide(category, lang())
if info["note"]:
    st.info(info["note"])
st.markdown("  \n".join(f"**{tr(f'flex.{item}')}**{tr('colon')}{info[item]}" for item in flexible.ITEMS))

st.subheader(tr("flex.card"))
ended = st.checkbox(tr("flex.ended"), key=k("flex-ended"))
status = st.selectbox(tr("flex.card_status"), CARD_STATUSES, index=None, placeholder=tr("flex.card_choose"),
                      format_func=lambda c: tr(f"card.status.{c}"), key=k("flex-card-status"))
for key in flexible.card_guidance(status, ended):
    st.write(catalogue.render(f"card_{key}", lang()))
if status == "activated" and not ended:
    st.success(tr("flex.card.activated"))
    st.caption(tr("flex.card.if_financial") + catalogue.render("card_activate_financial_any_branch", lang()))
elif status == "issued_not_activated" and not ended:
    st.caption(tr("flex.card.frozen_note"))
