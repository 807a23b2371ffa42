import io
import os
import subprocess
import sys

import pytest

from bdg_excel.progress import Progress


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_nothing_is_drawn_when_not_a_terminal():
    stream, clock = io.StringIO(), Clock()
    progress = Progress(10, stream, clock)
    for _ in range(10):
        clock.now += 1
        progress.step(1)
    progress.close()
    assert stream.getvalue() == ""


def test_short_runs_draw_nothing_long_runs_draw_counts_and_time_left():
    stream, clock = Terminal(), Clock()
    progress = Progress(100, stream, clock)
    clock.now = 1.0
    progress.step()
    assert stream.getvalue() == ""
    for done in range(2, 51):
        clock.now = done * 0.05 + 1.0
        progress.step(problems=1 if done % 10 == 0 else 0)
    progress.close()
    last = stream.getvalue().rstrip("\n").split("\r")[-1]
    assert last.startswith("[###############...............] 50/100 tệp · 5 có vấn đề · còn ")
    seconds = float(last.split("còn ")[1].split()[0])
    assert seconds == 4  # 3.5 s for 50 files: 50 more take 3.5 s more (shown rounded)
    assert stream.getvalue().endswith("\n")


def test_without_problem_counts_the_bar_shows_files_and_time_left():
    stream, clock = Terminal(), Clock()
    progress = Progress(4, stream, clock, show_problems=False)
    for _ in range(4):
        clock.now += 1
        progress.step()
    progress.close()
    assert stream.getvalue().split("\r")[-1] == f"[{'#' * 30}] 4/4 tệp · còn 0 giây \n"


def test_stages_are_announced_on_a_terminal_once_a_run_is_long():
    stream, clock = Terminal(), Clock()
    progress = Progress(1, stream, clock)
    progress.stage("Bước một")
    clock.now = 2.5
    progress.stage("Bước hai")
    quiet = Progress(1, io.StringIO(), clock)
    quiet.stage("Bước ba")
    assert stream.getvalue() == "Bước hai\n" and quiet.stream.getvalue() == ""


BAR_RUN = """
import sys
import bdg_excel.progress
bdg_excel.progress.DELAY = 0
from bdg_excel.cli import cli
cli(sys.argv[1:])
"""


@pytest.mark.slow
@pytest.mark.skipif(os.name == "nt", reason="pseudo-terminals are POSIX")
def test_templates_and_ingest_draw_a_bar_on_a_terminal_only(tmp_path):
    import pty

    def run_on(args, terminal):
        command = [sys.executable, "-c", BAR_RUN, *map(str, args)]
        if not terminal:
            return subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=120).stderr
        primary, secondary = pty.openpty()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=secondary, cwd=tmp_path)
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # the command ended and closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=120)
        os.close(primary)
        return b"".join(chunks).decode("utf-8")

    drawn = run_on(["templates", "--period", "2020", "--out", tmp_path / "t"], terminal=True)
    assert "] 18/18 tệp · còn 0 giây" in drawn and "có vấn đề" not in drawn
    assert run_on(["templates", "--period", "2020", "--out", tmp_path / "t2"], terminal=False) == ""
    drawn = run_on(["ingest", tmp_path / "t", "--store", tmp_path / "bdg.sqlite"], terminal=True)
    assert "] 18/18 tệp · 18 có vấn đề · còn 0 giây" in drawn  # blank templates: each an empty return
    out = tmp_path / "tong-hop.xlsx"
    drawn = run_on(["consolidate", tmp_path / "t", "--period", "2020", "--out", out, "--store", tmp_path / "bdg.sqlite"],
                   terminal=True)
    assert drawn.index("] 18/18 tệp") < drawn.index(f"Đang ghi bảng tổng hợp '{out}'…")
