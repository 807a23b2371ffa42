"""One figure: its numerator, denominator or value, its exact result, judgement and display."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from bdg_excel.numbers import format_number
from bdg_excel.plan import DataElement

MET, MISSED, NO_DATA = "Đạt", "Không đạt", "Chưa có số liệu"
PARTLY_MET = "Đạt một phần"  # an indicator some of whose data elements meet their targets
MILESTONE_MET, MILESTONE_MISSED = "Đã đạt mốc {year}", "Chưa đạt mốc {year}"


@dataclass(frozen=True)
class Entry:
    """What a unit entered for one data element (None where the cell is empty)."""

    numerator: Decimal | None = None
    denominator: Decimal | None = None
    value: Decimal | None = None
    note: str = ""
    year: int | None = None  # the year the figure refers to, when the unit stated one

    @property
    def has_fraction(self) -> bool:
        return self.numerator is not None and self.denominator is not None

    @property
    def is_empty(self) -> bool:
        return self.numerator is None and self.denominator is None and self.value is None

    @property
    def value_only(self) -> bool:
        """True for a value typed without a numerator and a denominator (it cannot be summed with others)."""
        return self.value is not None and not self.has_fraction


def exact_result(element: DataElement, entry: Entry) -> Fraction | None:
    """The exact value: numerator / denominator x scale, else the value typed, else None."""
    if entry.has_fraction and entry.denominator:
        return Fraction(entry.numerator) / Fraction(entry.denominator) * Fraction(element.scale)
    if entry.value_only:
        return Fraction(entry.value)
    return None


def status_words(element: DataElement, year: int) -> tuple[str, str]:
    """The words for a figure of ``year`` that meets or misses its target: ``Đạt``/``Không đạt`` against a
    target final for that year, ``Đã đạt mốc 2030``/``Chưa đạt mốc 2030`` against a later milestone."""
    found = element.target_for(year)
    if found is None or found[1]:
        return MET, MISSED
    milestone = found[0].year
    return MILESTONE_MET.format(year=milestone), MILESTONE_MISSED.format(year=milestone)


def judge(element: DataElement, result: Fraction | None, year: int) -> str:
    """A figure of ``year`` judged on its exact value, never a rounded one: Đạt / Không đạt against the
    target of that year, Đã đạt / Chưa đạt mốc M against the next milestone M, or Chưa có số liệu."""
    found = element.target_for(year)
    if result is None or found is None:
        return NO_DATA
    met, missed = status_words(element, year)
    return met if found[0].is_met(result) else missed


def outcome(status: str) -> str:
    """What a status comes to: MET (Đạt, Đã đạt mốc M), MISSED (Không đạt, Chưa đạt mốc M) or NO_DATA."""
    if status == MET or status.startswith(MILESTONE_MET.split("{")[0]):
        return MET
    if status == MISSED or status.startswith(MILESTONE_MISSED.split("{")[0]):
        return MISSED
    return NO_DATA


def period_statuses(elements, year: int) -> list[str]:
    """Every status a figure of ``year`` can have, in the order a count of them reads: Đạt, Đã đạt mốc M,
    Chưa đạt mốc M (only when some element is judged against a later milestone), Không đạt, Chưa có số liệu."""
    milestones = sorted({word for element in elements for word in status_words(element, year)} - {MET, MISSED})
    return [MET, *(w for w in milestones if outcome(w) == MET), *(w for w in milestones if outcome(w) == MISSED),
            MISSED, NO_DATA]


def indicator_status(statuses: list[str]) -> str:
    """An indicator's status from its data elements' statuses: Đạt when every judged one meets its target,
    Không đạt when none does, Đạt một phần otherwise, Chưa có số liệu when none is judged."""
    judged = [outcome(s) for s in statuses if outcome(s) != NO_DATA]
    if not judged:
        return NO_DATA
    if all(s == MET for s in judged):
        return MET
    return MISSED if MET not in judged else PARTLY_MET


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
