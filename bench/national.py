"""Benchmark the cycle at national scale: thousands of communes, whole commands, checked results.

    python bench/national.py                     # 3,321 communes, 3 rounds
    python bench/national.py --communes 50 --repeat 1   # a quick look

It builds a synthetic plan (every commune enters the district-type data elements, the
provincial agencies enter theirs), generates all templates, fills them with varied figures
and a realistic share of planted problems, then times whole commands round-robin (`bdg
templates`, `bdg ingest` into an empty store and, as in a second round, into one holding every
unit's return of the period before, `bdg consolidate` first and re-run, `bdg --help`, a baseline that
reads the same returns the way people write it by hand, pandas.read_excel with openpyxl, and
the floor, unzip and tokenise each data sheet). Figures are medians of wall time, CPU time
(the command and its worker processes) and the highest peak memory of the process tree.

It then checks the results: every planted problem found, every clean return accepted, the
consolidated figures equal to sums of what it entered. It prints a verdict per target and
exits 1 when a result is wrong (a missed target alone does not: timings are noisy).
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from contextlib import closing
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Callable

from timing import (PEAK_SCOPES, REPO, Command, Runs, bdg_command, cores_note, fail_if_wrong, figure, removing,
                    round_robin, verdict, work_folder)

sys.path.insert(0, str(REPO))

import openpyxl  # noqa: E402

from bdg_excel.figures import Entry  # noqa: E402
from bdg_excel.layout import template_file_name  # noqa: E402
from bdg_excel.plan import plan_to_dict  # noqa: E402
from bdg_excel.plan_files import default_plan  # noqa: E402
from bdg_excel.plan_tables import build_plan  # noqa: E402
from bdg_excel.template import write_template  # noqa: E402

BDG = bdg_command()
PERIOD, EARLIER = "2020", "2020-H1"  # the round timed, and the one before it (for the second-round ingest)
MISSING_SHARE, PROBLEM_SHARE = 0.01, 0.03
ACCEPTED, WITH_PROBLEMS = "accepted", "accepted-with-problems"
FIRST_OUT, RERUN_OUT = "tong-hop.xlsx", "tong-hop-chay-lai.xlsx"
DATA_SHEET, DATA_COLUMNS = "Dữ liệu", ("Mã", "Tử số", "Mẫu số", "Giá trị nhập")
TEMPLATES, INGEST, FIRST, RERUN, HELP = ("bdg templates", "bdg ingest", "bdg consolidate (first run)",
                                         "bdg consolidate (re-run)", "bdg --help")
SECOND = "bdg ingest (second round)"  # into a store holding every unit's return of the period before
FLOOR, BASELINE, IMPORTS = "floor: unzip + tokenise", "baseline: pandas + openpyxl", "baseline: imports only"
READER, WRITER = "reader alone: python-calamine", "writer alone: per-unit cells"
SHOWN = [TEMPLATES, INGEST, SECOND, FIRST, RERUN, HELP, FLOOR, READER, WRITER, BASELINE]
BDG_COMMANDS = [TEMPLATES, INGEST, SECOND, FIRST, RERUN, HELP]

# How a unit gets one fraction wrong, by the problem code bdg must report for it.
PLANTS: dict[str, Callable[[Entry], Entry]] = {
    "numerator-exceeds-denominator": lambda e: Entry(e.denominator + 1, e.denominator),
    "negative-number": lambda e: Entry(-e.numerator - 1, e.denominator),
    "denominator-zero": lambda e: Entry(e.numerator, Decimal(0)),
    "missing-denominator": lambda e: Entry(e.numerator, None),
    "missing-numerator": lambda e: Entry(None, e.denominator),
    "not-whole-number": lambda e: Entry(e.numerator + Decimal("0.5"), e.denominator),
}


@dataclass(frozen=True)
class Return:
    """One return as the benchmark wrote it: its unit, what it entered, the problem planted in it."""

    unit: str
    entries: dict[str, Entry]
    planted: str | None = None  # the problem code bdg must report
    planted_in: str | None = None  # the data element it is in


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


def entries_for(plan, unit, rng: random.Random) -> dict[str, Entry]:
    """Varied figures for every data element of ``unit``: a fraction, or the target as the value."""
    entries = {}
    for element in plan.elements_for(unit.code):
        if element.is_percent and element.share:
            denominator = rng.randint(20, 400)
            entries[element.code] = Entry(Decimal(rng.randint(0, denominator)), Decimal(denominator))
        else:
            entries[element.code] = Entry(value=element.targets[-1].value)
    return entries


def plant(back: Return, code: str, rng: random.Random) -> Return:
    """``back`` with one of its fractions made wrong so that bdg must report ``code``."""
    fractions = [c for c, e in back.entries.items() if e.has_fraction]
    if not fractions:
        return back
    element = rng.choice(fractions)
    return replace(back, entries={**back.entries, element: PLANTS[code](back.entries[element])},
                   planted=code, planted_in=element)


def fill_returns(plan, inbox: Path, seed: int = 2020, period_code: str = PERIOD) -> tuple[dict[str, Return], int]:
    """One return per unit (a few missing), file name -> what it holds; and how many are missing.

    Every kind of planted problem appears at least once (in the first units), then at random. The same
    seed gives the same figures whatever the period: a unit's figures do not change between rounds."""
    rng = random.Random(seed)
    period = plan.period(period_code)
    kinds = itertools.cycle(PLANTS)
    returns, missing = {}, 0
    shutil.rmtree(inbox, ignore_errors=True)
    inbox.mkdir(parents=True)
    for index, unit in enumerate(plan.reporting_units):
        if rng.random() < MISSING_SHARE:
            missing += 1
            continue
        back = Return(unit.code, entries_for(plan, unit, rng))
        if index < len(PLANTS) or rng.random() < PROBLEM_SHARE:
            back = plant(back, next(kinds), rng)
        name = template_file_name(period.code, unit.code, unit.name)
        write_template(plan, period, unit, inbox / name, entries=back.entries)
        returns[name] = back
    return returns, missing


