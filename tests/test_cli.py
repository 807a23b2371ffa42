import re
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from bdg_excel.cli import cli

REPO = Path(__file__).resolve().parent.parent


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def all_commands(group=cli, prefix=()):
    for name, command in group.commands.items():
        yield prefix + (name,), command
        if hasattr(command, "commands"):
            yield from all_commands(command, prefix + (name,))


def test_every_command_has_help_and_is_in_the_readme():
    readme = (REPO / "README.md").read_text("utf-8")
    for path, command in all_commands():
        assert command.help, path
        assert run(*path, "--help").exit_code == 0
        assert f"bdg {' '.join(path)}" in readme, f"README does not mention bdg {' '.join(path)}"


def test_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text("utf-8")
    commands = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", readme, re.S)
    test_command = commands[1].strip()
    assert "pytest" in test_command
    assert test_command in (REPO / ".ci" / "run").read_text("utf-8")


def test_readme_shows_the_printed_appendix():
    readme = (REPO / "README.md").read_text("utf-8")
    assert "![The first printed page of the demo appendix](docs/appendix-page1.png)" in readme
    assert (REPO / "docs" / "appendix-page1.png").read_bytes().startswith(b"\x89PNG")
    assert "pdftoppm -png" in readme


def test_version():
    result = run("--version")
    assert result.exit_code == 0 and result.output.startswith("bdg ")


def test_plan_show_summarises_the_default_plan():
    result = run("plan", "show")
    assert result.exit_code == 0
    assert "MT1.CT1a.TINH: Tỷ lệ nữ tham gia cấp ủy Đảng – Cấp tỉnh (≥ 20%) – nhập: BTCTU" in result.output
    assert "2020: Báo cáo năm 2020, hạn nộp 15/12/2020" in result.output


def test_plan_export_then_check_is_clean(tmp_path):
    path = tmp_path / "kehoach.xlsx"
    result = run("plan", "export", path)
    assert result.exit_code == 0 and path.is_file()
    result = run("plan", "check", "--plan", path)
    assert (result.exit_code, result.output.strip()) == (0, f"Kế hoạch '{path}' hợp lệ.")


def test_plan_check_lists_mistakes_with_cells_and_exit_1(tmp_path):
    path = tmp_path / "kehoach.xlsx"
    run("plan", "export", path)
    wb = openpyxl.load_workbook(path)
    wb["Số liệu"]["E6"] = -1
    wb["Phân công"]["B2"] = "XYZ"
    wb.save(path)
    result = run("plan", "check", "--plan", path)
    assert result.exit_code == 1
    assert "trang 'Số liệu', ô E6: Hệ số phải là số dương, không phải -1. (invalid-scale)" in result.output
    assert "trang 'Phân công', ô B2: Không có đơn vị mã 'XYZ'" in result.output
    assert result.output.index("ô E6") < result.output.index("ô B2")  # in the order of the sheets
    assert result.output.strip().endswith("Kế hoạch có 2 lỗi.")


def test_plan_check_default_and_missing_file(tmp_path):
    assert run("plan", "check").output.strip() == "Kế hoạch mặc định hợp lệ."
    result = run("plan", "check", "--plan", tmp_path / "khong-co.xlsx")
    assert result.exit_code == 2 and "Không tìm thấy tệp kế hoạch" in result.output


def test_templates_command_writes_all_units(tmp_path):
    result = run("templates", "--period", "2020-H1", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "out").glob("2020-H1_*.xlsx"))) == 18
    assert result.output.strip().endswith("Đã tạo 18 biểu cho kỳ 2020-H1 trong '" + str(tmp_path / "out") + "'.")


def test_templates_for_chosen_units(tmp_path):
    result = run("templates", "--period", "2020", "--out", tmp_path, "--unit", "SYT", "--unit", "PRTC")
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "2020_PRTC_UBND-thanh-pho-Phan-Rang-Thap-Cham.xlsx", "2020_SYT_So-Y-te.xlsx"]


def test_templates_errors_are_one_vietnamese_line_exit_2(tmp_path):
    cases = [
        (("--period", "2021"), "Lỗi: Kỳ báo cáo '2021' không có trong kế hoạch (các kỳ có: 2020-H1, 2020)."),
        (("--period", "20-H1"), "Lỗi: Kỳ báo cáo '20-H1' không đúng dạng"),
        (("--period", "2020", "--unit", "XYZ"), "Lỗi: Không có đơn vị mã 'XYZ' trong kế hoạch"),
        (("--period", "2020", "--unit", "CTK"), "Lỗi: Đơn vị 'CTK' không được phân công nhập số liệu nào"),
        (("--period", "2020", "--plan", tmp_path / "x.json"), "Lỗi: Không tìm thấy tệp kế hoạch"),
    ]
    for args, message in cases:
        result = run("templates", "--out", tmp_path / "out", *args)
        assert result.exit_code == 2, args
        assert result.output.startswith(message), result.output
        assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_unwritable_output_folder_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run("templates", "--period", "2020", "--out", blocker / "sub")
    assert result.exit_code == 2
    assert result.output.startswith("Lỗi: Không ghi được vào thư mục")


