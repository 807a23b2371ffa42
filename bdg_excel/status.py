"""Who sent what, and when: the submission status of every expected unit for a period."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr

from bdg_excel.submission import REJECTED, WITH_PROBLEMS
from bdg_excel.plan import Period, Plan, Unit
from bdg_excel.store import StoredFile

ON_TIME, LATE, PROBLEMS, REJECTED_ONLY, EMPTY, NOT_RECEIVED = (
    "Đúng hạn", "Nộp muộn", "có vấn đề", "Bị từ chối", "Gửi biểu trống", "Chưa nhận")


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


def received_time(stored: StoredFile) -> datetime | None:
    """When a stored file was sent (Vietnam's time); None when the store has no usable time for it."""
    try:
        return datetime.fromisoformat(stored.received_at or "")
    except ValueError:
        return None


def _status(current: StoredFile, first: StoredFile, period: Period) -> str:
    """On time when the unit's first usable file came by the deadline: a correction sent later, when asked
    for, does not make the unit late; 'có vấn đề' when the file in use has problems."""
    received = received_time(first)
    status = LATE if received and received.date() > period.deadline else ON_TIME
    return f"{status}, {PROBLEMS}" if current.status == WITH_PROBLEMS else status


def _not_current(rejected: list[StoredFile]) -> str:
    """The status of a unit none of whose files can be used."""
    if not rejected:
        return NOT_RECEIVED
    return EMPTY if rejected[-1].first_error == "empty-return" else REJECTED_ONLY


def submission_rows(plan: Plan, period: Period, files: list[StoredFile], current: dict[str, StoredFile],
                    filled: dict[str, int], unreadable: dict[str, list[StoredFile]] | None = None) -> list[SubmissionRow]:
    """A row for every unit that enters data: on time, late, with problems, rejected or not received.
    ``unreadable``: files that could not be read at all, under the unit whose address emailed them; they
    count as that unit's rejected files."""
    by_unit: dict[str, list[StoredFile]] = {}
    for stored in files:
        by_unit.setdefault(stored.unit, []).append(stored)
    rows = []
    for unit in plan.reporting_units:
        expected = len(plan.elements_for(unit.code))
        mine = by_unit.get(unit.code, [])
        unread = (unreadable or {}).get(unit.code, [])
        rejected = [f for f in mine if f.status == REJECTED] + unread  # the unread last: shown when nothing is usable
        chosen = current.get(unit.code)
        notes = [f"Tệp '{f.original_name}' không đọc được (nhận ra đơn vị qua địa chỉ người gửi)" for f in unread]
        if chosen is None:
            status = _not_current(rejected)
            chosen = rejected[-1] if rejected else None
        else:
            usable_files = [f for f in mine if f.status != REJECTED]
            status = _status(chosen, usable_files[0], period)
            earlier = [f for f in usable_files if f.id != chosen.id]
            if earlier:
                first = received_time(usable_files[0])
                notes.append(f"Thay thế {len(earlier)} tệp gửi trước"
                             + (f" (tệp đầu tiên gửi ngày {first:%d/%m/%Y})" if first else ""))
        if chosen is not None and chosen.sender and not unit.has_address(parseaddr(chosen.sender)[1]):
            notes.append(f"Người gửi {parseaddr(chosen.sender)[1]} không phải địa chỉ của đơn vị trong kế hoạch")
        usable = status not in (REJECTED_ONLY, EMPTY)
        if rejected and usable:
            notes.append(f"{len(rejected)} tệp bị từ chối")
        if chosen is not None and usable and filled.get(unit.code, 0) < expected:
            notes.append(f"Chưa có số liệu: {expected - filled.get(unit.code, 0)}/{expected} chỉ tiêu")
        rows.append(SubmissionRow(
            unit=unit, status=status, file=chosen.original_name if chosen else "",
            received_at=received_time(chosen) if chosen else None,
            sender=(chosen.sender or "") if chosen else "", problem_count=chosen.problem_count if chosen else 0,
            filled=filled.get(unit.code, 0) if chosen and usable else 0,
            expected=expected, note="; ".join(notes)))
    return rows
