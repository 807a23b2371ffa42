"""The main job: ingest an inbox, consolidate the period, write the workbook."""
from __future__ import annotations

from pathlib import Path

from bdg_excel.consolidation import Consolidation, build
from bdg_excel.ingest import inbox_entries, ingest_paths
from bdg_excel.plan import Plan
from bdg_excel.progress import Progress
from bdg_excel.report import write_report
from bdg_excel.store import Store


def consolidate(inbox: Path, plan: Plan, period_code: str, out: Path, store_path: Path,
                show_progress: bool = False) -> tuple[Consolidation, Path]:
    """Ingest ``inbox``, aggregate the period and write the workbook; the consolidation and the workbook."""
    period = plan.period(period_code)
    paths, skipped = inbox_entries(inbox)
    progress = Progress(len(paths)) if show_progress else None
    with Store(store_path) as store:
        outcomes = skipped + list(ingest_paths(paths, plan, store, progress))
        result = build(plan, period, store, outcomes)
    if progress:
        progress.stage(f"Đang ghi bảng tổng hợp '{out}'…")
    return result, write_report(result, out)
