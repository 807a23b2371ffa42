import email
import json
import time
import unicodedata
from datetime import datetime
from email import policy
from email.header import decode_header, make_header
from email.utils import parsedate_to_datetime

import pytest
from click.testing import CliRunner

from bdg_excel import clock
from bdg_excel.cli import cli
from bdg_excel.plan_tables import build_plan
from bdg_excel.plan import plan_to_dict
from bdg_excel.store import Store
from tests.smtp_server import PASSWORD, USER, DroppingServer, SmtpServer, _free_port

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def run(*args, env=None, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env, input=input)


@pytest.fixture
def server(tmp_path):
    with SmtpServer(tmp_path) as running:
        yield running


def mail(templates, tmp_path, *extra, env=None, input=None):
    return run("mail", "--period", "2020", "--templates", templates, "--store", tmp_path / "s.sqlite", *extra,
               env=env, input=input)


def parsed(raw: bytes):
    return email.message_from_bytes(raw, policy=policy.default)


def from_header(raw: bytes) -> str:
    """The From header decoded as mail clients do (RFC 2047): Python's own address parser puts a space
    where a long name was split between two encoded words."""
    return str(make_header(decode_header(email.message_from_bytes(raw)["From"])))


def attachment(message):
    (part,) = list(message.iter_attachments())
    return part.get_filename(), part.get_content_type(), part.get_payload(decode=True)


@pytest.mark.slow
def test_every_unit_gets_its_workbook_over_starttls_with_auth(plan, templates_2020, tmp_path, server):
    folder = templates_2020[0].parent
    result = mail(folder, tmp_path, "--send", env=server.env)
    assert result.exit_code == 0, result.output
    assert len(server.handler.received) == 18
    by_recipient = {tuple(rcpts): raw for _, rcpts, raw in server.handler.received}
    for unit in plan.reporting_units:
        message = parsed(by_recipient[(unit.email,)])
        assert from_header(by_recipient[(unit.email,)]) == f"{plan.info.collector} <{USER}>"
        assert message["To"] == unit.email and "X-Unsent" not in message
        assert message["Subject"] == f"[BĐG] Đề nghị báo cáo số liệu bình đẳng giới – Báo cáo năm 2020 – {unit.name}"
        name, content_type, data = attachment(message)
        workbook = folder / name
        assert content_type == XLSX and data == workbook.read_bytes() and f"_{unit.code}_" in name
        assert "Hạn gửi lại: ngày 15/12/2020." in message.get_body().get_content()
    assert result.output.splitlines()[-2:-1] == ["Tổng cộng: đã gửi 18 thư."]  # then the note on .example addresses


@pytest.mark.slow
def test_a_refused_recipient_is_reported_and_the_next_run_sends_only_it(plan, templates_2020, tmp_path, server):
    folder = templates_2020[0].parent
    server.handler.refuse = {"syt@ninhthuan.example"}
    first = mail(folder, tmp_path, "--send", env=server.env)
    assert first.exit_code == 1
    assert "SYT: LỖI – máy chủ từ chối người nhận: syt@ninhthuan.example (550 5.1.1 Mailbox unavailable)" in first.output
    assert len(server.handler.received) == 17
    server.handler.refuse = set()
    second = mail(folder, tmp_path, "--send", env=server.env)
    assert second.exit_code == 0
    assert [rcpts for _, rcpts, _ in server.handler.received[17:]] == [["syt@ninhthuan.example"]]
    assert second.output.count(": bỏ qua – đã gửi lúc") == 17
    third = mail(folder, tmp_path, "--send", env=server.env)
    assert third.exit_code == 0 and len(server.handler.received) == 18
    assert "Tổng cộng: bỏ qua 18 thư." in third.output
    resend = mail(folder, tmp_path, "--send", "--resend", "--unit", "CAT", env=server.env)
    assert resend.exit_code == 0 and len(server.handler.received) == 19


