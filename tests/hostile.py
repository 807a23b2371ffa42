"""Hostile inputs for the tests: files (and inbox entries) made to break a reader.

Every generator returns bytes (or makes the entry in a folder) and needs nothing but the standard
library and the project's own template writer: workbooks are taken from a real return and their
XML rewritten inside the zip; the binary formats (.xls, .doc) are written as Compound File Binary
containers by the small writer below.
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import random
import re
import struct
import zipfile
import zlib
from pathlib import Path

LAST_CELL = "XFD1048576"
MB = 1024 * 1024


# ---------------------------------------------------------------------------------------------
# The demo inbox: the seed's returns, one file per unit, as bdg_excel.demo.run_demo makes them.

def demo_inbox(plan, folder: Path, period: str = "2020") -> dict[str, Path]:
    """The 18 demo returns (unit code -> path), stamped with the demo's sending time."""
    from bdg_excel.demo import SENT_ON, seed_entries
    from bdg_excel.layout import template_file_name
    from bdg_excel.template import write_template

    folder.mkdir(parents=True, exist_ok=True)
    chosen = plan.period(period)
    paths = {}
    for unit_code, entries in seed_entries(plan).items():
        unit = plan.unit(unit_code)
        path = folder / template_file_name(chosen.code, unit.code, unit.name)
        write_template(plan, chosen, unit, path, entries=entries)
        os.utime(path, (SENT_ON.timestamp(), SENT_ON.timestamp()))
        paths[unit_code] = path
    return paths


# ---------------------------------------------------------------------------------------------
# Rewriting the parts of an xlsx.

def parts(data: bytes) -> dict[str, bytes]:
    """The members of a zip, in order."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def repack(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def sheet_part(members: dict[str, bytes], sheet_name: str) -> str:
    """The zip member holding a sheet, found through workbook.xml and its relationships."""
    workbook = members["xl/workbook.xml"].decode("utf-8")
    rels = members["xl/_rels/workbook.xml.rels"].decode("utf-8")
    escaped = sheet_name.replace("&", "&amp;")
    sheet = next(m for m in re.finditer(r"<sheet\b[^>]*>", workbook) if f'name="{escaped}"' in m.group(0))
    rid = re.search(r'r:id="([^"]+)"', sheet.group(0)).group(1)
    rel = next(m.group(0) for m in re.finditer(r"<Relationship\b[^>]*>", rels) if f'Id="{rid}"' in m.group(0))
    target = re.search(r'Target="([^"]+)"', rel).group(1)
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def edit_sheet(data: bytes, sheet_name: str, change) -> bytes:
    """The workbook with one sheet's XML passed through ``change(xml) -> xml``."""
    members = parts(data)
    name = sheet_part(members, sheet_name)
    members[name] = change(members[name].decode("utf-8")).encode("utf-8")
    return repack(members)


