"""The pieces the pages are laid out from: uploads, date settings, the check with its progress, headline
metrics, tables, audited downloads, the one-line error.

Each widget here keeps a protection the pages must not lose (docs/security.md): uploads within their
cap, checks in the worker pool (``runtime.run_check``), tables with at most ``MAX_SCREEN_ROWS`` rows and
empty cells for missing values, every view of personal data and every download audited, HR's results
scoped to its employers, errors as one translated line without exception text. What the tables and
charts hold is worked out in views.presentation, without Streamlit.
"""

from __future__ import annotations

import datetime as dt
import logging
import pickle
from collections.abc import Callable

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from compliance import accounts, beijing, calendar, jobs, notices, premiums, signins
from compliance.jobs import scope
from compliance.jobs.checks import covered_of
from compliance.registration import STATUSES, CheckResult, status_counts
from compliance.rosters import display_name
from compliance.workers import CheckTimedOut, ResultTooLarge, WorkerCrashed
from views.presentation import (
    MIME,
    SAMPLE_AS_OF,
    SAMPLES,
    highlighted,
    localised,
    localised_report,
    message_text,
    safe_text,
    screen_rows,
)
from views.runtime import engine, max_upload_bytes, run_check
from views.session import k, lang, tr

log = logging.getLogger("shebao_check.dashboard")
Files = tuple[tuple[str, bytes], ...]


# --- uploads and settings -----------------------------------------------------------------------------

def sample_files(names: list[str]) -> Files:
    """The bundled sample files (sample_uploads/), as an upload would hand them over."""
    return tuple((n, (SAMPLES / n).read_bytes()) for n in names)


SHARED_UPLOAD = "_shared-roster"  # the roster files of this sign-in, shared by the check and card pages


def upload_section(prefix: str, sample_names: list[str]) -> Files:
    """File uploader plus a "try the sample" button; returns the files to check.

    The files of the last upload (or sample) on any page that asks for a roster are kept for this
    sign-in (in its session state, so they go at sign-out) and used by the other such pages until a file
    is uploaded there: HR uploads a roster once for the check and the card pages (issue 23)."""
    state = st.session_state
    uploaded = st.file_uploader(tr("upload"), type=["xlsx", "xls", "csv"], accept_multiple_files=True,
                                key=k(f"{prefix}-upload"))
    col1, col2 = st.columns([1, 3])
    col1.button(tr("try_sample"), key=k(f"{prefix}-sample"), on_click=use_sample, args=(prefix,))
    if uploaded:
        state[f"{prefix}-use-sample"] = False
        if not within_upload_cap(sum(f.size for f in uploaded)):
            return ()
        files = tuple((f.name, f.getvalue()) for f in uploaded)
        state[SHARED_UPLOAD] = (prefix, files)
        return files
    if state.get(f"{prefix}-use-sample"):
        col2.caption(tr("using_sample") + ", ".join(sample_names))
        files = sample_files(sample_names)
        state[SHARED_UPLOAD] = (prefix, files)
        return files
    shared = state.get(SHARED_UPLOAD)  # (a page's uploader forgets its files when another page is shown)
    if shared is None:
        return ()
    col2.caption(tr("using_shared").format(names="、".join(display_name(name) for name, _ in shared[1])))
    return shared[1]


def use_sample(prefix: str, *as_of_names: str) -> None:
    """The "try the sample" button (a callback, before the page's widgets are drawn): use the samples,
    as of the date their figures are worked out for (the as-of date widgets named show it)."""
    st.session_state[f"{prefix}-use-sample"] = True
    for name in as_of_names or (f"{prefix}-as-of",):
        st.session_state[k(name)] = SAMPLE_AS_OF


def within_upload_cap(total: int) -> bool:
    """Refuse (with a message) an upload whose files together pass ``max_upload_bytes``."""
    cap = max_upload_bytes()
    if total <= cap:
        return True
    st.error(tr("upload_too_big").format(total=total / 2**20, cap=cap / 2**20))
    return False


def settings(prefix: str) -> tuple[dt.date, bool]:
    """The as-of date and the calendar-days switch of a check."""
    col1, col2 = st.columns(2)
    as_of = date_setting(col1, tr("as_of"), f"{prefix}-as-of")
    calendar_days = col2.toggle(tr("calendar_days"), key=k(f"{prefix}-calendar-days"))
    return as_of, calendar_days


