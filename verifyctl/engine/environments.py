"""Named environments: which ones a run selects, their variables (by precedence) and their accounts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from verifyctl.client import Credentials
from verifyctl.config.environment_section import ALL, Environments, Selection, read_environments, variables
from verifyctl.config.files import ConfigFiles
from verifyctl.config.models import EnvironmentConfig
from verifyctl.engine.account import AccountSpec
from verifyctl.errors import CredentialsError, UsageError


@dataclass(frozen=True)
class Target:
    """One environment of a run: its name ("" without environments), account and `${VAR}` values."""

    name: str
    spec: AccountSpec | None
    variables: Mapping[str, str]
    # Why this environment cannot be opened (its credentials unset), raised when it is: under
    # `--env all` one environment's missing variable must not stop the others.
    problem: CredentialsError | None = None
    # The command's files as read and parsed to find the environments: the load takes them from here.
    files: ConfigFiles | None = field(default=None, compare=False)


def credentials_of(name: str, environment: EnvironmentConfig, environ: Mapping[str, str]) -> Credentials:
    """The environment's credentials, read from the variables it names (never from the files)."""
    given = environment.credentials
    names = [given.auth_token_env] if given.auth_token_env else [given.api_key_env, given.api_secret_env]
    missing = [n for n in names if n and not environ.get(n, "").strip()]
    if missing:
        raise CredentialsError(
            f"environment {name}: {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set"
            " (the credentials it names)"
        )
    sid = environment.account_sid
    if given.auth_token_env:
        # With an auth token the declared SID is the username: the API itself checks they belong together.
        return Credentials(username=sid, secret=environ[given.auth_token_env].strip(), account_sid=sid)
    assert given.api_key_env and given.api_secret_env
    key, secret = environ[given.api_key_env].strip(), environ[given.api_secret_env].strip()
    return Credentials(username=key, secret=secret, account_sid=sid)


def credential_names(environment: EnvironmentConfig) -> str:
    given = environment.credentials
    return given.auth_token_env or f"{given.api_key_env}/{given.api_secret_env}"


def select(
    paths: Sequence[str],
    selection: Selection,
    environ: Mapping[str, str],
    *,
    api_url: str | None = None,
    needs_account: bool = True,
) -> list[Target]:
    """The environments a run works on, each with its account (None when `needs_account` is False).

    Without an `environments:` section: one unnamed target, the account of the TWILIO_* variables
    (left to the caller: spec None). With one, `--env` must name an environment or `all`, unless
    the command needs no account (validate, lint), which then checks every environment.
    """
    files = ConfigFiles(paths, outside_links=selection.outside_links)
    declared = read_environments(files, environ)
    if not declared.by_name:
        if selection.env:
            raise UsageError(f"--env {selection.env}: no file has an `environments:` section")
        return [Target("", None, variables(selection, environ), files=files)]
    names = sorted(declared.by_name)
    if selection.env is None and needs_account:
        raise UsageError(
            f"the configuration declares environments ({', '.join(names)}); choose one with --env NAME"
            " (or VERIFYCTL_ENV), or --env all"
        )
    if selection.env in (None, ALL):
        chosen = list(declared.by_name)  # in the order the file declares them
    elif selection.env in declared.by_name:
        chosen = [selection.env]
    else:
        raise UsageError(f"--env {selection.env}: no such environment (declared: {', '.join(names)}, or all)")
    targets = [_target(name, declared, selection, environ, api_url, needs_account, files) for name in chosen]
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
    found = variables(selection, environ, environment, declared)
    if not needs_account:
        return Target(name, None, found, files=files)
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
