"""The `environments:` section read on its own, before the files load with an environment's variables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from verifyctl.config.limits import DEFAULT_LIMITS
from verifyctl.config.loader import DEFAULT_PATH, Config, load_config
from verifyctl.config.models import EnvironmentConfig
from verifyctl.config.parsed import ParsedFiles
from verifyctl.config.paths import expand_paths
from verifyctl.config.variables import Variables, declared_var_file
from verifyctl.config.yaml_source import parse_yaml
from verifyctl.errors import ConfigError, Problem, UsageError, VerifyctlError
from verifyctl.memory import cycle_collector_paused

# `--env all` selects every environment.
ALL = "all"
_SECTION = TypeAdapter(dict[str, EnvironmentConfig])


@dataclass(frozen=True)
class Environments:
    """The declared environments and the file declaring them (var_files are relative to it)."""

    by_name: Mapping[str, EnvironmentConfig] = field(default_factory=dict)
    file: Path | None = None


@dataclass(frozen=True)
class Selection:
    """What `--env`, `--var` and `--var-file` asked for (`env` None: no environment named)."""

    env: str | None = None
    vars: tuple[str, ...] = ()
    var_files: tuple[str, ...] = ()


@cycle_collector_paused()
def read_environments(
    paths: Sequence[str | Path], environ: Mapping[str, str], parsed: ParsedFiles | None = None
) -> Environments:
    """The `environments:` section of the files, before any `${VAR}` is expanded (it needs none).

    A broken section, or a second one, is reported as the full load reports it: every problem of every
    file at once, located (`environ` expands the rest of the files for that report only). `parsed`
    keeps each file's parse for the load that follows, so that no file is parsed twice.
    """
    files, problems, _ = expand_paths(paths or [DEFAULT_PATH])
    found: list[tuple[Path, object]] = []
    for file in files:
        try:
            data = file.read_bytes()
        except OSError:
            continue  # the full load reports it
        if not may_declare_environments(data):
            continue  # spared a parse: a file of 2,000 services took 0.7 s, before the real load
        if parsed is not None:
            document, _problems = parsed.parse(str(file), data, DEFAULT_LIMITS)
        else:
            document, _problems = parse_yaml(str(file), data, DEFAULT_LIMITS)
        if document is not None and isinstance(document.data, dict) and "environments" in document.data:
            found.append((file, document.data["environments"]))
    if not found:
        return Environments()
    try:
        if problems or len(found) > 1:
            raise ValueError("reported by the full load")
        return Environments(_SECTION.validate_python(found[0][1], strict=True), found[0][0])
    except (ValidationError, ValueError):
        load_config(paths, environ, parsed=parsed)  # raises ConfigError, located
        raise ConfigError([Problem(str(found[0][0]), 1, 1, "environments", "invalid")]) from None


def may_declare_environments(data: bytes) -> bool:
    """False only when the file cannot have an `environments` key: so it need not be parsed for one.

    In UTF-8 (or ASCII) the key is spelled out, unless a double-quoted escape spells it (`"\\x65nv…"`),
    which needs a backslash. UTF-16 and UTF-32 files (NUL bytes) are always parsed.
    """
    return b"environments" in data or b"\\" in data or b"\x00" in data


def read_var_file(path: Path) -> dict[str, str]:
    """A variables file: a YAML mapping of NAME: value (strings, numbers and booleans)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise VerifyctlError(f"cannot read the variables file {path}: {error.strerror or error}") from None
    document, problems = parse_yaml(str(path), data, DEFAULT_LIMITS)
    if problems:
        raise ConfigError(problems)
    values = document.data if document is not None else None
    if values is None:
        return {}
    if not isinstance(values, dict) or not all(isinstance(k, str) for k in values):
        raise VerifyctlError(f"{path}: a variables file is a YAML mapping of NAME: value")
    shown: dict[str, str] = {}
    for key, value in values.items():
        if isinstance(value, bool):
            shown[key] = "true" if value else "false"
        elif isinstance(value, (str, int, float)):
            shown[key] = str(value)
        else:
            raise VerifyctlError(f"{path}: {key}: a variable is a string, a number or a boolean")
    return shown


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
) -> Variables:
    """`${VAR}` values: --var > --var-file > the environment's vars, var_files > VERIFYCTL_VAR_* variables."""
    declared: dict[str, str] = {}
    if environment is not None:
        base = declared_in.parent if declared_in is not None else Path()
        for name in environment.var_files:
            declared.update(read_var_file(declared_var_file(base, name)))
        declared.update({k: _text(v) for k, v in environment.vars.items()})
    for name in selection.var_files:
        declared.update(read_var_file(Path(name)))
    declared.update(parse_vars(selection.vars))
    given = environment.credentials if environment is not None else None
    own = [n for n in (given.auth_token_env, given.api_key_env, given.api_secret_env) if n] if given else []
    return Variables.of_process(environ, own, declared)


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


def environment_configs(
    paths: Sequence[str | Path], selection: Selection, environ: Mapping[str, str]
) -> list[tuple[str, Config]]:
    """The files loaded once per declared environment with its variables (once, as "", without any)."""
    parsed = ParsedFiles()
    declared = read_environments(paths, environ, parsed)
    if not declared.by_name:
        return [("", load_config(paths, variables(selection, environ), parsed=parsed))]
    # The first environment's load takes the files as read_environments parsed them; the others parse
    # again, as each expands the files' `${VAR}` with its own variables.
    return [
        (
            name,
            services_in(
                load_config(paths, variables(selection, environ, env, declared.file), parsed=parsed), name
            ),
        )
        for name, env in declared.by_name.items()
    ]
