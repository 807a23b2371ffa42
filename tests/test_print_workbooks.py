"""The collection workbooks and the consolidated workbook on paper, read back from LibreOffice's PDF: the
instructions inside the page, no two lines overlapping; data rows never split, the header repeated, every
page naming its unit; the list sheets readable (8 points or more) and their texts whole."""
import pytest

from bdg_excel import layout
from bdg_excel.demo import run_demo
from bdg_excel.template import DATA_PAGE, MARGINS, write_master
from bdg_excel.workbook import DECREE_30_MARGINS, column_points
from tests.lo import column_texts, convert, convert_all, printed_pages, words

pytestmark = [pytest.mark.slow, pytest.mark.libreoffice]

BOX_PER_POINT = 1.3  # poppler's word box is 1.3 times the font size tall (Liberation Serif)


@pytest.fixture(scope="module")
def printed_templates(tmp_path_factory, plan, templates_2020):
    """(unit code, printed pages) of every collection workbook of the demo, and of the master template."""
    folder = tmp_path_factory.mktemp("printed-templates")
    pdfs = convert_all([*templates_2020, write_master(plan, folder / "agency_template.xlsx")], "pdf", folder / "pdf")
    units = [path.name.split("_")[1] for path in templates_2020] + [""]
    return [(unit, printed_pages(pdf)) for unit, pdf in zip(units, pdfs)]


def footer(unit: str, number: int, pages: int) -> str:
    return f"{unit} – Trang {number}/{pages}" if unit else f"Trang {number}/{pages}"


def overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_the_instructions_print_inside_the_page_and_no_lines_overlap(printed_templates):
    left, right, top, bottom = (MARGINS[side] * 72 for side in ("left", "right", "top", "bottom"))
    for unit, pages in printed_templates:
        instructions = [(n, page) for n, page in enumerate(pages, start=1) if page.width < page.height]
        assert len(instructions) == 1, unit  # one portrait page, before the data sheet's landscape ones
        number, page = instructions[0]
        body = [line for line in page.lines if line.y1 < page.height - bottom]
        assert [line.text for line in page.lines if line not in body] == [footer(unit, number, len(pages))]
        assert body[0].text.startswith("HƯỚNG DẪN") and "Gửi lại" in [line.text for line in body]
        for line in body:
            assert left <= line.x0 and line.x1 <= page.width - right and top <= line.y0, (unit, line)
        for index, line in enumerate(body):
            assert not [other.text for other in body[index + 1:] if overlap(line, other)], (unit, line)


def test_data_rows_are_never_split_and_the_header_is_on_every_page(printed_templates, plan):
    scale = DATA_PAGE.scale([c.width for c in layout.COLUMNS]) / 100
    widths = [column_points(c.width) * scale for c in layout.COLUMNS[:2]]
    label = lambda e: f"{e.label}\n(Tử số: {e.numerator_label}; Mẫu số: {e.denominator_label})"  # noqa: E731
    master, bottom = printed_templates[-1][1], MARGINS["bottom"] * 72
    seen = []
    for number, page in enumerate(master, start=1):
        if page.width < page.height:
            continue  # the instructions
        codes, labels = column_texts(page, MARGINS["left"] * 72, widths, ["Mã", "Chỉ tiêu"])  # the header repeated
        on_page = [e for e in plan.elements if words(label(e)) in labels]
        assert labels == words(" ".join(label(e) for e in on_page)), number  # each row whole, on one page
        assert codes.replace(" ", "") == "".join(e.code for e in on_page), number
        assert [line.text for line in page.lines if line.y0 > page.height - bottom] == [footer("", number, len(master))]
        seen += on_page
    assert [e.code for e in seen] == [e.code for e in plan.elements] and len(master) >= 4


def test_every_printed_page_of_the_consolidated_workbook_is_readable(tmp_path, plan):
    result, workbook = run_demo(plan, tmp_path)
    pages = printed_pages(convert(workbook, "pdf", tmp_path / "pdf"))
    left, right, top, bottom = (DECREE_30_MARGINS[side] * 72 for side in ("left", "right", "top", "bottom"))
    for number, page in enumerate(pages, start=1):
        body = [line for line in page.lines if top < line.y0 and line.y1 < page.height - bottom]
        across = [line for line in body if line.x1 - line.x0 >= line.y1 - line.y0]  # not the chart's turned axis title
        assert min(line.y1 - line.y0 for line in across) >= 8 * BOX_PER_POINT - 0.05, number  # 8-point text at least
        assert all(left - 1 <= line.x0 and line.x1 <= page.width - right for line in body), number
    names = [row.file for row in result.submissions if row.file]
    printed = {name for page in pages for word in page.words for name in names if cell_text(page, word).startswith(name)}
    assert printed == set(names)  # every file name whole in `Tình trạng nộp`, over as many lines as it takes


def cell_text(page, first) -> str:
    """The text of a wrapped cell of one-word lines (a file name) from its first word: the words that start
    at the same left edge on the lines below, one line after another, joined."""
    text, word = first.text, first
    while below := [w for w in page.words if abs(w.x0 - first.x0) < 0.5 and 0 < w.y0 - word.y0 < 1.5 * (w.y1 - w.y0)]:
        word = min(below, key=lambda w: w.y0)
        text += word.text
    return text
