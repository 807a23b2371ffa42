"""Figures checked against the unit's own earlier results: ``unusual-change``."""
import dataclasses
from datetime import date
from decimal import Decimal

import openpyxl
from click.testing import CliRunner

from bdg_excel.cli import cli
from bdg_excel.ingest import ingest_folder
from bdg_excel.plan import Period
from bdg_excel.store import Store
from bdg_excel.submission import WITH_PROBLEMS
from tests.returns import entry, make_return


def ingest(plan, folder, store):
    lines = []
    ingest_folder(folder, plan, store, None, echo=lines.append)
    return lines


def warnings_of(store_path, period, unit):
    with Store(store_path) as store:
        current = store.latest(period)[unit]
        rows = store.problems([current.id])
        return current.status, [(r["cell"], r["code"], r["message"]) for r in rows]


def two_periods(plan, tmp_path, unit, before: dict, after: dict):
    """The unit's 2020-H1 return ingested, then its 2020 one; the store's path."""
    store = tmp_path / "s.db"
    make_return(plan, unit, tmp_path / "h1" / "r.xlsx", before, period="2020-H1")
    ingest(plan, tmp_path / "h1", store)
    make_return(plan, unit, tmp_path / "y" / "r.xlsx", after, period="2020")
    ingest(plan, tmp_path / "y", store)
    return store


def test_a_share_that_triples_gets_unusual_change_naming_the_earlier_value(plan, tmp_path):
    store = two_periods(plan, tmp_path, "SNV", {"MT1.CT1b": entry(2, 6)}, {"MT1.CT1b": entry(6, 6)})
    status, found = warnings_of(store, "2020", "SNV")
    assert status == WITH_PROBLEMS
    assert found == [("F11", "unusual-change", "Kết quả 100% thay đổi bất thường so với 33,33% của kỳ 2020-H1 "
                      "(mức cho phép ±15 điểm phần trăm). Hãy kiểm tra lại số liệu; nếu đúng, ghi lý do vào cột "
                      "'Ghi chú'.")]


def test_unchanged_figures_get_nothing(plan, tmp_path):
    store = two_periods(plan, tmp_path, "SNV", {"MT1.CT1b": entry(2, 6), "MT1.CT2": entry(48, 93)},
                        {"MT1.CT1b": entry(2, 6), "MT1.CT2": entry(50, 95)})
    assert warnings_of(store, "2020", "SNV") == ("accepted", [])


def test_a_rate_per_100000_that_triples_is_warned_and_one_within_30_percent_is_not(plan, tmp_path):
    store = two_periods(plan, tmp_path, "SYT", {"MT4.CT2": entry(value=17.1), "MT4.CT4": entry(value=2.5)},
                        {"MT4.CT2": entry(value=51.3), "MT4.CT4": entry(value=3.2)})
    _, found = warnings_of(store, "2020", "SYT")
    assert [(cell, code) for cell, code, _ in found] == [("H12", "unusual-change")]
    assert "51,3/100.000 thay đổi bất thường so với 17,1/100.000 của kỳ 2020-H1 (mức cho phép ±30%)" in found[0][2]


def test_a_denominator_changing_by_more_than_a_third_is_warned_on_its_cell(plan, tmp_path):
    store = two_periods(plan, tmp_path, "SNV", {"MT1.CT1b": entry(20, 60)}, {"MT1.CT1b": entry(30, 90)})
    _, found = warnings_of(store, "2020", "SNV")
    assert [(cell, code) for cell, code, _ in found] == [("G11", "unusual-change")]
    assert found[0][2].startswith("Mẫu số 90 thay đổi bất thường so với 60 của kỳ 2020-H1 (mức cho phép ±1/3).")


def test_a_denominator_changing_by_exactly_a_third_is_not_warned(plan, tmp_path):
    # 60 -> 80 is 20, exactly a third of 60 (the share stays 25%: only the denominator is in question)
    store = two_periods(plan, tmp_path, "SNV", {"MT1.CT1b": entry(15, 60)}, {"MT1.CT1b": entry(20, 80)})
    assert warnings_of(store, "2020", "SNV") == ("accepted", [])
    store = two_periods(plan, tmp_path / "more", "SNV", {"MT1.CT1b": entry(15, 60)}, {"MT1.CT1b": entry(20, 81)})
    assert [cell for cell, _, _ in warnings_of(store, "2020", "SNV")[1]] == ["G11"]


