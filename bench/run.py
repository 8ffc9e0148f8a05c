"""Benchmark for ``python -m compliance check`` on large rosters.

Generates synthetic rosters into ``bench/out/`` (a 1,000,000-row CSV and a 100,000-row XLSX by
default), then times, each in a child process:

* the baseline: ``pandas.read_csv(path, dtype=str).to_csv(out)`` on the CSV roster;
* ``python -m compliance check <csv> --as-of 2025-11-20 --out bench/out/check_1m.csv``;
* ``python -m compliance check <xlsx> --as-of 2025-11-20 --out bench/out/check_100k.csv``.

Wall time and the child's peak RSS (``os.wait4``, ``ru_maxrss`` in KiB on Linux) are recorded,
printed with the targets (1M CSV check <= 1.5x baseline, 100k XLSX check < 5 s, peak memory < 1 GiB
for each check) and written to ``bench/out/results.json``.

Usage (from the repository root)::

    python bench/run.py                                  # full size
    python bench/run.py --rows-csv 20000 --rows-xlsx 5000  # quick try
    python bench/run.py --repeat 3 --strict              # best of 3, exit 1 on a missed target
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
AS_OF = "2025-11-20"
GENERATOR_VERSION = 2  # bump when the generated content changes, so cached files are rebuilt
SEED_CSV = 20251120
SEED_XLSX = 20251121
N_EMPLOYERS = 2000
GIB = 1024**3
MEM_LIMIT_BYTES = 1 * GIB  # issue 12: peak under 1 GB
XLSX_LIMIT_S = 5.0
CSV_RATIO_LIMIT = 1.5  # issue 12: at most 1.5x the read_csv + to_csv floor

COLUMNS = [
    "employer_id",
    "employer_name",
    "name",
    "id_number",
    "hire_date",
    "registration_date",
    "card_status",
    "wage",
    # shared README section 11.1, every one filled somewhere (issue 22)
    "employment_type",
    "career_start_date",
    "leave_date",
    "deregistration_date",
    "insurance_status",
    "dispatch_local_branch",
    "exempt_types",
]
HEADERS_ZH = [
    "统一社会信用代码", "单位名称", "姓名", "身份证号", "入职日期", "参保日期", "社保卡状态", "月工资",
]  # fmt: skip

# Real county-level codes; 330112 (Lin'an, 2017) is deliberately one that older tables lack.
REGIONS = [
    "110101", "110105", "110108", "120101", "210102", "230102", "310104", "310115", "320102",
    "320505", "330106", "330112", "350203", "370102", "410105", "420106", "430102", "440106",
    "440305", "500103", "510107", "610113",
]  # fmt: skip
REGION_DIGITS = np.array([[int(c) for c in r] for r in REGIONS], dtype=np.int64)
SURNAMES = [
    *"王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁",
    *"潘于蒋蔡余杜叶程苏魏吕丁任沈",
    "欧阳",
    "司马",
    "诸葛",
]
GIVEN = [
    *"伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥",
    *"玲芬建国志文斌宇浩然子轩梓涵一诺欣怡俊杰思远雨桐",
]
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "南京", "苏州", "成都", "武汉", "西安", "厦门", "长沙"]
WORDS = ["华信", "恒达", "鼎盛", "瑞丰", "宏远", "新晨", "博雅", "金石", "云帆", "启明", "中和", "泰安"]
TRADES = ["科技", "贸易", "餐饮", "物流", "建筑", "医药", "文化传媒", "电子", "物业管理", "人力资源"]
FORMS = ["有限公司", "股份有限公司", "有限责任公司"]
CARD_REGISTERED = ["已激活", "已发放未激活", "制卡中", "挂失", "注销", "未申领"]
CARD_REGISTERED_P = [0.60, 0.20, 0.10, 0.03, 0.02, 0.05]
CARD_UNREGISTERED = ["未申领", "", "制卡中"]
CARD_UNREGISTERED_P = [0.80, 0.15, 0.05]

# Registration categories and their shares.
CAT_ON_TIME, CAT_LATE, CAT_NEVER, CAT_EARLY, CAT_BAD_HIRE, CAT_BAD_REG = range(6)
CAT_P = [0.70, 0.10, 0.15, 0.04, 0.005, 0.005]
# Date text forms: ISO, "2025/3/5", "2025年3月5日".
FMT_P = [0.98, 0.01, 0.01]
BROKEN_ID_SHARE = 0.01
BLANK_WAGE_SHARE = 0.03
# section 11: kinds of employment (blank = full-time), leavers, 减员, dispatch branches, waivers of types
EMPLOYMENT = ["", "全日制", "试用期", "非全日制", "劳务派遣", "退休返聘", "实习", "自愿放弃社保"]
EMPLOYMENT_P = [0.55, 0.30, 0.05, 0.05, 0.02, 0.015, 0.01, 0.005]
LEAVER_SHARE = 0.12
DEREGISTERED_SHARE = 0.7  # of registered leavers
STATUS_WORDS = ["正常", "停保", "已转出"]
DUPLICATE_SHARE = 0.005  # a person listed twice by one employer (a re-hire, a copy-paste)

ID_WEIGHTS = np.array([pow(2, 17 - i, 11) for i in range(17)], dtype=np.int64)
ID_CHECK_CHARS = np.frombuffer(b"0123456789X", dtype=np.uint8)
USCC_ALPHABET = np.frombuffer(b"0123456789ABCDEFGHJKLMNPQRTUWXY", dtype=np.uint8)
USCC_WEIGHTS = np.array([1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28], dtype=np.int64)


def log(msg: str) -> None:
    """Print a progress line immediately."""
    print(msg, flush=True)


def size_label(n: int) -> str:
    """Short label for a row count: 1000000 -> '1m', 100000 -> '100k', 1234 -> '1234'."""
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


# --------------------------------------------------------------------------------------- generation


def id_check_values(digits: np.ndarray) -> np.ndarray:
    """GB 11643 check values 0..10 (10 is written 'X') for an (n, 17) matrix of digits.

    Weights 2^(17-i) mod 11, check = (12 - sum mod 11) mod 11, as one matrix product.
    """
    return (12 - (digits.astype(np.int64) @ ID_WEIGHTS) % 11) % 11


def int_digits(values: np.ndarray, width: int) -> np.ndarray:
    """(n, width) matrix of the decimal digits of non-negative integers, most significant first."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return (values.astype(np.int64)[:, None] // powers) % 10


