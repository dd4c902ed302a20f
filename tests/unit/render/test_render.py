"""Unit tests for the text, JSON and Markdown renderings of a plan."""

from __future__ import annotations

import json

from verifyctl.plan.model import Action, Change, Plan
from verifyctl.render.formats import render
from verifyctl.render.markdown import COMMENT_MARKER
from verifyctl.resources.addresses import Address

PLAN = Plan(
    changes=(
        Change(
            Address.parse("service[Acme Login]"),
            Action.CREATE,
            None,
            {"friendly_name": "Acme Login", "code_length": 6},
            ("friendly_name", "code_length"),
        ),
        Change(
            Address.parse("service[Acme Checkout]"),
            Action.UPDATE,
            {"code_length": 4},
            {"code_length": 6},
            ("code_length",),
            "VA1",
        ),
        Change(
            Address.parse("service[Acme Login]/rate_limit[end_user_ip]"),
            Action.REPLACE,
            {"unique_name": "end_user_ip"},
            {"unique_name": "End_User_IP"},
            ("unique_name",),
            "RK1",
            reason="unique_name cannot be updated",
        ),
        Change(
            Address.parse("service[Acme Login]/webhook[old|pipe]"),
            Action.DELETE,
            {"friendly_name": "old|pipe"},
            None,
            (),
            "YW1",
        ),
    ),
    covered=3,
    fingerprint="sha256:00",
    account_sid="AC1",
    api_url="http://127.0.0.1:1",
)


def test_text_reads_like_terraform() -> None:
    assert render(PLAN, "text") == (
        "Account: AC1 at http://127.0.0.1:1\n"
        "\n"
        "  + service[Acme Login]\n"
        '      + friendly_name = "Acme Login"\n'
        "      + code_length   = 6\n"
        "  ~ service[Acme Checkout]\n"
        "      ~ code_length = 4 -> 6\n"
        "  -/+ service[Acme Login]/rate_limit[end_user_ip]   (unique_name cannot be updated)\n"
        '      ~ unique_name = "end_user_ip" -> "End_User_IP"\n'
        "  - service[Acme Login]/webhook[old|pipe]\n"
        "\n"
        "Plan: 1 to add, 1 to change, 1 to destroy, 1 to replace.\n"
        "Apply will need --allow-delete: 2 objects deleted.\n"
    )


def test_text_colour_only_when_asked() -> None:
    assert "\x1b[" not in render(PLAN, "text", colour=False)
    assert "\x1b[32m+\x1b[0m" in render(PLAN, "text", colour=True)


def test_no_changes_sentence() -> None:
    empty = Plan(changes=())
    assert render(empty, "text") == "No changes. The live account matches the configuration.\n"
    assert "No changes." in render(empty, "markdown")


def test_json_has_the_documented_keys() -> None:
    data = json.loads(render(PLAN, "json"))
    assert set(data) >= {
        "format_version",
        "account",
        "api_url",
        "targets",
        "guards",
        "changes",
        "summary",
        "fingerprint",
    }
    assert data["account"]["sid"] == "AC1" and data["account"]["sid_sha256"].startswith("sha256:")
    assert data["guards"] == [{"flag": "--allow-delete", "reason": "2 objects deleted"}]
    assert data["summary"] == {"add": 1, "change": 1, "destroy": 1, "replace": 1}
    assert set(data["changes"][0]) >= {"address", "kind", "action", "before", "after", "changed_fields"}
    assert render(PLAN, "json") == render(PLAN, "json")


def test_markdown_table_escapes_pipes_and_carries_the_marker() -> None:
    text = render(PLAN, "markdown")
    assert text.startswith(COMMENT_MARKER)
    assert "| Action | Address | Changes |" in text
    assert "`service[Acme Login]/webhook[old\\|pipe]`" in text
    assert "`code_length`: `4` → `6`" in text
