"""Read a returned workbook into a submission: who sent it, for which period, and every figure.

Rows are found by their code in the ``Mã`` column and columns by their headers, so inserted,
deleted, re-sorted or hidden rows and columns do not change what is read.
"""
from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineWorkbook

from bdg_excel import container, layout
from bdg_excel.container import Refused
from bdg_excel.checks import Where, check_entry, read_number
from bdg_excel.figures import Entry
from bdg_excel.plan import Plan, PlanError
from bdg_excel.problems import Problem, cell_name, column_letter, error, warning

ACCEPTED, WITH_PROBLEMS, REJECTED = "accepted", "accepted-with-problems", "rejected"
STATUS_LABELS = {ACCEPTED: "đã nhận", WITH_PROBLEMS: "đã nhận, có vấn đề", REJECTED: "bị từ chối"}
CODE_LIKE = re.compile(r"MT\d+\.\S*", re.I)
REQUIRED_HEADERS = ("code", "numerator", "denominator", "value")


@dataclass(frozen=True)
class Figure:
    """One data element as read: the entry, the cells it came from, and whether it can be used."""

    code: str
    entry: Entry
    sheet: str
    cells: dict[str, str]
    usable: bool


@dataclass
class Submission:
    """One returned file: its identity, its figures and its problems."""

    name: str
    sha256: str
    size: int
    unit: str | None = None
    period: str | None = None
    plan_id: str | None = None
    plan_version: str | None = None
    figures: list[Figure] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rejected: bool = False

    @property
    def status(self) -> str:
        if self.rejected:
            return REJECTED
        return WITH_PROBLEMS if self.problems else ACCEPTED

    def reject(self, code: str, message: str, **where: str) -> None:
        self.problems.append(error(code, message, file=self.name, **where))
        self.rejected = True


def read_file(path: str | Path, plan: Plan, period: str | None = None) -> Submission:
    """Read and validate one returned file from disk (it is never modified)."""
    path = Path(path)
    if path.stat().st_size > container.MAX_FILE_BYTES:
        return too_large(path)
    return read_return(path.read_bytes(), path.name, plan, period)


def too_large(path: Path) -> Submission:
    """A rejected submission for a file too large to open (hashed without loading it whole)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    size = path.stat().st_size
    submission = Submission(path.name, digest.hexdigest(), size)
    try:
        container.check_size(size)
    except Refused as refused:
        submission.reject(refused.code, str(refused))
    return submission


def read_return(data: bytes, name: str, plan: Plan, period: str | None = None) -> Submission:
    """Read and validate the bytes of one returned workbook."""
    submission = Submission(name, hashlib.sha256(data).hexdigest(), len(data))
    try:
        _read(data, submission, plan, period)
    except Refused as refused:
        submission.reject(refused.code, str(refused), **refused.where)
    except Exception:  # noqa: BLE001 - a damaged file must never stop the batch: whatever breaks on it is damage
        submission.problems.clear()
        submission.figures.clear()
        submission.reject(*container.CORRUPT)
    return submission


def _read(data: bytes, submission: Submission, plan: Plan, period: str | None) -> None:
    container.check_size(len(data))
    is_zip = container.kind_of(data) == container.ZIP
    if is_zip:
        container.check_zip(data)
    workbook = _open(data)
    meta = _metadata(workbook, data if is_zip else None)
    sheet_name, rows, header_row, columns = _find_table(workbook)
    if meta is None:
        meta = _identity_from_header(rows[:header_row], plan)
        submission.problems.append(warning(
            "metadata-missing", "Không tìm thấy thông tin nhận dạng của biểu (có thể số liệu đã được chép sang tệp "
                                "khác); đã nhận dạng đơn vị và kỳ báo cáo theo phần đầu biểu.",
            file=submission.name, sheet=sheet_name))
    _check_identity(meta, plan, period, submission)
    formulas = (container.formulas_without_result(container.open_zip(data), sheet_name)
                if is_zip and _incomplete_rows(rows, header_row, columns) else set())
    _read_rows(rows, header_row, columns, sheet_name, formulas, plan, submission)


def _incomplete_rows(rows: list[list], header_row: int, columns: dict[str, int]) -> bool:
    """True when some data row lacks a numerator or denominator: only then can a formula without
    a result hide a figure, so only then is the sheet's XML searched for one."""
    needed = (columns["numerator"], columns["denominator"])
    code_col = columns["code"]
    for row in rows[header_row + 1:]:
        if code_col < len(row) and isinstance(row[code_col], str) and CODE_LIKE.fullmatch(row[code_col].strip()):
            if any(col >= len(row) or row[col] in ("", None) for col in needed):
                return True
    return False


