"""What the bytes of a returned file are, before any spreadsheet library touches them.

Recognises workbooks by content (not by name), refuses what is not safe to open (too
large, zip bombs, sheets or string tables that claim more than any return needs,
password-protected files) and reads the two things python-calamine does not give: custom
document properties and formulas without a cached result.

python-calamine allocates a sheet's whole used range and its whole string table up front,
and some of its failures are Rust panics, not Python exceptions: everything a file claims
is bounded here, before calamine sees it.
"""
from __future__ import annotations

import html
import re
import struct
import zlib
from functools import cached_property
from typing import NamedTuple
from xml.etree import ElementTree

from bdg_excel.filenames import safe_name
from bdg_excel.problems import Problem, cell_name, problem

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200  # unpacked / packed, for parts larger than 1 MiB
MAX_MEMBERS = 10_000
MAX_ROWS, MAX_COLUMNS, MAX_CELLS = 100_000, 1_000, 2_000_000  # of one sheet's used range
MAX_STRINGS = 1_000_000  # entries of the shared-string table
MAX_STRING_CELL_BYTES = 256 * 1024 * 1024  # the text all string cells would hold once read
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

ZIP, OLE = "zip", "ole"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb")
NAMES_SHOWN = 3  # workbooks named in the message about a zip archive


class Refused(Exception):
    """The file is rejected: a catalogue ``code``, its fields, and where (sheet, cell)."""

    def __init__(self, code: str, /, *, sheet: str = "", cell: str = "", **fields: object):
        super().__init__(code)
        self.code, self.sheet, self.cell, self.fields = code, sheet, cell, fields

    def problem(self, file: str) -> Problem:
        return problem(self.code, file=file, sheet=self.sheet, cell=self.cell, **self.fields)


def corrupt(detail: str = "", **where: str) -> Refused:
    """The rejection of a damaged file; ``detail`` (``", trang 'X' không đọc được"``) says what broke."""
    return Refused("corrupt-file", detail=detail, **where)


def kind_of(data: bytes) -> str:
    """'zip' (xlsx, xlsm, ods), 'ole' (xls), else refuse with what the file really is."""
    if data.startswith(ZIP_MAGIC):
        return ZIP
    if data.startswith(OLE_MAGIC):
        return OLE
    head = data[:4096].lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n").lower().replace(b"\x00", b"")
    if head.startswith(b"<") and (b"<html" in head or b"<table" in head or b"urn:schemas-microsoft-com:office"
                                  in head or b"excel.sheet" in head):
        raise Refused("html-or-xml-workbook")
    if head.startswith(b"mime-version:") and b"multipart/related" in head:  # a "single file web page"
        raise Refused("html-or-xml-workbook")
    raise Refused("not-a-workbook")


def check_ole(data: bytes) -> None:
    """Refuse encrypted files and Word documents among compound files, and bound an .xls
    workbook's sheets by their farthest cell that holds a value."""
    import olefile  # only .xls returns need it

    try:
        ole = olefile.OleFileIO(data)
        if ole.exists("EncryptedPackage"):  # an encrypted xlsx
            raise Refused("password-protected")
        if ole.exists("WordDocument"):
            raise Refused("word-document")
        stream = next((name for name in ("Workbook", "Book") if ole.exists(name)), None)
        if stream is None:
            raise Refused("not-a-workbook")
        biff = ole.openstream(stream).read()
    except Refused:
        raise
    except Exception:  # noqa: BLE001 - olefile raises many types on damaged containers
        raise corrupt() from None
    _check_biff(biff)


# BIFF records that hold a value in a cell (blank, styled cells do not count: calamine skips them).
_BIFF_CELLS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x00D6, 0x0006, 0x0205, 0x00BD}
_BOF, _EOF, _FILEPASS, _BOUNDSHEET, _MULRK = 0x0809, 0x000A, 0x002F, 0x0085, 0x00BD


