"""Compose the collection emails, write them as .eml files, or send them over SMTP."""
from __future__ import annotations

import codecs
import configparser
import hashlib
import os
import smtplib
import socket
import ssl
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from importlib import resources
from pathlib import Path

from bdg_excel import clock
from bdg_excel.errors import BdgError, os_reason
from bdg_excel.atomic import atomic_output
from bdg_excel.layout import template_file_name
from bdg_excel.plan import Period, Plan, Unit

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SUBJECT_PREFIX = "Tiêu đề:"
SECURITIES = ("ssl", "starttls", "none")
RETRIES = 3


class MailError(BdgError):
    """The mail settings or the message text cannot be used."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    user: str
    sender: str
    password: str = ""
    cafile: str = ""


@dataclass(frozen=True)
class Delivery:
    """What happened to one unit's message."""

    unit: Unit
    outcome: str  # "written", "sent", "skipped", "failed", "no-address", "no-template"
    detail: str = ""


def default_message_text() -> str:
    return resources.files("bdg_excel.data").joinpath("mail_template.txt").read_text("utf-8")


FIELD_NAMES = ("don_vi", "ma_don_vi", "ky_bao_cao", "ma_ky", "han_nop", "ke_hoach", "co_quan_tong_hop",
               "email_tong_hop", "ten_tep")


def _fields(plan: Plan, period: Period, unit: Unit, attachment: Path) -> dict[str, str]:
    return {
        "don_vi": unit.name, "ma_don_vi": unit.code, "ky_bao_cao": period.name, "ma_ky": period.code,
        "han_nop": period.deadline.strftime("%d/%m/%Y"), "ke_hoach": plan.info.title,
        "co_quan_tong_hop": plan.info.collector, "email_tong_hop": plan.info.collector_email,
        "ten_tep": attachment.name,
    }


def render(text: str, fields: dict[str, str]) -> tuple[str, str]:
    """The subject (first line, after 'Tiêu đề:') and the body, with {placeholders} filled in."""
    first, _, body = text.lstrip("\ufeff").partition("\n")
    if not first.startswith(SUBJECT_PREFIX):
        raise MailError(f"Dòng đầu của mẫu thư phải bắt đầu bằng '{SUBJECT_PREFIX}'.")
    try:
        return first[len(SUBJECT_PREFIX):].strip().format_map(fields), body.strip().format_map(fields) + "\n"
    except KeyError as exc:
        known = ", ".join("{" + k + "}" for k in fields)
        raise MailError(f"Mẫu thư dùng ô trống không có: {{{exc.args[0]}}}. Các ô trống dùng được: {known}.") from None
    except (ValueError, IndexError):
        raise MailError("Mẫu thư có dấu ngoặc nhọn { } không đúng cách.") from None


def compose(plan: Plan, period: Period, unit: Unit, attachment: Path, text: str, sender: str,
            draft: bool = False) -> EmailMessage:
    """One unit's message: Vietnamese subject and body, its workbook attached, from the collecting agency
    (or the name ``sender`` carries); a draft is marked unsent, so that mail clients open it for editing."""
    subject, body = render(text, _fields(plan, period, unit, attachment))
    return compose_notice(plan, unit, subject, body, sender, attachment, draft)


