"""Submissions to consolidated figures and statuses (pure pandas, no I/O).

Where several units enter a data element, the province's figure is the sum of their
numerators over the sum of their denominators. A value typed without numerator and
denominator is used as is when one unit enters the element; it cannot be summed across
units, so there it is reported as a problem instead of being averaged.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from bdg_excel.figures import NO_DATA, Entry, exact_result, format_figure, judge
from bdg_excel.plan import DataElement, Plan
from bdg_excel.problems import Problem, problem


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

    @property
    def display(self) -> str:
        """The figure as the appendix prints it, with the unit count when some are missing."""
        text = format_figure(self.element, self.entry) or NO_DATA
        if len(self.expected_units) > 1 and self.reported_units and self.is_partial:
            text += f" ({self.units_text})"
        return text

    @property
    def is_partial(self) -> bool:
        return len(self.reported_units) < len(self.expected_units)

    @property
    def units_text(self) -> str:
        return f"{len(self.reported_units)}/{len(self.expected_units)} đơn vị"


def _frame(figures: list[UnitFigure]) -> pd.DataFrame:
    rows = [(f.unit, f.code, f.entry.numerator, f.entry.denominator, f.entry.value) for f in figures
            if not f.entry.is_empty]
    return pd.DataFrame(rows, columns=["unit", "code", "numerator", "denominator", "value"], dtype=object)


def aggregate(plan: Plan, figures: list[UnitFigure], source: str = "") -> tuple[list[ElementFigure], list[Problem]]:
    """One consolidated figure per data element of the plan, and the problems of summing them.

    Numerators and denominators stay Decimals (object columns): pandas sums them with Python's
    exact addition, never through floats.
    """
    frame = _frame(figures)
    several_units = frame["code"].isin({e.code for e in plan.elements if len(plan.units_for(e.code)) > 1})
    has_fraction = frame["numerator"].notna() & frame["denominator"].notna()
    value_only = ~has_fraction & frame["value"].notna()
    by_code = frame[has_fraction].groupby("code", sort=False)
    sums = by_code[["numerator", "denominator"]].sum().to_dict("index")
    summed_units = by_code["unit"].agg(tuple).to_dict()
    alone = frame[value_only & ~several_units]
    values = {code: (value, unit) for code, value, unit in zip(alone["code"], alone["value"], alone["unit"])}
    unsummable = frame[value_only & several_units]
    problems = [problem("value-cannot-be-summed", file=source, unit=unit, code=code)
                for unit, code in zip(unsummable["unit"], unsummable["code"])]
    results = []
    for element in plan.elements:
        expected = plan.units_for(element.code)
        if element.code in sums:
            total = sums[element.code]
            entry, reported = Entry(total["numerator"], total["denominator"]), summed_units[element.code]
        elif element.code in values:
            value, unit = values[element.code]
            entry, reported = Entry(value=value), (unit,)
        else:
            entry, reported = Entry(), ()
        result = exact_result(element, entry)
        order = {u: i for i, u in enumerate(expected)}
        reported = tuple(sorted(reported, key=lambda u: order.get(u, len(order))))
        results.append(ElementFigure(element, entry, result, judge(element, result), expected, reported))
    return results, problems


@dataclass(frozen=True)
class UnitRow:
    """One unit's figure for a data element that several units enter."""

    element: DataElement
    unit: str
    entry: Entry
    result: Fraction | None
    status: str
    note: str = ""


def unit_results(plan: Plan, figures: list[UnitFigure], notes: dict[tuple[str, str], str]) -> list[UnitRow]:
    """For data elements entered by several units: each expected unit's entry and status."""
    by_key = {(f.code, f.unit): f.entry for f in figures}
    rows = []
    for element in plan.elements:
        units = plan.units_for(element.code)
        if len(units) < 2:
            continue
        for unit in units:
            entry = by_key.get((element.code, unit), Entry())
            result = exact_result(element, entry)
            rows.append(UnitRow(element, unit, entry, result, judge(element, result), notes.get((element.code, unit), "")))
    return rows
