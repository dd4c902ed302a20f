"""`--env`, `--var` and `--var-file`: which named environments a command works on, with their variables."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Protocol

import click

from verifyctl.cli.output import progress
from verifyctl.cli.outside_links import outside_links_option
from verifyctl.config.environment_section import ALL, Selection
from verifyctl.engine.account import AccountSpec
from verifyctl.engine.environments import Target, select
from verifyctl.engine.fleet_basics import Shard
from verifyctl.errors import UsageError


class AccountOptions(Protocol):
    """What of cli.options.AccountOptions the selection reads (a protocol: options imports this module)."""

    @property
    def api_url(self) -> str | None: ...
    @property
    def local(self) -> bool: ...
    @property
    def env(self) -> str | None: ...
    @property
    def vars(self) -> tuple[str, ...]: ...
    @property
    def var_files(self) -> tuple[str, ...]: ...
    @property
    def allow_outside_links(self) -> bool: ...
    @property
    def allow_http_hosts(self) -> tuple[str, ...]: ...


__all__ = ["ALL", "Shard", "Target", "environment_options", "one_target", "shard_option", "targets_of"]

environment_options = (
    click.option(
        "--env",
        metavar="NAME|all",
        envvar="VERIFYCTL_ENV",
        help="The environment (of `environments:`) to work on, or all; for a fleet, FLEET is every member"
        " and FLEET/MEMBER one (by friendly name or SID) [env VERIFYCTL_ENV].",
    ),
    click.option(
        "--var",
        "vars",
        multiple=True,
        metavar="KEY=VALUE",
        help="A value for ${KEY}; wins over every other source (repeatable).",
    ),
    click.option(
        "--var-file",
        "var_files",
        multiple=True,
        # Not FILE: that metavar marks the options that write a file (-o/--out); this one is read.
        metavar="VARS_FILE",
        help="A YAML file of KEY: value variables; --var wins over it (repeatable).",
    ),
    outside_links_option,
)


def _shard(context: click.Context, parameter: click.Parameter, value: str | None) -> Shard | None:
    return Shard.parse(value) if value else None


shard_option = click.option(
    "--shard",
    metavar="K/N",
    envvar="VERIFYCTL_SHARD",
    callback=_shard,
    help="Only the K-th of N stable shares of a fleet's members (by a hash of each member's SID), one per"
    " job of a CI matrix; shards 1/N..N/N cover every member once [env VERIFYCTL_SHARD].",
)


def selection_of(options: AccountOptions) -> Selection:
    return Selection(
        env=options.env or None,
        vars=options.vars,
        var_files=options.var_files,
        outside_links=options.allow_outside_links,
    )


def targets_of(
    options: AccountOptions, paths: Sequence[str], *, needs_account: bool = True, shard: Shard | None = None
) -> list[Target]:
    """The environments a command works on (a fleet's: one per member, `shard` a share of them); one
    unnamed target when the files declare none."""
    selection = selection_of(options)
    if options.local:
        if shard is not None:
            raise UsageError("--local is one account; --shard shares the members of a fleet")
        return [_local_target(selection, paths)]
    return select(
        paths,
        selection,
        os.environ,
        api_url=options.api_url,
        needs_account=needs_account,
        shard=shard,
        allow_http_hosts=options.allow_http_hosts,
    )


def _local_target(selection: Selection, paths: Sequence[str]) -> Target:
    """The embedded emulator standing in for one environment: its variables and services, no credentials.

    Without --env it stands in for the first environment declared (said on stderr), so that a sandbox
    run over files with environments needs no flag; a real account always needs --env.
    """
    if selection.env == ALL:
        raise UsageError("--local is one account; it works on one environment at a time (--env NAME)")
    declared = select(paths, selection, os.environ, needs_account=False)
    target = next((t for t in declared if t.name == (selection.env or "").partition("/")[0]), declared[0])
    if target.fleet:
        raise UsageError(
            f"--local is one account; environment {target.name} is a fleet of subaccounts: run it against"
            " an emulator serving the parent and its subaccounts (verifyctl emulator serve, --api-url)"
        )
    if target.name and not selection.env:
        progress(
            f"--local: the embedded emulator stands in for environment {target.name} (choose with --env)"
        )
    spec = AccountSpec(local=True, environment=target.name or None)
    return Target(target.name, spec, target.variables, files=target.files)


def one_target(options: AccountOptions, paths: Sequence[str]) -> Target:
    """The one environment of a command that works on one account at a time (`--env all` refused)."""
    if options.env == ALL:
        raise UsageError(
            "--env all: this command works on one environment at a time; name it with --env NAME"
        )
    chosen = targets_of(options, paths)
    if len(chosen) != 1 or chosen[0].skipped:
        # Only a fleet gives other than one target: each of its members is an account.
        raise UsageError(
            f"--env {options.env}: a fleet of subaccounts; this command works on one account at a time:"
            f" name a member with --env {options.env}/MEMBER (by friendly name or SID)"
        )
    return chosen[0]