def ascii_rows_to_str(codes: np.ndarray) -> np.ndarray:
    """Turn an (n, w) uint8 matrix of ASCII codes into an array of n strings."""
    codes = np.ascontiguousarray(codes, dtype=np.uint8)
    return codes.view(f"S{codes.shape[1]}").ravel().astype(f"U{codes.shape[1]}")


def pick(rng: np.random.Generator, items: list[str], n: int, p: list[float] | None = None) -> np.ndarray:
    """n random draws from ``items`` (optionally with probabilities ``p``) as a numpy string array."""
    return np.array(items)[rng.choice(len(items), n, p=p)]


def make_employers(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return n USCC strings (with a valid GB 32100 check character) and n company names."""
    region = REGION_DIGITS[rng.integers(0, len(REGIONS), n)]
    values = np.empty((n, 17), dtype=np.int64)
    values[:, 0] = 9  # registered by the market regulator
    values[:, 1] = 1  # enterprise
    values[:, 2:8] = region
    values[:, 8:17] = rng.integers(0, len(USCC_ALPHABET), (n, 9))
    check = (31 - (values @ USCC_WEIGHTS) % 31) % 31
    codes = np.empty((n, 18), dtype=np.uint8)
    codes[:, :17] = USCC_ALPHABET[values]
    codes[:, 17] = USCC_ALPHABET[check]
    uscc = ascii_rows_to_str(codes)
    name = np.strings.add(pick(rng, CITIES, n), pick(rng, WORDS, n))
    name = np.strings.add(name, pick(rng, TRADES, n))
    name = np.strings.add(name, pick(rng, FORMS, n, p=[0.8, 0.1, 0.1]))
    return uscc, name


def make_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """n Chinese personal names: a surname plus one or two given-name characters."""
    given = np.array(GIVEN)
    sur = np.array(SURNAMES)[rng.integers(0, len(SURNAMES), n)]
    g1 = given[rng.integers(0, len(given), n)]
    g2 = np.where(rng.random(n) < 0.7, given[rng.integers(0, len(given), n)], "")
    return np.strings.add(np.strings.add(sur, g1), g2)


def make_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """n 18-character resident ID numbers; about BROKEN_ID_SHARE of them carry a wrong check char."""
    region = REGION_DIGITS[rng.integers(0, len(REGIONS), n)]
    lo, hi = np.datetime64("1965-01-01"), np.datetime64("2006-12-31")
    birth = lo + rng.integers(0, int((hi - lo).astype(int)) + 1, n).astype("timedelta64[D]")
    y, m, d = date_parts(birth)
    digits = np.empty((n, 17), dtype=np.int64)
    digits[:, 0:6] = region
    digits[:, 6:14] = int_digits(y * 10000 + m * 100 + d, 8)
    digits[:, 14:17] = int_digits(rng.integers(1, 1000, n), 3)
    check = id_check_values(digits)
    broken = rng.random(n) < BROKEN_ID_SHARE
    check = np.where(broken, (check + rng.integers(1, 11, n)) % 11, check)  # always a different char
    codes = np.empty((n, 18), dtype=np.uint8)
    codes[:, :17] = digits + ord("0")
    codes[:, 17] = ID_CHECK_CHARS[check]
    return ascii_rows_to_str(codes)


def date_parts(d: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day (int64 arrays) of a datetime64[D] array without NaT."""
    months = d.astype("datetime64[M]")
    year = d.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (d - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, day


def date_text(d: np.ndarray, fmt: np.ndarray) -> np.ndarray:
    """Format datetime64[D] values as text: fmt 0 ISO, 1 '2025/3/5', 2 '2025年3月5日'; NaT -> ''."""
    out = np.where(np.isnat(d), "", d.astype("U10")).astype(object)
    for code, (sep1, sep2, tail) in {1: ("/", "/", ""), 2: ("年", "月", "日")}.items():
        mask = (fmt == code) & ~np.isnat(d)
        if not mask.any():
            continue
        y, m, dd = date_parts(d[mask])
        text = np.strings.add(np.strings.add(y.astype("U4"), sep1), m.astype("U2"))
        text = np.strings.add(np.strings.add(np.strings.add(text, sep2), dd.astype("U2")), tail)
        out[mask] = text
    return out


@dataclass
class Roster:
    """Column arrays of a synthetic roster; dates as datetime64[D] (NaT = blank) plus text-form codes."""

    employer_id: np.ndarray
    employer_name: np.ndarray
    name: np.ndarray
    id_number: np.ndarray
    hire: np.ndarray
    hire_fmt: np.ndarray
    reg: np.ndarray
    reg_fmt: np.ndarray
    reg_garbage: np.ndarray  # True where the registration date cell holds unreadable text
    card_status: np.ndarray
    wage: np.ndarray  # float, NaN = blank
    employment_type: np.ndarray | None = None  # section 11 columns (text, "" = blank)
    career_start: np.ndarray | None = None  # datetime64[D]
    leave: np.ndarray | None = None
    deregistration: np.ndarray | None = None
    insurance_status: np.ndarray | None = None
    dispatch_branch: np.ndarray | None = None
    exempt_types: np.ndarray | None = None


def section_11(rng: np.random.Generator, n: int, hire: np.ndarray, reg: np.ndarray) -> dict[str, np.ndarray]:
    """The section 11.1 columns of a roster as HR exports them: the kind of employment, a career start
    some years before the hire, leavers (some deregistered, some not), the insurance status, the dispatch
    branch of dispatched workers and, rarely, insurance types an expatriate is exempt from."""
    kind = pick(rng, EMPLOYMENT, n, p=EMPLOYMENT_P)
    career = hire - rng.integers(0, 20 * 365, n).astype("timedelta64[D]")
    leaves = (rng.random(n) < LEAVER_SHARE) & ~np.isnat(hire)
    leave = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    leave[leaves] = hire[leaves] + rng.integers(5, 400, int(leaves.sum())).astype("timedelta64[D]")
    leave[leave > np.datetime64(AS_OF)] = np.datetime64("NaT")
    dereg = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    done = ~np.isnat(leave) & ~np.isnat(reg) & (rng.random(n) < DEREGISTERED_SHARE)
    dereg[done] = leave[done] + rng.integers(0, 40, int(done.sum())).astype("timedelta64[D]")
    status = np.where(~np.isnat(dereg), "停保", np.where(~np.isnat(reg), "正常", "")).astype("U4")
    status[done & (rng.random(n) < 0.3)] = "已转出"
    branch = np.where(kind == "劳务派遣", pick(rng, ["是", "否", ""], n, p=[0.6, 0.2, 0.2]), "")
    exempt = np.where(rng.random(n) < 0.002, "养老、失业", "")
    return {"employment_type": kind, "career_start": career, "leave": leave, "deregistration": dereg,
            "insurance_status": status, "dispatch_branch": branch, "exempt_types": exempt}


def with_duplicates(rng: np.random.Generator, columns: dict[str, np.ndarray]) -> None:
    """About ``DUPLICATE_SHARE`` of the rows repeat an earlier row's person at the same employer (in place)."""
    n = len(columns["id_number"])
    later = np.flatnonzero(rng.random(n) < DUPLICATE_SHARE)
    later = later[later > 0]
    earlier = (later * rng.random(len(later))).astype(np.int64)
    for name in ("employer_id", "employer_name", "name", "id_number"):
        columns[name][later] = columns[name][earlier]


def make_roster(n: int, seed: int) -> Roster:
    """Build an n-row synthetic roster with numpy only (no per-row Python loops)."""
    rng = np.random.default_rng(seed)
    log(f"  employers ({N_EMPLOYERS}) ...")
    uscc, ename = make_employers(rng, N_EMPLOYERS)
    size = rng.lognormal(0.0, 1.2, N_EMPLOYERS)  # heavy-tailed employer sizes
    emp = rng.choice(N_EMPLOYERS, n, p=size / size.sum())
    log("  names and ID numbers ...")
    names = make_names(rng, n)
    ids = make_ids(rng, n)
    log("  dates, card status, wages ...")
    start, end = np.datetime64("2023-01-01"), np.datetime64("2025-11-30")
    hire = start + rng.integers(0, int((end - start).astype(int)) + 1, n).astype("timedelta64[D]")
    cat = rng.choice(6, n, p=CAT_P)
    offset = np.select(
        [cat == CAT_ON_TIME, cat == CAT_LATE, cat == CAT_EARLY],
        [rng.integers(0, 29, n), rng.integers(40, 241, n), rng.integers(-20, 0, n)],
        0,
    ).astype("timedelta64[D]")
    reg = hire + offset
    reg[np.isin(cat, [CAT_NEVER, CAT_BAD_REG])] = np.datetime64("NaT")
    hire[cat == CAT_BAD_HIRE] = np.datetime64("NaT")  # blank hire date -> invalid row
    registered = ~np.isnat(reg)
    card = np.where(
        registered,
        np.array(CARD_REGISTERED)[rng.choice(len(CARD_REGISTERED), n, p=CARD_REGISTERED_P)],
        np.array(CARD_UNREGISTERED)[rng.choice(len(CARD_UNREGISTERED), n, p=CARD_UNREGISTERED_P)],
    )
    wage = np.clip(np.round(rng.lognormal(np.log(8000), 0.5, n), -1), 2000, 80000)
    wage[rng.random(n) < BLANK_WAGE_SHARE] = np.nan
    people = {"employer_id": uscc[emp], "employer_name": ename[emp], "name": names, "id_number": ids}
    with_duplicates(rng, people)
    return Roster(
        **people,
        hire=hire,
        hire_fmt=rng.choice(3, n, p=FMT_P),
        reg=reg,
        reg_fmt=rng.choice(3, n, p=FMT_P),
        reg_garbage=cat == CAT_BAD_REG,
        card_status=card,
        wage=wage,
        **section_11(rng, n, hire, reg),
    )


def write_csv(r: Roster, path: Path, chunk: int = 100_000) -> None:
    """Write the roster as UTF-8 CSV (English headers, all dates as text) in chunks, with progress."""
    reg_text = date_text(r.reg, r.reg_fmt)
    reg_text[r.reg_garbage] = "待补"
    wage_text = np.where(np.isnan(r.wage), "", np.nan_to_num(r.wage).astype(np.int64).astype("U6"))
    frame = pd.DataFrame(
        {
            "employer_id": r.employer_id,
            "employer_name": r.employer_name,
            "name": r.name,
            "id_number": r.id_number,
            "hire_date": date_text(r.hire, r.hire_fmt),
            "registration_date": reg_text,
            "card_status": r.card_status,
            "wage": wage_text,
            "employment_type": r.employment_type,
            "career_start_date": date_text(r.career_start, np.zeros(len(r.name), dtype=np.int64)),
            "leave_date": date_text(r.leave, np.zeros(len(r.name), dtype=np.int64)),
            "deregistration_date": date_text(r.deregistration, np.zeros(len(r.name), dtype=np.int64)),
            "insurance_status": r.insurance_status,
            "dispatch_local_branch": r.dispatch_branch,
            "exempt_types": r.exempt_types,
        },
        columns=COLUMNS,
    )
    n = len(frame)
    tmp = path.with_suffix(path.suffix + ".part")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        for i in range(0, n, chunk):
            frame.iloc[i : i + chunk].to_csv(fh, index=False, header=i == 0, lineterminator="\n")
            log(f"  wrote {min(i + chunk, n):,}/{n:,} rows")
    tmp.replace(path)


def write_xlsx(r: Roster, path: Path) -> None:
    """Write the roster as XLSX (Chinese headers) with openpyxl's write-only mode.

    ID numbers are text cells; hire dates are real date cells; registration dates are date cells
    except the few text forms ('2025/3/5', '2025年3月5日', unreadable text) kept as strings.
    """
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    ws.append(HEADERS_ZH)
    hire = r.hire.astype(object)  # datetime.date, or None for NaT
    reg = r.reg.astype(object)
    text_reg = (r.reg_fmt != 0) | r.reg_garbage
    reg_text = date_text(r.reg, r.reg_fmt)
    reg_text[r.reg_garbage] = "待补"
    reg[text_reg] = reg_text[text_reg]
    reg[reg == ""] = None
    wage = np.where(np.isnan(r.wage), None, np.nan_to_num(r.wage).astype(np.int64).astype(object))
    n = len(hire)
    columns = zip(
        r.employer_id.tolist(),
        r.employer_name.tolist(),
        r.name.tolist(),
        r.id_number.tolist(),
        hire.tolist(),
        reg.tolist(),
        r.card_status.tolist(),
        wage.tolist(),
        strict=True,
    )
    step = max(n // 10, 1)
    for i, (eid, ename, name, idn, hire_day, reg_value, card, w) in enumerate(columns, 1):
        # date objects become date cells (number format yyyy-mm-dd); str stays text.
        ws.append([eid, ename, name, idn, hire_day, reg_value, card or None, w])
        if i % step == 0:
            log(f"  wrote {i:,}/{n:,} rows")
    tmp = path.with_suffix(".part.xlsx")
    wb.save(tmp)
    tmp.replace(path)


def ensure_file(path: Path, rows: int, seed: int, regen: bool) -> dict:
    """Generate ``path`` unless a file with the same row count (and generator version) exists."""
    meta_path = path.with_name(path.name + ".meta.json")
    if not regen and path.exists() and meta_path.exists():
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, ValueError):
            meta = {}
        if (
            meta.get("rows") == rows
            and meta.get("generator") == GENERATOR_VERSION
            and meta.get("bytes") == path.stat().st_size
        ):
            log(f"reusing {path.relative_to(REPO)} ({rows:,} rows, {meta['bytes'] / 1e6:.1f} MB)")
            return {**meta, "path": str(path.relative_to(REPO)), "reused": True}
    log(f"generating {path.relative_to(REPO)} ({rows:,} rows) ...")
    t0 = time.perf_counter()
    roster = make_roster(rows, seed)
    t1 = time.perf_counter()
    log(f"  built columns in {t1 - t0:.1f} s; writing ...")
    (write_csv if path.suffix == ".csv" else write_xlsx)(roster, path)
    t2 = time.perf_counter()
    meta = {
        "rows": rows,
        "generator": GENERATOR_VERSION,
        "seed": seed,
        "bytes": path.stat().st_size,
        "build_seconds": round(t1 - t0, 3),
        "write_seconds": round(t2 - t1, 3),
        "generation_seconds": round(t2 - t0, 3),
        "generated_at": dt.datetime.now().isoformat(timespec="seconds"),
    }
    meta_path.write_text(json.dumps(meta, indent=2))
    log(f"  done in {t2 - t0:.1f} s ({meta['bytes'] / 1e6:.1f} MB)")
    return {**meta, "path": str(path.relative_to(REPO)), "reused": False}


# ------------------------------------------------------------------------------------------ timing


@dataclass
class Timing:
    """Result of one benchmarked command over all repeats."""

    name: str
    cmd: list[str]
    ok: bool = False
    wall_s: float | None = None  # best (lowest) wall time over successful runs
    peak_rss_kib: int | None = None  # highest peak RSS over successful runs
    runs: list[dict] = field(default_factory=list)
    stderr_tail: str = ""
    note: str = ""

    @property
    def peak_rss_mib(self) -> float | None:
        """Peak RSS in MiB."""
        return None if self.peak_rss_kib is None else self.peak_rss_kib / 1024


# Why a launcher: on Linux a child's ru_maxrss starts from the RSS of the process that forked it
# (exec records the replaced address space's high-water mark), so timing straight from this fat
# process (pandas + the generated arrays) would report our memory, not the command's. The launcher
# is a bare ``python -I -S`` (about 5 MiB); it forks, execs the command, waits for it with
# os.wait4 and writes "wall_s maxrss_kib wait_status utime sys" to the file named in argv[1].
LAUNCHER = """\
import os, sys, time
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    except BaseException as exc:
        sys.stderr.write(f"launcher: cannot run {sys.argv[2]!r}: {exc}\\n")
    os._exit(127)
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t0
with open(sys.argv[1], "w") as fh:
    fh.write(f"{wall:.6f} {ru.ru_maxrss} {status} {ru.ru_utime:.3f} {ru.ru_stime:.3f}")
"""


def run_child(cmd: list[str], log_stem: Path, timeout: float) -> dict:
    """Run ``cmd`` from the repo root via the launcher; return wall time, peak RSS (KiB), exit code."""
    out_log, err_log = log_stem.with_suffix(".stdout.txt"), log_stem.with_suffix(".stderr.txt")
    measure = log_stem.with_suffix(".rusage.txt")
    measure.unlink(missing_ok=True)
    launcher = [sys.executable, "-I", "-S", "-c", LAUNCHER, str(measure), *cmd]
    with open(out_log, "wb") as fo, open(err_log, "wb") as fe:
        proc = subprocess.Popen(launcher, cwd=REPO, stdout=fo, stderr=fe, start_new_session=True)
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # the launcher's own session: it and the command

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            proc.wait()
        finally:
            timer.cancel()
    err = err_log.read_text(encoding="utf-8", errors="replace")
    res: dict = {"timed_out": timed_out.is_set(), "stderr_tail": "\n".join(err.rstrip().splitlines()[-15:])}
    if not measure.exists():  # killed, or the launcher itself failed
        return {**res, "wall_s": None, "peak_rss_kib": None, "returncode": proc.returncode}
    wall, maxrss, status, user, system = measure.read_text().split()
    return {
        **res,
        "wall_s": round(float(wall), 3),
        "peak_rss_kib": int(maxrss),
        "returncode": os.waitstatus_to_exitcode(int(status)),
        "user_s": float(user),
        "sys_s": float(system),
    }


def rss_floor_kib() -> int | None:
    """Peak RSS the launcher reports for /bin/true: the floor included in every measurement."""
    res = run_child(["true"], OUT / "rss_floor", 60)
    return res["peak_rss_kib"]


def count_lines(path: Path) -> int:
    """Number of newline characters in a file (rows + header for our CSV output)."""
    n = 0
    with open(path, "rb") as fh:
        while block := fh.read(1 << 24):
            n += block.count(b"\n")
    return n


def bench(name: str, cmd: list[str], out_file: Path | None, repeat: int, timeout: float) -> Timing:
    """Run ``cmd`` ``repeat`` times; a run succeeds when it exits cleanly and writes ``out_file``."""
    t = Timing(name=name, cmd=cmd)
    for i in range(repeat):
        if out_file is not None:
            out_file.unlink(missing_ok=True)
        log(f"timing {name} (run {i + 1}/{repeat}) ...")
        res = run_child(cmd, OUT / f"{name}", timeout)
        rc, err = res["returncode"], res["stderr_tail"]
        # Exit 1 may mean "findings" under the CLI contract; a traceback never does.
        ok = (rc == 0 or (rc == 1 and "Traceback" not in err)) and not res["timed_out"]
        if ok and out_file is not None and not out_file.exists():
            ok, res["problem"] = False, f"exit {rc} but {out_file.relative_to(REPO)} was not written"
        res["ok"] = ok
        t.runs.append(res)
        status = "ok" if ok else ("TIMEOUT" if res["timed_out"] else "FAILED")
        wall, peak = fmt_num(res["wall_s"], ".2f"), fmt_kib(res["peak_rss_kib"])
        log(f"  {status}: exit {rc}, {wall} s, peak {peak} MiB")
        if not ok:
            t.stderr_tail = err
            t.note = res.get("problem", "timed out" if res["timed_out"] else f"exit {rc}")
            log("  --- stderr (tail) ---")
            for line in (err or "(empty)").splitlines():
                log(f"  | {line}")
            log(f"  --- {t.note}")
            break  # no point repeating a failing command
    good = [r for r in t.runs if r["ok"]]
    if good and len(good) == len(t.runs):
        t.ok = True
        t.wall_s = min(r["wall_s"] for r in good)
        t.peak_rss_kib = max(r["peak_rss_kib"] for r in good)
        if out_file is not None and out_file.suffix == ".csv":
            t.note = f"{count_lines(out_file) - 1:,} output rows"
        if any(r["returncode"] for r in good):
            t.note = f"{t.note}; exit code {sorted({r['returncode'] for r in good})}".lstrip("; ")
    return t


# ----------------------------------------------------------------------------------------- report


def fmt_num(v: float | None, spec: str) -> str:
    """Format a number, or '-' (padded to the same width) for None."""
    if v is None:
        width = spec.split(".")[0]
        return "-".rjust(int(width)) if width.isdigit() else "-"
    return format(v, spec)


def fmt_kib(kib: int | None) -> str:
    """KiB as whole MiB, or '-'."""
    return fmt_num(None if kib is None else kib / 1024, ".0f")


def evaluate(base: Timing, csv_t: Timing, xlsx_t: Timing) -> list[dict]:
    """Compare the timings with the targets; a failed command misses its targets."""
    targets = []
    ratio = csv_t.wall_s / base.wall_s if csv_t.ok and base.ok and base.wall_s else None
    targets.append(
        {
            "target": f"CSV check <= {CSV_RATIO_LIMIT:g}x baseline",
            "value": None if ratio is None else round(ratio, 3),
            "unit": "x",
            "limit": CSV_RATIO_LIMIT,
            "pass": ratio is not None and ratio <= CSV_RATIO_LIMIT,
        }
    )
    targets.append(
        {
            "target": f"XLSX check < {XLSX_LIMIT_S:g} s",
            "value": xlsx_t.wall_s,
            "unit": "s",
            "limit": XLSX_LIMIT_S,
            "pass": xlsx_t.ok and xlsx_t.wall_s is not None and xlsx_t.wall_s < XLSX_LIMIT_S,
        }
    )
    for t in (csv_t, xlsx_t):
        mib = t.peak_rss_mib
        targets.append(
            {
                "target": f"{t.name} peak RSS < 1 GiB",
                "value": None if mib is None else round(mib, 1),
                "unit": "MiB",
                "limit": MEM_LIMIT_BYTES / 1024**2,
                "pass": t.ok and t.peak_rss_kib is not None and t.peak_rss_kib * 1024 < MEM_LIMIT_BYTES,
            }
        )
    return targets


def print_report(files: dict, timings: list[Timing], targets: list[dict]) -> None:
    """Print the results table and the targets."""
    print()
    print(f"{'command':<18} {'rows':>10} {'wall s':>8} {'peak MiB':>9} {'status':<8} note")
    print("-" * 72)
    for t in timings:
        rows = files["xlsx" if "xlsx" in t.name else "csv"]["rows"]
        status = "ok" if t.ok else "FAILED"
        print(
            f"{t.name:<18} {rows:>10,} {fmt_num(t.wall_s, '8.2f')} {fmt_num(t.peak_rss_mib, '9.0f')} "
            f"{status:<8} {t.note}"
        )
    print()
    for tg in targets:
        value = "-" if tg["value"] is None else f"{tg['value']:g} {tg['unit']}"
        print(f"  [{'PASS' if tg['pass'] else 'FAIL'}] {tg['target']:<40} {value}")
    print()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows-csv", type=int, default=1_000_000, help="rows in the CSV roster (1,000,000)")
    p.add_argument("--rows-xlsx", type=int, default=100_000, help="rows in the XLSX roster (100,000)")
    p.add_argument("--repeat", type=int, default=1, help="run each timing N times, keep the best (1)")
    p.add_argument("--regen", action="store_true", help="regenerate the rosters even if they exist")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    p.add_argument("--timeout", type=float, default=900.0, help="seconds before a timed command is killed")
    p.add_argument("--generate-only", action="store_true", help="only make the roster files")
    p.add_argument(
        "--xlsx-reference",
        action="store_true",
        help="also time pandas.read_excel(engine='calamine', dtype=str) on the XLSX (information only)",
    )
    args = p.parse_args(argv)
    if args.rows_csv < 1 or args.rows_xlsx < 1 or args.repeat < 1:
        p.error("--rows-csv, --rows-xlsx and --repeat must be positive")
    return args


def rel(path: Path) -> str:
    """Path relative to the repository root (the children run there)."""
    return str(path.relative_to(REPO))


def main(argv: list[str] | None = None) -> int:
    """Generate the rosters, run the timings, print and save the results."""
    args = parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    csv_path = OUT / f"roster_{size_label(args.rows_csv)}.csv"
    xlsx_path = OUT / f"roster_{size_label(args.rows_xlsx)}.xlsx"
    files = {
        "csv": ensure_file(csv_path, args.rows_csv, SEED_CSV, args.regen),
        "xlsx": ensure_file(xlsx_path, args.rows_xlsx, SEED_XLSX, args.regen),
    }
    if args.generate_only:
        return 0

    py = sys.executable
    base_out = OUT / f"baseline_{size_label(args.rows_csv)}.csv"
    check_csv_out = OUT / f"check_{size_label(args.rows_csv)}.csv"
    check_xlsx_out = OUT / f"check_{size_label(args.rows_xlsx)}.csv"
    if check_xlsx_out == check_csv_out:  # same row count for both rosters
        check_xlsx_out = OUT / f"check_{size_label(args.rows_xlsx)}_xlsx.csv"
    baseline_code = "import sys, pandas as pd; pd.read_csv(sys.argv[1], dtype=str).to_csv(sys.argv[2])"
    check = [py, "-m", "compliance", "check"]
    as_of = ["--as-of", AS_OF, "--out"]
    jobs: list[tuple[str, list[str], Path | None]] = [
        ("baseline_csv", [py, "-c", baseline_code, rel(csv_path), rel(base_out)], base_out),
        ("check_csv", [*check, rel(csv_path), *as_of, rel(check_csv_out)], check_csv_out),
        ("check_xlsx", [*check, rel(xlsx_path), *as_of, rel(check_xlsx_out)], check_xlsx_out),
    ]
    if args.xlsx_reference:
        code = "import sys, pandas as pd; pd.read_excel(sys.argv[1], dtype=str, engine='calamine')"
        jobs.append(("xlsx_read_ref", [py, "-c", code, rel(xlsx_path)], None))
    timings = [bench(name, cmd, out, args.repeat, args.timeout) for name, cmd, out in jobs]
    targets = evaluate(*timings[:3])
    print_report(files, timings, targets)

    results = {
        "measured_at": dt.datetime.now().isoformat(timespec="seconds"),
        "as_of": AS_OF,
        "repeat": args.repeat,
        "full_size": args.rows_csv == 1_000_000 and args.rows_xlsx == 100_000,
        "host": {
            "python": platform.python_version(),
            "pandas": pd.__version__,
            "numpy": np.__version__,
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "mem_total_bytes": os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"),
            "rss_unit": "KiB (ru_maxrss of the command, via os.wait4 in a bare launcher)",
            "rss_floor_kib": rss_floor_kib(),
        },
        "files": files,
        "timings": {t.name: {**asdict(t), "peak_rss_mib": t.peak_rss_mib} for t in timings},
        "targets": targets,
        "all_pass": all(t["pass"] for t in targets),
        "bench_self_max_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }
    (OUT / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    log(f"results written to {rel(OUT / 'results.json')}")
    return 1 if args.strict and not results["all_pass"] else 0


if __name__ == "__main__":
    sys.exit(main())
