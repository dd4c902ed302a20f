"""Several environments' plans in one output (`--env all`): one section each, in the chosen format."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from verifyctl.plan.model import Plan
from verifyctl.render.formats import render


def render_sections(
    plans: Sequence[Plan], fmt: str, colour: bool = False, errors: Mapping[str, str] | None = None
) -> str:
    """Text and markdown: each plan after a heading naming its environment; JSON: plans by environment.

    `errors` are the environments whose plan failed (name -> one-line error): text gives each its
    section, JSON an `errors` object; markdown leaves them to stderr and the exit code.
    """
    errors = errors or {}
    if fmt == "json":
        data: dict[str, object] = {"environments": {plan.environment: plan.to_dict() for plan in plans}}
        if errors:
            data["errors"] = dict(errors)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return "\n".join(render(plan, fmt) for plan in plans)
    sections = [f"=== environment {plan.environment} ===\n{render(plan, fmt, colour)}" for plan in plans]
    sections += [f"=== environment {name} ===\nError: {error}\n" for name, error in errors.items()]
    return "\n".join(sections)
