"""The 2026–2030 plan: milestone targets, two-tier local government (65 communes), a plan over years."""
from decimal import Decimal
from fractions import Fraction

import openpyxl
import pytest
from click.testing import CliRunner

from bdg_excel.aggregate import UnitFigure, aggregate
from bdg_excel.cli import cli
from bdg_excel.consolidate import consolidate
from bdg_excel.consolidation import summary_lines
from bdg_excel.figures import Entry, judge
from bdg_excel.plan import PlanError, plan_to_dict
from bdg_excel.plan_files import builtin_plan, load_plan
from bdg_excel.plan_tables import build_plan
from bdg_excel.plan_workbook import export_plan, read_plan_workbook
from bdg_excel.template import write_templates
from number_formats import dangling_separators
from returns import edit

PLAN_ID = "khanhhoa-bdg-2026-2030"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def khanhhoa():
    return builtin_plan(PLAN_ID)


def test_bdg_plans_lists_the_built_in_plans():
    result = run("plans")
    assert result.exit_code == 0
    assert result.output == (
        "ninhthuan-bdg-2020 (mặc định): Kế hoạch triển khai thực hiện Chiến lược, Chương trình hành động quốc gia "
        "về bình đẳng giới tỉnh Ninh Thuận năm 2020, 18 đơn vị báo cáo\n"  # the title says its years: not twice
        "khanhhoa-bdg-2026-2030: Kế hoạch thực hiện Chiến lược quốc gia về bình đẳng giới giai đoạn 2026–2030 "
        "tỉnh Khánh Hòa (minh họa), 71 đơn vị báo cáo\n")


def test_plan_show_says_the_second_plan_is_illustrative():
    result = run("plan", "show", "--plan", PLAN_ID)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].endswith("tỉnh Khánh Hòa (minh họa)")
    assert lines[2] == "Kế hoạch minh họa, không phải văn bản đã ban hành"
    assert lines[4] == "Năm: 2026–2030; cơ quan tổng hợp: Sở Nội vụ tỉnh Khánh Hòa; báo cáo gửi Bộ Nội vụ"
    assert ("  MT1.CT1.TINH: Tỷ lệ cơ quan quản lý nhà nước, chính quyền địa phương có lãnh đạo chủ chốt là nữ – "
            "Cấp tỉnh (≥ 60% (2025); ≥ 65% (2026); ≥ 75% (2030)) – nhập: SNV") in lines
    assert "  MT3.CT3: Tỷ lệ nạn nhân bị mua bán trở về, có nhu cầu, được hưởng dịch vụ hỗ trợ và tái hòa nhập " \
           "(= 100% (từ 2025)) – nhập: CAT" in lines


def test_the_second_plan_has_two_tiers_and_ten_periods(khanhhoa):
    assert {u.level for u in khanhhoa.units} == {"tỉnh", "xã"}
    communes = [u for u in khanhhoa.units if u.level == "xã"]
    assert len(communes) == 65
    kinds = [next(k for k in ("đặc khu", "phường", "xã") if f"UBND {k} " in u.name) for u in communes]
    assert (kinds.count("xã"), kinds.count("phường"), kinds.count("đặc khu")) == (48, 16, 1)
    assert khanhhoa.unit("BACNHATRANG").name == "UBND phường Bắc Nha Trang"
    assert khanhhoa.unit("TRUONGSA").name == "UBND đặc khu Trường Sa"
    assert [p.code for p in khanhhoa.periods] == [f"{y}{h}" for y in range(2026, 2031) for h in ("-H1", "")]
    assert khanhhoa.period("2026-H1").deadline.isoformat() == "2026-06-15"
    assert khanhhoa.unit("SVHTTDL") is not None and not khanhhoa.elements_for("SVHTTDL")


def test_71_collection_workbooks_for_2026(tmp_path):
    result = run("templates", "--period", "2026", "--out", tmp_path, "--plan", PLAN_ID)
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in tmp_path.glob("*.xlsx"))
    assert len(files) == 71
    provincial = {"SNV", "STC", "SYT", "SGDDT", "CAT", "TKT"}
    assert {name.split("_")[1] for name in files} >= provincial
    assert len([n for n in files if n.split("_")[1] not in provincial]) == 65
    ws = openpyxl.load_workbook(tmp_path / "2026_TRUONGSA_UBND-dac-khu-Truong-Sa.xlsx")["Nhập liệu"]
    codes = [c.value for c in ws["A"] if isinstance(c.value, str) and c.value.startswith("MT")]
    assert codes == ["MT1.CT1.XA", "MT3.CT2a", "MT3.CT2b"]


