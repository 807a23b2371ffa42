"""A consolidation: each unit's current return of a period, aggregated and judged, with who sent what
and every problem: what the consolidated workbook shows."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from bdg_excel import clock
from bdg_excel.aggregate import ElementFigure, UnitFigure, UnitRow, aggregate, unit_results
from bdg_excel.figures import Entry, format_figure, period_statuses
from bdg_excel.ingest import Outcome
from bdg_excel.submission import REJECTED
from bdg_excel.numbers import to_decimal
from bdg_excel.plan import Period, Plan
from bdg_excel.problems import Problem, problem
from bdg_excel.status import SubmissionRow, Unclaimed, misdirected, submission_rows, unclaimed_files
from bdg_excel.store import Store, StoredFile, latest_of


@dataclass(frozen=True)
class Consolidation:
    """Everything the consolidated workbook shows."""

    plan: Plan
    period: Period
    figures: list[ElementFigure]
    previous_period: str
    previous: dict[str, str]
    unit_rows: list[UnitRow]
    submissions: list[SubmissionRow]
    problems: list[tuple[str, Problem]]
    notes: dict[str, str]
    generated_at: datetime
    unclaimed: tuple[Unclaimed, ...] = ()  # rejected files no unit of the plan claims, that came in its round
    wrong_forms: tuple[StoredFile, ...] = ()  # earlier periods' forms that came in its round, from units without
    # a return of it
    failures: tuple[str, ...] = ()  # tracebacks of our own errors while reading inbox files

    @property
    def clean(self) -> bool:
        """Every expected unit sent a clean return on time, and nothing else needs a look (an entry of
        the inbox that was skipped, even an office lock file, is listed and counts)."""
        return all(s.is_clean for s in self.submissions) and not self.problems


def _decimal(text: str | None):
    return None if text is None else to_decimal(text)


UNUSABLE_NOTE = "có lỗi, chưa được tính (xem trang 'Lỗi')"  # beside a unit's figure that was typed but not used


def _unit_figures(store: Store, current: dict[str, StoredFile]) -> tuple[list[UnitFigure], dict[tuple, str]]:
    """The usable figures of the units' current returns, and notes by (code, unit): the unit's own, and why a
    figure it typed is not used."""
    unit_of = {f.id: unit for unit, f in current.items()}
    figures, notes = [], {}
    for row in store.figures(list(unit_of)):
        unit = unit_of[row["file_id"]]
        entry = Entry(*(_decimal(row[key]) for key in ("numerator", "denominator", "value")), year=row["data_year"])
        why = "" if row["usable"] or entry.is_empty else UNUSABLE_NOTE
        if row["note"] or why:
            notes[(row["code"], unit)] = "; ".join(filter(None, [why, row["note"]]))
        if row["usable"]:
            figures.append(UnitFigure(unit, row["code"], entry))
    return figures, notes


def _previous(plan: Plan, store: Store, period: str) -> dict[str, str]:
    """The previous period's figures by data element code. That period may belong to another plan (2025
    before a 2026–2030 plan): its figures are compared where the codes are the same, from that plan's returns
    only, and without this plan's unit counts, which are not that plan's."""
    current = store.latest(period)
    ours = {unit: f for unit, f in current.items() if f.plan_id == plan.info.id}
    figures, _ = _unit_figures(store, ours or current)
    if not figures:
        return {}
    results = aggregate(plan, figures, year=int(period[:4]))
    if ours:
        return {r.element.code: r.display for r in results if r.result is not None}
    return {r.element.code: format_figure(r.element, r.entry) for r in results if r.result is not None}


def _misdirected(plan: Plan, store: Store, outcomes: list[Outcome], period: Period,
                 current: dict[str, StoredFile], mailed: dict[str, date]) -> list[StoredFile]:
    """Forms of an earlier period that came in ``period``'s round from units that have sent no usable return
    of it since (see ``status.misdirected``): perhaps the wrong form."""
    found = {}
    for outcome in outcomes:
        if outcome.of_another_period(period.code) and outcome.unit not in current and outcome.sha256 not in found:
            stored = store.file(outcome.sha256)
            if stored is not None and misdirected(plan, stored, period, mailed):
                found[stored.sha256] = stored
    return list(found.values())


def _problems(store: Store, files: list[StoredFile], current: dict[str, StoredFile], period: Period,
              outcomes: list[Outcome], unclaimed: list[Unclaimed], wrong_forms: list[StoredFile]
              ) -> list[tuple[str, Problem]]:
    """Problems of the current and rejected returns of the period, of the files no unit of the plan claims that
    came in its round (under the unit whose address sent them), and of forms of an earlier period that came in
    its round (perhaps the wrong form); and the inbox entries that were skipped."""
    current_ids = {f.id for f in current.values()}
    shown = {f.sha256: (f.unit or "", f) for f in files if f.id in current_ids or f.status == REJECTED}
    for item in unclaimed:
        shown.setdefault(item.stored.sha256, (item.unit.code if item.unit else "", item.stored))
    for stored in wrong_forms:
        shown.setdefault(stored.sha256, (stored.unit or "", stored))
    by_id = {f.id: (unit, f) for unit, f in shown.values()}
    rows = []
    for row in store.problems(list(by_id)):
        unit, stored = by_id[row["file_id"]]
        rows.append((unit, Problem(row["code"], row["severity"], row["message"], stored.original_name,
                                   row["sheet"] or "", row["cell"] or "")))
    rows += [(f.unit or "", problem("wrong-period", file=f.original_name, found=f.period,
                                    expected=f"kỳ đang tổng hợp '{period.code}'")) for f in wrong_forms]
    rows += [("", p) for o in outcomes if not o.sha256 for p in o.problems]
    return rows


def build(plan: Plan, period: Period, store: Store, outcomes: list[Outcome]) -> Consolidation:
    """Aggregate the store's latest return of each unit for ``period`` into a consolidation."""
    files = store.files(period.code)
    current = latest_of(files)
    figures, unit_notes = _unit_figures(store, current)
    year = period.year
    results = aggregate(plan, figures, year=year)
    filled = Counter(f.unit for f in figures)
    notes = {}
    for (code, unit), note in unit_notes.items():
        prefix = f"{unit}: " if plan.is_summed(code) else ""
        notes[code] = "; ".join(filter(None, [notes.get(code, ""), prefix + note]))
    previous_period = plan.previous_period(period.code)
    mailed = store.first_mailed()
    unclaimed = unclaimed_files(plan, store, [o.sha256 for o in outcomes if o.sha256 and o.status == REJECTED], period,
                                current, mailed)
    wrong_forms = _misdirected(plan, store, outcomes, period, current, mailed)
    return Consolidation(
        plan=plan, period=period, figures=results, previous_period=previous_period,
        previous=_previous(plan, store, previous_period),
        unit_rows=unit_results(plan, figures, unit_notes, year),
        submissions=submission_rows(plan, period, files, current, filled, unclaimed, wrong_forms, mailed),
        problems=_problems(store, files, current, period, outcomes, unclaimed, wrong_forms),
        notes=notes, generated_at=clock.now(), failures=tuple(o.failure for o in outcomes if o.failure),
        unclaimed=tuple(unclaimed), wrong_forms=tuple(wrong_forms))


def summary_lines(result: Consolidation) -> list[str]:
    """A short table for the terminal: submissions, then the figures of each goal by status (a figure judged
    against a later milestone is counted as such, never as met or missed)."""
    counts = Counter(s.status for s in result.submissions)
    lines = [f"Kỳ {result.period.code}: {len(result.submissions)} đơn vị phải báo cáo – "
             + ", ".join(f"{status}: {n}" for status, n in counts.items()) + "."]
    statuses = period_statuses(result.plan.elements, result.period.year)
    widths = [max(5, len(status) + 1) for status in statuses]

    def row(first: object, cells: list) -> str:
        return f"{first:<10}" + "".join(f" {cell:>{width}}" for cell, width in zip(cells, widths))

    lines.append(row("Mục tiêu", statuses))
    for goal in result.plan.goals:
        mine = Counter(f.status for f in result.figures if result.plan.element_goal(f.element.code) == goal.number)
        lines.append(row(goal.number, [mine[status] for status in statuses]))
    lines.append(f"Vấn đề cần xem: {len(result.problems)} (trang 'Lỗi').")
    return lines
