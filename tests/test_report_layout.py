"""The consolidated workbook's sheets follow their column specifications; every sheet prints alike; the
collection workbook's preview and the report's result are one formula."""
import openpyxl
import pytest
from click.testing import CliRunner

from bdg_excel import layout, report
from bdg_excel.cli import cli
from bdg_excel.report import _index
from bdg_excel.template import INSTRUCTIONS_WIDTH, MARGINS
from bdg_excel.workbook import DECREE_30_MARGINS, Page, column_points

SPECIFIED = {report.DATA: report.DATA_COLUMNS, report.BY_UNIT: report.BY_UNIT_COLUMNS,
             report.SUBMISSIONS: report.SUBMISSION_COLUMNS, report.PROBLEMS: report.PROBLEM_COLUMNS,
             report.CHART: report.chart_columns(["Đạt", "Không đạt", "Chưa có số liệu"])}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out / "demo"


def widths(ws) -> dict[int, float]:
    """Column widths in characters, as the columns were set (xlsxwriter adds the cell padding)."""
    found = {}
    for dimension in ws.column_dimensions.values():
        for col in range(dimension.min, dimension.max + 1):
            found[col] = round(dimension.width - 0.71)
    return found


@pytest.mark.parametrize("sheet", SPECIFIED)
def test_headers_and_widths_come_from_the_column_specification(demo, sheet):
    ws = openpyxl.load_workbook(demo / "tong-hop-2020.xlsx")[sheet]
    columns = SPECIFIED[sheet]
    assert [c.value for c in ws[1]][:len(columns)] == [c.header for c in columns]
    assert widths(ws) == {i: c.width for i, c in enumerate(columns, start=1)}


def test_the_appendix_headers_are_filled_in(demo):
    ws = openpyxl.load_workbook(demo / "tong-hop-2020.xlsx")[report.APPENDIX]
    without_previous = [c for c in report.APPENDIX_COLUMNS if c.key != "previous"]
    assert [c.value for c in ws[6]] == ["MỤC TIÊU", "CÁC CHỈ TIÊU KẾ HOẠCH NĂM 2020",
                                        "SỐ LIỆU KẾT QUẢ ĐẠT ĐƯỢC NĂM 2020", "CƠ QUAN, ĐƠN VỊ THỰC HIỆN BÁO CÁO",
                                        "ĐÁNH GIÁ"]
    assert widths(ws) == {i: c.width for i, c in enumerate(without_previous, start=1)}


def test_every_sheet_prints_on_a4_one_page_wide_with_numbered_pages(demo):
    book = openpyxl.load_workbook(demo / "tong-hop-2020.xlsx")
    template = openpyxl.load_workbook(next((demo / "templates").glob("*_SYT_*.xlsx")))
    paged = {report.APPENDIX: [c.width for c in report.APPENDIX_COLUMNS if c.key != "previous"],
             layout.INSTRUCTIONS_SHEET: [INSTRUCTIONS_WIDTH], layout.DATA_SHEET: [c.width for c in layout.COLUMNS]}
    for ws in [*book.worksheets, template[layout.INSTRUCTIONS_SHEET], template[layout.DATA_SHEET]]:
        setup, page = ws.page_setup, Page(DECREE_30_MARGINS if ws in book.worksheets else MARGINS,
                                          ws.title != layout.INSTRUCTIONS_SHEET)
        assert setup.paperSize == 9, ws.title
        if ws.title in paged:  # paged by hand, at a scale that fits the columns in the page's width
            scale = setup.scale or 100  # 100 is the default, left out of the file
            assert not ws.sheet_properties.pageSetUpPr.fitToPage and scale == page.scale(paged[ws.title]), ws.title
            assert sum(column_points(w) for w in paged[ws.title]) * scale / 100 <= page.body[0]
        else:
            assert (setup.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage) == (0, True), ws.title
    for ws in book.worksheets:
        margins = ws.page_margins
        assert [round(x * 25.4) for x in (margins.left, margins.right, margins.top, margins.bottom)] == [30, 15, 20, 20]
        assert ws.page_setup.orientation == "landscape"
        assert ws.print_title_rows == ("$6:$6" if ws.title == report.APPENDIX else "$1:$1"), ws.title
        if ws.title != report.APPENDIX:
            assert (ws.oddFooter.center.text, ws.oddFooter.center.font) == ("Trang &P/&N", layout.FONT), ws.title
    for ws in (template[layout.INSTRUCTIONS_SHEET], template[layout.DATA_SHEET]):
        assert (ws.oddFooter.center.text, ws.oddFooter.center.font) == ("SYT – Trang &P/&N", layout.FONT)
    assert template[layout.INSTRUCTIONS_SHEET].page_setup.orientation == "portrait"
    assert template[layout.INSTRUCTIONS_SHEET].print_title_rows is None
    assert template[layout.DATA_SHEET].print_title_rows == f"${layout.HEADER_ROW + 1}:${layout.HEADER_ROW + 1}"


@pytest.mark.parametrize("sheet", [s for s in SPECIFIED if s != report.CHART])
def test_list_sheets_print_one_page_wide_at_8_points_or_more(sheet):
    """Fitted to the page's width, a list sheet's 12-point text prints at 8 points or more."""
    widths = [c.width for c in SPECIFIED[sheet]]
    assert report.PAGE.body[0] / sum(column_points(w) for w in widths) * 12 >= 8


def test_list_rows_are_tall_enough_for_their_wrapped_texts(demo):
    ws = openpyxl.load_workbook(demo / "tong-hop-2020.xlsx")[report.SUBMISSIONS]
    file_col = _index(report.SUBMISSION_COLUMNS)["file"] + 1
    width = report.SUBMISSION_COLUMNS[file_col - 1].width
    long_names = 0
    for row in range(2, ws.max_row + 1):
        lines = len(layout.wrap(ws.cell(row, file_col).value, width))
        long_names += lines > 1
        assert ws.row_dimensions[row].height >= layout.line_height(12, lines)
    assert long_names  # some file names do wrap: 2020_PRTC_UBND-thanh-pho-Phan-Rang-Thap-Cham.xlsx


def test_the_preview_and_the_result_are_one_formula(demo):
    template = openpyxl.load_workbook(next((demo / "templates").glob("*_SYT_*.xlsx")))[layout.DATA_SHEET]
    row = layout.FIRST_DATA_ROW + 2  # Excel row 12: the second element of SYT, per 100,000
    assert template.cell(row, 1).value == "MT4.CT2"
    cells = [f"{letter}{row}" for letter in "FGH"]
    assert template.cell(row, layout.COLUMN_INDEX["preview"] + 1).value == layout.result_formula(*cells, "100000")
    data = openpyxl.load_workbook(demo / "tong-hop-2020.xlsx")[report.DATA]
    column = report.DATA_INDEX["result"] + 1
    assert data.cell(2, column).value == layout.result_formula("F2", "G2", "H2", "I2")
    assert [c.value for c in data[1]][5:9] == ["Tử số", "Mẫu số", "Giá trị nhập", "Hệ số"]
