"""The rule table: every rule's id, default level, one-line fix, explanation and thresholds, in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from verifyctl.config.models import CODE_LENGTH_RANGE, TOTP_SKEW_RANGE, TOTP_TIME_STEP_RANGE
from verifyctl.config.validation import suggestion
from verifyctl.lint import checks, live
from verifyctl.lint.context import Check, Threshold
from verifyctl.lint.findings import Level


@dataclass(frozen=True)
class ThresholdSpec:
    """A number (or list of names) a policy may set for a rule: `code-length: {min: 8}`.

    A number has the range the API allows (`bounds`) and a direction in which it lets more through
    (`looser`: "lower" for a minimum, "higher" for a maximum): a policy that moves it that way from its
    default weakens the rule.
    """

    default: Threshold
    description: str
    bounds: tuple[int, int] | None = None
    looser: Literal["lower", "higher"] | None = None

    def loosened(self, value: Threshold) -> bool:
        """Whether `value` lets more through than the default."""
        if not isinstance(value, int) or not isinstance(self.default, int):
            return False
        return (
            value < self.default
            if self.looser == "lower"
            else self.looser == "higher" and value > self.default
        )


@dataclass(frozen=True)
class Rule:
    """One rule: what it checks (`summary`, which says the fix), why (`explanation`), and how it runs."""

    id: str
    level: Level
    summary: str
    explanation: str
    check: Check
    thresholds: Mapping[str, ThresholdSpec] = field(default_factory=dict)
    # True when the check needs the live account: only `plan` runs it.
    live: bool = False


RULES: tuple[Rule, ...] = (
    Rule(
        "code-length",
        "error",
        "A verification code shorter than `min` digits: raise code_length.",
        "A shorter code is easier to guess: with 4 digits an attacker who gets five tries has a 1 in 2,000"
        " chance, with 6 digits 1 in 200,000. Twilio's default is 6. A service that leaves code_length out"
        " keeps the default and is not reported. Threshold `min` (default 6) is the shortest code allowed.",
        checks.code_length,
        {"min": ThresholdSpec(6, "the shortest code_length allowed", CODE_LENGTH_RANGE, "lower")},
    ),
    Rule(
        "landline-skip-needs-lookup",
        "error",
        "skip_sms_to_landlines without lookup_enabled: true: enable lookup.",
        "Verify can only tell a landline from a mobile number by a Lookup; the API documents"
        " skip_sms_to_landlines as requiring lookup_enabled. Without it the skip silently does nothing and"
        " SMS codes still go to landlines, where they may be read out by a text-to-speech service.",
        checks.landline_skip_needs_lookup,
    ),
    Rule(
        "rate-limit-without-buckets",
        "warning",
        "A rate limit with no buckets limits nothing: add a bucket.",
        "A rate limit only counts requests; its buckets (`interval` seconds, `max` requests) are what stop"
        " them. A rate limit written with `buckets: []` has none, so every request passes. A rate limit"
        " that leaves `buckets` out keeps whatever buckets the live account has, which this file cannot"
        " show: declare them so that a reviewer sees the limit.",
        checks.rate_limit_without_buckets,
    ),
    Rule(
        "bucket-intervals",
        "warning",
        "Buckets that repeat an interval or never apply: longer intervals must allow more, more slowly.",
        "Buckets of one rate limit, sorted by interval, should form a ladder. A longer interval must allow"
        " more requests than a shorter one: otherwise the shorter bucket never stops anything (the"
        " interval 'shrinks' the allowance). And it must allow fewer than the shorter bucket already"
        " lets through over the longer span (max of the shorter times the number of its intervals in"
        " the longer one): otherwise the longer bucket never stops anything. Either way one bucket is dead"
        " and the limit is not what it reads like. An interval written twice is reported too (`validate`"
        " already refuses it).",
        checks.bucket_intervals,
    ),
    Rule(
        "webhook-https",
        "error",
        "A webhook URL that is not https://: use https.",
        "Webhook events carry user identities and verification results; over plain http anyone on the"
        " path can read or change them. `validate` refuses such URLs already; this rule keeps the guarantee"
        " for desired state built by other means and makes it part of the written policy.",
        checks.webhook_https,
    ),
    Rule(
        "webhook-without-events",
        "error",
        "A webhook with no event_types is never called: list its events.",
        "A webhook is called only for the event types it lists; with none it is dead configuration that"
        " reviewers may take for monitoring that works. The API requires event types, and `validate`"
        " refuses an empty list already; this rule keeps that for desired state built by other means.",
        checks.webhook_without_events,
    ),
    Rule(
        "webhook-disabled",
        "warning",
        "A webhook with status: disabled delivers nothing: enable it or remove it.",
        "A disabled webhook kept in configuration reads like audit or alerting that is in place, but no"
        " event reaches it. Enable it, or remove it from the file (and let the authoritative list delete"
        " it) if it is no longer wanted.",
        checks.webhook_disabled,
    ),
    Rule(
        "totp-ranges",
        "error",
        "TOTP time_step or skew outside the allowed range: bring it within the thresholds.",
        "Twilio documents totp.time_step between 20 and 60 seconds and totp.skew between 0 and 2 steps."
        " A longer step or a larger skew keeps each code valid for longer (skew 2 with 60 s steps accepts"
        " codes for five minutes). The thresholds default to Twilio's ranges, which `validate` already"
        " enforces; a policy may narrow them, for example `max_skew: 1`.",
        checks.totp_ranges,
        {
            "min_time_step": ThresholdSpec(
                20, "the shortest totp.time_step allowed, in seconds", TOTP_TIME_STEP_RANGE, "lower"
            ),
            "max_time_step": ThresholdSpec(
                60, "the longest totp.time_step allowed, in seconds", TOTP_TIME_STEP_RANGE, "higher"
            ),
            "max_skew": ThresholdSpec(
                2, "the largest totp.skew allowed, in time steps", TOTP_SKEW_RANGE, "higher"
            ),
        },
    ),
    Rule(
        "psd2-noted",
        "info",
        "psd2_enabled: every verification must send Amount and Payee; check the application does.",
        "With PSD2 enabled, Verify binds each code to a payment (dynamic linking, required for strong"
        " customer authentication in the EU): every verification of the service must pass Amount and"
        " Payee, and the message shows them. The configuration cannot check the application's calls, so"
        " this is a note for the reviewer.",
        checks.psd2_noted,
    ),
    Rule(
        "service-without-rate-limit",
        "warning",
        "A service with no rate limit declared: declare rate_limits with buckets.",
        "Verify's own fraud guard is account-wide; rate limits with buckets per phone number or IP address"
        " are what stop one user from requesting codes in a loop (SMS pumping). A service that leaves"
        " rate_limits out keeps whatever the live account has, which a reviewer cannot see; one that writes"
        " `rate_limits: []` has none.",
        checks.service_without_rate_limit,
    ),
    Rule(
        "default-template-approved",
        "error",
        "The default template is missing, not for SMS or not approved: pick an approved template.",
        "A service's default template (default_template or default_template_sid) must be one of the"
        " account's templates, for SMS, and approved; otherwise verifications fail or fall back to the"
        " standard message. Only `plan` runs this rule, as it needs the account's templates. Threshold"
        " `locales` (default: none) lists locales that must each have an approved translation; without"
        " it, one approved translation is enough.",
        live.default_template_approved,
        {"locales": ThresholdSpec((), "locales that must each have an approved translation")},
        live=True,
    ),
    Rule(
        "duplicate-friendly-names",
        "error",
        "Two services of one environment give the same output name: rename one.",
        "`verifyctl output` names each service by its friendly name upper-cased with every other character"
        " as `_` (`Acme Login` -> ACME_LOGIN_VERIFY_SERVICE_SID), and applications read those names."
        " Names that differ only in case or punctuation (`Acme Login`, `acme-login`) give the same one,"
        " so one service's SID would hide the other's. Each environment is checked on its own services;"
        " the same name in two environments is expected and fine.",
        checks.duplicate_friendly_names,
    ),
)

_BY_ID = {rule.id: rule for rule in RULES}


def find_rule(rule_id: str) -> Rule | None:
    """The rule with this id, or None."""
    return _BY_ID.get(rule_id)


def did_you_mean(rule_id: str) -> str:
    """` (did you mean 'code-length'?)` for a mistyped rule id, or an empty string."""
    guess = suggestion(rule_id, list(_BY_ID))
    return f" (did you mean {guess!r}?)" if guess else ""
