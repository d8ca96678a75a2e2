"""A client's webhook receiver for the bench, on loopback in the bench's own process: it
answers 200 and records each delivery's event id, arrival time and whether its
signature verifies."""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench import procs
from gateway.services.webhooks.signing import verify


@dataclass
class Arrival:
    event_id: str
    at: float
    signed: bool


@dataclass
class BenchReceiver:
    url: str
    secret: str | None = None
    arrivals: list[Arrival] = field(default_factory=list)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        signed = self.secret is not None and verify(
            self.secret, headers, body, now=time.time()
        )
        async with self._changed:
            self.arrivals.append(
                Arrival(headers.get("webhook-id", ""), time.monotonic(), signed)
            )
            self._changed.notify_all()
        return Response(status_code=200)

    def distinct(self, prefix: str = "") -> set[str]:
        return {a.event_id for a in self.arrivals if a.event_id.startswith(prefix)}

    async def wait_for_distinct(self, count: int, within: float) -> bool:
        """True once `count` distinct event ids came; False at the deadline."""
        try:
            async with asyncio.timeout(within), self._changed:
                await self._changed.wait_for(lambda: len(self.distinct()) >= count)
        except TimeoutError:
            return False
        return True


@contextlib.asynccontextmanager
async def bench_receiver() -> AsyncIterator[BenchReceiver]:
    port = procs.free_port()
    receiver = BenchReceiver(url=f"http://127.0.0.1:{port}/hook")
    app = Starlette(routes=[Route("/hook", receiver.handle, methods=["POST"])])
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", access_log=False
        )
    )
    task = asyncio.create_task(server.serve(), name="bench-webhook-receiver")
    async with asyncio.timeout(10):
        while not server.started:  # noqa: ASYNC110  (uvicorn sets a flag, no event)
            await asyncio.sleep(0.01)
    try:
        yield receiver
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)
