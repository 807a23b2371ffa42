import json
from decimal import Decimal

import openpyxl
import pytest

from bdg_excel.plan import PlanError
from bdg_excel.plan_files import load_plan
from bdg_excel.plan import plan_to_dict
from bdg_excel.plan_files import check_plan_file
from bdg_excel.plan_workbook import export_plan, read_plan_workbook


def test_default_plan_has_the_dictionary_codes(plan):
    codes = [e.code for e in plan.elements]
    assert len(codes) == 33
    assert codes[0] == "MT1.CT1a.TINH" and codes[-1] == "MT7.CT4"
    assert [g.number for g in plan.goals] == list(range(1, 8))
    assert len(plan.reporting_units) == 18
    assert plan.units_for("MT2.CT1") == ("PRTC", "BACAI", "NINHSON", "NINHHAI", "NINHPHUOC", "THUANBAC", "THUANNAM")
    assert [p.code for p in plan.periods] == ["2020-H1", "2020"]


# Code, scale, operator and target of every data element, as the data dictionary fixes them.
DICTIONARY = [
    ("MT1.CT1a.TINH", 100, "≥", "20"),
    ("MT1.CT1a.HUYEN", 100, "≥", "20"),
    ("MT1.CT1a.XA", 100, "≥", "20"),
    ("MT1.CT1b", 100, "≥", "30"),
    ("MT1.CT1c.TINH", 100, "≥", "30"),
    ("MT1.CT1c.HUYEN", 100, "≥", "30"),
    ("MT1.CT1c.XA", 100, "≥", "30"),
    ("MT1.CT2", 100, "≥", "50"),
    ("MT1.CT3.NN", 100, "≥", "30"),
    ("MT1.CT3.DANG", 100, "≥", "30"),
    ("MT2.CT1", 100, "≥", "50"),
    ("MT2.CT2", 100, "≥", "25"),
    ("MT2.CT3", 100, "≥", "50"),
    ("MT2.CT4", 100, "≥", "100"),
    ("MT3.CT1.TOAN_TINH", 100, "≥", "92"),
    ("MT3.CT1.HUYEN_KK", 100, "≥", "90"),
    ("MT3.CT1.DTTS", 100, "≥", "88"),
    ("MT3.CT2a", 100, "≥", "40"),
    ("MT3.CT2b", 100, "≥", "10"),
    ("MT4.CT1", 100, "≤", "110"),
    ("MT4.CT2", 100000, "<", "40"),
    ("MT4.CT3", 100, "≥", "30"),
    ("MT4.CT4", 100, "≤", "2.5"),
    ("MT5.CT1", 100, "≥", "100"),
    ("MT5.CT2", 100, "≥", "95"),
    ("MT6.CT1", 1, "≤", "1.5"),
    ("MT6.CT2a", 100, "≥", "80"),
    ("MT6.CT2b", 100, "≥", "95"),
    ("MT6.CT3", 100, "≥", "100"),
    ("MT7.CT1", 100, "≥", "100"),
    ("MT7.CT2", 100, "≥", "100"),
    ("MT7.CT3", 100, "≥", "100"),
    ("MT7.CT4", 100, "≥", "100"),
]


def test_default_plan_matches_the_data_dictionary(plan):
    assert [e.code for e in plan.elements] == [code for code, *_ in DICTIONARY]
    for code, scale, operator, target in DICTIONARY:
        element = plan.element(code)
        milestones = [(t.year, t.onwards, t.operator, t.value) for t in element.targets]
        assert (element.scale, milestones) == (Decimal(scale), [(2020, False, operator, Decimal(target))]), code


def test_export_then_read_gives_an_equal_plan(plan, tmp_path):
    path = export_plan(plan, tmp_path / "plan.xlsx")
    again = read_plan_workbook(path)
    assert again == plan
    assert again.version == plan.version


def test_json_plan_round_trip(plan, tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan_to_dict(plan), ensure_ascii=False), "utf-8")
    assert load_plan(path) == plan


