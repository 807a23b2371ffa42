import json
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from bdg_excel import layout
from bdg_excel.figures import Entry
from bdg_excel.numbers import to_decimal
from bdg_excel.template import write_template
from tests.xlsx_compare import first_difference

INPUTS = ("Tử số", "Mẫu số", "Giá trị", "Ghi chú", "Năm số liệu")


def data_rows(ws):
    header = next(r for r in ws.iter_rows() if r[0].value == "Mã")
    columns = {c.value: c.column for c in header}
    rows = [r for r in ws.iter_rows(min_row=header[0].row + 1) if r[0].value]
    return header[0].row, columns, rows


def validations_by_cell(ws):
    found = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in ws.iter_rows(min_row=rng.min_row, max_row=rng.max_row, min_col=rng.min_col, max_col=rng.max_col):
                for cell in row:
                    assert cell.coordinate not in found, f"two rules on {cell.coordinate}"
                    found[cell.coordinate] = dv
    return found


def test_one_workbook_per_entering_unit_with_readable_ascii_names(plan, templates_2020):
    names = [p.name for p in templates_2020]
    assert len(names) == 18
    assert "2020_SYT_So-Y-te.xlsx" in names
    assert "2020_PRTC_UBND-thanh-pho-Phan-Rang-Thap-Cham.xlsx" in names
    assert all(n.isascii() for n in names)


def test_each_element_is_in_exactly_the_workbooks_of_its_units(plan, templates_2020):
    seen = Counter()
    for path in templates_2020:
        ws = openpyxl.load_workbook(path)[layout.DATA_SHEET]
        unit = ws["B5"].value if ws["A5"].value == layout.LABEL_UNIT_CODE else None
        codes = [r[0].value for r in data_rows(ws)[2]]
        assert codes == [e.code for e in plan.elements_for(unit)]
        seen.update((code, unit) for code in codes)
    assert set(seen) == set(plan.assignments) and set(seen.values()) == {1}


@pytest.mark.parametrize("index", range(18))
def test_inputs_unlocked_and_validated_everything_else_locked(plan, templates_2020, index):
    wb = openpyxl.load_workbook(templates_2020[index])
    assert wb.sheetnames == [layout.INSTRUCTIONS_SHEET, layout.DATA_SHEET, layout.META_SHEET]
    ws = wb[layout.DATA_SHEET]
    assert ws.protection.sheet and not ws.protection.password
    assert wb[layout.INSTRUCTIONS_SHEET].protection.sheet
    header_row, columns, rows = data_rows(ws)
    assert [ws.cell(header_row, c).value for c in range(1, 12)] == [c.header for c in layout.COLUMNS]
    rules = validations_by_cell(ws)
    inputs = set()
    for row in rows:
        element = plan.element(row[0].value)
        for header in INPUTS:
            cell = ws.cell(row[0].row, columns[header])
            inputs.add(cell.coordinate)
            assert cell.protection.locked is False, cell.coordinate
            rule = rules[cell.coordinate]
            assert rule.showErrorMessage and rule.error and rule.prompt, cell.coordinate
            whole = "whole" if element.whole_numbers else "decimal"
            if header == "Tử số":
                expected = ("custom", None) if element.share else (whole, "greaterThanOrEqual")
                assert (rule.type, rule.operator) == expected
                if element.share:
                    assert "<=" in rule.formula1
            elif header == "Mẫu số":
                assert (rule.type, rule.operator, rule.formula1) == (whole, "greaterThan", "0")
            elif header == "Giá trị":
                assert rule.type == "decimal" and rule.operator in (None, "between")
                assert (to_decimal(float(rule.formula1)), to_decimal(float(rule.formula2))) == (
                    element.value_min, element.value_max)
            elif header == "Năm số liệu":
                assert (rule.type, rule.operator or "between", rule.formula1, rule.formula2) == (
                    "whole", "between", "1990", "2020")
            else:
                assert rule.type == "textLength"
    for line in ws.iter_rows(min_row=1, max_row=ws.max_row + 5, max_col=12):
        for cell in line:
            if cell.coordinate not in inputs:
                assert cell.protection.locked is not False, cell.coordinate
    assert set(rules) == inputs


