"""S2: the 3-provider fan-out (stakes, products and rewards in one round) over the floor.

Upstreams answer after a fixed 20/35/50 ms; the floor is the slowest, 50 ms. Measured at
one connection, at fixed open-loop rates, and saturated (64 connections, closed loop),
for one client asking again and again, and for 50 distinct clients taking turns, each
linked to identities of its own: those share nothing but their own repeats. The
upstream answers come from a tape recorded at warm-up (`bench/tape.py`), so the
sandboxes' own CPU cannot cap what the gateway shows.
"""

from typing import Any

from bench import queries
from bench.cluster import Cluster
from bench.floor import crocante_direct
from bench.profile import FLOOR_MS, LATENCY_MS, Profile
from bench.report import ScenarioResult
from bench.scenarios import ladder
from bench.scenarios.common import graphql_request, per_request, totals
from bench.scenarios.ladder import Block, Targets
from bench.stats import median_of

# One client asking again and again: sharing and caches answer most of it.
SINGLE_TARGETS = Targets(p50_over=3.0, p99_over=8.0, rate=250, saturation=400)
# Many distinct clients (issue 15): nothing to share but each client's own repeats.
MANY_TARGETS = Targets(p50_over=3.0, p99_over=8.0, rate=120, saturation=200, cpu_ms=4.0)
MANY_CLIENTS = 50
CALL_SAMPLE = 5


def is_catalog(endpoint: str) -> bool:
    return any(
        part in endpoint for part in ("staking_info", "staking/types", "/assets")
    )


def is_cached(endpoint: str) -> bool:
    """Read again only once its TTL is over: the catalog, and Dfns' per-stake rewards
    totals (DFNS_REWARDS_CACHE_SECONDS), so their count in a sample varies."""
    return is_catalog(endpoint) or (
        "/dfns/" in endpoint and endpoint.endswith("/rewards")
    )


def without_cached(calls: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    return {
        p: {e: n for e, n in by.items() if not is_cached(e)} for p, by in calls.items()
    }


async def _calls_per_request(
    cluster: Cluster, requests: list[dict[str, Any]], sample: int = CALL_SAMPLE
) -> dict[str, dict[str, float]]:
    await cluster.reset_counts()
    run = await cluster.load(
        {
            "mode": "closed",
            "connections": 1,
            "duration_s": 60,
            "max_requests": sample,
            "requests": requests,
        }
    )
    return per_request(await cluster.counts(), run["completed"] or 1)


async def _own_stakes_only(cluster: Cluster, keys: list[str]) -> list[str]:
    """Each many-clients key sees exactly the stakes seeded for its own identities."""
    wrong = []
    for i, key in enumerate(keys):
        data = await cluster.graphql(key, queries.FANOUT)
        seen: dict[str, int] = {}
        for edge in data["stakes"]["edges"]:
            provider = edge["node"]["provider"].lower()
            seen[provider] = seen.get(provider, 0) + 1
        if seen != cluster.holdings:
            wrong.append(f"client {i}: {seen} != {cluster.holdings}")
    return wrong


async def run(cluster: Cluster, profile: Profile) -> ScenarioResult:
    result = ScenarioResult("S2", "3-provider fan-out")
    key = await cluster.demo_client()
    keys = await cluster.many_clients(MANY_CLIENTS)
    wrong = await _own_stakes_only(cluster, keys)
    result.check(not wrong, f"many clients see others' stakes: {wrong[:3]}")
    one = Block("1 client", [graphql_request(key, queries.FANOUT)])
    many = Block(
        f"{MANY_CLIENTS} clients", [graphql_request(k, queries.FANOUT) for k in keys]
    )
    await cluster.set_latency(LATENCY_MS)
    try:
        # Every client's reads once, recorded; from then on replayed (bench/tape.py).
        await cluster.tape("record")
        await cluster.load(
            {
                "mode": "closed",
                "connections": 2,
                "duration_s": 60,
                "once": True,
                "requests": [*one.requests, *many.requests] * 2,
            }
        )
        await cluster.tape("replay")
        calls = await _calls_per_request(cluster, one.requests)
        calls_again = await _calls_per_request(cluster, one.requests)
        calls_many = await _calls_per_request(cluster, many.requests, MANY_CLIENTS)
        direct = await crocante_direct(cluster)
        await ladder.measure(cluster, profile, [one, many])
    finally:
        await cluster.set_latency({})
        await cluster.tape("off")
    # Products are cached for a minute: at most one fetch per endpoint in a sample.
    refetched = [
        e
        for by in calls.values()
        for e, n in by.items()
        if is_catalog(e) and n > 1 / CALL_SAMPLE
    ]
    result.check(not refetched, f"products fetched more than once per TTL: {refetched}")
    result.check(
        without_cached(calls) == without_cached(calls_again),
        f"upstream calls differ between identical requests: {calls} vs {calls_again}",
    )
    result.check(
        without_cached(calls_many) == without_cached(calls),
        f"a distinct client's request costs other calls than the demo client's: "
        f"{calls_many} vs {calls}",
    )
    single_details = ladder.report(result, one, FLOOR_MS, SINGLE_TARGETS)
    # The slowest upstream read directly, as the gateway reads it: what a client waits
    # for anyway. Over it, what the gateway itself adds.
    lat = [r["latency_ms"] for r in one.single]
    result.add(
        "slowest upstream read directly p50|p99",
        f"{direct['p50']:.1f} | {direct['p99']:.1f}",
        "ms",
    )
    result.add(
        "1 client: 1 conn p50|p99 over that",
        f"{median_of(lat, 'p50') - direct['p50']:.1f} | "
        f"{median_of(lat, 'p99') - direct['p99']:.1f}",
        "ms",
    )
    for provider, n in totals(calls).items():
        result.add(f"upstream calls/request {provider}", n)
    many_details = ladder.report(result, many, FLOOR_MS, MANY_TARGETS)
    lat = [r["latency_ms"] for r in many.single]
    result.add(
        f"{many.label}: 1 conn p50|p99 over the direct read",
        f"{median_of(lat, 'p50') - direct['p50']:.1f} | "
        f"{median_of(lat, 'p99') - direct['p99']:.1f}",
        "ms",
    )
    result.add(
        f"{many.label}: upstream calls/request dfns|zh|croc",
        " | ".join(
            f"{totals(calls_many).get(p, 0):g}"
            for p in ("dfns", "zerohash", "crocante")
        ),
    )
    result.details = {
        **single_details,
        "slowest_upstream_direct_ms": direct,
        "latency_ms": {p.value: v for p, v in LATENCY_MS.items()},
        "calls_per_request": calls,
        "many_clients": {
            "clients": MANY_CLIENTS,
            "holdings": cluster.holdings,
            "calls_per_request": calls_many,
            **many_details,
        },
    }
    return result
