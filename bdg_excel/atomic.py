"""Write output files all at once: a crash never leaves a half-written file."""
from __future__ import annotations

import os
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from bdg_excel.errors import BdgError, os_reason

_UMASK_LOCK = threading.Lock()


class OutputError(BdgError):
    """An output file or folder cannot be written."""


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one step.

    The file gets the permissions the user's umask gives a new file (mkstemp's are owner-only).
    An OS error (disk full, no permission) leaves ``path`` as it was and no temporary file behind.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp_name = tempfile.mkstemp(prefix=".~" + path.stem, suffix=path.suffix, dir=path.parent)
        os.close(handle)
    except OSError as exc:
        raise OutputError(f"Không ghi được vào thư mục '{path.parent}': {os_reason(exc)}.") from None
    tmp = Path(tmp_name)
    try:
        try:
            yield tmp
        except OSError as exc:
            raise OutputError(
                f"Không ghi được tệp '{path}': {os_reason(exc)}. "
                "Tệp cũ (nếu có) vẫn được giữ nguyên.") from None
        _follow_umask(tmp)
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise OutputError(
                f"Không ghi được tệp '{path}': tệp đang mở trong chương trình khác hoặc không có quyền ghi "
                f"({os_reason(exc)}). Hãy đóng tệp rồi chạy lại.") from None
    finally:
        tmp.unlink(missing_ok=True)


def _follow_umask(tmp: Path) -> None:
    """Give ``tmp`` the mode a new file gets (0o666 less the umask); on Windows this only clears read-only."""
    try:
        os.chmod(tmp, 0o666 & ~_umask())
    except OSError:  # a folder without Unix permissions (some network shares) refuses chmod: keep the file
        pass


def _umask() -> int:
    """The process's umask: read from /proc on Linux, else set and restored at once (under a lock)."""
    try:
        for line in Path("/proc/self/status").read_text("latin-1").splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _UMASK_LOCK:
        mask = os.umask(0o077)
        os.umask(mask)
    return mask
