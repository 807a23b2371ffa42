"""A plan from its file: the built-in JSON, a JSON file, or a workbook an officer edited."""
from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from bdg_excel.plan import Plan, PlanError
from bdg_excel.plan_tables import build_plan
from bdg_excel.plan_workbook import read_plan_workbook
from bdg_excel.problems import Problem

DEFAULT_PLAN_RESOURCE = "ninh_thuan_2020.json"


def default_plan() -> Plan:
    """The built-in plan: Ninh Thuận, 2020."""
    text = resources.files("bdg_excel.data").joinpath(DEFAULT_PLAN_RESOURCE).read_text("utf-8")
    return plan_from_json(text, source="(kế hoạch mặc định)")


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
    """The plan in ``path`` (.xlsx or .json), or the default plan when ``path`` is None."""
    if path is None:
        return default_plan()
    path = Path(path)
    if not path.is_file():
        raise PlanError(f"Không tìm thấy tệp kế hoạch '{path}'.")
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

