"""A small HTTP client for the emulator's integration tests, and a checker of Twilio error bodies."""

from __future__ import annotations

from typing import Any

import requests

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


def error_of(response: requests.Response) -> tuple[int, int, str]:
    """(HTTP status, Twilio code, message) of an error answer, after checking the body's exact shape."""
    body = response.json()
    assert list(body) == ["code", "message", "more_info", "status"], body
    assert body["status"] == response.status_code
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{body['code']}"
    return response.status_code, body["code"], body["message"]
