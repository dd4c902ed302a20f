"""Unmanaged services' names are hostile values: no format lets one forge a line, markup or a mention."""

from __future__ import annotations

import json

from verifyctl.plan.model import Plan
from verifyctl.render.markdown import render_markdown
from verifyctl.render.text import render_text

HOSTILE = "Hand `made` </details> <b>x</b> @octocat\x1b[31m\n  + service[forged]"
PLAN = Plan(changes=(), unmanaged=((HOSTILE, "VA" + "0" * 32), ("Plain", "VA" + "1" * 32)))


def test_text_quotes_each_name_on_its_own_line() -> None:
    text = render_text(PLAN)
    assert "Unmanaged: 2 live services that no file declares" in text
    assert "\x1b" not in text
    assert not any(line.startswith("  + service[forged]") for line in text.splitlines())
    assert f"  ? {json.dumps(HOSTILE, ensure_ascii=False)} (VA{'0' * 32})" in text


def test_markdown_leaves_no_markup_live() -> None:
    section = render_markdown(PLAN).split("Unmanaged", 1)[1]
    for live in ("`made`", "</details>", "<b>", " @octocat", "\x1b", "\n  + service"):
        assert live not in section
    assert "\\`made\\`" in section and "\\@octocat" in section and "\\<\\/details\\>" in section


def test_json_round_trips_them() -> None:
    data = json.loads(PLAN.to_json())
    assert data["unmanaged"][0] == {"friendly_name": HOSTILE, "sid": "VA" + "0" * 32}
    assert Plan.from_dict(data).plan.unmanaged == PLAN.unmanaged
