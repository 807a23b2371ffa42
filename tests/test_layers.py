"""The package's modules import one way, and the commands do not load what they do not need."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "bdg_excel"


def imports_of(path: Path) -> set[str]:
    """Every bdg_excel module a file imports, anywhere in it: at the top, inside functions, under TYPE_CHECKING."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bdg_excel"):
            if node.module == "bdg_excel":
                found |= {f"bdg_excel.{alias.name}" for alias in node.names if (PACKAGE / f"{alias.name}.py").exists()}
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("bdg_excel.")}
    return found


def graph() -> dict[str, set[str]]:
    modules = {f"bdg_excel.{p.stem}": p for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__")}
    return {name: imports_of(path) & set(modules) - {name} for name, path in modules.items()}


def cycle_in(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the modules along it, or None."""
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = "open"
        for target in sorted(edges[node]):
            if state.get(target) == "open":
                return path[path.index(target):] + [target] if target in path else [node, target]
            if target not in state and (found := visit(target, path + [target])):
                return found
        state[node] = "done"
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start, [start])):
            return found
    return None


def test_the_cycle_detector_finds_a_planted_cycle():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert cycle_in(edges) == ["a", "b", "c", "a"]
    assert cycle_in({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_among_the_package_modules():
    assert cycle_in(graph()) is None


def test_the_function_level_and_type_checking_imports_are_counted(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bdg_excel.plan import Plan\n"
                      "def f():\n    from bdg_excel import store\n    import bdg_excel.report\n", "utf-8")
    assert imports_of(source) == {"bdg_excel.plan", "bdg_excel.store", "bdg_excel.report"}


COMMANDS = {
    "templates": ["templates", "--period", "2020", "--out", "{tmp}/t"],
    "check": ["check", "{tmp}/t/2020_SYT_So-Y-te.xlsx"],
    "ingest": ["ingest", "{tmp}/t", "--store", "{tmp}/s.sqlite"],
    "consolidate": ["consolidate", "{tmp}/t", "--period", "2020", "--out", "{tmp}/x.xlsx", "--store", "{tmp}/s.sqlite"],
    "mail": ["mail", "--period", "2020", "--templates", "{tmp}/t", "--outbox", "{tmp}/mail", "--store", "{tmp}/s.sqlite"],
    "collect": ["collect", "{tmp}/mail", "--inbox", "{tmp}/in", "--store", "{tmp}/s.sqlite"],
    "feedback": ["feedback", "{tmp}/t", "--period", "2020", "--out", "{tmp}/fb", "--store", "{tmp}/s.sqlite"],
    "remind": ["remind", "--period", "2020", "--outbox", "{tmp}/mail", "--store", "{tmp}/s.sqlite"],
    "export": ["export", "--store", "{tmp}/s.sqlite", "--out", "{tmp}/x.xlsx"],
}
PROBE = """
import sys
from bdg_excel.cli import cli
try:
    cli(sys.argv[1:], prog_name="bdg")
except SystemExit:
    pass
print("LOADED:" + " ".join(sorted(m for m in ("pandas", "numpy") if m in sys.modules)))
"""


@pytest.mark.slow
def test_no_command_of_the_reporting_cycle_imports_pandas_or_numpy(tmp_path):
    for name, args in COMMANDS.items():  # in this order: each uses what the one before wrote
        done = subprocess.run([sys.executable, "-c", PROBE, *[a.format(tmp=tmp_path) for a in args]], cwd=REPO,
                              capture_output=True, text=True, encoding="utf-8", timeout=120)
        assert "Traceback" not in done.stderr, done.stderr
        loaded = done.stdout.splitlines()[-1]
        assert "pandas" not in loaded, f"bdg {name} imported {loaded}"
        if name != "feedback":  # feedback annotates with openpyxl, which loads numpy whenever it is installed
            assert loaded == "LOADED:", f"bdg {name} imported {loaded}"
