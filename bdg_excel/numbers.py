"""Numbers as Vietnamese officers write them, read exactly.

Vietnamese notation groups thousands with a dot and marks decimals with a comma
(``8.688``, ``50,59``); English notation does the opposite. Text is accepted when only
one reading makes sense; everything is kept as ``Decimal`` so that nothing is rounded
before display.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]")
_GROUPED = re.compile(r"\d{1,3}(?:X\d{3})+")


@dataclass(frozen=True)
class ParsedNumber:
    """The outcome of reading a text as a number: a value, or why there is none."""

    value: Decimal | None
    ambiguous: bool = False

    @property
    def ok(self) -> bool:
        return self.value is not None


def to_decimal(value: object) -> Decimal:
    """A cell's number as the decimal the person typed (floats via their shortest repr)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(int(value)) if value.is_integer() else Decimal(repr(value))
    return Decimal(str(value))


def _grouped(text: str, sep: str) -> bool:
    return bool(_GROUPED.fullmatch(text.replace(sep, "X")))


def parse_number(text: str, whole: bool = False) -> ParsedNumber:
    """Read a number typed as text, in Vietnamese or English notation.

    ``whole`` says the figure counts people or units: ``8.688`` is then 8688, since
    8,688 people cannot be meant. Elsewhere a single separator followed by exactly
    three digits (``1.234``, ``1,234``) could be either notation and is ambiguous.
    """
    body = _SPACES.sub("", text)
    if body.endswith("%"):
        body = body[:-1]
    sign = ""
    if body[:1] in "+-":
        sign, body = body[:1].replace("+", ""), body[1:]
    if not body or not re.fullmatch(r"[\d.,]+", body) or not body[0].isdigit() or not body[-1].isdigit():
        return ParsedNumber(None)
    dots, commas = body.count("."), body.count(",")
    if dots and commas:
        decimal_sep = "," if body.rfind(",") > body.rfind(".") else "."
        group_sep = "." if decimal_sep == "," else ","
        integer, _, fraction = body.rpartition(decimal_sep)
        if body.count(decimal_sep) != 1 or not _grouped(integer, group_sep):
            return ParsedNumber(None)
        return _number(sign + integer.replace(group_sep, "") + "." + fraction)
    if not dots and not commas:
        return _number(sign + body)
    sep = "." if dots else ","
    head, _, tail = body.partition(sep)
    if body.count(sep) > 1:
        return _number(sign + body.replace(sep, "")) if _grouped(body, sep) else ParsedNumber(None)
    if len(tail) == 3 and len(head) <= 3:
        if whole:
            return _number(sign + head + tail)
        return ParsedNumber(None, ambiguous=True)
    return _number(sign + head + "." + tail)


def _number(text: str) -> ParsedNumber:
    try:
        return ParsedNumber(Decimal(text))
    except InvalidOperation:
        return ParsedNumber(None)


def decimal_places(value: Decimal) -> int:
    """How many decimal places a typed number has: 16.78 -> 2, 80 -> 0."""
    if value == value.to_integral_value():
        return 0
    return -int(value.as_tuple().exponent)


def format_number(value: Decimal | int | float, places: int = 2, pad: bool = False) -> str:
    """Vietnamese notation, rounded half up to ``places`` for display, trailing zeros dropped.

    ``pad`` writes whole numbers below 10 with two digits, as official documents do (05/50).
    """
    number = to_decimal(value)
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    integer, _, fraction = f"{abs(rounded):f}".partition(".")
    fraction = fraction.rstrip("0")
    grouped = f"{int(integer):,}".replace(",", ".")
    if pad and not fraction and len(grouped) == 1:
        grouped = "0" + grouped
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"
