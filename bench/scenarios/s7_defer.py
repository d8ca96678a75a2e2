"""S7: `@defer` — the page before the slow provider. Dfns and Crocante answer at 20 and
50 ms, Zerohash at 400 ms (200 in `--quick`); the page defers what only Zerohash serves
(its rewards). One request at a time, as a browser loads a page: the time to the first
payload of the deferred query, to its last, and to the whole answer of the same query
without `@defer`.
"""

import json
import re
import time
from typing import Any

import httpx

from bench.cluster import Cluster
from bench.profile import Profile
from bench.report import ScenarioResult
from bench.stats import latency_summary
from gateway.domain.enums import Provider

PAGE = """query Page {
  stakingProducts(provider: CROCANTE) { id apy }
  stakes(first: 20, filter: {provider: [DFNS, CROCANTE]}) {
    edges { node { id provider status amount } } }
  ... @defer(label: "zerohash") {
    rewards(first: 20, filter: {provider: [ZEROHASH]}) { edges { node { amount } } }
  }
}"""
PLAIN = re.sub(r"@defer\([^)]*\)", "", PAGE)
ACCEPT = "multipart/mixed;deferSpec=20220824,application/json"
DELIMITER = "\r\n---"


async def _deferred(http: httpx.AsyncClient, key: str) -> tuple[float, float, int]:
    """Seconds to the first part and to the last, and how many parts came."""
    started = time.monotonic()
    first = 0.0
    parts = 0
    headers = {"Authorization": f"Bearer {key}", "Accept": ACCEPT}
    body = {"query": PAGE}
    async with http.stream("POST", "/graphql", json=body, headers=headers) as response:
        response.raise_for_status()
        assert response.headers["content-type"].startswith("multipart/mixed")
        buffer = ""
        async for chunk in response.aiter_text():
            buffer += chunk
            found = buffer.count(DELIMITER)
            if found and not parts:
                first = time.monotonic() - started
            parts = found
    return first, time.monotonic() - started, parts


async def _plain(http: httpx.AsyncClient, key: str) -> tuple[float, dict[str, Any]]:
    started = time.monotonic()
    response = await http.post(
        "/graphql",
        json={"query": PLAIN},
        headers={"Authorization": f"Bearer {key}"},
    )
    response.raise_for_status()
    return time.monotonic() - started, json.loads(response.content)


async def run(cluster: Cluster, profile: Profile) -> ScenarioResult:
    result = ScenarioResult("S7", "@defer: time to first payload")
    slow_ms = 200 if profile.quick else 400
    rounds = 5 if profile.quick else 30
    key = await cluster.demo_client()
    await cluster.set_latency(
        {Provider.DFNS: 20, Provider.CROCANTE: 50, Provider.ZEROHASH: slow_ms}
    )
    firsts, lasts, plains = [], [], []
    try:
        async with httpx.AsyncClient(base_url=cluster.url, timeout=30) as http:
            await _deferred(http, key)  # warm-up
            await _plain(http, key)
            for _ in range(rounds):
                first, last, parts = await _deferred(http, key)
                took, answer = await _plain(http, key)
                result.check(parts >= 2, f"the deferred page came in {parts} part(s)")
                result.check(not answer.get("errors"), f"errors: {answer}")
                firsts.append(first * 1000)
                lasts.append(last * 1000)
                plains.append(took * 1000)
    finally:
        await cluster.set_latency({})
    first_p50 = latency_summary(firsts)["p50"]
    last_p50 = latency_summary(lasts)["p50"]
    plain_p50 = latency_summary(plains)["p50"]
    # Correctness, not timing: the first part cannot wait for Zerohash's answer.
    result.check(
        first_p50 < slow_ms,
        f"first payload p50 {first_p50:.0f} ms, not before Zerohash ({slow_ms} ms)",
    )
    result.add("first payload p50", first_p50, "ms", f"< {slow_ms} (Zerohash)")
    result.add("last payload p50", last_p50, "ms")
    result.add("without @defer p50", plain_p50, "ms")
    result.add("first payload / without @defer", first_p50 / plain_p50, "x")
    result.details = {
        "zerohash_ms": slow_ms,
        "rounds": rounds,
        "first_ms": latency_summary(firsts),
        "last_ms": latency_summary(lasts),
        "without_defer_ms": latency_summary(plains),
    }
    return result
