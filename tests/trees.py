"""Helpers for tests that mutate parsed YAML trees: every place (path) a node holds."""

from __future__ import annotations

from typing import Any


def places(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of `node` and of every value nested in it, depth first."""
    found = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            found += places(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += places(value, (*path, index))
    return found
