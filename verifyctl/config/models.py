"""The YAML format as pydantic models: a key written is managed, a key left out (unset) is left alone."""

from __future__ import annotations

import re
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from verifyctl.config.reference import country_codes, description
from verifyctl.config.shown import quoted
from verifyctl.config.variables import FLEET_VARIABLES

# Documented limits of the Verify API (spec parameter descriptions and error 60200).
CODE_LENGTH_RANGE = (4, 10)
TOTP_TIME_STEP_RANGE = (20, 60)
TOTP_CODE_LENGTH_RANGE = (3, 8)
TOTP_SKEW_RANGE = (0, 2)
FRIENDLY_NAME_MAX_LENGTH = 30
FRIENDLY_NAME_MAX_DIGITS = 4
# The API stores integers as 32-bit signed values and answers 400 above this, on every apply.
INT32_MAX = 2**31 - 1
# A bucket admits at least one request per interval of at least one second; 0 is refused by the API.
BUCKET_INTERVAL_RANGE = (1, INT32_MAX)
BUCKET_MAX_RANGE = (1, INT32_MAX)

# The spec states these enums; tests/unit/config check that they still match descriptions.json.
EventType = Literal[
    "*", "factor.deleted", "factor.created", "factor.verified", "challenge.approved", "challenge.denied"
]
WebhookStatus = Literal["enabled", "disabled"]
WebhookVersion = Literal["v1", "v2"]
AuthenticatorAttachment = Literal["platform", "cross-platform", "any"]
PasskeysPreference = Literal["required", "preferred", "discouraged"]

NULL_MESSAGE = "must not be null; leave the key out to leave it unmanaged"


def sid_pattern(prefix: str) -> str:
    """The pattern of a Twilio SID: two letters and 32 hex digits."""
    return f"^{prefix}[0-9a-fA-F]{{32}}$"


SERVICE_SID = sid_pattern("VA")
MESSAGING_SERVICE_SID = sid_pattern("MG")
TEMPLATE_SID = sid_pattern("HJ")
CREDENTIAL_SID = sid_pattern("CR")


def normalize_country(country: str) -> str:
    """Country codes compare in upper case; the global configuration is `all`."""
    return "all" if country.lower() == "all" else country.upper()


def _spec(kind: str, key: str, *extra: str) -> str:
    return " ".join(part for part in (description(kind, key), *extra) if part)


class ConfigModel(BaseModel):
    """Base of every config model: strict types, no unknown keys, no explicit null."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)

    @field_validator("*", mode="before")
    @classmethod
    def _reject_null(cls, value: Any) -> Any:
        # Optional fields default to None only to mean "unset"; writing null would blur unmanaged and "clear".
        if value is None:
            raise ValueError(NULL_MESSAGE)
        return value


def service_name_problem(name: str) -> str | None:
    """What the API refuses in a service friendly_name (None when nothing): the spec's description."""
    if not name.strip():
        return "must not be empty"
    if sum(ch.isdigit() for ch in name) > FRIENDLY_NAME_MAX_DIGITS:
        return f"must not contain more than {FRIENDLY_NAME_MAX_DIGITS} digits (an API limit)"
    # The spec's description of friendly_name: letters, numbers, spaces, dashes and underscores only.
    odd = sorted({ch for ch in name if not (ch.isalnum() or ch in " -_")})
    if odd:
        shown = " ".join(repr(ch) for ch in odd)
        return f"may contain only letters, digits, spaces, dashes and underscores (not {shown})"
    return None


