"""One bad file, plan edit or clock never stops the cycle or changes a figure (consolidations of the demo)."""
import os
import shutil
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from click.testing import CliRunner

import bdg_excel.returns
from bdg_excel.cli import cli
from bdg_excel.demo import seed_entries
from bdg_excel.layout import template_file_name
from bdg_excel.plan import plan_to_dict
from tests.returns import edit, make_return

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def demo_inbox(tmp_path_factory, plan):
    """The 18 demo returns, as the units send them."""
    from bdg_excel.template import write_template

    inbox = tmp_path_factory.mktemp("demo") / "inbox"
    period = plan.period("2020")
    for code, entries in seed_entries(plan).items():
        unit = plan.unit(code)
        path = write_template(plan, period, unit, inbox / template_file_name("2020", code, unit.name), entries=entries)
        sent = datetime(2020, 12, 10, 9, 0, tzinfo=VIETNAM).timestamp()
        os.utime(path, (sent, sent))
    return inbox


@pytest.fixture
def inbox(demo_inbox, tmp_path):
    return shutil.copytree(demo_inbox, tmp_path / "inbox")


def sheet_rows(path, sheet):
    return [[c.value for c in row] for row in openpyxl.load_workbook(path)[sheet].iter_rows(min_row=2)]


def appendix_text(path):
    return "\n".join(str(v) for row in sheet_rows(path, "Phụ lục") for v in row if v is not None)


def test_a_plan_with_edited_addresses_names_and_titles_reads_the_same_returns(plan, inbox, tmp_path):
    before = run("consolidate", inbox, "--period", "2020", "--out", tmp_path / "a.xlsx", "--store", tmp_path / "a.db")
    data = plan_to_dict(plan)
    for unit in data["units"]:
        unit["email"] = unit["email"].replace(".example", ".gov.vn")
        unit["name"] = unit["name"] + " tỉnh Ninh Thuận"
    data["plan"]["collector_email"] = "sonoivu@ninhthuan.gov.vn"
    data["periods"][-1]["deadline"] = "2020-12-20"
    for goal in data["goals"]:
        goal["title"] = goal["title"].upper()
    (tmp_path / "sua.json").write_text(json_text(data), "utf-8")
    after = run("consolidate", inbox, "--period", "2020", "--out", tmp_path / "b.xlsx", "--store", tmp_path / "b.db",
                "--plan", tmp_path / "sua.json")
    assert before.exit_code == after.exit_code == 0, after.output
    assert sheet_rows(tmp_path / "b.xlsx", "Lỗi") == []
    assert "8.688/17.174 (50,59%)" in appendix_text(tmp_path / "b.xlsx")
    figures = [[row[0], *row[5:8]] for row in sheet_rows(tmp_path / "a.xlsx", "Dữ liệu")]  # code, the numbers
    assert [[row[0], *row[5:8]] for row in sheet_rows(tmp_path / "b.xlsx", "Dữ liệu")] == figures
    assert ["MT2.CT1", 8688, 17174, None] in figures


def test_a_row_whose_scale_changed_is_reported_on_that_row_and_the_rest_is_read(plan, inbox, tmp_path):
    data = plan_to_dict(plan)
    for element in data["elements"]:
        if element["code"] == "MT4.CT2":
            element["scale"] = 1000
    (tmp_path / "sua.json").write_text(json_text(data), "utf-8")
    result = run("consolidate", inbox, "--period", "2020", "--out", tmp_path / "b.xlsx", "--store", tmp_path / "b.db",
                 "--plan", tmp_path / "sua.json")
    assert result.exit_code == 1, result.output
    problems = [row[:5] for row in sheet_rows(tmp_path / "b.xlsx", "Lỗi")]
    assert problems == [["2020_SYT_So-Y-te.xlsx", "SYT", "Nhập liệu", "A12", "row-changed"]]
    assert "hệ số: '100000' → '1000'" in sheet_rows(tmp_path / "b.xlsx", "Lỗi")[0][6]
    assert "8.688/17.174 (50,59%)" in appendix_text(tmp_path / "b.xlsx")


def json_text(data):
    import json

    return json.dumps(data, ensure_ascii=False, default=str)


def test_a_blank_template_sent_back_is_an_empty_return_and_not_counted_as_reported(plan, inbox, tmp_path):
    blank = next(inbox.glob("2020_SYT_*"))
    make_return(plan, "SYT", blank)
    out = tmp_path / "tong-hop.xlsx"
    result = run("consolidate", inbox, "--period", "2020", "--out", out, "--store", tmp_path / "s.db")
    assert result.exit_code == 1
    status = {row[0]: row for row in sheet_rows(out, "Tình trạng nộp")}
    assert status["SYT"][2] == "Gửi biểu trống" and status["SYT"][7] == "0/4"
    assert [row[4] for row in sheet_rows(out, "Lỗi")] == ["empty-return"]
    assert "Gửi biểu trống: 1" in result.output


