"""Imports point down the layers of DESIGN.md, and the emulator imports nothing else from verifyctl."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "verifyctl"

# Layer -> the verifyctl layers it may import (besides itself).
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "config": {"errors"},
    "resources": {"config", "errors"},
    "client": {"errors"},
    "plan": {"resources", "config", "errors"},
    "state": {"client", "resources", "config", "errors"},
    "render": {"plan", "resources", "config", "errors"},
    "apply": {"plan", "state", "client", "resources", "config", "errors"},
    "cli": {"apply", "render", "plan", "state", "client", "resources", "config", "errors", "emulator"},
    "emulator": set(),
}


def _layer_of(module_path: Path) -> str:
    rel = module_path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py") if len(rel.parts) > 1 else rel.stem


def _imported_layers(module_path: Path) -> set[str]:
    tree = ast.parse(module_path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            pytest.fail(f"{module_path}: use absolute imports (from verifyctl.x import y)")
        for name in names:
            parts = name.split(".")
            if parts[0] == "verifyctl" and len(parts) > 1:
                found.add(parts[1])
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if _layer_of(p) in ALLOWED)


@pytest.mark.parametrize("module_path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(module_path: Path) -> None:
    layer = _layer_of(module_path)
    illegal = _imported_layers(module_path) - ALLOWED[layer] - {layer}
    assert not illegal, f"{module_path.relative_to(PACKAGE)} ({layer}) imports {sorted(illegal)}"


def test_every_module_has_a_docstring() -> None:
    missing = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.rglob("*.py")
        if ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) is None
    ]
    assert not missing, f"modules without a one-line docstring: {missing}"


def test_no_print_outside_cli() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if _layer_of(path) == "cli":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not offenders, f"print() outside cli/: {offenders}"
