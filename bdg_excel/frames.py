"""The store's figures as pandas DataFrames, for analysts: the one place the package imports pandas.

    >>> from bdg_excel.frames import figures_frame
    >>> frame = figures_frame("output/bdg.sqlite", "2020")
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from bdg_excel.numbers import to_decimal
from bdg_excel.store import Store

COLUMNS = ["unit", "code", "numerator", "denominator", "value", "note", "usable", "file", "received_at"]


def figures_frame(store_path: str | Path, period: str) -> pd.DataFrame:
    """One row per figure of each unit's current return for ``period``; numbers stay exact Decimals."""
    with Store(store_path) as store:
        current = store.latest(period)
        by_id = {f.id: f for f in current.values()}
        rows = [(by_id[row["file_id"]].unit, row["code"],
                 *(None if row[key] is None else to_decimal(row[key]) for key in ("numerator", "denominator", "value")),
                 row["note"] or "", bool(row["usable"]), by_id[row["file_id"]].original_name,
                 by_id[row["file_id"]].received_at)
                for row in store.figures(list(by_id))]
    return pd.DataFrame(rows, columns=COLUMNS)
