"""Build returned workbooks the way units produce them: filled by xlsxwriter, edited by openpyxl."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import openpyxl

from bdg_excel import layout
from bdg_excel.figures import Entry
from bdg_excel.template import write_template


def entry(numerator=None, denominator=None, value=None, note="") -> Entry:
    as_dec = lambda x: None if x is None else Decimal(str(x))  # noqa: E731
    return Entry(as_dec(numerator), as_dec(denominator), as_dec(value), note)


def make_return(plan, unit: str, path: Path, entries: dict | None = None, period: str = "2020") -> Path:
    """A return as a careful unit sends it: the template with figures typed as numbers."""
    return write_template(plan, plan.period(period), plan.unit(unit), Path(path), entries=entries or {})


def row_of(ws, code: str) -> int:
    return next(c.row for c in ws["A"] if c.value == code)


def edit(path: Path, out: Path | None = None, cells: dict | None = None, change=None) -> Path:
    """Open a return with openpyxl, set cells ({(code, column key): value} or {"F12": value}), save."""
    wb = openpyxl.load_workbook(path)
    ws = wb[layout.DATA_SHEET]
    for where, value in (cells or {}).items():
        if isinstance(where, tuple):
            code, key = where
            ws.cell(row_of(ws, code), layout.COLUMN_INDEX[key] + 1).value = value
        else:
            ws[where] = value
    if change:
        change(wb)
    out = Path(out or path)
    wb.save(out)
    return out
