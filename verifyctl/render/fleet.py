"""A fleet's plan as text, JSON or markdown: a member table, then the plans of members with changes."""

from __future__ import annotations

import html
import json
from typing import Any

from verifyctl.plan.fleet import FleetPlan, MemberPlan
from verifyctl.plan.saved import printable
from verifyctl.render.markdown import _cell, _literal, code, render_markdown
from verifyctl.render.text import render_text

# GitHub refuses a comment longer than this many characters.
GITHUB_COMMENT_LIMIT = 65_536
# Room kept for the closing lines once sections are left out.
_TAIL_ROOM = 600


def render_fleet(fleet: FleetPlan, fmt: str, colour: bool = False) -> str:
    if fmt == "json":
        return json.dumps(fleet_dict(fleet), ensure_ascii=False, separators=(",", ":")) + "\n"
    if fmt == "markdown":
        return render_fleet_markdown(fleet)
    return render_fleet_text(fleet, colour)


def fleet_dict(fleet: FleetPlan) -> dict[str, Any]:
    """`{"fleet", "shard", "members": [{"name", "account", "plan"}], "skipped", "errors"}`."""
    return {
        "fleet": fleet.fleet,
        "shard": fleet.shard or None,
        "members": [
            {"name": m.name, "account": m.account, "plan": m.plan.to_dict()} for m in fleet.planned if m.plan
        ],
        "skipped": [{"name": m.name, "account": m.account, "reason": m.skipped} for m in fleet.skipped],
        "errors": [{"name": m.name, "account": m.account, "error": m.error} for m in fleet.failed],
    }


def _counts(member: MemberPlan) -> tuple[str, str, str]:
    if member.plan is None:
        return ("-", "-", "-")
    summary = member.summary
    # A replace destroys and adds: Terraform counts it in both.
    return (str(summary.add + summary.replace), str(summary.change), str(summary.destroy + summary.replace))


def _headline(fleet: FleetPlan) -> str:
    planned = fleet.planned
    changed = sum(1 for m in planned if m.plan is not None and m.plan.has_changes)
    share = f" (shard {fleet.shard})" if fleet.shard else ""
    count = len(planned) + len(fleet.failed)
    return (
        f"Fleet {fleet.fleet}{share}: {count} member{'' if count == 1 else 's'}, {changed} with changes,"
        f" {len(planned) - changed} without, {len(fleet.failed)} failed, {len(fleet.skipped)} skipped."
    )


# Said instead of an empty table: a select that matches nothing is more often a mistake than a fleet.
NO_MEMBERS = "No members: no subaccount of the parent matches the fleet's select{share}."


def _no_members(fleet: FleetPlan) -> str:
    return NO_MEMBERS.format(share=f" in shard {fleet.shard}" if fleet.shard else "")


def member_table(fleet: FleetPlan) -> list[str]:
    """The member table as text rows: member, masked account, add/change/destroy, status."""
    if not fleet.members:
        return [_no_members(fleet)]
    rows = [("MEMBER", "ACCOUNT", "ADD", "CHANGE", "DESTROY", "STATUS")]
    rows += [(printable(m.name), m.account, *_counts(m), m.status) for m in fleet.members]
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [row[i].rjust(widths[i]) for i in (2, 3, 4)]
        lines.append("  ".join([*cells, row[5]]).rstrip())
    return lines


def render_fleet_text(fleet: FleetPlan, colour: bool = False) -> str:
    """The table; then, for each member with changes, its plan; then each failed member's error."""
    lines = [
        f"Fleet: {fleet.fleet}" + (f" (shard {fleet.shard})" if fleet.shard else ""),
        "",
        *member_table(fleet),
    ]
    for member in fleet.planned:
        if member.plan is not None and member.plan.has_changes:
            lines += [
                "",
                f"=== member {printable(member.name)} ({member.account}) ===",
                render_text(member.plan, colour).rstrip("\n"),
            ]
    for member in fleet.failed:
        lines += ["", f"=== member {printable(member.name)} ({member.account}) ===", f"Error: {member.error}"]
    lines += ["", _headline(fleet)]
    return "\n".join(lines) + "\n"


def _html_text(text: str) -> str:
    """Text inside an HTML block (`<summary>`), where Markdown's escapes do not apply: entities, no
    mention, controls as spaces."""
    shown = "".join(ch if ch.isprintable() else " " for ch in text)
    return html.escape(shown, quote=True).replace("@", "&#64;")


def comment_marker(fleet: FleetPlan) -> str:
    """One marker per fleet and shard, so that each job of a CI matrix keeps its own comment."""
    shard = f":{fleet.shard.replace('/', '-of-')}" if fleet.shard else ""
    return f"<!-- verifyctl-plan:{fleet.fleet}{shard} -->"


def render_fleet_markdown(fleet: FleetPlan, limit: int = GITHUB_COMMENT_LIMIT) -> str:
    """A summary table of the members with changes, errors or skips (a count of the others), then a
    collapsed section per member with changes; cut to stay under `limit` characters, saying so."""
    head = [
        comment_marker(fleet),
        f"### verifyctl plan: fleet {code(fleet.fleet)}",
        "",
        f"**{_literal(_headline(fleet))}**",
        "",
    ]
    shown = [m for m in fleet.members if m.status != "no changes"]
    quiet = len(fleet.members) - len(shown)
    table = ["| Member | Account | Add | Change | Destroy | Status |", "|---|---|---:|---:|---:|---|"]
    rows = [
        f"| {_cell(_literal(m.name))} | {code(m.account)} | {' | '.join(_counts(m))} | {_literal(m.status)} |"
        for m in shown
    ]
    sections = []
    for member in fleet.planned:
        if member.plan is None or not member.plan.has_changes:
            continue
        body = render_markdown(member.plan).split("\n", 1)[1]  # its own comment marker left out
        add, change, destroy = _counts(member)
        title = f"{_html_text(member.name)} ({member.account}): +{add} ~{change} -{destroy}"
        sections.append(f"<details><summary>{title}</summary>\n\n{body}\n</details>")
    errors = [f"- {_literal(m.name)} ({m.account}): {code(m.error)}" for m in fleet.failed]
    if not fleet.members:
        table = [_literal(_no_members(fleet))]
    text = "\n".join(head)
    budget = limit - _TAIL_ROOM
    cut_rows = cut_sections = 0
    parts = [text, "\n".join(table)]
    size = sum(len(p) + 1 for p in parts)
    for index, row in enumerate(rows):
        if size + len(row) + 1 > budget:
            cut_rows = len(rows) - index
            break
        parts.append(row)
        size += len(row) + 1
    tail = []
    if quiet:
        tail.append(
            f"{quiet} member{'s' if quiet != 1 else ''} without changes"
            f" {'is' if quiet == 1 else 'are'} left out of the table."
        )
    for line in ["", *errors] if errors else []:
        if size + len(line) + 1 > budget:
            break
        parts.append(line)
        size += len(line) + 1
    parts.append("")
    for index, section in enumerate(sections):
        if cut_rows or size + len(section) + 2 > budget:
            cut_sections = len(sections) - index
            break
        parts.append(section)
        size += len(section) + 2
    if cut_rows or cut_sections:
        tail.append(
            f"⚠️ Cut to fit a GitHub comment: {cut_rows} table rows and {cut_sections} member plans left out;"
            " the rest is in the artifact (`plan --format json`)."
        )
    return "\n".join([*parts, *tail]).rstrip("\n") + "\n"
