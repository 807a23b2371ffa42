"""Ingest a folder of returns into the store, one file at a time; one bad file never stops the rest.

Files are stored under their own period (from their metadata): a return for another period
than the one being consolidated is kept, and only reported as such for this run. Every entry
of the folder is either read or listed as skipped, with the reason; links are never followed.
"""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from bdg_excel import container, failures
from bdg_excel.changes import unusual_changes
from bdg_excel.errors import BdgError, os_reason
from bdg_excel.filenames import shown_name
from bdg_excel.returns import read_file, read_return, too_large
from bdg_excel.submission import (ACCEPTED, FAILED, REJECTED, SKIPPED, STATUS_LABELS, WITH_PROBLEMS,
                                  Submission)
from bdg_excel.plan import Plan
from bdg_excel.problems import Problem, problem
from bdg_excel.progress import Progress, counted
from bdg_excel.store import Store

PARALLEL_FROM = 500  # files per worker process below which one process is faster
RECORD_BATCH = 50  # files recorded per store transaction ...
RECORD_BATCH_BYTES = 32 * 1024 * 1024  # ... or fewer, when their bytes reach this
LOCK_PREFIXES = ("~$", ".~lock.")  # Excel's and LibreOffice's lock files beside an open workbook


@dataclass(frozen=True)
class Outcome:
    """What happened to one inbox entry: newly stored, already in the store (same bytes), unreadable,
    skipped, or failed through our own error (``failure`` holds the traceback)."""

    path: Path
    sha256: str = ""
    status: str = REJECTED
    unit: str | None = None
    period: str | None = None
    problems: list[Problem] = field(default_factory=list)
    known: bool = False
    failure: str = ""

    def of_another_period(self, period: str) -> bool:
        """True when the file names a unit and a period other than ``period`` (usable or not)."""
        return bool(self.sha256 and self.unit and self.period) and self.period != period

    def other_period(self, period: str | None) -> bool:
        """True when the file is a usable return of another period than ``period``."""
        return bool(period) and self.status in (ACCEPTED, WITH_PROBLEMS) and self.period != period

    def period_problem(self, period: str) -> Problem:
        return problem("wrong-period", file=shown_name(self.path), found=self.period,
                       expected=f"kỳ đang tổng hợp '{period}'")


def inbox_entries(inbox: Path) -> tuple[list[Path], list[Outcome]]:
    """The files to read under ``inbox`` (recursively, oldest first, so that of two files of a unit
    dropped in together the newer one is ingested last and supersedes), and every other entry as a
    skipped outcome with its reason: hidden files, links (never followed), FIFOs and devices, and
    the office lock files all together."""
    files, skipped, locks = [], [], []
    folders = [Path(inbox)]
    while folders:
        folder = folders.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            skipped.append(_skipped(folder, "unreadable-file", reason=os_reason(exc)))
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.is_symlink():
                skipped.append(_skipped(path, "symbolic-link"))
            elif entry.name.startswith(LOCK_PREFIXES):
                locks.append(path)
            elif entry.name.startswith("."):
                skipped.append(_skipped(path, "hidden-file"))
            elif entry.is_dir(follow_symlinks=False):
                folders.append(path)
            elif entry.is_file(follow_symlinks=False):
                files.append((entry.stat(follow_symlinks=False).st_mtime, path))
            else:
                skipped.append(_skipped(path, "not-a-regular-file"))
    if locks:
        names = ", ".join(shown_name(p) for p in locks[:3]) + (", …" if len(locks) > 3 else "")
        skipped.append(_skipped(locks[0], "office-lock-file", count=len(locks), names=names))
    return [path for _, path in sorted(files)], skipped


def _skipped(path: Path, code: str, **fields: object) -> Outcome:
    return Outcome(path, status=SKIPPED, problems=[problem(code, file=shown_name(path), **fields)])


