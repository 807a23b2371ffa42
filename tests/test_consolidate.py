import os
import re
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from bdg_excel.cli import cli
from bdg_excel.demo import SENT_ON, seed_entries
from bdg_excel.layout import template_file_name
from bdg_excel.plan_tables import build_plan
from bdg_excel.plan import plan_to_dict
from bdg_excel.report import DATA_COLUMNS
from tests.returns import edit, entry, make_return

REPO = Path(__file__).resolve().parent.parent

# The seed's appendix: (numerator/denominator as printed, percentage as printed). Our output keeps
# the fraction and gives the exact value rounded to 2 decimals; the seed's percentage must be that
# value rounded to the seed's own decimals, except where the seed itself is inconsistent.
SEED_FRACTIONS = {
    "MT1.CT1a.TINH": ("05/50", "10"), "MT1.CT1a.HUYEN": ("48/268", "16,78"), "MT1.CT1a.XA": ("226/828", "27,3"),
    "MT1.CT1b": ("02/06", "33,33"), "MT1.CT1c.TINH": ("14/50", "28"), "MT1.CT1c.HUYEN": ("58/228", "25,43"),
    "MT1.CT1c.XA": ("509/1.753", "29,04"), "MT1.CT2": ("48/93", "51,61"), "MT1.CT3.NN": ("48/136", "35,29"),
    "MT1.CT3.DANG": ("159/197", "80,71"), "MT2.CT1": ("8.688/17.174", "50,59"), "MT2.CT2": ("902/3.184", "28,3"),
    "MT2.CT3": ("4.860/9.326", "52,11"), "MT3.CT1.TOAN_TINH": ("25.369/27.430", "92"),
    "MT3.CT2a": ("17/40", "42,5"), "MT6.CT2a": ("87/109", "80"), "MT6.CT2b": ("82/86", "95"),
}
SEED_INCONSISTENT = {"MT1.CT1a.HUYEN": "17,91", "MT1.CT1c.HUYEN": "25,44"}  # 48/268, 58/228 (truncated)
SEED_VALUES = {
    "MT2.CT4": "100%", "MT3.CT2b": "0%", "MT4.CT1": "108,5/100", "MT4.CT2": "17,1/100.000", "MT4.CT3": "16,8%",
    "MT4.CT4": "2,5/100", "MT5.CT2": "100%", "MT6.CT1": "1,5 lần", "MT6.CT3": "100%", "MT7.CT1": "100%",
    "MT7.CT2": "100%", "MT7.CT3": "100%", "MT7.CT4": "100%", "MT5.CT1": "65/65 (100%)",
}
MISSED = {"MT1.CT1a.TINH", "MT1.CT1a.HUYEN", "MT1.CT1c.TINH", "MT1.CT1c.HUYEN", "MT1.CT1c.XA", "MT3.CT2b",
          "MT4.CT3", "MT6.CT2a"}
NO_DATA = {"MT3.CT1.HUYEN_KK", "MT3.CT1.DTTS"}


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    result = run("demo", "--out", out)
    assert result.exit_code == 0, result.output
    return out / "demo" / "tong-hop-2020.xlsx", result.output


def data_sheet(path):
    ws = openpyxl.load_workbook(path)["Dữ liệu"]
    header = [c.value for c in ws[1]]
    return ws, header, {row[0].value: {h: c for h, c in zip(header, row)} for row in ws.iter_rows(min_row=2)}


def appendix_rows(path):
    """The appendix's figure rows as a viewer shows them (cached formula results), without the summary line."""
    ws = openpyxl.load_workbook(path, data_only=True)["Phụ lục"]
    return ws, [tuple(c.value for c in row) for row in ws.iter_rows(min_row=7, max_row=ws.max_row - 1)]


