"""Rate limits, buckets, messaging configurations, webhooks and templates over HTTP."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.integration.emulator.support import MG_SID, Api, error_of


@pytest.fixture
def service(api: Api) -> str:
    return str(api.service()["sid"])


def test_rate_limit_lifecycle(api: Api, service: str) -> None:
    base = f"/v2/Services/{service}/RateLimits"
    created = api.create(base, {"UniqueName": "end_user_ip", "Description": "per ip"})

    assert re.match(r"^RK[0-9a-f]{32}$", created["sid"])
    assert (created["service_sid"], created["unique_name"], created["description"]) == (
        service,
        "end_user_ip",
        "per ip",
    )
    assert created["links"] == {"buckets": f"{api.base_url}{base}/{created['sid']}/Buckets"}

    # UniqueName is not an update parameter: sending it changes nothing.
    updated = api.post(f"{base}/{created['sid']}", {"Description": "changed", "UniqueName": "other"}).json()
    assert (updated["unique_name"], updated["description"]) == ("end_user_ip", "changed")
    assert api.get(f"{base}/{created['sid']}").json() == updated
    assert api.get(base).json()["rate_limits"] == [updated]
    assert api.delete(f"{base}/{created['sid']}").status_code == 204
    assert api.get(base).json()["rate_limits"] == []


def test_duplicate_rate_limit_unique_name_is_refused(api: Api, service: str) -> None:
    base = f"/v2/Services/{service}/RateLimits"
    api.create(base, {"UniqueName": "end_user_ip"})

    status, code, message = error_of(api.post(base, {"UniqueName": "end_user_ip"}))

    # Twilio's error 60208 (twilio.com/docs/api/errors/60208, HTTP 400).
    assert (status, code, message) == (400, 60208, "Rate limit with that UniqueName already exists")
    assert len(api.get(base).json()["rate_limits"]) == 1
    # The same name in another service is fine.
    other = api.service("Other")["sid"]
    api.create(f"/v2/Services/{other}/RateLimits", {"UniqueName": "end_user_ip"})


def test_rate_limit_requires_unique_name(api: Api, service: str) -> None:
    assert error_of(api.post(f"/v2/Services/{service}/RateLimits", {"Description": "x"})) == (
        400,
        20001,
        "Missing required parameter UniqueName in the post body",
    )


def test_bucket_lifecycle(api: Api, service: str) -> None:
    rate_limit = api.create(f"/v2/Services/{service}/RateLimits", {"UniqueName": "ip"})["sid"]
    base = f"/v2/Services/{service}/RateLimits/{rate_limit}/Buckets"
    bucket = api.create(base, {"Max": "5", "Interval": "60"})

    assert re.match(r"^BL[0-9a-f]{32}$", bucket["sid"])
    assert (bucket["rate_limit_sid"], bucket["service_sid"], bucket["max"], bucket["interval"]) == (
        rate_limit,
        service,
        5,
        60,
    )
    updated = api.post(f"{base}/{bucket['sid']}", {"Max": "10"}).json()
    assert (updated["max"], updated["interval"]) == (10, 60)
    assert api.get(base).json()["buckets"] == [updated]
    assert api.delete(f"{base}/{bucket['sid']}").status_code == 204
    assert api.get(f"{base}/{bucket['sid']}").status_code == 404


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        ({"Interval": "60"}, 20001, "Missing required parameter Max in the post body"),
        ({"Max": "5"}, 20001, "Missing required parameter Interval in the post body"),
        ({"Max": "five", "Interval": "60"}, 60200, "Invalid parameter: Max"),
        ({"Max": "5", "Interval": "0"}, 60200, "Invalid parameter: Interval"),
    ],
)
def test_bad_bucket_parameters_are_refused(
    api: Api, service: str, params: dict[str, str], code: int, message: str
) -> None:
    rate_limit = api.create(f"/v2/Services/{service}/RateLimits", {"UniqueName": "ip"})["sid"]

    status, got_code, got_message = error_of(
        api.post(f"/v2/Services/{service}/RateLimits/{rate_limit}/Buckets", params)
    )

    assert (status, got_code) == (400, code) and got_message.startswith(message)


def test_deleting_a_rate_limit_deletes_its_buckets(api: Api, service: str) -> None:
    rate_limit = api.create(f"/v2/Services/{service}/RateLimits", {"UniqueName": "ip"})["sid"]
    base = f"/v2/Services/{service}/RateLimits/{rate_limit}"
    bucket = api.create(f"{base}/Buckets", {"Max": "5", "Interval": "60"})["sid"]
    api.delete(base)
    # A new rate limit with the same name starts without buckets.
    again = api.create(f"/v2/Services/{service}/RateLimits", {"UniqueName": "ip"})["sid"]

    assert api.get(f"{base}/Buckets/{bucket}").status_code == 404
    assert api.get(f"/v2/Services/{service}/RateLimits/{again}/Buckets").json()["buckets"] == []


def test_buckets_of_an_unknown_rate_limit_are_404(api: Api, service: str) -> None:
    path = f"/v2/Services/{service}/RateLimits/RK{'0' * 32}/Buckets"
    assert error_of(api.get(path)) == (404, 20404, f"The requested resource {path[3:]} was not found")


def test_messaging_configuration_is_keyed_by_country(api: Api, service: str) -> None:
    base = f"/v2/Services/{service}/MessagingConfigurations"
    created = api.create(base, {"Country": "us", "MessagingServiceSid": MG_SID})

    assert created["country"] == "US"
    assert created["url"] == f"{api.base_url}{base}/US"
    assert "sid" not in created
    other_mg = "MG" + "b" * 32
    updated = api.post(f"{base}/US", {"MessagingServiceSid": other_mg}).json()
    assert updated["messaging_service_sid"] == other_mg
    assert api.get(f"{base}/us").json() == updated
    api.create(base, {"Country": "all", "MessagingServiceSid": MG_SID})
    assert [c["country"] for c in api.get(base).json()["messaging_configurations"]] == ["US", "all"]
    assert api.delete(f"{base}/US").status_code == 204
    assert api.get(f"{base}/US").status_code == 404


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        ({"MessagingServiceSid": MG_SID}, 20001, "Missing required parameter Country"),
        ({"Country": "US"}, 20001, "Missing required parameter MessagingServiceSid"),
        ({"Country": "USA", "MessagingServiceSid": MG_SID}, 60200, "Invalid parameter: Country"),
        ({"Country": "US", "MessagingServiceSid": "MG123"}, 60200, "Invalid parameter: MessagingServiceSid"),
        (
            {"Country": "US", "MessagingServiceSid": "PN" + "a" * 32},
            60200,
            "Invalid parameter: MessagingServiceSid",
        ),
    ],
)
def test_bad_messaging_configurations_are_refused(
    api: Api, service: str, params: dict[str, str], code: int, message: str
) -> None:
    status, got_code, got_message = error_of(
        api.post(f"/v2/Services/{service}/MessagingConfigurations", params)
    )

    assert (status, got_code) == (400, code) and got_message.startswith(message)


def test_duplicate_messaging_configuration_country_is_refused(api: Api, service: str) -> None:
    base = f"/v2/Services/{service}/MessagingConfigurations"
    api.create(base, {"Country": "US", "MessagingServiceSid": MG_SID})

    status, code, message = error_of(api.post(base, {"Country": "us", "MessagingServiceSid": MG_SID}))

    # Twilio's error 60213 (twilio.com/docs/api/errors/60213, HTTP 400).
    assert (status, code, message) == (
        400,
        60213,
        "A Messaging Configuration already exists for the given country",
    )


def test_messaging_configuration_update_requires_the_messaging_service(api: Api, service: str) -> None:
    base = f"/v2/Services/{service}/MessagingConfigurations"
    api.create(base, {"Country": "US", "MessagingServiceSid": MG_SID})

    assert error_of(api.post(f"{base}/US", {}))[:2] == (400, 20001)
    assert error_of(api.post(f"{base}/CA", {"MessagingServiceSid": MG_SID}))[:2] == (404, 20404)


def _webhook(**overrides: Any) -> dict[str, Any]:
    return {
        "FriendlyName": "audit",
        "EventTypes": ["factor.created", "challenge.approved"],
        "WebhookUrl": "https://hooks.example.com/verify",
        **overrides,
    }


def test_webhook_lifecycle(api: Api, service: str) -> None:
    base = f"/v2/Services/{service}/Webhooks"
    created = api.create(base, _webhook())

    assert re.match(r"^YW[0-9a-f]{32}$", created["sid"])
    assert created["event_types"] == ["factor.created", "challenge.approved"]
    assert (created["status"], created["version"], created["webhook_method"]) == ("enabled", "v2", "POST")
    updated = api.post(f"{base}/{created['sid']}", {"EventTypes": ["*"], "Status": "disabled"}).json()
    assert (updated["event_types"], updated["status"], updated["friendly_name"]) == (
        ["*"],
        "disabled",
        "audit",
    )
    assert updated["webhook_url"] == "https://hooks.example.com/verify"
    assert api.get(base).json()["webhooks"] == [updated]
    assert api.delete(f"{base}/{created['sid']}").status_code == 204


@pytest.mark.parametrize(
    ("params", "code", "message"),
    [
        (_webhook(FriendlyName=""), 20001, "Missing required parameter FriendlyName"),
        (_webhook(EventTypes=[]), 20001, "Missing required parameter EventTypes"),
        (_webhook(WebhookUrl=None), 20001, "Missing required parameter WebhookUrl"),
        # Twilio's error 60306 lists "Invalid Webhooks parameters: Invalid EventTypes".
        (_webhook(EventTypes=["factor.created", "sms.sent"]), 60306, "Invalid Request: EventTypes"),
        (_webhook(WebhookUrl="hooks.example.com"), 60200, "Invalid parameter: WebhookUrl"),
        (_webhook(Status="paused"), 60200, "Invalid parameter: Status"),
        (_webhook(Version="v3"), 60200, "Invalid parameter: Version"),
    ],
)
def test_bad_webhooks_are_refused(
    api: Api, service: str, params: dict[str, Any], code: int, message: str
) -> None:
    data = {key: value for key, value in params.items() if value is not None}

    status, got_code, got_message = error_of(api.post(f"/v2/Services/{service}/Webhooks", data))

    assert (status, got_code) == (400, code) and got_message.startswith(message)


def test_children_of_an_unknown_service_are_404(api: Api) -> None:
    missing = "VA" + "0" * 32
    for kind in ("RateLimits", "MessagingConfigurations", "Webhooks"):
        path = f"/v2/Services/{missing}/{kind}"
        assert error_of(api.get(path)) == (
            404,
            20404,
            f"The requested resource /Services/{missing}/{kind} was not found",
        )
        assert error_of(api.post(path, {"UniqueName": "x"}))[:2] == (404, 20404)


def test_templates_are_built_in_and_filterable(api: Api) -> None:
    templates = api.get("/v2/Templates").json()["templates"]

    assert len(templates) >= 2
    assert all(
        re.match(r"^HJ[0-9a-f]{32}$", t["sid"]) and t["account_sid"] == api.account_sid for t in templates
    )
    filtered = api.get("/v2/Templates", {"FriendlyName": "do not share"}).json()
    assert [t["friendly_name"] for t in filtered["templates"]] == [
        "Base Verification Template 2 with do not share"
    ]
    assert "FriendlyName=do+not+share" in filtered["meta"]["url"]
    assert api.post("/v2/Templates", {}).status_code == 405


def test_template_translation_dates_have_fractional_seconds_as_the_spec_example(api: Api) -> None:
    # Unlike every other Verify date, a translation's dates carry nanoseconds.
    nanoseconds = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$")
    for template in api.get("/v2/Templates").json()["templates"]:
        for translation in template["translations"].values():
            assert nanoseconds.match(translation["date_created"]), translation
            assert nanoseconds.match(translation["date_updated"]), translation
            assert translation["date_created"] < translation["date_updated"]
