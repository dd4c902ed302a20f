"""A fleet environment expanded into its members' targets: the parent asked once, each member's variables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from verifyctl.client import VerifyClient, resolve_base_url
from verifyctl.client.base_url import accounts_base_url
from verifyctl.config.environment_section import (
    Environments,
    Selection,
    layers,
    member_vars_of,
    offline_member,
)
from verifyctl.config.files import ConfigFiles
from verifyctl.config.loader import load_files
from verifyctl.config.variables import FLEET_VARIABLES
from verifyctl.engine.account import AccountSpec
from verifyctl.engine.fleet import (
    TOKEN_FETCHES,
    check_member_vars,
    choose,
    list_roster,
    own_vars,
    with_credentials,
)
from verifyctl.engine.fleet_basics import Member, Shard
from verifyctl.engine.target import FleetParent, Target, credential_names, credentials_of
from verifyctl.errors import CredentialsError, VerifyctlError
from verifyctl.plan.model import mask_sid


@dataclass(frozen=True)
class Where:
    """Where a fleet's parent is reached: --api-url (or the environment's) and the hosts trusted by name."""

    api_url: str | None = None
    allow_http_hosts: tuple[str, ...] = ()


def fleet_targets(
    name: str,
    member: str | None,
    declared: Environments,
    selection: Selection,
    environ: Mapping[str, str],
    where: Where,
    files: ConfigFiles,
    shard: Shard | None,
) -> list[Target]:
    """A fleet's targets: one per member chosen (named FLEET/MEMBER, by name), then the skipped ones.

    The files are checked once with an offline member before the parent is asked for its subaccounts,
    so that a mistake in them is reported once (not once per member) and before any request. The
    member_vars file's keys are checked against every subaccount the select matches, whatever the shard.
    """
    environment = declared.by_name[name]
    parent = environment.subaccounts_of
    assert parent is not None
    found = layers(selection, environment, declared, name)
    member_vars = member_vars_of(environment, declared, selection)
    stand_in = offline_member(member_vars)
    built_in = {name: stand_in.pop(name) for name in FLEET_VARIABLES}
    load_files(files, found.variables(environ, built_in, stand_in))  # ConfigError, located
    credentials = credentials_of(name, environment, environ)  # CredentialsError names the variables
    names = credential_names(environment)
    api_url = where.api_url or environment.api_url
    base_url = resolve_base_url(api_url, where.allow_http_hosts)
    with VerifyClient(
        accounts_base_url(base_url),
        credentials,
        parallelism=TOKEN_FETCHES,
        allow_http_hosts=where.allow_http_hosts,
        credential_names=names,
    ) as client:
        try:
            roster = list_roster(client, parent.account_sid, environment)
            if environment.member_vars is not None:
                check_member_vars(member_vars, roster, name, environment.member_vars)
            members, skipped = choose(roster, name, member, shard)
            members = with_credentials(client, members)
        except VerifyctlError as error:
            if isinstance(error, CredentialsError) or error.message.startswith("--env"):
                raise
            parent_sid = mask_sid(parent.account_sid)
            error.message = f"environment {name}: subaccounts of {parent_sid}: {error.message}"
            error.args = (error.message,)
            raise
    parent_spec = AccountSpec(api_url=api_url, credentials=credentials, credential_names=names)
    family = FleetParent(name, parent_spec, parent.max_services)
    targets = []
    for one in members:
        spec = AccountSpec(
            api_url=api_url,
            credentials=one.credentials,
            environment=f"{name}/{one.name}",
            credential_names=f"the auth token of subaccount {one.masked_sid} (read with {names})",
            member_name=one.friendly_name,
        )
        values = found.variables(environ, own_vars(one, member_vars))
        target = Target(f"{name}/{one.name}", spec, values, files=files, fleet=name, member=one)
        targets.append(replace(target, parent=family))
    for gone in skipped:
        listed = Member(gone.name, gone.sid, gone.reason, gone.name)
        target = Target(f"{name}/{gone.name}", None, {}, files=files, fleet=name, member=listed)
        targets.append(replace(target, skipped=gone.reason))
    return targets
