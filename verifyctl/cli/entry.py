"""The console entry point: the cycle collector off, run the CLI, then end without freeing what it built."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import sys

from verifyctl.cli.main import main


def run() -> None:
    """`verifyctl` as a command: main(), then os._exit once the output is flushed.

    Tearing the interpreter down frees every object one by one: for a 2,000-service file that is
    0.15-0.2 s of CPU spent after the answer was printed. The process ends here instead, as soon
    as stdout, stderr and the log handlers are flushed. In-process callers (the tests) use main().

    The cycle collector is off for the whole process, the one place that may decide it: a command
    builds hundreds of thousands of objects that live until it ends, and each collection walked them
    all again to free nothing (validate of 10,000 services: 5.3 s of CPU with it, 3.3 s without;
    docs/performance.md). What verifyctl frees is freed by reference counting.
    """
    gc.disable()
    try:
        main()
        code = 0
    except SystemExit as exit_:
        # main() exits with an int; None means success, as for sys.exit().
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    logging.shutdown()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`verifyctl plan | head`): as Python's own shutdown would, exit non-zero.
        code = code or 1
    with contextlib.suppress(BrokenPipeError):
        sys.stderr.flush()
    os._exit(code)
