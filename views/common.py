"""Widgets and cached loaders shared by the dashboard pages. No rules live here."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from compliance import accounts, calendar, ids, store
from compliance.i18n import column_labels, t
from compliance.registration import STATUSES, CheckResult, check_uploads, status_counts, warm_up
from compliance.workers import WorkerCrashed, WorkerPool, workers_from_env

SAMPLES = Path(__file__).resolve().parent.parent / "sample_uploads"
SAMPLE_EMPLOYER = ("911101055347017256", "商软冠联信息有限公司")  # the employer of hr_roster_2025.xlsx
STATUS_COLOURS = {"on_time": "#2e7d32", "late": "#f9a825", "overdue": "#c62828", "pending": "#1565c0",
                  "invalid": "#757575"}


@st.cache_resource
def engine_for(url: str):
    """One engine per database URL, migrated on first use; a first admin is created if none exists."""
    eng = store.connect(url)
    password = accounts.ensure_first_admin(eng)
    if password:  # printed once on the server's console, never stored in clear or logged
        print(f"shebao-check first start: user 'admin', one-time password: {password}", flush=True)
        if url == f"sqlite:///{store.DEFAULT_DB_FILE}":  # the embedded demo store: accounts to try the samples
            for username, demo_password in accounts.ensure_demo_users(eng).items():
                print(f"shebao-check demo store: user '{username}', password: {demo_password}", flush=True)
    return eng


def engine():
    """The store named by SHEBAO_DB, else the default SQLite file."""
    return engine_for(store.database_url())


def current_user() -> accounts.User | None:
    return st.session_state.get("user")


def sign_in_form() -> None:
    """The sign-in form of shared README section 9 (labels are fixed, in both languages)."""
    st.subheader(tr("auth.title"))
    with st.form("auth-form"):
        username = st.text_input(t("auth.username"), key="auth-username")
        password = st.text_input(t("auth.password"), type="password", key="auth-password")
        submitted = st.form_submit_button(t("auth.submit"))
    if submitted:
        try:
            st.session_state["user"] = accounts.authenticate(engine(), username, password)
        except accounts.SignInError as exc:
            st.error(str(exc))
        else:
            st.rerun()


def change_password_form(user: accounts.User) -> None:
    st.subheader(tr("auth.change_password"))
    with st.form("auth-change"):
        first = st.text_input(tr("auth.new_password"), type="password", key="auth-new-password")
        second = st.text_input(tr("auth.new_password_again"), type="password", key="auth-new-password-2")
        submitted = st.form_submit_button(tr("auth.save_password"))
    if submitted:
        if first != second:
            st.error(tr("auth.passwords_differ"))
            return
        try:
            accounts.set_password(engine(), user.username, first)
        except accounts.AccountError as exc:
            st.error(str(exc))
            return
        st.session_state["user"] = accounts.User(user.username, user.role, user.employers, False)
        st.rerun()


def require_role(*roles: str) -> accounts.User:
    """Stop the page unless a user with one of ``roles`` is signed in (sign-in form otherwise)."""
    user = current_user()
    if user is None:
        sign_in_form()
        st.stop()
    if user.must_change_password:
        change_password_form(user)
        st.stop()
    if user.role not in roles:
        st.warning(tr("auth.wrong_role") + ", ".join(tr(f"role.{r}") for r in roles))
        st.stop()
    return user


def scope_to_user(result: CheckResult, user: accounts.User) -> CheckResult:
    """HR sees only its employers' rows; the page says how many rows were set aside and why."""
    scoped, set_aside = accounts.scope_results(result, user)
    if set_aside:
        st.warning(f"{set_aside:,} {tr('auth.set_aside')}")
    return scoped


def audit_once(user: accounts.User, employer_ids: list[str], what: str, data_key: object) -> None:
    """Audit a view of personal data once per session and data shown (who, which employer, when)."""
    seen = st.session_state.setdefault("audited", set())
    key = (what, hash(data_key))
    if key not in seen:
        accounts.audit_view(engine(), user, employer_ids, what)
        seen.add(key)


def lang() -> str:
    return st.session_state.get("lang", "zh")


def tr(key: str) -> str:
    return t(key, lang())


@st.cache_resource
def check_workers() -> WorkerPool:
    """The server's pool of checking processes (compliance.workers), started once and warmed up."""
    pool = WorkerPool(workers_from_env(), initializer=warm_up)
    pool.start()
    return pool


@st.cache_data(show_spinner=False, max_entries=16)
def run_check(files: tuple[tuple[str, bytes], ...], as_of: dt.date, calendar_days: bool,
              employer_id: str | None, employer_name: str | None) -> tuple[CheckResult, list[str]]:
    """Read and check uploads in a worker process; cached on file content and settings, so
    filters do not re-read."""
    return check_workers().run(check_uploads, files, as_of, calendar_days, employer_id or None,
                               employer_name or None)


def sample_files(names: list[str]) -> tuple[tuple[str, bytes], ...]:
    return tuple((n, (SAMPLES / n).read_bytes()) for n in names)


