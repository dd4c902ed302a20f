"""The member table that ends an apply over a fleet."""

from __future__ import annotations

from dataclasses import dataclass

from verifyctl.render.fleet_apply import one_line, render_member_table


@dataclass(frozen=True)
class Row:
    name: str
    status: str
    detail: str = ""


def test_each_member_has_a_line_and_the_results_are_counted() -> None:
    rows = [
        Row("tenant-a", "applied", "3 changes"),
        Row("tenant-bb", "no changes"),
        Row("tenant-c", "failed", "environment tenants/tenant-c: Invalid parameter (Twilio error 60200)"),
        Row("tenant-d", "not started", "1 member failed (--max-failed-members 0)"),
        Row("tenant-e", "skipped", "closed"),
    ]
    accounts = ["AC…0001", "AC…0002", "AC…0003", "AC…0004", "AC…0005"]
    assert render_member_table("tenants", rows, accounts) == (
        "MEMBER     ACCOUNT  RESULT\n"
        "tenant-a   AC…0001  applied (3 changes)\n"
        "tenant-bb  AC…0002  no changes\n"
        "tenant-c   AC…0003  failed: environment tenants/tenant-c: Invalid parameter (Twilio error 60200)\n"
        "tenant-d   AC…0004  not started (1 member failed (--max-failed-members 0))\n"
        "tenant-e   AC…0005  skipped (closed)\n"
        "\n"
        "Fleet tenants: 5 members: 1 applied, 1 with no changes, 1 failed, 1 not started, 1 skipped.\n"
    )


def test_a_hostile_name_or_error_stays_on_one_line() -> None:
    rows = [Row("evil\x1b[2J\nname", "failed", "first line\nsecond line " + "x" * 500)]
    table = render_member_table("tenants", rows, ["AC…0001"])
    assert "\x1b" not in table
    body = table.splitlines()[1]
    assert body.startswith("evil\\x1b[2J …")
    assert "failed: first line …" in body
    assert len(one_line("y" * 500)) == 160


def test_an_empty_fleet_says_so() -> None:
    assert render_member_table("tenants", [], []).endswith("Fleet tenants: 0 members: none.\n")
