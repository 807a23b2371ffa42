"""Compose the collection emails, write them as .eml files, or send them over SMTP."""
from __future__ import annotations

import configparser
import hashlib
import os
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from importlib import resources
from pathlib import Path

from bdg_excel.errors import BdgError
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


def compose(plan: Plan, period: Period, unit: Unit, attachment: Path, text: str, sender: str) -> EmailMessage:
    """One unit's message: Vietnamese subject and body, its workbook attached."""
    subject, body = render(text, _fields(plan, period, unit, attachment))
    message = EmailMessage()
    # Python's own header folder loses the space between two encoded words of a long
    # Vietnamese subject ("2020 –Sở Y tế"); email.header.Header folds it correctly.
    message.set_raw("Subject", Header(subject, "utf-8", header_name="Subject").encode())
    message["From"] = sender
    message["To"] = ", ".join(unit.emails)
    if unit.cc_emails:
        message["Cc"] = ", ".join(unit.cc_emails)
    if plan.info.collector_email and plan.info.collector_email != sender:
        message["Reply-To"] = plan.info.collector_email
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(body)
    maintype, subtype = (XLSX_TYPE if attachment.suffix.lower() == ".xlsx" else "application/octet-stream").split("/")
    message.add_attachment(attachment.read_bytes(), maintype=maintype, subtype=subtype, filename=attachment.name)
    return message


def settings_from(config: Path | None, env: dict[str, str] | None = None) -> SmtpSettings:
    """SMTP settings from a config file ([smtp] section), overridden by BDG_SMTP_* variables."""
    env = os.environ if env is None else env
    values: dict[str, str] = {}
    if config is not None:
        parser = configparser.ConfigParser()
        try:
            parser.read(config, encoding="utf-8")
        except (configparser.Error, OSError) as exc:
            raise MailError(f"Không đọc được tệp cấu hình '{config}': {exc}.") from None
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
    return SmtpSettings(values["host"], port, security, user, sender, env.get("BDG_SMTP_PASSWORD", ""),
                        values.get("cafile", ""))


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


TRANSIENT = (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError, socket.timeout)


def send_one(settings: SmtpSettings, message: EmailMessage, pause: float = 5.0) -> None:
    """Send one message, retrying dropped connections and temporary (4xx) refusals a few times."""
    for attempt in range(1, RETRIES + 1):
        try:
            with _connect(settings) as client:
                client.send_message(message)
            return
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if attempt == RETRIES or not all(400 <= c < 500 for c in codes):
                refused = ", ".join(f"{a} ({c} {m.decode(errors='replace')})" for a, (c, m) in exc.recipients.items())
                raise MailError(f"máy chủ từ chối người nhận: {refused}") from None
        except smtplib.SMTPAuthenticationError:
            raise MailError("sai tên đăng nhập hoặc mật khẩu máy chủ thư") from None
        except smtplib.SMTPResponseException as exc:
            if attempt == RETRIES or not 400 <= exc.smtp_code < 500:
                raise MailError(f"máy chủ trả lời {exc.smtp_code} {exc.smtp_error.decode(errors='replace')}") from None
        except ssl.SSLError as exc:
            raise MailError(f"lỗi kết nối bảo mật (TLS): {exc.reason or exc}") from None
        except (*TRANSIENT, OSError) as exc:
            if attempt == RETRIES:
                raise MailError(f"không kết nối được máy chủ thư sau {RETRIES} lần thử ({exc})") from None
        time.sleep(pause * attempt)


def write_eml(message: EmailMessage, path: Path) -> Path:
    """The message as a .eml file that Outlook and Thunderbird open as a ready message."""
    with atomic_output(path) as tmp:
        tmp.write_bytes(bytes(message))
    return path


def mail_units(plan: Plan, period_code: str, templates: Path, *, unit_codes=(), text: str | None = None,
               outbox: Path | None = None, settings: SmtpSettings | None = None, store=None, resend: bool = False,
               pause: float = 5.0) -> list[Delivery]:
    """Write (or, with settings, send) one message per reporting unit; one failure never stops the rest."""
    from bdg_excel.template import template_units

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
        message = compose(plan, period, unit, attachment, text, sender)
        if settings is None:
            path = write_eml(message, Path(outbox) / f"{period.code}_{unit.code}.eml")
            deliveries.append(Delivery(unit, "written", str(path)))
            continue
        sent_before = store.sent_at(period.code, unit.code)
        if sent_before and not resend:
            deliveries.append(Delivery(unit, "skipped", f"đã gửi lúc {sent_before}"))
            continue
        try:
            send_one(settings, message, pause)
        except MailError as exc:
            deliveries.append(Delivery(unit, "failed", str(exc)))
            continue
        recipients = ", ".join(unit.emails + unit.cc_emails)
        store.record_sent(period.code, unit.code, recipients, hashlib.sha256(attachment.read_bytes()).hexdigest(),
                          datetime.now().isoformat(timespec="seconds"))
        deliveries.append(Delivery(unit, "sent", recipients))
    return deliveries


OUTCOME_LABELS = {"written": "đã soạn thư", "sent": "đã gửi", "skipped": "bỏ qua", "failed": "LỖI",
                  "no-address": "không có email", "no-template": "thiếu biểu"}


def summary_lines(deliveries: list[Delivery]) -> list[str]:
    """A line per unit, then counts."""
    lines = [f"{d.unit.code}: {OUTCOME_LABELS[d.outcome]} – {d.detail}" for d in deliveries]
    counts = {label: sum(d.outcome == key for d in deliveries) for key, label in OUTCOME_LABELS.items()}
    lines.append("Tổng cộng: " + ", ".join(f"{label} {n}" for label, n in counts.items() if n) + ".")
    return lines


def check_text(path: Path | None) -> str | None:
    """The officer's own message text, read and checked, or None for the default."""
    if path is None:
        return None
    try:
        text = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MailError(f"Không đọc được mẫu thư '{path}': {exc}.") from None
    render(text, {k: "" for k in FIELD_NAMES})
    return text

