import mailbox
import os
from email.message import EmailMessage
from email.utils import format_datetime
from datetime import datetime, timezone, timedelta

import openpyxl
import pytest
from click.testing import CliRunner

from bdg_excel.cli import cli
from bdg_excel.filenames import safe_name
from bdg_excel.store import Store
from tests.returns import entry, make_return

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
VN = timezone(timedelta(hours=7))


def reply(sender, when, attachments):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "bdg.sldtbxh@ninhthuan.example"
    message["Subject"] = "Re: [BĐG] Đề nghị báo cáo số liệu bình đẳng giới"
    message["Date"] = format_datetime(when)
    message.set_content("Gửi lại biểu đã điền.")
    for name, data, kind in attachments:
        message.add_attachment(data, maintype=kind[0], subtype=kind[1], filename=name)
    return message


@pytest.fixture
def returns(plan, tmp_path):
    syt = make_return(plan, "SYT", tmp_path / "r" / "syt.xlsx", {"MT4.CT3": entry(value=16.8)}).read_bytes()
    cat = make_return(plan, "CAT", tmp_path / "r" / "cat.xlsx", {"MT6.CT3": entry(value=100)}).read_bytes()
    stp = make_return(plan, "STP", tmp_path / "r" / "stp.xlsx", {"MT7.CT1": entry(value=100)}).read_bytes()
    return syt, cat, stp


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_attachment_names_cannot_escape_the_inbox():
    assert safe_name("../../x.xlsx") == "x.xlsx"
    assert safe_name("..\\..\\Windows\\system.xlsx") == "system.xlsx"
    assert safe_name("CON.xlsx") == "_CON.xlsx"
    assert safe_name('Báo cáo: "Sở Y tế"?.xlsx') == "Báo cáo_ _Sở Y tế__.xlsx"
    assert safe_name("/.xlsx") == "xlsx"


def test_collect_from_eml_mbox_and_maildir(plan, returns, tmp_path):
    syt, cat, stp = returns
    sent = datetime(2020, 12, 14, 16, 30, tzinfo=VN)
    eml = tmp_path / "syt.eml"
    eml.write_bytes(bytes(reply("Văn phòng Sở Y tế <syt@ninhthuan.example>", sent, [
        ("../../bao-cao.xlsx", syt, XLSX), ("cong-van.pdf", b"%PDF-1.4", ("application", "pdf"))])))
    box = mailbox.mbox(tmp_path / "thu.mbox")
    box.add(reply("cat@ninhthuan.example", sent, [("bao-cao.xlsx", cat, XLSX)]))
    box.add(reply("syt@ninhthuan.example", sent, [("syt-gui-lai.xlsx", syt, XLSX)]))  # same bytes again
    box.close()
    maildir = mailbox.Maildir(tmp_path / "Maildir")
    maildir.add(reply("stp@ninhthuan.example", sent, [("bao-cao.xlsx", stp, XLSX)]))
    inbox = tmp_path / "inbox"
    result = run("collect", eml, tmp_path / "thu.mbox", tmp_path / "Maildir", "--inbox", inbox,
                 "--store", tmp_path / "s.sqlite")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in inbox.iterdir()) == ["bao-cao-2.xlsx", "bao-cao-3.xlsx", "bao-cao.xlsx"]
    assert not (tmp_path / "bao-cao.xlsx").exists() and not (tmp_path.parent / "bao-cao.xlsx").exists()
    assert (inbox / "bao-cao.xlsx").read_bytes() == syt
    assert (inbox / "bao-cao-2.xlsx").read_bytes() == cat
    assert (inbox / "bao-cao-3.xlsx").read_bytes() == stp
    lines = result.output.splitlines()
    assert "syt.eml: cong-van.pdf (syt@ninhthuan.example) – không phải bảng tính, bỏ qua" in lines
    assert "thu.mbox#2: syt-gui-lai.xlsx (syt@ninhthuan.example) – trùng, bỏ qua" in lines
    assert lines[-1] == "Tổng cộng 5 tệp đính kèm: đã lưu 3, trùng, bỏ qua 1, không phải bảng tính, bỏ qua 1."
    with Store(tmp_path / "s.sqlite") as store:
        rows = store.db.execute("SELECT sender, sent_at, saved_as FROM received ORDER BY rowid").fetchall()
    local = sent.astimezone().replace(tzinfo=None).isoformat(timespec="seconds")
    assert rows == [("syt@ninhthuan.example", local, "bao-cao.xlsx"), ("cat@ninhthuan.example", local, "bao-cao-2.xlsx"),
                    ("stp@ninhthuan.example", local, "bao-cao-3.xlsx")]
    again = run("collect", eml, tmp_path / "thu.mbox", "--inbox", inbox, "--store", tmp_path / "s.sqlite")
    assert again.exit_code == 0 and len(list(inbox.iterdir())) == 3


def test_lateness_is_judged_by_when_the_unit_sent_it(plan, returns, tmp_path):
    syt, cat, _ = returns
    eml = tmp_path / "on-time.eml"
    eml.write_bytes(bytes(reply("syt@ninhthuan.example", datetime(2020, 12, 14, 9, 0, tzinfo=VN),
                                [("syt.xlsx", syt, XLSX)])))
    late = tmp_path / "late.eml"
    late.write_bytes(bytes(reply("cat@ninhthuan.example", datetime(2020, 12, 18, 9, 0, tzinfo=VN),
                                 [("cat.xlsx", cat, XLSX)])))
    inbox, store = tmp_path / "inbox", tmp_path / "s.sqlite"
    assert run("collect", eml, late, "--inbox", inbox, "--store", store).exit_code == 0
    for path in inbox.iterdir():  # saved today: the file time alone would make both late
        os.utime(path, None)
    out = tmp_path / "t.xlsx"
    run("consolidate", inbox, "--period", "2020", "--out", out, "--store", store)
    status = {r[0].value: [c.value for c in r] for r in openpyxl.load_workbook(out)["Tình trạng nộp"].iter_rows(min_row=2)}
    assert status["SYT"][2] == "Đúng hạn" and status["SYT"][5] == "syt@ninhthuan.example"
    assert status["CAT"][2] == "Nộp muộn"
    assert status["CAT"][4] == datetime(2020, 12, 18, 9, 0, tzinfo=VN).astimezone().replace(tzinfo=None)
