import os
import re
import sys
from pathlib import Path

import openpyxl
import pytest
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
    assert result.exit_code == 0 and result.output.splitlines()[0] == f"Kế hoạch '{path}' hợp lệ."
    assert result.output.splitlines()[1].startswith("Lưu ý: còn 19 nơi dùng địa chỉ email mẫu")
    wb = openpyxl.load_workbook(path)
    for cell in (c for ws in wb.worksheets for row in ws.iter_rows() for c in row):
        if isinstance(cell.value, str) and cell.value.endswith(".example"):
            cell.value = cell.value.removesuffix(".example") + ".gov.vn"  # the officer puts the real addresses
    wb.save(path)
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
    assert "trang 'Phân công', ô B2: Mã đơn vị 'XYZ' không có trong kế hoạch" in result.output
    assert result.output.index("ô E6") < result.output.index("ô B2")  # in the order of the sheets
    assert result.output.strip().endswith("Kế hoạch có 2 lỗi.")


def test_plan_check_default_and_missing_file(tmp_path):
    assert run("plan", "check").output.splitlines() == [
        "Kế hoạch mặc định hợp lệ.",
        "Lưu ý: còn 19 nơi dùng địa chỉ email mẫu (tên miền .example, không nhận được thư): Kế hoạch, BTCTU, SNV, "
        "SLDTBXH, SKHDT, NHCSXH, SGDDT, SYT, STTTT, SVHTTDL và 9 đơn vị khác – sửa ở trang 'Đơn vị' (và ô 'Email "
        "nhận báo cáo' ở trang 'Kế hoạch') trước khi gửi thư."]  # the built-in plan's addresses are examples
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
        (("--period", "2021"), "Lỗi: Kỳ báo cáo '2021' không có trong kế hoạch (các kỳ có: 2020-H1, 2020). Kế hoạch "
                               "đang dùng là 'ninhthuan-bdg-2020': chọn kế hoạch khác bằng --plan (xem 'bdg plans') "
                               "hoặc chạy lệnh trong thư mục báo cáo của kế hoạch."),
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
    wb["Mốc chỉ tiêu"]["D3"] = "≠"
    wb.save(path)
    result = run("templates", "--period", "2020", "--out", tmp_path / "out", "--plan", path)
    assert result.exit_code == 2
    assert "trang 'Mốc chỉ tiêu', ô D3: Toán tử '≠' không hợp lệ" in result.output
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
    assert result.output == "syt.xlsx: đã nhận (SYT, kỳ 2020)\nĐã kiểm tra 1 tệp: 0 vấn đề.\n"


def test_check_lists_problems_per_file_exit_1(plan, tmp_path):
    from tests.returns import edit, entry, make_return

    good = make_return(plan, "SYT", tmp_path / "syt.xlsx", {"MT4.CT1": entry(value=108.5)})
    bad = edit(good, tmp_path / "bad.xlsx", {"F12": 2, "G12": 0})
    junk = tmp_path / "junk.xlsx"
    junk.write_text("x")
    result = run("check", bad, junk, good)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "bad.xlsx: đã nhận, có vấn đề – 1 vấn đề (SYT, kỳ 2020)"
    assert lines[1] == ("    [lỗi] trang 'Nhập liệu', ô G12: Mẫu số bằng 0: không tính được tỷ lệ. Nếu không phát sinh "
                        "trường hợp nào, để trống Tử số, Mẫu số và ghi 'Không phát sinh' vào cột 'Ghi chú'. "
                        "(denominator-zero)")
    assert lines[2] == "junk.xlsx: bị từ chối – 1 vấn đề"
    assert lines[4] == "syt.xlsx: đã nhận (SYT, kỳ 2020)"
    assert lines[-1] == "Đã kiểm tra 3 tệp: 2 vấn đề."


