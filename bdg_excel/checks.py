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
from bdg_excel.problems import Problem, problem

FIELD_NAMES = {"numerator": "Tử số", "denominator": "Mẫu số", "value": "Giá trị"}
# No count of people or rate in a province comes near this; larger numbers (1E+18, infinity) are
# typing or export accidents, and must never reach the store, where they would break consolidation.
LARGEST = 10 ** 12
LARGEST_SHOWN = "1.000.000.000.000"


@dataclass(frozen=True)
class Where:
    """The file and sheet being checked, so that each rule only names its cell."""

    file: str
    sheet: str

    def problem(self, code: str, cell: str = "", /, **fields: object) -> Problem:
        return problem(code, file=self.file, sheet=self.sheet, cell=cell, **fields)


def read_number(raw: object, whole: bool, field: str, cell: str, where: Where,
                formula_missing: bool = False) -> tuple[Decimal | None, list[Problem]]:
    """The number in one input cell, with the problems of how it was typed."""
    name = FIELD_NAMES[field]
    if raw is None or raw == "":
        if formula_missing:
            return None, [where.problem("formula-without-value", cell, field=name)]
        return None, []
    if isinstance(raw, bool):
        return None, [where.problem("not-a-number", cell, field=name, text="ĐÚNG" if raw else "SAI")]
    if isinstance(raw, (date, datetime)):
        return None, [where.problem("date-not-number", cell, field=name, date=f"{raw:%d/%m/%Y}")]
    if isinstance(raw, (int, float)):
        if raw != raw:  # NaN stored in the cell
            return None, [where.problem("not-a-number", cell, field=name, text="NaN")]
        if abs(raw) >= LARGEST:
            return None, [where.problem("number-too-large", cell, field=name, text=_shown(raw), limit=LARGEST_SHOWN)]
        return to_decimal(raw), []
    text = str(raw).strip()
    shown = text if len(text) <= 40 else text[:40] + "…"
    parsed = parse_number(text, whole=whole)
    if parsed.ok and abs(parsed.value) >= LARGEST:
        return None, [where.problem("number-too-large", cell, field=name, text=f"'{shown}'", limit=LARGEST_SHOWN)]
    if parsed.ok:
        return parsed.value, [where.problem("text-number", cell, field=name, text=shown,
                                            number=format_number(parsed.value, 10))]
    if parsed.ambiguous:
        return None, [where.problem("ambiguous-number", cell, field=name, text=shown)]
    return None, [where.problem("not-a-number", cell, field=name, text=shown)]


def _shown(number: int | float) -> str:
    return "vô cực" if number in (float("inf"), float("-inf")) else f"{number:.6G}"


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
        yield where.problem("denominator-zero", cells["denominator"])
        return
    if element.share and entry.has_fraction and entry.numerator > entry.denominator:
        yield where.problem("numerator-exceeds-denominator", cells["numerator"],
                            numerator=format_number(entry.numerator), denominator=format_number(entry.denominator))
        return
    computed = exact_result(element, entry) if entry.has_fraction else None
    yield from _value_mismatch(element, entry, computed, cells, where)
    yield from _out_of_range(element, entry, computed, cells, where)


def _negative(entry: Entry, cells: dict[str, str], where: Where) -> Iterator[Problem]:
    for field, name in FIELD_NAMES.items():
        number = getattr(entry, field)
        if number is not None and number < 0:
            yield where.problem("negative-number", cells[field], field=name, number=format_number(number))


def _whole_numbers(element: DataElement, entry: Entry, cells: dict[str, str], where: Where) -> Iterator[Problem]:
    if not element.whole_numbers:
        return
    for field in ("numerator", "denominator"):
        number = getattr(entry, field)
        if number is not None and number != number.to_integral_value():
            yield where.problem("not-whole-number", cells[field], field=FIELD_NAMES[field],
                                number=format_number(number, 10))


def _incomplete(entry: Entry, cells: dict[str, str], where: Where) -> Iterator[Problem]:
    if entry.numerator is not None and entry.denominator is None:
        yield where.problem("missing-denominator", cells["denominator"])
    if entry.denominator is not None and entry.numerator is None:
        yield where.problem("missing-numerator", cells["numerator"])


def _value_mismatch(element: DataElement, entry: Entry, computed: Fraction | None, cells: dict[str, str],
                    where: Where) -> Iterator[Problem]:
    if entry.value is None or computed is None:
        return
    tolerance = Fraction(1, 10 ** decimal_places(entry.value))
    if abs(Fraction(entry.value) - computed) > tolerance:
        yield where.problem("value-mismatch", cells["value"], value=format_number(entry.value, 10),
                            numerator=format_number(entry.numerator), denominator=format_number(entry.denominator),
                            computed=format_value(element, computed))


def _out_of_range(element: DataElement, entry: Entry, computed: Fraction | None, cells: dict[str, str],
                  where: Where) -> Iterator[Problem]:
    low, high = element.value_min, element.value_max  # Decimal and Fraction compare exactly
    if entry.value is not None and not low <= entry.value <= high:
        yield where.problem("value-out-of-range", cells["value"], what="Giá trị", value=format_number(entry.value, 10),
                            low=format_number(low), high=format_number(high), unit=element.unit)
        return
    if computed is not None and not low <= computed <= high:
        yield where.problem("value-out-of-range", cells["numerator"], what="Kết quả tính từ tử số/mẫu số",
                            value=format_value(element, computed), low=format_number(low), high=format_number(high),
                            unit=element.unit)
