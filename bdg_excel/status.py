"""Who sent what, and when: the submission status of every expected unit for a period."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType
from typing import Mapping, Sequence
from email.utils import parseaddr

from bdg_excel.submission import REJECTED, WITH_PROBLEMS
from bdg_excel.plan import Period, Plan, Unit
from bdg_excel.store import Store, StoredFile

# Beside a late unit whose first file did not come through 'bdg collect': its time is only the file's.
BY_FILE_TIME = ("Thời điểm lấy theo ngày giờ của tệp (không nhận qua thư); nếu đơn vị đã nộp đúng hạn qua "
                "kênh khác, hãy ghi nhận riêng")
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


def came_in_round(plan: Plan, stored: StoredFile, period: Period, mailed: Mapping[str, date]) -> bool:
    """True when the file reached us in ``period``'s round (see ``Plan.round_of``; ``mailed``: when each period's
    workbooks were first emailed); a file of unknown time does."""
    received = received_time(stored)
    return received is None or plan.round_of(received.date(), mailed) == period


@dataclass(frozen=True)
class Unclaimed:
    """A rejected file that is no return of the plan's units (it cannot be read, or it is another plan's form),
    with the unit whose address emailed it (known from ``bdg collect``), if any."""

    stored: StoredFile
    unit: Unit | None
    address: str


def _claimed(plan: Plan, stored: StoredFile) -> bool:
    """True when the file says it is a return of one of the plan's units and periods."""
    return (plan.unit(stored.unit or "") is not None and stored.plan_id in (None, plan.info.id)
            and any(p.code == stored.period for p in plan.periods))


def unclaimed_files(plan: Plan, store: Store, sha256s: list[str], period: Period, current: dict[str, StoredFile],
                    mailed: Mapping[str, date]) -> list[Unclaimed]:
    """The rejected files among ``sha256s`` that are no return of the plan's units and came in ``period``'s
    round (``mailed``: see ``came_in_round``), less those a usable return the same unit sent afterwards has
    replaced."""
    found = []
    for sha256 in dict.fromkeys(sha256s):
        stored = store.file(sha256)
        if stored is None or stored.status != REJECTED or _claimed(plan, stored) or \
                not came_in_round(plan, stored, period, mailed):
            continue
        address = parseaddr(stored.sender or "")[1].lower()
        unit = plan.unit_with_address(address)
        later = current.get(unit.code) if unit else None
        if later is not None and (received_time(later) or datetime.max) >= (received_time(stored) or datetime.min):
            continue  # the unit sent a usable return since
        found.append(Unclaimed(stored, unit, address))
    return found


def misdirected(plan: Plan, stored: StoredFile, period: Period, mailed: Mapping[str, date]) -> bool:
    """True for a unit's form of an earlier period of the plan (filled in or not) that came in ``period``'s round
    (``mailed``: see ``came_in_round``): perhaps the wrong form. A later period's form sent early is no mistake."""
    return _claimed(plan, stored) and plan.period(stored.period).deadline < period.deadline and \
        came_in_round(plan, stored, period, mailed)


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
                    filled: dict[str, int], unclaimed: Sequence[Unclaimed] = (),
                    wrong_forms: Sequence[StoredFile] = (),
                    mailed: Mapping[str, date] = MappingProxyType({})) -> list[SubmissionRow]:
    """A row for every unit that enters data: on time, late, with problems, rejected or not received.
    ``unclaimed`` files (see ``unclaimed_files``) count as rejected files of the unit whose address sent them;
    ``wrong_forms`` (forms of an earlier period that came this round) are noted beside their unit, and so is a
    return in use that came in a later period's round (``mailed``: see ``came_in_round``)."""
    by_unit: dict[str, list[StoredFile]] = {}
    for stored in files:
        by_unit.setdefault(stored.unit, []).append(stored)
    rows = []
    for unit in plan.reporting_units:
        expected = len(plan.elements_for(unit.code))
        mine = by_unit.get(unit.code, [])
        theirs = [u.stored for u in unclaimed if u.unit == unit]
        rejected = [f for f in mine if f.status == REJECTED] + theirs  # theirs last: shown when nothing is usable
        chosen = current.get(unit.code)
        notes = [f"Tệp '{f.original_name}' không dùng được (nhận ra đơn vị qua địa chỉ người gửi)" for f in theirs]
        notes += [f"Đã nhận '{f.original_name}', biểu của kỳ {f.period}: có thể gửi nhầm biểu" for f in wrong_forms
                  if f.unit == unit.code]
        if chosen is None:
            status = _not_current(rejected)
            chosen = rejected[-1] if rejected else None
        else:
            usable_files = [f for f in mine if f.status != REJECTED]
            status = _status(chosen, usable_files[0], period)
            if status.startswith(LATE) and not usable_files[0].sender:
                notes.append(BY_FILE_TIME)
            came = received_time(chosen)
            later = plan.round_of(came.date(), mailed) if came is not None else period
            if later.deadline > period.deadline:
                notes.append(f"Tệp đang dùng đến ngày {came:%d/%m/%Y}, trong đợt báo cáo kỳ {later.code}: xem có "
                             "phải đơn vị gửi nhầm biểu không")
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
