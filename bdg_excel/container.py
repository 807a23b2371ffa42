"""What the bytes of a returned file are, before any spreadsheet library touches them.

Recognises workbooks by content (not by name), refuses what is not safe to open (too
large, zip bombs, password-protected files) and reads the two things python-calamine
does not give: custom document properties and formulas without a cached result.
"""
from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from xml.etree import ElementTree

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200  # unpacked / packed, for parts larger than 1 MiB
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

ZIP, OLE = "zip", "ole"


class Refused(Exception):
    """The file is rejected; ``code``, the Vietnamese message and where (sheet, cell) say why."""

    def __init__(self, code: str, message: str, **where: str):
        super().__init__(message)
        self.code, self.where = code, where


def kind_of(data: bytes) -> str:
    """'zip' (xlsx, xlsm, ods), 'ole' (xls, or an encrypted xlsx), else refuse."""
    if data.startswith(ZIP_MAGIC):
        return ZIP
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise Refused("password-protected", "Tệp được đặt mật khẩu nên không mở được. "
                                               "Hãy gỡ mật khẩu (Tệp > Thông tin > Bảo vệ sổ làm việc) rồi gửi lại.")
        return OLE
    raise Refused("not-a-workbook", "Tệp không phải là bảng tính Excel (.xlsx, .xlsm, .xls) hay LibreOffice (.ods).")


def check_size(size: int) -> None:
    """Refuse files far larger than any collection workbook."""
    if size > MAX_FILE_BYTES:
        raise Refused("file-too-large", f"Tệp quá lớn ({size // (1024 * 1024)} MB; tối đa "
                                        f"{MAX_FILE_BYTES // (1024 * 1024)} MB cho một biểu báo cáo).")


DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, UnicodeDecodeError, NotImplementedError, ValueError)
CORRUPT = ("corrupt-file", "Tệp bị hỏng hoặc không trọn vẹn (có thể tải về chưa xong); hãy đề nghị đơn vị gửi lại.")


def member_sizes(data: bytes) -> list[tuple[int, int]]:
    """(packed, unpacked) size of every member, read straight from the zip's central directory:
    several times cheaper than zipfile, which matters when thousands of returns are read."""
    end = data.rfind(b"PK\x05\x06")
    if end < 0 or len(data) < end + 22:
        raise Refused(*CORRUPT)
    count, _, offset = struct.unpack_from("<HII", data, end + 10)
    sizes = []
    for _ in range(count):
        if data[offset:offset + 4] != b"PK\x01\x02" or len(data) < offset + 46:
            raise Refused(*CORRUPT)
        packed, unpacked, name, extra, comment = struct.unpack_from("<IIHHH", data, offset + 20)
        sizes.append((packed, unpacked))
        offset += 46 + name + extra + comment
    return sizes


def check_zip(data: bytes) -> None:
    """Refuse corrupt archives and zip bombs before any reader unpacks them."""
    sizes = member_sizes(data)
    if any(0xFFFFFFFF in pair for pair in sizes):  # zip64: no workbook of ours needs it
        sizes = [(m.compress_size, m.file_size) for m in open_zip(data).infolist()]
    total = sum(unpacked for _, unpacked in sizes)
    bomb = any(unpacked > 1024 * 1024 and unpacked > MAX_RATIO * max(packed, 1) for packed, unpacked in sizes)
    if total > MAX_UNPACKED_BYTES or bomb:
        raise Refused("zip-bomb", "Tệp nén bất thường (giải nén ra quá lớn); không mở để bảo vệ máy tính.")


def open_zip(data: bytes) -> zipfile.ZipFile:
    """The zip container, for the parts python-calamine does not read."""
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except DAMAGED:
        raise Refused(*CORRUPT) from None


def read_part(archive: zipfile.ZipFile, name: str) -> str | None:
    """A text part of the container, None when there is no such part; a damaged part is a corrupt file."""
    try:
        return archive.read(name).decode("utf-8")
    except KeyError:
        return None
    except DAMAGED:
        raise Refused(*CORRUPT) from None


def custom_properties(archive: zipfile.ZipFile) -> dict[str, str]:
    """Custom document properties of an xlsx/xlsm (python-calamine does not read them)."""
    text = read_part(archive, "docProps/custom.xml")
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


_SHEET = re.compile(r'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_SHEET_ALT = re.compile(r'<sheet\b[^>]*?r:id="([^"]*)"[^>]*?name="([^"]*)"')
_REL = re.compile(r'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"|'
                  r'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')
_REF = re.compile(r'\br="([A-Z]+\d+)"')
_VALUE = re.compile(r"<v>[^<]+</v>|<is>")


def formulas_without_result(archive: zipfile.ZipFile, sheet_name: str) -> set[str]:
    """Cells of a sheet holding a formula whose result was never computed (e.g. saved by openpyxl)."""
    workbook, rels = read_part(archive, "xl/workbook.xml"), read_part(archive, "xl/_rels/workbook.xml.rels")
    if workbook is None or rels is None:
        return set()
    escaped = sheet_name.replace("&", "&amp;")
    ids = {name: rid for name, rid in _SHEET.findall(workbook)}
    ids.update({name: rid for rid, name in _SHEET_ALT.findall(workbook)})
    targets = {}
    for rid, target, target2, rid2 in _REL.findall(rels):
        targets[rid or rid2] = target or target2
    target = targets.get(ids.get(escaped, ids.get(sheet_name, "")), "")
    if not target:
        return set()
    part = target.lstrip("/") if target.startswith("/") else "xl/" + target
    xml = read_part(archive, part)
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