def date_setting(where: object, label: str, name: str, default: dt.date | None = None) -> dt.date:
    """A date input that starts at ``default`` (today) and that callbacks may set (the sample, "use the last
    covered date"): its value lives in the session state only, so Streamlit never sees two defaults."""
    key = k(name)
    st.session_state.setdefault(key, default or beijing.today())  # the user's day, not the server's (UTC)
    return where.date_input(label, key=key)  # type: ignore[attr-defined]


# --- the check ----------------------------------------------------------------------------------------

def checked(user: accounts.User, files: Files, as_of: dt.date, calendar_days: bool, employer_id: str | None = None,
            employer_name: str | None = None) -> CheckResult | None:
    """Run the check in the worker pool with a progress status; show per-file errors and the provisional
    banner; keep only the rows ``user`` may see (:func:`scope_to_user`). None when there is nothing to show
    (no file, a failed check, no row checked, every row set aside)."""
    if not files:
        st.info(tr("no_data"))
        return None
    with st.status(tr("checking"), expanded=False) as status:
        for name, data in files:
            st.write(f"{tr('reading_file')} {safe_text(display_name(name))} ({len(data) / 1024:,.0f} KB)")
        try:
            result, errors = pickle.loads(run_check(files, as_of, calendar_days, employer_id, employer_name))
        except (WorkerCrashed, CheckTimedOut, ResultTooLarge) as exc:
            status.update(label=tr("file_error"), state="error")
            st.error(tr({CheckTimedOut: "check_timed_out", ResultTooLarge: "result_too_large"}.get(
                type(exc), "check_crashed")))
            return None
        status.update(label=f"{tr('checked')}{tr('colon')}{len(result.results):,} {tr('rows')}",
                      state="error" if result.results.empty else "complete")
    for error in errors:
        file_error(error)
    if result.results.empty:  # nothing checked: never an all-clear, a chart or a download
        st.warning(tr("nothing_checked.unusable"))
        return None
    provisional = result.results.loc[result.results["deadline_provisional"], "deadline"]
    years = calendar.provisional_years(provisional)
    if years:
        st.warning(tr("provisional") + ", ".join(map(str, years)))
    return scope_to_user(result, user)


def scope_to_user(result: CheckResult, user: accounts.User) -> CheckResult | None:
    """HR sees only its employers' rows; the page says how many rows were set aside and why. When every
    row was set aside, nothing was checked for this user: the page says so, what to do, and shows
    no result, all-clear or download (None)."""
    scoped, set_aside = scope(result, user)
    if set_aside and scoped.results.empty:
        st.warning(tr("nothing_checked.set_aside").format(count=set_aside, employers=", ".join(sorted(user.employers))))
        return None
    if set_aside:
        st.warning(f"{set_aside:,} {tr('auth.set_aside')}")
    return scoped


# --- what is shown ------------------------------------------------------------------------------------

def metrics(items: list[tuple[str, object]]) -> None:
    """A row of metrics, one per (label, value)."""
    for col, (label, value) in zip(st.columns(max(len(items), 1)), items, strict=False):
        col.metric(label, value)


def headline(results: pd.DataFrame) -> None:
    """The count of each registration status, in the contract's order."""
    counts = status_counts(results)
    metrics([(tr(f"status.{status}"), f"{counts[status]:,}") for status in STATUSES])


def display_table(frame: pd.DataFrame, columns: list[str] | None = None, show_full: bool = False) -> pd.DataFrame:
    """A results table for the screen (``presentation.localised``): IDs masked unless asked, codes and
    messages translated, labels; at most ``MAX_SCREEN_ROWS`` rows, and a caption when rows were left off."""
    shown, total = screen_rows(frame)
    if total is not None:
        st.caption(tr("table_truncated").format(shown=len(shown), total=total))
    return localised(shown, columns, show_full, lang())


def table(frame: pd.DataFrame, name: str, columns: list[str] | None = None, show_full: bool = False,
          highlight: pd.Series | None = None) -> None:
    """One on-screen table: no index, an empty cell for a missing value (Streamlit writes "None"
    otherwise), rows where ``highlight`` holds drawn in red; no export (``client.disableDataExport``)."""
    shown = display_table(frame, columns, show_full)
    st.dataframe(shown if highlight is None else highlighted(shown, highlight), hide_index=True, placeholder="",
                 key=k(name))


