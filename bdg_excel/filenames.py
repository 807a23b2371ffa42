"""File names that are safe on every system, and that never overwrite a different file."""
from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

WINDOWS_RESERVED = re.compile(r"(CON|PRN|AUX|NUL|COM\d|LPT\d)(\..*)?", re.I)
UNSAFE = re.compile(r'[\x00-\x1f<>:"/\\|?*]')


MAX_NAME, MAX_NAME_BYTES = 150, 240  # characters; UTF-8 bytes, leaving room for "-2" within 255


def safe_name(name: str) -> str:
    """A name (of an attachment, of a stored file) that is safe as a file name on any system, and
    short enough for any of them: a long name loses the end of its stem, never its extension."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = UNSAFE.sub("_", name).strip().lstrip(".").rstrip(". ")
    stem, dot, suffix = name.rpartition(".")
    if WINDOWS_RESERVED.fullmatch(name):
        name = "_" + name
    if not (stem if dot else name):
        name = "tep-dinh-kem" + (dot + suffix if dot else ".xlsx")
    return shortened(name)


def shortened(name: str) -> str:
    """``name`` cut to MAX_NAME characters and MAX_NAME_BYTES bytes, its extension kept."""
    stem, dot, suffix = name.rpartition(".")
    if not dot or len(suffix) > 10:
        stem, suffix = name, ""
    suffix = dot + suffix if suffix else ""
    while stem and (len(stem) + len(suffix) > MAX_NAME or len((stem + suffix).encode()) > MAX_NAME_BYTES):
        stem = stem[:-1].rstrip(". ")
    return stem + suffix


def free_path(folder: Path, name: str, data: bytes) -> tuple[Path, bool]:
    """Where to save: the name, or name-2, name-3 ... on a clash; True when the same bytes are already there."""
    stem, suffix = Path(name).stem, Path(name).suffix
    candidate, number = folder / name, 1
    while candidate.exists():
        if candidate.read_bytes() == data:
            return candidate, True
        number += 1
        candidate = folder / f"{stem}-{number}{suffix}"
    return candidate, False


def shown_name(path: Path) -> str:
    """A file's name as text that can be printed and stored: a name that is not valid UTF-8 (a
    Windows zip unpacked on Linux) shows its undecodable bytes as '�'."""
    return os.fsencode(Path(path).name).decode("utf-8", "replace")
