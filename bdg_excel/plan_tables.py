"""The plan as tables: the schema shared by the JSON and workbook formats, and its checks.

Every table of the plan is a sheet of the plan workbook (Vietnamese headers) and a list
of the same name in the JSON file. ``build_plan`` turns the tables into a ``Plan`` and
reports every mistake with the sheet, row and column where the officer fixes it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from bdg_excel.numbers import format_number, parse_number, to_decimal
from bdg_excel.plan import (
    LEVELS,
    OPERATORS,
    DataElement,
    Goal,
    Indicator,
    Period,
    Plan,
    PlanError,
    PlanInfo,
    Target,
    Unit,
)
from bdg_excel.problems import Problem, column_letter, problem

TEXT, INT, DEC, BOOL, DATE = "text", "int", "dec", "bool", "date"
YES, NO = "Có", "Không"
ELEMENT_CODE = re.compile(r"MT\d+\.CT\d+[a-z]?(\.[A-Z0-9_]+)?")
INDICATOR_CODE = re.compile(r"MT\d+\.CT\d+[a-z]?")
UNIT_CODE = re.compile(r"[A-Z0-9_]+")
PERIOD_CODE = re.compile(r"\d{4}(-H1)?")
EMAIL = re.compile(r"[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+")


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    kind: str = TEXT
    required: bool = True
    added_later: bool = False  # plan workbooks exported before this column existed lack it, and stay valid


@dataclass(frozen=True)
class Table:
    key: str
    sheet: str
    columns: tuple[Column, ...]

    def column(self, field_name: str) -> Column:
        return next(c for c in self.columns if c.field == field_name)


TABLES = (
    Table("plan", "Kế hoạch", (
        Column("id", "Mã kế hoạch"),
        Column("title", "Tên kế hoạch"),
        Column("province", "Tỉnh"),
        Column("first_year", "Năm bắt đầu", INT),
        Column("last_year", "Năm kết thúc", INT),
        Column("issued_by", "Ban hành kèm theo", required=False),
        Column("collector", "Cơ quan tổng hợp"),
        Column("collector_email", "Email nhận báo cáo", required=False),
        Column("reports_to", "Nơi nhận báo cáo", required=False),
        Column("basis", "Văn bản căn cứ", required=False),
    )),
    Table("goals", "Mục tiêu", (
        Column("number", "Mục tiêu số", INT),
        Column("title", "Tên mục tiêu"),
    )),
    Table("indicators", "Chỉ tiêu", (
        Column("code", "Mã chỉ tiêu"),
        Column("goal", "Mục tiêu số", INT),
        Column("text", "Nội dung chỉ tiêu"),
        Column("lead_agency", "Cơ quan chủ trì báo cáo"),
    )),
    Table("elements", "Số liệu", (
        Column("code", "Mã"),
        Column("indicator", "Mã chỉ tiêu"),
        Column("label", "Tên số liệu"),
        Column("breakdown", "Phân tổ", required=False),
        Column("scale", "Hệ số", DEC),
        Column("unit", "Đơn vị tính"),
        Column("share", "Là tỷ lệ trên tổng số", BOOL),
        Column("whole_numbers", "Tử số, mẫu số là số nguyên", BOOL),
        Column("value_min", "Giá trị nhỏ nhất", DEC),
        Column("value_max", "Giá trị lớn nhất", DEC),
        Column("numerator_label", "Tên tử số"),
        Column("denominator_label", "Tên mẫu số"),
        Column("tolerance", "Mức thay đổi cho phép", DEC, required=False, added_later=True),
    )),
    Table("targets", "Mốc chỉ tiêu", (
        Column("element", "Mã"),
        Column("year", "Năm", INT),
        Column("onwards", "Từ năm đó trở đi", BOOL, required=False),
        Column("operator", "Toán tử"),
        Column("value", "Chỉ tiêu kế hoạch", DEC),
        Column("text", "Cách ghi chỉ tiêu"),
    )),
    Table("units", "Đơn vị", (
        Column("code", "Mã đơn vị"),
        Column("name", "Tên đơn vị"),
        Column("level", "Cấp"),
        Column("email", "Email", required=False),
        Column("cc", "Cc", required=False),
    )),
    Table("assignments", "Phân công", (
        Column("element", "Mã số liệu"),
        Column("unit", "Mã đơn vị"),
    )),
    Table("periods", "Kỳ báo cáo", (
        Column("code", "Mã kỳ"),
        Column("name", "Tên kỳ"),
        Column("deadline", "Hạn nộp", DATE),
    )),
)
TABLE = {t.key: t for t in TABLES}
# Columns added since the first plan workbooks: a workbook without them is read with them empty.
ADDED_COLUMNS = ("reports_to", "basis")
# Columns of plans written before milestone targets: the plan's one year, and one target per data element.
LEGACY_COLUMNS = {
    "plan": (Column("year", "Năm", INT),),
    "elements": (Column("operator", "Toán tử"), Column("target", "Chỉ tiêu kế hoạch", DEC),
                 Column("target_text", "Cách ghi chỉ tiêu")),
}


def is_legacy(tables: dict) -> tuple[bool, bool]:
    """Whether the tables give the plan's one year instead of its first and last, and whether they give each
    data element's one target instead of milestones (plans written before milestone targets)."""
    plan = tables.get("plan")
    plan = plan[0] if isinstance(plan, list) and plan else plan
    one_year = isinstance(plan, dict) and "year" in plan and "first_year" not in plan and "last_year" not in plan
    elements = tables.get("elements")
    one_target = "targets" not in tables and isinstance(elements, list) and any(
        isinstance(row, dict) and "operator" in row for row in elements)
    return one_year, one_target


