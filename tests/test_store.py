import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bdg_excel.ingest import ingest_paths, inbox_entries
from bdg_excel.submission import ACCEPTED, REJECTED
from bdg_excel.store import SCHEMA_VERSION, Store, StoreError
from tests.returns import edit, entry, make_return

REPO = Path(__file__).resolve().parent.parent


def ingest(plan, inbox, store_path):
    with Store(store_path) as store:
        return list(ingest_paths(inbox_entries(inbox)[0], plan, store))


def snapshot(folder):
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(Path(folder).rglob("*")) if p.is_file()}


@pytest.fixture
def inbox(plan, tmp_path):
    folder = tmp_path / "inbox"
    make_return(plan, "SYT", folder / "syt.xlsx", {"MT4.CT3": entry(value=16.8)})
    make_return(plan, "SNV", folder / "sub" / "snv.xlsx", {"MT1.CT1b": entry(2, 6)})
    (folder / "thu.txt").write_text("không phải biểu", "utf-8")
    (folder / "~$syt.xlsx").write_bytes(b"lock")
    return folder


def test_every_file_is_recorded_kept_byte_for_byte_and_left_untouched(plan, inbox, tmp_path):
    before = snapshot(inbox)
    outcomes = ingest(plan, inbox, tmp_path / "s" / "bdg.sqlite")
    assert sorted((o.path.name, o.status) for o in outcomes) == [
        ("snv.xlsx", ACCEPTED), ("syt.xlsx", ACCEPTED), ("thu.txt", REJECTED)]
    assert snapshot(inbox) == before
    assert sorted(p.name for p in (tmp_path / "s").iterdir() if not p.name.startswith("bdg.sqlite")) == []
    with Store(tmp_path / "s" / "bdg.sqlite") as store:
        assert len(store.files()) == 3
        for stored in store.files():
            source = next(inbox.rglob(stored.original_name))
            kept = store.original(stored.sha256)
            assert kept == source.read_bytes()
            assert hashlib.sha256(kept).hexdigest() == stored.sha256
        rows = store.db.execute("SELECT code, numerator, denominator, value, usable, numerator_cell FROM figures"
                                " WHERE code IN ('MT1.CT1b', 'MT4.CT3')").fetchall()
        assert sorted(map(tuple, rows)) == [("MT1.CT1b", "2", "6", None, 1, "F11"),
                                            ("MT4.CT3", None, None, "16.8", 1, "F13")]
        assert [tuple(row) for row in store.db.execute("SELECT code FROM problems")] == [("not-a-workbook",)]


def test_ingesting_the_same_bytes_again_changes_nothing(plan, inbox, tmp_path):
    store_path = tmp_path / "bdg.sqlite"
    ingest(plan, inbox, store_path)
    dump = "\n".join(sqlite3.connect(store_path).iterdump())
    again = ingest(plan, inbox, store_path)
    assert all(o.known for o in again)
    assert "\n".join(sqlite3.connect(store_path).iterdump()) == dump


def test_a_corrected_file_supersedes_the_earlier_one_which_stays(plan, inbox, tmp_path):
    store_path = tmp_path / "bdg.sqlite"
    ingest(plan, inbox, store_path)
    later = edit(inbox / "syt.xlsx", inbox / "syt-sua.xlsx", {"H13": 31})
    os.utime(later, (time.time() + 60, time.time() + 60))
    ingest(plan, inbox, store_path)
    with Store(store_path) as store:
        current = store.latest("2020")["SYT"]
        assert current.original_name == "syt-sua.xlsx"
        assert [f.original_name for f in store.files("2020") if f.unit == "SYT"] == ["syt.xlsx", "syt-sua.xlsx"]
        assert {row["code"]: row["value"] for row in store.figures([current.id])}["MT4.CT3"] == "31"