def file_error(message: object) -> None:
    """A file that could not be used, named by its sanitised name, in the user's language."""
    st.error(f"{tr('file_error')}{tr('colon')}{safe_text(message_text(message, lang()))}")


def show_error(message_key: str, exc: BaseException) -> None:
    """One translated line on screen for an unexpected error; the detail in the server log, without
    the exception's text (a database error quotes the statement's parameters: ID numbers)."""
    log.error("%s: %s", message_key, type(exc).__name__)
    st.error(tr(message_key))


# --- audit and downloads ------------------------------------------------------------------------------

def audit_once(user: accounts.User, employer_ids: list[str], what: str, data_key: object) -> None:
    """Audit a view of personal data once per sign-in and data shown (who, which employer, when)."""
    seen = st.session_state.setdefault("audited", set())
    key = (what, hash(data_key))
    if key not in seen:
        try:
            accounts.audit_view(engine(), user, employer_ids, what)
        except sa.exc.SQLAlchemyError as exc:  # not audited, not shown (issue 20, finding 4)
            show_error("unexpected_error", exc)
            st.stop()
        seen.add(key)


def audited_download(user: accounts.User, employer_ids: list[str], what: str,
                     make: Callable[..., bytes], *args: object, **kwargs: object) -> Callable[[], bytes]:
    """The data of a download button, built when clicked and audited then (who, which employer, what).

    Every download goes through the product's own formula-safe writers (compliance.reports);
    Streamlit's table toolbar export is off (``client.disableDataExport``).
    """
    employers = sorted({e for e in employer_ids if e})
    sign_in = st.session_state.get("_sign_in")

    def build() -> bytes:
        # a click on a download button runs no script: the sign-in and the account are checked here,
        # and a sign-in that has ended (signed out, expired, disabled, role or employers changed) gets nothing
        if signins.check(engine(), sign_in).username != user.username or accounts.refresh(engine(), user) != user:
            raise PermissionError("the sign-in that made this download has ended")
        data = make(*args, **kwargs)
        accounts.audit_view(engine(), user, employers or [""], f"download {what}")
        return data

    return build


def download(label: str, file_name: str, name: str, user: accounts.User, employer_ids: list[str], what: str,
             frame: pd.DataFrame, extra_sheets: dict[str, pd.DataFrame] | None = None, sheet: str = "report",
             where: object = st) -> None:
    """A download button for ``frame`` as ``file_name`` (.xlsx or .csv), localised and formula-safe at click
    time, audited as ``"<what> <file_name>"`` for ``employer_ids``."""
    suffix = file_name[file_name.rindex("."):]
    data = audited_download(user, employer_ids, f"{what} {file_name}", localised_report, frame, suffix, extra_sheets,
                            sheet=sheet, language=lang())
    where.download_button(label, on_click="ignore", file_name=file_name, data=data,  # type: ignore[attr-defined]
                          mime=MIME[suffix], key=k(name))


def notice_downloads(user: accounts.User, case_id: int, employer_id: str, as_of: dt.date, params: premiums.Params,
                     results: pd.DataFrame | None) -> None:
    """A download button per document and format of a case (``compliance.notices``: 限期改正通知书, 稽核告知书 and
    the one-page employer report, DOCX and PDF), built from the employer's worksheet as of ``as_of`` when
    clicked, and audited then. The notices need someone overdue or registered late (``results``: the page's
    stored status); none for a date the parameters do not cover."""
    if as_of > params.last_as_of():
        st.caption(tr("notice.uncovered").format(city=params.city, last=params.last_as_of().isoformat()))
        return
    concerned = results is not None and len(covered_of(results, employer_id)) > 0
    for column, kind in zip(st.columns(len(notices.KINDS)), notices.KINDS, strict=True):
        for fmt in notices.FORMATS:
            data = audited_download(user, [employer_id], f"notice {kind} case {case_id} .{fmt}", jobs.case_notice,
                                    engine(), case_id, kind, fmt, as_of, params)
            column.download_button(tr(f"notice.{kind}").format(fmt=fmt.upper()), data=data, on_click="ignore",
                                   file_name=notices.file_name(kind, case_id, fmt), mime=notices.MIME[fmt],
                                   disabled=kind != "report" and not concerned, key=k(f"cases-notice-{kind}-{fmt}"))
