"""History for analysts: ``bdg export`` (.csv/.xlsx, no pandas) and ``bdg_excel.history.figures``."""
import csv
import sqlite3
from decimal import Decimal

import openpyxl
from click.testing import CliRunner

from bdg_excel.cli import cli
from bdg_excel.export import HEADERS
from bdg_excel.ingest import ingest_folder
from tests.returns import edit, entry, make_return


def store_with_two_periods(plan, tmp_path):
    """SNV and SYT for 2020-H1, then 2020; SYT's 2020 return sent twice (the second supersedes), and
    a row of PRTC's with an error (not accepted)."""
    store = tmp_path / "s.db"
    make_return(plan, "SNV", tmp_path / "a" / "snv.xlsx", {"MT1.CT1b": entry(2, 6)}, period="2020-H1")
    make_return(plan, "SYT", tmp_path / "a" / "syt.xlsx", {"MT4.CT3": entry(value=16.8)}, period="2020-H1")
    ingest_folder(tmp_path / "a", plan, store, None, echo=lambda line: None)
    make_return(plan, "SYT", tmp_path / "b" / "syt.xlsx", {"MT4.CT3": entry(value=15)})
    ingest_folder(tmp_path / "b", plan, store, None, echo=lambda line: None)
    make_return(plan, "SYT", tmp_path / "c" / "syt2.xlsx", {"MT4.CT3": entry(value=16), "MT4.CT1": entry(value=108.5)})
    prtc = make_return(plan, "PRTC", tmp_path / "c" / "prtc.xlsx", {"MT2.CT1": entry(1200, 2400),
                                                                    "MT2.CT3": entry(100, 200)})
    edit(prtc, cells={("MT2.CT3", "numerator"): 300})
    edit(tmp_path / "c" / "syt2.xlsx", cells={("MT4.CT1", "data_year"): 2019})
    ingest_folder(tmp_path / "c", plan, store, None, echo=lambda line: None)
    return store


def accepted_in_store(store):
    """(period, unit, code, numerator, denominator, value) of the usable figures of each unit's latest
    non-rejected file, straight from the database."""
    db = sqlite3.connect(store)
    rows = db.execute(
        "SELECT f.period, f.unit, g.code, g.numerator, g.denominator, g.value FROM figures g JOIN files f"
        " ON f.id = g.file_id WHERE g.usable = 1 AND f.id = (SELECT MAX(id) FROM files f2 WHERE f2.unit = f.unit"
        " AND f2.period = f.period AND f2.status != 'rejected')").fetchall()
    db.close()
    return sorted(tuple("" if v is None else v for v in row) for row in rows)