def settings_from(config: Path | None, env: dict[str, str] | None = None,
                  base: dict[str, str] | None = None) -> SmtpSettings:
    """SMTP settings: ``base`` (the [smtp] section of the reporting folder's bdg.toml), overridden by a
    config file ([smtp] section), overridden by BDG_SMTP_* variables."""
    env = os.environ if env is None else env
    values: dict[str, str] = {key: value for key, value in (base or {}).items() if value}
    if config is not None:
        parser = configparser.ConfigParser()
        try:
            parser.read(config, encoding="utf-8")
        except OSError as exc:
            raise MailError(f"Không đọc được tệp cấu hình '{config}': {os_reason(exc)}.") from None
        except (configparser.Error, UnicodeDecodeError):
            raise MailError(f"Tệp cấu hình '{config}' không đúng dạng: cần mục [smtp] với các dòng 'khóa = giá trị', "
                            "lưu với mã UTF-8.") from None
        if parser.has_section("smtp"):
            values.update(parser["smtp"])
    for key in ("host", "port", "security", "user", "from", "cafile"):
        if env.get(f"BDG_SMTP_{key.upper()}"):
            values[key] = env[f"BDG_SMTP_{key.upper()}"]
    if "password" in values:
        raise MailError("Không ghi mật khẩu vào tệp cấu hình; dùng biến môi trường BDG_SMTP_PASSWORD "
                        "hoặc nhập khi được hỏi.")
    if not values.get("host"):
        raise MailError("Chưa có máy chủ thư: đặt BDG_SMTP_HOST hoặc 'host' trong mục [smtp] của tệp cấu hình.")
    security = values.get("security", "starttls").lower()
    if security not in SECURITIES:
        raise MailError(f"BDG_SMTP_SECURITY phải là một trong: {', '.join(SECURITIES)}.")
    try:
        port = int(values.get("port") or {"ssl": 465, "starttls": 587, "none": 25}[security])
    except ValueError:
        raise MailError(f"Cổng máy chủ thư '{values.get('port')}' không phải là số.") from None
    user = values.get("user", "")
    sender = values.get("from") or user
    if "@" not in sender:
        raise MailError("Chưa có địa chỉ người gửi: đặt BDG_SMTP_FROM.")
    cafile = values.get("cafile", "")
    if cafile and not Path(cafile).is_file():
        raise MailError(f"Không tìm thấy tệp chứng chỉ '{cafile}' (BDG_SMTP_CAFILE hoặc 'cafile' trong [smtp]).")
    return SmtpSettings(values["host"], port, security, user, sender, env.get("BDG_SMTP_PASSWORD", ""), cafile)


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    context = ssl.create_default_context(cafile=settings.cafile or None)
    if settings.security == "ssl":
        client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=30, context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=30)
        if settings.security == "starttls":
            client.starttls(context=context)
    if settings.user:
        client.login(settings.user, settings.password)
    return client


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def _failure(exc: OSError, settings: SmtpSettings) -> tuple[bool, str]:
    """Whether a sending error is temporary (worth another try), and what to tell the officer.

    Temporary: a dropped connection, a timeout, a refused connection, a 4xx answer. Everything
    else (5xx, a wrong password, TLS, a host name that does not resolve) fails the same way again."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(f"{a} ({c} {_text(m)})" for a, (c, m) in exc.recipients.items())
        return all(400 <= c < 500 for c, _ in exc.recipients.values()), f"máy chủ từ chối người nhận: {refused}"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return False, "sai tên đăng nhập hoặc mật khẩu máy chủ thư"
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500, f"máy chủ trả lời {exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, ssl.SSLError):
        return False, f"lỗi kết nối bảo mật (TLS): {exc.reason or exc}"
    if isinstance(exc, socket.gaierror):
        return False, f"không tìm thấy máy chủ thư '{settings.host}' (kiểm tra tên máy chủ và mạng)"
    where = f"máy chủ thư {settings.host}:{settings.port}"
    if isinstance(exc, (smtplib.SMTPServerDisconnected, ConnectionError)):
        return True, f"{where} ngắt kết nối hoặc từ chối kết nối"
    if isinstance(exc, TimeoutError):
        return True, f"{where} không trả lời"
    if isinstance(exc, smtplib.SMTPException):  # e.g. STARTTLS or login not offered by the server
        return False, f"{where} không hỗ trợ cách kết nối đã cấu hình (security = {settings.security})"
    return False, f"không kết nối được {where}"


def send_one(settings: SmtpSettings, message: EmailMessage, pause: float = 5.0) -> None:
    """Send one message; temporary failures are retried a few times, permanent ones are not."""
    for attempt in range(1, RETRIES + 1):
        try:
            with _connect(settings) as client:
                client.send_message(message)
            return
        except OSError as exc:  # smtplib's errors are OSErrors too
            temporary, reason = _failure(exc, settings)
            if not temporary:
                raise MailError(reason) from None
            if attempt == RETRIES:
                raise MailError(f"{reason} (đã thử {RETRIES} lần)") from None
        time.sleep(pause * attempt)


def write_eml(message: EmailMessage, path: Path) -> Path:
    """The message as a .eml file that Outlook and Thunderbird open as a ready message."""
    with atomic_output(path) as tmp:
        tmp.write_bytes(bytes(message))
    return path


def mail_units(plan: Plan, period_code: str, templates: Path, *, unit_codes=(), text: str | None = None,
               outbox: Path | None = None, settings: SmtpSettings | None = None, store=None, resend: bool = False,
               pause: float | None = None) -> list[Delivery]:
    """Write (or, with settings, send) one message per reporting unit; one failure never stops the rest.

    Retries wait ``pause`` seconds, times the attempt (default: BDG_SMTP_RETRY_PAUSE, else 5)."""
    from bdg_excel.template import template_units

    pause = float(os.environ.get("BDG_SMTP_RETRY_PAUSE", "5")) if pause is None else pause
    period = plan.period(period_code)
    text = text or default_message_text()
    sender = settings.sender if settings else (plan.info.collector_email or "bdg@localhost")
    deliveries = []
    for unit in template_units(plan, unit_codes):
        attachment = Path(templates) / template_file_name(period.code, unit.code, unit.name)
        if not unit.emails:
            deliveries.append(Delivery(unit, "no-address", "đơn vị chưa có địa chỉ email trong kế hoạch"))
            continue
        if not attachment.is_file():
            deliveries.append(Delivery(unit, "no-template", f"không tìm thấy biểu '{attachment}'"))
            continue
        message = compose(plan, period, unit, attachment, text, sender, draft=settings is None)
        if settings is None:
            path = write_eml(message, Path(outbox) / f"{period.code}_{unit.code}.eml")
            deliveries.append(Delivery(unit, "written", str(path)))
            continue
        sent_before = store.sent_at(period.code, unit.code)
        if sent_before and not resend:
            deliveries.append(Delivery(unit, "skipped", f"đã gửi lúc {clock.shown(sent_before)} (thêm --resend để gửi "
                                                        "lại, ví dụ khi đã sửa địa chỉ)"))
            continue
        try:
            send_one(settings, message, pause)
        except MailError as exc:
            deliveries.append(Delivery(unit, "failed", str(exc)))
            continue
        recipients = ", ".join(unit.emails + unit.cc_emails)
        store.record_sent(period.code, unit.code, recipients, hashlib.sha256(attachment.read_bytes()).hexdigest(),
                          clock.stamp(clock.now()))
        deliveries.append(Delivery(unit, "sent", recipients))
    return deliveries


# What happened to one message (mail, feedback, remind), as the line about it says.
OUTCOME_LABELS = {"written": "đã soạn thư", "sent": "đã gửi", "skipped": "bỏ qua", "failed": "LỖI",
                  "no-address": "không có email", "no-template": "thiếu biểu", "unknown-sender": "không rõ đơn vị"}
# The last line of mail, feedback and remind: how many messages (or units, or files) had each outcome.
OUTCOME_COUNTS = {"written": "đã soạn {n} thư", "sent": "đã gửi {n} thư", "skipped": "bỏ qua {n} thư",
                  "failed": "{n} thư gửi lỗi", "no-address": "{n} đơn vị không có email",
                  "no-template": "{n} đơn vị thiếu biểu", "unknown-sender": "{n} tệp không rõ đơn vị"}


def total_line(outcomes: list[str]) -> str:
    """'Tổng cộng: đã soạn 3 thư, bỏ qua 1 thư.'"""
    counts = Counter(outcomes)
    return "Tổng cộng: " + ", ".join(text.format(n=counts[key]) for key, text in OUTCOME_COUNTS.items()
                                     if counts[key]) + "."


def summary_lines(deliveries: list[Delivery], outbox: Path | None = None) -> list[str]:
    """A line per unit, then counts; with ``outbox``, where the unsent drafts are."""
    lines = [f"{d.unit.code}: {OUTCOME_LABELS[d.outcome]} – {d.detail}" for d in deliveries]
    lines.append(total_line([d.outcome for d in deliveries]))
    if outbox is not None:
        lines.append(f"Chưa gửi thư nào: các thư .eml ở '{outbox}'; thêm --send để gửi.")
    return lines


def check_text(path: Path | None) -> str | None:
    """The officer's own message text, read and checked, or None for the default."""
    if path is None:
        return None
    try:
        data = Path(path).read_bytes()
    except OSError:
        raise MailError(f"Không đọc được mẫu thư '{path}'.") from None
    try:
        text = data.decode("utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8")
    except UnicodeDecodeError:
        raise MailError(f"Mẫu thư '{path}' không được lưu bằng bảng mã UTF-8: hãy mở tệp bằng Notepad rồi lưu "
                        "lại, chọn bảng mã UTF-8.") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    render(text, {k: "" for k in FIELD_NAMES})
    return text


