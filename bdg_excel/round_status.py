"""``bdg status``: a reporting round on one screen — who returned, who is late, how many problems,
what to run next. It reads the store and the inbox and changes neither."""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bdg_excel.consolidation import build
from bdg_excel.ingest import Outcome, inbox_entries
from bdg_excel.notices import FEEDBACK
from bdg_excel.plan import Period, Plan, placeholder_addresses
from bdg_excel.problems import ERROR
from bdg_excel.status import LATE, NOT_RECEIVED, ON_TIME, SubmissionRow, submission_rows
from bdg_excel.store import Store


@dataclass(frozen=True)
class RoundStatus:
    """What ``bdg status`` shows."""

    period: Period
    today: date
    rows: list[SubmissionRow]
    errors: int
    warnings: int
    waiting: int  # files in the inbox that are not in the store yet
    templates: int | None  # collection workbooks written for the period (None: unknown, no folder)
    mailed: int
    consolidated: Path | None  # the period's consolidated workbook, when it exists
    placeholders: int = 0  # example addresses (.example) still in the plan
    unanswered: int = 0  # units whose last file of the period has problems no feedback was written about
    unreadable: list[str] = field(default_factory=list)  # inbox files no unit of the plan claims (corrupt, not ours)
    other_period: list[str] = field(default_factory=list)  # "NINHHOA: kỳ 2026-H1 (tên tệp)": another period's
    # form that came in this round from a unit that has sent nothing for this one

    @property
    def returned(self) -> list[SubmissionRow]:
        return [r for r in self.rows if r.status.startswith((ON_TIME, LATE))]

    @property
    def missing(self) -> list[SubmissionRow]:
        return [r for r in self.rows if not r.status.startswith((ON_TIME, LATE))]


def round_status(plan: Plan, period_code: str, store_path: Path, today: date, inbox: Path | None = None,
                 templates: Path | None = None, consolidated: Path | None = None) -> RoundStatus:
    """The state of a period's round, read from the store (never created here) and the inbox."""
    period = plan.period(period_code)
    rows, errors, warnings, mailed, known = submission_rows(plan, period, [], {}, {}), 0, 0, 0, set()
    unreadable, other_period, unanswered = [], [], 0
    inbox_files = _inbox_files(inbox)
    if Path(store_path).is_file():
        with Store(store_path) as store:
            in_store = [(path, stored) for path in inbox_files if (stored := store.file(_sha256(path)))]
            known = {path for path, _ in in_store}
            result = build(plan, period, store, [Outcome(path, stored.sha256, stored.status, stored.unit, stored.period)
                                                 for path, stored in in_store])
            rows = result.submissions
            severities = Counter(p.severity for _, p in result.problems)
            errors, warnings = severities[ERROR], sum(severities.values()) - severities[ERROR]
            mailed = len(store.units_mailed(period.code))
            last = {f.unit: f for f in store.files(period.code) if f.unit}  # in the order they supersede
            answered = {about for _, about in store.messages(period.code, FEEDBACK)}
            unanswered = sum(1 for f in last.values() if f.problem_count and f.sha256 not in answered) + \
                sum(1 for u in result.unclaimed if u.unit and u.stored.sha256 not in answered)
            unreadable = [u.stored.original_name + (f" (gửi từ địa chỉ của {u.unit.code})" if u.unit else "")
                          for u in result.unclaimed]
            other_period = [f"{f.unit}: kỳ {f.period} ({f.original_name})" for f in result.wrong_forms]
    waiting = len([path for path in inbox_files if path not in known])
    count = len(list(templates.glob(f"{period.code}_*.xlsx"))) if templates and templates.is_dir() else \
        (0 if templates else None)
    return RoundStatus(period, today, rows, errors, warnings, waiting, count, mailed,
                       consolidated if consolidated and consolidated.is_file() else None,
                       len(placeholder_addresses(plan)), unanswered, unreadable, other_period)


