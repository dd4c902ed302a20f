"""The plan as a Markdown table, for a pull-request comment."""

from __future__ import annotations

from verifyctl.plan.model import Action, Change, Plan
from verifyctl.render.text import no_changes_line, summary_line, unmanaged_heading
from verifyctl.render.values import show

# A marker lets a CI job find its earlier comment and update it in place instead of adding another.
COMMENT_MARKER = "<!-- verifyctl-plan -->"

LABELS = {
    Action.CREATE: "🟢 create",
    Action.UPDATE: "🟡 update",
    Action.DELETE: "🔴 delete",
    Action.REPLACE: "🟣 replace",
}


def _cell(text: str) -> str:
    # Pipes end a table cell and newlines end a row; neither may leak out of a value.
    return text.replace("|", "\\|").replace("\n", " ")


def _details(change: Change) -> str:
    parts = []
    for key in change.changed_fields:
        after = show((change.after or {}).get(key))
        if change.action is Action.CREATE:
            parts.append(f"`{key}` = `{after}`")
        else:
            parts.append(f"`{key}`: `{show((change.before or {}).get(key))}` → `{after}`")
    if change.reason:
        parts.append(f"_{change.reason}_")
    return "<br>".join(_cell(p) for p in parts)


def _context(plan: Plan) -> list[str]:
    lines = []
    if plan.account_sid:
        where = "the embedded emulator" if plan.api_url == "local" else f"`{_cell(plan.api_url)}`"
        lines.append(f"Account **{_cell(plan.account_label)}** at {where}")
    if plan.targets:
        targets = ", ".join(f"`{_cell(target)}`" for target in plan.targets)
        lines.append(f"⚠️ Limited by `--target` to {targets}: nothing else was compared.")
    return [line + "  " for line in lines] + ([""] if lines else [])


def _literal(text: str) -> str:
    """`text` as plain text that Markdown and GitHub leave inert: every ASCII punctuation mark escaped
    (no code span to close, no HTML, link or @mention), line breaks and other controls as spaces."""
    return "".join(
        f"\\{ch}"
        if ch.isascii() and not ch.isalnum() and ch.isprintable() and ch != " "
        else ch
        if ch.isprintable()
        else " "
        for ch in text
    )


def _unmanaged(plan: Plan) -> list[str]:
    if not plan.unmanaged:
        return []
    rows = [f"- {_literal(name)} ({_literal(sid)})" for name, sid in plan.unmanaged]
    return ["", f"**{_literal(unmanaged_heading(len(plan.unmanaged)))}**", "", *rows]


def comment_marker(environment: str = "") -> str:
    """The marker of a plan comment; one per environment, as the GitHub Action keeps them apart."""
    return f"<!-- verifyctl-plan:{environment} -->" if environment else COMMENT_MARKER


def render_markdown(plan: Plan) -> str:
    plan = plan.masked()  # sensitive values are never shown (the markdown becomes a PR comment)
    heading = f"### verifyctl plan: {_cell(plan.environment)}" if plan.environment else "### verifyctl plan"
    lines = [comment_marker(plan.environment), heading, "", *_context(plan)]
    guards = [f"⛔ Apply will need `{flag}`: {_cell(reason)}." for flag, reason in plan.needed_flags()]
    if plan.blocking:
        guards.append(f"⛔ Apply will refuse: {len(plan.blocking)} policy error(s) without an exception.")
    if plan.findings:
        lines.extend(["**Policy findings**", "", *(f"- `{_cell(f)}`" for f in plan.findings), ""])
    if not plan.has_changes:
        lines.append(f"✅ {no_changes_line(plan)}")
        return "\n".join([*lines, *_unmanaged(plan)]) + "\n"
    lines.append(f"**{summary_line(plan.summary)}**")
    lines.append("")
    if guards:
        lines.extend([*(g + "  " for g in guards), ""])
    lines.append("| Action | Address | Changes |")
    lines.append("|---|---|---|")
    for change in plan.changes:
        lines.append(f"| {LABELS[change.action]} | `{_cell(str(change.address))}` | {_details(change)} |")
    return "\n".join([*lines, *_unmanaged(plan)]) + "\n"
