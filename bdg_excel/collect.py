"""Save the workbooks attached to the units' replies into the inbox folder.

Sources are .eml files, Outlook .msg files, mbox files, Maildir folders or folders of .eml, .msg
and mbox files, as mail clients save them. A workbook is known by its bytes (or by a workbook name)
and saved once under a safe name that keeps its extension; who sent it and when is recorded in
the store, in Vietnam's time, so that lateness is judged by when the unit sent it. Replies that
carry no workbook are listed, and a file or message that cannot be read is reported while the
rest go on.
"""
from __future__ import annotations

import email
import hashlib
import mailbox
import re
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from functools import partial
from pathlib import Path
from typing import Callable, Iterator

from bdg_excel import clock
from bdg_excel.atomic import OutputError, atomic_output
from bdg_excel.container import MAX_FILE_BYTES, OLE_MAGIC, WORKBOOK_SUFFIXES, ZIP_MAGIC, Archive, Refused
from bdg_excel.errors import os_reason
from bdg_excel.filenames import free_path, safe_name, shortened
from bdg_excel.store import Store

TYPE_SUFFIXES = {"application/vnd.oasis.opendocument.spreadsheet": ".ods",
                 "application/vnd.ms-excel.sheet.macroenabled.12": ".xlsm"}
# Zip and compound files that are not workbooks, known by their name or declared type.
OTHER_SUFFIXES = (".msg", ".doc", ".docx", ".docm", ".dot", ".dotx", ".ppt", ".pptx", ".pps", ".ppsx", ".pub",
                  ".vsd", ".vsdx", ".odt", ".odp", ".zip")
OTHER_TYPES = ("application/msword", "application/vnd.ms-word", "application/vnd.ms-powerpoint",
               "application/vnd.ms-outlook", "application/vnd.openxmlformats-officedocument.wordprocessingml",
               "application/vnd.openxmlformats-officedocument.presentationml",
               "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.presentation",
               "application/zip", "application/x-zip")
MAIL_SUFFIXES = (".eml", ".msg")
NO_NAME = "(không có tên)"


@dataclass(frozen=True)
class Part:
    """One attached file: its name as sent ('' when it has none), its declared type and its bytes."""

    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Mail:
    """One message of a source: where it is, who sent it, when (as the message says) and its files."""

    where: str
    sender: str
    subject: str
    date: datetime | None
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Unreadable:
    """A source file or message that could not be read."""

    where: str
    reason: str


@dataclass(frozen=True)
class Attachment:
    """One attachment found in a message, and what became of it."""

    source: str
    name: str
    sender: str
    outcome: str  # "saved", "duplicate", "not-a-workbook"
    saved_as: str = ""
    warning: str = ""


@dataclass(frozen=True)
class Collection:
    """What a run found: every attachment, the replies without a workbook, what could not be read."""

    attachments: tuple[Attachment, ...]
    without_workbook: tuple[Mail, ...]  # without their parts
    unreadable: tuple[Unreadable, ...]

    @property
    def clean(self) -> bool:
        """True when every source and message could be read."""
        return not self.unreadable


def mails(source: Path) -> Iterator[Mail | Unreadable]:
    """Every message of a source, a folder's mbox files included; a file or message that cannot be read is
    an Unreadable, and the rest go on."""
    source = Path(source)
    yield from _read(source.name, _messages(source))
    if source.is_dir() and not _is_maildir(source):
        for path in _mbox_files(source):
            where = f"{source.name}/{path.relative_to(source).as_posix()}"
            yield from _read(where, _mbox_messages(path, where))


def _read(where: str, messages: Iterator[tuple[str, Callable[[], Mail]]]) -> Iterator[Mail | Unreadable]:
    """Each message read; one that cannot be read, or a source (``where``) that cannot be, is an Unreadable."""
    try:
        for place, read in messages:
            try:
                mail = read()
            except Exception as exc:  # noqa: BLE001 - on damaged input email and extract-msg raise anything
                yield Unreadable(place, _reason(exc))
            else:
                yield mail
    except (OSError, mailbox.Error) as exc:
        yield Unreadable(where, _reason(exc))


