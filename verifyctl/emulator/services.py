"""Services: their 26 writable parameters, their defaults and their links."""

from __future__ import annotations

from typing import Any

from verifyctl.emulator.collection import Collection, Param
from verifyctl.emulator.context import Context
from verifyctl.emulator.validation import (
    boolean,
    comma_list,
    integer_between,
    one_of,
    service_name,
    sid_of,
    text,
)


def _service_links(instance_url: str) -> dict[str, str]:
    return {
        "verification_checks": f"{instance_url}/VerificationCheck",
        "verifications": f"{instance_url}/Verifications",
        "rate_limits": f"{instance_url}/RateLimits",
        "messaging_configurations": f"{instance_url}/MessagingConfigurations",
        "entities": f"{instance_url}/Entities",
        "webhooks": f"{instance_url}/Webhooks",
        "access_tokens": f"{instance_url}/AccessTokens",
    }


def _service_defaults() -> dict[str, Any]:
    # Defaults of a new service (documented in the emulator README section).
    return {
        "code_length": 6,
        "lookup_enabled": False,
        "psd2_enabled": False,
        "skip_sms_to_landlines": False,
        "dtmf_input_required": False,
        "tts_name": None,
        "do_not_share_warning_enabled": False,
        "custom_code_enabled": False,
        "push": {"include_date": False, "apn_credential_sid": None, "fcm_credential_sid": None},
        "totp": {"issuer": None, "time_step": 30, "code_length": 6, "skew": 1},
        "default_template_sid": None,
        "whatsapp": {"msg_service_sid": None, "from": None},
        "passkeys": {
            "relying_party": {"id": None, "name": None, "origins": None},
            "authenticator_attachment": None,
            "discoverable_credentials": None,
            "user_verification": None,
        },
        "verify_event_subscription_enabled": False,
    }


def _default_totp_issuer(ctx: Context, doc: dict[str, Any], creating: bool) -> None:
    # The spec: the TOTP issuer "defaults to the service friendly name if not provided".
    if creating and "Totp.Issuer" not in ctx.form:
        doc["totp"]["issuer"] = doc["friendly_name"]


_PASSKEY_PREFERENCE = one_of("required", "preferred", "discouraged", clearable=True)

SERVICE_PARAMS: tuple[Param, ...] = (
    ("FriendlyName", "friendly_name", service_name),
    ("CodeLength", "code_length", integer_between(4, 10)),
    ("LookupEnabled", "lookup_enabled", boolean),
    ("SkipSmsToLandlines", "skip_sms_to_landlines", boolean),
    ("DtmfInputRequired", "dtmf_input_required", boolean),
    ("TtsName", "tts_name", text),
    ("Psd2Enabled", "psd2_enabled", boolean),
    ("DoNotShareWarningEnabled", "do_not_share_warning_enabled", boolean),
    ("CustomCodeEnabled", "custom_code_enabled", boolean),
    ("Push.IncludeDate", "push.include_date", boolean),
    ("Push.ApnCredentialSid", "push.apn_credential_sid", sid_of("CR")),
    ("Push.FcmCredentialSid", "push.fcm_credential_sid", sid_of("CR")),
    ("Totp.Issuer", "totp.issuer", text),
    ("Totp.TimeStep", "totp.time_step", integer_between(20, 60)),
    ("Totp.CodeLength", "totp.code_length", integer_between(3, 8)),
    ("Totp.Skew", "totp.skew", integer_between(0, 2)),
    ("DefaultTemplateSid", "default_template_sid", sid_of("HJ")),
    ("Whatsapp.MsgServiceSid", "whatsapp.msg_service_sid", sid_of("MG")),
    ("Whatsapp.From", "whatsapp.from", text),
    ("Passkeys.RelyingParty.Id", "passkeys.relying_party.id", text),
    ("Passkeys.RelyingParty.Name", "passkeys.relying_party.name", text),
    ("Passkeys.RelyingParty.Origins", "passkeys.relying_party.origins", comma_list),
    (
        "Passkeys.AuthenticatorAttachment",
        "passkeys.authenticator_attachment",
        one_of("platform", "cross-platform", "any", clearable=True),
    ),
    ("Passkeys.DiscoverableCredentials", "passkeys.discoverable_credentials", _PASSKEY_PREFERENCE),
    ("Passkeys.UserVerification", "passkeys.user_verification", _PASSKEY_PREFERENCE),
    ("VerifyEventSubscriptionEnabled", "verify_event_subscription_enabled", boolean),
)

SERVICES = Collection(
    kind="service",
    list_key="services",
    fields=(
        "sid",
        "account_sid",
        "friendly_name",
        "code_length",
        "lookup_enabled",
        "psd2_enabled",
        "skip_sms_to_landlines",
        "dtmf_input_required",
        "tts_name",
        "do_not_share_warning_enabled",
        "custom_code_enabled",
        "push",
        "totp",
        "default_template_sid",
        "whatsapp",
        "passkeys",
        "verify_event_subscription_enabled",
        "date_created",
        "date_updated",
    ),
    create_params=SERVICE_PARAMS,
    required=("FriendlyName",),
    update_params=SERVICE_PARAMS,
    defaults=_service_defaults,
    sid_prefix="VA",
    links=_service_links,
    finish=_default_totp_issuer,
)
