"""Imports point down the layers of docs/architecture.md; the emulator imports nothing else from verifyctl."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "verifyctl"

# Layer -> the verifyctl layers it may import (besides itself).
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "config": {"errors"},
    # Policy rules are pure: they read the desired state and nothing else.
    "lint": {"config", "errors"},
    "resources": {"config", "errors"},
    "client": {"errors"},
    "plan": {"resources", "config", "errors"},
    "state": {"client", "resources", "config", "errors"},
    "render": {"plan", "resources", "config", "errors"},
    "apply": {"plan", "state", "client", "resources", "config", "errors"},
    "engine": {
        "apply",
        "render",
        "plan",
        "state",
        "client",
        "resources",
        "config",
        "errors",
        "emulator",
        "lint",
    },
    "cli": {
        "engine",
        "render",
        "plan",
        "resources",
        "client",
        "config",
        "errors",
        "emulator",
        "lint",
    },
    "emulator": set(),
}
# Commands go through the engine: of the layers below it they may use only values and renderers, never
# how a plan is read, diffed or applied.
CLI_FORBIDDEN = ("verifyctl.apply", "verifyctl.state", "verifyctl.plan.diff", "verifyctl.plan.scope")


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


def _imported_modules(module_path: Path) -> set[str]:
    """Every verifyctl module `module_path` imports (a name imported from a package counts as the package)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(module_path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("verifyctl."))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("verifyctl"):
            found.add(node.module)
    return found


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_commands_use_the_engine_not_the_internals_below_it() -> None:
    offenders = {}
    for path in (PACKAGE / "cli").glob("*.py"):
        bad = {m for m in _imported_modules(path) if m.startswith(CLI_FORBIDDEN)}
        if bad:
            offenders[path.name] = sorted(bad)
    assert not offenders, f"commands reach below the engine: {offenders}"
    # The commands that talk to an account reach it through the engine (directly or via cli/options).
    for name in ("plan_cmd.py", "apply_cmd.py", "import_cmd.py", "verify_cmd.py"):
        imported = _imported_modules(PACKAGE / "cli" / name)
        assert "verifyctl.cli.options" in imported or any(m.startswith("verifyctl.engine") for m in imported)


def test_only_the_client_speaks_http() -> None:
    users = []
    for path in PACKAGE.rglob("*.py"):
        if _layer_of(path) in ("client", "emulator"):
            continue  # the emulator serves HTTP with the standard library; it never imports requests
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name.split(".")[0] in ("requests", "urllib3", "http") for name in names):
                users.append(str(path.relative_to(PACKAGE)))
    assert not users, f"HTTP outside client/: {users}"


def test_no_import_cycles_between_modules() -> None:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {
        name: {m for m in _imported_modules(path) if m in modules and m != name}
        for name, path in modules.items()
    }
    # A package's __init__ re-exporting its own modules is not a cycle through the package.
    for name in graph:
        graph[name] = {m for m in graph[name] if not name.startswith(m + ".")}
    visiting: list[str] = []
    done: set[str] = set()
    cycles: list[list[str]] = []

    def visit(name: str) -> None:
        if name in done:
            return
        if name in visiting:
            cycles.append([*visiting[visiting.index(name) :], name])
            return
        visiting.append(name)
        for imported in sorted(graph[name]):
            visit(imported)
        visiting.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)
    assert not cycles, f"import cycles: {cycles}"


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
