"""The documentation: README length, links and anchors that resolve, tables of contents, documented flags."""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

import click
import pytest

from tests.unit.docs.docs_pages import (
    DOCS,
    ROOT,
    anchor,
    anchors,
    documented_commands,
    headings,
    lines,
    links,
    pages,
)

README_MAX_LINES = 250
LONG_PAGE = 80
# Pages that other branches add; links to them resolve once those branches are merged (all are, now).
PENDING_PAGES: set[str] = set()
REQUIRED_PAGES = [
    "index.md",
    "install.md",
    "configuration.md",
    "configuration-reference.md",
    "plans-and-apply.md",
    "environments.md",
    "ci.md",
    "day-2.md",
    "emulator.md",
    "performance.md",
    "architecture.md",
]


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_the_readme_stays_short() -> None:
    count = len((ROOT / "README.md").read_text(encoding="utf-8").splitlines())
    assert count <= README_MAX_LINES, f"README.md has {count} lines; move detail into docs/"


def test_the_quickstart_keeps_its_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    test_command = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    [ci_line] = [line for line in test_command if line.startswith("python3 -m venv")]
    main_job = (
        "python3 -m venv .venv && .venv/bin/pip install -q -e . && .venv/bin/verifyctl validate examples/"
        " && .venv/bin/verifyctl plan --local examples/ && .venv/bin/verifyctl apply --local --auto-approve"
        " examples/ && .venv/bin/verifyctl plan --local --detailed-exitcode examples/"
    )
    quickstart = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)\n```", quickstart, flags=re.S)
    assert blocks[:2] == [
        main_job,
        ci_line.split(" && .venv/bin/python -m pytest")[0] + " && .venv/bin/python -m pytest",
    ]


def test_every_documented_page_exists() -> None:
    missing = [name for name in REQUIRED_PAGES if not (DOCS / name).is_file()]
    assert not missing


def _link_problems() -> tuple[list[str], set[str]]:
    problems: list[str] = []
    pending: set[str] = set()
    for page in pages():
        for number, target in links(page):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto: ...
                continue
            path_part, _, fragment = target.partition("#")
            resolved = (page.parent / path_part).resolve() if path_part else page
            where = f"{_name(page)}:{number}: {target}"
            if not resolved.exists():
                relative = resolved.relative_to(ROOT).as_posix() if resolved.is_relative_to(ROOT) else None
                if relative in PENDING_PAGES:
                    pending.add(relative)
                else:
                    problems.append(f"{where}: no such file")
                continue
            if fragment and (resolved.suffix != ".md" or fragment not in anchors(resolved)):
                problems.append(f"{where}: no heading with anchor #{fragment}")
    return problems, pending


def test_every_relative_link_and_anchor_resolves() -> None:
    problems, _ = _link_problems()
    assert not problems, "\n".join(problems)


def test_the_pages_other_branches_add_are_linked_and_present() -> None:
    _, pending = _link_problems()
    if pending:
        pytest.skip(f"linked pages not merged yet (added on other branches): {', '.join(sorted(pending))}")


def test_long_pages_have_a_table_of_contents() -> None:
    missing = []
    for page in pages():
        if page.name == "CHANGELOG.md" or len(lines(page)) <= LONG_PAGE:
            continue
        text = page.read_text(encoding="utf-8")
        for level, heading in headings(page):
            if level == 2 and heading != "Contents" and f"(#{anchor(heading)})" not in text:
                missing.append(f"{_name(page)}: '## {heading}' is not in the table of contents")
    assert not missing, "\n".join(missing)


def cli_group() -> click.Group:
    """The `verifyctl` click group with every command registered, wherever the CLI keeps its registration."""
    main = importlib.import_module("verifyctl.cli.main")
    for name in ("_register_commands", "register_commands", "register"):
        register = getattr(main, name, None)
        if callable(register):
            register()
            break
    group = getattr(main, "cli", None)
    assert isinstance(group, click.Group), "verifyctl.cli.main:cli is not a click group"
    return group


def _option_names(command: click.Command) -> set[str]:
    names = {"-h", "--help"}
    for param in command.params:
        if isinstance(param, click.Option):
            names.update(param.opts)
            names.update(param.secondary_opts)
    return names


def test_documented_commands_and_flags_exist() -> None:
    group = cli_group()
    problems = []
    checked = 0
    for found in (c for page in pages() for c in documented_commands(page)):
        command: click.Command = group
        words = list(found.words)
        path = ["verifyctl"]
        while isinstance(command, click.Group) and words and not words[0].startswith("-"):
            word = words[0].strip("\"'`")
            if command is group and not re.fullmatch(r"[a-z][a-z0-9-]*", word):
                break  # prose that names verifyctl: "verifyctl @ git+...", "verifyctl plan/apply"
            sub = command.get_command(click.Context(command), word)
            if sub is None:
                if command is group:
                    problems.append(f"{_name(found.path)}:{found.number}: no command 'verifyctl {word}'")
                break
            command, path = sub, [*path, word]
            words.pop(0)
        if command is group:
            continue
        known = _option_names(command)
        for flag in re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", " ".join(words)):
            checked += 1
            if flag not in known:
                problems.append(f"{_name(found.path)}:{found.number}: {' '.join(path)} has no option {flag}")
    assert not problems, "\n".join(problems)
    assert checked > 50


