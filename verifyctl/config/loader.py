"""Load the configuration: every file and directory given, merged into one account, every problem at once."""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from verifyctl.config.environments import environment_problems
from verifyctl.config.files import DEFAULT_PATH, ConfigFiles, Parse
from verifyctl.config.identity import duplicate_problems
from verifyctl.config.limits import DEFAULT_LIMITS, LIMITS_DOC, YamlLimits
from verifyctl.config.models import (
    ConfigModel,
    EnvironmentConfig,
    PolicyConfig,
    SafeListNumberConfig,
    ServiceConfig,
)
from verifyctl.config.paths import expand_paths
from verifyctl.config.safelist import safe_list_duplicates
from verifyctl.config.shown import shorten
from verifyctl.config.substitution import substitute
from verifyctl.config.validation import (
    coerce_expanded,
    describe,
    python_name_keys,
    validate_document,
    walk_models,
)
from verifyctl.config.yaml_document import Document, Loc
from verifyctl.config.yaml_source import parse_yaml
from verifyctl.errors import ConfigError, Problem

# DEFAULT_PATH and expand_paths are imported from here too.
__all__ = [
    "DEFAULT_PATH",
    "Config",
    "expand_paths",
    "load_config",
    "load_files",
    "load_sources",
    "printable_name",
]
# The longest path and message a problem prints (its checks quote values cut to 40 characters already).
PATH_SHOWN = 200
MESSAGE_SHOWN = 400


@dataclass
class Config:
    """The desired state of one account, merged from every file."""

    services: list[ServiceConfig]
    # True when any file says `prune: true`: the files own the whole account.
    prune: bool
    files: list[Path]
    # The `policy:` section (of the one file that has it), read by the lint package.
    policy: PolicyConfig | None = None
    # The `environments:` section (of the one file that has it) and that file, for its var_files.
    environments: dict[str, EnvironmentConfig] = field(default_factory=dict)
    environments_file: Path | None = None
    # The `safe_list:` entries of every file, in file order.
    safe_list: list[SafeListNumberConfig] = field(default_factory=list)
    # Values substituted from `${secret:NAME}` (masked wherever they would be shown).
    secrets: frozenset[str] = field(default=frozenset(), repr=False)
    # Where each model (and each key of it) was written, worked out when first asked.
    _places: _Places | None = field(default=None, repr=False, compare=False)

    def location(self, obj: ConfigModel) -> str:
        """`FILE:LINE:COL` where a service (or any object inside one) of this config was written."""
        return "{}:{}:{}".format(*self.place(obj))

    def place(self, obj: ConfigModel, key: str | None = None) -> tuple[str, int, int]:
        """(FILE, LINE, COL) of an object of this config, or of its `key` when that key was written."""
        locations = self._places.locations() if self._places is not None else {}
        if key is not None and (id(obj), key) in locations:
            return locations[(id(obj), key)]
        try:
            return locations[id(obj)]
        except KeyError:
            raise ValueError(f"{type(obj).__name__} was not loaded into this Config") from None

    @property
    def object_count(self) -> int:
        """Services, rate limits, buckets, messaging configurations and webhooks, all counted."""
        count = 0
        for service in self.services:
            count += 1 + len(service.messaging_configurations or []) + len(service.webhooks or [])
            for rate_limit in service.rate_limits or []:
                count += 1 + len(rate_limit.buckets or [])
        return count