def test_demo_reproduces_the_seed_appendix(plan, demo):
    path, _ = demo
    _, rows = appendix_rows(path)
    results = [r[2] for r in rows]
    assert len(results) == 33
    by_code = dict(zip([e.code for e in plan.elements], results))
    for code, (fraction, printed) in SEED_FRACTIONS.items():
        text = by_code[code]
        ours = text.split("(")[-1].rstrip("%)")
        assert f"{fraction} (" in text, (code, text)
        places = len(printed.split(",")[1]) if "," in printed else 0
        rounded = f"{float(ours.replace(',', '.')):.{places}f}".replace(".", ",")
        assert ours == SEED_INCONSISTENT.get(code, ours)
        if code not in SEED_INCONSISTENT:
            assert rounded == printed, (code, text)
    for code, printed in SEED_VALUES.items():
        assert by_code[code].endswith(printed), (code, by_code[code])
    assert by_code["MT1.CT1a.TINH"] == "Cấp tỉnh: 05/50 (10%)"
    assert by_code["MT2.CT1"] == "8.688/17.174 (50,59%)"
    assert by_code["MT3.CT1.DTTS"] == "Người dân tộc thiểu số: Chưa có số liệu"


def test_statuses_follow_the_targets_on_exact_values(plan, demo):
    path, _ = demo
    _, rows = appendix_rows(path)
    statuses = dict(zip([e.code for e in plan.elements], [r[-1] for r in rows]))
    expected = {code: "Không đạt" if code in MISSED else "Chưa có số liệu" if code in NO_DATA else "Đạt"
                for code in statuses}
    assert statuses == expected
    _, _, data = data_sheet(path)
    assert data["MT6.CT2a"]["Kết quả (hiển thị)"].value == "87/109 (79,82%)"  # prints as 80% in the seed


def test_data_sheet_has_numbers_as_numbers_and_a_table(demo):
    path, _ = demo
    ws, header, data = data_sheet(path)
    assert header == [c.header for c in DATA_COLUMNS]
    for required in ("Mã", "Phân tổ", "Đơn vị báo cáo", "Tử số", "Mẫu số", "Kết quả", "Toán tử", "Chỉ tiêu kế hoạch",
                     "Đánh giá"):
        assert required in header
    row = data["MT2.CT1"]
    assert (row["Tử số"].value, row["Mẫu số"].value, row["Đơn vị báo cáo"].value) == (8688, 17174, "7/7 đơn vị")
    assert row["Toán tử"].value == "≥" and row["Chỉ tiêu kế hoạch"].value == 50
    assert row["Kết quả"].value.startswith("=IF(") and row["Đánh giá"].value.startswith("=IF(")
    assert list(ws.tables) == ["DuLieu"] and ws.tables["DuLieu"].ref == "A1:Q34"


def test_every_formula_carries_its_result(demo):
    path, _ = demo
    book = CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_name("Dữ liệu").to_python()
    header = rows[0]
    col = {h: header.index(h) for h in header}
    cached = {r[0]: r for r in rows[1:]}
    assert cached["MT2.CT1"][col["Kết quả"]] == pytest.approx(8688 / 17174 * 100)
    assert cached["MT4.CT2"][col["Kết quả"]] == pytest.approx(17.1)
    assert cached["MT6.CT2a"][col["Đánh giá"]] == "Không đạt"
    assert cached["MT3.CT1.DTTS"][col["Kết quả"]] == "" and cached["MT3.CT1.DTTS"][col["Đánh giá"]] == "Chưa có số liệu"
    appendix = book.get_sheet_by_name("Phụ lục").to_python()
    assert [r[-1] for r in appendix[6:]].count("Không đạt") == len(MISSED)
    chart = book.get_sheet_by_name("Biểu đồ").to_python()
    assert chart[1][:4] == ["Mục tiêu 1", 5.0, 5.0, 0.0]


# Functions every Excel since 2007 and LibreOffice know: a formula using a newer one (XLOOKUP, FILTER, ...)
# would show an error in the older spreadsheet programs the units and the office use.
CLASSIC_FUNCTIONS = {"IF", "AND", "OR", "NOT", "ISNUMBER", "ISERROR", "INT", "SEARCH", "COUNTIFS", "ROUND"}


def formula_functions(path) -> set[str]:
    """Names of the functions in a workbook's cell formulas, conditional formats and validations."""
    formulas = []
    for ws in openpyxl.load_workbook(path).worksheets:
        formulas += [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] == "="]
        formulas += [f for cf in ws.conditional_formatting for rule in cf.rules for f in rule.formula or []]
        formulas += [f for dv in ws.data_validations.dataValidation for f in (dv.formula1, dv.formula2) if f]
    return {name for formula in formulas for name in re.findall(r"([A-Z][A-Z0-9._]*)\(", formula)}


