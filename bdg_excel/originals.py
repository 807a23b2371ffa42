"""Copy the files units sent out of the store, byte for byte, under names a person can read."""
from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path

from bdg_excel.atomic import atomic_output
from bdg_excel.filenames import free_path, safe_name
from bdg_excel.plan import Unit
from bdg_excel.store import Store, StoredFile
from bdg_excel.submission import REJECTED

UNKNOWN_PERIOD, UNKNOWN_UNIT = "khong-ro-ky", "khong-ro-don-vi"


@dataclass(frozen=True)
class Copied:
    """One stored file, the unit it is filed under ("" when unknown), and where its original went (None when
    the store has no bytes for it)."""

    stored: StoredFile
    owner: str
    path: Path | None
    already_there: bool = False


def export_originals(store: Store, out_dir: Path, period: str | None = None, unit: Unit | None = None) -> list[Copied]:
    """Write every stored file (of ``period``, of ``unit``) to ``out_dir/PERIOD/UNIT_RECEIVED_NAME``; a
    unit's files include the rejected ones (unreadable, another plan's form) emailed from its address.

    RECEIVED is when the unit sent it, so a unit's versions sort in order. A file with the same
    bytes already there is left alone; a different file is never overwritten (-2, -3 ... instead).
    """
    copied = []
    for stored in store.files(period):
        if unit and not _sent_by(stored, unit):
            continue
        owner = unit.code if unit else stored.unit or ""
        data = store.original(stored.sha256)
        if data is None:
            copied.append(Copied(stored, owner, None))
            continue
        received = stored.received_at[:19].replace("T", "_").replace(":", "-")
        folder = Path(out_dir) / (stored.period or UNKNOWN_PERIOD)
        name = safe_name(f"{owner or UNKNOWN_UNIT}_{received}_{stored.original_name}")
        path, present = free_path(folder, name, data)
        if not present:
            with atomic_output(path) as tmp:
                tmp.write_bytes(data)
        copied.append(Copied(stored, owner, path, present))
    return copied


def _sent_by(stored: StoredFile, unit: Unit) -> bool:
    """The unit's return, or a rejected file (unreadable, another plan's form) emailed from one of its addresses."""
    return stored.unit == unit.code or (stored.status == REJECTED and unit.has_address(parseaddr(stored.sender or "")[1]))


def summary_lines(copied: list[Copied], out_dir: Path) -> list[str]:
    """A line per stored file (where its original went), then counts."""
    lines = []
    for item in copied:
        where = f"{item.stored.original_name} ({item.owner or 'không rõ đơn vị'}, kỳ {item.stored.period or 'không rõ'})"
        if item.path is None:
            lines.append(f"{where}: không có bản gốc (tệp quá lớn nên không được lưu).")
        else:
            lines.append(f"{where} → {item.path}" + (" (đã có, giữ nguyên)" if item.already_there else ""))
    written = sum(c.path is not None and not c.already_there for c in copied)
    return lines + [f"Tổng cộng {len(copied)} tệp, {written} tệp được chép vào '{out_dir}'."]
