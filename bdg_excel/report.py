"""The consolidated workbook: the plan's appendix filled in, with the data behind it.

Every formula is written with its computed result as the cached value, because LibreOffice,
previewers and phones show cached values without recalculating. Missed targets are flagged
by conditional-formatting rules that read the formulas' results, so the colours stay true
when someone corrects a number; the status is also written as text for black-and-white print.

Each sheet's columns are specified once (``Column``). The lists that grow with the number of
units (per unit, submissions, problems) are streamed: their rows are not kept in memory.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from bdg_excel import layout
from bdg_excel.figures import (MET, MISSED, NO_DATA, PARTLY_MET, as_decimal, indicator_status, outcome, period_statuses,
                               status_words)
from bdg_excel.problems import cell_name, column_letter
from bdg_excel.workbook import (DECIMAL, DECREE_30_MARGINS, WHOLE, FirstPageBare, Page, add_streamed_sheet,
                                number_rule_formats, number_rules, paginate, print_setup, write_xlsx)

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet

    from bdg_excel.aggregate import ElementFigure
    from bdg_excel.consolidation import Consolidation
    from bdg_excel.plan import Indicator

APPENDIX, DATA, BY_UNIT, SUBMISSIONS, PROBLEMS, CHART = (
    "Phụ lục", "Dữ liệu", "Theo đơn vị", "Tình trạng nộp", "Lỗi", "Biểu đồ")
EXCEL_OPERATORS = {"≥": ">=", "≤": "<=", "<": "<", ">": ">", "=": "="}
PAGE = Page(DECREE_30_MARGINS)  # every sheet: A4 landscape, Decree 30/2020's margins
# Decree 30/2020: page numbers in Arabic numerals, centred in the top margin, 13 pt, none on the first page.
PAGE_NUMBER = f'&C&"{layout.FONT}"&13&P'
CONTINUED = " (tiếp theo)"  # after a goal's heading where it continues on a new page
WRAPPED = ("text", "center")  # the formats that wrap text
STATUS_COLOURS = {MISSED: ("#FFC7CE", "#9C0006"), MET: ("#C6EFCE", "#006100"), NO_DATA: ("#FFEB9C", "#9C5700")}
# The chart's series of figures judged against a later milestone, by what they come to: a paler green for
# "Đã đạt mốc 2030", blue for "Chưa đạt mốc 2030" (on its way, not a failure).
MILESTONE_COLOURS = {MET: ("#E2EFDA", "#548235"), MISSED: ("#DDEBF7", "#2F5597")}
CHART_TITLE = "Đánh giá từng số liệu theo mục tiêu (một chỉ tiêu có thể gồm nhiều số liệu)"

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
    Column("indicator", "CÁC CHỈ TIÊU KẾ HOẠCH {years}", 52, "text"),
    Column("result", "SỐ LIỆU KẾT QUẢ ĐẠT ĐƯỢC {period}", 34, "text"),
    Column("previous", "SỐ LIỆU KỲ TRƯỚC ({previous})", 26, "text"),
    Column("agency", "CƠ QUAN, ĐƠN VỊ THỰC HIỆN BÁO CÁO", 22, "text"),
    Column("status", "ĐÁNH GIÁ", 17, "center"),
)
# The list sheets print one page wide, landscape: their widths add up to a sheet that prints at 68 % or more,
# its 12-point text at 8 points or more; long texts wrap ("text"), numbers and times stay on one line.
DATA_COLUMNS = (  # one row per ElementFigure; "result" and "status" are formulas
    Column("code", "Mã", 19, "text", _field("element.code")),
    Column("goal", "Mục tiêu", 5, "center", lambda r, f: r.plan.element_goal(f.element.code)),
    Column("label", "Chỉ tiêu", 20, "text", _field("element.label")),
    Column("breakdown", "Phân tổ", 10, "text", _field("element.breakdown")),
    Column("reporters", "Đơn vị báo cáo", 11, "text", _reporters),
    Column("numerator", "Tử số", 11, "number", _field("entry.numerator")),
    Column("denominator", "Mẫu số", 11, "number", _field("entry.denominator")),
    Column("value", "Giá trị nhập", 9, "number", _field("entry.value")),
    Column("scale", "Hệ số", 8, "number", _field("element.scale")),
    Column("result", "Kết quả", 10, "result"),
    Column("unit", "Đơn vị tính", 9, "text", _field("element.unit")),
    Column("operator", "Toán tử", 6, "center", lambda r, f: f.target.operator if f.target else ""),
    Column("target", "Chỉ tiêu kế hoạch", 8, "number", lambda r, f: f.target.value if f.target else None),
    Column("status", "Đánh giá", 10, "center"),
    Column("display", "Kết quả (hiển thị)", 11, "text", _field("display")),
    Column("previous", "Kỳ trước", 9, "text", lambda r, f: r.previous.get(f.element.code, "")),
    Column("note", "Ghi chú", 9, "text", lambda r, f: r.notes.get(f.element.code, "")),
)
BY_UNIT_COLUMNS = (  # one row per UnitRow: plain values, no formulas (nationally tens of thousands of rows)
    Column("code", "Mã", 19, "text", _field("element.code")),
    Column("label", "Chỉ tiêu", 22, "text", _field("element.label")),
    Column("breakdown", "Phân tổ", 10, "text", _field("element.breakdown")),
    Column("unit", "Đơn vị", 14, "text", _field("unit")),
    Column("unit_name", "Tên đơn vị", 20, "text", lambda r, u: r.plan.unit(u.unit).name),
    Column("numerator", "Tử số", 11, "number", _field("entry.numerator")),
    Column("denominator", "Mẫu số", 11, "number", _field("entry.denominator")),
    Column("value", "Giá trị nhập", 9, "number", _field("entry.value")),
    Column("result", "Kết quả", 10, "result", _exact("result")),
    Column("target", "Chỉ tiêu kế hoạch", 11, "center", _field("element.target_display")),
    Column("status", "Đánh giá", 10, "center", _field("status")),
    Column("note", "Ghi chú", 12, "text", _field("note")),
)
SUBMISSION_COLUMNS = (  # one row per SubmissionRow
    Column("unit", "Mã đơn vị", 14, "text", _field("unit.code")),
    Column("name", "Tên đơn vị", 22, "text", _field("unit.name")),
    Column("status", "Tình trạng", 16, "text", _field("status")),
    Column("file", "Tệp", 28, "text", _field("file")),
    Column("received", "Thời điểm gửi", 17, "datetime", _field("received_at")),
    Column("sender", "Người gửi", 20, "text", _field("sender")),
    Column("problems", "Số vấn đề", 8, "count", _field("problem_count")),
    Column("filled", "Số liệu đã nhập", 9, "center", lambda r, s: f"{s.filled}/{s.expected}"),
    Column("note", "Ghi chú", 28, "text", _field("note")),
)
PROBLEM_COLUMNS = (  # one row per (unit, Problem); wrapped text
    Column("file", "Tệp", 28, "text", lambda r, p: p[1].file),
    Column("unit", "Đơn vị", 14, "text", lambda r, p: p[0]),
    Column("sheet", "Trang", 12, "text", lambda r, p: p[1].sheet),
    Column("cell", "Ô", 7, "text", lambda r, p: p[1].cell),
    Column("code", "Mã lỗi", 22, "text", lambda r, p: p[1].code),
    Column("severity", "Mức độ", 9, "text", lambda r, p: p[1].severity),
    Column("message", "Nội dung", 56, "text", lambda r, p: p[1].message),
)
CHART_GOAL = Column("goal", "Mục tiêu", 14, "text", lambda r, goal: f"Mục tiêu {goal.number}")


def chart_columns(statuses: list[str]) -> tuple[Column, ...]:
    """The chart sheet's columns, one row per Goal: the goal, then how many of its figures have each of the
    period's ``statuses`` (formulas on the data sheet)."""
    return (CHART_GOAL, *(Column(status, status, 16, "count") for status in statuses))


