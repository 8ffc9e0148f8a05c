"""The command line (contract: shared README section 7).

Each command parses its arguments, calls the library, and turns a library error into one
line on stderr and an exit code: 0 success, 1 findings reported as failure (an invalid ID
number), 2 unusable input (missing file, no header row, bad date argument), 3 an internal error
(one line, no traceback unless SHEBAO_DEBUG=1, since a traceback could quote personal data).
Every error a user can cause is a :class:`compliance.errors.ShebaoError`: one handler maps it to 2.

Imports are lazy: this module and its parser import only the standard library and two light
modules of the package; each command imports what it needs (pandas, the readers, the store)
in its own function, so that ``--help`` and ``id`` do not pay for SQLAlchemy, openpyxl or the
store (tests/test_cli.py checks which modules ``id`` loads).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from compliance import config
from compliance.cases import CASE_STATES
from compliance.cases import DOCUMENTS as CASE_DOCUMENTS
from compliance.errors import ShebaoError

if TYPE_CHECKING:
    import pandas as pd
    from sqlalchemy.engine import Engine

    from compliance.batch import BatchSummary, CrossSummary
    from compliance.jobs import CaseView
    from compliance.registration import CheckResult

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE, EXIT_INTERNAL = 0, 1, 2, 3


class UsageError(ShebaoError):
    """Unusable input given on the command line."""


def _date(text: str) -> dt.date:
    """A date argument, strictly YYYY-MM-DD (fromisoformat alone would also take 20251120 or 2025-W47-4)."""
    try:
        if len(text) != 10 or text[4] != "-" or text[7] != "-":
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date in the form YYYY-MM-DD") from None


def _roster_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("rosters", nargs="+", metavar="ROSTER", help="roster files: .xlsx, .xls or .csv")
    p.add_argument("--as-of", type=_date, default=None, help="judge as of this date (default today)")
    p.add_argument("--calendar-days", action="store_true",
                   help="strict variant: deadline = hire date + 30 calendar days, no rollover")
    p.add_argument("--out", required=True, metavar="FILE", help="report file: .csv, .xlsx or .json")
    p.add_argument("--employer-id", help="employer for rosters without an employer column (USCC)")
    p.add_argument("--employer-name", help="employer name for rosters without an employer column")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m compliance",
        description="Social-insurance registration compliance (PRC Social Insurance Law Art. 58).")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("check", help="status of every employee of the rosters",
                       description="Registration status of every employee "
                                   "(on_time/late/overdue/pending/invalid/exempt).")
    _roster_args(p)
    p.add_argument("--problems", metavar="FILE", help="also write the table of row problems to FILE")
    p = sub.add_parser("employers", help="one row per employer, flagged for premium verification",
                       description="Per-employer counts; employers with an overdue employee are flagged (Art. 58).")
    _roster_args(p)
    p = sub.add_parser("cards", help="each person's social security card: functions, guidance, frozen account",
                       description="The card of every person of the rosters (shared README section 11.4): its two "
                                   "functions, what to do next, and whether the medical account is frozen where "
                                   "the card city has cancelled its old cards.")
    _roster_args(p)
    p.add_argument("--city", help="the card city of rows without a card city (a shipped city: "
                                  "beijing, shanghai, … or its name)")
    p.add_argument("--old-cards-cancelled", type=_date, metavar="DATE",
                   help="the old cards' cancellation date for rows whose card city has no parameters")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="language of guidance_text (default zh)")
    p.add_argument("--problems", metavar="FILE", help="also write the table of row problems to FILE")
    p = sub.add_parser("id", help="explain one identity number",
                       description="Validate an identity number and show what it encodes. Exit 1 when invalid.")
    p.add_argument("number", help="the ID number (18 or 15 characters; spaces, dashes, full-width allowed)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--type", choices=["passport", "travel_permit"], dest="id_type",
                   help="the number is a passport or travel permit (checked for shape; the agency assigns the SSN)")
    p = sub.add_parser("deadline", help="registration deadline of a hire date",
                       description="The Art. 58 registration deadline of a hire date.")
    p.add_argument("hire_date", type=_date, metavar="HIRE_DATE", help="the date of employment (YYYY-MM-DD)")
    p.add_argument("--calendar-days", action="store_true", help="hire date + 30 calendar days, no rollover")
    _store_commands(sub)
    _user_commands(sub)
    _batch_commands(sub)
    return parser


def _db_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", metavar="URL", help="SQLAlchemy URL (default: $SHEBAO_DB, else the SQLite file)")


def _store_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("upload", help="store rosters in the database",
                       description="Store rosters (one transaction per file; the same content again adds nothing).")
    p.add_argument("rosters", nargs="+", metavar="ROSTER", help="roster files: .xlsx, .xls or .csv")
    p.add_argument("--employer-id", help="employer for rosters without an employer column (USCC)")
    p.add_argument("--employer-name", help="employer name for rosters without an employer column")
    _db_arg(p)
    p = sub.add_parser("import-registry", help="store the agency's registration extract",
                       description="Store registration extracts (ssn, employer_id, registration_date, card columns).")
    p.add_argument("files", nargs="+", metavar="FILE", help="registry extracts: .xlsx, .xls or .csv")
    _db_arg(p)
    p = sub.add_parser("history", help="list stored uploads", description="One line per distinct uploaded content.")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    _db_arg(p)
    p = sub.add_parser("crosscheck", help="rosters against the agency registry",
                       description="Findings: not_in_registry, date_mismatch, roster_date_missing, not_in_roster, "
                                   "multiple_employers.")
    p.add_argument("--employer", metavar="EMPLOYER_ID", help="only this employer")
    p.add_argument("--out", required=True, metavar="FILE", help="report file: .csv, .xlsx or .json")
    _db_arg(p)
    p = sub.add_parser("worksheet", help="premium verification worksheet of an employer (Art. 58, Art. 86)",
                       description="Premiums due for the employer's overdue employees, and the gap months of "
                                   "those registered late (kind gap), month by month, with the Art. 86 late fee; "
                                   "the totals sheet splits them by kind and states the total at the average wage.")
    p.add_argument("employer_id", metavar="EMPLOYER_ID", help="the employer's USCC as stored")
    p.add_argument("--as-of", type=_date, required=True, help="verify as of this date (YYYY-MM-DD)")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--city", help="a city of compliance/params (e.g. beijing)")
    group.add_argument("--params", metavar="FILE.toml", help="a parameter file of the same form")
    p.add_argument("--out", required=True, metavar="FILE", help="worksheet file: .csv, .xlsx or .json")
    _db_arg(p)
    p = sub.add_parser("cases", help="list inspectors' cases", description="Cases and their states.")
    p.add_argument("--json", action="store_true", help="print a JSON list")
    _db_arg(p)
    p = sub.add_parser("case", help="open a case, move it along its states (README 11.6), or show it",
                       description="open EMPLOYER_ID [--note TEXT] | move CASE_ID STATE --note TEXT [--document DOC "
                                   "--rectify-by YYYY-MM-DD] | show CASE_ID [--as-of YYYY-MM-DD] [--city CITY | "
                                   "--params FILE.toml]. Moves: open -> notified | withdrawn; notified -> rectified | "
                                   "not_rectified (after the rectify-by date) | withdrawn; rectified -> closed; "
                                   "not_rectified -> penalised -> closed. A refused move: exit 2, one line. "
                                   "notice CASE_ID --kind rectification|audit|report --out FILE.docx|FILE.pdf "
                                   "[--as-of YYYY-MM-DD] [--city CITY | --params FILE.toml]: the case's "
                                   "社会保险登记限期改正通知书, 社会保险稽核告知书 or one-page employer report.")
    p.add_argument("action", choices=["open", "move", "show", "notice"],
                   help="open a case, move it to a state its state allows, show it and its history, or write a "
                        "notice of it")
    p.add_argument("target", help="employer ID (open) or case number (move, show, notice)")
    p.add_argument("state", nargs="?", choices=CASE_STATES, help="the state to move to (move)")
    p.add_argument("--note", default="", help="dated note kept with the case (a move needs one)")
    p.add_argument("--document", choices=CASE_DOCUMENTS,
                   help="with 'move CASE_ID notified': the document served: rectification_order (限期改正指令书), "
                        "audit_opinion (稽核整改意见书) or payment_notice (限期缴费通知书)")
    p.add_argument("--rectify-by", type=_date, metavar="YYYY-MM-DD",
                   help="with 'move CASE_ID notified': the date the document orders things put right by")
    p.add_argument("--as-of", type=_date, help="show, notice: the premiums due (for the Art. 84 range, or the "
                                               "notice's figures) as of this date (default today)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--city", help="show, notice: the city of compliance/params whose worksheet gives the premiums "
                                      "due (notice: default the city of the employer's USCC region)")
    group.add_argument("--params", metavar="FILE.toml", help="show, notice: a parameter file of the same form")
    p.add_argument("--kind", choices=["rectification", "audit", "report"],
                   help="notice: 社会保险登记限期改正通知书 (rectification), 社会保险稽核告知书 (audit) or the "
                        "one-page employer report (report)")
    p.add_argument("--out", metavar="FILE", help="notice: the file to write, .docx (editable) or .pdf")
    _db_arg(p)


def _user_commands(sub: argparse._SubParsersAction) -> None:
    """``user add|list|disable`` (sections 9 and 10), ``enable|reset-password|unlock|set-role|reset-admin|audit``
    (issue 24)."""
    p = sub.add_parser("user", help="manage dashboard users (sections 9 and 10)",
                       description="add USERNAME --role hr|inspector|admin [--employer USCC]... [--must-change] | "
                                   "list | disable USERNAME | enable USERNAME | reset-password USERNAME | unlock "
                                   "USERNAME | set-role USERNAME --role ROLE [--employer USCC]... | reset-admin "
                                   "[--username NAME] | audit [filters]. The password is read from standard input, "
                                   "never from the command line.")
    users = p.add_subparsers(dest="user_command", required=True)
    q = users.add_parser("add", help="create a user; the password comes from standard input or a prompt",
                         description="Create a dashboard user. USERNAME: 1-64 lower-case ASCII letters, digits, "
                                     "'.', '_', '-'. The password (one line on standard input, else prompted "
                                     "twice) needs 12 characters or more, not whitespace only, not containing the "
                                     "username, not a common password.")
    q.add_argument("username", help="the new user's name")
    q.add_argument("--role", required=True, choices=["hr", "inspector", "admin"],
                   help="hr (own employers only), inspector (every employer) or admin (users, no personal data)")
    q.add_argument("--employer", action="append", default=[], metavar="USCC",
                   help="an employer the hr user may see (repeatable; check character verified)")
    q.add_argument("--must-change", action="store_true",
                   help="the user must change this password at first sign-in. Off by default, since the "
                        "password piped in may be one the user chose; use it when you set the password for them")
    _db_arg(q)
    q = users.add_parser("list", help="list users", description="One line per user: name, role, employers.")
    q.add_argument("--json", action="store_true", help="print a JSON list")
    _db_arg(q)
    q = users.add_parser("disable", help="disable a user (kept for the audit log)",
                         description="Disable a user: sign-in refused from the user's next interaction on; the "
                                     "account stays for the audit log.")
    q.add_argument("username", help="the user to disable")
    _db_arg(q)
    for name, help_text, description in (
            ("enable", "enable a disabled user again", "Enable a disabled user again; its old sign-ins stay ended."),
            ("reset-password", "give a user a one-time password (printed once)",
             "Give USERNAME a generated one-time password, printed once on standard output (the explanation on "
             "standard error): it must be changed at the next sign-in. The user's sign-ins end and its lock-out is "
             "cleared."),
            ("unlock", "clear the failed sign-ins that lock a user out",
             "Clear the failed sign-ins of the last 30 minutes that lock USERNAME out (five within 15 minutes).")):
        q = users.add_parser(name, help=help_text, description=description)
        q.add_argument("username", help="the user")
        _db_arg(q)
    q = users.add_parser("set-role", help="change a user's role and employers",
                         description="Give USERNAME another role and employers: hr needs at least one --employer, "
                                     "inspector and admin none; the only enabled admin keeps its role. The user's "
                                     "sign-ins end.")
    q.add_argument("username", help="the user")
    q.add_argument("--role", required=True, choices=["hr", "inspector", "admin"], help="the new role")
    q.add_argument("--employer", action="append", default=[], metavar="USCC",
                   help="an employer of the hr user (repeatable, or several separated by ',' '，' or '、')")
    _db_arg(q)
    q = users.add_parser("reset-admin", help="a lost admin password: print a one-time password",
                         description="For a lost admin password, with no admin able to sign in: the admin account "
                                     "(--username when there are several) gets a one-time password, printed once on "
                                     "standard output, and is enabled and unlocked; audited. Exit 2 when there is "
                                     "no admin account.")
    q.add_argument("--username", help="which admin, when there are several")
    _db_arg(q)
    q = users.add_parser("audit", help="read the audit log, newest first, a page at a time",
                         description="The audit log filtered by user, action and Beijing-time dates, newest first, "
                                     "one page at a time (times in Beijing time; the store keeps UTC).")
    q.add_argument("--user", help="entries by this user (actor)")
    q.add_argument("--action", help="entries of this action (sign_in, view, user_add, password_reset ...)")
    q.add_argument("--from", dest="first", type=_date, help="from this Beijing-time day (YYYY-MM-DD)")
    q.add_argument("--to", dest="last", type=_date, help="up to this Beijing-time day, included (YYYY-MM-DD)")
    q.add_argument("--page", type=int, default=1, help="page number (default 1)")
    q.add_argument("--page-size", type=int, default=50, help="entries per page (default 50, at most 200)")
    q.add_argument("--json", action="store_true", help="print one JSON object: entries (times in UTC), total, "
                                                     "page, pages")
    _db_arg(q)


def _batch_commands(sub: argparse._SubParsersAction) -> None:
    """``batch check``, ``batch employers`` and ``batch crosscheck``: the same rules on a Dask cluster
    (issue 15, docs/scale.md)."""
    p = sub.add_parser("batch", help="check city-scale rosters on a Dask cluster (docs/scale.md)",
                       description="The check and employers commands over many large CSV or Parquet files, "
                                   "partition by partition on a Dask cluster (a local one by default).")
    batch = p.add_subparsers(dest="batch_command", required=True)
    for name, help_text, description in (
            ("check", "status of every row; Parquet datasets of results and problems",
             "Registration status of every row of the inputs. --out DIR gets DIR/results (the columns of "
             "check) and DIR/problems (the problems table), as Parquet datasets."),
            ("employers", "one row per employer, flagged for premium verification",
             "Per-employer counts of every row of the inputs, as the employers command gives them.")):
        q = batch.add_parser(name, help=help_text, description=description)
        q.add_argument("inputs", nargs="+", metavar="INPUT",
                       help="CSV or Parquet files, folders of them, globs; local paths or fsspec URLs (s3://...)")
        q.add_argument("--as-of", type=_date, default=None, help="judge as of this date (default today)")
        q.add_argument("--calendar-days", action="store_true",
                       help="strict variant: deadline = hire date + 30 calendar days, no rollover")
        q.add_argument("--out", required=True, metavar="DIR" if name == "check" else "FILE",
                       help="folder (or URL) of the results and problems datasets" if name == "check"
                       else "report file: .csv, .xlsx or .json")
        _cluster_args(q)
    q = batch.add_parser("crosscheck", help="rosters against registry extracts; a Parquet dataset of findings",
                         description="The findings of the crosscheck command (rosters against the agency's "
                                     "registration extracts, shared README section 8) for roster files and "
                                     "registry extracts as if each had been uploaded or imported in the order "
                                     "given. --out DIR becomes a Parquet dataset of the findings.")
    q.add_argument("--rosters", nargs="+", required=True, metavar="INPUT",
                   help="roster CSV or Parquet files, folders of them, globs; local paths or fsspec URLs")
    q.add_argument("--registry", nargs="+", required=True, metavar="INPUT",
                   help="registry extracts (ssn, employer_id, registration_date ...), CSV or Parquet")
    q.add_argument("--out", required=True, metavar="DIR", help="folder (or URL) of the findings dataset")
    _cluster_args(q)


def _cluster_args(q: argparse.ArgumentParser) -> None:
    q.add_argument("--scheduler", metavar="ADDRESS",
                   help="a running Dask scheduler (tcp://host:8786); default: a local cluster for this run")
    q.add_argument("--workers", type=int, metavar="N",
                   help="worker processes of the local cluster (default: the usable cores)")
    q.add_argument("--blocksize", default="64MB", metavar="SIZE",
                   help="CSV bytes per partition (default 64MB, about 500k rows)")
    q.add_argument("--partition-rows", type=int, default=500_000, metavar="N",
                   help="Parquet row groups are joined (or cut) into partitions of about N rows (default 500000)")


def _run_batch(args: argparse.Namespace) -> tuple[BatchSummary | CrossSummary, pd.DataFrame | None]:
    from compliance import batch, jobs

    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers {args.workers}: at least 1")
    cluster = jobs.Cluster(args.scheduler, args.workers, batch.parse_size(args.blocksize), args.partition_rows,
                           progress=sys.stderr.isatty())
    if args.batch_command == "crosscheck":
        return jobs.batch_crosscheck(args.rosters, args.registry, args.out, cluster), None
    as_of = args.as_of or dt.date.today()
    if args.batch_command == "check":
        return jobs.batch_check(args.inputs, args.out, as_of, args.calendar_days, cluster), None
    frame, summary = jobs.batch_employers(args.inputs, as_of, args.calendar_days, cluster)
    return summary, frame


def cmd_batch(args: argparse.Namespace) -> int:
    from compliance import batch, reports
    from compliance.employers import EMPLOYER_COLUMNS

    if args.batch_command == "employers" and Path(args.out).suffix.lower() not in reports.FORMATS:
        raise UsageError(f"{args.out}: unknown report format; use one of {', '.join(reports.FORMATS)}")
    summary, frame = _run_batch(args)
    if isinstance(summary, batch.CrossSummary):
        print(batch.crosscheck_line(summary, args.out.rstrip("/")))
        return EXIT_OK
    if frame is not None:
        reports.write(frame[EMPLOYER_COLUMNS], args.out, sheet="employers")
        print(f"{len(frame)} employers, {int(frame['flag_premium_verification'].sum())} flagged for "
              f"premium verification ({summary.rows} rows) -> {args.out}")
    else:
        print(batch.summary_line(summary, args.out.rstrip("/")))
    warning = batch.provisional_warning(summary)
    if warning:
        print(warning, file=sys.stderr)
    return EXIT_OK


def _warn_skipped(skipped: list[str]) -> None:
    for note in skipped:
        print(f"warning: {note}", file=sys.stderr)


def _check_whole(args: argparse.Namespace) -> CheckResult:
    from compliance import jobs

    result, skipped = jobs.check_paths_whole(args.rosters, args.as_of or dt.date.today(), args.calendar_days,
                                             args.employer_id, args.employer_name)
    _warn_skipped(skipped)
    return result


def _warn_provisional(result: CheckResult) -> None:
    from compliance import calendar

    provisional = result.results.loc[result.results["deadline_provisional"], "deadline"]
    years = calendar.provisional_years(provisional)
    if years:
        print(f"warning: no holiday notice for {', '.join(map(str, years))}: "
              f"{len(provisional)} deadline(s) are provisional (weekends and statutory holidays only)",
              file=sys.stderr)


def _check_to_csv(args: argparse.Namespace) -> CheckResult:
    """Written slice by slice as judged: a big roster's results are never all in memory; what the summary,
    the provisional warning and ``--problems`` need is kept."""
    import pandas as pd

    from compliance import jobs, reports
    from compliance.registration import CHECK_COLUMNS, CheckResult

    checked = jobs.check_paths(args.rosters, args.as_of or dt.date.today(), args.calendar_days,
                               args.employer_id, args.employer_name)
    _warn_skipped(checked.skipped)
    kept: list[CheckResult] = []

    def slices() -> Iterator[pd.DataFrame]:
        for part in checked.slices:
            kept.append(CheckResult(part.results[["status", "deadline", "deadline_provisional"]], part.problems))
            yield part.results[CHECK_COLUMNS]

    reports.write_csv_parts(slices(), Path(args.out))
    if not kept:
        return jobs.empty_result()
    return CheckResult(pd.concat([k.results for k in kept]), pd.concat([k.problems for k in kept], ignore_index=True))


def cmd_check(args: argparse.Namespace) -> int:
    from compliance import reports
    from compliance.registration import CHECK_COLUMNS, status_counts

    if Path(args.out).suffix.lower() == ".csv":
        result = _check_to_csv(args)
    else:
        result = _check_whole(args)
        reports.write(result.results[CHECK_COLUMNS], args.out, extra_sheets={"problems": result.problems},
                      sheet="employees")
    if args.problems:
        reports.write(result.problems, args.problems, sheet="problems")
    _warn_provisional(result)
    counts = ", ".join(f"{k} {v}" for k, v in status_counts(result.results).items())
    print(f"{len(result.results)} rows checked: {counts}; {result.problems['source_row'].notna().sum()} row "
          f"problems -> {args.out}")
    return EXIT_OK


def cmd_employers(args: argparse.Namespace) -> int:
    from compliance import jobs, reports
    from compliance.employers import EMPLOYER_COLUMNS

    result = _check_whole(args)
    summary = jobs.employer_summary(result.results)
    reports.write(summary[EMPLOYER_COLUMNS], args.out, sheet="employers")
    _warn_provisional(result)
    print(f"{len(summary)} employers, {int(summary['flag_premium_verification'].sum())} flagged for "
          f"premium verification -> {args.out}")
    return EXIT_OK


def cmd_cards(args: argparse.Namespace) -> int:
    from compliance import jobs, reports
    from compliance.cards import CARD_COLUMNS

    result = _check_whole(args)
    cards = jobs.card_report(result, args.as_of or dt.date.today(), args.city, args.old_cards_cancelled, args.lang)
    reports.write(cards.people[CARD_COLUMNS], args.out, sheet="cards")
    if args.problems:
        reports.write(cards.problems, args.problems, sheet="problems")
    for warning in cards.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    frozen = int(cards.people["frozen"].fillna(False).sum())
    print(f"{len(cards.people)} cards: {frozen} frozen, {int(cards.people['frozen'].isna().sum())} not known (no "
          f"old-card parameters, or no card status), {int(cards.people['must_apply'].sum())} must apply -> {args.out}")
    return EXIT_OK


def cmd_id(args: argparse.Namespace) -> int:
    from compliance import documents

    report = documents.explain(args.number, args.id_type)
    if args.json:
        obj = dataclasses.asdict(report)
        obj.pop("region")
        print(json.dumps(obj, ensure_ascii=False))
    elif report.valid:
        sex = {"M": "male", "F": "female"}.get(report.sex or "", "")
        encoded = f", born {report.birth_date}, {sex}, region {report.region_code} {report.region or 'unknown'}" \
            if report.birth_date else ""
        # a passport or travel permit holds no SSN: its warning says the agency assigns one (said once)
        print(f"valid {report.kind}" + (f": SSN {report.ssn}{encoded}" if report.ssn else ""))
        for warning in report.warnings:
            print(f"warning: {warning}")
    else:
        print(f"invalid: {'; '.join(report.problems)}")
    return EXIT_OK if report.valid else EXIT_FINDINGS


def cmd_deadline(args: argparse.Namespace) -> int:
    import pandas as pd

    from compliance import calendar

    result = calendar.deadline(args.hire_date, calendar_days=args.calendar_days)
    print(result.date.isoformat())
    if result.provisional:
        span = [args.hire_date + dt.timedelta(days=calendar.REGISTRATION_DAYS), result.date]
        years = calendar.provisional_years(pd.Series(span))
        print(f"warning: no holiday notice for {', '.join(map(str, years))}: this deadline is provisional "
              "(weekends and statutory holidays only)", file=sys.stderr)
    return EXIT_OK


def _json_out(frame: pd.DataFrame) -> str:
    """A stored table as a JSON list: timestamps as ``YYYY-MM-DDTHH:MM:SS``, ``null`` for empty."""
    import pandas as pd

    from compliance.dates import iso_dates

    out = frame.copy()
    for name in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[name]):
            out[name] = iso_dates(out[name], unit="s")
    return json.dumps(json.loads(out.to_json(orient="records", force_ascii=False)), ensure_ascii=False, indent=1)


def _print_table(frame: pd.DataFrame, as_json: bool, empty: str) -> int:
    """A stored table on stdout: a JSON list, or aligned text."""
    if as_json:
        print(_json_out(frame))
    else:
        print(frame.to_string(index=False) if len(frame) else empty)
    return EXIT_OK


def _retire_demo_accounts(engine: Engine) -> None:
    """After each file stored: once the store holds anything but the bundled samples, the demo accounts
    are disabled (audited) and one line on stderr says so (issue 20, finding 10)."""
    from compliance import accounts, store

    retired = accounts.retire_demo_users(engine, by=store.os_user())
    if retired:
        print(f"note: demo accounts {', '.join(retired)} disabled: the store now holds data other than the "
              "bundled samples", file=sys.stderr)


def cmd_upload(args: argparse.Namespace) -> int:
    from compliance import jobs, store
    from compliance.rosters import roster_paths

    engine = store.connect(args.db)
    paths, skipped = roster_paths(args.rosters)
    _warn_skipped(skipped)
    for path in paths:
        o = jobs.store_roster(engine, path, employer_id=args.employer_id, employer_name=args.employer_name)
        if o.duplicate:
            print(f"{o.file_name}: already stored (same content, sha256 {o.sha256[:12]}…); nothing added")
        else:
            print(f"{o.file_name}: {o.rows} rows read, {o.stored} stored, {o.errors} with a problem")
        _retire_demo_accounts(engine)
    return EXIT_OK


def cmd_import_registry(args: argparse.Namespace) -> int:
    from compliance import jobs, store

    engine = store.connect(args.db)
    for path in args.files:
        if not Path(path).is_file():
            raise UsageError(f"{path}: file not found")
        o = jobs.import_registry(engine, path)
        if o.duplicate:
            print(f"{o.file_name}: already imported (same content, sha256 {o.sha256[:12]}…); nothing added")
        else:
            print(f"{o.file_name}: {o.stored} registration records stored, {o.errors} rows rejected")
        _retire_demo_accounts(engine)
    return EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    from compliance import store

    return _print_table(store.history(store.connect(args.db)), args.json, "nothing stored yet")


def cmd_crosscheck(args: argparse.Namespace) -> int:
    from compliance import jobs, reports, store

    findings = jobs.findings(store.connect(args.db), args.employer)
    reports.write(findings, args.out, sheet="crosscheck")
    counts = findings["finding"].value_counts()
    summary = ", ".join(f"{k} {v}" for k, v in counts.items()) or "no findings"
    print(f"{len(findings)} findings ({summary}) -> {args.out}")
    return EXIT_OK


def cmd_worksheet(args: argparse.Namespace) -> int:
    import pandas as pd

    from compliance import jobs, premiums, reports, store

    params = premiums.load_params(args.city, args.params)
    ws = jobs.worksheet(store.connect(args.db), args.employer_id, args.as_of, params)
    notes = ws.notes
    reports.write(ws.sheet, args.out, sheet="worksheet",
                  extra_sheets={"totals": ws.totals, "notes": pd.DataFrame({"note": notes}, dtype="string")})
    sums = ws.totals.sum(numeric_only=True) if len(ws.totals) else pd.Series(0.0, index=premiums.TOTALS_COLUMNS)
    gap = int((ws.sheet["kind"] == "gap").sum())
    print(f"{args.employer_id}: {ws.overdue['ssn'].nunique()} overdue and {ws.late['ssn'].nunique()} late-registered "
          f"employees, {len(ws.sheet)} contribution months ({gap} gap), premiums {sums['total']:,.2f} yuan "
          f"(gap months {sums['gap_total']:,.2f}) + late fee {sums['late_fee']:,.2f} yuan ({params.city}) "
          f"-> {args.out}")
    for note in notes:
        print(f"note: {note}")
    return EXIT_OK


def cmd_cases(args: argparse.Namespace) -> int:
    from compliance import store

    return _print_table(store.list_cases(store.connect(args.db)), args.json, "no cases")


def cmd_case(args: argparse.Namespace) -> int:
    from compliance import jobs, store

    for flag, value, actions in (("--document", args.document, ("move",)), ("--rectify-by", args.rectify_by, ("move",)),
                                 ("--as-of", args.as_of, ("show", "notice")), ("--city", args.city, ("show", "notice")),
                                 ("--params", args.params, ("show", "notice")), ("--kind", args.kind, ("notice",)),
                                 ("--out", args.out, ("notice",))):
        if value is not None and args.action not in actions:
            raise UsageError(f"{flag} goes with 'case {' or '.join(actions)}', not 'case {args.action}'")
    engine = store.connect(args.db)
    if args.action == "open":
        case_id = jobs.open_case(engine, args.target, args.note or "flagged for premium verification")
        print(f"case {case_id} open for {args.target}")
        return EXIT_OK
    try:
        case_id = int(args.target)
    except ValueError:
        raise UsageError(f"'{args.target}' is not a case number") from None
    if args.action == "move":
        if not args.state:
            view = jobs.case_view(engine, case_id)
            raise UsageError(f"case {case_id} is {view.state}: name the state to move to "
                             f"({', '.join(view.next_states) or 'none: it moves no further'})")
        jobs.move_case(engine, case_id, args.state, args.note, document=args.document, rectify_by=args.rectify_by)
        served = f" ({args.document}, rectify by {args.rectify_by.isoformat()})" if args.state == "notified" else ""
        print(f"case {case_id} -> {args.state}{served}")
        return EXIT_OK
    if args.action == "notice":
        return _case_notice(engine, case_id, args)
    _show_case(engine, jobs.case_view(engine, case_id), args)
    return EXIT_OK


def _case_notice(engine: Engine, case_id: int, args: argparse.Namespace) -> int:
    """``case notice``: the document of ``--kind`` as the file ``--out`` names (.docx or .pdf), figures from the
    employer's worksheet as of ``--as-of`` in the parameters of ``--city``/``--params`` (default: the city of the
    employer's USCC region)."""
    from compliance import jobs, notices, premiums

    if not args.kind or not args.out:
        raise UsageError("case notice needs --kind (rectification, audit or report) and --out FILE.docx|FILE.pdf")
    fmt = Path(args.out).suffix.lower().lstrip(".")
    if fmt not in notices.FORMATS:
        raise notices.NoticeError.coded("notice_format", format=Path(args.out).suffix or args.out,
                                        formats=", ".join(f".{f}" for f in notices.FORMATS))
    view = jobs.case_view(engine, case_id)
    city = args.city if args.city or args.params else jobs.employer_city(view.employer_id)
    if city is None and not args.params:
        raise notices.NoticeError.coded("notice_city", employer=view.employer_id)
    params, as_of = premiums.load_params(city, args.params), args.as_of or dt.date.today()
    data = jobs.case_notice(engine, case_id, args.kind, fmt, as_of, params)
    try:
        Path(args.out).write_bytes(data)
    except OSError as exc:
        raise UsageError(f"cannot write {args.out}: {exc.strerror}") from None
    print(f"case {case_id}: {notices.TITLES[args.kind]} ({params.city}, as of {as_of.isoformat()}) -> {args.out}")
    return EXIT_OK


