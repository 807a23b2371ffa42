"""The consolidated workbook: the plan's appendix filled in, with the data behind it.

Every formula is written with its computed result as the cached value, because LibreOffice,
previewers and phones show cached values without recalculating. Missed targets are flagged
by conditional-formatting rules that read the formulas' results, so the colours stay true
when someone corrects a number; the status is also written as text for black-and-white print.

Each sheet's columns are specified once (``Column``). The lists that grow with the number of
units (per unit, submissions, problems) are streamed: their rows are not kept in memory.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from bdg_excel import layout
from bdg_excel.figures import MET, MISSED, NO_DATA, as_decimal
from bdg_excel.problems import cell_name, column_letter
from bdg_excel.workbook import DECREE_30_MARGINS, add_streamed_sheet, print_setup, write_xlsx

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet

    from bdg_excel.aggregate import ElementFigure
    from bdg_excel.consolidation import Consolidation

APPENDIX, DATA, BY_UNIT, SUBMISSIONS, PROBLEMS, CHART = (
    "Phụ lục", "Dữ liệu", "Theo đơn vị", "Tình trạng nộp", "Lỗi", "Biểu đồ")
EXCEL_OPERATORS = {"≥": ">=", "≤": "<=", "<": "<", ">": ">", "=": "="}
STATUS_COLOURS = {MISSED: ("#FFC7CE", "#9C0006"), MET: ("#C6EFCE", "#006100"), NO_DATA: ("#FFEB9C", "#9C5700")}

Value = Callable[["Consolidation", Any], object]


@dataclass(frozen=True)
class Column:
    """One column of a sheet: header, width (characters), format name, and how a row's value is taken
    from the consolidation and the row's item (None: the sheet writes a formula or a merged block there)."""

    key: str
    header: str
    width: float
    style: str
    value: Value | None = None


def _field(path: str) -> Value:
    """The value at an attribute path of the row's item: ``_field("element.code")``."""
    get = attrgetter(path)
    return lambda result, item: get(item)


def _exact(path: str) -> Value:
    """An exact result (a Fraction or None) at an attribute path, as a decimal."""
    get = attrgetter(path)
    return lambda result, item: None if get(item) is None else as_decimal(get(item))


def _reporters(result: "Consolidation", figure: "ElementFigure") -> str:
    """'6/7 đơn vị' where several units enter the figure, else the name of the unit that does."""
    if len(figure.expected_units) > 1:
        return figure.units_text
    return ", ".join(result.plan.unit(u).name for u in figure.expected_units)


