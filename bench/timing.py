"""What the benchmarks share: timing whole commands (wall and CPU time, peak memory of the process
tree), round-robin medians, verdicts against targets, failing on wrong results, a work folder."""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, NamedTuple

REPO = Path(__file__).resolve().parent.parent
TARGET_CORES = 2  # the targets are set for the 2-core CI-sized machine
SHOWN_WRONG = 12  # wrong results listed before the rest are counted


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


def removing(*paths: Path) -> Callable[[], None]:
    """What to do before a run: remove these files and folders, left by the run before."""
    def remove() -> None:
        for path in paths:
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
    return remove


def bdg_command() -> list[str]:
    """``bdg`` as an officer starts it: the installed entry point, else ``python -m bdg_excel``."""
    script = Path(sysconfig.get_path("scripts")) / ("bdg.exe" if os.name == "nt" else "bdg")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "bdg_excel"]


# A small Python process starts each command and reports its figures: a child forked from the
# benchmark itself would be charged the benchmark's memory until it starts the command. CPU time
# comes from wait4 (the command and the children it waited for); memory is the largest sum of
# VmRSS over the command and its descendants, sampled every 20 ms, and never below ru_maxrss.
_MEASURE = r"""
import json, os, subprocess, sys, threading, time

def descendants(pid):
    found, todo = [], [pid]
    while todo:
        found.append(todo.pop())
        try:
            for task in os.listdir(f"/proc/{found[-1]}/task"):
                with open(f"/proc/{found[-1]}/task/{task}/children") as f:
                    todo += [int(child) for child in f.read().split()]
        except OSError:
            pass
    return found

def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            return next((int(line.split()[1]) for line in f if line.startswith("VmRSS:")), 0)
    except OSError:
        return 0

def sample(pid, done, peak):
    while True:
        peak[0] = max(peak[0], sum(rss_kb(p) for p in descendants(pid)))
        if done.wait(0.02):
            return

me = os.getpid()
tree = hasattr(os, "wait4") and os.path.exists(f"/proc/{me}/task/{me}/children")
with open(sys.argv[1], "wb") as errors:
    start = time.perf_counter()
    process = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=errors)
    done, peak = threading.Event(), [0]
    sampler = threading.Thread(target=sample, args=(process.pid, done, peak), daemon=True)
    if tree:
        sampler.start()
    if hasattr(os, "wait4"):
        _, status, usage = os.wait4(process.pid, 0)
        code, cpu = os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime
        largest = usage.ru_maxrss // (1024 if sys.platform == "darwin" else 1)
    else:
        code, cpu, largest = process.wait(), None, None
    seconds = time.perf_counter() - start
    done.set()
    if tree:
        sampler.join()
scope = "tree" if tree else "largest" if largest is not None else None
print(json.dumps({"seconds": seconds, "cpu": cpu, "peak_kb": max(peak[0], largest or 0) if scope else None,
                  "scope": scope, "code": code}))
"""

PEAK_SCOPES = {"tree": "summed VmRSS of the command and its worker processes, sampled every 20 ms",
               "largest": "largest single process only (ru_maxrss): no /proc here to sum the process tree",
               None: "not measured on this system"}


class Command(NamedTuple):
    """A command to time: its arguments, what to do before each run, which exit codes mean success."""

    argv: list[str]
    before: Callable[[], None] | None = None
    codes: tuple[int, ...] = (0,)


class Measure(NamedTuple):
    seconds: float
    cpu: float | None
    peak_mb: float | None
    scope: str | None


@dataclass
class Runs:
    """Every run of one command: wall times, CPU times and peaks (MB)."""

    times: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)
    scope: str | None = None

    def add(self, measure: Measure) -> None:
        self.times.append(measure.seconds)
        self.scope = measure.scope
        if measure.cpu is not None:
            self.cpus.append(measure.cpu)
        if measure.peak_mb is not None:
            self.peaks.append(measure.peak_mb)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def cpu(self) -> float | None:
        return statistics.median(self.cpus) if self.cpus else None

    @property
    def peak(self) -> float | None:
        return max(self.peaks, default=None)


def timed(command: Command) -> Measure:
    """One run of ``command``; exits with its error output when it fails."""
    with tempfile.NamedTemporaryFile(suffix=".txt", delete=False) as errors:
        error_file = Path(errors.name)
    try:
        report = json.loads(subprocess.run([sys.executable, "-c", _MEASURE, str(error_file), *command.argv],
                                           capture_output=True, text=True, cwd=REPO, check=True).stdout)
        error_text = error_file.read_text("utf-8", "replace").strip()
    finally:
        error_file.unlink()
    if report["code"] not in command.codes:
        tail = "\n".join(error_text.splitlines()[-10:])
        sys.exit(f"results are wrong: {' '.join(command.argv)} failed with exit code {report['code']}\n{tail}")
    peak = None if report["peak_kb"] is None else report["peak_kb"] / 1024
    return Measure(report["seconds"], report["cpu"], peak, report["scope"])


def round_robin(commands: dict[str, Command], repeat: int) -> dict[str, Runs]:
    """Run each command once per round, ``repeat`` rounds, so that noise touches them alike."""
    runs = {name: Runs() for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            if command.before:
                command.before()
            runs[name].add(timed(command))
    return runs


def figure(value: float | None, spec: str, width: int) -> str:
    """``value`` formatted, or '?' where this system could not measure it."""
    return f"{'?' if value is None else format(value, spec):>{width}}"


def verdict(met: bool | None, text: str) -> str:
    """A one-line verdict: ✓ or ✗ (? when not measured), then the figure and its target."""
    return f"{'?' if met is None else '✓' if met else '✗'} {text}"


def cores_note() -> str | None:
    """A warning when the targets, set for 2 cores, are judged on another machine."""
    cores = os.cpu_count()
    if cores != TARGET_CORES:
        return f"(the targets are for {TARGET_CORES} cores; this machine has {cores or '?'})"
    return None


def fail_if_wrong(wrong: list[str]) -> None:
    """Exit 1 listing the wrong results, when there are any."""
    if not wrong:
        return
    shown = [f"  - {w}" for w in wrong[:SHOWN_WRONG]]
    if len(wrong) > SHOWN_WRONG:
        shown.append(f"  ... and {len(wrong) - SHOWN_WRONG} more")
    sys.exit(f"results are wrong ({len(wrong)}), so the timings above mean nothing:\n" + "\n".join(shown))
