"""The reporting folder: ``bdg init``, defaults found from the folder, ``--dir``, explicit options winning."""
import email
import tomllib
from email import policy
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from bdg_excel.cli import cli
from bdg_excel.folder import Defaults, FolderError, defaults, find_root

INIT_LINES = ["bdg.toml", "du-lieu/README.txt", "kehoach.xlsx", "mau-bieu", "hop-thu", "tong-hop"]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def tree(root: Path) -> dict:
    """Every entry under root with its bytes (files) and modification time: what 'nothing changed' compares."""
    return {p.relative_to(root).as_posix(): (p.read_bytes() if p.is_file() else None, p.stat().st_mtime_ns)
            for p in root.rglob("*")}


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "BDG-2020"
    result = run("init", root)
    assert result.exit_code == 0, result.output
    return root


def test_init_lays_out_the_folder(tmp_path):
    root = tmp_path / "BDG-2020"
    result = run("init", root)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [f"Đã tạo '{root / name}'." for name in INIT_LINES] + [
        f"Thư mục báo cáo '{root}' đã sẵn sàng: sửa địa chỉ email các đơn vị trong kehoach.xlsx, ghi máy chủ thư "
        "vào bdg.toml, rồi chạy các lệnh bdg từ trong thư mục đó."]
    assert sorted(p.name for p in root.iterdir()) == ["bdg.toml", "du-lieu", "hop-thu", "kehoach.xlsx", "mau-bieu",
                                                      "tong-hop"]
    assert "Đơn vị" in openpyxl.load_workbook(root / "kehoach.xlsx").sheetnames
    assert "KHÔNG SỬA" in (root / "du-lieu" / "README.txt").read_text("utf-8")


def test_the_settings_file_is_commented_in_vietnamese_and_holds_no_password(folder):
    text = (folder / "bdg.toml").read_text("utf-8")
    settings = tomllib.loads(text)
    assert settings == {"plan": "kehoach.xlsx", "soffice": "", "holidays": [],
                        "smtp": {"host": "", "security": "starttls", "user": "", "from": ""}}
    assert "# Máy chủ thư dùng để gửi biểu" in text and "KHÔNG ghi mật khẩu" in text
    assert "password" not in text


def test_init_refuses_a_folder_with_content_and_changes_nothing(tmp_path):
    root = tmp_path / "giay-to"
    (root / "cu").mkdir(parents=True)
    (root / "ghi-chu.txt").write_text("của tôi", "utf-8")
    before = tree(root)
    result = run("init", root)
    assert result.exit_code == 2
    assert result.output == (f"Lỗi: Thư mục '{root}' đã có nội dung nên bdg không tạo thư mục báo cáo ở đó (không "
                             "thay đổi gì). Hãy chọn một thư mục mới hoặc thư mục trống.\n")
    assert tree(root) == before


def test_init_completes_a_folder_it_made_without_touching_what_is_there(folder):
    (folder / "hop-thu").rmdir()
    wb = openpyxl.load_workbook(folder / "kehoach.xlsx")
    wb["Đơn vị"]["A1"].comment = None
    wb.save(folder / "kehoach.xlsx")
    plan_before = (folder / "kehoach.xlsx").read_bytes()
    settings_before = (folder / "bdg.toml").read_bytes()
    result = run("init", folder)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"Đã tạo '{folder / 'hop-thu'}'."
    assert len(result.output.splitlines()) == 2
    assert (folder / "kehoach.xlsx").read_bytes() == plan_before
    assert (folder / "bdg.toml").read_bytes() == settings_before


def test_init_into_an_empty_folder_and_from_a_plan_file(tmp_path):
    plan_file = tmp_path / "ke-hoach-cua-toi.xlsx"
    run("plan", "export", plan_file)
    wb = openpyxl.load_workbook(plan_file)
    wb["Đơn vị"]["B2"] = "Đơn vị đã đổi tên"
    wb.save(plan_file)
    root = tmp_path / "trong"
    root.mkdir()
    assert run("init", root, "--plan", plan_file).exit_code == 0
    assert openpyxl.load_workbook(root / "kehoach.xlsx")["Đơn vị"]["B2"].value == "Đơn vị đã đổi tên"