def upgrade_legacy(tables: dict, rows: dict | None = None, columns: dict | None = None) -> tuple[dict, _Locator]:
    """Tables in today's shape from a plan written before milestone targets (its one target per data element
    becomes a milestone of the plan's year), and where the officer finds each moved value."""
    tables, rows, columns = dict(tables), dict(rows or {}), {k: dict(v) for k, v in (columns or {}).items()}
    sheets = {}
    one_year, one_target = is_legacy(tables)
    plan = tables.get("plan")
    plan = plan[0] if isinstance(plan, list) and plan else plan
    plan = dict(plan) if isinstance(plan, dict) else {}
    if one_year:
        year = plan.pop("year")
        plan["first_year"] = plan["last_year"] = year
        tables["plan"] = [plan]
        where = columns.get("plan", {}).get("year")
        if where:
            columns["plan"].update(first_year=where, last_year=where)
    if one_target:
        year = plan.get("first_year", plan.get("year"))
        tables["targets"] = [{"element": r.get("code"), "year": year, "onwards": False, "operator": r.get("operator"),
                              "value": r.get("target"), "text": r.get("target_text")}
                             for r in tables["elements"] if isinstance(r, dict)]
        if "elements" in rows:
            rows["targets"] = rows["elements"]
        found = columns.get("elements", {})
        columns["targets"] = {new: found[old] for new, old in (("element", "code"), ("year", "code"),
                              ("operator", "operator"), ("value", "target"), ("text", "target_text")) if old in found}
        sheets["targets"] = TABLE["elements"].sheet
    return tables, _Locator(rows, columns, sheets)


class _Locator:
    """Where a table's field stands, as the officer sees it in the plan workbook."""

    def __init__(self, rows: dict[str, list[int]] | None, columns: dict[str, dict[str, str]] | None,
                 sheets: dict[str, str] | None = None):
        self.rows = rows or {}
        self.columns = columns or {}
        self.sheets = sheets or {}  # tables read from another sheet (a legacy plan's targets)

    def sheet(self, table: Table) -> str:
        return self.sheets.get(table.key, table.sheet)

    def cell(self, table: Table, index: int, field_name: str) -> str:
        rows = self.rows.get(table.key)
        row = rows[index] if rows else index + 2
        default = column_letter([c.field for c in table.columns].index(field_name))
        return f"{self.columns.get(table.key, {}).get(field_name, default)}{row}"


class _Builder:
    def __init__(self, tables: dict, source: str, locator: _Locator):
        self.tables = tables
        self.source = source
        self.locator = locator
        self.problems: list[Problem] = []

    def problem(self, table: Table, index: int, field_name: str, code: str, /, **fields: object) -> None:
        self.problems.append(problem(code, file=self.source, sheet=self.locator.sheet(table),
                                     cell=self.locator.cell(table, index, field_name), **fields))

    def rows(self, table: Table) -> list[dict]:
        rows = self.tables.get(table.key, [])
        if isinstance(rows, dict):
            rows = [rows]
        if not isinstance(rows, list) or not rows:
            self.problems.append(problem("missing-table", file=self.source, sheet=table.sheet, name=table.sheet))
            return []
        return [self.row(table, i, raw if isinstance(raw, dict) else {}) for i, raw in enumerate(rows)]

    def row(self, table: Table, index: int, raw: dict) -> dict:
        return {c.field: self.value(table, index, c, raw.get(c.field)) for c in table.columns}

    def value(self, table: Table, index: int, column: Column, raw: object):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if column.required:
                self.problem(table, index, column.field, "missing-value", header=column.header)
            return None if column.kind != TEXT else ""
        try:
            return _convert(column.kind, raw)
        except (ValueError, TypeError, ArithmeticError):
            self.problem(table, index, column.field, "invalid-value", header=column.header,
                         kind=_KIND_NAMES[column.kind], value=raw)
            return None


