"""A batch survives any one input.

Each test puts one hostile input (a file made to break a spreadsheet reader, or an odd entry of
the inbox) beside the 18 demo returns and runs ``bdg consolidate`` as an officer does, in a child
process: the command must finish in time and within memory, without a traceback, write the
workbook with every other unit's figures, and list the hostile input on the ``Lỗi`` sheet with
its code. The same input alone in an inbox must be answered by ``bdg ingest`` within 10 s.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.cell import get_column_letter

from bdg_excel import layout
from bdg_excel.demo import SENT_ON, seed_entries
from tests import hostile
from tests.returns import entry, make_return, row_of

pytestmark = pytest.mark.slow  # subprocesses or whole corpora

REPO = Path(__file__).resolve().parent.parent
PERIOD = "2020"
MAX_PEAK = 1024 ** 3  # bytes, the command's peak resident memory
MAX_COMMAND_SECONDS = 20
MAX_ANSWER_SECONDS = 10  # one hostile input alone
ADDRESS_SPACE = 4 * 1024 ** 3  # a runaway child fails at this, instead of taking the machine
EARLIER = SENT_ON - timedelta(days=1)  # hostile copies of a unit's return never supersede its real one
LATER = SENT_ON + timedelta(hours=1)  # ... except where that is the point (and then they must not be read)

# The appendix of the 18 demo returns (column C of `Phụ lục`), as the plan prints the 2019 figures.
APPENDIX = {
    "MT1.CT1a.TINH": "Cấp tỉnh: 05/50 (10%)", "MT1.CT1a.HUYEN": "Cấp huyện: 48/268 (17,91%)",
    "MT1.CT1a.XA": "Cấp xã: 226/828 (27,29%)", "MT1.CT1b": "02/06 (33,33%)",
    "MT1.CT1c.TINH": "Cấp tỉnh: 14/50 (28%)", "MT1.CT1c.HUYEN": "Cấp huyện: 58/228 (25,44%)",
    "MT1.CT1c.XA": "Cấp xã: 509/1.753 (29,04%)", "MT1.CT2": "48/93 (51,61%)",
    "MT1.CT3.NN": "Cơ quan Nhà nước: 48/136 (35,29%)",
    "MT1.CT3.DANG": "Cơ quan Đảng, tổ chức chính trị - xã hội: 159/197 (80,71%)",
    "MT2.CT1": "8.688/17.174 (50,59%)", "MT2.CT2": "902/3.184 (28,33%)", "MT2.CT3": "4.860/9.326 (52,11%)",
    "MT2.CT4": "100%", "MT3.CT1.TOAN_TINH": "Toàn tỉnh: 25.369/27.430 (92,49%)",
    "MT3.CT2a": "Thạc sỹ: 17/40 (42,5%)", "MT3.CT2b": "Tiến sỹ: 0%", "MT4.CT1": "108,5/100",
    "MT4.CT2": "17,1/100.000", "MT4.CT3": "16,8%", "MT4.CT4": "2,5/100", "MT5.CT1": "65/65 (100%)",
    "MT5.CT2": "100%", "MT6.CT1": "1,5 lần", "MT6.CT2a": "Số nạn nhân: 87/109 (79,82%)",
    "MT6.CT2b": "Số người gây bạo lực: 82/86 (95,35%)", "MT6.CT3": "100%", "MT7.CT1": "100%",
    "MT7.CT2": "100%", "MT7.CT3": "100%", "MT7.CT4": "100%",
}
ON_TIME = "Đúng hạn"


# ---------------------------------------------------------------------------------------------
# Running a command as a child, measured.

WRAPPER = r"""
import json, os, resource, subprocess, sys, time
limit, timeout, out, err = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3], sys.argv[4]

def limited():
    os.setsid()
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):  # macOS does not enforce it
        pass

start = time.monotonic()
with open(out, "wb") as o, open(err, "wb") as e:
    child = subprocess.Popen(sys.argv[5:], stdout=o, stderr=e, stdin=subprocess.DEVNULL, preexec_fn=limited)
    try:
        rc, timed_out = child.wait(timeout), False
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, 9)
        rc, timed_out = child.wait(), True