def test_init_with_a_plan_that_cannot_be_read_creates_nothing(tmp_path):
    result = run("init", tmp_path / "moi", "--plan", tmp_path / "khong-co.xlsx")
    assert result.exit_code == 2
    assert result.output.startswith("Lỗi: Không tìm thấy tệp kế hoạch")
    assert not (tmp_path / "moi").exists()


def test_the_folder_is_found_from_any_folder_below_it(folder, tmp_path):
    deep = folder / "hop-thu" / "thang-12"
    deep.mkdir()
    assert find_root(deep) == folder and find_root(folder) == folder
    assert find_root(tmp_path) is None
    found = defaults(cwd=deep)
    assert (found.root, found.store, found.inbox) == (folder, folder / "du-lieu" / "bdg.sqlite", folder / "hop-thu")
    assert found.templates("2020") == folder / "mau-bieu" / "2020"
    assert found.consolidated("2020") == folder / "tong-hop" / "tong-hop-2020.xlsx"
    assert found.output_dir("phan-hoi", "2020") == folder / "tong-hop" / "phan-hoi" / "2020"
    assert found.plan == str(folder / "kehoach.xlsx")


def test_outside_a_folder_the_defaults_are_todays(tmp_path):
    outside = defaults(cwd=tmp_path)
    assert outside == Defaults()
    assert (outside.store, outside.outbox("2020"), outside.plan) == (Path("output/bdg.sqlite"),
                                                                      Path("output/mail/2020"), None)
    assert outside.templates("2020") is None and outside.inbox is None and outside.output_dir("x", "2020") is None


def test_a_plan_id_in_the_settings_is_passed_on_as_it_is(folder):
    (folder / "bdg.toml").write_text('plan = "khanhhoa-bdg-2026-2030"\n', "utf-8")
    assert defaults(folder).plan == "khanhhoa-bdg-2026-2030"


@pytest.mark.parametrize("text, message", [
    ('plan = kehoach.xlsx\n', "viết sai ở dòng 1: mỗi dòng có dạng khóa = \"giá trị\""),
    ('[smtp]\nhots = "may-chu"\n', "có khóa không dùng được trong mục [smtp]: 'hots'"),
    ('[smtp]\npassword = "bi-mat"\n', "Không ghi mật khẩu thư vào tệp cài đặt"),
    ('plan = 3\n', "giá trị của 'plan' phải đặt trong ngoặc kép"),
    ('holidays = "2026-09-01"\n', "'holidays' phải là một danh sách ngày, ví dụ: holidays = [\"2026-04-27\", "),
    ('holidays = ["2026-W36-2"]\n', "'2026-W36-2' trong 'holidays' không phải một ngày viết dạng"),
    ('holidays = ["2026-09-01", "1/9/2026"]\n', "'1/9/2026' trong 'holidays' không phải một ngày viết dạng "
                                                 "\"NĂM-THÁNG-NGÀY\""),
])
def test_a_settings_file_with_a_mistake_is_one_vietnamese_line(folder, monkeypatch, text, message):
    (folder / "bdg.toml").write_text(text, "utf-8")
    with pytest.raises(FolderError) as raised:
        defaults(folder)
    assert message in str(raised.value)
    monkeypatch.chdir(folder)
    result = run("plan", "show")
    assert result.exit_code == 2 and result.output.startswith("Lỗi: ") and message in result.output


def test_dir_must_name_a_reporting_folder_or_a_folder_inside_one(folder, tmp_path):
    elsewhere = tmp_path / "khac"
    elsewhere.mkdir()
    result = run("status", "--period", "2020", "--dir", elsewhere)
    assert result.exit_code == 2
    assert result.output == (f"Lỗi: '{elsewhere}' không thuộc thư mục báo cáo nào (không thấy tệp bdg.toml ở đó hay "
                             "ở các thư mục chứa nó); thư mục báo cáo được tạo bằng lệnh 'bdg init THƯ-MỤC'.\n")
    assert defaults(folder / "hop-thu").root == folder  # --dir names the inbox: its reporting folder is used


