"""Numbers show in Excel as they are: a whole number never with a dangling decimal separator ('20.', '8.688,'
in a Vietnamese Excel), a number with decimals with its decimals, a year as a year."""
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from bdg_excel import layout
from bdg_excel.demo import run_demo
from bdg_excel.figures import Entry
from bdg_excel.plan_files import builtin_plan
from bdg_excel.template import write_template
from number_formats import dangling_separators, shown_format

MASTER = Path(__file__).resolve().parent.parent / "templates" / "agency_template.xlsx"


@pytest.fixture(scope="module")
def demo(plan, tmp_path_factory):
    _, workbook = run_demo(plan, tmp_path_factory.mktemp("numbers"))
    return workbook.parent


def test_no_number_of_the_consolidated_workbook_shows_a_dangling_separator(demo):
    assert dangling_separators(demo / "tong-hop-2020.xlsx") == []


def test_no_input_cell_of_a_collection_workbook_shows_a_dangling_separator(demo):
    workbooks = [*sorted((demo / "templates").glob("*.xlsx")), *sorted((demo / "inbox").glob("*.xlsx")), MASTER]
    assert len(workbooks) == 37  # 18 blank, 18 filled, the master
    assert {path.name: dangling_separators(path) for path in workbooks} == {path.name: [] for path in workbooks}


def test_the_consolidated_counts_are_whole_and_the_figures_show_as_entered(demo):
    ws = openpyxl.load_workbook(demo / "tong-hop-2020.xlsx")
    data = ws["Dữ liệu"]
    row = next(r[0].row for r in data.iter_rows(min_row=2) if r[0].value == "MT2.CT1")  # 8.688/17.174 (50,59%)
    assert [shown_format(data, f"{col}{row}") for col in "FGM"] == ["#,##0", "#,##0", "#,##0"]
    row = next(r[0].row for r in data.iter_rows(min_row=2) if r[0].value == "MT4.CT2")  # 17,1/100.000, typed
    assert data[f"H{row}"].value == 17.1 and shown_format(data, f"H{row}") == "#,##0.##"
    assert {c.number_format for c in ws["Tình trạng nộp"]["G"][1:]} == {"#,##0"}
    assert {c.number_format for r in ws["Biểu đồ"].iter_rows(min_row=2, min_col=2) for c in r if c.value} == {"#,##0"}


def test_a_count_shows_whole_a_decimal_stays_visible_and_a_year_is_a_year(tmp_path):
    """A count cell is '#,##0' (so in any program), yet a decimal typed there by mistake (pasted, or written back
    into a feedback workbook) shows as typed, not rounded to the whole number the error message denies."""
    plan = builtin_plan("khanhhoa-bdg-2026-2030")  # TKT enters MT3.CT1, a ratio of hours that may have decimals
    entries = {"MT2.CT1": Entry(Decimal("12.5"), Decimal("8688"), year=2024), "MT2.CT2": Entry(value=Decimal("20")),
               "MT3.CT1": Entry(Decimal("3.5"), Decimal("2"))}
    path = write_template(plan, plan.period("2026"), plan.unit("TKT"), tmp_path / "tkt.xlsx", entries=entries)
    ws = openpyxl.load_workbook(path)[layout.DATA_SHEET]
    rows = {ws.cell(r, 1).value: r for r in range(layout.FIRST_DATA_ROW + 1, ws.max_row + 1)}
    col = {key: chr(ord("A") + index) for key, index in layout.COLUMN_INDEX.items()}
    cell = {(code, key): f"{col[key]}{rows[code]}" for code in entries for key in (*layout.NUMBER_INPUTS, "data_year")}
    assert ws[cell["MT2.CT1", "numerator"]].number_format == "#,##0"  # whole figures: a count
    assert ws[cell["MT3.CT1", "numerator"]].number_format == "#,##0.##"  # may have decimals
    shown = {key: shown_format(ws, name) for key, name in cell.items() if ws[name].value is not None}
    assert shown == {("MT2.CT1", "numerator"): "#,##0.##", ("MT2.CT1", "denominator"): "#,##0",
                     ("MT2.CT1", "data_year"): "0", ("MT2.CT2", "value"): "#,##0",
                     ("MT3.CT1", "numerator"): "#,##0.##", ("MT3.CT1", "denominator"): "#,##0"}
    assert dangling_separators(path) == []
    read = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(layout.DATA_SHEET).to_python()
    assert [read[rows["MT2.CT1"] - 1][layout.COLUMN_INDEX[k]] for k in ("numerator", "denominator")] == [12.5, 8688]
    kinds = {str(dv.sqref): dv.type for dv in ws.data_validations.dataValidation}
    assert kinds[cell["MT2.CT1", "denominator"]] == "whole" and kinds[cell["MT3.CT1", "denominator"]] == "decimal"
