"""Vietnamese for the messages click itself prints (usage, help headings, argument errors).

click looks its texts up through gettext, which ships no Vietnamese catalogue; this installs
a small one into click's modules, so that every line an officer reads is Vietnamese.
"""
from __future__ import annotations

import importlib
import sys

import click

MESSAGES = {
    "Usage:": "Cách dùng:",
    "Options": "Tùy chọn",
    "Commands": "Lệnh",
    "Show this message and exit.": "Hiện hướng dẫn này rồi thoát.",
    "Show the version and exit.": "Hiện phiên bản rồi thoát.",
    "Error: {message}": "Lỗi: {message}",
    "Try '{command} {option}' for help.": "Xem hướng dẫn: '{command} {option}'.",
    "Missing argument": "Thiếu tham số",
    "Missing option": "Thiếu tùy chọn",
    "Missing parameter": "Thiếu tham số",
    "Missing command.": "Thiếu lệnh.",
    "Missing {param_type}": "Thiếu {param_type}",
    "Missing parameter: {param_name}": "Thiếu tham số: {param_name}",
    "argument": "tham số",
    "option": "tùy chọn",
    "parameter": "tham số",
    "No such command {name!r}.": "Không có lệnh {name!r}.",
    "No such option: {name}": "Không có tùy chọn: {name}",
    "No such option {name!r}.": "Không có tùy chọn {name!r}.",
    "Option {name!r} does not take a value.": "Tùy chọn {name!r} không nhận giá trị.",
    "Invalid value for {param_hint}: {message}": "Giá trị không hợp lệ cho {param_hint}: {message}",
    "Invalid value: {message}": "Giá trị không hợp lệ: {message}",
    # click title-cases '{name}' ('Thư Mục') and prints these after 'Giá trị không hợp lệ cho X: ', so they do
    # without the name, in lower case.
    "{name} {filename!r} does not exist.": "không tìm thấy '{filename}'.",
    "{name} {filename!r} is a directory.": "'{filename}' là thư mục, không phải tệp.",
    "{name} {filename!r} is a file.": "'{filename}' là tệp, không phải thư mục.",
    "{name} {filename!r} is not readable.": "không đọc được '{filename}'.",
    "{name} {filename!r} is not writable.": "không ghi được vào '{filename}'.",
    "{value!r} is not a valid {number_type}.": "{value!r} không phải là {number_type} hợp lệ.",
    # Names of path types, which click upper-cases into placeholders: TỆP, THƯ-MỤC, ĐƯỜNG-DẪN.
    "file": "tệp",
    "directory": "thư-mục",
    "path": "đường-dẫn",
    "default: {default}": "mặc định: {default}",
    "required": "bắt buộc",
    "Aborted!": "Đã dừng.",
}
PLURALS = {
    "Got unexpected extra argument ({args})": "Thừa tham số ({args})",
    "Did you mean {possibility}?": "Có phải ý bạn là {possibility}?",
    "Option {name!r} requires an argument.": "Tùy chọn {name!r} cần một giá trị.",
}
MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types", "utils")


class Command(click.Command):
    """A command whose usage line reads ``[TÙY CHỌN]``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[TÙY CHỌN]")
        super().__init__(*args, **kwargs)


class OptionalArgument(click.Argument):
    """An optional argument with a Vietnamese placeholder: in brackets on the usage line ('[HỘP-THƯ]'), without
    them in every message about it ('HỘP-THƯ'); click brackets only placeholders it makes itself."""

    def make_metavar(self, *args, **kwargs) -> str:  # click 8.1 takes no context, 8.2 on take one
        metavar = super().make_metavar(*args, **kwargs)
        return metavar if self.required or metavar.startswith("[") else f"[{metavar}]"

    def get_error_hint(self, ctx) -> str:
        return f"'{self.human_readable_name}'"


class Group(click.Group):
    """A group whose commands and subgroups speak Vietnamese in their usage lines too."""

    command_class = Command

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[TÙY CHỌN]")
        kwargs.setdefault("subcommand_metavar", "LỆNH [THAM SỐ]...")
        super().__init__(*args, **kwargs)

    def main(self, *args, **kwargs):
        """Run the command line, printing UTF-8 from the first line on (``--help`` included)."""
        utf8_streams()
        return super().main(*args, **kwargs)


Group.group_class = Group


def utf8_streams() -> None:
    """Write standard output and error as UTF-8: redirected on Windows they use the ANSI code page."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and (stream.encoding or "").lower().replace("-", "") != "utf8":
            stream.reconfigure(encoding="utf-8")


def _gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def _ngettext(singular: str, plural: str, count: int) -> str:
    return PLURALS.get(singular, singular if count == 1 else plural)


def install() -> None:
    """Make click speak Vietnamese in this process."""
    for name in MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = _gettext
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext
