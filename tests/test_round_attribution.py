"""Which round a file belongs to: last round's returns in a shared inbox, another plan's form, a broken file
replaced since. A file belongs to the latest round open when it came, a round opening 45 days before its
deadline (2026-H1: 15/6/2026, open from 1/5; 2026: 15/12/2026, open from 31/10); the figures are made up."""
import email
import hashlib
import json
import os
from datetime import datetime
from email import policy

import openpyxl
import pytest
from click.testing import CliRunner

from bdg_excel import clock
from bdg_excel.cli import cli
from bdg_excel.demo import seed_entries
from bdg_excel.plan import plan_to_dict
from bdg_excel.plan_tables import build_plan
from bdg_excel.plan_files import builtin_plan, default_plan
from bdg_excel.store import Store
from tests.returns import entry, make_return

PLAN = "khanhhoa-bdg-2026-2030"
FIGURES = {"MT1.CT1.XA": entry(1, 2), "MT3.CT2a": entry(3, 4), "MT3.CT2b": entry(2, 4)}
TODAY = datetime(2026, 11, 29, 9, 0)  # a Sunday, two weeks before the annual deadline


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def plan(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: TODAY)
    return builtin_plan(PLAN)


def arrived(path, when: datetime):
    """The file as if it had come at ``when`` (Vietnam's time), dropped into the inbox by hand."""
    stamp = when.replace(tzinfo=clock.VIETNAM).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def emailed(store, path, address: str, when: datetime) -> None:
    """What 'bdg collect' records of an attachment: who emailed it, and when."""
    with Store(store) as db:
        db.record_received(hashlib.sha256(path.read_bytes()).hexdigest(), address, when.isoformat(), "Báo cáo",
                           path.name)


def returned(plan, unit: str, period: str, inbox, when: datetime):
    return arrived(make_return(plan, unit, inbox / f"{unit}-{period}.xlsx", FIGURES, period=period), when)


def broken(inbox, name: str, store, address: str, when: datetime):
    """A file cut short in the download, emailed from ``address`` at ``when`` (its bytes differ by name)."""
    inbox.mkdir(exist_ok=True)
    path = inbox / name
    path.write_bytes(b"PK\x03\x04 cut short: " + name.encode())
    emailed(store, arrived(path, when), address, when)
    return path


def letters(out) -> dict[str, email.message.EmailMessage]:
    return {p.name: email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(out.glob("*.eml"))}


def submissions(workbook) -> dict[str, tuple]:
    sheet = openpyxl.load_workbook(workbook)["Tình trạng nộp"]
    return {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}


def test_last_rounds_returns_in_the_inbox_are_not_taken_for_wrong_forms(plan, tmp_path):
    inbox, store = tmp_path / "inbox", tmp_path / "bdg.sqlite"
    returned(plan, "NHATRANG", "2026-H1", inbox, datetime(2026, 6, 10, 9))
    returned(plan, "CAMLINH", "2026-H1", inbox, datetime(2026, 7, 2, 9))  # late for June, still that round
    returned(plan, "BACNHATRANG", "2026-H1", inbox, datetime(2026, 9, 20, 9))  # very late: the annual round is not open
    returned(plan, "BANGOI", "2026-H1", inbox, datetime(2026, 11, 20, 9))  # the six-month form, in the annual round
    returned(plan, "NHATRANG", "2026", inbox, datetime(2026, 11, 25, 9))
    result = run("feedback", inbox, "--period", "2026", "--plan", PLAN, "--out", tmp_path / "out", "--store", store)
    assert result.exit_code == 0, result.output
    (name, letter), = letters(tmp_path / "out").items()
    assert "_BANGOI_" in name and name.endswith("_bieu-dung-ky.eml")
    body = letter.get_body().get_content()
    assert "đó là biểu của kỳ 2026-H1" in body
    assert "chậm nhất ngày 15/12/2026" in body  # three working days would be 2/12: the plan's deadline is later
    status = run("status", "--period", "2026", "--plan", PLAN, "--store", store, "--inbox", inbox,
                 "--as-of", "2026-11-29").output.splitlines()
    (line,) = [s for s in status if s.startswith("Biểu của kỳ khác")]
    assert line.count(": kỳ 2026-H1") == 1 and "BANGOI: kỳ 2026-H1 (BANGOI-2026-H1.xlsx)" in line
    assert run("consolidate", inbox, "--period", "2026", "--plan", PLAN, "--out", tmp_path / "t.xlsx",
               "--store", store).exit_code == 1
    errors = [row for row in openpyxl.load_workbook(tmp_path / "t.xlsx")["Lỗi"].iter_rows(min_row=2, values_only=True)]
    assert [(row[0], row[1], row[4]) for row in errors] == [("BANGOI-2026-H1.xlsx", "BANGOI", "wrong-period")]
    assert submissions(tmp_path / "t.xlsx")["BANGOI"][2:] == (
        "Chưa nhận", "", None, "", 0, "0/3", "Đã nhận 'BANGOI-2026-H1.xlsx', biểu của kỳ 2026-H1: có thể gửi nhầm biểu")
    returned(plan, "BANGOI", "2026", inbox, datetime(2026, 11, 26, 9))  # the annual return came after all
    run("consolidate", inbox, "--period", "2026", "--plan", PLAN, "--out", tmp_path / "u.xlsx", "--store", store)
    assert [row for row in openpyxl.load_workbook(tmp_path / "u.xlsx")["Lỗi"].iter_rows(min_row=2)] == []
    assert submissions(tmp_path / "u.xlsx")["BANGOI"][8] == ""


