"""``Năm số liệu``: a unit may say its figure refers to an earlier year than the period's."""
import sqlite3

import openpyxl

from bdg_excel import layout
from bdg_excel.consolidate import consolidate
from bdg_excel.plan_files import builtin_plan
from bdg_excel.returns import read_file
from bdg_excel.store import Store
from bdg_excel.template import write_templates
from returns import edit, make_return, row_of

PLAN_ID = "khanhhoa-bdg-2026-2030"


def _return(tmp_path, cells, plan=None, unit="TKT", period="2026"):
    plan = plan or builtin_plan(PLAN_ID)
    (blank,) = write_templates(plan, period, tmp_path / "templates", [unit])
    (tmp_path / "inbox").mkdir(exist_ok=True)
    return plan, edit(blank, tmp_path / "inbox" / blank.name, cells)


def test_the_collection_workbook_has_a_data_year_column_with_its_rule(tmp_path):
    _, path = _return(tmp_path, {})
    ws = openpyxl.load_workbook(path)[layout.DATA_SHEET]
    header = layout.HEADER_ROW + 1
    assert ws.cell(header, 11).value == "Năm số liệu"
    cell = ws.cell(row_of(ws, "MT2.CT1"), 11)
    assert cell.value is None and cell.protection.locked is False
    (rule,) = [dv for dv in ws.data_validations.dataValidation if cell.coordinate in dv.sqref]
    assert (rule.type, rule.formula1, rule.formula2) == ("whole", "1990", "2026")
    assert rule.prompt == "Để trống nếu là số liệu năm 2026; nếu là số liệu của năm trước, ghi năm đó (ví dụ 2024)."


def test_a_figure_of_2024_in_a_2026_return_is_printed_with_its_year(tmp_path):
    plan, _ = _return(tmp_path, {("MT2.CT1", "numerator"): 300, ("MT2.CT1", "denominator"): 600,
                                 ("MT2.CT1", "data_year"): 2024,
                                 ("MT2.CT2", "numerator"): 150, ("MT2.CT2", "denominator"): 600})
    result, workbook = consolidate(tmp_path / "inbox", plan, "2026", tmp_path / "tong-hop.xlsx",
                                   tmp_path / "bdg.sqlite")
    ws = openpyxl.load_workbook(workbook, data_only=True)["Phụ lục"]
    rows = {row[1]: row for row in ws.iter_rows(min_row=7, values_only=True) if row[1]}
    wage, farm = (rows[indicator.text] for indicator in plan.indicators if indicator.code in ("MT2.CT1", "MT2.CT2"))
    assert wage[2:] == ("300/600 (50%) (số liệu năm 2024)", "Thống kê tỉnh Khánh Hòa", "Chưa đạt mốc 2030")
    assert farm[2:] == ("150/600 (25%)", "Thống kê tỉnh Khánh Hòa", "Chưa đạt mốc 2030")


def test_the_data_year_is_stored_and_judged_as_for_the_period(tmp_path):
    plan, path = _return(tmp_path, {("MT2.CT1", "numerator"): 300, ("MT2.CT1", "denominator"): 500,
                                    ("MT2.CT1", "data_year"): "2024"})
    submission = read_file(path, plan)
    assert [p.code for p in submission.problems] == []
    (figure,) = [f for f in submission.figures if f.code == "MT2.CT1"]
    assert figure.entry.year == 2024
    result, _ = consolidate(tmp_path / "inbox", plan, "2030", tmp_path / "t.xlsx", tmp_path / "bdg.sqlite")
    with Store(tmp_path / "bdg.sqlite") as store:
        rows = {row["code"]: row["data_year"] for row in store.figures([f.id for f in store.files()])}
    assert rows["MT2.CT1"] == 2024 and rows["MT2.CT2"] is None


def test_a_year_that_is_not_a_year_of_the_data_is_an_error_on_its_cell(tmp_path):
    plan, path = _return(tmp_path, {("MT2.CT1", "numerator"): 300, ("MT2.CT1", "denominator"): 500,
                                    ("MT2.CT1", "data_year"): 2027,
                                    ("MT2.CT2", "numerator"): 100, ("MT2.CT2", "denominator"): 500,
                                    ("MT2.CT2", "data_year"): "năm ngoái"})
    submission = read_file(path, plan)
    ws = openpyxl.load_workbook(path)[layout.DATA_SHEET]
    cells = [f"K{row_of(ws, code)}" for code in ("MT2.CT1", "MT2.CT2")]
    assert [(p.cell, p.code) for p in submission.problems] == [(cells[0], "invalid-data-year"),
                                                               (cells[1], "invalid-data-year")]
    assert submission.problems[0].message == (
        "Năm số liệu '2027' không hợp lệ: ghi một năm từ 1990 đến 2026 (năm của kỳ báo cáo), hoặc để trống nếu là "
        "số liệu năm 2026.")
    assert not any(f.usable for f in submission.figures if f.code in ("MT2.CT1", "MT2.CT2"))


