"""The 2020 plan's consolidated workbook stays what it was, cell for cell.

``expected/demo-2020-consolidated.xlsx`` was written by the release before milestone targets and
the faster report writer; a change to either that alters what an officer sees fails here with the
first sheet and cell that differ.
"""
from pathlib import Path

from bdg_excel.demo import run_demo
from xlsx_compare import first_difference

EXPECTED = Path(__file__).parent / "expected" / "demo-2020-consolidated.xlsx"


def test_the_2020_demo_workbook_is_cell_for_cell_the_expected_one(plan, tmp_path):
    _, workbook = run_demo(plan, tmp_path)
    assert first_difference(EXPECTED, workbook) is None

