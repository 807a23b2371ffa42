"""Read a returned workbook into a submission: who sent it, for which period, and every figure.

Rows are found by their code in the ``Mã`` column and columns by their headers, so inserted,
deleted, re-sorted or hidden rows and columns do not change what is read.
"""
from __future__ import annotations

import hashlib
import io
import re
import traceback
from pathlib import Path

from python_calamine import CalamineWorkbook

from bdg_excel import container, layout
from bdg_excel.container import Refused
from bdg_excel.checks import Where, check_entry, read_number
from bdg_excel.figures import Entry
from bdg_excel.filenames import shown_name
from bdg_excel.plan import Plan, PlanError
from bdg_excel.problems import Problem, cell_name, column_letter, problem
from bdg_excel.submission import Figure, Submission

CODE_LIKE = re.compile(r"MT\d+\.\S*", re.I)
REQUIRED_HEADERS = ("code", "numerator", "denominator", "value")


def read_file(path: str | Path, plan: Plan, period: str | None = None) -> Submission:
    """Read and validate one returned file from disk (it is never modified)."""
    path = Path(path)
    if path.stat().st_size > container.MAX_FILE_BYTES:
        return too_large(path)
    return read_return(path.read_bytes(), shown_name(path), plan, period)


def too_large(path: Path) -> Submission:
    """A rejected submission for a file too large to open (hashed without loading it whole)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    size = path.stat().st_size
    submission = Submission(shown_name(path), digest.hexdigest(), size)
    try:
        container.check_size(size)
    except Refused as refused:
        submission.reject(refused.problem(submission.name))
    return submission


def read_return(data: bytes, name: str, plan: Plan, period: str | None = None) -> Submission:
    """Read and validate the bytes of one returned workbook."""
    submission = Submission(name, hashlib.sha256(data).hexdigest(), len(data))
    try:
        _read(data, submission, plan, period)
    except Refused as refused:
        submission.reject(refused.problem(submission.name))
    except Exception:  # noqa: BLE001 - our own bug: reported as ours, and the batch goes on
        submission.problems.clear()
        submission.figures.clear()
        submission.failure = traceback.format_exc()
    return submission


def _read(data: bytes, submission: Submission, plan: Plan, period: str | None) -> None:
    container.check_size(len(data))
    kind = container.kind_of(data)
    archive = container.check_zip(data) if kind == container.ZIP else None
    if kind == container.OLE:
        container.check_ole(data)
    workbook = _open(data)
    meta = _metadata(workbook, archive)
    sheet_name, rows, header_row, columns = _find_table(workbook)
    if meta is None:
        meta = _identity_from_header(rows[:header_row], plan)
        submission.problems.append(problem("metadata-missing", file=submission.name, sheet=sheet_name))
    changed = _check_identity(meta, plan, period, submission)
    formulas = (container.formulas_without_result(archive, sheet_name)
                if archive and _incomplete_rows(rows, header_row, columns) else set())
    _read_rows(rows, header_row, columns, sheet_name, formulas, changed, plan, submission)
    if _is_blank(submission):
        submission.reject(Refused("empty-return", sheet=sheet_name).problem(submission.name))


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


def _is_blank(submission: Submission) -> bool:
    """True when nothing at all was typed into the return (the blank template sent back)."""
    typed = any(not f.entry.is_empty or f.entry.note for f in submission.figures)
    return not typed and not any(p.cell for p in submission.problems)


def _open(data: bytes) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine raises unrelated types, and Rust panics, on broken files
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise Refused("password-protected") from None
        raise container.corrupt() from None


def _sheet_rows(workbook: CalamineWorkbook, name: str) -> list[list]:
    try:
        return workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: BLE001 - a sheet calamine cannot parse (or panics on) is a broken file
        raise container.corrupt(f", không đọc được trang '{name}'", sheet=name) from None


def _metadata(workbook: CalamineWorkbook, archive: container.Archive | None) -> dict[str, str] | None:
    """The identity written into the template: the _meta sheet, else the custom properties."""
    if layout.META_SHEET in workbook.sheet_names:
        rows = _sheet_rows(workbook, layout.META_SHEET)
        meta = {str(r[0]).strip(): _text(r[1]) for r in rows
                if len(r) >= 2 and (r[0] in layout.META_KEYS or str(r[0]).startswith(layout.ELEMENT_KEY))}
        if all(k in meta for k in layout.META_KEYS[:5]):
            return meta
    if archive is not None:
        props = container.custom_properties(archive)
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
                    raise Refused("missing-column", columns=", ".join(repr(m) for m in missing),
                                  sheet=name, cell=cell_name(index, 0))
                return name, rows, index, columns
    raise Refused("no-data-table")


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
        raise Refused("unit-unidentified")
    same_plan = layout.normalise(found.get(layout.LABEL_PLAN, "")) == layout.normalise(plan.info.title)
    return {
        "plan_id": plan.info.id if same_plan else found.get(layout.LABEL_PLAN, "?"),
        "plan_version": plan.version,
        "period": found.get(layout.LABEL_PERIOD_CODE, ""),
        "unit": unit,
        "format_version": layout.FORMAT_VERSION,
    }


def _check_identity(meta: dict[str, str], plan: Plan, period: str | None, submission: Submission) -> dict[str, str]:
    """Refuse a file that is not a return of this plan, period and unit; the rows whose meaning
    changed since the plan version the return was made from (code -> what changed)."""
    submission.unit = meta["unit"] or None
    submission.period = meta["period"] or None
    submission.plan_id, submission.plan_version = meta["plan_id"], meta["plan_version"]
    if meta["format_version"] not in layout.KNOWN_FORMAT_VERSIONS:
        raise Refused("unknown-template-format", found=meta["format_version"],
                      known=", ".join(layout.KNOWN_FORMAT_VERSIONS))
    if meta["plan_id"] != plan.info.id:
        raise Refused("wrong-plan", found=meta["plan_id"], expected=plan.info.id)
    try:
        plan.period(meta["period"])
    except PlanError:
        raise Refused("wrong-period", found=meta["period"],
                      expected=f"một kỳ của kế hoạch ({', '.join(p.code for p in plan.periods)})") from None
    if period and meta["period"] != period:
        raise Refused("wrong-period", found=meta["period"], expected=f"kỳ đang tổng hợp '{period}'")
    unit = plan.unit(meta["unit"])
    if unit is None:
        raise Refused("unknown-unit", unit=meta["unit"])
    submission.unit = unit.code
    if not plan.elements_for(unit.code):
        raise Refused("unit-not-expected", unit=unit.code)
    if meta["plan_version"] == plan.version:
        return {}
    made_from = {k[len(layout.ELEMENT_KEY):]: v for k, v in meta.items() if k.startswith(layout.ELEMENT_KEY)}
    if not made_from:  # made before rows carried their meaning: nothing to compare them with
        raise Refused("wrong-plan-version", found=meta["plan_version"], expected=plan.version)
    return {e.code: changes for e in plan.elements_for(unit.code)
            if e.code in made_from and (changes := layout.meaning_changes(made_from[e.code], e))}


def _read_rows(rows, header_row, columns, sheet_name, formulas, changed: dict[str, str], plan: Plan,
               submission: Submission) -> None:
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
            submission.problems.append(where.problem("duplicate-code", code_cell, code=code, first=seen[code]))
            continue
        seen[code] = code_cell
        element = expected.get(code)
        if element is None:
            why = "không thuộc phần việc của đơn vị này" if plan.element(code) else "không có trong kế hoạch"
            submission.problems.append(where.problem("unknown-code", code_cell, code=code, why=why))
            continue
        figure, problems = _figure(element, row, index, columns, sheet_name, formulas, where,
                                   int(submission.period[:4]))
        if code in changed:  # its figures were typed for another meaning: checking them against this one is noise
            problems = [where.problem("row-changed", code_cell, code=code, changes=changed[code])]
            figure = Figure(figure.code, figure.entry, figure.sheet, figure.cells, usable=False)
        if figure.usable and figure.entry.value_only and plan.is_summed(code):
            problems.append(where.problem("value-cannot-be-summed", figure.cells["value"], code=code,
                                          label=element.full_label))
        submission.problems += problems
        submission.figures.append(figure)
    for code in expected:
        if code not in seen:
            submission.problems.append(where.problem("missing-row", code=code, label=expected[code].label))


def _data_year(row, index: int, columns: dict[str, int], period_year: int, where: Where) -> tuple[int | None, list]:
    """The year a figure refers to (``Năm số liệu``), None when blank or when the return has no such column
    (returns made before it): a year from 1990 to the period's, else an error on its cell."""
    col = columns.get("data_year")
    raw = row[col] if col is not None and col < len(row) else ""
    if raw in ("", None):
        return None, []
    text = _text(raw)
    if isinstance(raw, bool) or not text.isdigit() or not layout.FIRST_DATA_YEAR <= int(text) <= period_year:
        return None, [where.problem("invalid-data-year", f"{column_letter(col)}{index + 1}", value=text,
                                    year=period_year, first=layout.FIRST_DATA_YEAR)]
    return int(text), []


