"""Every request goes through the client's requests.Session: its hooks run, its mounted adapter sends."""

from __future__ import annotations

from typing import Any

import requests
import responses
from requests.adapters import HTTPAdapter

from tests.unit.client.support import BASE, BASIC
from verifyctl.client import VerifyClient

SERVICE = f"{BASE}/v2/Services/VA1"


def test_the_sessions_response_hooks_run(client: VerifyClient, mock: responses.RequestsMock) -> None:
    mock.get(SERVICE, json={"sid": "VA1"})
    seen: list[tuple[int, str | None]] = []

    def hook(response: requests.Response, **_: Any) -> None:
        seen.append((response.status_code, response.request.headers.get("Authorization")))

    client._session.hooks["response"].append(hook)
    assert client.get("/v2/Services/VA1") == {"sid": "VA1"}
    assert seen == [(200, f"Basic {BASIC}")]


class Recording(HTTPAdapter):
    """An adapter that answers every request itself, and remembers what it was asked."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[tuple[str | None, str | None, Any]] = []

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        self.sent.append((request.method, request.url, request.body))
        response = requests.Response()
        response.status_code = 201
        response._content = b'{"sid": "VA9"}'
        response.request = request
        return response


def test_an_adapter_mounted_on_the_session_sends_the_requests(client: VerifyClient) -> None:
    adapter = Recording()
    client._session.mount(BASE, adapter)
    assert client.create("/v2/Services", [("FriendlyName", "a b")]) == {"sid": "VA9"}
    assert adapter.sent == [("POST", f"{BASE}/v2/Services", "FriendlyName=a+b")]


class Headers(Recording):
    """Remembers each request's Authorization header."""

    def __init__(self) -> None:
        super().__init__()
        self.authorizations: list[str | None] = []

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        self.authorizations.append(request.headers.get("Authorization"))
        return super().send(request, *args, **kwargs)


def test_clients_sharing_a_session_each_send_their_own_credentials_and_leave_it_open() -> None:
    from verifyctl.client import Credentials
    from verifyctl.client.verify_client import shared_session

    shared = shared_session(BASE, 8)
    adapter = Headers()
    shared.mount(BASE, adapter)
    one = VerifyClient(BASE, Credentials("AC" + "1" * 32, "one-token", "AC" + "1" * 32), session=shared)
    two = VerifyClient(BASE, Credentials("AC" + "2" * 32, "two-token", "AC" + "2" * 32), session=shared)
    one.get("/v2/Services/VA1")
    one.close()  # a member's engine ends: the fleet's connections stay open for the others
    two.get("/v2/Services/VA1")
    authorizations = adapter.authorizations
    assert len(authorizations) == 2 and authorizations[0] != authorizations[1]
    assert all(a is not None and a.startswith("Basic ") for a in authorizations)
    assert shared.adapters[BASE] is adapter  # still mounted, never closed by a client
    assert len(shared.cookies) == 0
    assert "Authorization" not in shared.headers and shared.auth is None