@pytest.mark.parametrize("sent, verdict", [((2020, 12, 15, 23, 30), "Đúng hạn"), ((2020, 12, 16, 0, 30), "Nộp muộn")])
def test_lateness_is_judged_in_vietnams_time_whatever_this_computers_zone(inbox, tmp_path, far_zone, sent, verdict):
    moment = datetime(*sent, tzinfo=VIETNAM).timestamp()
    os.utime(next(inbox.glob("2020_SYT_*")), (moment, moment))
    out = tmp_path / "tong-hop.xlsx"
    run("consolidate", inbox, "--period", "2020", "--out", out, "--store", tmp_path / "s.db")
    status = {row[0]: row for row in sheet_rows(out, "Tình trạng nộp")}
    assert status["SYT"][2] == verdict
    assert status["SYT"][4] == datetime(*sent)


def test_our_own_error_on_one_file_is_reported_as_ours_logged_and_the_batch_goes_on(inbox, tmp_path, monkeypatch):
    real = bdg_excel.returns.check_entry

    def broken(element, entry, cells, where):
        if "_SYT_" in where.file:
            raise RuntimeError("lỗi cài vào để thử")
        return real(element, entry, cells, where)

    monkeypatch.setattr(bdg_excel.returns, "check_entry", broken)
    out, store = tmp_path / "tong-hop.xlsx", tmp_path / "kho" / "bdg.sqlite"
    result = CliRunner().invoke(cli, ["--verbose", "consolidate", str(inbox), "--period", "2020",
                                                      "--out", str(out), "--store", str(store)])
    assert result.exit_code == 1
    problems = sheet_rows(out, "Lỗi")
    assert [(row[0].split("_")[1], row[4]) for row in problems] == [("SYT", "internal-error")]
    assert "lỗi của chương trình" in problems[0][6].lower() and "không phải lỗi của đơn vị" in problems[0][6]
    log = (store.parent / "bdg-errors.log").read_text("utf-8")
    assert "RuntimeError: lỗi cài vào để thử" in log and "_SYT_" in log
    assert "RuntimeError: lỗi cài vào để thử" in result.stderr
    status = {row[0]: row for row in sheet_rows(out, "Tình trạng nộp")}
    assert status["SYT"][2] == "Chưa nhận" and status["SNV"][2] == "Đúng hạn"
    assert "8.688/17.174 (50,59%)" in appendix_text(out)
    monkeypatch.setattr(bdg_excel.returns, "check_entry", real)  # fixed: the next run reads the file again
    again = run("consolidate", inbox, "--period", "2020", "--out", out, "--store", store)
    assert again.exit_code == 0, again.output


def test_an_unexpected_error_outside_any_file_is_ours_logged_and_exit_3(inbox, tmp_path, monkeypatch):
    import bdg_excel.consolidate

    def broken(*args, **kwargs):
        raise KeyError("lỗi cài vào để thử")

    monkeypatch.setattr(bdg_excel.consolidate, "build", broken)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    result = CliRunner().invoke(cli, ["consolidate", str(inbox), "--period", "2020", "--out",
                                                      str(tmp_path / "x.xlsx"), "--store", str(tmp_path / "s.db")])
    assert result.exit_code == 3
    assert result.stderr.startswith("Lỗi của chương trình: bdg gặp lỗi không lường trước")
    assert "Traceback" not in result.stderr + result.stdout
    assert "KeyError: 'lỗi cài vào để thử'" in (tmp_path / "bdg-errors.log").read_text("utf-8")


@pytest.mark.parametrize("first_dated", [True, False])
def test_a_corrected_return_whose_reply_has_no_date_supersedes_the_earlier_one(plan, inbox, tmp_path, first_dated):
    from email.message import EmailMessage
    from email.utils import format_datetime

    syt = next(inbox.glob("2020_SYT_*"))
    corrected = edit(syt, tmp_path / "syt-sua.xlsx", {("MT4.CT3", "value"): 31})

    def reply(attachment, date):
        message = EmailMessage()
        message["From"], message["Subject"] = "syt@ninhthuan.example", "Re: báo cáo bình đẳng giới"
        if date:
            message["Date"] = format_datetime(date)
        message.set_content("Gửi biểu.")
        message.add_attachment(attachment.read_bytes(), maintype="application", subtype="octet-stream",
                               filename=attachment.name)
        return bytes(message)

    syt_bytes = syt.read_bytes()
    syt.unlink()  # the unit's returns come by email only
    (tmp_path / "1.eml").write_bytes(reply_bytes := reply(corrected, None))
    first = tmp_path / "0.xlsx"
    first.write_bytes(syt_bytes)
    (tmp_path / "0.eml").write_bytes(reply(first, datetime(2020, 12, 10, 9, 0, tzinfo=VIETNAM) if first_dated else None))
    store = tmp_path / "s.db"
    assert run("collect", tmp_path / "0.eml", tmp_path / "1.eml", "--inbox", inbox, "--store", store).exit_code == 0
    assert b"Date:" not in reply_bytes
    out = tmp_path / "tong-hop.xlsx"
    result = run("consolidate", inbox, "--period", "2020", "--out", out, "--store", store)
    status = {row[0]: row for row in sheet_rows(out, "Tình trạng nộp")}
    assert status["SYT"][3] == "syt-sua.xlsx", result.output
    assert status["SYT"][8].startswith("Thay thế 1 tệp gửi trước (tệp đầu tiên gửi ngày ")
    figures = {row[0]: row for row in sheet_rows(out, "Dữ liệu")}
    assert figures["MT4.CT3"][7] == 31