def test_formulas_use_only_classic_functions(demo):
    path, _ = demo
    template = sorted((path.parent / "templates").glob("*.xlsx"))[0]
    for book in (path, template):
        used = formula_functions(book)
        assert {"IF", "ISNUMBER"} <= used and used <= CLASSIC_FUNCTIONS, (book.name, used - CLASSIC_FUNCTIONS)


def test_conditional_formats_print_setup_and_merged_goals(demo):
    path, _ = demo
    wb = openpyxl.load_workbook(path)
    ws = wb["Phụ lục"]
    rules = {str(r.sqref): [x.formula for x in r.rules] for r in ws.conditional_formatting}
    assert rules["E7:E39"] == [['"Không đạt"'], ['"Đạt"'], ['"Chưa có số liệu"']]
    assert rules["C7:C39"] == [['$E7="Không đạt"'], ['$E7="Đạt"'], ['$E7="Chưa có số liệu"']]
    data_rules = {str(r.sqref): [x.formula for x in r.rules] for r in wb["Dữ liệu"].conditional_formatting}
    assert data_rules["N2:N34"][0] == ['"Không đạt"'] and data_rules["J2:J34"][0] == ['$N2="Không đạt"']
    assert (ws.page_setup.paperSize, ws.page_setup.orientation, ws.page_setup.scale) == (9, "landscape", 81)
    assert not ws.sheet_properties.pageSetUpPr.fitToPage  # paged by hand: Excel ignores page breaks when fitting
    assert [b.id for b in ws.row_breaks.brk] == [19, 31]  # pages start at rows 20 and 32
    assert ws.print_title_rows == "$6:$6"
    margins = ws.page_margins
    assert [round(x * 25.4) for x in (margins.top, margins.bottom, margins.left, margins.right)] == [20, 20, 30, 15]
    assert (ws.oddHeader.center.text, ws.oddHeader.center.size, ws.HeaderFooter.differentFirst) == ("&P", 13, True)
    assert not ws.oddFooter.center.text and not ws.firstHeader.center.text
    assert ws["B7"].font.name == "Times New Roman"
    merged = sorted(str(r) for r in ws.merged_cells.ranges if r.max_col == 1 and r.min_row >= 7)
    assert merged == ["A17:A19", "A21:A25", "A26:A29", "A30:A31", "A32:A35", "A36:A39", "A7:A16"]
    assert ws["A20"].value == ws["A17"].value + " (tiếp theo)"  # Mục tiêu 2 goes on over page 2
    assert ws["A7"].value.startswith("Mục tiêu 1: Tăng cường sự tham gia của phụ nữ")
    assert [c.value for c in ws[6]][:3] == ["MỤC TIÊU", "CÁC CHỈ TIÊU KẾ HOẠCH NĂM 2020",
                                            "SỐ LIỆU KẾT QUẢ ĐẠT ĐƯỢC NĂM 2020"]
    assert ws["A1"].value == "PHỤ LỤC" and "BÌNH ĐẲNG GIỚI TỈNH NINH THUẬN NĂM 2020" in ws["A2"].value
    assert wb.sheetnames == ["Phụ lục", "Dữ liệu", "Theo đơn vị", "Tình trạng nộp", "Lỗi", "Biểu đồ"]
    assert wb["Biểu đồ"]._charts


def test_demo_prints_a_summary(demo):
    _, output = demo
    assert output.splitlines()[0] == "Kỳ 2020: 18 đơn vị phải báo cáo – Đúng hạn: 18."
    assert "1              5          5                0" in output


def _inbox(plan, folder, skip=(), period="2020"):
    """The seed's returns, one file per unit, sent on time."""
    paths = {}
    for unit, entries in seed_entries(plan).items():
        if unit in skip:
            continue
        path = folder / template_file_name(period, unit, plan.unit(unit).name)
        make_return(plan, unit, path, entries, period=period)
        os.utime(path, (SENT_ON.timestamp(), SENT_ON.timestamp()))
        paths[unit] = path
    return paths


