"""Batch checks on Dask (compliance/batch/, issue 15): the same rows, statuses, deadlines and problems as
the single-machine path, on CSV and Parquet, cut into several partitions per file.

One local cluster of two worker processes serves the module (started once: ~2 s); partitions are kept
small (a few KB, a few hundred rows) so that every file really is cut in several.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import gb11643

from compliance.batch import parse_size, plan, read_dataset
from compliance.batch.partitions import FINDING_DTYPES, PROBLEM_DTYPES, RESULT_DTYPES
from compliance.cli import main
from compliance.crosscheck import CROSSCHECK_COLUMNS, FINDINGS
from compliance.registration import CHECK_COLUMNS, CheckResult, check
from compliance.rosters import read_rosters

distributed = pytest.importorskip("distributed")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_uploads"
AS_OF = dt.date(2025, 11, 20)
BLOCK = "24KB"  # a generated CSV of 1,500 rows is ~200 KB: about 8 partitions
ROWS_PER_FILE = 1500


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A local cluster of two worker processes (one thread each); its scheduler address."""
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0",
                                  silence_logs=logging.ERROR) as local:
        yield local.scheduler_address


# --------------------------------------------------------------------------------------------- data

ZH_HEADER = ["统一社会信用代码", "单位名称", "姓名", "身份证号", "入职日期", "参保日期", "社保卡状态", "月工资",
             "证件类型", "用工形式", "工作许可日期", "姓名"]  # the second 姓名 repeats the first: a file note
EN_HEADER = ["name", "id_number", "employer_id", "employer_name", "start_date", "registration_date", "wage",
             "card_status", "employment_type", "document_type", "work_permit_date"]
FIELDS_ZH = ["employer_id", "employer_name", "name", "id_number", "hire_date", "registration_date", "card_status",
             "wage", "id_type", "employment_type", "work_permit_date"]
FIELDS_EN = ["name", "id_number", "employer_id", "employer_name", "hire_date", "registration_date", "wage",
             "card_status", "employment_type", "id_type", "work_permit_date"]
EMPLOYERS = [("91310104MA1FL4XK3C", "上海华信科技有限公司"), ("91110105MA01ABCD2X", "北京恒达贸易有限公司"),
             ("91440300MA5EXAMPL0", "深圳鼎盛物流有限公司"), (None, "无编号餐饮店"), (None, None)]
BAD_ROW = 1234  # a row of the second file, well inside a later partition: an unreadable hire date


def _person(rng: np.random.Generator, i: int) -> dict[str, object]:
    """One roster row of a kind drawn at random: every status and most kinds of problem appear."""
    birth = dt.date(1970, 1, 1) + dt.timedelta(days=int(rng.integers(0, 12_000)))
    number = gb11643(f"110105{birth:%Y%m%d}{int(rng.integers(100, 999)):03d}")
    hire = dt.date(2024, 6, 1) + dt.timedelta(days=int(rng.integers(0, 540)))
    eid, ename = EMPLOYERS[int(rng.integers(0, len(EMPLOYERS)))]
    if eid and rng.random() < 0.1:
        ename = ename[:4] + "分公司"  # another spelling of the same employer: the most used name wins
    row: dict[str, object] = {"employer_id": eid, "employer_name": ename, "name": f"员工{i}", "id_number": number,
                              "hire_date": hire.isoformat(), "registration_date": None, "card_status": "已激活",
                              "wage": str(int(rng.integers(3000, 30000))), "id_type": None, "employment_type": None,
                              "work_permit_date": None}
    kind = int(rng.integers(0, 20))
    reg = {0: hire + dt.timedelta(days=10), 1: hire + dt.timedelta(days=80), 2: None, 3: hire - dt.timedelta(days=3),
           4: dt.date(2025, 12, 1)}.get(kind % 5)
    row["registration_date"] = reg.isoformat() if reg else None
    if kind == 5:
        row["hire_date"] = dt.date(2025, 11, 10).isoformat()  # pending
    elif kind == 6:
        row["hire_date"] = None  # invalid
    elif kind == 7:
        row["registration_date"] = "2025-02-30"  # unreadable: invalid
    elif kind == 8:
        row["employment_type"] = ["实习", "退休返聘", "劳务派遣", "劳务"][i % 4]  # exempt
    elif kind == 9:
        row["hire_date"] = (dt.date(2026, 12, 1) + dt.timedelta(days=i % 60)).isoformat()  # provisional 2027
    elif kind == 10:
        row["hire_date"] = f"{hire.year}年{hire.month}月{hire.day}日"
        row["registration_date"] = f"{hire.year}/{hire.month}/{hire.day}"
    elif kind == 11:
        row["id_number"] = ["1.10105E+17", number[:-1] + ("0" if number[-1] != "0" else "1"), "E12345678",
                            number[:6] + number[8:17], "991234567890123456"][i % 5]
        row["id_type"] = "护照" if i % 5 == 2 else None
    elif kind == 12:
        row["work_permit_date"] = (hire + dt.timedelta(days=20)).isoformat()
        row["id_number"] = gb11643(f"830000{birth:%Y%m%d}{i % 900 + 100:03d}")
    elif kind == 13:
        row["id_number"] = gb11643(f"110105{hire.year - 15}0101{i % 900 + 100:03d}")  # under 16
    elif kind == 14:
        row["card_status"] = ["在用?", "挂失", "未申领", ""][i % 4]
        row["employment_type"] = "兼职外包" if i % 2 else None  # unknown: full-time, noted
        row["id_type"] = "军官证" if i % 3 == 0 else None
    elif kind == 15:
        row["employer_name"] = "很长的名字" * 60  # longer than the store keeps
        row["hire_date"] = str((pd.Timestamp(hire) - pd.Timestamp("1899-12-30")).days)  # an Excel serial
    return row


