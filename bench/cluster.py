"""The system under test: a sandbox host and a gateway, each its own process.

The gateway is pinned to the first core; the sandbox host, the load generators and this
orchestrating process share the other (on a one-core machine nothing is pinned).
"""

import asyncio
import secrets
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from bench import procs
from bench.creds import BenchCredentials
from gateway.domain.enums import Provider
from gateway.store.store import Store

PROVIDER_PATHS = {
    Provider.DFNS: "dfns",
    Provider.ZEROHASH: "zerohash",
    Provider.CROCANTE: "crocante",
}


class GraphQLFailed(AssertionError):
    pass


class Cluster:
    def __init__(self, workdir: Path, variants: Sequence[str] = ()) -> None:
        self.workdir = workdir
        self.variants = list(variants)
        available = procs.cores()
        self.pinned = len(available) >= 2
        self.gateway_core = available[0] if self.pinned else None
        self.load_core = available[1] if self.pinned else None
        self.creds = BenchCredentials.generate()
        self.host_port = procs.free_port()
        self.gateway_port = procs.free_port()
        self.host_url = f"http://127.0.0.1:{self.host_port}"
        self.url = f"http://127.0.0.1:{self.gateway_port}"
        self.database_url = f"sqlite+aiosqlite:///{workdir / 'gateway.sqlite3'}"
        self.host: Any = None
        self.gateway: Any = None
        self.store: Store | None = None
        self.http: httpx.AsyncClient | None = None
        self.upstream: httpx.AsyncClient | None = None
        self.demo_owners: dict[str, list[str]] = {}
        self._many: list[str] = []
        self.holdings: dict[str, int] = {}

    async def start(self) -> None:
        procs.pin_self(self.load_core)
        creds_file = self.workdir / "creds.json"
        self.creds.save(creds_file)
        self.host = procs.spawn(
            [
                "-m",
                "bench.sandbox_host",
                "--port",
                str(self.host_port),
                "--creds",
                str(creds_file),
                "--gateway-url",
                self.url,
            ],
            self.workdir / "sandbox_host.log",
            self.load_core,
        )
        self.upstream = httpx.AsyncClient(base_url=self.host_url, timeout=60)
        await self._wait_for(self.upstream, "/_bench/info", self.host)
        self.demo_owners = (await self.upstream.get("/_bench/info")).json()
        self.store = Store.from_url(self.database_url)
        await self.store.migrate()
        self.gateway = self.spawn_gateway(self.gateway_port, self.variants)
        self.http = httpx.AsyncClient(base_url=self.url, timeout=120)
        await self._wait_for(self.http, "/healthz", self.gateway)

    def spawn_gateway(
        self,
        port: int,
        variants: Sequence[str] = (),
        root: Path | None = None,
        log: str = "gateway.log",
    ) -> Any:
        """A gateway on the gateway core at `port`, on this cluster's sandbox host and
        database; from another checkout's code when `root` is given (bench/ab.py)."""
        args = [
            "-m",
            "bench.gateway_main",
            "--port",
            str(port),
            "--creds",
            str(self.workdir / "creds.json"),
            "--upstream",
            self.host_url,
            "--database-url",
            self.database_url,
        ]
        for variant in variants:
            args += ["--variant", variant]
        return procs.spawn(args, self.workdir / log, self.gateway_core, root=root)

    async def _wait_for(self, client: httpx.AsyncClient, path: str, proc: Any) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"{path}: process exited; see logs in {self.workdir}"
                )
            try:
                if (await client.get(path)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
        raise RuntimeError(f"{path} did not come up within 60 s")

    async def stop(self) -> None:
        for client in (self.http, self.upstream):
            if client is not None:
                await client.aclose()
        procs.stop(self.gateway)
        procs.stop(self.host)
        if self.store is not None:
            await self.store.close()

    # --- clients and GraphQL -------------------------------------------------------

    async def create_client(
        self, name: str, identities: Mapping[Provider, Sequence[str]]
    ) -> str:
        assert self.store is not None
        key = f"sgw_bench_{secrets.token_urlsafe(16)}"
        await self.store.clients.create(name, identities, key=key)
        return key

    async def demo_client(self) -> str:
        return await self.create_client(
            "bench-demo",
            {p: self.demo_owners[path] for p, path in PROVIDER_PATHS.items()},
        )

    async def many_clients(self, count: int) -> list[str]:
        """Keys of `count` clients, each linked to identities of its own, seeded with
        stakes of its own (`bench/population.py`); made once, then reused."""
        assert self.upstream is not None
        if len(self._many) < count:
            response = await self.upstream.post(
                "/_bench/population", json={"count": count}
            )
            response.raise_for_status()
            seeded = response.json()
            self.holdings = seeded["holdings"]
            for i, owned in enumerate(seeded["clients"][len(self._many) :]):
                self._many.append(
                    await self.create_client(
                        f"bench-many-{len(self._many) + i:03d}",
                        {p: owned[path] for p, path in PROVIDER_PATHS.items()},
                    )
                )
        return self._many[:count]

    async def graphql(
        self, key: str, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        assert self.http is not None
        response = await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {key}"},
        )
        body = (
            response.json()
            if response.headers.get("content-type", "").startswith("application/json")
            else {}
        )
        if response.status_code != 200 or body.get("errors"):
            raise GraphQLFailed(f"{response.status_code}: {response.text[:500]}")
        data: dict[str, Any] = body["data"]
        return data

    # --- upstream control and counters ----------------------------------------------

    async def set_latency(self, latency_ms: Mapping[Provider, float]) -> None:
        assert self.upstream is not None
        for provider, path in PROVIDER_PATHS.items():
            response = await self.upstream.post(
                f"/sandbox/{path}/_sandbox/faults",
                json={
                    "latency_ms": latency_ms.get(provider, 0),
                    "error_rate": 0,
                    "down": False,
                },
            )
            response.raise_for_status()

    async def tape(self, mode: str) -> dict[str, Any]:
        """Upstream GETs recorded, replayed or passed through (`bench/tape.py`)."""
        assert self.upstream is not None
        response = await self.upstream.post("/_bench/tape", json={"mode": mode})
        response.raise_for_status()
        state: dict[str, Any] = response.json()
        return state

    async def reset_counts(self) -> None:
        assert self.upstream is not None
        (await self.upstream.post("/_bench/counts")).raise_for_status()

    async def counts(self) -> dict[str, dict[str, int]]:
        assert self.upstream is not None
        counts: dict[str, dict[str, int]] = (
            await self.upstream.get("/_bench/counts")
        ).json()
        return counts

    async def metrics(self) -> str:
        assert self.http is not None
        return (await self.http.get("/metrics")).text

    async def metric_value(self, name: str) -> float:
        for line in (await self.metrics()).splitlines():
            if line.startswith((name + " ", name + "{")):
                return float(line.rsplit(" ", 1)[1])
        return float("nan")

    # --- process figures --------------------------------------------------------------

    def gateway_rss_kib(self) -> int:
        return procs.rss_kib(self.gateway.pid)

    def cpu(self) -> dict[str, float]:
        return {
            "gateway": procs.cpu_seconds(self.gateway.pid),
            "upstream": procs.cpu_seconds(self.host.pid),
        }

    async def reads(self) -> dict[str, float]:
        """The gateway's own count of upstream reads: calls sent, reads that shared an
        identical one in flight, and reads answered from its caches."""
        totals = {"calls": 0.0, "shared": 0.0, "cached": 0.0}
        for line in (await self.metrics()).splitlines():
            name = line.split("{", 1)[0].split(" ", 1)[0]
            if name == "gateway_upstream_requests_total":
                totals["calls"] += float(line.rsplit(" ", 1)[1])
            elif name == "gateway_upstream_reads_coalesced":
                totals["shared"] += float(line.rsplit(" ", 1)[1])
            elif name == "gateway_cache_hits_total" and 'cache="api_keys"' not in line:
                totals["cached"] += float(line.rsplit(" ", 1)[1])
        return totals

    async def load(
        self, spec: dict[str, Any], *, reads: bool = False
    ) -> dict[str, Any]:
        """Runs the load generator on the load core; adds both servers' CPU use, the
        gateway's CPU ms per answered request and, with `reads`, its upstream reads."""
        spec = {
            "host": "127.0.0.1",
            "port": self.gateway_port,
            "timeout_s": 10.0,
            **spec,
        }
        reads_before = await self.reads() if reads else None
        before, began = self.cpu(), time.monotonic()
        result = await asyncio.to_thread(
            procs.run_json,
            "bench.loadgen",
            spec,
            self.load_core,
            spec["duration_s"] + spec["timeout_s"] + 60,
        )
        wall = time.monotonic() - began
        after = self.cpu()
        result["cpu_pct"] = {
            k: round(100 * (after[k] - before[k]) / wall, 1) for k in after
        }
        answered = result["completed"]
        result["cpu_ms_per_request"] = {
            k: round(1000 * (after[k] - before[k]) / answered, 3) if answered else None
            for k in after
        }
        if reads_before is not None:
            reads_after = await self.reads()
            result["reads"] = {k: reads_after[k] - reads_before[k] for k in reads_after}
        return result
