"""Registers every command on the `verifyctl` group; each command lives in its own module."""

from __future__ import annotations

from verifyctl.cli.apply_cmd import apply_command
from verifyctl.cli.config_cmd import schema_command, validate_command
from verifyctl.cli.emulator_cmd import emulator_group
from verifyctl.cli.import_cmd import import_command
from verifyctl.cli.main import cli
from verifyctl.cli.plan_cmd import plan_command
from verifyctl.cli.verify_cmd import verify_group

for command in (
    validate_command,
    plan_command,
    apply_command,
    import_command,
    schema_command,
    verify_group,
    emulator_group,
):
    cli.add_command(command)