seconds = time.monotonic() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
print(json.dumps({"rc": rc, "timed_out": timed_out, "seconds": seconds, "peak": peak}))
"""


@dataclass
class Run:
    rc: int
    timed_out: bool
    seconds: float
    peak: int | None  # bytes; None where it cannot be measured (Windows)
    stdout: str
    stderr: str

    def __str__(self) -> str:
        peak = "?" if self.peak is None else f"{self.peak / 1024 ** 2:.0f} MB"
        return (f"exit {self.rc}{' (killed: too slow)' if self.timed_out else ''}, {self.seconds:.1f} s, "
                f"peak {peak}\n--- stdout (end) ---\n{self.stdout[-1500:]}"
                f"\n--- stderr (end) ---\n{self.stderr[-2500:]}")


def run_measured(args: list, timeout: float, env: dict | None = None, script: str | None = None) -> Run:
    """``python -m bdg_excel ARGS`` (or ``python -c SCRIPT ARGS``) in a fresh wrapper process, so
    that its peak memory is the command's own (earlier children do not count)."""
    start = ["-c", script] if script else ["-m", "bdg_excel"]
    command = [sys.executable, *start, *[str(a) for a in args]]
    environment = {**os.environ, **(env or {})}
    with tempfile.TemporaryDirectory(prefix="bdg-hostile-run-") as folder:
        out, err = Path(folder) / "out", Path(folder) / "err"
        if os.name == "nt":
            with out.open("wb") as o, err.open("wb") as e:
                child = subprocess.Popen(command, cwd=REPO, env=environment, stdout=o, stderr=e,
                                         stdin=subprocess.DEVNULL)
                try:
                    child.wait(timeout)
                    timed_out = False
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
                    timed_out = True
            measured = {"rc": child.returncode, "timed_out": timed_out, "seconds": 0.0, "peak": None}
        else:
            wrapper = subprocess.run([sys.executable, "-c", WRAPPER, str(ADDRESS_SPACE), str(timeout), str(out),
                                      str(err), *command], cwd=REPO, env=environment, capture_output=True,
                                     text=True, check=True)
            measured = json.loads(wrapper.stdout.strip().splitlines()[-1])
        decode = lambda path: path.read_bytes().decode("utf-8", "replace")  # noqa: E731
        return Run(stdout=decode(out), stderr=decode(err), **measured)


def consolidate(inbox: Path, out: Path, store: Path, *options, env: dict | None = None,
                timeout: float = MAX_COMMAND_SECONDS + 10, script: str | None = None) -> Run:
    return run_measured([*options, "consolidate", inbox, "--period", PERIOD, "--out", out, "--store", store],
                        timeout, env, script)


# ---------------------------------------------------------------------------------------------
# Reading the consolidated workbook.

def sheet_rows(path: Path, name: str) -> list[dict]:
    ws = openpyxl.load_workbook(path, data_only=True)[name]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row)) for row in rows[1:]]


def problems_of(path: Path, name: str) -> list[dict]:
    """The `Lỗi` rows about one input: its file name, or its name in the message (a grouped row)."""
    return [r for r in sheet_rows(path, "Lỗi") if r["Tệp"] == name or name in str(r["Nội dung"] or "")]


def appendix(plan, path: Path) -> dict[str, str]:
    ws = openpyxl.load_workbook(path, data_only=True)["Phụ lục"]
    return {e.code: row[2] for e, row in zip(plan.elements, ws.iter_rows(min_row=7, values_only=True))}


def statuses(path: Path) -> dict[str, dict]:
    return {r["Mã đơn vị"]: r for r in sheet_rows(path, "Tình trạng nộp")}


# ---------------------------------------------------------------------------------------------
# Hostile inputs: each builder puts its input into an inbox and says how it must be answered.

@dataclass
class Hostile:
    name: str  # as the `Lỗi` sheet shows it
    codes: tuple[str, ...]  # one of these
    sheet: str | None = None
    cell: str | None = None
    replaced: tuple[str, ...] = ()  # units whose demo return this input takes the place of
    elements: tuple[str, ...] = ()  # appendix rows it may change
    flagged: tuple[str, ...] = ()  # units whose return now has problems ("Đúng hạn, có vấn đề")