def _write_csv(path: Path, header: list[str], fields: list[str], rows: list[dict[str, object]],
               encoding: str, blank_lines: tuple[int, ...] = ()) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for i, row in enumerate(rows):
        if i in blank_lines:
            buffer.write("\r\n" if i % 2 else ",,,\r\n")  # an empty line, or one of empty fields
        cells = ["" if row[f] is None else row[f] for f in fields]
        writer.writerow(cells + ([cells[2]] if len(header) > len(fields) else []))
    buffer.write("\r\n\r\n")  # trailing blank lines are the end of the file, not rows
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two CSV rosters of 1,500 rows each: Chinese headers in GB18030 with blank lines and a repeated
    column; English headers in UTF-8 with a BOM and another column order, and a bad row far down."""
    folder = tmp_path_factory.mktemp("generated")
    rng = np.random.default_rng(15)
    first = [_person(rng, i) for i in range(ROWS_PER_FILE)]
    second = [_person(rng, i) for i in range(ROWS_PER_FILE, 2 * ROWS_PER_FILE)]
    second[BAD_ROW - 2]["hire_date"] = "2025-13-45"
    return [_write_csv(folder / "单位花名册.csv", ZH_HEADER, FIELDS_ZH, first, "gb18030", blank_lines=(40, 41, 700)),
            _write_csv(folder / "roster_en.csv", EN_HEADER, FIELDS_EN, second, "utf-8-sig")]


def _as_parquet(csv_path: Path, out: Path, row_group_size: int, encoding: str) -> Path:
    """The CSV as a Parquet file of text columns, header names as column names (a repeated one left
    out), blank lines kept as rows of empty cells so that the row numbers stay those of the CSV."""
    text = csv_path.read_bytes().decode(encoding).rstrip("\r\n")
    lines = list(csv.reader(io.StringIO(text)))
    header = lines[0]
    keep = [i for i, name in enumerate(header) if name not in header[:i]]
    columns = {header[i]: [(line[i] if i < len(line) else "") for line in lines[1:]] for i in keep}
    pq.write_table(pa.table(columns), out, row_group_size=row_group_size)
    return out


# ------------------------------------------------------------------------------------------ helpers


def single(paths: list[Path], calendar_days: bool = False) -> CheckResult:
    """The single-machine path (what ``python -m compliance check`` writes)."""
    return check(read_rosters(paths), AS_OF, calendar_days=calendar_days)


def expected_results(result: CheckResult) -> pd.DataFrame:
    return result.results[CHECK_COLUMNS].astype(RESULT_DTYPES).reset_index(drop=True)


def expected_problems(result: CheckResult) -> pd.DataFrame:
    return result.problems.astype(PROBLEM_DTYPES).reset_index(drop=True)


def batch_check(cluster: str, inputs: list[Path | str], out: Path, *extra: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``python -m compliance batch check`` in this process, on the module's cluster; the two datasets."""
    code = main(["batch", "check", *map(str, inputs), "--as-of", AS_OF.isoformat(), "--out", str(out),
                 "--scheduler", cluster, "--blocksize", BLOCK, "--partition-rows", "400", *extra])
    assert code == 0
    return read_dataset(str(out / "results")), read_dataset(str(out / "problems"))