_KIND_NAMES = {TEXT: "chữ", INT: "số nguyên", DEC: "một số", BOOL: f"'{YES}' hoặc '{NO}'",
               DATE: "ngày (dd/mm/yyyy)"}


def _convert(kind: str, raw: object):
    if kind == TEXT:
        return str(raw).strip() if not isinstance(raw, float) else _float_text(raw)
    if kind == INT:
        number = _decimal(raw)
        if number != number.to_integral_value():
            raise ValueError(raw)
        return int(number)
    if kind == DEC:
        return _decimal(raw)
    if kind == BOOL:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("có", "x", "true", "1", "1.0"):
            return True
        if text in ("không", "false", "0", "0.0"):
            return False
        raise ValueError(raw)
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    text = str(raw).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            pass
    raise ValueError(raw)


def _float_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _decimal(raw: object) -> Decimal:
    if isinstance(raw, str):
        parsed = parse_number(raw)
        if not parsed.ok:
            raise ValueError(raw)
        return parsed.value
    return to_decimal(raw)


def build_plan(tables: dict, source: str = "", rows: dict[str, list[int]] | None = None,
               columns: dict[str, dict[str, str]] | None = None) -> Plan:
    """Check the plan's tables and build the plan; a PlanError lists every mistake."""
    plan, problems = check_tables(tables, source, rows, columns)
    if problems:
        raise PlanError(f"Kế hoạch '{source}' có {len(problems)} lỗi.", problems)
    return plan


def check_tables(tables: dict, source: str = "", rows: dict[str, list[int]] | None = None,
                 columns: dict[str, dict[str, str]] | None = None) -> tuple[Plan | None, list[Problem]]:
    """Every mistake in the plan's tables, and the plan when there is none (a plan written before milestone
    targets is read as one whose targets are milestones of its year)."""
    tables, locator = upgrade_legacy(tables, rows, columns)
    b = _Builder(tables, source, locator)
    data = {t.key: b.rows(t) for t in TABLES}
    _check_codes(b, data)
    _check_references(b, data)
    _check_elements(b, data)
    _check_targets(b, data)
    if b.problems:
        return None, sorted(b.problems, key=_reading_order)
    return _plan(data, source), []


def _reading_order(problem: Problem) -> tuple:
    sheets = [t.sheet for t in TABLES]
    match = re.fullmatch(r"([A-Z]+)(\d+)", problem.cell)
    row, col = (int(match[2]), (len(match[1]), match[1])) if match else (0, (0, ""))
    return sheets.index(problem.sheet), row, col


def _duplicates(b: _Builder, key: str, field_name: str, rows: list[dict]) -> None:
    first: dict = {}
    table = TABLE[key]
    for i, row in enumerate(rows):
        value = row[field_name]
        if value in first and value not in (None, ""):
            b.problem(table, i, field_name, "duplicate-code", code=value,
                      first=b.locator.cell(table, first[value], field_name))
        first.setdefault(value, i)


def _check_format(b: _Builder, key: str, field_name: str, rows: list[dict], pattern: re.Pattern, example: str):
    for i, row in enumerate(rows):
        value = row[field_name]
        if value and not pattern.fullmatch(value):
            b.problem(TABLE[key], i, field_name, "invalid-code", code=value, example=example)


def _check_codes(b: _Builder, data: dict) -> None:
    for key, field_name in (("goals", "number"), ("indicators", "code"), ("elements", "code"),
                            ("units", "code"), ("periods", "code")):
        _duplicates(b, key, field_name, data[key])
    _check_format(b, "indicators", "code", data["indicators"], INDICATOR_CODE, "MT1.CT1a")
    _check_format(b, "elements", "code", data["elements"], ELEMENT_CODE, "MT1.CT1a.TINH")
    _check_format(b, "units", "code", data["units"], UNIT_CODE, "SYT")
    _check_format(b, "periods", "code", data["periods"], PERIOD_CODE, "2020 hoặc 2020-H1")
    seen = set()
    for i, row in enumerate(data["assignments"]):
        pair = (row["element"], row["unit"])
        if pair in seen:
            b.problem(TABLE["assignments"], i, "unit", "duplicate-assignment", element=pair[0], unit=pair[1])
        seen.add(pair)


