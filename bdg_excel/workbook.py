"""xlsxwriter workbooks, written in one step; their page setup and pagination.

A small workbook is assembled in memory. A large one keeps its parts in temporary files, and its sheets
added with ``add_streamed_sheet`` hold only the row being written: memory does not grow with their rows.
"""
from __future__ import annotations

import io
import math
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from xlsxwriter import Workbook
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from bdg_excel import layout
from bdg_excel.atomic import atomic_output

A4 = 9
A4_POINTS = (595.28, 841.89)  # width, height
MM = 1 / 25.4  # xlsxwriter's margins are in inches
DIGIT = 5.5  # points: LibreOffice's width of a column character
DECREE_30_MARGINS = {"left": 30 * MM, "right": 15 * MM, "top": 20 * MM, "bottom": 20 * MM}
FOOTER = f'&C&"{layout.FONT}"Trang &P/&N'
# Number formats. Excel shows a whole number under DECIMAL with a dangling separator ('20.', '8.688,' in a
# Vietnamese Excel; LibreOffice hides it), so cells that may hold decimals carry the rules of ``number_rules``.
WHOLE, DECIMAL = "#,##0", "#,##0.##"
DECIMALS = 2  # the decimals DECIMAL shows
# Text is always written as text: nothing is turned into a number, a formula or a link.
TEXT_AS_TEXT = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}


def write_xlsx(path: Path, fill: Callable[[Workbook], None], large: bool = False) -> Path:
    """Build a workbook with xlsxwriter (``fill(workbook)``), then write it atomically: a crash never leaves
    half a file. A ``large`` workbook keeps its parts in a temporary folder, not in memory, and may have
    streamed sheets; either way only the finished, compressed file is held in memory.
    """
    buffer = io.BytesIO()
    with atomic_output(Path(path)) as tmp:
        if large:
            with tempfile.TemporaryDirectory(prefix="bdg-xlsx-", ignore_cleanup_errors=True) as parts:
                _build(buffer, fill, {"tmpdir": parts})
        else:
            _build(buffer, fill, {"in_memory": True})
        tmp.write_bytes(buffer.getbuffer())
    return Path(path)


def _build(buffer: io.BytesIO, fill: Callable[[Workbook], None], options: dict) -> None:
    workbook = Workbook(buffer, {**TEXT_AS_TEXT, **options})
    fill(workbook)
    try:
        workbook.close()
    except FileCreateError as exc:  # xlsxwriter wraps the OSError of a full temporary disk
        raise exc.args[0] from None


def add_streamed_sheet(workbook: Workbook, name: str) -> Worksheet:
    """A sheet of a large workbook whose rows go to a temporary file as they are written.

    Write its rows in order, each whole before the next, its height set before its cells; it can have no
    table and no merge across rows. xlsxwriter reads its ``constant_memory`` option as each sheet is added,
    so the option is on only while this one is (tests/test_report_streaming.py checks that, and that memory
    stays flat, against the xlsxwriter versions setup.cfg allows).
    """
    workbook.constant_memory = True
    try:
        return workbook.add_worksheet(name, worksheet_class=StreamedSheet)
    finally:
        workbook.constant_memory = False


class StreamedSheet(Worksheet):
    """A sheet that forgets a row's height once the row is written: xlsxwriter keeps every row's height
    (``set_row``) until the end, even in constant-memory mode, and list rows all have their own."""

    def _write_single_row(self, current_row_num=0):
        written = self.previous_row
        super()._write_single_row(current_row_num)
        self.row_info.pop(written, None)
        self.row_sizes.pop(written, None)


def column_points(width: float) -> float:
    """The printed width (points, at 100 %) of a column ``width`` characters wide: LibreOffice's, the wider
    one (Times New Roman 11's digit is 5.5 points there; Excel draws it 7 pixels, 5.25 points, wide)."""
    return (round(width * 7) + 5) / 7 * DIGIT


@dataclass(frozen=True)
class Page:
    """An A4 page: margins (inches) and orientation."""

    margins: dict[str, float]
    landscape: bool = True

    @property
    def body(self) -> tuple[float, float]:
        """Width and height (points) inside the margins."""
        width, height = (A4_POINTS[1], A4_POINTS[0]) if self.landscape else A4_POINTS
        m = {key: inches * 72 for key, inches in self.margins.items()}
        return width - m["left"] - m["right"], height - m["top"] - m["bottom"]

    def scale(self, widths: list[float]) -> int:
        """The print scale (%) at which columns of these widths (characters) fill the page's width, at most 100."""
        return min(100, math.floor(100 * self.body[0] / sum(column_points(w) for w in widths)))

    def rows_height(self, scale: int) -> float:
        """The height of sheet rows (points) a page holds at this print scale, less a little for rounding."""
        return self.body[1] * 100 / scale * 0.99 - 2


