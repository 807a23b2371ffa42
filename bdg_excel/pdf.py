"""Print the appendix to PDF through LibreOffice (``soffice --headless``)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from bdg_excel.atomic import OutputError, atomic_output
from bdg_excel.errors import os_reason

if TYPE_CHECKING:
    from bdg_excel.consolidation import Consolidation

APP_PATHS_KEY = r"SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\soffice.exe"
PROGRAM_FOLDERS = ("PROGRAMFILES", "PROGRAMW6432", "PROGRAMFILES(X86)")


def find_soffice(configured: str | None = None, *, env=None, platform: str = sys.platform,
                 registry: Callable[[], str | None] | None = None) -> str | None:
    """The LibreOffice program: the one BDG_SOFFICE names, else ``soffice`` of bdg.toml (``configured``),
    else from PATH, else, on Windows, where its installer puts it (both Program Files folders) or where
    the registry's App Paths say."""
    env = os.environ if env is None else env
    chosen = env.get("BDG_SOFFICE") or configured
    if chosen:
        return shutil.which(chosen)
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found or platform != "win32":
        return found
    for place in windows_places(env, registry or _registered_soffice):
        if place.is_file():
            return str(place)
    return None


def windows_places(env, registry: Callable[[], str | None]) -> list[Path]:
    """Where LibreOffice may be on Windows, in order: the Program Files folders, then the registry's entry."""
    places = [Path(env[name]) / "LibreOffice" / "program" / "soffice.exe" for name in PROGRAM_FOLDERS if env.get(name)]
    registered = registry()
    return places + ([Path(registered)] if registered else [])


def _registered_soffice() -> str | None:
    """soffice.exe's path from the registry's App Paths (machine-wide, then the user's), if readable."""
    import winreg  # Windows only: this runs only there

    for hive in (winreg.HKEY_LOCAL_MACHINE, winreg.HKEY_CURRENT_USER):
        try:
            with winreg.OpenKey(hive, APP_PATHS_KEY) as key:
                value, _ = winreg.QueryValueEx(key, "")
        except OSError:
            continue
        if value:
            return str(value).strip('"')
    return None


def convert(source: Path, target_format: str, out_dir: Path, timeout: float = 180,
            soffice: str | None = None) -> Path:
    """Convert a file with headless LibreOffice and a throw-away profile; returns the new file.

    ``soffice`` is the program named in bdg.toml, if any. An interruption (Ctrl+C) or a timeout stops
    LibreOffice with every process it started, and the profile folder is removed."""
    program = find_soffice(soffice)
    if program is None:
        raise OutputError("Không tìm thấy LibreOffice để in PDF nên chưa in được trang Phụ lục. Hãy cài LibreOffice "
                          "(miễn phí, libreoffice.org) hoặc đặt biến môi trường BDG_SOFFICE là đường dẫn tới chương "
                          "trình soffice (hoặc ghi 'soffice' trong tệp bdg.toml) rồi chạy lại, hoặc mở tệp Excel và "
                          "in từ Excel.")
    with tempfile.TemporaryDirectory(prefix="bdg-lo-", ignore_cleanup_errors=True) as profile:
        command = [program, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
                   "--convert-to", target_format, "--outdir", str(out_dir), str(source)]
        office = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        try:
            office.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            stop_tree(office)
            raise OutputError(f"LibreOffice không chuyển xong tệp '{source.name}' sau {timeout:.0f} giây.") from None
        except BaseException:  # Ctrl+C: LibreOffice must not hold the profile open while it is removed
            stop_tree(office)
            raise
    produced = out_dir / (source.stem + "." + target_format.split(":")[0])
    if not produced.is_file():
        raise OutputError(f"LibreOffice không chuyển được tệp '{source.name}' sang {target_format}.")
    return produced


def stop_tree(office: subprocess.Popen, platform: str = sys.platform, run=subprocess.run) -> None:
    """End LibreOffice and the processes its launcher started (soffice.exe starts soffice.bin on Windows):
    ``taskkill /T`` there, the process group elsewhere."""
    if platform == "win32":
        run(["taskkill", "/T", "/F", "/PID", str(office.pid)], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, check=False)
    elif hasattr(os, "killpg"):
        try:
            os.killpg(office.pid, signal.SIGKILL)
        except ProcessLookupError:  # it ended on its own meanwhile
            pass
    if office.poll() is None:
        office.kill()
    office.wait()


def appendix_pdf(result: "Consolidation", pdf_path: Path, soffice: str | None = None) -> Path:
    """Print the ``Phụ lục`` sheet alone to ``pdf_path`` (``soffice``: the program named in bdg.toml)."""
    from bdg_excel.report import write_report

    try:
        with tempfile.TemporaryDirectory(prefix="bdg-pdf-") as work:
            source = write_report(result, Path(work) / (pdf_path.stem + ".xlsx"), appendix_only=True)
            produced = convert(source, "pdf", Path(work), soffice=soffice)
            with atomic_output(pdf_path) as tmp:
                shutil.copyfile(produced, tmp)
    except OSError as exc:  # the temporary folder, or starting LibreOffice
        raise OutputError(f"Không in được trang Phụ lục ra '{pdf_path}': {os_reason(exc)} (ổ đĩa có thể đã "
                          "đầy, hoặc không chạy được LibreOffice).") from None
    return pdf_path
