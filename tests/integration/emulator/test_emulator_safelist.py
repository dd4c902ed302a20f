"""The Safe List over HTTP: add, check and remove a number; no list endpoint; Twilio's error codes."""

from __future__ import annotations

import re

import pytest

from tests.integration.emulator.support import Api, error_of

NUMBER = "+18001234567"


def test_add_check_and_remove_a_number(api: Api) -> None:
    added = api.create("/v2/SafeList/Numbers", {"PhoneNumber": NUMBER})

    assert list(added) == ["sid", "phone_number", "url"]
    assert re.match(r"^GN[0-9a-f]{32}$", added["sid"])
    assert added["phone_number"] == NUMBER
    # As the spec's example: the URL carries the number with its raw `+`.
    assert added["url"] == f"{api.base_url}/v2/SafeList/Numbers/{NUMBER}"
    assert api.get(f"/v2/SafeList/Numbers/{NUMBER}").json() == added
    # Clients may percent-encode the `+`.
    assert api.get("/v2/SafeList/Numbers/%2B18001234567").json() == added

    removed = api.delete("/v2/SafeList/Numbers/%2B18001234567")

    assert (removed.status_code, removed.content) == (204, b"")
    assert error_of(api.get(f"/v2/SafeList/Numbers/{NUMBER}")) == (
        404,
        20404,
        f"The requested resource /SafeList/Numbers/{NUMBER} was not found",
    )
    assert error_of(api.delete(f"/v2/SafeList/Numbers/{NUMBER}"))[:2] == (404, 20404)


def test_adding_a_listed_number_again_is_60411(api: Api) -> None:
    api.create("/v2/SafeList/Numbers", {"PhoneNumber": NUMBER})

    # twilio.com/docs/verify/api/safe-list: "HTTP 400 with Error Code 60411".
    assert error_of(api.post("/v2/SafeList/Numbers", {"PhoneNumber": NUMBER})) == (
        400,
        60411,
        "The phone number already exists in the SafeList",
    )


@pytest.mark.parametrize("number", ["18001234567", "+0800123", "+1 800 123 4567", "user@example.com"])
def test_a_number_not_in_e164_is_60306(api: Api, number: str) -> None:
    status, code, message = error_of(api.post("/v2/SafeList/Numbers", {"PhoneNumber": number}))

    assert (status, code) == (400, 60306) and message.startswith("Invalid Request: PhoneNumber")


def test_phone_number_is_required(api: Api) -> None:
    assert error_of(api.post("/v2/SafeList/Numbers", {})) == (
        400,
        20001,
        "Missing required parameter PhoneNumber in the post body",
    )


def test_there_is_no_list_endpoint(api: Api) -> None:
    response = api.get("/v2/SafeList/Numbers")

    assert error_of(response)[:2] == (405, 20004)
    assert response.headers["Allow"] == "POST"
