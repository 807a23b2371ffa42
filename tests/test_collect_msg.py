"""Outlook .msg files (what Outlook's "Save as" writes) are collected like .eml files."""
import os
from datetime import datetime, timedelta, timezone

import extract_msg
import olefile
import pytest
from click.testing import CliRunner

from bdg_excel.cli import cli
from bdg_excel.store import Store
from tests.msg_writer import compound_file, write_msg
from tests.test_collect import SUBJECT, XLSX, reply

VN = timezone(timedelta(hours=7))
SENT = datetime(2020, 12, 14, 16, 30, tzinfo=VN)
WORKBOOK = b"PK\x03\x04" + os.urandom(20_000)  # large enough for the regular sectors, spread over two FAT sectors
SMALL = b"PK\x03\x04" + b"nho" * 900  # in the mini stream
PDF = b"%PDF-1.4" + os.urandom(300)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_the_test_writer_makes_files_that_olefile_and_extract_msg_read(tmp_path):
    big = os.urandom(70_000)
    path = write_msg(tmp_path / "thu.msg", SUBJECT, "syt@ninhthuan.example", SENT,
                     [("Báo cáo Sở Y tế.xlsx", SMALL), ("phu-luc.pdf", big)], sender_name="Sở Y tế")
    assert olefile.isOleFile(str(path))
    with olefile.OleFileIO(str(path), raise_defects=olefile.DEFECT_POTENTIAL) as ole:  # the strictest checks
        assert ole.openstream("__attach_version1.0_#00000000/__substg1.0_37010102").read() == SMALL
        assert ole.openstream("__attach_version1.0_#00000001/__substg1.0_37010102").read() == big
        assert ole.openstream("__substg1.0_0037001F").read().decode("utf-16-le") == SUBJECT
        assert len(ole.listdir(storages=True)) == 17
    with extract_msg.openMsg(str(path)) as msg:
        assert isinstance(msg, extract_msg.Message)
        assert (msg.subject, msg.sender, msg.date) == (SUBJECT, "Sở Y tế", SENT)
        assert [(a.longFilename, a.data) for a in msg.attachments] == [("Báo cáo Sở Y tế.xlsx", SMALL),
                                                                       ("phu-luc.pdf", big)]


@pytest.mark.usefixtures("far_zone")  # extract-msg gives times in the computer's zone
def test_msg_files_are_collected_like_eml(tmp_path):
    single = write_msg(tmp_path / "Re Báo cáo.msg", SUBJECT, "syt@ninhthuan.example", SENT,
                       [("bao-cao-syt.xlsx", WORKBOOK), ("cong-van.pdf", PDF)], sender_name="Sở Y tế")
    folder = tmp_path / "Outlook"
    (folder / "thang-12").mkdir(parents=True)
    write_msg(folder / "thang-12" / "cat.MSG", "Re: báo cáo", "cat@ninhthuan.example",
              datetime(2020, 12, 15, 2, 0, tzinfo=timezone.utc), [("", SMALL)])
    write_msg(folder / "stp.msg", "Xin gia hạn", "stp@ninhthuan.example", SENT, [])
    write_msg(folder / "khong-ngay.msg", "Gửi biểu", "btp@ninhthuan.example", None, [("btp.xlsx", b"PK\x03\x04btp")])
    (folder / "ttt.eml").write_bytes(bytes(reply("ttt@ninhthuan.example", SENT, [("ttt.xlsx", b"PK\x03\x04ttt",
                                                                                   XLSX)])))
    inbox, store_path = tmp_path / "inbox", tmp_path / "s.sqlite"
    result = run("collect", single, folder, "--inbox", inbox, "--store", store_path)
    assert result.exit_code == 0, result.output
    assert {p.name: p.read_bytes() for p in inbox.iterdir()} == {
        "bao-cao-syt.xlsx": WORKBOOK, "cat_at_ninhthuan.example.xlsx": SMALL, "btp.xlsx": b"PK\x03\x04btp",
        "ttt.xlsx": b"PK\x03\x04ttt"}
    with Store(store_path) as store:
        rows = {row[0]: row[1:] for row in store.db.execute("SELECT saved_as, sender, sent_at, subject FROM received")}
    assert rows["bao-cao-syt.xlsx"] == ("syt@ninhthuan.example", "2020-12-14T16:30:00", SUBJECT)
    assert rows["cat_at_ninhthuan.example.xlsx"] == ("cat@ninhthuan.example", "2020-12-15T09:00:00", "Re: báo cáo")
    assert rows["ttt.xlsx"][:2] == ("ttt@ninhthuan.example", "2020-12-14T16:30:00")
    lines = result.output.splitlines()
    assert "Re Báo cáo.msg: cong-van.pdf (syt@ninhthuan.example) – không phải bảng tính, bỏ qua" in lines
    assert "Outlook/stp.msg: thư «Xin gia hạn» của stp@ninhthuan.example không đính kèm bảng tính nào" in lines
    assert any(line.startswith("Outlook/khong-ngay.msg: btp.xlsx (btp@ninhthuan.example) – đã lưu → btp.xlsx "
                               "(thư không có ngày gửi hợp lệ; dùng thời điểm thu thập ") for line in lines)
    assert lines[-1] == ("Tổng cộng 5 tệp đính kèm: đã lưu 4, 1 tệp không phải bảng tính (bỏ qua); "
                         "1 thư không đính kèm bảng tính.")


def test_a_damaged_msg_is_named_and_the_rest_go_on(tmp_path):
    good = write_msg(tmp_path / "tot.msg", SUBJECT, "syt@ninhthuan.example", SENT, [("syt.xlsx", WORKBOOK)])
    (tmp_path / "cut.msg").write_bytes(good.read_bytes()[:5000])
    (tmp_path / "noise.msg").write_bytes(os.urandom(4000))
    (tmp_path / "not-a-message.msg").write_bytes(compound_file({"Workbook": b"\x09\x08" + bytes(600)}))
    sources = [tmp_path / name for name in ("cut.msg", "noise.msg", "not-a-message.msg", "tot.msg")]
    result = run("collect", *sources, "--inbox", tmp_path / "inbox", "--store", tmp_path / "s.sqlite")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    lines = result.output.splitlines()
    assert lines[:4] == ["tot.msg: syt.xlsx (syt@ninhthuan.example) – đã lưu → syt.xlsx",
                         "cut.msg: tệp hoặc thư bị hỏng, không đọc được",
                         "noise.msg: tệp hoặc thư bị hỏng, không đọc được",
                         "not-a-message.msg: tệp hoặc thư bị hỏng, không đọc được"]
    assert (tmp_path / "inbox" / "syt.xlsx").read_bytes() == WORKBOOK
