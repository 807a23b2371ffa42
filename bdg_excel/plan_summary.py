"""A readable summary of a plan, for ``bdg plan show``, ``bdg plans`` and ``bdg plan check``."""
from __future__ import annotations

from bdg_excel.plan import Plan, placeholder_addresses


def plan_line(plan: Plan, default: bool = False) -> str:
    """One line for ``bdg plans``: id, title, years, number of reporting units."""
    info = plan.info
    mark = " (mặc định)" if default else ""
    years = "" if info.years in info.title else f" – năm {info.years}"
    return f"{info.id}{mark}: {info.title}{years}, {len(plan.reporting_units)} đơn vị báo cáo"


def summary_lines(plan: Plan) -> list[str]:
    """Lines describing the plan: goals with their data elements, units and periods."""
    info = plan.info
    lines = [info.title, f"Mã kế hoạch: {info.id} (phiên bản {plan.version})"]
    if info.issued_by:
        lines.append(info.issued_by)
    if info.basis:
        lines.append(f"Căn cứ: {info.basis}")
    reports_to = f"; báo cáo gửi {info.reports_to}" if info.reports_to else ""
    lines += [f"Năm: {info.years}; cơ quan tổng hợp: {info.collector}{reports_to}", ""]
    for goal in plan.goals:
        lines.append(goal.heading)
        for element in (e for i in plan.indicators_of(goal.number) for e in plan.elements_of(i.code)):
            units = ", ".join(plan.units_for(element.code))
            lines.append(f"  {element.code}: {element.full_label} ({element.target_display}) – nhập: {units}")
    lines += ["", f"Đơn vị báo cáo ({len(plan.reporting_units)} đơn vị nhập số liệu):"]
    for unit in plan.units:
        count = len(plan.elements_for(unit.code))
        email = unit.email or "chưa có email"
        lines.append(f"  {unit.code}: {unit.name} (cấp {unit.level}; {count} số liệu; {email})")
    lines += ["", "Kỳ báo cáo:"]
    lines += [f"  {p.code}: {p.name}, hạn nộp {p.deadline:%d/%m/%Y}" for p in plan.periods]
    return lines


def shared_address_lines(plan: Plan) -> list[str]:
    """A note for each email address several reporting units share: a file sent from it cannot be tied to one."""
    owners: dict[str, list[str]] = {}
    for unit in plan.reporting_units:
        for address in dict.fromkeys(a.lower() for a in unit.emails + unit.cc_emails):
            owners.setdefault(address, []).append(unit.code)
    return [f"Lưu ý: địa chỉ {address} là của {len(codes)} đơn vị ({', '.join(codes)}): tệp gửi từ địa chỉ này không "
            "biết của đơn vị nào." for address, codes in owners.items() if len(codes) > 1]


def placeholder_lines(plan: Plan) -> list[str]:
    """A note when the plan still has example addresses, which receive no mail."""
    found = placeholder_addresses(plan)
    if not found:
        return []
    shown = ", ".join(found[:10]) + (f" và {len(found) - 10} đơn vị khác" if len(found) > 10 else "")
    return [f"Lưu ý: còn {len(found)} nơi dùng địa chỉ email mẫu (tên miền .example, không nhận được thư): "
            f"{shown} – sửa ở trang 'Đơn vị' (và ô 'Email nhận báo cáo' ở trang 'Kế hoạch') trước khi "
            "gửi thư."]
