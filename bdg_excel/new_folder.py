"""``bdg init``: a new reporting folder, laid out for an officer to open in Explorer."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from bdg_excel import folder as layout
from bdg_excel.atomic import atomic_output
from bdg_excel.errors import os_reason
from bdg_excel.plan import Plan
from bdg_excel.plan_workbook import export_plan

SETTINGS_TEXT = """\
# Cài đặt của thư mục báo cáo bình đẳng giới (bdg).
# Mở bằng Notepad để sửa; mỗi dòng có dạng khóa = "giá trị", chữ đặt trong ngoặc kép.
# Dòng bắt đầu bằng dấu # là lời giải thích, bdg không đọc.

# Tệp kế hoạch (mục tiêu, chỉ tiêu, đơn vị, địa chỉ email), tính từ thư mục này.
plan = "{plan}"

# Đường dẫn tới chương trình LibreOffice (soffice.exe) để in PDF; để trống thì bdg tự tìm.
# Ví dụ: soffice = "C:/Program Files/LibreOffice/program/soffice.exe"
soffice = ""

# Ngày nghỉ để tính hạn "3 ngày làm việc" khi trả lời đơn vị (lệnh bdg feedback). bdg đã tính thứ Bảy,
# Chủ nhật, các ngày 1/1, 30/4, 1/5, 2/9 và 5 ngày Tết Nguyên đán (đêm giao thừa và mùng 1 đến mùng 4);
# ghi thêm ở đây các ngày nghỉ khác theo lịch Chính phủ công bố hằng năm (Giỗ Tổ Hùng Vương, ngày nghỉ
# liền kề Quốc khánh, ngày nghỉ bù...), mỗi ngày viết dạng "NĂM-THÁNG-NGÀY".
# Ví dụ: holidays = ["2026-04-27", "2026-09-01"]
holidays = []

[smtp]
# Máy chủ thư dùng để gửi biểu cho các đơn vị (lệnh bdg mail --send).
# KHÔNG ghi mật khẩu vào đây: bdg hỏi mật khẩu khi gửi
# (hoặc đặt biến môi trường BDG_SMTP_PASSWORD).
# Tên máy chủ, ví dụ: host = "smtp.gmail.com"
host = ""
# Cách kết nối: "starttls" (thường dùng, cổng 587), "ssl" (cổng 465) hoặc "none" (cổng 25).
security = "starttls"
# Cổng: bỏ dấu # ở dòng dưới nếu máy chủ dùng cổng khác cổng thường dùng.
# port = 587
# Tên đăng nhập hộp thư, ví dụ: user = "canbo@tinh.gov.vn"
user = ""
# Địa chỉ người gửi; để trống thì dùng tên đăng nhập.
from = ""
"""

DATA_README = """\
THƯ MỤC DỮ LIỆU CỦA BDG – KHÔNG SỬA, KHÔNG XÓA, KHÔNG CHÉP ĐÈ BẰNG TAY

Thư mục này chứa kho dữ liệu (tệp bdg.sqlite và các tệp đi kèm): mọi biểu các đơn vị đã gửi,
đúng từng byte, cùng mọi số liệu và mọi lỗi đã kiểm tra. Chỉ các lệnh bdg được ghi vào đây.

- Muốn sao lưu: chép cả thư mục du-lieu sang nơi khác khi không có lệnh bdg nào đang chạy.
- Muốn lấy lại các tệp đơn vị đã gửi: dùng lệnh bdg originals THƯ-MỤC.
- Không mở tệp bdg.sqlite bằng Excel hay chương trình khác rồi lưu lại: kho sẽ hỏng.
"""


def create_folder(root: Path, load_plan: Callable[[], Plan]) -> list[Path]:
    """Lay out a reporting folder at ``root`` (the plan workbook from ``load_plan()``); the paths created.

    A folder that already has content is refused and left as it is, unless bdg made it (it holds
    ``bdg.toml``): then only what is missing is added and nothing there is changed."""
    root = Path(root)
    completing = (root / layout.SETTINGS).is_file()
    if root.exists() and not completing:
        if not root.is_dir():
            raise layout.FolderError(f"'{root}' là một tệp, không phải thư mục.")
        if any(root.iterdir()):
            raise layout.FolderError(f"Thư mục '{root}' đã có nội dung nên bdg không tạo thư mục báo cáo ở đó "
                                     "(không thay đổi gì). Hãy chọn một thư mục mới hoặc thư mục trống.")
    plan_path = root / layout.PLAN_FILE
    plan = None if plan_path.exists() else load_plan()  # a plan that cannot be read leaves nothing behind
    created = []
    # The settings file first: it marks the folder as bdg's, so an interrupted run can be completed.
    for path, text in ((root / layout.SETTINGS, SETTINGS_TEXT.format(plan=layout.PLAN_FILE)),
                       (root / layout.DATA / "README.txt", DATA_README)):
        if not path.exists():
            with atomic_output(path) as tmp:
                tmp.write_text(text, "utf-8")
            created.append(path)
    if plan is not None:
        created.append(export_plan(plan, plan_path))
    for name in (layout.TEMPLATES, layout.INBOX, layout.OUTPUTS, layout.DATA):
        if not (root / name).is_dir():
            _make_dir(root / name)
            created.append(root / name)
    return created


def _make_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise layout.FolderError(f"Không tạo được thư mục '{path}': {os_reason(exc)}.") from None
