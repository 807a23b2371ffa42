"""Annotated returns sent back to the units: ``bdg feedback``."""
import email
import zipfile
from datetime import date
from decimal import Decimal
from email import policy
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from bdg_excel.annotate import RESULTS_SHEET
from bdg_excel.cli import cli
from bdg_excel.demo import seed_entries
from bdg_excel.figures import Entry
from bdg_excel.layout import DATA_SHEET, META_SHEET
from bdg_excel.plan_files import default_plan
from bdg_excel.returns import read_file
from bdg_excel.store import Store
from bdg_excel.workdays import working_days_after
from tests.returns import edit, make_return, row_of

DEADLINE = "2026-12-04"


def run(*args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


def feedback(inbox, tmp_path, *extra, out="out", env=None):
    return run("feedback", inbox, "--period", "2020", "--out", tmp_path / out, "--store", tmp_path / "s.db",
               "--deadline", DEADLINE, *extra, env=env)


def three_wrong(plan, inbox: Path) -> dict[str, Path]:
    """The 18 demo returns, three of them made wrong: a numerator above its denominator (SNV), an
    ambiguous text number (SYT), a deleted row (PRTC)."""
    paths = {code: make_return(plan, code, inbox / f"{code}.xlsx", entries) for code, entries in
             seed_entries(plan).items()}
    edit(paths["SNV"], cells={("MT1.CT1b", "numerator"): 9})
    edit(paths["SYT"], cells={("MT4.CT3", "value"): "1.234"})
    edit(paths["PRTC"], change=lambda wb: wb[DATA_SHEET].delete_rows(row_of(wb[DATA_SHEET], "MT2.CT1")))
    return paths


def places(problems):
    return [(p.sheet, p.cell, p.code) for p in problems]


@pytest.fixture(scope="module")
def answered(tmp_path_factory):
    """bdg feedback run once on the three wrong demo returns: (folder, result, inbox paths, store)."""
    plan = default_plan()
    tmp_path = tmp_path_factory.mktemp("feedback")
    paths = three_wrong(plan, tmp_path / "inbox")
    result = feedback(tmp_path / "inbox", tmp_path)
    return tmp_path, result, paths


def test_exactly_three_workbooks_and_three_messages(answered):
    tmp_path, result, _ = answered
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"2020_{c}_kiem-tra.{s}" for c in ("PRTC_UBND-thanh-pho-Phan-Rang-Thap-Cham", "SNV_So-Noi-vu", "SYT_So-Y-te")
         for s in ("xlsx", "eml")])
    assert result.output.splitlines() == [
        f"SNV: đã soạn thư – {out / '2020_SNV_So-Noi-vu_kiem-tra.eml'}",
        f"SYT: đã soạn thư – {out / '2020_SYT_So-Y-te_kiem-tra.eml'}",
        f"PRTC: đã soạn thư – {out / '2020_PRTC_UBND-thanh-pho-Phan-Rang-Thap-Cham_kiem-tra.eml'}",
        "Tổng cộng: đã soạn 3 thư.", f"Chưa gửi thư nào: các thư .eml ở '{out}'; thêm --send để gửi."]


def test_problem_cells_are_highlighted_and_commented(answered):
    tmp_path, _, _ = answered
    ws = openpyxl.load_workbook(tmp_path / "out" / "2020_SNV_So-Noi-vu_kiem-tra.xlsx")[DATA_SHEET]
    cell = ws["F11"]
    assert cell.fill.fill_type == "solid" and cell.fill.start_color.rgb == "FFFF7C80"
    assert cell.comment.text == "[lỗi] Tử số (9) lớn hơn mẫu số (6): tỷ lệ không thể vượt 100%."
    assert ws["G11"].comment is None and ws["G11"].fill.start_color.rgb == "FFFFF2CC"
    ws = openpyxl.load_workbook(tmp_path / "out" / "2020_SYT_So-Y-te_kiem-tra.xlsx")[DATA_SHEET]
    cell = ws.cell(row_of(ws, "MT4.CT3"), 8)
    assert cell.value == "1.234" and cell.fill.fill_type == "solid" and "hai cách" in cell.comment.text


