"""Batch checks on Dask (compliance/scale.py, issue 15): the same rows, statuses, deadlines and problems as
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

from compliance import scale
from compliance.cli import main
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
    return result.results[CHECK_COLUMNS].astype(scale.RESULT_DTYPES).reset_index(drop=True)


def expected_problems(result: CheckResult) -> pd.DataFrame:
    return result.problems.astype(scale.PROBLEM_DTYPES).reset_index(drop=True)


def batch_check(cluster: str, inputs: list[Path | str], out: Path, *extra: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``python -m compliance batch check`` in this process, on the module's cluster; the two datasets."""
    code = main(["batch", "check", *map(str, inputs), "--as-of", AS_OF.isoformat(), "--out", str(out),
                 "--scheduler", cluster, "--blocksize", BLOCK, "--partition-rows", "400", *extra])
    assert code == 0
    return scale.read_dataset(str(out / "results")), scale.read_dataset(str(out / "problems"))


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
    planned = scale.plan([str(p) for p in generated], scale.parse_size(BLOCK))
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
    planned = scale.plan([str(p) for p in parquet], partition_rows=400)
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
