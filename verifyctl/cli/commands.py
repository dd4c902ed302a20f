"""Imports every command module so that each registers itself on the `verifyctl` group."""

from __future__ import annotations
