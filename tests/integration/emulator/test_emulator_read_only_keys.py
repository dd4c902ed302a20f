"""Read-only API keys read like any key; every write is refused as Twilio refuses a restricted key."""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest

from tests.integration.emulator.support import PHONE, Api, error_of
from verifyctl.cli.emulator_cmd import _print_banner, emulator_group
from verifyctl.emulator import EmulatorServer

ACCOUNT = ("AC" + "a" * 32, "token-a")
WRITER = ("SK" + "1" * 32, "secret-1", ACCOUNT[0])
READER = ("SK" + "2" * 32, "secret-2", ACCOUNT[0], "read-only")
# Twilio's answer to a restricted key asked for what its permissions leave out (errors 403 and 70051).
REFUSED = (403, 70051, "Authorization Failed")


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(accounts=[ACCOUNT], api_keys=[WRITER, READER]) as running:
        yield running


def test_a_read_only_key_reads_what_the_account_holds(server: EmulatorServer) -> None:
    service = Api(server.base_url, WRITER[:2]).service("Acme Login")
    reader = Api(server.base_url, READER[:2])

    assert reader.get(f"/v2/Services/{service['sid']}").json() == service
    assert [s["sid"] for s in reader.get("/v2/Services").json()["services"]] == [service["sid"]]
    # A Restricted key is refused the Accounts resource, as Twilio refuses every key but a Main one.
    assert error_of(reader.get(f"/2010-04-01/Accounts/{ACCOUNT[0]}.json"))[:2] == (401, 20003)


def test_every_write_of_a_read_only_key_is_refused_and_changes_nothing(server: EmulatorServer) -> None:
    writer = Api(server.base_url, WRITER[:2])
    service = writer.service("Acme Login")
    sid = service["sid"]
    reader = Api(server.base_url, READER[:2])

    answers = [
        reader.post("/v2/Services", {"FriendlyName": "Other"}),
        reader.post(f"/v2/Services/{sid}", {"FriendlyName": "Renamed"}),
        reader.post(f"/v2/Services/{sid}/Verifications", {"To": PHONE, "Channel": "sms"}),
        reader.delete(f"/v2/Services/{sid}"),
        # Refused before routing: an unknown path answers as any other write.
        reader.post("/v2/Nowhere", {}),
    ]
    logged = [(entry["method"], entry["status"]) for entry in server.requests()]

    assert [error_of(answer) for answer in answers] == [REFUSED] * len(answers)
    assert logged[-len(answers) :] == [("POST", 403)] * 3 + [("DELETE", 403), ("POST", 403)]
    assert writer.get("/v2/Services").json()["services"] == [service]
    assert server.messages() == []


def test_the_account_token_and_a_key_that_is_not_read_only_still_write(server: EmulatorServer) -> None:
    by_token = Api(server.base_url, ACCOUNT)
    by_key = Api(server.base_url, WRITER[:2])

    assert by_token.post("/v2/Services", {"FriendlyName": "By Token"}).status_code == 201
    assert by_key.post("/v2/Services", {"FriendlyName": "By Key"}).status_code == 201


def test_a_read_only_key_with_a_wrong_secret_is_401_not_403(server: EmulatorServer) -> None:
    stranger = Api(server.base_url, (READER[0], "wrong"))

    assert error_of(stranger.post("/v2/Services", {"FriendlyName": "Other"}))[:2] == (401, 20003)


def test_an_api_key_entry_with_another_access_word_is_refused() -> None:
    with pytest.raises(ValueError, match="read-only"):
        EmulatorServer(accounts=[ACCOUNT], api_keys=[(*WRITER, "read-write")])


def test_serve_takes_a_read_only_key_and_the_banner_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    key = f"{READER[0]}:{READER[1]}:{ACCOUNT[0]}:read-only"
    serve = emulator_group.get_command(click.Context(emulator_group), "serve")
    assert serve is not None
    keys = serve.make_context("serve", ["--api-key", key]).params["api_keys"]

    with EmulatorServer(accounts=[ACCOUNT], api_keys=keys) as running:
        _print_banner(running, None, generated=False, api_keys=keys, admin_given=False)
        refused = Api(running.base_url, READER[:2]).post("/v2/Services", {"FriendlyName": "Other"})

    assert keys == [READER]
    shown = f"API key: {READER[0]} for account {ACCOUNT[0]} (read-only)"
    assert shown in capsys.readouterr().out.splitlines()
    assert error_of(refused) == REFUSED


def test_the_banner_names_each_key_type(capsys: pytest.CaptureFixture[str]) -> None:
    standard, main = "SK" + "6" * 32, "SK" + "7" * 32
    given = [f"{standard}:s:{ACCOUNT[0]}", f"{main}:m:{ACCOUNT[0]}:main"]
    serve = emulator_group.get_command(click.Context(emulator_group), "serve")
    assert serve is not None
    keys = serve.make_context("serve", [arg for key in given for arg in ("--api-key", key)]).params[
        "api_keys"
    ]

    with EmulatorServer(accounts=[ACCOUNT], api_keys=keys) as running:
        _print_banner(running, None, generated=False, api_keys=keys, admin_given=False)
        # The main key reads the Accounts resource, the standard one is refused it.
        read_by_main = Api(running.base_url, (main, "m")).get(f"/2010-04-01/Accounts/{ACCOUNT[0]}.json")
        read_by_standard = Api(running.base_url, (standard, "s")).get(
            f"/2010-04-01/Accounts/{ACCOUNT[0]}.json"
        )

    lines = capsys.readouterr().out.splitlines()
    assert f"API key: {standard} for account {ACCOUNT[0]} (standard)" in lines
    assert f"API key: {main} for account {ACCOUNT[0]} (main)" in lines
    assert read_by_main.json()["sid"] == ACCOUNT[0]
    assert error_of(read_by_standard)[:2] == (401, 20003)