def _index(columns: tuple[Column, ...]) -> dict[str, int]:
    return {column.key: index for index, column in enumerate(columns)}


DATA_INDEX = _index(DATA_COLUMNS)


def write_report(result: "Consolidation", path: Path, appendix_only: bool = False) -> Path:
    """Write the consolidated workbook atomically: a crash never leaves half a file.

    ``appendix_only`` writes just the ``Phụ lục`` sheet, with plain statuses, for printing.
    """
    return write_xlsx(Path(path), lambda workbook: _ReportWriter(workbook, result, appendix_only).write(), large=True)


def _judgement_formula(row: int, operator: str, met: str = MET, missed: str = MISSED) -> str:
    """Excel's judgement of a data-sheet row, exact: no division in the test; ``met`` and ``missed`` are the
    words for the period (``Đã đạt mốc 2030`` where the target is a later milestone)."""
    num, den, val, scale, res, target = (cell_name(row, DATA_INDEX[k]) for k in
                                         ("numerator", "denominator", "value", "scale", "result", "target"))
    op = EXCEL_OPERATORS[operator]
    return (f'=IF(ISNUMBER({res}),IF(IF(AND(ISNUMBER({num}),ISNUMBER({den})),{num}*{scale}{op}{target}*{den},'
            f'{val}{op}{target}),"{met}","{missed}"),"{NO_DATA}")')


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


