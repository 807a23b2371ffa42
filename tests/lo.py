"""LibreOffice as the units' spreadsheet program and as the printer, for the tests."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

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
    soffice = soffice_or_skip()
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bdg-lo-test-") as profile:
        if recalculate:
            (Path(profile) / "user").mkdir()
            (Path(profile) / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, "utf-8")
        subprocess.run([soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
                        "--convert-to", target_format, "--outdir", str(out_dir), str(source)],
                       capture_output=True, timeout=180, check=False, env={**os.environ, "LANG": "C.UTF-8"})
    produced = out_dir / f"{source.stem}.{target_format.split(':')[0]}"
    assert produced.is_file(), f"LibreOffice did not convert {source.name} to {target_format}"
    return produced


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
