"""The plan model: goals, indicators, data elements, reporting units, periods.

A plan is plain data, and ``plan_to_tables`` gives it as plain rows (the shape of both its
formats). The default one (Ninh Thuận, 2020) ships inside the package as JSON; officers edit
plans as workbooks. ``plan_tables`` checks and builds plans from rows, ``plan_workbook``
reads and writes the workbook, and ``plan_files`` loads a plan from whichever file it is.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from types import MappingProxyType
from typing import Mapping

from bdg_excel.errors import BdgError
from bdg_excel.numbers import format_number

OPERATORS = ("≥", "≤", "<", ">", "=")
LEVELS = ("tỉnh", "huyện", "xã")
ROUND_OPENS = timedelta(days=45)  # a round opens about when its collection workbooks go out: 1/5 and 31/10


class PlanError(BdgError):
    """The plan cannot be used; carries the problems found in it."""

    def __init__(self, message: str, problems: tuple = ()):
        super().__init__(message)
        self.problems = tuple(problems)


@dataclass(frozen=True)
class PlanInfo:
    id: str
    title: str
    province: str
    first_year: int
    last_year: int
    issued_by: str
    collector: str
    collector_email: str
    reports_to: str = ""
    basis: str = ""

    @property
    def year(self) -> int:
        """The plan's first year (its only one for an annual plan)."""
        return self.first_year

    @property
    def years(self) -> str:
        """'2020', or '2026–2030' for a plan over several years."""
        if self.first_year == self.last_year:
            return str(self.first_year)
        return f"{self.first_year}–{self.last_year}"

    @property
    def years_text(self) -> str:
        """'NĂM 2020' for an annual plan, 'GIAI ĐOẠN 2026–2030' for one over several years."""
        return f"NĂM {self.years}" if self.first_year == self.last_year else f"GIAI ĐOẠN {self.years}"


@dataclass(frozen=True)
class Goal:
    number: int
    title: str

    @property
    def heading(self) -> str:
        return f"Mục tiêu {self.number}: {self.title}"


@dataclass(frozen=True)
class Indicator:
    """One row of the plan's appendix; its figures are one or more data elements."""

    code: str
    goal: int
    text: str
    lead_agency: str


@dataclass(frozen=True)
class Target:
    """One milestone of a data element: in ``year`` (and, when ``onwards``, every year after it) the
    figure must satisfy ``operator value``; ``text`` is how the plan words it."""

    element: str
    year: int
    onwards: bool
    operator: str
    value: Decimal
    text: str

    def is_met(self, result) -> bool:
        """Whether an exact result meets this target, boundaries included (``< 42`` is missed at 42)."""
        value = Fraction(self.value)
        return {"≥": result >= value, "≤": result <= value, "<": result < value, ">": result > value,
                "=": result == value}[self.operator]


@dataclass(frozen=True)
class DataElement:
    """One figure that one reporting unit enters (code ``MT1.CT1a.TINH``), with its milestone targets."""

    code: str
    indicator: str
    label: str
    breakdown: str
    scale: Decimal
    unit: str
    share: bool
    whole_numbers: bool
    value_min: Decimal
    value_max: Decimal
    numerator_label: str
    denominator_label: str
    targets: tuple[Target, ...] = ()  # by year
    tolerance: Decimal | None = None  # how far a result may move between periods; None: the default by unit

    @property
    def is_percent(self) -> bool:
        return self.unit == "%"

    @property
    def full_label(self) -> str:
        """What the figure is, as a person names it: its label, then its breakdown (``Tỷ lệ … – Cấp xã``)."""
        return self.label + (f" – {self.breakdown}" if self.breakdown else "")

    def target_for(self, year: int) -> tuple[Target, bool] | None:
        """The target a figure of ``year`` is judged against, and whether it is final for that year.

        The milestone of that year, else the latest one that holds "from that year on" before it, is
        final; otherwise the next milestone is the one to reach; after the last one, the last applies.
        """
        if not self.targets:
            return None
        for target in self.targets:
            if target.year == year:
                return target, True
        onwards = [t for t in self.targets if t.onwards and t.year <= year]
        if onwards:
            return onwards[-1], True
        later = [t for t in self.targets if t.year > year]
        if later:
            return later[0], False
        return self.targets[-1], True

    def show_target(self, target: Target) -> str:
        """One target as a person writes it: ``≥ 20%``, ``≤ 110 trẻ trai/100 trẻ gái``, ``< 42/100.000 trẻ đẻ sống``."""
        value = format_number(target.value)
        if self.is_percent:
            return f"{target.operator} {value}%"
        gap = "" if self.unit.startswith("/") else " "
        return f"{target.operator} {value}{gap}{self.unit}"

    @property
    def target_display(self) -> str:
        """Every milestone: ``≥ 20%`` alone, or ``≥ 60% (2025); ≥ 75% (2030)``, ``= 100% (từ 2025)``."""
        if len(self.targets) == 1 and not self.targets[0].onwards:
            return self.show_target(self.targets[0])
        return "; ".join(f"{self.show_target(t)} ({'từ ' if t.onwards else ''}{t.year})" for t in self.targets)


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str
    email: str = ""
    cc: str = ""

    @property
    def emails(self) -> list[str]:
        return split_addresses(self.email)

    @property
    def cc_emails(self) -> list[str]:
        return split_addresses(self.cc)

    def has_address(self, address: str) -> bool:
        """True when ``address`` is one of the unit's (To or Cc), in any case."""
        return bool(address) and address.lower() in (a.lower() for a in self.emails + self.cc_emails)


