"""A small HTTP client for the emulator's integration tests, a checker of Twilio error bodies, and a wait
for a server state."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from verifyctl.emulator import EmulatorServer

PHONE = "+15017122661"
MG_SID = "MG" + "a" * 32


class Api:
    """An authenticated session on one emulator, with paths relative to its base URL."""

    def __init__(self, base_url: str, auth: tuple[str, str]) -> None:
        self.base_url = base_url
        self.account_sid = auth[0]
        self.session = requests.Session()
        self.session.auth = auth

    def get(self, path: str, params: Any = None) -> requests.Response:
        return self.session.get(self.base_url + path, params=params, timeout=10)

    def post(self, path: str, data: Any = None) -> requests.Response:
        return self.session.post(self.base_url + path, data=data, timeout=10)

    def delete(self, path: str) -> requests.Response:
        return self.session.delete(self.base_url + path, timeout=10)

    def create(self, path: str, data: Any) -> dict[str, Any]:
        response = self.post(path, data)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def service(self, name: str = "Acme Login", **params: str) -> dict[str, Any]:
        return self.create("/v2/Services", {"FriendlyName": name, **params})


def admin(server: EmulatorServer) -> dict[str, str]:
    """Headers that call the control endpoints (`/__emulator__/*`) as the admin: every account, the clock."""
    return {"Authorization": f"Bearer {server.admin_token}"}


def error_of(response: requests.Response) -> tuple[int, int, str]:
    """(HTTP status, Twilio code, message) of an error answer, after checking the body's exact shape."""
    body = response.json()
    assert list(body) == ["code", "message", "more_info", "status"], body
    assert body["status"] == response.status_code
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{body['code']}"
    return response.status_code, body["code"], body["message"]


def make_read_only_database(path: Path) -> None:
    """An emulator database SQLite opens for reading only, whoever runs the test (root ignores file modes).

    A write version above 2 in the file header (offset 18) makes SQLite refuse every write.
    """
    EmulatorServer(db_path=path).stop()
    with path.open("r+b") as database:
        database.seek(18)
        database.write(b"\x03")


def wait_until(condition: Callable[[], bool]) -> None:
    """Wait for a state of the server (not for a time); the deadline only stops a broken test hanging."""
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, "the emulator never reached the expected state"
        time.sleep(0.005)
