import dataclasses
import io
import zipfile
from decimal import Decimal

import msoffcrypto.format.ooxml
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bdg_excel import layout
from bdg_excel.returns import read_file, read_return
from bdg_excel.submission import ACCEPTED, REJECTED, WITH_PROBLEMS
from bdg_excel.template import write_template
from tests.hostile import repack
from tests.returns import edit, entry, make_return


def found(submission):
    return [(p.cell, p.code) for p in submission.problems]


def figures(submission):
    return {f.code: (f.entry.numerator, f.entry.denominator, f.entry.value) for f in submission.figures if f.usable}


@pytest.fixture
def syt(plan, tmp_path):
    return make_return(plan, "SYT", tmp_path / "syt.xlsx")


@pytest.fixture
def prtc(plan, tmp_path):
    return make_return(plan, "PRTC", tmp_path / "prtc.xlsx", {
        "MT2.CT1": entry(1200, 2400), "MT2.CT3": entry(700, 1300), "MT5.CT1": entry(16, 16),
        "MT6.CT2a": entry(12, 15), "MT6.CT2b": entry(10, 11)})


def test_a_clean_return_reads_exactly(plan, prtc):
    submission = read_file(prtc, plan, "2020")
    assert (submission.status, submission.unit, submission.period) == (ACCEPTED, "PRTC", "2020")
    assert submission.problems == []
    assert figures(submission)["MT2.CT1"] == (Decimal(1200), Decimal(2400), None)
    assert [f.cells["numerator"] for f in submission.figures] == ["F11", "F12", "F13", "F14", "F15"]


def test_empty_rows_are_no_data_not_errors(plan, tmp_path):
    path = make_return(plan, "SYT", tmp_path / "syt.xlsx", {"MT4.CT1": entry(value=108.5)})
    submission = read_file(path, plan)
    assert submission.status == ACCEPTED and submission.problems == []
    assert [f.usable for f in submission.figures] == [True, False, False, False]


def test_a_blank_template_sent_back_is_an_empty_return(plan, syt):
    submission = read_file(syt, plan)
    assert submission.status == REJECTED
    assert [(p.code, p.sheet) for p in submission.problems] == [("empty-return", "Nhập liệu")]
    assert "biểu trống" in submission.problems[0].message


def test_a_return_with_only_notes_is_not_empty(plan, tmp_path):
    path = make_return(plan, "SYT", tmp_path / "syt.xlsx", {"MT4.CT1": entry(note="Chưa có số liệu điều tra")})
    assert read_file(path, plan).status == ACCEPTED


@pytest.mark.parametrize("cells, expected, read", [
    ({"F11": "8.688", "G11": "8 000"}, [("F11", "text-number"), ("G11", "text-number")], (8688, 8000, None)),
    ({"H13": "16,8"}, [("H13", "text-number")], None),
    ({"H13": "16.800"}, [("H13", "ambiguous-number")], None),
    ({"H13": "mười sáu"}, [("H13", "not-a-number")], None),
    ({"F11": -3, "G11": 100}, [("F11", "negative-number")], None),
    ({"F12": 2, "G12": 0}, [("G12", "denominator-zero")], None),
    ({"F13": 120, "G13": 100}, [("F13", "numerator-exceeds-denominator")], None),
    ({"F13": 48, "G13": 268, "H13": 16.78}, [("H13", "value-mismatch")], None),
    ({"H13": 130}, [("H13", "value-out-of-range")], None),
    ({"F11": 330, "G11": 100}, [("F11", "value-out-of-range")], None),
    ({"F11": 10.5, "G11": 100}, [("F11", "not-whole-number")], None),
    ({"F11": 108}, [("G11", "missing-denominator")], None),
    ({"G11": 100}, [("F11", "missing-numerator")], None),
    ({"F11": "=100+8", "G11": 100}, [("F11", "formula-without-value")], None),
    ({"F11": True, "G11": 100}, [("F11", "not-a-number")], None),
])
def test_each_bad_cell_gives_its_problem_at_its_cell(plan, syt, tmp_path, cells, expected, read):
    path = edit(syt, tmp_path / "bad.xlsx", cells)
    submission = read_file(path, plan)
    assert found(submission) == expected
    assert submission.status == WITH_PROBLEMS
    if read:
        assert figures(submission)["MT4.CT1"] == tuple(None if x is None else Decimal(x) for x in read)


