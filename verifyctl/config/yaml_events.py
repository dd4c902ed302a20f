"""YAML parser events -> plain data and where each key and value was written, every bound counted as met."""

from __future__ import annotations

from typing import Any

from yaml.composer import ComposerError
from yaml.error import Mark
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

from verifyctl.config.limits import YamlLimits, too_deep, too_much
from verifyctl.config.shown import quoted
from verifyctl.config.yaml_document import At, Document, Loc, copied, format_loc
from verifyctl.config.yaml_schema import (
    MAP,
    MERGE,
    NULL,
    SEQ,
    STR,
    plain_tag_resolver,
    scalar_value,
    string_column,
    tag_name,
)
from verifyctl.errors import Problem

# Places that are not in the data: below a dropped key or value (a repeated key, a key that is a list),
# and a merge key's value until it is merged. Negative, so never a list index, and never a key (a str).
_DROPPED = -1
_MERGE_SLOT = -2
# What a mapping waits for after a key it drops, and after `<<`.
_DROP_NEXT = object()
_MERGE_NEXT = object()
_EMPTY = "the file is empty; expected 'version: 1' and 'services:'"
_CONTAINS_ITSELF = "an alias refers to a node that contains it"
_MERGE_WHAT = "'<<' must merge a mapping or a list of mappings"
_KEY_NOT_A_STRING = "a key must be a plain string, not a list or mapping"

# A place and what was written there: ("v", where a value starts), ("k", where a key is written),
# ("c", the column of a one-line string), ("b", None: reported as broken).
_Entry = tuple[str, Loc, Any]


class _Recorder:
    """The places written below one node (an anchored node, or a merge key's value), relative to it."""

    __slots__ = ("base", "depth", "entries", "first_at")

    def __init__(self, base: Loc, depth: int) -> None:
        self.base = base
        self.depth = depth
        self.entries: list[_Entry] = []
        # The first node (in the order written) at each depth below this one: where nesting overflows.
        self.first_at: list[At] = []


class _Anchor:
    """A node an alias may repeat: its data, its places, and its weight against the bounds."""

    __slots__ = ("at", "data", "entries", "first_at", "is_open", "raw", "tag", "text", "values")

    def __init__(self, at: At) -> None:
        self.at = at
        self.is_open = True
        self.data: Any = None
        self.entries: list[_Entry] = []
        self.first_at: list[At] = [at]
        # Until it ends, an alias of it (one that it contains) weighs one value.
        self.values, self.text = 1, 0
        self.raw: str | None = None  # a scalar's text, for an alias used as a key
        self.tag: str | None = None


class _Open:
    """A list or mapping being filled."""

    __slots__ = (
        "anchor",
        "at",
        "broken",
        "container",
        "is_mapping",
        "key",
        "loc",
        "merges",
        "recorder",
        "is_key",
        "start",
    )

    def __init__(self, container: dict[str, Any] | list[Any], loc: Loc, at: At) -> None:
        self.container = container
        self.loc = loc
        self.at = at
        self.is_mapping = isinstance(container, dict)
        # The key whose value comes next: a str, None when a key comes next, _DROP_NEXT or _MERGE_NEXT.
        self.key: Any = None
        self.merges: list[tuple[Any, list[_Entry]]] = []
        self.anchor: str | None = None
        self.recorder: _Recorder | None = None
        self.broken = False  # an unsupported tag: the value is dropped when it ends
        self.start = (0, 0)  # the counts of values and text when it started
        self.is_key = False  # a list or mapping written as a key: dropped when it ends


def compose(name: str, text: str, parser: Any, limits: YamlLimits) -> tuple[Document | None, list[Problem]]:
    """The Document of the one YAML document `parser` gives events for, and its problems.

    Each bound of `limits` is counted on the events before anything of them is built, an alias
    counting everything it repeats: a crossed one raises OverLimit at that event. A YAML error (of the
    parser, or an undefined or repeated anchor) raises yaml.YAMLError. The rules are in
    docs/configuration-limits.md.
    """
    return _Composer(name, text, limits).run(parser.get_event)