def _reason(exc: Exception) -> str:
    if isinstance(exc, PermissionError):
        return "không có quyền đọc"
    if isinstance(exc, FileNotFoundError):
        return "không tìm thấy tệp"
    return "tệp hoặc thư bị hỏng, không đọc được"


def _messages(source: Path) -> Iterator[tuple[str, Callable[[], Mail]]]:
    """(where, reader) for every message of an .eml or .msg file, an mbox file, a Maildir or a folder's .eml
    and .msg files."""
    if _is_maildir(source):
        box = mailbox.Maildir(source, factory=None, create=False)
        for key in sorted(box.keys()):
            where = f"{source.name}/{key}"
            yield where, partial(_mailbox_mail, where, box, key)
    elif source.is_dir():
        for path in sorted(source.rglob("*")):
            if path.suffix.lower() in MAIL_SUFFIXES and not path.is_dir():
                where = f"{source.name}/{path.relative_to(source).as_posix()}"
                yield where, partial(_file_mail, where, path)
    elif _head(source).startswith(b"From "):
        yield from _mbox_messages(source, source.name)
    else:
        yield source.name, partial(_file_mail, source.name, source)


def _is_maildir(source: Path) -> bool:
    return source.is_dir() and (source / "cur").is_dir() and (source / "new").is_dir()


def _mbox_messages(path: Path, where: str) -> Iterator[tuple[str, Callable[[], Mail]]]:
    box = mailbox.mbox(path, create=False)
    for index, key in enumerate(box.keys(), start=1):
        yield f"{where}#{index}", partial(_mailbox_mail, f"{where}#{index}", box, key)
    box.close()


# An mbox file's first line: 'From ', the sender (or '-', as Thunderbird writes it), then the date.
MBOX_START = re.compile(rb"From \S+ +(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ")


def _mbox_files(folder: Path) -> list[Path]:
    """The mbox files under a folder (as Thunderbird keeps or exports them beside .eml files): named .mbox, or
    any other file but .eml and .msg that starts as an mbox file does."""
    try:
        paths = sorted(folder.rglob("*"))
    except OSError:  # the folder itself is reported unreadable by _messages
        return []
    return [path for path in paths if path.suffix.lower() not in MAIL_SUFFIXES and _is_mbox(path)]


def _is_mbox(path: Path) -> bool:
    if not path.is_file():
        return False
    if path.suffix.lower() == ".mbox":
        return True
    try:
        return bool(MBOX_START.match(_head(path, 64)))
    except OSError:
        return False


def _head(path: Path, size: int = 8) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def _mailbox_mail(where: str, box: mailbox.Mailbox, key: str) -> Mail:
    return _from_email(where, box.get_bytes(key))


def _file_mail(where: str, path: Path) -> Mail:
    data = path.read_bytes()
    if path.suffix.lower() == ".msg" or data.startswith(OLE_MAGIC):
        return _from_msg(where, data)
    return _from_email(where, data)


def _from_email(where: str, data: bytes) -> Mail:
    message = email.message_from_bytes(data, policy=policy.default)
    if not message.keys():
        raise ValueError("not a message")
    return Mail(where, parseaddr(_raw(message, "From"))[1], str(message.get("Subject", "")),
                _email_date(_raw(message, "Date")), tuple(_email_parts(message)))


def _raw(message: EmailMessage, name: str) -> str:
    """A header as sent: the email package fails on some damaged From headers when it parses them itself."""
    return next((str(value) for key, value in message.raw_items() if key.lower() == name.lower()), "")


def _email_date(text: str) -> datetime | None:
    try:
        date = parsedate_to_datetime(text)
    except (ValueError, OverflowError):
        return None
    if date.tzinfo is None and text.rstrip().endswith("-0000"):  # RFC 5322: UTC, the sender's zone unknown
        return date.replace(tzinfo=timezone.utc)
    return date


