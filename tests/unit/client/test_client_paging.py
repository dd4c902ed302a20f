"""Lists follow meta.next_page_url page by page, never in a loop and never to another host."""

from __future__ import annotations

from typing import Any

import pytest
import responses
from responses import matchers

from tests.unit.client.support import BASE
from verifyctl.client import VerifyClient, verify_client
from verifyctl.errors import TransportError

SERVICES = f"{BASE}/v2/Services"


def page(records: list[dict[str, Any]], next_url: str | None, key: str = "services") -> dict[str, Any]:
    return {
        key: records,
        "meta": {"key": key, "next_page_url": next_url, "page_size": len(records), "page": 0},
    }


def services(first: int, count: int) -> list[dict[str, Any]]:
    return [{"sid": f"VA{n:032d}", "friendly_name": f"svc {n}"} for n in range(first, first + count)]


def test_reads_every_page_in_order(client: VerifyClient, mock: responses.RequestsMock) -> None:
    second = f"{SERVICES}?PageSize=1000&Page=1&PageToken=PT1"
    third = f"{SERVICES}?PageSize=1000&Page=2&PageToken=PT2"
    mock.get(
        SERVICES,
        json=page(services(0, 3), second),
        match=[matchers.query_string_matcher("PageSize=1000")],
    )
    mock.get(
        SERVICES,
        json=page(services(3, 3), third),
        match=[matchers.query_string_matcher("PageSize=1000&Page=1&PageToken=PT1")],
    )
    mock.get(
        SERVICES,
        json=page(services(6, 1), None),
        match=[matchers.query_string_matcher("PageSize=1000&Page=2&PageToken=PT2")],
    )
    records = client.list("/v2/Services", "services")
    assert [r["friendly_name"] for r in records] == [f"svc {n}" for n in range(7)]
    assert client.stats.snapshot().by_method == {"GET": 3}


def test_caller_params_are_sent_with_the_page_size(
    client: VerifyClient, mock: responses.RequestsMock
) -> None:
    mock.get(
        f"{BASE}/v2/Services/VA1/Webhooks",
        json=page([], None, key="webhooks"),
        match=[matchers.query_param_matcher({"Status": "enabled", "PageSize": "1000"})],
    )
    assert client.list("/v2/Services/VA1/Webhooks", "webhooks", {"Status": "enabled"}) == []


def test_records_come_from_meta_key(client: VerifyClient, mock: responses.RequestsMock) -> None:
    mock.get(SERVICES, json={"items": [{"sid": "VA1"}], "meta": {"key": "items", "next_page_url": None}})
    assert client.list("/v2/Services", "services") == [{"sid": "VA1"}]


def test_without_meta_key_the_given_list_key_is_read(
    client: VerifyClient, mock: responses.RequestsMock
) -> None:
    mock.get(SERVICES, json={"services": [{"sid": "VA1"}], "meta": {"next_page_url": None}})
    assert client.list("/v2/Services", "services") == [{"sid": "VA1"}]


def test_a_relative_next_page_url_is_resolved_on_the_same_host(
    client: VerifyClient, mock: responses.RequestsMock
) -> None:
    mock.get(SERVICES, json=page(services(0, 1), "/v2/Services?Page=1&PageToken=X"))
    mock.get(
        SERVICES,
        json=page(services(1, 1), None),
        match=[matchers.query_param_matcher({"Page": "1", "PageToken": "X"})],
    )
    assert len(client.list("/v2/Services", "services")) == 2


def test_a_next_page_seen_before_is_a_loop(client: VerifyClient, mock: responses.RequestsMock) -> None:
    second = f"{SERVICES}?PageSize=1000&Page=1&PageToken=PT1"
    mock.get(SERVICES, json=page(services(0, 1), second))
    # The server points back at the page it just served, with the query reordered.
    mock.get(SERVICES, json=page(services(1, 1), f"{SERVICES}?PageToken=PT1&Page=1&PageSize=1000"))
    with pytest.raises(TransportError, match="repeats a page already read"):
        client.list("/v2/Services", "services")


def test_a_next_page_pointing_back_at_the_first_page_is_a_loop(
    client: VerifyClient, mock: responses.RequestsMock
) -> None:
    mock.get(SERVICES, json=page(services(0, 1), f"{SERVICES}?PageSize=1000"))
    with pytest.raises(TransportError, match=r"repeats a page already read \(/v2/Services\?PageSize=1000\)"):
        client.list("/v2/Services", "services")


@pytest.mark.parametrize(
    "foreign",
    [
        "https://evil.example.com/v2/Services?Page=1",
        "http://verify.twilio.com/v2/Services?Page=1",
        "https://verify.twilio.com:8443/v2/Services?Page=1",
        "//evil.example.com/v2/Services?Page=1",
    ],
    ids=["other host", "https downgraded to http", "other port", "scheme-relative other host"],
)
def test_a_next_page_on_another_origin_is_refused(
    client: VerifyClient, mock: responses.RequestsMock, foreign: str
) -> None:
    mock.get(SERVICES, json=page(services(0, 1), foreign))
    with pytest.raises(TransportError, match="refusing to send credentials there"):
        client.list("/v2/Services", "services")
    assert len(mock.calls) == 1


def test_an_explicit_default_port_is_the_same_origin(
    client: VerifyClient, mock: responses.RequestsMock
) -> None:
    mock.get(SERVICES, json=page(services(0, 1), "https://VERIFY.twilio.com:443/v2/Services?Page=1"))
    mock.get("https://verify.twilio.com:443/v2/Services", json=page(services(1, 1), None))
    assert len(client.list("/v2/Services", "services")) == 2


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        ([{"sid": "VA1"}], "answered 200 without a JSON object"),
        ({"meta": {"key": "services"}}, "no list of objects under 'services'"),
        ({"services": ["VA1"], "meta": {}}, "no list of objects under 'services'"),
        ({"services": [], "meta": {"next_page_url": 7}}, "next_page_url is not a string"),
    ],
)
def test_malformed_list_envelopes_are_clear_errors(
    client: VerifyClient, mock: responses.RequestsMock, body: Any, complaint: str
) -> None:
    mock.get(SERVICES, json=body)
    with pytest.raises(TransportError, match=complaint):
        client.list("/v2/Services", "services")


def test_a_non_json_page_is_a_clear_error(client: VerifyClient, mock: responses.RequestsMock) -> None:
    mock.get(SERVICES, body="<html>hello</html>", content_type="text/html")
    with pytest.raises(TransportError, match="answered 200 without a JSON object"):
        client.list("/v2/Services", "services")


@pytest.mark.parametrize("path", ["v2/Services", "https://evil.example.com/v2/Services", "/v2/Services?x=1"])
def test_paths_must_be_api_paths(client: VerifyClient, path: str) -> None:
    with pytest.raises(ValueError, match="API path"):
        client.get(path)


def test_a_single_page_list_builds_no_loop_guard(
    client: VerifyClient, mock: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str] = []
    real = verify_client.page_identity
    monkeypatch.setattr(verify_client, "page_identity", lambda url: built.append(url) or real(url))
    mock.get(f"{BASE}/v2/Services", json={"services": [{"sid": "VA1"}], "meta": {"next_page_url": None}})
    assert client.list("/v2/Services", "services") == [{"sid": "VA1"}]
    assert built == []