Part = tuple[int, list[int]]  # a group's blocks on one page: (group index, block indexes)


def paginate(groups: list[tuple[float, float, list[float]]], first: float, rest: float) -> list[list[Part]]:
    """Share rows out among pages, in order, none split: ``groups`` are (least height of the group's first
    part, least height of a continued part, heights of its blocks), a block being rows that stay on one
    page; a group may continue on the next page between blocks, each part as tall as its least height at
    least (its heading whole). Pages hold ``first`` points of rows, then ``rest``. A block taller than a page
    gets one to itself. Returns the pages, each a list of parts."""
    pages: list[list[Part]] = [[]]
    room, used = first, 0.0
    for index, (least_first, least_next, blocks) in enumerate(groups):
        least, part_height, part = least_first, 0.0, None
        for block, height in enumerate(blocks):
            grows = max(least, part_height + height) - (max(least, part_height) if part else 0)
            if used + grows > room and pages[-1]:
                pages.append([])
                room, used, part_height, part = rest, 0.0, 0.0, None
                least = least_next if block else least_first
                grows = max(least, height)
            if part is None:
                part = (index, [])
                pages[-1].append(part)
            part[1].append(block)
            used, part_height = used + grows, part_height + height
    return pages


def print_setup(sheet: Worksheet, page: Page, header_row: int | None = None, scale: int | None = None,
                breaks: list[int] | None = None, footer: str = FOOTER) -> None:
    """A4; one page wide, or at ``scale`` % with page breaks before the rows ``breaks``; ``header_row``
    printed at the top of every page; ``footer`` (none when empty)."""
    sheet.set_paper(A4)
    if page.landscape:
        sheet.set_landscape()
    if scale is None:
        sheet.fit_to_pages(1, 0)
    else:
        sheet.set_print_scale(scale)
        sheet.set_h_pagebreaks(breaks or [])
    if header_row is not None:
        sheet.repeat_rows(header_row)
    sheet.set_margins(**page.margins)
    if footer:
        sheet.set_footer(footer)


def number_rule_formats(workbook: Workbook) -> tuple:
    """The formats ``number_rules`` applies (one pair per workbook): WHOLE, then DECIMAL."""
    return workbook.add_format({"num_format": WHOLE}), workbook.add_format({"num_format": DECIMAL})


def number_rules(sheet: Worksheet, formats: tuple, first_row: int, first_col: int, last_row: int,
                 last_col: int) -> None:
    """Conditional formats over a block of number cells: a number that is whole at DECIMALS places shows as
    WHOLE (20, 8.688: no dangling separator), any other as DECIMAL (12,5), whatever the cell's own format.
    The cells' values are untouched; a text or an empty cell is shown as it is."""
    if last_row < first_row:
        return
    cell = xl_rowcol_to_cell(first_row, first_col)  # relative: each cell of the block tests itself
    whole = f"ROUND({cell},{DECIMALS})=ROUND({cell},0)"
    for criteria, number_format in ((f"={whole}", formats[0]), (f"=NOT({whole})", formats[1])):
        sheet.conditional_format(first_row, first_col, last_row, last_col,
                                 {"type": "formula", "criteria": criteria, "format": number_format})


def hf_text(text: str) -> str:
    """Text shown as it is in a page header or footer: ``&`` starts a code there."""
    return text.replace("&", "&&")


class FirstPageBare(Worksheet):
    """A worksheet whose first printed page has no header nor footer (Decree 30/2020: no number on page 1).

    xlsxwriter (3.2, 3.3) has no public switch for it, so this one adds ``differentFirst`` to the
    ``<headerFooter>`` element it writes, leaving the first page's header empty; Excel and LibreOffice
    both honour it (tests/test_consolidate.py checks the file, tests/test_print_appendix.py the printed pages).
    """

    def _xml_start_tag(self, tag, attributes=()):
        if tag == "headerFooter":
            attributes = [("differentFirst", 1), *attributes]
        super()._xml_start_tag(tag, list(attributes))