def test_a_later_periods_form_sent_early_is_no_wrong_form(plan, tmp_path):
    inbox, store = tmp_path / "inbox", tmp_path / "bdg.sqlite"
    returned(plan, "NINHCHU", "2026", inbox, datetime(2026, 10, 20, 9))  # before the annual round opens on 31/10
    run("consolidate", inbox, "--period", "2026-H1", "--plan", PLAN, "--out", tmp_path / "h1.xlsx", "--store", store)
    assert [row for row in openpyxl.load_workbook(tmp_path / "h1.xlsx")["Lỗi"].iter_rows(min_row=2)] == []
    result = run("feedback", inbox, "--period", "2026-H1", "--plan", PLAN, "--out", tmp_path / "out", "--store", store)
    assert result.exit_code == 0 and letters(tmp_path / "out") == {}, result.output
    run("consolidate", inbox, "--period", "2026", "--plan", PLAN, "--out", tmp_path / "nam.xlsx", "--store", store)
    assert submissions(tmp_path / "nam.xlsx")["NINHCHU"][2] == "Đúng hạn"


def test_another_plans_form_from_a_units_address_is_that_units_rejected_return(plan, tmp_path):
    old = default_plan()
    inbox, store = tmp_path / "inbox", tmp_path / "bdg.sqlite"
    form = arrived(make_return(old, "PRTC", inbox / "2020_PRTC.xlsx", seed_entries(old)["PRTC"]),
                   datetime(2026, 11, 20, 9))
    emailed(store, form, "UBND phường Phan Rang <phanrang@khanhhoa.example>", datetime(2026, 11, 20, 9))
    assert run("consolidate", inbox, "--period", "2026", "--plan", PLAN, "--out", tmp_path / "t.xlsx",
               "--store", store).exit_code == 1
    row = submissions(tmp_path / "t.xlsx")["PHANRANG"]
    assert row[2:4] == ("Bị từ chối", "2020_PRTC.xlsx")
    assert row[8] == "Tệp '2020_PRTC.xlsx' không dùng được (nhận ra đơn vị qua địa chỉ người gửi)"
    errors = [row for row in openpyxl.load_workbook(tmp_path / "t.xlsx")["Lỗi"].iter_rows(min_row=2, values_only=True)]
    assert [(row[1], row[4]) for row in errors] == [("PHANRANG", "wrong-plan")]
    result = run("feedback", inbox, "--period", "2026", "--plan", PLAN, "--out", tmp_path / "out", "--store", store)
    assert result.exit_code == 0, result.output
    (letter,) = letters(tmp_path / "out").values()
    assert letter["Subject"].startswith("[BĐG] Gửi nhầm biểu: ") and letter["To"] == "phanrang@khanhhoa.example"
    assert "không phải biểu thu thập số liệu của đơn vị" in letter.get_body().get_content()
    (attached,) = letter.iter_attachments()  # this period's workbook of the unit, to fill in
    (workbook,) = tmp_path.joinpath("out").glob("*.xlsx")
    assert attached.get_filename() == workbook.name
    meta = {row[0]: row[1] for row in openpyxl.load_workbook(workbook)["_meta"].iter_rows(values_only=True)}
    assert (meta["unit"], meta["period"], meta["plan_id"]) == ("PHANRANG", "2026", PLAN)
    copied = run("originals", tmp_path / "goc", "--unit", "phanrang", "--plan", PLAN, "--store", store)
    assert copied.exit_code == 0 and len(list((tmp_path / "goc").rglob("*.xlsx"))) == 1