def _stamp(path, when):
    os.utime(path, (when.timestamp(), when.timestamp()))


def test_missing_late_rejected_and_resubmitted_units(plan, tmp_path):
    inbox = tmp_path / "inbox"
    paths = _inbox(plan, inbox, skip=("BACAI",))
    _stamp(paths["THUANNAM"], datetime(2020, 12, 20, 8, 0))
    wrong = edit(paths["SKHDT"], inbox / "skhdt.xlsx", change=lambda wb: wb["_meta"].__setitem__("B2", "binhthuan-2020"))
    paths["SKHDT"].unlink()
    _stamp(wrong, SENT_ON)
    fixed = edit(paths["SYT"], inbox / "syt-sua-lai.xlsx", {("MT4.CT3", "value"): 31})
    _stamp(fixed, datetime(2020, 12, 12, 8, 0))
    out = tmp_path / "tong-hop.xlsx"
    result = run("consolidate", inbox, "--period", "2020", "--out", out, "--store", tmp_path / "s.sqlite")
    assert result.exit_code == 1, result.output
    wb = openpyxl.load_workbook(out)
    status = {r[0].value: [c.value for c in r] for r in wb["Tình trạng nộp"].iter_rows(min_row=2)}
    assert status["BACAI"][2:4] == ["Chưa nhận", ""]
    assert status["THUANNAM"][2] == "Nộp muộn"
    assert status["SKHDT"][2:4] == ["Bị từ chối", "skhdt.xlsx"]
    assert status["SYT"][2:4] == ["Đúng hạn", "syt-sua-lai.xlsx"]
    assert status["SYT"][8] == "Thay thế 1 tệp gửi trước (tệp đầu tiên gửi ngày 10/12/2020)"
    assert status["PRTC"][2] == "Đúng hạn" and status["PRTC"][7] == "5/5"
    problems = [[c.value for c in r] for r in wb["Lỗi"].iter_rows(min_row=2)]
    assert ["skhdt.xlsx", "SKHDT", "", "", "wrong-plan", "lỗi"] == problems[0][:6]
    _, rows = appendix_rows(out)
    by_code = dict(zip([e.code for e in plan.elements], rows))
    assert by_code["MT2.CT1"][2].endswith("(6/7 đơn vị)")
    assert by_code["MT2.CT2"][2:] == ("Chưa có số liệu", "Sở KH-ĐT; Cục Thống kê", "Chưa có số liệu")
    assert by_code["MT4.CT3"][2] == "31%" and by_code["MT4.CT3"][-1] == "Đạt"
    by_unit = [[c.value for c in r] for r in wb["Theo đơn vị"].iter_rows(min_row=2)]
    bacai = [r for r in by_unit if r[3] == "BACAI"]
    assert len(bacai) == 5 and {r[5] for r in bacai} == {None}
    cached = openpyxl.load_workbook(out, data_only=True)["Theo đơn vị"]
    assert {cached.cell(r, 11).value for r in range(2, cached.max_row + 1)
            if cached.cell(r, 4).value == "BACAI"} == {"Chưa có số liệu"}


def test_clean_inbox_exits_0_and_rerun_is_idempotent(plan, tmp_path):
    inbox = tmp_path / "inbox"
    _inbox(plan, inbox)
    args = ("consolidate", inbox, "--period", "2020", "--out", tmp_path / "a.xlsx", "--store", tmp_path / "s.sqlite")
    first = run(*args)
    assert first.exit_code == 0, first.output
    second = run(*args)
    assert second.exit_code == 0 and second.output == first.output


def test_values_without_fractions_from_several_units_are_a_problem(plan, tmp_path):
    inbox = tmp_path / "inbox"
    paths = _inbox(plan, inbox)
    for unit in ("PRTC", "BACAI"):
        edit(paths[unit], cells={("MT2.CT1", "numerator"): None, ("MT2.CT1", "denominator"): None,
                                 ("MT2.CT1", "value"): 50})
    out = tmp_path / "t.xlsx"
    result = run("consolidate", inbox, "--period", "2020", "--out", out, "--store", tmp_path / "s.sqlite")
    assert result.exit_code == 1
    problems = [[c.value for c in r] for r in openpyxl.load_workbook(out)["Lỗi"].iter_rows(min_row=2)]
    assert [p[4] for p in problems] == ["value-cannot-be-summed"] * 2
    _, rows = appendix_rows(out)
    assert rows[10][2].endswith("(5/7 đơn vị)")