def plant_unexpected(plan, inbox: Path, returns: dict[str, Return]) -> None:
    """Rewrite the last clean return with a problem the checks are not told about (to show they fail)."""
    name = [n for n, back in returns.items() if back.planted is None][-1]
    unit = next(u for u in plan.reporting_units if u.code == returns[name].unit)
    wrong = plant(returns[name], "numerator-exceeds-denominator", random.Random(0))
    write_template(plan, plan.period(PERIOD), unit, inbox / name, entries=wrong.entries)


def known_figures(plan, returns: dict[str, Return]) -> dict[str, tuple]:
    """Per data element, the (numerator, denominator, value) bdg must consolidate: the sums of
    the fractions entered without a planted problem, or the one value entered."""
    usable = defaultdict(list)
    for back in returns.values():
        for code, entry in back.entries.items():
            if code != back.planted_in:
                usable[code].append(entry)
    known = {}
    for element in plan.elements:
        entries = usable.get(element.code, [])
        if not entries:
            known[element.code] = (None, None, None)
        elif entries[0].has_fraction:
            known[element.code] = (sum(e.numerator for e in entries), sum(e.denominator for e in entries), None)
        elif len(entries) == 1:
            known[element.code] = (None, None, entries[0].value)
    return known


def check_templates(folder: Path, units: int) -> list[str]:
    """`bdg templates` wrote one workbook per reporting unit."""
    written = len(list(folder.glob("*.xlsx")))
    return [] if written == units else [f"bdg templates wrote {written} workbooks for {units} units"]


