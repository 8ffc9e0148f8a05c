"""Social security card (HR and inspector; README 11.4): status breakdown; frozen medical accounts by the
card city's old-card parameters (the city chosen here for rows without one; a date only for cities without
parameters); who must register first, apply, wait, collect, replace, enable or transfer, each list with its
guidance in the user's language and a download of it (the notice HR hands out: masked IDs)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from compliance import cards, catalogue, ids, jobs
from compliance.schema import CARD_COLUMNS
from views.presentation import card_breakdown, card_chart, card_city_rule, city_label, message_text, safe_text
from views.session import k, lang, require_role, tr
from views.widgets import audit_once, checked, download, metrics, settings, table, upload_section

SAMPLE = ["hr_roster_2025.xlsx", "english_roster.csv"]  # one employer's roster, and one of several employers
LIST = ["name", "id_number", "employer_name", "card_city", "card_status", "source_file", "source_row"]
NOTICE = ["name", "id_number", "employer_name", "card_city", "card_status", "guidance_text"]
PROBLEMS = ["source_file", "source_row", "column", "value", "message"]
# the lists by a person's first guidance key (cards.GUIDANCE); the not-enabled ones get all three texts
GROUPS = [g for g in cards.GUIDANCE if g not in cards.NOT_ENABLED[2:]]
NO_DUTY = ["exempt", "left_before_deadline"]  # no registration to do: not "register first"

st.title(tr("page.cards"))
user = require_role("hr", "inspector")
files = upload_section("card", SAMPLE if user.role == "inspector" else SAMPLE[:1])  # HR: its own roster only
as_of, calendar_days = settings("card")
cities = cards.old_cards()
city = st.selectbox(tr("card.city"), list(cities), index=None, placeholder=tr("card.city_none"),
                    format_func=lambda c: city_label(c, lang()), key=k("card-city")) if cities else None
own = sorted(user.employers)  # HR: rosters without employer columns belong to the user's first employer
result = checked(user, files, as_of, calendar_days, own[0] if own else None)
if result is None:
    st.stop()
results = result.results
employers = results["employer_id"].dropna().unique().tolist()
audit_once(user, employers, "card activation", (files, as_of))
if results["card_status"].isna().all():
    st.info(tr("card.no_columns"))
    st.stop()

report = jobs.card_report(result, as_of, city, None, lang())
unknown = report.problems.loc[report.problems["code"] == "card_city_unknown", "value"]
if len(unknown):  # card cities without parameters: a date for those rows only (README 11.4)
    named = unknown.dropna().unique()
    st.info(tr("card.undecided").format(count=len(unknown),
                                        cities=tr("card.sep").join(named) or tr("card.undecided_none")))
    cancelled = st.date_input(tr("card.cancel_date"), value=None, key=k("card-cancel-date"))
    if cancelled is not None:
        report = jobs.card_report(result, as_of, city, cancelled, lang())
        unknown = unknown.iloc[:0]
unsure = int(report.people["frozen"].isna().sum()) - len(unknown)
if unsure:  # old cards gone, but no card status says whether the new card works
    st.info(tr("card.unsure").format(count=unsure))
used = sorted(set(report.people["card_city"].dropna()) & set(cities))
for name in used:
    st.caption(card_city_rule(cities[name], lang()))
if used:
    with st.expander(tr("card.sources")):
        for name in used:
            st.caption(f"{city_label(name, lang())}{tr('colon')}{safe_text(cities[name].source)}")
for warning in report.warnings:  # announced less than six months ahead; figures not confirmed
    st.warning(message_text(warning, lang()))

people = pd.concat([results[["id_number", "employer_name", "status"]], report.people], axis=1)
people["card_city"] = people["card_city"].map(lambda c: city_label(c, lang()), na_action="ignore")
breakdown = card_breakdown(people["card_status"], lang())
st.subheader(tr("card.breakdown"))
metrics([(row.status, f"{row.people:,}") for row in breakdown[breakdown["people"] > 0].itertuples()])
st.altair_chart(card_chart(breakdown), width="stretch")


def card_list(name: str, rows: pd.DataFrame, columns: list[str], text: str | None) -> None:
    """One list: its count, what to do, the people, and the notice to hand out (masked IDs, guidance)."""
    st.subheader(tr(f"card.list.{name}").format(count=len(rows)))
    if text:
        st.info(text)
    table(rows, f"card-{name}", columns)
    notice = rows[NOTICE].assign(id_number=ids.mask_column(rows["id_number"]))
    download(tr("card.download_list"), f"card_{name}.xlsx", f"card-dl-{name}", user, employers, "cards", notice,
             sheet="cards")


# insured people only can be frozen; the unregistered (not terminated, with a duty) must register first
terminated = (people["insurance_status"] == "terminated").fillna(False)
to_register = ~people["registered"] & ~terminated & ~people["status"].isin(NO_DUTY).fillna(False)
frozen = people["frozen"].fillna(False).astype(bool)
if frozen.any():
    card_list("frozen", people[frozen], [*LIST, "guidance_text"], None)
elif report.people["frozen"].notna().any():
    st.subheader(tr("card.list.frozen").format(count=0))
    st.success(tr("card.frozen_none"))
if to_register.any():
    card_list("register_first", people[to_register], [*LIST[:3], "status", *LIST[4:]],
              tr("card.register_first_text"))
first = people["guidance"].str.split(";").str[0]
for group in GROUPS:
    rows = people[(first == group).fillna(False) & ~to_register]
    if len(rows):
        texts = [catalogue.render(f"card_{key}", lang()) for key in rows["guidance"].iloc[0].split(";")]
        card_list(group, rows, LIST, "\n\n".join(texts))

problems = report.problems[report.problems["code"].isin(["card_status_unknown"])]
if len(problems):
    st.subheader(tr("card.problems"))
    table(problems, "card-problems", PROBLEMS)
st.caption(tr("personal_data"))
download(tr("card.download"), "social_security_cards.xlsx", "card-dl", user, employers, "cards",
         people[[c for c in CARD_COLUMNS if c != "guidance"]], {"problems": report.problems}, sheet="cards")
