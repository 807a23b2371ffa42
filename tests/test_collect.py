import mailbox
import os
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime

import openpyxl
import pytest
from click.testing import CliRunner

from bdg_excel import clock
from bdg_excel.cli import cli
from bdg_excel.collect import collect
from bdg_excel.filenames import safe_name
from bdg_excel.store import Store
from tests.returns import entry, make_return

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
OCTETS = ("application", "octet-stream")
VN = timezone(timedelta(hours=7))
ZIP, OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SUBJECT = "Re: [BĐG] Đề nghị báo cáo số liệu bình đẳng giới"


def reply(sender, when, attachments, subject=SUBJECT):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "bdg.sldtbxh@ninhthuan.example"
    message["Subject"] = subject
    if when is not None:
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


def received(store_path):
    with Store(store_path) as store:
        return {row[0]: row[1:] for row in store.db.execute("SELECT saved_as, sender, sent_at, subject FROM received")}


def test_attachment_names_cannot_escape_the_inbox():
    assert safe_name("../../x.xlsx") == "x.xlsx"
    assert safe_name("..\\..\\Windows\\system.xlsx") == "system.xlsx"
    assert safe_name("CON.xlsx") == "_CON.xlsx"
    assert safe_name('Báo cáo: "Sở Y tế"?.xlsx') == "Báo cáo_ _Sở Y tế__.xlsx"
    assert safe_name("/.xlsx") == "xlsx"


def test_collect_from_eml_mbox_and_maildir(plan, returns, tmp_path, far_zone):
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
    maildir.add(reply("stp@ninhthuan.example", datetime(2020, 12, 14, 9, 30, tzinfo=timezone.utc),
                      [("bao-cao.xlsx", stp, XLSX)]))
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
    assert lines[-1] == "Tổng cộng 5 tệp đính kèm: đã lưu 3, 1 tệp trùng (bỏ qua), 1 tệp không phải bảng tính (bỏ qua)."
    assert received(tmp_path / "s.sqlite") == {  # Vietnam's time (UTC+7), whatever the computer's zone
        "bao-cao.xlsx": ("syt@ninhthuan.example", "2020-12-14T16:30:00", SUBJECT),
        "bao-cao-2.xlsx": ("cat@ninhthuan.example", "2020-12-14T16:30:00", SUBJECT),
        "bao-cao-3.xlsx": ("stp@ninhthuan.example", "2020-12-14T16:30:00", SUBJECT)}
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
    assert status["CAT"][4] == datetime(2020, 12, 18, 9, 0)
    assert "Người gửi" not in status["SYT"][8] + status["CAT"][8]  # both from their own addresses


def test_a_return_from_an_address_the_plan_does_not_give_the_unit_is_noted(plan, returns, tmp_path):
    syt, _, _ = returns
    eml = tmp_path / "gmail.eml"
    eml.write_bytes(bytes(reply("Nguyễn Văn A <nguyenvana1980@gmail.com>", datetime(2020, 12, 14, 9, 0, tzinfo=VN),
                                [("syt.xlsx", syt, XLSX)])))
    inbox, store, out = tmp_path / "inbox", tmp_path / "s.sqlite", tmp_path / "t.xlsx"
    assert run("collect", eml, "--inbox", inbox, "--store", store).exit_code == 0
    run("consolidate", inbox, "--period", "2020", "--out", out, "--store", store)
    status = {r[0].value: [c.value for c in r] for r in openpyxl.load_workbook(out)["Tình trạng nộp"].iter_rows(min_row=2)}
    assert status["SYT"][2] == "Đúng hạn"  # still the unit's return: its own workbook, identified by its _meta
    assert status["SYT"][8] == ("Người gửi nguyenvana1980@gmail.com không phải địa chỉ của đơn vị trong kế hoạch; "
                                "Chưa có số liệu: 3/4 chỉ tiêu")


