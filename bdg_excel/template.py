"""Collection workbooks: one per reporting unit, written with xlsxwriter."""
from __future__ import annotations

import os
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Callable

from bdg_excel import layout
from bdg_excel.figures import Entry, as_decimal, exact_result
from bdg_excel.numbers import format_number
from bdg_excel.plan import DataElement, Period, Plan, PlanError, Unit
from bdg_excel.problems import cell_name
from bdg_excel.progress import Progress, counted
from bdg_excel.workbook import (DECIMAL, WHOLE, Page, hf_text, number_rule_formats, number_rules, paginate,
                                print_setup, write_xlsx)

MASTER_UNIT = Unit(code="", name="(Mẫu chung: tất cả các số liệu của kế hoạch)", level="tỉnh")
MASTER_TIME = datetime(2020, 1, 1, tzinfo=timezone.utc)
# Units per worker process below which one process is faster. A template takes 5-10 ms. A forked
# worker (Linux) starts in a few milliseconds; a spawned one (Windows) first starts Python and
# imports the package, 0.15 s here and more on a laptop: from 50 units a worker, a second core
# pays for itself on both (a province with its ~100 communes: 113 units in 0.55 s, not 0.95 s).
PARALLEL_FROM = 50
# Print margins of the collection workbooks, in inches (the consolidated workbook has Decree 30/2020's).
MARGINS = {"left": 0.8, "right": 0.5, "top": 0.75, "bottom": 0.75}
INSTRUCTIONS_PAGE, DATA_PAGE = Page(MARGINS, landscape=False), Page(MARGINS)
INSTRUCTIONS_WIDTH = 88  # characters: the portrait page's width at 100 %
INSTRUCTION_FONTS = {"title": (14, True), "label": (12, True), "line": (12, False)}  # style: (size, bold)


def template_units(plan: Plan, unit_codes: list[str] | tuple[str, ...] = ()) -> list[Unit]:
    """The units named (in any case, each once; an unknown code is an error), else all that enter data.

    Every ``--unit`` option (templates, mail, originals) is checked here.
    """
    if not unit_codes:
        return list(plan.reporting_units)
    units = []
    for code in unit_codes:
        unit = plan.unit(code)
        if unit is None:
            known, shown = [u.code for u in plan.reporting_units], 8
            listed = ", ".join(known[:shown]) + (f" và {len(known) - shown} mã khác" if len(known) > shown else "")
            raise PlanError(f"Không có đơn vị mã '{code}' trong kế hoạch (các mã có: {listed}).")
        if not plan.elements_for(unit.code):
            raise PlanError(f"Đơn vị '{unit.code}' không được phân công nhập số liệu nào trong kế hoạch.")
        if unit not in units:
            units.append(unit)
    return units


def write_templates(plan: Plan, period_code: str, out_dir: Path, unit_codes=(), now: datetime | None = None,
                    show_progress: bool = False) -> list[Path]:
    """Write one collection workbook per unit into ``out_dir``; returns the paths written.

    Thousands of units (a national run) are shared out among worker processes, one per core.
    ``show_progress`` draws a progress bar on a terminal when the run gets long.
    """
    period = plan.period(period_code)
    codes = [u.code for u in template_units(plan, unit_codes)]
    now = now or datetime.now(timezone.utc)
    progress = Progress(len(codes), show_problems=False) if show_progress else None
    write = partial(_write_unit, plan, period, Path(out_dir), now)
    workers = min(os.cpu_count() or 1, len(codes) // PARALLEL_FROM)
    if workers < 2:
        return list(counted(map(write, codes), progress))
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers, initializer=_start_writer, initargs=(write,)) as pool:
        return list(counted(pool.map(_write_in_worker, codes, chunksize=16), progress))


def _write_unit(plan: Plan, period: Period, out_dir: Path, now: datetime, code: str) -> Path:
    unit = plan.unit(code)
    return write_template(plan, period, unit, out_dir / layout.template_file_name(period.code, unit.code, unit.name),
                          now=now)


_WRITER: dict = {}


def _start_writer(write: Callable[[str], Path]) -> None:
    _WRITER["write"] = write


def _write_in_worker(code: str) -> Path:
    return _WRITER["write"](code)


