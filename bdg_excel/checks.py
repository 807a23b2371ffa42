"""Validation rules for the figures of a return: small functions, each yielding problems."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Iterator

from bdg_excel.figures import Entry, exact_result, format_value
from bdg_excel.numbers import decimal_places, format_number, parse_number, to_decimal
from bdg_excel.plan import DataElement
from bdg_excel.problems import Problem, error, warning

FIELD_NAMES = {"numerator": "Tử số", "denominator": "Mẫu số", "value": "Giá trị"}


@dataclass(frozen=True)
class Where:
    """The file and sheet being checked, so that each rule only names its cell."""

    file: str
    sheet: str

    def error(self, code: str, message: str, cell: str = "") -> Problem:
        return error(code, message, file=self.file, sheet=self.sheet, cell=cell)

    def warning(self, code: str, message: str, cell: str = "") -> Problem:
        return warning(code, message, file=self.file, sheet=self.sheet, cell=cell)


def read_number(raw: object, whole: bool, field: str, cell: str, where: Where,
                formula_missing: bool = False) -> tuple[Decimal | None, list[Problem]]:
    """The number in one input cell, with the problems of how it was typed."""
    name = FIELD_NAMES[field]
    if raw is None or raw == "":
        if formula_missing:
            return None, [where.error("formula-without-value",
                                      f"Ô {name} chứa công thức nhưng chưa có kết quả (tệp được ghi bởi chương trình "
                                      "không tính công thức). Hãy mở tệp bằng Excel hoặc LibreOffice, lưu lại rồi gửi lại.",
                                      cell)]
        return None, []
    if isinstance(raw, bool):
        return None, [where.error("not-a-number", f"{name} phải là số, không phải giá trị đúng/sai.", cell)]
    if isinstance(raw, (date, datetime)):
        return None, [where.error("date-not-number",
                                  f"{name} là ngày tháng ({raw:%d/%m/%Y}), không phải số; có thể Excel đã tự đổi số "
                                  "thành ngày. Hãy nhập lại số.", cell)]
    if isinstance(raw, (int, float)):
        return to_decimal(raw), []
    text = str(raw).strip()
    parsed = parse_number(text, whole=whole)
    if parsed.ok:
        return parsed.value, [where.warning("text-number",
                                            f"{name} được nhập dạng chữ '{text}'; đã đọc là {format_number(parsed.value, 10)}. "
                                            "Nên nhập dạng số.", cell)]
    if parsed.ambiguous:
        return None, [where.error("ambiguous-number",
                                  f"{name} '{text}' có thể hiểu theo hai cách (dấu chấm, dấu phẩy là phân cách hàng "
                                  "nghìn hay thập phân?). Hãy nhập dạng số, không dùng dấu phân cách hàng nghìn.", cell)]
    return None, [where.error("not-a-number", f"{name} '{text}' không phải là số.", cell)]


def check_entry(element: DataElement, entry: Entry, cells: dict[str, str], where: Where) -> Iterator[Problem]:
    """Every rule about one data element's figures, in the order a clerk fixes them.

    Checks on the result run only when the numbers themselves are sound.
    """
    basic = [*_negative(entry, cells, where), *_whole_numbers(element, entry, cells, where),
             *_incomplete(entry, cells, where)]
    if basic:
        yield from basic
        return
    if entry.denominator == 0:
        yield where.error("denominator-zero", "Mẫu số bằng 0: không tính được tỷ lệ.", cells["denominator"])
        return
    if element.share and entry.has_fraction and entry.numerator > entry.denominator:
        yield where.error("numerator-exceeds-denominator",
                          f"Tử số ({format_number(entry.numerator)}) lớn hơn mẫu số ({format_number(entry.denominator)}): "
                          "tỷ lệ không thể vượt 100%.", cells["numerator"])
        return
    computed = exact_result(element, entry) if entry.has_fraction else None
    yield from _value_mismatch(element, entry, computed, cells, where)
    yield from _out_of_range(element, entry, computed, cells, where)


def _negative(entry: Entry, cells: dict[str, str], where: Where) -> Iterator[Problem]:
    for field, name in FIELD_NAMES.items():
        number = getattr(entry, field)
        if number is not None and number < 0:
            yield where.error("negative-number", f"{name} là số âm ({format_number(number)}).", cells[field])


def _whole_numbers(element: DataElement, entry: Entry, cells: dict[str, str], where: Where) -> Iterator[Problem]:
    if not element.whole_numbers:
        return
    for field in ("numerator", "denominator"):
        number = getattr(entry, field)
        if number is not None and number != number.to_integral_value():
            yield where.error("not-whole-number",
                              f"{FIELD_NAMES[field]} phải là số nguyên (đếm người, đơn vị), không phải {format_number(number, 10)}.",
                              cells[field])


def _incomplete(entry: Entry, cells: dict[str, str], where: Where) -> Iterator[Problem]:
    if entry.numerator is not None and entry.denominator is None:
        yield where.error("missing-denominator", "Có tử số nhưng thiếu mẫu số.", cells["denominator"])
    if entry.denominator is not None and entry.numerator is None:
        yield where.error("missing-numerator", "Có mẫu số nhưng thiếu tử số.", cells["numerator"])


def _value_mismatch(element: DataElement, entry: Entry, computed: Fraction | None, cells: dict[str, str],
                    where: Where) -> Iterator[Problem]:
    if entry.value is None or computed is None:
        return
    tolerance = Fraction(1, 10 ** decimal_places(entry.value))
    if abs(Fraction(entry.value) - computed) > tolerance:
        yield where.error("value-mismatch",
                          f"Giá trị {format_number(entry.value, 10)} không khớp với tử số/mẫu số "
                          f"({format_number(entry.numerator)}/{format_number(entry.denominator)} = "
                          f"{format_value(element, computed)}).", cells["value"])


def _out_of_range(element: DataElement, entry: Entry, computed: Fraction | None, cells: dict[str, str],
                  where: Where) -> Iterator[Problem]:
    low, high = element.value_min, element.value_max  # Decimal and Fraction compare exactly
    if entry.value is not None and not low <= entry.value <= high:
        yield where.error("value-out-of-range",
                          f"Giá trị {format_number(entry.value, 10)} nằm ngoài khoảng hợp lý "
                          f"({format_number(low)} – {format_number(high)} {element.unit}).", cells["value"])
        return
    if computed is not None and not low <= computed <= high:
        yield where.error("value-out-of-range",
                          f"Kết quả tính từ tử số/mẫu số ({format_value(element, computed)}) nằm ngoài khoảng hợp lý "
                          f"({format_number(low)} – {format_number(high)} {element.unit}).", cells["numerator"])