def check_store(store: Path, returns: dict[str, Return], earlier: dict[str, Return] | None = None) -> list[str]:
    """Exactly the planted returns have problems, with the planted codes; every other one is accepted
    (``earlier``: the returns of the period before, when the store holds them too)."""
    periods = {name: PERIOD for name in returns} | {name: EARLIER for name in earlier or {}}
    returns = {**returns, **(earlier or {})}
    if not store.is_file():
        return [f"{store} was not written"]
    with closing(sqlite3.connect(f"file:{store}?mode=ro", uri=True)) as db:
        files = {name: rest for name, *rest in db.execute("SELECT original_name, id, unit, period, status FROM files")}
        codes = defaultdict(set)
        for file_id, code in db.execute("SELECT file_id, code FROM problems"):
            codes[file_id].add(code)
    label = store.parent.name + "/" + store.name
    wrong = [f"{label}: {name} recorded but never sent" for name in sorted(set(files) - set(returns))]
    for name, back in returns.items():
        if name not in files:
            wrong.append(f"{label}: {name} is not recorded")
            continue
        file_id, unit, period, status = files[name]
        found = (unit, period, status, sorted(codes[file_id]))
        planted = [back.planted] if back.planted else []
        expected = (back.unit, periods[name], WITH_PROBLEMS if planted else ACCEPTED, planted)
        if found != expected:
            wrong.append(f"{label}: {name} is {describe(*found)}; expected {describe(*expected)}")
    return wrong


def describe(unit: str, period: str, status: str, codes: list[str]) -> str:
    return f"'{status}' (unit {unit}, period {period}, problems {codes or 'none'})"


def check_workbook(path: Path, known: dict[str, tuple]) -> list[str]:
    """The consolidated workbook's data sheet holds the known numerators, denominators and values."""
    if not path.is_file():
        return [f"{path.name} was not written"]
    workbook = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = workbook[DATA_SHEET].iter_rows(values_only=True)
        header = next(rows)
        columns = [header.index(name) for name in DATA_COLUMNS]
        found = {row[columns[0]]: tuple(as_decimal(row[c]) for c in columns[1:]) for row in rows if row[columns[0]]}
    finally:
        workbook.close()
    return [f"{path.name}, sheet '{DATA_SHEET}', {code}: (numerator, denominator, value) = "
            f"{shown(found.get(code))}; expected {shown(want)}"
            for code, want in known.items() if found.get(code) != want]


def as_decimal(cell) -> Decimal | None:
    return None if cell in (None, "") else Decimal(str(cell))


def shown(figures: tuple | None) -> str:
    return "missing" if figures is None else "(" + ", ".join("–" if f is None else str(f) for f in figures) + ")"


def reader(kind: str, list_file: Path, paths: list[Path]) -> Command:
    """A reference reader (floor or baseline) as a whole command over ``paths``."""
    list_file.write_text("".join(f"{p}\n" for p in paths), "utf-8")
    return Command([sys.executable, str(REPO / "bench" / "readers.py"), kind, str(list_file)])


def commands(work: Path, plan_file: Path, paths: list[Path], sample: list[Path], unit_rows: int) -> dict[str, Command]:
    """Every command timed, in the order of a round."""
    plan, inbox = ["--plan", str(plan_file)], str(work / "inbox")
    store = work / "store" / "bdg.sqlite"

    def earlier_round() -> None:
        removing(work / "round2")()
        shutil.copytree(work / "earlier", work / "round2")

    def consolidate(out: str) -> list[str]:
        return BDG + ["consolidate", inbox, "--period", PERIOD, "--out", str(work / out), *plan, "--store", str(store)]

    named = {
        TEMPLATES: Command(BDG + ["templates", "--period", PERIOD, "--out", str(work / "templates"), *plan],
                           removing(work / "templates")),
        INGEST: Command(BDG + ["ingest", inbox, *plan, "--store", str(work / "ingest" / "bdg.sqlite")],
                        removing(work / "ingest"), (0, 1)),
        SECOND: Command(BDG + ["ingest", inbox, *plan, "--store", str(work / "round2" / "bdg.sqlite")], earlier_round,
                        (0, 1)),
        FLOOR: reader("floor", work / "floor-files.txt", paths),
        READER: reader("calamine", work / "floor-files.txt", paths),
        WRITER: Command([sys.executable, str(REPO / "bench" / "readers.py"), "writer", str(unit_rows)]),
        BASELINE: reader("baseline", work / "baseline-files.txt", sample),
        FIRST: Command(consolidate(FIRST_OUT), removing(store.parent, work / FIRST_OUT), (0, 1)),
        RERUN: Command(consolidate(RERUN_OUT), removing(work / RERUN_OUT), (0, 1)),
        HELP: Command(BDG + ["--help"]),
    }
    if len(sample) < len(paths):
        named[IMPORTS] = reader("baseline", work / "no-files.txt", [])
    return named