def test_a_value_within_one_unit_of_its_last_decimal_is_fine(plan, syt, tmp_path):
    path = edit(syt, tmp_path / "ok.xlsx", {"F13": 58, "G13": 228, "H13": 25.43, "F14": 87, "G14": 109, "H14": 80})
    assert found(read_file(path, plan)) == []


def test_openpyxl_saved_formulas_outside_inputs_are_no_problem(plan, prtc, tmp_path):
    path = edit(prtc, tmp_path / "resaved.xlsx", {"J11": "ghi chú"})
    submission = read_file(path, plan)
    assert submission.status == ACCEPTED and len(figures(submission)) == 5


def test_missing_unknown_and_duplicate_rows(plan, prtc, tmp_path):
    def change(wb):
        ws = wb[layout.DATA_SHEET]
        ws.delete_rows(13)  # MT5.CT1
        ws["A14"] = "MT9.CT9"  # was MT6.CT2b
        ws["A15"] = "MT2.CT1"
        ws["A16"] = "MT4.CT1"  # belongs to Sở Y tế
    submission = read_file(edit(prtc, tmp_path / "rows.xlsx", change=change), plan)
    assert found(submission) == [("A14", "unknown-code"), ("A15", "duplicate-code"), ("A16", "unknown-code"),
                                 ("", "missing-row"), ("", "missing-row")]
    assert "không thuộc phần việc của đơn vị này" in submission.problems[2].message


def test_inserted_resorted_and_hidden_rows_and_columns_read_the_same(plan, prtc, tmp_path):
    expected = figures(read_file(prtc, plan))

    def change(wb):
        ws = wb[layout.DATA_SHEET]
        ws.insert_rows(12, 2)
        ws.insert_cols(3)
        ws.column_dimensions["G"].hidden = True
        rows = [[c.value for c in ws[r]] for r in (11, 14, 15, 16, 17)]
        for target, values in zip((11, 14, 15, 16, 17), reversed(rows)):
            for col, value in enumerate(values, start=1):
                ws.cell(target, col).value = value
    path = edit(prtc, tmp_path / "moved.xlsx", change=change)
    submission = read_file(path, plan)
    assert submission.problems == [] and figures(submission) == expected
    assert submission.figures[0].code == "MT6.CT2b" and submission.figures[0].cells["numerator"] == "G11"


def _meta(key, value):
    def change(wb):
        ws = wb[layout.META_SHEET]
        row = next(c.row for c in ws["A"] if c.value == key)
        ws.cell(row, 2).value = value
    return change


@pytest.mark.parametrize("key, value, code, words", [
    ("plan_id", "binhthuan-2020", "wrong-plan", "'binhthuan-2020', không phải kế hoạch 'ninhthuan-bdg-2020'"),
    ("period", "2019", "wrong-period", "Biểu của kỳ '2019', không phải một kỳ của kế hoạch (2020-H1, 2020)"),
    ("unit", "XYZ", "unknown-unit", "Mã đơn vị 'XYZ' không có trong kế hoạch"),
    ("unit", "CTK", "unit-not-expected", "'CTK' không được phân công"),
    ("format_version", "9", "unknown-template-format", "phiên bản '9' không được hỗ trợ"),
])
def test_wrong_identity_rejects_the_file_saying_what_was_expected(plan, prtc, tmp_path, key, value, code, words):
    path = edit(prtc, tmp_path / "id.xlsx", change=_meta(key, value))
    submission = read_file(path, plan)
    assert (submission.status, found(submission)) == (REJECTED, [("", code)])
    assert words in submission.problems[0].message


def test_a_return_of_an_earlier_plan_version_is_read_where_its_rows_mean_the_same(plan, prtc, tmp_path):
    path = edit(prtc, tmp_path / "old.xlsx", change=_meta("plan_version", "000000000000"))
    submission = read_file(path, plan)
    assert (submission.status, submission.problems) == (ACCEPTED, [])
    assert figures(submission)["MT2.CT1"] == (Decimal(1200), Decimal(2400), None)


def test_a_row_whose_scale_changed_since_the_return_was_made_is_reported_on_that_row(plan, prtc, tmp_path):
    rescaled = dataclasses.replace(plan, elements=tuple(
        dataclasses.replace(e, scale=Decimal(1000)) if e.code == "MT2.CT3" else e for e in plan.elements))
    submission = read_file(prtc, rescaled)
    assert (submission.status, found(submission)) == (WITH_PROBLEMS, [("A12", "row-changed")])
    assert "hệ số: '100' → '1000'" in submission.problems[0].message
    assert "MT2.CT3" not in figures(submission) and figures(submission)["MT2.CT1"] == (1200, 2400, None)