def test_a_deleted_row_is_back_in_the_answer_marked_and_listed_on_the_first_sheet(answered):
    tmp_path, _, _ = answered
    wb = openpyxl.load_workbook(tmp_path / "out" / "2020_PRTC_UBND-thanh-pho-Phan-Rang-Thap-Cham_kiem-tra.xlsx")
    assert wb.sheetnames[0] == RESULTS_SHEET and wb.active.title == RESULTS_SHEET
    rows = list(wb[RESULTS_SHEET].iter_rows(values_only=True))
    assert rows[0] == ("STT", "Mức độ", "Trang", "Ô", "Nội dung", "Cách xử lý")  # no problem codes for units
    assert [r[1:4] for r in rows[1:]] == [("lỗi", "Nhập liệu", "A11")]
    assert rows[1][4].startswith("Thiếu dòng của số liệu 'MT2.CT1'")
    assert rows[1][5].startswith("Dòng này đã bị xóa khỏi biểu đơn vị gửi; biểu này đã có lại dòng đó")
    sheet = wb[DATA_SHEET]  # the PRTC's five rows, MT2.CT1 (the one it deleted) first, as in its form
    assert [sheet.cell(r, 1).value for r in range(11, 16)] == ["MT2.CT1", "MT2.CT3", "MT5.CT1", "MT6.CT2a", "MT6.CT2b"]
    assert sheet["A11"].fill.start_color.rgb == "FFFF7C80" and "Thiếu dòng" in sheet["A11"].comment.text
    assert sheet["F11"].value is None and sheet.protection.sheet


def test_the_annotated_workbooks_keep_what_makes_them_a_return(answered):
    tmp_path, _, _ = answered
    wb = openpyxl.load_workbook(tmp_path / "out" / "2020_SNV_So-Noi-vu_kiem-tra.xlsx")
    original = openpyxl.load_workbook(answered[2]["SNV"])
    assert wb[META_SHEET].sheet_state == "veryHidden"
    assert [tuple(r) for r in wb[META_SHEET].iter_rows(values_only=True)] == \
        [tuple(r) for r in original[META_SHEET].iter_rows(values_only=True)]
    assert wb[DATA_SHEET].protection.sheet and wb[RESULTS_SHEET].protection.sheet
    assert len(wb[DATA_SHEET].data_validations.dataValidation) == \
        len(original[DATA_SHEET].data_validations.dataValidation)
    assert {p.name: p.value for p in wb.custom_doc_props} == {p.name: p.value for p in original.custom_doc_props}


def test_each_annotated_workbook_re_ingests_to_the_same_figures_and_problems(answered):
    tmp_path, _, paths = answered
    plan = default_plan()
    for code, stem in (("SNV", "2020_SNV_So-Noi-vu"), ("SYT", "2020_SYT_So-Y-te"),
                       ("PRTC", "2020_PRTC_UBND-thanh-pho-Phan-Rang-Thap-Cham")):
        before = read_file(paths[code], plan)
        after = read_file(tmp_path / "out" / f"{stem}_kiem-tra.xlsx", plan)
        figures = [(f.code, f.entry) for f in after.figures]
        if code == "PRTC":  # the row it deleted is back, empty: nothing wrong until it is filled in
            assert (after.status, after.problems, figures[0]) == ("accepted", [], ("MT2.CT1", Entry()))
            figures = figures[1:]
        else:
            assert (after.unit, after.period, after.status) == (code, "2020", before.status)
            assert places(after.problems) == places(before.problems) != []
        assert figures == [(f.code, f.entry) for f in before.figures]


def test_each_message_lists_what_was_wrong_and_the_new_deadline(answered, plan):
    tmp_path, _, _ = answered
    message = email.message_from_bytes((tmp_path / "out" / "2020_SNV_So-Noi-vu_kiem-tra.eml").read_bytes(),
                                       policy=policy.default)
    assert message["Subject"] == "[BĐG] Kết quả kiểm tra: Báo cáo năm 2020 – Sở Nội vụ"
    assert message["To"] == plan.unit("SNV").email and message["X-Unsent"] == "1"
    body = message.get_body().get_content()
    assert "  - [lỗi] trang 'Nhập liệu', ô F11: Tử số (9) lớn hơn mẫu số (6): tỷ lệ không thể vượt 100%.\n" in body
    assert "numerator-exceeds-denominator" not in body  # the codes are for the officer, not in letters to units
    assert "chương trình kiểm tra thấy 1 lỗi:" in body and "chậm nhất ngày 04/12/2026" in body
    (part,) = message.iter_attachments()
    assert part.get_filename() == "2020_SNV_So-Noi-vu_kiem-tra.xlsx"
    assert part.get_payload(decode=True) == (tmp_path / "out" / part.get_filename()).read_bytes()