def test_the_per_unit_sheet_says_why_a_figure_a_unit_typed_is_not_in_the_sum(plan, tmp_path):
    inbox = tmp_path / "inbox"
    paths = _inbox(plan, inbox)
    edit(paths["PRTC"], cells={("MT2.CT1", "numerator"): None, ("MT2.CT1", "denominator"): None,
                               ("MT2.CT1", "value"): 50,  # a value alone: it cannot be summed
                               ("MT2.CT3", "numerator"): 900, ("MT2.CT3", "denominator"): 90})  # an error
    out = tmp_path / "t.xlsx"
    run("consolidate", inbox, "--period", "2020", "--out", out, "--store", tmp_path / "s.sqlite")
    rows = openpyxl.load_workbook(out)["Theo đơn vị"].iter_rows(min_row=2, values_only=True)
    notes = {(row[0], row[3]): (row[10], row[11]) for row in rows}
    assert notes[("MT2.CT1", "PRTC")] == ("Đạt", "chỉ nhập giá trị, không cộng được vào tổng")
    assert notes[("MT2.CT3", "PRTC")] == ("Chưa có số liệu", "có lỗi, chưa được tính (xem trang 'Lỗi')")
    assert notes[("MT2.CT3", "BACAI")] == ("Đạt", "")


def test_text_from_returns_is_never_a_formula(plan, tmp_path):
    inbox = tmp_path / "inbox"
    paths = _inbox(plan, inbox)
    entries = seed_entries(plan)["SYT"]
    entries["MT4.CT1"] = entry(value=108.5, note='=HYPERLINK("http://x","bấm")')
    make_return(plan, "SYT", paths["SYT"], entries)
    out = tmp_path / "t.xlsx"
    run("consolidate", inbox, "--period", "2020", "--out", out, "--store", tmp_path / "s.sqlite")
    _, _, data = data_sheet(out)
    note = data["MT4.CT1"]["Ghi chú"]
    assert note.value == '=HYPERLINK("http://x","bấm")' and note.data_type == "s"


@pytest.mark.slow
def test_previous_period_is_shown_beside(plan, tmp_path):
    inbox = tmp_path / "inbox"
    _inbox(plan, inbox / "h1", period="2020-H1")
    _inbox(plan, inbox / "nam")
    out = tmp_path / "t.xlsx"
    result = run("consolidate", inbox, "--period", "2020", "--out", out, "--store", tmp_path / "s.sqlite")
    assert result.exit_code == 0  # the six-month forms beside each unit's annual return need nothing more
    ws, rows = appendix_rows(out)
    assert ws["D6"].value == "SỐ LIỆU KỲ TRƯỚC (06 THÁNG ĐẦU NĂM 2020)"
    assert rows[10][3] == "8.688/17.174 (50,59%)"
    _, _, data = data_sheet(out)
    assert data["MT2.CT1"]["Kỳ trước"].value == "8.688/17.174 (50,59%)"


def test_an_unwritable_output_is_a_clear_error(plan, tmp_path):
    inbox = tmp_path / "inbox"
    _inbox(plan, inbox, skip=[u.code for u in plan.reporting_units][1:])
    (tmp_path / "file").write_text("x")
    result = run("consolidate", inbox, "--period", "2020", "--out", tmp_path / "file" / "t.xlsx", "--store",
                 tmp_path / "s.sqlite")
    assert result.exit_code == 2
    assert result.output.startswith("Lỗi: Không ghi được vào thư mục")