def test_a_broken_file_counts_in_its_own_round_and_not_once_the_unit_sent_a_good_one(plan, tmp_path):
    inbox, store = tmp_path / "inbox", tmp_path / "bdg.sqlite"
    for unit, when in (("NHATRANG", datetime(2026, 11, 20, 9)), ("CAMLINH", datetime(2026, 6, 10, 9))):
        broken(inbox, f"{unit}-hong.xlsx", store, f"{unit.lower()}@khanhhoa.example", when)
    returned(plan, "NHATRANG", "2026", inbox, datetime(2026, 11, 25, 9))  # sent again, readable
    args = (inbox, "--plan", PLAN, "--store", store)
    run("consolidate", *args, "--period", "2026", "--out", tmp_path / "nam.xlsx")
    run("consolidate", *args, "--period", "2026-H1", "--out", tmp_path / "sau-thang.xlsx")
    annual, half = submissions(tmp_path / "nam.xlsx"), submissions(tmp_path / "sau-thang.xlsx")
    assert annual["NHATRANG"][2] == "Đúng hạn" and annual["NHATRANG"][8] == ""  # the broken file is history now
    assert annual["CAMLINH"][2] == "Chưa nhận"  # its broken file came in June: the six-month round's
    assert half["CAMLINH"][2:4] == ("Bị từ chối", "CAMLINH-hong.xlsx")
    assert half["NHATRANG"][2] == "Chưa nhận"
    errors = [row[0] for row in openpyxl.load_workbook(tmp_path / "nam.xlsx")["Lỗi"].iter_rows(min_row=2,
                                                                                               values_only=True)]
    assert errors == []
    result = run("feedback", *args, "--period", "2026", "--out", tmp_path / "out")
    assert result.exit_code == 0 and not list((tmp_path / "out").glob("*.eml")), result.output


def test_a_late_file_dropped_by_hand_says_its_time_is_only_the_files(plan, tmp_path):
    inbox, store = tmp_path / "inbox", tmp_path / "bdg.sqlite"
    returned(plan, "NHATRANG", "2026-H1", inbox, datetime(2026, 6, 20, 9))  # saved into the inbox five days late
    emailed(store, returned(plan, "CAMLINH", "2026-H1", inbox, datetime(2026, 6, 20, 9)), "camlinh@khanhhoa.example",
            datetime(2026, 6, 20, 9))  # emailed five days late: the email's date is the unit's own
    run("consolidate", inbox, "--period", "2026-H1", "--plan", PLAN, "--out", tmp_path / "t.xlsx", "--store", store)
    rows = submissions(tmp_path / "t.xlsx")
    assert rows["NHATRANG"][2] == "Nộp muộn" and rows["NHATRANG"][8] == (
        "Thời điểm lấy theo ngày giờ của tệp (không nhận qua thư); nếu đơn vị đã nộp đúng hạn qua kênh khác, hãy ghi "
        "nhận riêng")
    assert rows["CAMLINH"][2] == "Nộp muộn" and rows["CAMLINH"][8] == ""


