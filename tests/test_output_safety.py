"""Output files: the user's umask, and a full disk that leaves the previous file whole."""
import errno
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bdg_excel.atomic import OutputError, atomic_output
from bdg_excel.cli import cli

REPO = Path(__file__).resolve().parent.parent

posix_only = pytest.mark.skipif(os.name != "posix", reason="Unix file modes")


@pytest.fixture
def umask():
    """Set the process umask for one test and restore it afterwards."""
    previous = os.umask(0o022)
    yield os.umask
    os.umask(previous)


@posix_only
@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_written_files_follow_the_umask(tmp_path, umask, mask, mode):
    umask(mask)
    workbook, message = tmp_path / "kehoach.xlsx", tmp_path / "thu.eml"
    assert CliRunner().invoke(cli, ["plan", "export", str(workbook)]).exit_code == 0
    with atomic_output(message) as tmp:
        tmp.write_bytes(b"Subject: x\n\nx\n")
    assert (workbook.stat().st_mode & 0o777, message.stat().st_mode & 0o777) == (mode, mode)


def test_an_os_error_while_writing_keeps_the_previous_file(tmp_path):
    path = tmp_path / "tong-hop.xlsx"
    path.write_bytes(b"previous")
    with pytest.raises(OutputError) as caught:
        with atomic_output(path) as tmp:
            tmp.write_bytes(b"half")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert str(caught.value) == f"Không ghi được tệp '{path}': ổ đĩa đã đầy. Tệp cũ (nếu có) vẫn được giữ nguyên."
    assert path.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["tong-hop.xlsx"]


def _run_with_file_size_limit(size: int, *args: str) -> subprocess.CompletedProcess:
    """``python -m bdg_excel ARGS`` where no file may grow beyond ``size`` bytes, as on a full disk."""
    import resource
    import signal

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit then fails with EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "bdg_excel", *args], capture_output=True, cwd=REPO, env=env,
                          preexec_fn=limit, timeout=120)


def _assert_refused_and_kept(done: subprocess.CompletedProcess, path: Path, previous: bytes) -> None:
    stderr = done.stderr.decode("utf-8")
    assert done.returncode == 2, stderr
    assert stderr.startswith(f"Lỗi: Không ghi được tệp '{path}': tệp vượt quá kích thước hệ thống cho phép "
                             "(ổ đĩa có thể đã đầy)"), stderr
    assert os.strerror(errno.EFBIG) not in stderr and "Traceback" not in stderr
    assert path.read_bytes() == previous
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".~")]


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_FSIZE and SIGXFSZ as on Linux")
def test_a_full_disk_keeps_the_previous_plan_workbook(tmp_path):
    path = tmp_path / "kehoach.xlsx"
    assert CliRunner().invoke(cli, ["plan", "export", str(path)]).exit_code == 0
    previous = path.read_bytes()
    assert len(previous) > 8192
    _assert_refused_and_kept(_run_with_file_size_limit(8192, "plan", "export", str(path)), path, previous)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_FSIZE and SIGXFSZ as on Linux")
def test_a_full_disk_keeps_the_previous_consolidated_workbook(tmp_path):
    from bdg_excel.consolidate import consolidate
    from bdg_excel.demo import run_demo
    from bdg_excel.plan_files import default_plan

    plan = default_plan()
    run_demo(plan, tmp_path)
    demo = tmp_path / "demo"
    for number in range(300):  # each a row of the 'Lỗi' sheet: the workbook grows to some 47 KB
        (demo / "inbox" / f"{hashlib.sha256(str(number).encode()).hexdigest()}.txt").write_text(str(number))
    out, store = demo / "tong-hop-2020.xlsx", demo / "store" / "bdg.sqlite"
    consolidate(demo / "inbox", plan, "2020", out, store)
    previous = out.read_bytes()
    limit = 40_000  # the store's 32 KiB shared-memory file fits; the workbook does not
    assert len(previous) > limit
    done = _run_with_file_size_limit(limit, "consolidate", str(demo / "inbox"), "--period", "2020", "--out", str(out),
                                     "--store", str(store))
    _assert_refused_and_kept(done, out, previous)
