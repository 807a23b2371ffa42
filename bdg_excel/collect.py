"""Save the workbooks attached to the units' replies into the inbox folder.

Sources are .eml files, mbox files or Maildir folders, as mail clients save them. Every
workbook attachment is saved once under a safe name; who sent it and when is recorded in
the store, so that lateness is judged by when the unit sent it.
"""
from __future__ import annotations

import email
import hashlib
import mailbox
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path
from typing import Iterator

from bdg_excel.atomic import atomic_output
from bdg_excel.filenames import free_path, safe_name
from bdg_excel.store import Store

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb")


@dataclass(frozen=True)
class Attachment:
    """One attachment found in a message, and what became of it."""

    source: str
    name: str
    sender: str
    outcome: str  # "saved", "duplicate", "not-a-workbook"
    saved_as: str = ""


def messages(source: Path) -> Iterator[tuple[str, EmailMessage]]:
    """(where, message) for every message in an .eml file, an mbox file or a Maildir (or a folder of .eml)."""
    source = Path(source)
    if source.is_dir():
        if (source / "cur").is_dir() and (source / "new").is_dir():
            box = mailbox.Maildir(source, factory=None, create=False)
            for key in sorted(box.keys()):
                yield f"{source.name}/{key}", _parse(box.get_bytes(key))
        else:
            for path in sorted(source.rglob("*.eml")):
                yield path.name, _parse(path.read_bytes())
        return
    data = source.read_bytes()
    if data.startswith(b"From "):
        box = mailbox.mbox(source, create=False)
        for index, key in enumerate(box.keys(), start=1):
            yield f"{source.name}#{index}", _parse(box.get_bytes(key))
        box.close()
    else:
        yield source.name, _parse(data)


def _parse(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=policy.default)


def _sent_at(message: EmailMessage) -> str:
    try:
        sent = parsedate_to_datetime(message["Date"])
    except (TypeError, ValueError):
        return ""
    if sent.tzinfo is not None:
        sent = sent.astimezone().replace(tzinfo=None)
    return sent.isoformat(timespec="seconds")


def collect(sources: list[Path], inbox: Path, store: Store) -> list[Attachment]:
    """Save every new workbook attachment of the sources into ``inbox``; list every attachment seen."""
    inbox.mkdir(parents=True, exist_ok=True)
    found = []
    for source in sources:
        for where, message in messages(source):
            sender = parseaddr(str(message.get("From", "")))[1]
            for part in message.walk():
                if part.get_content_disposition() not in ("attachment", "inline") or not part.get_filename():
                    continue
                name = safe_name(part.get_filename())
                if not name.lower().endswith(WORKBOOK_SUFFIXES):
                    found.append(Attachment(where, part.get_filename(), sender, "not-a-workbook"))
                    continue
                data = part.get_payload(decode=True) or b""
                sha256 = hashlib.sha256(data).hexdigest()
                path, present = free_path(inbox, name, data)
                if present or store.has_received(sha256):
                    found.append(Attachment(where, name, sender, "duplicate", path.name if present else ""))
                    continue
                with atomic_output(path) as tmp:  # a killed run never leaves half an attachment
                    tmp.write_bytes(data)
                store.record_received(sha256, sender, _sent_at(message), str(message.get("Subject", "")), path.name)
                found.append(Attachment(where, name, sender, "saved", path.name))
    return found


OUTCOME_LABELS = {"saved": "đã lưu", "duplicate": "trùng, bỏ qua", "not-a-workbook": "không phải bảng tính, bỏ qua"}


def summary_lines(found: list[Attachment]) -> list[str]:
    """A line per attachment, then counts."""
    lines = [f"{a.source}: {a.name} ({a.sender}) – {OUTCOME_LABELS[a.outcome]}"
             + (f" → {a.saved_as}" if a.outcome == "saved" else "") for a in found]
    counts = ", ".join(f"{label} {sum(a.outcome == k for a in found)}" for k, label in OUTCOME_LABELS.items())
    lines.append(f"Tổng cộng {len(found)} tệp đính kèm: {counts}.")
    return lines