def _check_biff(biff: bytes) -> None:
    """Walk the workbook stream's records: refuse an encrypted workbook and a sheet whose used
    range is absurd (python-calamine allocates all of it)."""
    names, sheet, last_row, last_col, position = {}, -1, 0, 0, 0
    while position + 4 <= len(biff):
        kind, length = struct.unpack_from("<HH", biff, position)
        body = position + 4
        if kind == _FILEPASS:
            raise Refused("password-protected")
        if kind == _BOUNDSHEET and length > 8:
            names[struct.unpack_from("<I", biff, body)[0]] = _biff_sheet_name(biff[body + 6:body + length])
        elif kind == _BOF:
            sheet, last_row, last_col = position, 0, 0
        elif kind in _BIFF_CELLS and length >= 4:
            row, col = struct.unpack_from("<HH", biff, body)
            if kind == _MULRK and length >= 6:
                col = struct.unpack_from("<H", biff, body + length - 2)[0]
            last_row, last_col = max(last_row, row + 1), max(last_col, col + 1)
        elif kind == _EOF:
            _check_used_range(last_row, last_col, names.get(sheet, ""))
        position = body + length
    _check_used_range(last_row, last_col, names.get(sheet, ""))  # a stream cut short has no last EOF


def _biff_sheet_name(field: bytes) -> str:
    """A BOUNDSHEET's name: a character count, then (BIFF8) an encoding flag and the characters."""
    if len(field) < 2:
        return ""
    count, flags = field[0], field[1]
    if flags & 1:
        return field[2:2 + 2 * count].decode("utf-16-le", "replace")
    return field[2:2 + count].decode("latin-1")


def check_size(size: int) -> None:
    """Refuse files far larger than any collection workbook."""
    if size > MAX_FILE_BYTES:
        raise Refused("file-too-large", size=size // (1024 * 1024), limit=MAX_FILE_BYTES // (1024 * 1024))


DAMAGED = (zlib.error, EOFError, UnicodeDecodeError, ValueError, struct.error)


class Member(NamedTuple):
    """One member of a zip, as its central directory describes it."""

    name: str
    packed: int
    unpacked: int
    method: int
    offset: int  # of its local header


def members(data: bytes) -> list[Member]:
    """Every member, read straight from the zip's central directory (zip64 included): several
    times cheaper than zipfile, and bounded before anything is listed."""
    end = data.rfind(b"PK\x05\x06")
    if end < 0 or len(data) < end + 22:
        raise corrupt()
    count, size, offset = struct.unpack_from("<HII", data, end + 10)
    if 0xFFFF in (count,) or 0xFFFFFFFF in (size, offset):
        count, offset = _zip64_directory(data, end)
    if count > MAX_MEMBERS:
        raise Refused("zip-bomb", detail=f"{count:,} phần".replace(",", "."))
    found = []
    for _ in range(count):
        if data[offset:offset + 4] != b"PK\x01\x02" or len(data) < offset + 46:
            raise corrupt()
        method = struct.unpack_from("<H", data, offset + 10)[0]
        packed, unpacked, name_length, extra_length, comment = struct.unpack_from("<IIHHH", data, offset + 20)
        local = struct.unpack_from("<I", data, offset + 42)[0]
        name = data[offset + 46:offset + 46 + name_length].decode("utf-8", "replace")
        extra = data[offset + 46 + name_length:offset + 46 + name_length + extra_length]
        if 0xFFFFFFFF in (packed, unpacked, local):
            unpacked, packed, local = _zip64_values(extra, unpacked, packed, local)
        found.append(Member(name, packed, unpacked, method, local))
        offset += 46 + name_length + extra_length + comment
    return found


def _zip64_directory(data: bytes, end: int) -> tuple[int, int]:
    """(member count, central directory offset) from the zip64 end-of-directory record."""
    locator = end - 20
    if locator < 0 or data[locator:locator + 4] != b"PK\x06\x07":
        raise corrupt()
    record = struct.unpack_from("<Q", data, locator + 8)[0]
    if record + 56 > len(data) or data[record:record + 4] != b"PK\x06\x06":
        raise corrupt()
    count, _, offset = struct.unpack_from("<QQQ", data, record + 32)
    return count, offset


def _zip64_values(extra: bytes, *values: int) -> tuple[int, ...]:
    """A member's real sizes and offset from its zip64 extra field (id 1), each present when marked."""
    position = 0
    while position + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, position)
        if kind == 1:
            stored = list(struct.unpack_from(f"<{length // 8}Q", extra, position + 4))
            return tuple(stored.pop(0) if value == 0xFFFFFFFF and stored else value for value in values)
        position += 4 + length
    raise corrupt()


