"""Lower bounds on wall time from round trips: the critical path of dependent requests plus the work over P.

Every request costs at least one round trip of the emulator's latency L (loopback adds almost nothing
on top). A request that needs an earlier answer cannot start before that answer arrives. With P requests
in flight at once, the work W that is free to run after the first answer needs at least ceil(W / P)
round trips, and never fewer than the longest chain of dependent requests in it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PAGE_SIZE = 1000


@dataclass(frozen=True)
class Bound:
    requests: int
    round_trips: int
    seconds: float
    derivation: str


def plan_bound(services: int, rate_limits: int, latency_s: float, parallelism: int) -> Bound:
    """`plan` with every child list written: services, then per service 3 lists, then per rate limit 1.

    The service pages come one after the other (each names the next) and nothing else can start before
    them. After them, 3 lists per service and 1 bucket list per rate limit remain; a bucket list waits
    for its service's rate-limit list, so this part is at least 2 round trips deep. A scheduler that reads
    rate-limit lists first keeps all P workers busy, so ceil(W / P) round trips are reachable.
    """
    pages = max(1, math.ceil(services / PAGE_SIZE))
    work = 3 * services + rate_limits
    rest = max(2, math.ceil(work / parallelism)) if services else 0
    round_trips = pages + rest
    derivation = (
        f"{pages} service page(s) + max(2, ceil((3 x {services} child lists + {rate_limits} bucket lists)"
        f" / P={parallelism})) = {pages} + {rest} = {round_trips} round trips x {latency_s * 1000:g} ms"
    )
    return Bound(pages + work, round_trips, round_trips * latency_s, derivation)


def apply_from_empty_bound(objects_by_depth: list[int], latency_s: float, parallelism: int) -> Bound:
    """`apply` into an empty account: 1 list of services, then the creates, a parent before its children.

    `objects_by_depth` counts the creates at each depth (services, their children, buckets). The chain
    service -> rate limit -> bucket is len(objects_by_depth) creates deep; all creates share P workers.
    """
    depth = len(objects_by_depth)
    creates = sum(objects_by_depth)
    rest = max(depth, math.ceil(creates / parallelism))
    round_trips = 1 + rest
    derivation = (
        f"1 service list + max({depth}, ceil({creates} creates / P={parallelism})) = {round_trips}"
        f" round trips x {latency_s * 1000:g} ms"
    )
    return Bound(1 + creates, round_trips, round_trips * latency_s, derivation)
