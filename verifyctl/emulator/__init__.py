"""A faithful, stateful local emulator of the Twilio Verify v2 API (imports nothing else from verifyctl)."""

from verifyctl.emulator.server import EmulatorServer
from verifyctl.emulator.store import StoreBusyError, messages_in_database

# Where `--local` keeps the embedded emulator's state, relative to the current directory.
LOCAL_DB_PATH = ".verifyctl/local.sqlite3"

__all__ = ["LOCAL_DB_PATH", "EmulatorServer", "StoreBusyError", "messages_in_database"]