def _seed_return(plan, unit: str, folder: Path, **changes) -> bytes:
    """A unit's seed return, as bytes (``changes``: element code -> entry)."""
    entries = {**seed_entries(plan)[unit], **changes}
    folder.mkdir(parents=True, exist_ok=True)
    return make_return(plan, unit, folder / f"_{unit}.xlsx", entries).read_bytes()


def _put(path: Path, data: bytes, when=EARLIER) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def _drop_demo_return(inbox: Path, unit: str) -> None:
    for path in inbox.glob(f"{PERIOD}_{unit}_*"):
        path.unlink()


def last_cell_of_data_sheet(plan, inbox, scratch):
    _put(inbox / "stp-o-cuoi.xlsx", hostile.with_last_cell(_seed_return(plan, "STP", scratch), layout.DATA_SHEET))
    return Hostile("stp-o-cuoi.xlsx", ("sheet-too-large",), layout.DATA_SHEET, hostile.LAST_CELL)


def last_cell_of_meta_sheet(plan, inbox, scratch):
    _put(inbox / "stp-meta-o-cuoi.xlsx", hostile.with_last_cell(_seed_return(plan, "STP", scratch), layout.META_SHEET))
    return Hostile("stp-meta-o-cuoi.xlsx", ("sheet-too-large",), layout.META_SHEET, hostile.LAST_CELL)


def strings_count_10_11(plan, inbox, scratch):
    _put(inbox / "stp-1e11-chuoi.xlsx", hostile.with_string_count(_seed_return(plan, "STP", scratch), 10 ** 11))
    return Hostile("stp-1e11-chuoi.xlsx", ("too-many-strings",))


def strings_count_2_64(plan, inbox, scratch):
    _put(inbox / "stp-2e64-chuoi.xlsx", hostile.with_string_count(_seed_return(plan, "STP", scratch), 2 ** 64 - 1))
    return Hostile("stp-2e64-chuoi.xlsx", ("too-many-strings",))


def one_long_string_in_thousands_of_cells(plan, inbox, scratch):
    data = hostile.with_long_shared_string(_seed_return(plan, "STP", scratch), layout.DATA_SHEET)
    assert len(data) < 5 * hostile.MB
    _put(inbox / "stp-chuoi-dai.xlsx", data)
    return Hostile("stp-chuoi-dai.xlsx", ("too-many-strings", "sheet-too-large"))


def zip64_with_a_bomb_after_65535_members(plan, inbox, scratch):
    data = hostile.zip64_hidden_bomb(_seed_return(plan, "STP", scratch))
    assert len(data) <= 20 * hostile.MB and data[-22:-18] == b"PK\x05\x06" and data[-12:-10] == b"\xff\xff"
    _put(inbox / "stp-zip64.xlsx", data)
    return Hostile("stp-zip64.xlsx", ("zip-bomb",))


def encrypted_xls(plan, inbox, scratch):
    _put(inbox / "bao-cao-mat-khau.xls", hostile.encrypted_xls())
    return Hostile("bao-cao-mat-khau.xls", ("password-protected",))


def encrypted_ods(plan, inbox, scratch):
    _put(inbox / "bao-cao-mat-khau.ods", hostile.encrypted_ods())
    return Hostile("bao-cao-mat-khau.ods", ("password-protected",))


def docx_named_xlsx(plan, inbox, scratch):
    _put(inbox / "cong-van.xlsx", hostile.word_docx())
    return Hostile("cong-van.xlsx", ("word-document",))


def doc_named_xls(plan, inbox, scratch):
    _put(inbox / "cong-van.xls", hostile.word_97_document())
    return Hostile("cong-van.xls", ("word-document",))


def html_named_xls(plan, inbox, scratch):
    _put(inbox / "xuat-tu-phan-mem.xls", hostile.html_table_xls())
    return Hostile("xuat-tu-phan-mem.xls", ("html-or-xml-workbook",))


def spreadsheetml_named_xls(plan, inbox, scratch):
    _put(inbox / "excel-2003-xml.xls", hostile.spreadsheetml_2003())
    return Hostile("excel-2003-xml.xls", ("html-or-xml-workbook",))


