"""The units' returns answered: ingest the inbox, then send each unit whose latest return of the period
has a problem, was rejected or is empty its workbook annotated, with a short message and a new deadline.
A file no unit claims is answered to the unit whose address emailed it: one that could not be read, without
attachment, asking for it again; another plan's form (or another unit's), with this period's workbook."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from bdg_excel import clock
from bdg_excel.annotate import annotated_return
from bdg_excel.ingest import inbox_entries, ingest_paths
from bdg_excel.layout import template_file_name
from bdg_excel.mail import SmtpSettings
from bdg_excel.notices import FEEDBACK, Letter, Notice, already_written, deliver, problem_list
from bdg_excel.plan import Period, Plan, Unit
from bdg_excel.problems import ERROR, Problem
from bdg_excel.progress import Progress
from bdg_excel.status import Unclaimed, misdirected, unclaimed_files
from bdg_excel.store import Store, StoredFile, latest_of
from bdg_excel.submission import ACCEPTED, REJECTED
from bdg_excel.template import template_units, write_template
from bdg_excel.workdays import working_days_after

WORKING_DAYS = 3
NOT_THIS_FORM = ("wrong-plan", "unknown-unit", "unit-not-expected")  # a workbook, but not this unit's form


def default_deadline(period: Period, days_off: tuple[date, ...] = ()) -> date:
    """Three working days from today in Vietnam (public holidays and ``days_off`` are not working days), or the
    period's own deadline when that is later: a unit answered early keeps the time the plan gives it."""
    return max(working_days_after(clock.now().date(), WORKING_DAYS, days_off), period.deadline)


def feedback(inbox: Path, plan: Plan, period_code: str, out_dir: Path, store_path: Path, *, unit_codes=(),
             settings: SmtpSettings | None = None, deadline: date | None = None, days_off: tuple[date, ...] = (),
             pause: float | None = None, show_progress: bool = False) -> list[Notice]:
    """Ingest ``inbox``, then answer every unit (of ``unit_codes``, else all) whose latest return of the
    period needs it: annotated workbooks and .eml drafts in ``out_dir``, or messages sent with ``settings``.
    Without a ``deadline``, the default one (``days_off`` are not working days)."""
    period = plan.period(period_code)
    units = template_units(plan, unit_codes)
    deadline = deadline or default_deadline(period, days_off)
    paths, _ = inbox_entries(inbox)  # skipped entries are ingest's to list, not the units'
    with Store(store_path) as store:
        outcomes = list(ingest_paths(paths, plan, store, Progress(len(paths)) if show_progress else None))
        files = store.files(period.code)
        latest = {f.unit: f for f in files if f.unit}
        reply = _Reply(plan, period, store, Path(out_dir), settings, deadline, pause)
        notices = [reply.to_return(unit, latest[unit.code]) for unit in units
                   if unit.code in latest and latest[unit.code].status != ACCEPTED]
        rejected, mailed = [o.sha256 for o in outcomes if o.sha256 and o.status == REJECTED], store.first_mailed()
        unclaimed = [reply.to_unclaimed(item, units)
                     for item in unclaimed_files(plan, store, rejected, period, latest_of(files), mailed)]
        # with --unit, a file nobody can tie to one of those units is not theirs to hear about
        notices += [n for n in unclaimed if not (unit_codes and n and n.outcome == "unknown-sender")]
        without_return = {u.code: u for u in units if u.code not in latest}
        others = [o.sha256 for o in outcomes if o.unit in without_return and o.of_another_period(period.code)]
        for sha256 in dict.fromkeys(others):  # a unit that sent only another period's form this round: once per unit
            stored = store.file(sha256)
            if stored and stored.unit in without_return and misdirected(plan, stored, period, mailed):
                notices.append(reply.to_other_period(without_return.pop(stored.unit), stored))
    return [n for n in notices if n is not None]


