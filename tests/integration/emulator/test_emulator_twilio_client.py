"""Rate limits, the Safe List and Attempts through the official twilio-python client, on the emulator."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from verifyctl.emulator import EmulatorServer

IP = "198.51.100.1"


@pytest.fixture
def client(emulator: EmulatorServer) -> Client:
    account_sid, token = emulator.accounts[0]
    # The client must not read the caller's TWILIO_EDGE / TWILIO_REGION (they would rewrite the host). It
    # falls back to os.environ for an empty mapping (`environment or os.environ`), so pass a non-empty one.
    client = Client(account_sid, token, environment={"VERIFYCTL_TEST_ENVIRONMENT": "isolated"})
    client.verify.base_url = emulator.base_url
    return client


def test_rate_limit_bucket_through_the_official_client(client: Client, emulator: EmulatorServer) -> None:
    service = client.verify.v2.services.create(friendly_name="Acme")
    rate_limit = client.verify.v2.services(service.sid).rate_limits.create(unique_name="end_user_ip")
    client.verify.v2.services(service.sid).rate_limits(rate_limit.sid).buckets.create(max=2, interval=60)
    verifications = client.verify.v2.services(service.sid).verifications

    for to in ("+15550000001", "+15550000002"):
        verifications.create(to=to, channel="sms", rate_limits={"end_user_ip": IP})
    with pytest.raises(TwilioRestException) as refused:
        verifications.create(to="+15550000003", channel="sms", rate_limits={"end_user_ip": IP})

    assert (refused.value.status, refused.value.code) == (429, 20429)
    assert emulator.requests()[-1]["status"] == 429

    emulator.advance_clock(60)

    accepted = verifications.create(to="+15550000003", channel="sms", rate_limits={"end_user_ip": IP})
    assert accepted.status == "pending"


def test_safe_list_through_the_official_client(client: Client) -> None:
    safelist = client.verify.v2.safelist
    added = safelist.create(phone_number="+18001234567")

    assert re.match(r"^GN[0-9a-f]{32}$", added.sid) and added.phone_number == "+18001234567"
    assert safelist("+18001234567").fetch().sid == added.sid
    with pytest.raises(TwilioRestException) as duplicate:
        safelist.create(phone_number="+18001234567")
    assert (duplicate.value.status, duplicate.value.code) == (400, 60411)
    assert safelist("+18001234567").delete() is True
    with pytest.raises(TwilioRestException) as gone:
        safelist("+18001234567").fetch()
    assert (gone.value.status, gone.value.code) == (404, 20404)


def test_a_safe_listed_number_is_not_limited_through_the_official_client(client: Client) -> None:
    service = client.verify.v2.services.create(friendly_name="Acme")
    rate_limit = client.verify.v2.services(service.sid).rate_limits.create(unique_name="ip")
    client.verify.v2.services(service.sid).rate_limits(rate_limit.sid).buckets.create(max=1, interval=600)
    client.verify.v2.safelist.create(phone_number="+15550000099")
    verifications = client.verify.v2.services(service.sid).verifications
    verifications.create(to="+15550000001", channel="sms", rate_limits={"ip": IP})

    for _ in range(3):
        verifications.create(to="+15550000099", channel="sms", rate_limits={"ip": IP})

    with pytest.raises(TwilioRestException) as refused:
        verifications.create(to="+15550000002", channel="sms", rate_limits={"ip": IP})
    assert refused.value.status == 429


def test_attempts_through_the_official_client(client: Client, emulator: EmulatorServer) -> None:
    service = client.verify.v2.services.create(friendly_name="Acme")
    other = client.verify.v2.services.create(friendly_name="Other")
    sent = [
        client.verify.v2.services(service.sid).verifications.create(to=f"+1555000001{i}", channel="sms")
        for i in range(3)
    ]
    client.verify.v2.services(other.sid).verifications.create(to="+34600000001", channel="whatsapp")
    code = emulator.messages(to="+15550000010")[-1]["body"].rsplit(" ", 1)[1]
    client.verify.v2.services(service.sid).verification_checks.create(to="+15550000010", code=code)
    attempts = client.verify.v2.verification_attempts

    # page_size=2 makes the client follow `meta.next_page_url` (on the emulator's host) for the third.
    listed = attempts.list(verify_service_sid=service.sid, page_size=2)

    assert [a.verification_sid for a in listed] == [v.sid for v in sent]
    assert [a.conversion_status for a in listed] == ["converted", "unconverted", "unconverted"]
    assert [a.verification_sid for a in attempts.list(status="converted")] == [sent[0].sid]
    assert [a.channel for a in attempts.list(country="ES")] == ["whatsapp"]
    assert [a.channel_data["to"] for a in attempts.list(channel_data_to="+15550000012")] == ["+15550000012"]
    assert len(attempts.list(verification_sid=sent[1].sid)) == 1
    tomorrow = datetime.now(timezone.utc) + timedelta(days=1)
    assert len(attempts.list(date_created_before=tomorrow)) == 4
    assert attempts.list(date_created_after=tomorrow) == []
    fetched = attempts(listed[0].sid).fetch()
    assert (fetched.sid, fetched.channel) == (listed[0].sid, "sms")

    summary = client.verify.v2.verification_attempts_summary().fetch(verify_service_sid=service.sid)

    assert (summary.total_attempts, summary.total_converted, summary.total_unconverted) == (3, 1, 2)
    assert summary.conversion_rate_percentage == "33.333333333"


def test_forms_through_the_official_client(client: Client) -> None:
    form = client.verify.v2.forms("form-push").fetch()

    assert form.form_type == "form-push" and "create_factor" in form.forms


def _error_of(call: Callable[[], object]) -> tuple[int, int]:
    with pytest.raises(TwilioRestException) as raised:
        call()
    return raised.value.status, raised.value.code


def test_documented_error_codes_through_the_official_client(client: Client) -> None:
    service = client.verify.v2.services.create(friendly_name="Acme")
    svc = client.verify.v2.services(service.sid)
    rate_limit = svc.rate_limits.create(unique_name="ip")
    svc.rate_limits(rate_limit.sid).buckets.create(max=5, interval=60)
    svc.messaging_configurations.create(country="GB", messaging_service_sid="MG" + "a" * 32)

    assert _error_of(lambda: svc.rate_limits.create(unique_name="ip")) == (400, 60208)
    assert _error_of(lambda: svc.rate_limits.create(unique_name="end user")) == (400, 60209)
    buckets = svc.rate_limits(rate_limit.sid).buckets
    assert _error_of(lambda: buckets.create(max=9, interval=60)) == (400, 60211)
    assert _error_of(
        lambda: svc.messaging_configurations.create(country="GB", messaging_service_sid="MG" + "b" * 32)
    ) == (400, 60213)
    assert _error_of(
        lambda: svc.webhooks.create(
            friendly_name="hook", event_types=["sms.sent"], webhook_url="https://hooks.example"
        )
    ) == (400, 60306)
    assert _error_of(lambda: client.verify.v2.safelist.create(phone_number="18001234567")) == (400, 60306)
    assert _error_of(lambda: svc.verifications.create(to="5017122661", channel="sms")) == (400, 60200)
    psd2 = client.verify.v2.services(
        client.verify.v2.services.create(friendly_name="Pay", psd2_enabled=True).sid
    )
    assert _error_of(lambda: psd2.verifications.create(to="+15017122661", channel="sms")) == (400, 60206)
    assert _error_of(
        lambda: psd2.verifications.create(to="+15017122661", channel="call", amount="€1", payee="Acme")
    ) == (400, 60214)
