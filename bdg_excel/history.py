"""The store's accepted figures across periods as a pandas DataFrame, for analysts (Jupyter, the
statistics office): the one module of the package that imports pandas.

    >>> from bdg_excel.history import figures
    >>> frame = figures("output/bdg.sqlite")
"""
from __future__ import annotations

from dataclasses import astuple
from pathlib import Path

import pandas as pd

from bdg_excel.export import COLUMNS, figure_rows
from bdg_excel.plan import Plan
from bdg_excel.store import Store


def figures(store_path: str | Path, periods: list[str] | tuple[str, ...] = (), plan: Plan | None = None) -> pd.DataFrame:
    """One row per accepted figure of each unit's current return (the rows ``bdg export`` writes);
    numbers stay exact Decimals, ``received_at`` is a time in Vietnam."""
    if plan is None:
        from bdg_excel.plan_files import default_plan

        plan = default_plan()
    if not Path(store_path).is_file():
        raise FileNotFoundError(store_path)
    with Store(store_path) as store:
        rows = figure_rows(store, plan, periods)
    frame = pd.DataFrame([astuple(row) for row in rows], columns=list(COLUMNS))
    frame["received_at"] = pd.to_datetime(frame["received_at"], errors="coerce")
    return frame