class _Composer:
    def __init__(self, name: str, text: str, limits: YamlLimits) -> None:
        self.name = name
        self.text = text
        self.limits = limits
        self.document = Document(data=None)
        self.problems: list[Problem] = []
        self.anchors: dict[str, _Anchor] = {}
        self.recorders: list[_Recorder] = []
        self.opened: list[_Open] = []
        self.counted = 0
        self.characters = 0
        self.resolve = plain_tag_resolver()
        self.off_data = False  # a place below _DROPPED or _MERGE_SLOT was written

    # -- places and problems ------------------------------------------------------------------------

    def write(self, kind: str, loc: Loc, value: Any) -> None:
        """Record a place in the document, and in every recorder open around it."""
        document = self.document
        if kind == "v":
            document.values[loc] = value
        elif kind == "k":
            document.keys[loc] = value
        elif kind == "c":
            document.string_columns[loc] = value
        else:
            document.broken.add(loc)
        for recorder in self.recorders:
            recorder.entries.append((kind, loc[len(recorder.base) :], value))

    def started(self, at: At) -> None:
        """A node starts at `at`, inside len(opened) collections."""
        self.started_at(len(self.opened), at)

    def problem(self, at: At, loc: Loc, message: str, *, broken: bool = True) -> None:
        """Report a problem; `broken` when the value at `loc` was dropped, so that checks of it stay quiet."""
        if _DROPPED in loc:
            return  # below a dropped key or value, which its own problem already reports
        if _MERGE_SLOT in loc:
            loc = loc[: loc.index(_MERGE_SLOT)]  # inside what `<<` merges: the mapping that merges it
        if len(self.problems) <= self.limits.max_problems:  # one past the cap: the loader says more follow
            self.problems.append(Problem(self.name, at[0], at[1], format_loc(loc), message))
        if broken:
            self.write("b", loc, None)

    # -- the events ---------------------------------------------------------------------------------

    def run(self, get_event: Any) -> tuple[Document | None, list[Problem]]:
        get_event()  # the stream's start
        if type(get_event()) is not DocumentStartEvent:
            return None, [Problem(self.name, 1, 1, "", _EMPTY)]
        root, root_text, root_tag = self.root(get_event)
        get_event()  # the document's end
        following = get_event()
        if type(following) is DocumentStartEvent:
            mark: Any = following.start_mark
            message = "several YAML documents in one file; put each document in a file of its own"
            return None, [Problem(self.name, mark.line + 1, mark.column + 1, "", message)]
        if root_tag == NULL and root_text == "":
            return None, [Problem(self.name, 1, 1, "", _EMPTY)]
        self.document.data = root
        if self.off_data:
            self.forget_off_data_places()
        return self.document, self.problems

    def root(self, get_event: Any) -> tuple[Any, str | None, str | None]:
        """The document's root, and for a scalar root its text and tag (an empty file has a null one)."""
        # The loop runs once per event (millions for a big file): the common cases are written out,
        # with the counts in locals, and the rare ones (anchors, aliases, merges, problems) call out.
        limits = self.limits
        max_depth, max_values, max_text = limits.max_depth, limits.max_values, limits.max_text
        values, keys, columns = self.document.values, self.document.keys, self.document.string_columns
        opened, recorders, resolve, text = self.opened, self.recorders, self.resolve, self.text
        counted = characters = 0
        top: _Open | None = None
        while True:
            event = get_event()
            kind = type(event)
            if kind is MappingEndEvent or kind is SequenceEndEvent:
                done = opened.pop()
                top = opened[-1] if opened else None
                if done.merges:
                    self.merge(done)
                data: Any = None if done.broken else done.container
                if done.recorder is not None:
                    weight = (1 + counted - done.start[0], characters - done.start[1])
                    entries = self.recorded(done.anchor, done.recorder, data, weight)
                    if top is not None and top.key is _MERGE_NEXT:
                        top.merges.append((data, entries))
                        top.key = None
                        continue
                if done.is_key:
                    continue  # the value that follows is dropped with it
                if top is None:
                    return data, None, None
                self.place(top, data, done.at)
                continue
            mark = event.start_mark
            at = (mark.line + 1, mark.column + 1)
            if len(opened) > max_depth:
                raise too_deep(mark, limits)
            if kind is ScalarEvent:
                value: str = event.value
                characters += len(value)
                tag = event.tag
                if tag is None:
                    tag = resolve(value, event.implicit) if event.implicit[0] else STR
                elif tag == "!":
                    tag = STR
                if top is not None and top.is_mapping and top.key is None:
                    # A key: its text counts, but it is not a value.
                    if characters > max_text:
                        raise too_much(mark, limits, counted, alias=False)
                    if event.anchor is not None:
                        key_anchor = self.define(event.anchor, at, mark)
                        key_anchor.data, key_anchor.raw, key_anchor.tag = value, value, tag
                        key_anchor.values, key_anchor.text = 1, len(value)
                        key_anchor.entries, key_anchor.is_open = [("v", (), at)], False
                    if tag == MERGE or recorders or value in top.container:
                        self.key(top, value, tag == MERGE, at)
                    else:
                        top.key = value
                        key_loc: Loc = (*top.loc, value)
                        keys[key_loc] = at
                    continue
                counted += 1
                if counted > max_values or characters > max_text:
                    raise too_much(mark, limits, counted, alias=False)
                loc = _place(top)
                recorder = None
                if event.anchor is not None:
                    self.define(event.anchor, at, mark)
                    recorder = self.record(loc)
                if recorders:
                    self.started(at)
                    self.write("v", loc, at)
                else:
                    values[loc] = at
                if tag in (STR, MERGE):
                    column = string_column(text, mark, event.end_mark, value, event.style)
                    if column is not None:
                        if recorders:
                            self.write("c", loc, column)
                        else:
                            columns[loc] = column
                    data = value
                elif tag == NULL and event.tag is None:
                    data = None
                else:
                    data, problem = scalar_value(tag, value)
                    if problem is not None:
                        self.problem(at, loc, problem)
                if recorder is not None:
                    anchor = self.anchors[event.anchor]
                    self.recorded(event.anchor, recorder, data, (1, len(value)))
                    anchor.raw, anchor.tag = value, tag
                if top is None:
                    return data, value, tag
                if top.is_mapping:
                    key = top.key
                    top.key = None
                    if key is _MERGE_NEXT or key is _DROP_NEXT:
                        top.key = key
                        self.place(top, data, at)
                    else:
                        top.container[key] = data
                else:
                    top.container.append(data)  # type: ignore[union-attr]
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                if top is not None and top.is_mapping and top.key is None:
                    # A list or mapping as a key: built (an alias may name something in it), then dropped.
                    self.problem(at, top.loc, _KEY_NOT_A_STRING, broken=False)
                    top.key = _DROP_NEXT
                    self.off_data = True
                    loc = (*top.loc, _DROPPED)
                    is_key = True
                else:
                    is_key = False
                    counted += 1
                    if counted > max_values:
                        raise too_much(mark, limits, counted, alias=False)
                    loc = _place(top)
                container: dict[str, Any] | list[Any] = {} if kind is MappingStartEvent else []
                child = _Open(container, loc, at)
                child.start = (counted, characters)
                child.is_key = is_key
                if event.anchor is not None:
                    self.define(event.anchor, at, mark)
                    child.anchor = event.anchor
                    child.recorder = self.record(loc)
                if top is not None and top.key is _MERGE_NEXT and child.recorder is None:
                    child.recorder = self.record(loc)
                if recorders:
                    self.started(at)
                    self.write("v", loc, at)
                else:
                    values[loc] = at
                written = event.tag
                if written is not None and written not in ("!", MAP if kind is MappingStartEvent else SEQ):
                    self.problem(at, loc, f"unsupported YAML tag {quoted(tag_name(written))}")
                    child.broken = True
                    child.loc = (*loc, _DROPPED)
                    self.off_data = True
                opened.append(child)
                top = child
            elif kind is AliasEvent:
                self.counted, self.characters = counted, characters
                data = self.alias(event, top, at, mark)
                counted, characters = self.counted, self.characters
                if top is None:
                    return data, None, None
            else:  # a stream or document event inside a document: the parser would not give one
                raise ComposerError(None, None, "unexpected event", mark)

    # -- keys, values, anchors, aliases and merges --------------------------------------------------

    def key(self, top: _Open, key: str, is_merge: bool, at: At) -> None:
        if is_merge:
            top.key = _MERGE_NEXT
            self.off_data = True
            return
        key_loc = (*top.loc, key)
        if key in top.container:
            first = self.document.keys.get(key_loc, at)
            message = f"duplicate key {quoted(key)} (first written on line {first[0]})"
            self.problem(at, key_loc, message, broken=False)
            top.key = _DROP_NEXT
            self.off_data = True
            return
        top.key = key
        if self.recorders:
            self.write("k", key_loc, at)
        else:
            self.document.keys[key_loc] = at

    def place(self, top: _Open, data: Any, at: At) -> None:
        """Put a finished value (written at `at`) into the list or mapping it belongs to."""
        if not top.is_mapping:
            top.container.append(data)  # type: ignore[union-attr]
            return
        key = top.key
        top.key = None
        if key is _MERGE_NEXT:
            top.merges.append((data, [("v", (), at)]))
        elif key is not _DROP_NEXT:
            top.container[key] = data

    def define(self, name: str, at: At, mark: Any) -> _Anchor:
        if name in self.anchors:
            first = self.anchors[name].at
            raise ComposerError(
                f"found duplicate anchor {name!r}; first occurrence",
                Mark("<file>", 0, first[0] - 1, first[1] - 1, None, 0),
                "second occurrence",
                mark,
            )
        anchor = self.anchors[name] = _Anchor(at)
        return anchor

    def record(self, loc: Loc) -> _Recorder:
        recorder = _Recorder(loc, len(self.opened))
        self.recorders.append(recorder)
        return recorder

    def recorded(
        self, name: str | None, recorder: _Recorder, data: Any, weight: tuple[int, int]
    ) -> list[_Entry]:
        """Close `recorder`; what it recorded becomes the anchor `name`'s (when it has one)."""
        self.recorders.remove(recorder)
        if name is not None:
            anchor = self.anchors[name]
            anchor.data, anchor.entries, anchor.first_at = (
                data,
                recorder.entries,
                recorder.first_at or [anchor.at],
            )
            anchor.values, anchor.text = weight
            anchor.is_open = False
        return recorder.entries

    def alias(self, event: Any, top: _Open | None, at: At, mark: Any) -> Any:
        anchor = self.anchors.get(event.anchor)
        if anchor is None:
            raise ComposerError(None, None, f"found undefined alias {event.anchor!r}", mark)
        self.counted += anchor.values
        self.characters += anchor.text
        if self.counted > self.limits.max_values or self.characters > self.limits.max_text:
            raise too_much(mark, self.limits, self.counted, alias=True)
        if top is not None and top.is_mapping and top.key is None:
            if anchor.raw is None:  # an alias of a list or mapping as a key
                self.problem(at, top.loc, _KEY_NOT_A_STRING, broken=False)
                top.key = _DROP_NEXT
                self.off_data = True
            else:
                self.key(top, anchor.raw, anchor.tag == MERGE, at)
            return None
        merging = top is not None and top.key is _MERGE_NEXT
        loc = (*top.loc, _MERGE_SLOT) if merging else _place(top)  # type: ignore[union-attr]
        if anchor.is_open:
            if merging:
                self.problem(anchor.at, top.loc, _CONTAINS_ITSELF, broken=False)  # type: ignore[union-attr]
                top.key = None  # type: ignore[union-attr]
                return None
            self.write("v", loc, anchor.at)
            self.problem(anchor.at, loc, _CONTAINS_ITSELF)
            data = None
        else:
            depth = len(self.opened)
            overflow = self.limits.max_depth + 1 - depth
            if overflow < len(anchor.first_at):
                # Repeated here, the node nests deeper than the bound allows (it fit where it was written).
                self.write("v", loc, anchor.at)
                message = f"nested more than {self.limits.max_depth} levels deep"
                self.problem(anchor.first_at[overflow], loc[:2], message)
                data = None
            else:
                data = copied(anchor.data)
                if self.recorders:
                    for index, first in enumerate(anchor.first_at):
                        self.started_at(depth + index, first)
                for kind, rel, value in anchor.entries:
                    self.write(kind, (*loc, *rel), value)
        if top is not None and merging:
            top.merges.append((data, anchor.entries or [("v", (), anchor.at)]))
            top.key = None
        elif top is not None:
            self.place(top, data, at)
        return data

    def started_at(self, depth: int, at: At) -> None:
        """A node starts at `at`, inside `depth` collections: each recorder notes its first per depth."""
        for recorder in self.recorders:
            if depth - recorder.depth == len(recorder.first_at):
                recorder.first_at.append(at)

    def merge(self, mapping: _Open) -> None:
        """Fill `mapping` from what its `<<` keys merge: keys written in it win, earlier merges over later."""
        result: dict[str, Any] = mapping.container  # type: ignore[assignment]
        self.off_data = True
        for data, entries in mapping.merges:
            sources: list[tuple[Any, tuple[int, ...]]]
            if isinstance(data, list):
                sources = [(item, (index,)) for index, item in enumerate(data)]
            else:
                sources = [(data, ())]
            by_key: dict[Any, list[_Entry]] = {}
            for entry in entries:
                by_key.setdefault(entry[1][:1], []).append(entry)
            for source, prefix in sources:
                own = by_key.get(prefix, []) if prefix else entries
                if not isinstance(source, dict):
                    at = next((value for kind, rel, value in own if kind == "v" and rel == prefix), None)
                    self.problem(at or mapping.at, mapping.loc, _MERGE_WHAT, broken=False)
                    continue
                places: dict[Any, list[_Entry]] = {}
                for kind, rel, value in own:
                    if len(rel) > len(prefix):
                        places.setdefault(rel[len(prefix)], []).append((kind, rel[len(prefix) + 1 :], value))
                for key, value in source.items():
                    if key in result:
                        continue
                    result[key] = value
                    for kind, rel, place in places.get(key, []):
                        self.write(kind, (*mapping.loc, key, *rel), place)

    def forget_off_data_places(self) -> None:
        """Drop the places recorded below a dropped value or a merge key's value: they are not in the data."""
        document = self.document
        for places in (document.values, document.keys, document.string_columns):
            for loc in [loc for loc in places if _DROPPED in loc or _MERGE_SLOT in loc]:
                del places[loc]
        document.broken = {loc for loc in document.broken if _DROPPED not in loc and _MERGE_SLOT not in loc}


def _place(top: _Open | None) -> Loc:
    """Where the value starting now goes: under its parent's key, or at the end of its parent's list."""
    if top is None:
        return ()
    if top.is_mapping:
        key = top.key
        if key is _DROP_NEXT:
            return (*top.loc, _DROPPED)
        if key is _MERGE_NEXT:
            return (*top.loc, _MERGE_SLOT)
        return (*top.loc, key)
    return (*top.loc, len(top.container))