def test_check_json_gives_each_file_its_verdict_and_problems_as_records(plan, tmp_path):
    import json

    from tests.returns import edit, entry, make_return

    good = make_return(plan, "SYT", tmp_path / "syt.xlsx", {"MT4.CT1": entry(value=108.5)})
    bad = edit(good, tmp_path / "sai số.xlsx", {"F12": 2, "G12": 0})
    (tmp_path / "junk.xlsx").write_text("x")
    result = run("check", bad, tmp_path / "junk.xlsx", good, "--json")
    assert result.exit_code == 1
    found = json.loads(result.output)  # nothing but the JSON document on standard output
    assert [(f["file"], f["status"], f["verdict"], f["unit"], f["period"]) for f in found] == [
        ("sai số.xlsx", "accepted-with-problems", "đã nhận, có vấn đề", "SYT", "2020"),
        ("junk.xlsx", "rejected", "bị từ chối", None, None),
        ("syt.xlsx", "accepted", "đã nhận", "SYT", "2020")]
    assert [(p["code"], p["severity"], p["is_error"], p["sheet"], p["cell"]) for p in found[0]["problems"]] == [
        ("denominator-zero", "lỗi", True, "Nhập liệu", "G12")]
    assert found[0]["path"] == str(bad)  # as given on the command line
    assert found[0]["problems"][0]["message"].startswith("Mẫu số bằng 0: không tính được tỷ lệ.")
    assert [p["code"] for p in found[1]["problems"]] == ["not-a-workbook"] and found[2]["problems"] == []
    assert run("check", good, "--json").exit_code == 0


def test_check_and_ingest_say_the_same_of_the_same_file(plan, tmp_path):
    from tests.returns import edit, entry, make_return

    good = make_return(plan, "SYT", tmp_path / "in" / "syt.xlsx", {"MT4.CT1": entry(value=108.5)})
    edit(good, tmp_path / "in" / "bad.xlsx", {"F12": 2, "G12": 0})
    checked = run("check", tmp_path / "in" / "bad.xlsx").output.splitlines()[:2]
    ingested = run("ingest", tmp_path / "in", "--store", tmp_path / "s.db").output.splitlines()
    assert checked == ingested[ingested.index(checked[0]):][:2]


def test_a_zip_saved_into_the_inbox_is_called_a_zip_archive_not_a_damaged_file(plan, tmp_path):
    import zipfile

    from tests.returns import entry, make_return

    good = make_return(plan, "SYT", tmp_path / "Báo cáo SYT.xlsx", {"MT4.CT1": entry(value=108.5)})
    inbox = tmp_path / "hop-thu"
    inbox.mkdir()
    with zipfile.ZipFile(inbox / "Bao cao SYT.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(good, good.name)
    with zipfile.ZipFile(inbox / "ghi-chu.zip", "w") as archive:
        archive.writestr("ghi chú.txt", "Xin gia hạn nộp báo cáo")
    result = run("check", inbox / "Bao cao SYT.zip", inbox / "ghi-chu.zip")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "Bao cao SYT.zip: bị từ chối – 1 vấn đề"
    assert lines[1] == ("    [lỗi] Tệp là tệp nén .zip, không phải bảng tính (bên trong có 1 bảng tính: 'Báo cáo "
                        "SYT.xlsx'). Hãy giải nén rồi đặt bảng tính bên trong vào thư mục nhận, hoặc lưu thư có tệp "
                        "nén đính kèm và chạy 'bdg collect' (lệnh này tự lấy bảng tính ra khỏi tệp nén). "
                        "(zip-archive)")
    assert "(bên trong không có bảng tính nào)" in lines[3] and lines[3].endswith("(zip-archive)")
    ingested = run("ingest", inbox, "--store", tmp_path / "s.db")
    assert ingested.exit_code == 1
    assert [line for line in ingested.output.splitlines() if "(zip-archive)" in line] == [lines[1], lines[3]]
    assert "hỏng" not in ingested.output


def test_check_usage_errors_exit_2(tmp_path):
    assert run("check").exit_code == 2
    assert run("check", tmp_path / "none.xlsx").exit_code == 2
    result = run("check", __file__, "--period", "2030")
    assert result.exit_code == 2 and "Lỗi: Kỳ báo cáo '2030' không có trong kế hoạch" in result.output


def test_ingest_prints_a_line_per_file_and_a_summary(plan, tmp_path):
    from tests.returns import entry, make_return

    inbox = tmp_path / "inbox"
    syt = make_return(plan, "SYT", inbox / "syt.xlsx", {"MT4.CT3": entry(value=16.8)})
    snv = make_return(plan, "SNV", inbox / "snv.xlsx", {"MT1.CT1b": entry(2, 6)}, period="2020-H1")
    os.utime(syt, (1_600_000_000, 1_600_000_000))  # files are read oldest first
    os.utime(snv, (1_600_000_100, 1_600_000_100))
    store = tmp_path / "bdg.sqlite"
    result = run("ingest", inbox, "--period", "2020", "--store", store)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "syt.xlsx: đã nhận (SYT, kỳ 2020)",
        "snv.xlsx: đã nhận (SNV, kỳ 2020-H1)",
        "    [lỗi] Biểu của kỳ '2020-H1', không phải kỳ đang tổng hợp '2020'. (wrong-period)",
        f"Tổng cộng 2 tệp: 2 tệp mới, 0 tệp đã có trong kho, 0 tệp bị từ chối, 1 tệp nhận được nhưng có vấn đề. "
        f"Kho dữ liệu: {store}",
    ]
    result = run("ingest", inbox, "--period", "2020-H1", "--store", store)
    assert result.exit_code == 1
    assert result.output.splitlines()[2] == "snv.xlsx: đã có trong kho, bỏ qua – đã nhận (SNV, kỳ 2020-H1)"
    (inbox / "syt.xlsx").unlink()
    assert run("ingest", inbox, "--period", "2020-H1", "--store", store).exit_code == 0
    (inbox / "hong.xlsx").write_bytes(b"PK\x03\x04 cut short")
    counted = run("ingest", inbox, "--period", "2020", "--store", store).output.splitlines()[-1]
    assert counted.startswith("Tổng cộng 2 tệp: 1 tệp mới, 1 tệp đã có trong kho, 1 tệp bị từ chối, 1 tệp nhận được "
                              "nhưng có vấn đề. ")  # the rejected file is not counted again among those with problems


