"""S3: pages of 10/50/200 stakes with nested fields — upstream calls per request and
latency over the floor (two rounds of upstream calls: the lists, then nested fields).
Then a page of each client's own stakes, for one client and for 50 distinct ones, on
S2's ladder (1 connection, fixed rates, saturated) with the gateway's CPU per request."""

import math
from dataclasses import fields
from typing import Any

from bench import queries
from bench.cluster import Cluster
from bench.profile import FLOOR_MS, LATENCY_MS, Profile
from bench.report import ScenarioResult
from bench.scenarios import ladder
from bench.scenarios.common import (
    GRAPHQL_BAD,
    PER_ITEM_BY_API,
    clean,
    graphql_request,
    per_request,
    totals,
)
from bench.scenarios.ladder import Block, Targets
from bench.scenarios.s2_fanout import MANY_CLIENTS
from bench.scenarios.stakes_setup import client_with_stakes, walk
from bench.stats import median_of
from providers.crocante.config import CrocanteConfig

MAX_PAGE = 100  # the gateway's MAX_PAGE_SIZE
MANY_PAGE = 20  # every one of a many-clients client's stakes, on one page
ROUNDS = 2


async def _measure(cluster: Cluster, key: str, n: int, repeats: int) -> dict[str, Any]:
    page = min(n, MAX_PAGE)
    cursors, ids = await walk(cluster, key, queries.NESTED, page)
    requests = [
        graphql_request(key, queries.NESTED, {"first": page, "after": c})
        for c in cursors
    ]
    await cluster.set_latency(LATENCY_MS)
    try:
        await cluster.load(
            {
                "mode": "closed",
                "connections": 1,
                "duration_s": 60,
                "once": True,
                "requests": requests,
            }
        )
        await cluster.reset_counts()
        run = await cluster.load(
            {
                "mode": "closed",
                "connections": 1,
                "duration_s": 120,
                "once": True,
                "requests": requests * repeats,
                "bad_markers": GRAPHQL_BAD,
            }
        )
        counts = await cluster.counts()
    finally:
        await cluster.set_latency({})
    return {
        "n": n,
        "listed": len(ids),
        "unique": len(set(ids)),
        "pages": len(cursors),
        "run": run,
        "calls_per_page": per_request(counts, run["completed"] or 1),
    }


# Lists a provider itself pages: walking more of them is more data, not more per item.
CROCANTE_PAGE = next(f.default for f in fields(CrocanteConfig) if f.name == "page_size")
PAGED_BY_PROVIDER = {
    "GET /sandbox/crocante/staking/active": CROCANTE_PAGE,
    "GET /sandbox/crocante/staking/redeemed": CROCANTE_PAGE,
}


def _growth(
    small: dict[str, dict[str, float]],
    large: dict[str, dict[str, float]],
    items: int,
) -> list[str]:
    """Endpoints called more often per page for `items` stakes than for a few, beyond
    what the provider's own list pages explain (a call per item would show here)."""
    grown = []
    for provider, by in large.items():
        for endpoint, n in by.items():
            if (
                endpoint in PER_ITEM_BY_API
                or "staking/types" in endpoint
                or "staking_info" in endpoint
            ):
                continue
            allowed = small.get(provider, {}).get(endpoint, 0)
            if endpoint in PAGED_BY_PROVIDER:
                allowed = max(allowed, math.ceil(items / PAGED_BY_PROVIDER[endpoint]))
            if n > allowed + 0.01:
                grown.append(
                    f"{endpoint}: {small.get(provider, {}).get(endpoint, 0)} -> {n}"
                )
    return grown