def _check_references(b: _Builder, data: dict) -> None:
    goals = {r["number"] for r in data["goals"]}
    indicators = {r["code"] for r in data["indicators"]}
    elements = {r["code"] for r in data["elements"]}
    units = {r["code"] for r in data["units"]}
    for i, row in enumerate(data["indicators"]):
        if row["goal"] is not None and row["goal"] not in goals:
            b.problem(TABLE["indicators"], i, "goal", "unknown-goal", goal=row["goal"])
    for i, row in enumerate(data["elements"]):
        if row["indicator"] and row["indicator"] not in indicators:
            b.problem(TABLE["elements"], i, "indicator", "unknown-indicator", indicator=row["indicator"])
    for i, row in enumerate(data["assignments"]):
        if row["element"] and row["element"] not in elements:
            b.problem(TABLE["assignments"], i, "element", "unknown-element", element=row["element"])
        if row["unit"] and row["unit"] not in units:
            b.problem(TABLE["assignments"], i, "unit", "unknown-unit", unit=row["unit"])
    assigned = {r["element"] for r in data["assignments"]}
    for i, row in enumerate(data["elements"]):
        if row["code"] and row["code"] not in assigned:
            b.problem(TABLE["elements"], i, "code", "unassigned-element", element=row["code"])
    for i, row in enumerate(data["units"]):
        if row["level"] and row["level"] not in LEVELS:
            b.problem(TABLE["units"], i, "level", "unknown-level", level=row["level"], known=", ".join(LEVELS))
        for field_name in ("email", "cc"):
            bad = [a for a in re.split(r"[,;]", row[field_name]) if a.strip() and not EMAIL.fullmatch(a.strip())]
            if bad:
                b.problem(TABLE["units"], i, field_name, "invalid-email", address=bad[0].strip())


def _check_elements(b: _Builder, data: dict) -> None:
    table = TABLE["elements"]
    for i, row in enumerate(data["elements"]):
        if row["scale"] is not None and row["scale"] <= 0:
            b.problem(table, i, "scale", "invalid-scale", scale=format_number(row["scale"]))
        low, high = row["value_min"], row["value_max"]
        if low is not None and high is not None and low > high:
            b.problem(table, i, "value_max", "invalid-range", high=high, low=low)


def _check_targets(b: _Builder, data: dict) -> None:
    table = TABLE["targets"]
    elements = {r["code"] for r in data["elements"]}
    first: dict = {}
    for i, row in enumerate(data["targets"]):
        if row["element"] and row["element"] not in elements:
            b.problem(table, i, "element", "unknown-element", element=row["element"])
        if row["operator"] and row["operator"] not in OPERATORS:
            b.problem(table, i, "operator", "unknown-operator", operator=row["operator"], known=" ".join(OPERATORS))
        key = (row["element"], row["year"])
        if key in first and None not in key:
            b.problem(table, i, "year", "duplicate-milestone", element=key[0], year=key[1],
                      first=b.locator.cell(table, first[key], "year"))
        first.setdefault(key, i)
    with_targets = {r["element"] for r in data["targets"]}
    for i, row in enumerate(data["elements"]):
        if row["code"] and row["code"] not in with_targets:
            b.problem(TABLE["elements"], i, "code", "element-without-target", element=row["code"])
    for i, row in enumerate(data["plan"][:1]):
        first_year, last_year = row["first_year"], row["last_year"]
        if first_year is not None and last_year is not None and first_year > last_year:
            b.problem(TABLE["plan"], i, "last_year", "invalid-range", high=last_year, low=first_year)
        elif first_year is not None and last_year is not None:
            for j, period in enumerate(data["periods"]):
                code = period["code"]
                if isinstance(code, str) and PERIOD_CODE.fullmatch(code) and not first_year <= int(code[:4]) <= last_year:
                    years = f"năm {first_year}" if first_year == last_year else f"{first_year}–{last_year}"
                    b.problem(TABLE["periods"], j, "code", "period-outside-plan", code=code, years=years)


def _plan(data: dict, source: str) -> Plan:
    targets: dict[str, list[Target]] = {}
    for row in data["targets"]:
        targets.setdefault(row["element"], []).append(Target(**{**row, "onwards": bool(row["onwards"])}))
    return Plan(
        info=PlanInfo(**data["plan"][0]),
        goals=tuple(Goal(**r) for r in data["goals"]),
        indicators=tuple(Indicator(**r) for r in data["indicators"]),
        elements=tuple(DataElement(**r, targets=tuple(sorted(targets.get(r["code"], ()), key=lambda t: t.year)))
                       for r in data["elements"]),
        units=tuple(Unit(**r) for r in data["units"]),
        assignments=tuple((r["element"], r["unit"]) for r in data["assignments"]),
        periods=tuple(Period(**r) for r in data["periods"]),
        source=source,
    )