def test_outside_a_folder_the_path_options_are_still_required(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    expected = {
        ("templates", "--period", "2020"): "Lỗi: Thiếu tùy chọn '--out'.",
        ("ingest",): "Lỗi: Thiếu tham số 'HỘP-THƯ'.",
        ("consolidate", "--period", "2020"): "Lỗi: Thiếu tham số 'HỘP-THƯ'.",
        ("consolidate", tmp_path, "--period", "2020"): "Lỗi: Thiếu tùy chọn '--out'.",
        ("mail", "--period", "2020"): "Lỗi: Thiếu tùy chọn '--templates'.",
        ("collect", tmp_path): "Lỗi: Thiếu tùy chọn '--inbox'.",
    }
    for args, message in expected.items():
        result = run(*args)
        assert result.exit_code == 2, args
        assert result.output.splitlines()[-1] == message, result.output
    assert list(tmp_path.iterdir()) == []


def test_explicit_options_win_over_the_folder(folder, tmp_path, monkeypatch):
    monkeypatch.chdir(folder)
    other_plan = tmp_path / "khac.xlsx"
    run("plan", "export", other_plan)
    wb = openpyxl.load_workbook(other_plan)
    wb["Kế hoạch"]["B2"] = "Kế hoạch của tỉnh khác"
    wb.save(other_plan)
    assert "Kế hoạch của tỉnh khác" in run("plan", "show", "--plan", other_plan).output
    assert "Kế hoạch của tỉnh khác" not in run("plan", "show").output
    result = run("templates", "--period", "2020", "--out", tmp_path / "bieu", "--unit", "SYT")
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "bieu").iterdir()] == ["2020_SYT_So-Y-te.xlsx"]
    assert not any((folder / "mau-bieu").iterdir())
    result = run("consolidate", tmp_path / "bieu", "--period", "2020", "--out", tmp_path / "th.xlsx",
                 "--store", tmp_path / "kho.sqlite", "--plan", other_plan)
    assert result.exit_code == 1, result.output
    assert (tmp_path / "th.xlsx").is_file() and (tmp_path / "kho.sqlite").is_file()
    assert not (folder / "du-lieu" / "bdg.sqlite").exists() and not any((folder / "tong-hop").iterdir())


def _address_of(plan_path: Path, unit: str, address: str) -> None:
    wb = openpyxl.load_workbook(plan_path)
    sheet = wb["Đơn vị"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == unit)
    sheet.cell(row, header.index("Email") + 1).value = address
    wb.save(plan_path)


def test_an_address_edited_in_kehoach_is_what_mail_uses(folder, monkeypatch):
    _address_of(folder / "kehoach.xlsx", "SYT", "van.thu@syt.tinh.example")
    monkeypatch.chdir(folder / "mau-bieu")
    assert run("templates", "--period", "2020", "--unit", "SYT").exit_code == 0
    result = run("mail", "--period", "2020", "--unit", "SYT")
    assert result.exit_code == 0, result.output
    outbox = folder / "tong-hop" / "thu-gui" / "2020"
    message = email.message_from_bytes((outbox / "2020_SYT.eml").read_bytes(), policy=policy.default)
    assert message["To"] == "van.thu@syt.tinh.example"
    assert result.output.splitlines()[-2] == f"Chưa gửi thư nào: các thư .eml ở '{outbox}'; thêm --send để gửi."
    assert result.output.splitlines()[-1].startswith("Lưu ý: còn 19 nơi dùng địa chỉ email mẫu")  # .example still