def _judged(plan, year: int, figures: dict[str, tuple]) -> dict[str, str]:
    """Statuses for ``year`` of data elements each entered by one unit, from (numerator, denominator)."""
    units = [UnitFigure(plan.units_for(code)[0], code, Entry(Decimal(n), Decimal(d)))
             for code, (n, d) in figures.items()]
    results = aggregate(plan, units, year=year)
    return {r.element.code: r.status for r in results if r.element.code in figures}


def test_milestones_are_judged_exactly_boundaries_included(khanhhoa):
    figures = {"MT1.CT1.TINH": (9, 14), "MT4.CT2": (42, 100000), "MT4.CT1": (109, 100), "MT3.CT3": (12, 12)}
    assert _judged(khanhhoa, 2026, figures) == {
        "MT1.CT1.TINH": "Không đạt", "MT4.CT2": "Chưa đạt mốc 2030", "MT4.CT1": "Đã đạt mốc 2030",
        "MT3.CT3": "Đạt"}
    assert _judged(khanhhoa, 2030, figures) == {
        "MT1.CT1.TINH": "Không đạt", "MT4.CT2": "Không đạt", "MT4.CT1": "Đạt", "MT3.CT3": "Đạt"}


def test_which_milestone_applies(khanhhoa):
    element = khanhhoa.element("MT6.CT1")  # ≥ 60 (2025); ≥ 65 (2026); ≥ 80 (2030)
    at = Fraction(70)
    assert [judge(element, at, year) for year in (2025, 2026, 2027, 2030, 2031)] == [
        "Đạt", "Đạt", "Chưa đạt mốc 2030", "Không đạt", "Không đạt"]
    assert judge(element, None, 2026) == "Chưa có số liệu"
    onwards = khanhhoa.element("MT3.CT3")  # = 100 from 2025 on
    assert [judge(onwards, Fraction(99), year) for year in (2025, 2028, 2030)] == ["Không đạt"] * 3
    assert judge(onwards, Fraction(100), 2029) == "Đạt"


@pytest.fixture(scope="module")
def consolidated(tmp_path_factory, khanhhoa):
    """For 2026 and 2030: returns filled through openpyxl with chosen figures, two communes missing."""
    found = {}
    for period in ("2026", "2030"):
        folder = tmp_path_factory.mktemp(f"khanhhoa-{period}")
        chosen = {"SNV": {("MT1.CT1.TINH", "numerator"): 9, ("MT1.CT1.TINH", "denominator"): 14},
                  "SYT": {("MT4.CT2", "numerator"): 42, ("MT4.CT2", "denominator"): 100000,
                          ("MT4.CT1", "numerator"): 109, ("MT4.CT1", "denominator"): 100},
                  "CAT": {("MT3.CT3", "numerator"): 12, ("MT3.CT3", "denominator"): 12}}
        communes = [u.code for u in khanhhoa.units if u.level == "xã"]
        for index, code in enumerate(communes[2:]):  # the first two communes send nothing
            chosen[code] = {("MT1.CT1.XA", "numerator"): 2 * (index % 3 != 0), ("MT1.CT1.XA", "denominator"): 2}
        (folder / "inbox").mkdir()
        for path in write_templates(khanhhoa, period, folder / "templates", list(chosen)):
            edit(path, folder / "inbox" / path.name, {k: int(v) for k, v in chosen[path.name.split("_")[1]].items()})
        result, workbook = consolidate(folder / "inbox", khanhhoa, period, folder / "tong-hop.xlsx",
                                       folder / "bdg.sqlite")
        found[period] = result, workbook
    return found


def _data_sheet(workbook) -> dict[str, dict]:
    ws = openpyxl.load_workbook(workbook, data_only=True)["Dữ liệu"]
    rows = list(ws.iter_rows(values_only=True))
    return {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}


