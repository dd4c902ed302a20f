"""`verifyctl output`: each declared service's SID by a stable name, for applications (json, env, dotenv)."""

from __future__ import annotations

import json

import click

from verifyctl.cli.environment import ALL
from verifyctl.cli.help_text import PATHS, account_env, epilog, exit_codes
from verifyctl.cli.options import AccountOptions, Parallelism, account_options, parallelism_option
from verifyctl.cli.output import progress, result
from verifyctl.cli.show_cmd import read_environments
from verifyctl.engine.inventory import Entry
from verifyctl.lint.checks import output_name


def sids(name: str, entries: list[Entry]) -> dict[str, str]:
    """Friendly name -> SID of the services that exist; a note on stderr for each that does not yet."""
    found = {}
    for entry in entries:
        if entry.live is None:
            where = f" in environment {name}" if name else ""
            progress(f"service[{entry.name}] does not exist{where} yet (run apply); left out")
        else:
            found[entry.name] = entry.live.id
    return found


def _lines(found: dict[str, str], fmt: str) -> list[str]:
    # dotenv quotes the value, as dotenv readers expect; env is what a shell's `export` takes as is.
    if fmt == "dotenv":
        return [f'{output_name(name)}="{sid}"' for name, sid in found.items()]
    return [f"{output_name(name)}={sid}" for name, sid in found.items()]


@click.command(
    "output",
    epilog=epilog(
        PATHS,
        account_env(parallelism=True),
        exit_codes("  0   printed", "  3   refused: credentials of another account than the environment's"),
    ),
)
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format", "fmt", type=click.Choice(["json", "env", "dotenv"]), default="json", show_default=True
)
@parallelism_option
@account_options
def output_command(
    paths: tuple[str, ...], fmt: str, parallelism: Parallelism, account: AccountOptions
) -> None:
    """Print each declared service's SID: json {"NAME": "VA..."}, or NAME_VERIFY_SERVICE_SID=VA... lines."""
    found = [(name, sids(name, entries)) for name, entries in read_environments(account, paths, parallelism)]
    if fmt == "json":
        # Nested by environment only under --env all, so one environment's map keeps its shape.
        data = dict(found) if account.env == ALL else found[0][1]
        result(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    if len(found) == 1:
        lines = _lines(found[0][1], fmt)
    else:
        lines = [line for name, by_name in found for line in [f"# environment {name}", *_lines(by_name, fmt)]]
    result("".join(f"{line}\n" for line in lines))
