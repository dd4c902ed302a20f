"""Subaccounts as Twilio has them: created, listed, fetched and closed through `/2010-04-01/Accounts`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from tests.integration.emulator.support import Api, error_of
from tests.integration.emulator.test_emulator_cli import _start_serve, _stop
from verifyctl.cli.emulator_cmd import _print_banner, emulator_group
from verifyctl.emulator import EmulatorServer
from verifyctl.emulator.directory import tenant_names

ACME = ("AC" + "1" * 32, "acme-token", "Acme")
GLOBEX = ("AC" + "2" * 32, "globex-token", "Globex")
MAIN_KEY = ("SK" + "4" * 32, "main-secret", ACME[0], "main")
STANDARD_KEY = ("SK" + "5" * 32, "standard-secret", ACME[0])
LIST = "/2010-04-01/Accounts.json"
SID = re.compile(r"^AC[0-9a-f]{32}$")
RFC2822 = re.compile(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$")
# The keys of Twilio's list answer (its helper libraries' fixtures of `GET /Accounts.json`).
LIST_KEYS = [
    "accounts",
    "end",
    "first_page_uri",
    "next_page_uri",
    "page",
    "page_size",
    "previous_page_uri",
    "start",
    "uri",
]


def _path(sid: str) -> str:
    return f"/2010-04-01/Accounts/{sid}.json"


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(accounts=[ACME, GLOBEX], api_keys=[MAIN_KEY, STANDARD_KEY]) as running:
        yield running


@pytest.fixture
def acme(server: EmulatorServer) -> Api:
    return Api(server.base_url, ACME[:2])


def _create(api: Api, name: str) -> dict[str, Any]:
    return api.create(LIST, {"FriendlyName": name})


def _as(server: EmulatorServer, account: dict[str, Any]) -> Api:
    return Api(server.base_url, (account["sid"], account["auth_token"]))


# Creating ----------------------------------------------------------------------------------------


def test_a_subaccount_is_created_with_its_own_sid_and_token(server: EmulatorServer, acme: Api) -> None:
    made = _create(acme, "tenant-a")

    assert SID.match(made["sid"]) and made["sid"] != ACME[0]
    assert re.match(r"^[0-9a-f]{32}$", made["auth_token"]) and made["auth_token"] != ACME[1]
    assert (made["friendly_name"], made["owner_account_sid"]) == ("tenant-a", ACME[0])
    assert made["status"] == "active"
    assert (made["type"], made["uri"]) == ("Full", _path(made["sid"]))
    assert RFC2822.match(made["date_created"]) and made["date_updated"] == made["date_created"]
    assert made["subresource_uris"]["calls"] == f"/2010-04-01/Accounts/{made['sid']}/Calls.json"
    # Its credentials work at once, on an empty Verify state of its own.
    tenant = _as(server, made)
    assert tenant.get("/v2/Services").json()["services"] == []
    assert server.subaccounts(ACME[0]) == [(made["sid"], made["auth_token"], "tenant-a")]
    assert server.account_status(made["sid"]) == "active"


def test_a_subaccount_without_a_name_gets_twilios_default(acme: Api) -> None:
    made = acme.create(LIST, {})

    assert re.match(r"^SubAccount Created at \d{4}-\d{2}-\d{2} \d{2}:\d{2} [AP]M$", made["friendly_name"])


def test_a_main_key_creates_subaccounts_and_a_standard_key_is_refused(server: EmulatorServer) -> None:
    made = Api(server.base_url, MAIN_KEY[:2]).create(LIST, {"FriendlyName": "by-key"})
    refused = Api(server.base_url, STANDARD_KEY[:2]).post(LIST, {"FriendlyName": "no"})

    assert made["owner_account_sid"] == ACME[0]
    assert error_of(refused) == (401, 20003, "Authenticate")
    assert [name for _, _, name in server.subaccounts(ACME[0])] == ["by-key"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [("x" * 65, "longer than 64 characters"), ("bad\nname", "control characters"), ("  ", "empty")],
    ids=["too-long", "control-character", "blank"],
)
def test_a_bad_friendly_name_is_refused_and_nothing_is_created(
    server: EmulatorServer, acme: Api, name: str, reason: str
) -> None:
    status, code, message = error_of(acme.post(LIST, {"FriendlyName": name}))

    assert (status, code) == (400, 60200)
    assert message.startswith("Invalid parameter: FriendlyName") and reason in message
    assert server.subaccounts(ACME[0]) == []


def test_a_subaccount_cannot_have_subaccounts(server: EmulatorServer, acme: Api) -> None:
    tenant = _as(server, _create(acme, "tenant-a"))

    assert error_of(tenant.post(LIST, {"FriendlyName": "nested"})) == (
        400,
        21101,
        "Subaccounts cannot contain subaccounts",
    )
    assert len(server.subaccounts(ACME[0])) == 1


def test_the_number_of_subaccounts_is_capped_closed_ones_aside() -> None:
    with EmulatorServer(accounts=[ACME], max_subaccounts=2) as server:
        acme = Api(server.base_url, ACME[:2])
        first, _ = _create(acme, "one"), _create(acme, "two")
        status, code, message = error_of(acme.post(LIST, {"FriendlyName": "three"}))
        assert (status, code) == (400, 21480) and "Reached maximum number of subaccounts" in message
        assert server.max_subaccounts == 2

        acme.post(_path(first["sid"]), {"Status": "closed"})
        assert _create(acme, "three")["friendly_name"] == "three"


# Listing -----------------------------------------------------------------------------------------


def test_the_list_has_twilios_shape_the_caller_first(server: EmulatorServer, acme: Api) -> None:
    made = [_create(acme, name) for name in ("tenant-a", "tenant-b")]

    body = acme.get(LIST).json()

    assert sorted(body) == LIST_KEYS
    assert [a["sid"] for a in body["accounts"]] == [ACME[0], made[0]["sid"], made[1]["sid"]]
    assert body["accounts"][1] == made[0]
    assert (body["page"], body["page_size"], body["start"], body["end"]) == (0, 50, 0, 2)
    assert body["uri"] == body["first_page_uri"] == f"{LIST}?PageSize=50&Page=0"
    assert body["next_page_uri"] is None and body["previous_page_uri"] is None
    # Another main account lists only itself.
    assert [a["sid"] for a in Api(server.base_url, GLOBEX[:2]).get(LIST).json()["accounts"]] == [GLOBEX[0]]


def test_a_subaccount_lists_only_itself(server: EmulatorServer, acme: Api) -> None:
    made = [_create(acme, name) for name in ("tenant-a", "tenant-b")]

    listed = _as(server, made[1]).get(LIST).json()["accounts"]

    assert [(a["sid"], a["owner_account_sid"]) for a in listed] == [(made[1]["sid"], ACME[0])]


def test_friendly_name_is_an_exact_match_and_status_a_filter(acme: Api) -> None:
    for name in ("tenant-a", "tenant-ab", "Tenant-A", "tenant-b"):
        _create(acme, name)
    b = acme.get(LIST, {"FriendlyName": "tenant-b"}).json()["accounts"][0]
    acme.post(_path(b["sid"]), {"Status": "suspended"})

    def names(**query: str) -> list[str]:
        return [a["friendly_name"] for a in acme.get(LIST, query).json()["accounts"]]

    assert names(FriendlyName="tenant-a") == ["tenant-a"]
    assert names(FriendlyName="tenant-*") == []
    assert names(Status="suspended") == ["tenant-b"]
    assert names(Status="active") == ["Acme", "tenant-a", "tenant-ab", "Tenant-A"]
    assert names(Status="active", FriendlyName="tenant-b") == []
    assert names(Status="closed") == []
    filtered = acme.get(LIST, {"FriendlyName": "tenant-a", "Status": "active"}).json()
    assert parse_qs(urlsplit(filtered["uri"]).query) == {
        "FriendlyName": ["tenant-a"],
        "Status": ["active"],
        "PageSize": ["50"],
        "Page": ["0"],
    }


def test_paging_walks_every_account_once(acme: Api) -> None:
    made = [_create(acme, f"tenant-{n}")["sid"] for n in range(5)]

    seen, pages = [], []
    page = acme.get(LIST, {"PageSize": "2"}).json()
    while True:
        pages.append((page["page"], page["start"], page["end"], len(page["accounts"])))
        seen += [a["sid"] for a in page["accounts"]]
        if page["next_page_uri"] is None:
            break
        assert page["next_page_uri"].startswith(f"{LIST}?PageSize=2&Page={page['page'] + 1}&PageToken=PA")
        page = acme.get(page["next_page_uri"]).json()

    assert seen == [ACME[0], *made]
    assert pages == [(0, 0, 1, 2), (1, 2, 3, 2), (2, 4, 5, 2)]
    # The last page links back to the one before it.
    assert (
        acme.get(page["previous_page_uri"]).json()["accounts"]
        == acme.get(LIST, {"PageSize": "2", "Page": "1"}).json()["accounts"]
    )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"Status": "open"}, "Invalid parameter: Status (one of active, suspended or closed)"),
        ({"PageSize": "0"}, "Invalid parameter: PageSize (must be between 1 and 1000)"),
        ({"PageSize": "x"}, "Invalid parameter: PageSize (must be an integer)"),
        ({"PageToken": "nope"}, "Invalid parameter: PageToken"),
    ],
    ids=["status", "page-size", "page-size-text", "page-token"],
)
def test_bad_list_parameters_are_refused(acme: Api, query: dict[str, str], message: str) -> None:
    assert error_of(acme.get(LIST, query)) == (400, 60200, message)


# Fetching and who sees what ----------------------------------------------------------------------


def test_the_main_account_fetches_subaccounts_with_their_tokens(server: EmulatorServer, acme: Api) -> None:
    made = _create(acme, "tenant-a")

    fetched = acme.get(_path(made["sid"])).json()
    by_key = Api(server.base_url, MAIN_KEY[:2]).get(_path(made["sid"])).json()

    assert fetched == made == by_key
    assert fetched["auth_token"] == server.subaccounts()[0][1]


def test_a_subaccount_sees_itself_and_not_its_parent_or_siblings(server: EmulatorServer, acme: Api) -> None:
    a, b = _create(acme, "tenant-a"), _create(acme, "tenant-b")
    tenant_a = _as(server, a)

    assert tenant_a.get(_path(a["sid"])).json()["owner_account_sid"] == ACME[0]
    for other in (ACME[0], b["sid"]):
        assert error_of(tenant_a.get(_path(other))) == (
            404,
            20404,
            f"The requested resource /2010-04-01/Accounts/{other}.json was not found",
        )
        assert error_of(tenant_a.post(_path(other), {"FriendlyName": "mine"}))[:2] == (404, 20404)


def test_another_main_account_cannot_see_or_manage_a_subaccount(server: EmulatorServer, acme: Api) -> None:
    made = _create(acme, "tenant-a")
    globex = Api(server.base_url, GLOBEX[:2])

    assert error_of(globex.get(_path(made["sid"])))[:2] == (404, 20404)
    assert error_of(globex.post(_path(made["sid"]), {"Status": "closed"}))[:2] == (404, 20404)
    assert server.account_status(made["sid"]) == "active"


def test_each_subaccount_has_its_own_verify_state(server: EmulatorServer, acme: Api) -> None:
    a, b = _create(acme, "tenant-a"), _create(acme, "tenant-b")
    tenant_a, tenant_b = _as(server, a), _as(server, b)
    service = tenant_a.service("Tenant A Login")

    assert service["account_sid"] == a["sid"]
    assert [s["sid"] for s in tenant_a.get("/v2/Services").json()["services"]] == [service["sid"]]
    # Neither the parent's credentials nor a sibling's see it, nor reach it by SID.
    for other in (acme, tenant_b):
        assert other.get("/v2/Services").json()["services"] == []
        assert error_of(other.get(f"/v2/Services/{service['sid']}"))[:2] == (404, 20404)
    assert [r["account_sid"] for r in server.requests() if r["path"] == "/v2/Services"][0] == a["sid"]


# Updating: names and statuses --------------------------------------------------------------------


def test_suspending_refuses_the_subaccounts_credentials_and_reactivating_restores_them(
    server: EmulatorServer, acme: Api
) -> None:
    made = _create(acme, "tenant-a")
    tenant = _as(server, made)

    suspended = acme.post(_path(made["sid"]), {"Status": "suspended"})
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    refused = (403, 20403, "Forbidden: the account is suspended or closed")
    assert error_of(tenant.get("/v2/Services")) == refused
    assert error_of(tenant.get(_path(made["sid"]))) == refused
    # The parent still reads it, and lists it.
    assert acme.get(_path(made["sid"])).json()["status"] == "suspended"

    assert acme.post(_path(made["sid"]), {"Status": "active"}).json()["status"] == "active"
    assert tenant.get("/v2/Services").status_code == 200


def test_closing_is_final(server: EmulatorServer, acme: Api) -> None:
    made = _create(acme, "tenant-a")
    tenant = _as(server, made)

    assert acme.post(_path(made["sid"]), {"Status": "closed"}).json()["status"] == "closed"
    for status in ("active", "suspended", "closed"):
        assert error_of(acme.post(_path(made["sid"]), {"Status": status})) == (
            400,
            21479,
            "Unable to update Status for subaccount, subaccount is closed and can not be re-opened",
        )
    assert error_of(tenant.get("/v2/Services"))[:2] == (403, 20403)
    # Still listed and fetched, as Twilio keeps closed subaccounts in the list.
    assert [a["status"] for a in acme.get(LIST, {"Status": "closed"}).json()["accounts"]] == ["closed"]
    assert server.account_status(made["sid"]) == "closed"


def test_a_bad_status_is_refused_and_nothing_changes(server: EmulatorServer, acme: Api) -> None:
    made = _create(acme, "tenant-a")

    for bad in ("Active", "deleted", ""):
        assert error_of(acme.post(_path(made["sid"]), {"Status": bad, "FriendlyName": "renamed"}))[:2] == (
            400,
            21475,
        )
    assert acme.get(_path(made["sid"])).json()["friendly_name"] == "tenant-a"


def test_status_changes_only_for_subaccounts_by_their_main_account(server: EmulatorServer, acme: Api) -> None:
    made = _create(acme, "tenant-a")
    tenant = _as(server, made)

    assert error_of(acme.post(_path(ACME[0]), {"Status": "suspended"})) == (
        400,
        21477,
        "Unable to update Status for parent accounts, status updates restricted to subaccounts only",
    )
    assert error_of(tenant.post(_path(made["sid"]), {"Status": "closed"}))[:2] == (403, 20403)
    assert server.account_status(made["sid"]) == "active"
    assert server.account_status(ACME[0]) == "active"


def test_friendly_names_are_updated_by_the_account_or_its_parent(server: EmulatorServer, acme: Api) -> None:
    made = _create(acme, "tenant-a")
    tenant = _as(server, made)

    assert acme.post(_path(made["sid"]), {"FriendlyName": "Tenant A"}).json()["friendly_name"] == "Tenant A"
    assert tenant.post(_path(made["sid"]), {"FriendlyName": "A"}).json()["friendly_name"] == "A"
    renamed = acme.post(_path(ACME[0]), {"FriendlyName": "Acme Corp"}).json()
    assert (renamed["friendly_name"], renamed["status"]) == ("Acme Corp", "active")
    assert error_of(acme.post(_path(made["sid"]), {"FriendlyName": "y" * 65}))[:2] == (400, 60200)
    assert acme.get(_path(made["sid"])).json()["friendly_name"] == "A"


def test_a_key_of_an_account_not_listed_is_not_taken_for_a_closed_one() -> None:
    # Accounts without a status (a key may name any account) are not refused as suspended or closed.
    stray = ("SK" + "7" * 32, "stray", "AC" + "8" * 32)
    with EmulatorServer(accounts=[ACME], api_keys=[stray]) as server:
        assert Api(server.base_url, stray[:2]).get("/v2/Services").status_code == 200


def test_a_read_only_key_cannot_create_or_update() -> None:
    reader = ("SK" + "6" * 32, "reader", ACME[0], "read-only")
    with EmulatorServer(accounts=[ACME], api_keys=[reader]) as server:
        api = Api(server.base_url, reader[:2])
        assert error_of(api.post(LIST, {"FriendlyName": "x"}))[:2] == (403, 70051)
        assert server.subaccounts() == []


# Persistence and seeding -------------------------------------------------------------------------


def test_subaccounts_and_their_statuses_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "e.sqlite3"
    with EmulatorServer(accounts=[ACME], db_path=db) as first:
        acme = Api(first.base_url, ACME[:2])
        made = _create(acme, "tenant-a")
        _as(first, made).service("Tenant A Login")
        acme.post(_path(made["sid"]), {"Status": "suspended"})
    with EmulatorServer(accounts=[ACME], db_path=db) as second:
        acme = Api(second.base_url, ACME[:2])
        kept = acme.get(_path(made["sid"])).json()
        assert kept == {**made, "status": "suspended", "date_updated": ANY_DATE}
        acme.post(_path(made["sid"]), {"Status": "active"})
        services = _as(second, made).get("/v2/Services").json()["services"]
        assert [s["friendly_name"] for s in services] == ["Tenant A Login"]


class _AnyDate:
    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and RFC2822.match(other) is not None


ANY_DATE: Any = _AnyDate()


def test_seeded_subaccounts_are_there_at_start_and_not_made_twice(tmp_path: Path) -> None:
    names = [f"tenant-{n:03}" for n in range(1, 31)]
    db = tmp_path / "e.sqlite3"
    with EmulatorServer(accounts=[ACME, GLOBEX], subaccounts={ACME[0]: names}, db_path=db) as first:
        seeded = first.subaccounts(ACME[0])
        listed = Api(first.base_url, ACME[:2]).get(LIST).json()["accounts"]
        tenant = Api(first.base_url, seeded[4][:2])
        assert tenant.get(_path(seeded[4][0])).json()["friendly_name"] == "tenant-005"
    with EmulatorServer(accounts=[ACME, GLOBEX], subaccounts={ACME[0]: names}, db_path=db) as second:
        assert second.subaccounts(ACME[0]) == seeded

    assert [name for _, _, name in seeded] == names
    assert [a["friendly_name"] for a in listed] == ["Acme", *names]
    assert len({sid for sid, _, _ in seeded}) == 30


@pytest.mark.parametrize(
    ("seeds", "message"),
    [
        ({GLOBEX[0]: ["a"]}, "not one of the accounts given"),
        ({ACME[0]: ["a", "a"]}, "given twice"),
        ({ACME[0]: ["x" * 65]}, "longer than 64 characters"),
        ({ACME[0]: "tenant-a"}, "not one string"),
        ({ACME[0]: ["a", "b", "c"]}, "more than max_subaccounts"),
    ],
    ids=["unknown-parent", "duplicate", "long-name", "string", "too-many"],
)
def test_bad_seeds_are_refused_before_anything_opens(
    tmp_path: Path, seeds: dict[str, Any], message: str
) -> None:
    db = tmp_path / "e.sqlite3"
    with pytest.raises(ValueError, match=message):
        EmulatorServer(accounts=[ACME], subaccounts=seeds, max_subaccounts=2, db_path=db)
    assert not db.exists()


def test_seeds_beyond_the_cap_with_a_kept_database_are_refused(tmp_path: Path) -> None:
    db = tmp_path / "e.sqlite3"
    with EmulatorServer(accounts=[ACME], subaccounts={ACME[0]: ["a", "b"]}, max_subaccounts=3, db_path=db):
        pass
    with pytest.raises(ValueError, match="do not fit: Reached maximum number of subaccounts"):
        EmulatorServer(accounts=[ACME], subaccounts={ACME[0]: ["c", "d"]}, max_subaccounts=3, db_path=db)
    # The refused start left the file free for the next one.
    with EmulatorServer(accounts=[ACME], db_path=db) as again:
        assert [name for _, _, name in again.subaccounts()] == ["a", "b"]


def test_seed_subaccounts_adds_to_a_running_emulator_and_keeps_existing_ones(server: EmulatorServer) -> None:
    first = server.seed_subaccounts(["tenant-a", "tenant-b"])
    again = server.seed_subaccounts(["tenant-b", "tenant-c"], GLOBEX[0])
    both = server.seed_subaccounts(["tenant-a", "tenant-b"])

    assert both == first and [name for _, _, name in again] == ["tenant-b", "tenant-c"]
    assert Api(server.base_url, first[0][:2]).get(_path(first[0][0])).json()["owner_account_sid"] == ACME[0]
    with pytest.raises(ValueError, match="not one of the emulator's accounts"):
        server.seed_subaccounts(["x"], "AC" + "9" * 32)
    with pytest.raises(ValueError, match="control characters"):
        server.seed_subaccounts(["x\ty"])
    assert len(server.subaccounts()) == 2


# The command line --------------------------------------------------------------------------------


def test_tenant_names_keep_their_order_at_any_count() -> None:
    assert tenant_names(3) == ["tenant-001", "tenant-002", "tenant-003"]
    assert tenant_names(1000)[::999] == ["tenant-0001", "tenant-1000"]
    assert tenant_names(1000) == sorted(tenant_names(1000))


def test_the_banner_counts_subaccounts_without_their_tokens(capsys: pytest.CaptureFixture[str]) -> None:
    server = EmulatorServer(accounts=[ACME], subaccounts={ACME[0]: tenant_names(30)}, max_family_services=90)
    try:
        _print_banner(server, None, generated=False, api_keys=[], admin_given=True)
    finally:
        server.stop()
    out = capsys.readouterr().out

    assert "  subaccounts: 30 (tenant-001 … tenant-030)" in out.splitlines()
    assert "Max services per family (a main account and its subaccounts): 90" in out.splitlines()
    assert not any(token in out for _, token, _ in server.subaccounts())


def test_serve_seeds_subaccounts_and_caps_the_familys_services() -> None:
    process, banner = _start_serve(
        "--port", "0", "--account", ":".join(ACME), "--subaccounts", "3", "--max-family-services", "2"
    )
    try:
        url = banner[0].rsplit(" ", 1)[1]
        acme = Api(url, ACME[:2])
        listed = acme.get(LIST).json()["accounts"]
        tenant = _as_listed(url, listed[3])
        tenant.service("Tenant 3")
        acme.service("Parent")
        refused = tenant.post("/v2/Services", {"FriendlyName": "One too many"})
    finally:
        code, _ = _stop(process)
    assert code == 0
    assert [a["friendly_name"] for a in listed] == ["Acme", "tenant-001", "tenant-002", "tenant-003"]
    assert "  subaccounts: 3 (tenant-001 … tenant-003)" in banner
    assert error_of(refused)[:2] == (400, 21102)


def _as_listed(url: str, account: dict[str, Any]) -> Api:
    return Api(url, (account["sid"], account["auth_token"]))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--subaccounts", "-1"], "--subaccounts"),
        (["--max-family-services", "-1"], "--max-family-services"),
        (["--max-subaccounts", "x"], "--max-subaccounts"),
        (["--subaccounts", "3", "--max-subaccounts", "2"], "3 is more than max_subaccounts"),
    ],
    ids=["negative-count", "negative-cap", "not-a-number", "beyond-the-cap"],
)
def test_serve_refuses_bad_subaccount_options(args: list[str], message: str) -> None:
    result = CliRunner().invoke(emulator_group, ["serve", "--port", "0", *args])

    assert result.exit_code == 2
    assert message in result.output


# The official client ---------------------------------------------------------------------------


def _client(server: EmulatorServer, sid: str, token: str) -> Client:
    # An environment of its own: the client must not read the caller's TWILIO_EDGE / TWILIO_REGION.
    client = Client(sid, token, environment={"VERIFYCTL_TEST_ENVIRONMENT": "isolated"})
    client.api.base_url = server.base_url
    client.verify.base_url = server.base_url
    return client


def test_subaccounts_through_the_official_client(server: EmulatorServer) -> None:
    accounts = _client(server, *ACME[:2]).api.v2010.accounts
    made = [accounts.create(friendly_name=f"tenant-{n}") for n in range(3)]

    # The client pages through next_page_uri on its own.
    assert [a.sid for a in accounts.list(page_size=2)] == [ACME[0], *(a.sid for a in made)]
    assert [a.sid for a in accounts.list(friendly_name="tenant-1")] == [made[1].sid]
    closed = accounts(made[2].sid).update(status="closed")
    assert (closed.status, closed.owner_account_sid) == ("closed", ACME[0])
    assert [a.friendly_name for a in accounts.list(status="closed")] == ["tenant-2"]

    tenant = _client(server, made[0].sid, made[0].auth_token)
    assert tenant.verify.v2.services.create(friendly_name="Tenant 0").account_sid == made[0].sid
    with pytest.raises(TwilioRestException) as refused:
        tenant.api.v2010.accounts(ACME[0]).fetch()
    assert (refused.value.status, refused.value.code) == (404, 20404)
    with pytest.raises(TwilioRestException) as gone:
        _client(server, made[2].sid, made[2].auth_token).verify.v2.services.create(friendly_name="x")
    assert (gone.value.status, gone.value.code) == (403, 20403)
