"""The `environments:` section read on its own, before the files load with an environment's variables."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from verifyctl.config.files import ConfigFiles
from verifyctl.config.limits import DEFAULT_LIMITS
from verifyctl.config.loader import Config, load_files, printable_name
from verifyctl.config.models import ENV_VAR_NAME, EnvironmentConfig
from verifyctl.config.reading import Unreadable, read_file, root_of
from verifyctl.config.variables import FLEET_STAND_INS, FLEET_VARIABLES, Variables
from verifyctl.config.yaml_source import parse_yaml
from verifyctl.errors import ConfigError, Problem, UsageError, VerifyctlError

# `--env all` selects every environment.
ALL = "all"
_SECTION = TypeAdapter(dict[str, EnvironmentConfig])


@dataclass(frozen=True)
class Environments:
    """The declared environments and the file declaring them (var_files are relative to it)."""

    by_name: Mapping[str, EnvironmentConfig] = field(default_factory=dict)
    file: Path | None = None
    # The root that file is read in: its var_files are read inside it too (None: anywhere).
    root: Path | None = None


@dataclass(frozen=True)
class Selection:
    """What `--env`, `--var` and `--var-file` asked for (`env` None: no environment named)."""

    env: str | None = None
    vars: tuple[str, ...] = ()
    var_files: tuple[str, ...] = ()
    # --allow-outside-links: files and links may lead outside the directory each path is read in.
    outside_links: bool = False


def read_environments(files: ConfigFiles, environ: Mapping[str, str]) -> Environments:
    """The `environments:` section of the files, before any `${VAR}` is expanded (it needs none).

    A broken section, or a second one, is reported as the full load reports it: every problem of every
    file at once, located (`environ` expands the rest of the files for that report only). `files`
    keeps each file as read and parsed for the loads that follow, so that none is read or parsed twice.
    """
    sources, problems = files.sources()
    found: list[tuple[Path, object]] = []
    for name, data in sources:
        if not may_declare_environments(data):
            continue  # spared a parse here: the load parses it, once
        document, _problems = files.parse(name, data)
        if document is not None and isinstance(document.data, dict) and "environments" in document.data:
            found.append((Path(name), document.data["environments"]))
    if not found:
        return Environments()
    try:
        if problems or len(found) > 1:
            raise ValueError("reported by the full load")
        file = found[0][0]
        return Environments(_SECTION.validate_python(found[0][1], strict=True), file, files.root(str(file)))
    except (ValidationError, ValueError):
        load_files(files, environ)  # raises ConfigError, located
        raise ConfigError([Problem(str(found[0][0]), 1, 1, "environments", "invalid")]) from None


def may_declare_environments(data: bytes) -> bool:
    """False only when the file cannot have an `environments` key: so it need not be parsed for one.

    In UTF-8 (or ASCII) the key is spelled out, unless a double-quoted escape spells it (`"\\x65nv…"`),
    which needs a backslash. UTF-16 and UTF-32 files (NUL bytes) are always parsed.
    """
    return b"environments" in data or b"\\" in data or b"\x00" in data


def _built_in(name: str) -> str | None:
    """Why `name` may not be given a value (None when it may): verifyctl sets it for fleet members."""
    if name in FLEET_VARIABLES:
        return f"{name} is built in for the members of a fleet; it cannot be set"
    return None


def _read_yaml_mapping(path: Path, root: Path | None, what: str) -> object:
    """A YAML file read through the bound (inside `root` once its links are followed; None: anywhere)."""
    try:
        data = read_file(path, DEFAULT_LIMITS.max_file_bytes, root)
    except Unreadable as error:
        raise VerifyctlError(f"cannot read the {what} {printable_name(str(path))}: {error.reason}") from None
    document, problems = parse_yaml(str(path), data, DEFAULT_LIMITS)
    if problems:
        raise ConfigError(problems)
    return document.data if document is not None else None


def _variable_values(path: Path, values: dict[object, object], where: str = "") -> dict[str, str]:
    shown: dict[str, str] = {}
    for key, value in values.items():
        name = printable_name(str(key))
        # Member files are new: their names are held to what a reference can name (var files never were).
        if not isinstance(key, str) or (where and not re.fullmatch(ENV_VAR_NAME, key)):
            raise VerifyctlError(f"{printable_name(str(path))}: {where}{name}: not a variable name")
        reserved = _built_in(key)
        if reserved:
            raise VerifyctlError(f"{printable_name(str(path))}: {where}{reserved}")
        if isinstance(value, bool):
            shown[key] = "true" if value else "false"
        elif isinstance(value, (str, int, float)):
            shown[key] = str(value)
        else:
            raise VerifyctlError(
                f"{printable_name(str(path))}: {where}{name}: a variable is a string, a number or a boolean"
            )
    return shown


def read_var_file(path: Path, root: Path | None) -> dict[str, str]:
    """A variables file: a YAML mapping of NAME: value (strings, numbers and booleans).

    Read through the bound, and only inside `root` once its links are followed (None: anywhere).
    """
    values = _read_yaml_mapping(path, root, "variables file")
    if values is None:
        return {}
    if not isinstance(values, dict) or not all(isinstance(k, str) for k in values):
        raise VerifyctlError(f"{path}: a variables file is a YAML mapping of NAME: value")
    return _variable_values(path, values)


def read_member_vars(path: Path, root: Path | None) -> dict[str, dict[str, str]]:
    """A fleet's `member_vars` file: {MEMBER: {NAME: value}}, MEMBER a friendly name or an AC... SID.

    Read through the bound, inside `root` (None: anywhere). Which members exist is known only once the
    parent's subaccounts are listed: the engine checks the keys then.
    """
    values = _read_yaml_mapping(path, root, "member variables file")
    if values is None:
        return {}
    shown = printable_name(str(path))
    if not isinstance(values, dict):
        raise VerifyctlError(f"{shown}: a member variables file is a YAML mapping of MEMBER: {{NAME: value}}")
    members: dict[str, dict[str, str]] = {}
    for member, own in values.items():
        if not isinstance(member, str) or not member.strip():
            raise VerifyctlError(
                f"{shown}: {printable_name(str(member))}: a member is a subaccount's friendly name or SID"
            )
        if own is None:
            own = {}
        if not isinstance(own, dict):
            raise VerifyctlError(
                f"{shown}: {printable_name(member)}: a member's variables are a mapping of NAME: value"
            )
        members[member] = _variable_values(path, own, f"{printable_name(member)}: ")
    return members


def parse_vars(pairs: Sequence[str]) -> dict[str, str]:
    """`--var KEY=VALUE` values as a mapping; UsageError on one without `=` or with a bad name."""
    parsed: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.isidentifier():
            raise UsageError(f"--var {pair!r}: write KEY=VALUE, KEY a variable name")
        reserved = _built_in(key)
        if reserved:
            raise UsageError(f"--var {key}: {reserved}")
        parsed[key] = value
    return parsed


@dataclass(frozen=True)
class Layers:
    """The declared `${VAR}` values by source, read once: an environment's and the command line's.

    A fleet member's own values go between them (`member_vars` win over the environment's, --var-file
    and --var over both), so each member's Variables are made without reading a file again.
    """

    environment: Mapping[str, str]
    command_line: Mapping[str, str]
    credential_names: tuple[str, ...]
    name: str = ""

    def variables(
        self,
        environ: Mapping[str, str],
        member: Mapping[str, str] | None = None,
        stand_in: Mapping[str, str] | None = None,
    ) -> Variables:
        """`member`: a member's own values (over the environment's); `stand_in`: values for the
        variables no other source declares (an offline member's)."""
        values = {**(stand_in or {}), **self.environment, **(member or {}), **self.command_line}
        return Variables.of_process(environ, self.credential_names, values, self.name)


def layers(
    selection: Selection,
    environment: EnvironmentConfig | None = None,
    declared: Environments | None = None,
    name: str = "",
) -> Layers:
    """The environment's vars over its var_files; --var over --var-file (see `variables`)."""
    own: dict[str, str] = {}
    if environment is not None:
        file = declared.file if declared is not None else None
        base = file.parent if file is not None else Path()
        root = None if selection.outside_links or declared is None else declared.root
        for name in environment.var_files:
            own.update(read_var_file(base / name, root))
        own.update({k: _text(v) for k, v in environment.vars.items()})
    given: dict[str, str] = {}
    for name in selection.var_files:
        given.update(read_var_file(Path(name), None if selection.outside_links else root_of(name)))
    given.update(parse_vars(selection.vars))
    names: tuple[str, ...] = ()
    if environment is not None:
        credentials = environment.own_credentials
        names = tuple(
            n for n in (credentials.auth_token_env, credentials.api_key_env, credentials.api_secret_env) if n
        )
    return Layers(own, given, names, name)


def variables(
    selection: Selection,
    environ: Mapping[str, str],
    environment: EnvironmentConfig | None = None,
    declared: Environments | None = None,
) -> Variables:
    """`${VAR}` values: --var > --var-file > the environment's vars, var_files > VERIFYCTL_VAR_* variables.

    The environment's var_files are read inside the root of the file declaring them; a --var-file
    inside the directory that holds it (a link of it may not lead elsewhere), unless --allow-outside-links.
    """
    named = next((n for n, e in declared.by_name.items() if e is environment), "") if declared else ""
    return layers(selection, environment, declared, named).variables(environ)


def _text(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def services_in(config: Config, environment: str) -> Config:
    """The configuration as one environment has it: the services without `environments:` or naming it."""
    if not environment:
        return config
    kept = [s for s in config.services if s.environments is None or environment in s.environments]
    return replace(config, services=kept)


def member_vars_of(
    environment: EnvironmentConfig, declared: Environments, selection: Selection
) -> dict[str, dict[str, str]]:
    """A fleet's member_vars file read (relative to the file declaring it, inside its root); {} without."""
    if environment.member_vars is None:
        return {}
    file = declared.file
    base = file.parent if file is not None else Path()
    root = None if selection.outside_links else declared.root
    return read_member_vars(base / environment.member_vars, root)


def offline_member(members: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
    """Values standing in for an unknown member: placeholders for the built-ins, and each member
    variable as the first member that sets it has it, for the variables no other source declares (so
    that the files can be checked offline; a member's own value is checked with that member)."""
    values: dict[str, str] = {}
    for own in members.values():
        for name, value in own.items():
            values.setdefault(name, value)
    return {**values, **FLEET_STAND_INS}


def environment_variables(
    selection: Selection, environ: Mapping[str, str], environment: EnvironmentConfig, declared: Environments
) -> Variables:
    """An environment's variables; a fleet's with an offline member's (see `offline_member`)."""
    name = next((n for n, e in declared.by_name.items() if e is environment), "")
    found = layers(selection, environment, declared, name)
    if not environment.is_fleet:
        return found.variables(environ)
    stand_in = offline_member(member_vars_of(environment, declared, selection))
    built_in = {name: stand_in.pop(name) for name in FLEET_VARIABLES}
    return found.variables(environ, built_in, stand_in)


def environment_configs(
    paths: Sequence[str | Path], selection: Selection, environ: Mapping[str, str]
) -> list[tuple[str, Config]]:
    """The files loaded once per declared environment with its variables (once, as "", without any);
    each file read and parsed once in all."""
    files = ConfigFiles(paths, outside_links=selection.outside_links)
    declared = read_environments(files, environ)
    if not declared.by_name:
        return [("", load_files(files, variables(selection, environ)))]
    return [
        (name, services_in(load_files(files, environment_variables(selection, environ, env, declared)), name))
        for name, env in declared.by_name.items()
    ]
