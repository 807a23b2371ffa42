"""Workbooks built in memory with xlsxwriter and written in one step."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Callable

from xlsxwriter import Workbook
from xlsxwriter.worksheet import Worksheet

from bdg_excel.atomic import atomic_output


class ClassicFormulaWorksheet(Worksheet):
    """A worksheet that writes formulas as given.

    Our formulas use only classic functions (IF, AND, OR, NOT, ISNUMBER, INT, COUNTIFS), so
    xlsxwriter's 30-odd regex rewrites for Excel 365 functions never change them; skipping them
    makes a collection workbook a quarter faster and the consolidated workbook a third.
    """

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        return formula[1:] if formula.startswith("=") else formula


def write_xlsx(path: Path, fill: Callable[[Workbook], None]) -> Path:
    """Build a workbook in memory with xlsxwriter (``fill(workbook)``), then write it atomically.

    Text is always written as text: nothing is turned into a number, a formula or a link.
    """
    buffer = io.BytesIO()
    workbook = Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                 "strings_to_formulas": False, "strings_to_urls": False})
    workbook.worksheet_class = ClassicFormulaWorksheet
    fill(workbook)
    workbook.close()
    with atomic_output(Path(path)) as tmp:
        tmp.write_bytes(buffer.getvalue())
    return Path(path)