def test_the_plans_tolerance_replaces_the_default(plan, tmp_path):
    strict = dataclasses.replace(plan, elements=tuple(
        dataclasses.replace(e, tolerance=Decimal(5)) if e.code == "MT1.CT1b" else e for e in plan.elements))
    store = two_periods(strict, tmp_path, "SNV", {"MT1.CT1b": entry(20, 60)}, {"MT1.CT1b": entry(24, 60)})
    _, found = warnings_of(store, "2020", "SNV")
    assert [(cell, code) for cell, code, _ in found] == [("F11", "unusual-change")]
    assert "(mức cho phép ±5 điểm phần trăm)" in found[0][2]
    store = two_periods(plan, tmp_path / "default", "SNV", {"MT1.CT1b": entry(20, 60)}, {"MT1.CT1b": entry(24, 60)})
    assert warnings_of(store, "2020", "SNV") == ("accepted", [])


def test_the_same_period_a_year_earlier_is_used_when_the_previous_one_is_missing(plan, tmp_path):
    longer = dataclasses.replace(plan, periods=(Period("2019", "Báo cáo năm 2019", date(2019, 12, 15)),
                                                *plan.periods))
    store = tmp_path / "s.db"
    make_return(longer, "SNV", tmp_path / "a" / "r.xlsx", {"MT1.CT1b": entry(1, 6)}, period="2019")
    ingest(longer, tmp_path / "a", store)
    make_return(longer, "SNV", tmp_path / "b" / "r.xlsx", {"MT1.CT1b": entry(5, 6)}, period="2020")
    ingest(longer, tmp_path / "b", store)
    _, found = warnings_of(store, "2020", "SNV")
    assert "so với 16,67% của kỳ 2019" in found[0][2]


def test_a_warning_never_rejects_and_shows_on_the_errors_sheet(plan, tmp_path):
    two_periods(plan, tmp_path, "SNV", {"MT1.CT1b": entry(2, 6)}, {"MT1.CT1b": entry(6, 6)})
    result = CliRunner().invoke(cli, ["consolidate", str(tmp_path / "y"), "--period", "2020", "--out",
                                      str(tmp_path / "x.xlsx"), "--store", str(tmp_path / "s.db")])
    assert result.exit_code == 1, result.output
    ws = openpyxl.load_workbook(tmp_path / "x.xlsx")["Lỗi"]
    rows = [row[:6] for row in ws.iter_rows(values_only=True)]
    assert ("r.xlsx", "SNV", "Nhập liệu", "F11", "unusual-change", "cảnh báo") in rows
    appendix = openpyxl.load_workbook(tmp_path / "x.xlsx")["Phụ lục"]
    assert "06/06 (100%)" in [c for row in appendix.iter_rows(values_only=True) for c in row]  # used all the same


def test_bdg_check_with_a_store_warns_and_without_does_not(plan, tmp_path):
    store = two_periods(plan, tmp_path, "SNV", {"MT1.CT1b": entry(2, 6)}, {"MT1.CT1b": entry(2, 6)})
    later = make_return(plan, "SNV", tmp_path / "new.xlsx", {"MT1.CT1b": entry(6, 6)})
    plain = CliRunner().invoke(cli, ["check", str(later)])
    assert (plain.exit_code, plain.output) == (0, "new.xlsx: đã nhận (SNV, kỳ 2020)\nĐã kiểm tra 1 tệp: 0 vấn đề.\n")
    checked = CliRunner().invoke(cli, ["check", str(later), "--store", str(store)])
    assert checked.exit_code == 1
    assert checked.output == (
        "new.xlsx: đã nhận, có vấn đề – 1 vấn đề (SNV, kỳ 2020)\n"
        "    [cảnh báo] trang 'Nhập liệu', ô F11: Kết quả 100% thay đổi bất thường so với 33,33% của kỳ 2020-H1 "
        "(mức cho phép ±15 điểm phần trăm). Hãy kiểm tra lại số liệu; nếu đúng, ghi lý do vào cột 'Ghi chú'. "
        "(unusual-change)\nĐã kiểm tra 1 tệp: 1 vấn đề.\n")
    missing = CliRunner().invoke(cli, ["check", str(later), "--store", str(tmp_path / "none.db")])
    assert missing.exit_code == 2 and not (tmp_path / "none.db").exists()


def test_a_blank_tolerance_keeps_the_plan_version_and_a_plan_workbook_without_the_column_still_reads(plan, tmp_path):
    from bdg_excel.plan_workbook import export_plan, read_plan_workbook

    path = export_plan(plan, tmp_path / "kh.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["Số liệu"]
    header = [c.value for c in ws[1]]
    ws.delete_cols(header.index("Mức thay đổi cho phép") + 1)
    wb.save(path)
    assert read_plan_workbook(path).version == plan.version
    wb = openpyxl.load_workbook(export_plan(plan, tmp_path / "kh2.xlsx"))
    ws = wb["Số liệu"]
    col = [c.value for c in ws[1]].index("Mức thay đổi cho phép") + 1
    ws.cell(2, col).value = 10
    wb.save(tmp_path / "kh2.xlsx")
    changed = read_plan_workbook(tmp_path / "kh2.xlsx")
    assert changed.elements[0].tolerance == Decimal(10) and changed.version != plan.version
