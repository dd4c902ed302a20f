"""One declaration per Verify object kind: API paths, identity, and each field's key, form param and type."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from verifyctl.config.models import normalize_country


class FieldType(str, Enum):
    """How a field's value is encoded in a form and compared."""

    BOOL = "bool"
    INT = "int"
    STR = "str"
    # A list sent as repeated form keys; compared as a set (the API does not promise an order).
    STR_SET = "str_set"
    # A list sent as one comma-separated string and answered as a JSON array (passkeys origins).
    CSV_LIST = "csv_list"


@dataclass(frozen=True)
class Field:
    """One writable field: `key` is the dotted snake_case config/response key, `param` the form name."""

    key: str
    param: str
    type: FieldType
    updatable: bool = True


@dataclass(frozen=True)
class Kind:
    """A kind of Verify object and how the API addresses it."""

    name: str
    # The config key whose value identifies the object within its parent.
    identity: str
    # Path templates; `{service_sid}`, `{rate_limit_sid}` name the parents, `{id}` the object.
    collection_path: str
    instance_path: str
    list_key: str
    fields: tuple[Field, ...]
    parent: str | None = None
    # The response key that holds the object's id in `instance_path` (messaging configurations use country).
    id_key: str = "sid"
    # Why an identity change cannot be an update; shown beside a replace in the plan.
    identity_immutable_reason: str = ""
    # The form of an identity that objects of this kind are matched by within their parent (and that
    # `--target` addresses are compared in): exact by default.
    normalize: Callable[[str], str] = str

    def identity_of(self, value: object) -> str:
        """The normalised identity of a value of this kind's identity field."""
        return self.normalize(str(value))

    @property
    def field_keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(f"{self.name} has no field {key!r}")


BOOL, INT, STR = FieldType.BOOL, FieldType.INT, FieldType.STR

SERVICE = Kind(
    name="service",
    identity="friendly_name",
    collection_path="/v2/Services",
    instance_path="/v2/Services/{id}",
    list_key="services",
    fields=(
        Field("friendly_name", "FriendlyName", STR),
        Field("code_length", "CodeLength", INT),
        Field("lookup_enabled", "LookupEnabled", BOOL),
        Field("skip_sms_to_landlines", "SkipSmsToLandlines", BOOL),
        Field("dtmf_input_required", "DtmfInputRequired", BOOL),
        Field("tts_name", "TtsName", STR),
        Field("psd2_enabled", "Psd2Enabled", BOOL),
        Field("do_not_share_warning_enabled", "DoNotShareWarningEnabled", BOOL),
        Field("custom_code_enabled", "CustomCodeEnabled", BOOL),
        Field("push.include_date", "Push.IncludeDate", BOOL),
        Field("push.apn_credential_sid", "Push.ApnCredentialSid", STR),
        Field("push.fcm_credential_sid", "Push.FcmCredentialSid", STR),
        Field("totp.issuer", "Totp.Issuer", STR),
        Field("totp.time_step", "Totp.TimeStep", INT),
        Field("totp.code_length", "Totp.CodeLength", INT),
        Field("totp.skew", "Totp.Skew", INT),
        Field("default_template_sid", "DefaultTemplateSid", STR),
        Field("whatsapp.msg_service_sid", "Whatsapp.MsgServiceSid", STR),
        Field("whatsapp.from", "Whatsapp.From", STR),
        Field("passkeys.relying_party.id", "Passkeys.RelyingParty.Id", STR),
        Field("passkeys.relying_party.name", "Passkeys.RelyingParty.Name", STR),
        Field("passkeys.relying_party.origins", "Passkeys.RelyingParty.Origins", FieldType.CSV_LIST),
        Field("passkeys.authenticator_attachment", "Passkeys.AuthenticatorAttachment", STR),
        Field("passkeys.discoverable_credentials", "Passkeys.DiscoverableCredentials", STR),
        Field("passkeys.user_verification", "Passkeys.UserVerification", STR),
        Field("verify_event_subscription_enabled", "VerifyEventSubscriptionEnabled", BOOL),
    ),
)

RATE_LIMIT = Kind(
    name="rate_limit",
    identity="unique_name",
    collection_path="/v2/Services/{service_sid}/RateLimits",
    instance_path="/v2/Services/{service_sid}/RateLimits/{id}",
    list_key="rate_limits",
    parent="service",
    fields=(
        Field("unique_name", "UniqueName", STR, updatable=False),
        Field("description", "Description", STR),
    ),
    identity_immutable_reason="unique_name cannot be updated",
    # unique_name cannot be updated and the API treats it case-insensitively: matching it so turns a
    # case-only edit into a visible replace instead of a delete plus a near-duplicate create.
    normalize=str.casefold,
)

BUCKET = Kind(
    name="bucket",
    identity="interval",
    collection_path="/v2/Services/{service_sid}/RateLimits/{rate_limit_sid}/Buckets",
    instance_path="/v2/Services/{service_sid}/RateLimits/{rate_limit_sid}/Buckets/{id}",
    list_key="buckets",
    parent="rate_limit",
    fields=(
        Field("interval", "Interval", INT),
        Field("max", "Max", INT),
    ),
)

MESSAGING_CONFIGURATION = Kind(
    name="messaging_configuration",
    identity="country",
    collection_path="/v2/Services/{service_sid}/MessagingConfigurations",
    instance_path="/v2/Services/{service_sid}/MessagingConfigurations/{id}",
    list_key="messaging_configurations",
    parent="service",
    id_key="country",
    # ISO country codes in any case; `all` is the catch-all configuration (the config's own rule).
    normalize=normalize_country,
    fields=(
        Field("country", "Country", STR, updatable=False),
        Field("messaging_service_sid", "MessagingServiceSid", STR),
    ),
)

WEBHOOK = Kind(
    name="webhook",
    identity="friendly_name",
    collection_path="/v2/Services/{service_sid}/Webhooks",
    instance_path="/v2/Services/{service_sid}/Webhooks/{id}",
    list_key="webhooks",
    parent="service",
    fields=(
        Field("friendly_name", "FriendlyName", STR),
        Field("event_types", "EventTypes", FieldType.STR_SET),
        Field("webhook_url", "WebhookUrl", STR),
        Field("status", "Status", STR),
        Field("version", "Version", STR),
    ),
)

KINDS: dict[str, Kind] = {k.name: k for k in (SERVICE, RATE_LIMIT, BUCKET, MESSAGING_CONFIGURATION, WEBHOOK)}

# Child kinds per parent, in the order the config lists them (`rate_limits:`, `webhooks:`, ...).
CHILD_KINDS: dict[str, tuple[Kind, ...]] = {
    "service": (RATE_LIMIT, MESSAGING_CONFIGURATION, WEBHOOK),
    "rate_limit": (BUCKET,),
    "bucket": (),
    "messaging_configuration": (),
    "webhook": (),
}