def test_malformed_plan_is_reported_with_its_cells(tmp_path):
    path = tmp_path / "kehoach.xlsx"
    run("plan", "export", path)
    wb = openpyxl.load_workbook(path)
    wb["Số liệu"]["G3"] = "≠"
    wb.save(path)
    result = run("templates", "--period", "2020", "--out", tmp_path / "out", "--plan", path)
    assert result.exit_code == 2
    assert "trang 'Số liệu', ô G3: Toán tử '≠' không hợp lệ" in result.output
    assert not (tmp_path / "out").exists()


def test_master_command_regenerates_the_master(tmp_path):
    result = run("master", "--out", tmp_path / "m.xlsx")
    assert result.exit_code == 0
    ws = openpyxl.load_workbook(tmp_path / "m.xlsx")["Nhập liệu"]
    codes = [ws.cell(r, 1).value for r in range(11, 11 + 33)]
    assert codes[0] == "MT1.CT1a.TINH" and codes[-1] == "MT7.CT4"


def test_check_clean_file_exit_0(plan, tmp_path):
    from tests.returns import entry, make_return

    path = make_return(plan, "SYT", tmp_path / "syt.xlsx", {"MT4.CT3": entry(value=16.8)})
    result = run("check", path, "--period", "2020")
    assert result.exit_code == 0
    assert result.output == f"{path}: đã nhận (SYT, kỳ 2020)\nĐã kiểm tra 1 tệp: 0 vấn đề.\n"


def test_check_lists_problems_per_file_exit_1(plan, tmp_path):
    from tests.returns import edit, make_return

    good = make_return(plan, "SYT", tmp_path / "syt.xlsx")
    bad = edit(good, tmp_path / "bad.xlsx", {"F12": 2, "G12": 0})
    junk = tmp_path / "junk.xlsx"
    junk.write_text("x")
    result = run("check", bad, junk, good)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == f"{bad}: đã nhận, có vấn đề (SYT, kỳ 2020)"
    assert lines[1] == "    [lỗi] trang 'Nhập liệu', ô G12: Mẫu số bằng 0: không tính được tỷ lệ. (denominator-zero)"
    assert lines[2] == f"{junk}: bị từ chối"
    assert lines[4] == f"{good}: đã nhận (SYT, kỳ 2020)"
    assert lines[-1] == "Đã kiểm tra 3 tệp: 2 vấn đề."


def test_check_usage_errors_exit_2(tmp_path):
    assert run("check").exit_code == 2
    assert run("check", tmp_path / "none.xlsx").exit_code == 2
    result = run("check", __file__, "--period", "2030")
    assert result.exit_code == 2 and "Lỗi: Kỳ báo cáo '2030' không có trong kế hoạch" in result.output


def test_ingest_prints_a_line_per_file_and_a_summary(plan, tmp_path):
    from tests.returns import entry, make_return

    inbox = tmp_path / "inbox"
    make_return(plan, "SYT", inbox / "syt.xlsx", {"MT4.CT3": entry(value=16.8)})
    make_return(plan, "SNV", inbox / "snv.xlsx", period="2020-H1")
    store = tmp_path / "bdg.sqlite"
    result = run("ingest", inbox, "--period", "2020", "--store", store)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "snv.xlsx: đã nhận (SNV, kỳ 2020-H1)",
        "    [lỗi] Biểu của kỳ '2020-H1', không phải kỳ đang tổng hợp '2020'. (wrong-period)",
        "syt.xlsx: đã nhận (SYT, kỳ 2020)",
        f"Tổng cộng 2 tệp: 2 tệp mới, 0 tệp đã có trong kho, 0 tệp bị từ chối, 1 tệp có vấn đề. Kho dữ liệu: {store}",
    ]
    result = run("ingest", inbox, "--period", "2020-H1", "--store", store)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "snv.xlsx: đã có trong kho, bỏ qua – đã nhận (SNV, kỳ 2020-H1)"
    (inbox / "syt.xlsx").unlink()
    assert run("ingest", inbox, "--period", "2020-H1", "--store", store).exit_code == 0


def test_clicks_own_messages_are_vietnamese():
    result = run("templates")
    assert result.exit_code == 2
    assert "Lỗi: Thiếu tùy chọn '--period'." in result.output and "Cách dùng: " in result.output
    assert "Không có lệnh 'khongco'." in run("khongco").output
    assert "Hiện hướng dẫn này rồi thoát." in run("--help").output
    assert run("plan", "--help").output.startswith("Cách dùng: cli plan [TÙY CHỌN] LỆNH [THAM SỐ]...")


def test_output_is_utf8_even_where_the_console_code_page_is_not():
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    done = subprocess.run([sys.executable, "-m", "bdg_excel", "plan", "show"], capture_output=True, env=env,
                          cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Tỷ lệ nữ tham gia cấp ủy Đảng" in done.stdout.decode("utf-8")
