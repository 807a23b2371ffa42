"""Messages bdg writes to a unit about its return (feedback, reminders): written as .eml drafts or sent
over SMTP, and recorded in the store so that the same message is not written twice."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bdg_excel import clock
from bdg_excel.mail import (OUTCOME_LABELS, MailError, SmtpSettings, compose_notice, retry_pause, send_one, total_line,
                            write_eml)
from bdg_excel.plan import Plan, Unit
from bdg_excel.store import Store

FEEDBACK, REMINDER = "feedback", "reminder"
PROBLEMS_LISTED = 10


@dataclass(frozen=True)
class Notice:
    """What happened to one message: ``who`` is the unit's code (or the file, when no unit is known)."""

    who: str
    outcome: str
    detail: str = ""


@dataclass(frozen=True)
class Letter:
    """One message to one unit, and what it is about (the return's SHA-256, or the day of a reminder)."""

    unit: Unit
    period: str
    kind: str
    about: str
    subject: str
    body: str
    attachment: Path | None = None


def already_written(store: Store, letter: Letter, sending: bool, what: str) -> str | None:
    """Why the letter ``what`` (``thư nhắc``) is not written again, when it was sent before (or, for drafts,
    written or sent before): ``đã gửi thư nhắc lúc 09:00 ngày 10/12/2026``, ``đã soạn …`` for a draft."""
    found = store.messaged(letter.period, letter.unit.code, letter.kind, letter.about, sent_only=sending)
    if found is None:
        return None
    when, sent = found
    return f"đã {'gửi' if sent else 'soạn'} {what} lúc {clock.shown(when)}"


def deliver(plan: Plan, letter: Letter, store: Store, eml: Path, settings: SmtpSettings | None,
            pause: float | None = None) -> Notice:
    """Write the letter as the .eml draft ``eml``, or send it with ``settings``; record it in the store."""
    unit = letter.unit
    if not unit.emails:
        return Notice(unit.code, "no-address", "đơn vị chưa có địa chỉ email trong kế hoạch")
    sender = settings.sender if settings else (plan.info.collector_email or "bdg@localhost")
    message = compose_notice(plan, unit, letter.subject, letter.body, sender, letter.attachment,
                             draft=settings is None)
    recipients = ", ".join(unit.emails + unit.cc_emails)
    if settings is None:
        write_eml(message, eml)
        store.record_message(letter.period, unit.code, letter.kind, letter.about, False, recipients)
        return Notice(unit.code, "written", str(eml))
    try:
        send_one(settings, message, retry_pause() if pause is None else pause)
    except MailError as exc:
        return Notice(unit.code, "failed", str(exc))
    store.record_message(letter.period, unit.code, letter.kind, letter.about, True, recipients)
    return Notice(unit.code, "sent", recipients)


def problem_list(lines: list[str]) -> str:
    """At most PROBLEMS_LISTED lines as a list, then how many more there are."""
    shown = [f"  - {line}" for line in lines[:PROBLEMS_LISTED]]
    if len(lines) > PROBLEMS_LISTED:
        shown.append(f"  - … và {len(lines) - PROBLEMS_LISTED} vấn đề khác.")
    return "\n".join(shown)


def summary_lines(notices: list[Notice], drafts: Path | None) -> list[str]:
    """A line per message, then counts; with ``drafts``, where the unsent .eml files are."""
    lines = [f"{n.who}: {OUTCOME_LABELS[n.outcome]} – {n.detail}" for n in notices]
    lines.append(total_line([n.outcome for n in notices]) if notices else "Không có thư nào cần viết.")
    if drafts is not None and any(n.outcome == "written" for n in notices):
        lines.append(f"Chưa gửi thư nào: các thư .eml ở '{drafts}'; thêm --send để gửi.")
    return lines


def failed(notices: list[Notice]) -> bool:
    """True when a message could not be written, sent or addressed."""
    return any(n.outcome in ("failed", "no-address", "unknown-sender") for n in notices)
