"""Every response of every emulated operation validates against the response schemas of the OpenAPI spec."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import requests

from tests.support.devices import PushDevice, SoftwareAuthenticator, totp_code
from verifyctl.emulator import EmulatorServer

SPEC = json.loads((Path(__file__).parent / "vendor" / "twilio_verify_v2_subset.json").read_text("utf-8"))
SCHEMAS = SPEC["components"]["schemas"]
DATE_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"
ABSOLUTE_URL = r"^https?://"


def to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema -> strict JSON Schema.

    `$ref` is inlined; `nullable` becomes a `null` type; date-time and uri formats become patterns (the
    emulator's dates are `YYYY-MM-DDTHH:MM:SSZ`); every object with declared properties must have exactly
    those properties (no extra, none missing).
    """
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return to_json_schema(SCHEMAS[node["$ref"].rsplit("/", 1)[1]])
    schema: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("nullable", "description", "default", "x-twilio", "title", "example", "examples"):
            continue
        if key == "format":
            if value == "date-time":
                schema["pattern"] = DATE_TIME
            elif value == "uri":
                schema["pattern"] = ABSOLUTE_URL
            elif value == "uri-map":
                schema["additionalProperties"] = {"type": "string", "pattern": ABSOLUTE_URL}
            continue
        if key == "properties":
            schema[key] = {name: to_json_schema(prop) for name, prop in value.items()}
        else:
            schema[key] = to_json_schema(value) if key == "items" else value
    if node.get("nullable") and "type" in schema:
        schema["type"] = [schema["type"], "null"]
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
    if "properties" in schema:
        schema["required"] = list(schema["properties"])
        schema["additionalProperties"] = False
    return schema


