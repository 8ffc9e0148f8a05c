"""Make sample_uploads/registry/agency_registry_2025.csv from the agency roster extract.

The agency's registration records for the two employers of agency_extract_gbk.csv that the
inspector is looking at, with the discrepancies a cross-check must find (written to
sample_uploads/registry/README.md): records missing, dates differing, a date the roster lacks,
people registered but missing from the roster. Deterministic: run it again, same file.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from compliance.ids import calc_check_digit

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "sample_uploads" / "agency_extract_gbk.csv"
OUT = ROOT / "sample_uploads" / "registry" / "agency_registry_2025.csv"
EMPLOYERS = ["914403057569602043", "91310104215140748Q"]
BANKS = ["中国工商银行", "中国建设银行", "中国银行"]
STATUSES = ["已激活", "已发放未激活", "制卡中", "已激活"]


def main() -> None:
    roster = pd.read_csv(SOURCE, encoding="gbk", dtype=str, keep_default_na=False)
    roster = roster[roster["统一社会信用代码"].isin(EMPLOYERS)].reset_index(drop=True)
    rows: list[dict[str, str]] = []
    findings: list[str] = []
    for i, r in roster.iterrows():
        date = r["参保登记日期"]
        if date and i in (0, 7):
            findings.append(f"not_in_registry: {r['姓名']} ({r['统一社会信用代码']}) has a roster date, no record")
            continue
        if date and i in (2, 9):
            day = pd.Timestamp(date.replace("/", "-")) + pd.Timedelta(days=12)
            findings.append(f"date_mismatch: {r['姓名']} roster {date}, registry {day:%Y-%m-%d}")
            date = f"{day:%Y-%m-%d}"
        if not date and i in (1, 4) and r["用工日期"]:
            day = pd.Timestamp(r["用工日期"].replace("/", "-")) + pd.Timedelta(days=20)
            findings.append(f"roster_date_missing: {r['姓名']} registry {day:%Y-%m-%d}")
            date = f"{day:%Y-%m-%d}"
        if not date:
            continue
        iso = date.replace("/", "-")
        rows.append({"社会保障号码": r["公民身份号码"], "统一社会信用代码": r["统一社会信用代码"],
                     "参保登记日期": iso, "社保卡状态": STATUSES[i % 4], "发卡银行": BANKS[i % 3],
                     "激活日期": iso if STATUSES[i % 4] == "已激活" else ""})
    for n, employer in enumerate(EMPLOYERS):  # registered by the employer, missing from its roster
        body = f"44030519900{n + 1}0{n + 1}12{n}"
        ssn = body + calc_check_digit(body)
        rows.append({"社会保障号码": ssn, "统一社会信用代码": employer, "参保登记日期": "2025-03-10",
                     "社保卡状态": "已激活", "发卡银行": BANKS[0], "激活日期": "2025-04-01"})
        findings.append(f"not_in_roster: {ssn[:6]}********{ssn[-4:]} registered with {employer}")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    (OUT.parent / "README.md").write_text(
        "# Sample agency registration extract\n\n"
        f"`{OUT.name}` (UTF-8 with BOM): the agency's records for employers {', '.join(EMPLOYERS)} of\n"
        "`../agency_extract_gbk.csv`. Import it with `python -m compliance import-registry` after\n"
        "`python -m compliance upload sample_uploads/agency_extract_gbk.csv`; `crosscheck` then finds:\n\n"
        + "".join(f"- {f}\n" for f in findings), encoding="utf-8")
    print(f"{OUT}: {len(rows)} records; {len(findings)} planted findings")


if __name__ == "__main__":
    main()
