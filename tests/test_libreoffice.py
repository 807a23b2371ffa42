import re
import zipfile
import subprocess
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from bdg_excel import layout
from bdg_excel.cli import cli
from bdg_excel.returns import read_file
from bdg_excel.submission import ACCEPTED
from tests.lo import convert, uno_fill
from tests.returns import entry, make_return

pytestmark = [pytest.mark.slow, pytest.mark.libreoffice]

PRTC_FIGURES = {"MT2.CT1": entry(1200, 2400), "MT2.CT3": entry(700, 1300), "MT5.CT1": entry(16, 16),
                "MT6.CT2a": entry(12, 15), "MT6.CT2b": entry(value=90.5, note="Ước tính")}


def figures(submission):
    return {f.code: (f.entry.numerator, f.entry.denominator, f.entry.value) for f in submission.figures if f.usable}


def expected(entries):
    return {code: (e.numerator, e.denominator, e.value) for code, e in entries.items()}


@pytest.fixture(scope="module")
def filled(tmp_path_factory, plan):
    folder = tmp_path_factory.mktemp("filled")
    return make_return(plan, "PRTC", folder / "2020_PRTC.xlsx", PRTC_FIGURES)


def test_a_template_filled_through_libreoffice_ingests_to_the_figures_written(plan, templates_2020, tmp_path):
    template = next(p for p in templates_2020 if "_SYT_" in p.name)
    target = tmp_path / "syt-libreoffice.xlsx"
    cells = {"F11": 1085, "G11": 1000, "F12": 3, "G12": 17544, "H13": 16.8, "F14": 25, "G14": 1000,
             "J11": "Số liệu của Cục Thống kê"}
    done = uno_fill(template, target, cells)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    submission = read_file(target, plan, "2020")
    assert submission.status == ACCEPTED, [str(p) for p in submission.problems]
    assert figures(submission) == {
        "MT4.CT1": (Decimal(1085), Decimal(1000), None), "MT4.CT2": (Decimal(3), Decimal(17544), None),
        "MT4.CT3": (None, None, Decimal("16.8")), "MT4.CT4": (Decimal(25), Decimal(1000), None)}
    assert submission.figures[0].entry.note == "Số liệu của Cục Thống kê"
    with zipfile.ZipFile(target) as archive:
        assert b"LibreOffice" in archive.read("docProps/app.xml")  # really written by LibreOffice


def test_libreoffice_refuses_nothing_but_our_test_writes_only_unlocked_cells(templates_2020, tmp_path):
    template = next(p for p in templates_2020 if "_SYT_" in p.name)
    done = uno_fill(template, tmp_path / "x.xlsx", {"A11": "MT9.CT9"})
    assert done.returncode == 3  # the Mã cell is locked


@pytest.mark.parametrize("target_format", ["xlsx", "ods", "xls"])
def test_a_return_resaved_by_libreoffice_ingests_to_the_same_figures(plan, filled, tmp_path, target_format):
    resaved = convert(filled, target_format, tmp_path)
    submission = read_file(resaved, plan, "2020")
    # the district's estimate typed as a value alone is kept, and told that it cannot be summed with the others'
    assert [(p.cell, p.code) for p in submission.problems] == [("H15", "value-cannot-be-summed")]
    assert submission.unit == "PRTC"
    assert figures(submission) == expected(PRTC_FIGURES)


def test_validation_protection_and_metadata_survive_a_libreoffice_save(templates_2020, tmp_path):
    template = next(p for p in templates_2020 if "_PRTC_" in p.name)
    resaved = convert(template, "xlsx", tmp_path)
    before, after = openpyxl.load_workbook(template), openpyxl.load_workbook(resaved)
    old, new = before[layout.DATA_SHEET], after[layout.DATA_SHEET]
    assert new.protection.sheet
    rules = lambda ws: sorted((str(d.sqref), d.type, d.formula1) for d in ws.data_validations.dataValidation)  # noqa: E731
    assert rules(new) == rules(old)
    unlocked = lambda ws: sorted(c.coordinate for r in ws.iter_rows() for c in r if not c.protection.locked)  # noqa: E731
    assert unlocked(new) == unlocked(old)
    assert after[layout.META_SHEET].sheet_state == "hidden"  # LibreOffice turns very hidden into hidden
    meta = lambda wb: {r[0].value: r[1].value for r in wb[layout.META_SHEET].iter_rows()}  # noqa: E731
    assert meta(after) == meta(before)
    props = lambda wb: {p.name: p.value for p in wb.custom_doc_props.props}  # noqa: E731
    assert props(after) == props(before)