def test_the_password_is_asked_for_when_not_in_the_environment(templates_2020, tmp_path, server):
    env = {**server.env, "BDG_SMTP_PASSWORD": ""}
    result = mail(templates_2020[0].parent, tmp_path, "--send", "--unit", "STP", env=env, input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output and len(server.handler.received) == 1


def test_without_send_nothing_leaves_and_eml_files_parse_back(plan, templates_2020, tmp_path, far_zone):
    outbox = tmp_path / "outbox"
    before = datetime.now(clock.VIETNAM).replace(microsecond=0)
    result = mail(templates_2020[0].parent, tmp_path, "--outbox", outbox)
    after = datetime.now(clock.VIETNAM)
    assert result.exit_code == 0
    files = sorted((outbox / "2020").glob("*.eml"))
    assert len(files) == 18
    unit = plan.unit("SYT")
    workbook = next(p for p in templates_2020 if "_SYT_" in p.name)
    raw = (outbox / "2020" / "2020_SYT.eml").read_bytes()
    message = parsed(raw)
    assert message["X-Unsent"] == "1"  # Outlook and Thunderbird open it as a new message, ready to edit and send
    assert from_header(raw) == "Sở Lao động - Thương binh và Xã hội tỉnh Ninh Thuận <bdg.sldtbxh@ninhthuan.example>"
    assert message["Date"].endswith(" +0700")
    assert before <= parsedate_to_datetime(message["Date"]) <= after
    assert message["Subject"] == "[BĐG] Đề nghị báo cáo số liệu bình đẳng giới – Báo cáo năm 2020 – Sở Y tế"
    assert message["To"] == unit.email
    body = message.get_body().get_content()
    assert "Kính gửi: Sở Y tế," in body and "Hạn gửi lại: ngày 15/12/2020." in body
    assert "(2020_SYT_So-Y-te.xlsx)" in body
    assert attachment(message) == ("2020_SYT_So-Y-te.xlsx", XLSX_TYPE, workbook.read_bytes())
    assert "thêm --send để gửi" in result.output


@pytest.mark.slow
def test_units_without_address_are_listed(plan, templates_2020, tmp_path):
    data = plan_to_dict(plan)
    data["units"][0]["email"] = ""
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan_to_dict(build_plan(data)), ensure_ascii=False), "utf-8")
    from bdg_excel.template import write_templates

    folder = tmp_path / "templates"
    write_templates(build_plan(data), "2020", folder)
    result = mail(folder, tmp_path, "--plan", plan_file, "--outbox", tmp_path / "o")
    assert result.exit_code == 1
    assert "BTCTU: không có email – đơn vị chưa có địa chỉ email trong kế hoạch" in result.output


def test_officers_message_text_is_used_and_checked(plan, templates_2020, tmp_path):
    text = tmp_path / "thu.txt"
    text.write_text("Tiêu đề: Báo cáo {ma_ky} – {ma_don_vi}\n\nKính gửi {don_vi}: hạn {han_nop}.\n", "utf-8")
    result = mail(templates_2020[0].parent, tmp_path, "--message", text, "--outbox", tmp_path / "o", "--unit", "SYT")
    assert result.exit_code == 0
    message = parsed((tmp_path / "o" / "2020" / "2020_SYT.eml").read_bytes())
    assert message["Subject"] == "Báo cáo 2020 – SYT"
    assert message.get_body().get_content() == "Kính gửi Sở Y tế: hạn 15/12/2020.\n"
    text.write_text("Tiêu đề: {khong_co}\n\nx", "utf-8")
    result = mail(templates_2020[0].parent, tmp_path, "--message", text)
    assert result.exit_code == 2 and "Lỗi: Mẫu thư dùng ô trống không có: {khong_co}" in result.output


def test_missing_smtp_settings_are_a_clear_error(templates_2020, tmp_path):
    result = mail(templates_2020[0].parent, tmp_path, "--send", env={"BDG_SMTP_HOST": ""})
    assert result.exit_code == 2 and result.output.startswith("Lỗi: Chưa có máy chủ thư")


def test_a_config_file_may_not_hold_the_password(templates_2020, tmp_path):
    config = tmp_path / "bdg.ini"
    config.write_text("[smtp]\nhost = mail.example\npassword = x\n", "utf-8")
    result = mail(templates_2020[0].parent, tmp_path, "--send", "--config", config, env={"BDG_SMTP_HOST": ""})
    assert result.exit_code == 2 and "Không ghi mật khẩu vào tệp cấu hình" in result.output


def test_what_was_sent_is_in_the_store(templates_2020, tmp_path, server):
    mail(templates_2020[0].parent, tmp_path, "--send", "--unit", "SYT", env=server.env)
    with Store(tmp_path / "s.sqlite") as store:
        assert store.sent_at("2020", "SYT") is not None and store.sent_at("2020", "CAT") is None
        row = tuple(store.db.execute("SELECT recipients, attachment_sha256 FROM mail_sent").fetchone())
    workbook = next(p for p in templates_2020 if "_SYT_" in p.name)
    import hashlib
    assert row == ("syt@ninhthuan.example", hashlib.sha256(workbook.read_bytes()).hexdigest())


