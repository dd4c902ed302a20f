"""Run the rules the policy enables over a loaded configuration and collect located findings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from verifyctl.config.loader import Config
from verifyctl.config.models import ServiceConfig
from verifyctl.lint.context import Context
from verifyctl.lint.findings import Finding, Findings, ordered
from verifyctl.lint.policy import check_policy
from verifyctl.lint.templates import TemplateInfo


def run(
    config: Config,
    *,
    live_templates: Sequence[TemplateInfo] | None = None,
    environments: Mapping[str, Sequence[ServiceConfig]] | None = None,
) -> Findings:
    """Every finding of the enabled rules over `config`, waived ones marked with their exception's reason.

    Rules that need the live account run only when `live_templates` is given (by `plan`).
    `environments` maps each environment to its services; the default is one, "default", with them all.
    Raises ConfigError (exit 1) when the `policy:` section names an unknown rule or threshold.
    """
    policy = check_policy(config)
    present = [s for s in config.services if s.ensure != "absent"]
    found: list[Finding] = []
    for setting in policy.settings:
        rule = setting.rule
        if setting.level is None or (rule.live and live_templates is None):
            continue
        ctx = Context(
            services=present,
            thresholds=setting.thresholds,
            place=config.place,
            environments=environments if environments is not None else {"default": config.services},
            templates=live_templates,
        )
        for hit in rule.check(ctx):
            file, line, column = config.place(hit.obj, hit.key)
            reason = policy.exceptions.get((rule.id, hit.service.friendly_name))
            found.append(
                Finding(
                    rule.id, setting.level, hit.message, file, line, column, hit.service.friendly_name, reason
                )
            )
    return ordered(found, [str(f) for f in config.files])
