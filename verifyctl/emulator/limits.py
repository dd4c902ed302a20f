"""How much one request may send: the body's framing (`Content-Length`) and its size limit."""

from __future__ import annotations

import re
from dataclasses import dataclass

from verifyctl.emulator.errors import ApiError

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
DEFAULT_IDLE_TIMEOUT = 30.0
# From a request's first byte to the last byte of its body: a client trickling bytes cannot hold a slot.
DEFAULT_REQUEST_TIMEOUT = 10.0
# The request line and every header together; http.server alone allows 100 lines of 64 KiB each.
DEFAULT_MAX_HEAD_BYTES = 64 * 1024
# Well below the usual `ulimit -n` of 1024, so idle connections can never exhaust the descriptors.
DEFAULT_MAX_CONNECTIONS = 512
# Twilio's 20xxx codes mirror the HTTP status (20404, 20429, 20500); these follow the pattern but
# are the emulator's own: Twilio documents no code for a malformed, oversized or late request.
BAD_REQUEST = 20400
TOO_LARGE = 20413
REQUEST_TIMEOUT = 20408
_BODY_METHODS = ("POST", "PUT", "PATCH")
_DIGITS = re.compile(r"^[0-9]{1,19}$")
# A refused body up to this size is read and thrown away after the answer, so a client still sending it
# reads the 413 instead of a connection reset; a larger one is cut off.
DRAIN_LIMIT = 16 * 1024 * 1024


@dataclass(frozen=True)
class ConnectionLimits:
    """What one connection may hold: sizes, idle and request time, and how many may be open at once."""

    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    max_head_bytes: int = DEFAULT_MAX_HEAD_BYTES

    def __post_init__(self) -> None:
        if self.max_body_bytes < 0:
            raise ValueError("max_body_bytes must not be negative")
        if not self.idle_timeout > 0:
            raise ValueError("idle_timeout must be more than 0 seconds")
        if self.max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        if not self.request_timeout > 0:
            raise ValueError("request_timeout must be more than 0 seconds")
        if self.max_head_bytes < 1024:
            raise ValueError("max_head_bytes must be at least 1024")


class BodyRefused(ApiError):
    """A request whose body cannot or must not be read; `close` when the connection can't go on."""

    def __init__(self, status: int, code: int, message: str, close: bool, drain: int = 0) -> None:
        super().__init__(status, code, message)
        self.close = close
        # Bytes of body to read and discard after answering.
        self.drain = drain


def body_length(
    method: str, content_lengths: list[str], transfer_encoding: str | None, max_bytes: int
) -> int:
    """The number of body bytes to read, or BodyRefused.

    A body of unknown length (bad or conflicting `Content-Length`, `Transfer-Encoding`) leaves the
    connection unsynchronised, so it is answered and closed; a missing length on a method that carries a
    form is answered and the connection kept (nothing follows the headers).
    """
    if transfer_encoding is not None:
        raise BodyRefused(400, BAD_REQUEST, "Transfer-Encoding is not supported: send Content-Length", True)
    if not content_lengths:
        if method in _BODY_METHODS:
            raise BodyRefused(400, BAD_REQUEST, "Content-Length is required", False)
        return 0
    values = {value.strip() for value in content_lengths}
    if len(values) != 1:
        raise BodyRefused(400, BAD_REQUEST, "Conflicting Content-Length headers", True)
    (value,) = values
    if not _DIGITS.match(value):
        raise BodyRefused(400, BAD_REQUEST, "Invalid Content-Length", True)
    length = int(value)
    if length > max_bytes:
        message = f"Request body too large (at most {max_bytes} bytes)"
        raise BodyRefused(413, TOO_LARGE, message, True, length if length <= DRAIN_LIMIT else 0)
    return length
