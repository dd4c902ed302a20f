"""Control endpoints need credentials everywhere: each account sees only its own data; the admin all."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from click.testing import CliRunner

from tests.integration.emulator.support import PHONE, Api, error_of
from verifyctl.cli.emulator_cmd import emulator_group
from verifyctl.emulator import EmulatorServer
from verifyctl.errors import VerifyctlError

ACME = ("AC" + "1" * 32, "acme-token")
GLOBEX = ("AC" + "2" * 32, "globex-token")
KEY = ("SK" + "3" * 32, "key-secret", ACME[0])
ADMIN = "the-admin-token"


@pytest.fixture
def guarded() -> Iterator[EmulatorServer]:
    with EmulatorServer(accounts=[ACME, GLOBEX], api_keys=[KEY], admin_token=ADMIN) as server:
        for auth, to in ((ACME, PHONE), (GLOBEX, "+15550000002")):
            api = Api(server.base_url, auth)
            service = api.service()["sid"]
            api.create(f"/v2/Services/{service}/Verifications", {"To": to, "Channel": "sms"})
        yield server


def _send_code(server: EmulatorServer) -> None:
    api = Api(server.base_url, server.accounts[0])
    api.create(f"/v2/Services/{api.service()['sid']}/Verifications", {"To": PHONE, "Channel": "sms"})


def _control(
    server: EmulatorServer,
    method: str,
    path: str,
    auth: tuple[str, str] | None = None,
    admin: str | None = None,
    **kwargs: object,
) -> requests.Response:
    headers = {"Authorization": f"Bearer {admin}"} if admin else {}
    return requests.request(
        method, f"{server.base_url}/__emulator__/{path}", auth=auth, headers=headers, timeout=10, **kwargs
    )  # type: ignore[arg-type]


def test_control_endpoints_refuse_callers_without_credentials(guarded: EmulatorServer) -> None:
    for method, path in (("GET", "messages"), ("GET", "requests"), ("DELETE", "requests"), ("POST", "clock")):
        for auth, admin in ((None, None), ((ACME[0], "wrong"), None), (None, "wrong-admin-token")):
            response = _control(guarded, method, path, auth, admin, data={"advance": "1"})
            assert error_of(response)[:2] == (401, 20003), (method, path, auth, admin)
    assert len(guarded.requests()) == 4


def test_an_account_sees_only_its_own_messages_and_requests(guarded: EmulatorServer) -> None:
    acme_messages = _control(guarded, "GET", "messages", ACME).json()["messages"]
    key_messages = _control(guarded, "GET", "messages", KEY[:2]).json()["messages"]
    globex_requests = _control(guarded, "GET", "requests", GLOBEX).json()["requests"]

    assert [m["to"] for m in acme_messages] == [PHONE] and key_messages == acme_messages
    assert [r["account_sid"] for r in globex_requests] == [GLOBEX[0], GLOBEX[0]]


def test_an_account_clears_only_its_own_requests(guarded: EmulatorServer) -> None:
    assert _control(guarded, "DELETE", "requests", ACME).status_code == 204

    assert {r["account_sid"] for r in guarded.requests()} == {GLOBEX[0]}


def test_only_the_admin_moves_the_clock(guarded: EmulatorServer) -> None:
    refused = _control(guarded, "POST", "clock", ACME, data={"advance": "60"})
    moved = _control(guarded, "POST", "clock", admin=ADMIN, data={"advance": "60"})

    assert error_of(refused) == (403, 20403, "Moving the clock needs the admin token")
    assert moved.status_code == 200 and "now" in moved.json()


def test_the_admin_sees_and_clears_everything(guarded: EmulatorServer) -> None:
    messages = _control(guarded, "GET", "messages", admin=ADMIN).json()["messages"]
    logged = _control(guarded, "GET", "requests", admin=ADMIN).json()["requests"]

    assert [m["to"] for m in messages] == [PHONE, "+15550000002"]
    assert len(logged) == 4
    assert _control(guarded, "DELETE", "requests", admin=ADMIN).status_code == 204
    assert guarded.requests() == []


def test_control_needs_credentials_on_loopback_by_default(emulator: EmulatorServer) -> None:
    """Any web page can send requests to 127.0.0.1: without credentials it reads nothing."""
    _send_code(emulator)
    code = emulator.messages()[0]["body"].rsplit(" ", 1)[1]

    for method, path in (("GET", "messages"), ("GET", "requests"), ("DELETE", "requests"), ("POST", "clock")):
        response = _control(emulator, method, path, data={"advance": "600"})
        assert error_of(response)[:2] == (401, 20003), (method, path)
        assert code not in response.text
    assert emulator.control_auth and emulator.admin_token and len(emulator.admin_token) == 32
    assert len(emulator.requests()) == 2


def test_open_control_is_an_explicit_choice_on_loopback_only() -> None:
    with EmulatorServer(open_control=True) as server:
        assert not server.control_auth and server.admin_token is None
        assert _control(server, "GET", "messages").json() == {"messages": []}
    for kwargs in ({"host": "0.0.0.0"}, {"host": "192.0.2.10"}, {"admin_token": ADMIN}):
        with pytest.raises(ValueError, match="open control endpoints are for loopback only"):
            EmulatorServer(port=8765, open_control=True, **kwargs)  # type: ignore[arg-type]


def test_a_given_admin_token_is_the_one_accepted() -> None:
    with EmulatorServer(admin_token=ADMIN) as server:
        assert server.control_auth and server.admin_token == ADMIN
        assert error_of(_control(server, "GET", "messages"))[:2] == (401, 20003)
        assert _control(server, "GET", "messages", admin=ADMIN).status_code == 200


def test_control_needs_credentials_on_every_host() -> None:
    # Not started: deciding needs no bind, and tests listen on loopback only.
    for host in ("0.0.0.0", "::", "192.0.2.10", "emulator.example", "127.0.0.1", "::1", "localhost"):
        server = EmulatorServer(host=host, port=8765)
        try:
            assert server.control_auth and server.admin_token and len(server.admin_token) == 32
        finally:
            server.stop()


def test_an_account_reads_the_clock_but_only_the_admin_moves_it(guarded: EmulatorServer) -> None:
    read = _control(guarded, "POST", "clock", ACME, data={"advance": "0"})
    moved = _control(guarded, "POST", "clock", ACME, data={"advance": "1"})

    assert read.status_code == 200 and "now" in read.json()
    assert error_of(moved) == (403, 20403, "Moving the clock needs the admin token")


def test_emulator_messages_sends_the_environments_credentials(guarded: EmulatorServer) -> None:
    env = {"VERIFYCTL_API_URL": guarded.base_url, "TWILIO_ACCOUNT_SID": ACME[0], "TWILIO_AUTH_TOKEN": ACME[1]}
    with_key = {**env, "TWILIO_AUTH_TOKEN": "", "TWILIO_API_KEY": KEY[0], "TWILIO_API_SECRET": KEY[1]}

    own = CliRunner().invoke(emulator_group, ["messages"], env=env)
    by_key = CliRunner().invoke(emulator_group, ["messages"], env=with_key)
    admin = CliRunner().invoke(emulator_group, ["messages", "--admin-token", ADMIN], env=env)

    assert own.exit_code == 0, own.output
    assert [line.split()[2] for line in own.output.splitlines()] == [PHONE]
    assert by_key.output == own.output
    assert [line.split()[2] for line in admin.output.splitlines()] == [PHONE, "+15550000002"]


def test_emulator_messages_without_credentials_says_what_to_set(guarded: EmulatorServer) -> None:
    missing = CliRunner().invoke(emulator_group, ["messages", "--api-url", guarded.base_url])
    wrong = CliRunner().invoke(
        emulator_group,
        ["messages", "--api-url", guarded.base_url],
        env={"TWILIO_ACCOUNT_SID": ACME[0], "TWILIO_AUTH_TOKEN": "wrong"},
    )

    assert isinstance(missing.exception, VerifyctlError)
    assert "needs credentials: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN" in str(missing.exception)
    assert isinstance(wrong.exception, VerifyctlError)
    assert "refused the credentials sent" in str(wrong.exception)