class _Reply:
    def __init__(self, plan: Plan, period: Period, store: Store, out_dir: Path, settings, deadline: date, pause):
        self.plan, self.period, self.store, self.out_dir = plan, period, store, out_dir
        self.settings, self.deadline, self.pause = settings, deadline, pause

    def _answered_before(self, unit: Unit, stored: StoredFile) -> Notice | None:
        """The skip when this file was answered before: checked first, so nothing is written again."""
        earlier = already_written(self.store, Letter(unit, self.period.code, FEEDBACK, stored.sha256, "", ""),
                                  self.settings is not None, "thư trả lời tệp này")
        return Notice(unit.code, "skipped", earlier) if earlier else None

    def _send(self, letter: Letter, stem: str) -> Notice:
        return deliver(self.plan, letter, self.store, self.out_dir / f"{stem}.eml", self.settings, self.pause)

    def to_return(self, unit: Unit, stored: StoredFile) -> Notice:
        """The unit's latest return of the period, annotated and answered."""
        problems = [Problem(r["code"], r["severity"], r["message"], stored.original_name, r["sheet"] or "",
                            r["cell"] or "") for r in self.store.problems([stored.id])]
        stem = Path(template_file_name(self.period.code, unit.code, unit.name)).stem + "_kiem-tra"
        if skipped := self._answered_before(unit, stored):
            return skipped
        data = self.store.original(stored.sha256)
        if data is None:  # too large to keep: there is nothing to annotate
            return self._send(self._ask_again(unit, stored, problems), stem)
        path = annotated_return(self.plan, self.period, unit, data, problems, self.out_dir / f"{stem}.xlsx")
        return self._send(self._annotated(unit, stored, problems, path), stem)

    def to_unclaimed(self, item: Unclaimed, units: list[Unit]) -> Notice | None:
        """A file no unit claims (unreadable, or another plan's form), answered to the unit that emailed it,
        when known and among ``units``."""
        stored, unit = item.stored, item.unit
        if unit is None:
            owners = [u.code for u in self.plan.reporting_units if u.has_address(item.address)]
            if owners:
                return Notice(stored.original_name, "unknown-sender", f"địa chỉ '{item.address}' là của nhiều đơn vị "
                              f"({', '.join(owners)}): không biết đơn vị nào gửi; hãy trả lời người gửi")
            if item.address:
                return Notice(stored.original_name, "unknown-sender",
                              f"không nhận ra đơn vị báo cáo nào từ địa chỉ '{item.address}'; hãy trả lời người gửi")
            return Notice(stored.original_name, "unknown-sender",
                          "tệp không dùng được và không rõ ai gửi (không nhận qua 'bdg collect'); hãy hỏi đơn vị")
        if unit not in units:  # a unit left out by --unit
            return None
        problems = [Problem(r["code"], r["severity"], r["message"], stored.original_name)
                    for r in self.store.problems([stored.id])]
        stem = Path(template_file_name(self.period.code, unit.code, unit.name)).stem + f"_gui-lai_{stored.id}"
        if skipped := self._answered_before(unit, stored):
            return skipped
        if stored.first_error in NOT_THIS_FORM:
            path = write_template(self.plan, self.period, unit, self.out_dir / f"{stem}.xlsx")
            return self._send(self._other_form(unit, stored, problems, path), stem)
        return self._send(self._ask_again(unit, stored, problems), stem)

    def to_other_period(self, unit: Unit, stored: StoredFile) -> Notice:
        """A unit that sent only a return of another period this round: its collection workbook of this
        period, with a message saying which form it sent."""
        stem = Path(template_file_name(self.period.code, unit.code, unit.name)).stem + "_bieu-dung-ky"
        if skipped := self._answered_before(unit, stored):
            return skipped
        path = write_template(self.plan, self.period, unit, self.out_dir / f"{stem}.xlsx")
        sent = self.plan.period(stored.period).name if any(p.code == stored.period for p in self.plan.periods) \
            else f"kỳ {stored.period}"
        body = "\n".join([
            f"Kính gửi {unit.name},", "",
            f"{self.plan.info.collector} đã nhận tệp '{stored.original_name}' của đơn vị, nhưng đó là biểu của kỳ "
            f"{stored.period} ({sent}), không phải của kỳ đang thu thập: {self.period.code} ({self.period.name}).",
            "", f"Đề nghị đơn vị điền biểu đính kèm '{path.name}' (biểu của kỳ {self.period.code}) và gửi lại chậm "
            f"nhất ngày {self.deadline:%d/%m/%Y}. Nếu tệp đã gửi là báo cáo muộn của kỳ {stored.period}, đơn vị vẫn "
            f"cần gửi báo cáo kỳ {self.period.code}.", "", "Trân trọng,", self.plan.info.collector, ""])
        letter = Letter(unit, self.period.code, FEEDBACK, stored.sha256,
                        f"[BĐG] Gửi nhầm biểu: {self.period.name} – {unit.name}", body, path)
        return self._send(letter, stem)

    def _annotated(self, unit: Unit, stored: StoredFile, problems: list[Problem], path: Path) -> Letter:
        errors = sum(p.severity == ERROR for p in problems)
        warnings = len(problems) - errors
        rejected = stored.status == REJECTED
        found = " và ".join(f"{n} {word}" for n, word in ((errors, "lỗi"), (warnings, "cảnh báo")) if n)
        verdict = ("Tệp chưa dùng được" if rejected else "Số liệu đã được nhận") + \
            f"; chương trình kiểm tra thấy {found or 'vấn đề sau'}:"
        body = "\n".join([
            f"Kính gửi {unit.name},", "",
            f"{self.plan.info.collector} đã nhận tệp '{stored.original_name}' của đơn vị cho kỳ {self.period.code} "
            f"({self.period.name}). "
            f"{verdict}", "",
            problem_list([p.describe(with_file=False, with_code=False) for p in problems]), "",
            f"Tệp đính kèm '{path.name}' là biểu của đơn vị với các ô có vấn đề được tô màu (lỗi: nền đỏ; cảnh báo: "
            "kẻ sọc cam) và có ghi chú; trang 'Kết quả kiểm tra' liệt kê đầy đủ các vấn đề và cách xử lý. "
            "Đề nghị đơn vị sửa ngay trên tệp này (không cần xóa trang 'Kết quả kiểm tra') và gửi lại chậm "
            f"nhất ngày {self.deadline:%d/%m/%Y}. Nếu số liệu có cảnh báo là đúng, xin ghi lý do vào cột 'Ghi chú'.",
            "", "Trân trọng,", self.plan.info.collector, ""])
        return Letter(unit, self.period.code, FEEDBACK, stored.sha256,
                      f"[BĐG] Kết quả kiểm tra: {self.period.name} – {unit.name}", body, path)

    def _other_form(self, unit: Unit, stored: StoredFile, problems: list[Problem], path: Path) -> Letter:
        body = "\n".join([
            f"Kính gửi {unit.name},", "",
            f"{self.plan.info.collector} đã nhận tệp '{stored.original_name}' của đơn vị cho kỳ {self.period.code} "
            f"({self.period.name}), nhưng đó không phải biểu thu thập số liệu của đơn vị trong "
            f"{self.plan.info.title}:", "",
            problem_list([p.message for p in problems]), "",
            f"Đề nghị đơn vị điền biểu đính kèm '{path.name}' và gửi lại chậm nhất ngày {self.deadline:%d/%m/%Y}.", "",
            "Trân trọng,", self.plan.info.collector, ""])
        return Letter(unit, self.period.code, FEEDBACK, stored.sha256,
                      f"[BĐG] Gửi nhầm biểu: {self.period.name} – {unit.name}", body, path)

    def _ask_again(self, unit: Unit, stored: StoredFile, problems: list[Problem]) -> Letter:
        body = "\n".join([
            f"Kính gửi {unit.name},", "",
            f"{self.plan.info.collector} đã nhận tệp '{stored.original_name}' của đơn vị cho kỳ {self.period.code} "
            f"({self.period.name}) "
            "nhưng không đọc được tệp:", "",
            problem_list([p.message for p in problems]), "",
            "Đề nghị đơn vị gửi lại biểu thu thập số liệu đã điền (tệp Excel .xlsx, không đặt mật khẩu) chậm "
            f"nhất ngày {self.deadline:%d/%m/%Y}.", "", "Trân trọng,", self.plan.info.collector, ""])
        return Letter(unit, self.period.code, FEEDBACK, stored.sha256,
                      f"[BĐG] Đề nghị gửi lại: {self.period.name} – {unit.name}", body)