def test_a_return_made_before_the_column_is_still_read(plan, tmp_path):
    path = make_return(plan, "SYT", tmp_path / "syt.xlsx")
    path = edit(path, cells={("MT4.CT2", "numerator"): 3, ("MT4.CT2", "denominator"): 17544},
                change=lambda wb: wb[layout.DATA_SHEET].delete_cols(11))
    ws = openpyxl.load_workbook(path)[layout.DATA_SHEET]
    assert [c.value for c in ws[layout.HEADER_ROW + 1] if c.value][-1] == "Ghi chú"
    submission = read_file(path, plan)
    assert submission.problems == [] and submission.status == "accepted"
    (figure,) = [f for f in submission.figures if f.code == "MT4.CT2"]
    assert (figure.entry.numerator, figure.entry.denominator, figure.entry.year) == (3, 17544, None)


def test_a_store_of_version_2_gets_the_data_year_column(plan, tmp_path):
    path = make_return(plan, "SYT", tmp_path / "inbox" / "syt.xlsx")
    edit(path, cells={("MT4.CT2", "numerator"): 3, ("MT4.CT2", "denominator"): 17544})
    store_path = tmp_path / "bdg.sqlite"
    consolidate(tmp_path / "inbox", plan, "2020", tmp_path / "t.xlsx", store_path)
    db = sqlite3.connect(store_path, isolation_level=None)
    db.execute("ALTER TABLE figures DROP COLUMN data_year")
    db.execute("DROP TABLE unit_messages")  # added by a later version
    db.execute("PRAGMA user_version = 2")
    db.close()
    with Store(store_path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == 4
        rows = store.figures([f.id for f in store.files()])
    assert {(row["code"], row["numerator"], row["data_year"]) for row in rows if row["numerator"]} == {
        ("MT4.CT2", "3", None)}


def test_a_communes_figure_of_an_earlier_year_says_so_on_the_per_unit_sheet(tmp_path):
    plan, _ = _return(tmp_path, {("MT3.CT2a", "numerator"): 4, ("MT3.CT2a", "denominator"): 5,
                                 ("MT3.CT2a", "data_year"): 2025}, unit="TRUONGSA")
    _return(tmp_path / "b", {("MT3.CT2a", "numerator"): 3, ("MT3.CT2a", "denominator"): 3}, plan, unit="CANA")
    (tmp_path / "b" / "inbox" / "2026_CANA_UBND-xa-Ca-Na.xlsx").rename(tmp_path / "inbox" / "cana.xlsx")
    _, workbook = consolidate(tmp_path / "inbox", plan, "2026", tmp_path / "t.xlsx", tmp_path / "bdg.sqlite")
    ws = openpyxl.load_workbook(workbook)["Theo đơn vị"]
    notes = {(row[0], row[3]): row[11] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert notes[("MT3.CT2a", "TRUONGSA")] == "số liệu năm 2025"
    assert notes[("MT3.CT2a", "CANA")] in ("", None)


def test_a_sum_mixing_years_says_how_many_units_figures_are_of_the_earlier_year(tmp_path):
    plan, _ = _return(tmp_path, {("MT1.CT1.XA", "numerator"): 2, ("MT1.CT1.XA", "denominator"): 2,
                                 ("MT1.CT1.XA", "data_year"): 2024}, unit="BACCAMRANH")
    for unit, (numerator, denominator) in (("CANA", (1, 2)), ("TRUONGSA", (2, 2))):
        (blank,) = write_templates(plan, "2026", tmp_path / unit, [unit])
        edit(blank, tmp_path / "inbox" / blank.name, {("MT1.CT1.XA", "numerator"): numerator,
                                                      ("MT1.CT1.XA", "denominator"): denominator})
    _, workbook = consolidate(tmp_path / "inbox", plan, "2026", tmp_path / "t.xlsx", tmp_path / "bdg.sqlite")
    ws = openpyxl.load_workbook(workbook)["Phụ lục"]
    shown = [row[2] for row in ws.iter_rows(min_row=7, values_only=True) if str(row[2]).startswith("Cấp xã")]
    assert shown == ["Cấp xã: 05/06 (83,33%) (3/65 đơn vị) (số liệu năm 2024 của 1/3 đơn vị)"]


def test_one_unit_whose_figure_is_of_an_earlier_year_is_labelled_with_that_year_alone(tmp_path):
    plan, _ = _return(tmp_path, {("MT1.CT1.XA", "numerator"): 2, ("MT1.CT1.XA", "denominator"): 2,
                                 ("MT1.CT1.XA", "data_year"): 2024}, unit="BACCAMRANH")
    _, workbook = consolidate(tmp_path / "inbox", plan, "2026", tmp_path / "t.xlsx", tmp_path / "bdg.sqlite")
    ws = openpyxl.load_workbook(workbook)["Phụ lục"]
    shown = [row[2] for row in ws.iter_rows(min_row=7, values_only=True) if str(row[2]).startswith("Cấp xã")]
    assert shown == ["Cấp xã: 02/02 (100%) (1/65 đơn vị) (số liệu năm 2024)"]