def _load_reference_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "config_reference", ROOT / "scripts" / "config_reference.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_configuration_reference_is_generated_from_the_current_schema() -> None:
    script = _load_reference_script()
    schema = json.loads((ROOT / "schemas" / "verifyctl.schema.json").read_text(encoding="utf-8"))
    expected = script.render(schema)
    assert (DOCS / "configuration-reference.md").read_text(encoding="utf-8") == expected, (
        f"docs/configuration-reference.md is stale; run: {script.REGENERATE}"
    )


def test_the_configuration_reference_names_every_key_of_the_models() -> None:
    from verifyctl.config.schema import json_schema

    text = (DOCS / "configuration-reference.md").read_text(encoding="utf-8")
    schema = json_schema()
    keys = set(schema["properties"])
    for definition in schema["$defs"].values():
        keys.update(definition.get("properties", {}))
    assert keys and not [key for key in sorted(keys) if f"| `{key}` |" not in text]


# Flags left out of the docs on purpose, with the reason.
UNDOCUMENTED: dict[str, str] = {}


def _leaf_commands(group: click.Group) -> list[tuple[tuple[str, ...], click.Command]]:
    found: list[tuple[tuple[str, ...], click.Command]] = []
    for name in group.list_commands(click.Context(group)):
        command = group.get_command(click.Context(group), name)
        assert command is not None
        if isinstance(command, click.Group):
            found += [((name, *path), leaf) for path, leaf in _leaf_commands(command)]
        else:
            found.append(((name,), command))
    return found


def _documented_flags() -> dict[tuple[str, ...], set[str]]:
    """Command path -> the flags written after it in some documented command line."""
    flags: dict[tuple[str, ...], set[str]] = {}
    for found in (c for page in pages() for c in documented_commands(page)):
        words = [w.strip("\"'`") for w in found.words]
        path = tuple(w for w in words[:2] if re.fullmatch(r"[a-z][a-z0-9-]*", w))
        for length in (2, 1):
            named = flags.setdefault(path[:length], set())
            named.update(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", " ".join(words)))
    return flags


def test_every_flag_of_every_command_is_documented() -> None:
    """The converse of the check above: every option click knows is in a documented command line of its
    command, or named in code in the docs (an option table, the shared-options synopsis)."""
    documented = _documented_flags()
    # Flags documented in tables and prose: `--public-url URL` in the emulator's option table.
    everywhere = {
        flag
        for page in pages()
        for flag in re.findall(r"(?:`|\[)(--?[A-Za-z][\w-]*)", page.read_text(encoding="utf-8"))
    }
    everywhere |= set().union(*documented.values())
    missing = []
    for path, command in _leaf_commands(cli_group()):
        for param in command.params:
            if not isinstance(param, click.Option) or param.hidden:
                continue
            names = set(param.opts) | set(param.secondary_opts)
            if not names & (documented.get(path, set()) | everywhere) and not names & set(UNDOCUMENTED):
                missing.append(f"verifyctl {' '.join(path)} {'/'.join(param.opts)}")
    assert not missing, "undocumented flags:\n" + "\n".join(missing)


def test_every_exit_code_in_a_help_text_is_in_the_documented_table() -> None:
    page = (DOCS / "plans-and-apply.md").read_text(encoding="utf-8")
    table = page.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| (\d+) \|", table, flags=re.M))
    in_help = set()
    for _, command in _leaf_commands(cli_group()):
        epilog = (command.epilog or "").split("Exit codes:", 1)
        assert len(epilog) == 2, f"{command.name}: its --help names no exit codes"
        in_help |= set(re.findall(r"^\s+(\d+)\s", epilog[1], flags=re.M))
        in_help |= set(re.findall(r"(\d{3}) terminated", epilog[1]))
    assert in_help - documented == set()
    assert {"0", "1", "2", "3", "64", "130", "143"} <= in_help
