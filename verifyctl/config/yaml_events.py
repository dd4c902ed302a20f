"""A plain YAML file straight from libyaml's events to data and positions, its limits counted on the way."""

from __future__ import annotations

from typing import Any

from yaml.error import YAMLError
from yaml.events import (
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from verifyctl.config.limits import YamlLimits, too_deep, too_much
from verifyctl.config.yaml_document import Document, Loc, format_loc
from verifyctl.config.yaml_schema import MERGE, NULL, STR, scalar_value, string_column
from verifyctl.errors import Problem

_COLLECTION_STARTS = (MappingStartEvent, SequenceStartEvent)
_COLLECTION_ENDS = (MappingEndEvent, SequenceEndEvent)


class NeedsNodes(Exception):
    """The document has what only the node graph handles: an anchor, an alias, an explicit tag, a merge
    key (`<<`), a key that is a list or mapping, or a key written twice."""


class _Open:
    """A list or mapping being filled: the key waiting for its value, or None when a key comes next."""

    __slots__ = ("container", "is_mapping", "key", "loc")

    def __init__(self, container: dict[str, Any] | list[Any], loc: Loc) -> None:
        self.container = container
        self.loc = loc
        self.is_mapping = isinstance(container, dict)
        self.key: str | None = None


def compose_plain(
    name: str, text: str, parser: Any, resolve: Any, limits: YamlLimits
) -> tuple[Document, list[Problem]] | None:
    """The Document of a one-document file without anchors, aliases, tags, merge keys or repeated keys,
    in one pass over `parser`'s events: what the libyaml node path (count the events, compose the
    nodes, convert them) gives, at about half its cost. None for any other file, or one libyaml finds
    malformed: the node path then parses it, and words what it finds.

    `resolve(value, implicit)` is the tag of a plain scalar. Every bound of `limits` is counted as the
    event Budget counts it, and a crossed one raises OverLimit at the same place. (The caller passes
    only files that cannot hold too many values or too much text, so that one over those bounds is
    refused before anything of it is built; nesting is bounded here, as it comes.)
    """
    try:
        return _compose(name, text, parser, resolve, limits)
    except (NeedsNodes, YAMLError):
        return None


def _compose(
    name: str, text: str, parser: Any, resolve: Any, limits: YamlLimits
) -> tuple[Document, list[Problem]] | None:
    get_event = parser.get_event
    get_event()  # the stream's start
    if type(get_event()) is not DocumentStartEvent:
        return None  # no document at all: the node path says the file is empty
    document = Document(data=None)
    values, keys, columns = document.values, document.keys, document.string_columns
    problems: list[Problem] = []
    max_depth, max_values, max_text = limits.max_depth, limits.max_values, limits.max_text
    counted = characters = 0
    opened: list[_Open] = []
    top: _Open | None = None
    while True:
        event = get_event()
        kind = type(event)
        if kind is ScalarEvent:
            if event.anchor is not None or event.tag is not None:
                raise NeedsNodes
            value: str = event.value
            mark = event.start_mark
            if len(opened) > max_depth:
                raise too_deep(mark, limits)
            characters += len(value)
            if top is not None and top.is_mapping and top.key is None:
                # A key: its text counts, but it is not a value.
                if characters > max_text:
                    raise too_much(mark, limits, counted, alias=False)
                if (event.implicit[0] and value == "<<") or value in top.container:
                    raise NeedsNodes
                top.key = value
                key_loc: Loc = (*top.loc, value)
                keys[key_loc] = (mark.line + 1, mark.column + 1)
                continue
            counted += 1
            if counted > max_values or characters > max_text:
                raise too_much(mark, limits, counted, alias=False)
            tag = resolve(value, event.implicit) if event.implicit[0] else STR
            loc = _place(top)
            values[loc] = (mark.line + 1, mark.column + 1)
            if tag in (STR, MERGE):
                column = string_column(text, mark, event.end_mark, value, event.style)
                if column is not None:
                    columns[loc] = column
                data: Any = value
            elif tag == NULL:
                data = None
            else:
                data, problem = scalar_value(tag, value)
                if problem is not None:
                    # Only "number is too large": the converter's words, and the value is dropped.
                    if len(problems) <= limits.max_problems:
                        where = format_loc(loc)
                        problems.append(Problem(name, mark.line + 1, mark.column + 1, where, problem))
                    document.broken.add(loc)
            if top is None:
                document.data = data
                return _finished(document, problems, get_event, value, tag)
            _put(top, data)
        elif kind in _COLLECTION_STARTS:
            if event.anchor is not None or event.tag is not None:
                raise NeedsNodes
            if top is not None and top.is_mapping and top.key is None:
                raise NeedsNodes  # a list or mapping as a key: the converter words it
            mark = event.start_mark
            if len(opened) > max_depth:
                raise too_deep(mark, limits)
            counted += 1
            if counted > max_values:
                raise too_much(mark, limits, counted, alias=False)
            container: dict[str, Any] | list[Any] = {} if kind is MappingStartEvent else []
            loc = _place(top)
            values[loc] = (mark.line + 1, mark.column + 1)
            if top is None:
                document.data = container
            else:
                _put(top, container)
            top = _Open(container, loc)
            opened.append(top)
        elif kind in _COLLECTION_ENDS:
            opened.pop()
            top = opened[-1] if opened else None
            if top is None:
                return _finished(document, problems, get_event, None, None)
        else:  # an alias, or an event libyaml should not give inside a document
            raise NeedsNodes


def _place(top: _Open | None) -> Loc:
    """Where the value starting now goes: under its parent's key, or at the end of its parent's list."""
    if top is None:
        return ()
    if top.is_mapping:
        return (*top.loc, top.key)  # type: ignore[arg-type]  # a value follows its key
    return (*top.loc, len(top.container))


def _put(top: _Open, data: Any) -> None:
    if top.is_mapping:
        top.container[top.key] = data  # type: ignore[call-overload, index]  # a value follows its key
        top.key = None
    else:
        top.container.append(data)  # type: ignore[union-attr]


def _finished(
    document: Document, problems: list[Problem], get_event: Any, root_text: str | None, root_tag: str | None
) -> tuple[Document, list[Problem]] | None:
    """The document once its root is done, or None when another document follows it or it is empty."""
    get_event()  # the document's end
    if type(get_event()) is DocumentStartEvent:
        return None  # several documents: the node path reports them
    if root_tag == NULL and root_text == "":
        return None  # an empty file: the node path reports it
    return document, problems
