"""A progress bar for long runs, on a terminal only, appearing after a couple of seconds."""
from __future__ import annotations

import sys
import time
from typing import Callable, Iterable, Iterator, TextIO, TypeVar

DELAY = 2.0
INTERVAL = 0.2
WIDTH = 30
T = TypeVar("T")


class Progress:
    """Count files done and problems found; draw a bar with the time left once a run gets long.

    Nothing is drawn when the stream is not a terminal, so logs and pipes stay clean.
    """

    def __init__(self, total: int, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic,
                 force: bool = False, show_problems: bool = True):
        self.total = total
        self.show_problems = show_problems
        self.stream = stream or sys.stderr
        self.clock = clock
        self.active = force or bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = clock()
        self.drawn_at = None
        self.done = 0
        self.problems = 0

    def step(self, problems: int = 0) -> None:
        """One more file done, with how many problems it had."""
        self.done += 1
        self.problems += problems
        now = self.clock()
        if not self.active or now - self.started < DELAY:
            return
        if self.drawn_at is None or now - self.drawn_at >= INTERVAL or self.done == self.total:
            self.drawn_at = now
            self.stream.write("\r" + self.line(now))
            self.stream.flush()

    def line(self, now: float) -> str:
        """The bar as text: ``[#####.....] 120/3332 tệp · 4 có vấn đề · còn 12 giây``."""
        share = self.done / self.total if self.total else 1
        filled = int(WIDTH * share)
        elapsed = now - self.started
        left = elapsed / self.done * (self.total - self.done) if self.done else 0
        problems = f"{self.problems} có vấn đề · " if self.show_problems else ""
        return f"[{'#' * filled}{'.' * (WIDTH - filled)}] {self.done}/{self.total} tệp · {problems}còn {left:.0f} giây "

    def stage(self, text: str) -> None:
        """Say on its own line what a run that has already taken a while does next."""
        if self.active and self.clock() - self.started >= DELAY:
            self.stream.write(text + "\n")
            self.stream.flush()

    def close(self) -> None:
        """Draw the final counts and end the bar's line, if a bar was drawn."""
        if self.drawn_at is not None:
            self.stream.write("\r" + self.line(self.clock()) + "\n")
            self.stream.flush()


def counted(items: Iterable[T], progress: Progress | None, problems: Callable[[T], int] = lambda item: 0
            ) -> Iterator[T]:
    """Yield ``items``, counting each (and its problems) on ``progress`` if any; close the bar at the end."""
    for item in items:
        if progress:
            progress.step(problems(item))
        yield item
    if progress:
        progress.close()
