"""`verifyctl show`: the live objects of the services the files declare, with their SIDs."""

from __future__ import annotations

import json

import click

from verifyctl.cli.environment import ALL, one_target, targets_of
from verifyctl.cli.help_text import PATHS, account_env, epilog, exit_codes
from verifyctl.cli.options import (
    AccountOptions,
    Parallelism,
    account_options,
    open_engine,
    parallelism_option,
)
from verifyctl.cli.output import progress, result
from verifyctl.engine import load_desired
from verifyctl.engine.inventory import Entry, as_tree
from verifyctl.errors import UsageError, VerifyctlError
from verifyctl.plan.sensitive import mask_fields
from verifyctl.render.values import show
from verifyctl.resources.addresses import Address
from verifyctl.resources.records import LiveRecord


def read_environments(
    account: AccountOptions, paths: tuple[str, ...], parallelism: Parallelism
) -> list[tuple[str, list[Entry]]]:
    """Each selected environment's name ("" without environments) and its declared services, live."""
    found = []
    for target in targets_of(account, paths):
        if target.skipped:
            progress(f"{target.name}: skipped: {target.skipped}")
            continue
        desired = load_desired(paths, target.variables, target.services_of, target.files)
        with open_engine(account, parallelism, target) as engine:
            found.append((target.name, engine.inventory(desired)))
    return found


def find_object(entries: list[Entry], address: Address) -> LiveRecord:
    """The live object at `address` among the declared services' objects; an error naming it if none."""
    (kind, key), *rest = address.segments
    services = [e.live for e in entries if e.live is not None and key in (e.name, e.live.id)]
    record = services[0] if kind == "service" and services else None
    for child_kind, child_key in rest:
        if record is None:
            break
        children = record.children.get(child_kind, ())
        record = next((child for child in children if str(child.key) == child_key), None)
    if record is None:
        raise VerifyctlError(
            f"{address}: no such live object among the services the files declare"
            " (show without --address lists their addresses)"
        )
    return record


def settings(record: LiveRecord, secrets: frozenset[str]) -> dict[str, object]:
    """The object's settings as they may be shown: URL userinfo, query strings and secrets masked."""
    shown, _ = mask_fields(record.fields, secrets)
    return dict(sorted((shown or {}).items()))


def object_text(address: Address, record: LiveRecord, secrets: frozenset[str]) -> str:
    """The object as `terraform state show` prints a resource: its SID, then `key = value` lines."""
    fields = {"sid": record.id, **settings(record, secrets)}
    width = max(len(key) for key in fields)
    lines = [f"# {show(str(address))[1:-1]}:"]
    lines += [f"{key.ljust(width)} = {show(value)}" for key, value in fields.items()]
    children = [
        f"  {show(str(address.child(kind.name, str(child.key))))[1:-1]}  {show(child.id)[1:-1]}"
        for kind in record.kind.children
        for child in record.children.get(kind.name, ())
    ]
    if children:
        lines += ["", "children:", *children]
    return "\n".join(lines) + "\n"


def show_object(
    account: AccountOptions, paths: tuple[str, ...], parallelism: Parallelism, address: Address, fmt: str
) -> None:
    target = one_target(account, paths)
    desired = load_desired(paths, target.variables, target.name)
    with open_engine(account, parallelism, target) as engine:
        record = find_object(engine.inventory(desired), address)
    if fmt == "json":
        data = {"address": str(address), "sid": record.id, "settings": settings(record, desired.secrets)}
        result(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        result(object_text(address, record, desired.secrets))


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
@click.option(
    "--address",
    metavar="ADDRESS",
    help="Print this object's live settings, as `terraform state show` does, e.g. 'service[Acme Login]'.",
)
@parallelism_option
@account_options
def show_command(
    paths: tuple[str, ...], fmt: str, address: str | None, parallelism: Parallelism, account: AccountOptions
) -> None:
    """Show the live objects of the services the files declare, with their SIDs."""
    if address is not None:
        if account.env == ALL:
            raise UsageError("--address shows one object of one environment; name it with --env NAME")
        show_object(account, paths, parallelism, Address.parse(address), fmt)
        return
    found = read_environments(account, paths, parallelism)
    if fmt == "json":
        if account.env != ALL and len(found) == 1:  # more than one: a fleet's members
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