# ------------------------------------------------------------------------------------------- tests


@pytest.fixture(scope="module")
def generated_run(cluster: str, generated: list[Path], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """``batch check`` of the generated rosters (run once for the tests below): its two datasets, the
    folder they are in, what it printed, and the single-machine result of the same files."""
    out = tmp_path_factory.mktemp("generated_run") / "out"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        results, problems = batch_check(cluster, generated, out)
    return {"results": results, "problems": problems, "out": out, "stdout": stdout.getvalue(),
            "stderr": stderr.getvalue(), "single": single(generated)}


def test_generated_csv_equals_single_machine(generated: list[Path], generated_run: dict) -> None:
    planned = plan([str(p) for p in generated], parse_size(BLOCK))
    assert [len(pieces) for _, pieces in planned] >= [5, 5]  # really several partitions per file
    results, problems = generated_run["results"], generated_run["problems"]
    pd.testing.assert_frame_equal(results, expected_results(generated_run["single"]))
    pd.testing.assert_frame_equal(problems, expected_problems(generated_run["single"]))
    assert set(results["status"]) == {"on_time", "late", "overdue", "pending", "invalid", "exempt"}
    assert results["deadline_provisional"].any()
    notes = problems.loc[problems["code"] == "file_note", "message"].tolist()
    assert any("repeats" in n for n in notes) and "rows 42, 44, 704 are blank and were skipped" in notes
    assert f"{2 * ROWS_PER_FILE} rows checked (2 files, " in generated_run["stdout"]
    assert generated_run["stderr"].startswith("warning: no holiday notice for 2027")


def test_results_dataset_has_exactly_the_check_columns(generated_run: dict) -> None:
    files = sorted((generated_run["out"] / "results").glob("*.parquet"))
    assert len(files) > 10 and all(pq.read_schema(f).names == CHECK_COLUMNS for f in files)
    assert pq.read_schema(next((generated_run["out"] / "problems").glob("*.parquet"))).names == \
        ["source_file", "source_row", "column", "code", "value", "message"]


def test_bad_row_reported_with_its_file_and_row(generated_run: dict) -> None:
    results, problems = generated_run["results"], generated_run["problems"]
    bad = problems[(problems["source_file"] == "roster_en.csv") & (problems["source_row"] == BAD_ROW)]
    assert bad["code"].tolist() == ["date_unreadable"]
    assert bad["message"].iloc[0] == "start_date (column E): cannot read '2025-13-45' as a date"
    row = results[(results["source_file"] == "roster_en.csv") & (results["source_row"] == BAD_ROW)]
    assert row["status"].tolist() == ["invalid"] and row["name"].tolist() == [f"员工{ROWS_PER_FILE + BAD_ROW - 2}"]


def test_parquet_equals_the_csv_it_was_made_from(cluster: str, generated: list[Path], generated_run: dict,
                                                 tmp_path: Path) -> None:
    """Row groups of 250 joined into partitions of 400+ rows; a file of one row group cut in slices."""
    parquet = [_as_parquet(generated[0], tmp_path / "zh.parquet", 250, "gb18030"),
               _as_parquet(generated[1], tmp_path / "en.parquet", 10_000, "utf-8-sig")]
    planned = plan([str(p) for p in parquet], partition_rows=400)
    assert [len(p) for _, p in planned] == [4, 4]
    results, problems = batch_check(cluster, parquet, tmp_path / "out")
    expected = generated_run["single"]
    names = {"单位花名册.csv": "zh.parquet", "roster_en.csv": "en.parquet"}
    want = expected_results(expected)
    want["source_file"] = want["source_file"].map(names).astype("string")
    pd.testing.assert_frame_equal(results, want)
    want_problems = expected_problems(expected)
    want_problems = want_problems[~want_problems["message"].str.contains("repeats")].reset_index(drop=True)
    want_problems["source_file"] = want_problems["source_file"].map(names).astype("string")
    pd.testing.assert_frame_equal(problems, want_problems)


def test_parquet_dates_ints_and_own_row_numbers(cluster: str, tmp_path: Path) -> None:
    """DATE columns (datetime.date objects in pandas) and whole-number IDs are read as the CSV's text;
    a Parquet ``source_row`` column gives the rows their numbers."""
    ids = [n for n in (gb11643(f"11010519900101{i:03d}") for i in range(100, 300)) if n[-1] != "X"][:60]
    hires = [dt.date(2025, 1, 1) + dt.timedelta(days=5 * i) for i in range(60)]
    regs = [h + dt.timedelta(days=(i * 7) % 70) if i % 4 else None for i, h in enumerate(hires)]
    rows = list(range(10, 130, 2))
    csv_path = tmp_path / "typed.csv"
    csv_path.write_text("姓名,身份证号,入职日期,参保日期\n" + "".join(
        f"人{i},{n},{h.isoformat()},{r.isoformat() if r else ''}\n" for i, (n, h, r) in enumerate(zip(ids, hires, regs,
                                                                                                     strict=True))),
        encoding="utf-8")
    table = pa.table({"姓名": [f"人{i}" for i in range(60)], "身份证号": pa.array([int(n) for n in ids], pa.int64()),
                      "入职日期": pa.array(hires, pa.date32()), "参保日期": pa.array(regs, pa.date32()),
                      "source_row": rows})
    pq.write_table(table, tmp_path / "typed.parquet", row_group_size=16)
    results, _ = batch_check(cluster, [tmp_path / "typed.parquet"], tmp_path / "out")
    want = expected_results(single([csv_path]))
    assert results["source_row"].tolist() == rows
    pd.testing.assert_frame_equal(results.drop(columns=["source_file", "source_row"]),
                                  want.drop(columns=["source_file", "source_row"]))


def test_sample_files_equal_single_machine(cluster: str, tmp_path: Path) -> None:
    samples = [SAMPLES / "english_roster.csv", SAMPLES / "agency_extract_gbk.csv"]
    results, problems = batch_check(cluster, samples, tmp_path / "out", "--blocksize", "2KB")
    expected = single(samples)
    pd.testing.assert_frame_equal(results, expected_results(expected))
    pd.testing.assert_frame_equal(problems, expected_problems(expected))


def test_title_rows_above_the_header(cluster: str, tmp_path: Path) -> None:
    """As in the upload path, the header may sit below title rows: the rows are numbered from it."""
    roster = tmp_path / "titled.csv"
    lines = ["2025年11月 参保人员花名册,,", "制表单位：某某公司,,", "姓名,身份证号,入职日期"]
    lines += [f"员工{i},{gb11643(f'11010519900101{i + 100:03d}')},2025-{i % 12 + 1:02d}-15" for i in range(80)]
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results, problems = batch_check(cluster, [roster], tmp_path / "out", "--blocksize", "1KB")
    assert results["source_row"].iloc[0] == 4
    pd.testing.assert_frame_equal(results, expected_results(single([roster])))
    pd.testing.assert_frame_equal(problems, expected_problems(single([roster])))


def test_employers_equal_single_machine(cluster: str, generated: list[Path], tmp_path: Path) -> None:
    args = [*map(str, generated), "--as-of", AS_OF.isoformat()]
    assert main(["employers", *args, "--out", str(tmp_path / "single.csv")]) == 0
    assert main(["batch", "employers", *args, "--out", str(tmp_path / "batch.csv"), "--scheduler", cluster,
                 "--blocksize", BLOCK]) == 0
    assert (tmp_path / "batch.csv").read_bytes() == (tmp_path / "single.csv").read_bytes()


def test_notice_file_added_on_the_client_reaches_the_workers(cluster: str, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The workers started before the notice existed and never saw SHEBAO_CALENDAR_DIR; they must still
    judge 2027 with it, as the single-machine check on the client does."""
    roster = tmp_path / "r2027.csv"
    hires = [dt.date(2026, 12, 10) + dt.timedelta(days=i) for i in range(40)]
    roster.write_text("name,id_number,hire_date\n" + "".join(
        f"p{i},{gb11643(f'11010519900101{i + 100:03d}')},{h.isoformat()}\n" for i, h in enumerate(hires)))
    before = expected_results(single([roster]))
    assert before["deadline_provisional"].all()
    notices = tmp_path / "notices"
    notices.mkdir()
    days = [dt.date(2027, 1, d) for d in range(11, 16)]  # a made-up week off: deadlines in it move on
    (notices / "2027.toml").write_text(f'year = 2027\nsource = "test notice"\nholidays = [{", ".join(map(str, days))}]'
                                       '\nworkdays = [2027-01-16]\n')
    monkeypatch.setenv("SHEBAO_CALENDAR_DIR", str(notices))
    results, _ = batch_check(cluster, [roster], tmp_path / "out", "--blocksize", "1KB")
    after = expected_results(single([roster]))
    pd.testing.assert_frame_equal(results, after)
    assert not results["deadline_provisional"].any()
    assert (results["deadline"] != before["deadline"]).any()
    monkeypatch.delenv("SHEBAO_CALENDAR_DIR")
    results, _ = batch_check(cluster, [roster], tmp_path / "out2", "--blocksize", "1KB")  # and gone again
    pd.testing.assert_frame_equal(results, before)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "compliance", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_plan_and_partitions_import_without_dask() -> None:
    """The planner and the partition functions are plain pandas, so another engine's worker can import
    them without Dask: only ``compliance.batch.driver`` imports it."""
    code = ("import sys; import compliance.batch.plan, compliance.batch.partitions; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'dask', 'distributed'}))")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_missing_input_exits_2_with_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "gone.csv"
    r = cli("batch", "check", str(SAMPLES / "english_roster.csv"), str(missing), "--out", str(tmp_path / "o"))
    assert r.returncode == 2
    assert r.stderr.splitlines() == [f"error: {missing}: file not found"]
    assert not (tmp_path / "o").exists()


def test_unusable_inputs_exit_2(tmp_path: Path, capsys) -> None:
    (tmp_path / "book.xlsx").write_bytes(b"PK")
    (tmp_path / "nohead.csv").write_text("a,b\n1,2\n")
    for inputs in ([str(tmp_path / "*.nothing")], [str(tmp_path / "book.xlsx")], [str(tmp_path / "nohead.csv")]):
        assert main(["batch", "check", *inputs, "--out", str(tmp_path / "o")]) == 2
        assert len(capsys.readouterr().err.splitlines()) == 1


def test_local_cluster_of_the_command(tmp_path: Path) -> None:
    """Without --scheduler the command starts its own cluster and closes it; nothing but its line."""
    out = tmp_path / "e.json"
    r = cli("batch", "employers", str(SAMPLES / "agency_extract_gbk.csv"), "--as-of", AS_OF.isoformat(),
            "--out", str(out), "--workers", "1")
    assert r.returncode == 0, r.stderr
    assert r.stderr == "" and r.stdout.count("\n") == 1
    assert out.exists()


# ------------------------------------------------------------------------------ batch crosscheck


NEW_EMPLOYER = "91320000MA1NEWEMP1"  # only exempt people on its roster: its registry records are no finding
UNROSTERED = "91500000MA6NOROST0"  # in the registry only


@pytest.fixture(scope="module")
def crosscheck_inputs(generated: list[Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Path]]:
    """The generated rosters, a later roster that re-lists people (a later row replaces an earlier one, some
    become exempt, some join a second employer), and two registry extracts (GB18030 CSV, then Parquet whose
    records replace some of the first's) with every kind of finding among them."""
    folder = tmp_path_factory.mktemp("crosscheck")
    rows = single(generated).results
    people = rows[rows["ssn"].notna() & rows["employer_id"].notna()].reset_index(drop=True)
    assert len(people) > 1500
    later = [{"name": r.name, "id_number": r.ssn, "employer_id": r.employer_id, "employer_name": None,
              "hire_date": "2025-01-06", "registration_date": "2025-02-01", "wage": "", "card_status": "",
              "employment_type": None, "id_type": None, "work_permit_date": None}
             for r in people.iloc[:120].itertuples()]
    for i, row in enumerate(later):
        if i % 4 == 1:
            row["employment_type"] = "实习"  # the latest row is exempt: the person takes no part
        elif i % 4 == 2:
            row["employer_id"] = EMPLOYERS[(EMPLOYERS.index(next(e for e in EMPLOYERS if e[0] == row["employer_id"]))
                                            + 1) % 3][0]  # a second employer: multiple_employers
    later += [{**later[0], "id_number": gb11643(f"32010219850101{i:03d}"), "employer_id": NEW_EMPLOYER,
               "employment_type": "退休返聘"} for i in range(100, 106)]
    # small employers: one person on the roster (a date, no record), one registered person not on it. The two
    # land in different SSN partitions, so only the city-wide employer sets give both findings
    small = [f"9133000{i:02d}MA2SMALL{i % 10}" for i in range(12)]
    later += [{**later[0], "id_number": gb11643(f"33010219870707{i + 100:03d}"), "employer_id": e,
               "employment_type": None} for i, e in enumerate(small)]
    rosters = [*generated, _write_csv(folder / "later.csv", EN_HEADER, FIELDS_EN, later, "utf-8-sig")]

    rng = np.random.default_rng(8)
    registered = people[people["employer_id"] != EMPLOYERS[2][0]]  # the third employer is in no extract
    records = []
    for i, r in enumerate(registered.itertuples()):
        if i % 6 == 0:
            continue  # no record: not_in_registry where the roster gives a date
        date = r.registration_date if pd.notna(r.registration_date) else pd.Timestamp("2025-03-03")
        if i % 6 == 1:
            date = date + pd.Timedelta(days=int(rng.integers(1, 40)))  # date_mismatch
        records.append((r.ssn, r.employer_id, date.date().isoformat()))
    for i in range(40):  # registered, on no roster of a rostered employer: not_in_roster
        records.append((gb11643(f"44030519920202{i + 100:03d}"), EMPLOYERS[i % 2][0], "2025-04-01"))
    records += [(gb11643(f"44030519930303{i + 100:03d}"), UNROSTERED, "2025-04-02") for i in range(15)]
    records += [(gb11643(f"33010219880808{i + 100:03d}"), e, "2025-04-05") for i, e in enumerate(small)]
    records += [(gb11643(f"32010219850101{i:03d}"), NEW_EMPLOYER, "2025-04-03") for i in range(100, 104)]
    records += [("110105199001011230", EMPLOYERS[0][0], "2025-04-04"), ("", EMPLOYERS[0][0], "2025-04-04")]  # unusable
    first = folder / "registry_2025.csv"
    first.write_bytes(("社会保障号码,统一社会信用代码,参保登记日期\r\n" + "".join(
        f"{s},{e},{d}\r\n" for s, e, d in records)).encode("gb18030"))
    replaced = [(s, e, "2025-05-05") for s, e, _ in records[5:300:7]] + [records[10]]  # a repeat: the last wins
    second = folder / "registry_2026.parquet"
    pq.write_table(pa.table({"ssn": [s for s, _, _ in replaced], "employer_id": [e for _, e, _ in replaced],
                             "registration_date": pa.array([dt.date.fromisoformat(d) for _, _, d in replaced])}),
                   second, row_group_size=20)
    as_csv = folder / "registry_2026.csv"  # the same extract for the store, which reads no Parquet
    as_csv.write_text("ssn,employer_id,registration_date\n" + "".join(f"{s},{e},{d}\n" for s, e, d in replaced),
                      encoding="utf-8")
    return {"rosters": rosters, "registry": [first, second], "store_registry": [first, as_csv]}


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns), kind="stable").reset_index(drop=True)


def test_crosscheck_equals_the_store_path(cluster: str, crosscheck_inputs: dict[str, list[Path]],
                                          tmp_path: Path) -> None:
    """Every finding of ``python -m compliance crosscheck`` after uploading the rosters and importing the
    extracts in the same order: the same rows, each finding kind present, each part in the store path's
    order; nothing is left in the output folder but the dataset."""
    from compliance import jobs, store

    engine = store.connect(f"sqlite:///{tmp_path / 'store.sqlite'}")
    for path in crosscheck_inputs["rosters"]:
        jobs.store_roster(engine, path, uploaded_by="test")
    for path in crosscheck_inputs["store_registry"]:
        jobs.import_registry(engine, path, uploaded_by="test")
    want = jobs.findings(engine).astype(FINDING_DTYPES)
    want["source_file"] = want["source_file"].replace("registry_2026.csv", "registry_2026.parquet")
    out = tmp_path / "findings"
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = main(["batch", "crosscheck", "--rosters", *map(str, crosscheck_inputs["rosters"]), "--registry",
                     *map(str, crosscheck_inputs["registry"]), "--out", str(out), "--scheduler", cluster,
                     "--blocksize", BLOCK, "--partition-rows", "100"])
    assert code == 0
    got = read_dataset(str(out))
    assert list(got.columns) == CROSSCHECK_COLUMNS and dict(got.dtypes.astype(str)) == FINDING_DTYPES
    assert set(want["finding"]) == set(FINDINGS)
    small = want[want["employer_id"].str.contains("SMALL", na=False)]
    assert small["finding"].value_counts().to_dict() == {"not_in_registry": 12, "not_in_roster": 12}
    pd.testing.assert_frame_equal(_sorted(got), _sorted(want))
    assert not got["employer_id"].isin([NEW_EMPLOYER, UNROSTERED, EMPLOYERS[2][0]]).any() or \
        set(got.loc[got["employer_id"] == EMPLOYERS[2][0], "finding"]) <= {"multiple_employers"}
    counts = want["finding"].value_counts()
    assert stdout.getvalue().startswith(f"{len(want)} findings (not_in_registry {counts['not_in_registry']}, ")
    assert sorted(p.name for p in out.iterdir()) == [f"part.{i:06d}.parquet" for i in range(len(list(out.iterdir())))]
    for part in sorted(out.glob("*.parquet")):  # each part in the order the single path sorts by
        frame = pq.read_table(part).to_pandas()
        order = frame["finding"].map({f: i for i, f in enumerate(FINDINGS)})
        keys = list(zip(order, frame["employer_id"], frame["source_row"], strict=True))
        assert keys == sorted(keys)


def test_crosscheck_needs_the_city_wide_employer_sets(crosscheck_inputs: dict[str, list[Path]],
                                                      tmp_path: Path) -> None:
    """One SSN partition knows only its own people: an employer whose other employees are registered elsewhere
    in the city is still 'in the registry' for a person of this partition with no record."""
    from compliance.crosscheck import crosscheck

    employments = pd.DataFrame({"id": [1, 2], "employer_id": ["E1", "E1"], "ssn": ["A", "B"], "name": ["甲", "乙"],
                                "registration_date": pd.to_datetime(["2025-01-05", "2025-01-06"]),
                                "source_file": "r.csv", "source_row": [2, 3], "employment_type": "full_time"})
    registrations = pd.DataFrame({"employer_id": ["E1", "E2"], "ssn": ["B", "C"],
                                  "registration_date": pd.to_datetime(["2025-01-06", "2025-02-01"]),
                                  "upload_id": [0, 0], "source_row": [2, 3]})
    # the partition holding only A sees no registry record of E1: alone it would find nothing
    alone = crosscheck(employments[:1], registrations[:0], {0: "g.csv"})
    assert alone.empty
    told = crosscheck(employments[:1], registrations[:0], {0: "g.csv"}, in_registry={"E1"}, rostered={"E1"})
    assert told["finding"].tolist() == ["not_in_registry"]
    # C is registered with E2: a finding only if E2 has a roster somewhere in the city
    c_only = registrations[1:]
    assert crosscheck(employments[:0], c_only, {0: "g.csv"}, in_registry={"E2"}, rostered=set()).empty
    assert crosscheck(employments[:0], c_only, {0: "g.csv"}, in_registry={"E2"},
                      rostered={"E2"})["finding"].tolist() == ["not_in_roster"]


def test_crosscheck_sample_files_equal_the_store_path(cluster: str, tmp_path: Path) -> None:
    from compliance import jobs, store

    rosters = [SAMPLES / "english_roster.csv", SAMPLES / "agency_extract_gbk.csv"]
    registry = SAMPLES / "registry" / "agency_registry_2025.csv"
    engine = store.connect(f"sqlite:///{tmp_path / 'store.sqlite'}")
    for path in rosters:
        jobs.store_roster(engine, path, uploaded_by="test")
    jobs.import_registry(engine, registry, uploaded_by="test")
    want = jobs.findings(engine).astype(FINDING_DTYPES)
    assert len(want) >= 5
    assert main(["batch", "crosscheck", "--rosters", *map(str, rosters), "--registry", str(registry), "--out",
                 str(tmp_path / "f"), "--scheduler", cluster, "--blocksize", "2KB"]) == 0
    pd.testing.assert_frame_equal(_sorted(read_dataset(str(tmp_path / "f"))), _sorted(want))


def test_crosscheck_missing_registry_exits_2_with_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "extract.csv"
    r = cli("batch", "crosscheck", "--rosters", str(SAMPLES / "english_roster.csv"), "--registry", str(missing),
            "--out", str(tmp_path / "o"))
    assert r.returncode == 2
    assert r.stderr.splitlines() == [f"error: {missing}: file not found"]
    assert not (tmp_path / "o").exists()
