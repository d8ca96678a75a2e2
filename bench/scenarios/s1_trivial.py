"""S1: a trivial authenticated query (`{ __typename }`), saturated: requests per second
and the gateway's CPU per request."""

from bench import queries
from bench.cluster import Cluster
from bench.profile import Profile
from bench.report import ScenarioResult
from bench.scenarios.common import clean, graphql_request
from bench.stats import median_of

TARGET_RPS = 1500
TARGET_CPU_MS = 0.5


async def run(cluster: Cluster, profile: Profile) -> ScenarioResult:
    result = ScenarioResult("S1", "trivial query")
    key = await cluster.demo_client()
    spec = {
        "mode": "closed",
        "connections": profile.s1_connections,
        "duration_s": profile.s1_seconds,
        "requests": [graphql_request(key, queries.TRIVIAL)],
        "bad_markers": ['"errors":'],
    }
    await cluster.load({**spec, "duration_s": 1.0})  # warm-up
    runs = [await cluster.load(spec) for _ in range(profile.repeats)]
    for run_ in runs:
        result.check(clean(run_), f"trivial query failed: {run_['sample_error']}")
    rps = median_of(runs, "throughput")
    result.add("req/s", rps, "", f">= {TARGET_RPS}", rps >= TARGET_RPS)
    result.add("p50 latency", median_of([r["latency_ms"] for r in runs], "p50"), "ms")
    result.add("gateway CPU", median_of([r["cpu_pct"] for r in runs], "gateway"), "%")
    cpu_ms = median_of([r["cpu_ms_per_request"] for r in runs], "gateway")
    result.add(
        "gateway CPU/request",
        cpu_ms,
        "ms",
        f"<= {TARGET_CPU_MS:g}",
        cpu_ms <= TARGET_CPU_MS,
    )
    result.details = {"connections": profile.s1_connections, "runs": runs}
    return result
