"""`verifyctl output`: each declared service's SID by a stable name, for applications (json, env, dotenv)."""

from __future__ import annotations

import json

import click

from verifyctl.cli.environment import ALL, Shard, Target, shard_option, targets_of
from verifyctl.cli.help_text import PATHS, account_env, epilog, exit_codes
from verifyctl.cli.options import AccountOptions, Parallelism, account_options, parallelism_option
from verifyctl.cli.output import progress, result, setup_logging
from verifyctl.cli.show_cmd import read_environments
from verifyctl.client import RequestStats
from verifyctl.engine.inventory import Entry
from verifyctl.engine.target import fleet_run
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
@shard_option
@parallelism_option
@account_options
def output_command(
    paths: tuple[str, ...], fmt: str, shard: Shard | None, parallelism: Parallelism, account: AccountOptions
) -> None:
    """Print each declared service's SID: json {"NAME": "VA..."}, or NAME_VERIFY_SERVICE_SID=VA... lines."""
    setup_logging(account.verbose, account.log_format)  # before a fleet's parent is asked for members
    chosen = targets_of(account, paths, shard=shard)
    if fleet_run(account.env, chosen):
        return _fleet_output(chosen, paths, fmt, parallelism, account)
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


def _fleet_output(
    chosen: list[Target], paths: tuple[str, ...], fmt: str, parallelism: Parallelism, account: AccountOptions
) -> None:
    """Member -> service name -> SID for every member (skipped ones said on stderr); then any errors."""
    from verifyctl.engine.fleet_run import Ceiling, inventory_fleet  # a fleet's code, for fleets only

    ceiling = Ceiling(parallelism.ceiling, parallelism.adaptive)
    stats = RequestStats() if account.stats else None
    done = inventory_fleet(chosen, paths, ceiling, account.allow_http_hosts, stats)
    if stats is not None:
        progress(f"Requests: {stats.summary()} (the members'; the parent's listing not counted)")
    found: dict[str, dict[str, str]] = {}
    for one in done:
        name = one.target.member.name if one.target.member is not None else one.target.name
        if one.target.skipped:
            progress(f"{one.target.name}: skipped: {one.target.skipped}")
        elif one.value is not None:
            found[name] = sids(one.target.name, one.value)
    if fmt == "json":
        result(json.dumps(found, indent=2, ensure_ascii=False) + "\n")
    else:
        lines = [
            line for name, by_name in found.items() for line in [f"# member {name}", *_lines(by_name, fmt)]
        ]
        result("".join(f"{line}\n" for line in lines))
    failed = [one.error for one in done if one.error is not None]
    for error in failed:
        progress(f"Error: {error}")
    if failed:
        raise click.exceptions.Exit(failed[0].exit_code)
