"""The catalogue of problem codes: one message each, all used, all listed in README."""
import re
from pathlib import Path

from bdg_excel.problems import CATALOGUE, ERROR, WARNING, problem

REPO = Path(__file__).resolve().parent.parent
SEVERITIES = {"error": ERROR, "warning": WARNING}


def readme_codes() -> dict[str, str]:
    text = (REPO / "README.md").read_text("utf-8")
    return {code: SEVERITIES[severity] for code, severity in re.findall(r"^\| `([a-z0-9-]+)` \| (error|warning) \|",
                                                                       text, re.M)}


def test_readme_lists_every_code_with_its_severity():
    assert readme_codes() == {code: severity for code, (severity, _) in CATALOGUE.items()}


def codes_used_in_the_package() -> set[str]:
    calls = re.compile(r"""(?:problem|Refused|_skipped)\(\s*(?:[\w.\[\]"]+,\s*){0,4}"([a-z]+(?:-[a-z0-9]+)+)\"""")
    used = set()
    for path in (REPO / "bdg_excel").glob("*.py"):
        used |= set(calls.findall(path.read_text("utf-8")))
    return used


def test_every_code_the_package_raises_is_in_the_catalogue_and_every_catalogue_code_is_raised():
    used = codes_used_in_the_package()
    assert used - set(CATALOGUE) == set()
    assert set(CATALOGUE) - used == set()


def test_messages_are_vietnamese_sentences_and_fill_in_their_fields():
    for code, (_, template) in CATALOGUE.items():
        fields = dict.fromkeys(set(re.findall(r"\{(\w+)\}", template)) - {"sheet", "cell"}, "X")
        message = problem(code, sheet="Nhập liệu", cell="F12", **fields).message
        assert re.search(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹáàãéèíìóòõúùýĐ]", message), code
        assert message.rstrip().endswith((".", "?")), code


def test_no_message_tells_its_reader_to_ask_the_unit():
    """One message serves the officer and the unit, in letters to units too: none may address the officer
    about the unit ("hãy đề nghị đơn vị …", "hãy gửi đơn vị biểu mới")."""
    to_the_officer = re.compile(r"(đề nghị|yêu cầu|báo|hỏi|nhắc|gửi|liên hệ)( cho| lại| với)? (quý )?đơn vị", re.I)
    assert [code for code, (_, template) in CATALOGUE.items() if to_the_officer.search(template)] == []
