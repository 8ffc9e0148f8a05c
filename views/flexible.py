"""Flexible worker: check my own ID number and how to register myself. Nothing is stored or logged."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from compliance import flexible, ids
from compliance.cards import how_to_activate
from views.common import k, lang, tr

st.title(tr("page.flexible"))
st.caption(tr("flex.intro"))
number = st.text_input(tr("flex.id"), key=k("flex-id"), max_chars=40)
if number.strip():
    report = ids.explain(number)
    if report.valid:
        st.success(tr("flex.valid"))
        c = st.columns(5)
        c[0].metric(tr("flex.ssn"), ids.mask(report.ssn))
        c[1].metric(tr("flex.birth"), report.birth_date or "")
        c[2].metric(tr("flex.sex"), tr(f"sex.{report.sex}"))
        c[3].metric(tr("flex.region"), report.region or report.region_code or "")
        c[4].metric(tr("flex.kind"), tr(f"kind.{report.kind}"))
        for warning in report.warnings:
            st.warning(warning)
    else:
        st.error(tr("flex.invalid") + "; ".join(report.problems))

category = st.radio(tr("flex.category"), flexible.CATEGORIES, format_func=lambda c: tr(f"category.{c}"),
                    key=k("flex-category"))
info = flexible.guide(category, lang())
if flexible.self_registers(category):
    st.info(tr("flex.self_registers"))
    st.markdown(f"**{tr('flex.bring')}**: {info['bring']}  \n**{tr('flex.where')}**: {info['where']}")
else:
    st.info(info["bring"])
st.subheader(tr("flex.card"))
st.write(how_to_activate(pd.Series([None])).iloc[0])
