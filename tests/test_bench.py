import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_national_benchmark_runs_small(tmp_path):
    """A smoke run, so that the benchmark script does not rot; no timing is asserted."""
    done = subprocess.run([sys.executable, str(REPO / "bench" / "national.py"), "--communes", "12", "--repeat", "1",
                           "--baseline-files", "3", "--work", str(tmp_path)], capture_output=True, text=True,
                          timeout=300, cwd=REPO)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("bdg_excel national benchmark – 23 units (12 communes)")
    names = [line[:30].strip() for line in lines[2:9]]
    assert names == ["bdg templates", "bdg ingest", "bdg consolidate (first run)", "bdg consolidate (re-run)",
                     "bdg --help", "floor: unzip + tokenise", "baseline: pandas + openpyxl"]
    assert lines[-1].startswith("ratios: ingest / floor = ")
    assert (tmp_path / "tong-hop.xlsx").is_file() and len(list((tmp_path / "inbox").glob("*.xlsx"))) >= 20


def test_the_province_benchmark_runs_once(tmp_path):
    """A smoke run of the province benchmark (one round); no timing is asserted."""
    done = subprocess.run([sys.executable, str(REPO / "bench" / "province.py"), "--repeat", "1", "--work", str(tmp_path)],
                          capture_output=True, text=True, timeout=300, cwd=REPO)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("bdg_excel province benchmark – 18 returns of the default plan")
    assert [line[:30].strip() for line in lines[2:]] == [
        "python (start only)", "python -c 'import pandas'", "bdg --help", "bdg check ONE_FILE",
        "bdg consolidate (first run)", "bdg consolidate (re-run)"]
    assert (tmp_path / "tong-hop.xlsx").is_file() and (tmp_path / "fresh" / "bdg.sqlite").is_file()