def test_cc_addresses_from_the_plan_receive_the_message(plan, tmp_path, server):
    from bdg_excel.template import write_templates

    data = plan_to_dict(plan)
    unit = next(u for u in data["units"] if u["code"] == "SYT")
    unit["cc"] = "giamdoc.syt@ninhthuan.example; vanthu.syt@ninhthuan.example"
    edited = build_plan(data)
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan_to_dict(edited), ensure_ascii=False), "utf-8")
    folder = tmp_path / "templates"
    write_templates(edited, "2020", folder, ["SYT"])
    result = mail(folder, tmp_path, "--plan", plan_file, "--send", "--unit", "SYT", env=server.env)
    assert result.exit_code == 0, result.output
    (_, recipients, raw), = server.handler.received
    assert recipients == ["syt@ninhthuan.example", "giamdoc.syt@ninhthuan.example", "vanthu.syt@ninhthuan.example"]
    assert parsed(raw)["Cc"] == "giamdoc.syt@ninhthuan.example, vanthu.syt@ninhthuan.example"


def cp1258(text: str) -> bytes:
    """Text as Windows saves it in the Vietnamese code page: a letter with two marks is written as the
    letter with its first mark, then the tone mark."""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
            out += (unicodedata.normalize("NFC", base + "".join(marks[:-1])) + marks[-1]).encode("cp1258")
    return out


def test_message_text_in_another_encoding_is_a_clear_vietnamese_error(templates_2020, tmp_path):
    wording = "Tiêu đề: Báo cáo {ma_ky} – {ma_don_vi}\r\n\r\nKính gửi {don_vi}: hạn gửi {han_nop}.\r\n"
    text = tmp_path / "thu.txt"
    for data in (b"\xef\xbb\xbf" + wording.encode("utf-8"), wording.encode("utf-16")):  # Notepad: UTF-8, Unicode
        text.write_bytes(data)
        result = mail(templates_2020[0].parent, tmp_path, "--message", text, "--outbox", tmp_path / "o",
                      "--unit", "SYT")
        assert result.exit_code == 0, result.output
        message = parsed((tmp_path / "o" / "2020" / "2020_SYT.eml").read_bytes())
        assert message["Subject"] == "Báo cáo 2020 – SYT"
        assert message.get_body().get_content() == "Kính gửi Sở Y tế: hạn gửi 15/12/2020.\n"
    assert cp1258("Tiêu đề") == b"Ti\xeau \xf0\xea\xcc"
    text.write_bytes(cp1258(wording.replace("–", "-")))
    result = mail(templates_2020[0].parent, tmp_path, "--message", text, "--outbox", tmp_path / "o")
    assert result.exit_code == 2
    assert result.output == (f"Lỗi: Mẫu thư '{text}' không được lưu bằng bảng mã UTF-8: hãy mở tệp bằng Notepad rồi "
                             "lưu lại, chọn bảng mã UTF-8.\n")


def unit_mail(tmp_path, templates_2020, env, unit="CAT"):
    return mail(templates_2020[0].parent, tmp_path, "--send", "--unit", unit, env=env)


def test_a_permanent_refusal_is_tried_once(templates_2020, tmp_path, server):
    server.handler.data_answers = {"cat@ninhthuan.example": "554 5.7.1 Message rejected as spam"}
    result = unit_mail(tmp_path, templates_2020, server.env)
    assert result.exit_code == 1
    assert "CAT: LỖI – máy chủ trả lời 554 5.7.1 Message rejected as spam" in result.output.splitlines()
    assert server.handler.connections == 1


def test_a_temporary_refusal_is_tried_three_times(templates_2020, tmp_path, server):
    server.handler.data_answers = {"cat@ninhthuan.example": "452 4.3.1 Insufficient system storage"}
    result = unit_mail(tmp_path, templates_2020, server.env)
    assert result.exit_code == 1
    assert "CAT: LỖI – máy chủ trả lời 452 4.3.1 Insufficient system storage (đã thử 3 lần)" in result.output
    assert server.handler.connections == 3


def test_temporary_refusals_are_retried(templates_2020, tmp_path, server):
    server.handler.busy_once = {"cat@ninhthuan.example"}
    result = unit_mail(tmp_path, templates_2020, server.env)
    assert result.exit_code == 0, result.output
    assert server.handler.connections == 2 and len(server.handler.received) == 1


