"""Benchmark the province's everyday commands as an officer runs them, interpreter start included.

    python bench/province.py               # 15 rounds
    python bench/province.py --repeat 5

It runs `bdg demo` once (the 18 returns of the default plan), then times whole commands started
through the installed `bdg` entry point: `bdg --help`, `bdg check ONE_FILE`, `bdg consolidate`
on a fresh store (every return read and validated) and re-run on the same store (returns
recognised by their hash), and `bdg templates` for the 18 units. Two references run in the same
rounds: starting Python to do nothing, and starting Python to import pandas. Commands run
round-robin, so that the machine's noise touches them alike; figures are medians of wall and CPU
time, with the fastest and slowest run beside, and the highest peak memory of the process tree.

It then checks the results (the clean return accepted, the seed's figure in both consolidated
workbooks, 18 templates), prints a verdict per target and exits 1 when a result is wrong (a
missed target alone does not: timings are noisy).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import openpyxl

from timing import (PEAK_SCOPES, Command, Runs, bdg_command, cores_note, fail_if_wrong, figure, removing, round_robin,
                    verdict, work_folder)

UNITS = 18
START, CHECK, FIRST, RERUN, TEMPLATES = ("python (start only)", "bdg check ONE_FILE", "bdg consolidate (first run)",
                                         "bdg consolidate (re-run)", "bdg templates (18 units)")
TARGETS = {"bdg --help": 0.3, CHECK: 0.15, FIRST: 0.3, RERUN: 0.3, TEMPLATES: 0.3}  # seconds, on 2 cores
FIRST_OUT, RERUN_OUT = "tong-hop.xlsx", "tong-hop-chay-lai.xlsx"
SEED_FIGURE, APPENDIX = "8.688/17.174 (50,59%)", "Phụ lục"  # MT2.CT1 as the plan's appendix prints it
ACCEPTED = "đã nhận"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one, removed after)")
    args = parser.parse_args(argv)
    with work_folder(args.work) as work:
        run(args.repeat, work)


def commands(bdg: list[str], work: Path, one_file: Path) -> dict[str, Command]:
    """Every command timed, in the order of a round."""
    inbox, fresh = work / "demo" / "inbox", work / "fresh" / "bdg.sqlite"

    def consolidate(store: Path, out: str) -> list[str]:
        return bdg + ["consolidate", str(inbox), "--period", "2020", "--out", str(work / out), "--store", str(store)]

    return {
        START: Command([sys.executable, "-c", "pass"]),
        "python -c 'import pandas'": Command([sys.executable, "-c", "import pandas"]),
        "bdg --help": Command(bdg + ["--help"]),
        CHECK: Command(bdg + ["check", str(one_file)]),
        FIRST: Command(consolidate(fresh, FIRST_OUT), removing(fresh.parent, work / FIRST_OUT)),
        RERUN: Command(consolidate(work / "demo" / "store" / "bdg.sqlite", RERUN_OUT), removing(work / RERUN_OUT)),
        TEMPLATES: Command(bdg + ["templates", "--period", "2020", "--out", str(work / "templates")],
                           removing(work / "templates")),
    }


def run(repeat: int, work: Path) -> None:
    bdg = bdg_command()
    subprocess.run(bdg + ["demo", "--out", str(work)], check=True, stdout=subprocess.DEVNULL)
    inbox = work / "demo" / "inbox"
    one_file = sorted(inbox.glob("*.xlsx"))[0]
    runs = round_robin(commands(bdg, work, one_file), repeat)
    print(f"bdg_excel province benchmark – {len(list(inbox.glob('*.xlsx')))} returns of the default plan; "
          f"medians of {repeat} rounds; {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
          f"Python {sys.version.split()[0]}")
    report(runs)
    fail_if_wrong(check_one_file(bdg, one_file) + check_appendix(work / FIRST_OUT) + check_appendix(work / RERUN_OUT)
                  + check_templates(work / "templates"))
    print(f"results right: `bdg check` accepted {one_file.name}; both consolidations print {SEED_FIGURE} in "
          f"'{APPENDIX}'; {UNITS} templates written")


def report(runs: dict[str, Runs]) -> None:
    """The table of medians and a verdict per target."""
    start = runs[START].median
    print(f"{'what':<30} {'wall s':>9} {'fastest':>8} {'slowest':>8} {'× start':>8} {'CPU s':>8} {'peak MB':>8}")
    for name, r in runs.items():
        print(f"{name:<30} {r.median:>9.3f} {min(r.times):>8.3f} {max(r.times):>8.3f} {r.median / start:>8.1f} "
              f"{figure(r.cpu, '.3f', 8)} {figure(r.peak, '.0f', 8)}")
    print(f"peak memory: {PEAK_SCOPES[runs[START].scope]}")
    for name, target in TARGETS.items():
        print(verdict(runs[name].median <= target, f"{name}: {runs[name].median:.3f} s (target ≤ {target} s)"))
    note = cores_note()
    if note:
        print(note)


def check_one_file(bdg: list[str], one_file: Path) -> list[str]:
    """`bdg check` accepts the clean demo return: exit 0 and 'đã nhận' without problems."""
    done = subprocess.run(bdg + ["check", str(one_file)], capture_output=True, text=True, encoding="utf-8")
    if done.returncode == 0 and f"{ACCEPTED} (" in done.stdout:
        return []
    return [f"bdg check {one_file.name} exited {done.returncode} without '{ACCEPTED}': "
            f"{(done.stdout + done.stderr).strip()[:300]}"]


def check_appendix(path: Path) -> list[str]:
    """The consolidated workbook's appendix prints the seed's figure for MT2.CT1."""
    if not path.is_file():
        return [f"{path.name} was not written"]
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        found = any(SEED_FIGURE in str(cell) for row in workbook[APPENDIX].iter_rows(values_only=True)
                    for cell in row if cell is not None)
    finally:
        workbook.close()
    return [] if found else [f"{path.name}: sheet '{APPENDIX}' does not print {SEED_FIGURE}"]


def check_templates(folder: Path) -> list[str]:
    """`bdg templates` wrote one workbook per unit."""
    written = len(list(folder.glob("*.xlsx")))
    return [] if written == UNITS else [f"bdg templates wrote {written} workbooks for {UNITS} units"]


if __name__ == "__main__":
    main()
