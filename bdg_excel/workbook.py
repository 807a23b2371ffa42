"""xlsxwriter workbooks, written in one step; their page setup.

A small workbook is assembled in memory. A large one keeps its parts in temporary files, and its sheets
added with ``add_streamed_sheet`` hold only the row being written: memory does not grow with their rows.
"""
from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Callable

from xlsxwriter import Workbook
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.worksheet import Worksheet

from bdg_excel import layout
from bdg_excel.atomic import atomic_output

A4 = 9
MM = 1 / 25.4  # xlsxwriter's margins are in inches
DECREE_30_MARGINS = {"left": 30 * MM, "right": 15 * MM, "top": 20 * MM, "bottom": 20 * MM}
FOOTER = f'&C&"{layout.FONT}"Trang &P/&N'
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

    Write its rows in order, each whole before the next; it can have no table and no merge across rows.
    xlsxwriter reads its ``constant_memory`` option as each sheet is added, so the option is on only while
    this one is (tests/test_report_streaming.py checks that against the xlsxwriter versions setup.cfg allows).
    """
    workbook.constant_memory = True
    try:
        return workbook.add_worksheet(name)
    finally:
        workbook.constant_memory = False


def print_setup(sheet: Worksheet, margins: dict[str, float], header_row: int | None = None,
                landscape: bool = True) -> None:
    """A4, one page wide, page numbers in the footer; ``header_row`` printed at the top of every page."""
    sheet.set_paper(A4)
    if landscape:
        sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    if header_row is not None:
        sheet.repeat_rows(header_row)
    sheet.set_margins(**margins)
    sheet.set_footer(FOOTER)
