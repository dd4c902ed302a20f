"""Populate an emulator account directly through the API (no verifyctl code), for the day-2 tests."""

from __future__ import annotations

from typing import Any

import requests

from verifyctl.emulator import EmulatorServer

MG = "MG" + "0123456789abcdef" * 2
MG2 = "MG" + "fedcba9876543210" * 2
CR = "CR" + "0123456789abcdef" * 2
TEMPLATE_SID = "HJ" + "0" * 31 + "1"

# Every writable Service parameter, spelled as the API takes it.
EVERY_SERVICE_PARAM: dict[str, str] = {
    "FriendlyName": "Everything Set",
    "CodeLength": "7",
    "LookupEnabled": "true",
    "SkipSmsToLandlines": "true",
    "DtmfInputRequired": "false",
    "TtsName": "Say ${NOT_A_VARIABLE}",
    "Psd2Enabled": "true",
    "DoNotShareWarningEnabled": "true",
    "CustomCodeEnabled": "true",
    "Push.IncludeDate": "true",
    "Push.ApnCredentialSid": CR,
    "Push.FcmCredentialSid": CR,
    "Totp.Issuer": "Acme: Everything",
    "Totp.TimeStep": "45",
    "Totp.CodeLength": "8",
    "Totp.Skew": "2",
    "DefaultTemplateSid": TEMPLATE_SID,
    "Whatsapp.MsgServiceSid": MG,
    "Whatsapp.From": "+15017122661",
    "Passkeys.RelyingParty.Id": "example.com",
    "Passkeys.RelyingParty.Name": "Example",
    "Passkeys.RelyingParty.Origins": "https://example.com,https://login.example.com",
    "Passkeys.AuthenticatorAttachment": "cross-platform",
    "Passkeys.DiscoverableCredentials": "required",
    "Passkeys.UserVerification": "discouraged",
    "VerifyEventSubscriptionEnabled": "true",
}


def api(server: EmulatorServer, method: str, path: str, data: Any = None) -> Any:
    response = requests.request(method, server.base_url + path, data=data, auth=server.accounts[0], timeout=5)
    response.raise_for_status()
    return response.json() if response.content else None


def create_service(server: EmulatorServer, **params: str) -> str:
    return str(api(server, "POST", "/v2/Services", params)["sid"])


def add_children(server: EmulatorServer, sid: str) -> None:
    """Two rate limits (one with two buckets, one with none), two messaging configurations, two webhooks."""
    base = f"/v2/Services/{sid}"
    phone = api(
        server, "POST", f"{base}/RateLimits", {"UniqueName": "end_user_phone", "Description": "phone"}
    )
    for interval, maximum in (("3600", "10"), ("60", "3")):
        api(
            server,
            "POST",
            f"{base}/RateLimits/{phone['sid']}/Buckets",
            {"Interval": interval, "Max": maximum},
        )
    api(server, "POST", f"{base}/RateLimits", {"UniqueName": "end_user_ip"})
    api(server, "POST", f"{base}/MessagingConfigurations", {"Country": "US", "MessagingServiceSid": MG})
    api(server, "POST", f"{base}/MessagingConfigurations", {"Country": "all", "MessagingServiceSid": MG2})
    api(
        server,
        "POST",
        f"{base}/Webhooks",
        [
            ("FriendlyName", "audit"),
            ("EventTypes", "factor.created"),
            ("EventTypes", "challenge.approved"),
            ("WebhookUrl", "https://hooks.example.com/audit"),
            ("Status", "disabled"),
            ("Version", "v1"),
        ],
    )
    api(
        server,
        "POST",
        f"{base}/Webhooks",
        {"FriendlyName": "all events", "EventTypes": "*", "WebhookUrl": "https://hooks.example.com/all"},
    )


def populate(server: EmulatorServer) -> dict[str, Any]:
    """An account with every Service field set, every child kind, and a friendly name two services share."""
    everything = create_service(server, **EVERY_SERVICE_PARAM)
    add_children(server, everything)
    plain = create_service(server, FriendlyName="Plain")
    shared = sorted(create_service(server, FriendlyName="Shared Name", CodeLength=str(n)) for n in (4, 5))
    # The one that sorts last (and so is imported last) has children; the other has none.
    add_children(server, shared[1])
    return {"everything": everything, "plain": plain, "shared": shared}
