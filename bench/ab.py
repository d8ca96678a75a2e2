"""Before/after in one run: the same load on a gateway built from another checkout (A)
and on this one (B), interleaved round by round, on one sandbox host and tape.

    python -m bench.ab --before /path/to/checkout [--variant no-sharing] [--rounds 3]
    python -m bench.ab --spy out/ --spy-connections 1,16      # py-spy this checkout

Load: S2's fan-out from 50 distinct clients taking turns (bench/population.py), closed
loop at each of `--connections`, and S1's `{ __typename }`. Figures per gateway: CPU ms
per request (/proc utime+stime over the run), req/s, p50 and p99; medians of the rounds,
with B/A, and the box's load average before and after.
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import procs, queries
from bench.cluster import Cluster
from bench.profile import LATENCY_MS
from bench.scenarios.common import GRAPHQL_BAD, graphql_request
from bench.scenarios.s2_fanout import MANY_CLIENTS


@dataclass
class Target:
    name: str
    port: int
    proc: Any
    figures: dict[str, list[float]] = field(default_factory=dict)

    def add(self, figure: str, value: float) -> None:
        self.figures.setdefault(figure, []).append(value)


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()


async def _load(
    cluster: Cluster, target: Target, spec: dict[str, Any]
) -> dict[str, Any]:
    spec = {"host": "127.0.0.1", "port": target.port, "timeout_s": 30.0, **spec}
    before = procs.cpu_seconds(target.proc.pid)
    result = await asyncio.to_thread(
        procs.run_json,
        "bench.loadgen",
        spec,
        cluster.load_core,
        spec["duration_s"] + spec["timeout_s"] + 60,
    )
    spent = procs.cpu_seconds(target.proc.pid) - before
    result["cpu_ms"] = 1000 * spent / max(result["completed"], 1)
    return result


def _spy(pid: int, out: Path, seconds: float) -> subprocess.Popen[bytes]:
    spy = Path(sys.executable).with_name("py-spy")
    return subprocess.Popen(
        [
            str(spy),
            "record",
            "--pid",
            str(pid),
            "--rate",
            "200",
            "--duration",
            str(int(seconds)),
            "--format",
            "raw",
            "--output",
            str(out),
            # Only what holds the GIL: the CPU the gateway spends, not its waits.
            "--gil",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )


async def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    cluster = Cluster(workdir, args.variant)
    targets: list[Target] = []
    try:
        await cluster.start()
        assert cluster.http is not None
        if args.before:
            port = procs.free_port()
            proc = cluster.spawn_gateway(
                port, args.variant, root=Path(args.before), log="before.log"
            )
            targets.append(Target("A", port, proc))
            async with _client(port) as http:
                await cluster._wait_for(http, "/healthz", proc)
        targets.append(Target("B", cluster.gateway_port, cluster.gateway))
        keys = await cluster.many_clients(MANY_CLIENTS)
        demo = await cluster.demo_client()
        fanout = [graphql_request(k, queries.FANOUT) for k in keys]
        trivial = [graphql_request(demo, queries.TRIVIAL)]
        await cluster.set_latency(LATENCY_MS)
        await cluster.tape("record")
        for target in targets:
            await _load(
                cluster,
                target,
                {
                    "mode": "closed",
                    "connections": 2,
                    "duration_s": 60,
                    "once": True,
                    "requests": fanout * 2,
                },
            )
        await cluster.tape("replay")
        began_load = loadavg()
        for _ in range(args.rounds):
            for target in targets:
                for c in args.connections:
                    spy = None
                    if args.spy and target.name == "B" and c in args.spy_connections:
                        out = Path(args.spy) / f"spy-c{c}-{int(time.time())}.txt"
                        spy = _spy(target.proc.pid, out, args.seconds)
                    r = await _load(
                        cluster,
                        target,
                        {
                            "mode": "closed",
                            "connections": c,
                            "duration_s": args.seconds,
                            "requests": fanout,
                            "bad_markers": GRAPHQL_BAD,
                        },
                    )
                    if spy is not None:
                        spy.wait(30)
                    if r["errors"] or r["bad"]:
                        print(f"{target.name} c={c}: {r['sample_error']}", flush=True)
                    target.add(f"fan-out c={c} CPU ms/req", r["cpu_ms"])
                    target.add(f"fan-out c={c} req/s", r["throughput"])
                    target.add(f"fan-out c={c} p50 ms", r["latency_ms"]["p50"])
                    target.add(f"fan-out c={c} p99 ms", r["latency_ms"]["p99"])
                spy = None
                trivial_seconds = max(2.0, args.seconds / 2)
                if args.spy and target.name == "B":
                    out = Path(args.spy) / f"spy-trivial-{int(time.time())}.txt"
                    spy = _spy(target.proc.pid, out, trivial_seconds)
                r = await _load(
                    cluster,
                    target,
                    {
                        "mode": "closed",
                        "connections": 16,
                        "duration_s": trivial_seconds,
                        "requests": trivial,
                        "bad_markers": ['"errors":'],
                    },
                )
                if spy is not None:
                    spy.wait(30)
                target.add("trivial c=16 CPU ms/req", r["cpu_ms"])
                target.add("trivial c=16 req/s", r["throughput"])
        return {
            "loadavg": [began_load, loadavg()],
            "targets": {t.name: t.figures for t in targets},
        }
    finally:
        for target in targets:
            if target.proc is not cluster.gateway:
                procs.stop(target.proc)
        await cluster.stop()


def _client(port: int) -> Any:
    import httpx

    return httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30)


def table(result: dict[str, Any]) -> str:
    targets = result["targets"]
    names = list(targets)
    first = targets[names[0]]
    lines = [f"{'figure':32}" + "".join(f"{n:>10}" for n in names)]
    if len(names) == 2:
        lines[0] += f"{'B/A':>8}"
    for figure in first:
        values = [statistics.median(targets[n][figure]) for n in names]
        line = f"{figure:32}" + "".join(f"{v:10.2f}" for v in values)
        if len(values) == 2 and values[0]:
            line += f"{values[1] / values[0]:8.2f}"
        lines.append(line)
    lines.append(
        f"loadavg before | after: {result['loadavg'][0]} | {result['loadavg'][1]}"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ab", description=__doc__)
    parser.add_argument("--before", help="checkout whose gateway is A")
    parser.add_argument("--variant", action="append", default=[])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument(
        "--connections",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[1, 16],
    )
    parser.add_argument("--spy", help="directory for py-spy raw profiles of B")
    parser.add_argument(
        "--spy-connections",
        type=lambda s: [int(x) for x in s.split(",")],
        default=[1, 16],
    )
    args = parser.parse_args()
    if args.spy:
        os.makedirs(args.spy, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-ab-") as tmp:
        result = asyncio.run(run(args, Path(tmp)))
    print(table(result))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