def _open(data: bytes) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises many unrelated types for broken files
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise Refused("password-protected", "Tệp được đặt mật khẩu nên không mở được. Hãy gỡ mật khẩu rồi gửi lại.")
        raise Refused("corrupt-file", "Tệp bảng tính bị hỏng, không đọc được; hãy đề nghị đơn vị lưu lại và gửi lại.")


def _sheet_rows(workbook: CalamineWorkbook, name: str) -> list[list]:
    try:
        return workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception:  # a sheet calamine cannot parse is a broken file
        raise Refused("corrupt-file", f"Không đọc được trang '{name}' của tệp; tệp có thể bị hỏng.", sheet=name)


def _metadata(workbook: CalamineWorkbook, zip_data: bytes | None) -> dict[str, str] | None:
    """The identity written into the template: the _meta sheet, else the custom properties."""
    if layout.META_SHEET in workbook.sheet_names:
        rows = _sheet_rows(workbook, layout.META_SHEET)
        meta = {str(r[0]).strip(): _text(r[1]) for r in rows if len(r) >= 2 and r[0] in layout.META_KEYS}
        if all(k in meta for k in layout.META_KEYS[:5]):
            return meta
    if zip_data is not None:
        props = container.custom_properties(container.open_zip(zip_data))
        meta = {k: props[layout.PROPERTY_PREFIX + k] for k in layout.META_KEYS if layout.PROPERTY_PREFIX + k in props}
        if all(k in meta for k in layout.META_KEYS[:5]):
            return meta
    return None


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _find_table(workbook: CalamineWorkbook) -> tuple[str, list[list], int, dict[str, int]]:
    """The sheet with the data table, its rows, the header row index and the columns by key."""
    names = [n for n in workbook.sheet_names if n != layout.META_SHEET]
    names.sort(key=lambda n: n != layout.DATA_SHEET)
    wanted = {layout.normalise(c.header): c.key for c in layout.COLUMNS}
    longest = max(len(h) for h in wanted) + 10
    for name in names:
        rows = _sheet_rows(workbook, name)
        for index, row in enumerate(rows[:60]):
            columns = {}
            for col, value in enumerate(row):
                key = (wanted.get(layout.normalise(value))
                       if isinstance(value, str) and 0 < len(value) < longest else None)
                if key and key not in columns:
                    columns[key] = col
            if "code" in columns and "numerator" in columns:
                missing = [layout.HEADER[k] for k in REQUIRED_HEADERS if k not in columns]
                if missing:
                    raise Refused("missing-column", f"Thiếu cột {', '.join(repr(m) for m in missing)} trong bảng số liệu.",
                                    sheet=name, cell=cell_name(index, 0))
                return name, rows, index, columns
    raise Refused("no-data-table", "Không tìm thấy bảng số liệu (dòng tiêu đề có cột 'Mã', 'Tử số', 'Mẫu số', 'Giá trị'). "
                                     "Tệp có phải là biểu thu thập số liệu bình đẳng giới không?")


def _identity_from_header(rows: list[list], plan: Plan) -> dict[str, str]:
    """Read the visible header block (label, then value to its right) when the metadata is gone."""
    found = {}
    labels = {layout.normalise(label): label for label in layout.HEADER_BLOCK}
    for row in rows:
        cells = [c for c in row if c not in ("", None)]
        for position, value in enumerate(cells[:-1]):
            label = labels.get(layout.normalise(value)) if isinstance(value, str) else None
            if label:
                found[label] = _text(cells[position + 1])
    unit = found.get(layout.LABEL_UNIT_CODE, "")
    if not plan.unit(unit):
        by_name = {layout.normalise(u.name): u.code for u in plan.units}
        unit = by_name.get(layout.normalise(found.get(layout.LABEL_UNIT, "")), "")
    if not unit:
        raise Refused("unit-unidentified", "Không xác định được đơn vị gửi báo cáo: biểu không còn thông tin nhận dạng "
                                             "và phần đầu biểu không ghi tên hay mã đơn vị có trong kế hoạch.")
    same_plan = layout.normalise(found.get(layout.LABEL_PLAN, "")) == layout.normalise(plan.info.title)
    return {
        "plan_id": plan.info.id if same_plan else found.get(layout.LABEL_PLAN, "?"),
        "plan_version": plan.version,
        "period": found.get(layout.LABEL_PERIOD_CODE, ""),
        "unit": unit,
        "format_version": layout.FORMAT_VERSION,
    }