def test_metadata_in_custom_properties_and_very_hidden_sheet(plan, templates_2020):
    path = next(p for p in templates_2020 if "_SYT_" in p.name)
    wb = openpyxl.load_workbook(path)
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    meta_sheet = wb[layout.META_SHEET]
    meta = {r[0].value: r[1].value for r in meta_sheet.iter_rows(min_row=2)}
    assert meta_sheet.sheet_state == "veryHidden"
    assert meta["plan_id"] == "ninhthuan-bdg-2020" and meta["plan_version"] == plan.version
    assert (meta["period"], meta["unit"], meta["format_version"]) == ("2020", "SYT", layout.FORMAT_VERSION)
    assert datetime.fromisoformat(meta["generated_at"]).year >= 2026
    assert props == {"bdg_" + k: v for k, v in meta.items() if not k.startswith(layout.ELEMENT_KEY)}
    assert json.loads(meta[layout.ELEMENT_KEY + "MT4.CT2"]) == [
        "100000", "/100.000 trẻ đẻ sống", "Số bà mẹ tử vong liên quan đến thai sản", "Số trẻ đẻ sống"]


def test_header_block_and_print_setup(plan, templates_2020):
    path = next(p for p in templates_2020 if "_SYT_" in p.name)
    ws = openpyxl.load_workbook(path)[layout.DATA_SHEET]
    block = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, 10)}
    assert block[layout.LABEL_UNIT] == "Sở Y tế"
    assert block[layout.LABEL_PERIOD_CODE] == "2020"
    assert block[layout.LABEL_DEADLINE] == "15/12/2020"
    assert plan.info.title == block[layout.LABEL_PLAN]
    assert (ws.page_setup.paperSize, ws.page_setup.orientation) == (9, "landscape")
    assert ws.page_setup.scale == 69  # the columns fill the page's width; pages are broken by hand
    assert ws.print_title_rows == f"${layout.HEADER_ROW + 1}:${layout.HEADER_ROW + 1}"
    assert ws.oddFooter.center.text == "SYT – Trang &P/&N"
    assert ws["A1"].font.name == "Times New Roman" and ws["B12"].font.name == "Times New Roman"


def test_preview_formula_caches_its_result(plan, tmp_path):
    unit = plan.unit("SYT")
    path = tmp_path / "syt.xlsx"
    entries = {"MT4.CT2": Entry(numerator=to_decimal(3), denominator=to_decimal(17544)),
               "MT4.CT3": Entry(value=to_decimal(16.8))}
    write_template(plan, plan.period("2020"), unit, path, entries=entries)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(layout.DATA_SHEET).to_python()
    preview = {r[0]: r[layout.COLUMN_INDEX["preview"]] for r in rows if str(r[0]).startswith("MT")}
    assert preview["MT4.CT2"] == pytest.approx(3 / 17544 * 100000)
    assert preview["MT4.CT3"] == 16.8
    assert preview["MT4.CT1"] == "" and preview["MT4.CT4"] == ""
    formula = openpyxl.load_workbook(path)[layout.DATA_SHEET]["I12"].value
    assert formula.startswith("=IF(AND(ISNUMBER(F12),ISNUMBER(G12))")


def test_master_template_is_up_to_date(plan, tmp_path):
    from bdg_excel.template import write_master

    fresh = write_master(plan, tmp_path / "agency_template.xlsx")
    committed = Path(__file__).resolve().parent.parent / "templates" / "agency_template.xlsx"
    difference = first_difference(committed, fresh)
    assert difference is None, f"run `bdg master` to regenerate templates/agency_template.xlsx: {difference}"


@pytest.mark.slow
def test_many_units_are_written_by_worker_processes_with_the_same_result(plan, tmp_path, monkeypatch):
    import bdg_excel.template as template

    monkeypatch.setattr(template, "PARALLEL_FROM", 2)
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    parallel = template.write_templates(plan, "2020", tmp_path / "parallel", now=now)
    monkeypatch.setattr(template, "PARALLEL_FROM", 1000)
    serial = template.write_templates(plan, "2020", tmp_path / "serial", now=now)
    assert [p.name for p in parallel] == [p.name for p in serial] and len(parallel) == 18
    for a, b in zip(parallel, serial):
        assert first_difference(a, b) is None
