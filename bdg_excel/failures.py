"""Our own errors: logged with their traceback beside the store, and never blamed on a unit."""
from __future__ import annotations

import tempfile
from pathlib import Path

from bdg_excel import clock
from bdg_excel.problems import Problem, problem

LOG_NAME = "bdg-errors.log"


def log_path(store_path: Path | None) -> Path:
    """Where tracebacks go: beside the store, or in the temporary folder when there is none."""
    return (Path(store_path).parent if store_path else Path(tempfile.gettempdir())) / LOG_NAME


def record(log: Path, what: str, trace: str) -> Problem:
    """Append a traceback to the log; the ``internal-error`` problem that tells the user where it is."""
    try:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"--- {clock.stamp(clock.now())} {what}\n{trace.rstrip()}\n")
    except OSError:
        pass  # the traceback is still shown with --verbose
    return problem("internal-error", file=what, log=str(log))