def test_cached_results_in_our_workbooks_are_what_libreoffice_computes(plan, filled, tmp_path):
    """A viewer that does not recalculate shows our cached values; force a recalculation and compare."""
    from python_calamine import CalamineWorkbook

    recalculated = convert(filled, "xlsx", tmp_path / "recalc", recalculate=True)
    read = lambda p: CalamineWorkbook.from_path(str(p)).get_sheet_by_name(layout.DATA_SHEET).to_python()  # noqa: E731
    ours, theirs = read(filled), read(recalculated)
    col = layout.COLUMN_INDEX["preview"]
    pairs = [(a[col], b[col]) for a, b in zip(ours, theirs) if str(a[0]).startswith("MT")]
    assert len(pairs) == 5
    for mine, computed in pairs:
        assert mine == pytest.approx(computed, rel=1e-12)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    out = tmp_path_factory.mktemp("printed")
    result = CliRunner().invoke(cli, ["demo", "--out", str(out), "--pdf"])
    assert result.exit_code == 0, result.output
    return out / "demo" / "tong-hop-2020.pdf", out / "demo" / "tong-hop-2020.xlsx"


def _pdf_text(pdf: Path, page: int | None = None) -> str:
    args = ["pdftotext", "-layout"] + (["-f", str(page), "-l", str(page)] if page else []) + [str(pdf), "-"]
    return subprocess.run(args, capture_output=True, check=True).stdout.decode("utf-8")


def test_the_appendix_prints_to_a4_landscape_with_headers_on_every_page(printed):
    pdf, _ = printed
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, check=True).stdout.decode()
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info)
    assert pages >= 2
    assert (round(float(size.group(1))), round(float(size.group(2)))) == (842, 595)
    for page in range(1, pages + 1):
        text = _pdf_text(pdf, page)
        assert "MỤC TIÊU" in text and "ĐÁNH GIÁ" in text, page
        assert text.split()[0] == ("PHỤ" if page == 1 else str(page))  # numbered from page 2 (test_print_appendix.py)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, check=True).stdout.decode()
    assert "LiberationSerif" in fonts or "TimesNewRoman" in fonts.replace(" ", "")
    assert "DejaVu" not in fonts  # no glyph-by-glyph fallback: the Vietnamese glyphs are all there


def test_the_printed_text_is_the_workbook_text_with_its_diacritics(printed):
    pdf, xlsx = printed
    text = " ".join(_pdf_text(pdf).split())
    ws = openpyxl.load_workbook(xlsx, data_only=True)["Phụ lục"]
    cells = [ws["A1"].value, "Cấp tỉnh: 05/50 (10%)", "8.688/17.174 (50,59%)", "17,1/100.000", "Không đạt",
             "Ban Tổ chức Tỉnh ủy", "Tỷ lệ nữ"]
    for value in cells:
        assert " ".join(value.split()) in text, value
    goal = " ".join(ws["A7"].value.split()[:6])
    assert goal in text  # "Mục tiêu 1: Tăng cường sự tham gia"


def test_pdf_without_libreoffice_is_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("PROGRAMFILES", str(tmp_path))
    monkeypatch.delenv("BDG_SOFFICE", raising=False)
    import bdg_excel.pdf as pdf

    monkeypatch.setattr(pdf, "windows_places", lambda env, registry: [])
    result = CliRunner().invoke(cli, ["demo", "--out", str(tmp_path), "--pdf"])
    assert result.exit_code == 2
    assert "\nLỗi: Không tìm thấy LibreOffice để in PDF" in result.output


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_a_conversion_that_hangs_is_stopped_with_its_children(tmp_path, monkeypatch):
    import time

    import bdg_excel.pdf as pdf
    from bdg_excel.atomic import OutputError

    child = tmp_path / "child.pid"
    fake = tmp_path / "soffice"
    fake.write_text(f"#!/bin/sh\nsleep 60 &\necho $! > {child}\nsleep 60\n")
    fake.chmod(0o755)
    monkeypatch.setattr(pdf, "find_soffice", lambda configured=None: str(fake))
    with pytest.raises(OutputError, match="không chuyển xong tệp 'x.xlsx' sau 1 giây"):
        pdf.convert(tmp_path / "x.xlsx", "pdf", tmp_path, timeout=1)
    stat = Path(f"/proc/{int(child.read_text())}/stat")
    time.sleep(0.2)
    assert not stat.exists() or stat.read_text().split()[2] in ("Z", "X")  # the launcher's child is gone too
