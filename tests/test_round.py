"""A whole round in a reporting folder through the CLI, with no path option: from the folder, from folders
below it, and with --dir from elsewhere; and ``bdg status`` as returns arrive."""
import os
import shutil
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from bdg_excel.cli import cli
from bdg_excel.demo import SENT_ON, seed_entries
from bdg_excel.layout import template_file_name
from bdg_excel.store import Store
from bdg_excel.template import write_template

LATE_ON = datetime(2020, 12, 18, 9, 0)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def drop_returns(plan, inbox: Path, units: list[str], sent: datetime) -> None:
    """The units' filled workbooks dropped into the inbox by hand, with the time they came."""
    entries = seed_entries(plan)
    for code in units:
        unit = plan.unit(code)
        path = inbox / template_file_name("2020", code, unit.name)
        write_template(plan, plan.period("2020"), unit, path, entries=entries[code])
        os.utime(path, (sent.timestamp(), sent.timestamp()))


def names(plan, codes) -> str:
    return ", ".join(f"{c} ({plan.unit(c).name})" for c in codes)


def status(*dir_args):
    result = run("status", "--period", "2020", "--as-of", "2020-12-20", *dir_args)
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def round_in(plan, root: Path, cd, dir_args=()) -> dict:
    """init, templates, mail without --send, returns dropped in two lots, consolidate, status; ``cd(sub)``
    moves the current folder before each command. What each status said, and the appendix's values."""
    assert run("init", root).exit_code == 0
    codes = [u.code for u in plan.reporting_units]
    early, late = codes[:-2], codes[-2:]
    said = {}
    cd(".")
    result = run("templates", "--period", "2020", *dir_args)
    assert result.exit_code == 0, result.output
    assert len(list((root / "mau-bieu" / "2020").glob("2020_*.xlsx"))) == 18
    said["before mail"] = run("status", "--period", "2020", "--as-of", "2020-12-01", *dir_args).output.splitlines()
    cd("mau-bieu/2020")
    result = run("mail", "--period", "2020", *dir_args)
    assert result.exit_code == 0, result.output
    assert len(list((root / "tong-hop" / "thu-gui" / "2020").glob("*.eml"))) == 18
    drop_returns(plan, root / "hop-thu", early, SENT_ON)
    cd("hop-thu")
    said["returns waiting"] = status(*dir_args)
    pdf = ("--pdf",) if shutil.which("soffice") else ()
    result = run("consolidate", "--period", "2020", *pdf, *dir_args)
    assert result.exit_code == 1, result.output  # two units have not reported
    assert result.output.splitlines()[-1 - len(pdf):] == [
        f"Đã ghi '{root / 'tong-hop' / 'tong-hop-2020.xlsx'}'."] + [
        f"Đã ghi '{root / 'tong-hop' / 'tong-hop-2020.pdf'}'." for _ in pdf]
    said["two missing"] = status(*dir_args)
    drop_returns(plan, root / "hop-thu", late, LATE_ON)
    cd("tong-hop")
    assert run("consolidate", "--period", "2020", *dir_args).exit_code == 1  # two were late
    said["all in"] = status(*dir_args)
    result = run("ingest", *dir_args)
    assert result.exit_code == 0 and result.output.count("đã có trong kho, bỏ qua") == 18, result.output
    with Store(root / "du-lieu" / "bdg.sqlite") as store:
        assert len(store.files("2020")) == 18
    sheet = openpyxl.load_workbook(root / "tong-hop" / "tong-hop-2020.xlsx")["Phụ lục"]
    said["appendix"] = [[c.value for c in row] for row in sheet.iter_rows()]
    return said


