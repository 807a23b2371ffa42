"""Reminders to the units without a usable return: ``bdg remind``."""
import email
import re
from email import policy

import pytest
from click.testing import CliRunner

from bdg_excel.cli import cli
from bdg_excel.demo import seed_entries
from bdg_excel.ingest import ingest_folder
from tests.returns import make_return
from tests.smtp_server import SmtpServer


def run(*args, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env)


@pytest.fixture
def store(plan, tmp_path):
    """Every unit's return but PRTC's (nothing sent) and SYT's (a blank template sent back)."""
    for code, entries in seed_entries(plan).items():
        if code != "PRTC":
            make_return(plan, code, tmp_path / "inbox" / f"{code}.xlsx", {} if code == "SYT" else entries)
    path = tmp_path / "s.db"
    ingest_folder(tmp_path / "inbox", plan, path, "2020", echo=lambda line: None)
    return path


def remind(tmp_path, store, *extra, env=None):
    return run("remind", "--period", "2020", "--store", store, "--outbox", tmp_path / "mail", *extra, env=env)


def messages(folder):
    return {p.name: email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(folder.glob("*.eml"))}


def test_before_the_deadline_a_courteous_reminder_to_the_units_without_a_usable_return(plan, tmp_path, store):
    result = remind(tmp_path, store, "--as-of", "2020-12-10")
    assert result.exit_code == 0, result.output
    found = messages(tmp_path / "mail" / "2020")
    assert sorted(found) == ["2020_PRTC_nhac_2020-12-10.eml", "2020_SYT_nhac_2020-12-10.eml"]
    syt = found["2020_SYT_nhac_2020-12-10.eml"]
    assert syt["Subject"] == "[BĐG] Nhắc gửi: Báo cáo năm 2020 – Sở Y tế" and syt["To"] == plan.unit("SYT").email
    body = syt.get_body().get_content()
    assert "Đến ngày 10/12/2020" in body and "mới nhận được biểu trống" in body
    assert "trước hạn nộp ngày 15/12/2020" in body and "quá hạn" not in body
    assert [line for line in body.splitlines() if line.startswith("  - ")] == \
        [f"  - {e.code}: {e.label}" + (f" – {e.breakdown}" if e.breakdown else "") for e in plan.elements_for("SYT")]
    prtc = found["2020_PRTC_nhac_2020-12-10.eml"].get_body().get_content()
    assert "chưa nhận được báo cáo của đơn vị" in prtc and "  - MT2.CT1: " in prtc
    assert list(found["2020_PRTC_nhac_2020-12-10.eml"].iter_attachments()) == []


def test_after_the_deadline_a_late_notice(tmp_path, store):
    result = remind(tmp_path, store, "--as-of", "2020-12-20")
    assert result.exit_code == 0
    found = messages(tmp_path / "mail" / "2020")
    syt = found["2020_SYT_nhac_2020-12-20.eml"]
    assert syt["Subject"] == "[BĐG] Quá hạn: Báo cáo năm 2020 – Sở Y tế"
    body = syt.get_body().get_content()
    assert "Hạn nộp là ngày 15/12/2020; báo cáo đã chậm 5 ngày." in body and "Xin trân trọng nhắc" not in body


def test_a_unit_is_reminded_once_a_day_unless_resend(tmp_path, store):
    assert remind(tmp_path, store, "--as-of", "2020-12-10").exit_code == 0
    again = remind(tmp_path, store, "--as-of", "2020-12-10")
    lines = again.output.splitlines()
    when = r" lúc \d\d:\d\d ngày \d\d/\d\d/20\d\d"  # when the first reminder was written, as officers read it
    assert re.fullmatch("SYT: bỏ qua – đã soạn thư nhắc" + when, lines[0]), lines[0]  # a draft: not "đã nhắc"
    assert re.fullmatch("PRTC: bỏ qua – đã soạn thư nhắc" + when, lines[1]) and lines[2:] == ["Tổng cộng: bỏ qua 2 thư."]
    assert remind(tmp_path, store, "--as-of", "2020-12-10", "--resend").output.splitlines()[-2] == \
        "Tổng cộng: đã soạn 2 thư."
    assert remind(tmp_path, store, "--as-of", "2020-12-11").output.splitlines()[-2] == "Tổng cộng: đã soạn 2 thư."


@pytest.mark.slow
def test_over_the_real_smtp_server_once_a_day(plan, tmp_path, store):
    with SmtpServer(tmp_path) as server:
        sent = remind(tmp_path, store, "--as-of", "2020-12-16", "--send", env=server.env)
        assert sent.exit_code == 0, sent.output
        assert sent.output.splitlines() == [f"SYT: đã gửi – {plan.unit('SYT').email}",
                                            f"PRTC: đã gửi – {plan.unit('PRTC').email}", "Tổng cộng: đã gửi 2 thư."]
        received = {tuple(rcpts): email.message_from_bytes(raw, policy=policy.default)
                    for _, rcpts, raw in server.handler.received}
        late = received[(plan.unit("PRTC").email,)]
        assert late["Subject"] == f"[BĐG] Quá hạn: Báo cáo năm 2020 – {plan.unit('PRTC').name}"
        assert "báo cáo đã chậm 1 ngày" in late.get_body().get_content() and "X-Unsent" not in late
        again = remind(tmp_path, store, "--as-of", "2020-12-16", "--send", env=server.env)
        assert again.output.splitlines()[-1] == "Tổng cộng: bỏ qua 2 thư." and len(server.handler.received) == 2
        assert re.fullmatch(r"SYT: bỏ qua – đã gửi thư nhắc lúc \d\d:\d\d ngày \d\d/\d\d/20\d\d", again.output.splitlines()[0])
        drafting = remind(tmp_path, store, "--as-of", "2020-12-16")  # a sent reminder is not called a draft
        assert drafting.output.splitlines()[0].startswith("SYT: bỏ qua – đã gửi thư nhắc lúc ")
        resent = remind(tmp_path, store, "--as-of", "2020-12-16", "--send", "--resend", env=server.env)
        assert resent.output.splitlines()[-1] == "Tổng cộng: đã gửi 2 thư." and len(server.handler.received) == 4
    assert not (tmp_path / "mail").exists()


def test_a_draft_does_not_count_as_sent(tmp_path, store):
    assert remind(tmp_path, store, "--as-of", "2020-12-10").exit_code == 0
    with SmtpServer(tmp_path) as server:
        sent = remind(tmp_path, store, "--as-of", "2020-12-10", "--send", env=server.env)
        assert sent.output.splitlines()[-1] == "Tổng cộng: đã gửi 2 thư." and len(server.handler.received) == 2


def test_the_default_day_is_today_in_vietnam(tmp_path, store, far_zone):
    from bdg_excel import clock

    result = remind(tmp_path, store)
    assert result.exit_code == 0
    today = clock.now().date().isoformat()
    assert sorted(p.name for p in (tmp_path / "mail" / "2020").iterdir()) == \
        [f"2020_PRTC_nhac_{today}.eml", f"2020_SYT_nhac_{today}.eml"]


def test_a_bad_day_is_a_usage_error(tmp_path, store):
    result = remind(tmp_path, store, "--as-of", "mai")
    assert result.exit_code == 2 and "'mai' không phải là ngày (YYYY-MM-DD)." in result.output
