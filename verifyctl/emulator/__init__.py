"""A faithful, stateful local emulator of the Twilio Verify v2 API (imports nothing else from verifyctl)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from verifyctl.emulator.server import EmulatorServer
    from verifyctl.emulator.store import StoreBusyError, messages_in_database

# Where `--local` keeps the embedded emulator's state, relative to the current directory.
LOCAL_DB_PATH = ".verifyctl/local.sqlite3"

# Loaded when first named, so that a command reading LOCAL_DB_PATH (every plan and apply) does not
# import the HTTP server, SQLite and the route table unless it starts the emulator.
_LAZY = {
    "EmulatorServer": "verifyctl.emulator.server",
    "StoreBusyError": "verifyctl.emulator.store",
    "messages_in_database": "verifyctl.emulator.store",
}

__all__ = ["LOCAL_DB_PATH", "EmulatorServer", "StoreBusyError", "messages_in_database"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
