"""Benchmark the province's everyday commands as an officer runs them, interpreter start included.

    python bench/province.py               # 15 rounds
    python bench/province.py --repeat 5

It runs `bdg demo` once (the 18 returns of the default plan), then times whole commands started
through the installed `bdg` entry point: `bdg --help`, `bdg check ONE_FILE`, and `bdg consolidate`
on a fresh store (every return read and validated) and re-run on the same store (returns
recognised by their hash). Two references run in the same rounds: starting Python to do
nothing, and starting Python to import pandas. Commands run round-robin, so that the machine's
noise touches them alike; figures are medians, with the fastest and slowest run beside.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from timing import bdg_command, round_robin, work_folder

TARGETS = {"bdg --help": 0.3, "bdg check ONE_FILE": 0.3, "bdg consolidate (first run)": 1.0,
           "bdg consolidate (re-run)": 1.0}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one, removed after)")
    args = parser.parse_args(argv)
    with work_folder(args.work) as work:
        run(args.repeat, work)


def run(repeat: int, work: Path) -> None:
    bdg = bdg_command()
    subprocess.run(bdg + ["demo", "--out", str(work)], check=True, stdout=subprocess.DEVNULL)
    demo = work / "demo"
    inbox = demo / "inbox"
    one_file = sorted(inbox.glob("*.xlsx"))[0]
    fresh = work / "fresh" / "bdg.sqlite"

    def fresh_store():
        shutil.rmtree(fresh.parent, ignore_errors=True)

    def consolidate(store: Path) -> list[str]:
        return bdg + ["consolidate", str(inbox), "--period", "2020", "--out", str(work / "tong-hop.xlsx"),
                      "--store", str(store)]

    results = round_robin({
        "python (start only)": ([sys.executable, "-c", "pass"], None),
        "python -c 'import pandas'": ([sys.executable, "-c", "import pandas"], None),
        "bdg --help": (bdg + ["--help"], None),
        "bdg check ONE_FILE": (bdg + ["check", str(one_file)], None),
        "bdg consolidate (first run)": (consolidate(fresh), fresh_store),
        "bdg consolidate (re-run)": (consolidate(demo / "store" / "bdg.sqlite"), None),
    }, repeat)
    start = results["python (start only)"][0]
    print(f"bdg_excel province benchmark – {len(list(inbox.glob('*.xlsx')))} returns of the default plan; "
          f"medians of {repeat} rounds; {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
          f"Python {sys.version.split()[0]}")
    print(f"{'what':<30} {'median s':>9} {'fastest':>8} {'slowest':>8} {'× start':>8} {'target':>7}")
    for name, (median, _, times) in results.items():
        target = f"< {TARGETS[name]}" if name in TARGETS else ""
        print(f"{name:<30} {median:>9.3f} {min(times):>8.3f} {max(times):>8.3f} {median / start:>8.1f} {target:>7}")


if __name__ == "__main__":
    main()