class _Places:
    """Where each model of a loaded config was written: id(model) -> where the model starts, and
    (id(model), key) -> where that key of it is written.

    Worked out on the first question, not while loading: `validate` of a valid file asks none, and the
    walk over every model and key was a tenth of its CPU for 2,000 services. The documents are dropped
    once it is done.
    """

    def __init__(
        self,
        documents: dict[str, Document],
        roots: list[tuple[str, Loc, ConfigModel]],
        policies: list[tuple[str, PolicyConfig]],
    ) -> None:
        self._documents: dict[str, Document] | None = documents
        self._roots = roots
        self._policies = policies
        self._locations: dict[Hashable, tuple[str, int, int]] = {}

    def locations(self) -> dict[Hashable, tuple[str, int, int]]:
        """Every place, worked out on the first call."""
        if self._documents is not None:
            self._work_out()
        return self._locations

    def _work_out(self) -> None:
        documents = self._documents
        assert documents is not None
        locations = self._locations
        for file, root_loc, root in self._roots:
            document, shown = documents[file], printable_name(file)
            for loc, model in walk_models(root, root_loc):
                where = document.position(loc)
                locations[id(model)] = (shown, where.line, where.column)
                # Keys too, so that a lint finding points at the very line of `code_length:`.
                for key in [*model.model_fields_set, *(model.model_extra or {})]:
                    info = type(model).model_fields.get(key)
                    yaml_key = (info.alias if info else None) or key
                    at = document.key_position((*loc, yaml_key))
                    locations[(id(model), yaml_key)] = (shown, at.line, at.column)
        for file, policy in self._policies:
            # A rule's setting is found where its rule id is written.
            for rule_id, setting in policy.rules.items():
                at = documents[file].key_position(("policy", "rules", rule_id))
                locations[id(setting)] = (printable_name(file), at.line, at.column)
        self._documents, self._roots, self._policies = None, [], []


@dataclass
class _FileResult:
    document: Document | None
    services: list[tuple[int, ServiceConfig]]
    prune: bool
    problems: list[Problem]
    policy: PolicyConfig | None = None
    environments: dict[str, EnvironmentConfig] | None = None
    safe_list: list[SafeListNumberConfig] = field(default_factory=list)


def printable_name(name: str) -> str:
    """A file name as shown in messages: quoted and escaped when it holds a line break or a control
    character (legal in a file name), so that each problem stays on its one line."""
    return name if name.isprintable() else json.dumps(name)


def _shown(problem: Problem) -> Problem:
    # Each check cuts the values it quotes; this is the net under all of them, so that no value written
    # in a file (a 100 KB name, a key of any length) makes a problem longer than a few lines of text.
    return replace(
        problem,
        file=printable_name(problem.file),
        path=shorten(problem.path, PATH_SHOWN),
        message=shorten(problem.message, MESSAGE_SHOWN),
    )


def _capped(name: str, problems: list[Problem], limit: int) -> list[Problem]:
    """At most `limit` problems of one file, the first in the file, and a last line when there were more."""
    if len(problems) <= limit:
        return problems
    kept = sorted(problems, key=lambda p: (p.line, p.column))[:limit]
    last = kept[-1] if kept else Problem(name, 1, 1, "", "")
    message = f"more problems follow; the first {limit:,} of this file are shown (see {LIMITS_DOC})"
    return [*kept, Problem(name, last.line, last.column, "", message)]


def _load_file(
    name: str,
    data: bytes,
    environ: Mapping[str, str],
    limits: YamlLimits,
    parse: Callable[[str, bytes], Parse],
) -> _FileResult:
    # Each check stops reporting soon after limits.max_problems, and _load keeps that many per file.
    document, problems = parse(name, data)
    problems = list(problems)
    if document is None:
        return _FileResult(None, [], False, problems)
    if not isinstance(document.data, dict):
        where = document.position(())
        expected = "the top level must be a mapping with 'version: 1' and 'services:'"
        message = f"{expected}, not {describe(document.data)}"
        return _FileResult(None, [], False, [*problems, Problem(name, where.line, where.column, "", message)])
    substituted = substitute(name, document, environ, limits.max_problems)
    document = substituted.document
    problems += substituted.problems
    coerce_expanded(document, substituted.expanded)
    problems += python_name_keys(name, document)
    config_file, validation_problems = validate_document(name, document, limits.max_problems - len(problems))
    problems += validation_problems
    if config_file is None:
        return _FileResult(document, [], False, problems)
    services = list(enumerate(config_file.services))
    return _FileResult(
        document,
        services,
        config_file.prune,
        problems,
        config_file.policy,
        config_file.environments,
        list(config_file.safe_list),
    )


def load_sources(
    sources: Sequence[tuple[str, bytes]], environ: Mapping[str, str], *, limits: YamlLimits = DEFAULT_LIMITS
) -> Config:
    """Load (name, content) pairs as one account; raise ConfigError with every problem, in file order."""
    return _load(sources, [], [], environ, limits, lambda name, data: parse_yaml(name, data, limits))