def _check_identity(meta: dict[str, str], plan: Plan, period: str | None, submission: Submission) -> None:
    submission.unit = meta["unit"] or None
    submission.period = meta["period"] or None
    submission.plan_id, submission.plan_version = meta["plan_id"], meta["plan_version"]
    if meta["format_version"] not in layout.KNOWN_FORMAT_VERSIONS:
        raise Refused("unknown-template-format", f"Mẫu biểu phiên bản '{meta['format_version']}' không được hỗ trợ "
                                                   f"(phiên bản hỗ trợ: {', '.join(layout.KNOWN_FORMAT_VERSIONS)}).")
    if meta["plan_id"] != plan.info.id:
        raise Refused("wrong-plan", f"Biểu thuộc kế hoạch '{meta['plan_id']}', không phải kế hoạch '{plan.info.id}'.")
    if meta["plan_version"] != plan.version:
        raise Refused("wrong-plan-version", f"Biểu được tạo từ phiên bản kế hoạch '{meta['plan_version']}', "
                                              f"khác phiên bản hiện hành '{plan.version}'; hãy gửi đơn vị biểu mới.")
    try:
        plan.period(meta["period"])
    except PlanError as exc:
        raise Refused("wrong-period", str(exc)) from None
    if period and meta["period"] != period:
        raise Refused("wrong-period", f"Biểu của kỳ '{meta['period']}', không phải kỳ đang tổng hợp '{period}'.")
    if plan.unit(meta["unit"]) is None:
        raise Refused("unknown-unit", f"Mã đơn vị '{meta['unit']}' không có trong kế hoạch.")
    if not plan.elements_for(meta["unit"]):
        raise Refused("unit-not-expected", f"Đơn vị '{meta['unit']}' không được phân công báo cáo số liệu nào.")


def _read_rows(rows, header_row, columns, sheet_name, formulas, plan: Plan, submission: Submission) -> None:
    where = Where(submission.name, sheet_name)
    expected = {e.code: e for e in plan.elements_for(submission.unit)}
    seen: dict[str, str] = {}
    code_col = columns["code"]
    for index in range(header_row + 1, len(rows)):
        row = rows[index]
        raw_code = row[code_col] if code_col < len(row) else ""
        code = raw_code.strip() if isinstance(raw_code, str) else ""
        code_cell = cell_name(index, code_col)
        if not CODE_LIKE.fullmatch(code):
            continue
        if code in seen:
            submission.problems.append(where.error("duplicate-code", f"Mã '{code}' xuất hiện hai lần "
                                                   f"(đã có ở ô {seen[code]}); chỉ đọc dòng đầu tiên.", code_cell))
            continue
        seen[code] = code_cell
        element = expected.get(code)
        if element is None:
            message = (f"Số liệu '{code}' không thuộc phần việc của đơn vị này." if plan.element(code)
                       else f"Mã '{code}' không có trong kế hoạch.")
            submission.problems.append(where.error("unknown-code", message, code_cell))
            continue
        submission.figures.append(_figure(element, row, index, columns, sheet_name, formulas, where, submission))
    for code in expected:
        if code not in seen:
            submission.problems.append(where.error("missing-row", f"Thiếu dòng của số liệu '{code}' "
                                                   f"({expected[code].label}).", ""))


def _figure(element, row, index, columns, sheet_name, formulas, where: Where, submission: Submission) -> Figure:
    cells, numbers, problems = {}, {}, []
    for key in ("numerator", "denominator", "value"):
        col = columns[key]
        cells[key] = f"{column_letter(col)}{index + 1}"
        raw = row[col] if col < len(row) else ""
        whole = element.whole_numbers and key != "value"
        numbers[key], found = read_number(raw, whole, key, cells[key], where, cells[key] in formulas)
        problems += found
    note_col = columns.get("note")
    note = _text(row[note_col]) if note_col is not None and note_col < len(row) and row[note_col] not in ("", None) else ""
    entry = Entry(numbers["numerator"], numbers["denominator"], numbers["value"], note)
    if not [p for p in problems if p.is_error]:
        problems += check_entry(element, entry, cells, where)
    submission.problems += problems
    usable = not any(p.is_error for p in problems) and not entry.is_empty
    return Figure(element.code, entry, sheet_name, cells, usable)
