"""Write output files all at once: a crash never leaves a half-written file."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from bdg_excel.errors import BdgError


class OutputError(BdgError):
    """An output file or folder cannot be written."""


@contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one step."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp_name = tempfile.mkstemp(prefix=".~" + path.stem, suffix=path.suffix, dir=path.parent)
        os.close(handle)
    except OSError as exc:
        raise OutputError(f"Không ghi được vào thư mục '{path.parent}': {exc.strerror or exc}.") from None
    tmp = Path(tmp_name)
    try:
        yield tmp
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise OutputError(
                f"Không ghi được tệp '{path}': tệp đang mở trong chương trình khác hoặc không có quyền ghi "
                f"({exc.strerror or exc}). Hãy đóng tệp rồi chạy lại.") from None
    finally:
        tmp.unlink(missing_ok=True)
