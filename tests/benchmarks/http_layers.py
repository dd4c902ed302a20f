"""CPU per GET at each layer under verifyctl's client, one thread, against an emulator in another process.

Run from the repository root:  python tests/benchmarks/http_layers.py [--requests 1500] [--rounds 5]

The same request (one page of one service, its JSON decoded) through http.client, a urllib3 pool,
a requests Session and VerifyClient, the layers taking turns round after round; each figure is this
process's CPU (user + system) divided by the requests, the median of the rounds. The emulator's CPU
is its own process's and is not counted.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import statistics
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import requests  # noqa: E402
import urllib3  # noqa: E402

from tests.benchmarks.emulator_process import EmulatorProcess  # noqa: E402
from verifyctl.client import Credentials, VerifyClient  # noqa: E402

ACCOUNT = ("AC" + "e" * 32, "bench-token-layers")
PATH = "/v2/Services?PageSize=1"


def layers(base_url: str, count: int) -> dict[str, Callable[[], None]]:
    """Each layer's loop of `count` requests, by name."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    token = base64.b64encode(f"{ACCOUNT[0]}:{ACCOUNT[1]}".encode()).decode()
    headers = {"Authorization": f"Basic {token}", "Accept": "application/json", "User-Agent": "bench"}

    def plain() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=30)
        for _ in range(count):
            connection.request("GET", PATH, headers=headers)
            json.loads(connection.getresponse().read())
        connection.close()

    def pool() -> None:
        with urllib3.HTTPConnectionPool(host, port, maxsize=1) as connections:
            for _ in range(count):
                answer = connections.urlopen("GET", PATH, headers=headers, retries=False)
                json.loads(answer.data)

    def session() -> None:
        with requests.Session() as http_session:
            http_session.trust_env = False
            for _ in range(count):
                json.loads(http_session.get(base_url + PATH, headers=headers, timeout=(5, 30)).content)

    def client() -> None:
        credentials = Credentials(ACCOUNT[0], ACCOUNT[1], ACCOUNT[0])
        with VerifyClient(base_url, credentials, parallelism=1) as verify:
            for _ in range(count):
                verify.get("/v2/Services", {"PageSize": "1"})

    return {
        "http.client": plain,
        "urllib3 pool": pool,
        "requests Session.get": session,
        "VerifyClient.get": client,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, default=1500, help="requests per layer per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    with EmulatorProcess([ACCOUNT]) as emulator:
        requests.post(
            emulator.base_url + "/v2/Services", data={"FriendlyName": "Layers"}, auth=ACCOUNT, timeout=30
        ).raise_for_status()
        loops = layers(emulator.base_url, args.requests)
        figures: dict[str, list[float]] = {name: [] for name in loops}
        for _ in range(args.rounds):
            for name, loop in loops.items():
                before = os.times()
                loop()
                after = os.times()
                cpu = (after.user - before.user) + (after.system - before.system)
                figures[name].append(cpu / args.requests * 1000)
    print(f"CPU per GET, one thread, median of {args.rounds} rounds of {args.requests}:")
    for name, values in figures.items():
        low, high = min(values), max(values)
        print(f"  {name:22} {statistics.median(values):.3f} ms (min {low:.3f}, max {high:.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
