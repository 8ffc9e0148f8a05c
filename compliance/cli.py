"""The command line (contract: shared README section 7).

Each command parses its arguments, calls the library, and turns a library error into one
line on stderr and an exit code: 0 success, 1 findings reported as failure (an invalid ID
number), 2 unusable input (missing file, no header row, bad date argument).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from collections.abc import Sequence

import pandas as pd

from compliance import calendar, ids, reports
from compliance.employers import EMPLOYER_COLUMNS, summarise
from compliance.registration import CHECK_COLUMNS, CheckResult, check, status_counts
from compliance.rosters import RosterError, read_rosters, roster_paths

EXIT_OK, EXIT_FINDINGS, EXIT_UNUSABLE = 0, 1, 2


class UsageError(Exception):
    """Unusable input given on the command line."""


def _date(text: str) -> dt.date:
    try:
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
                       description="Registration status of every employee (on_time/late/overdue/pending/invalid).")
    _roster_args(p)
    p.add_argument("--problems", metavar="FILE", help="also write the table of row problems to FILE")
    p = sub.add_parser("employers", help="one row per employer, flagged for premium verification",
                       description="Per-employer counts; employers with an overdue employee are flagged (Art. 58).")
    _roster_args(p)
    p = sub.add_parser("id", help="explain one identity number",
                       description="Validate an identity number and show what it encodes. Exit 1 when invalid.")
    p.add_argument("number")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p = sub.add_parser("deadline", help="registration deadline of a hire date",
                       description="The Art. 58 registration deadline of a hire date.")
    p.add_argument("hire_date", type=_date, metavar="HIRE_DATE")
    p.add_argument("--calendar-days", action="store_true", help="hire date + 30 calendar days, no rollover")
    return parser


def _run_check(args: argparse.Namespace) -> CheckResult:
    paths, skipped = roster_paths(args.rosters)
    for note in skipped:
        print(f"warning: {note}", file=sys.stderr)
    rosters = read_rosters(paths, args.employer_id, args.employer_name)
    as_of = args.as_of or dt.date.today()
    return check(rosters, as_of, calendar_days=args.calendar_days)


def _warn_provisional(result: CheckResult) -> None:
    provisional = result.results.loc[result.results["deadline_provisional"], "deadline"]
    years = calendar.provisional_years(provisional)
    if years:
        print(f"warning: no holiday notice for {', '.join(map(str, years))}: "
              f"{len(provisional)} deadline(s) are provisional (weekends and statutory holidays only)",
              file=sys.stderr)


def cmd_check(args: argparse.Namespace) -> int:
    result = _run_check(args)
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
    result = _run_check(args)
    summary = summarise(result.results)
    reports.write(summary[EMPLOYER_COLUMNS], args.out, sheet="employers")
    _warn_provisional(result)
    print(f"{len(summary)} employers, {int(summary['flag_premium_verification'].sum())} flagged for "
          f"premium verification -> {args.out}")
    return EXIT_OK


def cmd_id(args: argparse.Namespace) -> int:
    report = ids.explain(args.number)
    if args.json:
        obj = dataclasses.asdict(report)
        obj.pop("region")
        print(json.dumps(obj, ensure_ascii=False))
    elif report.valid:
        sex = {"M": "male", "F": "female"}.get(report.sex or "", "")
        print(f"valid {report.kind}: SSN {report.ssn}, born {report.birth_date}, {sex}, "
              f"region {report.region_code} {report.region or 'unknown'}")
        for warning in report.warnings:
            print(f"warning: {warning}")
    else:
        print(f"invalid: {'; '.join(report.problems)}")
    return EXIT_OK if report.valid else EXIT_FINDINGS


def cmd_deadline(args: argparse.Namespace) -> int:
    result = calendar.deadline(args.hire_date, calendar_days=args.calendar_days)
    print(result.date.isoformat())
    if result.provisional:
        span = [args.hire_date + dt.timedelta(days=calendar.REGISTRATION_DAYS), result.date]
        years = calendar.provisional_years(pd.Series(span))
        print(f"warning: no holiday notice for {', '.join(map(str, years))}: this deadline is provisional "
              "(weekends and statutory holidays only)", file=sys.stderr)
    return EXIT_OK


COMMANDS = {"check": cmd_check, "employers": cmd_employers, "id": cmd_id, "deadline": cmd_deadline}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (RosterError, reports.ReportError, calendar.NoticeFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