def test_a_return_of_another_plan_version_without_row_meanings_is_rejected(plan, prtc, tmp_path):
    def old_template(wb):
        _meta("plan_version", "000000000000")(wb)
        ws = wb[layout.META_SHEET]
        for row in [c.row for c in ws["A"] if str(c.value).startswith(layout.ELEMENT_KEY)][::-1]:
            ws.delete_rows(row)
    submission = read_file(edit(prtc, tmp_path / "v1.xlsx", change=old_template), plan)
    assert (submission.status, found(submission)) == (REJECTED, [("", "wrong-plan-version")])


def test_another_period_than_expected_is_rejected_by_check(plan, prtc):
    submission = read_file(prtc, plan, period="2020-H1")
    assert found(submission) == [("", "wrong-period")]
    assert "kỳ '2020', không phải kỳ đang tổng hợp '2020-H1'" in submission.problems[0].message


def test_identity_falls_back_to_custom_properties(plan, prtc, tmp_path):
    path = edit(prtc, tmp_path / "nometa.xlsx", change=lambda wb: wb.remove(wb[layout.META_SHEET]))
    submission = read_file(path, plan)
    assert (submission.status, submission.unit) == (ACCEPTED, "PRTC")


def _pasted(source, out, keep_header=True):
    """The figures copied into a fresh workbook: no metadata, no properties."""
    old = openpyxl.load_workbook(source)[layout.DATA_SHEET]
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in old.iter_rows(min_row=1 if keep_header else layout.HEADER_ROW + 1, values_only=True):
        ws.append(list(row))
    wb.save(out)
    return out


def test_without_metadata_the_header_block_identifies_the_unit(plan, prtc, tmp_path):
    submission = read_file(_pasted(prtc, tmp_path / "pasted.xlsx"), plan)
    assert submission.unit == "PRTC" and submission.period == "2020"
    assert found(submission) == [("", "metadata-missing")]
    assert len(figures(submission)) == 5


def test_without_metadata_or_header_the_file_is_rejected(plan, prtc, tmp_path):
    submission = read_file(_pasted(prtc, tmp_path / "bare.xlsx", keep_header=False), plan)
    assert (submission.status, found(submission)) == (REJECTED, [("", "unit-unidentified")])


def test_files_that_cannot_be_opened_are_rejected_with_a_reason(plan, prtc, tmp_path):
    data = prtc.read_bytes()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (8 * 1024 * 1024))
    encrypted = io.BytesIO()
    msoffcrypto.format.ooxml.OOXMLFile(io.BytesIO(data)).encrypt("matkhau", encrypted)
    cases = {
        "not-a-workbook": b"%PDF-1.4 this is a letter, not a workbook",
        "corrupt-file": data[: len(data) // 2],
        "zip-bomb": bomb.getvalue(),
        "password-protected": encrypted.getvalue(),
        "no-data-table": _workbook_with_text("Kính gửi Sở LĐ-TB&XH"),
    }
    for code, content in cases.items():
        submission = read_return(content, f"{code}.xlsx", plan)
        assert (submission.status, found(submission)) == (REJECTED, [("", code)]), code
        assert submission.problems[0].message


def test_absurdly_large_files_are_refused_without_loading(plan, tmp_path):
    path = tmp_path / "huge.xlsx"
    with path.open("wb") as out:
        out.truncate(21 * 1024 * 1024)
    submission = read_file(path, plan)
    assert (submission.status, found(submission)) == (REJECTED, [("", "file-too-large")])


def _workbook_with_text(text):
    out = io.BytesIO()
    wb = openpyxl.Workbook()
    wb.active["A1"] = text
    wb.save(out)
    return out.getvalue()


def test_xlsm_is_read_like_xlsx(plan, prtc, tmp_path):
    path = tmp_path / "prtc.xlsm"
    path.write_bytes(prtc.read_bytes())
    assert read_file(path, plan).status == ACCEPTED


def test_prefilled_template_writer_caches_preview(plan, tmp_path):
    path = write_template(plan, plan.period("2020"), plan.unit("SYT"), tmp_path / "x.xlsx",
                          entries={"MT4.CT1": entry(1085, 1000)})
    assert figures(read_file(path, plan))["MT4.CT1"] == (Decimal(1085), Decimal(1000), None)


def test_a_zip64_container_is_read_like_any_other(plan, prtc):
    source = zipfile.ZipFile(io.BytesIO(prtc.read_bytes()))
    repacked = io.BytesIO()
    with zipfile.ZipFile(repacked, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            with archive.open(info.filename, "w", force_zip64=True) as member:
                member.write(source.read(info))
    assert b"\xff\xff\xff\xff" in repacked.getvalue()[-2000:]
    submission = read_return(repacked.getvalue(), "zip64.xlsx", plan)
    assert submission.status == ACCEPTED and len(figures(submission)) == 5


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=2999), st.integers(min_value=0, max_value=255)),
                min_size=1, max_size=8))
