"""Who sent what, and when: the submission status of every expected unit for a period."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bdg_excel.ingest import REJECTED, WITH_PROBLEMS
from bdg_excel.plan import Period, Plan, Unit
from bdg_excel.store import StoredFile

ON_TIME, LATE, PROBLEMS, REJECTED_ONLY, NOT_RECEIVED = (
    "Đúng hạn", "Nộp muộn", "có vấn đề", "Bị từ chối", "Chưa nhận")


@dataclass(frozen=True)
class SubmissionRow:
    """One expected unit on the ``Tình trạng nộp`` sheet."""

    unit: Unit
    status: str
    file: str
    received_at: datetime | None
    sender: str
    problem_count: int
    filled: int
    expected: int
    note: str

    @property
    def is_clean(self) -> bool:
        return self.status == ON_TIME


def _status(current: StoredFile, period: Period) -> str:
    received = datetime.fromisoformat(current.received_at)
    status = LATE if received.date() > period.deadline else ON_TIME
    return f"{status}, {PROBLEMS}" if current.status == WITH_PROBLEMS else status


def submission_rows(plan: Plan, period: Period, files: list[StoredFile], current: dict[str, StoredFile],
                    filled: dict[str, int]) -> list[SubmissionRow]:
    """A row for every unit that enters data: on time, late, with problems, rejected or not received."""
    by_unit: dict[str, list[StoredFile]] = {}
    for stored in files:
        by_unit.setdefault(stored.unit, []).append(stored)
    rows = []
    for unit in plan.reporting_units:
        expected = len(plan.elements_for(unit.code))
        mine = by_unit.get(unit.code, [])
        rejected = [f for f in mine if f.status == REJECTED]
        chosen = current.get(unit.code)
        notes = []
        if chosen is None:
            status = REJECTED_ONLY if rejected else NOT_RECEIVED
            chosen = rejected[-1] if rejected else None
        else:
            status = _status(chosen, period)
            earlier = [f for f in mine if f.status != REJECTED and f.id != chosen.id]
            if earlier:
                notes.append(f"Thay thế {len(earlier)} tệp gửi trước")
        if rejected and status != REJECTED_ONLY:
            notes.append(f"{len(rejected)} tệp bị từ chối")
        if chosen is not None and status != REJECTED_ONLY and filled.get(unit.code, 0) < expected:
            notes.append(f"Chưa có số liệu: {expected - filled.get(unit.code, 0)}/{expected} chỉ tiêu")
        rows.append(SubmissionRow(
            unit=unit, status=status, file=chosen.original_name if chosen else "",
            received_at=datetime.fromisoformat(chosen.received_at) if chosen else None,
            sender=(chosen.sender or "") if chosen else "", problem_count=chosen.problem_count if chosen else 0,
            filled=filled.get(unit.code, 0) if chosen and status != REJECTED_ONLY else 0,
            expected=expected, note="; ".join(notes)))
    return rows
