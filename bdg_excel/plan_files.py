"""A plan from its file: a built-in plan (by its id), a JSON file, or a workbook an officer edited."""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from bdg_excel.plan import Plan, PlanError
from bdg_excel.plan_tables import build_plan
from bdg_excel.plan_workbook import read_plan_workbook
from bdg_excel.problems import Problem

# The plans that ship inside the package: id -> JSON file in bdg_excel/data. The first is the default.
BUILTIN_PLANS = {
    "ninhthuan-bdg-2020": "ninh_thuan_2020.json",
    "khanhhoa-bdg-2026-2030": "khanh_hoa_2026_2030.json",
}
DEFAULT_PLAN_ID = next(iter(BUILTIN_PLANS))
DEFAULT_PLAN_RESOURCE = BUILTIN_PLANS[DEFAULT_PLAN_ID]


def builtin_plan(plan_id: str) -> Plan:
    """A built-in plan by its id (``khanhhoa-bdg-2026-2030``)."""
    text = resources.files("bdg_excel.data").joinpath(BUILTIN_PLANS[plan_id]).read_text("utf-8")
    source = "(kế hoạch mặc định)" if plan_id == DEFAULT_PLAN_ID else f"(kế hoạch có sẵn {plan_id})"
    return plan_from_json(text, source=source)


def builtin_plans() -> list[Plan]:
    """Every built-in plan, the default first."""
    return [builtin_plan(plan_id) for plan_id in BUILTIN_PLANS]


def default_plan() -> Plan:
    """The default built-in plan: Ninh Thuận, 2020."""
    return builtin_plan(DEFAULT_PLAN_ID)


def plan_from_json(text: str, source: str = "") -> Plan:
    """Read a plan written as JSON (the format of the built-in plan)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(f"{source}: không đọc được tệp kế hoạch JSON ({exc.msg}, dòng {exc.lineno}).")
    if not isinstance(data, dict):
        raise PlanError(f"{source}: tệp kế hoạch JSON không đúng cấu trúc.")
    return build_plan(data, source=source)


def load_plan(path: str | Path | None) -> Plan:
    """The plan in ``path`` (.xlsx or .json), the built-in plan whose id ``path`` is (when no such file exists),
    or the default plan when ``path`` is None."""
    if path is None:
        return default_plan()
    if str(path) in BUILTIN_PLANS and not Path(path).is_file():
        return builtin_plan(str(path))
    path = Path(path)
    if not path.is_file():
        known = ", ".join(BUILTIN_PLANS)
        raise PlanError(f"Không tìm thấy tệp kế hoạch '{path}' (hoặc dùng mã một kế hoạch có sẵn: {known}).")
    if path.suffix.lower() == ".json":
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            raise PlanError(f"Không đọc được tệp kế hoạch '{path.name}': tệp JSON phải được lưu với mã UTF-8.") from None
        return plan_from_json(text, source=path.name)
    return read_plan_workbook(path)


def check_plan_file(path: str | Path) -> list[Problem]:
    """Every mistake in a plan file (.xlsx or .json); an empty list when it is usable.

    A file that cannot be read at all (missing, not a workbook, broken) is a PlanError.
    """
    try:
        load_plan(path)
    except PlanError as exc:
        if not exc.problems:
            raise
        return list(exc.problems)
    return []