def test_replies_without_a_valid_date_are_dated_when_collected(tmp_path, far_zone):
    soon = datetime.now(VN).replace(microsecond=0) + timedelta(hours=3)  # the sender's clock runs a little fast
    dates = {"khong-ngay": None, "ngay-rong": "", "sai": "Thu, 45 Foo 2020 xx:yy:zz +0700",
             "nam-9999": "Fri, 31 Dec 9999 23:00:00 -0500", "nam-1999": "Fri, 31 Dec 1999 10:00:00 +0700",
             "ngay-kia": format_datetime(datetime.now(VN) + timedelta(days=2)), "som": format_datetime(soon),
             "utc": "Mon, 14 Dec 2020 02:30:00 +0000", "utc-khong-ro-vung": "Mon, 14 Dec 2020 02:30:00 -0000"}
    for name, date in dates.items():
        message = bytes(reply("syt@ninhthuan.example", None, [(f"{name}.xlsx", ZIP + name.encode(), XLSX)]))
        (tmp_path / f"{name}.eml").write_bytes(message if date is None else f"Date: {date}\n".encode() + message)
    before = clock.now()
    result = run("collect", *(tmp_path / f"{name}.eml" for name in dates), "--inbox", tmp_path / "inbox",
                 "--store", tmp_path / "s.sqlite")
    after = clock.now()
    assert result.exit_code == 0, result.output
    sent = {name.removesuffix(".xlsx"): row[1] for name, row in received(tmp_path / "s.sqlite").items()}
    assert sent.pop("utc") == sent.pop("utc-khong-ro-vung") == "2020-12-14T09:30:00"
    assert sent.pop("som") == soon.replace(tzinfo=None).isoformat()
    assert sorted(sent) == ["khong-ngay", "nam-1999", "nam-9999", "ngay-kia", "ngay-rong", "sai"]
    for name, stamp in sent.items():
        moment = datetime.fromisoformat(stamp)
        assert before <= moment <= after
        assert (f"{name}.eml: {name}.xlsx (syt@ninhthuan.example) – đã lưu → {name}.xlsx (thư không có ngày gửi "
                f"hợp lệ; dùng thời điểm thu thập {moment:%d/%m/%Y %H:%M} làm ngày gửi)") in result.output.splitlines()
    assert result.output.count("thư không có ngày gửi hợp lệ") == 6


def test_workbooks_are_known_by_their_bytes_not_their_names(tmp_path):
    long_name = "Báo cáo kết quả thực hiện mục tiêu bình đẳng giới của Sở Y tế tỉnh Ninh Thuận " * 3
    message = reply("Sở Y tế <tu-so-y-te@example.vn>", datetime(2020, 12, 14, 9, 0, tzinfo=VN), [
        (long_name + ".xlsx", ZIP + b"dai", XLSX),
        ("bao-cao-so-y-te", ZIP + b"khong-duoi", OCTETS),
        ("bieu-cu", OLE + b"xls", OCTETS),
        (".xlsx", ZIP + b"chi-duoi", XLSX),
        ("Báo cáo quý.xlsm", ZIP + b"xlsm", OCTETS),
        ("cong-van.docx", ZIP + b"word", OCTETS),
        ("thu-chuyen-tiep.msg", OLE + b"outlook", OCTETS),
        ("logo.png", b"\x89PNG\r\n\x1a\n", ("image", "png")),
    ])
    message.add_attachment(ZIP + b"khong-ten", maintype=XLSX[0], subtype=XLSX[1])
    message.add_attachment(ZIP + b"ods", maintype="application", subtype="vnd.oasis.opendocument.spreadsheet")
    message.add_attachment(b"\x89PNG\r\n\x1a\nchu-ky", maintype="image", subtype="png", disposition="inline")
    bare = EmailMessage()  # no file name and no Content-Disposition at all
    bare.set_content(OLE + b"khong-ten-xls", maintype="application", subtype="octet-stream")
    message.attach(bare)
    (tmp_path / "syt.eml").write_bytes(bytes(message))
    inbox = tmp_path / "inbox"
    result = run("collect", tmp_path / "syt.eml", "--inbox", inbox, "--store", tmp_path / "s.sqlite")
    assert result.exit_code == 0, result.output
    saved = {p.name: p.read_bytes() for p in inbox.iterdir()}
    shortened = next(name for name, data in saved.items() if data == ZIP + b"dai")
    assert shortened.startswith(long_name[:100]) and shortened.endswith(".xlsx")
    assert len(shortened) <= 150 and len(shortened.encode()) <= 255
    del saved[shortened]
    assert saved == {"bao-cao-so-y-te.xlsx": ZIP + b"khong-duoi", "bieu-cu.xls": OLE + b"xls",
                     "tu-so-y-te_at_example.vn.xlsx": ZIP + b"chi-duoi", "Báo cáo quý.xlsm": ZIP + b"xlsm",
                     "tu-so-y-te_at_example.vn-2.xlsx": ZIP + b"khong-ten",
                     "tu-so-y-te_at_example.vn.ods": ZIP + b"ods",
                     "tu-so-y-te_at_example.vn.xls": OLE + b"khong-ten-xls"}
    lines = result.output.splitlines()
    for name in ("cong-van.docx", "thu-chuyen-tiep.msg", "logo.png"):
        assert f"syt.eml: {name} (tu-so-y-te@example.vn) – không phải bảng tính, bỏ qua" in lines
    assert "syt.eml: (không có tên) (tu-so-y-te@example.vn) – đã lưu → tu-so-y-te_at_example.vn-2.xlsx" in lines
    assert lines[-1] == "Tổng cộng 11 tệp đính kèm: đã lưu 8, 3 tệp không phải bảng tính (bỏ qua)."
    assert set(received(tmp_path / "s.sqlite")) == set(p.name for p in inbox.iterdir())