def test_a_unit_is_not_answered_twice_about_the_same_return(answered):
    tmp_path, _, _ = answered
    again = feedback(tmp_path / "inbox", tmp_path, out="again")
    assert again.exit_code == 0
    assert not (tmp_path / "again").exists()
    assert [line.split(":")[0] for line in again.output.splitlines() if "bỏ qua – đã soạn thư trả lời tệp này" in line] == \
        ["SNV", "SYT", "PRTC"]


def test_fixed_through_openpyxl_it_is_accepted_and_supersedes(plan, tmp_path):
    paths = three_wrong(plan, tmp_path / "inbox")
    assert feedback(tmp_path / "inbox", tmp_path).exit_code == 0
    (tmp_path / "back").mkdir()
    fixed = edit(tmp_path / "out" / "2020_SNV_So-Noi-vu_kiem-tra.xlsx", tmp_path / "back" / "snv-sua.xlsx",
                 {("MT1.CT1b", "numerator"): 2})
    result = run("ingest", fixed.parent, "--store", tmp_path / "s.db")
    assert result.output.splitlines()[0] == "snv-sua.xlsx: đã nhận (SNV, kỳ 2020)"
    with Store(tmp_path / "s.db") as store:
        assert store.latest("2020")["SNV"].original_name == "snv-sua.xlsx"
    assert paths["SNV"].read_bytes() != fixed.read_bytes()
    later = feedback(tmp_path / "inbox", tmp_path, out="later")
    assert "SNV" not in [line.split(":")[0] for line in later.output.splitlines()]


def two_problems(plan, inbox: Path) -> None:
    """SNV's return with an error (a numerator above its denominator, F11) and a warning (a number typed as
    text, MT1.CT2's numerator); PRTC's with its first row deleted."""
    entries = seed_entries(plan)
    edit(make_return(plan, "SNV", inbox / "SNV.xlsx", entries["SNV"]),
         cells={("MT1.CT1b", "numerator"): 9, ("MT1.CT2", "numerator"): "48"})
    edit(make_return(plan, "PRTC", inbox / "PRTC.xlsx", entries["PRTC"]),
         change=lambda wb: wb[DATA_SHEET].delete_rows(row_of(wb[DATA_SHEET], "MT2.CT1")))


def marks(path: Path, *cells: str) -> list[tuple]:
    """Each cell of the data sheet as the unit sees it: value, fill pattern and colour, comment."""
    ws = openpyxl.load_workbook(path)[DATA_SHEET]
    return [(ws[c].value, ws[c].fill.fill_type, ws[c].fill.start_color.rgb if ws[c].fill.fill_type else None,
             ws[c].comment.text if ws[c].comment else None) for c in cells]


def test_a_corrected_return_sent_back_loses_the_first_answers_marks(plan, tmp_path):
    inbox = tmp_path / "inbox"
    two_problems(plan, inbox)
    assert feedback(inbox, tmp_path).exit_code == 0
    snv, prtc = (tmp_path / "out" / f"2020_{stem}_kiem-tra.xlsx"
                 for stem in ("SNV_So-Noi-vu", "PRTC_UBND-thanh-pho-Phan-Rang-Thap-Cham"))
    assert marks(snv, "F11")[0][1:3] == ("solid", "FFFF7C80") and marks(prtc, "A11")[0][1:3] == ("solid", "FFFF7C80")
    # each unit corrects the file it was sent: SNV its error (not its warning), PRTC fills the row back in
    edit(snv, inbox / "snv-sua.xlsx", {"F11": 2})
    edit(prtc, inbox / "prtc-sua.xlsx", {"F11": 2172, "G11": 4293, "F12": 5000})
    result = feedback(inbox, tmp_path, out="later")
    assert result.exit_code == 0, result.output
    blank_input, blank_code = marks(make_return(plan, "SNV", tmp_path / "blank.xlsx"), "F11", "A11")
    assert blank_input[1:] == ("solid", "FFFFF2CC", None) and blank_code[1:] == (None, None, None)
    warned_cell = f"F{row_of(openpyxl.load_workbook(snv)[DATA_SHEET], 'MT1.CT2')}"
    fixed, warned = marks(tmp_path / "later" / snv.name, "F11", warned_cell)
    assert fixed == (2, *blank_input[1:])
    assert warned[:3] == ("48", "lightUp", "FFFF9900") and warned[3].startswith("[cảnh báo] Tử số được nhập dạng chữ")
    code, filled, wrong = marks(tmp_path / "later" / prtc.name, "A11", "F11", "F12")
    assert code == ("MT2.CT1", *blank_code[1:]) and filled == (2172, *blank_input[1:])
    assert wrong[:3] == (5000, "solid", "FFFF7C80") and wrong[3].startswith("[lỗi] Tử số (5.000) lớn hơn mẫu số")


