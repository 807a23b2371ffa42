"""Finding LibreOffice (BDG_SOFFICE, bdg.toml, PATH, the Windows places, the registry) and stopping it:
the Windows branches are run with the platform and places injected."""
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import bdg_excel.pdf as pdf
from bdg_excel.cli import cli


def program(path: Path) -> Path:
    """An executable file where LibreOffice would be."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def empty_path(tmp_path, monkeypatch):
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return empty


def no_registry():
    return None


def test_bdg_soffice_wins_over_the_settings_file(tmp_path, empty_path):
    named, configured = program(tmp_path / "a" / "soffice"), program(tmp_path / "b" / "soffice")
    assert pdf.find_soffice(str(configured), env={"BDG_SOFFICE": str(named)}) == str(named)
    assert pdf.find_soffice(str(configured), env={}) == str(configured)


def test_path_is_searched_when_nothing_names_the_program(empty_path):
    on_path = program(empty_path / "soffice")
    assert pdf.find_soffice(None, env={}) == str(on_path)


@pytest.mark.parametrize("folder", ["PROGRAMFILES", "PROGRAMFILES(X86)", "PROGRAMW6432"])
def test_windows_program_files_folders_are_searched(tmp_path, empty_path, folder):
    base = tmp_path / folder
    installed = program(base / "LibreOffice" / "program" / "soffice.exe")
    env = {folder: str(base)}
    assert pdf.find_soffice(None, env=env, platform="win32", registry=no_registry) == str(installed)
    assert pdf.find_soffice(None, env=env, platform="linux", registry=no_registry) is None


def test_the_registry_app_path_is_used_when_the_folders_have_none(tmp_path, empty_path):
    installed = program(tmp_path / "D" / "LO" / "soffice.exe")
    env = {"PROGRAMFILES": str(tmp_path / "nothing-here")}
    assert pdf.find_soffice(None, env=env, platform="win32", registry=lambda: str(installed)) == str(installed)
    assert pdf.find_soffice(None, env=env, platform="win32", registry=no_registry) is None


def test_the_places_are_in_order_program_files_then_the_registry(tmp_path):
    env = {"PROGRAMFILES": "C", "PROGRAMFILES(X86)": "X"}
    assert pdf.windows_places(env, lambda: "R/soffice.exe") == [
        Path("C/LibreOffice/program/soffice.exe"), Path("X/LibreOffice/program/soffice.exe"), Path("R/soffice.exe")]


def test_the_settings_file_names_the_office_program_for_consolidate(tmp_path, empty_path, monkeypatch):
    monkeypatch.delenv("BDG_SOFFICE", raising=False)
    office = tmp_path / "lo" / "my-office"
    office.parent.mkdir()
    office.write_text(f"#!{sys.executable}\nimport sys, pathlib\nargs = sys.argv[1:]\n"
                      "out = pathlib.Path(args[args.index('--outdir') + 1]) / (pathlib.Path(args[-1]).stem + '.pdf')\n"
                      "out.write_bytes(b'%PDF-1.4 from bdg.toml')\n")
    office.chmod(0o755)
    root = tmp_path / "BDG"
    CliRunner().invoke(cli, ["init", str(root)])
    settings = root / "bdg.toml"
    settings.write_text(settings.read_text("utf-8").replace('soffice = ""', f'soffice = "{office.as_posix()}"'), "utf-8")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["consolidate", "--period", "2020", "--pdf"])
    assert result.output.splitlines()[-1] == f"Đã ghi '{root / 'tong-hop' / 'tong-hop-2020.pdf'}'.", result.output
    assert (root / "tong-hop" / "tong-hop-2020.pdf").read_bytes() == b"%PDF-1.4 from bdg.toml"


def sleeper() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)


def test_on_windows_the_whole_tree_is_ended_with_taskkill():
    calls = []
    office = sleeper()
    pdf.stop_tree(office, platform="win32", run=lambda command, **kw: calls.append(command))
    assert calls == [["taskkill", "/T", "/F", "/PID", str(office.pid)]]
    assert office.returncode is not None  # and the launcher itself is ended whatever taskkill did


def test_elsewhere_the_process_group_is_ended():
    calls = []
    office = sleeper()
    pdf.stop_tree(office, platform="linux", run=lambda command, **kw: calls.append(command))
    assert calls == [] and office.returncode is not None


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in for soffice is a script with a #! line")
def test_ctrl_c_stops_libreoffice_and_removes_its_profile(tmp_path, monkeypatch):
    fake = tmp_path / "soffice"
    fake.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(60)\n")
    fake.chmod(0o755)
    work = tmp_path / "tmp"
    work.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(work))
    started = []
    real_wait = subprocess.Popen.wait

    def interrupted(self, timeout=None):
        if timeout is not None:
            started.append(self)
            raise KeyboardInterrupt
        return real_wait(self)

    monkeypatch.setattr(subprocess.Popen, "wait", interrupted)
    with pytest.raises(KeyboardInterrupt):
        pdf.convert(tmp_path / "x.xlsx", "pdf", tmp_path, soffice=str(fake))
    assert started and started[0].returncode is not None
    assert list(work.iterdir()) == []
