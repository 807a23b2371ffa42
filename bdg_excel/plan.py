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
from datetime import date
from decimal import Decimal
from functools import cached_property

from bdg_excel.errors import BdgError
from bdg_excel.numbers import format_number

OPERATORS = ("≥", "≤", "<", ">", "=")
LEVELS = ("tỉnh", "huyện", "xã")


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
    year: int
    issued_by: str
    collector: str
    collector_email: str


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
class DataElement:
    """One figure that one reporting unit enters (code ``MT1.CT1a.TINH``)."""

    code: str
    indicator: str
    label: str
    breakdown: str
    scale: Decimal
    unit: str
    operator: str
    target: Decimal
    target_text: str
    share: bool
    whole_numbers: bool
    value_min: Decimal
    value_max: Decimal
    numerator_label: str
    denominator_label: str
    tolerance: Decimal | None = None  # how far a result may move between periods; None: the default by unit

    @property
    def is_percent(self) -> bool:
        return self.unit == "%"

    @property
    def target_display(self) -> str:
        """The target as a person writes it: ``≥ 20%``, ``≤ 110 trẻ trai/100 trẻ gái``."""
        value = format_number(self.target)
        if self.is_percent:
            return f"{self.operator} {value}%"
        return f"{self.operator} {value} {self.unit}"


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


@dataclass(frozen=True)
class Period:
    code: str
    name: str
    deadline: date


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

    def period(self, code: str) -> Period:
        """The period with this code, or a PlanError naming the periods the plan has."""
        if not re.fullmatch(r"\d{4}(-H1)?", code):
            raise PlanError(f"Kỳ báo cáo '{code}' không đúng dạng: dùng YYYY (báo cáo năm) hoặc YYYY-H1 (báo cáo 06 tháng).")
        for period in self.periods:
            if period.code == code:
                return period
        known = ", ".join(p.code for p in self.periods)
        raise PlanError(f"Kỳ báo cáo '{code}' không có trong kế hoạch (các kỳ có: {known}).")

    def previous_period(self, code: str) -> str:
        """The reporting period before ``code``: 2020 -> 2020-H1, 2020-H1 -> 2019."""
        if code.endswith("-H1"):
            return str(int(code[:4]) - 1)
        return f"{code}-H1"


def split_addresses(text: str) -> list[str]:
    """Email addresses separated by commas or semicolons."""
    return [a.strip() for a in text.replace(";", ",").split(",") if a.strip()]


def plan_to_tables(plan: Plan) -> dict[str, list[dict]]:
    """The plan as rows of plain values, one list per table."""
    def as_dict(obj) -> dict:
        return {f.name: getattr(obj, f.name) for f in fields(obj) if f.name != "source"}

    return {
        "plan": [as_dict(plan.info)],
        "goals": [as_dict(g) for g in plan.goals],
        "indicators": [as_dict(i) for i in plan.indicators],
        "elements": [as_dict(e) for e in plan.elements],
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