def _email_parts(message: EmailMessage) -> Iterator[Part]:
    """Named parts, parts marked as attachments, and unnamed parts holding a workbook (not the text, not
    unnamed images)."""
    for part in message.walk():
        if part.is_multipart():
            continue
        found = Part(part.get_filename() or "", part.get_content_type(), part.get_payload(decode=True) or b"")
        if found.name or part.get_content_disposition() == "attachment" or (
                part.get_content_maintype() != "text" and workbook_suffix(found)):
            yield found


def _from_msg(where: str, data: bytes) -> Mail:
    import extract_msg  # slow to import, and only needed for .msg files

    with extract_msg.openMsg(data) as msg:
        parts = tuple(Part(att.name or "", att.mimetype or "", att.data if isinstance(att.data, bytes) else b"")
                      for att in msg.attachments)
        return Mail(where, _msg_sender(msg), msg.subject or "", msg.date, parts)


def _msg_sender(msg) -> str:
    """The sender's address: from the saved headers or the SMTP address property, else PR_SENDER_EMAIL_ADDRESS
    (which for an Exchange sender is no email address)."""
    for text in (msg.sender, msg.getStringStream("__substg1.0_0C1F")):
        address = parseaddr(text or "")[1]
        if "@" in address:
            return address
    return ""


def _name_suffix(name: str) -> str:
    _, dot, suffix = name.strip().rpartition(".")
    return "." + suffix.lower() if dot else ""


def _base_name(name: str) -> str:
    """The last part of a path (an attachment's name, a member of a zip), whichever separator it uses."""
    return re.split(r"[/\\]", name)[-1]


def workbook_suffix(part: Part) -> str:
    """The extension a workbook attachment is saved with, '' when it is no workbook: a workbook name is
    trusted (ingest judges the content), else the bytes decide, unless name or type say another document."""
    suffix = _name_suffix(part.name)
    if suffix in WORKBOOK_SUFFIXES:
        return suffix
    if not part.data.startswith((ZIP_MAGIC, OLE_MAGIC)) or suffix in OTHER_SUFFIXES or \
            part.content_type.startswith(OTHER_TYPES):
        return ""
    if part.data.startswith(OLE_MAGIC):
        return ".xls"
    return TYPE_SUFFIXES.get(part.content_type, ".xlsx")


def file_name(name: str, suffix: str, sender: str) -> str:
    """A safe name ending in ``suffix``, short enough for any file system; made from the sender's address
    when the attachment has no usable name of its own."""
    base = _base_name(name).strip()
    stem = base[:-len(suffix)] if base.lower().endswith(suffix) else base
    if not stem.replace(".", "").strip():
        stem = sender.replace("@", "_at_") or "tep-dinh-kem"
    return shortened(safe_name(stem) + suffix)


def sent_at(date: datetime | None, now: datetime) -> tuple[datetime, str]:
    """When the unit sent its reply, in Vietnam's time, and a warning when the message's own date is
    missing or absurd (before 2000, or more than a day after ``now``) and ``now`` is used instead."""
    try:
        sent = None if date is None else clock.in_vietnam(date)
    except OverflowError:  # a date near year 9999 in another zone
        sent = None
    if sent is not None and clock.plausible(sent, now):
        return sent, ""
    return now, f"thư không có ngày gửi hợp lệ; dùng thời điểm thu thập {now:%d/%m/%Y %H:%M} làm ngày gửi"


def collect(sources: list[Path], inbox: Path, store: Store) -> Collection:
    """Save every new workbook attached to the messages of ``sources`` into ``inbox``; report everything seen.
    An inbox that cannot be written is an OutputError."""
    try:
        inbox.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Không tạo được thư mục '{inbox}': {os_reason(exc)}.") from None
    now = clock.now()
    attachments, without_workbook, unreadable = [], [], []
    for source in sources:
        for mail in mails(source):
            if isinstance(mail, Unreadable):
                unreadable.append(mail)
                continue
            found = [_keep(mail, inner, inbox, store, now) for part in mail.parts for inner in _unzipped(part)]
            attachments += found
            if all(a.outcome == "not-a-workbook" for a in found):
                without_workbook.append(replace(mail, parts=()))
    return Collection(tuple(attachments), tuple(without_workbook), tuple(unreadable))