@pytest.mark.slow
def test_mail_sends_with_the_settings_of_the_folder(folder, tmp_path, monkeypatch):
    from tests.smtp_server import PASSWORD, USER, SmtpServer

    _address_of(folder / "kehoach.xlsx", "SYT", "van.thu@syt.tinh.example")
    for key in ("HOST", "PORT", "SECURITY", "USER", "FROM", "CAFILE"):
        monkeypatch.delenv(f"BDG_SMTP_{key}", raising=False)
    monkeypatch.setenv("BDG_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("BDG_SMTP_RETRY_PAUSE", "0")
    with SmtpServer(tmp_path) as server:
        (folder / "bdg.toml").write_text(
            f'plan = "kehoach.xlsx"\n[smtp]\nhost = "127.0.0.1"\nport = {server.port}\nsecurity = "starttls"\n'
            f'user = "{USER}"\ncafile = "{server.cafile.as_posix()}"\n', "utf-8")
        monkeypatch.chdir(tmp_path)
        assert run("templates", "--dir", folder, "--period", "2020", "--unit", "SYT").exit_code == 0
        result = run("--dir", folder, "mail", "--period", "2020", "--unit", "SYT", "--send")
        assert result.exit_code == 0, result.output
        assert [rcpts for _, rcpts, _ in server.handler.received] == [["van.thu@syt.tinh.example"]]
    assert (folder / "du-lieu" / "bdg.sqlite").is_file() and not (tmp_path / "output").exists()


def test_feedback_and_remind_find_their_paths_in_the_folder(folder, monkeypatch):
    from bdg_excel.demo import seed_entries
    from bdg_excel.plan_files import default_plan
    from tests.returns import edit, make_return

    plan = default_plan()
    entries = seed_entries(plan)
    bad = make_return(plan, "SNV", folder / "hop-thu" / "SNV.xlsx", entries["SNV"])
    edit(bad, cells={("MT1.CT1b", "numerator"): 9})  # above its denominator
    make_return(plan, "SYT", folder / "hop-thu" / "SYT.xlsx", entries["SYT"])
    (folder / "tong-hop" / "x").mkdir()
    monkeypatch.chdir(folder / "tong-hop" / "x")
    result = run("feedback", "--period", "2020", "--deadline", "2020-12-20")
    assert result.exit_code == 0, result.output
    answers = folder / "tong-hop" / "phan-hoi" / "2020"
    assert sorted(p.suffix for p in answers.iterdir()) == [".eml", ".xlsx"]
    assert next(answers.glob("*.xlsx")).name.startswith("2020_SNV")
    result = run("remind", "--period", "2020", "--as-of", "2020-12-20")
    assert result.exit_code == 0, result.output
    reminders = list((folder / "tong-hop" / "thu-gui" / "2020").glob("*.eml"))
    assert len(reminders) == 16 and not any("_SNV_" in p.name or "_SYT_" in p.name for p in reminders)  # both returned
    assert sorted(p.name for p in folder.rglob("*.sqlite")) == ["bdg.sqlite"]
    assert not (folder / "tong-hop" / "x" / "output").exists()


def test_init_with_the_built_in_2026_plan_makes_a_round_of_71_workbooks(tmp_path, monkeypatch):
    root = tmp_path / "BDG-2026"
    assert run("init", root, "--plan", "khanhhoa-bdg-2026-2030").exit_code == 0
    sheet = openpyxl.load_workbook(root / "kehoach.xlsx")["Kế hoạch"]
    assert "khanhhoa-bdg-2026-2030" in [c.value for row in sheet.iter_rows() for c in row]
    monkeypatch.chdir(root)
    result = run("templates", "--period", "2026")
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (root / "mau-bieu" / "2026").glob("*.xlsx"))
    assert len(written) == 71
    assert "2026_TRUONGSA_UBND-dac-khu-Truong-Sa.xlsx" in written and "2026_SNV_So-Noi-vu.xlsx" in written


def test_days_off_in_the_settings_move_the_default_deadline_of_feedback(folder, monkeypatch):
    from datetime import date, datetime

    from bdg_excel import clock
    from bdg_excel.demo import seed_entries
    from bdg_excel.plan_files import default_plan
    from tests.returns import edit, make_return

    text = (folder / "bdg.toml").read_text("utf-8")
    assert "\nholidays = []\n" in text  # init writes the key, empty, with its explanation
    (folder / "bdg.toml").write_text(text.replace("\nholidays = []\n", '\nholidays = ["2026-09-01", 2026-09-03]\n'),
                                     "utf-8")
    assert defaults(folder).days_off == (date(2026, 9, 1), date(2026, 9, 3))  # quoted or a TOML date
    plan = default_plan()
    bad = make_return(plan, "SNV", folder / "hop-thu" / "SNV.xlsx", seed_entries(plan)["SNV"])
    edit(bad, cells={("MT1.CT1b", "numerator"): 9})
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 8, 31, 9, 0))  # a Monday
    monkeypatch.chdir(folder)
    assert run("feedback", "--period", "2020").exit_code == 0
    (eml,) = (folder / "tong-hop" / "phan-hoi" / "2020").glob("*.eml")
    body = email.message_from_bytes(eml.read_bytes(), policy=policy.default).get_body().get_content()
    # 1/9 and 3/9 given as days off, 2/9 National Day: Friday 4/9, Monday 7/9, Tuesday 8/9
    assert "chậm nhất ngày 08/09/2026" in body
