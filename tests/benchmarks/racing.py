"""Stress run: many trials of racing `verifyctl apply` processes, counting duplicates left and exit codes.

Run from the repository root:  python tests/benchmarks/racing.py [--trials 32] [--racers 3] [--latency-ms 100]

Each trial serves a fresh emulator and starts the racers together, as the suite's racing test does; with
`--one-core` (the default on Linux) every racer is held to one core, so they run out of step as on a loaded
machine. The suite runs 12 trials; this script is for the hundreds a change to the racing check deserves.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from tests.integration.engine.test_racing_applies import CONFIG, duplicates, finish, start_racers  # noqa: E402
from verifyctl.emulator import EmulatorServer  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=32)
    parser.add_argument("--racers", type=int, default=3)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--at-once", type=int, default=4, help="trials run side by side")
    parser.add_argument("--spread", action="store_true", help="let the racers run on every core")
    args = parser.parse_args()
    core = None if args.spread or not hasattr(os, "sched_setaffinity") else min(os.sched_getaffinity(0))
    exits: Counter[int] = Counter()
    left: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "verifyctl.yaml"
        config.write_text(CONFIG, encoding="utf-8")
        done = 0
        while done < args.trials:
            batch = min(args.at_once, args.trials - done)
            with contextlib.ExitStack() as stack:
                servers = [
                    stack.enter_context(
                        EmulatorServer(
                            host="127.0.0.1", port=0, retry_after_seconds=0, latency_ms=args.latency_ms
                        )
                    )
                    for _ in range(batch)
                ]
                started = [start_racers(server, config, args.racers, cpu=core) for server in servers]
                for server, processes in zip(servers, started, strict=True):
                    codes = [result.returncode for result in finish(processes)]
                    exits.update(codes)
                    server.set_faults(latency_ms=0)
                    found = duplicates(server)
                    left.extend(found)
                    print(f"trial {done + 1}: exits {codes}, duplicates {found or 'none'}")
                    done += 1
    print(
        f"{args.trials} trials of {args.racers} racers at {args.latency_ms} ms"
        f" ({'spread over every core' if core is None else f'held to core {core}'}):"
        f" {len(left)} duplicates left; exit codes {dict(sorted(exits.items()))}"
    )
    return 1 if left else 0


if __name__ == "__main__":
    raise SystemExit(main())
