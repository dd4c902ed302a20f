"""The `environments:` section read on its own, before the files load with an environment's variables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from verifyctl.config.limits import DEFAULT_LIMITS
from verifyctl.config.loader import DEFAULT_PATH, load_config
from verifyctl.config.models import EnvironmentConfig
from verifyctl.config.paths import expand_paths
from verifyctl.config.yaml_source import parse_yaml
from verifyctl.errors import ConfigError, Problem, VerifyctlError

_SECTION = TypeAdapter(dict[str, EnvironmentConfig])


@dataclass(frozen=True)
class Environments:
    """The declared environments and the file declaring them (var_files are relative to it)."""

    by_name: Mapping[str, EnvironmentConfig] = field(default_factory=dict)
    file: Path | None = None


def read_environments(paths: Sequence[str | Path], environ: Mapping[str, str]) -> Environments:
    """The `environments:` section of the files, before any `${VAR}` is expanded (it needs none).

    A broken section, or a second one, is reported as the full load reports it: every problem of every
    file at once, located (`environ` expands the rest of the files for that report only).
    """
    files, problems, _ = expand_paths(paths or [DEFAULT_PATH])
    found: list[tuple[Path, object]] = []
    for file in files:
        try:
            data = file.read_bytes()
        except OSError:
            continue  # the full load reports it
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
        load_config(paths, environ)  # raises ConfigError, located
        raise ConfigError([Problem(str(found[0][0]), 1, 1, "environments", "invalid")]) from None


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
