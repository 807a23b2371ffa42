"""The printed appendix, read back from LibreOffice's PDF: no indicator split over two pages, a goal that goes on
over a page break named again at the top, page numbers centred in the top margin from page 2 on."""
from decimal import Decimal

import openpyxl
import pytest

from bdg_excel.consolidate import consolidate
from bdg_excel.demo import run_demo
from bdg_excel.figures import Entry
from bdg_excel.plan import plan_to_dict
from bdg_excel.plan_tables import build_plan
from dataclasses import replace

from bdg_excel.report import APPENDIX, APPENDIX_COLUMNS, CONTINUED, summary_text, write_report
from bdg_excel.template import write_template
from bdg_excel.workbook import DECREE_30_MARGINS, column_points
from tests.lo import column_texts, convert, printed_pages, soffice_or_skip, words

pytestmark = [pytest.mark.slow, pytest.mark.libreoffice]

TOP, LEFT, RIGHT = (DECREE_30_MARGINS[side] * 72 for side in ("top", "left", "right"))


def print_appendix(result, folder):
    """The appendix as ``bdg … --pdf`` prints it: its PDF and the workbook printed."""
    soffice_or_skip()
    source = write_report(result, folder / "phu-luc.xlsx", appendix_only=True)
    return convert(source, "pdf", folder), source


@pytest.fixture(scope="module")
def demo_appendix(tmp_path_factory, plan):
    folder = tmp_path_factory.mktemp("demo-appendix")
    result, _ = run_demo(plan, folder)
    return result, *print_appendix(result, folder)


def long_plan(plan, count: int = 60):
    """The plan with ``count`` indicators over three goals, made from its own, each text told apart by its number."""
    tables = plan_to_dict(plan)
    indicators, elements, targets = [], [], []
    for number in range(count):
        base = plan.indicators[number % len(plan.indicators)]
        goal = 1 + number * 3 // count
        code = f"MT{goal}.CT{number + 1}"
        indicators.append({"code": code, "goal": goal, "text": f"{base.text} (chỉ tiêu thử số {number + 1})",
                           "lead_agency": base.lead_agency})
        for element in plan.elements_of(base.code):
            elements.append({**next(e for e in tables["elements"] if e["code"] == element.code),
                             "code": code + element.code[len(base.code):], "indicator": code})
            targets.append({**next(t for t in tables["targets"] if t["element"] == element.code),
                            "element": elements[-1]["code"]})
    unit = plan.reporting_units[0].code
    tables.update(goals=tables["goals"][:3], indicators=indicators, elements=elements, targets=targets,
                  assignments=[{"element": e["code"], "unit": unit} for e in elements])
    return build_plan(tables)


@pytest.fixture(scope="module")
def long_appendix(tmp_path_factory, plan):
    folder = tmp_path_factory.mktemp("long-appendix")
    plan = long_plan(plan)
    unit, period = plan.reporting_units[0], plan.period("2020")
    entries = {e.code: Entry(Decimal(1 + i % 7), Decimal(1000 + i)) for i, e in enumerate(plan.elements)}
    write_template(plan, period, unit, folder / "inbox" / "return.xlsx", entries=entries)
    result, _ = consolidate(folder / "inbox", plan, "2020", folder / "tong-hop.xlsx", folder / "store.sqlite")
    return result, *print_appendix(result, folder)


def appendix_columns(page, workbook, keys: list[str]) -> dict[str, str]:
    """Each column's text on a printed page of the appendix, below the header row."""
    ws = openpyxl.load_workbook(workbook)[APPENDIX]
    widths = {c.key: c.width for c in APPENDIX_COLUMNS}
    scale = (ws.page_setup.scale or 100) / 100
    headers = [ws.cell(6, col).value for col in range(1, len(keys) + 1)]
    return dict(zip(keys, column_texts(page, LEFT, [column_points(widths[k]) * scale for k in keys], headers)))