@pytest.mark.slow
def test_a_whole_round_from_the_folder_and_its_subfolders(plan, tmp_path, monkeypatch):
    root = tmp_path / "BDG-2020"
    said = round_in(plan, root, lambda sub: monkeypatch.chdir(root / sub))
    codes = [u.code for u in plan.reporting_units]
    assert said["before mail"][:2] == [
        "Kỳ 2020 (Báo cáo năm 2020), hạn nộp 15/12/2020; hôm nay 01/12/2020, còn 14 ngày.",
        "Đã nộp: 0/18 đơn vị (đúng hạn 0, nộp muộn 0)."]
    assert said["before mail"][2:] == [f"Chưa nộp (18): {names(plan, codes)}.",
                                       "Vấn đề trong các biểu đã nhận: 0 lỗi, 0 cảnh báo.",
                                       "Việc tiếp theo: sửa 19 địa chỉ email mẫu (tên miền .example) trong "
                                       "kehoach.xlsx (xem 'bdg plan check'), rồi bdg mail --period 2020 --send"]
    assert said["returns waiting"][1:] == [
        "Đã nộp: 0/18 đơn vị (đúng hạn 0, nộp muộn 0).", f"Quá hạn chưa nộp (18): {names(plan, codes)}.",
        "Vấn đề trong các biểu đã nhận: 0 lỗi, 0 cảnh báo.", "Hộp thư có 16 tệp mới chưa nhận vào kho dữ liệu.",
        "Việc tiếp theo: bdg consolidate --period 2020 --pdf"]
    assert said["two missing"] == [
        "Kỳ 2020 (Báo cáo năm 2020), hạn nộp 15/12/2020; hôm nay 20/12/2020, đã quá hạn 5 ngày.",
        "Đã nộp: 16/18 đơn vị (đúng hạn 16, nộp muộn 0).", f"Quá hạn chưa nộp (2): {names(plan, codes[-2:])}.",
        "Vấn đề trong các biểu đã nhận: 0 lỗi, 0 cảnh báo.",
        "Việc tiếp theo: nhắc 2 đơn vị còn lại bằng 'bdg remind --period 2020 --send'; khi có thư trả lời, lưu biểu "
        "vào hộp thư bằng 'bdg collect TỆP-THƯ' (hoặc chép tệp vào thư mục hop-thu), rồi 'bdg consolidate --period "
        "2020 --pdf'."]
    assert said["all in"][1:] == [
        "Đã nộp: 18/18 đơn vị (đúng hạn 16, nộp muộn 2).", f"Nộp muộn (2): {names(plan, codes[-2:])}.",
        "Vấn đề trong các biểu đã nhận: 0 lỗi, 0 cảnh báo.",
        f"Việc tiếp theo: đã nhận đủ; bảng tổng hợp ở '{root / 'tong-hop' / 'tong-hop-2020.xlsx'}'."]
    assert sorted(tmp_path.rglob("*.sqlite")) == [root / "du-lieu" / "bdg.sqlite"]
    assert not list(tmp_path.rglob("output"))
    if shutil.which("soffice"):
        assert (root / "tong-hop" / "tong-hop-2020.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.slow
def test_the_same_round_with_dir_from_elsewhere(plan, tmp_path, monkeypatch):
    elsewhere = tmp_path / "noi-khac"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    by_dir = round_in(plan, tmp_path / "A", lambda sub: None, ("--dir", tmp_path / "A"))
    inside = round_in(plan, tmp_path / "B", lambda sub: monkeypatch.chdir(tmp_path / "B" / sub))
    shown = str(tmp_path / "B")
    assert {k: [[str(v).replace(str(tmp_path / "A"), shown) for v in row] if isinstance(row, list)
                else row.replace(str(tmp_path / "A"), shown) for row in lines] for k, lines in by_dir.items()} == \
        {k: [[str(v) for v in row] if isinstance(row, list) else row for row in lines] for k, lines in inside.items()}
    assert list(elsewhere.iterdir()) == []


def test_status_outside_a_folder_reads_the_store_it_is_given(plan, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    drop_returns(plan, tmp_path / "in", ["SYT"], SENT_ON)
    assert run("ingest", tmp_path / "in", "--store", tmp_path / "s.sqlite").exit_code == 0
    lines = run("status", "--period", "2020", "--store", tmp_path / "s.sqlite", "--as-of", "2020-12-10").output
    assert lines.splitlines()[1] == "Đã nộp: 1/18 đơn vị (đúng hạn 1, nộp muộn 0)."
    result = run("status", "--period", "2020", "--as-of", "2020-12-10")  # no store yet: nothing made
    assert result.exit_code == 0 and result.output.splitlines()[1] == "Đã nộp: 0/18 đơn vị (đúng hạn 0, nộp muộn 0)."
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "s.sqlite"]


def test_status_counts_the_problems_of_the_period(plan, tmp_path, monkeypatch):
    from tests.returns import edit

    root = tmp_path / "BDG"
    run("init", root)
    monkeypatch.chdir(root)
    run("templates", "--period", "2020", "--unit", "SYT")
    drop_returns(plan, root / "hop-thu", ["SYT"], SENT_ON)
    edit(root / "hop-thu" / template_file_name("2020", "SYT", plan.unit("SYT").name), cells={"F12": 2, "G12": 0})
    run("ingest")
    lines = status()
    assert "Vấn đề trong các biểu đã nhận: 1 lỗi, 0 cảnh báo." in lines, lines
    assert lines[-1] == ("Việc tiếp theo: bdg feedback --period 2020 --send (trả lại đơn vị các biểu có lỗi, đã "
                         "đánh dấu ô cần sửa)")
    assert run("feedback", "--period", "2020").exit_code == 0
    assert status()[-1].startswith("Việc tiếp theo: nhắc 17 đơn vị còn lại")  # SYT's return was answered


def test_status_names_unreadable_files_and_returns_of_another_period(plan, tmp_path, monkeypatch):
    root = tmp_path / "BDG"
    run("init", root)
    monkeypatch.chdir(root)
    unit = plan.unit("PRTC")
    write_template(plan, plan.period("2020-H1"), unit, root / "hop-thu" / "prtc-6-thang.xlsx",
                   entries=seed_entries(plan)["PRTC"])
    (root / "hop-thu" / "hong.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    run("ingest")
    lines = status()
    assert ("Tệp không dùng được (không đọc được, hoặc không phải biểu của kế hoạch này) (1): hong.xlsx – xem trang "
            "'Lỗi' của bảng tổng hợp.") in lines
    assert ("Biểu của kỳ khác nhận trong đợt này, đơn vị chưa gửi biểu kỳ này (1): PRTC: kỳ 2020-H1 (prtc-6-thang.xlsx) – "
            "đơn vị có thể đã gửi nhầm biểu.") in lines
    write_template(plan, plan.period("2020"), unit, root / "hop-thu" / "prtc-ca-nam.xlsx",
                   entries=seed_entries(plan)["PRTC"])
    run("ingest")
    assert not any(line.startswith("Biểu của kỳ khác") for line in status())  # PRTC's annual return came: fine


def test_a_file_that_cannot_be_read_counts_for_the_unit_whose_address_sent_it(plan, tmp_path, monkeypatch):
    import hashlib

    root = tmp_path / "BDG"
    run("init", root)
    monkeypatch.chdir(root)
    broken = root / "hop-thu" / "bao-cao-syt.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    (root / "hop-thu" / "khong-ro.xlsx").write_bytes(b"not a workbook either")
    with Store(root / "du-lieu" / "bdg.sqlite") as store:  # as 'bdg collect' records an attachment
        store.record_received(hashlib.sha256(broken.read_bytes()).hexdigest(), f"Sở Y tế <{plan.unit('SYT').email}>",
                              "2020-12-10T09:00:00", "Báo cáo", broken.name)
    assert run("consolidate", "--period", "2020").exit_code == 1
    sheet = openpyxl.load_workbook(root / "tong-hop" / "tong-hop-2020.xlsx")["Tình trạng nộp"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    code, name, state, file, sent, sender, problems, filled, note = rows["SYT"]
    assert (state, file, sent, problems, filled) == ("Bị từ chối", "bao-cao-syt.xlsx", datetime(2020, 12, 10, 9), 1,
                                                     "0/4")
    assert sender == f"Sở Y tế <{plan.unit('SYT').email}>"
    assert note == "Tệp 'bao-cao-syt.xlsx' không dùng được (nhận ra đơn vị qua địa chỉ người gửi)"
    assert rows["SNV"][2] == "Chưa nhận"  # the file of an unknown sender is no unit's
    lines = status()
    assert ("Tệp không dùng được (không đọc được, hoặc không phải biểu của kế hoạch này) (2): bao-cao-syt.xlsx (gửi từ "
            "địa chỉ của SYT), khong-ro.xlsx – xem trang 'Lỗi' của bảng tổng hợp.") in lines
    assert "Biểu không dùng được: SYT (Bị từ chối)." in lines
