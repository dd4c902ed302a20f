"""`verifyctl validate` and `verifyctl schema`: offline commands over the YAML format."""

from __future__ import annotations

import os

import click

from verifyctl.config.loader import DEFAULT_PATH, load_config
from verifyctl.config.schema import schema_text
from verifyctl.lint import run


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
def validate_command(paths: tuple[str, ...]) -> None:
    """Check the YAML files offline: syntax, keys, types and the API's documented limits.

    PATHS are files or directories (every *.yaml/*.yml below them); the default is verifyctl.yaml.
    Every problem in every file is reported at once, as FILE:LINE:COL: PATH: MESSAGE.
    """
    config = load_config(list(paths) or [DEFAULT_PATH], os.environ)
    # The policy's error-level rules are part of validity; `verifyctl lint` shows the other findings too.
    run(config).raise_if_blocking()
    summary = ", ".join(
        [
            _count(len(config.files), "file"),
            _count(len(config.services), "service"),
            _count(config.object_count, "object"),
            # Only when written, so that files without one read as before.
            *([_count(len(config.safe_list), "Safe List number")] if config.safe_list else []),
        ]
    )
    click.echo(f"Valid: {summary}")


@click.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the YAML format (for editors: yaml-language-server)."""
    click.echo(schema_text(), nl=False)
