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
