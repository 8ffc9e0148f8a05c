"""Premium verification worksheet (PRC Social Insurance Law Art. 58, Art. 86).

Art. 58: where an employer has not registered an employee, the agency verifies (核定) the
premiums it should pay. Art. 86: late payment costs 0.05% of the unpaid amount per day.

For each overdue employee and each contribution month (month of hire through the month before
the as-of month): the contribution base is the declared wage clamped to the period's
[base_floor, base_cap], or the period's default_base when no wage is declared; each insurance
type's amount is ``base × rate + fixed`` rounded half up to 0.01 yuan; the month is due on
``due_day`` of the next month; the late fee is ``total × 0.0005 × days late``, rounded half up.

All money is computed in integer fen (0.01 yuan) with rates scaled by 10^8, so half-up rounding
is exact, never at the mercy of binary floating point.

Parameters live in ``compliance/params/<city>.toml`` (shared README section 8); a month no
period covers is refused, never guessed, and the refusal names the months the parameters cover.

Where no wage is declared the month is verified at the period's ``default_base`` (the base floor
in the shipped files). Social Insurance Law Art. 62 lets the agency, when an employer fails to
declare, collect provisionally 110% of the previous month's amount; an employer that never
registered the employee has no previous month, so the agency verifies under the Interim
Regulations on the Collection of Social Insurance Premiums (社会保险费征缴暂行条例) and local rules;
verifying at the lowest lawful base absent evidence of the wage is the figure an employer cannot
dispute downwards. Each parameter file documents its basis beside ``default_base``.

Late fees (section 10): each period names the day its late fee counts from (``late_fee_from``;
``day_after_due``, Art. 86, is the only rule the law gives and the default); the worksheet states
the rule it used, and notes months whose late fee exceeds the principal, because whether
Administrative Enforcement Law Art. 45 caps a late fee at the principal is disputed for social
insurance: the fee is never capped silently.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from compliance import catalogue
from compliance.errors import ShebaoError

PARAMS_DIR = Path(__file__).parent / "params"
LATE_FEE_PER_DAY = (5, 10_000)  # Art. 86: 0.05% = 5 / 10,000 per day
LATE_FEE_RULES = {  # a period's ``late_fee_from`` → its note's catalogue key
    "day_after_due": "late_fee_day_after_due",  # Social Insurance Law Art. 86
}
RATE_SCALE = 10**8
WORKSHEET_COLUMNS = ["employer_id", "ssn", "name", "month", "base", "employer_amount", "employee_amount", "total",
                     "due_date", "days_late", "late_fee"]


class ParamsError(ShebaoError, ValueError):
    """Parameters missing, malformed, or not covering a month (exit 2)."""


class UncoveredMonths(ParamsError):
    """Contribution months that no period covers: the message names them and what is covered, and the
    dashboard offers ``params.last_as_of()`` instead of a bare refusal (section 10)."""

    def __init__(self, message: str, months: list[str], params: Params) -> None:
        super().__init__(message)
        self.months = months
        self.params = params


@dataclass(frozen=True)
class Period:
    start: pd.Period
    end: pd.Period
    average_wage: float
    base_floor: float
    base_cap: float
    default_base: float
    due_day: int
    source: str
    rates: dict[str, dict[str, float]]
    late_fee_from: str = "day_after_due"
    unconfirmed: tuple[str, ...] = ()  # figures the sources could not confirm (named in the file)

    @property
    def months(self) -> str:
        return f"{self.start}–{self.end}"


@dataclass(frozen=True)
class Params:
    city: str
    periods: list[Period]
    types: list[str]  # insurance types in file order

    def coverage(self) -> str:
        """The months the parameters cover: '2024-07–2026-06' (gaps listed apart)."""
        spans: list[list[pd.Period]] = []
        for p in sorted(self.periods, key=lambda p: p.start):
            if spans and p.start <= spans[-1][1] + 1:
                spans[-1][1] = max(spans[-1][1], p.end)
            else:
                spans.append([p.start, p.end])
        return ", ".join(f"{a}–{b}" for a, b in spans)

    def last_month(self) -> pd.Period:
        return max(p.end for p in self.periods)

    def last_as_of(self) -> dt.date:
        """The latest as-of date whose worksheet the parameters cover: the first day of the month after
        the last covered one (contribution months run to the month before the as-of month)."""
        return (self.last_month() + 1).to_timestamp().date()


def cities() -> list[str]:
    return sorted(p.stem for p in PARAMS_DIR.glob("*.toml"))


def load_params(city: str | None = None, path: str | Path | None = None) -> Params:
    """Parameters of a shipped city, or of any file of the same form."""
    if path is None:
        if not city:
            raise ParamsError("name a city (--city) or a parameter file (--params)")
        path = PARAMS_DIR / f"{city}.toml"
        if not path.exists():
            raise ParamsError(f"no parameters for city '{city}' (have: {', '.join(cities())})")
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        periods, types = [], []
        for p in data["period"]:
            rates = {name: {k: float(v) for k, v in r.items()} for name, r in p["rates"].items()}
            types += [t for t in rates if t not in types]
            if not str(p.get("source", "")).strip():
                raise ParamsError(f"{path}: period {p['from']}–{p['to']} has no source")
            late_fee_from = str(p.get("late_fee_from", "day_after_due"))
            if late_fee_from not in LATE_FEE_RULES:
                raise ParamsError(f"{path}: period {p['from']}–{p['to']}: late_fee_from '{late_fee_from}' is not "
                                  f"one of {', '.join(LATE_FEE_RULES)}")
            periods.append(Period(pd.Period(p["from"], "M"), pd.Period(p["to"], "M"), float(p["average_wage"]),
                                  float(p["base_floor"]), float(p["base_cap"]), float(p["default_base"]),
                                  int(p["due_day"]), str(p["source"]), rates, late_fee_from,
                                  tuple(str(u) for u in p.get("unconfirmed", []))))
        return Params(str(data.get("city", path.stem)), periods, types)
    except ParamsError:
        raise
    except (OSError, KeyError, TypeError, ValueError) as exc:
        raise ParamsError(f"{path}: not a parameter file ({exc.__class__.__name__}: {exc})") from exc


def _fen(yuan: pd.Series | float) -> np.ndarray:
    return np.rint(np.asarray(yuan, dtype=float) * 100).astype(np.int64)


def _scaled(rate: float) -> int:
    return round(rate * RATE_SCALE)


def _half_up(numerator: np.ndarray, denominator: int) -> np.ndarray:
    """Integer division rounding half up (amounts are never negative)."""
    return (numerator * 2 + denominator) // (2 * denominator)


def _month_number(year: pd.Series | int, month: pd.Series | int) -> pd.Series | int:
    """Months since year 0: comparable and countable as plain integers."""
    return year * 12 + (month - 1)


def contribution_months(overdue: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """One row per employee and month, from the month of hire to the month before the as-of month.

    Adds ``month_n`` (months since year 0) and ``month`` (``YYYY-MM``).
    """
    last = _month_number(as_of.year, as_of.month) - 1
    first = _month_number(overdue["hire_date"].dt.year, overdue["hire_date"].dt.month).astype("int64")
    count = (last - first + 1).clip(lower=0)
    rows = overdue.loc[overdue.index.repeat(count.to_numpy())].copy()
    rows["month_n"] = first.loc[rows.index].to_numpy() + rows.groupby(level=0).cumcount().to_numpy()
    rows["month"] = ((rows["month_n"] // 12).astype("string").str.zfill(4) + "-"
                     + (rows["month_n"] % 12 + 1).astype("string").str.zfill(2))
    return rows.reset_index(drop=True)


def worksheet(overdue: pd.DataFrame, as_of: dt.date, params: Params) -> pd.DataFrame:
    """The Art. 58 verification worksheet for overdue employees (employer_id, ssn, name, hire_date, wage)."""
    rows = contribution_months(overdue, as_of)
    columns = WORKSHEET_COLUMNS + [f"{t}_{side}" for t in params.types for side in ("employer", "employee")]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    period_of = pd.Series(-1, index=rows.index)
    for i, p in enumerate(params.periods):
        inside = rows["month_n"].between(_month_number(p.start.year, p.start.month),
                                         _month_number(p.end.year, p.end.month))
        period_of[inside & (period_of < 0)] = i
    uncovered = rows.loc[period_of < 0, "month"]
    if len(uncovered):
        months = sorted({str(m) for m in uncovered})
        raise UncoveredMonths(f"{params.city}: no parameters for {', '.join(months[:6])}"
                              f"{' …' if len(months) > 6 else ''}; they cover {params.coverage()}: the latest "
                              f"as-of date they cover is {params.last_as_of().isoformat()}; refusing to guess",
                              months, params)
    def per_period(attr: str) -> np.ndarray:
        return np.array([getattr(p, attr) for p in params.periods])[period_of.to_numpy()]

    wage = pd.to_numeric(rows["wage"], errors="coerce").to_numpy(dtype=float)
    base = np.where(np.isnan(wage), per_period("default_base"),
                    np.clip(wage, per_period("base_floor"), per_period("base_cap")))
    base_fen = _fen(base)
    out = pd.DataFrame({"employer_id": rows["employer_id"], "ssn": rows["ssn"], "name": rows["name"],
                        "month": rows["month"], "base": base_fen / 100})
    employer_total = np.zeros(len(rows), dtype=np.int64)
    employee_total = np.zeros(len(rows), dtype=np.int64)
    for t in params.types:
        for side, total in (("employer", employer_total), ("employee", employee_total)):
            rate = np.array([_scaled(p.rates.get(t, {}).get(side, 0.0)) for p in params.periods])[period_of]
            fixed = np.array([_fen(p.rates.get(t, {}).get(f"{side}_fixed", 0.0)) for p in params.periods])[period_of]
            amount = _half_up(base_fen * rate + fixed * RATE_SCALE, RATE_SCALE)
            out[f"{t}_{side}"] = amount / 100
            total += amount
    total_fen = employer_total + employee_total
    after = rows["month_n"] + 1
    due = pd.to_datetime(pd.DataFrame({"year": after // 12, "month": after % 12 + 1, "day": per_period("due_day")}))
    days_late = np.maximum(0, (pd.Timestamp(as_of) - due).dt.days.to_numpy())
    out["employer_amount"] = employer_total / 100
    out["employee_amount"] = employee_total / 100
    out["total"] = total_fen / 100
    out["due_date"] = due
    out["days_late"] = days_late
    out["late_fee"] = _half_up(total_fen * LATE_FEE_PER_DAY[0] * days_late, LATE_FEE_PER_DAY[1]) / 100
    return out[columns]


def totals(sheet: pd.DataFrame) -> pd.DataFrame:
    """Per-employer totals of a worksheet: premiums due, late fees, and both."""
    grouped = sheet.groupby("employer_id", as_index=False).agg(
        employees=("ssn", "nunique"), months=("month", "size"), employer_amount=("employer_amount", "sum"),
        employee_amount=("employee_amount", "sum"), total=("total", "sum"), late_fee=("late_fee", "sum"))
    grouped["total_with_late_fee"] = grouped["total"] + grouped["late_fee"]
    return grouped.round(2)


def late_fee_rules(sheet: pd.DataFrame, params: Params) -> list[catalogue.Text]:
    """The late-fee rule of each period the worksheet's months fall in (catalogue messages)."""
    if sheet.empty:
        return []
    months = set(sheet["month"])
    used = [p for p in params.periods if any(p.start <= pd.Period(m, "M") <= p.end for m in months)]
    return [catalogue.Text(LATE_FEE_RULES[p.late_fee_from], months=p.months) for p in used]


def fee_above_principal(sheet: pd.DataFrame) -> pd.Series:
    """Month rows whose late fee exceeds the premiums (not capped: whether Administrative Enforcement
    Law Art. 45 applies to social-insurance late fees is disputed, so a person decides)."""
    return sheet["late_fee"] > sheet["total"]


def worksheet_notes(sheet: pd.DataFrame, params: Params) -> list[catalogue.Text]:
    """What a reader of a worksheet must know beside its numbers: the late-fee rule used, months whose
    fee exceeds the principal, and figures the parameter file marks unconfirmed."""
    notes = late_fee_rules(sheet, params)
    above = int(fee_above_principal(sheet).sum()) if len(sheet) else 0
    if above:
        notes.append(catalogue.Text("fee_above_principal", rows=above))
    months = set(sheet["month"]) if len(sheet) else set()
    for p in params.periods:
        if p.unconfirmed and any(p.start <= pd.Period(m, "M") <= p.end for m in months):
            notes.append(catalogue.Text("unconfirmed_figures", months=p.months, keys=", ".join(p.unconfirmed)))
    return notes
