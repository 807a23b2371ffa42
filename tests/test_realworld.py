"""Every real-world spreadsheet gets a clean answer.

The corpus (607 files from Excel, LibreOffice, Google Sheets, WPS and other libraries, with a
MANIFEST.tsv naming each file's source) lives outside the repository: it is the folder named by
the environment variable BDG_REALWORLD_CORPUS, or else a folder ``shared/corpus-realworld`` (with
a MANIFEST.tsv) in the repository's folder or one of its ancestors. The tests skip without it.

One child process reads the whole corpus with ``bdg_excel.returns.read_file`` (under an address
space limit, so that a bomb cannot take the machine) and prints one JSON line per file. A file
that kills the child is recorded as such and the rest are read by a new child.
"""
from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # subprocesses or whole corpora

REPO = Path(__file__).resolve().parent.parent
CORPUS_VARIABLE = "BDG_REALWORLD_CORPUS"
MANIFEST = "MANIFEST.tsv"
MAX_SECONDS = 5.0  # per file
KILL_AFTER = 60  # seconds: a file still being read then is a hang; the child is killed
ADDRESS_SPACE = 2 * 1024 ** 3
ANSWERS = ("accepted", "accepted-with-problems", "rejected")


def find_corpus() -> Path | None:
    """The corpus folder: $BDG_REALWORLD_CORPUS, else <ancestor>/shared/corpus-realworld."""
    named = os.environ.get(CORPUS_VARIABLE)
    if named:
        return Path(named)
    for folder in (REPO, *REPO.parents):
        candidate = folder / "shared" / "corpus-realworld"
        if (candidate / MANIFEST).is_file():
            return candidate
    return None


def manifest(corpus: Path) -> list[dict[str, str]]:
    with (corpus / MANIFEST).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


CORPUS = find_corpus()
ENTRIES = manifest(CORPUS) if CORPUS is not None and (CORPUS / MANIFEST).is_file() else []
SOURCES = {e["file"]: f"{e.get('repo', '?')}:{e.get('path', '?')}" for e in ENTRIES}

CHILD = r"""
import json, os, signal, sys, time, traceback
limit, kill_after, folder, names = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
try:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
except (ImportError, ValueError, OSError):
    resource = None
from bdg_excel.returns import read_file
from bdg_excel.plan_files import default_plan


plan = default_plan()
with open(names, encoding="utf-8") as handle:
    todo = handle.read().splitlines()
for name in todo:
    print(json.dumps({"start": name}), flush=True)
    if hasattr(signal, "alarm"):
        signal.alarm(kill_after)  # no handler: the default action ends the process, even inside Rust
    start = time.perf_counter()
    try:
        submission = read_file(os.path.join(folder, name), plan)
        record = {"status": submission.status, "codes": [p.code for p in submission.problems]}
    except BaseException as exc:  # a PanicException is not an Exception
        record = {"status": "raised", "codes": [], "error": f"{type(exc).__module__}.{type(exc).__name__}: {exc}"[:500],
                  "traceback": traceback.format_exc()[-3000:]}
    seconds = time.perf_counter() - start
    if hasattr(signal, "alarm"):
        signal.alarm(0)
    record.update(name=name, seconds=round(seconds, 3))
    if resource is not None:
        record["peak_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(record), flush=True)
"""


def read_corpus(corpus: Path, names: list[str]) -> dict[str, dict]:
    """name -> the child's record; a file during which the child died is recorded as 'died'."""
    results: dict[str, dict] = {}
    remaining = list(names)
    with tempfile.TemporaryDirectory(prefix="bdg-realworld-") as folder:
        while remaining:
            todo = Path(folder) / "names.txt"
            todo.write_text("\n".join(remaining), "utf-8")
            child = subprocess.run([sys.executable, "-c", CHILD, str(ADDRESS_SPACE), str(KILL_AFTER), str(corpus),
                                    str(todo)], cwd=REPO, capture_output=True, timeout=KILL_AFTER * 20)
            current = None
            for line in child.stdout.decode("utf-8", "replace").splitlines():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if "start" in record:
                    current = record["start"]
                else:
                    results[record["name"]] = record
                    current = None
            if current is None:
                missing = [n for n in remaining if n not in results]
                if missing:  # the child died between files, or before the first one
                    raise AssertionError(f"the reading child stopped (exit {child.returncode}) before "
                                         f"{missing[0]}:\n{child.stderr.decode('utf-8', 'replace')[-3000:]}")
                break
            how = f"killed after {KILL_AFTER} s" if child.returncode == -14 else "crash"  # -14: SIGALRM
            results[current] = {"name": current, "status": "died", "codes": [], "seconds": None,
                                "error": f"the child process ended with status {child.returncode} ({how})",
                                "traceback": child.stderr.decode("utf-8", "replace")[-3000:]}
            remaining = remaining[remaining.index(current) + 1:]
    return results


def catalogue() -> set[str]:
    """Every problem code the program may give: bdg_excel.problems.CATALOGUE, or README's tables."""
    from bdg_excel import problems

    codes = getattr(problems, "CATALOGUE", None)
    if codes:
        return set(codes)
    readme = (REPO / "README.md").read_text("utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| `")]
    return {code for row in rows for code in re.findall(r"`([a-z]+(?:-[a-z]+)+)`", row.split("|")[1])}


@pytest.fixture(scope="module")
def corpus_results() -> dict[str, dict]:
    if CORPUS is None:
        pytest.skip(f"no real-world corpus (set {CORPUS_VARIABLE}, or put shared/corpus-realworld "
                    "beside the repository)")
    if not ENTRIES:
        pytest.fail(f"{CORPUS} has no {MANIFEST} listing the corpus")
    return read_corpus(CORPUS, [e["file"] for e in ENTRIES])


@pytest.mark.parametrize("name", [e["file"] for e in ENTRIES] or [None])
def test_a_real_world_file_gets_a_clean_answer(corpus_results, name):
    record = corpus_results[name]
    where = f"{name} (from {SOURCES.get(name, '?')})"
    assert record["status"] in ANSWERS, f"{where}: {record.get('error')}\n{record.get('traceback', '')}"
    unknown = set(record["codes"]) - catalogue()
    assert not unknown, f"{where}: codes not in the problem catalogue: {unknown}"
    assert "internal-error" not in record["codes"], f"{where}: an internal error of ours"
    if record["status"] == "rejected":
        assert record["codes"], f"{where}: rejected without a reason"
    assert record["seconds"] <= MAX_SECONDS, f"{where}: took {record['seconds']:.1f} s"


ENCRYPTED = re.compile(r"pass_protected|password", re.I)  # the corpus's password-protected files, by their names


@pytest.mark.parametrize("name", [e["file"] for e in ENTRIES if ENCRYPTED.search(e["file"])] or [None])
def test_a_real_world_password_protected_file_says_so(corpus_results, name):
    """Encrypted .xls (RC4, CryptoAPI, BIFF5 XOR), .xlsx, .xlsb and .ods from Excel, LibreOffice
    and POI: the unit is told to remove the password, not that the file is damaged."""
    if name is None:
        pytest.skip("the corpus has no password-protected file")
    record = corpus_results[name]
    assert record["codes"] == ["password-protected"], f"{name}: {record['status']} {record['codes']}"


def test_the_corpus_is_all_there(corpus_results):
    """Every file the manifest names is in the folder (a missing one would pass as 'rejected')."""
    missing = [e["file"] for e in ENTRIES if not (CORPUS / e["file"]).is_file()]
    assert not missing, missing
