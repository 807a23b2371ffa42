"""The contract between the template writer and the reader of returns.

Sheet names, column headers, header-block labels and metadata keys live here, so that
the writer and the reader cannot drift apart. The reader finds everything by these
names, never by fixed position.
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bdg_excel.plan import DataElement

FORMAT_VERSION = "1"
KNOWN_FORMAT_VERSIONS = (FORMAT_VERSION,)

INSTRUCTIONS_SHEET = "Hướng dẫn"
DATA_SHEET = "Nhập liệu"
META_SHEET = "_meta"
FONT = "Times New Roman"


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
)
COLUMN_INDEX = {c.key: i for i, c in enumerate(COLUMNS)}
HEADER = {c.key: c.header for c in COLUMNS}
NUMBER_INPUTS = ("numerator", "denominator", "value")

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


def row_height(cells: list[tuple[str, float]], font_size: float = 12) -> float:
    """A row height (points) that shows wrapped text whole; neither Excel nor LibreOffice
    grows rows written by xlsxwriter. ``cells`` are (text, column width in characters)."""
    lines = 1
    for text, width in cells:
        per_line = max(1, int(width * 12 / font_size))
        lines = max(lines, sum(-(-len(part) // per_line) or 1 for part in str(text).split("\n")))
    return round(lines * font_size * 1.3 + 3, 1)


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
