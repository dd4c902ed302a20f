"""One target of a run: an environment (or a fleet's member) with its account and `${VAR}` values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from verifyctl.client import Credentials
from verifyctl.config.files import ConfigFiles
from verifyctl.config.models import EnvironmentConfig
from verifyctl.engine.account import AccountSpec
from verifyctl.engine.fleet_basics import Member
from verifyctl.errors import CredentialsError, VerifyctlError


@dataclass(frozen=True)
class FleetParent:
    """A fleet's parent account, as its members' targets carry it: where the family's services are capped."""

    fleet: str
    spec: AccountSpec
    # The cap on services across the parent and its subaccounts (subaccounts_of.max_services); None: none.
    max_services: int | None = None


@dataclass(frozen=True)
class Target:
    """One environment of a run: its name ("" without environments), account and `${VAR}` values."""

    name: str
    spec: AccountSpec | None
    variables: Mapping[str, str]
    # Why this environment cannot be opened (its credentials unset), raised when it is: under
    # `--env all` one environment's missing variable must not stop the others.
    problem: VerifyctlError | None = None
    # The command's files as read and parsed to find the environments: the load takes them from here.
    files: ConfigFiles | None = field(default=None, compare=False)
    # A fleet member's target (named FLEET/MEMBER): the fleet's name, whose services it has, and the member.
    fleet: str = ""
    member: Member | None = None
    # Why a subaccount the fleet's select matches is not planned ("closed"): listed, never opened.
    skipped: str = ""
    parent: FleetParent | None = field(default=None, compare=False)

    @property
    def services_of(self) -> str:
        """The environment name the services' `environments:` lists are matched against."""
        return self.fleet or self.name


def fleet_run(env: str | None, targets: Sequence[Target]) -> str:
    """The fleet `--env` names as a whole (not one member of it), whose run shows a member table; ""
    otherwise. A fleet with no member selected (an empty shard) is still a fleet's run."""
    if not env or "/" in env:
        return ""
    if not targets:
        return env  # only a fleet's selection can be empty: any other environment is one target
    fleets = {t.fleet for t in targets}
    return env if fleets == {env} else ""


def credentials_of(name: str, environment: EnvironmentConfig, environ: Mapping[str, str]) -> Credentials:
    """The environment's credentials (a fleet's: its parent's), read from the variables it names (never
    from the files)."""
    given = environment.own_credentials
    names = [given.auth_token_env] if given.auth_token_env else [given.api_key_env, given.api_secret_env]
    missing = [n for n in names if n and not environ.get(n, "").strip()]
    if missing:
        raise CredentialsError(
            f"environment {name}: {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set"
            " (the credentials it names)"
        )
    sid = environment.subaccounts_of.account_sid if environment.subaccounts_of else environment.account_sid
    assert sid is not None  # the model requires account_sid without subaccounts_of
    if given.auth_token_env:
        # With an auth token the declared SID is the username: the API itself checks they belong together.
        return Credentials(username=sid, secret=environ[given.auth_token_env].strip(), account_sid=sid)
    assert given.api_key_env and given.api_secret_env
    key, secret = environ[given.api_key_env].strip(), environ[given.api_secret_env].strip()
    return Credentials(username=key, secret=secret, account_sid=sid)


def credential_names(environment: EnvironmentConfig) -> str:
    given = environment.own_credentials
    return given.auth_token_env or f"{given.api_key_env}/{given.api_secret_env}"
