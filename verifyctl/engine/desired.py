"""The desired state of a run: the configuration files loaded into desired records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from verifyctl.config.environment_section import services_in
from verifyctl.config.files import ConfigFiles
from verifyctl.config.loader import Config, load_config, load_files
from verifyctl.lint import check_policy
from verifyctl.resources.from_config import desired_records
from verifyctl.resources.records import DesiredRecord
from verifyctl.resources.safelist import safe_list_records

DEFAULT_PATH = "verifyctl.yaml"


@dataclass(frozen=True)
class Desired:
    services: tuple[DesiredRecord, ...]
    prune: bool
    # The loaded configuration, for the policy rules (None for desired state built another way).
    config: Config | None = None
    # The named environment the files were loaded for ("" without environments).
    environment: str = ""
    # The `safe_list:` entries (kind safe_list), planned beside the services.
    safe_list: tuple[DesiredRecord, ...] = ()

    @property
    def secrets(self) -> frozenset[str]:
        """Values substituted from `${secret:NAME}`: every output masks them."""
        return self.config.secrets if self.config is not None else frozenset()


def load_configuration(
    paths: Sequence[str], environ: Mapping[str, str], environment: str = "", files: ConfigFiles | None = None
) -> Config:
    """Load and check PATHs (default verifyctl.yaml), `${VAR}` from `environ`; ConfigError lists every
    problem. No request may go before this returns: the files are checked before the account is read.

    For a named environment, only the services it has (those without `environments:` or naming it).
    `files`: the command's files as already read (a Target's), so that none is read or parsed twice;
    without, PATHs are read here.
    """
    config = (
        load_files(files, environ)
        if files is not None
        else load_config(list(paths) or [DEFAULT_PATH], environ)
    )
    check_policy(config)  # its mistakes are the files' mistakes: reported before the account is read
    return services_in(config, environment)


def desired_of(config: Config, environment: str = "") -> Desired:
    """The desired records of a checked configuration (building them cannot fail)."""
    services = tuple(desired_records(config.services, config.location))
    safe_list = tuple(safe_list_records(config.safe_list, config.location))
    return Desired(services, config.prune, config, environment, safe_list)


def load_desired(
    paths: Sequence[str], environ: Mapping[str, str], environment: str = "", files: ConfigFiles | None = None
) -> Desired:
    """`load_configuration` and `desired_of` in one call."""
    return desired_of(load_configuration(paths, environ, environment, files), environment)
