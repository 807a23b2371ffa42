"""The consolidated workbook: the plan's appendix filled in, with the data behind it.

Every formula is written with its computed result as the cached value, because LibreOffice,
previewers and phones show cached values without recalculating. Missed targets are flagged
by conditional-formatting rules that read the formulas' results, so the colours stay true
when someone corrects a number; the status is also written as text for black-and-white print.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bdg_excel import layout
from bdg_excel.workbook import write_xlsx
from bdg_excel.figures import MET, MISSED, NO_DATA, Entry, as_decimal
from bdg_excel.plan import DataElement
from bdg_excel.problems import cell_name, column_letter

if TYPE_CHECKING:
    from bdg_excel.consolidation import Consolidation

APPENDIX, DATA, BY_UNIT, SUBMISSIONS, PROBLEMS, CHART = (
    "Phụ lục", "Dữ liệu", "Theo đơn vị", "Tình trạng nộp", "Lỗi", "Biểu đồ")
EXCEL_OPERATORS = {"≥": ">=", "≤": "<=", "<": "<", ">": ">", "=": "="}
STATUS_COLOURS = {MISSED: ("#FFC7CE", "#9C0006"), MET: ("#C6EFCE", "#006100"), NO_DATA: ("#FFEB9C", "#9C5700")}
MM = 1 / 25.4

DATA_HEADERS = ("Mã", "Mục tiêu", "Chỉ tiêu", "Phân tổ", "Đơn vị báo cáo", "Tử số", "Mẫu số", "Giá trị nhập",
                "Hệ số", "Kết quả", "Đơn vị tính", "Toán tử", "Chỉ tiêu kế hoạch", "Đánh giá", "Kết quả (hiển thị)",
                "Kỳ trước", "Ghi chú")
UNIT_HEADERS = ("Mã", "Chỉ tiêu", "Phân tổ", "Đơn vị", "Tên đơn vị", "Tử số", "Mẫu số", "Giá trị nhập", "Kết quả",
                "Chỉ tiêu kế hoạch", "Đánh giá", "Ghi chú")
SUBMISSION_HEADERS = ("Mã đơn vị", "Tên đơn vị", "Tình trạng", "Tệp", "Thời điểm gửi", "Người gửi", "Số vấn đề",
                      "Số liệu đã nhập", "Ghi chú")
DATA_COLUMNS = {"numerator": 5, "denominator": 6, "value": 7, "scale": 8, "result": 9, "operator": 11,
                "target": 12, "status": 13}
PROBLEM_HEADERS = ("Tệp", "Đơn vị", "Trang", "Ô", "Mã lỗi", "Mức độ", "Nội dung")


def write_report(result: "Consolidation", path: Path, appendix_only: bool = False) -> Path:
    """Write the consolidated workbook atomically: a crash never leaves half a file.

    ``appendix_only`` writes just the ``Phụ lục`` sheet, with plain statuses, for printing.
    """
    return write_xlsx(Path(path), lambda workbook: _ReportWriter(workbook, result, appendix_only).write())


def _figure_formulas(row: int, col: dict[str, int], element: DataElement) -> tuple[str, str]:
    """Excel formulas for the result and the judgement of one figure row (exact: no division in the test)."""
    num, den, val, scale, res, target = (cell_name(row, col[k]) for k in
                                         ("numerator", "denominator", "value", "scale", "result", "target"))
    op = EXCEL_OPERATORS[element.operator]
    result = (f'=IF(AND(ISNUMBER({num}),ISNUMBER({den})),IF({den}>0,{num}/{den}*{scale},""),'
              f'IF(ISNUMBER({val}),{val},""))')
    judgement = (f'=IF(ISNUMBER({res}),IF(IF(AND(ISNUMBER({num}),ISNUMBER({den})),{num}*{scale}{op}{target}*{den},'
                 f'{val}{op}{target}),"{MET}","{MISSED}"),"{NO_DATA}")')
    return result, judgement


class _ReportWriter:
    def __init__(self, workbook, result: "Consolidation", appendix_only: bool):
        self.wb = workbook
        self.appendix_only = appendix_only
        self.r = result
        self.plan = result.plan
        self.f = self._formats()
        self.data_rows: dict[str, int] = {}

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
            "plain": self._format(),
            "datetime": self._format(border=1, num_format="dd/mm/yyyy hh:mm"),
        }
        for status, (fill, font) in STATUS_COLOURS.items():
            formats[status] = self.wb.add_format({"bg_color": fill, "font_color": font})
        return formats

    def write(self) -> None:
        self.wb.formats[0].set_font_name(layout.FONT)
        self.wb.set_properties({"title": f"Tổng hợp {self.r.period.name} – {self.plan.info.title}",
                                "author": self.plan.info.collector})
        appendix = self.wb.add_worksheet(APPENDIX)
        if self.appendix_only:
            self._appendix(appendix)
            return
        self._data(self.wb.add_worksheet(DATA))
        self._appendix(appendix)
        self._by_unit(self.wb.add_worksheet(BY_UNIT))
        self._submissions(self.wb.add_worksheet(SUBMISSIONS))
        self._problems(self.wb.add_worksheet(PROBLEMS))
        self._chart(self.wb.add_worksheet(CHART))
        appendix.activate()

    # -- shared pieces -------------------------------------------------------------------

    def _print_setup(self, sheet, header_row: int, landscape: bool = True) -> None:
        sheet.set_paper(9)
        if landscape:
            sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(header_row)
        sheet.set_margins(left=30 * MM, right=15 * MM, top=20 * MM, bottom=20 * MM)
        sheet.set_footer("&C&\"Times New Roman\"Trang &P/&N")

    def _list_sheet(self, sheet, headers: tuple[str, ...], widths: tuple[int, ...], rows: int) -> None:
        """Headers, widths, filters, a frozen header row and print settings of a plain list sheet."""
        for index, (header, width) in enumerate(zip(headers, widths)):
            sheet.write_string(0, index, header, self.f["header"])
            sheet.set_column(index, index, width)
        sheet.autofilter(0, 0, max(rows, 1), len(headers) - 1)
        sheet.freeze_panes(1, 0)
        self._print_setup(sheet, 0)

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

    def _figure_row(self, sheet, row: int, element: DataElement, entry: Entry, result, status: str) -> None:
        """Write one figure of the data sheet: its result and judgement are formulas, with cached results."""
        col = DATA_COLUMNS
        for key in ("numerator", "denominator", "value"):
            number = getattr(entry, key)
            if number is None:
                sheet.write_blank(row, col[key], None, self.f["number"])
            else:
                sheet.write_number(row, col[key], float(number), self.f["number"])
        sheet.write_number(row, col["scale"], float(element.scale), self.f["number"])
        sheet.write_string(row, col["operator"], element.operator, self.f["center"])
        sheet.write_number(row, col["target"], float(element.target), self.f["number"])
        cached = float(as_decimal(result)) if result is not None else ""
        result_formula, judgement = _figure_formulas(row, col, element)
        sheet.write_formula(row, col["result"], result_formula, self.f["result"], cached)
        sheet.write_formula(row, col["status"], judgement, self.f["center"], status)

    # -- the sheets ------------------------------------------------------------------------

    def _appendix(self, sheet) -> None:
        info, period = self.plan.info, self.r.period
        with_previous = any(self.r.previous.values())
        headers = ["MỤC TIÊU", f"CÁC CHỈ TIÊU KẾ HOẠCH NĂM {info.year}",
                   f"SỐ LIỆU KẾT QUẢ ĐẠT ĐƯỢC {period_label(period.code)}"]
        widths = [30, 52, 34]
        if with_previous:
            headers.append(f"SỐ LIỆU KỲ TRƯỚC ({period_label(self.r.previous_period)})")
            widths.append(26)
        headers += ["CƠ QUAN, ĐƠN VỊ THỰC HIỆN BÁO CÁO", "ĐÁNH GIÁ"]
        widths += [22, 17]
        last = len(headers) - 1
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        sheet.merge_range(0, 0, 0, last, "PHỤ LỤC", self.f["title"])
        sheet.merge_range(1, 0, 1, last, info.title.upper(), self.f["title"])
        sheet.merge_range(2, 0, 2, last, f"({info.issued_by})" if info.issued_by else "", self.f["subtitle"])
        sheet.merge_range(3, 0, 3, last, f"Kết quả {period.name[0].lower() + period.name[1:]}, tổng hợp ngày "
                          f"{self.r.generated_at:%d/%m/%Y}", self.f["subtitle"])
        sheet.set_row(1, 36)
        header_row = 5
        for col, header in enumerate(headers):
            sheet.write_string(header_row, col, header, self.f["header"])
        sheet.set_row(header_row, 48)
        result_col, status_col = 2, last
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
                    texts = [(prefix + figure.display, widths[result_col])]
                    sheet.write_string(row, result_col, prefix + figure.display, self.f["text"])
                    if with_previous:
                        previous = self.r.previous.get(element.code, "")
                        sheet.write_string(row, 3, prefix + previous if previous else "", self.f["text"])
                        texts.append((prefix + previous, widths[3]))
                    if self.appendix_only:
                        sheet.write_string(row, status_col, figure.status, self.f["center"])
                    else:
                        source = cell_name(self.data_rows[element.code], DATA_COLUMNS["status"])
                        sheet.write_formula(row, status_col, f"='{DATA}'!{source}", self.f["center"], figure.status)
                    heights[row] = layout.row_height(texts)
                    row += 1
                blocks.append((first, row - 1, 1, indicator.text, self.f["text"], widths[1]))
                blocks.append((first, row - 1, last - 1, indicator.lead_agency, self.f["text"], widths[last - 1]))
            blocks.append((goal_first, row - 1, 0, goal.heading, self.f["bold"], widths[0]))
        for first, end, col, text, fmt, width in blocks:
            if end > first:
                sheet.merge_range(first, col, end, col, text, fmt)
            else:
                sheet.write_string(first, col, text, fmt)
            needed = layout.row_height([(text, width)])
            have = sum(heights[r] for r in range(first, end + 1))
            if needed > have:
                for r in range(first, end + 1):
                    heights[r] += (needed - have) / (end - first + 1)
        for r, height in heights.items():
            sheet.set_row(r, round(height, 1))
        self._status_rules(sheet, header_row + 1, row - 1, status_col, (result_col,))
        self._print_setup(sheet, header_row)

    def _data(self, sheet) -> None:
        figures = self.r.figures
        last_row = len(figures)
        sheet.add_table(0, 0, max(last_row, 1), len(DATA_HEADERS) - 1, {
            "name": "DuLieu", "style": "Table Style Light 9",
            "columns": [{"header": h, "header_format": self.f["header"]} for h in DATA_HEADERS]})
        notes = self.r.notes
        for row, figure in enumerate(figures, start=1):
            element = figure.element
            self.data_rows[element.code] = row
            reporters = figure.units_text if len(figure.expected_units) > 1 else ", ".join(
                self.plan.unit(u).name for u in figure.expected_units)
            sheet.write_string(row, 0, element.code, self.f["line"])
            sheet.write_number(row, 1, self.plan.element_goal(element.code), self.f["center"])
            sheet.write_string(row, 2, element.label, self.f["line"])
            sheet.write_string(row, 3, element.breakdown, self.f["line"])
            sheet.write_string(row, 4, reporters, self.f["line"])
            self._figure_row(sheet, row, element, figure.entry, figure.result, figure.status)
            sheet.write_string(row, 10, element.unit, self.f["line"])
            sheet.write_string(row, 14, figure.display, self.f["line"])
            sheet.write_string(row, 15, self.r.previous.get(element.code, ""), self.f["line"])
            sheet.write_string(row, 16, notes.get(element.code, ""), self.f["line"])
        for index, width in enumerate((18, 10, 48, 22, 22, 11, 11, 11, 9, 11, 12, 9, 11, 16, 24, 24, 30)):
            sheet.set_column(index, index, width)
        self._status_rules(sheet, 1, last_row, DATA_COLUMNS["status"], (DATA_COLUMNS["result"],))
        sheet.freeze_panes(1, 1)
        self._print_setup(sheet, 0)

    def _by_unit(self, sheet) -> None:
        """Plain values, no formulas: nationally this sheet has tens of thousands of rows."""
        for row, item in enumerate(self.r.unit_rows, start=1):
            element, entry = item.element, item.entry
            for index, text in enumerate((element.code, element.label, element.breakdown, item.unit,
                                          self.plan.unit(item.unit).name)):
                sheet.write_string(row, index, text, self.f["line"])
            for index, number in ((5, entry.numerator), (6, entry.denominator), (7, entry.value)):
                if number is not None:
                    sheet.write_number(row, index, float(number), self.f["number"])
            if item.result is not None:
                sheet.write_number(row, 8, float(as_decimal(item.result)), self.f["result"])
            sheet.write_string(row, 9, element.target_display, self.f["center"])
            sheet.write_string(row, 10, item.status, self.f["center"])
            if item.note:
                sheet.write_string(row, 11, item.note, self.f["line"])
        last_row = len(self.r.unit_rows)
        self._list_sheet(sheet, UNIT_HEADERS, (14, 48, 18, 12, 36, 11, 11, 11, 11, 14, 16, 30), last_row)
        self._status_rules(sheet, 1, last_row, 10, (8, 3))

    def _submissions(self, sheet) -> None:
        for row, item in enumerate(self.r.submissions, start=1):
            sheet.write_string(row, 0, item.unit.code, self.f["line"])
            sheet.write_string(row, 1, item.unit.name, self.f["line"])
            sheet.write_string(row, 2, item.status, self.f["line"])
            sheet.write_string(row, 3, item.file, self.f["line"])
            if item.received_at:
                sheet.write_datetime(row, 4, item.received_at, self.f["datetime"])
            else:
                sheet.write_blank(row, 4, None, self.f["line"])
            sheet.write_string(row, 5, item.sender, self.f["line"])
            sheet.write_number(row, 6, item.problem_count, self.f["number"])
            sheet.write_string(row, 7, f"{item.filled}/{item.expected}", self.f["center"])
            sheet.write_string(row, 8, item.note, self.f["line"])
        last_row = len(self.r.submissions)
        self._list_sheet(sheet, SUBMISSION_HEADERS, (12, 36, 22, 40, 17, 26, 10, 10, 40), last_row)
        if last_row:
            for text, status in (("Chưa nhận", MISSED), ("Bị từ chối", MISSED), ("muộn", NO_DATA),
                                 ("vấn đề", NO_DATA), ("Đúng hạn", MET)):
                sheet.conditional_format(1, 2, last_row, 2, {"type": "text", "criteria": "containing",
                                                             "value": text, "format": self.f[status]})

    def _problems(self, sheet) -> None:
        widths = (34, 12, 14, 8, 28, 10, 80)
        for row, (unit, problem) in enumerate(self.r.problems, start=1):
            values = (problem.file, unit, problem.sheet, problem.cell, problem.code, problem.severity, problem.message)
            for index, value in enumerate(values):
                sheet.write_string(row, index, value or "", self.f["text"])
            sheet.set_row(row, layout.row_height([(problem.message, widths[-1]), (problem.file, widths[0])]))
        self._list_sheet(sheet, PROBLEM_HEADERS, widths, len(self.r.problems))

    def _chart(self, sheet) -> None:
        statuses = (MET, MISSED, NO_DATA)
        sheet.write_string(0, 0, "Mục tiêu", self.f["header"])
        for index, status in enumerate(statuses, start=1):
            sheet.write_string(0, index, status, self.f["header"])
        last = len(self.r.figures)
        goal_range = f"'{DATA}'!$B$2:$B${last + 1}"
        status_letter = column_letter(DATA_COLUMNS["status"])
        status_range = f"'{DATA}'!${status_letter}$2:${status_letter}${last + 1}"
        for row, goal in enumerate(self.plan.goals, start=1):
            sheet.write_string(row, 0, f"Mục tiêu {goal.number}", self.f["text"])
            for index, status in enumerate(statuses, start=1):
                count = sum(1 for f in self.r.figures
                            if self.plan.element_goal(f.element.code) == goal.number and f.status == status)
                sheet.write_formula(row, index, f'=COUNTIFS({goal_range},{goal.number},{status_range},"{status}")',
                                    self.f["number"], count)
        sheet.set_column(0, 0, 14)
        sheet.set_column(1, 3, 16)
        chart = self.wb.add_chart({"type": "column", "subtype": "stacked"})
        goals = len(self.plan.goals)
        for index, status in enumerate(statuses, start=1):
            chart.add_series({
                "name": [CHART, 0, index], "categories": [CHART, 1, 0, goals, 0],
                "values": [CHART, 1, index, goals, index],
                "fill": {"color": STATUS_COLOURS[status][0]}, "border": {"color": STATUS_COLOURS[status][1]}})
        chart.set_title({"name": "Số chỉ tiêu đạt / không đạt / chưa có số liệu theo mục tiêu",
                         "name_font": {"name": layout.FONT, "size": 12}})
        chart.set_y_axis({"name": "Số chỉ tiêu", "major_gridlines": {"visible": True}})
        chart.set_legend({"position": "bottom", "font": {"name": layout.FONT}})
        chart.set_size({"width": 760, "height": 420})
        sheet.insert_chart(0, 5, chart)
        self._print_setup(sheet, 0)


def period_label(code: str) -> str:
    """'NĂM 2020' or '06 THÁNG ĐẦU NĂM 2020' for the appendix's column headers."""
    if code.endswith("-H1"):
        return f"06 THÁNG ĐẦU NĂM {code[:4]}"
    return f"NĂM {code}"
