"""The desired state of a run: the configuration files loaded into desired records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from verifyctl.config.loader import Config, load_config
from verifyctl.resources.from_config import desired_records
from verifyctl.resources.records import DesiredRecord

DEFAULT_PATH = "verifyctl.yaml"


@dataclass(frozen=True)
class Desired:
    services: tuple[DesiredRecord, ...]
    prune: bool
    # The loaded configuration, for the policy rules (None for desired state built another way).
    config: Config | None = None

    @property
    def secrets(self) -> frozenset[str]:
        """Values substituted from `${secret:NAME}`: every output masks them."""
        return self.config.secrets if self.config is not None else frozenset()


def load_desired(paths: Sequence[str], environ: Mapping[str, str]) -> Desired:
    """Load PATHs (default verifyctl.yaml), `${VAR}` from `environ`; ConfigError lists every problem."""
    config = load_config(list(paths) or [DEFAULT_PATH], environ)
    return Desired(tuple(desired_records(config.services, config.location)), config.prune, config)
