"""Premium verification worksheet (PRC Social Insurance Law Art. 58, Art. 86; shared README 8, 10, 11.5).

Art. 58: where an employer has not registered an employee, the agency verifies (核定) the
premiums it should pay. Art. 86: late payment costs 0.05% of the unpaid amount per day.

Who and which months (README 11.5):

- ``overdue`` employees: every month from the month of hire to min(the month of leaving, the month
  before the as-of month) — a leave date after the as-of date does not count (README 11.2);
- ``late`` employees (registered after the deadline): the **gap months**, from the month of hire to
  the month before the registration month (capped the same way) — uninsured unless paid back, so
  they are charged, with late fees from each month's due date. Each month row's ``kind`` says which
  (``overdue`` or ``gap``), and the totals are split by it.

Which types each month charges:

- ``duty`` ``full`` (the default) charges every type; ``work_injury_only`` charges the work-injury
  type alone — part-timers (劳社部发〔2003〕12号《关于非全日制用工若干问题的意见》 items 10–12: the
  employer pays work-injury insurance, pension and medical are the worker's own) and over-age workers
  from 2026-07-01 (超龄劳动者基本权益保障暂行规定, 人社部等五部门令第56号, Art. 15);
- ``over_age`` months before 2026-07-01 are not charged at all (a service relationship, Labour
  Contract Law Art. 44(2); Order 56 is in force from 2026-07-01): they are left out, with a note;
- ``exempt_types`` are not charged: a foreign employee covered by a bilateral or multilateral
  social-security agreement insures as the agreement says (在中国境内就业的外国人参加社会保险暂行办法,
  人社部令第16号, Art. 9).

Money: the contribution base of a type is the declared wage clamped to the type's own
[``base_floor``, ``base_cap``] where its rates carry them (Guangzhou prices medical, unemployment and
work injury on other bounds than pension), else the period's; the ``base`` column shows the base on
the period's bounds. Each type's amount is ``base × rate + fixed`` rounded half up to 0.01 yuan. With
no declared wage the base is the period's ``default_base`` (the base floor in the shipped files), and
the worksheet also states the total at the period's ``average_wage``: 社会保险费申报缴纳管理规定
(人社部令第20号) Art. 8 has the agency, where an employer declares nothing and has no previous month's
amount, determine the amount from its business, headcount and the local average wage. Social
Insurance Law Art. 62 (110% of the previous month's amount) has no previous month for a
never-registered employee; verifying at the lowest lawful base is the figure an employer cannot
dispute downwards, the average-wage figure the upper reading. Each parameter file documents its basis
beside ``default_base``.

Due dates and late fees (README 10, 11.5): a month is due on ``due_day`` of the next month
(``due_rule = "next_month"``, the default) or of the contribution month itself (``"same_month"``,
当月缴当月). The late fee counts from the day after the due date (``late_fee_from =
"day_after_due"``, Art. 86 "自欠缴之日起", the default) or from the 1st of the month after the
contribution month (``"first_of_next_month"``, e.g. Shandong) — never before the day after the due
date, since nothing is in arrears before it is due. ``days_late`` is the days the fee counts
(through the as-of date), ``late_fee = total × 0.0005 × days_late`` rounded half up. The worksheet
states the rules it used, and notes months whose late fee exceeds the principal, because whether
Administrative Enforcement Law Art. 45 caps a late fee at the principal is disputed for social
insurance: the fee is never capped silently.

All money is computed in integer fen (0.01 yuan) with rates scaled by 10^8, so half-up rounding
is exact, never at the mercy of binary floating point.

Parameters live in ``compliance/params/<city>.toml`` (shared README section 8); a month no
period covers is refused, never guessed, and the refusal names the months the parameters cover.
"""

from __future__ import annotations

import datetime as dt
import re
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
    "first_of_next_month": "late_fee_first_of_next_month",  # e.g. Shandong (README 11.5)
}
DUE_RULES = {  # a period's ``due_rule`` → the month ``due_day`` falls in, after the contribution month
    "next_month": 1,
    "same_month": 0,  # 当月缴当月 (README 11.5)
}
RATE_SCALE = 10**8
WORKSHEET_COLUMNS = ["employer_id", "ssn", "name", "month", "base", "employer_amount", "employee_amount", "total",
                     "due_date", "days_late", "late_fee"]