def far_cell_in_an_xls(plan, inbox, scratch):
    _put(inbox / "stp-o-cuoi.xls", hostile.xls_with_far_cell())
    return Hostile("stp-o-cuoi.xls", ("sheet-too-large",), layout.DATA_SHEET, "IV65536")


def repeated_cells_in_an_ods(plan, inbox, scratch):
    _put(inbox / "stp-lap-lai.ods", hostile.ods_with_repeated_cells())
    return Hostile("stp-lap-lai.ods", ("sheet-too-large",), layout.DATA_SHEET, "ALL100000")


def binary_workbook(plan, inbox, scratch):
    _put(inbox / "stp-nhi-phan.xlsb", hostile.xlsb_workbook())
    return Hostile("stp-nhi-phan.xlsb", ("binary-workbook",))


def _changed_syt(plan, scratch) -> bytes:
    """SYT's return with another figure: read by mistake, it would show in the appendix."""
    return _seed_return(plan, "SYT", scratch / "changed", **{"MT4.CT3": entry(value=31)})


def hidden_file(plan, inbox, scratch):
    _put(inbox / ".syt-ban-nhap.xlsx", _changed_syt(plan, scratch), LATER)
    return Hostile(".syt-ban-nhap.xlsx", ("hidden-file",))


def office_lock_file(plan, inbox, scratch):
    _put(inbox / "~$bao-cao.xlsx", hostile.office_lock_file())
    return Hostile("~$bao-cao.xlsx", ("office-lock-file",))


def _symlink(link: Path, target: Path, directory: bool = False) -> None:
    try:
        os.symlink(target, link, target_is_directory=directory)
    except (OSError, NotImplementedError) as exc:
        pytest.skip(f"this system cannot make a symbolic link: {exc}")


def symlink_to_a_file_outside(plan, inbox, scratch):
    target = _put(scratch / "ngoai" / "syt.xlsx", _changed_syt(plan, scratch), LATER)
    _symlink(inbox / "lien-ket.xlsx", target)
    return Hostile("lien-ket.xlsx", ("symbolic-link",))


def symlink_to_a_folder_outside(plan, inbox, scratch):
    outside = scratch / "thu-muc-ngoai"
    outside.mkdir(parents=True, exist_ok=True)
    data = _seed_return(plan, "SNV", scratch / "changed", **{"MT1.CT2": entry(50, 93)})
    _put(outside / "snv.xlsx", data, LATER)
    _symlink(inbox / "thu-muc-lien-ket", outside, directory=True)
    return Hostile("thu-muc-lien-ket", ("symbolic-link",))


def fifo(plan, inbox, scratch):
    if not hasattr(os, "mkfifo"):
        pytest.skip("this system has no FIFOs")
    os.mkfifo(inbox / "bao-cao-fifo.xlsx")
    return Hostile("bao-cao-fifo.xlsx", ("not-a-regular-file",))


HOSTILE = [
    last_cell_of_data_sheet, last_cell_of_meta_sheet, strings_count_10_11, strings_count_2_64,
    one_long_string_in_thousands_of_cells, zip64_with_a_bomb_after_65535_members, encrypted_xls, encrypted_ods,
    docx_named_xlsx, doc_named_xls, html_named_xls, spreadsheetml_named_xls,
    hidden_file, office_lock_file, symlink_to_a_file_outside, symlink_to_a_folder_outside, fifo,
    far_cell_in_an_xls, repeated_cells_in_an_ods, binary_workbook,
]


# ---------------------------------------------------------------------------------------------
# Fixtures and the common verdict.

@pytest.fixture(scope="session")
def demo_returns(tmp_path_factory, plan) -> Path:
    folder = tmp_path_factory.mktemp("demo-returns") / "inbox"
    hostile.demo_inbox(plan, folder, PERIOD)
    return folder


@pytest.fixture
def inbox(tmp_path, demo_returns) -> Path:
    target = tmp_path / "inbox"
    shutil.copytree(demo_returns, target)  # copy2: the sending times stay
    return target


