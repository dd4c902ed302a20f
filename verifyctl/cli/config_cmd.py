"""`verifyctl validate` and `verifyctl schema`: offline commands over the YAML format."""

from __future__ import annotations

import json
import os
from dataclasses import asdict

import click

from verifyctl.cli.help_text import OFFLINE_ENV, PATHS, epilog, exit_codes
from verifyctl.cli.output import plural
from verifyctl.cli.outside_links import outside_links_option
from verifyctl.config.environment_section import Selection, environment_configs
from verifyctl.config.loader import DEFAULT_PATH, Config
from verifyctl.config.schema import schema_text
from verifyctl.errors import ConfigError, PolicyError
from verifyctl.lint import run


@click.command(
    "validate",
    epilog=epilog(PATHS, OFFLINE_ENV, exit_codes("  0   valid", error="invalid: every problem is listed")),
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one object on stdout (valid, counts, problems with file, line, column, path, message).",
)
@outside_links_option
def validate_command(paths: tuple[str, ...], output_format: str, allow_outside_links: bool) -> int:
    """Check the YAML files offline: syntax, keys, types and the API's documented limits.

    PATHS are files or directories (every *.yaml/*.yml below them); the default is verifyctl.yaml.
    Every problem in every file is reported at once, as FILE:LINE:COL: PATH: MESSAGE.
    """
    if output_format == "json":
        return _validate_json(list(paths) or [DEFAULT_PATH], allow_outside_links)
    loaded = check_environments(list(paths) or [DEFAULT_PATH], allow_outside_links)
    config = loaded[0][1]
    summary = ", ".join(
        [
            plural(len(config.files), "file"),
            plural(len(config.services), "service"),
            plural(config.object_count, "object"),
            # Only when written, so that files without one read as before.
            *([plural(len(config.safe_list), "Safe List number")] if config.safe_list else []),
        ]
    )
    names = [name for name, _ in loaded if name]
    shown = f" (environments: {', '.join(names)})" if names else ""
    click.echo(f"Valid: {summary}{shown}")
    return 0


def check_environments(paths: list[str], outside_links: bool = False) -> list[tuple[str, Config]]:
    """The files as each environment reads them (with its variables), each held to the policy's errors."""
    loaded = environment_configs(paths, Selection(outside_links=outside_links), os.environ)
    for name, config in loaded:
        # The policy's error-level rules are part of validity; `verifyctl lint` shows the other findings.
        run(config, environments={name or "default": config.services}).raise_if_blocking()
    return loaded


def _validate_json(paths: list[str], outside_links: bool) -> int:
    """The same checks, as one JSON object on stdout for CI: exit 1 with the problems when invalid."""
    report: dict[str, object] = {"valid": True, "problems": [], "policy_errors": []}
    try:
        config = check_environments(paths, outside_links)[0][1]
    except ConfigError as error:
        report.update(valid=False, problems=[asdict(problem) for problem in error.problems])
    except PolicyError as error:
        report.update(valid=False, policy_errors=error.findings)
    else:
        report.update(files=len(config.files), services=len(config.services), objects=config.object_count)
        if config.safe_list:
            report.update(safe_list_numbers=len(config.safe_list))
    click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    return 0 if report["valid"] else 1


@click.command("schema", epilog=exit_codes("  0   printed"))
def schema_command() -> None:
    """Print the JSON Schema of the YAML format (for editors: yaml-language-server)."""
    click.echo(schema_text(), nl=False)
