"""The consolidated workbook's long sheets are streamed: memory does not grow with the number of units.

bdg_excel.workbook.add_streamed_sheet relies on xlsxwriter reading its ``constant_memory`` option as each
sheet is added; these tests check that against the installed xlsxwriter (setup.cfg pins the versions).
"""
import random
import tracemalloc
import zipfile
from datetime import datetime, timezone
from decimal import Decimal

import openpyxl
import pytest

from bdg_excel.aggregate import UnitFigure, aggregate, unit_results
from bdg_excel.consolidation import Consolidation
from bdg_excel.figures import Entry
from bdg_excel.plan import plan_to_dict
from bdg_excel.plan_tables import build_plan
from bdg_excel.report import write_report
from bdg_excel.status import SubmissionRow
from bdg_excel.workbook import add_streamed_sheet, write_xlsx


def _fill(rows: int):
    def fill(workbook) -> None:
        small = workbook.add_worksheet("small")
        _checked(small.add_table(0, 0, 3, 1, {"name": "Bang", "columns": [{"header": "a"}, {"header": "b"}]}))
        _checked(small.merge_range(5, 0, 8, 0, "gộp", workbook.add_format({"border": 1})))
        small.write_string(6, 1, "giữa khối gộp")
        large = add_streamed_sheet(workbook, "large")
        for row in range(rows):
            large.write_string(row, 0, f"dòng {row}")
            large.write_number(row, 1, row)
        after = workbook.add_worksheet("after")  # not streamed: it can have a table
        _checked(after.add_table(0, 0, 2, 0, {"name": "Sau", "columns": [{"header": "c"}]}))
    return fill


def _checked(status: int) -> None:
    assert status == 0


def test_a_streamed_sheet_keeps_one_row_and_the_others_keep_tables_and_merges(tmp_path):
    path = write_xlsx(tmp_path / "w.xlsx", _fill(3000), large=True)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["small", "large", "after"]
    assert list(wb["small"].tables) == ["Bang"] and [str(r) for r in wb["small"].merged_cells.ranges] == ["A6:A9"]
    assert wb["small"]["B7"].value == "giữa khối gộp"
    assert list(wb["after"].tables) == ["Sau"]
    rows = [(r[0].value, r[1].value) for r in wb["large"].iter_rows()]
    assert rows == [(f"dòng {i}", i) for i in range(3000)]
    with zipfile.ZipFile(path) as archive:
        assert b't="inlineStr"' in archive.read("xl/worksheets/sheet2.xml")  # written row by row
        assert b"inlineStr" not in archive.read("xl/worksheets/sheet1.xml")
        assert b"inlineStr" not in archive.read("xl/worksheets/sheet3.xml")
    assert not list(tmp_path.glob(".~*"))


@pytest.mark.slow
def test_a_streamed_sheet_needs_no_more_memory_for_more_rows(tmp_path):
    peaks = []
    for rows in (1000, 20000):
        tracemalloc.start()
        write_xlsx(tmp_path / f"{rows}.xlsx", _fill(rows), large=True)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    growth = (tmp_path / "20000.xlsx").stat().st_size  # the finished file is held in memory
    assert peaks[1] - peaks[0] < growth + 500_000, peaks


def national(communes: int) -> Consolidation:
    """The built-in plan with its districts replaced by ``communes`` communes, every return in."""
    from bdg_excel.plan_files import default_plan

    data = plan_to_dict(default_plan())
    districts = {u["code"] for u in data["units"] if u["level"] == "huyện"}
    elements = sorted({a["element"] for a in data["assignments"] if a["unit"] in districts})
    codes = [f"XA{i:05}" for i in range(communes)]
    data["units"] = [u for u in data["units"] if u["code"] not in districts] + [
        {"code": c, "name": f"UBND xã {c}", "level": "xã", "email": f"{c}@example.org", "cc": ""} for c in codes]
    data["assignments"] = [a for a in data["assignments"] if a["unit"] not in districts] + [
        {"element": e, "unit": c} for c in codes for e in elements]
    plan = build_plan(data, source="national")
    rng = random.Random(communes)
    figures = [UnitFigure(unit.code, element.code, Entry(Decimal(rng.randint(0, 50)), Decimal(rng.randint(50, 99))))
               for unit in plan.reporting_units for element in plan.elements_for(unit.code) if element.share]
    results = aggregate(plan, figures)
    submissions = [SubmissionRow(u, "Đúng hạn", f"{u.code}.xlsx", datetime(2020, 12, 1, 8, 0), u.email, 0, 1, 1, "")
                   for u in plan.reporting_units]
    return Consolidation(plan=plan, period=plan.period("2020"), figures=results, previous_period="2020-H1",
                         previous={}, unit_rows=unit_results(plan, figures, {}), submissions=submissions, problems=[],
                         notes={}, generated_at=datetime(2021, 1, 5, tzinfo=timezone.utc))


@pytest.mark.slow
def test_the_consolidated_workbook_needs_no_more_memory_for_more_communes(tmp_path):
    peaks, sizes = [], []
    for communes in (100, 1500):
        result = national(communes)
        tracemalloc.start()
        path = write_report(result, tmp_path / f"{communes}.xlsx")
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        sizes.append(path.stat().st_size)
    assert len(result.unit_rows) > 7000
    by_unit = openpyxl.load_workbook(path, read_only=True)["Theo đơn vị"]
    assert sum(1 for _ in by_unit.iter_rows(min_row=2)) == len(result.unit_rows)
    # Held in memory in the end: the finished, compressed file; before streaming, ~3.5 KB more a row.
    assert peaks[1] - peaks[0] < sizes[1] - sizes[0] + 1_000_000, (peaks, sizes)