def baseline_estimate(runs: dict[str, Runs], files: int, sampled: int) -> tuple[float, float | None]:
    """Wall and CPU seconds of the baseline over all files: its imports plus the sample's reading, scaled."""
    sample = runs[BASELINE]
    if IMPORTS not in runs:
        return sample.median, sample.cpu
    imports = runs[IMPORTS]
    wall = imports.median + (sample.median - imports.median) * files / sampled
    cpu = None if sample.cpu is None else imports.cpu + (sample.cpu - imports.cpu) * files / sampled
    return wall, cpu


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=3321)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-files", type=int, default=0, help="read only this many files for the baseline "
                        "(0: all); its figure is then its imports plus the reading scaled to all files")
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one, removed after)")
    parser.add_argument("--plant-unexpected", action="store_true", help=argparse.SUPPRESS)  # shows the checks fail
    args = parser.parse_args(argv)
    with work_folder(args.work) as work:
        run(args, work)


def run(args, work: Path) -> None:
    data = national_plan(args.communes)
    plan_file = work / "plan.json"
    plan_file.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    plan = build_plan(data, source="national")
    started = time.perf_counter()
    returns, missing = fill_returns(plan, work / "inbox")
    if args.plant_unexpected:
        plant_unexpected(plan, work / "inbox", returns)
    fill = time.perf_counter() - started
    earlier, _ = fill_returns(plan, work / "inbox-earlier", period_code=EARLIER)
    subprocess.run(BDG + ["ingest", str(work / "inbox-earlier"), "--plan", str(plan_file), "--store",
                          str(work / "earlier" / "bdg.sqlite")], capture_output=True, check=False)
    paths = sorted((work / "inbox").glob("*.xlsx"))
    sample = paths[: args.baseline_files] if args.baseline_files else paths
    unit_rows = sum(len(plan.units_for(e.code)) for e in plan.elements if len(plan.units_for(e.code)) > 1)
    runs = round_robin(commands(work, plan_file, paths, sample, unit_rows), args.repeat)
    units = len(plan.reporting_units)
    planted = sum(1 for back in returns.values() if back.planted)
    print(f"bdg_excel national benchmark – {units} units ({args.communes} communes), {len(paths)} returns "
          f"({missing} missing, {planted} with a planted problem); returns filled in {fill:.1f} s; "
          f"medians of {args.repeat} rounds; {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
          f"Python {sys.version.split()[0]}")
    report(runs, units, len(paths), len(sample), unit_rows)
    known = known_figures(plan, returns)
    fail_if_wrong(check_templates(work / "templates", units) + check_store(work / "ingest" / "bdg.sqlite", returns)
                  + check_store(work / "round2" / "bdg.sqlite", returns, earlier)
                  + check_store(work / "store" / "bdg.sqlite", returns) + check_workbook(work / FIRST_OUT, known)
                  + check_workbook(work / RERUN_OUT, known))
    print(f"results right: {len(returns) - planted} clean returns accepted and the {planted} planted problems "
          f"reported (by ingest and consolidate); {len(known)} consolidated figures equal the sums of what "
          f"was entered (first run and re-run); {units} templates written")


