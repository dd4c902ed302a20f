"""The Accounts resource against Twilio's documented shape (twilio.com/docs/iam/api/account).

The vendored OpenAPI subset is Verify's only; the 2010-04-01 Account and its list envelope are written
here from the properties Twilio documents: every one present, no other, each of its documented type.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
import requests

from verifyctl.emulator import EmulatorServer

ACME = ("AC" + "1" * 32, "acme-token", "Acme")
ACCOUNT_SID = {"type": "string", "pattern": "^AC[0-9a-fA-F]{32}$", "minLength": 34, "maxLength": 34}
# `date-time-rfc-2822`, as the 2010-04-01 API writes dates.
RFC2822 = {"type": "string", "pattern": r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} [\d:]{8} \+0000$"}
RELATIVE_URI = {"type": "string", "pattern": r"^/2010-04-01/"}
ACCOUNT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "auth_token": {"type": "string"},
        "date_created": RFC2822,
        "date_updated": RFC2822,
        "friendly_name": {"type": "string", "maxLength": 64},
        "owner_account_sid": ACCOUNT_SID,
        "sid": ACCOUNT_SID,
        "status": {"enum": ["active", "suspended", "closed"]},
        "subresource_uris": {"type": "object", "additionalProperties": RELATIVE_URI},
        "type": {"enum": ["Trial", "Full"]},
        "uri": RELATIVE_URI,
    },
}
ACCOUNT_LIST: dict[str, Any] = {
    "type": "object",
    "properties": {
        "accounts": {"type": "array", "items": ACCOUNT},
        "end": {"type": "integer"},
        "first_page_uri": RELATIVE_URI,
        "next_page_uri": {"anyOf": [RELATIVE_URI, {"type": "null"}]},
        "page": {"type": "integer"},
        "page_size": {"type": "integer"},
        "previous_page_uri": {"anyOf": [RELATIVE_URI, {"type": "null"}]},
        "start": {"type": "integer"},
        "uri": RELATIVE_URI,
    },
}
for schema in (ACCOUNT, ACCOUNT_LIST):
    schema["required"] = list(schema["properties"])
    schema["additionalProperties"] = False


@pytest.fixture(scope="module")
def session() -> Iterator[tuple[requests.Session, str]]:
    tenants = {ACME[0]: ["tenant-a", "tenant-b", "tenant-c"]}
    with EmulatorServer(accounts=[ACME], subaccounts=tenants) as server:
        client = requests.Session()
        client.auth = ACME[:2]
        yield client, server.base_url


def test_the_schemas_are_strict() -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"accounts": [], "extra": 1}, ACCOUNT_LIST)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"sid": "AC1"}, ACCOUNT)


@pytest.mark.parametrize(
    ("method", "path", "data", "status"),
    [
        ("POST", "/2010-04-01/Accounts.json", {"FriendlyName": "tenant-d"}, 201),
        ("GET", f"/2010-04-01/Accounts/{ACME[0]}.json", None, 200),
        ("POST", f"/2010-04-01/Accounts/{ACME[0]}.json", {"FriendlyName": "Acme Corp"}, 200),
    ],
    ids=["create", "fetch", "update"],
)
def test_account_answers_have_the_documented_properties(
    session: tuple[requests.Session, str], method: str, path: str, data: Any, status: int
) -> None:
    client, base_url = session
    response = client.request(method, base_url + path, data=data, timeout=10)

    assert response.status_code == status, response.text
    jsonschema.validate(response.json(), ACCOUNT)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"PageSize": "2"},
        {"PageSize": "2", "Page": "1"},
        {"Status": "closed"},
        {"FriendlyName": "tenant-b"},
    ],
    ids=["first", "paged", "second-page", "empty", "filtered"],
)
def test_account_lists_have_the_documented_envelope_on_every_page(
    session: tuple[requests.Session, str], query: dict[str, str]
) -> None:
    client, base_url = session
    body = client.get(base_url + "/2010-04-01/Accounts.json", params=query, timeout=10).json()

    jsonschema.validate(body, ACCOUNT_LIST)
    if body["next_page_uri"] is not None:
        jsonschema.validate(client.get(base_url + body["next_page_uri"], timeout=10).json(), ACCOUNT_LIST)
