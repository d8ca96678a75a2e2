"""Open-loop (fixed rate) and closed-loop (N connections) HTTP load, in its own process.

Run as `python -m bench.loadgen` with a JSON spec on stdin; prints one JSON result.
Open-loop latency is measured from each request's *scheduled* time, so a stalled server
is charged for the queue it causes (no coordinated omission). Every loop is bounded by
a request count and a deadline.
"""

import asyncio
import collections
import json
import sys
import time
from typing import Any

from bench.http1 import Connection, Request
from bench.stats import latency_summary


class Outcome:
    def __init__(self, markers: list[str], bad: list[str]) -> None:
        self.latencies: list[float] = []
        self.statuses: collections.Counter[int] = collections.Counter()
        self.errors = 0
        self.bad = 0
        self.markers = {m: 0 for m in markers}
        self._marker_bytes = [(m, m.encode()) for m in markers]
        self._bad_bytes = [b.encode() for b in bad]
        self.sample_error: str | None = None

    def record(self, status: int, body: bytes, latency_ms: float) -> None:
        self.statuses[status] += 1
        self.latencies.append(latency_ms)
        for name, marker in self._marker_bytes:
            if marker in body:
                self.markers[name] += 1
        if status != 200 or any(b in body for b in self._bad_bytes):
            self.bad += 1
            if self.sample_error is None:
                self.sample_error = f"{status}: {body[:300].decode(errors='replace')}"

    def fail(self, exc: BaseException) -> None:
        self.errors += 1
        if self.sample_error is None:
            self.sample_error = repr(exc)

    def result(self, elapsed: float, scheduled: int) -> dict[str, Any]:
        done = len(self.latencies)
        return {
            "scheduled": scheduled,
            "completed": done,
            "errors": self.errors,
            "bad": self.bad,
            "statuses": {str(k): v for k, v in self.statuses.items()},
            "markers": self.markers,
            "elapsed_s": elapsed,
            "throughput": done / elapsed if elapsed > 0 else 0.0,
            "latency_ms": latency_summary(self.latencies),
            "sample_error": self.sample_error,
        }


class Pool:
    def __init__(self, host: str, port: int, limit: int) -> None:
        self.host, self.port, self.limit = host, port, limit
        self.idle: list[Connection] = []
        self.opened = 0
        self.waiters: collections.deque[asyncio.Future[Connection]] = (
            collections.deque()
        )

    async def acquire(self) -> Connection:
        if self.idle:
            return self.idle.pop()
        if self.opened < self.limit:
            self.opened += 1
            try:
                return await Connection.open(self.host, self.port)
            except BaseException:
                self.opened -= 1
                raise
        waiter: asyncio.Future[Connection] = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        return await waiter

    def release(self, conn: Connection) -> None:
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        self.idle.append(conn)

    def discard(self, conn: Connection) -> None:
        conn.close()
        self.opened -= 1
        if self.waiters:
            # Someone queued for the slot this connection held: open a fresh one.
            asyncio.get_running_loop().create_task(self._refill())

    async def _refill(self) -> None:
        try:
            conn = await self.acquire()
        except OSError:
            return
        self.release(conn)

    def close(self) -> None:
        for conn in self.idle:
            conn.close()


async def _one(pool: Pool, raw: bytes, t0: float, out: Outcome, limit_s: float) -> None:
    try:
        conn = await asyncio.wait_for(pool.acquire(), limit_s)
    except (TimeoutError, OSError) as exc:
        out.fail(exc)
        return
    try:
        status, body = await asyncio.wait_for(conn.send(raw), limit_s)
    except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
        out.fail(exc)
        pool.discard(conn)
        return
    out.record(status, body, (time.perf_counter() - t0) * 1000)
    pool.release(conn)


async def open_loop(spec: dict[str, Any], raws: list[bytes], out: Outcome) -> int:
    loop = asyncio.get_running_loop()
    rate = float(spec["rate"])
    total = min(int(rate * spec["duration_s"]), int(spec.get("max_requests", 10**7)))
    pool = Pool(spec["host"], spec["port"], int(spec.get("connections", 256)))
    warm = [await pool.acquire() for _ in range(min(8, pool.limit))]
    for conn in warm:
        pool.release(conn)
    tasks = []
    # perf_counter, not loop.time(): uvloop's clock ticks in whole milliseconds.
    start = time.perf_counter() + 0.02
    for i in range(total):
        at = start + i / rate
        delay = at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        raw = raws[i % len(raws)]
        tasks.append(loop.create_task(_one(pool, raw, at, out, spec["timeout_s"])))
    if tasks:
        await asyncio.wait(tasks, timeout=spec["timeout_s"] + 5)
    pool.close()
    return total


async def closed_loop(spec: dict[str, Any], raws: list[bytes], out: Outcome) -> int:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + spec["duration_s"]
    limit = int(spec.get("max_requests", len(raws) if spec.get("once") else 10**7))
    issued = 0

    async def worker() -> None:
        nonlocal issued
        conn = await Connection.open(spec["host"], spec["port"])
        try:
            while issued < limit and loop.time() < deadline:
                raw = raws[issued % len(raws)]
                issued += 1
                t0 = time.perf_counter()
                try:
                    status, body = await asyncio.wait_for(
                        conn.send(raw), spec["timeout_s"]
                    )
                except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
                    out.fail(exc)
                    conn.close()
                    conn = await Connection.open(spec["host"], spec["port"])
                    continue
                out.record(status, body, (time.perf_counter() - t0) * 1000)
        finally:
            conn.close()

    await asyncio.gather(*(worker() for _ in range(int(spec["connections"]))))
    return issued


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    host_header = f"{spec['host']}:{spec['port']}"
    raws = [
        Request(r["method"], r["path"], r["headers"], r["body"].encode()).encode(
            host_header
        )
        for r in spec["requests"]
    ]
    out = Outcome(spec.get("markers", []), spec.get("bad_markers", []))
    began = time.perf_counter()
    if spec["mode"] == "open":
        scheduled = await open_loop(spec, raws, out)
    else:
        scheduled = await closed_loop(spec, raws, out)
    return out.result(time.perf_counter() - began, scheduled)


def main() -> None:
    spec = json.load(sys.stdin)
    try:
        import uvloop

        result = uvloop.run(run(spec))
    except ImportError:
        result = asyncio.run(run(spec))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
