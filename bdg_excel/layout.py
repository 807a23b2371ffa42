"""The contract between the template writer and the reader of returns.

Sheet names, column headers, header-block labels and metadata keys live here, so that
the writer and the reader cannot drift apart. The reader finds everything by these
names, never by fixed position.
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bdg_excel.plan import DataElement

FORMAT_VERSION = "1"
KNOWN_FORMAT_VERSIONS = (FORMAT_VERSION,)

INSTRUCTIONS_SHEET = "Hướng dẫn"
DATA_SHEET = "Nhập liệu"
META_SHEET = "_meta"
FONT = "Times New Roman"
INPUT_COLOR = "FFF2CC"  # the fill of the cells a unit types in (RGB hex): light yellow


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: float
    is_input: bool = False


COLUMNS = (
    Column("code", "Mã", 16),
    Column("label", "Chỉ tiêu", 46),
    Column("breakdown", "Phân tổ", 16),
    Column("unit", "Đơn vị tính", 12),
    Column("target", "Chỉ tiêu kế hoạch", 13),
    Column("numerator", "Tử số", 12, is_input=True),
    Column("denominator", "Mẫu số", 12, is_input=True),
    Column("value", "Giá trị", 11, is_input=True),
    Column("preview", "Kết quả (tự tính)", 12),
    Column("note", "Ghi chú", 30, is_input=True),
    # The year a figure refers to, when it is not the period's (a national survey of 2024 reported in 2026).
    # Last, so that returns made before it keep their columns; they are read without it.
    Column("data_year", "Năm số liệu", 9, is_input=True),
)
COLUMN_INDEX = {c.key: i for i, c in enumerate(COLUMNS)}
HEADER = {c.key: c.header for c in COLUMNS}
NUMBER_INPUTS = ("numerator", "denominator", "value")
FIRST_DATA_YEAR = 1990  # the earliest year a figure may refer to

# Header block of the data sheet: label in column A, value in column B.
LABEL_PLAN = "Kế hoạch:"
LABEL_UNIT = "Đơn vị báo cáo:"
LABEL_UNIT_CODE = "Mã đơn vị:"
LABEL_PERIOD = "Kỳ báo cáo:"
LABEL_PERIOD_CODE = "Mã kỳ báo cáo:"
LABEL_DEADLINE = "Hạn nộp:"
HEADER_BLOCK = (LABEL_PLAN, LABEL_UNIT, LABEL_UNIT_CODE, LABEL_PERIOD, LABEL_PERIOD_CODE, LABEL_DEADLINE)
FIRST_BLOCK_ROW = 2  # zero-based: row 3 in Excel
HEADER_ROW = FIRST_BLOCK_ROW + len(HEADER_BLOCK) + 1
FIRST_DATA_ROW = HEADER_ROW + 1

# Metadata keys, in the very hidden sheet and as custom document properties ("bdg_" + key).
META_KEYS = ("plan_id", "plan_version", "period", "unit", "format_version", "generated_at")
PROPERTY_PREFIX = "bdg_"
# One more _meta row per data element: what its row means ("element:" + code -> meaning), so that a
# return made from an earlier version of the plan is read wherever its rows still mean the same.
ELEMENT_KEY = "element:"
MEANING_PARTS = ("hệ số", "đơn vị tính", "tử số", "mẫu số")


def meaning(element: "DataElement") -> str:
    """What a row of the data sheet means, as one text: scale, unit, numerator, denominator."""
    return json.dumps([f"{element.scale.normalize():f}", element.unit, element.numerator_label,
                       element.denominator_label], ensure_ascii=False)


def meaning_changes(made_from: str, element: "DataElement") -> str:
    """How a row's meaning changed since its return was made (empty when it did not), in Vietnamese."""
    now = json.loads(meaning(element))
    try:
        before = json.loads(made_from)
    except ValueError:
        before = None
    if not isinstance(before, list) or len(before) != len(now):
        return "không đọc được nghĩa cũ của dòng"
    return "; ".join(f"{part}: '{old}' → '{new}'" for part, old, new in zip(MEANING_PARTS, before, now) if old != new)


def result_formula(numerator: str, denominator: str, value: str, scale: str) -> str:
    """The Excel formula of a figure's result, from its cells (``scale`` a cell or a number): numerator /
    denominator x scale when both are numbers (empty when the denominator is not positive), else the value
    typed, else empty. The collection workbook's preview and the consolidated workbook share it."""
    return (f'=IF(AND(ISNUMBER({numerator}),ISNUMBER({denominator})),IF({denominator}>0,'
            f'{numerator}/{denominator}*{scale},""),IF(ISNUMBER({value}),{value},""))')


# Advance widths of Times New Roman, and of Liberation Serif (its metric twin, LibreOffice's stand-in), in
# thousandths of an em: regular and bold. A Vietnamese letter is as wide as its base letter; a horn (ơ, ư)
# widens it a little; any other character counts a whole em, so that text is never measured too narrow.
REGULAR_WIDTHS = {180: "'", 200: "|", 250: " ,.", 278: "ijlt:;/\\", 333: "fr()[]-`!I’", 389: "sJ", 408: '"',
                  444: "acez?“”", 469: "^", 480: "{}", 500: "0123456789bdghknopquvxy#$*_–đ", 541: "~",
                  549: "≥≤", 556: "FPS", 564: "+<=>×", 611: "ELTZ", 667: "BCR", 722: "ADGHKNOQUVXYwĐ",
                  778: "m&", 833: "%", 889: "M", 921: "@", 944: "W"}