def test_the_csv_read_back_equals_the_stores_accepted_figures(plan, tmp_path):
    store = store_with_two_periods(plan, tmp_path)
    result = CliRunner().invoke(cli, ["export", "--store", str(store), "--out", str(tmp_path / "x.csv")])
    assert (result.exit_code, result.output) == (0, f"Đã ghi 5 số liệu vào '{tmp_path / 'x.csv'}'.\n")
    raw = (tmp_path / "x.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert tuple(rows[0]) == HEADERS
    assert sorted(tuple(r[:6]) for r in rows[1:]) == accepted_in_store(store)
    snv = next(r for r in rows if r[1] == "SNV")
    assert snv[6].startswith("33.33333333") and snv[7:9] == ["Đạt", ""]  # 2/6 against ≥ 30%, no year stated
    assert snv[9:11] == ["đã nhận", "snv.xlsx"]
    assert snv[11:15] == ["Nhập liệu", "F11", "G11", "H11"] and snv[15][:2] == "20" and snv[15][10] == "T"


def test_the_xlsx_read_back_equals_the_stores_accepted_figures_and_periods_filter(plan, tmp_path):
    store = store_with_two_periods(plan, tmp_path)
    result = CliRunner().invoke(cli, ["export", "--store", str(store), "--out", str(tmp_path / "x.xlsx"),
                                      "--period", "2020"])
    assert (result.exit_code, result.output) == (0, f"Đã ghi 3 số liệu vào '{tmp_path / 'x.xlsx'}'.\n")
    rows = list(openpyxl.load_workbook(tmp_path / "x.xlsx")["Số liệu"].iter_rows(values_only=True))
    assert rows[0] == HEADERS

    def exact(row):  # the numbers as exact decimals, whichever way they were stored
        return tuple("" if v is None else v if i < 3 or v == "" else Decimal(str(v)).normalize() for i, v in enumerate(row))

    expected = [exact(row) for row in accepted_in_store(store) if row[0] == "2020"]
    assert sorted(exact(r[:6]) for r in rows[1:]) == expected
    assert ("2020", "PRTC", "MT2.CT1", 1200, 2400, None, 50, "Đạt", None, "đã nhận, có vấn đề") == rows[1][:10]
    syt = next(r for r in rows if r[1:3] == ("SYT", "MT4.CT1"))
    assert syt[6:9] == (108.5, "Đạt", 2019)  # ≤ 110 met; the unit said the figure is of 2019


def test_export_refuses_other_formats_and_a_missing_store(plan, tmp_path):
    store = store_with_two_periods(plan, tmp_path)
    wrong = CliRunner().invoke(cli, ["export", "--store", str(store), "--out", str(tmp_path / "x.ods")])
    assert wrong.exit_code == 2 and wrong.output == "Lỗi: Tệp xuất phải có đuôi .xlsx hoặc .csv, không phải 'x.ods'.\n"
    missing = CliRunner().invoke(cli, ["export", "--store", str(tmp_path / "no.db"), "--out", str(tmp_path / "x.csv")])
    assert missing.exit_code == 2 and not (tmp_path / "no.db").exists()
    period = CliRunner().invoke(cli, ["export", "--store", str(store), "--out", str(tmp_path / "x.csv"),
                                      "--period", "2031"])
    assert period.exit_code == 2 and "Kỳ báo cáo '2031' không có trong kế hoạch" in period.output


def test_analysts_get_the_same_rows_as_a_dataframe_with_exact_numbers(plan, tmp_path):
    from bdg_excel.history import figures

    store = store_with_two_periods(plan, tmp_path)
    frame = figures(store)
    assert sorted(tuple("" if v is None else f"{v:f}" if isinstance(v, Decimal) else v for v in row)
                  for row in frame.iloc[:, :6].itertuples(index=False)) == accepted_in_store(store)
    prtc = frame[(frame.unit == "PRTC") & (frame.element == "MT2.CT1")].iloc[0]
    assert (prtc.numerator, prtc.denominator, prtc.result) == (Decimal(1200), Decimal(2400), Decimal(50))
    assert frame[frame.period == "2020-H1"].element.tolist() == ["MT1.CT1b", "MT4.CT3"]
    assert str(frame.received_at.dtype).startswith("datetime64")


def test_the_xlsx_gives_the_time_received_as_an_excel_date_time_in_vietnam_time(plan, tmp_path, far_zone):
    import os
    from datetime import datetime

    path = make_return(plan, "SYT", tmp_path / "a" / "syt.xlsx", {"MT4.CT3": entry(value=16.8)})
    os.utime(path, (1_600_000_000, 1_600_000_000))  # 12:26:40 UTC on 13/9/2020, 19:26:40 in Vietnam
    ingest_folder(tmp_path / "a", plan, tmp_path / "s.db", None, echo=lambda line: None)
    for out in ("x.xlsx", "x.csv"):
        result = CliRunner().invoke(cli, ["export", "--store", str(tmp_path / "s.db"), "--out", str(tmp_path / out)])
        assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(tmp_path / "x.xlsx")["Số liệu"]
    cell = sheet.cell(2, HEADERS.index("Thời điểm nhận") + 1)
    assert (cell.value, cell.number_format) == (datetime(2020, 9, 13, 19, 26, 40), "dd/mm/yyyy hh:mm")
    assert sheet.column_dimensions[cell.column_letter].width >= 16  # wide enough not to show '#####'
    rows = list(csv.reader((tmp_path / "x.csv").read_text("utf-8-sig").splitlines()))
    assert rows[1][HEADERS.index("Thời điểm nhận")] == "2020-09-13T19:26:40"  # the CSV keeps the text