def test_clicks_own_messages_are_vietnamese():
    result = run("templates")
    assert result.exit_code == 2
    assert "Lỗi: Thiếu tùy chọn '--period'." in result.output and "Cách dùng: " in result.output
    assert "Không có lệnh 'khongco'." in run("khongco").output
    assert "Hiện hướng dẫn này rồi thoát." in run("--help").output
    assert run("plan", "--help").output.startswith("Cách dùng: cli plan [TÙY CHỌN] LỆNH [THAM SỐ]...")


def test_clicks_messages_about_paths_read_as_sentences(tmp_path):
    (tmp_path / "tep.txt").write_text("x")
    cases = {
        ("check", tmp_path / "khong-co.xlsx"): f"Lỗi: Giá trị không hợp lệ cho 'TỆP...': không tìm thấy "
                                               f"'{tmp_path / 'khong-co.xlsx'}'.",
        ("check", tmp_path): f"Lỗi: Giá trị không hợp lệ cho 'TỆP...': '{tmp_path}' là thư mục, không phải tệp.",
        ("ingest", tmp_path / "tep.txt"): f"Lỗi: Giá trị không hợp lệ cho 'HỘP-THƯ': '{tmp_path / 'tep.txt'}' là "
                                          "tệp, không phải thư mục.",
        ("collect", tmp_path / "thu.eml"): f"Lỗi: Giá trị không hợp lệ cho 'NGUỒN...': không tìm thấy "
                                           f"'{tmp_path / 'thu.eml'}'.",
        ("mail", "--period", "2020", "--templates", tmp_path / "mau"): "Lỗi: Giá trị không hợp lệ cho '--templates': "
                                                                        f"không tìm thấy '{tmp_path / 'mau'}'.",
        ("check", "C:\\Báo cáo\\syt.xlsx"): "Lỗi: Giá trị không hợp lệ cho 'TỆP...': không tìm thấy "
                                             "'C:\\Báo cáo\\syt.xlsx'.",  # a Windows path, its backslashes single
    }
    for args, line in cases.items():
        result = run(*args)
        assert result.exit_code == 2 and result.output.splitlines()[-1] == line, args



# Capitalised words a help page may show that are not placeholders: names of formats and protocols.
NOT_PLACEHOLDERS = {"PDF", "SMTP", "UTF-8", "YYYY-MM-DD", "CSV", "JSON"}


def capitalised_phrases(text: str) -> list[str]:
    """Runs of capitalised words ('THƯ-MỤC-RA', 'THAM SỐ', 'FILE')."""
    phrases, run_ = [], []
    for word in re.findall(r"[\w-]+", text) + [""]:
        if len(word) > 1 and word[0].isalpha() and word.isupper():
            run_.append(word)
        elif run_:
            phrases.append(" ".join(run_))
            run_ = []
    return phrases