def _edit(plan, tmp_path, sheet, edits):
    path = export_plan(plan, tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(path)
    for cell, value in edits.items():
        wb[sheet][cell] = value
    wb.save(path)
    return [(p.sheet, p.cell, p.code) for p in check_plan_file(path)]


@pytest.mark.parametrize("sheet, edits, expected", [
    ("Số liệu", {"A3": "MT1.CT1a.TINH"}, ("Số liệu", "A3", "duplicate-code")),
    ("Phân công", {"B2": "XYZ"}, ("Phân công", "B2", "unknown-unit")),
    ("Mốc chỉ tiêu", {"D4": "≠"}, ("Mốc chỉ tiêu", "D4", "unknown-operator")),
    ("Số liệu", {"H5": None}, ("Số liệu", "H5", "missing-value")),
    ("Số liệu", {"E6": 0}, ("Số liệu", "E6", "invalid-scale")),
    ("Số liệu", {"E7": "một trăm"}, ("Số liệu", "E7", "invalid-value")),
    ("Số liệu", {"A8": "MT9.CT9"}, ("Số liệu", "A8", "unassigned-element")),
    ("Số liệu", {"B9": "MT9.CT1"}, ("Số liệu", "B9", "unknown-indicator")),
    ("Số liệu", {"I10": 500}, ("Số liệu", "J10", "invalid-range")),
    ("Đơn vị", {"D3": "khong-phai-email"}, ("Đơn vị", "D3", "invalid-email")),
    ("Đơn vị", {"C4": "thôn"}, ("Đơn vị", "C4", "unknown-level")),
    ("Kỳ báo cáo", {"A2": "2020-Q1"}, ("Kỳ báo cáo", "A2", "invalid-code")),
    ("Kỳ báo cáo", {"A3": "2021"}, ("Kỳ báo cáo", "A3", "period-outside-plan")),
    ("Kỳ báo cáo", {"C3": "ngày mai"}, ("Kỳ báo cáo", "C3", "invalid-value")),
    ("Chỉ tiêu", {"B2": 9}, ("Chỉ tiêu", "B2", "unknown-goal")),
])
def test_each_plan_mistake_is_reported_at_its_cell(plan, tmp_path, sheet, edits, expected):
    assert expected in _edit(plan, tmp_path, sheet, edits)


def test_plan_mistakes_are_all_reported_together(plan, tmp_path):
    found = _edit(plan, tmp_path, "Số liệu", {"A3": "MT1.CT1a.TINH", "G4": "~", "E6": -1})
    assert [(c, code) for sheet, c, code in found if sheet == "Số liệu"] == [
        ("A3", "duplicate-code"), ("G4", "invalid-value"), ("E6", "invalid-scale")]
    assert ("Phân công", "A3", "unknown-element") in found  # MT1.CT1a.HUYEN is gone
    assert ("Mốc chỉ tiêu", "A3", "unknown-element") in found


def test_columns_are_found_by_header_not_position(plan, tmp_path):
    path = export_plan(plan, tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Đơn vị"].insert_cols(1)
    wb["Đơn vị"]["A1"] = "STT"
    wb.save(path)
    assert read_plan_workbook(path) == plan
    wb["Đơn vị"]["E3"] = "sai email"
    wb.save(path)
    assert [(p.sheet, p.cell) for p in check_plan_file(path)] == [("Đơn vị", "E3")]


def test_missing_sheet_is_reported(plan, tmp_path):
    path = export_plan(plan, tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(path)
    del wb["Phân công"]
    wb.save(path)
    with pytest.raises(PlanError) as caught:
        read_plan_workbook(path)
    assert [(p.sheet, p.code) for p in caught.value.problems] == [("Phân công", "missing-sheet")]


def test_not_a_plan_file_is_a_clear_error(tmp_path):
    path = tmp_path / "plan.xlsx"
    path.write_text("not a workbook")
    with pytest.raises(PlanError, match="Không đọc được tệp kế hoạch 'plan.xlsx'"):
        load_plan(path)
    (tmp_path / "plan.json").write_text("{broken")
    with pytest.raises(PlanError, match="không đọc được tệp kế hoạch JSON"):
        load_plan(tmp_path / "plan.json")


def test_unknown_period_is_a_clear_error(plan):
    with pytest.raises(PlanError, match="không có trong kế hoạch"):
        plan.period("2021")
    with pytest.raises(PlanError, match="không đúng dạng"):
        plan.period("2020-H3")
    assert plan.period("2020-H1").deadline.isoformat() == "2020-06-15"


def test_unit_codes_are_found_in_any_case(plan):
    assert plan.unit("syt") is plan.unit("SYT") is plan.unit("Syt")
    assert plan.unit("syt").code == "SYT"
    assert plan.unit("xyz") is None


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04broken", "<html><body>kế hoạch</body></html>".encode()])
def test_a_file_that_is_not_a_workbook_is_a_vietnamese_error(tmp_path, content):
    path = tmp_path / "kehoach.xlsx"
    path.write_bytes(content)
    with pytest.raises(PlanError) as caught:
        check_plan_file(path)
    assert str(caught.value) == ("Không đọc được tệp kế hoạch 'kehoach.xlsx': tệp không phải là bảng tính Excel "
                                 "(.xlsx) hoặc đã bị hỏng. Hãy mở tệp bằng Excel, lưu lại dạng .xlsx rồi chạy lại.")
    assert caught.value.problems == ()


def test_a_broken_sheet_is_a_vietnamese_error(plan, tmp_path):
    import zipfile

    good = export_plan(plan, tmp_path / "good.xlsx")
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as archive:
        for name in source.namelist():
            data = source.read(name)
            archive.writestr(name, b"<worksheet><sheetData><row" if name.startswith("xl/worksheets/") else data)
    with pytest.raises(PlanError, match=r"^Không đọc được tệp kế hoạch 'broken.xlsx': tệp không phải là bảng tính"):
        read_plan_workbook(broken)


def test_a_json_plan_not_in_utf8_is_a_vietnamese_error(tmp_path):
    from bdg_excel.plan import PlanError
    from bdg_excel.plan_files import load_plan

    path = tmp_path / "kehoach.json"
    path.write_bytes('{"ten": "Kế hoạch"}'.encode("utf-16"))  # as Notepad saves "Unicode"
    with pytest.raises(PlanError, match="phải được lưu với mã UTF-8"):
        load_plan(path)
