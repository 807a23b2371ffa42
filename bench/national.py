"""Benchmark the cycle at national scale: thousands of communes, whole commands, medians.

    python bench/national.py                     # 3,321 communes, 3 runs of each command
    python bench/national.py --communes 50 --repeat 1   # a quick look

It builds a synthetic plan (every commune enters the district-type data elements, the
provincial agencies enter theirs), generates all templates, fills them with varied figures
and a realistic share of problems, then times whole commands (`bdg templates`, `bdg ingest`,
`bdg consolidate` first and re-run, `bdg --help`), a baseline that reads the same returns the
way people write it by hand (pandas.read_excel with openpyxl) and the floor (unzip and
tokenise each data sheet). Figures are medians; ratios are against numbers of the same run.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import time
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.parsers import expat

from timing import REPO, bdg_command, median_run, work_folder

sys.path.insert(0, str(REPO))

from bdg_excel.figures import Entry  # noqa: E402
from bdg_excel.layout import template_file_name  # noqa: E402
from bdg_excel.plan import plan_to_dict  # noqa: E402
from bdg_excel.plan_files import default_plan  # noqa: E402
from bdg_excel.plan_tables import build_plan  # noqa: E402
from bdg_excel.template import write_template  # noqa: E402

BDG = bdg_command()


def national_plan(communes: int) -> dict:
    """The default plan with its 7 districts replaced by ``communes`` communes."""
    data = plan_to_dict(default_plan())
    districts = {u["code"] for u in data["units"] if u["level"] == "huyện"}
    district_elements = sorted({a["element"] for a in data["assignments"] if a["unit"] in districts})
    data["units"] = [u for u in data["units"] if u["code"] not in districts] + [
        {"code": f"XA{i:05}", "name": f"UBND xã số {i}", "level": "xã", "email": f"xa{i:05}@example.org", "cc": ""}
        for i in range(1, communes + 1)]
    data["assignments"] = [a for a in data["assignments"] if a["unit"] not in districts] + [
        {"element": e, "unit": f"XA{i:05}"} for i in range(1, communes + 1) for e in district_elements]
    return data


def fill_returns(plan, inbox: Path, seed: int = 2020) -> dict[str, int]:
    """One return per unit (a few missing), with varied figures and a realistic share of problems."""
    rng = random.Random(seed)
    period = plan.period("2020")
    counts = {"returns": 0, "missing": 0, "with problems": 0}
    for unit in plan.reporting_units:
        if rng.random() < 0.01:
            counts["missing"] += 1
            continue
        entries = {}
        for element in plan.elements_for(unit.code):
            if element.is_percent and element.share:
                denominator = rng.randint(20, 400)
                entries[element.code] = Entry(Decimal(rng.randint(0, denominator)), Decimal(denominator))
            else:
                entries[element.code] = Entry(value=element.target)
        if rng.random() < 0.03:  # a numerator larger than its denominator
            code, entry = next(iter(entries.items()))
            if entry.has_fraction:
                entries[code] = Entry(entry.denominator + 1, entry.denominator)
                counts["with problems"] += 1
        path = inbox / template_file_name(period.code, unit.code, unit.name)
        write_template(plan, period, unit, path, entries=entries)
        counts["returns"] += 1
    return counts


def floor_seconds(paths: list[Path]) -> float:
    """Unzip each data sheet and tokenise its XML: what any reader must at least do."""
    start = time.perf_counter()
    for path in paths:
        with zipfile.ZipFile(path) as archive:
            data = archive.read("xl/worksheets/sheet2.xml")
        expat.ParserCreate().Parse(data, True)
    return time.perf_counter() - start


def baseline_seconds(paths: list[Path]) -> float:
    """Reading the returns as people write it by hand: pandas.read_excel with openpyxl, in a loop."""
    import pandas as pd

    start = time.perf_counter()
    for path in paths:
        pd.read_excel(path, sheet_name=None, engine="openpyxl")
    return time.perf_counter() - start


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=3321)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-files", type=int, default=0, help="read only this many files for the baseline "
                        "(0: all); its figure is then per file")
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one, removed after)")
    args = parser.parse_args(argv)
    with work_folder(args.work) as work:
        run(args, work)


def run(args, work: Path) -> None:
    data = national_plan(args.communes)
    plan_file = work / "plan.json"
    plan_file.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    plan = build_plan(data, source="national")
    units = len(plan.reporting_units)
    rows = []

    def row(name, seconds, files, peak, ratio=""):
        rows.append((name, seconds, files / seconds if files else None, peak, ratio))

    templates = work / "templates"
    seconds, peak = median_run(BDG + ["templates", "--period", "2020", "--out", str(templates), "--plan",
                                      str(plan_file)], args.repeat)
    row("bdg templates", seconds, units, peak)
    inbox = work / "inbox"
    started = time.perf_counter()
    counts = fill_returns(plan, inbox)
    fill = time.perf_counter() - started
    paths = sorted(inbox.glob("*.xlsx"))
    store = work / "store" / "bdg.sqlite"

    def fresh_store():
        shutil.rmtree(store.parent, ignore_errors=True)

    ingest, peak = median_run(BDG + ["ingest", str(inbox), "--plan", str(plan_file), "--store", str(store)],
                              args.repeat, fresh_store)
    row("bdg ingest", ingest, len(paths), peak)
    consolidate = BDG + ["consolidate", str(inbox), "--period", "2020", "--out", str(work / "tong-hop.xlsx"),
                         "--plan", str(plan_file), "--store", str(store)]
    seconds, peak = median_run(consolidate, args.repeat, fresh_store)
    row("bdg consolidate (first run)", seconds, len(paths), peak)
    seconds, peak = median_run(consolidate, args.repeat)
    row("bdg consolidate (re-run)", seconds, len(paths), peak)
    seconds, peak = median_run(BDG + ["--help"], max(args.repeat, 5))
    row("bdg --help", seconds, 0, peak)
    floor = statistics.median(floor_seconds(paths) for _ in range(args.repeat))
    sample = paths[: args.baseline_files] if args.baseline_files else paths
    baseline = baseline_seconds(sample) * len(paths) / len(sample)
    per_file = ingest / len(paths)
    row("floor: unzip + tokenise", floor, len(paths), None)
    row("baseline: pandas + openpyxl", baseline, len(paths), None)
    print(f"bdg_excel national benchmark – {units} units ({args.communes} communes), {len(paths)} returns "
          f"({counts['missing']} missing, {counts['with problems']} with a planted problem); "
          f"returns filled in {fill:.1f} s; medians of {args.repeat} runs; "
          f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"{'what':<30} {'median s':>9} {'files/s':>9} {'peak MB':>8}")
    for name, seconds, rate, peak, _ in rows:
        print(f"{name:<30} {seconds:>9.3f} {rate or 0:>9.0f} {peak or 0:>8.0f}")
    print(f"ingest per file: {per_file * 1000:.2f} ms (whole command); floor {floor / len(paths) * 1000:.2f} ms; "
          f"baseline {baseline / len(paths) * 1000:.2f} ms")
    print(f"ratios: ingest / floor = {ingest / floor:.1f}x; baseline / ingest = {baseline / ingest:.1f}x")


if __name__ == "__main__":
    main()