BOLD_WIDTHS = {250: " ,.", 278: "il'/\\|", 333: "fjt:;()[]-`!’", 389: "sI", 444: "cezr^",
               500: "0123456789agovxy#$*_J?–", 520: "“”", 549: "≥≤", 555: '"', 556: "bdhknpquSđ", 570: "+<=>×~", 611: "FP", 667: "BELTZ",
               722: "ACDNRUVXYwĐ", 778: "GHKOQ", 833: "m&", 930: "@", 944: "M", 1000: "W%"}
HORN = "\u031b"
HORN_WIDTH = 80
LINE_HEIGHT = 1.3  # of the font size: a wrapped line with its Vietnamese marks above and below
ROW_PADDING = 3  # points above and below a cell's text
PIXEL = 0.75  # points: Excel draws rows in whole pixels


def _width_table(groups: dict[int, str]) -> defaultdict[str, int]:
    """Every character's width: those listed, Vietnamese letters (composed or not) as their base letter
    (a horn a little more), combining marks nothing, and anything else a whole em."""
    table = defaultdict(lambda: 1000, {char: width for width, chars in groups.items() for char in chars})
    for code in (*range(0x300, 0x370), *range(0xC0, 0x250), *range(0x1EA0, 0x1F00)):
        char = chr(code)
        parts = unicodedata.normalize("NFD", char)
        if parts[0] in table or unicodedata.combining(parts[0]):
            table[char] = sum(HORN_WIDTH if part == HORN else 0 if unicodedata.combining(part) else table[part]
                              for part in parts)
    return table


WIDTHS = {False: _width_table(REGULAR_WIDTHS), True: _width_table(BOLD_WIDTHS)}
WORDS = re.compile(r"(\s*)([^\s-]+-*|-+)")  # a line may break at spaces and after hyphens


def text_width(text: str, font_size: float = 12, bold: bool = False) -> float:
    """The printed width of one line of text, in points (Times New Roman)."""
    return _units(text, WIDTHS[bold]) * font_size / 1000


def _units(text: str, table: defaultdict[str, int]) -> int:
    """The width of text in thousandths of an em."""
    return sum(map(table.__getitem__, text))


def text_room(width: float) -> float:
    """The width (points) text can take in a column ``width`` characters wide: Excel's, the narrower one
    (xlsxwriter stores ``width`` as whole pixels of a 7-pixel character plus 5 pixels of padding)."""
    return (round(width * 7) + 5) * PIXEL - 4


def merged_width(widths: list[float]) -> float:
    """The width, in characters, of cells merged across columns of these widths."""
    return (sum(round(width * 7) + 5 for width in widths) - 5) / 7


def wrap(text: str, width: float, font_size: float = 12, bold: bool = False) -> list[str]:
    """The lines of ``text`` wrapped in a column ``width`` characters wide, as a spreadsheet wraps them:
    at spaces and after hyphens, and anywhere in a word longer than a line."""
    room, table = text_room(width) * 1000 / font_size, WIDTHS[bold]
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        line, used = "", 0
        for space, word in WORDS.findall(paragraph):
            gap, size = _units(space, table), _units(word, table)
            if line and used + gap + size > room:
                lines.append(line)
                line, used, space, gap = "", 0, "", 0
            line, used = line + space, used + gap
            if used + size <= room:
                line, used = line + word, used + size
                continue
            for char in word:  # a word longer than a line
                size = _units(char, table)
                if line.strip() and used + size > room:
                    lines.append(line)
                    line, used = "", 0
                line, used = line + char, used + size
        lines.append(line.rstrip())
    return lines


@lru_cache(maxsize=4096)  # texts repeat from row to row (labels, units); kept small, as memory must not grow
def line_count(text: str, width: float, font_size: float = 12, bold: bool = False) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` characters wide."""
    return len(wrap(text, width, font_size, bold))


def line_height(font_size: float = 12, lines: int = 1) -> float:
    """The height (points) of a row showing ``lines`` lines, in whole pixels."""
    return math.ceil((lines * font_size * LINE_HEIGHT + ROW_PADDING) / PIXEL) * PIXEL


def row_height(cells: list[tuple[str, float]], font_size: float = 12, bold: bool = False) -> float:
    """A row height (points) that shows wrapped text whole; neither Excel nor LibreOffice
    grows rows written by xlsxwriter. ``cells`` are (text, column width in characters); None is no text."""
    lines = 1
    for text, width in cells:
        if text is not None and text != "":
            lines = max(lines, _lines(str(text), width, font_size, bold))
    return line_height(font_size, lines)


@lru_cache(maxsize=4096)  # as line_count: the same labels and unit names come back row after row
def _lines(text: str, width: float, font_size: float, bold: bool) -> int:
    room = text_room(width)
    if "\n" in text or len(text) * font_size > room and text_width(text, font_size, bold) > room:
        return line_count(text, width, font_size, bold)  # no character is wider than an em
    return 1


def normalise(text: object) -> str:
    """Text compared the way a person reads it: NFC, trimmed, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFC", str(text)).split()).casefold()


def ascii_slug(text: str) -> str:
    """An ASCII file-name fragment: 'Sở Y tế' -> 'So-Y-te'."""
    text = text.replace("đ", "d").replace("Đ", "D")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(ch if ch.isalnum() else " " for ch in plain).split()
    return "-".join(words)


def template_file_name(period: str, unit_code: str, unit_name: str) -> str:
    """The collection workbook's name, recognisable and ASCII: 2020_SYT_So-Y-te.xlsx."""
    return f"{period}_{unit_code}_{ascii_slug(unit_name)}.xlsx"
