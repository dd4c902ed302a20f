"""HTTP behaviour: authentication, account isolation, unknown paths and methods, paging, keep-alive."""

from __future__ import annotations

import base64
import http.client
import json
import re
from collections.abc import Iterator

import pytest
import requests

from tests.integration.emulator.support import Api, admin, error_of
from verifyctl.emulator import EmulatorServer

ACCOUNT_A = ("AC" + "a" * 32, "token-a")
ACCOUNT_B = ("AC" + "b" * 32, "token-b")
KEY_A = ("SK" + "1" * 32, "secret-1", ACCOUNT_A[0])


@pytest.fixture
def two_accounts() -> Iterator[EmulatorServer]:
    with EmulatorServer(accounts=[ACCOUNT_A, ACCOUNT_B], api_keys=[KEY_A]) as server:
        yield server


@pytest.mark.parametrize(
    "auth",
    [None, ("AC" + "a" * 32, "wrong"), ("AC" + "c" * 32, "token-a"), ("SK" + "1" * 32, "token-a"), ("", "")],
)
def test_bad_credentials_are_401(two_accounts: EmulatorServer, auth: tuple[str, str] | None) -> None:
    response = requests.get(two_accounts.base_url + "/v2/Services", auth=auth, timeout=10)

    assert error_of(response) == (401, 20003, "Authenticate")
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_garbled_authorization_header_is_401(two_accounts: EmulatorServer) -> None:
    headers = {"Authorization": "Basic !!!not-base64"}
    response = requests.get(two_accounts.base_url + "/v2/Services", headers=headers, timeout=10)

    assert error_of(response)[:2] == (401, 20003)


def test_the_auth_scheme_name_is_case_insensitive(two_accounts: EmulatorServer) -> None:
    encoded = base64.b64encode(f"{ACCOUNT_A[0]}:{ACCOUNT_A[1]}".encode()).decode()
    response = requests.get(
        two_accounts.base_url + "/v2/Services", headers={"Authorization": f"basic {encoded}"}, timeout=10
    )

    assert response.status_code == 200


def test_an_api_key_acts_for_its_account(two_accounts: EmulatorServer) -> None:
    by_token = Api(two_accounts.base_url, ACCOUNT_A)
    by_key = Api(two_accounts.base_url, KEY_A[:2])
    service = by_key.service("Made By Key")

    assert service["account_sid"] == ACCOUNT_A[0]
    assert by_token.get(f"/v2/Services/{service['sid']}").json() == service
    assert two_accounts.requests()[-1]["account_sid"] == ACCOUNT_A[0]


def test_accounts_never_see_each_other(two_accounts: EmulatorServer) -> None:
    a = Api(two_accounts.base_url, ACCOUNT_A)
    b = Api(two_accounts.base_url, ACCOUNT_B)
    service = a.service("Only A")["sid"]
    a.create(f"/v2/Services/{service}/RateLimits", {"UniqueName": "ip"})

    assert b.get("/v2/Services").json()["services"] == []
    assert error_of(b.get(f"/v2/Services/{service}"))[:2] == (404, 20404)
    assert error_of(b.post(f"/v2/Services/{service}", {"CodeLength": "4"}))[:2] == (404, 20404)
    assert error_of(b.get(f"/v2/Services/{service}/RateLimits"))[:2] == (404, 20404)
    assert error_of(
        b.post(f"/v2/Services/{service}/Verifications", {"To": "+15017122661", "Channel": "sms"})
    )[:2] == (404, 20404)
    assert error_of(b.delete(f"/v2/Services/{service}"))[:2] == (404, 20404)
    assert a.get(f"/v2/Services/{service}").json()["code_length"] == 6


def test_every_answer_has_its_own_request_id_and_the_log_records_it(emulator: EmulatorServer) -> None:
    sid, token = emulator.accounts[0][:2]
    api = Api(emulator.base_url, (sid, token))
    emulator.clear_requests()
    answers = [
        api.post("/v2/Services", {"FriendlyName": "Named"}),  # 201
        api.post("/v2/Services", {"CodeLength": "6"}),  # 400: no friendly name
        api.get("/v2/Nothing/Here"),  # 404
        requests.get(emulator.base_url + "/v2/Services", timeout=10),  # 401
        api.session.request("PUT", emulator.base_url + "/v2/Services", timeout=10),  # 405
    ]
    ids = [response.headers["Twilio-Request-Id"] for response in answers]

    assert all(re.fullmatch(r"RQ[0-9a-f]{32}", request_id) for request_id in ids), ids
    assert len(set(ids)) == len(ids)
    assert [entry["request_id"] for entry in emulator.requests()] == ids
    control = requests.get(emulator.base_url + "/__emulator__/requests", headers=admin(emulator), timeout=10)
    assert re.fullmatch(r"RQ[0-9a-f]{32}", control.headers["Twilio-Request-Id"])


def test_unknown_path_is_404(api: Api) -> None:
    assert error_of(api.get("/v2/Nothing/Here")) == (
        404,
        20404,
        "The requested resource /Nothing/Here was not found",
    )
    assert error_of(api.get("/v3/Services"))[:2] == (404, 20404)


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/v2/Services", "GET, POST"),
        ("DELETE", "/v2/Services", "GET, POST"),
        ("PATCH", "/v2/Services/VA" + "0" * 32, "DELETE, GET, POST"),
        ("GET", "/v2/Services/VA" + "0" * 32 + "/VerificationCheck", "POST"),
        ("DELETE", "/v2/Services/VA" + "0" * 32 + "/Verifications/VE" + "0" * 32, "GET, POST"),
    ],
)
def test_wrong_method_is_405(api: Api, method: str, path: str, allow: str) -> None:
    response = api.session.request(method, api.base_url + path, timeout=10)

    assert error_of(response) == (405, 20004, "Method not allowed")
    assert response.headers["Allow"] == allow


