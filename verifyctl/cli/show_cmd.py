"""`verifyctl show`: the live objects of the services the files declare, with their SIDs."""

from __future__ import annotations

import json

import click

from verifyctl.cli.environment import ALL, targets_of
from verifyctl.cli.help_text import PATHS, account_env, epilog, exit_codes
from verifyctl.cli.options import (
    AccountOptions,
    Parallelism,
    account_options,
    open_engine,
    parallelism_option,
)
from verifyctl.cli.output import result
from verifyctl.engine import load_desired
from verifyctl.engine.inventory import Entry, as_tree


def read_environments(
    account: AccountOptions, paths: tuple[str, ...], parallelism: Parallelism
) -> list[tuple[str, list[Entry]]]:
    """Each selected environment's name ("" without environments) and its declared services, live."""
    found = []
    for target in targets_of(account, paths):
        desired = load_desired(paths, target.variables, target.name, target.files)
        with open_engine(account, parallelism, target) as engine:
            found.append((target.name, engine.inventory(desired)))
    return found


def _text(entries: list[Entry]) -> list[str]:
    lines = []
    for entry in entries:
        if entry.live is None:
            lines.append(f"service[{entry.name}]  (not created yet: run apply)")
            continue
        tree = as_tree(entry.live)
        lines.append(f"service[{entry.name}]  {tree['sid']}")
        lines.extend(_children(tree["children"], 1))
    return lines or ["(no services declared)"]


def _children(children: list[dict[str, object]], depth: int) -> list[str]:
    lines = []
    for child in children:
        lines.append(f"{'  ' * depth}{child['kind']}[{child['key']}]  {child['sid']}")
        grand = child["children"]
        assert isinstance(grand, list)
        lines.extend(_children(grand, depth + 1))
    return lines


def _json(entries: list[Entry]) -> list[dict[str, object]]:
    return [
        {"friendly_name": e.name, "sid": None, "children": []}
        if e.live is None
        else {**as_tree(e.live), "friendly_name": e.name}
        for e in entries
    ]


@click.command(
    "show",
    epilog=epilog(
        PATHS,
        account_env(parallelism=True),
        exit_codes("  0   shown", "  3   refused: credentials of another account than the environment's"),
    ),
)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@parallelism_option
@account_options
def show_command(paths: tuple[str, ...], fmt: str, parallelism: Parallelism, account: AccountOptions) -> None:
    """Show the live objects of the services the files declare, with their SIDs."""
    found = read_environments(account, paths, parallelism)
    if fmt == "json":
        if account.env != ALL:
            data: object = {"services": _json(found[0][1])}
        else:
            data = {"environments": {name: {"services": _json(entries)} for name, entries in found}}
        result(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    sections = []
    for name, entries in found:
        head = [f"=== environment {name} ==="] if name else []
        sections.append("\n".join([*head, *_text(entries)]) + "\n")
    result("\n".join(sections))
