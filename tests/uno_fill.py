"""Fill a workbook through LibreOffice's own scripting interface (run with a Python that has uno).

usage: uno_fill.py SOURCE TARGET CELLS_JSON
CELLS_JSON maps cell addresses of the 'Nhập liệu' sheet to numbers or text. Only unlocked cells may
be written, as a person would: a locked cell stops the script with exit status 3.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    item = PropertyValue()
    item.Name, item.Value = name, value
    return item


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(source, target, cells_json):
    cells = json.loads(cells_json)
    profile = tempfile.mkdtemp(prefix="bdg-uno-")
    port = free_port()
    office = subprocess.Popen(
        ["soffice", "-env:UserInstallation=" + uno.systemPathToFileUrl(profile), "--headless", "--invisible",
         "--norestore", "--nodefault", f"--accept=socket,host=127.0.0.1,port={port};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    desktop = None
    try:
        desktop = connect(port)
        return fill(desktop, source, target, cells)
    finally:
        if desktop is not None:
            try:
                desktop.terminate()
            except Exception:  # the office closes the connection while answering
                pass
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(office.pid, signal.SIGKILL)  # soffice is a launcher: end its whole group


def connect(port):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(300):
        try:
            ctx = resolver.resolve(f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
            return ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        except Exception:
            time.sleep(0.1)
    raise SystemExit("LibreOffice did not start")


def fill(desktop, source, target, cells):
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(source)), "_blank", 0,
                                       (prop("Hidden", True),))
    try:
        sheet = doc.Sheets.getByName("Nhập liệu")
        for address, value in cells.items():
            cell = sheet.getCellRangeByName(address)
            if cell.CellProtection.IsLocked:
                return 3
            if isinstance(value, str):
                cell.setString(value)
            else:
                cell.setValue(value)
        doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(target)),
                       (prop("FilterName", "Calc MS Excel 2007 XML"),))
        return 0
    finally:
        doc.close(True)


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
