"""Compare workbooks as a person sees them (read with openpyxl), not byte by byte."""
from __future__ import annotations

from pathlib import Path

import openpyxl


def describe(path: Path, ignore_meta: tuple[str, ...] = ()) -> dict:
    """Everything visible or enforced in a workbook, keyed by (sheet, what, where)."""
    wb = openpyxl.load_workbook(path)
    found: dict = {}
    for ws in wb.worksheets:
        found[(ws.title, "state", "")] = ws.sheet_state
        found[(ws.title, "protected", "")] = ws.protection.sheet
        found[(ws.title, "merged", "")] = sorted(str(r) for r in ws.merged_cells.ranges)
        margins = [round(m, 3) for m in (ws.page_margins.left, ws.page_margins.right, ws.page_margins.top,
                                         ws.page_margins.bottom)]
        found[(ws.title, "print", "")] = (ws.page_setup.paperSize, ws.page_setup.orientation, ws.print_title_rows,
                                         ws.oddFooter.center.text, ws.oddFooter.center.font, margins)
        for dv in ws.data_validations.dataValidation:
            found[(ws.title, "validation", str(dv.sqref))] = (dv.type, dv.operator, dv.formula1, dv.formula2,
                                                             dv.prompt, dv.error)
        for rules in ws.conditional_formatting:  # the rules that change how numbers are shown
            shown = sorted((rule.formula, rule.dxf.numFmt.formatCode) for rule in rules.rules
                           if rule.dxf is not None and rule.dxf.numFmt is not None)
            if shown:
                found[(ws.title, "number rules", str(rules.sqref))] = shown
        for row in ws.iter_rows():
            for cell in row:
                if ws.title == "_meta" and cell.column == 2 and ws.cell(cell.row, 1).value in ignore_meta:
                    continue
                if cell.value is not None or not cell.protection.locked:
                    found[(ws.title, "cell", cell.coordinate)] = (cell.value, cell.number_format,
                                                                 cell.protection.locked, cell.font.name)
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    for key in ignore_meta:
        props.pop("bdg_" + key, None)
    found[("", "custom properties", "")] = props
    return found


def first_difference(a: Path, b: Path, ignore_meta: tuple[str, ...] = ()) -> str | None:
    """The first sheet and cell where two workbooks differ, or None when they agree."""
    left, right = describe(a, ignore_meta), describe(b, ignore_meta)
    for key in sorted(set(left) | set(right), key=str):
        if left.get(key) != right.get(key):
            return f"{key}: {left.get(key)!r} != {right.get(key)!r}"
    return None
