import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # subprocesses or whole corpora


REPO = Path(__file__).resolve().parent.parent
NATIONAL_ROWS = ["bdg templates", "bdg ingest", "bdg ingest (second round)", "bdg consolidate (first run)",
                 "bdg consolidate (re-run)",
                 "bdg --help", "floor: unzip + tokenise", "reader alone: python-calamine",
                 "writer alone: per-unit cells", "baseline: pandas + openpyxl"]


def national(tmp_path, *extra):
    return subprocess.run([sys.executable, str(REPO / "bench" / "national.py"), "--communes", "12", "--repeat", "1",
                           "--baseline-files", "3", "--work", str(tmp_path), *extra], capture_output=True, text=True,
                          encoding="utf-8", timeout=300, cwd=REPO)


def verdicts(lines):
    return [line for line in lines if line[:2] in ("✓ ", "✗ ", "? ")]


@pytest.mark.slow
def test_the_national_benchmark_runs_small_and_checks_its_results(tmp_path):
    """A smoke run, so that the benchmark script does not rot; no timing is asserted."""
    done = national(tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("bdg_excel national benchmark – 23 units (12 communes), 23 returns (0 missing, ")
    assert "with a planted problem" in lines[0] and "0 with a planted problem" not in lines[0]
    assert lines[1].split() == ["what", "wall", "s", "CPU", "s", "files/s", "peak", "MB"]
    assert [line[:30].strip() for line in lines[2:12]] == NATIONAL_ROWS
    assert lines[12].startswith("ingest per file: ") and lines[12].endswith("(estimated from 3 of 23 files)")
    assert lines[13].startswith("ratios: ingest / floor = ")
    assert lines[14].startswith("second round / first: ")
    assert lines[15].startswith("what no code of ours can remove: python-calamine alone costs ")
    assert "; xlsxwriter alone writes the " in lines[15] and " per-unit rows in " in lines[15]
    assert lines[16].startswith("peak memory: ")
    names = [line[2:].split(":")[0] for line in verdicts(lines)]
    assert names[:4] == ["ingest CPU ÷ floor CPU", "ingest vs pandas + openpyxl", "bdg consolidate (first run)",
                         "bdg consolidate (re-run)"]
    assert len(names) == 5 and names[4].startswith("peak memory")  # of the process tree, where /proc tells it
    assert lines[-1].startswith("results right: ") and "33 consolidated figures" in lines[-1]
    assert (tmp_path / "tong-hop.xlsx").is_file() and len(list((tmp_path / "inbox").glob("*.xlsx"))) == 23


@pytest.mark.slow
def test_the_national_benchmark_fails_when_a_result_is_wrong(tmp_path):
    """A problem it was not told about makes the checks fail: exit 1, saying what is wrong."""
    done = national(tmp_path, "--plant-unexpected")
    assert done.returncode == 1
    assert verdicts(done.stdout.splitlines()) and "results right" not in done.stdout
    assert done.stderr.startswith("results are wrong (5), so the timings above mean nothing:")
    assert "round2/bdg.sqlite: 2020_XA00012_UBND-xa-so-12.xlsx is 'accepted-with-problems'" in done.stderr
    assert ("ingest/bdg.sqlite: 2020_XA00012_UBND-xa-so-12.xlsx is 'accepted-with-problems' (unit XA00012, period "
            "2020, problems ['numerator-exceeds-denominator']); expected 'accepted'") in done.stderr
    assert "tong-hop.xlsx, sheet 'Dữ liệu', " in done.stderr


@pytest.mark.slow
def test_the_province_benchmark_runs_once_and_checks_its_results(tmp_path):
    """A smoke run of the province benchmark (one round); no timing is asserted."""
    done = subprocess.run([sys.executable, str(REPO / "bench" / "province.py"), "--repeat", "1",
                           "--work", str(tmp_path)], capture_output=True, text=True, encoding="utf-8",
                          timeout=300, cwd=REPO)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("bdg_excel province benchmark – 18 returns of the default plan")
    assert [line[:30].strip() for line in lines[2:9]] == [
        "python (start only)", "python -c 'import pandas'", "bdg --help", "bdg check ONE_FILE",
        "bdg consolidate (first run)", "bdg consolidate (re-run)", "bdg templates (18 units)"]
    assert lines[9].startswith("peak memory: ")
    assert [line[2:].split(":")[0] for line in verdicts(lines)] == [
        "bdg --help", "bdg check ONE_FILE", "bdg consolidate (first run)", "bdg consolidate (re-run)",
        "bdg templates (18 units)"]
    assert lines[-1].startswith("results right: `bdg check` accepted ") and "8.688/17.174 (50,59%)" in lines[-1]
    assert (tmp_path / "tong-hop.xlsx").is_file() and (tmp_path / "fresh" / "bdg.sqlite").is_file()
