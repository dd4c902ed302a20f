"""A fleet's members from the parent's Accounts API (mocked): paging, selection, names, shards, tokens."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import responses
from responses import matchers

from verifyctl.client import Credentials, VerifyClient
from verifyctl.config.models import EnvironmentConfig
from verifyctl.engine.fleet import (
    Member,
    Roster,
    Shard,
    check_member_vars,
    choose,
    list_roster,
    own_vars,
    with_credentials,
)
from verifyctl.errors import UsageError, VerifyctlError

API = "https://api.twilio.com"
LIST = f"{API}/2010-04-01/Accounts.json"
PARENT, PARENT_TOKEN = "AC" + "f" * 32, "parent-token-0123456789abcdef0123"


def sid(n: int) -> str:
    return f"AC{n:032x}"


def token(n: int) -> str:
    return f"member-token-{n:020d}"


def account(n: int, name: str, status: str = "active", with_token: bool = True) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "sid": sid(n),
        "friendly_name": name,
        "status": status,
        "owner_account_sid": PARENT,
    }
    if with_token:
        entry["auth_token"] = token(n)
    return entry


def fleet(**select: str) -> EnvironmentConfig:
    return EnvironmentConfig.model_validate(
        {
            "subaccounts_of": {"account_sid": PARENT, "credentials": {"auth_token_env": "PARENT_TOKEN"}},
            **({"select": select} if select else {}),
        }
    )


@pytest.fixture
def client() -> Iterator[VerifyClient]:
    with VerifyClient(API, Credentials(PARENT, PARENT_TOKEN, PARENT), parallelism=4) as parent:
        yield parent


@pytest.fixture
def mock() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as rsps:
        yield rsps


def test_every_page_is_read_and_the_parent_closed_and_unselected_are_no_members(
    client: VerifyClient, mock: responses.RequestsMock
) -> None:
    second = "/2010-04-01/Accounts.json?PageSize=1000&Page=1&PageToken=PA2"
    parent = {
        "sid": PARENT,
        "friendly_name": "tenant-parent",
        "status": "active",
        "owner_account_sid": PARENT,
    }
    mock.get(
        LIST,
        json={"accounts": [parent, account(1, "tenant-b"), account(2, "tools")], "next_page_uri": second},
        match=[matchers.query_string_matcher("PageSize=1000")],
    )
    mock.get(
        LIST,
        json={
            "accounts": [
                account(3, "tenant-a"),
                account(4, "tenant-c", "closed"),
                account(5, "tenant-d", "suspended"),
            ],
            "next_page_uri": None,
        },
        match=[matchers.query_string_matcher("PageSize=1000&Page=1&PageToken=PA2")],
    )
    roster = list_roster(client, PARENT, fleet(friendly_name="tenant-*"))
    assert [(m.name, m.sid, m.status) for m in roster.members] == [
        ("tenant-a", sid(3), "active"),
        ("tenant-b", sid(1), "active"),
    ]
    assert [(s.name, s.reason) for s in roster.skipped] == [("tenant-c", "closed"), ("tenant-d", "suspended")]


def test_status_any_takes_suspended_members_but_never_a_closed_one(
    client: VerifyClient, mock: responses.RequestsMock
) -> None:
    mock.get(LIST, json={"accounts": [account(1, "a", "suspended"), account(2, "b", "closed")]})
    roster = list_roster(client, PARENT, fleet(status="any"))
    assert [m.name for m in roster.members] == ["a"] and [s.name for s in roster.skipped] == ["b"]


def test_a_glob_without_wildcards_is_sent_as_twilios_exact_filter(
    client: VerifyClient, mock: responses.RequestsMock
) -> None:
    mock.get(
        LIST,
        json={"accounts": [account(1, "tenant-acme")]},
        match=[matchers.query_param_matcher({"FriendlyName": "tenant-acme", "PageSize": "1000"})],
    )
    assert [m.name for m in list_roster(client, PARENT, fleet(friendly_name="tenant-acme")).members] == [
        "tenant-acme"
    ]


def test_a_shared_friendly_name_names_each_member_by_its_sid(
    client: VerifyClient, mock: responses.RequestsMock
) -> None:
    hostile = "evil\x1b[2J\nname"
    mock.get(
        LIST,
        json={
            "accounts": [account(1, "acme"), account(2, "acme"), account(3, "globex"), account(4, hostile)]
        },
    )
    roster = list_roster(client, PARENT, fleet())
    # A name that cannot stay on its line (in a table, a log, `--env`) is replaced by the SID too.
    assert [m.name for m in roster.members] == [sid(1), sid(2), sid(4), "globex"]
    assert [m.friendly_name for m in roster.members] == ["acme", "acme", hostile, "globex"]
    with pytest.raises(UsageError, match="2 subaccounts share that friendly name") as shared:
        choose(roster, "tenants", "acme", None)
    assert sid(1) in str(shared.value) and shared.value.exit_code == 64
    assert choose(roster, "tenants", sid(2).lower(), None)[0][0].sid == sid(2)
    # MEMBER_NAME stays the friendly name: the services' names do not change with the duplicate.
    assert own_vars(roster.members[0], {})["MEMBER_NAME"] == "acme"


def roster(count: int) -> Roster:
    members = tuple(Member(f"t{n}", sid(n), "active", f"t{n}") for n in range(count))
    return Roster(members, ())


def test_shards_are_stable_and_cover_every_member_once() -> None:
    everyone = roster(200)
    shares = [choose(everyone, "tenants", None, Shard(k, 4))[0] for k in (1, 2, 3, 4)]
    names = sorted(m.name for share in shares for m in share)
    assert names == sorted(m.name for m in everyone.members)
    assert all(20 < len(share) < 80 for share in shares)  # a hash spreads them
    # A member's share is a function of its SID alone, whatever the other members.
    assert Shard(3, 4).holds(sid(7)) == any(m.sid == sid(7) for m in shares[2])
    assert Shard(1, 1).holds(sid(7))


@pytest.mark.parametrize("text", ["0/3", "4/3", "3", "a/b", "1/0", "-1/2", "2/3/4", ""])
def test_a_shard_that_is_not_k_of_n_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError) as refused:
        Shard.parse(text)
    assert refused.value.exit_code == 64 and "--shard" in str(refused.value)


def test_an_unknown_member_is_a_usage_error_naming_how_to_list_them() -> None:
    with pytest.raises(UsageError) as unknown:
        choose(roster(12), "tenants", "t99", None)
    assert "(members: t0, t1, t2, t3, t4, t5, t6, t7, t8, t9 and 2 more)" in str(unknown.value)
    assert "and 2 more" in str(unknown.value)
    assert "`verifyctl plan --env tenants` lists every member" in str(unknown.value)


def test_member_vars_keys_must_name_a_subaccount_and_a_sid_wins_over_a_name() -> None:
    everyone = roster(3)
    with pytest.raises(VerifyctlError, match=r"tenants\.vars: t9: no subaccount of fleet tenants") as typo:
        check_member_vars({"t1": {}, "t9": {"A": "1"}}, everyone, "tenants", "tenants.vars")
    assert typo.value.exit_code == 1
    values = {"t1": {"A": "by name", "B": "b"}, sid(1): {"A": "by sid"}}
    check_member_vars(values, everyone, "tenants", "tenants.vars")
    assert own_vars(everyone.members[1], values) == {
        "A": "by sid",
        "B": "b",
        "MEMBER_NAME": "t1",
        "MEMBER_SID": sid(1),
    }


def test_tokens_missing_from_the_list_are_fetched_with_the_parents_credentials(
    client: VerifyClient, mock: responses.RequestsMock
) -> None:
    mock.get(LIST, json={"accounts": [account(1, "a", with_token=False), account(2, "b")]})
    mock.get(f"{API}/2010-04-01/Accounts/{sid(1)}.json", json=account(1, "a"))
    members = with_credentials(client, list_roster(client, PARENT, fleet()).members)
    assert [m.credentials for m in members] == [
        Credentials(sid(1), token(1), sid(1)),
        Credentials(sid(2), token(2), sid(2)),
    ]


def test_a_member_never_shows_its_token() -> None:
    member = Member("a", sid(1), "active", "a", Credentials(sid(1), token(1), sid(1)))
    for shown in (repr(member), str(member), f"{member}", repr([member])):
        assert token(1) not in shown and sid(1) in shown


def test_the_fleet_budget_holds_requests_in_flight_across_clients(mock: responses.RequestsMock) -> None:
    """Two members' clients, each allowed 4 at once, share a budget of 1: never two requests at a time."""
    in_flight, peak, lock = [0], [0], threading.Lock()
    entered = threading.Event()

    def answer(request: Any) -> tuple[int, dict[str, str], str]:
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        entered.wait(0.01)  # room for another request to overlap if the budget let it
        with lock:
            in_flight[0] -= 1
        return 200, {}, '{"services": [], "meta": {"key": "services", "next_page_url": null}}'

    mock.add_callback(responses.GET, "https://verify.twilio.com/v2/Services", callback=answer)
    budget = threading.BoundedSemaphore(1)
    clients = [
        VerifyClient(
            "https://verify.twilio.com", Credentials(sid(n), token(n), sid(n)), parallelism=4, budget=budget
        )
        for n in (1, 2)
    ]
    threads = [
        threading.Thread(target=c.list, args=("/v2/Services", "services")) for c in clients for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak[0] == 1 and sum(c.stats.snapshot().by_method["GET"] for c in clients) == 8


def test_a_members_target_and_its_parent_never_show_a_token() -> None:
    from verifyctl.engine.account import AccountSpec
    from verifyctl.engine.target import FleetParent, Target

    credentials = Credentials(sid(1), token(1), sid(1))
    member = Member("a", sid(1), "active", "a", credentials)
    parent = FleetParent("tenants", AccountSpec(credentials=Credentials(PARENT, PARENT_TOKEN, PARENT)), 10)
    spec = AccountSpec(credentials=credentials, environment="tenants/a", member_name="a")
    target = Target("tenants/a", spec, {}, fleet="tenants", member=member, parent=parent)
    for shown in (repr(target), str(target), repr(parent)):
        assert token(1) not in shown and PARENT_TOKEN not in shown
