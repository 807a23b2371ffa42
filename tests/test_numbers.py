from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bdg_excel.numbers import decimal_places, format_number, parse_number, to_decimal

amounts = st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False, allow_infinity=False)
counts = st.integers(min_value=0, max_value=10**9)


def render(number: Decimal, thousands: str, decimal: str, grouped: bool) -> str:
    integer, _, fraction = f"{number:f}".partition(".")
    if grouped:
        integer = f"{int(integer):,}".replace(",", thousands)
    return f"{integer}{decimal}{fraction}" if fraction else integer


def ambiguous(text: str) -> bool:
    separators = [c for c in text if c in ".,"]
    head, _, tail = text.replace(",", ".").partition(".")
    return len(separators) == 1 and len(tail) == 3 and len(head) <= 3


@given(amounts, st.sampled_from([(".", ","), (",", ".")]), st.booleans())
def test_text_in_either_notation_reads_back_exactly_unless_ambiguous(number, notation, grouped):
    text = render(number, *notation, grouped)
    parsed = parse_number(text)
    if ambiguous(text):
        assert parsed.ambiguous and parsed.value is None
    else:
        assert parsed.value == number, text


@given(counts, st.sampled_from([".", ","]))
def test_counts_with_thousands_separators_are_never_ambiguous(number, thousands):
    text = render(Decimal(number), thousands, "", grouped=True)
    assert parse_number(text, whole=True).value == number


@given(st.floats(min_value=0, max_value=1e12, allow_nan=False))
def test_real_cells_read_back_as_typed(number):
    assert float(to_decimal(number)) == number
    assert to_decimal(number) == Decimal(repr(number))


@pytest.mark.parametrize("text, whole, expected", [
    ("8.688", True, Decimal(8688)),
    ("50,59", False, Decimal("50.59")),
    ("1,5", False, Decimal("1.5")),
    ("1.234,5", False, Decimal("1234.5")),
    ("1,234.5", False, Decimal("1234.5")),
    ("17 174", True, Decimal(17174)),
    ("16,78%", False, Decimal("16.78")),
    ("-5", False, Decimal(-5)),
])
def test_unambiguous_text(text, whole, expected):
    assert parse_number(text, whole).value == expected


@pytest.mark.parametrize("text", ["8.688", "1,234", "abc", "1,2,3", "12..5", "1.234.56", "", "5-", "1.234,567.8"])
def test_ambiguous_or_not_numbers_give_no_value(text):
    assert parse_number(text).value is None
    assert parse_number(text).ambiguous == (text in ("8.688", "1,234"))


@pytest.mark.parametrize("value, places, pad, expected", [
    (Decimal(8688), 2, False, "8.688"),
    (Decimal("50.588"), 2, False, "50,59"),
    (Decimal(5), 2, True, "05"),
    (Decimal("27.2946"), 2, False, "27,29"),
    (Decimal(100000), 2, False, "100.000"),
    (Decimal("108.5"), 2, False, "108,5"),
    (Decimal("0.005"), 2, False, "0,01"),
])
def test_vietnamese_display(value, places, pad, expected):
    assert format_number(value, places, pad) == expected


def test_decimal_places_counts_what_was_typed():
    assert [decimal_places(to_decimal(x)) for x in (16.78, 80.0, 25.43, 1.5)] == [2, 0, 2, 1]