def expected_page(result, indicators) -> dict[str, str]:
    """What a page holding these indicators (in plan order) shows in each column."""
    shown = {"goal": [], "indicator": [], "result": [], "agency": [], "status": []}
    for indicator in indicators:
        goal = result.plan.goals[[g.number for g in result.plan.goals].index(indicator.goal)]
        heading = goal.heading if indicator == result.plan.indicators_of(goal.number)[0] else goal.heading + CONTINUED
        if not shown["goal"] or not shown["goal"][-1].startswith(goal.heading):
            shown["goal"].append(heading)
        figures = [f for f in result.figures if f.element.indicator == indicator.code]
        for figure in figures:
            prefix = f"{figure.element.breakdown}: " if figure.element.breakdown and len(figures) > 1 else ""
            shown["result"].append(prefix + figure.display)
            shown["status"].append(figure.status)
        shown["indicator"].append(indicator.text)
        shown["agency"].append(indicator.lead_agency)
    return {key: words(" ".join(texts)) for key, texts in shown.items()}


def assert_paged_whole(result, pdf, workbook):
    """Every indicator's text is on exactly one page, with all its figures and statuses beside it, and each
    page shows exactly its indicators, in order, and the headings of their goals."""
    keys = ["goal", "indicator", "result", "agency", "status"]
    printed = printed_pages(pdf)
    printed[-1] = without_summary(result, printed[-1])
    pages = [appendix_columns(page, workbook, keys) for page in printed]
    where = {i.code: [n for n, page in enumerate(pages) if words(i.text) in page["indicator"]]
             for i in result.plan.indicators}
    assert all(len(found) == 1 for found in where.values()), where
    for number, page in enumerate(pages):
        on_page = [i for i in result.plan.indicators if where[i.code] == [number]]
        assert on_page, number
        assert page == expected_page(result, on_page), number + 1
    return pages


def without_summary(result, page):
    """The last page without the summary line that ends the appendix, which must be printed last, whole."""
    top = max(w.y0 for w in page.words if w.text == "Tổng")
    summary = sorted((w for w in page.words if w.y0 >= top - 1), key=lambda w: (round(w.y0), w.x0))
    rest = [w for w in page.words if w.y0 < top - 1]
    assert words(" ".join(w.text for w in summary)) == words(summary_text(result))
    assert max(w.y1 for w in rest) <= top + 1  # below everything else on the page
    return replace(page, words=rest)


def assert_numbered_at_the_top_centre(pdf):
    """Page numbers are in the top margin, centred over the text, from page 2 on; none on page 1."""
    pages = printed_pages(pdf)
    for number, page in enumerate(pages, start=1):
        in_margin = [w for w in page.words if w.y1 < TOP]
        assert [w.text for w in in_margin] == ([] if number == 1 else [str(number)]), number
        if number > 1:
            centre = (LEFT + page.width - RIGHT) / 2
            assert abs((in_margin[0].x0 + in_margin[0].x1) / 2 - centre) < 3
        assert all("Trang" not in w.text for w in page.words)


def test_no_indicator_of_the_demo_appendix_is_split_over_two_pages(demo_appendix):
    result, pdf, workbook = demo_appendix
    pages = assert_paged_whole(result, pdf, workbook)
    assert len(pages) >= 3
    assert any(CONTINUED.strip() in page["goal"] for page in pages[1:])  # a goal goes on over a page break


def test_the_demo_appendix_is_numbered_at_the_top_centre_from_page_2(demo_appendix):
    _, pdf, _ = demo_appendix
    assert_numbered_at_the_top_centre(pdf)


def test_an_appendix_of_60_indicators_keeps_every_indicator_on_one_page(long_appendix):
    result, pdf, workbook = long_appendix
    assert len(result.plan.indicators) == 60
    pages = assert_paged_whole(result, pdf, workbook)
    assert len(pages) >= 5
    assert_numbered_at_the_top_centre(pdf)
