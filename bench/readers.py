"""The national benchmark's references as whole commands, timed like `bdg`:

    python bench/readers.py floor LIST_FILE      # unzip + tokenise each data sheet
    python bench/readers.py baseline LIST_FILE   # pandas.read_excel with openpyxl, in a loop

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


def baseline(paths: list[Path]) -> None:
    """Reading the returns as people write it by hand: pandas.read_excel with openpyxl, in a loop."""
    import openpyxl  # noqa: F401  (imported up front, so an empty list times the imports)
    import pandas as pd

    for path in paths:
        pd.read_excel(path, sheet_name=None, engine="openpyxl")


READERS = {"floor": floor, "baseline": baseline}


def main(argv: list[str]) -> None:
    kind, list_file = argv
    READERS[kind]([Path(line) for line in Path(list_file).read_text("utf-8").splitlines() if line])


if __name__ == "__main__":
    main(sys.argv[1:])