def _merge(sheet, first: int, last: int, col: int, text: str, cell_format) -> None:
    """Text in cells merged down rows ``first`` to ``last`` of a column (one cell when they are one row)."""
    if last > first:
        sheet.merge_range(first, col, last, col, text, cell_format)
    else:
        sheet.write_string(first, col, text, cell_format)


def _goal_height(heading: str) -> float:
    """The height a goal's heading needs in the appendix."""
    return layout.row_height([(heading, APPENDIX_COLUMNS[0].width)], bold=True)


def _spread(heights: list[float], needed: float) -> list[float]:
    """Row heights grown, in whole pixels shared out from the top, until together they are ``needed`` tall."""
    missing = round((needed - sum(heights)) / layout.PIXEL)
    if missing <= 0:
        return heights
    share, more = divmod(missing, len(heights))
    return [height + (share + (index < more)) * layout.PIXEL for index, height in enumerate(heights)]


@dataclass(frozen=True)
class _IndicatorRows:
    """An indicator's rows in the appendix, kept on one page: its figures, their texts, the rows' heights."""

    indicator: "Indicator"
    figures: list["ElementFigure | None"]
    texts: list[dict[str, str]]
    heights: list[float]


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
        self.number_formats = number_rule_formats(workbook)
        self.data_rows = {figure.element.code: row for row, figure in enumerate(result.figures, start=1)}
        # (word, what it comes to) for the period's words other than Đạt / Không đạt: "Đã đạt mốc 2030", ...
        self.milestone_words = [(word, outcome(word)) for word in period_statuses(self.plan.elements, result.period.year)
                                if word not in (MET, MISSED, NO_DATA)]

    def _format(self, **props):
        return self.wb.add_format({"font_name": layout.FONT, "font_size": 12, "valign": "top", **props})

    def _formats(self) -> dict:
        box = {"border": 1, "text_wrap": True}
        formats = {
            "title": self._format(bold=True, font_size=14, align="center", text_wrap=True),
            "subtitle": self._format(italic=True, align="center", text_wrap=True),
            "header": self._format(bold=True, align="center", valign="vcenter", **box),
            "text": self._format(**box),
            "bold": self._format(bold=True, **box),
            "center": self._format(align="center", **box),
            "number": self._format(border=1, num_format=DECIMAL),  # shown whole when whole: see _number_rules
            "count": self._format(border=1, num_format=WHOLE),
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
        self._appendix(self.wb.add_worksheet(APPENDIX, worksheet_class=FirstPageBare))
        if self.appendix_only:
            return
        self._data(self.wb.add_worksheet(DATA))
        self._by_unit()
        self._submissions()
        self._list(PROBLEMS, PROBLEM_COLUMNS, self.r.problems)
        self._chart(self.wb.add_worksheet(CHART))

    # -- shared pieces -------------------------------------------------------------------

    def _headers(self, sheet, row: int, columns: tuple[Column, ...], **labels: str) -> float:
        """The header row, tall enough for its wrapped labels; returns its height."""
        _widths(sheet, columns)
        headers = [column.header.format(**labels) for column in columns]
        height = layout.row_height([(text, column.width) for text, column in zip(headers, columns)], bold=True)
        sheet.set_row(row, height)
        for col, text in enumerate(headers):
            sheet.write_string(row, col, text, self.f["header"])
        return height

    def _write_row(self, sheet, row: int, columns: tuple[Column, ...], item, *formulas: str) -> None:
        """Write ``item``'s row, as tall as its wrapped texts need: every column that says how its value is
        taken (the others hold formulas; ``formulas`` are the texts of their wrapped results)."""
        values = [column.value(self.r, item) if column.value else None for column in columns]
        wrapped = [(value, column.width) for value, column in zip(values, columns) if column.style in WRAPPED]
        sheet.set_row(row, layout.row_height([*wrapped, *formulas]))  # set before the row's cells
        for col, (column, value) in enumerate(zip(columns, values)):
            if column.value is not None:
                _write_cell(sheet, row, col, value, self.f[column.style])

    def _list(self, name: str, columns: tuple[Column, ...], items: list) -> "Worksheet":
        """A plain list sheet, streamed row by row: headers, one row per item, filters, a frozen header."""
        sheet = add_streamed_sheet(self.wb, name)
        self._headers(sheet, 0, columns)
        for row, item in enumerate(items, start=1):
            self._write_row(sheet, row, columns, item)
        sheet.autofilter(0, 0, max(len(items), 1), len(columns) - 1)
        sheet.freeze_panes(1, 0)
        print_setup(sheet, PAGE, 0)
        return sheet

    def _number_rules(self, sheet, columns: tuple[Column, ...], last_row: int) -> None:
        """Every number column that may hold decimals (style "number") shows a whole number without a dangling
        separator, rows 1 to ``last_row``."""
        for col, column in enumerate(columns):
            if column.style == "number":
                number_rules(sheet, self.number_formats, 1, col, last_row, col)

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
        for word, status in self.milestone_words:
            sheet.conditional_format(first_row, status_col, last_row, status_col, {
                "type": "cell", "criteria": "==", "value": f'"{word}"', "format": self.f[status]})
            for col in other_cols:
                sheet.conditional_format(first_row, col, last_row, col, {
                    "type": "formula", "criteria": f'=${letter}{first_row + 1}="{word}"', "format": self.f[status]})

    # -- the sheets ------------------------------------------------------------------------

    def _appendix(self, sheet) -> None:
        """The plan's appendix, paged by hand: an indicator never splits, and a goal that continues on the
        next page (between two indicators) has its heading again, marked (tiếp theo)."""
        with_previous = any(self.r.previous.values())
        columns = tuple(c for c in APPENDIX_COLUMNS if with_previous or c.key != "previous")
        above = self._appendix_title(sheet, columns)
        goals = [[self._indicator_rows(indicator, columns) for indicator in self.plan.indicators_of(goal.number)]
                 for goal in self.plan.goals]
        headings = [(goal.heading, goal.heading + CONTINUED) for goal in self.plan.goals]
        groups = [(*(_goal_height(text) for text in texts), [sum(rows.heights) for rows in indicators])
                  for texts, indicators in zip(headings, goals)]
        scale = PAGE.scale([c.width for c in columns])
        room = PAGE.rows_height(scale)
        first = row = len(above)
        breaks = []
        for page, parts in enumerate(paginate(groups, room - sum(above), room - above[-1])):
            breaks += [row] if page else []
            for goal, indicators in parts:
                continued = indicators[0] > 0
                row = self._goal_part(sheet, row, columns, headings[goal][continued],
                                      [goals[goal][i] for i in indicators], groups[goal][continued])
        index = _index(columns)
        self._status_rules(sheet, first, row - 1, index["status"], (index["result"],))
        self._appendix_summary(sheet, row, columns)
        print_setup(sheet, PAGE, first - 1, scale, breaks, footer="")
        sheet.set_header(PAGE_NUMBER, {"scale_with_doc": False})

    def _appendix_summary(self, sheet, row: int, columns: tuple[Column, ...]) -> None:
        """The line that ends the appendix: how many indicators are met, partly met, missed, without data."""
        text = summary_text(self.r)
        width = layout.merged_width([c.width for c in columns])
        sheet.set_row(row, layout.row_height([(text, width)], bold=True))
        sheet.merge_range(row, 0, row, len(columns) - 1, text, self.f["bold"])

    def _appendix_title(self, sheet, columns: tuple[Column, ...]) -> list[float]:
        """The title rows and the header row; returns their heights."""
        info, period = self.plan.info, self.r.period
        last, width = len(columns) - 1, layout.merged_width([c.width for c in columns])
        lines = (("PHỤ LỤC", "title"), (info.title.upper(), "title"),
                 (f"({info.issued_by})" if info.issued_by else "", "subtitle"),
                 (f"Kết quả {period.name[0].lower() + period.name[1:]}, tổng hợp ngày "
                  f"{self.r.generated_at:%d/%m/%Y}", "subtitle"))
        heights = []
        for row, (text, style) in enumerate(lines):
            size = 14 if style == "title" else 12
            heights.append(layout.row_height([(text, width)], size, bold=style == "title"))
            sheet.set_row(row, heights[-1])
            sheet.merge_range(row, 0, row, last, text, self.f[style])
        heights.append(layout.line_height())
        sheet.set_row(len(lines), heights[-1])
        heights.append(self._headers(sheet, len(heights), columns, years=info.years_text,
                                     period=period_label(period.code), previous=period_label(self.r.previous_period)))
        return heights

    def _indicator_rows(self, indicator, columns: tuple[Column, ...]) -> "_IndicatorRows":
        """An indicator's rows in the appendix: each figure's texts, and heights that show all the text whole."""
        width = {c.key: c.width for c in columns}
        figures = [f for f in self.r.figures if f.element.indicator == indicator.code]
        texts = []
        for figure in figures:
            element = figure.element
            prefix = f"{element.breakdown}: " if element.breakdown and len(figures) > 1 else ""
            row = {"result": prefix + figure.display, "status": figure.status}
            if "previous" in width:
                previous = self.r.previous.get(element.code, "")
                row["previous"] = prefix + previous if previous else ""
            texts.append(row)
        if not figures:  # an indicator without data elements still has its row
            figures, texts = [None], [dict.fromkeys(("result", "previous") if "previous" in width else ("result",), "")]
        heights = [layout.row_height([(text, width[key]) for key, text in row.items()]) for row in texts]
        for key, text in (("indicator", indicator.text), ("agency", indicator.lead_agency)):
            heights = _spread(heights, layout.row_height([(text, width[key])]))
        return _IndicatorRows(indicator, figures, texts, heights)

    def _goal_part(self, sheet, row: int, columns: tuple[Column, ...], heading: str, parts: list["_IndicatorRows"],
                   least: float) -> int:
        """Write a goal's indicators that share a page, the goal's heading beside them; returns the next row."""
        col, style = _index(columns), {c.key: self.f[c.style] for c in columns}
        first = row
        for part in parts:
            for figure, texts in zip(part.figures, part.texts):
                self._figure_row(sheet, row, col, style, figure, texts)
                row += 1
            _merge(sheet, row - len(part.texts), row - 1, col["indicator"], part.indicator.text, style["indicator"])
            _merge(sheet, row - len(part.texts), row - 1, col["agency"], part.indicator.lead_agency, style["agency"])
        _merge(sheet, first, row - 1, col["goal"], heading, style["goal"])
        for r, height in enumerate(_spread([h for part in parts for h in part.heights], least), start=first):
            sheet.set_row(r, height)
        return row

    def _figure_row(self, sheet, row: int, col: dict, style: dict, figure: "ElementFigure | None", texts: dict) -> None:
        """One figure's row of the appendix: its texts and its status (a formula on the data sheet); blank
        for an indicator that has no data element."""
        for key, text in texts.items():
            if key != "status":
                sheet.write_string(row, col[key], text, style[key])
        if figure is None:
            sheet.write_blank(row, col["status"], None, style["status"])
        elif self.appendix_only:
            sheet.write_string(row, col["status"], figure.status, style["status"])
        else:
            source = cell_name(self.data_rows[figure.element.code], DATA_INDEX["status"])
            sheet.write_formula(row, col["status"], f"='{DATA}'!{source}", style["status"], figure.status)

    def _data(self, sheet) -> None:
        figures = self.r.figures
        sheet.add_table(0, 0, max(len(figures), 1), len(DATA_COLUMNS) - 1, {
            "name": "DuLieu", "style": "Table Style Light 9",
            "columns": [{"header": c.header, "header_format": self.f["header"]} for c in DATA_COLUMNS]})
        _widths(sheet, DATA_COLUMNS)
        sheet.set_row(0, layout.row_height([(c.header, c.width) for c in DATA_COLUMNS], bold=True))
        status_width = DATA_COLUMNS[DATA_INDEX["status"]].width
        for row, figure in enumerate(figures, start=1):
            self._write_row(sheet, row, DATA_COLUMNS, figure, (figure.status, status_width))
            self._figure_formulas(sheet, row, figure)
        self._status_rules(sheet, 1, len(figures), DATA_INDEX["status"], (DATA_INDEX["result"],))
        self._number_rules(sheet, DATA_COLUMNS, len(figures))
        sheet.freeze_panes(1, 1)
        print_setup(sheet, PAGE, 0)

    def _figure_formulas(self, sheet, row: int, figure: "ElementFigure") -> None:
        """A figure's result and judgement as formulas, with their results cached."""
        num, den, val, scale = (cell_name(row, DATA_INDEX[k]) for k in ("numerator", "denominator", "value", "scale"))
        cached = float(as_decimal(figure.result)) if figure.result is not None else ""
        for key, formula, value in (("result", layout.result_formula(num, den, val, scale), cached),
                                    ("status", self._judgement(row, figure), figure.status)):
            column = DATA_INDEX[key]
            sheet.write_formula(row, column, formula, self.f[DATA_COLUMNS[column].style], value)

    def _judgement(self, row: int, figure: "ElementFigure") -> str:
        if figure.target is None:
            return f'="{NO_DATA}"'
        return _judgement_formula(row, figure.target.operator, *status_words(figure.element, self.r.period.year))

    def _by_unit(self) -> None:
        sheet = self._list(BY_UNIT, BY_UNIT_COLUMNS, self.r.unit_rows)
        index = _index(BY_UNIT_COLUMNS)
        self._status_rules(sheet, 1, len(self.r.unit_rows), index["status"], (index["result"], index["unit"]))
        self._number_rules(sheet, BY_UNIT_COLUMNS, len(self.r.unit_rows))

    def _submissions(self) -> None:
        sheet = self._list(SUBMISSIONS, SUBMISSION_COLUMNS, self.r.submissions)
        last_row, status = len(self.r.submissions), _index(SUBMISSION_COLUMNS)["status"]
        if last_row:
            for text, colour in (("Chưa nhận", MISSED), ("Bị từ chối", MISSED), ("Gửi biểu trống", MISSED), ("muộn", NO_DATA),
                                 ("vấn đề", NO_DATA), ("Đúng hạn", MET)):
                sheet.conditional_format(1, status, last_row, status, {"type": "text", "criteria": "containing",
                                                                       "value": text, "format": self.f[colour]})

    def _chart(self, sheet) -> None:
        """Each goal's figures counted by status, a column per status of the period (Chưa đạt mốc 2030 is
        not Không đạt), as a table and a stacked column chart."""
        statuses = period_statuses(self.plan.elements, self.r.period.year)
        columns = chart_columns(statuses)
        self._headers(sheet, 0, columns)
        last = len(self.r.figures)
        goal_letter, status_letter = column_letter(DATA_INDEX["goal"]), column_letter(DATA_INDEX["status"])
        goal_range = f"'{DATA}'!${goal_letter}$2:${goal_letter}${last + 1}"
        status_range = f"'{DATA}'!${status_letter}$2:${status_letter}${last + 1}"
        for row, goal in enumerate(self.plan.goals, start=1):
            self._write_row(sheet, row, columns, goal)
            counts = Counter(f.status for f in self.r.figures if self.plan.element_goal(f.element.code) == goal.number)
            for col, status in enumerate(statuses, start=1):
                sheet.write_formula(row, col, f'=COUNTIFS({goal_range},{goal.number},{status_range},"{status}")',
                                    self.f["count"], counts[status])
        chart = self.wb.add_chart({"type": "column", "subtype": "stacked"})
        goals = len(self.plan.goals)
        for col, status in enumerate(statuses, start=1):
            fill, border = STATUS_COLOURS.get(status) or MILESTONE_COLOURS[outcome(status)]
            chart.add_series({
                "name": [CHART, 0, col], "categories": [CHART, 1, 0, goals, 0], "values": [CHART, 1, col, goals, col],
                "fill": {"color": fill}, "border": {"color": border}})
        font = {"name": layout.FONT, "size": 12}  # printed at 8 points or more when the sheet is fitted to the page
        chart.set_title({"name": CHART_TITLE, "name_font": font})
        chart.set_x_axis({"num_font": font})
        chart.set_y_axis({"name": "Số lượng số liệu", "name_font": font, "num_font": font,
                          "major_gridlines": {"visible": True}})
        chart.set_legend({"position": "bottom", "font": font})
        chart.set_size({"width": 760, "height": 420})
        sheet.insert_chart(0, len(columns) + 1, chart)
        print_setup(sheet, PAGE, 0)


def _indicator_statuses(result: "Consolidation") -> dict[str, list[str]]:
    """Each indicator that has data elements, with its elements' statuses, in plan order."""
    statuses: dict[str, list[str]] = {}
    for figure in result.figures:
        statuses.setdefault(figure.element.indicator, []).append(figure.status)
    return {i.code: statuses[i.code] for i in result.plan.indicators if i.code in statuses}


def indicator_counts(result: "Consolidation") -> dict[str, int]:
    """How many of the plan's indicators (those with data elements) are Đạt, Đạt một phần, Không đạt and
    Chưa có số liệu: an indicator with several figures counts once."""
    counts = dict.fromkeys((MET, PARTLY_MET, MISSED, NO_DATA), 0)
    for statuses in _indicator_statuses(result).values():
        counts[indicator_status(statuses)] += 1
    return counts


def summary_text(result: "Consolidation") -> str:
    """'Tổng số 24 chỉ tiêu: Đạt 15; Đạt một phần 2; Không đạt 5; Chưa có số liệu 2.' Of those met or not met,
    the ones judged only against a later milestone are said to be so: 'Đạt 3 (2 đã đạt mốc 2030)', 'Không đạt 7
    (5 chưa đạt mốc 2030)'."""
    counts = indicator_counts(result)
    texts = {status: f"{status} {count}" for status, count in counts.items()}
    indicators = _indicator_statuses(result).values()
    for status, prefix in ((MET, "Đã đạt "), (MISSED, "Chưa đạt ")):
        early: Counter[str] = Counter()
        for statuses in indicators:
            words = {s for s in statuses if outcome(s) == status}
            if indicator_status(statuses) == status and words and status not in words:
                early[", ".join(sorted(s.removeprefix(prefix) for s in words))] += 1
        if early:
            texts[status] += " (" + "; ".join(f"{n} {prefix.lower()}{milestone}" for milestone, n in early.items()) + ")"
    return f"Tổng số {sum(counts.values())} chỉ tiêu: " + "; ".join(texts.values()) + "."


def period_label(code: str) -> str:
    """'NĂM 2020' or '06 THÁNG ĐẦU NĂM 2020' for the appendix's column headers."""
    if code.endswith("-H1"):
        return f"06 THÁNG ĐẦU NĂM {code[:4]}"
    return f"NĂM {code}"
