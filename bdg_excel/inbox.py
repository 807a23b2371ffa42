"""Ingest a folder of returns into the store, one file at a time; one bad file never stops the rest.

Files are stored under their own period (from their metadata): a return for another period
than the one being consolidated is kept, and only reported as such for this run.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from bdg_excel import container
from bdg_excel.ingest import ACCEPTED, REJECTED, read_return, too_large
from bdg_excel.plan import Plan
from bdg_excel.problems import Problem, error
from bdg_excel.progress import Progress, counted
from bdg_excel.store import Store

PARALLEL_FROM = 500  # files per worker process below which one process is faster
RECORD_BATCH = 50  # files recorded per store transaction ...
RECORD_BATCH_BYTES = 32 * 1024 * 1024  # ... or fewer, when their bytes reach this


@dataclass(frozen=True)
class Outcome:
    """What happened to one file: newly stored, already in the store (same bytes), or unreadable."""

    path: Path
    sha256: str = ""
    status: str = REJECTED
    unit: str | None = None
    period: str | None = None
    problems: list[Problem] = field(default_factory=list)
    known: bool = False

    def other_period(self, period: str | None) -> bool:
        """True when the file is a usable return of another period than ``period``."""
        return bool(period) and self.status != REJECTED and self.period != period

    def period_problem(self, period: str) -> Problem:
        return error("wrong-period", f"Biểu của kỳ '{self.period}', không phải kỳ đang tổng hợp '{period}'.",
                     file=self.path.name)


def inbox_files(inbox: Path) -> list[Path]:
    """Every file under ``inbox`` (recursively), leaving out office lock files and hidden files."""
    return sorted(p for p in Path(inbox).rglob("*")
                  if p.is_file() and not p.name.startswith(("~$", ".~lock.", ".")))


def ingest_paths(paths: list[Path], plan: Plan, store: Store, progress: Progress | None = None) -> Iterator[Outcome]:
    """Read, validate and store each file; files already in the store are not read again.

    Thousands of files (a national run) are read and validated by worker processes, one per
    core, while this process records them in the store, in order. ``progress`` counts them.
    """
    workers = min(os.cpu_count() or 1, len(paths) // PARALLEL_FROM)
    if workers < 2:
        loaded = (_load(path, plan, store.has) for path in paths)
        yield from counted(_recorded(paths, loaded, store), progress, lambda outcome: len(outcome.problems))
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(plan, store.path)) as pool:
        loaded = pool.map(_load_in_worker, paths, chunksize=16)
        yield from counted(_recorded(paths, loaded, store), progress, lambda outcome: len(outcome.problems))


def _recorded(paths: list[Path], loaded: Iterator, store: Store) -> Iterator[Outcome]:
    """Record loaded files in batches, one transaction each (one commit per file would be most of
    the cost of storing it); a batch lost to a crash is simply ingested again by the next run."""
    for batch in _batches(zip(paths, loaded)):
        with store.transaction():
            outcomes = [_record(path, found, store) for path, found in batch]
        yield from outcomes


def _batches(pairs: Iterator[tuple[Path, tuple | Outcome]]) -> Iterator[list]:
    """Groups of RECORD_BATCH loaded files, or fewer when their bytes reach RECORD_BATCH_BYTES."""
    batch, size = [], 0
    for path, found in pairs:
        batch.append((path, found))
        size += len(found[1] or b"") if isinstance(found, tuple) else 0
        if len(batch) == RECORD_BATCH or size >= RECORD_BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _load(path: Path, plan: Plan, known: Callable[[str], bool]) -> tuple | Outcome:
    """Read and validate a new file: (sha256, bytes, submission); the submission is None when the
    store has these bytes already. An Outcome when the file cannot be read at all."""
    try:
        if path.stat().st_size > container.MAX_FILE_BYTES:
            submission = too_large(path)
            return submission.sha256, None, None if known(submission.sha256) else submission
        data = path.read_bytes()
    except OSError as exc:
        message = f"Không đọc được tệp: {exc.strerror or exc}."
        return Outcome(path, problems=[error("unreadable-file", message, file=path.name)])
    sha256 = hashlib.sha256(data).hexdigest()
    if known(sha256):
        return sha256, None, None
    submission = read_return(data, path.name, plan)
    return sha256, data, submission


_WORKER: dict = {}


def _start_worker(plan: Plan, store_path: Path) -> None:
    _WORKER["plan"] = plan
    _WORKER["db"] = sqlite3.connect(f"{Path(store_path).resolve().as_uri()}?mode=ro", uri=True, timeout=30)


def _load_in_worker(path: Path) -> tuple | Outcome:
    db = _WORKER["db"]
    return _load(path, _WORKER["plan"],
                 lambda sha256: db.execute("SELECT 1 FROM files WHERE sha256 = ?", (sha256,)).fetchone() is not None)


def _record(path: Path, loaded: tuple | Outcome, store: Store) -> Outcome:
    """Record a loaded file in the store and say what happened."""
    if isinstance(loaded, Outcome):
        return loaded
    sha256, data, submission = loaded
    if submission is not None and store.add(submission, path, data):
        return Outcome(path, sha256, submission.status, submission.unit, submission.period, list(submission.problems))
    stored = store.file(sha256)
    return Outcome(path, sha256, stored.status, stored.unit, stored.period, known=True)


def describe(outcome: Outcome, period: str | None = None) -> list[str]:
    """The lines ``bdg ingest`` prints for one file: a verdict, then its problems indented."""
    from bdg_excel.ingest import STATUS_LABELS

    who = f" ({outcome.unit}, kỳ {outcome.period})" if outcome.unit else ""
    if outcome.known:
        verdict = f"đã có trong kho, bỏ qua – {STATUS_LABELS[outcome.status]}{who}"
    elif outcome.problems:
        verdict = f"{STATUS_LABELS[outcome.status]} – {len(outcome.problems)} vấn đề{who}"
    else:
        verdict = f"{STATUS_LABELS[outcome.status]}{who}"
    problems = list(outcome.problems)
    if outcome.other_period(period):
        problems.append(outcome.period_problem(period))
    return [f"{outcome.path.name}: {verdict}"] + [f"    {p.describe(with_file=False)}" for p in problems]


def ingest_folder(inbox: Path, plan: Plan, store_path: Path, period: str | None, echo=print,
                  show_progress: bool = False) -> bool:
    """Ingest every file under ``inbox``, echoing a line per file and a summary; True when all is clean."""
    paths = inbox_files(inbox)
    counts = {"new": 0, "known": 0, "problems": 0, "rejected": 0}
    with Store(store_path) as store:
        for outcome in ingest_paths(paths, plan, store, Progress(len(paths)) if show_progress else None):
            for line in describe(outcome, period):
                echo(line)
            counts["known" if outcome.known else "new"] += 1
            counts["rejected"] += outcome.status == REJECTED
            counts["problems"] += outcome.status != ACCEPTED or outcome.other_period(period)
    echo(f"Tổng cộng {len(paths)} tệp: {counts['new']} tệp mới, {counts['known']} tệp đã có trong kho, "
         f"{counts['rejected']} tệp bị từ chối, {counts['problems']} tệp có vấn đề. Kho dữ liệu: {store_path}")
    return counts["rejected"] == 0 and counts["problems"] == 0