# The appendix's headers are filled in with the plan's year and the periods; "previous" only when there is one.
APPENDIX_COLUMNS = (
    Column("goal", "MỤC TIÊU", 30, "bold"),
    Column("indicator", "CÁC CHỈ TIÊU KẾ HOẠCH NĂM {year}", 52, "text"),
    Column("result", "SỐ LIỆU KẾT QUẢ ĐẠT ĐƯỢC {period}", 34, "text"),
    Column("previous", "SỐ LIỆU KỲ TRƯỚC ({previous})", 26, "text"),
    Column("agency", "CƠ QUAN, ĐƠN VỊ THỰC HIỆN BÁO CÁO", 22, "text"),
    Column("status", "ĐÁNH GIÁ", 17, "center"),
)
DATA_COLUMNS = (  # one row per ElementFigure; "result" and "status" are formulas
    Column("code", "Mã", 18, "line", _field("element.code")),
    Column("goal", "Mục tiêu", 10, "center", lambda r, f: r.plan.element_goal(f.element.code)),
    Column("label", "Chỉ tiêu", 48, "line", _field("element.label")),
    Column("breakdown", "Phân tổ", 22, "line", _field("element.breakdown")),
    Column("reporters", "Đơn vị báo cáo", 22, "line", _reporters),
    Column("numerator", "Tử số", 11, "number", _field("entry.numerator")),
    Column("denominator", "Mẫu số", 11, "number", _field("entry.denominator")),
    Column("value", "Giá trị nhập", 11, "number", _field("entry.value")),
    Column("scale", "Hệ số", 9, "number", _field("element.scale")),
    Column("result", "Kết quả", 11, "result"),
    Column("unit", "Đơn vị tính", 12, "line", _field("element.unit")),
    Column("operator", "Toán tử", 9, "center", _field("element.operator")),
    Column("target", "Chỉ tiêu kế hoạch", 11, "number", _field("element.target")),
    Column("status", "Đánh giá", 16, "center"),
    Column("display", "Kết quả (hiển thị)", 24, "line", _field("display")),
    Column("previous", "Kỳ trước", 24, "line", lambda r, f: r.previous.get(f.element.code, "")),
    Column("note", "Ghi chú", 30, "line", lambda r, f: r.notes.get(f.element.code, "")),
)
BY_UNIT_COLUMNS = (  # one row per UnitRow: plain values, no formulas (nationally tens of thousands of rows)
    Column("code", "Mã", 14, "line", _field("element.code")),
    Column("label", "Chỉ tiêu", 48, "line", _field("element.label")),
    Column("breakdown", "Phân tổ", 18, "line", _field("element.breakdown")),
    Column("unit", "Đơn vị", 12, "line", _field("unit")),
    Column("unit_name", "Tên đơn vị", 36, "line", lambda r, u: r.plan.unit(u.unit).name),
    Column("numerator", "Tử số", 11, "number", _field("entry.numerator")),
    Column("denominator", "Mẫu số", 11, "number", _field("entry.denominator")),
    Column("value", "Giá trị nhập", 11, "number", _field("entry.value")),
    Column("result", "Kết quả", 11, "result", _exact("result")),
    Column("target", "Chỉ tiêu kế hoạch", 14, "center", _field("element.target_display")),
    Column("status", "Đánh giá", 16, "center", _field("status")),
    Column("note", "Ghi chú", 30, "line", _field("note")),
)
SUBMISSION_COLUMNS = (  # one row per SubmissionRow
    Column("unit", "Mã đơn vị", 12, "line", _field("unit.code")),
    Column("name", "Tên đơn vị", 36, "line", _field("unit.name")),
    Column("status", "Tình trạng", 22, "line", _field("status")),
    Column("file", "Tệp", 40, "line", _field("file")),
    Column("received", "Thời điểm gửi", 17, "datetime", _field("received_at")),
    Column("sender", "Người gửi", 26, "line", _field("sender")),
    Column("problems", "Số vấn đề", 10, "number", _field("problem_count")),
    Column("filled", "Số liệu đã nhập", 10, "center", lambda r, s: f"{s.filled}/{s.expected}"),
    Column("note", "Ghi chú", 40, "line", _field("note")),
)
PROBLEM_COLUMNS = (  # one row per (unit, Problem); wrapped text
    Column("file", "Tệp", 34, "text", lambda r, p: p[1].file),
    Column("unit", "Đơn vị", 12, "text", lambda r, p: p[0]),
    Column("sheet", "Trang", 14, "text", lambda r, p: p[1].sheet),
    Column("cell", "Ô", 8, "text", lambda r, p: p[1].cell),
    Column("code", "Mã lỗi", 28, "text", lambda r, p: p[1].code),
    Column("severity", "Mức độ", 10, "text", lambda r, p: p[1].severity),
    Column("message", "Nội dung", 80, "text", lambda r, p: p[1].message),
)
CHART_COLUMNS = (  # one row per Goal; the counts are formulas on the data sheet
    Column("goal", "Mục tiêu", 14, "text", lambda r, goal: f"Mục tiêu {goal.number}"),
    *(Column(status, status, 16, "number") for status in (MET, MISSED, NO_DATA)),
)


def _index(columns: tuple[Column, ...]) -> dict[str, int]:
    return {column.key: index for index, column in enumerate(columns)}


DATA_INDEX = _index(DATA_COLUMNS)


def write_report(result: "Consolidation", path: Path, appendix_only: bool = False) -> Path:
    """Write the consolidated workbook atomically: a crash never leaves half a file.

    ``appendix_only`` writes just the ``Phụ lục`` sheet, with plain statuses, for printing.
    """
    return write_xlsx(Path(path), lambda workbook: _ReportWriter(workbook, result, appendix_only).write(), large=True)


def _judgement_formula(row: int, operator: str) -> str:
    """Excel's judgement of a data-sheet row, exact: no division in the test."""
    num, den, val, scale, res, target = (cell_name(row, DATA_INDEX[k]) for k in
                                         ("numerator", "denominator", "value", "scale", "result", "target"))
    op = EXCEL_OPERATORS[operator]
    return (f'=IF(ISNUMBER({res}),IF(IF(AND(ISNUMBER({num}),ISNUMBER({den})),{num}*{scale}{op}{target}*{den},'
            f'{val}{op}{target}),"{MET}","{MISSED}"),"{NO_DATA}")')


