"""Named environments: which ones a run selects, their variables (by precedence) and their accounts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from verifyctl.config.environment_section import (
    ALL,
    Environments,
    Selection,
    environment_variables,
    read_environments,
    variables,
)
from verifyctl.config.files import ConfigFiles
from verifyctl.engine.account import AccountSpec
from verifyctl.engine.fleet_basics import Shard
from verifyctl.engine.target import Target, credential_names, credentials_of
from verifyctl.errors import CredentialsError, UsageError, VerifyctlError

__all__ = ["Target", "credential_names", "credentials_of", "select"]


def select(
    paths: Sequence[str],
    selection: Selection,
    environ: Mapping[str, str],
    *,
    api_url: str | None = None,
    needs_account: bool = True,
    shard: Shard | None = None,
    allow_http_hosts: tuple[str, ...] = (),
) -> list[Target]:
    """The environments a run works on, each with its account (None when `needs_account` is False).

    Without an `environments:` section: one unnamed target, the account of the TWILIO_* variables
    (left to the caller: spec None). With one, `--env` must name an environment or `all`, unless
    the command needs no account (validate, lint), which then checks every environment. A fleet is
    one target per member (`--env FLEET/MEMBER`: one; `shard`: a share), listed through its parent.
    """
    files = ConfigFiles(paths, outside_links=selection.outside_links)
    declared = read_environments(files, environ)
    if not declared.by_name:
        if selection.env:
            raise UsageError(f"--env {selection.env}: no file has an `environments:` section")
        if shard is not None:
            raise UsageError(f"--shard {shard}: shards share the members of a fleet; there is none here")
        return [Target("", None, variables(selection, environ), files=files)]
    wanted, _, member = (selection.env or "").partition("/")
    fleet = declared.by_name.get(wanted)
    if shard is not None and (fleet is None or not fleet.is_fleet):
        fleets = [n for n, e in declared.by_name.items() if e.is_fleet]
        raise UsageError(
            f"--shard {shard}: shards share the members of a fleet; name one with --env FLEET"
            f" ({'fleets: ' + ', '.join(fleets) if fleets else 'none is declared'})"
        )
    if fleet is not None and fleet.is_fleet and needs_account:
        from verifyctl.engine.fleet_targets import Where, fleet_targets  # a fleet's code, for fleets only

        where = Where(api_url, allow_http_hosts)
        return fleet_targets(wanted, member or None, declared, selection, environ, where, files, shard)
    if member and fleet is not None and not fleet.is_fleet:
        raise UsageError(
            f"--env {selection.env}: {wanted} is not a fleet; FLEET/MEMBER names a fleet's member"
        )
    names = sorted(declared.by_name)
    if selection.env is None and needs_account:
        raise UsageError(
            f"the configuration declares environments ({', '.join(names)}); choose one with --env NAME"
            " (or VERIFYCTL_ENV), or --env all"
        )
    if selection.env in (None, ALL):
        chosen = list(declared.by_name)  # in the order the file declares them
    elif fleet is not None:
        chosen = [wanted]  # a fleet's member named without an account (validate): the fleet's files
    else:
        raise UsageError(f"--env {selection.env}: no such environment (declared: {', '.join(names)}, or all)")
    targets: list[Target] = []
    for name in chosen:
        if declared.by_name[name].is_fleet and needs_account:
            from verifyctl.engine.fleet_targets import Where, fleet_targets

            where = Where(api_url, allow_http_hosts)
            try:
                targets += fleet_targets(name, None, declared, selection, environ, where, files, None)
            except VerifyctlError as problem:
                # Under --env all, a fleet whose parent cannot be listed must not hide the others.
                targets.append(Target(name, None, {}, problem, files, fleet=name))
        else:
            targets.append(_target(name, declared, selection, environ, api_url, needs_account, files))
    if len(targets) == 1 and targets[0].problem is not None:
        raise targets[0].problem
    return targets


def _target(
    name: str,
    declared: Environments,
    selection: Selection,
    environ: Mapping[str, str],
    api_url: str | None,
    needs_account: bool,
    files: ConfigFiles,
) -> Target:
    environment = declared.by_name[name]
    found = environment_variables(selection, environ, environment, declared)
    if not needs_account:
        return Target(name, None, found, files=files, fleet=name if environment.is_fleet else "")
    try:
        credentials = credentials_of(name, environment, environ)
    except CredentialsError as problem:
        return Target(name, None, found, problem, files)
    spec = AccountSpec(
        # --api-url (or VERIFYCTL_API_URL) overrides every environment's own, e.g. to try them locally.
        api_url=api_url or environment.api_url,
        credentials=credentials,
        environment=name,
        credential_names=credential_names(environment),
    )
    return Target(name, spec, found, files=files)