def _figure(element, row, index, columns, sheet_name, formulas, where: Where,
            period_year: int) -> tuple[Figure, list[Problem]]:
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
    year, found = _data_year(row, index, columns, period_year, where)
    problems += found
    entry = Entry(numbers["numerator"], numbers["denominator"], numbers["value"], note, year)
    if not [p for p in problems if p.is_error]:
        problems += check_entry(element, entry, cells, where)
    usable = not any(p.is_error for p in problems) and not entry.is_empty
    return Figure(element.code, entry, sheet_name, cells, usable), problems


def typed_cells(data: bytes) -> tuple[str, dict[str, dict[str, object]], dict[str, tuple[str, str]]]:
    """What was typed in a readable return, to write it again: the data sheet's name, code -> {column
    key -> the cell's value as read (number, text, date, true/false; a formula's computed result)} for
    the input columns, and each of those cells and each row's code cell (``F12``, ``A12``) -> (code,
    column key). Empty when the file has no data table."""
    try:
        sheet, rows, header_row, columns = _find_table(_open(data))
    except Refused:
        return "", {}, {}
    typed: dict[str, dict[str, object]] = {}
    cells: dict[str, tuple[str, str]] = {}
    keys = [k for k in (*layout.NUMBER_INPUTS, "note", "data_year") if k in columns]
    for index in range(header_row + 1, len(rows)):
        row = rows[index]
        raw_code = row[columns["code"]] if columns["code"] < len(row) else ""
        code = raw_code.strip() if isinstance(raw_code, str) else ""
        if not CODE_LIKE.fullmatch(code) or code in typed:
            continue
        typed[code] = {k: row[columns[k]] for k in keys if columns[k] < len(row) and row[columns[k]] not in ("", None)}
        cells.update({cell_name(index, columns[k]): (code, k) for k in ("code", *keys)})
    return sheet, typed, cells