ZIP_NAMES, ZIP_TYPES = (".zip",), ("application/zip", "application/x-zip-compressed")


def _unzipped(part: Part) -> list[Part]:
    """The workbooks inside a .zip attachment (units often zip their returns), named '.zip › inner name',
    together no larger than one return may be; any other attachment as it is."""
    if not part.data.startswith(ZIP_MAGIC) or (_name_suffix(part.name) not in ZIP_NAMES
                                                and part.content_type not in ZIP_TYPES):
        return [part]
    try:
        archive = Archive(part.data)
        inside = [m for m in archive.members.values() if _name_suffix(m.name) in WORKBOOK_SUFFIXES]
        if not inside or sum(m.unpacked for m in inside) > MAX_FILE_BYTES:
            return [part]
        return [Part(f"{part.name} › {_base_name(m.name)}", "", archive.read(m.name)) for m in inside]
    except Refused:  # a damaged or absurd zip: reported as the attachment it is
        return [part]


def _keep(mail: Mail, part: Part, inbox: Path, store: Store, now: datetime) -> Attachment:
    """Save one attachment when it is a new workbook."""
    shown = " ".join(part.name.split()) or NO_NAME
    suffix = workbook_suffix(part)
    if not suffix:
        return Attachment(mail.where, shown, mail.sender, "not-a-workbook")
    sha256 = hashlib.sha256(part.data).hexdigest()
    try:
        path, present = free_path(inbox, file_name(part.name, suffix, mail.sender), part.data)
    except OSError as exc:  # a file of that name the inbox does not let us read
        raise OutputError(f"Không ghi được vào thư mục '{inbox}': {os_reason(exc)}.") from None
    if present or store.has_received(sha256):
        return Attachment(mail.where, shown, mail.sender, "duplicate", path.name if present else "")
    sent, warning = sent_at(mail.date, now)
    with atomic_output(path) as tmp:  # a killed run never leaves half an attachment
        tmp.write_bytes(part.data)
    store.record_received(sha256, mail.sender, clock.stamp(sent), mail.subject, path.name)
    return Attachment(mail.where, shown, mail.sender, "saved", path.name, warning)


OUTCOME_LABELS = {"saved": "đã lưu", "duplicate": "trùng, bỏ qua", "not-a-workbook": "không phải bảng tính, bỏ qua"}
OUTCOME_COUNTS = {"saved": "đã lưu {n}", "duplicate": "{n} tệp trùng (bỏ qua)",  # 'đã lưu' always, the others when any
                  "not-a-workbook": "{n} tệp không phải bảng tính (bỏ qua)"}


def summary_lines(found: Collection) -> list[str]:
    """A line per attachment, per reply without a workbook and per file or message not read, then counts."""
    lines = [_attachment_line(a) for a in found.attachments]
    lines += [f"{m.where}: thư «{m.subject or '(không có tiêu đề)'}» của {m.sender or '(không rõ người gửi)'} "
              "không đính kèm bảng tính nào" for m in found.without_workbook]
    lines += [f"{u.where}: {u.reason}" for u in found.unreadable]
    counted = {key: sum(a.outcome == key for a in found.attachments) for key in OUTCOME_COUNTS}
    counts = ", ".join(text.format(n=counted[key]) for key, text in OUTCOME_COUNTS.items()
                       if counted[key] or key == "saved")
    total = f"Tổng cộng {len(found.attachments)} tệp đính kèm: {counts}"
    if found.without_workbook:
        total += f"; {len(found.without_workbook)} thư không đính kèm bảng tính"
    if found.unreadable:
        total += f"; {len(found.unreadable)} tệp hoặc thư không đọc được"
    return lines + [total + "."]


def _attachment_line(a: Attachment) -> str:
    line = f"{a.source}: {a.name} ({a.sender or 'không rõ người gửi'}) – {OUTCOME_LABELS[a.outcome]}"
    if a.outcome == "saved":
        line += f" → {a.saved_as}"
    return line + (f" ({a.warning})" if a.warning else "")
