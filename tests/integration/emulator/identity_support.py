"""Helpers for the identity-family tests: the emulator's own time and the official client pointed at it."""

from __future__ import annotations

from datetime import datetime

from twilio.rest import Client

from tests.integration.emulator.support import Api
from verifyctl.emulator import EmulatorServer

IDENTITY = "user-0001-abcd"


def emulator_now(api: Api) -> float:
    """The emulator's clock (moving it by zero seconds answers its time), for computing TOTP codes."""
    response = api.session.post(api.base_url + "/__emulator__/clock", data={"advance": "0"}, timeout=10)
    assert response.status_code == 200, response.text
    return datetime.fromisoformat(response.json()["now"].replace("Z", "+00:00")).timestamp()


def official_client(emulator: EmulatorServer) -> Client:
    """twilio-python with its Verify domain on the emulator.

    The client must not read the caller's TWILIO_EDGE/TWILIO_REGION (either rewrites the host), and it
    falls back to os.environ for an empty mapping (`environment or os.environ`): so a non-empty one.
    `verify.base_url` is the per-domain base URL every Verify request is built on.
    """
    account_sid, token = emulator.accounts[0]
    client = Client(account_sid, token, environment={"VERIFYCTL_TEST_ENVIRONMENT": "isolated"})
    client.verify.base_url = emulator.base_url
    return client
