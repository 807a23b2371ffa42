"""A unit's figures checked against its own earlier results (DHIS2's outlier checks).

A result that moved further than the plan allows since the unit's result of the previous period
(or, when the store has none, of the same period a year earlier), and a denominator that changed by
more than a third, get an ``unusual-change`` warning naming the earlier value and period. The check
needs the store's history, so it runs when a return is ingested or checked against a store, never
inside the reader of one file.
"""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from bdg_excel.figures import Entry, exact_result, format_value
from bdg_excel.numbers import format_number
from bdg_excel.plan import DataElement, Plan
from bdg_excel.problems import Problem, problem
from bdg_excel.store import Store
from bdg_excel.submission import Figure, Submission

DEFAULT_POINTS = Decimal(15)  # percentages: points either way
DEFAULT_PERCENT = Decimal(30)  # other results (per 100, per 100.000, times): percent of the earlier result
THIRDS = 3  # a denominator moving by more than a third of itself


def earlier_periods(plan: Plan, period: str) -> list[str]:
    """The periods a result is compared with, in order: the previous one, then the same one a year earlier."""
    year_earlier = f"{int(period[:4]) - 1}{period[4:]}"
    return list(dict.fromkeys([plan.previous_period(period), year_earlier]))


def unusual_changes(plan: Plan, submission: Submission, store: Store) -> list[Problem]:
    """The ``unusual-change`` warnings of a usable submission, against the unit's current returns of
    earlier periods in ``store``."""
    if submission.rejected or not submission.unit or not submission.period:
        return []
    usable = {f.code for f in submission.figures if f.usable}
    history = []
    for period in earlier_periods(plan, submission.period):  # a year earlier only for what the last period lacks
        history.append((period, store.unit_entries(period, submission.unit)))
        if usable <= history[-1][1].keys():
            break
    found = []
    for figure in submission.figures:
        element = plan.element(figure.code)
        earlier = next(((period, entries[figure.code]) for period, entries in history if figure.code in entries), None)
        if figure.usable and element is not None and earlier is not None:
            found += _compared(element, figure, *earlier, submission.name)
    return found


def _compared(element: DataElement, figure: Figure, period: str, before: Entry, file: str) -> list[Problem]:
    found = []
    now, then = exact_result(element, figure.entry), exact_result(element, before)
    if now is not None and then is not None and _moved(element, now, then):
        cell = figure.cells["value"] if figure.entry.value_only else figure.cells["numerator"]
        found.append(problem("unusual-change", file=file, sheet=figure.sheet, cell=cell, what="Kết quả",
                             value=format_value(element, now), earlier=format_value(element, then), period=period,
                             allowed=_allowed(element)))
    new, old = figure.entry.denominator, before.denominator
    if new is not None and old and abs(new - old) * THIRDS > old:  # exact, in decimals
        found.append(problem("unusual-change", file=file, sheet=figure.sheet, cell=figure.cells["denominator"],
                             what="Mẫu số", value=format_number(new), earlier=format_number(old), period=period,
                             allowed="±1/3"))
    return found


def _moved(element: DataElement, now: Fraction, then: Fraction) -> bool:
    """True when ``now`` is further from ``then`` than the element's tolerance (exactly)."""
    if element.is_percent:
        return abs(now - then) > Fraction(element.tolerance if element.tolerance is not None else DEFAULT_POINTS)
    if then == 0:  # no relative change can be measured from nothing
        return False
    share = Fraction(element.tolerance if element.tolerance is not None else DEFAULT_PERCENT) / 100
    return abs(now - then) > share * abs(then)


def _allowed(element: DataElement) -> str:
    if element.is_percent:
        return f"±{format_number(element.tolerance if element.tolerance is not None else DEFAULT_POINTS)} điểm phần trăm"
    return f"±{format_number(element.tolerance if element.tolerance is not None else DEFAULT_PERCENT)}%"