def report(runs: dict[str, Runs], units: int, files: int, sampled: int, unit_rows: int) -> None:
    """The table of medians, the ratios and a verdict per target."""
    baseline, baseline_cpu = baseline_estimate(runs, files, sampled)
    rows = {name: (runs[name].median, runs[name].cpu, runs[name].peak) for name in SHOWN}
    rows[BASELINE] = (baseline, baseline_cpu, runs[BASELINE].peak)
    counts = {TEMPLATES: units, INGEST: files, SECOND: files, FIRST: files, RERUN: files, FLOOR: files,
              READER: files, BASELINE: files}
    print(f"{'what':<30} {'wall s':>9} {'CPU s':>8} {'files/s':>8} {'peak MB':>8}")
    for name, (wall, cpu, peak) in rows.items():
        rate = f"{counts[name] / wall:>8.0f}" if name in counts else f"{'':>8}"
        print(f"{name:<30} {wall:>9.3f} {figure(cpu, '.3f', 8)} {rate} {figure(peak, '.0f', 8)}")
    ingest, floor = runs[INGEST], runs[FLOOR]
    estimated = f" (estimated from {sampled} of {files} files)" if sampled < files else ""
    print(f"ingest per file: {ingest.median / files * 1000:.2f} ms (whole command); floor "
          f"{floor.median / files * 1000:.2f} ms; baseline {baseline / files * 1000:.2f} ms{estimated}")
    cpu_ratio = None if ingest.cpu is None or floor.cpu is None else ingest.cpu / floor.cpu
    print(f"ratios: ingest / floor = {ingest.median / floor.median:.1f}x wall, {figure(cpu_ratio, '.1f', 0)}x CPU; "
          f"baseline / ingest = {baseline / ingest.median:.1f}x wall")
    print(f"second round / first: {runs[SECOND].median / ingest.median:.1f}x wall (the same returns, checked "
          f"against the period before: near 1 when that check costs little)")
    reader = runs[READER]
    reader_ratio = None if reader.cpu is None or floor.cpu is None else reader.cpu / floor.cpu
    print(f"what no code of ours can remove: python-calamine alone costs {figure(reader_ratio, '.1f', 0)}x the "
          f"floor in CPU; xlsxwriter alone writes the {unit_rows:,} per-unit rows in {runs[WRITER].median:.2f} s")
    print(f"peak memory: {PEAK_SCOPES[runs[INGEST].scope]}")
    for line in verdicts(runs, cpu_ratio, baseline / ingest.median):
        print(line)


def verdicts(runs: dict[str, Runs], cpu_ratio: float | None, speed_up: float) -> list[str]:
    """One line per national target: ✓ or ✗ with the figure."""
    peaks = {name: runs[name].peak for name in BDG_COMMANDS if runs[name].peak is not None}
    heaviest = max(peaks, key=peaks.get, default=None)
    memory = "peak memory of the process tree" if runs[INGEST].scope == "tree" else "peak memory (largest process)"
    lines = [
        verdict(None if cpu_ratio is None else cpu_ratio <= 3,
                f"ingest CPU ÷ floor CPU: {figure(cpu_ratio, '.1f', 0)}× (target ≤ 3×)"),
        verdict(speed_up >= 15, f"ingest vs pandas + openpyxl: {speed_up:.1f}× faster (target ≥ 15×)"),
        verdict(runs[FIRST].median < 4, f"{FIRST}: {runs[FIRST].median:.2f} s (target < 4 s)"),
        verdict(runs[RERUN].median < 2, f"{RERUN}: {runs[RERUN].median:.2f} s (target < 2 s)"),
        verdict(None if heaviest is None else peaks[heaviest] < 200,
                f"{memory}: {figure(peaks.get(heaviest), '.0f', 0)} MB, "
                f"{heaviest or 'not measured'} (target < 200 MB)"),
    ]
    note = cores_note()
    return lines + [note] if note else lines


if __name__ == "__main__":
    main()