class Archive:
    """A zip's members, and their bytes unpacked on demand, never more than each claims."""

    def __init__(self, data: bytes, found: list[Member] | None = None):
        self.data = data
        self.members = {m.name: m for m in (found if found is not None else members(data))}

    @cached_property
    def sheets(self) -> dict[str, str]:
        """Zip part -> sheet name, for every sheet the workbook lists (read once, used by every check)."""
        return _sheet_parts(self)

    def read(self, name: str, limit: int | None = None) -> bytes | None:
        """A member's bytes (its first ``limit`` bytes), None when there is no such member."""
        member = self.members.get(name)
        if member is None:
            return None
        if len(self.data) < member.offset + 30 or self.data[member.offset:member.offset + 4] != b"PK\x03\x04":
            raise corrupt()
        name_length, extra_length = struct.unpack_from("<HH", self.data, member.offset + 26)
        start = member.offset + 30 + name_length + extra_length
        packed = self.data[start:start + member.packed]
        wanted = member.unpacked if limit is None else min(limit, member.unpacked)
        try:
            if member.method == 0:
                return packed[:wanted]
            if member.method == 8:
                unpacked = zlib.decompressobj(-15).decompress(packed, wanted)
                if len(unpacked) == wanted:
                    return unpacked
        except DAMAGED:
            pass
        raise corrupt()

    def text(self, name: str) -> str | None:
        """A text member, None when there is no such member; a damaged one is a corrupt file."""
        found = self.read(name)
        try:
            return None if found is None else found.decode("utf-8")
        except UnicodeDecodeError:
            raise corrupt() from None


def check_zip(data: bytes) -> Archive:
    """Refuse corrupt archives, zip bombs, Word documents and encrypted ODF files before any
    reader unpacks them; then bound what the workbook's sheets and strings claim. The archive,
    for what python-calamine does not read."""
    found = members(data)
    total = sum(m.unpacked for m in found)
    bomb = any(m.unpacked > 1024 * 1024 and m.unpacked > MAX_RATIO * max(m.packed, 1) for m in found)
    if total > MAX_UNPACKED_BYTES or bomb:
        size = f"{total // (1024 * 1024):,} MB".replace(",", ".")
        raise Refused("zip-bomb", detail=f"giải nén ra {size}" if not bomb else "tỷ lệ nén bất thường")
    archive = Archive(data, found)
    if "word/document.xml" in archive.members:
        raise Refused("word-document")
    if "xl/workbook.bin" in archive.members:
        raise Refused("binary-workbook")
    if b"encryption-data" in (archive.read("META-INF/manifest.xml") or b""):
        raise Refused("password-protected")
    if "xl/workbook.xml" in archive.members:
        _check_xlsx_claims(archive)
    elif "content.xml" in archive.members:
        _check_ods_claims(archive.read("content.xml"))
    elif not _is_package(archive):
        raise Refused("zip-archive", inside=_workbooks_inside(archive))
    return archive


def _is_package(archive: Archive) -> bool:
    """True for an Office or OpenDocument file (a workbook, even a damaged one, or another document),
    False for a zip archive a person made, such as a return zipped to be emailed."""
    names = {name.lower() for name in archive.members}
    return bool(names & {"[content_types].xml", "mimetype", "content.xml", "xl/workbook.xml"})


