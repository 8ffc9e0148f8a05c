"""The pure helpers the pages use to lay out results (charts' data, the screen table)."""

from __future__ import annotations

import pandas as pd

from compliance.i18n import column_labels, t
from views.common import delay_chart, display_table, overdue_by_month_chart


def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "id_number": pd.array(["11010519491231002X", None, "440524188001010014"], dtype="string"),
        "status": pd.array(["late", "overdue", "on_time"], dtype="string"),
        "hire_date": pd.to_datetime(["2025-03-01", "2025-01-20", "2025-01-05"]),
        "registration_date": pd.to_datetime(["2025-04-15", None, "2025-01-14"]),
    })


def test_delay_chart_bins_days_by_week_and_draws_the_30_day_line() -> None:
    data, spec = delay_chart(frame())
    # 2025-03-01 -> 2025-04-15 is 45 days: week bin 42; 2025-01-05 -> 01-14 is 9 days: bin 7.
    # The overdue row has no registration date and is not in this chart.
    assert sorted(map(tuple, data[["days", "status", "employees"]].to_numpy().tolist())) == [
        (7, t("status.on_time"), 1), (42, t("status.late"), 1)]  # labelled in the user's language
    bars = spec["layer"][0]["encoding"]
    assert bars["color"]["legend"] is not None  # a colour legend (issue 14)
    assert bars["color"]["scale"]["domain"][:2] == [t("status.on_time"), t("status.late")]
    assert bars["y"]["axis"] == {"format": "d", "tickMinStep": 1}  # whole people on the axis
    rule = spec["layer"][1]
    assert rule["mark"]["type"] == "rule" and rule["data"]["values"] == [{"days": 30}]


def test_overdue_by_month_counts_overdue_hires_per_month() -> None:
    rows = pd.concat([frame()] * 2, ignore_index=True)  # two overdue hires in 2025-01
    data, spec = overdue_by_month_chart(rows)
    assert data.to_dict("records") == [{"month": "2025-01", "overdue": 2}]
    assert spec["mark"]["type"] == "bar"
    assert overdue_by_month_chart(frame()[frame()["status"] != "overdue"]) is None


def test_display_table_masks_translates_and_keeps_order() -> None:
    shown = display_table(frame(), ["status", "id_number", "hire_date"])
    labels = column_labels(["status", "id_number", "hire_date"], "zh")
    assert list(shown.columns) == [labels["status"], labels["id_number"], labels["hire_date"]]
    assert shown[labels["status"]].tolist() == [t("status.late"), t("status.overdue"), t("status.on_time")]
    ids_shown = shown[labels["id_number"]].tolist()
    assert ids_shown[0] == "110105********002X" and ids_shown[1] == ""  # an empty cell, never "None"
    assert shown[labels["hire_date"]].tolist() == ["2025-03-01", "2025-01-20", "2025-01-05"]
    full = display_table(frame(), ["id_number"], show_full=True)
    assert full.iloc[0, 0] == "11010519491231002X"


def test_every_table_shows_a_missing_value_as_an_empty_cell() -> None:
    """Streamlit writes "None" in a cell without a value (a day count of a registered employee, issue 14)
    unless told otherwise: every st.dataframe of the pages passes ``placeholder=""``."""
    import ast
    from pathlib import Path

    calls = []
    for page in (Path(__file__).resolve().parent.parent / "views").glob("*.py"):
        for node in ast.walk(ast.parse(page.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "dataframe":
                placeholder = [kw.value for kw in node.keywords if kw.arg == "placeholder"]
                calls.append((page.name, node.lineno, bool(placeholder) and placeholder[0].value == ""))
    assert len(calls) >= 15
    assert [c for c in calls if not c[2]] == []