def _inbox_files(inbox: Path | None) -> list[Path]:
    return inbox_entries(inbox)[0] if inbox and inbox.is_dir() else []


def _sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return ""


def _units(rows: list[SubmissionRow]) -> str:
    return ", ".join(f"{r.unit.code} ({r.unit.name})" for r in rows)


def status_lines(state: RoundStatus) -> list[str]:
    """The round on one screen, ending with the next command to run."""
    period, deadline = state.period, state.period.deadline
    days = (state.today - deadline).days
    when = (f"đã quá hạn {days} ngày" if days > 0 else "hôm nay là hạn nộp" if days == 0
            else f"còn {-days} ngày")
    lines = [f"Kỳ {period.code} ({period.name}), hạn nộp {deadline:%d/%m/%Y}; hôm nay {state.today:%d/%m/%Y}, "
             f"{when}."]
    late = [r for r in state.returned if r.status.startswith(LATE)]
    lines.append(f"Đã nộp: {len(state.returned)}/{len(state.rows)} đơn vị (đúng hạn {len(state.returned) - len(late)}"
                 f", nộp muộn {len(late)}).")
    if late:
        lines.append(f"Nộp muộn ({len(late)}): {_units(late)}.")
    if state.missing:
        label = "Quá hạn chưa nộp" if days > 0 else "Chưa nộp"
        lines.append(f"{label} ({len(state.missing)}): {_units(state.missing)}.")
    unusable = [r for r in state.missing if r.status != NOT_RECEIVED]
    if unusable:
        lines.append("Biểu không dùng được: " + ", ".join(f"{r.unit.code} ({r.status})" for r in unusable) + ".")
    lines.append(f"Vấn đề trong các biểu đã nhận: {state.errors} lỗi, {state.warnings} cảnh báo.")
    if state.unreadable:
        lines.append(f"Tệp không dùng được (không đọc được, hoặc không phải biểu của kế hoạch này) ({len(state.unreadable)}): "
                     + ", ".join(state.unreadable) + " – xem trang 'Lỗi' của bảng tổng hợp.")
    if state.other_period:
        lines.append(f"Biểu của kỳ khác nhận trong đợt này, đơn vị chưa gửi biểu kỳ này ({len(state.other_period)}): "
                     + "; ".join(state.other_period)
                     + " – đơn vị có thể đã gửi nhầm biểu.")
    if state.waiting:
        lines.append(f"Hộp thư có {state.waiting} tệp mới chưa nhận vào kho dữ liệu.")
    lines.append(f"Việc tiếp theo: {next_step(state)}")
    return lines


def next_step(state: RoundStatus) -> str:
    """The command (or the wait) that moves the round on."""
    code = state.period.code
    if state.templates == 0:
        return f"bdg templates --period {code}"
    if state.waiting:
        return f"bdg consolidate --period {code} --pdf"
    if not state.returned and not state.mailed and not any(r.status != NOT_RECEIVED for r in state.rows):
        if state.placeholders:
            return (f"sửa {state.placeholders} địa chỉ email mẫu (tên miền .example) trong kehoach.xlsx (xem 'bdg plan "
                    f"check'), rồi bdg mail --period {code} --send")
        return f"bdg mail --period {code} --send"
    if state.unanswered:
        return f"bdg feedback --period {code} --send (trả lại đơn vị các biểu có lỗi, đã đánh dấu ô cần sửa)"
    if state.missing:
        return (f"nhắc {len(state.missing)} đơn vị còn lại bằng 'bdg remind --period {code} --send'; khi có thư "
                "trả lời, lưu biểu vào hộp thư bằng "
                f"'bdg collect TỆP-THƯ' (hoặc chép tệp vào thư mục hop-thu), rồi 'bdg consolidate --period {code} "
                "--pdf'.")
    if state.consolidated is None:
        return f"bdg consolidate --period {code} --pdf"
    return f"đã nhận đủ; bảng tổng hợp ở '{state.consolidated}'."