def _workbooks_inside(archive: Archive) -> str:
    """What a zip archive holds, as the message about it says it: the first few workbooks by name."""
    names = [name.rsplit("/", 1)[-1] for name in archive.members if not name.startswith("__MACOSX/")]
    found = [name for name in names if name.lower().endswith(WORKBOOK_SUFFIXES) and not name.startswith("._")]
    if not found:
        return "bên trong không có bảng tính nào"
    shown = ", ".join(f"'{safe_name(name)}'" for name in found[:NAMES_SHOWN])  # short, no control characters
    more = f" và {len(found) - NAMES_SHOWN} bảng tính khác" if len(found) > NAMES_SHOWN else ""
    return f"bên trong có {len(found)} bảng tính: {shown}{more}"


# A reference beyond column ZZ or row 999: only a sheet with one can claim more than MAX_CELLS.
_FAR_REF = re.compile(rb'r="(?:[A-Z]{3,}|[A-Z]+\d{4,})"')
# A cell that holds something (a value, a formula, inline text): python-calamine sizes a sheet by
# these alone, not by empty styled cells (LibreOffice writes them up to column AMJ), rows or <dimension>.
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+)(\d+)"[^>]*?(?<!/)>\s*<(?:\w+:)?(?:v|f|is)\b')
_STRING_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\bt="s"[^>]*>\s*<(?:\w+:)?v>(\d+)<')
_SST = re.compile(rb"<(?:\w+:)?sst\b[^>]*>")
_COUNT = re.compile(rb'\b(?:count|uniqueCount)="(\d+)"')
_STRING_ITEM = re.compile(rb"<(?:\w+:)?si\b.*?</(?:\w+:)?si>", re.S)
SHARED_STRINGS = "xl/sharedStrings.xml"


def _check_xlsx_claims(archive: Archive) -> None:
    """Bound each sheet's used range and the shared strings all its cells would hold once read."""
    strings = archive.members.get(SHARED_STRINGS)
    if strings:
        table = _SST.search(archive.read(SHARED_STRINGS, limit=4096))
        if table and any(int(n) > MAX_STRINGS for n in _COUNT.findall(table.group(0))):
            raise Refused("too-many-strings", detail="khai báo quá nhiều mục chữ")
    lengths = None
    for part, sheet in archive.sheets.items():  # where the workbook says its sheets are, as calamine reads them
        xml = archive.read(part)
        if xml is None:
            continue
        _check_range(xml, sheet)
        cells = xml.count(b't="s"')
        if strings and strings.unpacked * cells > MAX_STRING_CELL_BYTES:  # the cheap bound failed: count exactly
            if lengths is None:
                lengths = [len(item) for item in _STRING_ITEM.findall(archive.read(SHARED_STRINGS))]
            held = sum(lengths[int(i)] for i in _STRING_CELL.findall(xml) if int(i) < len(lengths))
            if held > MAX_STRING_CELL_BYTES:
                raise Refused("too-many-strings", detail=f"một chuỗi chữ dài được lặp lại ở {cells:,} ô"
                              .replace(",", "."), sheet=sheet)


_ODS_TABLE = re.compile(rb'<table:table\b[^>]*?table:name="([^"]*)"[^>]*>(.*?)</table:table>', re.S)
_ODS_ROW = re.compile(rb"<table:table-row\b([^>]*?)(?:/>|>(.*?)</table:table-row>)", re.S)
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell\b([^>]*?)(?:/>|>(.*?)</table:(?:covered-)?table-cell>)", re.S)
_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated="(\d+)"')
_COLUMNS_REPEATED = re.compile(rb'table:number-columns-repeated="(\d+)"')


