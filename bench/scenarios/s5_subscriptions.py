"""S5: subscribers over graphql-transport-ws — delivery latency from a status change,
deliveries per second, gateway memory per subscriber, and memory across reconnects."""

import asyncio
import json
import time
from typing import Any

from bench import procs, queries
from bench.cluster import Cluster
from bench.profile import Profile
from bench.report import ScenarioResult
from gateway.domain.enums import Provider

TARGET_P99 = {1000: 100.0, 5000: 500.0}
TARGET_KIB = 40.0
SUBSCRIBERS = "gateway_subscriptions"


class SubClient:
    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    @classmethod
    async def start(cls, cluster: Cluster, setup: dict[str, Any]) -> "SubClient":
        proc = await asyncio.create_subprocess_exec(
            procs.PYTHON,
            "-m",
            "bench.subclient",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            preexec_fn=(lambda: procs.pin_self(cluster.load_core))
            if cluster.load_core is not None
            else None,
            limit=2**20,
        )
        client = cls(proc)
        await client._send(setup)
        return client

    async def _send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(message) + "\n").encode())
        await self.proc.stdin.drain()

    async def ask(self, wait_s: float = 300, **command: Any) -> dict[str, Any]:
        assert self.proc.stdout is not None
        await self._send(command)
        line = await asyncio.wait_for(self.proc.stdout.readline(), wait_s)
        if not line:
            raise RuntimeError("the subscriber process died")
        answer: dict[str, Any] = json.loads(line)
        return answer

    async def stop(self) -> None:
        if self.proc.returncode is None:
            try:
                await self._send({"cmd": "exit"})
                await asyncio.wait_for(self.proc.wait(), 30)
            except (TimeoutError, ConnectionError):
                self.proc.kill()
                await self.proc.wait()


async def _await_subscribers(
    cluster: Cluster, count: int, within_s: float = 120
) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if await cluster.metric_value(SUBSCRIBERS) == count:
            return True
        await asyncio.sleep(0.1)
    return False


async def _settled_rss(cluster: Cluster) -> int:
    await asyncio.sleep(1.0)
    return cluster.gateway_rss_kib()


async def _cycle(
    cluster: Cluster, client: SubClient, n: int, baseline: int
) -> dict[str, Any]:
    connected = await client.ask(cmd="connect", n=n)
    live = await _await_subscribers(cluster, baseline + n)
    rss = await _settled_rss(cluster)
    return {"connect": connected, "all_live": live, "rss_kib": rss}


async def _size(
    cluster: Cluster, client: SubClient, n: int, profile: Profile, idle: bool
) -> dict[str, Any]:
    baseline = int(await cluster.metric_value(SUBSCRIBERS))
    rss0 = await _settled_rss(cluster)
    first = await _cycle(cluster, client, n, baseline)
    out: dict[str, Any] = {"n": n, "rss_before_kib": rss0, "first": first}
    out["kib_per_subscriber"] = (first["rss_kib"] - rss0) / n
    if not idle:
        out["spaced"] = await client.ask(
            cmd="events", count=profile.s5_events, spacing_s=0.3
        )
        out["burst"] = await client.ask(
            cmd="events", count=profile.s5_events, spacing_s=0
        )
    await client.ask(cmd="close")
    await _await_subscribers(cluster, baseline)
    after = [await _settled_rss(cluster)]
    # Idle sizes measure memory once: 3 cycles of 10,000 would take minutes.
    for _ in range(0 if idle else profile.s5_cycles - 1):
        await _cycle(cluster, client, n, baseline)
        await client.ask(cmd="close")
        await _await_subscribers(cluster, baseline)
        after.append(await _settled_rss(cluster))
    out["rss_after_cycles_kib"] = after
    return out


def _report(result: ScenarioResult, m: dict[str, Any], idle: bool) -> None:
    n = m["n"]
    label = f"{n} idle" if idle else str(n)
    connect = m["first"]["connect"]
    result.check(
        connect["failed"] == 0,
        f"{label}: {connect['failed']} connections failed: {connect['sample']}",
    )
    result.check(m["first"]["all_live"], f"{label}: not every subscription went live")
    if not idle:
        for phase in ("spaced", "burst"):
            got = m[phase]
            if "error" in got:
                result.failures.append(
                    f"{label}: event mutation failed: {got['error']}"
                )
                continue
            result.check(
                got["delivered"] == got["expected"] and got["duplicates"] == 0,
                f"{label} {phase}: {got['delivered']}/{got['expected']} delivered, "
                f"{got['duplicates']} duplicates, {got['errors']}",
            )
        spaced = m["spaced"].get("latency_ms", {})
        p50, p99 = spaced.get("p50", float("nan")), spaced.get("p99", float("nan"))
        target = TARGET_P99.get(n)
        result.add(
            f"{n} subs: delivery p50|p99",
            f"{p50:.1f} | {p99:.1f}",
            "ms",
            f"p99 <= {target:g}" if target else "",
            None if target is None else p99 <= target,
        )
        result.add(
            f"{n} subs: deliveries/s (burst)", m["burst"].get("deliveries_per_s")
        )
    kib = m["kib_per_subscriber"]
    result.add(
        f"{label} subs: KiB/subscriber",
        kib,
        "KiB",
        f"<= {TARGET_KIB:g}",
        kib <= TARGET_KIB,
    )
    before, first = m["rss_before_kib"] / 1024, m["first"]["rss_kib"] / 1024
    after = [kib / 1024 for kib in m["rss_after_cycles_kib"]]
    if idle:
        result.add(
            f"{label}: RSS before | subscribed", f"{before:.0f} | {first:.0f}", "MiB"
        )
        return
    # Python keeps its high-water mark: flat means no growth from cycle to cycle.
    flat = after[-1] - after[0] <= 2 + 0.02 * after[0]
    cycles = " > ".join(f"{a:.0f}" for a in after)
    result.add(
        f"{label} subs: RSS before, after cycles",
        f"{before:.0f}, {cycles}",
        "MiB",
        "flat",
        flat,
    )


async def run(cluster: Cluster, profile: Profile) -> ScenarioResult:
    result = ScenarioResult("S5", "subscriptions")
    key = await cluster.create_client(
        f"bench-s5-{cluster.gateway_port}",
        {Provider.CROCANTE: [f"bench-s5-{cluster.gateway_port}"]},
    )
    catalog = (await cluster.graphql(key, queries.PRODUCTS))["stakingProducts"]
    product = next(p for p in catalog if p["providerProductId"] == "USDT_FLEX")
    setup = {
        "ws_url": cluster.url.replace("http", "ws") + "/graphql",
        "host": "127.0.0.1",
        "port": cluster.gateway_port,
        "key": key,
        "query": queries.SUBSCRIPTION,
        "mutation": queries.CREATE_STAKE,
        "variables": {
            "input": {"productId": product["id"], "amount": product["minAmount"]}
        },
    }
    client = await SubClient.start(cluster, setup)
    sizes = [(n, False) for n in profile.s5_sizes] + (
        [(profile.s5_idle, True)] if profile.s5_idle else []
    )
    measured = []
    try:
        for n, idle in sizes:
            m = await _size(cluster, client, n, profile, idle)
            measured.append(m)
            _report(result, m, idle)
    finally:
        await client.stop()
    if 5000 not in profile.s5_sizes:
        result.notes.append(
            "5,000 subscribers and 10,000 idle run in the full mode only"
        )
    result.details = {"sizes": measured}
    return result
