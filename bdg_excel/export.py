"""Every accepted figure across periods, one row each: for analysts, as .xlsx or .csv (no pandas)."""
from __future__ import annotations

import csv
from dataclasses import astuple, dataclass, fields
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from bdg_excel.atomic import OutputError, atomic_output
from bdg_excel.figures import Entry, as_decimal, exact_result, judge
from bdg_excel.plan import Plan
from bdg_excel.store import Store
from bdg_excel.submission import STATUS_LABELS
from bdg_excel.workbook import write_xlsx

FORMATS = (".xlsx", ".csv")


@dataclass(frozen=True)
class FigureRow:
    """One accepted figure of a unit's current return: numbers exact, the result unrounded."""

    period: str
    unit: str
    element: str
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    result: Decimal | None
    judgement: str  # against the plan's target for the period's year (Đạt, Không đạt, Chưa đạt mốc 2030, ...)
    data_year: int | None  # the year the figure refers to, when the unit stated one
    status: str  # of the return
    file: str
    sheet: str
    numerator_cell: str
    denominator_cell: str
    value_cell: str
    received_at: str  # Vietnam's time, as stored: 2026-12-10T09:00:00


COLUMNS = tuple(f.name for f in fields(FigureRow))
HEADERS = ("Kỳ", "Mã đơn vị", "Mã số liệu", "Tử số", "Mẫu số", "Giá trị", "Kết quả", "Đánh giá", "Năm số liệu",
           "Tình trạng biểu", "Tệp gốc", "Trang", "Ô tử số", "Ô mẫu số", "Ô giá trị", "Thời điểm nhận")


def figure_rows(store: Store, plan: Plan, periods: list[str] | tuple[str, ...] = ()) -> list[FigureRow]:
    """The usable figures of each unit's current return, for ``periods`` (all the store has when none),
    by period, unit and plan order."""
    order = {e.code: i for i, e in enumerate(plan.elements)}
    rows = []
    for period in periods or store.periods():
        current = {f.id: f for f in store.latest(period).values()}
        for row in store.figure_rows(list(current)):
            stored = current[row["file_id"]]
            numbers = [None if row[k] is None else Decimal(row[k]) for k in ("numerator", "denominator", "value")]
            element = plan.element(row["code"])
            result = exact_result(element, Entry(*numbers)) if element else None
            judgement = judge(element, result, int(period[:4])) if element else ""
            rows.append(FigureRow(period, stored.unit, row["code"], *numbers,
                                  None if result is None else as_decimal(result), judgement, row["data_year"],
                                  STATUS_LABELS[stored.status],
                                  stored.original_name, row["sheet"] or "", row["numerator_cell"] or "",
                                  row["denominator_cell"] or "", row["value_cell"] or "", stored.received_at))
    return sorted(rows, key=lambda r: (r.period, r.unit, order.get(r.element, len(order)), r.element))


def write_export(rows: list[FigureRow], out: Path) -> Path:
    """Write the rows as ``out``: an .xlsx workbook, or a UTF-8 CSV with a BOM (so Excel shows the diacritics)."""
    if _format(out) == ".csv":
        with atomic_output(Path(out)) as tmp:
            with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(HEADERS)
                writer.writerows([("" if v is None else f"{v:f}" if isinstance(v, Decimal) else v)
                                  for v in astuple(row)] for row in rows)
        return Path(out)
    return write_xlsx(Path(out), lambda workbook: _sheet(workbook, rows), large=True)


def _format(out: Path) -> str:
    """The export's format, from its name: '.xlsx' or '.csv', else an OutputError."""
    suffix = Path(out).suffix.lower()
    if suffix not in FORMATS:
        raise OutputError(f"Tệp xuất phải có đuôi .xlsx hoặc .csv, không phải '{Path(out).name}'.")
    return suffix


def _sheet(workbook, rows: list[FigureRow]) -> None:
    """The rows as a sheet: numbers as numbers, the time received as an Excel date-time (Vietnam's time)."""
    sheet = workbook.add_worksheet("Số liệu")
    bold = workbook.add_format({"bold": True})
    moment = workbook.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    received = COLUMNS.index("received_at")
    sheet.set_column(received, received, 16)
    sheet.write_row(0, 0, HEADERS, bold)
    for index, row in enumerate(rows, start=1):
        for col, value in enumerate(astuple(row)):
            if col == received and value:
                sheet.write_datetime(index, col, datetime.fromisoformat(value), moment)
            elif isinstance(value, (Decimal, int)):
                sheet.write_number(index, col, float(value))
            elif value is not None:
                sheet.write_string(index, col, value)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(rows), len(HEADERS) - 1)


def export_figures(store_path: Path, plan: Plan, periods: list[str] | tuple[str, ...], out: Path) -> int:
    """Write the accepted figures of ``periods`` (all when none) from the store at ``store_path`` into
    ``out``; how many rows were written."""
    _format(out)  # before the store is read
    if not Path(store_path).is_file():
        raise OutputError(f"Chưa có kho dữ liệu '{store_path}': hãy chạy 'bdg ingest' hoặc 'bdg consolidate' trước.")
    with Store(store_path) as store:
        rows = figure_rows(store, plan, periods)
    write_export(rows, out)
    return len(rows)
