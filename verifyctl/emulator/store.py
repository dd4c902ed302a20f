"""SQLite persistence: every object as a JSON document in creation order, messages and settings."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS objects (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_sid TEXT NOT NULL,
    kind TEXT NOT NULL,
    scope TEXT NOT NULL,
    id TEXT NOT NULL,
    alt TEXT,
    data TEXT NOT NULL,
    UNIQUE (account_sid, kind, scope, id)
);
CREATE INDEX IF NOT EXISTS objects_by_scope ON objects (account_sid, kind, scope, seq);
CREATE INDEX IF NOT EXISTS objects_by_alt ON objects (account_sid, kind, scope, alt);
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_sid TEXT NOT NULL,
    recipient TEXT NOT NULL,
    channel TEXT NOT NULL,
    body TEXT NOT NULL,
    service_sid TEXT NOT NULL,
    verification_sid TEXT NOT NULL,
    date_created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

Row = tuple[int, dict[str, Any]]
# Accounts per `count` statement, inside SQLite's oldest bound on parameters (999).
_CHUNK = 900


def child_scope(scope: str, object_id: str) -> str:
    """The scope of an object's children: the ids of its ancestors and itself, joined with '/'."""
    return f"{scope}/{object_id}" if scope else object_id


class StoreBusyError(OSError):
    """Another process holds the database file: one emulator at a time owns a file."""


