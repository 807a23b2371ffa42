"""Text measured and wrapped as the spreadsheet programs print it, and rows shared out among pages."""
import pytest

from bdg_excel import layout
from bdg_excel.workbook import Page, column_points, paginate

SENTENCE = ("Không đổi tên, xóa hay sắp xếp lại các trang; không sửa cột 'Mã'; không chép số liệu sang biểu khác "
            "hay biểu của kỳ trước. Các trang được bảo vệ để tránh sửa nhầm, không đặt mật khẩu.")


@pytest.mark.parametrize("text, size, bold, printed", [
    ("Không đổi tên, xóa hay sắp xếp lại các trang;", 12, False, 216.08),
    ("Không đổi tên, xóa hay sắp xếp lại các", 12, True, 194.76),
    ("HƯỚNG DẪN ĐIỀN BIỂU THU THẬP SỐ LIỆU BÌNH ĐẲNG GIỚI", 14, True, 419.63),
])
def test_text_is_measured_as_libreoffice_prints_it(text, size, bold, printed):
    """Widths measured in LibreOffice's PDF (Liberation Serif, Times New Roman's metric twin); never narrower."""
    assert printed - 0.5 <= layout.text_width(text, size, bold) <= printed * 1.01


@pytest.mark.parametrize("width, bold", [(40, False), (40, True), (12, False), (88, False)])
def test_wrapped_lines_fit_their_column_and_keep_every_word(width, bold):
    lines = layout.wrap(SENTENCE, width, 12, bold)
    assert all(layout.text_width(line, 12, bold) <= layout.text_room(width) for line in lines)
    assert " ".join(lines).split() == SENTENCE.split()
    assert layout.line_count(SENTENCE, width, 12, bold) == len(lines)


def test_a_word_longer_than_a_line_breaks_and_lines_break_after_hyphens():
    assert layout.wrap("2020_PRTC_UBND-thanh-pho-Phan-Rang-Thap-Cham.xlsx", 28) == [
        "2020_PRTC_UBND-thanh-", "pho-Phan-Rang-Thap-", "Cham.xlsx"]
    assert "".join(layout.wrap("MT3.CT1.TOAN_TINH_RAT_DAI_QUA_MUC", 8)) == "MT3.CT1.TOAN_TINH_RAT_DAI_QUA_MUC"
    assert layout.wrap("Dòng một\nDòng hai\n", 40) == ["Dòng một", "Dòng hai", ""]
    assert layout.line_count("Dòng một\nDòng hai\n", 40) == 3 and layout.line_count("Đạt", 10) == 1


def test_row_heights_are_whole_pixels_and_grow_with_the_lines():
    one, five = layout.row_height([("Đạt", 17)]), layout.row_height([(SENTENCE, 40)])
    assert (one / 0.75, five / 0.75) == (round(one / 0.75), round(five / 0.75))
    assert five >= 5 * 12 * layout.LINE_HEIGHT > one


def test_the_print_scale_fits_the_columns_in_the_page_width():
    page = Page({"left": 1, "right": 1, "top": 1, "bottom": 1})
    assert page.body == pytest.approx((841.89 - 144, 595.28 - 144))
    widths = [60, 60, 60]
    scale = page.scale(widths)
    assert sum(map(column_points, widths)) * scale / 100 <= page.body[0] < sum(map(column_points, widths)) * (scale + 1) / 100
    assert page.scale([10]) == 100


def test_pages_hold_whole_blocks_and_a_group_goes_on_between_blocks():
    # two groups; a continued part is at least its heading's height (least heights 30 and 40)
    groups = [(30, 40, [50, 50, 50]), (30, 40, [20, 80])]
    pages = paginate(groups, 120, 130)
    assert pages == [[(0, [0, 1])], [(0, [2]), (1, [0])], [(1, [1])]]
    # page 2: group 0 goes on (max(40, 50) = 50), then group 1 starts (max(30, 20) = 30): 80 of 130; 80 more do not fit


def test_a_group_that_starts_a_page_is_not_counted_as_continued():
    assert paginate([(10, 10, [100]), (90, 200, [5])], 150, 150) == [[(0, [0])], [(1, [0])]]


def test_a_block_taller_than_a_page_gets_a_page_of_its_own():
    assert paginate([(0, 0, [50, 500, 50])], 100, 100) == [[(0, [0])], [(0, [1])], [(0, [2])]]