KIND_COLUMN = "kind"  # the worksheet's last column, after the type columns (README 11.5)
KINDS = ("overdue", "gap")
COVERED_STATUSES = ("overdue", "late")  # who a worksheet covers (README 8, 11.5)
TOTALS_COLUMNS = ["employer_id", "employees", "months", "employer_amount", "employee_amount", "total", "late_fee",
                  "total_with_late_fee", "overdue_total", "overdue_late_fee", "gap_total", "gap_late_fee",
                  "total_at_average_wage", "late_fee_at_average_wage"]
WORK_INJURY = "work_injury"  # the type a ``work_injury_only`` duty charges
DUTY_TYPES = {"full": None, "work_injury_only": (WORK_INJURY,), "none": ()}  # None: every type
ORDER_56_FROM = pd.Period("2026-07", "M")  # 人社部等五部门令第56号: over-age workers insured from 2026-07-01
TYPE_NAMES = {"养老": "pension", "养老保险": "pension", "医疗": "medical", "医疗保险": "medical", "医保": "medical",
              "失业": "unemployment", "失业保险": "unemployment", "工伤": "work_injury", "工伤保险": "work_injury"}


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
    due_rule: str = "next_month"

    @property
    def months(self) -> str:
        return f"{self.start}–{self.end}"

    def bounds(self, kind: str) -> tuple[float, float]:
        """The base bounds of insurance type ``kind``: its own ``base_floor`` / ``base_cap`` where its rates
        carry them, else the period's."""
        rates = self.rates.get(kind, {})
        return rates.get("base_floor", self.base_floor), rates.get("base_cap", self.base_cap)

    def own_bounds(self) -> dict[str, tuple[float, float]]:
        """The types priced on bounds of their own (README 11.5), with those bounds."""
        return {kind: self.bounds(kind) for kind, r in self.rates.items() if "base_floor" in r or "base_cap" in r}


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
    """The shipped cities with contribution periods (a city file may hold only its ``[cards]`` table)."""
    return sorted(p.stem for p in PARAMS_DIR.glob("*.toml") if "[[period]]" in p.read_text(encoding="utf-8"))


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
            due_rule = str(p.get("due_rule", "next_month"))
            if due_rule not in DUE_RULES:
                raise ParamsError(f"{path}: period {p['from']}–{p['to']}: due_rule '{due_rule}' is not "
                                  f"one of {', '.join(DUE_RULES)}")
            period = Period(pd.Period(p["from"], "M"), pd.Period(p["to"], "M"), float(p["average_wage"]),
                            float(p["base_floor"]), float(p["base_cap"]), float(p["default_base"]),
                            int(p["due_day"]), str(p["source"]), rates, late_fee_from,
                            tuple(str(u) for u in p.get("unconfirmed", [])), due_rule)
            for kind, (floor, cap) in period.own_bounds().items():  # README 11.5: a type's own bounds
                if not 0 <= floor <= cap:
                    raise ParamsError(f"{path}: period {p['from']}–{p['to']}: rates.{kind} base_floor {floor:g} "
                                      f"and base_cap {cap:g} are not 0 <= base_floor <= base_cap")
            periods.append(period)
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


def _months_of(dates: pd.Series) -> pd.Series:
    """Month numbers of a date column (NaN where a date is missing)."""
    dates = pd.to_datetime(dates)
    return _month_number(dates.dt.year, dates.dt.month).astype("float64")


def _column(frame: pd.DataFrame, name: str, default: object) -> pd.Series:
    """An optional column of the judged rows (``duty``, ``leave_date``, ``exempt_types``, ``over_age``,
    ``status``; README 11.3), or ``default`` in every row where the rows do not carry it."""
    if name in frame.columns:
        return frame[name]
    return pd.Series([default] * len(frame), index=frame.index, dtype=object)


