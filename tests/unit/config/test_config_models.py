"""The models match the resource kinds key for key, carry the spec's enums and descriptions, check limits."""

from __future__ import annotations

from typing import Any, get_args, get_origin

import pytest
from pydantic import BaseModel, ValidationError

from verifyctl.config import models
from verifyctl.config.models import (
    BucketConfig,
    ConfigFile,
    MessagingConfigurationConfig,
    RateLimitConfig,
    ServiceConfig,
    WebhookConfig,
)
from verifyctl.config.reference import country_codes, description, spec_enum, spec_reference
from verifyctl.config.validation import slot_at
from verifyctl.resources.kinds import BUCKET, MESSAGING_CONFIGURATION, RATE_LIMIT, SERVICE, WEBHOOK, Kind
from verifyctl.resources.spec_extract import extract, snake_key

MODELS: list[tuple[Kind, type[BaseModel]]] = [
    (SERVICE, ServiceConfig),
    (RATE_LIMIT, RateLimitConfig),
    (BUCKET, BucketConfig),
    (MESSAGING_CONFIGURATION, MessagingConfigurationConfig),
    (WEBHOOK, WebhookConfig),
]
SID = "0123456789abcdef0123456789abcdef"


def yaml_keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every leaf key of `model` as a dotted YAML key (nested models flattened, lists of models left out)."""
    keys: set[str] = set()
    for name, info in model.model_fields.items():
        key = f"{prefix}{info.alias or name}"
        slot = slot_at((info.alias or name,), model)
        assert slot is not None
        annotation = slot.annotation
        if is_model(annotation):
            keys |= yaml_keys(annotation, f"{key}.")
        elif not (get_origin(annotation) is list and is_model(get_args(annotation)[0])):
            keys.add(key)
    return keys


def is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


@pytest.mark.parametrize(("kind", "model"), MODELS, ids=lambda x: getattr(x, "name", ""))
def test_every_field_of_the_kind_is_a_key_of_the_model(kind: Kind, model: type[BaseModel]) -> None:
    missing = set(kind.field_keys) - yaml_keys(model)
    assert not missing


def test_service_has_the_26_writable_fields_and_nothing_else_writable() -> None:
    assert len(SERVICE.fields) == 26
    config_only = {"sid", "ensure", "default_template", "formerly", "environments"}
    assert yaml_keys(ServiceConfig) == set(SERVICE.field_keys) | config_only
    children = {"rate_limits", "messaging_configurations", "webhooks"}
    assert (
        set(ServiceConfig.model_fields) - yaml_keys(ServiceConfig) - {"push", "totp", "whatsapp", "passkeys"}
        == children
    )


@pytest.mark.parametrize(("kind", "model"), MODELS[1:], ids=lambda x: getattr(x, "name", ""))
def test_child_models_have_exactly_the_kind_fields(kind: Kind, model: type[BaseModel]) -> None:
    assert yaml_keys(model) == set(kind.field_keys)


def test_config_keys_are_the_snake_case_of_the_form_params() -> None:
    for kind, _ in MODELS:
        for field in kind.fields:
            assert snake_key(field.param) == field.key


def test_every_field_has_its_spec_description() -> None:
    for kind, _ in MODELS:
        for key in kind.field_keys:
            assert description(kind.name, key), f"{kind.name}.{key} has no description"
    assert "between 4 and 10" in (ServiceConfig.model_fields["code_length"].description or "")


@pytest.mark.parametrize(
    ("spec_name", "literal"),
    [
        ("webhook.event_types", models.EventType),
        ("webhook.status", models.WebhookStatus),
        ("webhook.version", models.WebhookVersion),
        ("service.passkeys.authenticator_attachment", models.AuthenticatorAttachment),
        ("service.passkeys.discoverable_credentials", models.PasskeysPreference),
        ("service.passkeys.user_verification", models.PasskeysPreference),
    ],
)
def test_enums_are_the_spec_enums(spec_name: str, literal: Any) -> None:
    assert get_args(literal) == spec_enum(spec_name)


def test_the_spec_extract_names_its_source() -> None:
    assert "twilio_verify_v2.json" in spec_reference()["source"]


def test_country_codes_are_the_iso_list() -> None:
    codes = country_codes()
    assert len(codes) == 250  # 249 ISO 3166-1 codes and Twilio's XK
    assert {"US", "GB", "NO", "XK", "AQ"} <= codes
    assert not {"UK", "EU", "ALL"} & codes


def service(**fields: Any) -> ServiceConfig:
    return ServiceConfig.model_validate({"friendly_name": "Acme Login", **fields})


def messages(**fields: Any) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        service(**fields)
    return [str(e.get("ctx", {}).get("error", e["msg"])) for e in caught.value.errors()]


def test_explicit_null_is_refused_even_from_python() -> None:
    assert messages(code_length=None) == [models.NULL_MESSAGE]
    assert messages(webhooks=None) == [models.NULL_MESSAGE]


@pytest.mark.parametrize("name", ["A" * 30, "Acme 2024", "x"])
def test_friendly_names_within_the_limits(name: str) -> None:
    assert ServiceConfig(friendly_name=name).friendly_name == name


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("A" * 31, "String should have at most 30 characters"),
        ("Acme 20245", "must not contain more than 4 digits (an API limit)"),
        (" ", "must not be empty"),
    ],
)
def test_friendly_names_beyond_the_limits(name: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ServiceConfig(friendly_name=name)
    assert [str(e.get("ctx", {}).get("error", e["msg"])) for e in caught.value.errors()] == [message]


@pytest.mark.parametrize("length", [4, 10])
def test_code_length_bounds_are_inclusive(length: int) -> None:
    assert service(code_length=length).code_length == length


@pytest.mark.parametrize(
    ("field", "low", "high"), [("time_step", 20, 60), ("code_length", 3, 8), ("skew", 0, 2)]
)
def test_totp_bounds(field: str, low: int, high: int) -> None:
    assert service(totp={field: low}).totp is not None
    assert service(totp={field: high}).totp is not None
    for bad in (low - 1, high + 1):
        with pytest.raises(ValidationError):
            service(totp={field: bad})


def test_whatsapp_from_is_written_from_and_read_as_from_() -> None:
    built = service(whatsapp={"from": "+15017122661"})
    assert built.whatsapp is not None and built.whatsapp.from_ == "+15017122661"
    assert built.model_dump(exclude_unset=True, by_alias=True)["whatsapp"] == {"from": "+15017122661"}


def test_default_template_and_its_sid_are_exclusive() -> None:
    assert service(default_template="Acme").default_template == "Acme"
    assert messages(default_template_sid=f"HJ{SID}", default_template="Acme") == [
        "write default_template or default_template_sid, not both"
    ]


def test_strict_types_refuse_lookalikes() -> None:
    assert len(messages(code_length="6", lookup_enabled="true", tts_name=5)) == 3
    with pytest.raises(ValidationError):
        ConfigFile.model_validate({"version": True})
    with pytest.raises(ValidationError):
        ConfigFile.model_validate({"version": 1.0})


@pytest.mark.parametrize("url", ["https://hooks.example.com/verify", "https://127.0.0.1:8443/x?y=1"])
def test_https_webhook_urls_are_accepted(url: str) -> None:
    hook = WebhookConfig(friendly_name="audit", event_types=["*"], webhook_url=url)
    assert hook.webhook_url == url


@pytest.mark.parametrize(
    "url", ["http://hooks.example.com", "https://", "hooks.example.com", "https://exa mple.com", "ftp://x"]
)
def test_other_webhook_urls_are_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="must be an https:// URL"):
        WebhookConfig(friendly_name="audit", event_types=["*"], webhook_url=url)


def test_country_is_normalised() -> None:
    assert MessagingConfigurationConfig(country="gb", messaging_service_sid=f"MG{SID}").country == "GB"
    assert MessagingConfigurationConfig(country="All", messaging_service_sid=f"MG{SID}").country == "all"


def test_rate_limit_unique_name_must_not_be_blank() -> None:
    with pytest.raises(ValidationError, match="must not be empty"):
        RateLimitConfig(unique_name="  ")


def test_bucket_interval_and_max_are_positive_int32() -> None:
    assert BucketConfig(interval=1, max=1).max == 1
    assert BucketConfig(interval=2**31 - 1, max=2**31 - 1).interval == 2**31 - 1
    for interval, most in ((0, 1), (1, 0), (1, -1), (2**31, 1), (1, 2**31)):
        with pytest.raises(ValidationError, match="greater_than_equal|less_than_equal"):
            BucketConfig(interval=interval, max=most)


def _form(properties: dict[str, Any]) -> dict[str, Any]:
    schema = {"properties": properties}
    return {"post": {"requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": schema}}}}}


def test_extract_reads_descriptions_and_the_enums_stated_in_prose() -> None:
    passkeys = "It can be empty or it can have the values `a`, `b` or `c`."
    spec = {
        "paths": {
            "/v2/Services": _form(
                {
                    "Totp.TimeStep": {"description": "Between 20 and 60."},
                    "Passkeys.AuthenticatorAttachment": {"description": passkeys},
                    "Passkeys.DiscoverableCredentials": {"description": passkeys},
                    "Passkeys.UserVerification": {"description": passkeys},
                }
            ),
            "/v2/Services/{ServiceSid}/RateLimits": _form({"UniqueName": {"description": "Name."}}),
            "/v2/Services/{ServiceSid}/RateLimits/{RateLimitSid}/Buckets": _form({"Max": {}}),
            "/v2/Services/{ServiceSid}/MessagingConfigurations": _form({"Country": {"description": "ISO."}}),
            "/v2/SafeList/Numbers": _form({"PhoneNumber": {"description": "E.164."}}),
            "/v2/Services/{ServiceSid}/Webhooks": _form(
                {
                    "EventTypes": {"description": "Possible event types: `*, factor.deleted`"},
                    "Status": {"$ref": "#/components/schemas/webhook_enum_status"},
                }
            ),
        },
        "components": {
            "schemas": {
                "webhook_enum_status": {"enum": ["enabled", "disabled"], "description": "Status."},
                "webhook_enum_version": {"enum": ["v1", "v2"]},
                "verify.v2.service": {
                    "properties": {
                        "sid": {"description": "The SID."},
                        "friendly_name": {"description": "Up to 30."},
                        "push": {"description": "Push."},
                        "totp": {},
                        "whatsapp": {},
                        "passkeys": {},
                    }
                },
            }
        },
    }
    extracted = extract(spec)
    assert extracted["fields"]["service"]["totp.time_step"] == "Between 20 and 60."
    assert extracted["fields"]["service"]["push"] == "Push."
    assert "totp" not in extracted["fields"]["service"]
    assert extracted["fields"]["webhook"]["status"] == "Status."
    assert extracted["fields"]["bucket"] == {"max": ""}
    # Every kind's create operation is read, the Safe List's too: there is no table of them to forget one.
    assert extracted["fields"]["safe_list"] == {"phone_number": "E.164."}
    assert extracted["enums"]["webhook.event_types"] == ["*", "factor.deleted"]
    assert extracted["enums"]["service.passkeys.user_verification"] == ["a", "b", "c"]