class Store:
    """One SQLite connection guarded by a lock; `transaction()` makes a request's reads and writes atomic.

    A file is held exclusively while the store is open, so that this emulator is its only writer (and
    `--local` runs can rely on that); another process opening it meanwhile gets StoreBusyError.
    """

    def __init__(self, path: str | Path | None) -> None:
        target = ":memory:"
        new_file = False
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            target = str(path)
            new_file = not Path(path).exists()
        # One connection shared by every handler thread, serialised by the lock below. A file another
        # process holds is waited for a moment (it may be ending), then refused.
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None, timeout=2.0)
        self._lock = threading.RLock()
        if path is not None:
            try:
                self._db.execute("PRAGMA locking_mode=EXCLUSIVE")
                # A file made now holds nothing yet: its header and tables are written without the
                # fsyncs of switching it to WAL (10-25 ms, most of a --local run's set-up); the first
                # checkpoint (at close at the latest) syncs them with the first writes.
                if new_file:
                    self._db.execute("PRAGMA synchronous=OFF")
                self._db.execute("PRAGMA journal_mode=WAL")
                # Take the exclusive lock now, not at the first write.
                self._db.execute("BEGIN EXCLUSIVE")
                self._db.execute("COMMIT")
            except sqlite3.OperationalError as error:
                self._db.close()
                if "locked" not in str(error):
                    raise
                raise StoreBusyError(f"{path} is in use by another process") from None
        self._db.executescript(_SCHEMA)
        if path is not None:
            # WAL with NORMAL sync: durable across process restarts without an fsync per request.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._check_writable()

    def _check_writable(self) -> None:
        """Refuse a database that opens but takes no writes, rather than answer 500 to every write later."""
        self._db.execute("BEGIN")
        try:
            # Rolled back: a write that SQLite accepts is the whole check.
            self._db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES ('writable', 'yes')")
        except sqlite3.OperationalError as error:
            self._db.close()
            if "readonly" not in str(error):
                raise
            raise PermissionError("it is read-only (the emulator keeps its state there)") from None
        self._db.execute("ROLLBACK")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the lock and one SQLite transaction; an exception rolls every write back."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # Objects -------------------------------------------------------------------------------------

    def insert(
        self,
        account: str,
        kind: str,
        scope: str,
        object_id: str,
        data: dict[str, Any],
        alt: str | None = None,
    ) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO objects (account_sid, kind, scope, id, alt, data) VALUES (?, ?, ?, ?, ?, ?)",
                (account, kind, scope, object_id, alt, json.dumps(data)),
            )

    def get(self, account: str, kind: str, scope: str, object_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT data FROM objects WHERE account_sid = ? AND kind = ? AND scope = ? AND id = ?",
                (account, kind, scope, object_id),
            ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def latest_by_alt(self, account: str, kind: str, scope: str, alt: str) -> dict[str, Any] | None:
        """The most recently created object of the scope whose secondary key is `alt`."""
        with self._lock:
            row = self._db.execute(
                "SELECT data FROM objects WHERE account_sid = ? AND kind = ? AND scope = ? AND alt = ?"
                " ORDER BY seq DESC LIMIT 1",
                (account, kind, scope, alt),
            ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def replace(self, account: str, kind: str, scope: str, object_id: str, data: dict[str, Any]) -> None:
        """Store new data for an existing object; it keeps its place in creation order."""
        with self._lock:
            self._db.execute(
                "UPDATE objects SET data = ? WHERE account_sid = ? AND kind = ? AND scope = ? AND id = ?",
                (json.dumps(data), account, kind, scope, object_id),
            )

    def delete(self, account: str, kind: str, scope: str, object_id: str) -> bool:
        """Delete an object and everything below it; False when it did not exist."""
        below = child_scope(scope, object_id)
        with self._lock:
            deleted = self._db.execute(
                "DELETE FROM objects WHERE account_sid = ? AND kind = ? AND scope = ? AND id = ?",
                (account, kind, scope, object_id),
            ).rowcount
            if deleted:
                self._db.execute(
                    "DELETE FROM objects WHERE account_sid = ? AND (scope = ? OR scope LIKE ?)",
                    (account, below, below + "/%"),
                )
        return bool(deleted)

    def count(self, accounts: list[str], kind: str, scope: str) -> int:
        """How many objects of `kind` in `scope` the accounts hold together."""
        total = 0
        with self._lock:
            # In chunks: SQLite bounds the parameters of one statement (999 before 3.32).
            for start in range(0, len(accounts), _CHUNK):
                chunk = accounts[start : start + _CHUNK]
                marks = ", ".join("?" * len(chunk))
                row = self._db.execute(
                    f"SELECT COUNT(*) FROM objects WHERE account_sid IN ({marks}) AND kind = ? AND scope = ?",
                    (*chunk, kind, scope),
                ).fetchone()
                total += int(row[0])
        return total

    def page(
        self,
        account: str,
        kind: str,
        scope: str,
        size: int,
        *,
        after: int | None = None,
        before: int | None = None,
        offset: int = 0,
    ) -> tuple[list[Row], bool]:
        """Up to `size` objects in creation order (after/before a seq, or from an offset); more to follow?"""
        where = "account_sid = ? AND kind = ? AND scope = ?"
        args: list[Any] = [account, kind, scope]
        with self._lock:
            if before is not None:
                found = self._db.execute(
                    f"SELECT seq, data FROM objects WHERE {where} AND seq < ? ORDER BY seq DESC LIMIT ?",
                    (*args, before, size),
                ).fetchall()
                found.reverse()
            elif after is not None:
                found = self._db.execute(
                    f"SELECT seq, data FROM objects WHERE {where} AND seq > ? ORDER BY seq LIMIT ?",
                    (*args, after, size),
                ).fetchall()
            else:
                found = self._db.execute(
                    f"SELECT seq, data FROM objects WHERE {where} ORDER BY seq LIMIT ? OFFSET ?",
                    (*args, size, offset),
                ).fetchall()
            more = bool(found) and (
                self._db.execute(
                    f"SELECT 1 FROM objects WHERE {where} AND seq > ? LIMIT 1", (*args, found[-1][0])
                ).fetchone()
                is not None
            )
        return [(seq, dict(json.loads(data))) for seq, data in found], more

    # Messages and settings -----------------------------------------------------------------------

    def add_message(self, account: str, message: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO messages (account_sid, recipient, channel, body, service_sid, verification_sid,"
                " date_created) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    account,
                    message["to"],
                    message["channel"],
                    message["body"],
                    message["service_sid"],
                    message["verification_sid"],
                    message["date_created"],
                ),
            )

    def messages(self, to: str | None = None, account: str | None = None) -> list[dict[str, Any]]:
        """Recorded messages, oldest first: of every account or only `account`, optionally only to `to`."""
        return read_messages(self._db, self._lock, to, account)

    def setting(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_setting(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", (key, value))


def read_messages(
    db: sqlite3.Connection,
    lock: threading.RLock | None = None,
    to: str | None = None,
    account: str | None = None,
) -> list[dict[str, Any]]:
    """Messages from an open emulator database, in the shape `GET /__emulator__/messages` answers."""
    query = "SELECT recipient, channel, body, service_sid, verification_sid, date_created FROM messages"
    conditions, args = [], []
    if to is not None:
        conditions.append("recipient = ?")
        args.append(to)
    if account is not None:
        conditions.append("account_sid = ?")
        args.append(account)
    if conditions:
        query += " WHERE " + " AND ".join(conditions)
    if lock is None:
        rows = db.execute(query + " ORDER BY seq", args).fetchall()
    else:
        with lock:
            rows = db.execute(query + " ORDER BY seq", args).fetchall()
    keys = ("to", "channel", "body", "service_sid", "verification_sid", "date_created")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def messages_in_database(path: str | Path, to: str | None = None) -> list[dict[str, Any]]:
    """Messages recorded in an emulator database file, read without starting an emulator.

    Raises FileNotFoundError when there is no such file and ValueError when it is not an emulator database.
    """
    if not Path(path).is_file():
        raise FileNotFoundError(str(path))
    db = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    try:
        return read_messages(db, None, to)
    except sqlite3.DatabaseError:
        raise ValueError(f"{path} is not an emulator database") from None
    finally:
        db.close()
