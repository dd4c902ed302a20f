"""Policy as code: rules over the desired state, findings located FILE:LINE:COL (pure: no I/O, no network)."""

from verifyctl.lint.findings import Finding, Findings
from verifyctl.lint.policy import check_policy
from verifyctl.lint.rules import RULES, Rule, find_rule
from verifyctl.lint.runner import run
from verifyctl.lint.templates import TemplateInfo

__all__ = ["RULES", "Finding", "Findings", "Rule", "TemplateInfo", "check_policy", "find_rule", "run"]
