import io

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