def test_a_file_time_no_file_can_have_is_not_taken_for_when_it_came(plan, tmp_path):
    inbox, store = tmp_path / "inbox", tmp_path / "bdg.sqlite"
    returned(plan, "CAMLINH", "2026", inbox, datetime(2035, 1, 1, 9))  # a computer whose clock was wrong
    returned(plan, "BANGOI", "2026", inbox, datetime(1980, 1, 1, 9))
    run("consolidate", inbox, "--period", "2026", "--plan", PLAN, "--out", tmp_path / "t.xlsx", "--store", store)
    rows = submissions(tmp_path / "t.xlsx")
    assert rows["CAMLINH"][2:5] == ("Đúng hạn", "CAMLINH-2026.xlsx", TODAY)  # when it was ingested instead
    assert rows["BANGOI"][2:5] == ("Đúng hạn", "BANGOI-2026.xlsx", TODAY)


def test_every_status_of_a_unit_that_has_no_usable_return_is_red_on_the_submissions_sheet(plan, tmp_path):
    inbox, store = tmp_path / "inbox", tmp_path / "bdg.sqlite"
    arrived(make_return(plan, "CAMLINH", inbox / "trong.xlsx", {}, period="2026"), datetime(2026, 11, 20, 9))
    run("consolidate", inbox, "--period", "2026", "--plan", PLAN, "--out", tmp_path / "t.xlsx", "--store", store)
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx")["Tình trạng nộp"]
    assert submissions(tmp_path / "t.xlsx")["CAMLINH"][2] == "Gửi biểu trống"
    red = {rule.text for rules in sheet.conditional_formatting for rule in rules.rules
           if rule.dxf is not None and rule.dxf.fill is not None and rule.dxf.fill.bgColor.rgb.endswith("FFC7CE")}
    assert red == {"Chưa nhận", "Bị từ chối", "Gửi biểu trống"}


def test_a_blank_six_month_form_sent_in_the_annual_round_is_answered_as_the_wrong_form(plan, tmp_path):
    inbox, store = tmp_path / "inbox", tmp_path / "bdg.sqlite"
    arrived(make_return(plan, "CAMLINH", inbox / "camlinh.xlsx", {}, period="2026-H1"), datetime(2026, 11, 20, 9))
    run("consolidate", inbox, "--period", "2026", "--plan", PLAN, "--out", tmp_path / "t.xlsx", "--store", store)
    errors = [row for row in openpyxl.load_workbook(tmp_path / "t.xlsx")["Lỗi"].iter_rows(min_row=2, values_only=True)]
    assert sorted((row[1], row[4]) for row in errors) == [("CAMLINH", "empty-return"), ("CAMLINH", "wrong-period")]
    result = run("feedback", inbox, "--period", "2026", "--plan", PLAN, "--out", tmp_path / "out", "--store", store)
    (name,) = letters(tmp_path / "out")
    assert "_CAMLINH_" in name and name.endswith("_bieu-dung-ky.eml"), result.output


def test_a_unit_whose_broken_file_came_from_its_address_is_not_told_nothing_came(plan, tmp_path):
    inbox, store = tmp_path / "inbox", tmp_path / "bdg.sqlite"
    broken(inbox, "syt.xlsx", store, "syt@khanhhoa.example", datetime(2026, 11, 20, 9))
    assert run("ingest", inbox, "--plan", PLAN, "--store", store).exit_code == 1
    status = run("status", "--period", "2026", "--plan", PLAN, "--store", store, "--inbox", inbox,
                 "--as-of", "2026-11-29").output.splitlines()
    assert status[-1].startswith("Việc tiếp theo: bdg feedback")  # its file has not been answered yet
    assert run("remind", "--period", "2026", "--plan", PLAN, "--store", store, "--unit", "SYT", "--as-of",
               "2026-11-29", "--outbox", tmp_path / "mail").exit_code == 0
    (reminder,) = letters(tmp_path / "mail" / "2026").values()
    assert "đã nhận tệp của đơn vị nhưng chưa dùng được" in reminder.get_body().get_content()


