"""A fleet's plan as text, JSON and markdown: the member table, details for members with changes only."""

from __future__ import annotations

import json
import re

from verifyctl.plan.fleet import FleetPlan, MemberPlan
from verifyctl.plan.model import Action, Change, Plan
from verifyctl.render.fleet import GITHUB_COMMENT_LIMIT, render_fleet, render_fleet_markdown
from verifyctl.resources.addresses import Address


def sid(n: int) -> str:
    return f"AC{n:032x}"


def creating(name: str, environment: str) -> Plan:
    change = Change(
        Address.parse(f"service[{name}]"),
        Action.CREATE,
        None,
        {"friendly_name": name, "code_length": 6},
        ("friendly_name", "code_length"),
    )
    return Plan(changes=(change,), environment=environment)


def fleet() -> FleetPlan:
    return FleetPlan(
        "tenants",
        (
            MemberPlan("tenant-a", sid(1), plan=creating("tenant-a Login", "tenants/tenant-a")),
            MemberPlan("tenant-b", sid(2), plan=Plan(changes=(), environment="tenants/tenant-b")),
            MemberPlan("tenant-c", sid(3), error="environment tenants/tenant-c: Authenticate", exit_code=1),
            MemberPlan("tenant-d", sid(4), skipped="closed"),
        ),
    )


def test_text_is_a_member_table_then_the_members_with_changes_then_errors() -> None:
    text = render_fleet(fleet(), "text")
    assert text.startswith(
        "Fleet: tenants\n\n"
        "MEMBER    ACCOUNT  ADD  CHANGE  DESTROY  STATUS\n"
        "tenant-a  AC…0001    1       0        0  changes\n"
        "tenant-b  AC…0002    0       0        0  no changes\n"
        "tenant-c  AC…0003    -       -        -  error\n"
        "tenant-d  AC…0004    -       -        -  skipped: closed\n"
    )
    assert "=== member tenant-a (AC…0001) ===" in text and "+ service[tenant-a Login]" in text
    assert "=== member tenant-b" not in text  # no changes: the table says so
    assert "=== member tenant-c (AC…0003) ===\nError: environment tenants/tenant-c: Authenticate" in text
    assert text.endswith("Fleet tenants: 3 members, 1 with changes, 1 without, 1 failed, 1 skipped.\n")


def test_json_carries_one_plan_per_member_and_the_skipped_and_failed_ones() -> None:
    data = json.loads(render_fleet(fleet(), "json"))
    assert data["fleet"] == "tenants" and data["shard"] is None
    assert [(m["name"], m["account"]) for m in data["members"]] == [
        ("tenant-a", "AC…0001"),
        ("tenant-b", "AC…0002"),
    ]
    assert data["members"][0]["plan"]["summary"] == {"add": 1, "change": 0, "destroy": 0, "replace": 0}
    assert data["skipped"] == [{"name": "tenant-d", "account": "AC…0004", "reason": "closed"}]
    assert data["errors"] == [
        {"name": "tenant-c", "account": "AC…0003", "error": "environment tenants/tenant-c: Authenticate"}
    ]


def test_a_hostile_member_name_stays_on_its_line_and_inert_in_markdown() -> None:
    name = "evil\x1b[2J\n<img src=x onerror=alert(1)>|@team"
    hostile = FleetPlan("tenants", (MemberPlan(name, sid(9), plan=creating("x Login", f"tenants/{sid(9)}")),))
    text = render_fleet(hostile, "text")
    assert "\x1b" not in text and "evil\\u001b[2J\\n<img" in text
    markdown = render_fleet(hostile, "markdown")
    # Escaped in the table (Markdown), as entities in the collapsed section's summary (an HTML block).
    assert re.search(r"(?<!\\)<img", markdown) is None and "@team" not in markdown.replace("\\@team", "")
    assert (
        "<summary>evil [2J &lt;img src=x onerror=alert(1)&gt;|&#64;team (AC…0009): +1 ~0 -0</summary>"
        in markdown
    )


def test_markdown_stays_under_githubs_comment_limit_and_says_the_rest_is_in_the_artifact() -> None:
    members = tuple(
        MemberPlan(
            f"tenant-{n:04d}", sid(n), plan=creating(f"tenant-{n:04d} Login", f"tenants/tenant-{n:04d}")
        )
        for n in range(1000)
    )
    big = FleetPlan("tenants", members, shard="2/4")
    markdown = render_fleet_markdown(big)
    assert len(markdown) <= GITHUB_COMMENT_LIMIT
    assert markdown.startswith("<!-- verifyctl-plan:tenants:2-of-4 -->\n### verifyctl plan: fleet `tenants`")
    assert "the rest is in the artifact" in markdown
    assert markdown.count("<details>") == markdown.count("</details>") > 0
    small = render_fleet_markdown(fleet())
    assert "the rest is in the artifact" not in small and small.count("<details>") == 1
    assert "1 member without changes is left out of the table." in small


def test_a_fleet_without_members_says_so_rather_than_an_empty_table() -> None:
    empty = FleetPlan("tenants", (), shard="2/2")
    assert "No members: no subaccount of the parent matches the fleet's select in shard 2/2." in render_fleet(
        empty, "text"
    )
    assert "No members" in render_fleet(empty, "markdown") and "| Member |" not in render_fleet(
        empty, "markdown"
    )
