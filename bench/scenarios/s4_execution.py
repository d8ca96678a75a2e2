"""S4: 1k and 10k stakes x 6 fields — execution and serialization, in process.

The gateway's schema runs against in-memory adapters (no network, no upstream latency).
The gateway pages at 100 (MAX_PAGE_SIZE), so three figures: a page of 100 over n stakes,
the whole list walked page by page, and one n-item page with the cap lifted in process
(the engine's cost per list, which the 1k ≤ 10 ms target is about).
"""

import asyncio
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson

import gateway.services.pagination as pagination
from bench import procs, queries
from bench.fakes import OWNER, FakeAdapter, make_stakes
from bench.profile import Profile
from bench.report import ScenarioResult
from gateway.cli import freeze_startup_heap
from gateway.domain.caller import Caller
from gateway.domain.enums import Provider
from gateway.events.memory import MemoryBus
from gateway.schema.context import Context, Services
from gateway.schema.schema import build_schema
from gateway.services.authentication import Authenticator
from gateway.services.commands import StakingCommands
from gateway.services.preview import PreviewService
from gateway.services.provider_set import ProviderSet
from gateway.services.reads import StakingReader
from gateway.services.status_feed import StatusFeed
from gateway.store.store import Store

TARGET_1K_MS = 10.0


async def _services(workdir: Path, n: int) -> tuple[Services, Store]:
    store = Store.from_url(f"sqlite+aiosqlite:///{workdir / f's4-{n}.sqlite3'}")
    await store.migrate()
    bus = MemoryBus()
    share = n // 3
    counts = {
        Provider.DFNS: share,
        Provider.ZEROHASH: share,
        Provider.CROCANTE: n - 2 * share,
    }
    providers = ProviderSet(
        {p: FakeAdapter(p, make_stakes(p, c)) for p, c in counts.items()}
    )
    reader = StakingReader(providers)
    feed = StatusFeed(store, bus)
    services = Services(
        history=store.history,
        database=store,
        bus=bus,
        providers=providers,
        reader=reader,
        commands=StakingCommands(providers, reader, store.idempotency, feed),
        previews=PreviewService(providers),
        feed=feed,
        authenticator=Authenticator(store.clients),
    )
    return services, store


async def _timed(repeats: int, fn: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    times, value = [], None
    for _ in range(repeats):
        began = time.perf_counter()
        value = await fn()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), value


def _serialize_ms(data: dict[str, Any], repeats: int) -> dict[str, float]:
    out = {}
    for name, dumps in (
        ("json", lambda d: json.dumps(d, separators=(",", ":"))),
        ("orjson", orjson.dumps),
    ):
        times = []
        for _ in range(repeats):
            began = time.perf_counter()
            dumps({"data": data})
            times.append((time.perf_counter() - began) * 1000)
        out[name] = statistics.median(times)
    return out


async def _measure(workdir: Path, n: int, repeats: int) -> dict[str, Any]:
    services, store = await _services(workdir, n)
    schema = build_schema()
    caller = Caller("bench", "bench", {p: (OWNER,) for p in Provider})
    # As `serve` does once started: what was built up front is out of the collector's
    # sight (gateway.cli.freeze_startup_heap).
    freeze_startup_heap()

    async def page(first: int, after: str | None = None) -> dict[str, Any]:
        done = await schema.execute(
            queries.SIX_FIELDS,
            variable_values={"first": first, "after": after},
            context_value=Context(services, caller),
        )
        assert not done.errors, done.errors
        assert done.data is not None
        return done.data

    async def walk() -> int:
        after, items = None, 0
        while True:
            data = (await page(100, after))["stakes"]
            items += len(data["edges"])
            json.dumps({"data": data})
            if not data["pageInfo"]["hasNextPage"]:
                return items
            after = data["pageInfo"]["endCursor"]

    try:
        await page(100)  # warm-up
        page_ms, data = await _timed(repeats, lambda: page(100))
        walk_ms, walked = await _timed(max(1, repeats // 2), walk)
        saved = pagination.MAX_PAGE_SIZE
        pagination.MAX_PAGE_SIZE = n
        try:
            whole_ms, whole = await _timed(repeats, lambda: page(n))
        finally:
            pagination.MAX_PAGE_SIZE = saved
        return {
            "n": n,
            "page100_exec_ms": page_ms,
            "page100_serialize_ms": _serialize_ms(data, repeats),
            "walk_ms": walk_ms,
            "walk_items": walked,
            "whole_exec_ms": whole_ms,
            "whole_items": len(whole["stakes"]["edges"]),
            "whole_serialize_ms": _serialize_ms(whole, repeats),
        }
    finally:
        await store.close()


async def run(workdir: Path, profile: Profile) -> ScenarioResult:
    result = ScenarioResult("S4", "execution + serialization")
    measured = []
    for n in profile.s4_sizes:
        # In a process of its own on the gateway's core, as a gateway would run it: not in
        # this orchestrator, whose heap the earlier scenarios filled.
        m = await asyncio.to_thread(
            procs.run_json,
            "bench.scenarios.s4_execution",
            {"workdir": str(workdir), "n": n, "repeats": profile.s4_repeats},
            procs.cores()[0] if len(procs.cores()) >= 2 else None,
            600,
        )
        measured.append(m)
        result.check(
            m["walk_items"] == n == m["whole_items"],
            f"n={n}: walked {m['walk_items']}, whole page {m['whole_items']}",
        )
        # Serialized as the gateway serializes its answers (orjson, gateway/schema/view.py).
        whole = m["whole_exec_ms"] + m["whole_serialize_ms"]["orjson"]
        target = f"<= {TARGET_1K_MS:g}" if n == 1000 else ""
        result.add(
            f"{n} items in one list: exec + orjson",
            whole,
            "ms",
            target,
            whole <= TARGET_1K_MS if n == 1000 else None,
        )
        result.add(
            f"{n} items: serialize json | orjson",
            f"{m['whole_serialize_ms']['json']:.2f} | {m['whole_serialize_ms']['orjson']:.2f}",
            "ms",
        )
        result.add(
            f"{n} upstream: one page of 100",
            m["page100_exec_ms"] + m["page100_serialize_ms"]["orjson"],
            "ms",
        )
        result.add(f"{n} upstream: walk in pages of 100", m["walk_ms"], "ms")
    result.details = {"sizes": measured}
    return result


def main() -> None:
    spec = json.loads(sys.stdin.read())
    measured = asyncio.run(
        _measure(Path(spec["workdir"]), int(spec["n"]), int(spec["repeats"]))
    )
    print(json.dumps(measured))


if __name__ == "__main__":
    main()
