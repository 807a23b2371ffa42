"""The whole cycle on a built-in plan: the 2020 plan with the seed's 2019 figures as the units' returns,
the 2026–2030 plan with 2026 figures made up to show how milestones are judged."""
from __future__ import annotations

import os
import shutil
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from bdg_excel.consolidate import consolidate
from bdg_excel.consolidation import Consolidation
from bdg_excel.errors import BdgError
from bdg_excel.figures import Entry
from bdg_excel.layout import template_file_name
from bdg_excel.plan import Plan
from bdg_excel.template import write_template, write_templates

# The province's 2019 results as printed in the plan's appendix: (numerator, denominator) or a value.
SEED_2019: dict[str, tuple] = {
    "MT1.CT1a.TINH": (5, 50), "MT1.CT1a.HUYEN": (48, 268), "MT1.CT1a.XA": (226, 828),
    "MT1.CT1b": (2, 6), "MT1.CT1c.TINH": (14, 50), "MT1.CT1c.HUYEN": (58, 228), "MT1.CT1c.XA": (509, 1753),
    "MT1.CT2": (48, 93), "MT1.CT3.NN": (48, 136), "MT1.CT3.DANG": (159, 197),
    "MT2.CT1": (8688, 17174), "MT2.CT2": (902, 3184), "MT2.CT3": (4860, 9326), "MT2.CT4": ("100",),
    "MT3.CT1.TOAN_TINH": (25369, 27430), "MT3.CT2a": (17, 40), "MT3.CT2b": ("0",),
    "MT4.CT1": ("108.5",), "MT4.CT2": ("17.1",), "MT4.CT3": ("16.8",), "MT4.CT4": ("2.5",),
    "MT5.CT1": (65, 65), "MT5.CT2": ("100",), "MT6.CT1": ("1.5",),
    "MT6.CT2a": (87, 109), "MT6.CT2b": (82, 86), "MT6.CT3": ("100",),
    "MT7.CT1": ("100",), "MT7.CT2": ("100",), "MT7.CT3": ("100",), "MT7.CT4": ("100",),
}
# Made-up figures of the 2026–2030 plan for 2026 (not measured anywhere): (numerator, denominator), or, for
# the elements every commune enters, a function of the commune's place in the plan giving its fraction.
MADE_UP_2026: dict[str, tuple] = {
    "MT1.CT1.TINH": (9, 14), "MT2.CT1": (312450, 598200), "MT2.CT2": (187300, 598200), "MT2.CT3": (2931, 10250),
    "MT3.CT1": ("1.6",), "MT3.CT3": (12, 12), "MT3.CT4": (5, 6), "MT4.CT1": (10900, 10000), "MT4.CT2": (8, 19047),
    "MT5.CT1": (4480, 4810), "MT6.CT1": (842000, 1250000),
}
MADE_UP_2026_COMMUNES = {
    "MT1.CT1.XA": lambda i: ((1, 2, 1, 2, 1, 1)[i % 6], 2),
    "MT3.CT2a": lambda i: (1 + i % 4 - (i % 5 == 0), 1 + i % 4),
    "MT3.CT2b": lambda i: (i % 3 != 0, 1 + i % 2),
}
MADE_UP_NOTE = "Số liệu tự đặt ra để chạy thử, không phải số liệu thật."
# How the figures several units enter are split (shares of the province's denominator), in plan order.
DISTRICT_SHARES = (Decimal("0.25"), Decimal("0.10"), Decimal("0.13"), Decimal("0.14"), Decimal("0.16"),
                   Decimal("0.10"), Decimal("0.12"))
SENT_ON = datetime(2020, 12, 10, 9, 0)


def split(numerator: int, denominator: int, parts: int) -> list[tuple[int, int]]:
    """Split a province's fraction into the fractions of the units that enter it, summing back to it exactly."""
    shares = DISTRICT_SHARES[:parts]
    dens = [int(denominator * s / sum(shares)) for s in shares]
    dens[-1] += denominator - sum(dens)
    nums = [min(d, round(Decimal(numerator) * d / denominator)) for d in dens]
    nums[-1] = numerator - sum(nums[:-1])
    if not all(0 <= n <= d for n, d in zip(nums, dens)):
        raise ValueError(f"cannot split {numerator}/{denominator} into {parts} sound parts")
    return list(zip(nums, dens))


