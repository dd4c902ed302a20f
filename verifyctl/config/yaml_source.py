"""YAML bytes -> plain data, the line and column of every key and value, and problems (never exceptions)."""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.scanner import Scanner

from verifyctl.config.limits import DEFAULT_LIMITS, Budget, OverLimit, YamlLimits, too_large
from verifyctl.config.shown import quoted
from verifyctl.config.yaml_document import At, Document, Loc, Position, format_loc
from verifyctl.config.yaml_events import compose_plain
from verifyctl.config.yaml_schema import (
    MAP,
    MERGE,
    NULL,
    SEQ,
    STR,
    CoreResolver,
    plain_tag_resolver,
    scalar_value,
    string_column,
    tag_name,
)
from verifyctl.errors import Problem


def plain_scalar_is_string(text: str) -> bool:
    """Whether `text`, written unquoted, loads back as a string under the schema the loader uses."""
    tag: str = CoreResolver().resolve(ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return tag == STR


def _libyaml_parser() -> Any:
    try:
        from yaml import cyaml
    except ImportError:  # PyYAML built without libyaml
        return None
    return getattr(cyaml, "CParser", None)


_CParser: Any = _libyaml_parser()

if _CParser is not None:

    class _LibyamlNodeLoader(_CParser, CoreResolver):  # type: ignore[misc]
        """libyaml's parser and composer with the same resolver: the same nodes, ten times faster."""

        def __init__(self, text: str) -> None:
            _CParser.__init__(self, text)
            CoreResolver.__init__(self)
            self._tags: dict[tuple[Any, Any, Any], str] = {}

        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            # A file repeats its values (6, true, US, the same keys per service): each is matched
            # against the schema's patterns once per file, not once per occurrence.
            key = (kind, value, implicit)
            tag = self._tags.get(key)
            if tag is None:
                tag = self._tags[key] = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
            return tag


def _count_with_libyaml(text: str, limits: YamlLimits) -> int | None:
    """Count libyaml's events of the first document against `limits` (raising OverLimit); the number of
    documents started (1, or 2 when there is more than one), or None when libyaml finds the text malformed.

    The events are dropped as they come, so this costs time, never memory, however big the document.
    """
    budget = Budget(limits)
    documents = 0
    try:
        events = _CParser(text)
        # get_event() answers None after the stream's end: one call per event, not two.
        while (event := events.get_event()) is not None:
            if type(event) is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    # The Python composer stops there too, with "several YAML documents".
                    break
            budget.feed(event)
    except yaml.YAMLError:
        return None
    return documents


def _compose_with_libyaml(text: str, limits: YamlLimits) -> Node | None:
    """The node graph of a well-formed, single-document file within `limits`, through libyaml; else None.

    The limits are checked on libyaml's events before any node is built, and a crossed one raises
    OverLimit at the place the Python composer would name. Whatever else the Python composer would report
    (a syntax error, a character it refuses, several documents, an empty file) returns None, and the
    Python composer then parses the file and words the problem, so messages and positions never depend
    on the path. libyaml's marks count characters like Python's reader does; a byte-order mark inside the
    text is the one place where they would differ, so such a text is only counted here, not composed.
    """
    if _CParser is None or Reader.NON_PRINTABLE.search(text):
        return None
    # libyaml's composer recurses in C without a limit: the count bounds the nesting before it runs.
    if _count_with_libyaml(text, limits) != 1 or "\ufeff" in text:
        return None
    try:
        node: Node | None = _LibyamlNodeLoader(text).get_single_node()
    except yaml.YAMLError:
        return None
    return node


class _NodeLoader(Reader, Scanner, Parser, Composer, CoreResolver):
    """Builds YAML nodes (which carry their marks) without constructing Python objects."""

    def __init__(self, text: str, limits: YamlLimits) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        CoreResolver.__init__(self)
        self._budget = Budget(limits)

    def get_event(self) -> Any:
        # The composer takes every event through here, so the budget sees each before its node is built.
        event = Parser.get_event(self)  # type: ignore[no-untyped-call]
        self._budget.feed(event)
        return event


def _pos(node: Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def _at(node: Node) -> At:
    mark = node.start_mark
    return (mark.line + 1, mark.column + 1)


class _Converter:
    """Turns a node graph into dicts, lists and scalars, recording positions and problems."""

    def __init__(self, name: str, text: str, max_depth: int, max_problems: int) -> None:
        self.name = name
        self.text = text
        self.document = Document(data=None)
        self.problems: list[Problem] = []
        # The Budget counted every value an alias repeats before this runs, so the work here is bounded;
        # only the depth an alias adds by nesting a deep node deeper is checked here.
        self.max_depth = max_depth
        self.max_problems = max_problems
        self._active: set[int] = set()

    def problem(self, position: Position, loc: Loc, message: str, *, broken: bool = True) -> None:
        """Report a problem; `broken` when the value at `loc` was dropped, so checks of it stay quiet."""
        if len(self.problems) <= self.max_problems:  # one past the cap, so the loader says more were found
            self.problems.append(Problem(self.name, position.line, position.column, format_loc(loc), message))
        if broken:
            self.document.broken.add(loc)

    def convert(self, node: Node, loc: Loc, depth: int = 0) -> Any:
        values = self.document.values
        if loc not in values:  # a merged key is converted again at the same place; the first one counts
            values[loc] = _at(node)
        if depth > self.max_depth:
            self.problem(_pos(node), loc[:2], f"nested more than {self.max_depth} levels deep")
            return None
        if isinstance(node, ScalarNode):  # most nodes; a scalar cannot contain itself
            return self._scalar(node, loc)
        if id(node) in self._active:
            self.problem(_pos(node), loc, "an alias refers to a node that contains it")
            return None
        self._active.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self._mapping(node, loc, depth)
            assert isinstance(node, SequenceNode)
            return self._sequence(node, loc, depth)
        finally:
            self._active.discard(id(node))

    def _check_tag(self, node: Node, expected: str, loc: Loc) -> bool:
        if node.tag == expected:
            return True
        self.problem(_pos(node), loc, f"unsupported YAML tag {quoted(tag_name(node.tag))}")
        return False

    def _mapping(self, node: MappingNode, loc: Loc, depth: int) -> dict[str, Any] | None:
        if not self._check_tag(node, MAP, loc):
            return None
        result: dict[str, Any] = {}
        self._fill(node, loc, depth, result)
        return result

    def _fill(self, node: MappingNode, loc: Loc, depth: int, result: dict[str, Any]) -> None:
        # Keys written in a mapping win over the ones it merges (`<<: *defaults`), earlier merges over later.
        written: dict[str, Position] = {}
        merges: list[Node] = []
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.tag == MERGE:
                merges.append(value_node)
                continue
            if not isinstance(key_node, ScalarNode):
                self.problem(
                    _pos(key_node), loc, "a key must be a plain string, not a list or mapping", broken=False
                )
                continue
            key = str(key_node.value)
            if key in written:
                message = f"duplicate key {quoted(key)} (first written on line {written[key].line})"
                self.problem(_pos(key_node), (*loc, key), message, broken=False)
                continue
            written[key] = where = _pos(key_node)
            if key in result:
                continue
            key_loc: Loc = (*loc, key)
            self.document.keys[key_loc] = (where.line, where.column)
            result[key] = self.convert(value_node, key_loc, depth + 1)
        for merged in merges:
            sources = merged.value if isinstance(merged, SequenceNode) else [merged]
            for source in sources:
                self._fill_from_merge(source, loc, depth + 1, result)

    def _fill_from_merge(self, source: Node, loc: Loc, depth: int, result: dict[str, Any]) -> None:
        if not isinstance(source, MappingNode) or source.tag != MAP:
            self.problem(_pos(source), loc, "'<<' must merge a mapping or a list of mappings", broken=False)
        elif id(source) in self._active or depth > self.max_depth:
            self.problem(_pos(source), loc, "an alias refers to a node that contains it", broken=False)
        else:
            self._active.add(id(source))
            try:
                self._fill(source, loc, depth, result)
            finally:
                self._active.discard(id(source))

    def _sequence(self, node: SequenceNode, loc: Loc, depth: int) -> list[Any] | None:
        if not self._check_tag(node, SEQ, loc):
            return None
        return [self.convert(item, (*loc, index), depth + 1) for index, item in enumerate(node.value)]

    def _scalar(self, node: ScalarNode, loc: Loc) -> Any:
        value: str = node.value
        if node.tag in (STR, MERGE):
            column = string_column(self.text, node.start_mark, node.end_mark, value, node.style)
            if column is not None:
                self.document.string_columns[loc] = column
            return value
        converted, problem = scalar_value(node.tag, value)
        if problem is not None:
            self.problem(_pos(node), loc, problem)
        return converted


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


# Every value but the document itself comes in with one of these characters: a block sequence item
# with its `-`, a mapping value with its `:`, a flow item with the `[` or `,` before it, and a value
# left out with its key's `{`, `,` or `?`. Their count bounds the values of a file without aliases.
_VALUE_MARKS = "-:,[{?"


def may_cross_a_bound(text: str, limits: YamlLimits) -> bool:
    """Whether `text`, read without aliases, might hold more values or text than `limits` allow.

    Such a file is counted before anything of it is built (it costs time, not memory, to refuse);
    any other can be built as it is counted, as it cannot cross a bound but by nesting too deep.
    """
    # A scalar's text is never longer than what is written for it.
    return len(text) > limits.max_text or 1 + sum(map(text.count, _VALUE_MARKS)) > limits.max_values


def _compose_plain(name: str, text: str, limits: YamlLimits) -> tuple[Document, list[Problem]] | None:
    """The Document of a plain file (no anchor, alias, tag or merge key: most files) in one pass over
    libyaml's events, or None: then the node path parses it. Same preconditions as the libyaml node path,
    and a file that might cross a bound is left to it too, to be counted before it is built."""
    if _CParser is None or Reader.NON_PRINTABLE.search(text) or "\ufeff" in text:
        return None
    if may_cross_a_bound(text, limits):
        return None
    return compose_plain(name, text, _CParser(text), plain_tag_resolver(), limits)


def _compose(name: str, text: str, limits: YamlLimits) -> tuple[Node | None, list[Problem]]:
    loader: _NodeLoader | None = None
    try:
        fast = _compose_with_libyaml(text, limits)
        if fast is not None:
            return fast, []
        loader = _NodeLoader(text, limits)
        if not loader.check_node():
            return None, [Problem(name, 1, 1, "", "the file is empty; expected 'version: 1' and 'services:'")]
        root: Node | None = loader.get_node()
        if loader.check_node():
            second = loader.peek_event().start_mark  # type: ignore[no-untyped-call]
            message = "several YAML documents in one file; put each document in a file of its own"
            return None, [Problem(name, second.line + 1, second.column + 1, "", message)]
        return root, []
    except yaml.YAMLError as exc:
        return None, [_yaml_problem(name, text, exc)]
    except OverLimit as exc:
        return None, [Problem(name, exc.mark.line + 1, exc.mark.column + 1, "", exc.message)]
    finally:
        if loader is not None:
            loader.dispose()


def parse_yaml(
    name: str, data: bytes, limits: YamlLimits = DEFAULT_LIMITS
) -> tuple[Document | None, list[Problem]]:
    """Parse one file within `limits`; the Document is None when the file is not usable YAML at all."""
    if len(data) > limits.max_file_bytes:
        return None, [Problem(name, 1, 1, "", too_large(limits))]
    text, problems = _decode(name, data)
    if text is None:
        return None, problems
    try:
        plain = _compose_plain(name, text, limits)
    except OverLimit as exc:
        return None, [Problem(name, exc.mark.line + 1, exc.mark.column + 1, "", exc.message)]
    if plain is not None:
        return plain
    root, problems = _compose(name, text, limits)
    if root is None:
        return None, problems
    if isinstance(root, ScalarNode) and root.tag == NULL and root.value == "":
        return None, [Problem(name, 1, 1, "", "the file is empty; expected 'version: 1' and 'services:'")]
    converter = _Converter(name, text, limits.max_depth, limits.max_problems)
    converter.document.data = converter.convert(root, ())
    return converter.document, converter.problems
