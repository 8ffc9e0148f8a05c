"""What the dashboard shows, worked out without Streamlit: localised tables, chart specs, texts, the menu.

No Streamlit import here (a test of the import graph may say so): everything in this module takes plain
values (frames, codes, a language) and returns plain values, so it is tested like the engine
(tests/test_presentation.py), with values worked out by hand. The widgets (views/widgets.py) and the
pages put what comes back on the screen. No rule lives here either: who is overdue, flagged or exempt,
which case state comes next, all come from the engine (compliance.jobs); this module only says how
it looks.

The engine's messages reach the user's language through :func:`message_text` and :func:`message_column`
only: a message is a code plus its parameters (``compliance.catalogue``), rendered here from its structure;
nothing parses English text back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import pandas as pd

from compliance import cards, catalogue, ids, premiums, reports
from compliance.beijing import beijing_text
from compliance.cards import status_breakdown
from compliance.dates import iso_dates
from compliance.i18n import TEXT, column_labels, t

SAMPLES = Path(__file__).resolve().parent.parent / "sample_uploads"
SAMPLE_EMPLOYER = ("911101055347017256", "商软冠联信息有限公司")  # the employer of hr_roster_2025.xlsx
SAMPLE_AS_OF = dt.date(2025, 11, 20)  # the date the samples' figures (sample_uploads/README.md) are worked out for
STATUS_COLOURS = {"on_time": "#2e7d32", "late": "#f9a825", "overdue": "#c62828", "pending": "#1565c0",
                  "invalid": "#757575", "exempt": "#8e24aa", "left_before_deadline": "#6d4c41"}
# columns of codes shown by their label (i18n key prefix), and columns of the engine's messages
CODE_LABELS = {"status": "status", "card_status": "card.status", "card_status_code": "card.status",
               "id_kind": "kind", "kind": "upload", "finding": "finding", "employment_type": "employment",
               "sex": "sex", "state": "case", "role": "role", "document": "case.doc", "duty": "duty",
               "insurance_status": "insurance_status", "social_function": "card.social",
               "financial_function": "card.financial", "frozen": "yesno", "must_apply": "yesno"}
MESSAGE_COLUMNS = {"problem", "id_problem", "id_warning", "message", "flag_reason", "detail", "reason", "column"}
# Text a widget takes (issue 20, finding 6): max_chars is enforced by Streamlit on the server as well
# (a crafted widget value is cut to it before any page code sees it).
MAX_NOTE_CHARS = 2_000  # a case note
MAX_SEARCH_CHARS = 100  # an employer search
MAX_EMPLOYER_LIST_CHARS = 1_000  # an HR user's employers, comma-separated (50 codes)
MAX_SCREEN_ROWS = 10_000  # rows of one on-screen table; downloads have all of them
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIME = {".xlsx": XLSX, ".csv": "text/csv"}


# --- messages: the one place that turns engine text into the user's language --------------------------

def message_text(message: object, language: str) -> str:
    """A message in ``language``: an error, a file's note or an ID number's problem rendered from its code
    and parameters (``.render(lang)``: ``ShebaoError``, ``catalogue.Text``, ``catalogue.Coded``); any other
    text as it is (a name, a number the user typed)."""
    if message is None:
        return ""
    render = getattr(message, "render", None)
    return render(language) if callable(render) else str(message)


def message_column(frame: pd.DataFrame, name: str, language: str) -> pd.Series:
    """``frame``'s message column ``name`` in ``language``, rendered once per distinct structure value
    from its structure column (``name_coded``); a header label (``column``) through the label words; a
    column without structure (a case's reason, typed by an inspector) as it is."""
    column = frame[name]
    structure = frame.get(f"{name}{catalogue.SUFFIX}")
    if structure is not None:
        return catalogue.rendered_column(column, structure, language)
    if name == "column":
        labels = {v: catalogue.word("label", v, language) for v in column.dropna().unique()}
        return column.map(labels).astype("string")
    return column.astype("string")


def with_structure(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``frame``'s ``columns`` and the structure column of each message column among them: what a table or
    download of those columns needs to render its messages in the user's language."""
    return frame[columns + [f"{c}{catalogue.SUFFIX}" for c in columns if f"{c}{catalogue.SUFFIX}" in frame.columns]]


def safe_text(text: object) -> str:
    """Text for st.markdown-based elements (st.error, st.write, …): user-supplied names cannot
    become links, images or formatting."""
    out = str(text)
    for ch in "\\`*_{}[]()<>#+-.!|~$":
        out = out.replace(ch, "\\" + ch)
    return out


# --- tables -------------------------------------------------------------------------------------------

def screen_rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, int | None]:
    """At most ``MAX_SCREEN_ROWS`` rows for the screen, and the full count when rows were left off.

    A million-row table costs the server about a gigabyte per rerun and no one reads it on screen;
    the downloads hold every row.
    """
    if len(frame) > MAX_SCREEN_ROWS:
        return frame.iloc[:MAX_SCREEN_ROWS], len(frame)
    return frame, None


def localised(frame: pd.DataFrame, columns: list[str] | None, show_full: bool, language: str,
              keep_dates: bool = False) -> pd.DataFrame:
    """``frame``'s ``columns`` with IDs masked unless ``show_full``, codes by their labels, messages
    translated, text blanks empty, headers labelled, all in ``language``.

    Built column by column, without copying the whole frame first: under load this table is most of
    what the server does per session.
    """
    out: dict[str, pd.Series] = {}
    shown = columns if columns is not None else [c for c in frame.columns
                                                 if not str(c).endswith(catalogue.SUFFIX)]  # structure: not shown
    for name in shown:
        column = frame[name]
        if name in ("id_number", "ssn") and not show_full:
            column = ids.mask_column(column)
        elif name in CODE_LABELS:  # codes in the user's words: 'overdue' → 逾期未登记
            labels = {c: t(f"{CODE_LABELS[name]}.{c}", language) for c in column.dropna().unique()}
            column = column.map(labels).astype("string").fillna("")  # a dict per distinct code, not per row
        elif name in MESSAGE_COLUMNS:
            column = message_column(frame, name, language)
        elif pd.api.types.is_datetime64_any_dtype(column) and not keep_dates:  # ISO text: cheap to send
            column = iso_dates(column)
        if pd.api.types.is_string_dtype(column) or pd.api.types.is_object_dtype(column):
            column = column.astype("string").fillna("")  # an empty cell, never "None"
        out[name] = column
    table = pd.DataFrame(out, index=frame.index, copy=False)
    return table.rename(columns=column_labels(list(table.columns), language))


def for_download(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    """A table for the dashboard's downloads: every row, full numbers, headers, codes and messages in the
    interface language (the command line keeps the contract's English codes). Dates stay dates."""
    return localised(frame, None, True, language, keep_dates=True)


def localised_report(frame: pd.DataFrame, suffix: str, extra_sheets: dict[str, pd.DataFrame] | None = None,
                     sheet: str = "report", language: str = "zh") -> bytes:
    """A download's bytes (``reports.to_bytes``, formula-safe) with its tables localised at click time."""
    extra = {name: for_download(table, language) for name, table in (extra_sheets or {}).items()}
    return reports.to_bytes(for_download(frame, language), suffix, extra, sheet=sheet)


def highlighted(shown: pd.DataFrame, flags: pd.Series, colour: str = "#fde0dc") -> pd.io.formats.style.Styler:
    """``shown`` (a localised table) with the rows where ``flags`` holds drawn in ``colour``."""
    marks = flags.reindex(shown.index).fillna(False).astype(bool)
    return shown.style.apply(lambda row: [f"background-color: {colour}" if marks[row.name] else ""] * len(row),
                             axis=1)


def with_full_numbers(problems: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """The problems table with the ID-number problems quoting the number in full (a join on file and row):
    the engine quotes ID numbers masked; "show full numbers" shows them in this table too."""
    numbers = results[["source_file", "source_row", "id_number"]].drop_duplicates(["source_file", "source_row"])
    joined = problems.merge(numbers, on=["source_file", "source_row"], how="left")
    masked = ids.mask_column(joined["id_number"]).astype("string")
    about_id = (joined["value"].astype("string") == masked).fillna(False) & joined["id_number"].notna()
    joined["value"] = joined["value"].astype("string").mask(about_id, joined["id_number"].astype("string"))
    return joined.drop(columns="id_number")


def employer_label(names: dict[str, str], employer_id: str) -> str:
    """An employer as a person picks it from a list: its name, then its credit code."""
    return f"{names.get(employer_id) or ''} {employer_id}".strip()


def id_facts(report: ids.IdReport, language: str) -> pd.DataFrame:
    """What a valid ID number encodes, as a two-column table indexed by item (the flexible-worker page)."""
    facts = {t("flex.ssn", language): report.ssn or "", t("flex.birth", language): report.birth_date or "",
             t("flex.sex", language): t(f"sex.{report.sex}", language) if report.sex else "",
             t("flex.region", language): report.region or report.region_code or "",
             t("flex.kind", language): t(f"kind.{report.kind}", language)}
    table = pd.DataFrame({t("flex.item", language): list(facts), t("flex.value", language): list(facts.values())})
    return table.set_index(t("flex.item", language))


def upgraded_number(typed: str, report: ids.IdReport) -> tuple[str, str] | None:
    """(old, new) when a 15-digit number was typed and normalising made it the 18-digit one (issue 14)."""
    if len(typed) == 15 and report.ssn and len(report.ssn) == 18:
        return typed, report.ssn
    return None


# --- charts -------------------------------------------------------------------------------------------

VegaChart = tuple[pd.DataFrame, dict]  # data and a Vega-Lite spec, for st.vega_lite_chart
WHOLE_PEOPLE = {"format": "d", "tickMinStep": 1}  # an axis of people counts whole people


def delay_chart(results: pd.DataFrame, language: str) -> VegaChart | None:
    """Days from hire to registration in weekly bins per status, with the 30-day line.

    Binned here, so the browser receives a few dozen bars instead of every row. Written as a
    Vega-Lite spec rather than with Altair: Altair's schema validation cost the server more
    than the chart's data under load.
    """
    registered, hired = results["registration_date"], results["hire_date"]
    done = (registered.notna() & hired.notna()).to_numpy()
    if not done.any():
        return None
    days = (registered[done] - hired[done]).dt.days.clip(-28, 364)
    week = (days // 7) * 7
    data = (pd.DataFrame({"days": week, "status": results["status"][done]}).value_counts().rename("employees")
            .reset_index())
    data["status"] = data["status"].map(lambda c: t(f"status.{c}", language))  # the legend in the user's words
    bars = {
        "mark": {"type": "bar"},
        "transform": [{"calculate": "datum.days + 7", "as": "end"}],
        "encoding": {
            "x": {"field": "days", "type": "quantitative", "bin": {"binned": True, "step": 7},
                  "title": t("hr.delay_chart", language)},
            "x2": {"field": "end"},
            "y": {"aggregate": "sum", "field": "employees", "type": "quantitative",
                  "title": t("col.employees", language), "axis": WHOLE_PEOPLE},
            "color": {"field": "status", "type": "nominal", "title": t("col.status", language),
                      "legend": {"orient": "bottom"},
                      "scale": {"domain": [t(f"status.{c}", language) for c in STATUS_COLOURS],
                                "range": list(STATUS_COLOURS.values())}},
        },
    }
    rule = {"data": {"values": [{"days": 30}]}, "mark": {"type": "rule", "color": "red", "strokeWidth": 2},
            "encoding": {"x": {"field": "days", "type": "quantitative"}}}
    return data, {"layer": [bars, rule]}


def overdue_by_month_chart(results: pd.DataFrame, language: str) -> VegaChart | None:
    """Overdue employees by month of hire (a bar per month)."""
    hired = results["hire_date"][(results["status"] == "overdue").to_numpy(dtype=bool, na_value=False)]
    if hired.empty:
        return None
    data = hired.dt.strftime("%Y-%m").value_counts().sort_index().reset_index()
    data.columns = ["month", "overdue"]
    return data, {"mark": {"type": "bar", "color": STATUS_COLOURS["overdue"]},
                  "encoding": {"x": {"field": "month", "type": "ordinal", "title": t("col.hire_date", language)},
                               "y": {"field": "overdue", "type": "quantitative",
                                     "title": t("status.overdue", language), "axis": WHOLE_PEOPLE}}}


def overdue_employers_chart(summary: pd.DataFrame, language: str, top: int = 25) -> alt.Chart | None:
    """The ``top`` employers with overdue employees, a bar each, labelled by their whole name."""
    data = summary[summary["overdue"] > 0].head(top)
    if data.empty:
        return None
    data = data.assign(label=data["employer_name"].fillna(data["employer_id"]))
    return alt.Chart(data).mark_bar(color=STATUS_COLOURS["overdue"]).encode(
        x=alt.X("overdue:Q", title=t("status.overdue", language), axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y("label:N", sort="-x", title=None, axis=alt.Axis(labelLimit=400)),  # whole company names
        tooltip=["employer_id", "employer_name", "overdue", "max_days_overdue", "flag_reason"])


def card_breakdown(codes: pd.Series, language: str) -> pd.DataFrame:
    """People per card status code (``cards.status_breakdown``), with the status in ``language``."""
    breakdown = status_breakdown(codes).reset_index()
    breakdown.columns = ["code", "people"]
    breakdown["status"] = breakdown["code"].map(lambda c: t(f"card.status.{c}", language))
    return breakdown


def city_label(code: str, language: str) -> str:
    """A card city by its name in ``language``: a shipped city's key (``beijing``) by its label, else by its
    parameter file's name; text that names no shipped city (a roster's 成都) as it is."""
    if f"city.{code}" in TEXT:
        return t(f"city.{code}", language)
    city = cards.old_cards().get(code)
    return city.name if city else code


def card_city_rule(city: cards.OldCards, language: str) -> str:
    """What a city did with its old cards (README 11.4), in ``language``: the mode, the date and its
    announcement (the source is the parameter file's text; unconfirmed figures are the report's warnings)."""
    name, unknown = city_label(city.city, language), t("card.rule.no_date", language)
    if city.mode == "on_activation":
        return t("card.rule.on_activation", language).format(city=name)
    return t("card.rule.city_date", language).format(
        city=name, date=city.cancel_date.isoformat() if city.cancel_date else unknown,
        announced=city.announced_on.isoformat() if city.announced_on else unknown)


def card_chart(breakdown: pd.DataFrame) -> alt.Chart:
    """A bar per card status that anyone has (:func:`card_breakdown`)."""
    return alt.Chart(breakdown[breakdown["people"] > 0]).mark_bar().encode(
        x=alt.X("people:Q", title=None, axis=alt.Axis(format="d", tickMinStep=1)),
        y=alt.Y("status:N", sort="-x", title=None, axis=alt.Axis(labelLimit=300)))


# --- the premium worksheet ------------------------------------------------------------------------------

def worksheet_captions(notes: list[object], language: str) -> tuple[list[str], str | None]:
    """A worksheet's notes (``jobs.Worksheet.notes``) in ``language``: the captions under it (the late-fee
    rule of each period used, figures not confirmed), and the warning when some months' late fee exceeds
    the premiums (shared README section 10), which is shown apart."""
    warning = [message_text(n, language) for n in notes if getattr(n, "code", None) == "fee_above_principal"]
    captions = [message_text(n, language) for n in notes if getattr(n, "code", None) != "fee_above_principal"]
    return captions, warning[0] if warning else None


def uncovered_text(exc: premiums.UncoveredMonths, params: premiums.Params, language: str) -> str:
    """Never a bare refusal: what the parameters cover, the months left out, and the last as-of date
    they allow (shared README section 10)."""
    months = ", ".join(exc.months[:3]) + (" …" if len(exc.months) > 3 else "")
    return t("agency.params_uncovered", language).format(
        city=params.city, coverage=params.coverage(), months=months, last=params.last_as_of().isoformat(),
        last_month=params.last_month())


def worksheet_totals(totals: pd.DataFrame, language: str) -> list[tuple[str, str]]:
    """The worksheet's headline figures as (label, value): employees, premiums, late fee, both together; then
    (README 11.5) the premiums split by kind where there are gap months, and the premiums with undeclared
    wages at the average wage where that differs."""
    if totals.empty:
        return []
    row = totals.iloc[0]
    shown = [(t("col.employees", language), f"{int(row['employees'])}"),
             (t("agency.total_premiums", language), f"{row['total']:,.2f}"),
             (t("col.late_fee", language), f"{row['late_fee']:,.2f}"),
             (t("agency.totals", language), f"{row['total_with_late_fee']:,.2f}")]
    if row.get("gap_total", 0) > 0:
        shown += [(t("agency.overdue_total", language), f"{row['overdue_total']:,.2f}"),
                  (t("agency.gap_total", language), f"{row['gap_total']:,.2f}")]
    if "total_at_average_wage" in row and round(row["total_at_average_wage"] - row["total"], 2) != 0:
        shown.append((t("agency.total_at_average_wage", language), f"{row['total_at_average_wage']:,.2f}"))
    return shown


def notes_table(notes: list[object], language: str) -> pd.DataFrame:
    """A worksheet's notes (catalogue messages) as the download's "notes" sheet, in ``language``."""
    return pd.DataFrame({"note": [message_text(n, language) for n in notes]}, dtype="string")


# --- the menu -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PageSpec:
    """One page of the dashboard: its file under views/pages, its address, icon and title key."""

    name: str
    url_path: str
    icon: str
    title_key: str

    @property
    def file(self) -> str:
        return f"views/pages/{self.name}.py"


PAGES = (
    PageSpec("hr", "employer-hr", ":material/business:", "page.hr"),  # the default page, served at "/"
    PageSpec("inspector", "inspector", ":material/policy:", "page.inspector"),
    PageSpec("store", "agency", ":material/database:", "page.store"),  # /agency: the address it had
    PageSpec("worksheet", "worksheet", ":material/request_quote:", "page.worksheet"),
    PageSpec("cases", "cases", ":material/gavel:", "page.cases"),
    PageSpec("cards", "cards", ":material/credit_card:", "page.cards"),
    PageSpec("flexible", "flexible", ":material/person:", "page.flexible"),
    PageSpec("admin", "admin", ":material/manage_accounts:", "page.admin"),
)
# The pages each role finds in its menu. Every page stays registered (a typed address reaches it, and
# require_role says whom it is for); the menu lists only what the role works with. The inspector keeps
# the card page: it checks card activation across employers (shared README section 6). Signed out:
# the sign-in page ("/", the HR page showing the form) and the public flexible-worker page.
MENU: dict[str | None, tuple[str, ...]] = {
    None: ("hr", "flexible"),
    "hr": ("hr", "cards", "flexible"),
    "inspector": ("inspector", "store", "worksheet", "cases", "cards", "flexible"),
    "admin": ("admin", "flexible"),
}


def menu(role: str | None) -> tuple[str, ...]:
    """The pages in the menu of ``role`` (None: nobody signed in); an unknown role gets the public page."""
    return MENU.get(role, ("flexible",))


def page_title(spec: PageSpec, role: str | None, language: str) -> str:
    """A page's menu title: the default page is the sign-in page while nobody is signed in."""
    if spec.name == "hr" and role is None:
        return t("page.sign_in", language)
    return t(spec.title_key, language)


def home(role: str) -> PageSpec:
    """The first page of ``role``'s menu (where the wrong-role warning points)."""
    first = menu(role)[0]
    return next(spec for spec in PAGES if spec.name == first)


def uploader_style(language: str, max_file_mb: int) -> str:
    """CSS that writes Streamlit's own file-uploader texts ("Upload", "150MB per file • …") in the user's
    language: Streamlit offers no parameter for them (streamlit/streamlit#13500), so the original text
    is hidden and the translation drawn in its place."""
    button, limit = t("upload.button", language), t("upload.limit", language).format(mb=max_file_mb)
    return (f"<style>[data-testid='stFileUploaderDropzone'] button [data-testid='stMarkdownContainer'] p"
            f"{{display:none}}[data-testid='stFileUploaderDropzone'] button [data-testid='stMarkdownContainer']"
            f"::after{{content:'{button}'}}[data-testid='stFileUploaderDropzoneInstructions'] span{{display:none}}"
            f"[data-testid='stFileUploaderDropzoneInstructions']>div::after{{content:'{limit}';font-size:.875rem;"
            f"opacity:.7}}</style>")


# --- the admin page (issue 24, item 7) ---------------------------------------------------------------

def employers_text(employers: list[str], names: dict[str, str], language: str) -> str:
    """An HR user's employers as a person reads them: name and credit code each, comma-separated."""
    return t("list.sep", language).join(employer_label(names, e) for e in employers)


def users_table(users: list[dict], names: dict[str, str], language: str) -> pd.DataFrame:
    """``accounts.list_users`` for the screen: employers by name and code, yes/no, times in Beijing time
    (labelled; the store keeps UTC)."""
    yes_no = {True: t("yesno.True", language), False: t("yesno.False", language)}
    return pd.DataFrame([{
        "username": u["username"], "role": u["role"], "employers": employers_text(u["employers"], names, language),
        "disabled": yes_no[u["disabled"]], "locked": yes_no[u["locked"]],
        "last_sign_in": beijing_text(u["last_sign_in"], language),
        "created_at": beijing_text(u["created_at"], language)} for u in users],
        columns=["username", "role", "employers", "disabled", "locked", "last_sign_in", "created_at"])


def audit_action_label(action: str, language: str) -> str:
    """An audit action in ``language`` (``case_notified``: the case's new state); an unknown one as stored."""
    if f"audit.{action}" in TEXT:
        return t(f"audit.{action}", language)
    state = action.removeprefix("case_")
    if action.startswith("case_") and f"case.{state}" in TEXT:
        return t("audit.case_move", language).format(state=t(f"case.{state}", language))
    return action


def audit_table(entries: list[dict], language: str) -> pd.DataFrame:
    """One page of the audit log (``accounts.audit_page``) for the screen, its times in Beijing time."""
    return pd.DataFrame([{
        "at": beijing_text(e["at"], language, seconds=True), "actor": e["actor"],
        "action": audit_action_label(e["action"], language), "employer_id": e["employer_id"] or "",
        "detail": e["detail"] or ""} for e in entries], columns=["at", "actor", "action", "employer_id", "detail"])
