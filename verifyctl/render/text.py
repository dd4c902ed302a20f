"""The plan as text, read the way Terraform users read theirs."""

from __future__ import annotations

from verifyctl.plan.model import Action, Change, Plan, Summary
from verifyctl.render.values import show

NO_CHANGES = "No changes. The live account matches the configuration."

SYMBOLS = {Action.CREATE: "+", Action.UPDATE: "~", Action.DELETE: "-", Action.REPLACE: "-/+"}
# ANSI colours: green add, yellow change, red destroy, magenta replace.
COLOURS = {Action.CREATE: "32", Action.UPDATE: "33", Action.DELETE: "31", Action.REPLACE: "35"}


def _paint(text: str, colour: str, enabled: bool) -> str:
    return f"\x1b[{colour}m{text}\x1b[0m" if enabled else text


def summary_line(summary: Summary) -> str:
    return (
        f"Plan: {summary.add} to add, {summary.change} to change, "
        f"{summary.destroy} to destroy, {summary.replace} to replace."
    )


def change_lines(change: Change, colour: bool = False) -> list[str]:
    """The header line of one change and its field lines."""
    symbol = SYMBOLS[change.action]
    header = f"  {_paint(symbol, COLOURS[change.action], colour)} {change.address}"
    if change.reason:
        header += f"   ({change.reason})"
    lines = [header]
    width = max((len(key) for key in change.changed_fields), default=0)
    for key in change.changed_fields:
        after = show((change.after or {}).get(key))
        if change.action is Action.CREATE:
            mark, text = "+", f"{key.ljust(width)} = {after}"
        else:
            before = show((change.before or {}).get(key))
            mark, text = "~", f"{key.ljust(width)} = {before} -> {after}"
        colour_code = COLOURS[Action.CREATE] if mark == "+" else COLOURS[Action.UPDATE]
        lines.append(f"      {_paint(mark, colour_code, colour)} {text}")
    return lines


def header_lines(plan: Plan) -> list[str]:
    """Which account the plan is for and, under --target, what it is limited to."""
    lines = [f"Environment: {plan.environment}"] if plan.environment else []
    if plan.account_sid:
        lines.append(f"Account: {plan.where.removeprefix('account ')}")
    if plan.targets:
        lines.append(
            f"Targeting: {', '.join(plan.targets)} (and what these need); nothing else was compared."
        )
    return lines


def footer_lines(plan: Plan) -> list[str]:
    """The flags apply will need, and the reminder that a targeted plan is partial."""
    lines = [f"Apply will need {flag}: {reason}." for flag, reason in plan.needed_flags()]
    if plan.blocking:
        count = len(plan.blocking)
        lines.append(
            f"Apply will refuse: {count} policy {'error' if count == 1 else 'errors'} without an exception "
            "(fix them, or add a policy exception with its reason)."
        )
    if plan.targets:
        lines.append("Note: this plan is limited by --target; run plan without it to see every change.")
    return lines


def unmanaged_heading(count: int) -> str:
    services = "1 live service" if count == 1 else f"{count} live services"
    return (
        f"Unmanaged: {services} that no file declares (left alone; `prune: true` would delete"
        f" {'it' if count == 1 else 'them'}):"
    )


def unmanaged_lines(plan: Plan) -> list[str]:
    """The live services no file manages, one a line: the name quoted, so no value can forge a line."""
    if not plan.unmanaged:
        return []
    return [
        unmanaged_heading(len(plan.unmanaged)),
        *(f"  ? {show(name)} ({show(sid)[1:-1]})" for name, sid in plan.unmanaged),
    ]


def no_changes_line(plan: Plan) -> str:
    if plan.targets:
        return "No changes under the targets. Objects outside them were not compared."
    return NO_CHANGES


def render_text(plan: Plan, colour: bool = False) -> str:
    plan = plan.masked()  # sensitive values are never shown
    lines = [*header_lines(plan), *plan.findings]
    if not plan.has_changes:
        lines.append(no_changes_line(plan))
        lines.extend(unmanaged_lines(plan))
        lines.extend(footer_lines(plan))
        return "\n".join(lines) + "\n"
    if lines:
        lines.append("")
    for change in plan.changes:
        lines.extend(change_lines(change, colour))
    lines.append("")
    lines.append(summary_line(plan.summary))
    lines.extend(unmanaged_lines(plan))
    lines.extend(footer_lines(plan))
    return "\n".join(lines) + "\n"
