"""A minimal CBOR (RFC 8949) decoder: just what WebAuthn attestation objects and COSE keys use."""

from __future__ import annotations

import struct
from typing import Any


class CborError(ValueError):
    """The bytes are not the well-formed, definite-length CBOR this decoder reads."""


def decode(data: bytes) -> Any:
    """The single CBOR item in `data`; trailing bytes are an error."""
    value, end = decode_prefix(data, 0)
    if end != len(data):
        raise CborError("trailing bytes after the CBOR item")
    return value


def decode_prefix(data: bytes, offset: int) -> tuple[Any, int]:
    """The CBOR item starting at `offset` and the offset just after it (authData carries one inline)."""
    return _item(data, offset, depth=0)


def _take(data: bytes, offset: int, size: int) -> bytes:
    if offset + size > len(data):
        raise CborError("truncated CBOR item")
    return data[offset : offset + size]


def _argument(data: bytes, offset: int, info: int) -> tuple[int, int]:
    if info < 24:
        return info, offset
    sizes = {24: 1, 25: 2, 26: 4, 27: 8}
    if info not in sizes:
        # 28-30 are reserved and 31 is indefinite length, which WebAuthn never uses.
        raise CborError(f"unsupported additional information {info}")
    raw = _take(data, offset, sizes[info])
    return int.from_bytes(raw, "big"), offset + sizes[info]


def _item(data: bytes, offset: int, depth: int) -> tuple[Any, int]:
    if depth > 16:
        raise CborError("CBOR nested too deeply")
    initial = _take(data, offset, 1)[0]
    major, info = initial >> 5, initial & 0x1F
    offset += 1
    if major == 7:
        simple = {20: False, 21: True, 22: None}
        if info in simple:
            return simple[info], offset
        if info in (26, 27):
            size = 4 if info == 26 else 8
            return struct.unpack(">f" if size == 4 else ">d", _take(data, offset, size))[0], offset + size
        raise CborError(f"unsupported simple value {info}")
    value, offset = _argument(data, offset, info)
    if major == 0:
        return value, offset
    if major == 1:
        return -1 - value, offset
    if major in (2, 3):
        raw = _take(data, offset, value)
        return (raw if major == 2 else raw.decode("utf-8")), offset + value
    if major == 4:
        items = []
        for _ in range(value):
            item, offset = _item(data, offset, depth + 1)
            items.append(item)
        return items, offset
    if major == 5:
        mapping: dict[Any, Any] = {}
        for _ in range(value):
            key, offset = _item(data, offset, depth + 1)
            mapping[key], offset = _item(data, offset, depth + 1)
        return mapping, offset
    raise CborError("CBOR tags are not supported")
