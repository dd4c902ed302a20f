"""Reading a request off its socket: an idle timeout per read, a deadline per request, a bound on its head."""

from __future__ import annotations

import http.client
import io
import socket
import time


class DeadlineReader(io.RawIOBase):
    """The socket's bytes; each read waits at most the idle timeout, and never past the request's deadline.

    Between requests only the idle timeout counts (keep-alive); from a request's first byte, `start()`
    sets a deadline for the whole request, so a client trickling one byte at a time is cut off too.
    """

    def __init__(self, connection: socket.socket, idle_timeout: float) -> None:
        super().__init__()
        self._connection = connection
        self._idle_timeout = idle_timeout
        self._deadline: float | None = None
        # Set when a read under a deadline timed out: the request did not arrive in time.
        self.expired = False

    def readable(self) -> bool:
        return True

    def start(self, seconds: float) -> None:
        """From now on the rest of the request must arrive within `seconds`."""
        self._deadline = time.monotonic() + seconds
        self.expired = False

    def finish(self) -> None:
        """The request is read: back to the idle timeout alone (writes use it too)."""
        self._deadline = None
        self._connection.settimeout(self._idle_timeout)

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        timeout = self._idle_timeout
        if self._deadline is not None:
            remaining = self._deadline - time.monotonic()
            if remaining <= 0:
                self.expired = True
                raise TimeoutError("the request did not arrive in time")
            timeout = min(timeout, remaining)
        self._connection.settimeout(timeout)
        try:
            return self._connection.recv_into(buffer)
        except TimeoutError:
            self.expired = self._deadline is not None
            raise


class BoundedHead:
    """`readline` over a request's head that refuses to read more than `limit` bytes in all.

    http.server reads the request line and headers with `readline`, and alone allows 100 header lines
    of 64 KiB each; this caps their sum. `exceeded` says the cap, not a single line, was hit.
    """

    def __init__(self, stream: io.BufferedIOBase, limit: int) -> None:
        self._stream = stream
        self._left = limit
        self.exceeded = False

    def readline(self, size: int = -1) -> bytes:
        wanted = self._left + 1 if size < 0 else min(size, self._left + 1)
        line = self._stream.readline(wanted)
        self._left -= len(line)
        if self._left < 0:
            self.exceeded = True
            raise http.client.LineTooLong("request head")
        return line

    def __getattr__(self, name: str) -> object:
        # Anything else (peek, read) goes to the stream itself.
        return getattr(self._stream, name)
