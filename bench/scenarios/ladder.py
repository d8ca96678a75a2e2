"""One request set measured the way S2 measures it: at one connection, at fixed open-loop
rates (the p99 ladder) and saturated, with the gateway's CPU per request and its upstream
reads. Several sets (one client; many distinct clients) run interleaved, repeat by
repeat, so the figures beside each other come from one run on one box."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.cluster import Cluster
from bench.profile import P99_BUDGET_MS, Profile
from bench.report import ScenarioResult
from bench.scenarios.common import GRAPHQL_BAD, clean
from bench.stats import median_of


@dataclass(frozen=True)
class Targets:
    p50_over: float | None = None
    p99_over: float | None = None
    rate: int | None = None
    saturation: float | None = None
    cpu_ms: float | None = None


@dataclass
class Block:
    label: str
    requests: list[dict[str, Any]]
    single: list[dict[str, Any]] = field(default_factory=list)
    rated: dict[int, list[dict[str, Any] | None]] = field(default_factory=dict)
    saturated: list[dict[str, Any]] = field(default_factory=list)

    def runs(self) -> list[dict[str, Any]]:
        rated = [r for runs in self.rated.values() for r in runs if r is not None]
        return [*self.single, *rated, *self.saturated]


def overloaded(run: dict[str, Any], rate: float) -> bool:
    return (
        not clean(run)
        or run["latency_ms"].get("p99", 1e9) > 1000
        or run["throughput"] < 0.85 * rate
    )


async def measure(cluster: Cluster, profile: Profile, blocks: Sequence[Block]) -> None:
    for block in blocks:
        block.rated = {r: [] for r in profile.s2_rates}
    for _ in range(profile.repeats):
        for block in blocks:
            await _one_repeat(cluster, profile, block)


async def _one_repeat(cluster: Cluster, profile: Profile, block: Block) -> None:
    base = {"requests": block.requests, "bad_markers": GRAPHQL_BAD}
    block.single.append(
        await cluster.load(
            {
                **base,
                "mode": "closed",
                "connections": 1,
                "duration_s": profile.s2_single_seconds,
            },
            reads=True,
        )
    )
    stop = False
    for rate in profile.s2_rates:
        if stop:
            block.rated[rate].append(None)
            continue
        run = await cluster.load(
            {
                **base,
                "mode": "open",
                "rate": rate,
                "duration_s": profile.s2_rate_seconds,
            },
            reads=True,
        )
        block.rated[rate].append(run)
        stop = overloaded(run, rate)
    block.saturated.append(
        await cluster.load(
            {
                **base,
                "mode": "closed",
                "connections": profile.s2_saturation_connections,
                "duration_s": profile.s2_rate_seconds,
            },
            reads=True,
        )
    )


def saved(runs: Sequence[dict[str, Any]]) -> dict[str, float]:
    """Of the upstream reads these requests needed, the share made by a call, shared
    with an identical read in flight, and answered from a cache."""
    total = {"calls": 0.0, "shared": 0.0, "cached": 0.0}
    for run in runs:
        for key, n in run.get("reads", {}).items():
            total[key] += n
    needed = sum(total.values()) or 1.0
    return {
        "reads": sum(total.values()),
        **{f"{k}_pct": round(100 * n / needed, 1) for k, n in total.items()},
    }


def _cpu(runs: Sequence[dict[str, Any]]) -> float:
    return median_of([r["cpu_ms_per_request"] for r in runs], "gateway")


def report(
    result: ScenarioResult,
    block: Block,
    floor_ms: float,
    targets: Targets,
) -> dict[str, Any]:
    """Adds the block's figures (named `label: ...`); returns its details."""
    name = f"{block.label}: "
    for run in block.single:
        result.check(
            clean(run), f"{block.label} at one connection: {run['sample_error']}"
        )
    lat = [r["latency_ms"] for r in block.single]
    p50 = median_of(lat, "p50") - floor_ms
    p99 = median_of(lat, "p99") - floor_ms
    _add(result, f"{name}1 conn p50 over floor", p50, "ms", targets.p50_over, "<=")
    _add(result, f"{name}1 conn p99 over floor", p99, "ms", targets.p99_over, "<=")
    best = 0
    per_rate: dict[int, dict[str, Any]] = {}
    for rate, runs in block.rated.items():
        done = [r for r in runs if r is not None]
        if len(done) < len(runs) or not done:
            per_rate[rate] = {"overloaded": True}
            continue
        r50 = median_of([r["latency_ms"] for r in done], "p50") - floor_ms
        r99 = median_of([r["latency_ms"] for r in done], "p99") - floor_ms
        ok = all(clean(r) for r in done) and r99 <= P99_BUDGET_MS
        per_rate[rate] = {
            "p50_over_ms": round(r50, 2),
            "p99_over_ms": round(r99, 2),
            "within_budget": ok,
            "gateway_cpu_pct": median_of([r["cpu_pct"] for r in done], "gateway"),
            "gateway_cpu_ms_per_request": _cpu(done),
        }
        result.add(
            f"{name}{rate}/s p50|p99 over floor, CPU/req",
            f"{r50:.1f} | {r99:.1f} ms, {_cpu(done):.1f} ms",
        )
        if ok:
            best = max(best, rate)
    _add(
        result,
        f"{name}highest rate, p99 <= floor+{P99_BUDGET_MS:g}ms",
        best,
        "req/s",
        targets.rate,
        ">=",
    )
    sat = median_of(block.saturated, "throughput")
    _add(result, f"{name}saturation", sat, "req/s", targets.saturation, ">=")
    _add(
        result,
        f"{name}gateway CPU/request at 1 conn",
        _cpu(block.single),
        "ms",
        targets.cpu_ms,
        "<=",
    )
    _add(
        result,
        f"{name}gateway CPU/request saturated",
        _cpu(block.saturated),
        "ms",
        targets.cpu_ms,
        "<=",
    )
    result.add(
        f"{name}upstream CPU at saturation",
        median_of([r["cpu_pct"] for r in block.saturated], "upstream"),
        "%",
    )
    everything, at_saturation = saved(block.runs()), saved(block.saturated)
    result.add(
        f"{name}reads shared in flight | cached",
        f"{everything['shared_pct']:g} | {everything['cached_pct']:g} % "
        f"(saturated: {at_saturation['shared_pct']:g} | "
        f"{at_saturation['cached_pct']:g} %)",
    )
    return {
        "floor_ms": floor_ms,
        "rates": per_rate,
        "reads_saved": {"all_runs": everything, "saturated": at_saturation},
        "single": block.single,
        "saturated": block.saturated,
        "rated_runs": {str(k): v for k, v in block.rated.items()},
    }


def _add(
    result: ScenarioResult,
    name: str,
    value: float,
    unit: str,
    target: float | None,
    sense: str,
) -> None:
    if target is None:
        result.add(name, value, unit)
        return
    ok = value <= target if sense == "<=" else value >= target
    result.add(name, value, unit, f"{sense} {target:g}", ok)
