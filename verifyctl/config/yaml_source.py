"""YAML bytes -> plain data, the line and column of every key and value, and problems (never exceptions)."""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import ScalarNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.scanner import Scanner

from verifyctl.config.limits import DEFAULT_LIMITS, Budget, OverLimit, YamlLimits, too_deep, too_large
from verifyctl.config.yaml_document import Document, Position
from verifyctl.config.yaml_events import compose
from verifyctl.config.yaml_schema import STR, CoreResolver
from verifyctl.errors import Problem


def plain_scalar_is_string(text: str) -> bool:
    """Whether `text`, written unquoted, loads back as a string under the schema the loader uses."""
    tag: str = CoreResolver().resolve(ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag == STR


class _PythonParser(Reader, Scanner, Parser):
    """PyYAML's own parser: the events when PyYAML was built without libyaml, and the words of a syntax
    error (libyaml finds the same errors, but says less: not which character, nor what it expected)."""

    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)


def _libyaml_parser() -> Any:
    try:
        from yaml import cyaml
    except ImportError:  # PyYAML built without libyaml
        return None
    return getattr(cyaml, "CParser", None)


# libyaml's parser: the same events as PyYAML's, ten times faster.
_CParser: Any = _libyaml_parser() or _PythonParser


def _decode(name: str, data: bytes) -> tuple[str | None, list[Problem]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start].decode("utf-8", errors="replace")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        byte = data[exc.start]
        return None, [Problem(name, line, column, "", f"not UTF-8 text: byte 0x{byte:02x} cannot be decoded")]
    return text, []


def _position_in(text: str, index: int) -> Position:
    before = text[:index]
    return Position(before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1)


_SUBSTITUTION = re.compile(r"\$\{[^}\n]*\}?")


def _yaml_hint(text: str, exc: yaml.MarkedYAMLError) -> str:
    """The next step for the two scanner errors new users meet most: a tab, and an unquoted ${...}."""
    if exc.problem and "'\\t'" in exc.problem:
        return "; YAML forbids tabs for indentation; use spaces"
    mark = exc.problem_mark
    lines = text.splitlines()
    if mark is None or mark.line >= len(lines):
        return ""
    # In a flow mapping ({max: ${X:-5}}) the braces of a substitution end the mapping early.
    found = _SUBSTITUTION.search(lines[mark.line])
    if found and lines[mark.line][: found.start()].count('"') % 2 == 0:
        return f'; quote it: "{found.group(0)}"'
    return ""


def _yaml_problem(name: str, text: str, exc: yaml.YAMLError) -> Problem:
    if isinstance(exc, yaml.reader.ReaderError):
        where = _position_in(text, exc.position)
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        message = f"invalid YAML: the control character U+{ord(char):04X} is not allowed"
        return Problem(name, where.line, where.column, "", message)
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        message = f"invalid YAML: {exc.problem or exc.context}"
        if exc.context and exc.problem and exc.context_mark:
            message += f" ({exc.context} on line {exc.context_mark.line + 1})"
        return Problem(name, where.line, where.column, "", message + _yaml_hint(text, exc))
    return Problem(name, 1, 1, "", f"invalid YAML: {exc}")


def _refusal(name: str, text: str, error: yaml.YAMLError, limits: YamlLimits) -> Problem:
    """The problem of a text libyaml refused (`error`): as PyYAML's parser words it, when it finds one,
    and a nesting deeper than the bound before it as that bound (libyaml looks ahead, and refuses
    nesting past its own bound of 1,000 levels before the first event of it)."""
    if _CParser is not _PythonParser and isinstance(error, yaml.MarkedYAMLError):
        parser = _PythonParser(text)
        depth = 0
        try:
            while (event := parser.get_event()) is not None:  # type: ignore[no-untyped-call]
                kind = type(event)
                if kind in _ENDS:
                    depth -= 1
                    continue
                if depth > limits.max_depth and kind is not yaml.DocumentStartEvent:
                    raise too_deep(event.start_mark, limits)
                depth += kind in _STARTS
        except OverLimit as exc:
            return Problem(name, exc.mark.line + 1, exc.mark.column + 1, "", exc.message)
        except yaml.YAMLError as worded:
            error = worded
    return _yaml_problem(name, text, error)


_STARTS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_ENDS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


# Every value but the document itself comes in with one of these characters: a block sequence item
# with its `-`, a mapping value with its `:`, a flow item with the `[` or `,` before it, and a value
# left out with its key's `{`, `,` or `?`. Their count bounds the values of a file without aliases.
_VALUE_MARKS = "-:,[{?"


def _may_cross_a_bound(text: str, limits: YamlLimits) -> bool:
    """Whether `text` might hold more values or text than `limits` allow: it may have aliases (each
    repeats a whole node), or its length or its count of value marks is over a bound."""
    if "*" in text and "&" in text:
        return True
    return len(text) > limits.max_text or 1 + sum(map(text.count, _VALUE_MARKS)) > limits.max_values


def _count(text: str, limits: YamlLimits) -> None:
    """Count the events of the first document against `limits`, raising OverLimit, before any of it is
    built: refusing an alias bomb or a huge flat list then costs time, not memory. A YAML error is left
    to the pass that builds the document, which meets it too."""
    budget = Budget(limits)
    events = _CParser(text)
    documents = 0
    try:
        while (event := events.get_event()) is not None:
            if type(event) is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    return
            budget.feed(event)
    except yaml.YAMLError:
        return


def parse_yaml(
    name: str, data: bytes, limits: YamlLimits = DEFAULT_LIMITS
) -> tuple[Document | None, list[Problem]]:
    """Parse one file within `limits`; the Document is None when the file is not usable YAML at all.

    One way for every file: its events, from libyaml, go straight to data and positions, every bound
    counted before anything of an event is built (docs/configuration-limits.md).
    """
    if len(data) > limits.max_file_bytes:
        return None, [Problem(name, 1, 1, "", too_large(limits))]
    text, problems = _decode(name, data)
    if text is None:
        return None, problems
    # PyYAML's reader refuses these characters; libyaml lets some through.
    refused = Reader.NON_PRINTABLE.search(text)
    if refused is not None:
        where = _position_in(text, refused.start())
        message = f"invalid YAML: the control character U+{ord(refused.group()):04X} is not allowed"
        return None, [Problem(name, where.line, where.column, "", message)]
    try:
        if _may_cross_a_bound(text, limits):
            _count(text, limits)
        return compose(name, text, _CParser(text), limits)
    except OverLimit as exc:
        return None, [Problem(name, exc.mark.line + 1, exc.mark.column + 1, "", exc.message)]
    except yaml.YAMLError as exc:
        return None, [_refusal(name, text, exc, limits)]
