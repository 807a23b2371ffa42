"""A unit's return sent back annotated: every problem cell highlighted and commented, and a first sheet
``Kết quả kiểm tra`` listing every problem, in a workbook that is still a valid return of that unit.

The unit's own .xlsx/.xlsm is annotated in place with openpyxl, which keeps its figures, the data
validations, the sheet protection, the hidden ``_meta`` sheet and the document properties. Any other
format (.xls, .ods), a file openpyxl cannot open, or a return that lost rows (they cannot be added back
on the protected sheet) is written afresh as the unit's collection workbook with everything the unit
typed in it — numbers, and text that is not a number, as typed — and annotated the same way. A unit's
own workbook that bdg annotated before (corrected and sent back) loses that answer's marks first.
"""
from __future__ import annotations

import io
import tempfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill

from bdg_excel import layout
from bdg_excel.atomic import atomic_output
from bdg_excel.container import ZIP, Refused, kind_of
from bdg_excel.figures import Entry
from bdg_excel.numbers import to_decimal
from bdg_excel.plan import Period, Plan, Unit
from bdg_excel.problems import ERROR, WARNING, Problem, column_letter
from bdg_excel.returns import typed_cells
from bdg_excel.template import write_template

RESULTS_SHEET = "Kết quả kiểm tra"
RESULTS_HEADERS = ("STT", "Mức độ", "Trang", "Ô", "Nội dung", "Cách xử lý")  # no problem codes: they are the officer's
AUTHOR = "bdg"  # of the comments on problem cells
INPUT_FILL = {"fill_type": "solid", "start_color": f"FF{layout.INPUT_COLOR}", "end_color": f"FF{layout.INPUT_COLOR}"}
# Errors: solid red. Warnings: orange diagonal stripes on the input yellow. They differ in black and white too.
ERROR_FILL = {"fill_type": "solid", "start_color": "FFFF7C80", "end_color": "FFFF7C80"}
WARNING_FILL = {"fill_type": "lightUp", "start_color": "FFFF9900", "end_color": f"FF{layout.INPUT_COLOR}"}
ADVICE = {
    "missing-row": "Dòng này đã bị xóa khỏi biểu đơn vị gửi; biểu này đã có lại dòng đó (ô mã được tô màu): điền "
                   "số liệu vào các ô nền vàng của dòng rồi gửi lại.",
    "empty-return": f"Điền số liệu vào các ô nền vàng của trang '{layout.DATA_SHEET}' rồi gửi lại.",
    "unusual-change": "Kiểm tra lại; nếu số liệu đúng, ghi lý do vào cột 'Ghi chú' của dòng đó.",
    # a warning, but the figure stays out of the sum until the unit sends its numerator and denominator
    "value-cannot-be-summed": "Nhập Tử số và Mẫu số của dòng này rồi gửi lại biểu này; nếu không, số liệu "
                              "của đơn vị không được tính vào tổng của tỉnh.",
}
ERROR_ADVICE = "Sửa ở ô được tô màu rồi gửi lại biểu này."
WARNING_ADVICE = "Kiểm tra lại; nếu số liệu đúng, không cần sửa."


def annotated_return(plan: Plan, period: Period, unit: Unit, data: bytes, problems: list[Problem],
                     out: Path) -> Path:
    """Write the annotated return beside ``out`` (its suffix follows the kind of workbook written:
    .xlsm for a workbook with macros, else .xlsx); the path written."""
    lost_rows = any(p.code == "missing-row" for p in problems)
    workbook = None if lost_rows else _own_workbook(data)
    if workbook is not None:
        sheet, typed, cells = typed_cells(data)
        if sheet in workbook.sheetnames:
            _results_for_formulas(workbook[sheet], typed, cells)
            _earlier_marks_removed(workbook[sheet], cells)
    else:
        workbook, problems = _fresh_workbook(plan, period, unit, data, problems)
    _annotate(workbook, problems)
    path = Path(out).with_suffix(".xlsm" if workbook.vba_archive is not None else ".xlsx")
    with atomic_output(path) as tmp:
        workbook.save(tmp)
    return path


def _own_workbook(data: bytes):
    """The unit's own workbook opened with openpyxl, or None when it is not one openpyxl can keep whole."""
    try:
        if kind_of(data) != ZIP:
            return None
        return openpyxl.load_workbook(io.BytesIO(data), keep_vba=b"xl/vbaProject.bin" in data, rich_text=True)
    except Refused:
        return None
    except Exception:  # noqa: BLE001 - an .ods, or a workbook openpyxl cannot parse (it raises many types): written afresh
        return None


def _results_for_formulas(sheet, typed: dict[str, dict[str, object]], cells: dict[str, tuple[str, str]]) -> None:
    """Put the result the unit's program computed in place of a formula typed in an input cell: openpyxl
    keeps formulas but not their results, and a formula without a result is no figure."""
    for name, (code, key) in cells.items():
        cell = sheet[name]
        if isinstance(cell.value, str) and cell.value.startswith("=") and key in typed[code]:
            cell.value = typed[code][key]