def ingest_paths(paths: list[Path], plan: Plan, store: Store, progress: Progress | None = None) -> Iterator[Outcome]:
    """Read, validate and store each file; files already in the store are not read again.

    Thousands of files (a national run) are read and validated by worker processes, one per
    core, while this process records them in the store, in order. ``progress`` counts them.
    """
    workers = min(os.cpu_count() or 1, len(paths) // PARALLEL_FROM)
    if workers < 2:
        loaded = (_load(path, plan, store.has) for path in paths)
        yield from counted(_recorded(paths, loaded, store, plan), progress, lambda outcome: len(outcome.problems))
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(plan, store.path)) as pool:
        loaded = pool.map(_load_in_worker, paths, chunksize=16)
        yield from counted(_recorded(paths, loaded, store, plan), progress, lambda outcome: len(outcome.problems))


def _recorded(paths: list[Path], loaded: Iterator, store: Store, plan: Plan) -> Iterator[Outcome]:
    """Record loaded files in batches, one transaction each (one commit per file would be most of
    the cost of storing it); a batch lost to a crash is simply ingested again by the next run."""
    for batch in _batches(zip(paths, loaded)):
        with store.transaction():
            outcomes = [_record(path, found, store, plan) for path, found in batch]
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
    store has these bytes already. An Outcome when the file cannot be read at all, or when reading
    it failed through our own error."""
    try:
        return _load_file(path, plan, known)
    except Exception:  # noqa: BLE001 - our own bug: reported as ours, and the batch goes on
        return Outcome(path, status=FAILED, failure=traceback.format_exc())


def _load_file(path: Path, plan: Plan, known: Callable[[str], bool]) -> tuple | Outcome:
    try:
        if path.stat().st_size > container.MAX_FILE_BYTES:
            submission = too_large(path)
            return submission.sha256, None, None if known(submission.sha256) else submission
        data = path.read_bytes()
    except OSError as exc:
        name = shown_name(path)
        return Outcome(path, problems=[problem("unreadable-file", file=name, reason=os_reason(exc))])
    sha256 = hashlib.sha256(data).hexdigest()
    if known(sha256):
        return sha256, None, None
    submission = read_return(data, shown_name(path), plan)
    return sha256, data, submission


_WORKER: dict = {}


def _start_worker(plan: Plan, store_path: Path) -> None:
    _WORKER["plan"] = plan
    _WORKER["db"] = sqlite3.connect(f"{Path(store_path).resolve().as_uri()}?mode=ro", uri=True, timeout=30)


def _load_in_worker(path: Path) -> tuple | Outcome:
    db = _WORKER["db"]
    return _load(path, _WORKER["plan"],
                 lambda sha256: db.execute("SELECT 1 FROM files WHERE sha256 = ?", (sha256,)).fetchone() is not None)


def _record(path: Path, loaded: tuple | Outcome, store: Store, plan: Plan) -> Outcome:
    """Record a loaded file in the store, with its figures checked against the unit's earlier ones, and
    say what happened; a file that failed through our own error is logged beside the store and not
    recorded, so that the next run reads it again."""
    if isinstance(loaded, Outcome):
        return _logged(loaded, store.path) if loaded.failure else loaded
    sha256, data, submission = loaded
    if submission is not None and not submission.failure:
        submission.problems += unusual_changes(plan, submission, store)
    if submission is not None and (submission.failure or store.add(submission, path, data)):
        return _answered(path, submission, store.path)
    stored = store.file(sha256)
    return Outcome(path, sha256, stored.status, stored.unit, stored.period, known=True)


def _answered(path: Path, submission: Submission, store_path: Path | None) -> Outcome:
    """What reading a file gave, as ``ingest`` and ``check`` report it; our own error is logged beside the
    store (``store_path``; without one, in the temporary folder)."""
    if submission.failure:
        return _logged(Outcome(path, status=FAILED, failure=submission.failure), store_path)
    return Outcome(path, submission.sha256, submission.status, submission.unit, submission.period,
                   list(submission.problems))


def _logged(outcome: Outcome, store_path: Path | None) -> Outcome:
    found = failures.record(failures.log_path(store_path), shown_name(outcome.path), outcome.failure)
    return Outcome(outcome.path, status=FAILED, problems=[found], failure=outcome.failure)


def check_files(paths: list[Path], plan: Plan, period: str | None, store_path: Path | None = None) -> Iterator[Outcome]:
    """Read and validate files without storing them: what ``bdg ingest`` would say of each, file by file.
    With ``store_path``, figures are also checked against the units' earlier results in that store (which is
    only read)."""
    if store_path is not None and not Path(store_path).is_file():
        raise BdgError(f"Chưa có kho dữ liệu '{store_path}': hãy chạy 'bdg ingest' hoặc 'bdg consolidate' trước.")
    store = Store(store_path) if store_path is not None else None
    try:
        for path in paths:
            submission = read_file(path, plan, period)
            if store is not None and not submission.failure:
                submission.problems += unusual_changes(plan, submission, store)
            yield _answered(path, submission, None)
    finally:
        if store is not None:
            store.close()


def checked_total(outcomes: list[Outcome]) -> str:
    """The last line of ``bdg check``."""
    return f"Đã kiểm tra {len(outcomes)} tệp: {sum(len(o.problems) for o in outcomes)} vấn đề."


def as_json(outcomes: list[Outcome]) -> str:
    """What ``bdg check --json`` prints: for each file its verdict and its problems as records, each with its
    stable code and its place (sheet, cell as Excel shows it); messages in Vietnamese."""
    return json.dumps([{
        "file": shown_name(o.path), "path": str(o.path), "status": o.status, "verdict": STATUS_LABELS[o.status],
        "unit": o.unit,
        "period": o.period, "sha256": o.sha256 or None,
        "problems": [{"code": p.code, "severity": p.severity, "is_error": p.is_error, "sheet": p.sheet, "cell": p.cell,
                      "message": p.message}
                     for p in o.problems]} for o in outcomes], ensure_ascii=False, indent=2)


def describe(outcome: Outcome, period: str | None = None, verbose: bool = False) -> list[str]:
    """The lines ``bdg ingest`` prints for one entry: a verdict, then its problems indented (and,
    with ``verbose``, the traceback of our own error)."""
    who = f" ({outcome.unit}, kỳ {outcome.period})" if outcome.unit else ""
    if outcome.known:
        verdict = f"đã có trong kho, bỏ qua – {STATUS_LABELS[outcome.status]}{who}"
    elif outcome.problems and outcome.status != SKIPPED:
        verdict = f"{STATUS_LABELS[outcome.status]} – {len(outcome.problems)} vấn đề{who}"
    else:
        verdict = f"{STATUS_LABELS[outcome.status]}{who}"
    problems = list(outcome.problems)
    if outcome.other_period(period):
        problems.append(outcome.period_problem(period))
    lines = [f"{shown_name(outcome.path)}: {verdict}"] + [f"    {p.describe(with_file=False)}" for p in problems]
    if verbose and outcome.failure:
        lines += ["    " + line for line in outcome.failure.rstrip().splitlines()]
    return lines


def ingest_folder(inbox: Path, plan: Plan, store_path: Path, period: str | None, echo=print,
                  show_progress: bool = False, verbose: bool = False) -> bool:
    """Ingest every file under ``inbox``, echoing a line per entry and a summary; True when all is clean."""
    counts = dict.fromkeys(("files", "new", "known", "problems", "rejected", SKIPPED, FAILED), 0)
    paths, skipped = inbox_entries(inbox)
    with Store(store_path) as store:
        ingested = ingest_paths(paths, plan, store, Progress(len(paths)) if show_progress else None)
        for outcome in [*skipped, *ingested]:
            for line in describe(outcome, period, verbose):
                echo(line)
            if outcome.status in (SKIPPED, FAILED):
                counts[outcome.status] += 1
                continue
            counts["files"] += 1
            counts["known" if outcome.known else "new"] += 1
            counts["rejected"] += outcome.status == REJECTED  # the two counts are apart: a file is in one at most
            counts["problems"] += outcome.status != REJECTED and (outcome.status != ACCEPTED or outcome.other_period(period))
    echo(f"Tổng cộng {counts['files']} tệp: {counts['new']} tệp mới, {counts['known']} tệp đã có trong kho, "
         f"{counts['rejected']} tệp bị từ chối, {counts['problems']} tệp nhận được nhưng có vấn đề"
         + (f", {counts[SKIPPED]} mục bỏ qua" if counts[SKIPPED] else "")
         + (f", {counts[FAILED]} tệp gặp lỗi của chương trình" if counts[FAILED] else "")
         + f". Kho dữ liệu: {store_path}")
    return counts["rejected"] == counts["problems"] == counts[SKIPPED] == counts[FAILED] == 0