@pytest.mark.slow
def test_damaged_bytes_never_raise(plan, prtc, damage):
    """Damage near the end hits the zip's directory and the parts only our own reader opens."""
    data = bytearray(prtc.read_bytes())
    for position, value in damage:
        data[len(data) - 1 - position % len(data)] = value
    submission = read_return(bytes(data), "hong.xlsx", plan)
    assert submission.status in (ACCEPTED, WITH_PROBLEMS, REJECTED)
    assert all(p.message for p in submission.problems)


def test_a_value_alone_where_several_units_are_summed_is_a_warning_on_its_cell(plan, prtc):
    edit(prtc, cells={("MT2.CT1", "numerator"): None, ("MT2.CT1", "denominator"): None, ("MT2.CT1", "value"): 50})
    submission = read_file(prtc, plan, "2020")
    assert found(submission) == [("H11", "value-cannot-be-summed")]
    assert submission.status == WITH_PROBLEMS
    assert submission.problems[0].message == (
        "Số liệu 'Tỷ lệ nữ trong tổng số người được tạo việc làm mới' (MT2.CT1) của cả tỉnh được tính bằng cách cộng "
        "tử số, mẫu số của các đơn vị: chỉ nhập Giá trị thì không cộng được, nên số liệu của đơn vị chưa được tính "
        "vào tổng. Hãy nhập Tử số và Mẫu số.")


def test_a_value_alone_where_one_unit_enters_the_figure_is_fine(plan, syt):
    edit(syt, cells={("MT4.CT1", "value"): 108.5})
    assert found(read_file(syt, plan, "2020")) == []


def test_a_zip_archive_is_told_apart_from_a_damaged_workbook_and_names_the_workbooks_inside(plan, prtc):
    data = prtc.read_bytes()
    cases = {
        "one return": ({"Bao cao/": b"", "Bao cao/Báo cáo PRTC.xlsx": data}, "bên trong có 1 bảng tính: "
                                                                               "'Báo cáo PRTC.xlsx'"),
        "a text file": ({"ghi-chu.txt": "Kính gửi Sở".encode()}, "bên trong không có bảng tính nào"),
        "macOS's extras": ({"a.xlsx": data, "__MACOSX/._a.xlsx": b"x", "._b.xlsx": b"x"}, "có 1 bảng tính: 'a.xlsx'"),
        "many returns": ({f"{n}.xlsx": data for n in "abcde"}, "bên trong có 5 bảng tính: 'a.xlsx', 'b.xlsx', "
                                                              "'c.xlsx' và 2 bảng tính khác"),
        "a long odd name": ({"x" * 300 + "\x1b[2J.xlsx": data}, f"bên trong có 1 bảng tính: '{'x' * 145}.xlsx'"),
    }
    for case, (members, inside) in cases.items():
        submission = read_return(repack(members), "Bao cao PRTC.zip", plan)
        assert (submission.status, found(submission)) == (REJECTED, [("", "zip-archive")]), case
        message = submission.problems[0].message
        assert message.startswith("Tệp là tệp nén .zip, không phải bảng tính (") and inside in message, case
        assert "giải nén" in message and "bdg collect" in message and "hỏng" not in message, case


def test_a_workbook_is_never_a_zip_archive_whatever_its_name_or_damage(plan, prtc):
    data = prtc.read_bytes()
    assert read_return(data, "Bao cao PRTC.zip", plan).status == ACCEPTED
    with zipfile.ZipFile(io.BytesIO(data)) as original:  # its parts, without the workbook part
        parts = {n: original.read(n) for n in original.namelist() if n != "xl/workbook.xml"}
    damaged = read_return(repack(parts), "prtc.xlsx", plan)
    document = read_return(repack({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"}),
                           "prtc.xlsx", plan)
    for submission in (damaged, document):  # an Office package, though no workbook python-calamine can read
        assert submission.status == REJECTED and [p.code for p in submission.problems] != ["zip-archive"]