def test_paging_walks_every_object_once(api: Api) -> None:
    created = [api.service(f"Service {chr(65 + i)}")["sid"] for i in range(7)]

    seen: list[str] = []
    page = api.get("/v2/Services", {"PageSize": "3"}).json()
    pages = 1
    while True:
        seen += [service["sid"] for service in page["services"]]
        assert page["meta"]["page_size"] == 3
        if page["meta"]["next_page_url"] is None:
            break
        page = api.session.get(page["meta"]["next_page_url"], timeout=10).json()
        pages += 1

    assert seen == created and pages == 3
    assert page["meta"]["page"] == 2


def test_default_page_size_is_50(api: Api) -> None:
    meta = api.get("/v2/Services").json()["meta"]

    assert (meta["page"], meta["page_size"], meta["key"]) == (0, 50, "services")
    assert meta["url"] == f"{api.base_url}/v2/Services?PageSize=50&Page=0"
    assert meta["next_page_url"] is None and meta["previous_page_url"] is None


def test_page_without_token_selects_by_offset(api: Api) -> None:
    sids = [api.service(f"Service {chr(65 + i)}")["sid"] for i in range(5)]

    page = api.get("/v2/Services", {"PageSize": "2", "Page": "1"}).json()

    assert [s["sid"] for s in page["services"]] == sids[2:4]
    assert page["meta"]["previous_page_url"] is not None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"PageSize": "0"}, "Invalid parameter: PageSize"),
        ({"PageSize": "1001"}, "Invalid parameter: PageSize"),
        ({"PageSize": "ten"}, "Invalid parameter: PageSize"),
        ({"Page": "-1"}, "Invalid parameter: Page"),
        ({"PageToken": "bogus"}, "Invalid parameter: PageToken"),
    ],
)
def test_bad_paging_parameters_are_400(api: Api, params: dict[str, str], message: str) -> None:
    status, code, got = error_of(api.get("/v2/Services", params))

    assert (status, code) == (400, 60200) and got.startswith(message)


def test_page_size_1000_is_allowed(api: Api) -> None:
    assert api.get("/v2/Services", {"PageSize": "1000"}).json()["meta"]["page_size"] == 1000


@pytest.mark.parametrize("emulator", [{"allowed_hosts": ["evil.example"]}], indirect=True)
def test_urls_come_from_the_configured_url_never_from_the_host_header(emulator: EmulatorServer) -> None:
    # A name the operator allowed: even then links never come from the header.
    api = Api(emulator.base_url, emulator.accounts[0])
    api.session.headers["Host"] = "evil.example:666"
    service = api.service()
    api.service("Second")

    answers = [
        json.dumps(service),
        api.get("/v2/Services", {"PageSize": "1"}).text,
        api.get(f"/v2/Services/{service['sid']}").text,
    ]

    assert service["url"] == f"{emulator.base_url}/v2/Services/{service['sid']}"
    assert json.loads(answers[1])["meta"]["next_page_url"].startswith(f"{emulator.base_url}/v2/Services?")
    assert not any("evil" in answer for answer in answers)


def test_a_public_url_is_used_for_links() -> None:
    with EmulatorServer(public_url="https://verify.emulator.test:8443/") as server:
        api = Api(server.loopback_url, server.accounts[0])
        service = api.service()
        meta = api.get("/v2/Services").json()["meta"]

    assert server.base_url == "https://verify.emulator.test:8443"
    assert service["url"].startswith("https://verify.emulator.test:8443/v2/Services/")
    assert meta["url"].startswith("https://verify.emulator.test:8443/v2/Services?")


@pytest.mark.parametrize(
    "url", ["ftp://x", "http://", "http://h/path", "http://h?q=1", "http://u:p@h", "http://h:99999"]
)
def test_a_bad_public_url_is_refused(url: str) -> None:
    with pytest.raises(ValueError, match="public URL"):
        EmulatorServer(public_url=url)


def test_one_connection_serves_many_requests(emulator: EmulatorServer) -> None:
    sid, token = emulator.accounts[0]
    auth = "Basic " + base64.b64encode(f"{sid}:{token}".encode()).decode()
    connection = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=10)
    form = {"Authorization": auth, "Content-Type": "application/x-www-form-urlencoded"}
    try:
        connection.request("POST", "/v2/Services", body="FriendlyName=Keep+Alive", headers=form)
        created = connection.getresponse()
        body = created.read()
        assert created.status == 201 and created.version == 11
        assert int(created.headers["Content-Length"]) == len(body)
        service = json.loads(body)["sid"]
        first_socket = connection.sock

        connection.request("DELETE", f"/v2/Services/{service}", headers={"Authorization": auth})
        deleted = connection.getresponse()
        assert deleted.status == 204 and deleted.read() == b""

        connection.request("GET", "/v2/Services", headers={"Authorization": auth})
        listed = connection.getresponse()
        assert listed.status == 200 and json.loads(listed.read())["services"] == []
        assert connection.sock is first_socket
    finally:
        connection.close()


def test_repeated_form_keys_are_a_list(api: Api) -> None:
    service = api.service()["sid"]
    body = (
        "FriendlyName=a&EventTypes=factor.created&EventTypes=factor.deleted"
        "&WebhookUrl=https%3A%2F%2Fh.example"
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    response = api.session.post(f"{api.base_url}/v2/Services/{service}/Webhooks", data=body, headers=headers)

    assert response.json()["event_types"] == ["factor.created", "factor.deleted"]
    assert response.headers["Content-Type"] == "application/json"
