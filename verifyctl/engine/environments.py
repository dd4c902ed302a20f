"""Named environments: which ones a run selects, their variables (by precedence) and their accounts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from verifyctl.client import Credentials
from verifyctl.config.environment_section import Environments, read_environments, read_var_file
from verifyctl.config.models import EnvironmentConfig
from verifyctl.engine.account import AccountSpec
from verifyctl.errors import CredentialsError, UsageError

ALL = "all"


@dataclass(frozen=True)
class Selection:
    """What `--env`, `--var` and `--var-file` asked for (`env` None: no environment named)."""

    env: str | None = None
    vars: tuple[str, ...] = ()
    var_files: tuple[str, ...] = ()


@dataclass(frozen=True)
class Target:
    """One environment of a run: its name ("" without environments), account and `${VAR}` values."""

    name: str
    spec: AccountSpec | None
    variables: Mapping[str, str]


def parse_vars(pairs: Sequence[str]) -> dict[str, str]:
    """`--var KEY=VALUE` values as a mapping; UsageError on one without `=` or with a bad name."""
    parsed: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.isidentifier():
            raise UsageError(f"--var {pair!r}: write KEY=VALUE, KEY a variable name")
        parsed[key] = value
    return parsed


def variables(
    selection: Selection,
    environ: Mapping[str, str],
    environment: EnvironmentConfig | None = None,
    declared_in: Path | None = None,
) -> dict[str, str]:
    """`${VAR}` values: --var > --var-file > the environment's vars, var_files > the process environment."""
    merged = dict(environ)
    if environment is not None:
        base = declared_in.parent if declared_in is not None else Path()
        for name in environment.var_files:
            merged.update(read_var_file(base / name))
        merged.update({k: _text(v) for k, v in environment.vars.items()})
    for name in selection.var_files:
        merged.update(read_var_file(Path(name)))
    merged.update(parse_vars(selection.vars))
    return merged


def _text(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


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
    declared = read_environments(paths, environ)
    if not declared.by_name:
        if selection.env:
            raise UsageError(f"--env {selection.env}: no file has an `environments:` section")
        return [Target("", None, variables(selection, environ))]
    names = sorted(declared.by_name)
    if selection.env is None and needs_account:
        raise UsageError(
            f"the configuration declares environments ({', '.join(names)}); choose one with --env NAME"
            " (or VERIFYCTL_ENV), or --env all"
        )
    if selection.env in (None, ALL):
        chosen = names
    elif selection.env in declared.by_name:
        chosen = [selection.env]
    else:
        raise UsageError(f"--env {selection.env}: no such environment (declared: {', '.join(names)}, or all)")
    return [_target(name, declared, selection, environ, api_url, needs_account) for name in chosen]


def _target(
    name: str,
    declared: Environments,
    selection: Selection,
    environ: Mapping[str, str],
    api_url: str | None,
    needs_account: bool,
) -> Target:
    environment = declared.by_name[name]
    spec = None
    if needs_account:
        spec = AccountSpec(
            # --api-url (or VERIFYCTL_API_URL) overrides every environment's own, e.g. to try them locally.
            api_url=api_url or environment.api_url,
            credentials=credentials_of(name, environment, environ),
            environment=name,
            credential_names=credential_names(environment),
        )
    return Target(name, spec, variables(selection, environ, environment, declared.file))