def contribution_months(covered: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """One row per employee and contribution month (README 11.5), with ``month_n`` (months since year 0),
    ``month`` (``YYYY-MM``) and ``kind``:

    - ``overdue`` (rows without a ``status`` too): the month of hire to min(the month of leaving, the month
      before the as-of month); a leave date after the as-of date does not count (README 11.2);
    - ``late``: the gap months, the month of hire to the month before the registration month, capped alike.
    """
    covered = covered.reset_index(drop=True)
    first = _months_of(covered["hire_date"])
    end = pd.Series(float(_month_number(as_of.year, as_of.month) - 1), index=covered.index)
    leave = pd.to_datetime(_column(covered, "leave_date", pd.NaT))
    left = _months_of(leave.where(leave <= pd.Timestamp(as_of)))
    end = end.mask(left < end, left)
    late = (_column(covered, "status", "overdue").astype("string") == "late").fillna(False)
    if "registration_date" in covered.columns:
        before_registration = _months_of(covered["registration_date"]) - 1
        end = end.mask(late & (before_registration < end), before_registration)
    count = (end - first + 1).fillna(0).clip(lower=0).astype("int64")
    rows = covered.loc[covered.index.repeat(count.to_numpy())].copy()
    rows["month_n"] = (first.loc[rows.index].to_numpy(dtype="int64", na_value=0)
                       + rows.groupby(level=0).cumcount().to_numpy())
    rows["month"] = ((rows["month_n"] // 12).astype("string").str.zfill(4) + "-"
                     + (rows["month_n"] % 12 + 1).astype("string").str.zfill(2))
    rows[KIND_COLUMN] = np.where(late.loc[rows.index].to_numpy(dtype=bool), "gap", "overdue")
    return rows.reset_index(drop=True)


def exempt_type_keys(value: object, types: list[str]) -> set[str]:
    """The insurance types an ``exempt_types`` cell names (keys joined by ``;``, or the roster's words)."""
    if not isinstance(value, str):
        return set()
    named = {TYPE_NAMES.get(w.strip(), w.strip().lower()) for w in re.split(r"[;,，、；]", value)}
    return named & set(types)


def charged_types(rows: pd.DataFrame, types: list[str]) -> pd.DataFrame:
    """Which types each month row charges (a boolean frame, a column per type): the types of its ``duty``
    (``full``, the default, charges all; ``work_injury_only`` the work-injury type alone; ``none`` nothing),
    less its ``exempt_types`` (人社部令第16号 Art. 9), and nothing in an ``over_age`` month before
    2026-07-01 (人社部等五部门令第56号)."""
    duty = _column(rows, "duty", "full").astype("string").fillna("full")
    exempt = _column(rows, "exempt_types", None)
    named = {v: exempt_type_keys(v, types) for v in exempt.dropna().unique()}
    early = _before_order_56(rows).to_numpy(dtype=bool)
    charged = {}
    for kind in types:
        by_duty = duty.map(lambda d, kind=kind: _duty_charges(d, kind)).astype(bool)
        not_exempt = ~exempt.map(lambda v, kind=kind: kind in named.get(v, ())).astype(bool)
        charged[kind] = by_duty.to_numpy() & not_exempt.to_numpy() & ~early
    return pd.DataFrame(charged, index=rows.index, columns=types)


def _duty_charges(duty: object, kind: str) -> bool:
    """Whether a ``duty`` charges insurance type ``kind`` (an unknown value: the full duty stands)."""
    types = DUTY_TYPES.get(str(duty))
    return types is None or kind in types


def _before_order_56(rows: pd.DataFrame) -> pd.Series:
    """Month rows of an ``over_age`` worker before 2026-07-01 (Order 56 not yet in force: nothing charged)."""
    over_age = _column(rows, "over_age", False).astype("boolean").fillna(False).astype(bool)
    return over_age & (rows["month_n"] < _month_number(ORDER_56_FROM.year, ORDER_56_FROM.month))


@dataclass(frozen=True)
class Verification:
    """A priced worksheet (:func:`verify`) and what its totals and notes need beside its rows."""

    sheet: pd.DataFrame  # WORKSHEET_COLUMNS, ``<type>_employer, <type>_employee`` in file order, ``kind``
    at_average_wage: pd.DataFrame  # per sheet row: ``total``, ``late_fee`` with no wage priced at average_wage
    no_wage: pd.Series  # per sheet row: no wage declared, so the default base was used
    over_age_rows: int = 0  # month rows left out: an over-age worker's months before 2026-07-01
    over_age_people: int = 0
    work_injury_only_people: int = 0
    exempt: tuple[tuple[str, int], ...] = ()  # (type, employees not charged for it: exempt_types)
    gap_unpriced: tuple[str, ...] = ()  # gap months before the parameters' first month: left out, named

    def totals(self) -> pd.DataFrame:
        return totals(self.sheet, self.at_average_wage)


def worksheet(covered: pd.DataFrame, as_of: dt.date, params: Params) -> pd.DataFrame:
    """The Art. 58 verification worksheet (the rows of :func:`verify`)."""
    return verify(covered, as_of, params).sheet


def verify(covered: pd.DataFrame, as_of: dt.date, params: Params) -> Verification:
    """The Art. 58 verification worksheet of the covered employees (judged rows with ``employer_id, ssn,
    name, hire_date, wage`` and, where present, ``status``, ``registration_date``, ``duty``, ``leave_date``,
    ``exempt_types``, ``over_age``): months and types as the module docstring says, priced in fen.

    Raises :class:`UncoveredMonths` when a month to be charged has no period (never a guess).
    """
    columns = WORKSHEET_COLUMNS + [f"{t}_{side}" for t in params.types for side in ("employer", "employee")]
    columns.append(KIND_COLUMN)
    rows = contribution_months(covered, as_of)
    charged = charged_types(rows, params.types)
    early = _before_order_56(rows)
    keep = charged.any(axis=1)
    dropped = rows[~keep & early]  # over-age months before 2026-07-01: nothing charged
    rows, charged = rows[keep].reset_index(drop=True), charged[keep].reset_index(drop=True)
    period_of = pd.Series(-1, index=rows.index)
    for i, p in enumerate(params.periods):
        inside = rows["month_n"].between(_month_number(p.start.year, p.start.month),
                                         _month_number(p.end.year, p.end.month))
        period_of[inside & (period_of < 0)] = i
    # gap months before the first month the parameters cover cannot be priced and no later as-of date helps:
    # they are left out and named in a note (never priced by a guess); any other month without a period is refused
    first = min(_month_number(p.start.year, p.start.month) for p in params.periods)
    unpriced = (period_of < 0) & (rows[KIND_COLUMN] == "gap") & (rows["month_n"] < first)
    gap_unpriced = tuple(sorted(set(rows.loc[unpriced, "month"])))
    rows, charged, period_of = (x[~unpriced].reset_index(drop=True) for x in (rows, charged, period_of))
    duty = _column(rows, "duty", "full").astype("string")
    # exempt: a type the row's duty charges but the row does not (exempt_types)
    exempt = pd.DataFrame({t: duty.map(lambda d, t=t: _duty_charges(d, t)).astype(bool) for t in params.types},
                          index=rows.index, columns=params.types) & ~charged
    facts = {"over_age_rows": len(dropped), "over_age_people": int(dropped["ssn"].nunique()),
             "work_injury_only_people": int(rows.loc[(duty == "work_injury_only").fillna(False), "ssn"].nunique()),
             "exempt": tuple((t, int(rows.loc[exempt[t], "ssn"].nunique())) for t in params.types if exempt[t].any()),
             "gap_unpriced": gap_unpriced}
    if rows.empty:
        return Verification(pd.DataFrame(columns=columns), pd.DataFrame(columns=["total", "late_fee"]),
                            pd.Series(dtype=bool), **facts)
    uncovered = rows.loc[period_of < 0, "month"]
    if len(uncovered):
        months = sorted({str(m) for m in uncovered})
        raise UncoveredMonths(f"{params.city}: no parameters for {', '.join(months[:6])}"
                              f"{' …' if len(months) > 6 else ''}; they cover {params.coverage()}: the latest "
                              f"as-of date they cover is {params.last_as_of().isoformat()}; refusing to guess",
                              months, params)
    index = period_of.to_numpy()

    def per_period(values: list[object]) -> np.ndarray:
        return np.array(values)[index]

    periods = params.periods
    wage = pd.to_numeric(_column(rows, "wage", np.nan), errors="coerce").to_numpy(dtype=float)
    declared = ~np.isnan(wage)
    default = per_period([p.default_base for p in periods])
    base = np.where(declared, np.clip(wage, per_period([p.base_floor for p in periods]),
                                      per_period([p.base_cap for p in periods])), default)
    at_average = np.where(declared, wage, per_period([p.average_wage for p in periods]))
    out = pd.DataFrame({"employer_id": rows["employer_id"], "ssn": rows["ssn"], "name": rows["name"],
                        "month": rows["month"], "base": _fen(base) / 100})
    employer_total = np.zeros(len(rows), dtype=np.int64)
    employee_total = np.zeros(len(rows), dtype=np.int64)
    average_total = np.zeros(len(rows), dtype=np.int64)
    for t in params.types:
        floor = per_period([p.bounds(t)[0] for p in periods])
        cap = per_period([p.bounds(t)[1] for p in periods])
        base_fen = _fen(np.clip(np.where(declared, wage, default), floor, cap))
        average_fen = _fen(np.clip(at_average, floor, cap))
        on = charged[t].to_numpy(dtype=np.int64)
        for side, total in (("employer", employer_total), ("employee", employee_total)):
            rate = per_period([_scaled(p.rates.get(t, {}).get(side, 0.0)) for p in periods])
            fixed = per_period([int(_fen(p.rates.get(t, {}).get(f"{side}_fixed", 0.0))) for p in periods])
            amount = _half_up(base_fen * rate + fixed * RATE_SCALE, RATE_SCALE) * on
            out[f"{t}_{side}"] = amount / 100
            total += amount
            average_total += _half_up(average_fen * rate + fixed * RATE_SCALE, RATE_SCALE) * on
    total_fen = employer_total + employee_total
    due_n = rows["month_n"].to_numpy() + per_period([DUE_RULES[p.due_rule] for p in periods])
    due = pd.to_datetime(pd.DataFrame({"year": due_n // 12, "month": due_n % 12 + 1,
                                       "day": per_period([p.due_day for p in periods])}))
    after = rows["month_n"] + 1
    next_first = pd.to_datetime(pd.DataFrame({"year": after // 12, "month": after % 12 + 1, "day": 1}))
    counts_from = due + pd.Timedelta(days=1)  # Art. 86: in arrears from the day after the due date
    from_first = per_period([p.late_fee_from == "first_of_next_month" for p in periods])
    counts_from = counts_from.where(~from_first, np.maximum(counts_from, next_first))
    days_late = np.maximum(0, (pd.Timestamp(as_of) - counts_from).dt.days.to_numpy() + 1)
    out["employer_amount"] = employer_total / 100
    out["employee_amount"] = employee_total / 100
    out["total"] = total_fen / 100
    out["due_date"] = due
    out["days_late"] = days_late
    out["late_fee"] = _half_up(total_fen * LATE_FEE_PER_DAY[0] * days_late, LATE_FEE_PER_DAY[1]) / 100
    out[KIND_COLUMN] = rows[KIND_COLUMN]
    fee_average = _half_up(average_total * LATE_FEE_PER_DAY[0] * days_late, LATE_FEE_PER_DAY[1])
    averages = pd.DataFrame({"total": average_total / 100, "late_fee": fee_average / 100}, index=out.index)
    return Verification(out[columns], averages, pd.Series(~declared, index=out.index), **facts)


def totals(sheet: pd.DataFrame, at_average_wage: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per-employer totals of a worksheet (``TOTALS_COLUMNS``): premiums due, late fees and both, then the
    same split by ``kind`` (README 11.5: ``overdue`` months and the ``gap`` months of late registrations),
    then premiums and late fees with undeclared wages priced at the period's average wage (人社部令第20号
    Art. 8; ``at_average_wage`` from :func:`verify`, else the worksheet's own figures)."""
    frame = sheet[["employer_id", "ssn", "month", "employer_amount", "employee_amount", "total", "late_fee"]].copy()
    kind = sheet[KIND_COLUMN] if KIND_COLUMN in sheet.columns else pd.Series("overdue", index=sheet.index)
    for k in KINDS:
        frame[f"{k}_total"] = sheet["total"].where(kind == k, 0.0)
        frame[f"{k}_late_fee"] = sheet["late_fee"].where(kind == k, 0.0)
    average = at_average_wage if at_average_wage is not None else sheet
    frame["total_at_average_wage"] = average["total"].to_numpy() if len(sheet) else []
    frame["late_fee_at_average_wage"] = average["late_fee"].to_numpy() if len(sheet) else []
    sums = {c: (c, "sum") for c in frame.columns if c not in ("employer_id", "ssn", "month")}
    grouped = frame.groupby("employer_id", as_index=False).agg(
        employees=("ssn", "nunique"), months=("month", "size"), **sums)
    grouped["total_with_late_fee"] = grouped["total"] + grouped["late_fee"]
    return grouped[TOTALS_COLUMNS].round(2)


def _used(sheet: pd.DataFrame, params: Params) -> list[Period]:
    """The periods the worksheet's months fall in."""
    months = {pd.Period(m, "M") for m in set(sheet["month"])} if len(sheet) else set()
    return [p for p in params.periods if any(p.start <= m <= p.end for m in months)]


def late_fee_rules(sheet: pd.DataFrame, params: Params) -> list[catalogue.Text]:
    """The late-fee rule of each period the worksheet's months fall in, and its due rule where the month is
    due in the contribution month itself (catalogue messages)."""
    notes = []
    for p in _used(sheet, params):
        notes.append(catalogue.Text(LATE_FEE_RULES[p.late_fee_from], months=p.months))
        if p.due_rule == "same_month":
            notes.append(catalogue.Text("due_same_month", months=p.months, day=p.due_day))
    return notes


def fee_above_principal(sheet: pd.DataFrame) -> pd.Series:
    """Month rows whose late fee exceeds the premiums (not capped: whether Administrative Enforcement
    Law Art. 45 applies to social-insurance late fees is disputed, so a person decides)."""
    return sheet["late_fee"] > sheet["total"]


def _yuan(amount: float) -> str:
    return f"{amount:,.2f}"


def worksheet_notes(sheet: pd.DataFrame, params: Params,
                    verification: Verification | None = None) -> list[catalogue.Text]:
    """What a reader of a worksheet must know beside its numbers: the late-fee (and due) rule used, months
    whose fee exceeds the principal, figures the parameter file marks unconfirmed; then (README 11.5) the
    gap months of late registrations, the types priced on their own bounds, and, from ``verification``,
    over-age months not charged, work-injury-only and exempt types, and the default base used for no wage
    with the total at the average wage."""
    notes = late_fee_rules(sheet, params)
    above = int(fee_above_principal(sheet).sum()) if len(sheet) else 0
    if above:
        notes.append(catalogue.Text("fee_above_principal", rows=above))
    used = _used(sheet, params)
    for p in used:
        if p.unconfirmed:
            notes.append(catalogue.Text("unconfirmed_figures", months=p.months, keys=", ".join(p.unconfirmed)))
    if KIND_COLUMN in sheet.columns and (sheet[KIND_COLUMN] == "gap").any():
        gap = sheet[sheet[KIND_COLUMN] == "gap"]
        notes.append(catalogue.Text("worksheet_gap_months", rows=len(gap), people=gap["ssn"].nunique()))
    for p in used:
        for kind, (floor, cap) in p.own_bounds().items():
            notes.append(catalogue.Text("type_base_bounds", months=p.months, type=kind, floor=floor, cap=cap))
    if verification is None:
        return notes
    v = verification
    if v.gap_unpriced:
        notes.append(catalogue.Text("gap_months_unpriced", months=", ".join(v.gap_unpriced),
                                    first=str(min(p.start for p in params.periods))))
    if v.over_age_rows:
        notes.append(catalogue.Text("over_age_not_charged", rows=v.over_age_rows, people=v.over_age_people))
    if v.work_injury_only_people:
        notes.append(catalogue.Text("work_injury_only_charged", people=v.work_injury_only_people))
    for kind, people in v.exempt:
        notes.append(catalogue.Text("exempt_types_not_charged", people=people, type=kind))
    if v.no_wage.any():
        notes.append(catalogue.Text("default_base_no_wage", rows=int(v.no_wage.sum()),
                                    total=_yuan(float(sheet["total"].sum())),
                                    average=_yuan(float(v.at_average_wage["total"].sum()))))
    return notes