def seed_entries(plan: Plan) -> dict[str, dict[str, Entry]]:
    """unit code -> {element code -> entry}: the seed's figures as each unit would type them."""
    entries: dict[str, dict[str, Entry]] = {u.code: {} for u in plan.reporting_units}
    for code, figure in SEED_2019.items():
        units = plan.units_for(code)
        if len(figure) == 1:
            entries[units[0]][code] = Entry(value=Decimal(figure[0]))
            continue
        parts = split(*figure, len(units)) if len(units) > 1 else [figure]
        for unit, (numerator, denominator) in zip(units, parts):
            entries[unit][code] = Entry(Decimal(numerator), Decimal(denominator))
    return entries


def made_up_entries(plan: Plan) -> dict[str, dict[str, Entry]]:
    """unit code -> {element code -> entry}: the made-up 2026 figures of the 2026–2030 plan, the provincial ones
    noted as such (a note on each of 65 communes' figures would bury the notes that matter)."""
    entries: dict[str, dict[str, Entry]] = {u.code: {} for u in plan.reporting_units}
    for code, figure in MADE_UP_2026.items():
        (unit,) = plan.units_for(code)
        numbers = [Decimal(x) for x in figure]
        entries[unit][code] = Entry(value=numbers[0], note=MADE_UP_NOTE) if len(numbers) == 1 else Entry(
            *numbers, note=MADE_UP_NOTE)
    for code, fraction in MADE_UP_2026_COMMUNES.items():
        for index, unit in enumerate(plan.units_for(code)):
            numerator, denominator = fraction(index)
            entries[unit][code] = Entry(Decimal(int(numerator)), Decimal(denominator))
    return entries


# plan id -> (period, the units' figures, when they were sent, what the demo says about made-up figures)
DEMOS = {
    "ninhthuan-bdg-2020": ("2020", seed_entries, SENT_ON, ""),
    "khanhhoa-bdg-2026-2030": ("2026", made_up_entries, datetime(2026, 12, 10, 9, 0),
                               "Số liệu chạy thử: số liệu năm 2026 tự đặt ra (kế hoạch minh họa), không phải số "
                               "liệu thật."),
}


def demo_notice(plan: Plan) -> list[str]:
    """The line that says the demo's figures are made up, when they are."""
    notice = DEMOS[plan.info.id][3] if plan.info.id in DEMOS else ""
    return [notice] if notice else []


def run_demo(plan: Plan, out: Path, period_code: str | None = None) -> tuple[Consolidation, Path]:
    """Generate the templates, fill them with the plan's demo figures, consolidate; the consolidation and its
    workbook. A plan of another id has no demo figures (a BdgError)."""
    if plan.info.id not in DEMOS:
        known = ", ".join(DEMOS)
        raise BdgError(f"Chỉ chạy thử được với các kế hoạch có sẵn ({known}), không phải '{plan.info.id}'.")
    default_period, entries_of, sent_on, _ = DEMOS[plan.info.id]
    root = Path(out) / "demo"
    for folder in ("templates", "inbox", "store"):
        shutil.rmtree(root / folder, ignore_errors=True)
    period = plan.period(period_code or default_period)
    write_templates(plan, period.code, root / "templates")
    for unit_code, entries in entries_of(plan).items():
        unit = plan.unit(unit_code)
        path = root / "inbox" / template_file_name(period.code, unit.code, unit.name)
        write_template(plan, period, unit, path, entries=entries)
        os.utime(path, (sent_on.timestamp(), sent_on.timestamp()))
    return consolidate(root / "inbox", plan, period.code, root / f"tong-hop-{period.code}.xlsx",
                       root / "store" / "bdg.sqlite")