@pytest.mark.parametrize("case, expected", [
    ("recipient", "CAT: LỖI – máy chủ từ chối người nhận: cat@ninhthuan.example (550 5.1.1 Mailbox unavailable)"),
    ("password", "CAT: LỖI – sai tên đăng nhập hoặc mật khẩu máy chủ thư"),
    ("tls", "CAT: LỖI – lỗi kết nối bảo mật (TLS): CERTIFICATE_VERIFY_FAILED")])
def test_refused_recipients_wrong_passwords_and_tls_failures_are_not_retried(templates_2020, tmp_path, server, case,
                                                                            expected):
    env = {**server.env, **{"password": {"BDG_SMTP_PASSWORD": "sai"}, "tls": {"BDG_SMTP_CAFILE": ""}}.get(case, {})}
    if case == "recipient":
        server.handler.refuse = {"cat@ninhthuan.example"}
    result = unit_mail(tmp_path, templates_2020, env)
    assert result.exit_code == 1 and expected in result.output.splitlines()
    assert server.handler.connections == 1


def test_an_unknown_host_is_not_retried(templates_2020, tmp_path, server):
    env = {**server.env, "BDG_SMTP_HOST": "may-chu-thu.invalid", "BDG_SMTP_RETRY_PAUSE": "60"}
    started = time.monotonic()
    result = unit_mail(tmp_path, templates_2020, env)
    assert time.monotonic() - started < 30  # a retry would have waited a minute first
    assert "CAT: LỖI – không tìm thấy máy chủ thư 'may-chu-thu.invalid' (kiểm tra tên máy chủ và mạng)" in \
        result.output.splitlines()


@pytest.mark.slow
def test_dropped_and_refused_connections_are_retried(templates_2020, tmp_path, server):
    with DroppingServer() as dropping:
        env = {**server.env, "BDG_SMTP_PORT": str(dropping.port)}
        result = unit_mail(tmp_path, templates_2020, env)
    assert dropping.connections == 3
    assert (f"CAT: LỖI – máy chủ thư 127.0.0.1:{dropping.port} ngắt kết nối hoặc từ chối kết nối (đã thử 3 lần)"
            in result.output.splitlines())
    port = _free_port()  # nothing listens there: the connection is refused
    started = time.monotonic()
    result = unit_mail(tmp_path, templates_2020, {**server.env, "BDG_SMTP_PORT": str(port),
                                                  "BDG_SMTP_RETRY_PAUSE": "0.2"})
    assert time.monotonic() - started >= 0.6  # waited 0.2 s, then 0.4 s, between the three tries
    assert f"CAT: LỖI – máy chủ thư 127.0.0.1:{port} ngắt kết nối hoặc từ chối kết nối (đã thử 3 lần)" in \
        result.output.splitlines()


def test_a_config_file_that_is_not_ini_is_a_vietnamese_error(tmp_path):
    from bdg_excel.mail import MailError, settings_from

    config = tmp_path / "bdg.ini"
    config.write_text("host = smtp.ninhthuan.gov.vn\n[smtp\n", "utf-8")
    with pytest.raises(MailError) as caught:
        settings_from(config, env={})
    assert str(caught.value) == (f"Tệp cấu hình '{config}' không đúng dạng: cần mục [smtp] với các dòng "
                                 "'khóa = giá trị', lưu với mã UTF-8.")


def test_mail_ends_with_a_warning_while_the_plan_has_example_addresses(plan, templates_2020, tmp_path):
    from bdg_excel.template import write_templates

    result = mail(templates_2020[0].parent, tmp_path, "--unit", "SYT", "--outbox", tmp_path / "o")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("SYT: đã soạn thư") and (tmp_path / "o" / "2020" / "2020_SYT.eml").is_file()
    assert lines[-1].startswith("Lưu ý: còn 19 nơi dùng địa chỉ email mẫu (tên miền .example, không nhận được thư): "
                                "Kế hoạch, BTCTU, ")  # the collecting agency and the 18 units
    assert lines[-1].endswith("trước khi gửi thư.")
    real = build_plan(json.loads(json.dumps(plan_to_dict(plan), ensure_ascii=False).replace(".example", ".gov.vn")))
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(json.dumps(plan_to_dict(real), ensure_ascii=False), "utf-8")
    write_templates(real, "2020", tmp_path / "templates", ["SYT"])
    result = mail(tmp_path / "templates", tmp_path, "--plan", plan_file, "--unit", "SYT", "--outbox", tmp_path / "o2")
    assert result.exit_code == 0, result.output
    assert "syt@ninhthuan.gov.vn" in (tmp_path / "o2" / "2020" / "2020_SYT.eml").read_text()
    assert not any(".example" in line or line.startswith("Lưu ý") for line in result.output.splitlines())