def test_an_output_that_cannot_be_replaced_keeps_the_old_one(tmp_path):
    from bdg_excel.atomic import OutputError, atomic_output

    target = tmp_path / "open-in-excel.xlsx"
    target.mkdir()  # os.replace fails on it as it does on a workbook Excel holds open
    with pytest.raises(OutputError, match="tệp đang mở trong chương trình khác.*Hãy đóng tệp rồi chạy lại"):
        with atomic_output(target) as tmp:
            tmp.write_bytes(b"new")
    assert target.is_dir() and [p.name for p in tmp_path.iterdir()] == ["open-in-excel.xlsx"]


# bdg consolidate that stops, like a machine switched off, right before its new workbook replaces the old:
# the whole new workbook is written beside the old one, under a temporary name.
HALTS_BEFORE_THE_RENAME = """
import os, sys, time
import bdg_excel.atomic as atomic
def halt(source, target):
    open(sys.argv[1], "w").close()
    time.sleep(120)
atomic.os.replace = halt
from bdg_excel.cli import cli
cli(sys.argv[2:], prog_name="bdg")
"""


@pytest.mark.slow
@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_a_consolidation_killed_while_writing_leaves_the_previous_workbook_intact(plan, tmp_path):
    inbox = tmp_path / "inbox"
    _inbox(plan, inbox)
    out, marker = tmp_path / "t.xlsx", tmp_path / "writing"
    args = ["consolidate", str(inbox), "--period", "2020", "--out", str(out), "--store", str(tmp_path / "s.sqlite")]
    assert subprocess.run([sys.executable, "-m", "bdg_excel", *args], cwd=REPO, capture_output=True).returncode == 0
    before = out.read_bytes()
    (inbox / "ghi-chu.txt").write_text("không phải biểu", "utf-8")  # a row more on 'Lỗi': the new workbook differs
    process = subprocess.Popen([sys.executable, "-c", HALTS_BEFORE_THE_RENAME, str(marker), *args], cwd=REPO,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while not marker.exists() and time.time() < deadline:
        time.sleep(0.01)
    assert marker.exists(), "the consolidation never reached the point of replacing its workbook"
    process.send_signal(signal.SIGKILL)
    process.wait()
    written = [p for p in tmp_path.glob(".~t*.xlsx")]
    assert len(written) == 1 and written[0].read_bytes() != before  # the kill landed with the new one written
    assert out.read_bytes() == before
    assert openpyxl.load_workbook(out).sheetnames[0] == "Phụ lục"


def test_plan_edits_flow_into_the_report(plan, tmp_path):
    data = plan_to_dict(plan)
    data["targets"][0]["value"] = "5"
    edited = build_plan(data, source="edited")
    inbox = tmp_path / "inbox"
    _inbox(edited, inbox)
    plan_file = tmp_path / "plan.json"
    import json
    plan_file.write_text(json.dumps(plan_to_dict(edited), ensure_ascii=False), "utf-8")
    out = tmp_path / "t.xlsx"
    result = run("consolidate", inbox, "--period", "2020", "--out", out, "--store", tmp_path / "s.sqlite",
                 "--plan", plan_file)
    assert result.exit_code == 0, result.output
    _, rows = appendix_rows(out)
    assert rows[0][-1] == "Đạt"


def test_a_correction_sent_after_the_deadline_keeps_a_unit_that_reported_on_time_on_time(plan, tmp_path):
    inbox = tmp_path / "inbox"
    paths = _inbox(plan, inbox)  # every unit on 10/12, before the deadline of 15/12
    fixed = edit(paths["SYT"], inbox / "syt-sua-lai.xlsx", {("MT4.CT3", "value"): 31})
    _stamp(fixed, datetime(2020, 12, 18, 8, 0))  # asked for by feedback, after the deadline
    out = tmp_path / "tong-hop.xlsx"
    run("consolidate", inbox, "--period", "2020", "--out", out, "--store", tmp_path / "s.sqlite")
    status = {r[0].value: [c.value for c in r] for r in openpyxl.load_workbook(out)["Tình trạng nộp"].iter_rows(min_row=2)}
    assert status["SYT"][2:4] == ["Đúng hạn", "syt-sua-lai.xlsx"] and status["SYT"][4].date() == date(2020, 12, 18)
    assert status["SYT"][8] == "Thay thế 1 tệp gửi trước (tệp đầu tiên gửi ngày 10/12/2020)"