def test_a_value_left_out_of_the_sum_is_named_by_its_label_and_the_unit_is_asked_to_send_it_again(plan, tmp_path):
    entries = {**seed_entries(plan)["PRTC"], "MT2.CT1": Entry(value=Decimal("50.59"))}  # several units enter MT2.CT1
    make_return(plan, "PRTC", tmp_path / "inbox" / "PRTC.xlsx", entries)
    assert feedback(tmp_path / "inbox", tmp_path).exit_code == 0
    wb = openpyxl.load_workbook(tmp_path / "out" / "2020_PRTC_UBND-thanh-pho-Phan-Rang-Thap-Cham_kiem-tra.xlsx")
    ((_, severity, _, cell, message, advice),) = list(wb[RESULTS_SHEET].iter_rows(min_row=2, values_only=True))
    assert (severity, cell) == ("cảnh báo", "H11")
    assert message.startswith("Số liệu 'Tỷ lệ nữ trong tổng số người được tạo việc làm mới' (MT2.CT1) ")
    assert advice.startswith("Nhập Tử số và Mẫu số của dòng này rồi gửi lại biểu này")
    assert "không được tính vào tổng" in advice


@pytest.mark.slow
def test_fixed_through_libreoffice_it_is_accepted_and_supersedes(plan, tmp_path):
    from tests.lo import uno_fill

    three_wrong(plan, tmp_path / "inbox")
    assert feedback(tmp_path / "inbox", tmp_path).exit_code == 0
    annotated = tmp_path / "out" / "2020_SYT_So-Y-te_kiem-tra.xlsx"
    row = row_of(openpyxl.load_workbook(annotated)[DATA_SHEET], "MT4.CT3")
    target = tmp_path / "back" / "syt-sua.xlsx"
    target.parent.mkdir()
    done = uno_fill(annotated, target, {f"H{row}": 16.8})
    assert done.returncode == 0, done.stderr
    result = run("ingest", target.parent, "--store", tmp_path / "s.db")
    assert result.output.splitlines()[0] == "syt-sua.xlsx: đã nhận (SYT, kỳ 2020)"
    with Store(tmp_path / "s.db") as store:
        assert store.latest("2020")["SYT"].original_name == "syt-sua.xlsx"


@pytest.mark.slow
def test_corrected_through_libreoffice_which_drops_the_comments_author_the_marks_still_go(plan, tmp_path):
    from tests.lo import uno_fill

    inbox = tmp_path / "inbox"
    two_problems(plan, inbox)
    assert feedback(inbox, tmp_path).exit_code == 0
    annotated = tmp_path / "out" / "2020_SNV_So-Noi-vu_kiem-tra.xlsx"
    done = uno_fill(annotated, inbox / "snv-sua.xlsx", {"F11": 2})
    assert done.returncode == 0, done.stderr
    saved = openpyxl.load_workbook(inbox / "snv-sua.xlsx")[DATA_SHEET]["F11"]
    assert saved.comment.author != "bdg" and saved.fill.start_color.rgb == "FFFF7C80"  # what LibreOffice kept
    result = feedback(inbox, tmp_path, out="later")
    assert result.exit_code == 0, result.output
    (blank,) = marks(make_return(plan, "SNV", tmp_path / "blank.xlsx"), "F11")
    warned_cell = f"F{row_of(openpyxl.load_workbook(annotated)[DATA_SHEET], 'MT1.CT2')}"
    fixed, warned = marks(tmp_path / "later" / annotated.name, "F11", warned_cell)
    assert fixed == (2, *blank[1:])
    assert warned[:3] == ("48", "lightUp", "FFFF9900") and warned[3].startswith("[cảnh báo] Tử số được nhập dạng chữ")


