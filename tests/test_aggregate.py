from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bdg_excel.aggregate import UnitFigure, aggregate
from bdg_excel.figures import MET, MISSED, NO_DATA, Entry
from bdg_excel.plan_files import default_plan

PLAN = default_plan()
SHARED = next(e for e in PLAN.elements if len(PLAN.units_for(e.code)) > 2 and e.share)
SINGLE = next(e for e in PLAN.elements if len(PLAN.units_for(e.code)) == 1)

# Decimals with one or two decimal places: 0.1 + 0.2 is not 0.3 in floats, so any float on the
# way would show.
amounts = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False, allow_infinity=False)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(amounts, amounts), min_size=0, max_size=len(PLAN.units_for(SHARED.code))))
def test_shared_figures_are_exact_sums_of_numerators_and_denominators(pairs):
    units = PLAN.units_for(SHARED.code)
    figures = [UnitFigure(unit, SHARED.code, Entry(n, d)) for unit, (n, d) in zip(units, pairs)]
    results = aggregate(PLAN, figures)
    figure = next(r for r in results if r.element.code == SHARED.code)
    numerator, denominator = sum((n for n, _ in pairs), Decimal(0)), sum((d for _, d in pairs), Decimal(0))
    assert figure.reported_units == units[:len(pairs)]
    if not pairs:
        assert figure.entry == Entry() and figure.status == NO_DATA
        return
    assert (figure.entry.numerator, figure.entry.denominator) == (numerator, denominator)
    expected = Fraction(numerator) / Fraction(denominator) * Fraction(SHARED.scale) if denominator else None
    assert figure.result == expected
    if expected is not None:
        (milestone,) = SHARED.targets
        target = Fraction(milestone.value)
        met = {"≥": expected >= target, "≤": expected <= target, "<": expected < target, ">": expected > target,
               "=": expected == target}[milestone.operator]
        assert figure.status == (MET if met else MISSED)


def test_a_value_without_fraction_counts_alone_but_is_never_summed():
    shared_units = PLAN.units_for(SHARED.code)
    single_unit = PLAN.units_for(SINGLE.code)[0]
    figures = [UnitFigure(shared_units[0], SHARED.code, Entry(Decimal(3), Decimal(10))),
               UnitFigure(shared_units[1], SHARED.code, Entry(value=Decimal("55.5"))),
               UnitFigure(single_unit, SINGLE.code, Entry(value=Decimal("12.3")))]
    results = aggregate(PLAN, figures)
    by_code = {r.element.code: r for r in results}
    assert by_code[SHARED.code].entry == Entry(Decimal(3), Decimal(10))
    assert by_code[SHARED.code].reported_units == (shared_units[0],)
    assert by_code[SINGLE.code].entry == Entry(value=Decimal("12.3"))
    assert by_code[SINGLE.code].result == Fraction("12.3")
    assert [r.element.code for r in results] == [e.code for e in PLAN.elements]