def _show_case(engine: Engine, view: CaseView, args: argparse.Namespace) -> None:
    """``case show``: the case's state and allowed moves, its deadlines, its notice, the Art. 84 range once it
    was not rectified (from the employer's worksheet: --city or --params, --as-of), then its history."""
    from compliance import jobs, premiums

    print(f"case {view.id}: {view.employer_id} {view.employer_name or ''}".rstrip())
    print(f"state: {view.state}; next: {', '.join(view.next_states) or 'none (final)'}")
    provisional = " (provisional calendar)" if view.investigate_by.provisional else ""
    print(f"opened: {view.opened_on.isoformat()}; investigate by: {view.investigate_by.date.isoformat()}{provisional} "
          "(Regulations on Labour Security Supervision Art. 17: 60 working days)")
    if view.document:
        print(f"document: {view.document}; rectify by: {view.rectify_by.isoformat() if view.rectify_by else ''}")
    if view.shows_fine and not (args.city or args.params):
        print("Social Insurance Law Art. 84: give --city or --params (and --as-of) for the fine range")
    elif view.shows_fine:
        params, as_of = premiums.load_params(args.city, args.params), args.as_of or dt.date.today()
        fine = jobs.case_fine(engine, view, as_of, params)
        print(f"Social Insurance Law Art. 84: premiums due {fine.premiums_due:,.2f} yuan as of {as_of.isoformat()} "
              f"({params.city}, late fees excluded): employer {fine.employer_min:,.2f}-{fine.employer_max:,.2f} "
              f"yuan; each person in charge {fine.person_min:,.2f}-{fine.person_max:,.2f} yuan")
    print(view.history.to_string(index=False))


