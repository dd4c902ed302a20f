"""The `environments:` section read on its own, before the files load with an environment's variables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from verifyctl.config.files import ConfigFiles
from verifyctl.config.limits import DEFAULT_LIMITS
from verifyctl.config.loader import Config, load_files, printable_name
from verifyctl.config.models import EnvironmentConfig
from verifyctl.config.reading import Unreadable, read_file, root_of
from verifyctl.config.variables import Variables
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


def read_var_file(path: Path, root: Path | None) -> dict[str, str]:
    """A variables file: a YAML mapping of NAME: value (strings, numbers and booleans).

    Read through the bound, and only inside `root` once its links are followed (None: anywhere).
    """
    try:
        data = read_file(path, DEFAULT_LIMITS.max_file_bytes, root)
    except Unreadable as error:
        raise VerifyctlError(
            f"cannot read the variables file {printable_name(str(path))}: {error.reason}"
        ) from None
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
    declared: Environments | None = None,
) -> Variables:
    """`${VAR}` values: --var > --var-file > the environment's vars, var_files > VERIFYCTL_VAR_* variables.

    The environment's var_files are read inside the root of the file declaring them; a --var-file
    inside the directory that holds it (a link of it may not lead elsewhere), unless --allow-outside-links.
    """
    values: dict[str, str] = {}
    if environment is not None:
        file = declared.file if declared is not None else None
        base = file.parent if file is not None else Path()
        root = None if selection.outside_links or declared is None else declared.root
        for name in environment.var_files:
            values.update(read_var_file(base / name, root))
        values.update({k: _text(v) for k, v in environment.vars.items()})
    for name in selection.var_files:
        values.update(read_var_file(Path(name), None if selection.outside_links else root_of(name)))
    values.update(parse_vars(selection.vars))
    given = environment.credentials if environment is not None else None
    own = [n for n in (given.auth_token_env, given.api_key_env, given.api_secret_env) if n] if given else []
    return Variables.of_process(environ, own, values)


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
    """The files loaded once per declared environment with its variables (once, as "", without any);
    each file read and parsed once in all."""
    files = ConfigFiles(paths, outside_links=selection.outside_links)
    declared = read_environments(files, environ)
    if not declared.by_name:
        return [("", load_files(files, variables(selection, environ)))]
    return [
        (name, services_in(load_files(files, variables(selection, environ, env, declared)), name))
        for name, env in declared.by_name.items()
    ]
