"""Submissions to consolidated figures and statuses (plain Python, exact, no I/O).

Where several units enter a data element, the province's figure is the sum of their
numerators over the sum of their denominators. A value typed without numerator and
denominator is used as is when one unit enters the element; it cannot be summed across
units, so there it is left out (the unit's return is told so) instead of being averaged.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from bdg_excel.figures import NO_DATA, Entry, exact_result, format_figure, judge
from bdg_excel.plan import DataElement, Plan, Target


@dataclass(frozen=True)
class UnitFigure:
    """One unit's usable figure for one data element, from its current submission."""

    unit: str
    code: str
    entry: Entry


@dataclass(frozen=True)
class ElementFigure:
    """The province's figure for one data element, judged against the plan's target."""

    element: DataElement
    entry: Entry
    result: Fraction | None
    status: str
    expected_units: tuple[str, ...]
    reported_units: tuple[str, ...]
    target: Target | None = None  # the milestone the figure is judged against
    data_years: tuple[tuple[int, int], ...] = ()  # (earlier year, how many of the reporting units said so)

    @property
    def display(self) -> str:
        """The figure as the appendix prints it, with the unit count when some are missing and the year of its
        data when that is not the period's: ``17/20 (85%) (số liệu năm 2024)``."""
        text = format_figure(self.element, self.entry) or NO_DATA
        if len(self.expected_units) > 1 and self.reported_units and self.is_partial:
            text += f" ({self.units_text})"
        if self.data_years and self.result is not None:
            text += f" ({self.years_text})"
        return text

    @property
    def years_text(self) -> str:
        """'số liệu năm 2024' when every reporting unit's figure is of that year, else how many units' are:
        'số liệu năm 2024 của 1/11 đơn vị' (the sum then mixes years)."""
        reporters = len(self.reported_units)
        if len(self.data_years) == 1 and self.data_years[0][1] == reporters:
            return f"số liệu năm {self.data_years[0][0]}"
        return "số liệu " + ", ".join(f"năm {year} của {count}/{reporters} đơn vị" for year, count in self.data_years)

    @property
    def is_partial(self) -> bool:
        return len(self.reported_units) < len(self.expected_units)

    @property
    def units_text(self) -> str:
        return f"{len(self.reported_units)}/{len(self.expected_units)} đơn vị"


def aggregate(plan: Plan, figures: list[UnitFigure], year: int | None = None) -> list[ElementFigure]:
    """One consolidated figure per data element of the plan, judged for ``year`` (the plan's first year by
    default).

    Numerators and denominators are summed as Decimals, exactly, never through floats. Where several
    units' figures are summed, a value typed without them is left out (its return says so:
    ``value-cannot-be-summed``).
    """
    year = plan.info.first_year if year is None else year
    sums: dict[str, tuple[Decimal, Decimal, list[str]]] = {}
    values: dict[str, tuple[Decimal, str]] = {}
    years: dict[str, Counter[int]] = {}
    for figure in figures:
        entry = figure.entry
        counted = entry.has_fraction or entry.value is not None and not plan.is_summed(figure.code)
        if counted and entry.year is not None and entry.year != year:
            years.setdefault(figure.code, Counter())[entry.year] += 1
        if entry.has_fraction:
            numerator, denominator, units = sums.get(figure.code, (Decimal(0), Decimal(0), []))
            units.append(figure.unit)  # a list: adding to a tuple would copy it for each of thousands of units
            sums[figure.code] = (numerator + entry.numerator, denominator + entry.denominator, units)
        elif entry.value is not None and not plan.is_summed(figure.code):
            values[figure.code] = (entry.value, figure.unit)
    results = []
    for element in plan.elements:
        expected = plan.units_for(element.code)
        if element.code in sums:
            numerator, denominator, reported = sums[element.code]
            entry = Entry(numerator, denominator)
        elif element.code in values:
            value, unit = values[element.code]
            entry, reported = Entry(value=value), (unit,)
        else:
            entry, reported = Entry(), ()
        result = exact_result(element, entry)
        order = {u: i for i, u in enumerate(expected)}
        reported = tuple(sorted(reported, key=lambda u: order.get(u, len(order))))
        found = element.target_for(year)
        results.append(ElementFigure(element, entry, result, judge(element, result, year), expected, reported,
                                     found[0] if found else None, tuple(sorted(years.get(element.code, {}).items()))))
    return results


NOT_SUMMED_NOTE = "chỉ nhập giá trị, không cộng được vào tổng"  # beside a unit's value left out of the sum


@dataclass(frozen=True)
class UnitRow:
    """One unit's figure for a data element that several units enter."""

    element: DataElement
    unit: str
    entry: Entry
    result: Fraction | None
    status: str
    note: str = ""


def unit_results(plan: Plan, figures: list[UnitFigure], notes: dict[tuple[str, str], str],
                 year: int | None = None) -> list[UnitRow]:
    """For data elements entered by several units: each expected unit's entry and status for ``year``."""
    year = plan.info.first_year if year is None else year
    by_key = {(f.code, f.unit): f.entry for f in figures}
    rows = []
    for element in plan.elements:
        if not plan.is_summed(element.code):
            continue
        for unit in plan.units_for(element.code):
            entry = by_key.get((element.code, unit), Entry())
            result = exact_result(element, entry)
            note = notes.get((element.code, unit), "")
            if entry.value_only:
                note = "; ".join(filter(None, [NOT_SUMMED_NOTE, note]))
            if entry.year is not None and entry.year != year and result is not None:
                note = "; ".join(filter(None, [f"số liệu năm {entry.year}", note]))
            rows.append(UnitRow(element, unit, entry, result, judge(element, result, year), note))
    return rows