@pytest.mark.slow
def test_2026_returns_are_judged_against_the_milestones(consolidated):
    data = _data_sheet(consolidated["2026"][1])
    statuses = {code: data[code]["Đánh giá"] for code in ("MT1.CT1.TINH", "MT4.CT2", "MT4.CT1", "MT3.CT3")}
    assert statuses == {"MT1.CT1.TINH": "Không đạt", "MT4.CT2": "Chưa đạt mốc 2030",
                        "MT4.CT1": "Đã đạt mốc 2030", "MT3.CT3": "Đạt"}
    assert data["MT1.CT1.TINH"]["Kết quả (hiển thị)"] == "09/14 (64,29%)"
    assert (data["MT1.CT1.TINH"]["Toán tử"], data["MT1.CT1.TINH"]["Chỉ tiêu kế hoạch"]) == ("≥", 65)
    assert (data["MT4.CT2"]["Toán tử"], data["MT4.CT2"]["Chỉ tiêu kế hoạch"]) == ("<", 42)
    assert data["MT4.CT2"]["Kết quả (hiển thị)"] == "42/100.000"
    assert data["MT2.CT1"]["Đánh giá"] == "Chưa có số liệu"


@pytest.mark.slow
def test_the_same_figures_in_2030_are_met_or_missed(consolidated):
    data = _data_sheet(consolidated["2030"][1])
    statuses = {code: data[code]["Đánh giá"] for code in ("MT1.CT1.TINH", "MT4.CT2", "MT4.CT1", "MT3.CT3")}
    assert statuses == {"MT1.CT1.TINH": "Không đạt", "MT4.CT2": "Không đạt", "MT4.CT1": "Đạt", "MT3.CT3": "Đạt"}


@pytest.mark.slow
def test_two_communes_missing_give_63_of_65(consolidated):
    result, workbook = consolidated["2026"]
    data = _data_sheet(workbook)
    # 63 communes: a third of them (21) with no woman leader, the others (42) with one in both bodies
    assert data["MT1.CT1.XA"]["Đơn vị báo cáo"] == "63/65 đơn vị"
    assert data["MT1.CT1.XA"]["Kết quả (hiển thị)"] == "84/126 (66,67%) (63/65 đơn vị)"
    ws = openpyxl.load_workbook(workbook, data_only=True)["Phụ lục"]
    texts = [c.value for c in ws["C"] if c.value]
    assert "Cấp xã: 84/126 (66,67%) (63/65 đơn vị)" in texts
    assert ws.cell(6, 2).value == "CÁC CHỈ TIÊU KẾ HOẠCH GIAI ĐOẠN 2026–2030"
    assert ws.cell(6, 3).value == "SỐ LIỆU KẾT QUẢ ĐẠT ĐƯỢC NĂM 2026"
    missing = [s.unit.code for s in result.submissions if s.status == "Chưa nhận"]
    assert missing == ["STC", "SGDDT", "TKT", "TRUONGSA", "NHATRANG"]