def load_config(
    paths: Sequence[str | Path],
    environ: Mapping[str, str],
    *,
    limits: YamlLimits = DEFAULT_LIMITS,
    outside_links: bool = False,
) -> Config:
    """Load the files and directories given (default `verifyctl.yaml`) as one account.

    `environ` supplies `${VAR}` values; the config layer never reads the process environment itself.
    `limits` bounds what each file may cost to parse (see docs/configuration-limits.md).
    `outside_links` lets links lead outside the directory each path is read in.
    """
    return load_files(ConfigFiles(paths, limits=limits, outside_links=outside_links), environ)


def load_files(files: ConfigFiles, environ: Mapping[str, str]) -> Config:
    """Load the files of `files` as one account, each file read and parsed by `files` once per command."""
    sources, problems = files.sources()
    return _load(
        sources,
        problems,
        files.found().order,
        environ,
        files.limits,
        files.parse,
        files=[Path(name) for name, _ in sources],
    )


def _load(
    sources: Sequence[tuple[str, bytes]],
    problems: list[Problem],
    order: list[str],
    environ: Mapping[str, str],
    limits: YamlLimits,
    parse: Callable[[str, bytes], Parse],
    files: list[Path] | None = None,
) -> Config:
    documents: dict[str, Document] = {}
    placed: list[tuple[str, int, ServiceConfig]] = []
    policies: list[tuple[str, PolicyConfig]] = []
    environments: list[tuple[str, dict[str, EnvironmentConfig]]] = []
    safe_list: list[tuple[str, int, SafeListNumberConfig]] = []
    prune = False
    for name, data in sources:
        result = _load_file(name, data, environ, limits, parse)
        problems.extend(result.problems)
        if result.document is not None:
            documents[name] = result.document
        placed.extend((name, index, service) for index, service in result.services)
        prune = prune or result.prune
        if result.policy is not None:
            policies.append((name, result.policy))
        if result.environments is not None:
            environments.append((name, result.environments))
        safe_list.extend((name, index, entry) for index, entry in enumerate(result.safe_list))

    for key in ("policy", "environments"):
        written = [name for name, doc in documents.items() if isinstance(doc.data, dict) and key in doc.data]
        problems.extend(_second_sections(documents, written, key))
    problems.extend(environment_problems(documents))
    problems.extend(duplicate_problems(list(documents.items())))
    problems.extend(safe_list_duplicates(list(documents.items())))
    by_file: dict[str, list[Problem]] = {}
    for problem in problems:
        by_file.setdefault(problem.file, []).append(problem)
    problems = [kept for file, found in by_file.items() for kept in _capped(file, found, limits.max_problems)]
    if problems:
        rank: dict[str, int] = {}
        for name in [*order, *(name for name, _ in sources)]:
            rank.setdefault(name, len(rank))
        problems.sort(key=lambda p: (rank.get(p.file, len(rank)), p.line, p.column))
        raise ConfigError([_shown(p) for p in problems])
    roots: list[tuple[str, Loc, ConfigModel]] = [(file, ("services", i), s) for file, i, s in placed]
    for file, policy in policies:
        roots.append((file, ("policy",), policy))
        roots += [(file, ("policy", "rules", rule_id), s) for rule_id, s in policy.rules.items()]
    roots += [(file, ("safe_list", index), entry) for file, index, entry in safe_list]
    return Config(
        services=[service for _, _, service in placed],
        prune=prune,
        files=files if files is not None else [Path(name) for name, _ in sources],
        policy=policies[0][1] if policies else None,
        environments=environments[0][1] if environments else {},
        environments_file=Path(environments[0][0]) if environments else None,
        safe_list=[entry for _, _, entry in safe_list],
        secrets=frozenset(value for document in documents.values() for value in document.secrets),
        _places=_Places(documents, roots, policies),
    )


def _second_sections(documents: Mapping[str, Document], names: list[str], key: str) -> list[Problem]:
    """`policy:` and `environments:` are written once in all files: a problem for each later file."""
    problems = []
    what = "the policy is" if key == "policy" else "the environments are"
    for name in names[1:]:
        first, at = documents[names[0]].key_position((key,)), documents[name].key_position((key,))
        where = f"{printable_name(names[0])}:{first.line}:{first.column}"
        message = f"{what} written once in all files; first written at {where}"
        problems.append(Problem(name, at.line, at.column, key, message))
    return problems