def test_the_converted_schemas_are_strict() -> None:
    schema = to_json_schema(SCHEMAS["verify.v2.service.rate_limit.bucket"])
    valid = {
        "sid": "BL" + "0" * 32,
        "rate_limit_sid": "RK" + "0" * 32,
        "service_sid": "VA" + "0" * 32,
        "account_sid": "AC" + "0" * 32,
        "max": 5,
        "interval": 60,
        "date_created": "2015-07-30T20:00:00Z",
        "date_updated": None,
        "url": "http://127.0.0.1/v2/Services",
    }
    jsonschema.validate(valid, schema)
    for wrong in (
        {**valid, "extra": 1},
        {key: value for key, value in valid.items() if key != "url"},
        {**valid, "sid": "RK" + "0" * 32},
        {**valid, "max": "5"},
        {**valid, "date_created": "Thu, 30 Jul 2015 20:00:00 +0000"},
        {**valid, "url": "/v2/Services"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(wrong, schema)


def _operations() -> dict[str, tuple[str, str, dict[str, Any]]]:
    found = {}
    for path, methods in SPEC["paths"].items():
        for method, operation in methods.items():
            found[operation["operationId"]] = (method.upper(), path, operation)
    return found


OPERATIONS = _operations()


class Api:
    """A minimal authenticated client of the emulator."""

    def __init__(self, server: EmulatorServer) -> None:
        self.server = server
        self.base_url = server.base_url
        self.session = requests.Session()
        self.session.auth = server.accounts[0]

    def call(
        self, method: str, path: str, data: Any = None, params: Any = None, as_json: bool = False
    ) -> requests.Response:
        if as_json:
            return self.session.request(method, self.base_url + path, json=data, params=params, timeout=10)
        return self.session.request(method, self.base_url + path, data=data, params=params, timeout=10)

    def create(self, path: str, data: Any, as_json: bool = False) -> dict[str, Any]:
        response = self.call("POST", path, data, as_json=as_json)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def now(self) -> float:
        """The emulator's clock, for TOTP codes."""
        answer = self.session.post(self.base_url + "/__emulator__/clock", data={"advance": "0"}, timeout=10)
        return datetime.fromisoformat(answer.json()["now"].replace("Z", "+00:00")).timestamp()


@pytest.fixture(scope="module")
def api() -> Iterator[Api]:
    with EmulatorServer() as server:
        yield Api(server)


ORIGIN = "https://a.example"
IDENTITY = "contract-user-1"
PASSKEY_USER = "contract-passkey-1"


def _identity_world(api: Api, service: str) -> dict[str, Any]:
    """An entity with a verified TOTP factor, a verified push factor, and a pending challenge of each."""
    entity = f"/v2/Services/{service}/Entities/{IDENTITY}"
    api.create(f"/v2/Services/{service}/Entities", {"Identity": IDENTITY})
    totp = api.create(f"{entity}/Factors", {"FriendlyName": "app", "FactorType": "totp"})
    code = totp_code(totp["binding"]["secret"], api.now())
    assert api.call("POST", f"{entity}/Factors/{totp['sid']}", {"AuthPayload": code}).status_code == 200
    device = PushDevice()
    push = api.create(
        f"{entity}/Factors",
        {
            "FriendlyName": "phone",
            "FactorType": "push",
            "Binding.Alg": "ES256",
            "Binding.PublicKey": device.public_key,
            "Config.AppId": "com.example.app",
            "Config.NotificationPlatform": "fcm",
            "Config.NotificationToken": "t" * 40,
            "Config.SdkVersion": "1.0",
        },
    )
    payload = device.verify_factor_payload(push["sid"])
    assert api.call("POST", f"{entity}/Factors/{push['sid']}", {"AuthPayload": payload}).status_code == 200
    challenge = api.create(f"{entity}/Challenges", {"FactorSid": totp["sid"]})
    push_challenge = api.create(
        f"{entity}/Challenges",
        {"FactorSid": push["sid"], "Details.Message": "Sign in?", "HiddenDetails": '{"ip": "192.0.2.1"}'},
    )
    token = api.create(f"/v2/Services/{service}/AccessTokens", {"Identity": IDENTITY, "FactorType": "push"})
    return {
        "identity": IDENTITY,
        "totp_factor": totp["sid"],
        "totp_secret": totp["binding"]["secret"],
        "challenge": challenge["sid"],
        "push_challenge": push_challenge["sid"],
        "access_token": token["sid"],
    }


def _passkey_world(api: Api, service: str) -> dict[str, Any]:
    """A verified passkey with a pending challenge (and its assertion), and a registration to verify."""
    authenticator = SoftwareAuthenticator(ORIGIN)
    base = f"/v2/Services/{service}/Passkeys"
    factor = api.create(f"{base}/Factors", {"friendly_name": "Jo", "identity": PASSKEY_USER}, as_json=True)
    verified = api.call("POST", f"{base}/VerifyFactor", authenticator.create(factor["options"]), as_json=True)
    assert verified.status_code == 200, verified.text
    challenge = api.create(f"{base}/Challenges", {"identity": PASSKEY_USER}, as_json=True)
    second = api.create(f"{base}/Factors", {"friendly_name": "Jo 2", "identity": PASSKEY_USER}, as_json=True)
    return {
        "passkey_assertion": json.dumps(authenticator.get(challenge["options"])),
        "passkey_registration": json.dumps(authenticator.create(second["options"])),
    }


@pytest.fixture
def world(api: Api) -> dict[str, str]:
    """One of every object, created fresh for each test."""
    service = api.create(
        "/v2/Services",
        {
            "FriendlyName": "Contract Test",
            "Passkeys.RelyingParty.Id": "a.example",
            "Passkeys.RelyingParty.Origins": ORIGIN,
        },
    )["sid"]
    base = f"/v2/Services/{service}"
    rate_limit = api.create(f"{base}/RateLimits", {"UniqueName": "end_user_ip", "Description": "per ip"})[
        "sid"
    ]
    bucket = api.create(f"{base}/RateLimits/{rate_limit}/Buckets", {"Max": "5", "Interval": "60"})["sid"]
    api.create(f"{base}/MessagingConfigurations", {"Country": "US", "MessagingServiceSid": "MG" + "a" * 32})
    webhook = api.create(
        f"{base}/Webhooks",
        {"FriendlyName": "audit", "EventTypes": ["factor.created"], "WebhookUrl": "https://hooks.example"},
    )["sid"]
    to = "+15017122661"
    verification = api.create(f"{base}/Verifications", {"To": to, "Channel": "sms"})["sid"]
    attempt = api.call("GET", f"{base}/Verifications/{verification}").json()["send_code_attempts"][0]
    code = api.server.messages(to=to)[-1]["body"].rsplit(" ", 1)[1]
    return {
        "service": service,
        "rate_limit": rate_limit,
        "bucket": bucket,
        "webhook": webhook,
        "verification": verification,
        "attempt": attempt["attempt_sid"],
        "to": to,
        "code": code,
        **_identity_world(api, service),
        **_passkey_world(api, service),
    }


W = dict[str, str]
SVC = "/v2/Services/{service}"
RL = SVC + "/RateLimits/{rate_limit}"
ENT = SVC + "/Entities/{identity}"
FETCHED_SAFE_NUMBER, DELETED_SAFE_NUMBER = "+15005550101", "+15005550102"
SAFE_NUMBER = "+15017122662"
MG = "MG" + "b" * 32

# operationId -> what to send: the world of fixture objects -> (path, form data).
REQUESTS: dict[str, Callable[[W], tuple[str, Any]]] = {
    "ListService": lambda w: ("/v2/Services", None),
    "CreateService": lambda w: ("/v2/Services", {"FriendlyName": "Another One", "CodeLength": "8"}),
    "FetchService": lambda w: (SVC.format(**w), None),
    "UpdateService": lambda w: (SVC.format(**w), {"Totp.Skew": "2", "Whatsapp.From": "+15017122661"}),
    "DeleteService": lambda w: (SVC.format(**w), None),
    "ListRateLimit": lambda w: (SVC.format(**w) + "/RateLimits", None),
    "CreateRateLimit": lambda w: (SVC.format(**w) + "/RateLimits", {"UniqueName": "end_user_phone"}),
    "FetchRateLimit": lambda w: (RL.format(**w), None),
    "UpdateRateLimit": lambda w: (RL.format(**w), {"Description": "changed"}),
    "DeleteRateLimit": lambda w: (RL.format(**w), None),
    "ListBucket": lambda w: (RL.format(**w) + "/Buckets", None),
    "CreateBucket": lambda w: (RL.format(**w) + "/Buckets", {"Max": "20", "Interval": "86400"}),
    "FetchBucket": lambda w: (RL.format(**w) + "/Buckets/" + w["bucket"], None),
    "UpdateBucket": lambda w: (RL.format(**w) + "/Buckets/" + w["bucket"], {"Max": "7"}),
    "DeleteBucket": lambda w: (RL.format(**w) + "/Buckets/" + w["bucket"], None),
    "ListMessagingConfiguration": lambda w: (SVC.format(**w) + "/MessagingConfigurations", None),
    "CreateMessagingConfiguration": lambda w: (
        SVC.format(**w) + "/MessagingConfigurations",
        {"Country": "CA", "MessagingServiceSid": MG},
    ),
    "FetchMessagingConfiguration": lambda w: (SVC.format(**w) + "/MessagingConfigurations/US", None),
    "UpdateMessagingConfiguration": lambda w: (
        SVC.format(**w) + "/MessagingConfigurations/US",
        {"MessagingServiceSid": MG},
    ),
    "DeleteMessagingConfiguration": lambda w: (SVC.format(**w) + "/MessagingConfigurations/US", None),
    "ListWebhook": lambda w: (SVC.format(**w) + "/Webhooks", None),
    "CreateWebhook": lambda w: (
        SVC.format(**w) + "/Webhooks",
        {"FriendlyName": "w2", "EventTypes": ["*"], "WebhookUrl": "https://h.example", "Version": "v1"},
    ),
    "FetchWebhook": lambda w: (SVC.format(**w) + "/Webhooks/" + w["webhook"], None),
    "UpdateWebhook": lambda w: (SVC.format(**w) + "/Webhooks/" + w["webhook"], {"Status": "disabled"}),
    "DeleteWebhook": lambda w: (SVC.format(**w) + "/Webhooks/" + w["webhook"], None),
    "CreateVerification": lambda w: (
        SVC.format(**w) + "/Verifications",
        {"To": "someone@example.com", "Channel": "email"},
    ),
    "FetchVerification": lambda w: (SVC.format(**w) + "/Verifications/" + w["verification"], None),
    "UpdateVerification": lambda w: (
        SVC.format(**w) + "/Verifications/" + w["verification"],
        {"Status": "canceled"},
    ),
    "CreateVerificationCheck": lambda w: (
        SVC.format(**w) + "/VerificationCheck",
        {"To": w["to"], "Code": w["code"]},
    ),
    "ListVerificationTemplate": lambda w: ("/v2/Templates", None),
    # Entities, factors, challenges, notifications, access tokens.
    "ListEntity": lambda w: (SVC.format(**w) + "/Entities", None),
    "CreateEntity": lambda w: (SVC.format(**w) + "/Entities", {"Identity": "another-user-2"}),
    "FetchEntity": lambda w: (ENT.format(**w), None),
    "DeleteEntity": lambda w: (ENT.format(**w), None),
    "ListFactor": lambda w: (ENT.format(**w) + "/Factors", None),
    "CreateNewFactor": lambda w: (
        ENT.format(**w) + "/Factors",
        {"FriendlyName": "2nd", "FactorType": "totp"},
    ),
    "FetchFactor": lambda w: (ENT.format(**w) + "/Factors/" + w["totp_factor"], None),
    "UpdateFactor": lambda w: (ENT.format(**w) + "/Factors/" + w["totp_factor"], {"FriendlyName": "renamed"}),
    "DeleteFactor": lambda w: (ENT.format(**w) + "/Factors/" + w["totp_factor"], None),
    "ListChallenge": lambda w: (ENT.format(**w) + "/Challenges", None),
    "CreateChallenge": lambda w: (ENT.format(**w) + "/Challenges", {"FactorSid": w["totp_factor"]}),
    "FetchChallenge": lambda w: (ENT.format(**w) + "/Challenges/" + w["challenge"], None),
    "UpdateChallenge": lambda w: (
        ENT.format(**w) + "/Challenges/" + w["challenge"],
        {"Metadata": '{"os": "Android"}'},
    ),
    "CreateNotification": lambda w: (
        ENT.format(**w) + "/Challenges/" + w["push_challenge"] + "/Notifications",
        {"Ttl": "120"},
    ),
    "CreateAccessToken": lambda w: (
        SVC.format(**w) + "/AccessTokens",
        {"Identity": w["identity"], "FactorType": "push", "FactorFriendlyName": "phone"},
    ),
    "FetchAccessToken": lambda w: (SVC.format(**w) + "/AccessTokens/" + w["access_token"], None),
    # Passkeys (JSON bodies).
    "CreateNewFactorPasskey": lambda w: (
        SVC.format(**w) + "/Passkeys/Factors",
        {"friendly_name": "Jo", "identity": "passkey-user-3"},
    ),
    "UpdatePasskeysFactor": lambda w: (
        SVC.format(**w) + "/Passkeys/VerifyFactor",
        json.loads(w["passkey_registration"]),
    ),
    "CreateChallengePasskeys": lambda w: (
        SVC.format(**w) + "/Passkeys/Challenges",
        {"identity": PASSKEY_USER},
    ),
    "UpdateChallengePasskeys": lambda w: (
        SVC.format(**w) + "/Passkeys/ApproveChallenge",
        json.loads(w["passkey_assertion"]),
    ),
    # Safe List, Attempts, Forms.
    "CreateSafelist": lambda w: ("/v2/SafeList/Numbers", {"PhoneNumber": SAFE_NUMBER}),
    "FetchSafelist": lambda w: ("/v2/SafeList/Numbers/" + FETCHED_SAFE_NUMBER, None),
    "DeleteSafelist": lambda w: ("/v2/SafeList/Numbers/" + DELETED_SAFE_NUMBER, None),
    "ListVerificationAttempt": lambda w: ("/v2/Attempts", None),
    "FetchVerificationAttempt": lambda w: ("/v2/Attempts/" + w["attempt"], None),
    "FetchVerificationAttemptsSummary": lambda w: ("/v2/Attempts/Summary", None),
    "FetchForm": lambda w: ("/v2/Forms/form-push", None),
}
# Operations that act on an object the world fixture does not hold: what to create first. Each uses a
# number of its own, so that no operation depends on which ran before it on the shared world.
SETUP: dict[str, Callable[[W], tuple[str, Any]]] = {
    "FetchSafelist": lambda w: ("/v2/SafeList/Numbers", {"PhoneNumber": FETCHED_SAFE_NUMBER}),
    "DeleteSafelist": lambda w: ("/v2/SafeList/Numbers", {"PhoneNumber": DELETED_SAFE_NUMBER}),
}


def _takes_json(operation: dict[str, Any]) -> bool:
    return "application/json" in operation.get("requestBody", {}).get("content", {})


def _schema_of(operation: dict[str, Any], status: int) -> dict[str, Any] | None:
    response = operation["responses"][str(status)]
    content = response.get("content")
    return None if content is None else content["application/json"]["schema"]


def _resource_schemas(schema: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    """(list key or None, the resource's component schema) of an operation's success schema."""
    if "$ref" in schema:
        return None, SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
    if "meta" not in schema["properties"]:
        # The Passkeys operations declare their resource inline.
        return None, schema
    key = next(name for name in schema["properties"] if name != "meta")
    return key, SCHEMAS[schema["properties"][key]["items"]["$ref"].rsplit("/", 1)[1]]


def test_every_vendored_operation_is_exercised() -> None:
    assert sorted(REQUESTS) == sorted(OPERATIONS)


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_response_matches_the_spec(api: Api, world: W, operation_id: str) -> None:
    method, _, operation = OPERATIONS[operation_id]
    if operation_id in SETUP:
        api.create(*SETUP[operation_id](world))
    path, data = REQUESTS[operation_id](world)
    response = api.call(method, path, data, as_json=_takes_json(operation))

    assert str(response.status_code) in operation["responses"], response.text
    assert response.status_code < 300, response.text
    schema = _schema_of(operation, response.status_code)
    if schema is None:
        assert response.status_code == 204
        assert response.content == b""
        return
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    jsonschema.validate(body, to_json_schema(schema))

    list_key, resource = _resource_schemas(schema)
    items = body[list_key] if list_key else [body]
    assert items, "the world fixture gives every list at least one item"
    for item in items:
        # Fields in the spec's order, as Twilio answers them.
        assert list(item) == list(resource["properties"])
    if list_key:
        assert list(body) == [list_key, "meta"]
        meta = body["meta"]
        assert meta["key"] == list_key
        assert meta["url"].startswith(api.base_url + path + "?")
        assert meta["first_page_url"] == f"{api.base_url}{path}?PageSize=50&Page=0"


def _example(operation_id: str, status: str) -> dict[str, Any]:
    _, _, operation = OPERATIONS[operation_id]
    examples = operation["responses"][status]["content"]["application/json"]["examples"]
    return dict(next(iter(examples.values()))["value"])


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return [_shape(value[0])]
    return None


def test_service_groups_have_the_shape_of_the_spec_example(api: Api, world: W) -> None:
    # push/totp/whatsapp/passkeys have no schema in the spec, only examples.
    service = api.call("GET", SVC.format(**world)).json()
    example = _example("FetchService", "200")
    for group in ("push", "totp", "whatsapp", "passkeys"):
        assert _shape(service[group]) == _shape(example[group]), group
    assert service["passkeys"]["relying_party"]["origins"] == ["https://a.example"]
    assert set(service["links"]) == set(example["links"])


def test_verification_attempts_have_the_shape_of_the_spec_example(api: Api, world: W) -> None:
    verification = api.call("GET", SVC.format(**world) + "/Verifications/" + world["verification"]).json()
    example = _example("CreateVerification", "201")
    assert _shape(verification["send_code_attempts"]) == _shape(example["send_code_attempts"])
    assert verification["lookup"] == {} and verification["sna"] is None


def _named_example(operation_id: str, name: str) -> dict[str, Any]:
    _, _, operation = OPERATIONS[operation_id]
    responses = operation["responses"]
    status = "201" if "201" in responses else "200"
    return dict(responses[status]["content"]["application/json"]["examples"][name]["value"])


@pytest.mark.parametrize(
    ("channel", "extra", "example"),
    [("sna", {}, "createVerificationSna"), ("auto", {"DeviceIp": "198.51.100.7"}, "createVerificationAuto")],
    ids=["sna", "auto"],
)
def test_sna_and_auto_lookups_have_the_shape_of_the_spec_examples(
    api: Api, world: W, channel: str, extra: dict[str, str], example: str
) -> None:
    path = SVC.format(**world) + "/Verifications"
    verification = api.create(path, {"To": "+15017122662", "Channel": channel, **extra})
    expected = _named_example("CreateVerification", example)["lookup"]

    assert list(verification["lookup"]["carrier"]) == list(expected["carrier"])
    assert verification["lookup"]["carrier"]["type"] == expected["carrier"]["type"] == "mobile"


def test_attempt_channel_data_has_the_keys_of_the_spec_example(api: Api, world: W) -> None:
    attempt = api.call("GET", f"/v2/Attempts/{world['attempt']}").json()
    expected = _named_example("FetchVerificationAttempt", "fetchVerificationAttempt")["channel_data"]

    assert set(attempt["channel_data"]) == set(expected)


def test_template_translations_have_the_shape_and_date_format_of_the_spec_example(api: Api) -> None:
    [expected] = _named_example("ListVerificationTemplate", "listVerificationTemplates")["templates"][:1]
    translation = api.call("GET", "/v2/Templates").json()["templates"][0]["translations"]["en"]
    wanted = expected["translations"]["en"]

    assert list(translation) == list(wanted)
    for key in ("date_created", "date_updated"):
        # The same precision as the example's (nanoseconds), which no other Verify date has.
        assert len(translation[key]) == len(wanted[key]) and translation[key].endswith("Z")


def test_documented_429_of_create_verification_matches_its_schema(api: Api, world: W) -> None:
    _, _, operation = OPERATIONS["CreateVerification"]
    path = SVC.format(**world) + "/Verifications"
    for _ in range(4):
        assert api.call("POST", path, {"To": world["to"], "Channel": "sms"}).status_code == 201
    response = api.call("POST", path, {"To": world["to"], "Channel": "sms"})

    assert response.status_code == 429
    body = response.json()
    jsonschema.validate(body, to_json_schema(_schema_of(operation, 429)))
    assert list(body) == ["code", "message", "more_info", "status"]
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{body['code']}"


@pytest.mark.parametrize(
    "operation_id",
    [
        "ListService",
        "ListRateLimit",
        "ListWebhook",
        "ListVerificationTemplate",
        "ListEntity",
        "ListFactor",
        "ListChallenge",
    ],
)
def test_paged_lists_match_the_spec_on_every_page(api: Api, world: W, operation_id: str) -> None:
    method, _, operation = OPERATIONS[operation_id]
    path, _ = REQUESTS[operation_id](world)
    # A second child, so that every list has at least two items (the world holds two factors and challenges).
    extra = {
        "ListService": ("/v2/Services", {"FriendlyName": "Second One"}),
        "ListEntity": (SVC.format(**world) + "/Entities", {"Identity": "second-user-2"}),
        "ListRateLimit": (SVC.format(**world) + "/RateLimits", {"UniqueName": "second"}),
        "ListWebhook": (
            SVC.format(**world) + "/Webhooks",
            {"FriendlyName": "second", "EventTypes": ["*"], "WebhookUrl": "https://h.example"},
        ),
    }.get(operation_id)
    if extra:
        api.create(*extra)
    schema = to_json_schema(_schema_of(operation, 200))

    first = api.call(method, path, params={"PageSize": "1"}).json()
    jsonschema.validate(first, schema)
    assert first["meta"]["previous_page_url"] is None
    next_url = first["meta"]["next_page_url"]
    assert next_url.startswith(api.base_url) and "PageToken=" in next_url

    second = api.session.get(next_url, timeout=10).json()
    jsonschema.validate(second, schema)
    assert second["meta"]["page"] == 1
    assert second["meta"]["url"] == next_url
    key = first["meta"]["key"]
    assert second[key] and second[key][0] != first[key][0]
    back = api.session.get(second["meta"]["previous_page_url"], timeout=10).json()
    assert back[key] == first[key]
