"""`verifyctl verify send|check`: run the Verify workflow against a deployed service, as a smoke test."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import click
import requests

from verifyctl.cli.account import Account, account_options, open_account, options_from
from verifyctl.cli.output import result
from verifyctl.client import VerifyClient
from verifyctl.client.base_url import is_loopback_host
from verifyctl.errors import ApiError, VerifyctlError
from verifyctl.resources.records import Record
from verifyctl.state.reader import read_services

CHANNELS = ("sms", "call", "email", "whatsapp")
_SERVICE_SID = re.compile(r"^VA[0-9a-fA-F]{32}$")
NOT_FOUND = 404


def find_service(live: Sequence[Record], name: str) -> Record:
    """The one live service with this SID or friendly name; an error when there is none or several."""
    if _SERVICE_SID.match(name):
        for service in live:
            if str(service.id).upper() == name.upper():
                return service
        raise VerifyctlError(f"no live service has the SID {name}")
    matches = [s for s in live if s.key == name]
    if not matches:
        known = ", ".join(sorted({repr(s.key) for s in live})) or "none"
        raise VerifyctlError(f"no live service is named {name!r} (the account's services: {known})")
    if len(matches) > 1:
        sids = ", ".join(sorted(str(s.id) for s in matches))
        raise VerifyctlError(
            f"{len(matches)} live services are named {name!r} ({sids}); name the one you mean by its SID"
        )
    return matches[0]


def _service(client: VerifyClient, name: str) -> Record:
    return find_service(read_services(client), name)


def emulator_messages(account: Account, to: str) -> list[dict[str, Any]]:
    """The messages an emulator recorded for `to`; none when the account is not an emulator."""
    if account.emulator is not None:
        return account.emulator.messages(to)
    base_url = account.client.base_url
    if not is_loopback_host(urlsplit(base_url).hostname or ""):
        return []
    try:
        response = requests.get(f"{base_url}/__emulator__/messages", params={"to": to}, timeout=5)
        payload = response.json() if response.status_code == 200 else None
    except (requests.RequestException, ValueError):
        return []  # a loopback server that is not the emulator (a proxy, a mock): nothing to show
    messages = payload.get("messages") if isinstance(payload, dict) else None
    return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []


@click.group("verify")
def verify_group() -> None:
    """Run the Verify workflow against a deployed service: send a code, then check it.

    SERVICE is a friendly name or a SID. Against the emulator (--local, or an --api-url on
    loopback) `send` also prints the message it would have delivered, code included.
    """


@verify_group.command("send")
@click.argument("service")
@click.option("--to", required=True, metavar="TO", help="E.164 phone number (+15017122661) or e-mail.")
@click.option("--channel", type=click.Choice(CHANNELS), default="sms", show_default=True)
@account_options
def send_command(service: str, to: str, channel: str, **kwargs: Any) -> None:
    """Send a verification code to TO through SERVICE."""
    options = options_from(kwargs)
    with open_account(options) as account:
        target = _service(account.client, service)
        path = f"/v2/Services/{target.id}/Verifications"
        verification = account.client.create(path, [("To", to), ("Channel", channel)])
        sid = verification.get("sid")
        result(
            f"Sent a code to {to} by {channel} through service[{target.key}] ({target.id}): "
            f"verification {sid}, status {verification.get('status')}.\n"
        )
        recorded = [m for m in emulator_messages(account, to) if m.get("verification_sid") == sid]
        if recorded:
            result(f"Emulator message to {to}: {recorded[-1].get('body')}\n")


@verify_group.command("check")
@click.argument("service")
@click.option("--to", required=True, metavar="TO", help="The phone number or e-mail the code was sent to.")
@click.option("--code", required=True, help="The code received.")
@account_options
def check_command(service: str, to: str, code: str, **kwargs: Any) -> int:
    """Check CODE for TO; exit 0 when the verification is approved, 1 otherwise."""
    options = options_from(kwargs)
    with open_account(options) as account:
        target = _service(account.client, service)
        path = f"/v2/Services/{target.id}/VerificationCheck"
        try:
            check = account.client.create(path, [("To", to), ("Code", code)])
        except ApiError as error:
            if error.status != NOT_FOUND:
                raise
            raise VerifyctlError(
                f"no pending verification for {to} in service[{target.key}] ({target.id}): none was "
                f"sent, or it was already approved, canceled or expired ({error})"
            ) from None
    status = str(check.get("status"))
    if status == "approved":
        result(f"{to}: approved.\n")
        return 0
    hint = " (wrong code)" if status == "pending" else ""
    result(f"{to}: {status}{hint}; not approved.\n")
    return 1