def test_replies_without_a_workbook_are_listed(returns, tmp_path):
    syt, cat, _ = returns
    sent = datetime(2020, 12, 14, 9, 0, tzinfo=VN)
    box = mailbox.mbox(tmp_path / "thu.mbox")
    box.add(reply("cat@ninhthuan.example", sent, [("cat.xlsx", cat, XLSX)]))
    box.add(reply("stp@ninhthuan.example", sent, [], subject="Xin gia hạn nộp báo cáo đến ngày 20/12"))
    box.add(reply("syt@ninhthuan.example", sent, [("cong-van.pdf", b"%PDF-1.4", ("application", "pdf"))]))
    box.add(reply("cat@ninhthuan.example", sent, [("cat-lan-2.xlsx", cat, XLSX)]))  # a duplicate is a workbook
    box.close()
    result = run("collect", tmp_path / "thu.mbox", "--inbox", tmp_path / "inbox", "--store", tmp_path / "s.sqlite")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line for line in lines if "không đính kèm bảng tính nào" in line] == [
        "thu.mbox#2: thư «Xin gia hạn nộp báo cáo đến ngày 20/12» của stp@ninhthuan.example "
        "không đính kèm bảng tính nào",
        f"thu.mbox#3: thư «{SUBJECT}» của syt@ninhthuan.example không đính kèm bảng tính nào"]
    assert lines[-1] == ("Tổng cộng 3 tệp đính kèm: đã lưu 1, 1 tệp trùng (bỏ qua), 1 tệp không phải bảng tính (bỏ qua); "
                         "2 thư không đính kèm bảng tính.")


CHOKES_ON_CONTENT_TYPE = (b"From: btp@ninhthuan.example\nSubject: x\n"
                          b"Content-Type: multipart/mixed; bou1*\r=ndary=\"x\"\n\nx\n")
CHOKES_ON_FILE_NAME = (b"From: btp@ninhthuan.example\nSubject: x\nContent-Type: application/octet-stream\n"
                       b"Content-Transfer-Encoding: base64\n"
                       b"Content-Disposition: attachment; filename*=\x00tf-8''a.xlsx\n\nUEsDBA==\n")