def test_every_placeholder_an_officer_reads_is_vietnamese():
    english = {}
    for path, _ in all_commands():
        for phrase in capitalised_phrases(run(*path, "--help").output):
            if phrase.isascii() and phrase not in NOT_PLACEHOLDERS:
                english.setdefault(phrase, " ".join(path))
    assert english == {}
    assert capitalised_phrases("bdg check FILES... --plan TỆP (THAM SỐ)") == ["FILES", "TỆP THAM SỐ"]
    assert run("ingest", "--help").output.startswith("Cách dùng: cli ingest [TÙY CHỌN] [HỘP-THƯ]\n")
    assert run("check", "--help").output.startswith("Cách dùng: cli check [TÙY CHỌN] TỆP...\n")
    assert run("init", "--help").output.startswith("Cách dùng: cli init [TÙY CHỌN] THƯ-MỤC\n")
    assert "Lỗi: Thiếu tham số 'TỆP...'." in run("check").output


def test_placeholders_are_spelled_one_way_in_options_and_arguments():
    pages = "".join(run(*path, "--help").output for path, _ in all_commands())
    assert re.findall(r"THƯ MỤC|ĐƯỜNG DẪN", pages) == []
    collect = run("collect", "--help").output
    assert "--inbox THƯ-MỤC " in collect and "--dir THƯ-MỤC " in collect and "--store TỆP " in collect
    assert run("originals", "--help").output.startswith("Cách dùng: cli originals [TÙY CHỌN] THƯ-MỤC-RA\n")
def test_output_is_utf8_even_where_the_console_code_page_is_not():
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    done = subprocess.run([sys.executable, "-m", "bdg_excel", "plan", "show"], capture_output=True, env=env,
                          cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Tỷ lệ nữ tham gia cấp ủy Đảng" in done.stdout.decode("utf-8")


def _bdg(*args, **env):
    """``python -m bdg_excel ARGS`` in a subprocess with extra environment variables."""
    import os
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "bdg_excel", *map(str, args)], capture_output=True, cwd=REPO,
                          env={**os.environ, **env}, timeout=120)


@pytest.mark.parametrize("args, stream", [(("--help",), "stdout"), (("consolidate", "--help"), "stdout"),
                                          (("plan", "--help"), "stdout"), (("khongco",), "stderr")])
def test_help_and_usage_errors_are_utf8_on_a_windows_console(args, stream):
    done = _bdg(*args, PYTHONIOENCODING="cp1258")  # Vietnamese Windows; cp1258 has no 'ệ'
    assert done.returncode == (2 if stream == "stderr" else 0), done.stderr
    text = getattr(done, stream).decode("utf-8")
    assert ("Không có lệnh 'khongco'." if stream == "stderr" else "Hiện hướng dẫn này rồi thoát.") in text


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo cycle's folder: templates, inbox, store and consolidated workbook."""
    from bdg_excel.demo import run_demo
    from bdg_excel.plan_files import default_plan

    out = tmp_path_factory.mktemp("demo")
    run_demo(default_plan(), out)
    return out / "demo"