@pytest.mark.slow
def test_returns_received_as_ods_and_xls_are_written_afresh_with_every_figure_and_annotated(plan, tmp_path):
    from tests.lo import convert

    paths = three_wrong(plan, tmp_path / "made")
    edit(paths["SNV"], cells={("MT1.CT2", "data_year"): 2019})  # a figure of an earlier year is kept as one
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    snv = convert(paths["SNV"], "ods", inbox)
    syt = convert(paths["SYT"], "xls", inbox)
    result = feedback(inbox, tmp_path)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "2020_SNV_So-Noi-vu_kiem-tra.eml", "2020_SNV_So-Noi-vu_kiem-tra.xlsx",
        "2020_SYT_So-Y-te_kiem-tra.eml", "2020_SYT_So-Y-te_kiem-tra.xlsx"]
    for sent, stem in ((snv, "2020_SNV_So-Noi-vu"), (syt, "2020_SYT_So-Y-te")):
        before = read_file(sent, plan)
        annotated = tmp_path / "out" / f"{stem}_kiem-tra.xlsx"
        after = read_file(annotated, plan)
        assert [(f.code, f.entry) for f in after.figures] == [(f.code, f.entry) for f in before.figures]
        assert [p.code for p in after.problems] == [p.code for p in before.problems]
        assert [f.entry.year for f in after.figures if f.entry.year] == ([2019] if stem.endswith("Noi-vu") else [])
        wb = openpyxl.load_workbook(annotated)
        assert wb.sheetnames[0] == RESULTS_SHEET
        for found in after.problems:
            assert wb[DATA_SHEET][found.cell].comment is not None
    ws = openpyxl.load_workbook(tmp_path / "out" / "2020_SYT_So-Y-te_kiem-tra.xlsx")[DATA_SHEET]
    assert ws.cell(row_of(ws, "MT4.CT3"), 8).value == "1.234"  # the text typed survives, as text


def test_an_unreadable_file_gets_a_message_without_attachment_asking_for_it_again(plan, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "bao-cao-syt.xlsx").write_bytes(b"PK\x03\x04 this is not a whole workbook")
    (inbox / "ai-gui.xlsx").write_bytes(b"not a workbook either")
    with Store(tmp_path / "s.db") as store:
        import hashlib

        digest = hashlib.sha256((inbox / "bao-cao-syt.xlsx").read_bytes()).hexdigest()
        store.record_received(digest, f"So Y te <{plan.unit('SYT').email}>", "2020-12-10T09:00:00", "Báo cáo",
                              "bao-cao-syt.xlsx")
    result = feedback(inbox, tmp_path)
    assert result.exit_code == 1
    lines = sorted(result.output.splitlines()[:2])
    assert lines[0].startswith("SYT: đã soạn thư – ")
    assert lines[1].startswith("ai-gui.xlsx: không rõ đơn vị – tệp không dùng được và không rõ ai gửi")
    (eml,) = (tmp_path / "out").glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert list(message.iter_attachments()) == []
    body = message.get_body().get_content()
    assert "không đọc được tệp" in body and "Tệp bị hỏng" in body and "gửi lại" in body
    assert not list((tmp_path / "out").glob("*.xlsx"))
    only_syt = feedback(inbox, tmp_path, "--unit", "SYT")  # the file nobody sent is not SYT's to hear about
    assert only_syt.exit_code == 0 and "ai-gui.xlsx" not in only_syt.output
    assert only_syt.output.splitlines()[0].startswith("SYT: bỏ qua – đã soạn thư trả lời tệp này lúc ")


def test_units_with_a_clean_return_get_nothing(plan, tmp_path):
    for code, entries in seed_entries(plan).items():
        make_return(plan, code, tmp_path / "inbox" / f"{code}.xlsx", entries)
    result = feedback(tmp_path / "inbox", tmp_path)
    assert (result.exit_code, result.output.splitlines()[-1]) == (0, "Không có thư nào cần viết.")
    assert not (tmp_path / "out").exists()


