"""Several environments' plans in one output (`--env all`): one section each, in the chosen format."""

from __future__ import annotations

import json
from collections.abc import Sequence

from verifyctl.plan.model import Plan
from verifyctl.render.formats import render


def render_sections(plans: Sequence[Plan], fmt: str, colour: bool = False) -> str:
    """Text and markdown: each plan after a heading naming its environment; JSON: plans by environment."""
    if fmt == "json":
        by_name = {plan.environment: plan.to_dict() for plan in plans}
        return json.dumps({"environments": by_name}, indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return "\n".join(render(plan, fmt) for plan in plans)
    sections = [f"=== environment {plan.environment} ===\n{render(plan, fmt, colour)}" for plan in plans]
    return "\n".join(sections)
