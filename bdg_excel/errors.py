"""The base of every error a user can fix (the CLI shows it as one Vietnamese line, exit 2), and the
operating system's errors said in Vietnamese."""
from __future__ import annotations

import errno

OS_REASONS = {
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EFBIG: "tệp vượt quá kích thước hệ thống cho phép (ổ đĩa có thể đã đầy)",
    errno.EDQUOT: "đã hết dung lượng được cấp trên ổ đĩa",
    errno.EACCES: "không có quyền truy cập",
    errno.EPERM: "không có quyền truy cập",
    errno.EROFS: "ổ đĩa chỉ cho phép đọc",
    errno.ENOENT: "không tìm thấy tệp hay thư mục",
    errno.ENOTDIR: "đường dẫn không phải là thư mục",
    errno.EISDIR: "đường dẫn là một thư mục",
    errno.EBUSY: "tệp đang được chương trình khác sử dụng",
    errno.ENAMETOOLONG: "tên tệp quá dài",
    errno.EIO: "lỗi đọc ghi đĩa",
}
WINDOWS_REASONS = {32: "tệp đang được mở trong chương trình khác", 33: "tệp đang bị chương trình khác khóa"}


class BdgError(Exception):
    """Cannot continue: unreadable plan, unwritable output, busy store, bad mail settings."""


def os_reason(exc: OSError) -> str:
    """What an operating-system error means, in Vietnamese (its English text never reaches the user)."""
    winerror = getattr(exc, "winerror", None)
    if winerror in WINDOWS_REASONS:
        return WINDOWS_REASONS[winerror]
    return OS_REASONS.get(exc.errno, f"lỗi hệ điều hành số {exc.errno}" if exc.errno else "lỗi hệ điều hành")