def test_an_address_several_units_share_names_none_of_them(tmp_path, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: TODAY)
    table = plan_to_dict(builtin_plan(PLAN))
    for unit in table["units"]:
        if unit["code"] in ("CAMLINH", "BANGOI"):
            unit["cc"] = "vanphong@camranh.example"  # one office copied on both wards' mail
    shared = tmp_path / "kehoach.json"
    shared.write_text(json.dumps(table, ensure_ascii=False), "utf-8")
    assert build_plan(table).unit_with_address("VANPHONG@camranh.example") is None
    checked = run("plan", "check", "--plan", shared).output.splitlines()
    assert checked[-1] == ("Lưu ý: địa chỉ vanphong@camranh.example là của 2 đơn vị (CAMLINH, BANGOI): tệp gửi từ địa "
                           "chỉ này không biết của đơn vị nào.")
    assert build_plan(table).unit_with_address("camlinh@khanhhoa.example").code == "CAMLINH"
    inbox, store = tmp_path / "inbox", tmp_path / "bdg.sqlite"
    broken(inbox, "bao-cao.xlsx", store, "vanphong@camranh.example", datetime(2026, 11, 20, 9))
    run("consolidate", inbox, "--period", "2026", "--plan", shared, "--out", tmp_path / "t.xlsx", "--store", store)
    rows = submissions(tmp_path / "t.xlsx")
    assert rows["CAMLINH"][2] == rows["BANGOI"][2] == "Chưa nhận"
    result = run("feedback", inbox, "--period", "2026", "--plan", shared, "--out", tmp_path / "out", "--store", store)
    assert result.output.splitlines()[0] == ("bao-cao.xlsx: không rõ đơn vị – địa chỉ 'vanphong@camranh.example' là của "
                                             "nhiều đơn vị (CAMLINH, BANGOI): không biết đơn vị nào gửi; hãy trả lời "
                                             "người gửi")


def test_a_round_opens_when_its_workbooks_were_first_emailed_if_that_was_earlier(tmp_path, monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: datetime(2027, 3, 5, 9, 0))
    inbox, store = tmp_path / "inbox", tmp_path / "bdg.sqlite"
    broken(inbox, "camlinh.xlsx", store, "camlinh@khanhhoa.example", datetime(2027, 3, 1, 9))
    args = (inbox, "--plan", PLAN, "--store", store)
    run("consolidate", *args, "--period", "2027-H1", "--out", tmp_path / "a.xlsx")
    assert submissions(tmp_path / "a.xlsx")["CAMLINH"][2] == "Chưa nhận"  # 1/3: the annual round of 2026 is still open
    with Store(store) as db:  # the six-month workbooks went out early, on 10/1/2027
        db.record_sent("2027-H1", "CAMLINH", "camlinh@khanhhoa.example", "0" * 64, "2027-01-10T08:00:00")
    run("consolidate", *args, "--period", "2027-H1", "--out", tmp_path / "b.xlsx")
    assert submissions(tmp_path / "b.xlsx")["CAMLINH"][2] == "Bị từ chối"


def test_a_return_in_use_that_came_in_a_later_round_is_pointed_out(plan, tmp_path):
    inbox, store = tmp_path / "inbox", tmp_path / "bdg.sqlite"
    returned(plan, "NHATRANG", "2026-H1", inbox, datetime(2026, 6, 10, 9))
    again = arrived(make_return(plan, "NHATRANG", inbox / "lan-hai.xlsx", {**FIGURES, "MT3.CT2a": entry(4, 4)},
                                period="2026-H1"), datetime(2026, 11, 10, 9))  # the six-month form, in November
    run("consolidate", inbox, "--period", "2026-H1", "--plan", PLAN, "--out", tmp_path / "h1.xlsx", "--store", store)
    row = submissions(tmp_path / "h1.xlsx")["NHATRANG"]
    assert row[3] == again.name  # the later file supersedes, as a unit's correction does, but the officer is told
    assert row[8] == ("Tệp đang dùng đến ngày 10/11/2026, trong đợt báo cáo kỳ 2026: xem có phải đơn vị gửi nhầm biểu "
                      "không; Thay thế 1 tệp gửi trước (tệp đầu tiên gửi ngày 10/06/2026)")
