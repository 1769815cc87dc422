"""Guard rails of the package layout: modules import alone, layers hold, APIs are declared."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import layerheat

PACKAGE = Path(layerheat.__file__).parent
ROOT = PACKAGE.parents[1]
#: longest function body allowed, in lines (a function that long does several jobs)
MAX_FUNCTION_LINES = 80


def module_names() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__main__":
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def test_every_module_imports_alone_in_a_fresh_interpreter() -> None:
    def try_import(name: str) -> tuple[str, str]:
        done = subprocess.run(
            [sys.executable, "-c", f"import {name}"], capture_output=True, text=True, timeout=120
        )
        return name, done.stderr.strip().splitlines()[-1] if done.returncode else ""

    with ThreadPoolExecutor(2) as pool:
        failures = [(n, e) for n, e in pool.map(try_import, module_names()) if e]
    assert not failures, failures


def test_import_linter_contracts_are_kept() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if lint is None:
        pytest.skip("import-linter is not installed: pip install -e '.[test]'")
    done = subprocess.run([lint], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:]


@pytest.mark.parametrize("name", module_names())
def test_every_module_declares_its_public_names(name: str) -> None:
    path = PACKAGE.parent.joinpath(*name.split("."))
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    tree = ast.parse(path.read_text())
    assert ast.get_docstring(tree), f"{name} has no module docstring"
    targets = [
        t.id
        for node in tree.body
        if isinstance(node, (ast.Assign, ast.AnnAssign))
        for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(t, ast.Name)
    ]
    assert "__all__" in targets, f"{name} has no __all__"


def test_no_function_is_longer_than_the_limit() -> None:
    long = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name} {lines}")
    assert not long, long


def test_dir_lists_the_public_api() -> None:
    names = dir(layerheat)
    assert {"heatmaps", "read_layers", "HeatmapSet", "LayerTable", "plot_summary"} <= set(names)
    assert "TYPE_CHECKING" not in names and "annotations" not in names
    for name in layerheat.__all__:
        assert getattr(layerheat, name) is not None
