"""Print the appendix to PDF through LibreOffice (``soffice --headless``)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from bdg_excel.atomic import OutputError, atomic_output
from bdg_excel.errors import os_reason

if TYPE_CHECKING:
    from bdg_excel.consolidation import Consolidation

WINDOWS_SOFFICE = Path(os.environ.get("PROGRAMFILES", "C:/Program Files")) / "LibreOffice" / "program" / "soffice.exe"


def find_soffice() -> str | None:
    """The LibreOffice program: the one BDG_SOFFICE names, else from PATH or its usual place on Windows."""
    chosen = os.environ.get("BDG_SOFFICE")
    if chosen:
        return shutil.which(chosen)
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    return str(WINDOWS_SOFFICE) if WINDOWS_SOFFICE.is_file() else None


def convert(source: Path, target_format: str, out_dir: Path, timeout: float = 180) -> Path:
    """Convert a file with headless LibreOffice and a throw-away profile; returns the new file."""
    soffice = find_soffice()
    if soffice is None:
        raise OutputError("Không tìm thấy LibreOffice để in PDF nên chưa in được trang Phụ lục. Hãy cài LibreOffice "
                          "(miễn phí, libreoffice.org) hoặc đặt biến môi trường BDG_SOFFICE là đường dẫn tới chương "
                          "trình soffice rồi chạy lại, hoặc mở tệp Excel và in từ Excel.")
    with tempfile.TemporaryDirectory(prefix="bdg-lo-") as profile:
        command = [soffice, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
                   "--convert-to", target_format, "--outdir", str(out_dir), str(source)]
        office = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        try:
            office.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _stop(office)
            raise OutputError(f"LibreOffice không chuyển xong tệp '{source.name}' sau {timeout:.0f} giây.") from None
    produced = out_dir / (source.stem + "." + target_format.split(":")[0])
    if not produced.is_file():
        raise OutputError(f"LibreOffice không chuyển được tệp '{source.name}' sang {target_format}.")
    return produced


def _stop(office: subprocess.Popen) -> None:
    """End LibreOffice and the processes its launcher started."""
    if hasattr(os, "killpg"):
        os.killpg(office.pid, signal.SIGKILL)
    else:
        office.kill()
    office.wait()


def appendix_pdf(result: "Consolidation", pdf_path: Path) -> Path:
    """Print the ``Phụ lục`` sheet alone to ``pdf_path``."""
    from bdg_excel.report import write_report

    try:
        with tempfile.TemporaryDirectory(prefix="bdg-pdf-") as work:
            source = write_report(result, Path(work) / (pdf_path.stem + ".xlsx"), appendix_only=True)
            produced = convert(source, "pdf", Path(work))
            with atomic_output(pdf_path) as tmp:
                shutil.copyfile(produced, tmp)
    except OSError as exc:  # the temporary folder, or starting LibreOffice
        raise OutputError(f"Không in được trang Phụ lục ra '{pdf_path}': {os_reason(exc)} (ổ đĩa có thể đã "
                          "đầy, hoặc không chạy được LibreOffice).") from None
    return pdf_path