def with_last_cell(data: bytes, sheet_name: str) -> bytes:
    """A value in the last cell of the sheet (XFD1048576), the dimension claiming the whole sheet."""
    def change(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{LAST_CELL}"/>', xml, count=1)
        return xml.replace("</sheetData>", f'<row r="1048576"><c r="{LAST_CELL}"><v>1</v></c></row></sheetData>', 1)
    return edit_sheet(data, sheet_name, change)


def with_cell(data: bytes, sheet_name: str, ref: str, inner: str, cell_type: str | None = None) -> bytes:
    """One cell's XML content replaced by hand (``<v>INF</v>``, an inline string, ...), its style kept."""
    def change(xml: str) -> str:
        pattern = re.compile(rf'<c r="{ref}"((?:\s+s="\d+")?)(?:\s+t="[^"]*")?\s*(?:/>|>.*?</c>)', re.S)
        typed = f' t="{cell_type}"' if cell_type else ""
        new, count = pattern.subn(lambda m: f'<c r="{ref}"{m.group(1)}{typed}>{inner}</c>', xml, count=1)
        if count != 1:
            raise ValueError(f"no cell {ref} in the sheet")
        return new
    return edit_sheet(data, sheet_name, change)


def with_string_count(data: bytes, count: int) -> bytes:
    """The shared-string table claiming ``count`` strings (count and uniqueCount)."""
    members = parts(data)
    sst = members["xl/sharedStrings.xml"].decode("utf-8")
    sst = re.sub(r'\bcount="\d+"', f'count="{count}"', sst, count=1)
    sst = re.sub(r'\buniqueCount="\d+"', f'uniqueCount="{count}"', sst, count=1)
    members["xl/sharedStrings.xml"] = sst.encode("utf-8")
    return repack(members)


def random_text(size: int, seed: int = 2020) -> str:
    """Text that does not compress (so no packed/unpacked ratio gives it away)."""
    return base64.b64encode(random.Random(seed).randbytes(size * 3 // 4 + 3)).decode("ascii")[:size]


def with_long_shared_string(data: bytes, sheet_name: str, size: int = MB, cells: int = 4000) -> bytes:
    """One ``size``-character shared string, referenced by ``cells`` cells of the sheet (column K)."""
    members = parts(data)
    sst = members["xl/sharedStrings.xml"].decode("utf-8")
    index = int(re.search(r'uniqueCount="(\d+)"', sst).group(1))
    total = int(re.search(r'\bcount="(\d+)"', sst).group(1)) + cells
    sst = re.sub(r'\bcount="\d+"', f'count="{total}"', sst, count=1)
    sst = re.sub(r'uniqueCount="\d+"', f'uniqueCount="{index + 1}"', sst, count=1)
    sst = sst.replace("</sst>", f"<si><t>{random_text(size)}</t></si></sst>")
    members["xl/sharedStrings.xml"] = sst.encode("utf-8")
    part = sheet_part(members, sheet_name)
    xml = members[part].decode("utf-8")
    first = 1000
    rows = "".join(f'<row r="{r}"><c r="K{r}" t="s"><v>{index}</v></c></row>' for r in range(first, first + cells))
    xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:K{first + cells - 1}"/>', xml, count=1)
    members[part] = xml.replace("</sheetData>", rows + "</sheetData>", 1).encode("utf-8")
    return repack(members)


def zip64_hidden_bomb(data: bytes, padding: int = 65_600, huge: int = 300 * MB,
                      part: str = "xl/sharedStrings.xml") -> bytes:
    """The workbook's parts, then ``padding`` empty members (so the zip needs a zip64 end of central
    directory and its classic record says 65,535), then ``part`` again, last, really inflating to
    ``huge`` bytes: a valid shared-string table with one enormous string."""
    members = parts(data)
    original = members.pop(part).decode("utf-8")
    unique = int(re.search(r'uniqueCount="(\d+)"', original).group(1))
    head, tail = original.rsplit("</sst>", 1)
    head = re.sub(r'uniqueCount="\d+"', f'uniqueCount="{unique + 1}"', head, count=1)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
        for number in range(padding):
            archive.writestr(zipfile.ZipInfo(f"z/{number:05d}"), b"", compress_type=zipfile.ZIP_STORED)
        info = zipfile.ZipInfo(part)
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as member:
            member.write(head.encode("utf-8") + b"<si><t>")
            block = b"A" * MB
            for _ in range(huge // MB):
                member.write(block)
            member.write(b"</t></si></sst>" + tail.encode("utf-8"))
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Compound File Binary (the container of .xls and .doc), version 3, 512-byte sectors.

FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SECTOR = 512
MINI_CUTOFF = 4096


def _cfb_key(name: str) -> tuple[int, str]:
    return (len(name), name.upper())


def cfb(streams: dict[str, bytes]) -> bytes:
    """A CFB file holding ``streams`` in its root storage. Streams shorter than the mini-stream
    cutoff (4,096 bytes) are padded with zeros to it, so that every stream lives in regular sectors
    (as those of real workbooks and documents do) and no mini stream is needed."""
    names = sorted(streams, key=_cfb_key)
    padded = {n: streams[n] + b"\0" * max(0, MINI_CUTOFF - len(streams[n])) for n in names}
    counts = {n: -(-len(padded[n]) // SECTOR) for n in names}
    dir_sectors = -(-(len(names) + 1) * 128 // SECTOR)
    data_sectors = dir_sectors + sum(counts.values())
    fat_sectors = 1
    while fat_sectors * (SECTOR // 4) < fat_sectors + data_sectors:
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("too large for a CFB without DIFAT sectors")
    fat = [FATSECT] * fat_sectors
    first_dir = len(fat)
    fat += list(range(first_dir + 1, first_dir + dir_sectors)) + [ENDOFCHAIN]
    starts = {}
    for name in names:
        starts[name] = len(fat)
        fat += list(range(len(fat) + 1, len(fat) + counts[name])) + [ENDOFCHAIN]
    fat += [FREESECT] * (fat_sectors * (SECTOR // 4) - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0"
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB3I", len(encoded), kind, 1, NOSTREAM, right, child)
                + b"\0" * 16 + struct.pack("<I", 0) + b"\0" * 16 + struct.pack("<IQ", start, size))

    # The root's children chained through right siblings in CFB order: a valid binary search tree.
    directory = entry("Root Entry", 5, 1 if names else NOSTREAM, NOSTREAM, ENDOFCHAIN, 0)
    for position, name in enumerate(names, start=1):
        right = position + 1 if position < len(names) else NOSTREAM
        directory += entry(name, 2, NOSTREAM, right, starts[name], len(padded[name]))
    directory = directory.ljust(dir_sectors * SECTOR, b"\0")
    difat = list(range(fat_sectors)) + [FREESECT] * (109 - fat_sectors)
    header = (CFB_MAGIC + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, fat_sectors, first_dir, 0, MINI_CUTOFF, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
              + struct.pack("<109I", *difat))
    body = struct.pack(f"<{len(fat)}I", *fat) + directory
    body += b"".join(padded[n].ljust(counts[n] * SECTOR, b"\0") for n in names)
    return header + body


def _rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    out, i, j = bytearray(), 0, 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


def _biff(record: int, payload: bytes = b"") -> bytes:
    return struct.pack("<HH", record, len(payload)) + payload


def encrypted_xls(password: str = "matkhau") -> bytes:
    """A BIFF8 workbook (.xls) protected by a password: BOF, then a FILEPASS record with a genuine
    RC4 encryption header (MS-OFFCRYPTO 2.3.6: salt, encrypted verifier and verifier hash), as
    Excel 97-2003 writes it; the rest of the stream would be encrypted."""
    salt, verifier = bytes(range(16)), bytes(range(16, 32))
    truncated = hashlib.md5(password.encode("utf-16-le")).digest()[:5]
    intermediate = hashlib.md5((truncated + salt) * 16).digest()[:5]
    key = hashlib.md5(intermediate + struct.pack("<I", 0)).digest()
    encrypted = _rc4(key, verifier + hashlib.md5(verifier).digest())
    filepass = struct.pack("<HHH", 1, 1, 1) + salt + encrypted
    bof = struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0x000080C9, 0x00000206)
    stream = _biff(0x0809, bof) + _biff(0x002F, filepass) + _biff(0x00E1, b"\0\0") + _biff(0x000A)
    return cfb({"Workbook": stream})


def word_97_document() -> bytes:
    """An old Word document (.doc): a CFB with a WordDocument stream starting with its FIB."""
    fib = struct.pack("<HHHHH", 0xA5EC, 0x00C1, 0x0000, 0x042A, 0x0000)  # wIdent, nFib, unused, lid (vi), pnNext
    text = "Kính gửi: Sở Lao động - Thương binh và Xã hội tỉnh Ninh Thuận".encode("utf-16-le")
    return cfb({"WordDocument": fib + b"\0" * 1531 + text, "1Table": b"\0" * 4096,
                "\x05SummaryInformation": b"\xfe\xff" + b"\0" * 46})


# ---------------------------------------------------------------------------------------------
# Other things sent with a spreadsheet's name.

def word_docx() -> bytes:
    """A Word document (.docx), as Word writes its minimal parts."""
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
          'wordprocessingml.document.main+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>')
    document = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
                '<w:p><w:r><w:t>Kính gửi: Sở Lao động - Thương binh và Xã hội tỉnh Ninh Thuận</w:t></w:r></w:p>'
                '<w:p><w:r><w:t>Báo cáo kết quả thực hiện công tác bình đẳng giới năm 2020.</w:t></w:r></w:p>'
                '<w:sectPr/></w:body></w:document>')
    return repack({"[Content_Types].xml": ct.encode(), "_rels/.rels": rels.encode(),
                   "word/document.xml": document.encode()})


def html_table_xls() -> bytes:
    """An HTML table saved with an .xls name, as government systems export "Excel" files."""
    rows = [("Mã", "Chỉ tiêu", "Tử số", "Mẫu số", "Giá trị"), ("MT4.CT1", "Tỷ số giới tính khi sinh", "", "", "108,5"),
            ("MT4.CT3", "Tỷ lệ phá thai", "", "", "16,8")]
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return ('<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel"'
            ' xmlns="http://www.w3.org/TR/REC-html40"><head><meta http-equiv="Content-Type" content="text/html; '
            'charset=utf-8"><!--[if gte mso 9]><xml><x:ExcelWorkbook><x:ExcelWorksheets><x:ExcelWorksheet>'
            '<x:Name>Nhập liệu</x:Name></x:ExcelWorksheet></x:ExcelWorksheets></x:ExcelWorkbook></xml><![endif]-->'
            f'</head><body><table border="1">{body}</table></body></html>').encode("utf-8")


def spreadsheetml_2003() -> bytes:
    """An Excel 2003 XML workbook (SpreadsheetML) with an .xls name."""
    rows = [("Mã", "Tử số", "Mẫu số", "Giá trị"), ("MT4.CT1", "", "", "108.5")]
    cells = "".join("<Row>" + "".join(f'<Cell><Data ss:Type="String">{c}</Data></Cell>' for c in row) + "</Row>"
                    for row in rows)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<?mso-application progid="Excel.Sheet"?>\n'
            '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
            'xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel" '
            'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet" xmlns:html="http://www.w3.org/TR/REC-html40">'
            f'<Worksheet ss:Name="Nhập liệu"><Table>{cells}</Table></Worksheet></Workbook>\n').encode("utf-8")


ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"


def encrypted_ods(password: str = "matkhau") -> bytes:
    """A password-protected LibreOffice spreadsheet: content.xml and styles.xml deflated and
    encrypted (AES-256-CBC, PBKDF2 over SHA-256 of the password, as LibreOffice does), and the
    manifest carrying their ``manifest:encryption-data``."""
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.3"><office:body>'
               '<office:spreadsheet><table:table table:name="Nhập liệu"/></office:spreadsheet></office:body>'
               '</office:document-content>').encode("utf-8")
    styles = (b'<?xml version="1.0" encoding="UTF-8"?><office:document-styles '
              b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:version="1.3"/>')
    entries, encrypted = [], {}
    for number, (name, plain) in enumerate((("content.xml", content), ("styles.xml", styles))):
        salt, iv = bytes([number + 1]) * 16, bytes([number + 17]) * 16
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        deflated = packer.compress(plain) + packer.flush()
        cipher = _aes_cbc(hashlib.sha256(password.encode()).digest(), salt, iv, deflated)
        encrypted[name] = cipher
        b64 = lambda raw: base64.b64encode(raw).decode()  # noqa: E731
        entries.append(
            f'<manifest:file-entry manifest:full-path="{name}" manifest:media-type="text/xml" '
            f'manifest:size="{len(plain)}"><manifest:encryption-data manifest:checksum-type='
            f'"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0#sha256-1k" manifest:checksum='
            f'"{b64(hashlib.sha256(cipher[:1024]).digest())}"><manifest:algorithm manifest:algorithm-name='
            f'"http://www.w3.org/2001/04/xmlenc#aes256-cbc" manifest:initialisation-vector="{b64(iv)}"/>'
            f'<manifest:start-key-generation manifest:start-key-generation-name='
            f'"http://www.w3.org/2000/09/xmldsig#sha256" manifest:key-size="32"/><manifest:key-derivation '
            f'manifest:key-derivation-name="PBKDF2" manifest:key-size="32" manifest:iteration-count="100000" '
            f'manifest:salt="{b64(salt)}"/></manifest:encryption-data></manifest:file-entry>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
                f'<manifest:file-entry manifest:full-path="/" manifest:version="1.3" manifest:media-type="{ODS_MIME}"/>'
                + "".join(entries) + "</manifest:manifest>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", ODS_MIME, compress_type=zipfile.ZIP_STORED)
        for name, cipher in encrypted.items():
            archive.writestr(name, cipher, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _aes_cbc(start_key: bytes, salt: bytes, iv: bytes, data: bytes) -> bytes:
    """AES-256-CBC under a PBKDF2-HMAC-SHA1 key; random bytes of the same length when the
    cryptography package is missing (the reader only needs to see that the part is encrypted)."""
    key = hashlib.pbkdf2_hmac("sha1", start_key, salt, 100_000, 32)
    padding = 16 - len(data) % 16
    data += bytes([padding]) * padding
    try:
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    except ImportError:
        return random.Random(len(data)).randbytes(len(data))
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def office_lock_file(user: str = "Nguyen Van An") -> bytes:
    """The owner file Excel leaves beside an open workbook (``~$name.xlsx``): 165 bytes."""
    raw = user.encode("latin-1")[:53]
    return (bytes([len(raw)]) + raw.ljust(53, b" ") + struct.pack("<H", len(user))
            + user.encode("utf-16-le").ljust(109, b" "))[:165].ljust(165, b"\0")


# ---------------------------------------------------------------------------------------------
# Far cells in the other formats python-calamine reads.

def xls_with_far_cell(sheet: str = "Nhập liệu") -> bytes:
    """A BIFF8 workbook whose one sheet has a number in A1 and another in IV65536, its last cell:
    python-calamine would allocate all 16.7 million cells."""
    bof = lambda kind: _biff(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x0206))  # noqa: E731
    name = sheet.encode("utf-16-le")
    globals_ = bof(0x0005) + _biff(0x0042, struct.pack("<H", 1200)) + _biff(0x000A)
    sheet_start = len(globals_) - 4 + (4 + 8 + len(name)) + 4  # globals less EOF, BOUNDSHEET, EOF
    boundsheet = _biff(0x0085, struct.pack("<IBBBB", sheet_start, 0, 0, len(sheet), 1) + name)
    number = lambda row, col, value: _biff(0x0203, struct.pack("<HHHd", row, col, 0, value))  # noqa: E731
    cells = bof(0x0010) + number(0, 0, 1.0) + number(65535, 255, 2.0) + _biff(0x000A)
    stream = globals_[:-4] + boundsheet + _biff(0x000A) + cells
    return cfb({"Workbook": stream})


def ods_with_repeated_cells(rows: int = 100_000, columns: int = 1_000) -> bytes:
    """An .ods whose one row of numbers is repeated: a kilobyte that python-calamine writes out as
    ``rows`` × ``columns`` cells."""
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="Nhập liệu">'
               f'<table:table-row table:number-rows-repeated="{rows}">'
               f'<table:table-cell table:number-columns-repeated="{columns}" office:value-type="float" '
               'office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>'
               '</table:table></office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def xlsb_workbook() -> bytes:
    """The parts by which an Excel binary workbook (.xlsb) is known (its sheets are binary records)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.'
                         'org/package/2006/content-types"><Override PartName="/xl/workbook.bin" ContentType="application/'
                         'vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>')
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00\x84\x01\x00")
        archive.writestr("xl/worksheets/sheet1.bin", b"\x81\x01\x00\x82\x01\x00")
    return buffer.getvalue()
