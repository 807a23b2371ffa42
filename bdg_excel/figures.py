"""One figure: its numerator, denominator or value, its exact result, judgement and display."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from bdg_excel.numbers import format_number
from bdg_excel.plan import DataElement

MET, MISSED, NO_DATA = "Đạt", "Không đạt", "Chưa có số liệu"


@dataclass(frozen=True)
class Entry:
    """What a unit entered for one data element (None where the cell is empty)."""

    numerator: Decimal | None = None
    denominator: Decimal | None = None
    value: Decimal | None = None
    note: str = ""

    @property
    def has_fraction(self) -> bool:
        return self.numerator is not None and self.denominator is not None

    @property
    def is_empty(self) -> bool:
        return self.numerator is None and self.denominator is None and self.value is None


def exact_result(element: DataElement, entry: Entry) -> Fraction | None:
    """The exact value: numerator / denominator x scale, else the value typed, else None."""
    if entry.has_fraction and entry.denominator:
        return Fraction(entry.numerator) / Fraction(entry.denominator) * Fraction(element.scale)
    if entry.value is not None and not entry.has_fraction:
        return Fraction(entry.value)
    return None


def judge(element: DataElement, result: Fraction | None) -> str:
    """Đạt / Không đạt / Chưa có số liệu, on the exact value, never a rounded one."""
    if result is None:
        return NO_DATA
    target = Fraction(element.target)
    met = {
        "≥": result >= target,
        "≤": result <= target,
        "<": result < target,
        ">": result > target,
        "=": result == target,
    }[element.operator]
    return MET if met else MISSED


def as_decimal(result: Fraction) -> Decimal:
    """A result as a decimal with enough digits for any display (and Excel's 15)."""
    return Decimal(result.numerator) / Decimal(result.denominator)


def format_value(element: DataElement, result: Fraction) -> str:
    """The value as the plan writes it: 50,59% ; 108,5/100 ; 17,1/100.000 ; 1,5 lần."""
    text = format_number(as_decimal(result))
    if element.is_percent:
        return f"{text}%"
    if element.scale == 1:
        return f"{text} {element.unit}"
    return f"{text}/{format_number(element.scale)}"


def format_figure(element: DataElement, entry: Entry) -> str:
    """The figure as the seed's appendix prints it: ``8.688/17.174 (50,59%)``; '' when empty."""
    result = exact_result(element, entry)
    if result is None:
        return ""
    value = format_value(element, result)
    if entry.has_fraction and element.is_percent:
        fraction = f"{format_number(entry.numerator, pad=True)}/{format_number(entry.denominator, pad=True)}"
        return f"{fraction} ({value})"
    return value
