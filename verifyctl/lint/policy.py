"""The `policy:` section read against the rule table: levels, thresholds, exceptions, and its mistakes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from verifyctl.config.loader import Config
from verifyctl.config.models import REASON_HELP, SEVERITIES, ConfigModel, RuleSettingConfig, reason_problem
from verifyctl.config.shown import quoted
from verifyctl.config.validation import suggestion
from verifyctl.errors import ConfigError, Problem
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
) -> tuple[dict[str, Threshold], list[str]]:
    """The rule's thresholds under the setting, and the names of those it loosens past their default."""
    values = {name: spec.default for name, spec in rule.thresholds.items()}
    loosened: list[str] = []
    for name, value in (setting.model_extra or {}).items():
        path = f"policy.rules.{rule.id}.{name}"
        spec = rule.thresholds.get(name)
        if spec is None:
            allowed = ["severity", "reason", *rule.thresholds]
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
        if spec.bounds is not None and isinstance(converted, int):
            low, high = spec.bounds
            if not low <= converted <= high:
                message = f"must be between {low} and {high} (the API's range), not {converted}"
                problems.append(_problem(config, setting, name, path, message))
                continue
        if spec.loosened(converted):
            loosened.append(f"{name}: {converted}, looser than its default {spec.default}")
        values[name] = converted
    return values, loosened


def _level(config: Config, rule: Rule, setting: RuleSettingConfig, problems: list[Problem]) -> Level | None:
    """The level the setting gives the rule (None: off); a problem for a severity that is none."""
    if setting.severity is None:
        return rule.level
    if setting.severity not in SEVERITIES:
        path = f"policy.rules.{rule.id}.severity"
        message = f"must be 'error', 'warning', 'info' or 'off', not {quoted(setting.severity)}"
        problems.append(_problem(config, setting, "severity", path, message))
        return rule.level
    return None if setting.severity == "off" else setting.severity  # type: ignore[return-value]


def _reason_problems(
    config: Config, obj: ConfigModel, path: str, reason: str | None, why: str
) -> list[Problem]:
    if reason is None or not reason.strip():
        return [_problem(config, obj, "reason" if reason is not None else None, f"{path}.reason", why)]
    problem = reason_problem(reason)
    return [_problem(config, obj, "reason", f"{path}.reason", problem)] if problem else []


def read_policy(config: Config) -> tuple[Policy, list[Problem]]:
    """The policy of `config` (every rule at its default level when there is none) and every one of its
    problems at once: unknown rules and keys, wrong values, and an error rule weakened without a reason."""
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
        level = _level(config, rule, setting, problems)
        thresholds, loosened = _thresholds(config, rule, setting, problems)
        path = f"policy.rules.{rule.id}"
        weakened = [f"severity: {setting.severity}"] if level != rule.level and rule.level == "error" else []
        weakened += loosened if rule.level == "error" else []
        if weakened:
            why = (
                f"weakens the error rule {rule.id} ({'; '.join(weakened)}): give a reason, as an exception"
                f" has one ({REASON_HELP})"
            )
            problems += _reason_problems(config, setting, path, setting.reason, why)
        elif setting.reason is not None:
            problems += _reason_problems(
                config, setting, path, setting.reason, f"a reason needs words: {REASON_HELP}"
            )
        settings.append(Setting(rule, level, thresholds))
    exceptions: dict[tuple[str, str], str] = {}
    for index, exception in enumerate(written.exceptions if written else []):
        path = f"policy.exceptions[{index}]"
        for key in ("rule", "service"):
            if not getattr(exception, key).strip():
                problems.append(
                    _problem(config, exception, key, f"{path}.{key}", f"missing required key {key!r}")
                )
        if exception.rule.strip() and find_rule(exception.rule) is None:
            message = f"unknown rule {exception.rule!r}{did_you_mean(exception.rule)}"
            problems.append(_problem(config, exception, "rule", f"{path}.rule", message))
        why = f"an exception needs a reason: {REASON_HELP}"
        problems += _reason_problems(config, exception, path, exception.reason, why)
        exceptions[(exception.rule, exception.service)] = exception.reason
    problems.sort(key=lambda p: (p.file, p.line, p.column))
    return Policy(tuple(settings), exceptions), problems


def check_policy(config: Config) -> Policy:
    """The policy of `config`; ConfigError (exit 1) with every mistake of it, before any request."""
    policy, problems = read_policy(config)
    if problems:
        raise ConfigError(problems)
    return policy
