"""The `policy:` section read against the rule table: levels, thresholds, exceptions, and its mistakes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from verifyctl.config.loader import Config
from verifyctl.config.models import ConfigModel, RuleSettingConfig
from verifyctl.config.validation import suggestion
from verifyctl.errors import Problem
from verifyctl.lint.context import Threshold
from verifyctl.lint.findings import Level
from verifyctl.lint.rules import RULES, Rule, ThresholdSpec, did_you_mean, find_rule


@dataclass(frozen=True)
class Setting:
    """How one rule runs under the policy: its level (None when off) and its thresholds."""

    rule: Rule
    level: Level | None
    thresholds: Mapping[str, Threshold]


@dataclass(frozen=True)
class Policy:
    """Every rule's setting and the exceptions, as (rule id, service friendly name) -> reason."""

    settings: tuple[Setting, ...]
    exceptions: Mapping[tuple[str, str], str]


def _problem(config: Config, obj: ConfigModel, key: str | None, path: str, message: str) -> Problem:
    file, line, column = config.place(obj, key)
    return Problem(file, line, column, path, message)


def _threshold(spec: ThresholdSpec, value: Any) -> Threshold | None:
    """The value as the threshold's type, or None when it has another type."""
    if isinstance(spec.default, int):
        return value if type(value) is int else None
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


def _thresholds(
    config: Config, rule: Rule, setting: RuleSettingConfig, problems: list[Problem]
) -> dict[str, Threshold]:
    values = {name: spec.default for name, spec in rule.thresholds.items()}
    for name, value in (setting.model_extra or {}).items():
        path = f"policy.rules.{rule.id}.{name}"
        spec = rule.thresholds.get(name)
        if spec is None:
            allowed = ["severity", *rule.thresholds]
            guess = suggestion(name, allowed)
            hint = f" (did you mean {guess!r}?)" if guess else f"; it takes {', '.join(allowed)}"
            problems.append(
                _problem(config, setting, name, path, f"unknown key {name!r} for {rule.id}{hint}")
            )
            continue
        converted = _threshold(spec, value)
        if converted is None:
            kind = "an integer" if isinstance(spec.default, int) else "a list of strings"
            problems.append(_problem(config, setting, name, path, f"must be {kind}"))
            continue
        values[name] = converted
    return values


def read_policy(config: Config) -> tuple[Policy, list[Problem]]:
    """The policy of `config` (every rule at its default level when there is none) and its problems."""
    written = config.policy
    problems: list[Problem] = []
    rules = written.rules if written else {}
    for rule_id, written_setting in rules.items():
        if find_rule(rule_id) is None:
            message = f"unknown rule {rule_id!r}{did_you_mean(rule_id)}"
            problems.append(_problem(config, written_setting, None, f"policy.rules.{rule_id}", message))
    settings = []
    for rule in RULES:
        setting = rules.get(rule.id)
        if setting is None:
            settings.append(Setting(rule, rule.level, {n: s.default for n, s in rule.thresholds.items()}))
            continue
        level: Level | None = rule.level
        if setting.severity is not None:
            level = None if setting.severity == "off" else setting.severity
        settings.append(Setting(rule, level, _thresholds(config, rule, setting, problems)))
    exceptions: dict[tuple[str, str], str] = {}
    for index, exception in enumerate(written.exceptions if written else []):
        if find_rule(exception.rule) is None:
            message = f"unknown rule {exception.rule!r}{did_you_mean(exception.rule)}"
            problems.append(_problem(config, exception, "rule", f"policy.exceptions[{index}].rule", message))
        exceptions[(exception.rule, exception.service)] = exception.reason
    return Policy(tuple(settings), exceptions), problems
