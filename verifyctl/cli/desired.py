"""Load the configuration files named on the command line into desired records."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from verifyctl.config.loader import load_config
from verifyctl.resources.from_config import desired_records
from verifyctl.resources.records import Record

DEFAULT_PATH = "verifyctl.yaml"


@dataclass(frozen=True)
class Desired:
    services: list[Record]
    prune: bool


def load_desired(paths: Sequence[str]) -> Desired:
    config = load_config(list(paths) or [DEFAULT_PATH], os.environ)
    return Desired(desired_records(config.services, config.location), config.prune)