def test_a_bad_file_or_message_is_reported_and_the_rest_go_on(returns, tmp_path):
    syt, cat, stp = returns
    sent = datetime(2020, 12, 14, 9, 0, tzinfo=VN)
    (tmp_path / "syt.eml").write_bytes(bytes(reply("syt@ninhthuan.example", sent, [("syt.xlsx", syt, XLSX)])))
    folder = tmp_path / "thu-muc"
    folder.mkdir()
    (folder / "mat.eml").symlink_to(tmp_path / "da-xoa.eml")  # the file it pointed to is gone
    (folder / "rong.eml").write_bytes(b"")
    (folder / "hong.msg").write_bytes(os.urandom(3000))
    (folder / "cat.eml").write_bytes(bytes(reply("cat@ninhthuan.example", sent, [("cat.xlsx", cat, XLSX)])))
    cut_sender = bytes(reply("btp@ninhthuan.example", sent, [("btp.xlsx", ZIP + b"btp", XLSX)]))
    (folder / "cut-sender.eml").write_bytes(cut_sender.replace(b"From: btp@ninhthuan.example",
                                                               b"From: =?utf-8?q?S=E1=BB=9F_T=C6=B0_ph=C3=A1p?= <btp@"))
    box = mailbox.mbox(tmp_path / "thu.mbox")
    box.add(CHOKES_ON_CONTENT_TYPE)
    box.add(reply("stp@ninhthuan.example", sent, [("stp.xlsx", stp, XLSX)]))
    box.add(CHOKES_ON_FILE_NAME)
    box.close()
    sources = [folder, tmp_path / "thu.mbox", tmp_path / "syt.eml"]
    result = run("collect", *sources, "--inbox", tmp_path / "inbox", "--store", tmp_path / "s.sqlite")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in (tmp_path / "inbox").iterdir()) == ["btp.xlsx", "cat.xlsx", "stp.xlsx", "syt.xlsx"]
    lines = result.output.splitlines()
    assert "thu-muc/cut-sender.eml: btp.xlsx (không rõ người gửi) – đã lưu → btp.xlsx" in lines
    damaged = "tệp hoặc thư bị hỏng, không đọc được"
    for line in ("thu-muc/mat.eml: không tìm thấy tệp", f"thu-muc/rong.eml: {damaged}", f"thu-muc/hong.msg: {damaged}",
                 f"thu.mbox#1: {damaged}", f"thu.mbox#3: {damaged}"):
        assert line in lines
    assert lines[-1] == ("Tổng cộng 4 tệp đính kèm: đã lưu 4; "
                         "5 tệp hoặc thư không đọc được.")
    with Store(tmp_path / "again.sqlite") as store:
        assert not collect(sources, tmp_path / "inbox-2", store).clean
        assert collect([tmp_path / "syt.eml"], tmp_path / "inbox-3", store).clean


def test_workbooks_zipped_by_the_unit_are_taken_out_of_the_zip(plan, returns, tmp_path):
    import io
    import zipfile

    syt, _, _ = returns
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Bao cao 2020/syt.xlsx", syt)
        archive.writestr("Bao cao 2020/cong-van.pdf", b"%PDF-1.4 not a workbook")
    notes = io.BytesIO()
    with zipfile.ZipFile(notes, "w") as archive:
        archive.writestr("ghi-chu.txt", "chỉ có chữ")
    eml = tmp_path / "zip.eml"
    eml.write_bytes(bytes(reply("syt@ninhthuan.example", datetime(2020, 12, 14, 9, 0, tzinfo=VN),
                                [("BaoCao_SYT.zip", packed.getvalue(), ("application", "zip")),
                                 ("ghi-chu.zip", notes.getvalue(), ("application", "zip"))])))
    inbox, store = tmp_path / "inbox", tmp_path / "s.sqlite"
    result = run("collect", eml, "--inbox", inbox, "--store", store)
    assert result.exit_code == 0, result.output
    (saved,) = inbox.iterdir()
    assert saved.read_bytes() == syt  # byte for byte, out of the zip
    assert "BaoCao_SYT.zip › syt.xlsx" in result.output and "đã lưu" in result.output
    assert "ghi-chu.zip" in result.output and "không phải bảng tính, bỏ qua" in result.output
    assert received(store)[saved.name][0] == "syt@ninhthuan.example"


def test_an_inbox_that_cannot_be_made_is_one_vietnamese_line_exit_2(returns, tmp_path):
    (tmp_path / "syt.eml").write_bytes(bytes(reply("syt@ninhthuan.example", None, [("syt.xlsx", returns[0], XLSX)])))
    (tmp_path / "ghi-chu.txt").write_text("không phải thư mục")
    inbox = tmp_path / "ghi-chu.txt" / "hop-thu"
    result = run("collect", tmp_path / "syt.eml", "--inbox", inbox, "--store", tmp_path / "s.sqlite")
    assert (result.exit_code, result.output) == (
        2, f"Lỗi: Không tạo được thư mục '{inbox}': đường dẫn không phải là thư mục.\n")