async def run(cluster: Cluster, profile: Profile) -> ScenarioResult:
    result = ScenarioResult("S3", "nested lists")
    measured: list[dict[str, Any]] = []
    for n in profile.s3_sizes:
        key, refused = await client_with_stakes(
            cluster, f"s3-{n}-{cluster.gateway_port}", n
        )
        result.check(not refused, f"n={n}: stake creation refused: {refused[:2]}")
        m = await _measure(cluster, key, n, profile.s3_requests)
        measured.append(m)
        result.check(
            m["listed"] == n == m["unique"],
            f"n={n}: listed {m['listed']} stakes ({m['unique']} unique)",
        )
        result.check(clean(m["run"]), f"n={n}: {m['run']['sample_error']}")
        t = totals(m["calls_per_page"])
        result.add(
            f"n={n} calls/page dfns|zh|croc",
            " | ".join(f"{t.get(p, 0):g}" for p in ("dfns", "zerohash", "crocante")),
            "",
            "1 per provider per level",
        )
        over = median_of([m["run"]["latency_ms"]], "p50") - ROUNDS * FLOOR_MS
        result.add(f"n={n} page p50 over floor ({m['pages']} page(s))", over, "ms")
    if len(measured) >= 2:
        grown = _growth(
            measured[0]["calls_per_page"],
            measured[-1]["calls_per_page"],
            profile.s3_sizes[-1],
        )
        result.add(
            "no upstream call per item (provider list pages aside)",
            "yes" if not grown else "no",
            "",
            "yes",
            not grown,
        )
        if grown and profile.quick:
            result.failures.append(f"upstream calls grow with the page: {grown}")
        elif grown:
            result.notes.append(f"grows: {'; '.join(grown)[:200]}")
    many = await _many_clients(cluster, profile, result)
    result.notes.append(
        "loaders cannot be switched off in the gateway: only 'on' is measured"
    )
    result.notes.append(
        "Dfns rewards: one call per earning stake (no list endpoint in its API), "
        "once per DFNS_REWARDS_CACHE_SECONDS (30 s) for each stake"
    )
    result.details = {
        "floor_ms": ROUNDS * FLOOR_MS,
        "sizes": measured,
        "many_clients": many,
    }
    return result


async def _many_clients(
    cluster: Cluster, profile: Profile, result: ScenarioResult
) -> dict[str, Any]:
    """A page of each client's own stakes with nested fields: one client asking again
    and again beside 50 distinct clients taking turns (see S2), over the tape."""
    keys = await cluster.many_clients(MANY_CLIENTS)

    def page(key: str) -> dict[str, Any]:
        return graphql_request(key, queries.NESTED, {"first": MANY_PAGE})

    one = Block("1 client", [page(keys[0])])
    many = Block(f"{MANY_CLIENTS} clients", [page(k) for k in keys])
    await cluster.set_latency(LATENCY_MS)
    try:
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
        await cluster.reset_counts()
        sample = await cluster.load(
            {
                "mode": "closed",
                "connections": 1,
                "duration_s": 60,
                "once": True,
                "requests": many.requests,
                "bad_markers": GRAPHQL_BAD,
            }
        )
        calls = per_request(await cluster.counts(), sample["completed"] or 1)
        await ladder.measure(cluster, profile, [one, many])
    finally:
        await cluster.set_latency({})
        await cluster.tape("off")
    result.check(clean(sample), f"many clients' pages: {sample['sample_error']}")
    listed = {
        p: {e: n for e, n in by.items() if e not in PER_ITEM_BY_API}
        for p, by in calls.items()
    }
    beyond = [
        f"{e}: {n}" for by in listed.values() for e, n in by.items() if n > 1.0 + 1e-9
    ]
    result.check(
        not beyond, f"a distinct client's page calls an endpoint twice: {beyond}"
    )
    t = totals(calls)
    result.add(
        f"{many.label}: calls/page dfns|zh|croc",
        " | ".join(f"{t.get(p, 0):g}" for p in ("dfns", "zerohash", "crocante")),
    )
    floor = ROUNDS * FLOOR_MS
    return {
        "clients": MANY_CLIENTS,
        "calls_per_page": calls,
        "single": ladder.report(result, one, floor, Targets()),
        "many": ladder.report(result, many, floor, Targets()),
    }
