"""The emulator in a child process of its own, so that its CPU work never competes with verifyctl's GIL."""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any

from verifyctl.emulator import EmulatorServer


def _serve(conn: Connection, accounts: list[tuple[str, str]], options: dict[str, Any]) -> None:
    """Child process: run an emulator and answer (command, kwargs) messages until told to stop."""
    settings: dict[str, Any] = {"retry_after_seconds": 0, **options}
    with EmulatorServer(host="127.0.0.1", port=0, accounts=accounts, **settings) as server:
        conn.send(server.base_url)
        while True:
            command, kwargs = conn.recv()
            if command == "stop":
                conn.send(None)
                return
            if command == "set_faults":
                server.set_faults(**kwargs)
                conn.send(None)
            elif command == "requests":
                conn.send(server.requests())
            elif command == "clear_requests":
                server.clear_requests()
                conn.send(None)
            else:
                conn.send(ValueError(f"unknown command {command!r}"))


class EmulatorProcess:
    """`EmulatorServer` run in a spawned child process, driven over a pipe."""

    def __init__(self, accounts: list[tuple[str, str]], **options: Any) -> None:
        """`options` go to EmulatorServer (e.g. max_concurrency, concurrency_retry_after)."""
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, accounts, options), daemon=True)
        self._accounts = accounts
        self.base_url = ""

    def __enter__(self) -> EmulatorProcess:
        self._process.start()
        self.base_url = str(self._conn.recv())
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._process.is_alive():
            self._call("stop")
        self._process.join(timeout=10)

    def _call(self, command: str, **kwargs: Any) -> Any:
        self._conn.send((command, kwargs))
        answer = self._conn.recv()
        if isinstance(answer, Exception):
            raise answer
        return answer

    def set_faults(self, **kwargs: float) -> None:
        self._call("set_faults", **kwargs)

    def requests(self) -> list[dict[str, Any]]:
        return list(self._call("requests"))

    def clear_requests(self) -> None:
        self._call("clear_requests")
