"""Problems found in data: records, not exceptions.

A problem has a stable kebab-case code, a severity (``lỗi`` or ``cảnh báo``), a Vietnamese
message and the place where a person finds it in Excel. Every code, with its severity and
its one message, is defined here in ``CATALOGUE``; README lists them.
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

    def describe(self, with_file: bool = True, with_code: bool = True) -> str:
        """One line: ``[lỗi] trang 'Nhập liệu', ô G12: message (code)``; without the code in letters to units."""
        where = self.location(with_file)
        code = f" ({self.code})" if with_code else ""
        return f"[{self.severity}] {where + ': ' if where else ''}{self.message}{code}"

    def __str__(self) -> str:
        return self.describe()


# Every problem code, its severity and its one Vietnamese message ({fields} are filled in).
CATALOGUE: dict[str, tuple[str, str]] = {
    # The file cannot be read (rejected).
    "not-a-workbook": (ERROR, "Tệp không phải là bảng tính Excel (.xlsx, .xlsm, .xls) hay LibreOffice (.ods)."),
    "word-document": (ERROR, "Tệp là văn bản Word, không phải bảng tính. Hãy gửi lại đúng biểu Excel đã điền."),
    "html-or-xml-workbook": (ERROR, "Tệp là trang HTML hoặc bảng tính XML 2003 mang tên .xls, không phải biểu gốc. "
                                    "Hãy mở tệp bằng Excel, chọn Lưu thành (Save As) kiểu Excel Workbook (.xlsx) "
                                    "rồi gửi lại."),
    "binary-workbook": (ERROR, "Tệp ở dạng bảng tính nhị phân của Excel (.xlsb). Hãy mở tệp bằng Excel, chọn Lưu "
                               "thành (Save As) kiểu Excel Workbook (.xlsx) rồi gửi lại."),
    "zip-archive": (ERROR, "Tệp là tệp nén .zip, không phải bảng tính ({inside}). Hãy giải nén rồi đặt bảng tính "
                           "bên trong vào thư mục nhận, hoặc lưu thư có tệp nén đính kèm và chạy 'bdg collect' (lệnh "
                           "này tự lấy bảng tính ra khỏi tệp nén)."),
    "corrupt-file": (ERROR, "Tệp bị hỏng hoặc không trọn vẹn (có thể tải về chưa xong){detail}: cần lưu lại tệp "
                            "và gửi lại."),
    "password-protected": (ERROR, "Tệp được đặt mật khẩu nên không mở được. Hãy gỡ mật khẩu (Tệp > Thông tin > "
                                  "Bảo vệ sổ làm việc) rồi gửi lại."),
    "file-too-large": (ERROR, "Tệp quá lớn ({size} MB; tối đa {limit} MB cho một biểu báo cáo)."),
    "zip-bomb": (ERROR, "Tệp nén bất thường ({detail}); không mở để bảo vệ máy tính."),
    "sheet-too-large": (ERROR, "Trang có dữ liệu đến tận ô {cell} ({rows} dòng × {columns} cột), quá lớn với một biểu "
                               "báo cáo; hãy xóa các ô thừa ở xa bảng số liệu rồi gửi lại."),
    "too-many-strings": (ERROR, "Bảng chữ của tệp bất thường ({detail}); không mở để bảo vệ máy tính. Hãy lưu lại tệp "
                                "bằng Excel hoặc LibreOffice rồi gửi lại."),
    "no-data-table": (ERROR, "Không tìm thấy bảng số liệu (dòng tiêu đề có cột 'Mã', 'Tử số', 'Mẫu số', 'Giá trị'). "
                             "Tệp có phải là biểu thu thập số liệu bình đẳng giới không?"),
    "missing-column": (ERROR, "Thiếu cột {columns}."),
    # The file is not a return of this plan, period or unit (rejected).
    "wrong-plan": (ERROR, "Biểu thuộc kế hoạch '{found}', không phải kế hoạch '{expected}'."),
    "wrong-plan-version": (ERROR, "Biểu được tạo từ một phiên bản kế hoạch mà chương trình không đối chiếu được "
                                  "('{found}', hiện hành '{expected}'): cần điền số liệu vào biểu mới của kỳ này."),
    "wrong-period": (ERROR, "Biểu của kỳ '{found}', không phải {expected}."),
    "unknown-unit": (ERROR, "Mã đơn vị '{unit}' không có trong kế hoạch (bảng 'Đơn vị')."),
    "unit-not-expected": (ERROR, "Đơn vị '{unit}' không được phân công báo cáo số liệu nào."),
    "unit-unidentified": (ERROR, "Không xác định được đơn vị gửi báo cáo: biểu không còn thông tin nhận dạng và phần "
                                 "đầu biểu không ghi tên hay mã đơn vị có trong kế hoạch."),
    "unknown-template-format": (ERROR, "Mẫu biểu phiên bản '{found}' không được hỗ trợ (phiên bản hỗ trợ: {known})."),
    "empty-return": (ERROR, "Đơn vị gửi lại biểu trống: không có số liệu nào được điền. Hãy điền số liệu rồi gửi lại."),
    "metadata-missing": (WARNING, "Không tìm thấy thông tin nhận dạng của biểu (có thể số liệu đã được chép sang tệp "
                                  "khác); đã nhận dạng đơn vị và kỳ báo cáo theo phần đầu biểu."),
    # Rows.
    "missing-row": (ERROR, "Thiếu dòng của số liệu '{code}' ({label})."),
    "unknown-code": (ERROR, "Mã '{code}' {why}."),
    "duplicate-code": (ERROR, "Mã '{code}' xuất hiện hai lần (lần đầu ở ô {first}); chỉ dùng lần đầu."),
    "row-changed": (ERROR, "Dòng '{code}' được tạo từ kế hoạch cũ và nay đã đổi nghĩa ({changes}); số liệu dòng này "
                           "không được dùng. Hãy điền lại trên biểu mới."),
    # How a number was typed.
    "text-number": (WARNING, "{field} được nhập dạng chữ '{text}'; đã đọc là {number}. Nên nhập dạng số."),
    "ambiguous-number": (ERROR, "{field} '{text}' có thể hiểu theo hai cách (dấu chấm, dấu phẩy là phân cách hàng "
                                "nghìn hay thập phân?). Hãy nhập dạng số, không dùng dấu phân cách hàng nghìn."),
    "not-a-number": (ERROR, "{field} '{text}' không phải là số."),
    "number-too-large": (ERROR, "{field} {text} quá lớn để là số liệu thật (tối đa {limit})."),
    "date-not-number": (ERROR, "{field} là ngày tháng ({date}), không phải số; có thể Excel đã tự đổi số thành ngày. "
                               "Hãy nhập lại số."),
    "formula-without-value": (ERROR, "Ô {field} chứa công thức nhưng chưa có kết quả (tệp được ghi bởi chương trình "
                                     "không tính công thức). Hãy mở tệp bằng Excel hoặc LibreOffice, lưu lại rồi gửi lại."),
    # What the numbers say.
    "invalid-data-year": (ERROR, "Năm số liệu '{value}' không hợp lệ: ghi một năm từ {first} đến {year} (năm của kỳ "
                                 "báo cáo), hoặc để trống nếu là số liệu năm {year}."),
    "negative-number": (ERROR, "{field} là số âm ({number})."),
    "not-whole-number": (ERROR, "{field} phải là số nguyên (đếm người, đơn vị), không phải {number}."),
    "missing-numerator": (ERROR, "Có mẫu số nhưng thiếu tử số."),
    "missing-denominator": (ERROR, "Có tử số nhưng thiếu mẫu số."),
    "denominator-zero": (ERROR, "Mẫu số bằng 0: không tính được tỷ lệ. Nếu không phát sinh trường hợp nào, để trống "
                                "Tử số, Mẫu số và ghi 'Không phát sinh' vào cột 'Ghi chú'."),
    "numerator-exceeds-denominator": (ERROR, "Tử số ({numerator}) lớn hơn mẫu số ({denominator}): tỷ lệ không thể "
                                             "vượt 100%."),
    "value-mismatch": (ERROR, "Giá trị {value} không khớp với tử số/mẫu số ({numerator}/{denominator} = {computed})."),
    "value-out-of-range": (ERROR, "{what} ({value}) nằm ngoài khoảng hợp lý ({low} – {high} {unit})."),
    "value-cannot-be-summed": (WARNING, "Số liệu '{label}' ({code}) của cả tỉnh được tính bằng cách "
                                        "cộng tử số, mẫu số của các đơn vị: chỉ nhập Giá trị thì không cộng được, nên "
                                        "số liệu của đơn vị chưa được tính vào tổng. Hãy nhập Tử số và Mẫu số."),
    # Against the unit's own earlier results (needs the store).
    "unusual-change": (WARNING, "{what} {value} thay đổi bất thường so với {earlier} của kỳ {period} (mức cho phép "
                                "{allowed}). Hãy kiểm tra lại số liệu; nếu đúng, ghi lý do vào cột 'Ghi chú'."),
    # Entries of the inbox that are not read.
    "unreadable-file": (ERROR, "Không đọc được tệp: {reason}."),
    "hidden-file": (WARNING, "Bỏ qua tệp ẩn (tên bắt đầu bằng dấu chấm)."),
    "office-lock-file": (WARNING, "Bỏ qua {count} tệp khóa tạm của Excel/LibreOffice ({names})."),
    "symbolic-link": (WARNING, "Bỏ qua liên kết (symbolic link): chỉ đọc tệp thật nằm trong thư mục nhận."),
    "not-a-regular-file": (WARNING, "Bỏ qua mục không phải tệp thường (FIFO, thiết bị hay socket)."),
    # Our own failure, never the unit's.
    "internal-error": (ERROR, "Lỗi của chương trình bdg khi đọc tệp này, không phải lỗi của đơn vị; tệp chưa được "
                              "lưu vào kho và sẽ được đọc lại ở lần chạy sau. Chi tiết đã ghi vào '{log}'; "
                              "hãy báo cho người quản trị."),
    # The plan.
    "missing-sheet": (ERROR, "Thiếu trang '{name}'."),
    "missing-table": (ERROR, "Thiếu bảng '{name}' hoặc bảng không có dòng nào."),
    "missing-value": (ERROR, "Thiếu '{header}'."),
    "invalid-value": (ERROR, "'{header}' phải là {kind}, không phải '{value}'."),
    "invalid-code": (ERROR, "Mã '{code}' không đúng dạng (ví dụ đúng: {example})."),
    "duplicate-assignment": (ERROR, "Phân công '{element}' cho '{unit}' bị lặp lại."),
    "unknown-goal": (ERROR, "Không có mục tiêu số {goal}."),
    "unknown-indicator": (ERROR, "Không có chỉ tiêu mã '{indicator}' trong bảng 'Chỉ tiêu'."),
    "unknown-element": (ERROR, "Không có số liệu mã '{element}' trong bảng 'Số liệu'."),
    "unassigned-element": (ERROR, "Số liệu '{element}' chưa được phân công cho đơn vị nào nhập."),
    "unknown-level": (ERROR, "Cấp '{level}' không hợp lệ; dùng một trong: {known}."),
    "invalid-email": (ERROR, "Địa chỉ email '{address}' không hợp lệ."),
    "unknown-operator": (ERROR, "Toán tử '{operator}' không hợp lệ; dùng một trong: {known}."),
    "invalid-scale": (ERROR, "Hệ số phải là số dương, không phải {scale}."),
    "duplicate-milestone": (ERROR, "Mốc chỉ tiêu của '{element}' năm {year} bị lặp lại (lần đầu ở ô {first})."),
    "element-without-target": (ERROR, "Số liệu '{element}' chưa có mốc chỉ tiêu nào trong trang 'Mốc chỉ tiêu'."),
    "invalid-range": (ERROR, "Giá trị lớn nhất ({high}) nhỏ hơn giá trị nhỏ nhất ({low})."),
    "period-outside-plan": (ERROR, "Kỳ báo cáo '{code}' không thuộc thời gian của kế hoạch ({years})."),
}


def problem(code: str, /, *, file: str = "", sheet: str = "", cell: str = "", **fields: object) -> Problem:
    """The problem ``code`` at a place, its catalogue message filled in with ``fields``."""
    severity, template = CATALOGUE[code]
    message = template.format(sheet=sheet, cell=cell, **fields)
    return Problem(code, severity, message, file=file, sheet=sheet, cell=cell)


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
