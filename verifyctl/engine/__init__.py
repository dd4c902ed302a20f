"""The engine: one object per account that runs a command from start to finish (octoDNS's Manager)."""

from verifyctl.apply.executor import NOT_STARTED, ApplyResult, Outcome
from verifyctl.engine.account import LOCAL_API_URL, LOCAL_DB, AccountSpec
from verifyctl.engine.desired import DEFAULT_PATH, Desired, load_configuration, load_desired
from verifyctl.engine.engine import Engine, ImportResult
from verifyctl.plan.guards import check_guards

__all__ = [
    "ApplyResult",
    "NOT_STARTED",
    "Outcome",
    "check_guards",
    "DEFAULT_PATH",
    "LOCAL_API_URL",
    "LOCAL_DB",
    "AccountSpec",
    "Desired",
    "Engine",
    "ImportResult",
    "load_configuration",
    "load_desired",
]
