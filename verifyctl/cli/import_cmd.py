"""`verifyctl import`: write live services, with all their children, as configuration YAML."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import click

from verifyctl.cli.environment import one_target
from verifyctl.cli.files import write_text
from verifyctl.cli.help_text import account_env, epilog, exit_codes
from verifyctl.cli.options import (
    AccountOptions,
    Parallelism,
    account_options,
    open_engine,
    parallelism_option,
)
from verifyctl.cli.output import plural, progress, result
from verifyctl.cli.ticker import reading
from verifyctl.config.schema import COMMITTED_PATH
from verifyctl.errors import RefusedError, UsageError
from verifyctl.render.config_yaml import render_config, shared_names, split_file_names
from verifyctl.resources.records import count_records


def schema_ref_for(directory: Path | None) -> str:
    """The schema comment's path: `schemas/verifyctl.schema.json` of the current directory (the project
    root, where verifyctl runs), relative to the directory the YAML is written to (stdout: the root)."""
    schema = Path.cwd() / COMMITTED_PATH
    if directory is None:
        return Path(COMMITTED_PATH).as_posix()
    return Path(os.path.relpath(schema, directory.resolve())).as_posix()


def schema_command() -> str:
    """The shell command that writes the committed schema, its directory made first."""
    directory = Path(COMMITTED_PATH).parent.as_posix()
    return f"mkdir -p {directory} && verifyctl schema > {COMMITTED_PATH}"


def refuse_overwrite(paths: Sequence[Path]) -> None:
    existing = [str(p) for p in paths if p.exists()]
    if existing:
        raise RefusedError(
            f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}; "
            f"pass --overwrite to replace {'it' if len(existing) == 1 else 'them'}"
        )


@click.command(
    "import",
    epilog=epilog(
        account_env(parallelism=True),
        exit_codes("  0   written", "  3   a file to write exists and --overwrite was not given"),
    ),
)
@click.argument("services", nargs=-1, metavar="[SERVICE]...")
@click.option("-o", "--out", metavar="FILE", help="Write one YAML file (default: stdout).")
# The spelling of 0.x, kept working: -o/--out is what every command that writes a file takes.
@click.option("--output", "output_alias", metavar="FILE", hidden=True)
@click.option("--split", metavar="DIR", help="Write one file per service into DIR, named after it.")
@click.option("--overwrite", is_flag=True, help="Overwrite files that already exist.")
@click.option(
    "--config",
    "config_paths",
    multiple=True,
    type=click.Path(exists=True),
    metavar="PATH",
    help="A YAML file or directory whose `environments:` section --env reads, as PATHS of plan"
    " (repeatable; default verifyctl.yaml).",
)
# --force means "past the safety threshold" on apply; on import it was --overwrite. Kept, with a warning.
@click.option("--force", "force_alias", is_flag=True, hidden=True)
@click.option(
    "--schema-ref",
    metavar="REF",
    help=f"The $schema of the editor comment (default: {COMMITTED_PATH} of the current directory, "
    "relative to the file written).",
)
@parallelism_option
@account_options
def import_command(
    services: tuple[str, ...],
    out: str | None,
    output_alias: str | None,
    split: str | None,
    overwrite: bool,
    force_alias: bool,
    schema_ref: str | None,
    config_paths: tuple[str, ...],
    parallelism: Parallelism,
    account: AccountOptions,
) -> None:
    """Write live services (all, or each SERVICE named by friendly name or SID) as YAML.

    Every field the account has set and every child list is written, so the result is managed
    as a whole: `verifyctl plan` against the same account shows no changes. Services that share a
    friendly name get a `sid` pin. Existing files are never overwritten without --overwrite.
    """
    if out and output_alias:
        raise UsageError("--output is the old spelling of -o/--out: give one of them")
    output = out or output_alias
    if force_alias:
        progress("Warning: import --force is deprecated; use --overwrite (apply's --force differs)")
    force = overwrite or force_alias
    if output and split:
        raise UsageError("-o/--out and --split are exclusive: one file, or one file per service")
    if output and not force:
        refuse_overwrite([Path(output)])
    # SERVICE names take the positional arguments, so the configuration's paths come with --config.
    with open_engine(account, parallelism, one_target(account, config_paths)) as engine:
        with reading(engine):
            imported = engine.import_services(services)
        source = engine.api_url
    live, chosen = imported.live, imported.chosen
    shared = shared_names(live)
    objects = plural(count_records(chosen), "object")
    if split:
        directory = Path(split)
        files = [(directory / name, service) for name, service in split_file_names(chosen)]
        if not force:
            refuse_overwrite([path for path, _ in files])
        ref = schema_ref or schema_ref_for(directory)
        for path, service in files:
            # --split DIR makes DIR (and its parents): it names a new folder of files.
            write_text(path, render_config([service], schema_ref=ref, shared=shared), create_directories=True)
        progress(f"Imported {plural(len(chosen), 'service')} ({objects}) from {source} into {directory}/.")
    elif output:
        path = Path(output)
        ref = schema_ref or schema_ref_for(path.parent)
        write_text(path, render_config(chosen, schema_ref=ref, shared=shared))
        progress(f"Imported {plural(len(chosen), 'service')} ({objects}) from {source} to {path}.")
    else:
        ref = schema_ref or schema_ref_for(None)
        result(render_config(chosen, schema_ref=ref, shared=shared))
        progress(f"Imported {plural(len(chosen), 'service')} ({objects}) from {source}.")
    if not schema_ref and not (Path.cwd() / COMMITTED_PATH).exists():
        progress(
            f"Note: the editor comment points at {COMMITTED_PATH}, which does not exist here; "
            f"write it with `{schema_command()}` or pass --schema-ref."
        )
