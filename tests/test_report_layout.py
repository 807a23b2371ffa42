"""The consolidated workbook's sheets follow their column specifications; every sheet prints alike; the
collection workbook's preview and the report's result are one formula."""
import openpyxl
import pytest
from click.testing import CliRunner

from bdg_excel import layout, report
from bdg_excel.cli import cli

SPECIFIED = {report.DATA: report.DATA_COLUMNS, report.BY_UNIT: report.BY_UNIT_COLUMNS,
             report.SUBMISSIONS: report.SUBMISSION_COLUMNS, report.PROBLEMS: report.PROBLEM_COLUMNS,
             report.CHART: report.CHART_COLUMNS}


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
    template = openpyxl.load_workbook(next((demo / "templates").glob("*.xlsx")))
    sheets = [*book.worksheets, template[layout.INSTRUCTIONS_SHEET], template[layout.DATA_SHEET]]
    for ws in sheets:
        setup = ws.page_setup
        assert (setup.paperSize, setup.fitToHeight, ws.sheet_properties.pageSetUpPr.fitToPage) == (9, 0, True), ws.title
        assert (ws.oddFooter.center.text, ws.oddFooter.center.font) == ("Trang &P/&N", layout.FONT), ws.title
    for ws in book.worksheets:
        margins = ws.page_margins
        assert [round(x * 25.4) for x in (margins.left, margins.right, margins.top, margins.bottom)] == [30, 15, 20, 20]
        assert ws.page_setup.orientation == "landscape"
        assert ws.print_title_rows == ("$6:$6" if ws.title == report.APPENDIX else "$1:$1"), ws.title
    assert template[layout.INSTRUCTIONS_SHEET].page_setup.orientation == "portrait"
    assert template[layout.INSTRUCTIONS_SHEET].print_title_rows is None
    assert template[layout.DATA_SHEET].print_title_rows == f"${layout.HEADER_ROW + 1}:${layout.HEADER_ROW + 1}"


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