def assert_survived(plan, run: Run, out: Path, case: Hostile, exit_status: int = 1) -> None:
    """The batch survived: in time, in memory, no traceback, the workbook written with every other
    unit's figures, and the hostile input listed with its code."""
    assert not run.timed_out and run.seconds < MAX_COMMAND_SECONDS, f"too slow: {run}"
    assert "Traceback" not in run.stdout + run.stderr, f"a traceback: {run}"
    assert run.rc == exit_status, f"exit status {run.rc}, expected {exit_status}: {run}"
    assert out.is_file(), f"no workbook written: {run}"
    if run.peak is not None:
        assert run.peak < MAX_PEAK, f"peak memory {run.peak / 1024 ** 2:.0f} MB: {run}"
    listed = problems_of(out, case.name)
    assert [r for r in listed if r["Mã lỗi"] in case.codes], (
        f"{case.name} is not on the Lỗi sheet with {' or '.join(case.codes)}; rows about it: {listed}")
    if case.sheet is not None or case.cell is not None:
        places = {(r["Trang"], r["Ô"]) for r in listed if r["Mã lỗi"] in case.codes}
        assert (case.sheet, case.cell) in places, places
    shown = appendix(plan, out)
    touched = set(case.elements) | {code for unit in case.replaced for code in seed_entries(plan)[unit]}
    wrong = {code: (shown[code], text) for code, text in APPENDIX.items()
             if code not in touched and shown[code] != text}
    assert not wrong, f"figures changed (shown, expected): {wrong}"
    status = statuses(out)
    expected = {unit: f"{ON_TIME}, có vấn đề" if unit in case.flagged else ON_TIME
                for unit in seed_entries(plan) if unit not in case.replaced}
    assert {unit: status[unit]["Tình trạng"] for unit in expected} == expected


def assert_answered_alone(plan, builder, tmp_path: Path, scratch: Path) -> Run:
    """The input alone in an inbox: ``bdg ingest`` answers it with its code within 10 s."""
    alone = tmp_path / "alone"
    alone.mkdir()
    case = builder(plan, alone, scratch)
    run = run_measured(["ingest", alone, "--store", tmp_path / "alone.sqlite"], MAX_ANSWER_SECONDS + 10)
    assert not run.timed_out and run.seconds < MAX_ANSWER_SECONDS, f"{case.name} alone: too slow: {run}"
    assert "Traceback" not in run.stdout + run.stderr, f"{case.name} alone: {run}"
    assert any(f"({code})" in run.stdout for code in case.codes), f"{case.name} alone: not answered: {run}"
    return run


# ---------------------------------------------------------------------------------------------
# The tests.

@pytest.mark.parametrize("builder", HOSTILE, ids=[b.__name__ for b in HOSTILE])
def test_a_batch_survives_a_hostile_input(plan, inbox, tmp_path, builder):
    case = builder(plan, inbox, tmp_path / "scratch")
    out = tmp_path / "tong-hop.xlsx"
    run = consolidate(inbox, out, tmp_path / "store.sqlite")
    assert_survived(plan, run, out, case)
    assert_answered_alone(plan, builder, tmp_path, tmp_path / "scratch-alone")


# Numbers far outside any plausible range, in SNV's return (which replaces its demo return):
# (case id, element code, column key, the cell's XML content, its type attribute, code).
NUMBERS = [
    ("1E+18-numerator", "MT1.CT2", "numerator", "<v>1E+18</v>", None, "number-too-large"),
    ("1E+26-denominator", "MT1.CT2", "denominator", "<v>1E+26</v>", None, "number-too-large"),
    ("INF-in-a-numeric-value-cell", "MT7.CT3", "value", "<v>INF</v>", None, "number-too-large"),
    ("NaN-in-a-numeric-denominator-cell", "MT1.CT2", "denominator", "<v>NaN</v>", None, "not-a-number"),
    ("inf-typed-as-text-value", "MT7.CT3", "value", "<is><t>inf</t></is>", "inlineStr", "not-a-number"),
    ("NaN-typed-as-text-numerator", "MT1.CT2", "numerator", "<is><t>NaN</t></is>", "inlineStr", "not-a-number"),
]