def _earlier_marks_removed(sheet, cells: dict[str, tuple[str, str]]) -> None:
    """Take the marks of an earlier answer off a return the unit corrected and sent back: every input and
    code cell of the data table gets the template's fill again (the unit's program may have restyled the
    marks), and loses the comments bdg wrote. What the unit typed is left as it is."""
    for name, (_, key) in cells.items():
        cell = sheet[name]
        cell.fill = PatternFill() if key == "code" else PatternFill(**INPUT_FILL)
        if cell.comment is not None and _written_by_bdg(cell.comment):
            cell.comment = None


def _written_by_bdg(comment: Comment) -> bool:
    """A comment bdg wrote: by its author, or, where another program dropped the author, by its text."""
    text = comment.text.lstrip()
    return comment.author == AUTHOR or text.startswith((f"[{ERROR}]", f"[{WARNING}]"))


def _fresh_workbook(plan: Plan, period: Period, unit: Unit, data: bytes, problems: list[Problem]):
    """The unit's collection workbook written afresh with everything it typed, and the problems moved
    to the cells where the same figures now are; a row the unit deleted is back, its code cell marked."""
    _, typed, cells = typed_cells(data)
    entries = {code: Entry(*(_number(values.get(k)) for k in layout.NUMBER_INPUTS), _note(values.get("note")),
                           _year(values.get("data_year"))) for code, values in typed.items()}
    with tempfile.TemporaryDirectory(prefix="bdg-annotate-") as folder:
        path = write_template(plan, period, unit, Path(folder) / "fresh.xlsx", entries=entries)
        workbook = openpyxl.load_workbook(path)
    sheet = workbook[layout.DATA_SHEET]
    rows = {sheet.cell(r, 1).value: r for r in range(layout.FIRST_DATA_ROW + 1, sheet.max_row + 1)}
    for code, values in typed.items():
        for key, raw in values.items():
            unwritten = _number(raw) is None if key in layout.NUMBER_INPUTS else key == "data_year" and _year(raw) is None
            if code in rows and unwritten:
                sheet.cell(rows[code], layout.COLUMN_INDEX[key] + 1).value = raw  # text as typed, never lost
    restored = [code for code in rows if code not in typed]  # rows deleted from the unit's file, in order
    moved = []
    for found in problems:
        code, key = cells.get(found.cell, (None, None))
        if found.code == "missing-row" and restored:  # reported in the same order, one per deleted row
            code, key = restored.pop(0), "code"
        cell = f"{column_letter(layout.COLUMN_INDEX[key])}{rows[code]}" if code in rows else ""
        moved.append(Problem(found.code, found.severity, found.message, found.file,
                             layout.DATA_SHEET if cell else found.sheet, cell))  # no cell of theirs is left
    return workbook, moved


def _number(raw: object):
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or raw != raw:
        return None
    return to_decimal(raw)


def _year(raw: object) -> int | None:
    number = _number(raw)
    return int(number) if number is not None and number == int(number) else None


def _note(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, (date, datetime)):
        return f"{raw:%d/%m/%Y}"
    return str(raw)


def _annotate(workbook, problems: list[Problem]) -> None:
    """Highlight and comment every problem cell, and put the list of problems first."""
    by_cell: dict[tuple[str, str], list[Problem]] = {}
    for found in problems:
        if found.sheet in workbook.sheetnames and found.cell:
            by_cell.setdefault((found.sheet, found.cell), []).append(found)
    for (sheet, cell), found in by_cell.items():
        target = workbook[sheet][cell]
        error = any(p.severity == ERROR for p in found)
        target.fill = PatternFill(**(ERROR_FILL if error else WARNING_FILL))
        text = "\n".join(f"[{p.severity}] {p.message}" for p in found)
        comment = Comment(text, AUTHOR)
        comment.width, comment.height = 320, 40 + 20 * (len(text) // 45 + len(found))
        target.comment = comment
    _results_sheet(workbook, problems)


def _results_sheet(workbook, problems: list[Problem]) -> None:
    if RESULTS_SHEET in workbook.sheetnames:  # a return annotated before and sent back as it was
        del workbook[RESULTS_SHEET]
    sheet = workbook.create_sheet(RESULTS_SHEET, 0)
    sheet.append(RESULTS_HEADERS)
    for number, found in enumerate(problems, start=1):
        sheet.append((number, found.severity, found.sheet, found.cell, found.message, _advice(found)))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEF", (5, 10, 12, 7, 80, 50)):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    if not problems:
        sheet.append(("", "", "", "", "Không có vấn đề nào.", ""))
    sheet.protection.sheet = True
    workbook.active = 0
    for other in workbook.worksheets[1:]:
        other.sheet_view.tabSelected = False


def _advice(found: Problem) -> str:
    if found.code in ADVICE:
        return ADVICE[found.code]
    return ERROR_ADVICE if found.severity == ERROR else WARNING_ADVICE
