import os
import shutil
import time
from pathlib import Path

import pytest

from bdg_excel.plan_files import default_plan

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def plan():
    return default_plan()


@pytest.fixture(scope="session")
def templates_2020(tmp_path_factory, plan):
    from bdg_excel.template import write_templates

    out = tmp_path_factory.mktemp("templates")
    return write_templates(plan, "2020", out)


def soffice_or_skip() -> str:
    """The soffice binary; skip when missing unless BDG_REQUIRE_LIBREOFFICE demands it."""
    path = shutil.which("soffice")
    if path:
        return path
    if os.environ.get("BDG_REQUIRE_LIBREOFFICE"):
        pytest.fail("LibreOffice (soffice) is required (BDG_REQUIRE_LIBREOFFICE is set) but not installed")
    pytest.skip("LibreOffice (soffice) is not installed")


@pytest.fixture
def far_zone(monkeypatch):
    """The computer's clock is set to New York's zone (12 hours behind Vietnam): every time stored or
    shown must still be Vietnam's."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()
