"""`GET /2010-04-01/Accounts/{Sid}.json` on the emulator's own host, and accounts with friendly names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.integration.emulator.support import Api, error_of
from verifyctl.cli.emulator_cmd import emulator_group
from verifyctl.emulator import EmulatorServer

ACME = ("AC" + "1" * 32, "acme-token", "Acme Production")
GLOBEX = ("AC" + "2" * 32, "globex-token")
KEY = ("SK" + "3" * 32, "key-secret", ACME[0])
MAIN_KEY = ("SK" + "4" * 32, "main-secret", ACME[0], "main")
READ_ONLY_KEY = ("SK" + "5" * 32, "read-secret", ACME[0], "read-only")
RFC2822 = re.compile(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$")


@pytest.fixture
def two_accounts() -> Iterator[EmulatorServer]:
    with EmulatorServer(accounts=[ACME, GLOBEX], api_keys=[KEY, MAIN_KEY, READ_ONLY_KEY]) as server:
        yield server


def _path(sid: str) -> str:
    return f"/2010-04-01/Accounts/{sid}.json"


def test_account_resource_has_the_documented_fields_with_the_token(two_accounts: EmulatorServer) -> None:
    response = Api(two_accounts.base_url, ACME[:2]).get(_path(ACME[0]))

    assert response.status_code == 200
    body = response.json()
    # As Twilio's own answers (its helper libraries' fixtures), `auth_token` included.
    assert sorted(body) == [
        "auth_token",
        "date_created",
        "date_updated",
        "friendly_name",
        "owner_account_sid",
        "sid",
        "status",
        "subresource_uris",
        "type",
        "uri",
    ]
    assert (body["sid"], body["friendly_name"], body["owner_account_sid"]) == (ACME[0], ACME[2], ACME[0])
    assert (body["status"], body["type"], body["uri"]) == ("active", "Full", _path(ACME[0]))
    assert RFC2822.match(body["date_created"]) and body["date_updated"] == body["date_created"]
    assert body["subresource_uris"]["keys"] == f"/2010-04-01/Accounts/{ACME[0]}/Keys.json"
    assert body["auth_token"] == ACME[1]


def test_an_account_without_a_name_gets_a_numbered_default(two_accounts: EmulatorServer) -> None:
    body = Api(two_accounts.base_url, GLOBEX).get(_path(GLOBEX[0])).json()

    assert body["friendly_name"] == "Emulator account 2"
    assert two_accounts.account_names == {ACME[0]: "Acme Production", GLOBEX[0]: "Emulator account 2"}
    assert two_accounts.accounts == [ACME[:2], GLOBEX]


def test_a_main_key_reads_its_own_account(two_accounts: EmulatorServer) -> None:
    response = Api(two_accounts.base_url, MAIN_KEY[:2]).get(_path(ACME[0]))

    assert response.status_code == 200 and response.json()["friendly_name"] == "Acme Production"


@pytest.mark.parametrize("key", [KEY, READ_ONLY_KEY], ids=["standard", "restricted"])
def test_standard_and_restricted_keys_are_refused_the_accounts_resource(
    two_accounts: EmulatorServer, key: tuple[str, ...]
) -> None:
    # As Twilio answers a key that is not a Main key on /Accounts: 401 / 20003.
    api = Api(two_accounts.base_url, (key[0], key[1]))
    for path in (_path(ACME[0]), _path(GLOBEX[0]), "/2010-04-01/Accounts.json"):
        assert error_of(api.get(path)) == (401, 20003, "Authenticate")
    # The key itself works: Verify reads are answered.
    assert api.get("/v2/Services").status_code == 200


def test_another_account_is_not_found_as_on_twilio(two_accounts: EmulatorServer) -> None:
    for auth in (ACME[:2], MAIN_KEY[:2]):
        response = Api(two_accounts.base_url, auth).get(_path(GLOBEX[0]))
        assert error_of(response) == (
            404,
            20404,
            f"The requested resource /2010-04-01/Accounts/{GLOBEX[0]}.json was not found",
        )
    unknown = "AC" + "9" * 32
    assert error_of(Api(two_accounts.base_url, ACME[:2]).get(_path(unknown)))[:2] == (404, 20404)


def test_account_resource_needs_credentials(two_accounts: EmulatorServer) -> None:
    assert error_of(Api(two_accounts.base_url, (ACME[0], "wrong")).get(_path(ACME[0])))[:2] == (401, 20003)


def test_account_resource_takes_no_delete(two_accounts: EmulatorServer) -> None:
    response = Api(two_accounts.base_url, ACME[:2]).delete(_path(ACME[0]))

    assert error_of(response)[:2] == (405, 20004)
    assert response.headers["Allow"] == "GET, POST"


def test_the_development_account_is_named_and_keeps_its_date_across_restarts(tmp_path: Path) -> None:
    db = tmp_path / "e.sqlite3"
    with EmulatorServer(db_path=db) as first:
        sid = first.accounts[0][0]
        before = Api(first.base_url, first.accounts[0]).get(_path(sid)).json()
    with EmulatorServer(db_path=db) as second:
        after = Api(second.base_url, second.accounts[0]).get(_path(sid)).json()

    assert before["friendly_name"] == "Emulator account 1"
    assert after["date_created"] == before["date_created"]


def test_a_name_longer_than_twilio_allows_is_refused() -> None:
    with pytest.raises(ValueError, match="64"):
        EmulatorServer(accounts=[(ACME[0], ACME[1], "x" * 65)])


def test_serve_parses_names_and_refuses_long_ones() -> None:
    long_name = CliRunner().invoke(emulator_group, ["serve", "--account", f"{ACME[0]}:t:{'x' * 65}"])
    bad_sid = CliRunner().invoke(emulator_group, ["serve", "--account", "ACnope:t:Name"])

    assert long_name.exit_code == 2 and "longer than 64" in long_name.output
    assert bad_sid.exit_code == 2 and "SID:TOKEN:NAME" in bad_sid.output