def test_a_read_only_inbox_is_one_vietnamese_line_exit_2(returns, tmp_path):
    (tmp_path / "syt.eml").write_bytes(bytes(reply("syt@ninhthuan.example", None, [("syt.xlsx", returns[0], XLSX)])))
    inbox = tmp_path / "hop-thu"
    inbox.mkdir()
    inbox.chmod(0o555)
    try:
        if os.access(inbox, os.W_OK):
            pytest.skip("this user may write into a read-only folder (root)")
        result = run("collect", tmp_path / "syt.eml", "--inbox", inbox, "--store", tmp_path / "s.sqlite")
        assert (result.exit_code, result.output) == (
            2, f"Lỗi: Không ghi được vào thư mục '{inbox}': không có quyền truy cập.\n")
        for missing in (inbox / "new", inbox / "new" / "hop-thu"):  # nor can a folder be made inside it
            result = run("collect", tmp_path / "syt.eml", "--inbox", missing, "--store", tmp_path / "s.sqlite")
            assert (result.exit_code, result.output) == (
                2, f"Lỗi: Không tạo được thư mục '{missing}': không có quyền truy cập.\n")
    finally:
        inbox.chmod(0o755)


def test_a_folder_s_mbox_files_are_read_with_its_eml_files(returns, tmp_path):
    syt, cat, stp = returns
    sent = datetime(2026, 11, 28, 9, 0, tzinfo=VN)
    folder = tmp_path / "thu"
    (folder / "Local Folders.sbd").mkdir(parents=True)
    (folder / "01_SYT.eml").write_bytes(bytes(reply("syt@ninhthuan.example", sent, [("syt.xlsx", syt, XLSX)])))
    box = mailbox.mbox(folder / "Hộp thư đến.mbox")
    box.add(reply("cat@ninhthuan.example", sent, [("cat.xlsx", cat, XLSX)]))
    box.add(reply("snv@ninhthuan.example", sent, [], subject="Xin gia hạn nộp báo cáo"))
    box.close()
    thunderbird = reply("stp@ninhthuan.example", sent, [("stp.xlsx", stp, XLSX)])  # Thunderbird's own file: no suffix
    (folder / "Local Folders.sbd" / "Inbox").write_bytes(b"From - Sat Nov 28 09:00:00 2026\n" + bytes(thunderbird))
    (folder / "Local Folders.sbd" / "Inbox.msf").write_text("// <!-- <mdb:mork:z v=\"1.4\"/> -->")
    (folder / "ghi chú.txt").write_text("From the unit: xin gia hạn\n")
    result = run("collect", folder, "--inbox", tmp_path / "inbox", "--store", tmp_path / "s.sqlite")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "inbox").iterdir()) == ["cat.xlsx", "stp.xlsx", "syt.xlsx"]
    assert result.output.splitlines() == [
        "thu/01_SYT.eml: syt.xlsx (syt@ninhthuan.example) – đã lưu → syt.xlsx",
        "thu/Hộp thư đến.mbox#1: cat.xlsx (cat@ninhthuan.example) – đã lưu → cat.xlsx",
        "thu/Local Folders.sbd/Inbox#1: stp.xlsx (stp@ninhthuan.example) – đã lưu → stp.xlsx",
        "thu/Hộp thư đến.mbox#2: thư «Xin gia hạn nộp báo cáo» của snv@ninhthuan.example không đính kèm bảng tính nào",
        "Tổng cộng 3 tệp đính kèm: đã lưu 3; 1 thư không đính kèm "
        "bảng tính."]
    assert received(tmp_path / "s.sqlite")["stp.xlsx"] == ("stp@ninhthuan.example", "2026-11-28T09:00:00", SUBJECT)


def test_entries_of_a_folder_named_mbox_that_are_no_files_are_passed_over_without_blocking(returns, tmp_path):
    folder = tmp_path / "thu"
    folder.mkdir()
    (folder / "01_SYT.eml").write_bytes(bytes(reply("syt@ninhthuan.example", None, [("syt.xlsx", returns[0], XLSX)])))
    (folder / "mat.mbox").symlink_to(folder / "da-xoa")  # its file is gone
    (folder / "thu-muc.mbox").mkdir()
    os.mkfifo(folder / "ong.mbox")  # reading it would wait for a writer forever
    os.mkfifo(folder / "Inbox")
    result = run("collect", folder, "--inbox", tmp_path / "inbox", "--store", tmp_path / "s.sqlite")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("thu/01_SYT.eml: syt.xlsx (syt@ninhthuan.example) – đã lưu")
    assert result.output.splitlines()[-1] == "Tổng cộng 1 tệp đính kèm: đã lưu 1."
