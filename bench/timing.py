"""What the benchmarks share: timing whole commands (wall time, peak memory, medians), a work folder."""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

REPO = Path(__file__).resolve().parent.parent


@contextmanager
def work_folder(path: Path | None) -> Iterator[Path]:
    """``path`` (created, kept afterwards), or a temporary folder removed afterwards."""
    work = path or Path(tempfile.mkdtemp(prefix="bdg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        yield work
    finally:
        if path is None:
            shutil.rmtree(work, ignore_errors=True)


def bdg_command() -> list[str]:
    """``bdg`` as an officer starts it: the installed entry point, else ``python -m bdg_excel``."""
    script = Path(sysconfig.get_path("scripts")) / ("bdg.exe" if os.name == "nt" else "bdg")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "bdg_excel"]


# On POSIX a small Python process starts each command and reports its figures: a child forked
# from the benchmark itself would be charged the benchmark's memory until it starts the command.
_MEASURE = """
import os, subprocess, sys, time
start = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(process.pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def timed(command: list[str]) -> tuple[float, float | None]:
    """Wall seconds and peak memory (MB of its largest process; None where the OS does not say)."""
    if hasattr(os, "wait4"):
        report = subprocess.run([sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True,
                                cwd=REPO, check=True).stdout.split()
        seconds, peak, code = float(report[0]), int(report[1]) / 1024, int(report[2])
    else:
        start = time.perf_counter()
        code = subprocess.call(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
        seconds, peak = time.perf_counter() - start, None
    if code not in (0, 1):  # 1: the command ran and found problems in the returns
        raise SystemExit(f"{' '.join(command)} failed with exit code {code}")
    return seconds, peak


def median_run(command: list[str], repeat: int, before: Callable[[], None] | None = None
               ) -> tuple[float, float | None]:
    """Median wall seconds and the highest peak memory over ``repeat`` runs."""
    return round_robin({"": (command, before)}, repeat)[""][:2]


def round_robin(commands: dict[str, tuple[list[str], Callable[[], None] | None]], repeat: int
                ) -> dict[str, tuple[float, float | None, list[float]]]:
    """Run each command once per round, ``repeat`` rounds, so that noise touches them alike.

    Returns, per name, the median seconds, the highest peak memory and all the times."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    peaks: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, (command, before) in commands.items():
            if before:
                before()
            seconds, peak = timed(command)
            times[name].append(seconds)
            if peak is not None:
                peaks[name].append(peak)
    return {name: (statistics.median(times[name]), max(peaks[name], default=None), times[name])
            for name in commands}