def write_master(plan: Plan, path: Path) -> Path:
    """The blank master template with every data element (``templates/agency_template.xlsx``)."""
    period = plan.periods[-1]
    write_template(plan, period, MASTER_UNIT, Path(path), elements=plan.elements, now=MASTER_TIME)
    return Path(path)


def write_template(plan: Plan, period: Period, unit: Unit, path: Path, *, elements=None,
                   entries: dict[str, Entry] | None = None, now: datetime | None = None) -> Path:
    """Write one collection workbook; ``entries`` pre-fills figures (as a unit would type them)."""
    elements = tuple(elements if elements is not None else plan.elements_for(unit.code))
    now = now or datetime.now(timezone.utc)
    return write_xlsx(Path(path), lambda workbook: _TemplateWriter(
        workbook, plan, period, unit, elements, entries or {}, now).write())


class _TemplateWriter:
    def __init__(self, workbook, plan: Plan, period: Period, unit: Unit, elements, entries, now: datetime):
        self.wb = workbook
        self.plan, self.period, self.unit = plan, period, unit
        self.elements, self.entries, self.now = elements, entries, now
        self.f = self._formats()

    def _format(self, **props):
        return self.wb.add_format({"font_name": layout.FONT, "font_size": 12, "valign": "top", **props})

    def _formats(self) -> dict:
        cell = {"border": 1, "text_wrap": True}
        entry = {**cell, "locked": False, "bg_color": f"#{layout.INPUT_COLOR}"}
        return {
            "title": self._format(bold=True, font_size=14, align="center"),
            "label": self._format(bold=True),
            "line": self._format(),
            "text": self._format(text_wrap=True),
            "header": self._format(bold=True, border=1, text_wrap=True, align="center", valign="vcenter",
                                   bg_color="#DDEBF7"),
            "locked": self._format(**cell),
            "code": self._format(**cell, bold=True),
            "input": self._format(**entry, num_format=DECIMAL),  # a value, or a figure that may have decimals
            "count": self._format(**entry, num_format=WHOLE),  # a figure that must be whole
            "year": self._format(**entry, num_format="0"),  # 2024, not 2,024
            "note": self._format(**entry),
            "preview": self._format(**cell, num_format="0.00", bg_color="#F2F2F2"),
        }

    def write(self) -> None:
        self.wb.formats[0].set_font_name(layout.FONT)
        self.wb.set_properties({
            "title": f"{self.plan.info.title} – {self.period.name}",
            "subject": f"Biểu thu thập số liệu – {self.unit.name}",
            "author": self.plan.info.collector,
            "created": self.now.replace(tzinfo=None),
        })
        for key, value in self._metadata().items():
            self.wb.set_custom_property(layout.PROPERTY_PREFIX + key, value)
        self._instructions()
        self._data_sheet()
        self._meta_sheet()

    def _metadata(self) -> dict[str, str]:
        return {
            "plan_id": self.plan.info.id,
            "plan_version": self.plan.version,
            "period": self.period.code,
            "unit": self.unit.code,
            "format_version": layout.FORMAT_VERSION,
            "generated_at": self.now.isoformat(timespec="seconds"),
        }

    def _instructions(self) -> None:
        sheet = self.wb.add_worksheet(layout.INSTRUCTIONS_SHEET)
        sheet.set_column(0, 0, INSTRUCTIONS_WIDTH)
        row = 0
        for style, text in self._instruction_lines():
            size, bold = INSTRUCTION_FONTS[style]
            for line in layout.wrap(text, INSTRUCTIONS_WIDTH, size, bold):
                sheet.set_row(row, layout.line_height(size))
                sheet.write_string(row, 0, line, self.f[style])
                row += 1
        sheet.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})
        print_setup(sheet, INSTRUCTIONS_PAGE, scale=INSTRUCTIONS_PAGE.scale([INSTRUCTIONS_WIDTH]), footer=self._footer())

    def _instruction_lines(self) -> list[tuple[str, str]]:
        """The instructions, (style, paragraph): each paragraph is wrapped into rows of one line each, so that
        no program wraps them differently and every line prints whole."""
        deadline = self.period.deadline.strftime("%d/%m/%Y")
        return_to = self.plan.info.collector
        if self.plan.info.collector_email:
            return_to += f" (email: {self.plan.info.collector_email})"
        summed = any(self.plan.is_summed(e.code) for e in self.elements)
        return [
            ("title", "HƯỚNG DẪN ĐIỀN BIỂU THU THẬP SỐ LIỆU BÌNH ĐẲNG GIỚI"),
            ("line", ""),
            ("line", f"Kế hoạch: {self.plan.info.title}."),
            ("line", f"Đơn vị điền biểu: {self.unit.name}."),
            ("line", f"Kỳ báo cáo: {self.period.name}. Hạn gửi lại: {deadline}."),
            ("line", ""),
            ("label", "Cách điền"),
            ("line", f"1. Mở trang '{layout.DATA_SHEET}'. Chỉ các ô nền vàng được phép nhập; các ô khác đã được khóa."),
            ("line", "2. Với mỗi chỉ tiêu, nhập Tử số và Mẫu số (số người, số cơ quan... là số nguyên, "
                     "không nhập dấu chấm hay dấu phẩy ngăn cách hàng nghìn). Cột 'Kết quả (tự tính)' sẽ tự tính tỷ lệ."),
            ("line", "3. Chỉ khi đơn vị không có tử số và mẫu số mà chỉ có tỷ lệ, hãy nhập tỷ lệ vào cột 'Giá trị' "
                     "(ví dụ 16,8 cho 16,8%; không nhập dấu %)."
                     + (" Riêng các chỉ tiêu được cộng từ số liệu của nhiều đơn vị thì luôn nhập Tử số và Mẫu số."
                        if summed else "")),
            ("line", "4. Chỉ tiêu chưa có số liệu thì để trống cả dòng; ghi lý do vào cột 'Ghi chú' nếu cần. Chỉ tiêu "
                     "không phát sinh trường hợp nào (mẫu số bằng 0) thì để trống Tử số, Mẫu số và ghi 'Không phát "
                     "sinh' vào cột 'Ghi chú'."),
            ("line", f"Nếu số liệu là của một năm trước (ví dụ số liệu điều tra năm {self.period.year - 2}), ghi năm "
                     f"đó vào cột '{layout.HEADER['data_year']}'; để trống nếu là số liệu năm {self.period.year}."),
            ("line", "5. Di chuột vào ô nhập để xem tử số, mẫu số của từng chỉ tiêu là gì."),
            ("line", ""),
            ("label", "Không được thay đổi"),
            ("line", "Không đổi tên, xóa hay sắp xếp lại các trang; không sửa cột 'Mã'; không chép số liệu sang biểu "
                     "khác hay biểu của kỳ trước. Các trang được bảo vệ để tránh sửa nhầm, không đặt mật khẩu."),
            ("line", "Có thể điền bằng Microsoft Excel, LibreOffice hoặc WPS và lưu lại dưới dạng .xlsx."),
            ("line", ""),
            ("label", "Gửi lại"),
            ("line", f"Gửi tệp đã điền (đính kèm, giữ nguyên tệp này) về {return_to} trước ngày {deadline}."),
        ]

    def _footer(self) -> str:
        """The unit and the page, so that loose printed pages go back together: 'SYT – Trang 1/2'."""
        unit = f"{hf_text(self.unit.code)} – " if self.unit.code else ""
        return f'&C&"{layout.FONT}"{unit}Trang &P/&N'

    def _data_sheet(self) -> None:
        sheet = self.wb.add_worksheet(layout.DATA_SHEET)
        sheet.activate()
        widths = [column.width for column in layout.COLUMNS]
        above = self._data_header(sheet, widths)
        heights = [self._element_row(sheet, layout.FIRST_DATA_ROW + index, element)
                   for index, element in enumerate(self.elements)]
        numbers = [layout.COLUMN_INDEX[key] for key in layout.NUMBER_INPUTS]
        number_rules(sheet, number_rule_formats(self.wb), layout.FIRST_DATA_ROW, min(numbers),
                     layout.FIRST_DATA_ROW + len(self.elements) - 1, max(numbers))
        sheet.freeze_panes(layout.FIRST_DATA_ROW, 1)
        sheet.protect("", {"select_locked_cells": True, "select_unlocked_cells": True,
                           "format_columns": True, "format_rows": True})
        scale = DATA_PAGE.scale(widths)
        print_setup(sheet, DATA_PAGE, layout.HEADER_ROW, scale, _page_breaks(above, heights, scale), self._footer())

    def _data_header(self, sheet, widths: list[float]) -> list[float]:
        """The title, the header block and the header row; returns the heights of the rows down to the header row."""
        last_col = len(widths) - 1
        title = "BIỂU THU THẬP SỐ LIỆU THỰC HIỆN KẾ HOẠCH BÌNH ĐẲNG GIỚI"
        sheet.merge_range(0, 0, 0, last_col, title, self.f["title"])
        heights = [layout.row_height([(title, layout.merged_width(widths))], 14, bold=True)]
        heights += [layout.line_height()] * (layout.HEADER_ROW - 1)
        block = {
            layout.LABEL_PLAN: self.plan.info.title,
            layout.LABEL_UNIT: self.unit.name,
            layout.LABEL_UNIT_CODE: self.unit.code,
            layout.LABEL_PERIOD: self.period.name,
            layout.LABEL_PERIOD_CODE: self.period.code,
            layout.LABEL_DEADLINE: self.period.deadline.strftime("%d/%m/%Y"),
        }
        for offset, label in enumerate(layout.HEADER_BLOCK):
            row = layout.FIRST_BLOCK_ROW + offset
            heights[row] = max(layout.row_height([(label, widths[0])], bold=True),
                               layout.row_height([(block[label], layout.merged_width(widths[1:]))]))
            sheet.write_string(row, 0, label, self.f["label"])
            sheet.merge_range(row, 1, row, last_col, block[label], self.f["text"])
        heights.append(layout.row_height([(column.header, column.width) for column in layout.COLUMNS], bold=True))
        for col, column in enumerate(layout.COLUMNS):
            sheet.set_column(col, col, column.width)
            sheet.write_string(layout.HEADER_ROW, col, column.header, self.f["header"])
        for row, height in enumerate(heights):
            sheet.set_row(row, height)
        return heights

    def _meta_sheet(self) -> None:
        sheet = self.wb.add_worksheet(layout.META_SHEET)
        sheet.write_string(0, 0, "key")
        sheet.write_string(0, 1, "value")
        rows = [*self._metadata().items(), *((layout.ELEMENT_KEY + e.code, layout.meaning(e)) for e in self.elements)]
        for row, (key, value) in enumerate(rows, start=1):
            sheet.write_string(row, 0, key)
            sheet.write_string(row, 1, value)
        sheet.protect()
        sheet.very_hidden()

    def _element_row(self, sheet, row: int, element: DataElement) -> float:
        """Write one data element's row; returns its height."""
        col = layout.COLUMN_INDEX
        entry = self.entries.get(element.code, Entry())
        label = f"{element.label}\n(Tử số: {element.numerator_label}; Mẫu số: {element.denominator_label})"
        sheet.write_string(row, col["code"], element.code, self.f["code"])
        sheet.write_string(row, col["label"], label, self.f["locked"])
        sheet.write_string(row, col["breakdown"], element.breakdown, self.f["locked"])
        sheet.write_string(row, col["unit"], element.unit, self.f["locked"])
        sheet.write_string(row, col["target"], element.target_display, self.f["locked"])
        widths = {c.key: c.width for c in layout.COLUMNS}
        texts = {"label": label, "breakdown": element.breakdown, "unit": element.unit,
                 "target": element.target_display, "note": entry.note}
        height = max(layout.row_height([(t, widths[k]) for k, t in texts.items()]),
                     layout.row_height([(element.code, widths["code"])], bold=True))
        sheet.set_row(row, height)
        for key in layout.NUMBER_INPUTS:
            number, style = getattr(entry, key), self.f["count" if element.whole_numbers and key != "value" else "input"]
            if number is None:
                sheet.write_blank(row, col[key], None, style)
            else:
                sheet.write_number(row, col[key], float(number), style)
            self._validate(sheet, row, key, element)
        if entry.year is None:
            sheet.write_blank(row, col["data_year"], None, self.f["year"])
        else:
            sheet.write_number(row, col["data_year"], entry.year, self.f["year"])
        year = self.period.year
        _checked(sheet.data_validation(row, col["data_year"], row, col["data_year"], {
            "validate": "integer", "criteria": "between", "minimum": layout.FIRST_DATA_YEAR, "maximum": year,
            "input_title": "Năm số liệu",
            "input_message": f"Để trống nếu là số liệu năm {year}; nếu là số liệu của năm trước, ghi năm đó "
                             f"(ví dụ {year - 2}).",
            "error_title": "Năm số liệu không hợp lệ",
            "error_message": f"Năm số liệu là một năm từ {layout.FIRST_DATA_YEAR} đến {year}.",
        }))
        if entry.note:
            sheet.write_string(row, col["note"], entry.note, self.f["note"])
        else:
            sheet.write_blank(row, col["note"], None, self.f["note"])
        _checked(sheet.data_validation(row, col["note"], row, col["note"], {
            "validate": "length", "criteria": "<=", "value": 1000,
            "input_title": "Ghi chú", "input_message": "Ghi chú, nguồn số liệu hoặc lý do chưa có số liệu.",
            "error_title": "Ghi chú quá dài", "error_message": "Ghi chú không dài quá 1.000 ký tự.",
        }))
        result = exact_result(element, entry)
        cached = float(as_decimal(result)) if result is not None else ""
        num, den, val = (cell_name(row, col[k]) for k in ("numerator", "denominator", "value"))
        formula = layout.result_formula(num, den, val, f"{element.scale.normalize():f}")
        sheet.write_formula(row, col["preview"], formula, self.f["preview"], cached)
        return height

    def _validate(self, sheet, row: int, key: str, element: DataElement) -> None:
        col = layout.COLUMN_INDEX
        _checked(sheet.data_validation(row, col[key], row, col[key], _validation(key, element, row)))


