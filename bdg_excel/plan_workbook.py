"""The plan as a workbook that officers edit in Excel: one sheet per table."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from bdg_excel.plan import Plan, PlanError
from bdg_excel.plan_tables import ADDED_COLUMNS, BOOL, DATE, LEGACY_COLUMNS, NO, TABLE, TABLES, YES, build_plan
from bdg_excel.plan import plan_to_tables
from bdg_excel.problems import Problem, column_letter, problem


def export_plan(plan: Plan, path: str | Path) -> Path:
    """Write the plan as a workbook, one sheet per table with Vietnamese headers."""
    from bdg_excel.workbook import write_xlsx

    tables = plan_to_tables(plan)

    def fill(workbook) -> None:
        header = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True,
                                      "valign": "top"})
        text = workbook.add_format({"text_wrap": True, "valign": "top"})
        day = workbook.add_format({"num_format": "dd/mm/yyyy", "valign": "top"})
        for table in TABLES:
            sheet = workbook.add_worksheet(table.sheet)
            sheet.freeze_panes(1, 0)
            for col, column in enumerate(table.columns):
                sheet.write_string(0, col, column.header, header)
                sheet.set_column(col, col, 60 if column.field in ("title", "text") else 18)
            for row, values in enumerate(tables[table.key], start=1):
                for col, column in enumerate(table.columns):
                    _write(sheet, row, col, column.kind, values[column.field], text, day)

    return write_xlsx(Path(path), fill)


def _write(sheet, row: int, col: int, kind: str, value, text, day) -> None:
    if value is None:
        return
    if kind == BOOL:
        sheet.write_string(row, col, YES if value else NO, text)
    elif kind == DATE:
        sheet.write_datetime(row, col, value, day)
    elif isinstance(value, Decimal):
        sheet.write_number(row, col, float(value))
    elif isinstance(value, int):
        sheet.write_number(row, col, value)
    else:
        sheet.write_string(row, col, value, text)


def _sheets(path: Path) -> dict[str, list[list]]:
    """The rows of each plan sheet the file has; a broken file is a PlanError in Vietnamese, not calamine's words."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = set(workbook.sheet_names)
        return {t.sheet: workbook.get_sheet_by_name(t.sheet).to_python(skip_empty_area=False)
                for t in TABLES if t.sheet in names}
    except Exception:  # calamine raises several unrelated types for broken files
        raise PlanError(f"Không đọc được tệp kế hoạch '{path.name}': tệp không phải là bảng tính Excel (.xlsx) "
                        "hoặc đã bị hỏng. Hãy mở tệp bằng Excel, lưu lại dạng .xlsx rồi chạy lại.") from None


def _header(sheets: dict, sheet: str) -> list[str]:
    data = sheets.get(sheet) or [[]]
    return [str(v).strip() for v in data[0]]


def _legacy(sheets: dict) -> tuple[bool, bool]:
    """Whether the workbook, exported before milestone targets, has the plan's one year (``Năm``) and each data
    element's one target (in ``Số liệu``, and no ``Mốc chỉ tiêu`` sheet)."""
    plan_header, elements_header = _header(sheets, TABLE["plan"].sheet), _header(sheets, TABLE["elements"].sheet)
    one_year = "Năm" in plan_header and not {"Năm bắt đầu", "Năm kết thúc"} & set(plan_header)
    one_target = TABLE["targets"].sheet not in sheets and "Toán tử" in elements_header
    return one_year, one_target


def _read_tables(path: Path) -> tuple[dict, dict, dict, list[Problem]]:
    sheets = _sheets(path)
    one_year, one_target = _legacy(sheets)
    skipped = {*ADDED_COLUMNS, *(("first_year", "last_year") if one_year else ())}
    tables, rows, columns, problems = {}, {}, {}, []
    for table in TABLES:
        if table.key == "targets" and one_target:
            continue
        if table.sheet not in sheets:
            problems.append(problem("missing-sheet", file=path.name, sheet=table.sheet, name=table.sheet))
            continue
        data = sheets[table.sheet]
        header = [str(v).strip() for v in (data[0] if data else [])]
        positions = {}
        legacy = LEGACY_COLUMNS.get(table.key, ()) if (table.key == "plan" and one_year) or (
            table.key == "elements" and one_target) else ()
        for column in (*table.columns, *legacy):
            if column.header in header:
                positions[column.field] = header.index(column.header)
            elif column.field not in skipped and column not in legacy and not column.added_later:
                problems.append(problem("missing-column", columns=repr(column.header), file=path.name,
                                      sheet=table.sheet, cell=f"{column_letter(len(header))}1"))
        records, numbers = [], []
        for index, values in enumerate(data[1:], start=2):
            if all(v in ("", None) for v in values):
                continue
            records.append({f: (values[c] if c < len(values) else None) for f, c in positions.items()})
            numbers.append(index)
        tables[table.key], rows[table.key] = records, numbers
        columns[table.key] = {f: column_letter(c) for f, c in positions.items()}
    return tables, rows, columns, problems


def read_plan_workbook(path: str | Path) -> Plan:
    """Read a plan workbook written by ``export_plan`` (and edited by a person)."""
    path = Path(path)
    tables, rows, columns, problems = _read_tables(path)
    if problems:
        raise PlanError(f"Kế hoạch '{path.name}' có {len(problems)} lỗi.", problems)
    return build_plan(tables, source=path.name, rows=rows, columns=columns)
