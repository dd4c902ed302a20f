"""Registers every command on the `verifyctl` group; each command lives in its own module."""

from __future__ import annotations

from verifyctl.cli.apply_cmd import apply_command
from verifyctl.cli.config_cmd import schema_command, validate_command
from verifyctl.cli.emulator_cmd import emulator_group
from verifyctl.cli.main import cli
from verifyctl.cli.plan_cmd import plan_command

for command in (validate_command, plan_command, apply_command, schema_command, emulator_group):
    cli.add_command(command)
