"""Inspector: the agency's store — rosters and registry extracts in, the upload history, cross-check findings.

Uploads are stored through ``jobs.store_file(..., run=in_worker)``: the file is read and normalised in
a checking process, never in the threaded server; a duplicate is found before anything is read.
"""

from __future__ import annotations

import streamlit as st
from sqlalchemy.engine import Engine

from compliance import accounts, jobs
from compliance.crosscheck import FINDINGS
from compliance.rosters import RosterError, display_name
from views.presentation import SAMPLES, safe_text
from views.runtime import engine, in_worker, on_store
from views.session import k, require_role, tr
from views.widgets import (
    audit_once,
    download,
    file_error,
    metrics,
    show_error,
    table,
    use_sample,
    within_upload_cap,
)

SAMPLE = [("roster", "agency_extract_gbk.csv", SAMPLES / "agency_extract_gbk.csv"),
          ("registry", "agency_registry_2025.csv", SAMPLES / "registry" / "agency_registry_2025.csv")]


def store_files(eng: Engine, files: list[tuple[str, str, bytes]], by: accounts.User) -> None:
    """Store each file (one transaction each), saying per file what was stored; one bad file does not stop
    the others, and no exception text reaches the screen."""
    progress = st.progress(0.0)
    for i, (kind, name, data) in enumerate(files):
        try:
            outcome = jobs.store_file(eng, kind, name, data, by.username, run=in_worker)
        except RosterError as exc:  # our own message, naming the file by its sanitised name
            file_error(exc)
        except Exception as exc:
            show_error("unexpected_error", exc)
        else:
            shown_name = safe_text(display_name(name))
            if outcome.duplicate:
                st.info(f"{shown_name}{tr('colon')}{tr('agency.duplicate')}")
            else:
                st.success(f"{shown_name}{tr('colon')}{tr('agency.stored')} {outcome.stored:,} / {outcome.rows:,}")
                accounts.retire_demo_users(eng, by=by.username)  # a real file ends the demo (issue 20, #10)
        progress.progress((i + 1) / len(files))


st.title(tr("page.store"))
user = require_role("inspector")
eng = engine()

with st.expander(tr("agency.store"), expanded=jobs.history(eng).empty):  # open while the store is empty
    rosters = st.file_uploader(tr("agency.rosters"), type=["xlsx", "xls", "csv"], accept_multiple_files=True,
                               key=k("store-roster-upload"))
    registry = st.file_uploader(tr("agency.registry"), type=["xlsx", "xls", "csv"], accept_multiple_files=True,
                                key=k("store-registry-upload"))
    c1, c2 = st.columns(2)
    files = [("roster", f.name, f.getvalue()) for f in rosters or []] + \
        [("registry", f.name, f.getvalue()) for f in registry or []]
    # the sample is worked out as of SAMPLE_AS_OF: the worksheet and cases pages start at that date
    if c2.button(tr("try_sample"), key=k("store-sample"), on_click=use_sample,
                 args=("store", "ws-as-of", "cases-as-of")):
        files = [(kind, name, path.read_bytes()) for kind, name, path in SAMPLE]
    if files and not within_upload_cap(sum(len(data) for _, _, data in files)):
        files = []
    if files and (c1.button(tr("agency.store"), key=k("store-store")) or st.session_state.get(k("store-sample"))):
        store_files(eng, files, user)

hist = jobs.history(eng)
if hist.empty:
    st.info(tr("agency.empty"))
    st.stop()
with st.expander(tr("agency.history")):
    table(hist, "store-history")
audit_once(user, sorted(jobs.employer_names(eng)), "agency store", (len(hist), hist["sha256"].iloc[-1]))

st.subheader(tr("agency.crosscheck"))
findings = on_store(jobs.findings, eng, None, True)
chosen = st.multiselect(tr("agency.finding_filter"), FINDINGS, default=FINDINGS, key=k("store-findings"),
                        format_func=lambda f: tr(f"finding.{f}"))
shown = findings[findings["finding"].isin(chosen)]
counts = findings["finding"].value_counts()
metrics([(tr(f"finding.{finding}"), int(counts.get(finding, 0))) for finding in FINDINGS])
table(shown, "store-findings-table")
download(tr("agency.download_findings"), "crosscheck.xlsx", "store-dl-findings", user,
         shown["employer_id"].tolist(), "agency", shown, sheet="crosscheck")
st.page_link("views/pages/worksheet.py", label=tr("page.worksheet"), icon=":material/request_quote:")