def test_a_busy_store_gives_a_clear_message(plan, inbox, tmp_path):
    store_path = tmp_path / "bdg.sqlite"
    Store(store_path).close()
    holder = sqlite3.connect(store_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Store(store_path, timeout=0.2) as store:
            with pytest.raises(StoreError, match="đang được một lệnh bdg khác sử dụng"):
                list(ingest_paths(inbox_entries(inbox)[0], plan, store))
    finally:
        holder.execute("ROLLBACK")


def test_not_a_database_is_a_clear_error(tmp_path):
    path = tmp_path / "bdg.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="Không mở được kho dữ liệu"):
        Store(path)


def _many_returns(plan, folder, count):
    first = make_return(plan, "PRTC", folder / "r000.xlsx", {"MT2.CT1": entry(1, 2)})
    for i in range(1, count):
        edit(first, folder / f"r{i:03}.xlsx", {("MT2.CT1", "numerator"): 1, ("MT2.CT1", "denominator"): i + 2})
    return folder


def _consistent(store_path, expected_figures):
    db = sqlite3.connect(store_path)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    counts = db.execute("SELECT f.id, COUNT(g.code) FROM files f LEFT JOIN figures g ON g.file_id = f.id"
                        " GROUP BY f.id").fetchall()
    assert all(n == expected_figures for _, n in counts)
    return len(counts)


INGEST = [sys.executable, "-m", "bdg_excel", "ingest"]


@pytest.mark.slow
@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_a_killed_ingest_leaves_the_store_consistent_and_the_next_run_completes(plan, tmp_path):
    inbox = _many_returns(plan, tmp_path / "inbox", 120)
    store_path = tmp_path / "bdg.sqlite"
    process = subprocess.Popen(INGEST + [str(inbox), "--store", str(store_path)], cwd=REPO,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            done = sqlite3.connect(store_path).execute("SELECT COUNT(*) FROM files").fetchone()[0]
        except sqlite3.DatabaseError:
            done = 0
        if done >= 5:
            break
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    partial = _consistent(store_path, 5)
    assert 5 <= partial < 120
    subprocess.run(INGEST + [str(inbox), "--store", str(store_path)], cwd=REPO, capture_output=True, check=False)
    assert _consistent(store_path, 5) == 120


@pytest.mark.slow
def test_two_runs_at_once_do_not_corrupt_the_store(plan, tmp_path):
    inbox = _many_returns(plan, tmp_path / "inbox", 40)
    store_path = tmp_path / "bdg.sqlite"
    runs = [subprocess.Popen(INGEST + [str(inbox), "--store", str(store_path)], cwd=REPO,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert all(b"Traceback" not in err for _, err in outputs), outputs
    assert _consistent(store_path, 5) == 40


@pytest.mark.slow
def test_many_files_are_read_by_worker_processes_with_the_same_outcome(plan, inbox, tmp_path, monkeypatch):
    import bdg_excel.ingest as inbox_module

    serial = ingest(plan, inbox, tmp_path / "serial.sqlite")
    monkeypatch.setattr(inbox_module, "PARALLEL_FROM", 1)
    parallel = ingest(plan, inbox, tmp_path / "parallel.sqlite")
    again = ingest(plan, inbox, tmp_path / "parallel.sqlite")
    strip = lambda outcomes: [(o.path.name, o.sha256, o.status, o.unit, o.problems, o.known) for o in outcomes]  # noqa: E731
    assert strip(parallel) == strip(serial)
    assert [o.known for o in again] == [True, True, True]
    dump = lambda name: list(sqlite3.connect(tmp_path / name).execute(  # noqa: E731
        "SELECT sha256, unit, status FROM files ORDER BY id"))
    assert dump("parallel.sqlite") == dump("serial.sqlite")


def test_a_store_of_version_1_gets_its_archive_folder_copied_in(plan, inbox, tmp_path):
    """bdg 0.1 kept the original bytes as files in archive/ beside the database."""
    store_path = tmp_path / "old" / "bdg.sqlite"
    ingest(plan, inbox, store_path)
    db = sqlite3.connect(store_path, isolation_level=None)
    kept = {sha256: data for sha256, data in db.execute("SELECT sha256, bytes FROM originals")}
    db.execute("ALTER TABLE files ADD COLUMN archive_name TEXT")
    db.execute("UPDATE files SET archive_name = sha256 || '.xlsx'")
    db.execute("DROP TABLE originals")
    db.execute("DROP TABLE unit_messages")  # added by a later version
    db.execute("ALTER TABLE figures DROP COLUMN data_year")
    db.execute("PRAGMA user_version = 1")
    db.close()
    archive = store_path.parent / "archive"
    archive.mkdir()
    for sha256, data in kept.items():
        (archive / f"{sha256}.xlsx").write_bytes(data)
    before = snapshot(archive)
    with Store(store_path) as store:
        assert {f.sha256: store.original(f.sha256) for f in store.files()} == kept
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert "archive_name" not in {row["name"] for row in store.db.execute("PRAGMA table_info(files)")}
    assert snapshot(archive) == before


def test_a_store_of_version_2_gets_the_table_of_messages_to_units_and_keeps_its_files(plan, inbox, tmp_path):
    store_path = tmp_path / "bdg.sqlite"
    ingest(plan, inbox, store_path)
    db = sqlite3.connect(store_path, isolation_level=None)
    db.execute("DROP TABLE unit_messages")
    db.execute("ALTER TABLE figures DROP COLUMN data_year")
    db.execute("PRAGMA user_version = 2")
    files = db.execute("SELECT sha256 FROM files ORDER BY id").fetchall()
    db.close()
    with Store(store_path) as store:
        assert [(f.sha256,) for f in store.files()] == files
        assert store.messaged("2020", "SYT", "reminder", "2020-12-01", sent_only=False) is None
        store.record_message("2020", "SYT", "reminder", "2020-12-01", False, "a@b.example")
        assert store.messaged("2020", "SYT", "reminder", "2020-12-01", sent_only=False)
        assert store.messaged("2020", "SYT", "reminder", "2020-12-01", sent_only=True) is None


def test_a_store_of_a_newer_version_is_refused_clearly(tmp_path):
    path = tmp_path / "bdg.sqlite"
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(StoreError, match="phiên bản bdg mới hơn"):
        Store(path)


def test_files_are_recorded_in_batches_bounded_by_count_and_bytes():
    from bdg_excel.ingest import RECORD_BATCH, RECORD_BATCH_BYTES, Outcome, _batches

    small = [(Path(f"{i}.xlsx"), ("sha", b"x" * 1000, None)) for i in range(RECORD_BATCH * 2 + 3)]
    assert [len(b) for b in _batches(iter(small))] == [RECORD_BATCH, RECORD_BATCH, 3]
    big = [(Path(f"{i}.xlsx"), ("sha", b"x" * (RECORD_BATCH_BYTES // 3 + 1), None)) for i in range(7)]
    unreadable = [(Path("gone.xlsx"), Outcome(Path("gone.xlsx")))]
    assert [len(b) for b in _batches(iter(big + unreadable))] == [3, 3, 2]


SPAWNED_WORKERS = """
import multiprocessing, sys
from pathlib import Path

if __name__ == "__main__":
    multiprocessing.set_start_method("spawn")
    import bdg_excel.ingest as inbox
    import bdg_excel.template as template
    from bdg_excel.plan_files import default_plan
    from bdg_excel.store import Store

    template.PARALLEL_FROM, inbox.PARALLEL_FROM = 2, 2
    out = Path(sys.argv[1])
    paths = template.write_templates(default_plan(), "2020", out / "templates")
    with Store(out / "bdg.sqlite") as store:
        outcomes = list(inbox.ingest_paths(inbox.inbox_entries(out / "templates")[0], default_plan(), store))
        kept = sum(store.original(o.sha256) == o.path.read_bytes() for o in outcomes)
    print(len(paths), len(outcomes), kept, sorted({p.code for o in outcomes for p in o.problems}))
"""


@pytest.mark.slow
def test_worker_processes_also_work_when_spawned_as_on_windows(tmp_path):
    script = tmp_path / "spawned.py"
    script.write_text(SPAWNED_WORKERS, "utf-8")
    done = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True, text=True, cwd=REPO,
                          timeout=300, env={**os.environ, "PYTHONPATH": str(REPO)})  # this checkout, not an install
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "18 18 18 ['empty-return']"  # blank templates, each read and answered


def test_another_programs_sqlite_file_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "danh-ba.sqlite"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
    other.execute("INSERT INTO contacts VALUES ('Nguyễn Văn A', '0912')")
    other.commit()
    other.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="cơ sở dữ liệu của một chương trình khác"):
        Store(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["danh-ba.sqlite"]  # no journal or WAL left beside it


def test_a_store_is_marked_as_ours_and_reopens(tmp_path):
    path = tmp_path / "bdg.sqlite"
    Store(path).close()
    assert sqlite3.connect(path).execute("PRAGMA application_id").fetchone()[0] == int.from_bytes(b"bdg1", "big")
    Store(path).close()


def test_a_corrected_file_wins_over_the_one_it_corrects_even_when_its_file_time_is_older(plan, inbox, tmp_path):
    store_path = tmp_path / "bdg.sqlite"
    ingest(plan, inbox, store_path)
    later = edit(inbox / "syt.xlsx", inbox / "syt-sua.xlsx", {"H13": 31})
    os.utime(later, (0, 0))  # a copy that kept an old time, e.g. unpacked from a zip
    ingest(plan, inbox, store_path)
    with Store(store_path) as store:
        assert store.latest("2020")["SYT"].original_name == "syt-sua.xlsx"


@pytest.mark.slow
@pytest.mark.skipif(os.name == "nt", reason="file size limits are POSIX")
def test_disk_full_while_recording_keeps_the_store_as_it_was(plan, tmp_path):
    """A real write failure: the child may not grow any file past a few hundred kilobytes."""
    inbox = tmp_path / "inbox"
    _many_returns(plan, inbox, 3)
    store_path = tmp_path / "bdg.sqlite"
    Store(store_path).close()
    big = inbox / "big.xlsx"
    big.write_bytes(os.urandom(2 * 1024 * 1024))  # kept in the store: more than the limit allows
    before = sqlite3.connect(store_path).execute("SELECT COUNT(*) FROM files").fetchone()
    child = subprocess.run(
        [sys.executable, "-c", DISK_FULL, str(inbox), str(store_path)], cwd=REPO, capture_output=True,
        text=True, encoding="utf-8", timeout=120)
    assert child.returncode == 2, child.stdout + child.stderr
    assert "Không ghi được kho dữ liệu" in child.stderr and "ổ đĩa" in child.stderr
    assert "Traceback" not in child.stdout + child.stderr
    db = sqlite3.connect(store_path)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("SELECT COUNT(*) FROM files").fetchone() == before


DISK_FULL = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (512 * 1024, 512 * 1024))
from bdg_excel.cli import cli
cli(["ingest", sys.argv[1], "--store", sys.argv[2]])
"""