def _numbers_builder(code, key, inner, cell_type, expected):
    def build(plan, inbox, scratch):
        scratch.mkdir(parents=True, exist_ok=True)
        source = make_return(plan, "SNV", scratch / "snv.xlsx", seed_entries(plan)["SNV"])
        ws = openpyxl.load_workbook(source)[layout.DATA_SHEET]
        cell = f"{get_column_letter(layout.COLUMN_INDEX[key] + 1)}{row_of(ws, code)}"
        data = hostile.with_cell(source.read_bytes(), layout.DATA_SHEET, cell, inner, cell_type)
        _drop_demo_return(inbox, "SNV")
        _put(inbox / "snv-so-la.xlsx", data, SENT_ON)
        return Hostile("snv-so-la.xlsx", (expected,), layout.DATA_SHEET, cell, elements=(code,), flagged=("SNV",))
    return build


@pytest.mark.parametrize("code, key, inner, cell_type, expected", [n[1:] for n in NUMBERS],
                         ids=[n[0] for n in NUMBERS])
def test_absurd_numbers_are_refused_and_the_store_stays_usable(plan, inbox, tmp_path, code, key, inner, cell_type,
                                                               expected):
    builder = _numbers_builder(code, key, inner, cell_type, expected)
    case = builder(plan, inbox, tmp_path / "scratch")
    out, store = tmp_path / "tong-hop.xlsx", tmp_path / "store.sqlite"
    assert_survived(plan, consolidate(inbox, out, store), out, case)
    rows = problems_of(out, case.name)
    assert {r["Mã lỗi"] for r in rows} == {expected}, rows  # the rest of SNV's return was read, and clean
    again = tmp_path / "tong-hop-lan-2.xlsx"
    assert_survived(plan, consolidate(inbox, again, store), again, case)
    assert_answered_alone(plan, builder, tmp_path, tmp_path / "scratch-alone")