def compose_notice(plan: Plan, unit: Unit, subject: str, body: str, sender: str, attachment: Path | None = None,
                   draft: bool = False) -> EmailMessage:
    """A message to a unit (its collection workbook, feedback on a return, a reminder), with at most one
    workbook attached, from the collecting agency (or the name ``sender`` carries)."""
    name, address = parseaddr(sender)
    message = EmailMessage()
    # Python's own header folder loses the space between two encoded words of a long
    # Vietnamese subject ("2020 –Sở Y tế"); email.header.Header folds it correctly.
    message.set_raw("Subject", Header(subject, "utf-8", header_name="Subject").encode())
    message["From"] = Address(name or plan.info.collector, addr_spec=address)
    message["To"] = ", ".join(unit.emails)
    if unit.cc_emails:
        message["Cc"] = ", ".join(unit.cc_emails)
    if plan.info.collector_email and plan.info.collector_email != address:
        message["Reply-To"] = plan.info.collector_email
    message["Date"] = format_datetime(datetime.now(clock.VIETNAM).replace(microsecond=0))
    message["Message-ID"] = make_msgid(domain=address.rpartition("@")[2] or None)
    if draft:
        message["X-Unsent"] = "1"
    message.set_content(body)
    if attachment is not None:
        kind = {".xlsx": XLSX_TYPE, ".xlsm": "application/vnd.ms-excel.sheet.macroEnabled.12"}.get(
            attachment.suffix.lower(), "application/octet-stream")
        maintype, subtype = kind.split("/")
        message.add_attachment(attachment.read_bytes(), maintype=maintype, subtype=subtype, filename=attachment.name)
    return message


def retry_pause() -> float:
    """Seconds between sending attempts (times the attempt): BDG_SMTP_RETRY_PAUSE, else 5."""
    return float(os.environ.get("BDG_SMTP_RETRY_PAUSE", "5"))
