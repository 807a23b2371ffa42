"""Fill a workbook through LibreOffice's own scripting interface (run with a Python that has uno).

usage: uno_fill.py SOURCE TARGET CELLS_JSON
CELLS_JSON maps cell addresses of the 'Nhập liệu' sheet to numbers or text. Only unlocked cells may
be written, as a person would: a locked cell stops the script with exit status 3.
"""
import json
import os
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
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        for _ in range(300):
            try:
                ctx = resolver.resolve(f"uno:socket,host=127.0.0.1,port={port};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.1)
        else:
            raise SystemExit("LibreOffice did not start")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(os.path.abspath(source)), "_blank", 0,
                                           (prop("Hidden", True),))
        sheet = doc.Sheets.getByName("Nhập liệu")
        for address, value in cells.items():
            cell = sheet.getCellRangeByName(address)
            if cell.CellProtection.IsLocked:
                sys.exit(3)
            if isinstance(value, str):
                cell.setString(value)
            else:
                cell.setValue(value)
        doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(target)),
                       (prop("FilterName", "Calc MS Excel 2007 XML"),))
        doc.close(True)
        try:
            desktop.terminate()
        except Exception:
            pass
    finally:
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    main(*sys.argv[1:4])
