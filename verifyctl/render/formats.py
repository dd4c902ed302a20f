"""Choose a renderer by `--format` name."""

from __future__ import annotations

from verifyctl.plan.model import Plan
from verifyctl.render.markdown import render_markdown
from verifyctl.render.text import render_text

FORMATS = ("text", "json", "markdown")


def render(plan: Plan, fmt: str, colour: bool = False) -> str:
    if fmt == "json":
        return plan.to_json()
    if fmt == "markdown":
        return render_markdown(plan)
    return render_text(plan, colour)
