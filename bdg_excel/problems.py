"""Problems found in data: records, not exceptions.

A problem has a stable kebab-case code, a severity (``lỗi`` or ``cảnh báo``),
a Vietnamese message and the place where a person finds it in Excel.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

ERROR = "lỗi"
WARNING = "cảnh báo"


@dataclass(frozen=True)
class Problem:
    """One finding about one place of one file (or of a plan)."""

    code: str
    severity: str
    message: str
    file: str = ""
    sheet: str = ""
    cell: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def location(self, with_file: bool = True) -> str:
        """The place as a person reads it: ``file, trang 'X', ô F12``."""
        parts = [self.file] if self.file and with_file else []
        if self.sheet:
            parts.append(f"trang '{self.sheet}'")
        if self.cell:
            parts.append(f"ô {self.cell}")
        return ", ".join(parts)

    def describe(self, with_file: bool = True) -> str:
        """One line: ``[lỗi] trang 'Nhập liệu', ô G12: message (code)``."""
        where = self.location(with_file)
        return f"[{self.severity}] {where + ': ' if where else ''}{self.message} ({self.code})"

    def __str__(self) -> str:
        return self.describe()


def error(code: str, message: str, **where: str) -> Problem:
    """An error: the figure (or the file) cannot be used as it is."""
    return Problem(code, ERROR, message, **where)


def warning(code: str, message: str, **where: str) -> Problem:
    """A warning: the figure was used, but a person should look at it."""
    return Problem(code, WARNING, message, **where)


@lru_cache(maxsize=256)
def column_letter(index: int) -> str:
    """Excel column letters for a zero-based column index (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    """Excel's name for a zero-based (row, column): (11, 5) -> F12."""
    return f"{column_letter(col)}{row + 1}"