def _write_cell(sheet, row: int, col: int, value: object, cell_format) -> None:
    """Numbers as numbers, text as text (never a formula), a time as a date, None as a formatted blank."""
    if value is None:
        sheet.write_blank(row, col, None, cell_format)
    elif isinstance(value, str):
        sheet.write_string(row, col, value, cell_format)
    elif isinstance(value, datetime):
        sheet.write_datetime(row, col, value, cell_format)
    else:
        sheet.write_number(row, col, float(value), cell_format)


def _widths(sheet, columns: tuple[Column, ...]) -> None:
    for col, column in enumerate(columns):
        sheet.set_column(col, col, column.width)


class _ReportWriter:
    def __init__(self, workbook, result: "Consolidation", appendix_only: bool):
        self.wb = workbook
        self.appendix_only = appendix_only
        self.r = result
        self.plan = result.plan
        self.f = self._formats()
        self.data_rows = {figure.element.code: row for row, figure in enumerate(result.figures, start=1)}

    def _format(self, **props):
        return self.wb.add_format({"font_name": layout.FONT, "font_size": 12, "valign": "top", **props})

    def _formats(self) -> dict:
        box = {"border": 1, "text_wrap": True}
        formats = {
            "title": self._format(bold=True, font_size=14, align="center", text_wrap=True),
            "subtitle": self._format(italic=True, align="center", text_wrap=True),
            "header": self._format(bold=True, align="center", valign="vcenter", **box),
            "text": self._format(**box),
            "line": self._format(border=1),  # list sheets: one line per row, no wrapping
            "bold": self._format(bold=True, **box),
            "center": self._format(align="center", **box),
            "number": self._format(border=1, num_format="#,##0.##"),
            "result": self._format(border=1, num_format="#,##0.00"),
            "datetime": self._format(border=1, num_format="dd/mm/yyyy hh:mm"),
        }
        for status, (fill, font) in STATUS_COLOURS.items():
            formats[status] = self.wb.add_format({"bg_color": fill, "font_color": font})
        return formats

    def write(self) -> None:
        self.wb.formats[0].set_font_name(layout.FONT)
        self.wb.set_properties({"title": f"Tổng hợp {self.r.period.name} – {self.plan.info.title}",
                                "author": self.plan.info.collector})
        self._appendix(self.wb.add_worksheet(APPENDIX))
        if self.appendix_only:
            return
        self._data(self.wb.add_worksheet(DATA))
        self._by_unit()
        self._submissions()
        self._list(PROBLEMS, PROBLEM_COLUMNS, self.r.problems)
        self._chart(self.wb.add_worksheet(CHART))

    # -- shared pieces -------------------------------------------------------------------

    def _headers(self, sheet, row: int, columns: tuple[Column, ...], **labels: str) -> None:
        _widths(sheet, columns)
        for col, column in enumerate(columns):
            sheet.write_string(row, col, column.header.format(**labels), self.f["header"])

    def _write_row(self, sheet, row: int, columns: tuple[Column, ...], item) -> None:
        """Write ``item``'s row: every column that says how its value is taken (the others hold formulas)."""
        for col, column in enumerate(columns):
            if column.value is not None:
                _write_cell(sheet, row, col, column.value(self.r, item), self.f[column.style])

    def _list(self, name: str, columns: tuple[Column, ...], items: list) -> "Worksheet":
        """A plain list sheet, streamed row by row: headers, one row per item, filters, a frozen header."""
        sheet = add_streamed_sheet(self.wb, name)
        self._headers(sheet, 0, columns)
        wrapped = [column for column in columns if column.style == "text"]
        for row, item in enumerate(items, start=1):
            if wrapped:  # rows tall enough to show wrapped text whole, set before the row is written
                sheet.set_row(row, layout.row_height([(c.value(self.r, item), c.width) for c in wrapped]))
            self._write_row(sheet, row, columns, item)
        sheet.autofilter(0, 0, max(len(items), 1), len(columns) - 1)
        sheet.freeze_panes(1, 0)
        print_setup(sheet, DECREE_30_MARGINS, 0)
        return sheet

    def _status_rules(self, sheet, first_row: int, last_row: int, status_col: int, other_cols: tuple = ()) -> None:
        """Colour statuses by rules on the status cells' values (kept live when numbers change)."""
        if last_row < first_row:
            return
        letter = column_letter(status_col)
        for status in STATUS_COLOURS:
            sheet.conditional_format(first_row, status_col, last_row, status_col, {
                "type": "cell", "criteria": "==", "value": f'"{status}"', "format": self.f[status]})
            for col in other_cols:
                sheet.conditional_format(first_row, col, last_row, col, {
                    "type": "formula", "criteria": f'=${letter}{first_row + 1}="{status}"', "format": self.f[status]})

    # -- the sheets ------------------------------------------------------------------------

    def _appendix(self, sheet) -> None:
        info, period = self.plan.info, self.r.period
        with_previous = any(self.r.previous.values())
        columns = tuple(c for c in APPENDIX_COLUMNS if with_previous or c.key != "previous")
        col, last = _index(columns), len(columns) - 1
        width, style = {c.key: c.width for c in columns}, {c.key: self.f[c.style] for c in columns}
        sheet.merge_range(0, 0, 0, last, "PHỤ LỤC", self.f["title"])
        sheet.merge_range(1, 0, 1, last, info.title.upper(), self.f["title"])
        sheet.merge_range(2, 0, 2, last, f"({info.issued_by})" if info.issued_by else "", self.f["subtitle"])
        sheet.merge_range(3, 0, 3, last, f"Kết quả {period.name[0].lower() + period.name[1:]}, tổng hợp ngày "
                          f"{self.r.generated_at:%d/%m/%Y}", self.f["subtitle"])
        sheet.set_row(1, 36)
        header_row = 5
        self._headers(sheet, header_row, columns, year=str(info.year), period=period_label(period.code),
                      previous=period_label(self.r.previous_period))
        sheet.set_row(header_row, 48)
        row = header_row + 1
        heights: dict[int, float] = {}
        blocks = []
        for goal in self.plan.goals:
            goal_first = row
            for indicator in self.plan.indicators_of(goal.number):
                first = row
                figures = [f for f in self.r.figures if f.element.indicator == indicator.code]
                for figure in figures:
                    element = figure.element
                    prefix = f"{element.breakdown}: " if element.breakdown and len(figures) > 1 else ""
                    texts = {"result": prefix + figure.display}
                    if with_previous:
                        previous = self.r.previous.get(element.code, "")
                        texts["previous"] = prefix + previous if previous else ""
                    for key, text in texts.items():
                        sheet.write_string(row, col[key], text, style[key])
                    if self.appendix_only:
                        sheet.write_string(row, col["status"], figure.status, style["status"])
                    else:
                        source = cell_name(self.data_rows[element.code], DATA_INDEX["status"])
                        sheet.write_formula(row, col["status"], f"='{DATA}'!{source}", style["status"], figure.status)
                    heights[row] = layout.row_height([(text, width[key]) for key, text in texts.items()])
                    row += 1
                blocks += [(first, row - 1, "indicator", indicator.text),
                           (first, row - 1, "agency", indicator.lead_agency)]
            blocks.append((goal_first, row - 1, "goal", goal.heading))
        for first, end, key, text in blocks:
            if end > first:
                sheet.merge_range(first, col[key], end, col[key], text, style[key])
            else:
                sheet.write_string(first, col[key], text, style[key])
            needed = layout.row_height([(text, width[key])])
            have = sum(heights[r] for r in range(first, end + 1))
            if needed > have:
                for r in range(first, end + 1):
                    heights[r] += (needed - have) / (end - first + 1)
        for r, height in heights.items():
            sheet.set_row(r, round(height, 1))
        self._status_rules(sheet, header_row + 1, row - 1, col["status"], (col["result"],))
        print_setup(sheet, DECREE_30_MARGINS, header_row)

    def _data(self, sheet) -> None:
        figures = self.r.figures
        sheet.add_table(0, 0, max(len(figures), 1), len(DATA_COLUMNS) - 1, {
            "name": "DuLieu", "style": "Table Style Light 9",
            "columns": [{"header": c.header, "header_format": self.f["header"]} for c in DATA_COLUMNS]})
        _widths(sheet, DATA_COLUMNS)
        for row, figure in enumerate(figures, start=1):
            self._write_row(sheet, row, DATA_COLUMNS, figure)
            self._figure_formulas(sheet, row, figure)
        self._status_rules(sheet, 1, len(figures), DATA_INDEX["status"], (DATA_INDEX["result"],))
        sheet.freeze_panes(1, 1)
        print_setup(sheet, DECREE_30_MARGINS, 0)

    def _figure_formulas(self, sheet, row: int, figure: "ElementFigure") -> None:
        """A figure's result and judgement as formulas, with their results cached."""
        num, den, val, scale = (cell_name(row, DATA_INDEX[k]) for k in ("numerator", "denominator", "value", "scale"))
        cached = float(as_decimal(figure.result)) if figure.result is not None else ""
        for key, formula, value in (("result", layout.result_formula(num, den, val, scale), cached),
                                    ("status", _judgement_formula(row, figure.element.operator), figure.status)):
            column = DATA_INDEX[key]
            sheet.write_formula(row, column, formula, self.f[DATA_COLUMNS[column].style], value)

    def _by_unit(self) -> None:
        sheet = self._list(BY_UNIT, BY_UNIT_COLUMNS, self.r.unit_rows)
        index = _index(BY_UNIT_COLUMNS)
        self._status_rules(sheet, 1, len(self.r.unit_rows), index["status"], (index["result"], index["unit"]))

    def _submissions(self) -> None:
        sheet = self._list(SUBMISSIONS, SUBMISSION_COLUMNS, self.r.submissions)
        last_row, status = len(self.r.submissions), _index(SUBMISSION_COLUMNS)["status"]
        if last_row:
            for text, colour in (("Chưa nhận", MISSED), ("Bị từ chối", MISSED), ("muộn", NO_DATA),
                                 ("vấn đề", NO_DATA), ("Đúng hạn", MET)):
                sheet.conditional_format(1, status, last_row, status, {"type": "text", "criteria": "containing",
                                                                       "value": text, "format": self.f[colour]})

    def _chart(self, sheet) -> None:
        self._headers(sheet, 0, CHART_COLUMNS)
        last = len(self.r.figures)
        goal_letter, status_letter = column_letter(DATA_INDEX["goal"]), column_letter(DATA_INDEX["status"])
        goal_range = f"'{DATA}'!${goal_letter}$2:${goal_letter}${last + 1}"
        status_range = f"'{DATA}'!${status_letter}$2:${status_letter}${last + 1}"
        for row, goal in enumerate(self.plan.goals, start=1):
            self._write_row(sheet, row, CHART_COLUMNS, goal)
            for col, column in enumerate(CHART_COLUMNS[1:], start=1):
                count = sum(1 for f in self.r.figures
                            if self.plan.element_goal(f.element.code) == goal.number and f.status == column.key)
                sheet.write_formula(row, col, f'=COUNTIFS({goal_range},{goal.number},{status_range},"{column.key}")',
                                    self.f[column.style], count)
        chart = self.wb.add_chart({"type": "column", "subtype": "stacked"})
        goals = len(self.plan.goals)
        for col, column in enumerate(CHART_COLUMNS[1:], start=1):
            fill, border = STATUS_COLOURS[column.key]
            chart.add_series({
                "name": [CHART, 0, col], "categories": [CHART, 1, 0, goals, 0], "values": [CHART, 1, col, goals, col],
                "fill": {"color": fill}, "border": {"color": border}})
        chart.set_title({"name": "Số chỉ tiêu đạt / không đạt / chưa có số liệu theo mục tiêu",
                         "name_font": {"name": layout.FONT, "size": 12}})
        chart.set_y_axis({"name": "Số chỉ tiêu", "major_gridlines": {"visible": True}})
        chart.set_legend({"position": "bottom", "font": {"name": layout.FONT}})
        chart.set_size({"width": 760, "height": 420})
        sheet.insert_chart(0, 5, chart)
        print_setup(sheet, DECREE_30_MARGINS, 0)


def period_label(code: str) -> str:
    """'NĂM 2020' or '06 THÁNG ĐẦU NĂM 2020' for the appendix's column headers."""
    if code.endswith("-H1"):
        return f"06 THÁNG ĐẦU NĂM {code[:4]}"
    return f"NĂM {code}"