def test_the_default_deadline_is_three_working_days_from_today():
    assert working_days_after(date(2026, 11, 26), 3) == date(2026, 12, 1)  # Thursday -> Tuesday
    assert working_days_after(date(2026, 11, 28), 3) == date(2026, 12, 2)  # Saturday -> Wednesday


def test_public_holidays_are_not_working_days():
    assert working_days_after(date(2026, 12, 30), 3) == date(2027, 1, 5)  # Wednesday; 1/1 (Friday) is New Year's Day
    assert working_days_after(date(2026, 4, 28), 3) == date(2026, 5, 5)  # Tuesday; 30/4 and 1/5 are holidays
    # Tết Đinh Mùi: 6/2/2027 (a Saturday) is its first day; its eve (Friday 5/2) to the 4th day (Tuesday 9/2) are off
    assert working_days_after(date(2027, 2, 3), 3) == date(2027, 2, 11)
    # Monday 31/8/2026: 1/9 given as a day off, 2/9 is National Day
    assert working_days_after(date(2026, 8, 31), 3, [date(2026, 9, 1)]) == date(2026, 9, 7)


def as_xlsm(source: Path, target: Path) -> Path:
    """A return as a workbook with macros: the same parts, a (dummy) VBA project, the macro-enabled type."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"spreadsheetml.sheet.main+xml", b"MACRO").replace(
                    b"application/vnd.openxmlformats-officedocument.MACRO",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml").replace(
                    b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
            zout.writestr(item, data)
        zout.writestr("xl/vbaProject.bin", VBA)
    return target


VBA = b"\xd0\xcf\x11\xe0 a VBA project, kept byte for byte"


def test_an_xlsm_is_annotated_as_an_xlsm_with_its_macros_kept(plan, tmp_path):
    source = make_return(plan, "SNV", tmp_path / "snv.xlsx", seed_entries(plan)["SNV"])
    edit(source, cells={("MT1.CT1b", "numerator"): 9})
    (tmp_path / "inbox").mkdir()
    sent = as_xlsm(source, tmp_path / "inbox" / "snv.xlsm")
    assert feedback(tmp_path / "inbox", tmp_path).exit_code == 0
    annotated = tmp_path / "out" / "2020_SNV_So-Noi-vu_kiem-tra.xlsm"
    assert zipfile.ZipFile(annotated).read("xl/vbaProject.bin") == VBA
    assert places(read_file(annotated, plan).problems) == places(read_file(sent, plan).problems) == \
        [("Nhập liệu", "F11", "numerator-exceeds-denominator")]
    message = email.message_from_bytes((tmp_path / "out" / "2020_SNV_So-Noi-vu_kiem-tra.eml").read_bytes(),
                                       policy=policy.default)
    (part,) = message.iter_attachments()
    assert part.get_filename() == annotated.name and part.get_content_type() == \
        "application/vnd.ms-excel.sheet.macroenabled.12"


@pytest.mark.slow
def test_sent_over_the_real_smtp_server_with_the_annotated_workbook(plan, tmp_path):
    from tests.smtp_server import SmtpServer

    three_wrong(plan, tmp_path / "inbox")
    with SmtpServer(tmp_path) as server:
        result = feedback(tmp_path / "inbox", tmp_path, "--send", env=server.env)
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[-1] == "Tổng cộng: đã gửi 3 thư."
        received = {tuple(rcpts): email.message_from_bytes(raw, policy=policy.default)
                    for _, rcpts, raw in server.handler.received}
        assert set(received) == {(plan.unit(c).email,) for c in ("SNV", "SYT", "PRTC")}
        (part,) = received[(plan.unit("SYT").email,)].iter_attachments()
        assert part.get_payload(decode=True) == (tmp_path / "out" / part.get_filename()).read_bytes()
        again = feedback(tmp_path / "inbox", tmp_path, "--send", env=server.env)
        assert again.output.splitlines()[-1] == "Tổng cộng: bỏ qua 3 thư." and len(server.handler.received) == 3
    assert not list((tmp_path / "out").glob("*.eml"))


@pytest.mark.slow
def syt_reminder(tmp_path) -> str:
    """The text of the reminder 'bdg remind' drafts for SYT on 20/12/2020, five days after the deadline."""
    late = run("remind", "--period", "2020", "--as-of", "2020-12-20", "--unit", "SYT", "--outbox", tmp_path / "mail",
               "--store", tmp_path / "s.db")
    assert late.exit_code == 0, late.output
    (reminder,) = (tmp_path / "mail" / "2020").glob("*.eml")
    return email.message_from_bytes(reminder.read_bytes(), policy=policy.default).get_body().get_content()


def test_a_reminder_points_to_the_feedback_letter_only_once_it_was_sent(plan, tmp_path):
    from tests.smtp_server import SmtpServer

    inbox = tmp_path / "inbox"
    make_return(plan, "SYT", inbox / "syt-bao-cao-nam.xlsx", seed_entries(plan)["SYT"], period="2020-H1")
    with SmtpServer(tmp_path) as server:
        sent = feedback(inbox, tmp_path, "--send", env=server.env)
        assert sent.output.splitlines()[0] == f"SYT: đã gửi – {plan.unit('SYT').email}", sent.output
        again = feedback(inbox, tmp_path, env=server.env)  # the letter went: not called a draft
        assert again.output.splitlines()[0].startswith("SYT: bỏ qua – đã gửi thư trả lời tệp này lúc ")
    body = syt_reminder(tmp_path)
    assert "đã nhận tệp của đơn vị nhưng chưa dùng được (xem thư phản hồi đã gửi đơn vị). Hạn nộp" in body


@pytest.mark.slow
def test_a_formula_typed_in_an_input_cell_keeps_its_result(plan, tmp_path):
    from tests.lo import convert

    source = make_return(plan, "SNV", tmp_path / "made" / "snv.xlsx", seed_entries(plan)["SNV"])
    edit(source, cells={("MT1.CT1b", "numerator"): 9, ("MT1.CT2", "numerator"): "=40+8"})
    sent = convert(source, "xlsx", tmp_path / "inbox", recalculate=True)
    before = read_file(sent, plan)
    assert feedback(tmp_path / "inbox", tmp_path).exit_code == 0
    annotated = tmp_path / "out" / "2020_SNV_So-Noi-vu_kiem-tra.xlsx"
    after = read_file(annotated, plan)
    assert [(f.code, f.entry) for f in after.figures] == [(f.code, f.entry) for f in before.figures]
    assert places(after.problems) == places(before.problems)
    ws = openpyxl.load_workbook(annotated)[DATA_SHEET]
    assert ws.cell(row_of(ws, "MT1.CT2"), 6).value == 48


def test_a_unit_that_sent_another_periods_form_gets_this_periods_with_a_message(plan, tmp_path):
    inbox = tmp_path / "inbox"
    make_return(plan, "SYT", inbox / "syt-bao-cao-nam.xlsx", seed_entries(plan)["SYT"], period="2020-H1")
    result = feedback(inbox, tmp_path)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2020_SYT_So-Y-te_bieu-dung-ky.eml",
                                                                     "2020_SYT_So-Y-te_bieu-dung-ky.xlsx"]
    message = email.message_from_bytes((tmp_path / "out" / "2020_SYT_So-Y-te_bieu-dung-ky.eml").read_bytes(),
                                       policy=policy.default)
    assert message["Subject"] == "[BĐG] Gửi nhầm biểu: Báo cáo năm 2020 – Sở Y tế"
    body = message.get_body().get_content()
    assert ("đã nhận tệp 'syt-bao-cao-nam.xlsx' của đơn vị, nhưng đó là biểu của kỳ 2020-H1 (Báo cáo 06 tháng "
            "đầu năm 2020), không phải của kỳ đang thu thập: 2020 (Báo cáo năm 2020).") in body
    attached = read_file(tmp_path / "out" / "2020_SYT_So-Y-te_bieu-dung-ky.xlsx", plan)
    assert (attached.unit, attached.period, attached.problems[0].code) == ("SYT", "2020", "empty-return")
    again = feedback(inbox, tmp_path)
    assert again.output.splitlines()[0].startswith("SYT: bỏ qua – đã soạn thư trả lời tệp này lúc ")
    body = syt_reminder(tmp_path)
    assert "đến ngày 20/12/2020, đã nhận tệp của đơn vị nhưng chưa dùng được. Hạn nộp" in body  # not "nothing"
    assert "thư phản hồi" not in body  # the letter about it is only a draft: the unit may never have had it
