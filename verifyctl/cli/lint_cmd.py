"""`verifyctl lint`: the policy rules over the YAML files, offline; as text, JSON, SARIF or annotations."""

from __future__ import annotations

import os

import click

from verifyctl import __version__
from verifyctl.cli.help_text import OFFLINE_ENV, PATHS, epilog, exit_codes
from verifyctl.cli.outside_links import outside_links_option
from verifyctl.config.environment_section import Selection, environment_configs
from verifyctl.config.loader import DEFAULT_PATH
from verifyctl.errors import UsageError
from verifyctl.lint import RULES, Finding, Findings, find_rule, run
from verifyctl.lint.docs import explain
from verifyctl.lint.report import as_json, github, text
from verifyctl.lint.rules import did_you_mean
from verifyctl.lint.sarif import sarif


def lint_environments(paths: list[str], outside_links: bool = False) -> Findings:
    """The findings over the files as every environment reads them (each finding once)."""
    seen: dict[str, Finding] = {}
    for name, config in environment_configs(paths, Selection(outside_links=outside_links), os.environ):
        for finding in run(config, environments={name or "default": config.services}):
            seen.setdefault(str(finding), finding)
    return Findings(tuple(seen.values()))


@click.command(
    "lint",
    epilog=epilog(
        PATHS,
        OFFLINE_ENV,
        exit_codes(
            "  0   no unwaived error-level finding (with --strict: no warning either)",
            error="an unwaived error-level finding (with --strict: or a warning), or an error",
        ),
    ),
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "sarif", "github"]),
    default="text",
    show_default=True,
    help="sarif: for GitHub code scanning; github: workflow-command annotations.",
)
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--explain", "rule_id", metavar="RULE", help="Explain one rule and how to set or waive it.")
@outside_links_option
def lint_command(
    paths: tuple[str, ...], output_format: str, strict: bool, rule_id: str | None, allow_outside_links: bool
) -> int:
    """Check the YAML files against the policy rules, offline; findings as FILE:LINE:COL: LEVEL[RULE]: FIX.

    The `policy:` section sets each rule's severity (error, warning, info, off) and thresholds, and
    waives a rule for one service with a reason. Exit 1 when an error-level finding is not waived
    (with --strict, a warning too), else 0. Rules that need the live account run in `plan`.
    """
    if rule_id is not None:
        rule = find_rule(rule_id)
        if rule is None:
            known = ", ".join(r.id for r in RULES)
            raise UsageError(f"unknown rule {rule_id!r}{did_you_mean(rule_id)}; the rules are: {known}")
        if paths:
            raise UsageError("--explain RULE takes no PATHS")
        click.echo(explain(rule), nl=False)
        return 0
    findings = lint_environments(list(paths) or [DEFAULT_PATH], allow_outside_links)
    if output_format == "json":
        click.echo(as_json(findings), nl=False)
    elif output_format == "sarif":
        click.echo(sarif(findings, __version__), nl=False)
    elif output_format == "github":
        click.echo(github(findings), nl=False)
    else:
        click.echo(text(findings), nl=False)
    return findings.exit_code(strict)
