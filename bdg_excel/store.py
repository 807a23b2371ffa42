"""The submission store: one SQLite database holding every file ingested, byte for byte.

Every file ever ingested is recorded (even rejected ones) with every figure read, the cell
it came from and every problem, and its original bytes are kept under their SHA-256 in the
same transaction, so nothing a unit sent is ever lost; input files themselves are never
touched. The bytes live in the database rather than in files of their own: creating a small
file cost more than reading and validating the return on the machines we measured (ingest
became twice as fast), and the store is one file to back up.
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Iterator

from bdg_excel import clock
from bdg_excel.errors import BdgError, os_reason
from bdg_excel.figures import Entry
from bdg_excel.filenames import shown_name
from bdg_excel.submission import REJECTED, Submission

APPLICATION_ID = 0x62646731  # "bdg1": marks an SQLite file as a bdg store
OUR_TABLES = {"files", "figures", "problems"}
SCHEMA_1 = """
CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    original_name TEXT NOT NULL,
    source_path TEXT,
    size INTEGER NOT NULL,
    file_mtime TEXT,
    ingested_at TEXT NOT NULL,
    unit TEXT,
    period TEXT,
    plan_id TEXT,
    plan_version TEXT,
    status TEXT NOT NULL,
    archive_name TEXT
);
CREATE INDEX files_period_unit ON files (period, unit);
CREATE TABLE figures (
    file_id INTEGER NOT NULL REFERENCES files (id),
    code TEXT NOT NULL,
    numerator TEXT,
    denominator TEXT,
    value TEXT,
    note TEXT,
    usable INTEGER NOT NULL,
    sheet TEXT,
    numerator_cell TEXT,
    denominator_cell TEXT,
    value_cell TEXT,
    PRIMARY KEY (file_id, code)
);
CREATE TABLE problems (
    file_id INTEGER NOT NULL REFERENCES files (id),
    seq INTEGER NOT NULL,
    severity TEXT NOT NULL,
    code TEXT NOT NULL,
    sheet TEXT,
    cell TEXT,
    message TEXT NOT NULL,
    PRIMARY KEY (file_id, seq)
);
CREATE TABLE received (
    sha256 TEXT PRIMARY KEY,
    sender TEXT,
    sent_at TEXT,
    subject TEXT,
    saved_as TEXT
);
CREATE TABLE mail_sent (
    period TEXT NOT NULL,
    unit TEXT NOT NULL,
    recipients TEXT NOT NULL,
    attachment_sha256 TEXT NOT NULL,
    sent_at TEXT NOT NULL
)
"""


def _tables_and_archive_folder(db: sqlite3.Connection, folder: Path) -> None:
    """Version 1: the tables, the original bytes kept as files in archive/ beside the database."""
    for statement in SCHEMA_1.split(";"):
        db.execute(statement)


def _originals_inside(db: sqlite3.Connection, folder: Path) -> None:
    """Version 2: the original bytes in the database (the archive folder is copied in and left as it is)."""
    db.execute("CREATE TABLE originals (sha256 TEXT PRIMARY KEY, bytes BLOB NOT NULL)")
    for row in db.execute("SELECT sha256, archive_name FROM files WHERE archive_name IS NOT NULL").fetchall():
        kept = folder / "archive" / row["archive_name"]
        if kept.is_file():
            db.execute("INSERT OR IGNORE INTO originals (sha256, bytes) VALUES (?, ?)",
                       (row["sha256"], kept.read_bytes()))
    db.execute("ALTER TABLE files DROP COLUMN archive_name")


def _figure_data_year(db: sqlite3.Connection, folder: Path) -> None:
    """Version 3: the year a figure refers to, when the unit stated one (NULL: the period's year)."""
    db.execute("ALTER TABLE figures ADD COLUMN data_year INTEGER")


def _unit_messages(db: sqlite3.Connection, folder: Path) -> None:
    """Version 4: the messages written to units about their returns (feedback) and reminders, so that a
    unit is not written to twice for the same return, nor reminded twice a day."""
    db.execute("CREATE TABLE unit_messages (period TEXT NOT NULL, unit TEXT NOT NULL, kind TEXT NOT NULL,"
               " about TEXT NOT NULL, sent INTEGER NOT NULL, recipients TEXT NOT NULL, written_at TEXT NOT NULL)")
    db.execute("CREATE INDEX unit_messages_about ON unit_messages (period, unit, kind, about)")


# MIGRATIONS[v] takes a store from version v (PRAGMA user_version) to v + 1; a new store runs them all.
MIGRATIONS = (_tables_and_archive_folder, _originals_inside, _figure_data_year, _unit_messages)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(BdgError):
    """The store cannot be opened or written."""


@dataclass(frozen=True)
class StoredFile:
    """One row of the store's file list, with when the unit sent it."""

    id: int
    sha256: str
    original_name: str
    unit: str | None
    period: str | None
    status: str
    received_at: str
    sender: str | None
    problem_count: int
    first_error: str | None  # the code of its first error, e.g. why it was rejected
    plan_id: str | None = None  # the plan the return was made from


def _file_time(seconds: float, now: datetime) -> datetime:
    """A file's modification time, when it is one the file may really have (see ``clock.plausible``); else
    ``now``: a file dated 1980 or 2035 was not sent then."""
    try:
        moment = clock.from_timestamp(seconds)
    except (OverflowError, OSError, ValueError):
        return now
    return moment if clock.plausible(moment, now) else now


def _text(number: Decimal | None) -> str | None:
    return None if number is None else f"{number:f}"


def latest_of(files: list[StoredFile]) -> dict[str, StoredFile]:
    """unit -> its current file, the latest that was not rejected, from files listed in the order
    they supersede each other (see ``Store.files``)."""
    return {f.unit: f for f in files if f.status != REJECTED and f.unit}


class Store:
    """The SQLite submission store."""

    def __init__(self, path: str | Path, timeout: float = 30):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self.db.row_factory = sqlite3.Row
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"Không mở được kho dữ liệu '{self.path}' ({_reason(exc)}).") from None
        try:
            self._check_ours()
            self._use_write_ahead_log()
            self._create_schema()
        except sqlite3.Error as exc:
            self.db.close()
            raise StoreError(f"Không mở được kho dữ liệu '{self.path}' ({_reason(exc)}).") from None
        except StoreError:
            self.db.close()
            raise

    def _check_ours(self) -> None:
        """Refuse, before writing anything, an SQLite file that some other program made."""
        if self.db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID:
            return
        tables = {name for (name,) in self.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if tables and not OUR_TABLES <= tables:  # stores made before the application id have our tables
            raise StoreError(f"Tệp '{self.path}' là cơ sở dữ liệu của một chương trình khác, không phải kho dữ liệu "
                             "bdg; tệp được giữ nguyên. Hãy chọn một tệp khác cho --store.")

    def _use_write_ahead_log(self) -> None:
        """WAL: a commit needs no disk flush, and a killed process still loses nothing committed.
        Folders that cannot hold a WAL (some network shares) keep SQLite's default journal."""
        try:
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.OperationalError:
            pass

    def _create_schema(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise StoreError(f"Kho dữ liệu '{self.path}' do một phiên bản bdg mới hơn tạo ra; hãy cập nhật bdg.")
        with self.transaction():
            for migrate in MIGRATIONS[version:]:
                migrate(self.db, self.path.parent)
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self.db.execute(f"PRAGMA application_id = {APPLICATION_ID}")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One all-or-nothing write; waits for another bdg run, then says so clearly.

        Inside another transaction it joins that one, which commits for both."""
        if self.db.in_transaction:
            yield self.db
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._write_error(exc) from None
        try:
            yield self.db
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:  # disk full, I/O error: nothing of this transaction is kept
            self._roll_back()
            raise self._write_error(exc) from None
        except BaseException:
            self._roll_back()
            raise

    def _roll_back(self) -> None:
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")

    def _write_error(self, exc: sqlite3.Error) -> StoreError:
        if "locked" in str(exc) or "busy" in str(exc):
            return StoreError(f"Kho dữ liệu '{self.path}' đang được một lệnh bdg khác sử dụng; "
                              "hãy chờ lệnh đó chạy xong rồi thử lại.")
        return StoreError(f"Không ghi được kho dữ liệu '{self.path}' ({_reason(exc)}); kho vẫn giữ nguyên như trước "
                          "lần ghi này.")

    def has(self, sha256: str) -> bool:
        return self.db.execute("SELECT 1 FROM files WHERE sha256 = ?", (sha256,)).fetchone() is not None

    def add(self, submission: Submission, source: Path, data: bytes | None) -> bool:
        """Record a submission and keep its original bytes (``data``; None for a file too large to
        read); False when the same bytes are already in."""
        stat, now = source.stat(), clock.now()
        with self.transaction() as db:
            if self.has(submission.sha256):  # already in, perhaps put there by another run just now
                return False
            cursor = db.execute(
                "INSERT INTO files (sha256, original_name, source_path, size, file_mtime, ingested_at, unit, period,"
                " plan_id, plan_version, status) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (submission.sha256, shown_name(source), str(source).encode("utf-8", "replace").decode("utf-8"),
                 submission.size, clock.stamp(_file_time(stat.st_mtime, now)), clock.stamp(now),
                 submission.unit, submission.period,
                 submission.plan_id, submission.plan_version, submission.status))
            if data is not None:
                db.execute("INSERT OR IGNORE INTO originals (sha256, bytes) VALUES (?, ?)", (submission.sha256, data))
            file_id = cursor.lastrowid
            db.executemany(
                "INSERT INTO figures (file_id, code, numerator, denominator, value, note, usable, sheet,"
                " numerator_cell, denominator_cell, value_cell, data_year) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [(file_id, f.code, _text(f.entry.numerator), _text(f.entry.denominator), _text(f.entry.value),
                  f.entry.note, int(f.usable), f.sheet, f.cells["numerator"], f.cells["denominator"], f.cells["value"],
                  f.entry.year)
                 for f in submission.figures])
            db.executemany(
                "INSERT INTO problems (file_id, seq, severity, code, sheet, cell, message) VALUES (?,?,?,?,?,?,?)",
                [(file_id, seq, p.severity, p.code, p.sheet, p.cell, p.message)
                 for seq, p in enumerate(submission.problems)])
        return True

    def original(self, sha256: str) -> bytes | None:
        """The bytes of a stored file exactly as the unit sent them (None for a file too large to keep)."""
        row = self.db.execute("SELECT bytes FROM originals WHERE sha256 = ?", (sha256,)).fetchone()
        return row["bytes"] if row else None

    def has_received(self, sha256: str) -> bool:
        """True when an attachment with these bytes was already collected."""
        return self.db.execute("SELECT 1 FROM received WHERE sha256 = ?", (sha256,)).fetchone() is not None

    def record_received(self, sha256: str, sender: str, sent_at: str, subject: str, saved_as: str) -> None:
        """Remember who sent an attachment and when (from the email), for judging lateness."""
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO received (sha256, sender, sent_at, subject, saved_as) VALUES (?,?,?,?,?)",
                       (sha256, sender, sent_at, subject, saved_as))

    def file(self, sha256: str) -> StoredFile | None:
        """The stored file with these bytes, if any."""
        found = self._files("WHERE f.sha256 = ?", (sha256,))
        return found[0] if found else None

    def record_sent(self, period: str, unit: str, recipients: str, attachment_sha256: str, sent_at: str) -> None:
        """Remember that a unit's collection workbook was emailed for a period."""
        with self.transaction() as db:
            db.execute("INSERT INTO mail_sent (period, unit, recipients, attachment_sha256, sent_at) VALUES (?,?,?,?,?)",
                       (period, unit, recipients, attachment_sha256, sent_at))

    def sent_at(self, period: str, unit: str) -> str | None:
        """When a unit's workbook was last emailed for a period, if ever."""
        row = self.db.execute("SELECT MAX(sent_at) AS last FROM mail_sent WHERE period = ? AND unit = ?",
                              (period, unit)).fetchone()
        return row["last"]

    def first_mailed(self) -> dict[str, date]:
        """Period code -> the day its collection workbooks were first emailed (sent, not drafted)."""
        rows = self.db.execute("SELECT period, MIN(sent_at) AS first FROM mail_sent GROUP BY period")
        return {row["period"]: date.fromisoformat(row["first"][:10]) for row in rows if row["first"]}

    def units_mailed(self, period: str) -> set[str]:
        """The units whose workbook was emailed for a period."""
        return {row["unit"] for row in self.db.execute("SELECT DISTINCT unit FROM mail_sent WHERE period = ?",
                                                       (period,))}

    def record_message(self, period: str, unit: str, kind: str, about: str, sent: bool, recipients: str) -> None:
        """Remember a message to a unit: ``kind`` 'feedback' (``about`` the SHA-256 of the return answered)
        or 'reminder' (``about`` the day); ``sent`` over SMTP, else written as an .eml draft."""
        with self.transaction() as db:
            db.execute("INSERT INTO unit_messages (period, unit, kind, about, sent, recipients, written_at)"
                       " VALUES (?,?,?,?,?,?,?)", (period, unit, kind, about, int(sent), recipients,
                                                   clock.stamp(clock.now())))

    def messaged(self, period: str, unit: str, kind: str, about: str, sent_only: bool) -> tuple[str, bool] | None:
        """When such a message was recorded (only those sent, with ``sent_only``) and whether it was sent, if
        ever: the last one sent, else the last draft."""
        row = self.db.execute("SELECT written_at, sent FROM unit_messages WHERE period = ? AND unit = ? AND kind = ?"
                              " AND about = ? AND sent >= ? ORDER BY sent DESC, written_at DESC LIMIT 1",
                              (period, unit, kind, about, int(sent_only))).fetchone()
        return (row[0], bool(row[1])) if row else None

    def messages(self, period: str, kind: str, sent_only: bool = False) -> set[tuple[str, str]]:
        """(unit, what about) of the messages of a kind written for a period (only those sent, with
        ``sent_only``): for feedback, the SHA-256 of the file answered."""
        return {(row[0], row[1]) for row in self.db.execute(
            "SELECT DISTINCT unit, about FROM unit_messages WHERE period = ? AND kind = ? AND sent >= ?",
            (period, kind, int(sent_only)))}

    def files(self, period: str | None = None) -> list[StoredFile]:
        """Every stored file (of one period), in the order they supersede each other: by when the
        unit sent it where its email said so, else by when it was ingested, then in ingest order.
        A file's own time never decides it (a copied file keeps an old one), nor does a missing date."""
        return self._files(*(("WHERE f.period = ?", (period,)) if period else ("", ())))

    def _files(self, where: str, args: tuple) -> list[StoredFile]:
        rows = self.db.execute(
            "SELECT f.id, f.sha256, f.original_name, f.unit, f.period, f.status, f.plan_id,"
            " COALESCE(NULLIF(r.sent_at, ''), f.file_mtime) AS received_at, r.sender,"
            " (SELECT COUNT(*) FROM problems p WHERE p.file_id = f.id) AS problem_count,"
            " (SELECT p.code FROM problems p WHERE p.file_id = f.id AND p.severity = 'lỗi' ORDER BY p.seq LIMIT 1)"
            " AS first_error"
            f" FROM files f LEFT JOIN received r ON r.sha256 = f.sha256 {where}"
            " ORDER BY COALESCE(NULLIF(r.sent_at, ''), f.ingested_at), f.id", args).fetchall()
        return [StoredFile(**dict(row)) for row in rows]

    def latest(self, period: str) -> dict[str, StoredFile]:
        """Each unit's current submission for a period: its latest file that was not rejected."""
        return latest_of(self.files(period))

    def figures(self, file_ids: list[int]) -> list[sqlite3.Row]:
        """Rows of file_id, code, numerator, denominator, value (as text), note, usable, data_year (the year the
        figure refers to, when stated), for the given files."""
        marks = ",".join("?" * len(file_ids))
        return self.db.execute(
            f"SELECT file_id, code, numerator, denominator, value, note, usable, data_year FROM figures"
            f" WHERE file_id IN ({marks})",
            file_ids).fetchall() if file_ids else []

    def unit_entries(self, period: str, unit: str) -> dict[str, Entry]:
        """code -> entry of the usable figures of a unit's current return for a period (empty when none)."""
        current = latest_of(self._files("WHERE f.period = ? AND f.unit = ?", (period, unit))).get(unit)
        if current is None:
            return {}
        return {row["code"]: Entry(*(None if row[k] is None else Decimal(row[k]) for k in ("numerator", "denominator",
                                                                                            "value")))
                for row in self.figures([current.id]) if row["usable"]}

    def periods(self) -> list[str]:
        """Every period the store has a file of, in order."""
        return [row[0] for row in self.db.execute(
            "SELECT DISTINCT period FROM files WHERE period IS NOT NULL ORDER BY period")]

    def figure_rows(self, file_ids: list[int]) -> list[sqlite3.Row]:
        """The usable figures of the given files with the cells they came from."""
        marks = ",".join("?" * len(file_ids))
        return self.db.execute(
            "SELECT file_id, code, numerator, denominator, value, data_year, sheet, numerator_cell, denominator_cell,"
            f" value_cell FROM figures WHERE usable = 1 AND file_id IN ({marks})", file_ids).fetchall() if file_ids else []

    def problems(self, file_ids: list[int]) -> list[sqlite3.Row]:
        """Rows of file_id, severity, code, sheet, cell, message for the given files, in reading order."""
        marks = ",".join("?" * len(file_ids))
        return self.db.execute(
            f"SELECT file_id, severity, code, sheet, cell, message FROM problems WHERE file_id IN ({marks})"
            " ORDER BY file_id, seq", file_ids).fetchall() if file_ids else []


def _reason(exc: Exception) -> str:
    """What went wrong, in Vietnamese, for the SQLite and OS errors a user can meet."""
    if isinstance(exc, OSError):
        return os_reason(exc)
    text = str(exc).lower()
    if "not a database" in text or "malformed" in text:
        return "tệp không phải là kho dữ liệu SQLite hoặc đã bị hỏng"
    if "full" in text:
        return "ổ đĩa đã đầy"
    if "readonly" in text:
        return "không có quyền ghi"
    if "unable to open" in text:
        return "không mở được tệp hay thư mục"
    return "ổ đĩa có thể đã đầy, hoặc lỗi đọc ghi đĩa"