@dataclass(frozen=True)
class Period:
    code: str
    name: str
    deadline: date

    @property
    def year(self) -> int:
        """The year the period reports on."""
        return int(self.code[:4])


@dataclass(frozen=True)
class Plan:
    info: PlanInfo
    goals: tuple[Goal, ...]
    indicators: tuple[Indicator, ...]
    elements: tuple[DataElement, ...]
    units: tuple[Unit, ...]
    assignments: tuple[tuple[str, str], ...]  # (element code, unit code)
    periods: tuple[Period, ...]
    source: str = field(default="", compare=False)

    @cached_property
    def version(self) -> str:
        """A short hash of the plan's content: changes whenever anything in it changes."""
        content = plan_to_dict(self)
        for element in content["elements"]:  # a blank tolerance leaves plans made before it with their version
            if element.get("tolerance") is None:
                element.pop("tolerance", None)
        text = json.dumps(content, ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]

    @cached_property
    def _elements_by_code(self) -> dict[str, DataElement]:
        return {e.code: e for e in self.elements}

    @cached_property
    def _units_by_code(self) -> dict[str, Unit]:
        return {u.code.casefold(): u for u in self.units}

    @cached_property
    def _units_by_element(self) -> dict[str, tuple[str, ...]]:
        found: dict[str, list[str]] = {e.code: [] for e in self.elements}
        for element, unit in self.assignments:
            found.setdefault(element, []).append(unit)
        return {k: tuple(v) for k, v in found.items()}

    def element(self, code: str) -> DataElement | None:
        return self._elements_by_code.get(code)

    def unit(self, code: str) -> Unit | None:
        """The unit with this code, in any case (``syt`` finds ``SYT``)."""
        return self._units_by_code.get(code.casefold())

    def unit_with_address(self, address: str) -> Unit | None:
        """The reporting unit with this email address (To or Cc, any case), when exactly one has it: an address
        several units share (a leader's, a shared mailbox) names none of them."""
        found = [u for u in self.reporting_units if u.has_address(address)]
        return found[0] if len(found) == 1 else None

    @cached_property
    def _summed(self) -> frozenset[str]:
        return frozenset(code for code, units in self._units_by_element.items() if len(units) > 1)

    def is_summed(self, element_code: str) -> bool:
        """True when several units enter the data element: the province's figure sums their fractions."""
        return element_code in self._summed

    def units_for(self, element_code: str) -> tuple[str, ...]:
        """Codes of the units that enter a data element, in plan order."""
        return self._units_by_element.get(element_code, ())

    @cached_property
    def _elements_by_unit(self) -> dict[str, tuple[DataElement, ...]]:
        codes: dict[str, set[str]] = {}
        for element, unit in self.assignments:
            codes.setdefault(unit, set()).add(element)
        return {unit: tuple(e for e in self.elements if e.code in mine) for unit, mine in codes.items()}

    def elements_for(self, unit_code: str) -> tuple[DataElement, ...]:
        """The data elements a unit enters, in plan order."""
        return self._elements_by_unit.get(unit_code, ())

    @property
    def reporting_units(self) -> tuple[Unit, ...]:
        """Units that enter at least one data element, in plan order."""
        entering = {u for _, u in self.assignments}
        return tuple(u for u in self.units if u.code in entering)

    def indicators_of(self, goal: int) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.goal == goal)

    def element_goal(self, code: str) -> int:
        """The number of the goal a data element belongs to."""
        indicator = self.element(code).indicator
        return next(i.goal for i in self.indicators if i.code == indicator)

    def elements_of(self, indicator: str) -> tuple[DataElement, ...]:
        return tuple(e for e in self.elements if e.indicator == indicator)

    def round_of(self, day: date, mailed: Mapping[str, date] = MappingProxyType({})) -> Period | None:
        """The period whose round a file that came on ``day`` belongs to: the latest one whose round had opened
        (before the first round opens, the first period). A round opens ROUND_OPENS before its deadline, or
        when its collection workbooks were first emailed (``mailed``: period code -> day), if that was earlier.
        A six-month return sent in June, or late in September, is the six-month round's; the same form sent in
        late November, when the annual round is open, came in the annual round."""
        periods = sorted(self.periods, key=lambda p: p.deadline)
        opened = [p for p in periods if day >= min(p.deadline - ROUND_OPENS, mailed.get(p.code, p.deadline))]
        return opened[-1] if opened else (periods[0] if periods else None)

    def period(self, code: str) -> Period:
        """The period with this code, or a PlanError naming the periods the plan has."""
        if not re.fullmatch(r"\d{4}(-H1)?", code):
            raise PlanError(f"Kỳ báo cáo '{code}' không đúng dạng: ghi năm (ví dụ {self.info.first_year}, báo cáo năm) "
                            f"hoặc năm kèm -H1 (ví dụ {self.info.first_year}-H1, báo cáo 06 tháng).")
        for period in self.periods:
            if period.code == code:
                return period
        known = ", ".join(p.code for p in self.periods)
        raise PlanError(f"Kỳ báo cáo '{code}' không có trong kế hoạch (các kỳ có: {known}). Kế hoạch đang dùng là "
                        f"'{self.info.id}': chọn kế hoạch khác bằng --plan (xem 'bdg plans') hoặc chạy lệnh trong thư "
                        "mục báo cáo của kế hoạch.")

    def previous_period(self, code: str) -> str:
        """The reporting period before ``code``: 2020 -> 2020-H1, 2020-H1 -> 2019 (perhaps another plan's)."""
        if code.endswith("-H1"):
            return str(int(code[:4]) - 1)
        return f"{code}-H1"


