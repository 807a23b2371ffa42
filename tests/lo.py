"""LibreOffice as the units' spreadsheet program and as the printer, for the tests."""
from __future__ import annotations

import bisect
import itertools
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest

from tests.conftest import soffice_or_skip

UNO_SCRIPT = Path(__file__).with_name("uno_fill.py")
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def convert(source: Path, target_format: str, out_dir: Path, recalculate: bool = False) -> Path:
    """``soffice --headless --convert-to`` with a throw-away profile and a timeout."""
    return convert_all([source], target_format, out_dir, recalculate)[0]


def convert_all(sources: list[Path], target_format: str, out_dir: Path, recalculate: bool = False) -> list[Path]:
    """Convert several files in one run of LibreOffice (it starts once)."""
    soffice = soffice_or_skip()
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bdg-lo-test-") as profile:
        if recalculate:
            (Path(profile) / "user").mkdir()
            (Path(profile) / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, "utf-8")
        subprocess.run([soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
                        "--convert-to", target_format, "--outdir", str(out_dir), *map(str, sources)],
                       capture_output=True, timeout=60 + 30 * len(sources), check=False,
                       env={**os.environ, "LANG": "C.UTF-8"})
    produced = [out_dir / f"{source.stem}.{target_format.split(':')[0]}" for source in sources]
    for source, path in zip(sources, produced):
        assert path.is_file(), f"LibreOffice did not convert {source.name} to {target_format}"
    return produced


@dataclass(frozen=True)
class Box:
    """A word or a line of a printed page: its box in points from the page's top left corner, and its text."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass(frozen=True)
class PrintedPage:
    width: float
    height: float
    words: list[Box]
    lines: list[Box]


def printed_pages(pdf: Path) -> list[PrintedPage]:
    """Every page of a PDF with its words and lines, read with poppler's ``pdftotext -bbox-layout``."""
    xhtml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True).stdout
    pages = []
    for page in ElementTree.fromstring(xhtml).iter(_xhtml("page")):
        lines = [_box(line, " ".join(w.text for w in line.iter(_xhtml("word")))) for line in page.iter(_xhtml("line"))]
        words = [_box(word, word.text) for word in page.iter(_xhtml("word"))]
        pages.append(PrintedPage(float(page.get("width")), float(page.get("height")), words, lines))
    return pages


def words(text: str) -> str:
    """Text as printed words: single spaces, and none after a hyphen (a line may break there)."""
    return " ".join(text.split()).replace("- ", "-")


def column_texts(page: PrintedPage, left: float, widths: list[float], headers: list[str]) -> list[str]:
    """Each column's text on a printed page, top to bottom, after its header (which must be there): a word
    belongs to the column its middle lies in, the columns ``widths`` points wide from ``left``. The header row
    is where the longest header is printed first; a column's header is the one printed nearest to it."""
    edges = list(itertools.accumulate(widths, initial=left))
    found: list[list[Box]] = [[] for _ in widths]
    for word in sorted(page.words, key=lambda w: (round(w.y0, 1), w.x0)):
        col = bisect.bisect(edges, (word.x0 + word.x1) / 2) - 1
        if 0 <= col < len(widths):
            found[col].append(word)
    longest = max(range(len(headers)), key=lambda col: len(headers[col]))
    row = found[longest][_matches(found[longest], headers[longest])[0]].y0
    texts = []
    for column, header in zip(found, headers):
        starts = _matches(column, header)
        assert starts, f"'{header}' is not printed"
        start = min(starts, key=lambda index: abs(column[index].y0 - row))
        texts.append(words(" ".join(w.text for w in column[start:])).split(words(header), 1)[1].strip())
    return texts


def _matches(column: list[Box], text: str) -> list[int]:
    """Where ``text`` is printed in a column: the indexes of its first words."""
    wanted = words(text)
    count = len(wanted.split())
    return [start for start in range(len(column))
            if words(" ".join(w.text for w in column[start:start + count])) == wanted]


def _xhtml(name: str) -> str:
    return f"{{http://www.w3.org/1999/xhtml}}{name}"


def _box(element: ElementTree.Element, text: str) -> Box:
    return Box(*(float(element.get(key)) for key in ("xMin", "yMin", "xMax", "yMax")), text)


def uno_python() -> str:
    """A Python interpreter that can import LibreOffice's uno module (Debian's python3-uno)."""
    soffice_or_skip()
    for candidate in ("/usr/bin/python3", shutil.which("python3")):
        if candidate and subprocess.run([candidate, "-c", "import uno"], capture_output=True).returncode == 0:
            return candidate
    if os.environ.get("BDG_REQUIRE_LIBREOFFICE"):
        pytest.fail("python3-uno is required (BDG_REQUIRE_LIBREOFFICE is set) but no Python can import uno")
    pytest.skip("python3-uno is not installed")


def uno_fill(source: Path, target: Path, cells: dict) -> subprocess.CompletedProcess:
    """Fill cells of the data sheet through LibreOffice's scripting interface and save as xlsx."""
    work = Path(tempfile.mkdtemp(prefix="bdg-uno-src-"))
    copy = work / source.name  # a copy: a stale lock file next to the original must not matter
    shutil.copyfile(source, copy)
    return subprocess.run([uno_python(), str(UNO_SCRIPT), str(copy), str(target), json.dumps(cells)],
                          capture_output=True, timeout=240, check=False, env={**os.environ, "LANG": "C.UTF-8"})
