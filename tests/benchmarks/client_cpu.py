"""Client CPU per request: many threads read single-page lists from the emulator; the client on one core.

Run: python tests/benchmarks/client_cpu.py [--workers 128] [--requests 6000] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.emulator_process import EmulatorProcess  # noqa: E402
from verifyctl.client import Credentials, VerifyClient  # noqa: E402

ACCOUNT = ("AC" + "c1" * 16, "bench-token-" + "7" * 20)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=128)
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile of the run")
    args = parser.parse_args(argv)
    with EmulatorProcess([ACCOUNT]) as emulator:
        if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
            os.sched_setaffinity(0, {0})  # the client on one core; the emulator child keeps the others
        sid, token = ACCOUNT
        credentials = Credentials(sid, token, sid)
        with VerifyClient(emulator.base_url, credentials, parallelism=args.workers) as client:
            service = client.create("/v2/Services", [("FriendlyName", "Bench")])["sid"]
            path = f"/v2/Services/{service}/RateLimits"
            # cProfile sees one thread only: each worker profiles its own calls; the stats are merged.
            profilers: list[cProfile.Profile] = []

            def read(_: int) -> None:
                if not args.profile:
                    client.list(path, "rate_limits")
                    return
                profiler = cProfile.Profile()
                profiler.runcall(client.list, path, "rate_limits")
                profilers.append(profiler)

            cpu, wall = time.process_time(), time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.workers) as pool:
                list(pool.map(read, range(args.requests)))
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            concurrency = client.concurrency
    print(
        f"{args.requests} single-page lists, {args.workers} workers: {args.requests / wall:,.0f} requests/s, "
        f"{cpu / args.requests * 1000:.3f} ms client CPU per request "
        f"(concurrency peak {concurrency.peak}, final {concurrency.final})"
    )
    if profilers:
        stats = pstats.Stats(profilers[0])
        for profiler in profilers[1:]:
            stats.add(profiler)
        stats.sort_stats("tottime").print_stats(40)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