def _page_breaks(above: list[float], heights: list[float], scale: int) -> list[int]:
    """The rows of the data sheet that start a page: data rows fill pages whole, under the header row
    repeated. ``above`` are the heights of the rows above the data, the header row last."""
    room = DATA_PAGE.rows_height(scale)
    pages = paginate([(0, 0, heights)], room - sum(above), room - above[-1])
    return [layout.FIRST_DATA_ROW + parts[0][1][0] for parts in pages[1:]]


def _plain(number) -> int | float:
    """A plan number as Excel should show it in a rule: 100, not 100.0."""
    return int(number) if number == number.to_integral_value() else float(number)


def _checked(status: int) -> None:
    """xlsxwriter warns and returns -1 on bad arguments; we stop instead."""
    if status != 0:
        raise ValueError(f"xlsxwriter rejected a call (status {status})")


def _validation(key: str, element: DataElement, row: int) -> dict:
    """The Excel data-validation rule of one input cell, with Vietnamese prompt and error."""
    col = layout.COLUMN_INDEX
    whole = element.whole_numbers
    kind = "integer" if whole else "decimal"
    whole_text = "số nguyên " if whole else "số "
    if key == "value":
        low, high = _plain(element.value_min), _plain(element.value_max)
        return {
            "validate": "decimal", "criteria": "between", "minimum": low, "maximum": high,
            "input_title": "Giá trị (khi không có tử/mẫu)",
            "input_message": f"Nhập tỷ lệ đã tính ({element.unit}), từ {format_number(element.value_min)} "
                             f"đến {format_number(element.value_max)}."[:255],
            "error_title": "Giá trị không hợp lệ",
            "error_message": f"Giá trị phải là số từ {format_number(element.value_min)} "
                             f"đến {format_number(element.value_max)}.",
        }
    if key == "denominator":
        return {
            "validate": kind, "criteria": ">", "value": 0,
            "input_title": "Mẫu số", "input_message": f"Mẫu số: {element.denominator_label}."[:255],
            "error_title": "Mẫu số không hợp lệ",
            "error_message": f"Mẫu số phải là {whole_text}lớn hơn 0.",
        }
    message = {"input_title": "Tử số", "input_message": f"Tử số: {element.numerator_label}."[:255],
               "error_title": "Tử số không hợp lệ"}
    if not element.share:
        return {"validate": kind, "criteria": ">=", "value": 0, **message,
                "error_message": f"Tử số phải là {whole_text}không âm."}
    num, den = cell_name(row, col["numerator"]), cell_name(row, col["denominator"])
    integer = f"INT({num})={num}," if whole else ""
    return {
        "validate": "custom", "value": f"=AND(ISNUMBER({num}),{num}>=0,{integer}OR(NOT(ISNUMBER({den})),{num}<={den}))",
        **message, "error_message": f"Tử số phải là {whole_text}không âm và không lớn hơn mẫu số.",
    }
