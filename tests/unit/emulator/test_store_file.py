"""A store file made anew (without fsyncs at first) ends in WAL with NORMAL sync and keeps its state."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from verifyctl.emulator.store import Store


def test_a_new_file_runs_wal_with_normal_sync_and_keeps_what_was_written(tmp_path: Path) -> None:
    path = tmp_path / "state" / "local.sqlite3"
    store = Store(path)
    try:
        assert store._db.execute("PRAGMA synchronous").fetchone() == (1,)  # NORMAL, as for a file reopened
        with store.transaction():
            store.insert("AC1", "service", "", "VA1", {"friendly_name": "Acme"})
    finally:
        store.close()
    assert not path.with_name("local.sqlite3-wal").exists()  # checkpointed into the file at close
    with closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    reopened = Store(path)
    try:
        assert reopened._db.execute("PRAGMA synchronous").fetchone() == (1,)
        assert reopened.get("AC1", "service", "", "VA1") == {"friendly_name": "Acme"}
    finally:
        reopened.close()
