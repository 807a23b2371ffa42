"""Timing whole commands for the benchmarks: wall time, peak memory, medians."""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import sysconfig
import time
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parent.parent


def bdg_command() -> list[str]:
    """``bdg`` as an officer starts it: the installed entry point, else ``python -m bdg_excel``."""
    script = Path(sysconfig.get_path("scripts")) / ("bdg.exe" if os.name == "nt" else "bdg")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "bdg_excel"]


def timed(command: list[str]) -> tuple[float, float | None]:
    """Wall seconds and peak memory (MB, POSIX only) of one whole command."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
    if hasattr(os, "wait4"):
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        peak = usage.ru_maxrss / 1024
    else:
        process.wait()
        peak = None
    seconds = time.perf_counter() - start
    if process.returncode not in (0, 1):  # 1: the command ran and found problems in the returns
        raise SystemExit(f"{' '.join(command)} failed with exit code {process.returncode}")
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