def _check_ods_claims(content: bytes) -> None:
    """Bound each table of an .ods by its farthest cell that holds something, repetitions counted:
    python-calamine writes out every repeated cell (LibreOffice's empty repeated cells do not count)."""
    for name, table in _ODS_TABLE.findall(content):
        row = last_row = last_col = 0
        for row_attributes, cells in _ODS_ROW.findall(table):
            repeated = _repeat(_ROWS_REPEATED, row_attributes)
            width = column = 0
            for cell_attributes, inner in _ODS_CELL.findall(cells or b""):
                column += _repeat(_COLUMNS_REPEATED, cell_attributes)
                if b"value-type" in cell_attributes or inner.strip():
                    width = column
            if width:
                last_row, last_col = row + repeated, max(last_col, width)
                _check_used_range(last_row, last_col, html.unescape(name.decode("utf-8", "replace")))
            row += repeated


def _repeat(pattern: re.Pattern, attributes: bytes) -> int:
    found = pattern.search(attributes)
    return int(found.group(1)) if found else 1


def _check_range(xml: bytes, sheet: str) -> None:
    """Refuse a sheet whose used range (up to its farthest cell that holds something) is absurd.
    Only a sheet with a far reference (one quick search) has its cells read one by one."""
    if not _FAR_REF.search(xml):
        return
    refs = _CELL_REF.findall(xml)
    last_row = max((int(r) for _, r in refs), default=0)
    last_col = max((_column_number(c) for c in {c for c, _ in refs}), default=0)
    _check_used_range(last_row, last_col, sheet)


def _check_used_range(last_row: int, last_col: int, sheet: str) -> None:
    """Refuse a sheet whose farthest cell that holds something makes a range larger than a return may claim."""
    if last_row > MAX_ROWS or last_col > MAX_COLUMNS or last_row * last_col > MAX_CELLS:
        raise Refused("sheet-too-large", sheet=sheet, cell=cell_name(last_row - 1, last_col - 1),
                      rows=f"{last_row:,}".replace(",", "."), columns=f"{last_col:,}".replace(",", "."))


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


_SHEET = re.compile(r'<(?:\w+:)?sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_SHEET_ALT = re.compile(r'<(?:\w+:)?sheet\b[^>]*?r:id="([^"]*)"[^>]*?name="([^"]*)"')
_REL = re.compile(r'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"|'
                  r'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')


def _sheet_parts(archive: Archive) -> dict[str, str]:
    """Zip part -> sheet name, for every sheet the workbook lists."""
    workbook, rels = archive.text("xl/workbook.xml"), archive.text("xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        return {}
    ids = {rid: name for name, rid in _SHEET.findall(workbook)}
    ids.update({rid: name for rid, name in _SHEET_ALT.findall(workbook)})
    parts = {}
    for rid, target, target2, rid2 in _REL.findall(rels):
        target = target or target2
        if (rid or rid2) in ids and target:
            part = target.lstrip("/") if target.startswith("/") else "xl/" + target
            parts[part] = html.unescape(ids[rid or rid2])
    return parts


def custom_properties(archive: Archive) -> dict[str, str]:
    """Custom document properties of an xlsx/xlsm (python-calamine does not read them)."""
    text = archive.text("docProps/custom.xml")
    try:
        root = ElementTree.fromstring(text) if text else None
    except ElementTree.ParseError:
        root = None
    if root is None:
        return {}
    found = {}
    for prop in root:
        value = next(iter(prop), None)
        if prop.get("name") and value is not None:
            found[prop.get("name")] = value.text or ""
    return found


_REF = re.compile(r'\br="([A-Z]+\d+)"')
_VALUE = re.compile(r"<v>[^<]+</v>|<is>")


def formulas_without_result(archive: Archive, sheet_name: str) -> set[str]:
    """Cells of a sheet holding a formula whose result was never computed (e.g. saved by openpyxl)."""
    part = next((p for p, name in archive.sheets.items() if name == sheet_name), None)
    xml = archive.text(part) if part else None
    if xml is None:
        return set()
    missing = set()
    position = xml.find("<f")
    while position != -1:  # visit only the cells that hold a formula
        start, end = xml.rfind("<c ", 0, position), xml.find("</c>", position)
        cell = xml[start:end]
        ref = _REF.search(cell)
        if ref and not _VALUE.search(cell):
            missing.add(ref.group(1))
        position = xml.find("<f", end)
    return missing