def upload_section(prefix: str, sample_names: list[str]) -> tuple[tuple[str, bytes], ...]:
    """File uploader plus a "try the sample" button; returns the files to check."""
    uploaded = st.file_uploader(tr("upload"), type=["xlsx", "xls", "csv"], accept_multiple_files=True,
                                key=f"{prefix}-upload")
    col1, col2 = st.columns([1, 3])
    if col1.button(tr("try_sample"), key=f"{prefix}-sample"):
        st.session_state[f"{prefix}-use-sample"] = True
    if uploaded:
        st.session_state[f"{prefix}-use-sample"] = False
        return tuple((f.name, f.getvalue()) for f in uploaded)
    if st.session_state.get(f"{prefix}-use-sample"):
        col2.caption(tr("using_sample") + ", ".join(sample_names))
        return sample_files(sample_names)
    return ()


def settings(prefix: str) -> tuple[dt.date, bool]:
    col1, col2 = st.columns(2)
    as_of = col1.date_input(tr("as_of"), value=dt.date.today(), key=f"{prefix}-as-of")
    calendar_days = col2.toggle(tr("calendar_days"), key=f"{prefix}-calendar-days")
    return as_of, calendar_days


def checked(files: tuple[tuple[str, bytes], ...], as_of: dt.date, calendar_days: bool,
            employer_id: str | None = None, employer_name: str | None = None) -> CheckResult | None:
    """Run the check with a progress status; show per-file errors and the provisional banner."""
    if not files:
        st.info(tr("no_data"))
        return None
    with st.status(tr("checking"), expanded=False) as status:
        for name, data in files:
            st.write(f"{tr('reading_file')} {name} ({len(data) / 1024:,.0f} KB)")
        try:
            result, errors = run_check(files, as_of, calendar_days, employer_id, employer_name)
        except WorkerCrashed:
            status.update(label=tr("file_error"), state="error")
            st.error(tr("check_crashed"))
            return None
        status.update(label=f"{tr('checked')}: {len(result.results):,} {tr('rows')}", state="complete")
    for error in errors:
        st.error(f"{tr('file_error')}: {error}")
    provisional = result.results.loc[result.results["deadline_provisional"], "deadline"]
    years = calendar.provisional_years(provisional)
    if years:
        st.warning(tr("provisional") + ", ".join(map(str, years)))
    return result


def headline(results: pd.DataFrame) -> None:
    counts = status_counts(results)
    for col, status in zip(st.columns(len(STATUSES)), STATUSES, strict=True):
        col.metric(tr(f"status.{status}"), f"{counts[status]:,}")


def display_table(frame: pd.DataFrame, show_full: bool = False) -> pd.DataFrame:
    """A results table for the screen: IDs masked unless asked, statuses translated, labels."""
    out = frame.copy()
    if not show_full:
        for name in ("id_number", "ssn"):
            if name in out.columns:
                out[name] = ids.mask_column(out[name])
    if "status" in out.columns:
        out["status"] = out["status"].map({s: tr(f"status.{s}") for s in STATUSES})
    for name in out.columns:  # dates as ISO text: cheap to send, and no time of day shown
        if pd.api.types.is_datetime64_any_dtype(out[name]):
            iso = np.datetime_as_string(out[name].to_numpy().astype("datetime64[D]"), unit="D")
            out[name] = pd.Series(iso, index=out.index, dtype="string").mask(out[name].isna())
    return out.rename(columns=column_labels(list(out.columns), lang()))


def delay_chart(results: pd.DataFrame) -> alt.Chart | None:
    """Days from hire to registration in weekly bins per status, with the 30-day line.

    Binned here, so the browser receives a few dozen bars instead of every row.
    """
    done = results[results["registration_date"].notna() & results["hire_date"].notna()]
    if done.empty:
        return None
    days = (done["registration_date"] - done["hire_date"]).dt.days.clip(-28, 364)
    week = (days // 7) * 7
    data = (pd.DataFrame({"days": week, "status": done["status"]}).value_counts().rename("employees")
            .reset_index())
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("days:Q", title=tr("hr.delay_chart"), bin=alt.BinParams(step=7, binned=True)),
        x2="end:Q",
        y=alt.Y("sum(employees):Q", title=tr("col.employees")),
        color=alt.Color("status:N", scale=alt.Scale(domain=list(STATUS_COLOURS),
                                                    range=list(STATUS_COLOURS.values())), legend=None),
    ).transform_calculate(end="datum.days + 7")
    rule = alt.Chart(pd.DataFrame({"days": [30]})).mark_rule(color="red", strokeWidth=2).encode(x="days:Q")
    return bars + rule


def overdue_by_month_chart(results: pd.DataFrame) -> alt.Chart | None:
    overdue = results[results["status"] == "overdue"]
    if overdue.empty:
        return None
    data = overdue["hire_date"].dt.to_period("M").astype(str).value_counts().sort_index().reset_index()
    data.columns = ["month", "overdue"]
    return alt.Chart(data).mark_bar(color=STATUS_COLOURS["overdue"]).encode(
        x=alt.X("month:O", title=tr("col.hire_date")), y=alt.Y("overdue:Q", title=tr("status.overdue")))