def _read_password() -> str:
    """One line from standard input when it is not a terminal, else a prompt, twice."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    import getpass

    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise UsageError("the two passwords differ")
    return first


def cmd_user(args: argparse.Namespace) -> int:
    from compliance import accounts, beijing, signins, store

    engine = store.connect(args.db)
    by = store.os_user()
    if args.user_command == "add":
        employers = [e for typed in args.employer for e in accounts.parse_employers(typed)]
        accounts.add_user(engine, args.username, args.role, _read_password(), employers,
                          must_change_password=args.must_change)
        change = ", must change the password at first sign-in" if args.must_change else ""
        print(f"user {args.username} ({args.role}) added{change}")
    elif args.user_command == "disable":
        signins.disable_account(engine, args.username)
        print(f"user {args.username} disabled")
    elif args.user_command == "enable":
        accounts.enable_user(engine, args.username, by=by)
        print(f"user {args.username} enabled")
    elif args.user_command == "unlock":
        cleared = accounts.unlock_user(engine, args.username, by=by)
        print(f"user {args.username} unlocked ({cleared} failed sign-in(s) cleared)")
    elif args.user_command == "set-role":
        employers = [e for typed in args.employer for e in accounts.parse_employers(typed)]
        accounts.change_role(engine, args.username, args.role, employers, by=by)
        print(f"user {args.username} is now {args.role} {', '.join(employers)}".rstrip())
    elif args.user_command in ("reset-password", "reset-admin"):
        if args.user_command == "reset-admin":
            username, password = accounts.reset_admin(engine, args.username, by=by)
        else:
            username, password = args.username, accounts.reset_password(engine, args.username, by=by)
        print(f"one-time password of {username} (shown this once; it must be changed at the next sign-in):",
              file=sys.stderr)
        print(password)
    elif args.user_command == "audit":
        page = accounts.audit_page(engine, args.user, args.action, args.first, args.last, args.page, args.page_size)
        if args.json:
            print(json.dumps(dataclasses.asdict(page), ensure_ascii=False, indent=1,
                             default=lambda at: at.isoformat(timespec="seconds")))  # UTC, as stored
            return EXIT_OK
        for e in page.entries:
            print(f"{beijing.beijing_text(e['at'], 'en', seconds=True)}  {e['actor']}  {e['action']}  "
                  f"{e['employer_id'] or '-'}  {e['detail'] or ''}".rstrip())
        print(f"page {page.page} of {page.pages}, {page.total} entries (newest first)")
    else:
        rows = accounts.list_users(engine)
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=1))
        for r in [] if args.json else rows:
            state = (" (disabled)" if r["disabled"] else "") + (" (locked)" if r["locked"] else "")
            last = beijing.beijing_text(r["last_sign_in"], "en") or "never"
            print(f"{r['username']:<20} {r['role']:<10} {', '.join(r['employers'])}{state}  last sign-in: {last}")
    return EXIT_OK


def _debug() -> bool:
    """SHEBAO_DEBUG, read where an internal error is handled: a bad value there must not raise again."""
    try:
        return config.flag("SHEBAO_DEBUG")
    except ShebaoError:
        return False


COMMANDS = {"user": cmd_user, "check": cmd_check, "employers": cmd_employers, "cards": cmd_cards, "id": cmd_id,
            "deadline": cmd_deadline, "upload": cmd_upload, "import-registry": cmd_import_registry,
            "history": cmd_history,
            "crosscheck": cmd_crosscheck, "worksheet": cmd_worksheet, "cases": cmd_cases, "case": cmd_case,
            "batch": cmd_batch}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        for warning in config.check_all():  # a bad SHEBAO_* value is one line and exit 2, before any work
            print(f"warning: {warning}", file=sys.stderr)
        return COMMANDS[args.command](args)
    except ShebaoError as exc:  # the user's error, in words fit for the user
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except Exception as exc:
        if _debug():
            raise
        # no traceback by default: it could quote cell values, ID numbers among them
        print(f"internal error ({type(exc).__name__}); run again with SHEBAO_DEBUG=1 for details",
              file=sys.stderr)
        return EXIT_INTERNAL
