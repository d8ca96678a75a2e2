"""Subscribers over graphql-transport-ws, in their own process, driven line by line.

`python -m bench.subclient` reads a JSON setup line, then commands (one JSON per line):
`connect {n}`, `events {count, spacing_s}`, `close`, `exit`; each is answered with one
JSON line. Events are createStake mutations (a new ACTIVE Crocante stake is a status
change); a delivery's latency runs from just before its mutation was sent to the moment
a subscriber read it. Clocks: time.perf_counter, in this one process.
"""

import asyncio
import json
import sys
import time
from collections import defaultdict
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

from bench.http1 import Connection, Request
from bench.stats import latency_summary

OPEN_AT_ONCE = 64


class Subscribers:
    def __init__(self, setup: dict[str, Any]) -> None:
        self.setup = setup
        self.sockets: list[ClientConnection] = []
        self.readers: list[asyncio.Task[None]] = []
        # stake id -> receive times, one per subscriber that got it
        self.received: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.count = 0
        self.target = 0
        self.all_in = asyncio.Event()

    async def _open(self, gate: asyncio.Semaphore) -> None:
        async with gate:
            ws = await connect(
                self.setup["ws_url"],
                subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                compression=None,
                ping_interval=None,
                open_timeout=60,
                max_queue=None,
            )
            await ws.send(
                json.dumps(
                    {
                        "type": "connection_init",
                        "payload": {"Authorization": f"Bearer {self.setup['key']}"},
                    }
                )
            )
            ack = json.loads(await ws.recv())
            if ack.get("type") != "connection_ack":
                raise RuntimeError(f"no ack: {ack}")
            await ws.send(
                json.dumps(
                    {
                        "id": "1",
                        "type": "subscribe",
                        "payload": {"query": self.setup["query"]},
                    }
                )
            )
            self.sockets.append(ws)
            self.readers.append(asyncio.create_task(self._read(ws)))

    async def _read(self, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                at = time.perf_counter()
                message = json.loads(raw)
                if message.get("type") == "next":
                    data = (message["payload"].get("data") or {}).get(
                        "stakeStatusChanged"
                    )
                    if data:
                        self.received[data["stake"]["id"]].append(at)
                        self.count += 1
                        if self.count >= self.target:
                            self.all_in.set()
                    else:
                        self.errors.append(str(message["payload"])[:200])
                elif message.get("type") in ("error", "complete"):
                    self.errors.append(str(message)[:200])
        except Exception as exc:  # a dropped socket is reported, not fatal
            self.errors.append(repr(exc)[:200])

    async def connect(self, n: int) -> dict[str, Any]:
        began = time.perf_counter()
        gate = asyncio.Semaphore(OPEN_AT_ONCE)
        done = await asyncio.gather(
            *(self._open(gate) for _ in range(n)), return_exceptions=True
        )
        failed = [repr(d)[:200] for d in done if isinstance(d, BaseException)]
        return {
            "connected": len(self.sockets),
            "failed": len(failed),
            "sample": failed[:2],
            "seconds": time.perf_counter() - began,
        }

    async def events(self, count: int, spacing_s: float) -> dict[str, Any]:
        self.received.clear()
        self.count, self.target = 0, len(self.sockets) * count
        self.all_in.clear()
        host, port = self.setup["host"], self.setup["port"]
        conn = await Connection.open(host, port)
        body = json.dumps(
            {"query": self.setup["mutation"], "variables": self.setup["variables"]}
        ).encode()
        raw = Request(
            "POST",
            "/graphql",
            {
                "Authorization": f"Bearer {self.setup['key']}",
                "Content-Type": "application/json",
            },
            body,
        ).encode(f"{host}:{port}")
        sent: list[tuple[str, float]] = []
        try:
            for _ in range(count):
                t0 = time.perf_counter()
                status, answer = await conn.send(raw)
                payload = json.loads(answer) if status == 200 else {}
                stake = ((payload.get("data") or {}).get("createStake") or {}).get(
                    "stake"
                )
                if stake is None:
                    return {"error": answer.decode()[:300]}
                sent.append((stake["id"], t0))
                if spacing_s:
                    await asyncio.sleep(spacing_s)
        finally:
            conn.close()
        expected = self.target
        try:
            await asyncio.wait_for(self.all_in.wait(), 60)
        except TimeoutError:
            pass  # reported below as missing deliveries
        latencies = [
            (at - t0) * 1000 for stake, t0 in sent for at in self.received[stake]
        ]
        got = sum(len(self.received[s]) for s, _ in sent)
        last = max(
            (max(self.received[s]) for s, _ in sent if self.received[s]),
            default=sent[0][1],
        )
        return {
            "expected": expected,
            "delivered": got,
            "subscribers_missing_an_event": sum(
                1 for s, _ in sent if len(self.received[s]) < len(self.sockets)
            ),
            "duplicates": sum(
                max(0, len(self.received[s]) - len(self.sockets)) for s, _ in sent
            ),
            "latency_ms": latency_summary(latencies),
            "deliveries_per_s": got / max(1e-9, last - sent[0][1]),
            "errors": self.errors[:3],
        }

    async def close(self) -> dict[str, Any]:
        closing = len(self.sockets)
        await asyncio.gather(
            *(ws.close() for ws in self.sockets), return_exceptions=True
        )
        for reader in self.readers:
            reader.cancel()
        await asyncio.gather(*self.readers, return_exceptions=True)
        self.sockets.clear()
        self.readers.clear()
        return {"closed": closing}


async def main() -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=2**20)
    await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), sys.stdin
    )
    subscribers = Subscribers(json.loads(await reader.readline()))
    while line := await reader.readline():
        command = json.loads(line)
        name = command.pop("cmd")
        if name == "exit":
            break
        if name == "connect":
            answer = await subscribers.connect(command["n"])
        elif name == "events":
            answer = await subscribers.events(command["count"], command["spacing_s"])
        else:
            answer = await subscribers.close()
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    await subscribers.close()


if __name__ == "__main__":
    asyncio.run(main())
