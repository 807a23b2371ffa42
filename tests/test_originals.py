import os
import time
from datetime import datetime
from zoneinfo import ZoneInfo
from pathlib import Path

from click.testing import CliRunner

from bdg_excel.cli import cli
from tests.returns import edit, entry, make_return


VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")  # every time shown is Vietnam's, whatever this computer's zone


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def _snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def test_originals_come_back_byte_for_byte_under_readable_names(plan, tmp_path):
    inbox = tmp_path / "inbox"
    first = make_return(plan, "SYT", inbox / "Báo cáo Sở Y tế.xlsx", {"MT4.CT3": entry(value=16.8)})
    os.utime(first, (time.time() - 3600, datetime(2020, 12, 10, 9, 30, tzinfo=VIETNAM).timestamp()))
    (inbox / "sửa").mkdir()
    second = edit(first, inbox / "sửa" / "Báo cáo Sở Y tế.xlsx", {("MT4.CT3", "value"): 15})
    os.utime(second, (time.time(), datetime(2020, 12, 12, 8, 0, 5, tzinfo=VIETNAM).timestamp()))
    make_return(plan, "SNV", inbox / "snv.xlsx", {"MT1.CT1b": entry(2, 6)}, period="2020-H1")
    (inbox / "ghi chú.txt").write_text("không phải biểu", "utf-8")
    store = tmp_path / "kho" / "bdg.sqlite"
    assert run("ingest", inbox, "--store", store).exit_code == 1  # the .txt file is a problem
    sent = _snapshot(inbox)

    out = tmp_path / "ban-goc"
    result = run("originals", out, "--store", store)
    assert result.exit_code == 0, result.output
    assert sorted(str(p).replace(os.sep, "/") for p in _snapshot(out)) == [
        "2020-H1/SNV_" + _mtime_name(inbox / "snv.xlsx"),
        "2020/SYT_2020-12-10_09-30-00_Báo cáo Sở Y tế.xlsx",
        "2020/SYT_2020-12-12_08-00-05_Báo cáo Sở Y tế.xlsx",
        "khong-ro-ky/khong-ro-don-vi_" + _mtime_name(inbox / "ghi chú.txt"),
    ]
    assert sorted(_snapshot(out).values()) == sorted(sent.values())
    assert "Tổng cộng 4 tệp, 4 tệp được chép vào" in result.output

    again = run("originals", out, "--store", store)
    assert again.output.count("(đã có, giữ nguyên)") == 4 and "4 tệp, 0 tệp được chép" in again.output

    only = run("originals", tmp_path / "syt-2020", "--period", "2020", "--unit", "SYT", "--store", store)
    assert only.exit_code == 0 and len(_snapshot(tmp_path / "syt-2020")) == 2


def test_a_units_originals_include_the_unreadable_file_it_emailed(plan, tmp_path):
    import hashlib

    from bdg_excel.store import Store

    inbox = tmp_path / "inbox"
    make_return(plan, "SYT", inbox / "syt.xlsx", {"MT4.CT3": entry(value=16.8)})
    (inbox / "hong.xlsx").write_bytes(b"PK\x03\x04 broken")
    (inbox / "ai-gui.xlsx").write_bytes(b"PK\x03\x04 broken too")
    store = tmp_path / "bdg.sqlite"
    with Store(store) as db:  # as 'bdg collect' records the attachment SYT emailed
        db.record_received(hashlib.sha256((inbox / "hong.xlsx").read_bytes()).hexdigest(),
                           plan.unit("SYT").email.upper(), "2020-12-10T09:00:00", "Báo cáo", "hong.xlsx")
    assert run("ingest", inbox, "--store", store).exit_code == 1
    result = run("originals", tmp_path / "syt", "--unit", "syt", "--store", store)
    assert result.exit_code == 0, result.output
    assert sorted(p.name.split("_")[0] + "_" + p.name.split("_")[-1] for p in (tmp_path / "syt").rglob("*.xlsx")) == [
        "SYT_hong.xlsx", "SYT_syt.xlsx"]
    assert "hong.xlsx (SYT, kỳ không rõ) → " in result.output


def _mtime_name(path):
    stamp = datetime.fromtimestamp(path.stat().st_mtime, VIETNAM).strftime("%Y-%m-%d_%H-%M-%S")
    return f"{stamp}_{path.name}"


def test_originals_without_a_store_is_a_clear_error(tmp_path):
    result = run("originals", tmp_path / "out", "--store", tmp_path / "none.sqlite")
    assert result.exit_code == 2
    assert "Chưa có kho dữ liệu" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "none.sqlite").exists()


def test_safe_names_keep_their_extension_and_fit_any_file_system():
    from bdg_excel.filenames import safe_name

    long = "Báo cáo số liệu bình đẳng giới của Ủy ban nhân dân phường " * 5 + ".xlsx"
    name = safe_name(long)
    assert name.endswith(".xlsx")
    assert len(name) <= 150 and len(name.encode("utf-8")) <= 240
    assert name.startswith("Báo cáo số liệu bình đẳng giới")
    assert safe_name("bao-cao.xlsx") == "bao-cao.xlsx"