def _broken_plans(folder: Path) -> list[Path]:
    """Plan workbooks that cannot be read: not a workbook, a zip of something else, a broken sheet."""
    import zipfile

    bytes_only, other_zip, broken_sheet = folder / "bytes.xlsx", folder / "other.xlsx", folder / "broken.xlsx"
    bytes_only.write_bytes(b"PK\x03\x04 but not a workbook")
    with zipfile.ZipFile(other_zip, "w") as archive:
        archive.writestr("notes.txt", "hello")
    good = folder / "good.xlsx"
    run("plan", "export", good)
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken_sheet, "w") as archive:
        for name in source.namelist():
            data = source.read(name)
            archive.writestr(name, data[: len(data) // 2] if name == "xl/worksheets/sheet2.xml" else data)
    return [bytes_only, other_zip, broken_sheet]


ENGLISH = re.compile(r"(?i)\b(zip|archive|eocd|file|found|error|invalid|syntax|tag|xml|rels|traceback)\b")


def _english(output: str) -> list[str]:
    """English words in output, leaving aside the stable problem codes such as (missing-sheet)."""
    return ENGLISH.findall(re.sub(r"\([a-z]+(-[a-z]+)+\)", "", output))


def test_a_broken_plan_workbook_is_one_vietnamese_message_exit_2(tmp_path):
    for path in _broken_plans(tmp_path):
        for args in (("plan", "show"), ("plan", "check"), ("templates", "--period", "2020", "--out", tmp_path / "o")):
            result = run(*args, "--plan", path)
            assert result.exit_code == 2, (path.name, args, result.output)
            assert result.output.startswith(f"Lỗi: Không đọc được tệp kế hoạch '{path.name}': "), result.output
            assert not _english(result.output), result.output
    assert not (tmp_path / "o").exists()


def test_a_plan_workbook_missing_a_sheet_names_it_exit_2(tmp_path):
    path = tmp_path / "kehoach.xlsx"
    run("plan", "export", path)
    wb = openpyxl.load_workbook(path)
    del wb["Phân công"]
    wb.save(path)
    result = run("plan", "show", "--plan", path)
    assert result.exit_code == 2
    assert result.output.startswith("Lỗi: Kế hoạch 'kehoach.xlsx' có 1 lỗi.\n")
    assert "trang 'Phân công': Thiếu trang 'Phân công'." in result.output
    assert not _english(result.output), result.output


@pytest.fixture
def no_libreoffice(tmp_path, monkeypatch):
    """No soffice on PATH, none in Program Files, BDG_SOFFICE unset."""
    import bdg_excel.pdf as pdf

    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.delenv("BDG_SOFFICE", raising=False)
    monkeypatch.setattr(pdf, "windows_places", lambda env, registry: [])
    return empty


def _assert_workbook_written_then_no_pdf(result, workbook: Path) -> None:
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    written = lines.index(f"Đã ghi '{workbook}'.")
    assert lines[written + 1].startswith("Lỗi: Không tìm thấy LibreOffice để in PDF nên chưa in được trang Phụ lục.")
    assert openpyxl.load_workbook(workbook).sheetnames[0] == "Phụ lục"
    assert not workbook.with_suffix(".pdf").exists()


@pytest.mark.slow
def test_consolidate_pdf_without_libreoffice_still_writes_the_workbook(demo, tmp_path, no_libreoffice):
    out = tmp_path / "tong-hop.xlsx"
    result = run("consolidate", demo / "inbox", "--period", "2020", "--out", out, "--store", tmp_path / "s.sqlite",
                 "--pdf")
    _assert_workbook_written_then_no_pdf(result, out)


@pytest.mark.slow
def test_demo_pdf_without_libreoffice_still_writes_the_workbook(tmp_path, no_libreoffice):
    result = run("demo", "--out", tmp_path, "--pdf")
    _assert_workbook_written_then_no_pdf(result, tmp_path / "demo" / "tong-hop-2020.xlsx")


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in for soffice is a script with a #! line")
def test_bdg_soffice_names_the_office_program(demo, tmp_path, no_libreoffice, monkeypatch):
    office = tmp_path / "my-office"
    office.write_text(f"#!{sys.executable}\nimport sys, pathlib\n"
                      "args = sys.argv[1:]\n"
                      "out = pathlib.Path(args[args.index('--outdir') + 1]) / (pathlib.Path(args[-1]).stem + '.pdf')\n"
                      "out.write_bytes(b'%PDF-1.4 ' + ' '.join(args[1:4]).encode())\n")
    office.chmod(0o755)
    monkeypatch.setenv("BDG_SOFFICE", str(office))
    out = tmp_path / "tong-hop.xlsx"
    result = run("consolidate", demo / "inbox", "--period", "2020", "--out", out, "--store", tmp_path / "s.sqlite",
                 "--pdf")
    assert result.exit_code == 0, result.output
    assert out.with_suffix(".pdf").read_bytes() == b"%PDF-1.4 --headless --norestore --convert-to"
    assert result.output.splitlines()[-2:] == [f"Đã ghi '{out}'.", f"Đã ghi '{out.with_suffix('.pdf')}'."]


@pytest.mark.skipif(sys.platform == "win32", reason="a file marked executable that the system cannot run")
def test_an_office_program_that_cannot_start_is_a_clear_message(demo, tmp_path, no_libreoffice, monkeypatch):
    import errno

    office = tmp_path / "soffice"
    office.write_bytes(b"\x00\x01 not a program")
    office.chmod(0o755)
    monkeypatch.setenv("BDG_SOFFICE", str(office))
    out = tmp_path / "tong-hop.xlsx"
    result = run("consolidate", demo / "inbox", "--period", "2020", "--out", out, "--store", tmp_path / "s.sqlite",
                 "--pdf")
    assert result.exit_code == 2
    assert result.output.splitlines()[-2:] == [
        f"Đã ghi '{out}'.",
        f"Lỗi: Không in được trang Phụ lục ra '{out.with_suffix('.pdf')}': lỗi hệ điều hành số {errno.ENOEXEC} "
        "(ổ đĩa có thể đã đầy, hoặc không chạy được LibreOffice)."]


@pytest.mark.parametrize("name", ["tong-hop.pdf", "tong-hop", "tong-hop.xls", "tong-hop.xlsx.bak"])
def test_consolidate_out_must_be_an_xlsx_file(demo, tmp_path, name):
    target = tmp_path / "out"
    result = run("consolidate", demo / "inbox", "--period", "2020", "--out", target / name,
                 "--store", target / "s.sqlite")
    assert result.exit_code == 2
    assert f"Lỗi: Giá trị không hợp lệ cho '--out': tệp tổng hợp phải có đuôi .xlsx, không phải '{target / name}'." \
        in result.output
    assert not target.exists()


def test_consolidate_out_xlsx_in_any_case(demo, tmp_path):
    out = tmp_path / "TONG-HOP.XLSX"
    result = run("consolidate", demo / "inbox", "--period", "2020", "--out", out, "--store", tmp_path / "s.sqlite")
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(out).sheetnames[0] == "Phụ lục"


def test_unit_codes_are_case_insensitive(plan, demo, tmp_path):
    result = run("templates", "--period", "2020", "--out", tmp_path / "t", "--unit", "syt", "--unit", "SYT")
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "t").iterdir()] == ["2020_SYT_So-Y-te.xlsx"]
    result = run("mail", "--period", "2020", "--templates", tmp_path / "t", "--unit", "Syt",
                 "--outbox", tmp_path / "mail", "--store", tmp_path / "s.sqlite")
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "mail" / "2020").iterdir()] == ["2020_SYT.eml"]
    result = run("originals", tmp_path / "o", "--unit", "syt", "--store", demo / "store" / "bdg.sqlite")
    assert result.exit_code == 0, result.output
    copied = [p.name for p in (tmp_path / "o" / "2020").iterdir()]
    assert len(copied) == 1 and copied[0].startswith("SYT_")


