"""Reminders to the units without a usable return for a period: courteous before the deadline, a
notice that the report is late after it; at most one a day per unit."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from bdg_excel import clock
from bdg_excel.mail import SmtpSettings
from bdg_excel.notices import FEEDBACK, REMINDER, Letter, Notice, already_written, deliver
from bdg_excel.plan import Period, Plan, Unit
from bdg_excel.status import unclaimed_files
from bdg_excel.store import Store, StoredFile, latest_of
from bdg_excel.submission import REJECTED
from bdg_excel.template import template_units


def remind(plan: Plan, period_code: str, store_path: Path, outbox: Path, *, as_of: date | None = None,
           unit_codes=(), settings: SmtpSettings | None = None, resend: bool = False,
           pause: float | None = None) -> list[Notice]:
    """Write (or send, with ``settings``) a reminder to every unit with no usable return for the period
    on the day ``as_of`` (today in Vietnam by default); a unit already reminded that day is skipped
    unless ``resend``."""
    period = plan.period(period_code)
    as_of = as_of or clock.now().date()
    notices = []
    with Store(store_path) as store:
        files = store.files(period.code)
        current = latest_of(files)
        rejected = [f.sha256 for f in store.files() if f.status == REJECTED]
        unusable = {u.unit.code for u in unclaimed_files(plan, store, rejected, period, current, store.first_mailed())
                    if u.unit}
        answered = {unit for unit, _ in store.messages(period.code, FEEDBACK)} | unusable  # bdg has a file of theirs
        told = {unit for unit, _ in store.messages(period.code, FEEDBACK, sent_only=True)}  # drafts may never go
        by_unit: dict[str, list[StoredFile]] = {}
        for stored in files:
            by_unit.setdefault(stored.unit, []).append(stored)
        for unit in template_units(plan, unit_codes):
            if unit.code in current:
                continue
            letter = _letter(plan, period, unit, by_unit.get(unit.code, []), unit.code in answered,
                             unit.code in told, as_of)
            earlier = already_written(store, letter, settings is not None, "thư nhắc")
            if earlier and not resend:
                notices.append(Notice(unit.code, "skipped", earlier))
                continue
            eml = Path(outbox) / f"{period.code}_{unit.code}_nhac_{as_of.isoformat()}.eml"
            notices.append(deliver(plan, letter, store, eml, settings, pause))
    return notices


def _letter(plan: Plan, period: Period, unit: Unit, sent: list[StoredFile], answered: bool, told: bool,
            as_of: date) -> Letter:
    """The reminder; ``answered``: bdg has a file of the unit it cannot use for this period (unreadable, another
    plan's or period's form: a feedback letter was written about it, or it came from the unit's address),
    ``told``: a feedback letter about it was sent."""
    deadline = f"{period.deadline:%d/%m/%Y}"
    late = (as_of - period.deadline).days
    if not sent and answered:  # a file that could not be read, or another period's form
        received = "đã nhận tệp của đơn vị nhưng chưa dùng được" + \
            (" (xem thư phản hồi đã gửi đơn vị)" if told else "")
    elif not sent:
        received = "chưa nhận được báo cáo của đơn vị"
    elif sent[-1].first_error == "empty-return":
        received = f"mới nhận được biểu trống (tệp '{sent[-1].original_name}', chưa điền số liệu)"
    else:
        received = f"chưa nhận được báo cáo dùng được (tệp '{sent[-1].original_name}' bị từ chối)"
    if late > 0:
        subject = f"[BĐG] Quá hạn: {period.name} – {unit.name}"
        opening = (f"{plan.info.collector} thông báo: đến ngày {as_of:%d/%m/%Y}, {received}. Hạn nộp là ngày "
                   f"{deadline}; báo cáo đã chậm {late} ngày. Đề nghị đơn vị gửi báo cáo ngay.")
    else:
        subject = f"[BĐG] Nhắc gửi: {period.name} – {unit.name}"
        opening = (f"Đến ngày {as_of:%d/%m/%Y}, {plan.info.collector} {received}. Xin trân trọng nhắc đơn vị "
                   f"gửi báo cáo trước hạn nộp ngày {deadline}.")
    missing = [f"{e.code}: {e.full_label}" for e in plan.elements_for(unit.code)]
    body = "\n".join([f"Kính gửi {unit.name},", "", opening, "", "Các số liệu còn thiếu:",
                      *(f"  - {line}" for line in missing), "",
                      "Biểu thu thập số liệu đã được gửi kèm thư trước; nếu cần biểu mới, xin trả lời thư này.",
                      "", "Trân trọng,", plan.info.collector, ""])
    return Letter(unit, period.code, REMINDER, as_of.isoformat(), subject, body)
