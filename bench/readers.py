"""The national benchmark's references as whole commands, timed like `bdg`:

    python bench/readers.py floor LIST_FILE      # unzip + tokenise each data sheet
    python bench/readers.py calamine LIST_FILE   # python-calamine alone: the two sheets bdg reads
    python bench/readers.py baseline LIST_FILE   # pandas.read_excel with openpyxl, in a loop
    python bench/readers.py writer ROWS          # xlsxwriter alone: ROWS rows of the per-unit sheet

LIST_FILE names one return a line (it may be empty: then only the imports are timed).
"""
from __future__ import annotations

import sys
import zipfile
from pathlib import Path
from xml.parsers import expat


def floor(paths: list[Path]) -> None:
    """Unzip each data sheet and tokenise its XML: what any reader must at least do."""
    for path in paths:
        with zipfile.ZipFile(path) as archive:
            data = archive.read("xl/worksheets/sheet2.xml")
        expat.ParserCreate().Parse(data, True)


def calamine(paths: list[Path]) -> None:
    """bdg's reader alone: open each return with python-calamine and read the data sheet and ``_meta``."""
    from python_calamine import CalamineWorkbook

    for path in paths:
        workbook = CalamineWorkbook.from_path(str(path))
        for name in ("Nhập liệu", "_meta"):  # layout.DATA_SHEET, layout.META_SHEET
            workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)


def writer(rows: int) -> None:
    """xlsxwriter alone writing the consolidated workbook's per-unit sheet: ``rows`` rows of 12 bordered cells
    (9 texts, 3 numbers), streamed as bdg streams it; no row heights, no formulas, nothing else."""
    import io

    import xlsxwriter

    workbook = xlsxwriter.Workbook(io.BytesIO(), {"constant_memory": True, "tmpdir": None})
    sheet = workbook.add_worksheet("Theo đơn vị")
    cell = workbook.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    for row in range(rows):
        for col, text in enumerate(("MT2.CT1", "Tỷ lệ nữ trong tổng số người được tạo việc làm mới", "",
                                    f"XA{row:05d}", f"UBND xã số {row}")):
            sheet.write_string(row, col, text, cell)
        for col in (5, 6, 8):
            sheet.write_number(row, col, row * 1.5, cell)
        sheet.write_blank(row, 7, None, cell)
        for col, text in ((9, "≥ 50%"), (10, "Đạt"), (11, "")):
            sheet.write_string(row, col, text, cell)
    workbook.close()


def baseline(paths: list[Path]) -> None:
    """Reading the returns as people write it by hand: pandas.read_excel with openpyxl, in a loop."""
    import openpyxl  # noqa: F401  (imported up front, so an empty list times the imports)
    import pandas as pd

    for path in paths:
        pd.read_excel(path, sheet_name=None, engine="openpyxl")


READERS = {"floor": floor, "calamine": calamine, "baseline": baseline}


def main(argv: list[str]) -> None:
    kind, argument = argv
    if kind == "writer":
        writer(int(argument))
        return
    READERS[kind]([Path(line) for line in Path(argument).read_text("utf-8").splitlines() if line])


if __name__ == "__main__":
    main(sys.argv[1:])