@pytest.mark.parametrize("command", [
    ("templates", "--period", "2020", "--out", "{tmp}/t"),
    ("mail", "--period", "2020", "--templates", "{tmp}", "--outbox", "{tmp}/mail", "--store", "{tmp}/s.sqlite"),
    ("originals", "{tmp}/o", "--store", "{demo}/store/bdg.sqlite"),
])
def test_an_unknown_unit_is_an_error_everywhere(plan, demo, tmp_path, command):
    args = [a.format(tmp=tmp_path, demo=demo) for a in command]
    result = run(*args, "--unit", "XYZ")
    assert result.exit_code == 2, result.output
    first = plan.reporting_units[0].code
    assert result.output.startswith(f"Lỗi: Không có đơn vị mã 'XYZ' trong kế hoạch (các mã có: {first}, "), \
        result.output
    assert not any(p.suffix in (".xlsx", ".eml") for p in tmp_path.rglob("*"))


def test_ci_script_is_executable_in_git_too():
    import os
    import shutil
    import subprocess

    script = REPO / ".ci" / "run"
    assert os.access(script, os.X_OK) or sys.platform == "win32"
    if not (REPO / ".git").exists() or not shutil.which("git"):
        pytest.skip("not a git checkout")
    entry = subprocess.run(["git", "ls-files", "--stage", ".ci/run"], capture_output=True, text=True, cwd=REPO)
    assert entry.stdout.startswith("100755 "), entry.stdout


@pytest.mark.slow
def test_output_cut_short_by_its_reader_is_not_reported_as_our_bug(tmp_path):
    """`bdg plan show | more` closed early: no report of our own error, nothing logged."""
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before the first line: every write fails
    try:
        done = subprocess.run([sys.executable, "-m", "bdg_excel", "plan", "show"], cwd=tmp_path, env=env,
                              stdout=write_end, stderr=subprocess.PIPE, timeout=60)
    finally:
        os.close(write_end)
    stderr = done.stderr.decode("utf-8")
    assert done.returncode == 1, stderr
    assert "Lỗi" not in stderr and not (tmp_path / "bdg-errors.log").exists()