def placeholder_addresses(plan: Plan) -> list[str]:
    """Where the plan still has example addresses (``.example`` domains receive no mail): the collecting
    agency ('Kế hoạch') and the codes of the reporting units, in plan order."""
    def example(addresses: list[str]) -> bool:
        return any(a.lower().endswith(".example") for a in addresses)

    found = ["Kế hoạch"] if example(split_addresses(plan.info.collector_email)) else []
    return found + [u.code for u in plan.reporting_units if example(u.emails + u.cc_emails)]


def split_addresses(text: str) -> list[str]:
    """Email addresses separated by commas or semicolons."""
    return [a.strip() for a in text.replace(";", ",").split(",") if a.strip()]


def plan_to_tables(plan: Plan) -> dict[str, list[dict]]:
    """The plan as rows of plain values, one list per table."""
    def as_dict(obj) -> dict:
        return {f.name: getattr(obj, f.name) for f in fields(obj) if f.name != "source"}

    def element_dict(element: DataElement) -> dict:
        row = as_dict(element)
        del row["targets"]
        return row

    return {
        "plan": [as_dict(plan.info)],
        "goals": [as_dict(g) for g in plan.goals],
        "indicators": [as_dict(i) for i in plan.indicators],
        "elements": [element_dict(e) for e in plan.elements],
        "targets": [as_dict(t) for e in plan.elements for t in e.targets],
        "units": [as_dict(u) for u in plan.units],
        "assignments": [{"element": e, "unit": u} for e, u in plan.assignments],
        "periods": [as_dict(p) for p in plan.periods],
    }


def plan_to_dict(plan: Plan) -> dict:
    """The plan in the JSON format of the built-in plan (decimals and dates as text)."""
    tables = plan_to_tables(plan)
    for rows in tables.values():
        for row in rows:
            for key, value in row.items():
                if isinstance(value, Decimal):
                    row[key] = f"{value.normalize():f}"
                elif isinstance(value, date):
                    row[key] = value.isoformat()
    tables["plan"] = tables["plan"][0]
    return tables
