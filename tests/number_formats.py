"""How Excel shows the numbers of a workbook read with openpyxl: the number format a cell gets, its own or a
conditional format's, and the cells where a whole number would show with a dangling decimal separator.

Excel shows a whole number under a format whose decimals are all optional (``#,##0.##``) with its separator:
``20.``, or ``8.688,`` in a Vietnamese Excel. LibreOffice hides it, so only the formats tell.
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import openpyxl

OPTIONAL_DECIMALS = re.compile(r"\.(#+)(?![0#?])")  # '#,##0.##': a decimal point, then only optional places
# The test of a cell's own value (relative to the rule's first cell) being whole at N decimals, as Excel reads it.
WHOLE = re.compile(r"ROUND\(([A-Z]+\d+),(\d+)\)=ROUND\(\1,0\)")


def optional_decimals(number_format: str) -> int:
    """How many optional decimal places a format has when it has only optional ones (``#,##0.##``: 2), else 0."""
    found = OPTIONAL_DECIMALS.search(number_format)
    return len(found.group(1)) if found else 0


def _rules(ws, coordinate: str) -> list[tuple[str, int, str]]:
    """The conditional formats that set the number format of a cell: (kind, decimals, format), kind being
    'whole' (the cell's value is whole at ``decimals`` places), 'not whole' (the opposite) or 'other'."""
    found = []
    for rules in ws.conditional_formatting:
        if coordinate not in rules.sqref:
            continue
        ranges = str(rules.sqref).split()
        first = ranges[0].split(":")[0]
        for rule in rules.rules:
            if rule.dxf is None or rule.dxf.numFmt is None:
                continue
            formula = (rule.formula or [""])[0]
            negated = formula.startswith("NOT(") and formula.endswith(")")
            test = WHOLE.fullmatch(formula[4:-1] if negated else formula)
            if test and test.group(1) == first and len(ranges) == 1:
                found.append(("not whole" if negated else "whole", int(test.group(2)), rule.dxf.numFmt.formatCode))
            else:
                found.append(("other", 0, rule.dxf.numFmt.formatCode))
    return found


def _excel_round(value: float, places: int) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def shown_format(ws, coordinate: str) -> str:
    """The number format Excel shows the cell's number with: the format of the first rule that holds, else its own."""
    cell = ws[coordinate]
    for kind, places, number_format in _rules(ws, coordinate):
        whole = _excel_round(cell.value, places) == _excel_round(cell.value, 0)
        if kind == ("whole" if whole else "not whole"):
            return number_format
    return cell.number_format


def dangling_separators(path: Path) -> list[str]:
    """Every cell of the workbook that would show a whole number with a dangling separator: its own format has
    only optional decimals and no rule shows the cell's whole numbers otherwise (a rule testing the value whole at
    those decimals, with a format without them), or a rule with such a format may hold for a number shown whole
    (any rule but one that holds only when the value is not whole at the decimals that format shows)."""
    found = []
    for ws in openpyxl.load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                rules = _rules(ws, cell.coordinate)
                places = optional_decimals(cell.number_format)
                whole_rules = [r for r in rules if r[0] == "whole" and r[1] == places]
                if places and not any(not optional_decimals(r[2]) for r in whole_rules):
                    found.append(f"{ws.title}!{cell.coordinate} ({cell.number_format})")
                found += [f"{ws.title}!{cell.coordinate} (rule: {r[2]})" for r in rules if optional_decimals(r[2])
                          and (r[0] != "not whole" or r[1] != optional_decimals(r[2]))]
    return found
