"""Imports every command module so that each registers itself on the `verifyctl` group."""

from __future__ import annotations

from verifyctl.cli import apply_cmd, plan_cmd

__all__ = ["apply_cmd", "plan_cmd"]