@pytest.mark.skipif(os.name == "nt", reason="Windows file names are Unicode: a name that is not UTF-8 cannot exist")
def test_a_file_name_that_is_not_utf8_is_ingested(plan, inbox, tmp_path):
    data = next(inbox.glob(f"{PERIOD}_SYT_*")).read_bytes()
    _drop_demo_return(inbox, "SYT")
    raw = os.path.join(os.fsencode(inbox), b"bao-cao-\xe0\xe1.xlsx")
    try:
        with open(raw, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        pytest.skip(f"this file system refuses names that are not UTF-8: {exc}")
    os.utime(raw, (SENT_ON.timestamp(), SENT_ON.timestamp()))
    shown = "bao-cao-\ufffd\ufffd.xlsx"
    out = tmp_path / "tong-hop.xlsx"
    run = consolidate(inbox, out, tmp_path / "store.sqlite")
    assert not run.timed_out and run.seconds < MAX_COMMAND_SECONDS, str(run)
    assert "Traceback" not in run.stdout + run.stderr, str(run)
    assert run.rc == 0 and out.is_file(), str(run)  # nothing is wrong: every unit sent a clean return
    if run.peak is not None:
        assert run.peak < MAX_PEAK, str(run)
    syt = statuses(out)["SYT"]
    assert (syt["Tình trạng"], syt["Tệp"]) == (ON_TIME, shown)
    shown_figures = appendix(plan, out)
    assert {code: shown_figures[code] for code in APPENDIX} == APPENDIX
    alone = tmp_path / "alone"
    alone.mkdir()
    with open(os.path.join(os.fsencode(alone), b"bao-cao-\xe0\xe1.xlsx"), "wb") as handle:
        handle.write(data)
    run = run_measured(["ingest", alone, "--store", tmp_path / "alone.sqlite"], MAX_ANSWER_SECONDS + 10)
    assert run.rc == 0 and run.seconds < MAX_ANSWER_SECONDS and "Traceback" not in run.stdout + run.stderr, str(run)
    assert f"{shown}: đã nhận (SYT, kỳ {PERIOD})" in run.stdout, str(run)


def test_a_blank_template_sent_back_is_an_empty_return(plan, inbox, tmp_path):
    def build(plan, inbox, scratch):
        _drop_demo_return(inbox, "SLDTBXH")
        scratch.mkdir(parents=True, exist_ok=True)
        _put(inbox / "sldtbxh-bieu-trong.xlsx", make_return(plan, "SLDTBXH", scratch / "blank.xlsx").read_bytes(),
             SENT_ON)
        return Hostile("sldtbxh-bieu-trong.xlsx", ("empty-return",), replaced=("SLDTBXH",))

    case = build(plan, inbox, tmp_path / "scratch")
    out = tmp_path / "tong-hop.xlsx"
    assert_survived(plan, consolidate(inbox, out, tmp_path / "store.sqlite"), out, case)
    status = statuses(out)["SLDTBXH"]["Tình trạng"]
    assert status != ON_TIME and "Gửi biểu trống" in status, status
    assert appendix(plan, out)["MT7.CT4"] == "Chưa có số liệu"
    assert_answered_alone(plan, build, tmp_path, tmp_path / "scratch-alone")


# bdg with a bug planted in the check of one file (named by FAIL_ON): our own error, not the unit's.
FAILING_CHECK = """
import os, sys
import bdg_excel.returns as returns
real = returns.check_entry
def broken(element, entry, cells, where):
    if where.file == os.environ["FAIL_ON"]:
        raise RuntimeError("a bug planted by the test")
    return real(element, entry, cells, where)
returns.check_entry = broken
from bdg_excel.cli import cli
cli(sys.argv[1:], prog_name="bdg")
"""


def test_an_internal_error_on_one_file_is_ours_logged_and_the_rest_goes_on(plan, inbox, tmp_path):
    name = "syt-lam-loi-chuong-trinh.xlsx"
    _put(inbox / name, _changed_syt(plan, tmp_path / "scratch"))
    case = Hostile(name, ("internal-error",))
    env = {"FAIL_ON": name}
    out, store = tmp_path / "tong-hop.xlsx", tmp_path / "kho" / "store.sqlite"
    run = consolidate(inbox, out, store, env=env, script=FAILING_CHECK)
    assert_survived(plan, run, out, case)
    rows = [r for r in problems_of(out, name) if r["Mã lỗi"] == "internal-error"]
    assert all("lỗi của chương trình" in r["Nội dung"].lower() for r in rows), rows
    log = store.parent / "bdg-errors.log"
    assert log.is_file(), f"no {log}: {run}"
    text = log.read_text("utf-8", "replace")
    assert "Traceback" in text and "RuntimeError" in text, text[-2000:]
    verbose = consolidate(inbox, tmp_path / "tong-hop-2.xlsx", tmp_path / "kho-2" / "store.sqlite", "--verbose",
                          env=env, script=FAILING_CHECK)
    assert verbose.rc == 1 and (tmp_path / "tong-hop-2.xlsx").is_file(), str(verbose)
    assert "Traceback" in verbose.stderr and "RuntimeError" in verbose.stderr, str(verbose)
    assert "Traceback" not in verbose.stdout, str(verbose)


def test_empty_styled_cells_to_column_amj_as_libreoffice_writes_them_are_no_problem(plan, tmp_path):
    """LibreOffice (5.x) saves a formatted row with an empty styled cell in its last column, AMJ
    (1,024) – as exceljs's test-issue-176.xlsx of the real-world corpus shows: a sheet of a few rows
    that wide is a real return, not a sheet too large."""
    from bdg_excel.returns import read_return
    from bdg_excel.submission import ACCEPTED

    def widen(xml: str) -> str:
        xml = re.sub(r'<dimension ref="A1:J(\d+)"/>', r'<dimension ref="A1:AMJ\1"/>', xml, count=1)
        return re.sub(r'<row r="(\d+)"(.*?)</row>', r'<row r="\1"\2<c r="AMJ\1" s="0"/></row>', xml, flags=re.S)

    data = hostile.edit_sheet(_seed_return(plan, "SNV", tmp_path), layout.DATA_SHEET, widen)
    members = hostile.parts(data)
    assert members[hostile.sheet_part(members, layout.DATA_SHEET)].count(b's="0"/></row>') > 10
    submission = read_return(data, "snv-libreoffice.xlsx", plan)
    assert (submission.status, [p.code for p in submission.problems]) == (ACCEPTED, [])
    assert len([f for f in submission.figures if f.usable]) == len(seed_entries(plan)["SNV"])
