"""The reporting folder an officer works in: its layout, its settings file (``bdg.toml``), and the
paths every command takes from it when its options do not say.

A reporting folder is a folder holding ``bdg.toml``; a command finds it from the current folder
upwards, or is told with ``--dir``. Outside one, the defaults are those of a bare checkout
(``output/bdg.sqlite``, ``output/mail``) and nothing else is assumed.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from bdg_excel.errors import BdgError, os_reason

SETTINGS = "bdg.toml"
PLAN_FILE = "kehoach.xlsx"
TEMPLATES = "mau-bieu"
INBOX = "hop-thu"
OUTPUTS = "tong-hop"
DATA = "du-lieu"
STORE_FILE = "bdg.sqlite"
OUTBOX = "thu-gui"
OUTSIDE_STORE = Path("output") / "bdg.sqlite"
OUTSIDE_OUTBOX = Path("output") / "mail"
TOP_KEYS = ("plan", "soffice")  # text values
DAYS_OFF = "holidays"  # a list of days, "YYYY-MM-DD"
SMTP_KEYS = ("host", "port", "security", "user", "from", "cafile")


class FolderError(BdgError):
    """The reporting folder or its settings file cannot be used."""


@dataclass(frozen=True)
class Defaults:
    """Where a command reads and writes when its options do not say.

    ``root`` is None outside a reporting folder; then only ``store`` and ``outbox_root`` have
    values (today's defaults) and a command needs its path options as before."""

    root: Path | None = None
    plan: str | None = None
    store: Path = OUTSIDE_STORE
    outbox_root: Path = OUTSIDE_OUTBOX
    smtp: dict[str, str] = field(default_factory=dict)
    soffice: str | None = None
    days_off: tuple[date, ...] = ()  # days off besides the public holidays, for deadlines in working days

    @property
    def inbox(self) -> Path | None:
        """Where returns arrive: ``hop-thu/``."""
        return self.root / INBOX if self.root else None

    @property
    def outputs(self) -> Path | None:
        """Where results go: ``tong-hop/``."""
        return self.root / OUTPUTS if self.root else None

    def templates(self, period: str) -> Path | None:
        """The period's collection workbooks: ``mau-bieu/<period>/``."""
        return self.root / TEMPLATES / period if self.root else None

    def consolidated(self, period: str) -> Path | None:
        """The period's consolidated workbook: ``tong-hop/tong-hop-<period>.xlsx``."""
        return self.root / OUTPUTS / f"tong-hop-{period}.xlsx" if self.root else None

    def outbox(self, period: str) -> Path:
        """Where unsent messages of a period are written."""
        return self.outbox_root / period

    def output_dir(self, kind: str, period: str) -> Path | None:
        """A folder of one kind of output for a period, ``tong-hop/<kind>/<period>/`` (e.g. annotated
        returns or reminders); None outside a reporting folder, where the command needs ``--out``."""
        return self.root / OUTPUTS / kind / period if self.root else None


def find_root(start: Path) -> Path | None:
    """The reporting folder holding ``start`` (``start`` itself or a folder above it), if any."""
    start = Path(start).absolute()
    for folder in (start, *start.parents):
        if (folder / SETTINGS).is_file():
            return folder
    return None


def defaults(folder: str | Path | None = None, cwd: Path | None = None) -> Defaults:
    """The defaults of the reporting folder holding ``--dir`` (``folder``), else of the one holding the
    current folder (``cwd``), else today's defaults outside any folder."""
    if folder is not None:
        root = find_root(Path(folder))
        if root is None:
            raise FolderError(f"'{folder}' không thuộc thư mục báo cáo nào (không thấy tệp {SETTINGS} ở đó hay ở "
                              f"các thư mục chứa nó); thư mục báo cáo được tạo bằng lệnh 'bdg init THƯ-MỤC'.")
    else:
        root = find_root(cwd or Path.cwd())
        if root is None:
            return Defaults()
    settings = read_settings(root / SETTINGS)
    smtp = {key: str(value) for key, value in settings.get("smtp", {}).items()}
    plan = settings.get("plan") or None
    return Defaults(root=root, plan=_plan_value(root, plan), store=root / DATA / STORE_FILE,
                    outbox_root=root / OUTPUTS / OUTBOX, smtp=smtp, soffice=settings.get("soffice") or None,
                    days_off=_days_off(root / SETTINGS, settings.get(DAYS_OFF, [])))


def _plan_value(root: Path, plan: str | None) -> str | None:
    """A plan file named in the settings is relative to the folder; a name without a suffix is a
    built-in plan's id and is passed on as it is."""
    if plan is None:
        return None
    return str(root / plan) if Path(plan).suffix or (root / plan).exists() else plan


def read_settings(path: Path) -> dict:
    """The settings file, checked: known keys only, text values (a port may be a number)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise FolderError(f"Không đọc được tệp cài đặt '{path}': {os_reason(exc)}.") from None
    except UnicodeDecodeError:
        raise FolderError(f"Tệp cài đặt '{path}' phải được lưu với bảng mã UTF-8 (Notepad: Lưu thành…, "
                          "chọn UTF-8).") from None
    try:
        settings = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        where = f" ở dòng {found.group(1)}" if found else ""
        raise FolderError(f"Tệp cài đặt '{path}' viết sai{where}: mỗi dòng có dạng khóa = \"giá trị\" "
                          "(chữ đặt trong ngoặc kép).") from None
    _check_keys(path, settings, TOP_KEYS + (DAYS_OFF, "smtp"), "")
    smtp = settings.get("smtp", {})
    if not isinstance(smtp, dict):
        raise FolderError(f"Tệp cài đặt '{path}': 'smtp' phải là một mục [smtp].")
    if "password" in smtp:
        raise FolderError(f"Không ghi mật khẩu thư vào tệp cài đặt '{path}': hãy xóa dòng 'password' đi; mật khẩu "
                          "được hỏi khi gửi thư (hoặc đặt biến môi trường BDG_SMTP_PASSWORD).")
    _check_keys(path, smtp, SMTP_KEYS, " trong mục [smtp]")
    for key, value in [*((k, settings[k]) for k in TOP_KEYS if k in settings), *smtp.items()]:
        if not isinstance(value, str) and not (key == "port" and isinstance(value, int)):
            raise FolderError(f"Tệp cài đặt '{path}': giá trị của '{key}' phải đặt trong ngoặc kép.")
    return settings


def _days_off(path: Path, values: object) -> tuple[date, ...]:
    """The ``holidays`` of the settings: a list of days written "YYYY-MM-DD"."""
    example = f'{DAYS_OFF} = ["2026-04-27", "2026-09-01"]'
    if not isinstance(values, list):
        raise FolderError(f"Tệp cài đặt '{path}': '{DAYS_OFF}' phải là một danh sách ngày, ví dụ: {example}.")
    for value in values:
        if _day(value) is None:
            raise FolderError(f"Tệp cài đặt '{path}': '{value}' trong '{DAYS_OFF}' không phải một ngày viết dạng "
                              f"\"NĂM-THÁNG-NGÀY\", ví dụ: {example}.")
    return tuple(_day(value) for value in values)


def _day(value: object) -> date | None:
    """A day written "YYYY-MM-DD" (or as a TOML date, without quotes), else None."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(value) if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None
    except ValueError:
        return None


def _check_keys(path: Path, table: dict, known: tuple[str, ...], where: str) -> None:
    unknown = [key for key in table if key not in known]
    if unknown:
        raise FolderError(f"Tệp cài đặt '{path}' có khóa không dùng được{where}: "
                          + ", ".join(f"'{k}'" for k in unknown) + f" (các khóa dùng được: {', '.join(known)}).")