def test_a_milestone_edited_in_the_plan_workbook_changes_the_judgement(khanhhoa, tmp_path):
    path = export_plan(khanhhoa, tmp_path / "kehoach.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["Mốc chỉ tiêu"]
    assert [c.value for c in ws[1]] == ["Mã", "Năm", "Từ năm đó trở đi", "Toán tử", "Chỉ tiêu kế hoạch",
                                        "Cách ghi chỉ tiêu"]
    assert [c.value for c in ws[3]] == ["MT1.CT1.TINH", 2026, "Không", "≥", 65, "đạt 65% (chỉ tiêu năm 2026, minh họa)"]
    ws["E3"] = 64
    wb.save(path)
    figures = {"MT1.CT1.TINH": (9, 14)}
    assert _judged(khanhhoa, 2026, figures) == {"MT1.CT1.TINH": "Không đạt"}
    assert _judged(read_plan_workbook(path), 2026, figures) == {"MT1.CT1.TINH": "Đạt"}


def test_plan_check_reports_bad_milestones_at_their_cells(khanhhoa, tmp_path):
    path = export_plan(khanhhoa, tmp_path / "kehoach.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["Mốc chỉ tiêu"]
    assert [ws[f"A{row}"].value for row in (2, 5, 8, 10)] == ["MT1.CT1.TINH", "MT1.CT1.XA", "MT2.CT1", "MT2.CT2"]
    ws["A2"], ws["D5"], ws["E8"], ws["B10"], ws["B4"] = "MT9.CT9", "≠", "sáu mươi", "năm nay", 2026
    wb.save(path)
    result = run("plan", "check", "--plan", path)
    assert result.exit_code == 1
    assert result.output == (
        "[lỗi] kehoach.xlsx, trang 'Mốc chỉ tiêu', ô A2: Không có số liệu mã 'MT9.CT9' trong bảng 'Số liệu'. "
        "(unknown-element)\n"
        "[lỗi] kehoach.xlsx, trang 'Mốc chỉ tiêu', ô B4: Mốc chỉ tiêu của 'MT1.CT1.TINH' năm 2026 bị lặp lại "
        "(lần đầu ở ô B3). (duplicate-milestone)\n"
        "[lỗi] kehoach.xlsx, trang 'Mốc chỉ tiêu', ô D5: Toán tử '≠' không hợp lệ; dùng một trong: ≥ ≤ < > =. "
        "(unknown-operator)\n"
        "[lỗi] kehoach.xlsx, trang 'Mốc chỉ tiêu', ô E8: 'Chỉ tiêu kế hoạch' phải là một số, không phải "
        "'sáu mươi'. (invalid-value)\n"
        "[lỗi] kehoach.xlsx, trang 'Mốc chỉ tiêu', ô B10: 'Năm' phải là số nguyên, không phải 'năm nay'. "
        "(invalid-value)\n"
        "Kế hoạch có 5 lỗi.\n")


def test_milestones_before_the_first_year_are_valid():
    result = run("plan", "check", "--plan", PLAN_ID)
    assert (result.exit_code, result.output.splitlines()[0]) == (0, f"Kế hoạch '{PLAN_ID}' hợp lệ.")
    assert result.output.splitlines()[1].startswith("Lưu ý: còn 72 nơi dùng địa chỉ email mẫu")  # illustrative


def test_a_data_element_without_milestones_is_reported(khanhhoa):
    data = plan_to_dict(khanhhoa)
    data["targets"] = [t for t in data["targets"] if t["element"] != "MT5.CT1"]
    with pytest.raises(PlanError) as raised:
        build_plan(data, source="ke-hoach.json")
    assert [(p.sheet, p.cell, p.code) for p in raised.value.problems] == [
        ("Số liệu", "A14", "element-without-target")]


def _legacy_tables(plan) -> dict:
    """The plan as a JSON file written before milestones had it: one year, one target per data element."""
    data = plan_to_dict(plan)
    info = data["plan"]
    info["year"] = info.pop("first_year")
    for key in ("last_year", "reports_to", "basis"):
        del info[key]
    targets = {t["element"]: t for t in data.pop("targets")}
    for element in data["elements"]:
        target = targets[element["code"]]
        element.update(operator=target["operator"], target=target["value"], target_text=target["text"])
    return data


def test_a_plan_json_written_before_milestones_reads_as_targets_of_its_year(plan):
    legacy = _legacy_tables(plan)
    assert "targets" not in legacy and legacy["elements"][0]["target"] == "20"
    assert build_plan(legacy, source="cu.json") == plan


def _legacy_workbook(plan, path):
    """The plan workbook as exported before milestones: 'Năm' in 'Kế hoạch', targets in 'Số liệu'."""
    export_plan(plan, path)
    wb = openpyxl.load_workbook(path)
    info = wb["Kế hoạch"]
    headers = [c.value for c in info[1]]
    for header in ("Văn bản căn cứ", "Nơi nhận báo cáo", "Năm kết thúc"):
        info.delete_cols(headers.index(header) + 1)
    info.cell(1, headers.index("Năm bắt đầu") + 1).value = "Năm"
    targets = list(wb["Mốc chỉ tiêu"].iter_rows(min_row=2, values_only=True))
    elements = wb["Số liệu"]
    elements.insert_cols(7, 3)
    for col, header in enumerate(("Toán tử", "Chỉ tiêu kế hoạch", "Cách ghi chỉ tiêu"), start=7):
        elements.cell(1, col).value = header
    for row, (code, _, _, operator, value, text) in enumerate(targets, start=2):
        assert elements.cell(row, 1).value == code
        elements.cell(row, 7).value, elements.cell(row, 8).value, elements.cell(row, 9).value = operator, value, text
    del wb["Mốc chỉ tiêu"]
    wb.save(path)
    return path


def test_a_plan_workbook_exported_before_milestones_still_reads(plan, tmp_path):
    path = _legacy_workbook(plan, tmp_path / "kehoach-cu.xlsx")
    again = read_plan_workbook(path)
    assert again == plan
    assert again.element("MT4.CT2").targets[0].year == 2020


def test_a_bad_target_of_an_old_plan_workbook_is_reported_where_it_is(plan, tmp_path):
    path = _legacy_workbook(plan, tmp_path / "kehoach-cu.xlsx")
    wb = openpyxl.load_workbook(path)
    wb["Số liệu"]["G4"] = "≠"
    wb.save(path)
    result = run("plan", "check", "--plan", path)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        "[lỗi] kehoach-cu.xlsx, trang 'Số liệu', ô G4: Toán tử '≠' không hợp lệ; dùng một trong: ≥ ≤ < > =. "
        "(unknown-operator)")


def test_plan_option_takes_an_id_or_names_the_built_in_plans(tmp_path):
    assert load_plan(PLAN_ID).info.id == PLAN_ID
    result = run("plan", "show", "--plan", "khanhhoa-2026")
    assert result.exit_code == 2
    assert result.output == ("Lỗi: Không tìm thấy tệp kế hoạch 'khanhhoa-2026' (hoặc dùng mã một kế hoạch có sẵn: "
                             "ninhthuan-bdg-2020, khanhhoa-bdg-2026-2030).\n")


def _plan_of_2025(khanhhoa):
    """A plan for 2025 that shares the 2026–2030 plan's codes, its commune figures entered by ten communes only."""
    data = plan_to_dict(khanhhoa)
    data["plan"].update(id="khanhhoa-bdg-2025", title="Kế hoạch năm 2025 (thử)", first_year=2025, last_year=2025)
    data["periods"] = [{"code": "2025", "name": "Báo cáo năm 2025", "deadline": "2025-12-15"}]
    communes = {u.code for u in khanhhoa.units if u.level == "xã"}
    ten = sorted(communes)[:10]
    data["assignments"] = [a for a in data["assignments"] if a["unit"] not in communes or a["unit"] in ten]
    return build_plan(data, source="2025")


@pytest.mark.slow
def test_the_previous_period_may_be_another_plans(khanhhoa, tmp_path):
    earlier = _plan_of_2025(khanhhoa)
    store = tmp_path / "bdg.sqlite"
    for plan, period, figures in (
            (earlier, "2025", {"SNV": {("MT1.CT1.TINH", "numerator"): 8, ("MT1.CT1.TINH", "denominator"): 14},
                               **{u: {("MT1.CT1.XA", "numerator"): 1, ("MT1.CT1.XA", "denominator"): 2}
                                  for u in earlier.units_for("MT1.CT1.XA")}}),
            (khanhhoa, "2026-H1", {"SNV": {("MT1.CT1.TINH", "numerator"): 9, ("MT1.CT1.TINH", "denominator"): 14}})):
        inbox = tmp_path / f"inbox-{period}"
        inbox.mkdir()
        for path in write_templates(plan, period, tmp_path / f"templates-{period}", list(figures)):
            edit(path, inbox / path.name, figures[path.name.split("_")[1]])
        result, workbook = consolidate(inbox, plan, period, tmp_path / f"tong-hop-{period}.xlsx", store)
    assert result.previous_period == "2025"
    assert result.previous == {"MT1.CT1.TINH": "08/14 (57,14%)", "MT1.CT1.XA": "10/20 (50%)"}
    ws = openpyxl.load_workbook(workbook, data_only=True)["Phụ lục"]
    assert ws.cell(6, 4).value == "SỐ LIỆU KỲ TRƯỚC (NĂM 2025)"
    assert [ws.cell(row, 4).value for row in (7, 8)] == ["Cấp tỉnh: 08/14 (57,14%)", "Cấp xã: 10/20 (50%)"]


@pytest.mark.slow
def test_demo_runs_the_whole_cycle_on_the_second_plan(tmp_path):
    """The demo's made-up 2026 figures (bdg_excel/demo.py), judged by hand: goal 1, the province's 9/14 = 64,29%
    misses its 2026 target of 65%, the communes' 87/130 = 66,92% meets it; goal 2, 52,23%, 31,31% and 28,6%
    against the 2030 milestones (≥ 60, < 25, ≥ 30); goal 3, MT3.CT1 1,6 (≤ 1,4), MT3.CT2a 148/161 = 91,93% (≥ 90),
    MT3.CT2b 43/97 (≥ 70), MT3.CT3 12/12 (= 100 from 2025 on: a final target), MT3.CT4 5/6 (= 100); goal 4,
    109 (≤ 109) and 8/19.047 = 42,001 per 100.000 (< 42); goal 5, 93,14% (≥ 95); goal 6, 67,36% (≥ 65 in 2026)."""
    result = run("demo", "--plan", PLAN_ID, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Số liệu chạy thử: số liệu năm 2026 tự đặt ra (kế hoạch minh họa), không phải số liệu thật.\n"
        "Kỳ 2026: 71 đơn vị phải báo cáo – Đúng hạn: 71.\n"
        "Mục tiêu     Đạt  Đã đạt mốc 2030  Chưa đạt mốc 2030  Không đạt  Chưa có số liệu\n"
        "1              1                0                  0          1                0\n"
        "2              0                0                  3          0                0\n"
        "3              1                1                  3          0                0\n"
        "4              0                1                  1          0                0\n"
        "5              0                0                  1          0                0\n"
        "6              1                0                  0          0                0\n"
        "Vấn đề cần xem: 0 (trang 'Lỗi').\n"
        f"Đã ghi '{tmp_path / 'demo' / 'tong-hop-2026.xlsx'}'.\n")
    assert len(list((tmp_path / "demo" / "templates").glob("*.xlsx"))) == 71
    ws = openpyxl.load_workbook(tmp_path / "demo" / "tong-hop-2026.xlsx")["Dữ liệu"]
    notes = {row[0]: row[-1] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert notes["MT1.CT1.TINH"] == "Số liệu tự đặt ra để chạy thử, không phải số liệu thật."


@pytest.mark.slow
@pytest.mark.libreoffice
def test_milestone_statuses_and_their_counts_are_what_libreoffice_computes(consolidated, tmp_path):
    from python_calamine import CalamineWorkbook

    from tests.lo import convert

    _, workbook = consolidated["2026"]
    recalculated = convert(workbook, "xlsx", tmp_path, recalculate=True)
    read = lambda path, sheet: CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()  # noqa: E731
    ours, theirs = read(workbook, "Dữ liệu"), read(recalculated, "Dữ liệu")
    status = ours[0].index("Đánh giá")
    assert [row[status] for row in theirs] == [row[status] for row in ours]
    assert {row[status] for row in ours[1:]} >= {"Đạt", "Không đạt", "Đã đạt mốc 2030", "Chưa đạt mốc 2030"}
    chart_ours, chart_theirs = read(workbook, "Biểu đồ"), read(recalculated, "Biểu đồ")
    assert chart_theirs == chart_ours


@pytest.mark.parametrize("info", ["x", [], [5], None])
def test_an_old_plan_json_with_a_broken_plan_table_is_a_plan_error(info):
    with pytest.raises(PlanError) as raised:
        build_plan({"plan": info, "elements": [{"code": "MT1.CT1", "operator": "≥", "target": "5"}]}, source="cu.json")
    found = {(p.sheet, p.code) for p in raised.value.problems}
    assert ("Kế hoạch", "missing-table") in found or ("Kế hoạch", "missing-value") in found


@pytest.mark.slow
def test_the_summary_line_says_which_indicators_only_meet_or_miss_a_later_milestone(consolidated):
    def summary(workbook):
        ws = openpyxl.load_workbook(workbook)["Phụ lục"]
        return [c.value for c in ws["A"] if isinstance(c.value, str) and c.value.startswith("Tổng số")]

    # 2026: MT3.CT3 and MT4.CT1 met (one of them a 2030 milestone already reached), MT1.CT1 met at commune level
    # only, MT4.CT2 not yet at its 2030 milestone; the other eight indicators have no figure
    assert summary(consolidated["2026"][1]) == [
        "Tổng số 12 chỉ tiêu: Đạt 2 (1 đã đạt mốc 2030); Đạt một phần 1; Không đạt 1 (1 chưa đạt mốc 2030); "
        "Chưa có số liệu 8."]
    # 2030: the milestones are final; MT1.CT1 misses at both levels, MT4.CT2 misses
    assert summary(consolidated["2030"][1]) == ["Tổng số 12 chỉ tiêu: Đạt 2; Đạt một phần 0; Không đạt 2; Chưa có số liệu 8."]


@pytest.mark.slow
def test_the_chart_counts_figures_not_yet_at_a_later_milestone_apart(consolidated):
    """The fixture's figures judged by hand for 2026: MT1.CT1.TINH 9/14 = 64,29% misses its 2026 target (65%),
    MT1.CT1.XA 84/126 = 66,67% meets it; MT3.CT3 12/12 meets 100% (a target from 2025 on); MT4.CT1 109 is
    already within the 2030 milestone (≤ 109), MT4.CT2 42 per 100.000 is not yet (< 42); the other nine data
    elements have no figure. In 2030 the milestones are final: both levels of MT1.CT1 miss 75%, MT4.CT2 misses,
    MT4.CT1 is met."""
    statuses = ["Đạt", "Đã đạt mốc 2030", "Chưa đạt mốc 2030", "Không đạt", "Chưa có số liệu"]
    expected_2026 = [["Mục tiêu 1", 1, 0, 0, 1, 0], ["Mục tiêu 2", 0, 0, 0, 0, 3], ["Mục tiêu 3", 1, 0, 0, 0, 4],
                     ["Mục tiêu 4", 0, 1, 1, 0, 0], ["Mục tiêu 5", 0, 0, 0, 0, 1], ["Mục tiêu 6", 0, 0, 0, 0, 1]]
    expected_2030 = [["Mục tiêu 1", 0, 2, 0], ["Mục tiêu 2", 0, 0, 3], ["Mục tiêu 3", 1, 0, 4],
                     ["Mục tiêu 4", 1, 1, 0], ["Mục tiêu 5", 0, 0, 1], ["Mục tiêu 6", 0, 0, 1]]
    for period, header, expected in (("2026", statuses, expected_2026),
                                     ("2030", ["Đạt", "Không đạt", "Chưa có số liệu"], expected_2030)):
        result, workbook = consolidated[period]
        ws = openpyxl.load_workbook(workbook)["Biểu đồ"]
        assert [c.value for c in ws[1]][:len(header) + 1] == ["Mục tiêu", *header]
        formulas = [[c.value for c in row] for row in ws.iter_rows(min_row=2, max_col=len(header) + 1)]
        assert all(f'"{header[i]}")' in row[i + 1] for row in formulas for i in range(len(header)))
        cached = openpyxl.load_workbook(workbook, data_only=True)["Biểu đồ"]
        assert [[c.value for c in row] for row in cached.iter_rows(min_row=2, max_col=len(header) + 1)] == expected
        (chart,) = ws._charts
        assert len(chart.series) == len(header)
        lines = summary_lines(result)
        assert lines[1].split() == ["Mục", "tiêu", *" ".join(header).split()]
        assert [line.split() for line in lines[2:8]] == [[str(n), *map(str, row[1:])]
                                                         for n, row in enumerate(expected, start=1)]


@pytest.mark.slow
def test_no_number_of_the_2026_and_2030_consolidations_shows_a_dangling_separator(consolidated, khanhhoa, tmp_path):
    paths = [consolidated[period][1] for period in ("2026", "2030")]
    paths += write_templates(khanhhoa, "2026", tmp_path, ["TKT", "SYT", "NHATRANG"])  # TKT: MT3.CT1 has decimals
    assert {path.name: dangling_separators(path) for path in paths} == {path.name: [] for path in paths}
