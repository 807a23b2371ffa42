"""Outlook .msg files for the tests: a message with attachments, as [MS-OXMSG] lays it out in a
Compound File ([MS-CFB] version 3: 512-byte sectors, one FAT, streams under 4096 bytes in the mini stream).

Only what a saved reply needs is written: subject, sender, the time it was sent, attachments.
"""
from __future__ import annotations

import struct
from datetime import datetime, timedelta, timezone
from pathlib import Path

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SECTOR, MINI_SECTOR, CUTOFF = 512, 64, 4096
FREE = NOSTREAM = 0xFFFFFFFF
END, FAT_SECTOR = 0xFFFFFFFE, 0xFFFFFFFD
STORAGE, STREAM, ROOT = 1, 2, 5
STRING, BINARY, LONG, TIME = 0x001F, 0x0102, 0x0003, 0x0040
READ_WRITE = 6
UNUSED_ENTRY = bytes(68) + b"\xff" * 12 + bytes(48)


def write_msg(path: Path, subject: str, sender: str, sent: datetime | None, attachments: list[tuple[str, bytes]],
              sender_name: str = "") -> Path:
    """A sent message from ``sender`` (PR_SENDER_EMAIL_ADDRESS only: no SMTP address property, no headers)."""
    strings = {0x001A: "IPM.Note", 0x0037: subject, 0x0C1F: sender, **({0x0C1A: sender_name} if sender_name else {})}
    fixed = [(0x0039, TIME, struct.pack("<Q", _filetime(sent)))] if sent else []
    tree = {"__nameid_version1.0": {f"__substg1.0_000{n}0102": b"" for n in (2, 3, 4)}}
    tree.update(_object(struct.pack("<8x4I8x", 0, len(attachments), 0, len(attachments)), strings, {}, fixed))
    for number, (name, data) in enumerate(attachments):
        tree[f"__attach_version1.0_#{number:08X}"] = _object(
            bytes(8), {0x3707: name}, {0x3701: data},
            [(0x3705, LONG, struct.pack("<I4x", 1)), (0x0E21, LONG, struct.pack("<I4x", number))])
    path.write_bytes(compound_file(tree))
    return path


def _filetime(moment: datetime) -> int:
    return (moment - datetime(1601, 1, 1, tzinfo=timezone.utc)) // timedelta(microseconds=1) * 10


def _object(header: bytes, strings: dict[int, str], binaries: dict[int, bytes], fixed: list) -> dict:
    """The property stream and the streams of variable-length properties of a message or attachment."""
    streams = {**{(pid, STRING): text.encode("utf-16-le") for pid, text in strings.items()},
               **{(pid, BINARY): data for pid, data in binaries.items()}}
    entries = [struct.pack("<HHI", kind, pid, READ_WRITE) + value for pid, kind, value in fixed]
    entries += [struct.pack("<HHIII", kind, pid, READ_WRITE, len(data) + (2 if kind == STRING else 0), 0)
                for (pid, kind), data in streams.items()]
    return {"__properties_version1.0": header + b"".join(entries),
            **{f"__substg1.0_{pid:04X}{kind:04X}": data for (pid, kind), data in streams.items()}}


def compound_file(tree: dict) -> bytes:
    """A compound file holding ``tree``: a dict is a storage, bytes a stream."""
    entries: list[dict] = []

    def add(name: str, content, kind: int) -> int:
        index, entry = len(entries), {"name": name, "kind": kind, "left": NOSTREAM, "right": NOSTREAM,
                                      "child": NOSTREAM, "data": b""}
        entries.append(entry)
        if isinstance(content, dict):
            children = [add(key, content[key], STORAGE if isinstance(content[key], dict) else STREAM)
                        for key in sorted(content, key=lambda key: (len(key), key.upper()))]
            entry["child"] = _balanced(entries, children)
        else:
            entry["data"] = content
        return index

    add("Root Entry", tree, ROOT)
    mini, mini_fat = bytearray(), []
    for entry in entries[1:]:
        if 0 < len(entry["data"]) < CUTOFF:
            entry["start"], count = len(mini) // MINI_SECTOR, -(-len(entry["data"]) // MINI_SECTOR)
            mini_fat += [entry["start"] + n for n in range(1, count)] + [END]
            mini += entry["data"].ljust(count * MINI_SECTOR, b"\0")
    large = [entry for entry in entries[1:] if len(entry["data"]) >= CUTOFF]
    mini_fat += [FREE] * (-len(mini_fat) % (SECTOR // 4))
    chains = [struct.pack(f"<{len(mini_fat)}I", *mini_fat), bytes(len(entries) * 128), bytes(mini)]
    chains += [entry["data"] for entry in large]
    lengths = [-(-len(chain) // SECTOR) for chain in chains]
    fat_count = 1
    while fat_count * SECTOR // 4 < sum(lengths) + fat_count:
        fat_count += 1
    assert fat_count <= 109, "a larger file needs DIFAT sectors"
    starts = [fat_count + sum(lengths[:n]) if lengths[n] else END for n in range(len(chains))]
    entries[0]["start"], entries[0]["size"] = starts[2], len(mini)
    for entry, start in zip(large, starts[3:]):
        entry["start"] = start
    chains[1] = b"".join(map(_directory_entry, entries)) + UNUSED_ENTRY * (-len(entries) % (SECTOR // 128))
    fat = [FAT_SECTOR] * fat_count
    for length in lengths:
        fat += [len(fat) + n for n in range(1, length)] + [END] * bool(length)
    header = struct.pack("<8s16x5H6x9I", MAGIC, 0x3E, 3, 0xFFFE, 9, 6, 0, fat_count, starts[1], 0, CUTOFF,
                         starts[0], lengths[0], END, 0)
    header += struct.pack("<109I", *range(fat_count), *[FREE] * (109 - fat_count))
    body = b"".join(chain.ljust(length * SECTOR, b"\0") for chain, length in zip(chains, lengths))
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat).ljust(fat_count * SECTOR, b"\xff")
    return header + fat_bytes + body


def _balanced(entries: list[dict], ids: list[int]) -> int:
    """The root of a balanced binary tree of siblings (all black: a valid red-black tree, [MS-CFB] 2.6.4)."""
    if not ids:
        return NOSTREAM
    middle = len(ids) // 2
    entries[ids[middle]]["left"] = _balanced(entries, ids[:middle])
    entries[ids[middle]]["right"] = _balanced(entries, ids[middle + 1:])
    return ids[middle]


def _directory_entry(entry: dict) -> bytes:
    name = entry["name"].encode("utf-16-le")
    size = entry.get("size", len(entry["data"]))
    return struct.pack("<64sHBB3I16x4x16xIQ", name, len(name) + 2, entry["kind"], 1, entry["left"], entry["right"],
                       entry["child"], entry.get("start", END if entry["kind"] == STREAM else 0), size)