def _check_identity_name(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


class PushConfig(ConfigModel):
    """`push`: configuration of the Push factors."""

    include_date: bool | None = Field(None, description=_spec("service", "push.include_date"))
    apn_credential_sid: str | None = Field(
        None, pattern=CREDENTIAL_SID, description=_spec("service", "push.apn_credential_sid")
    )
    fcm_credential_sid: str | None = Field(
        None, pattern=CREDENTIAL_SID, description=_spec("service", "push.fcm_credential_sid")
    )


class TotpConfig(ConfigModel):
    """`totp`: configuration of the TOTP factors."""

    issuer: str | None = Field(None, description=_spec("service", "totp.issuer"))
    time_step: int | None = Field(
        None,
        ge=TOTP_TIME_STEP_RANGE[0],
        le=TOTP_TIME_STEP_RANGE[1],
        description=_spec("service", "totp.time_step"),
    )
    code_length: int | None = Field(
        None,
        ge=TOTP_CODE_LENGTH_RANGE[0],
        le=TOTP_CODE_LENGTH_RANGE[1],
        description=_spec("service", "totp.code_length"),
    )
    skew: int | None = Field(
        None, ge=TOTP_SKEW_RANGE[0], le=TOTP_SKEW_RANGE[1], description=_spec("service", "totp.skew")
    )


class WhatsappConfig(ConfigModel):
    """`whatsapp`: the WhatsApp sender; the YAML key `from` is `from_` in Python."""

    msg_service_sid: str | None = Field(
        None, pattern=MESSAGING_SERVICE_SID, description=_spec("service", "whatsapp.msg_service_sid")
    )
    from_: str | None = Field(None, alias="from", description=_spec("service", "whatsapp.from"))


class RelyingPartyConfig(ConfigModel):
    """`passkeys.relying_party`: the application passkeys are created for."""

    id: str | None = Field(None, description=_spec("service", "passkeys.relying_party.id"))
    name: str | None = Field(None, description=_spec("service", "passkeys.relying_party.name"))
    origins: list[str] | None = Field(
        None,
        description=_spec("service", "passkeys.relying_party.origins", "Written here as a list of origins."),
    )

    @field_validator("origins")
    @classmethod
    def _origins_are_plain(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            if not origin.strip():
                raise ValueError("an origin must not be empty")
            # The API takes the origins as one comma-separated string.
            if "," in origin:
                raise ValueError(
                    f"origin {quoted(origin)} must not contain a comma; list each origin separately"
                )
        return origins


class PasskeysConfig(ConfigModel):
    """`passkeys`: configuration of passkeys (WebAuthn)."""

    relying_party: RelyingPartyConfig | None = Field(
        None, description="The Relying Party of the passkeys: your application's domain, name and origins."
    )
    authenticator_attachment: AuthenticatorAttachment | None = Field(
        None, description=_spec("service", "passkeys.authenticator_attachment")
    )
    discoverable_credentials: PasskeysPreference | None = Field(
        None, description=_spec("service", "passkeys.discoverable_credentials")
    )
    user_verification: PasskeysPreference | None = Field(
        None, description=_spec("service", "passkeys.user_verification")
    )


class BucketConfig(ConfigModel):
    """A bucket of a rate limit; identified by `interval` within its rate limit."""

    interval: int = Field(
        ge=BUCKET_INTERVAL_RANGE[0],
        le=BUCKET_INTERVAL_RANGE[1],
        description=_spec("bucket", "interval", "Identity of the bucket."),
    )
    max: int = Field(ge=BUCKET_MAX_RANGE[0], le=BUCKET_MAX_RANGE[1], description=_spec("bucket", "max"))


# Error 60209: "UniqueName only supports alphanumeric characters and -, _ or ." (ASCII).
RATE_LIMIT_NAME_PATTERN = "^[A-Za-z0-9._-]+$"


class RateLimitConfig(ConfigModel):
    """A rate limit of a service; identified by `unique_name` (case-insensitively), which cannot change."""

    unique_name: str = Field(
        min_length=1,
        json_schema_extra={"pattern": RATE_LIMIT_NAME_PATTERN},
        description=_spec(
            "rate_limit",
            "unique_name",
            "Identity of the rate limit (compared case-insensitively); the API cannot rename it, so a new"
            " name replaces the rate limit.",
        ),
    )
    description: str | None = Field(None, description=_spec("rate_limit", "description"))
    buckets: list[BucketConfig] | None = Field(
        None,
        description="The buckets of this rate limit. Authoritative when written: live buckets not listed"
        " are deleted. Leave the key out to leave them alone; [] means none.",
    )

    @field_validator("unique_name")
    @classmethod
    def _unique_name_as_the_api_takes_it(cls, name: str) -> str:
        _check_identity_name(name)
        if not re.fullmatch(RATE_LIMIT_NAME_PATTERN, name):
            raise ValueError(
                "may contain only letters (A-Z, a-z), digits, '.', '-' and '_' (the API's error 60209)"
            )
        return name


class MessagingConfigurationConfig(ConfigModel):
    """The Messaging Service a service uses for one country (or `all`); identified by `country`."""

    country: str = Field(
        json_schema_extra={"pattern": "^([A-Za-z]{2}|[Aa][Ll][Ll])$"},
        description=_spec(
            "messaging_configuration", "country", "Identity of the messaging configuration; case-insensitive."
        ),
    )
    messaging_service_sid: str = Field(
        pattern=MESSAGING_SERVICE_SID, description=_spec("messaging_configuration", "messaging_service_sid")
    )

    @field_validator("country")
    @classmethod
    def _known_country(cls, country: str) -> str:
        code = normalize_country(country)
        if code != "all" and code not in country_codes():
            raise ValueError("must be an ISO 3166-1 alpha-2 country code (such as US) or 'all'")
        return code


class WebhookConfig(ConfigModel):
    """A webhook of a service; identified by `friendly_name`."""

    friendly_name: str = Field(
        min_length=1, description=_spec("webhook", "friendly_name", "Identity of the webhook.")
    )
    event_types: list[EventType] = Field(min_length=1, description=_spec("webhook", "event_types"))
    webhook_url: str = Field(
        json_schema_extra={"format": "uri", "pattern": "^https://"},
        description=_spec("webhook", "webhook_url", "Must be an https:// URL."),
    )
    status: WebhookStatus | None = Field(None, description=_spec("webhook", "status"))
    version: WebhookVersion | None = Field(None, description=_spec("webhook", "version"))

    @field_validator("friendly_name")
    @classmethod
    def _friendly_name_not_blank(cls, name: str) -> str:
        return _check_identity_name(name)

    @field_validator("event_types")
    @classmethod
    def _no_repeated_event_type(cls, event_types: list[str]) -> list[str]:
        seen: set[str] = set()
        for event_type in event_types:
            if event_type in seen:
                raise ValueError(f"lists {event_type!r} more than once")
            seen.add(event_type)
        return event_types

    @field_validator("webhook_url")
    @classmethod
    def _https_url(cls, url: str) -> str:
        problem = https_url_problem(url)
        if problem:
            raise ValueError(problem)
        return url


# RFC 3986: the characters a URL may hold as they are; any other is percent-encoded.
_URL_CHARACTERS = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/?#\[\]%]*")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_HOST = re.compile(r"(?i)^([a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$")


def https_url_problem(url: str) -> str | None:
    """Why `url` is not a well-formed https URL (None when it is): one reading only, the API's and ours."""
    if not url.lower().startswith("https://"):
        return "must be an https:// URL"
    if not _URL_CHARACTERS.fullmatch(url) or _BAD_ESCAPE.search(url):
        return "must be an https:// URL of RFC 3986 characters (percent-encode spaces and others, %20)"
    parts = urlsplit(url)
    if "@" in url[len("https://") + len(parts.netloc) :]:
        # A password holding "/", "?" or "#" ends the host for the API: it would post somewhere else.
        return "has an '@' after its host: percent-encode '/', '?', '#' and '@' in a user or password"
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number in range
    except ValueError:
        return "must be an https:// URL with a valid port"
    host = parts.hostname or ""
    if not (_HOST.match(host) or (host and parts.netloc.rpartition("@")[2].startswith("["))):
        return "must be an https:// URL with a host name"
    return None


class ServiceConfig(ConfigModel):
    """A Verify service; identified by `sid` when pinned, else by `friendly_name`."""

    friendly_name: str = Field(
        min_length=1,
        max_length=FRIENDLY_NAME_MAX_LENGTH,
        description=_spec("service", "friendly_name.limits", "Identity of the service unless `sid` pins it."),
    )
    sid: str | None = Field(
        None,
        pattern=SERVICE_SID,
        description="Optional pin: the SID of an existing service. A pinned service is matched by SID,"
        " so that its friendly_name can be changed (a rename) or an existing service adopted.",
    )
    formerly: list[str] | None = Field(
        None,
        description="Former friendly names of this service: when no live service has friendly_name and"
        " exactly one has a former name, the plan renames that one in place (no `sid` pin needed).",
    )
    environments: list[str] | None = Field(
        None,
        min_length=1,
        description="The environments (names under the top-level `environments:`) this service exists"
        " in; leave out for every environment.",
    )
    ensure: Literal["present", "absent"] = Field(
        "present",
        description="`present` (the default) creates or updates the service; `absent` deletes it"
        " (only with --allow-delete).",
    )
    code_length: int | None = Field(
        None, ge=CODE_LENGTH_RANGE[0], le=CODE_LENGTH_RANGE[1], description=_spec("service", "code_length")
    )
    lookup_enabled: bool | None = Field(None, description=_spec("service", "lookup_enabled"))
    skip_sms_to_landlines: bool | None = Field(None, description=_spec("service", "skip_sms_to_landlines"))
    dtmf_input_required: bool | None = Field(None, description=_spec("service", "dtmf_input_required"))
    tts_name: str | None = Field(None, description=_spec("service", "tts_name"))
    psd2_enabled: bool | None = Field(None, description=_spec("service", "psd2_enabled"))
    do_not_share_warning_enabled: bool | None = Field(
        None, description=_spec("service", "do_not_share_warning_enabled")
    )
    custom_code_enabled: bool | None = Field(None, description=_spec("service", "custom_code_enabled"))
    push: PushConfig | None = Field(None, description=_spec("service", "push"))
    totp: TotpConfig | None = Field(None, description=_spec("service", "totp"))
    default_template_sid: str | None = Field(
        None, pattern=TEMPLATE_SID, description=_spec("service", "default_template_sid")
    )
    default_template: str | None = Field(
        None,
        min_length=1,
        description="The friendly name of the default message template, looked up when planning."
        " Write this or default_template_sid, not both.",
    )
    whatsapp: WhatsappConfig | None = Field(None, description="Configuration of the WhatsApp channel.")
    passkeys: PasskeysConfig | None = Field(None, description="Configuration of passkeys.")
    verify_event_subscription_enabled: bool | None = Field(
        None, description=_spec("service", "verify_event_subscription_enabled")
    )
    rate_limits: list[RateLimitConfig] | None = Field(
        None,
        description="The rate limits of this service. Authoritative when written: live rate limits not"
        " listed are deleted. Leave the key out to leave them alone; [] means none.",
    )
    messaging_configurations: list[MessagingConfigurationConfig] | None = Field(
        None,
        description="The Messaging Service to use per country. Authoritative when written: live messaging"
        " configurations not listed are deleted. Leave the key out to leave them alone; [] means none.",
    )
    webhooks: list[WebhookConfig] | None = Field(
        None,
        description="The webhooks of this service. Authoritative when written: live webhooks not listed"
        " are deleted. Leave the key out to leave them alone; [] means none.",
    )

    @field_validator("friendly_name")
    @classmethod
    def _friendly_name_limits(cls, name: str) -> str:
        problem = service_name_problem(name)
        if problem:
            raise ValueError(problem)
        return name

    @field_validator("formerly")
    @classmethod
    def _former_names_are_service_names(cls, names: list[str]) -> list[str]:
        # A former name was a live service's name, so it follows the same rules; one that does not
        # could never match, and the rename it asks for would silently not happen.
        for name in names:
            problem = service_name_problem(name) or (
                None
                if len(name) <= FRIENDLY_NAME_MAX_LENGTH
                else f"must be at most {FRIENDLY_NAME_MAX_LENGTH} characters long"
            )
            if problem:
                raise ValueError(f"former name {quoted(name)} {problem}")
        return names

    @field_validator("default_template")
    @classmethod
    def _one_default_template(cls, name: str, info: ValidationInfo) -> str:
        # default_template_sid is declared first, so it is already in info.data when it was written.
        if "default_template_sid" in info.data and info.data["default_template_sid"] is not None:
            raise ValueError("write default_template or default_template_sid, not both")
        return name


SEVERITIES = ("error", "warning", "info", "off")
# Rule ids are kebab-case; the lint package checks them against its rule table.
RULE_ID_PATTERN = "^[a-z0-9]+(-[a-z0-9]+)*$"
REASON_HELP = "say why in words, such as 'IVR hardware reads 4 digits; JIRA-123'"


def reason_problem(reason: str) -> str | None:
    """Why `reason` does not explain anything (None when it does): it takes two words at least."""
    words = re.findall(r"[^\W\d_]{2,}", reason)
    if len(words) < 2:
        return f"a reason needs words: {REASON_HELP}"
    return None


def _required(*keys: str) -> Any:
    # The schema says what the policy requires; the lint package reports a missing key, so that every
    # mistake of the policy is found in one run (the models would stop at the first).
    def extra(schema: dict[str, Any]) -> None:
        schema["required"] = sorted({*schema.get("required", []), *keys})

    return extra


class RuleSettingConfig(ConfigModel):
    """`policy.rules.RULE`: a severity and the rule's thresholds (`min: 8`), checked by the lint package."""

    # Threshold names and types belong to each rule, so they are extra keys that the lint package checks.
    model_config = ConfigDict(extra="allow")

    severity: str | None = Field(
        None,
        json_schema_extra={"enum": list(SEVERITIES)},
        description="error, warning or info; `off` disables the rule. Leave out for its default.",
    )
    reason: str | None = Field(
        None,
        description="Why the rule is weakened: required when an error rule is turned down (a lower"
        " severity, or a threshold looser than its default), in words, as an exception's reason.",
    )


class PolicyExceptionConfig(ConfigModel):
    """`policy.exceptions[]`: one rule waived for one service, with the reason reviewers read in git."""

    model_config = ConfigDict(json_schema_extra=_required("rule", "service", "reason"))

    rule: str = Field("", description="The id of the rule waived.")
    service: str = Field("", description="The friendly_name of the service it is waived for.")
    reason: str = Field("", description="Why: required, in words, so that the exception is reviewed.")


class PolicyConfig(ConfigModel):
    """`policy`: lint rule settings and per-service exceptions; in one file only."""

    rules: dict[str, RuleSettingConfig] = Field(
        default_factory=dict,
        json_schema_extra={"propertyNames": {"pattern": RULE_ID_PATTERN}},
        description="Settings per rule id (kebab-case): severity and thresholds.",
    )
    exceptions: list[PolicyExceptionConfig] = Field(
        default_factory=list, description="Rules waived for one service each, each with a reason."
    )


# E.164: a `+`, a country code that does not start with 0, at most 15 digits in all (ITU-T E.164).
E164_PATTERN = r"^\+[1-9][0-9]{1,14}$"
E164_MESSAGE = (
    "must be a phone number in E.164 format: + and up to 15 digits, no spaces (such as +15005550006)"
)


class SafeListNumberConfig(ConfigModel):
    """`safe_list[]`: a number on the account's Safe List; written as "+E164" or {phone_number, ensure}."""

    phone_number: str = Field(
        json_schema_extra={"pattern": E164_PATTERN},
        description="The phone number, in E.164 format; identity of the entry.",
    )
    ensure: Literal["present", "absent"] = Field(
        "present",
        description="`present` (the default) adds the number; `absent` removes it (only with"
        " --allow-delete). The API cannot list the Safe List, so removal is only ever by this key.",
    )

    @model_validator(mode="before")
    @classmethod
    def _number_alone(cls, value: Any) -> Any:
        # The short form: a bare string is the number, present.
        if isinstance(value, str):
            return {"phone_number": value}
        if not isinstance(value, dict):
            raise ValueError('must be a phone number ("+15005550006") or a mapping with phone_number')
        return value

    @field_validator("phone_number")
    @classmethod
    def _e164(cls, number: str) -> str:
        if not re.fullmatch(E164_PATTERN, number):
            raise ValueError(f"{E164_MESSAGE}, not {quoted(number)}")
        return number


def _safe_list_items_schema(schema: dict[str, Any]) -> None:
    # The before-validator accepts a bare string too; the generated schema only knows the mapping.
    short = {"type": "string", "pattern": E164_PATTERN, "description": "The number, present."}
    schema["items"] = {"anyOf": [short, schema["items"]]}


ENV_VAR_NAME = "^[A-Za-z_][A-Za-z0-9_]*$"
ENVIRONMENT_NAME = "^[a-z0-9][a-z0-9_-]*$"
ACCOUNT_SID = sid_pattern("AC")
# A value that looks like a secret rather than a variable's name: an auth token (32 hex digits) or an
# API key SID; the file is committed, so it must never hold one.
_SECRET_LIKE = re.compile(r"^(SK)?[0-9a-fA-F]{32}$")
# Keys that would hold a secret itself: refused with a pointer to the *_env key instead.
_LITERAL_SECRETS = {"auth_token": "auth_token_env", "api_key": "api_key_env", "api_secret": "api_secret_env"}


class CredentialsConfig(ConfigModel):
    """`environments.NAME.credentials`: the NAMES of the environment variables that hold the secrets."""

    auth_token_env: str | None = Field(
        None, pattern=ENV_VAR_NAME, description="The variable holding the account's auth token."
    )
    api_key_env: str | None = Field(
        None, pattern=ENV_VAR_NAME, description="The variable holding an API key SID (SK...)."
    )
    api_secret_env: str | None = Field(
        None, pattern=ENV_VAR_NAME, description="The variable holding that API key's secret."
    )

    @model_validator(mode="before")
    @classmethod
    def _no_literal_secret(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key, instead in _LITERAL_SECRETS.items():
                if key in data:
                    raise ValueError(
                        f"{key}: a secret is never written in the file; name the environment variable"
                        f" that holds it with {instead}"
                    )
        return data

    @field_validator("auth_token_env", "api_key_env", "api_secret_env")
    @classmethod
    def _a_name_not_a_secret(cls, name: str) -> str:
        if _SECRET_LIKE.match(name):
            raise ValueError("looks like a secret, not the name of an environment variable holding it")
        return name

    @model_validator(mode="after")
    def _one_kind(self) -> CredentialsConfig:
        key = (self.api_key_env is not None, self.api_secret_env is not None)
        if key[0] != key[1]:
            raise ValueError("api_key_env and api_secret_env are written together")
        if self.auth_token_env is not None and key[0]:
            raise ValueError("write auth_token_env, or api_key_env with api_secret_env, not both")
        if self.auth_token_env is None and not key[0]:
            raise ValueError("write auth_token_env, or api_key_env with api_secret_env")
        return self


# Twilio's subaccount friendly names are at most 64 characters; a glob a little longer is still sane.
MEMBER_GLOB_MAX_LENGTH = 128


class SubaccountsConfig(ConfigModel):
    """`environments.NAME.subaccounts_of`: the parent account whose subaccounts are a fleet's members."""

    account_sid: str = Field(
        pattern=ACCOUNT_SID,
        description="The parent account (AC...): its credentials list the members and fetch theirs.",
    )
    credentials: CredentialsConfig = Field(
        description="Names of the environment variables holding the parent's credentials, never values."
    )
    max_services: int | None = Field(
        None,
        ge=1,
        le=INT32_MAX,
        description="The cap on Verify services across the parent and all its subaccounts (Twilio error"
        " 21102 past it): a plan that would create more fails before any write. Unset: not checked.",
    )


class SelectConfig(ConfigModel):
    """`environments.NAME.select`: which subaccounts of the parent are members."""

    friendly_name: str = Field(
        "*",
        min_length=1,
        max_length=MEMBER_GLOB_MAX_LENGTH,
        description="A glob on the subaccount's friendly name (`*`, `?`, `[abc]`; case-sensitive).",
    )
    status: Literal["active", "suspended", "any"] = Field(
        "active",
        description="The subaccounts' status: active (the default), suspended or any. A closed subaccount"
        " is never a member: it is skipped and listed.",
    )


def _fleet_or_account(schema: dict[str, Any]) -> None:
    schema["oneOf"] = [{"required": ["account_sid", "credentials"]}, {"required": ["subaccounts_of"]}]


class EnvironmentConfig(ConfigModel):
    """`environments.NAME`: one account (its SID and credentials) or a fleet (`subaccounts_of`), and its
    variables."""

    model_config = ConfigDict(json_schema_extra=_fleet_or_account)

    account_sid: str | None = Field(
        None,
        pattern=ACCOUNT_SID,
        description="The account this environment must be (AC...); credentials of another are refused.",
    )
    credentials: CredentialsConfig | None = Field(
        None, description="Names of the environment variables holding the credentials, never their values."
    )
    subaccounts_of: SubaccountsConfig | None = Field(
        None,
        description="A fleet: one member per selected subaccount of this parent account, each with the"
        " credentials the parent's fetch for it (instead of account_sid and credentials).",
    )
    select: SelectConfig | None = Field(
        None, description="A fleet's members: subaccounts by friendly name (glob) and status."
    )
    member_vars: str | None = Field(
        None,
        min_length=1,
        description="A fleet's per-member variables: a YAML file of {MEMBER: {VAR: value}}, MEMBER a"
        " subaccount's friendly name or SID, relative to this file; they win over `vars`.",
    )
    vars: dict[str, str | int | bool] = Field(
        default_factory=dict,
        json_schema_extra={"propertyNames": {"pattern": ENV_VAR_NAME}},
        description="Values for ${VAR} references in this environment (over VERIFYCTL_VAR_* variables).",
    )
    var_files: list[str] = Field(
        default_factory=list,
        description="YAML files of KEY: value variables, relative to this file; `vars` win over them.",
    )
    api_url: str | None = Field(
        None, min_length=1, description="The Verify API base URL for this environment (default Twilio's)."
    )

    @field_validator("vars")
    @classmethod
    def _no_built_in_variable(cls, values: dict[str, str | int | bool]) -> dict[str, str | int | bool]:
        built_in = [name for name in FLEET_VARIABLES if name in values]
        if built_in:
            raise ValueError(f"{built_in[0]} is built in for fleet members; it cannot be set")
        return values

    @model_validator(mode="after")
    def _fleet_or_one_account(self) -> EnvironmentConfig:
        if self.subaccounts_of is not None:
            given = [key for key in ("account_sid", "credentials") if getattr(self, key) is not None]
            if given:
                raise ValueError(
                    f"{given[0]}: a fleet (subaccounts_of) has no account of its own; the parent's SID and"
                    " credentials go under subaccounts_of"
                )
            return self
        fleet_only = [key for key in ("select", "member_vars") if getattr(self, key) is not None]
        if fleet_only:
            raise ValueError(f"{fleet_only[0]}: only a fleet (subaccounts_of) selects members")
        missing = [key for key in ("account_sid", "credentials") if getattr(self, key) is None]
        if missing:
            raise ValueError(
                f"{' and '.join(missing)} required: an environment is one account (account_sid and"
                " credentials) or a fleet of subaccounts (subaccounts_of)"
            )
        return self

    @property
    def is_fleet(self) -> bool:
        return self.subaccounts_of is not None

    @property
    def own_credentials(self) -> CredentialsConfig:
        """The credentials the environment names: its account's, or a fleet's parent's."""
        given = self.subaccounts_of.credentials if self.subaccounts_of is not None else self.credentials
        assert given is not None  # the validator requires one of them
        return given


class ConfigFile(ConfigModel):
    """One YAML file: the format version, the prune switch, the services, the lint policy, the Safe List."""

    version: Literal[1] = Field(description="The version of the file format; always 1.")
    prune: bool = Field(
        False,
        description="When true, these files own the whole account: a live service that no file declares"
        " is deleted (only with --allow-delete). It applies when any file says so.",
    )
    services: list[ServiceConfig] = Field(default_factory=list, description="The Verify services.")
    policy: PolicyConfig | None = Field(
        None,
        description="The lint policy (`verifyctl lint`): rule settings and exceptions. In one file only.",
    )
    safe_list: list[SafeListNumberConfig] = Field(
        default_factory=list,
        json_schema_extra=_safe_list_items_schema,
        description="Numbers of the account's Safe List (/v2/SafeList/Numbers): each listed number is"
        " added; one with `ensure: absent` is removed. Numbers not listed are left alone (the API has no"
        " list endpoint). Entries of every file merge; a number may be written once.",
    )

    environments: dict[str, EnvironmentConfig] | None = Field(
        None,
        json_schema_extra={"propertyNames": {"pattern": ENVIRONMENT_NAME}},
        description="Named environments (`--env NAME`), each an account with its credentials and"
        " variables. In one file only.",
    )

    @field_validator("version", mode="before")
    @classmethod
    def _version_is_an_integer(cls, version: Any) -> Any:
        # Literal[1] alone would also accept true and 1.0, which are equal to 1 in Python.
        if type(version) is not int:
            raise ValueError("must be 1")
        return version
