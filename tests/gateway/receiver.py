"""A client's webhook receiver on a loopback port: it records each request, verifies
its signature, and answers as the test scripts it (a status, a Retry-After, or a hang)."""

import asyncio
import contextlib
import json
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.services.webhooks.signing import verify
from tests.ports import loopback_socket, port_of


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    answered: int

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def event_id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Answer:
    status: int = 200
    retry_after: str | None = None
    hang: bool = False  # never answer: the sender's request stays in flight


@dataclass
class Receiver:
    url: str
    received: list[Received] = field(default_factory=list)
    script: deque[Answer] = field(default_factory=deque)
    secret: str | None = None
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    hanging: asyncio.Event = field(default_factory=asyncio.Event)

    def signed(self, item: Received, now: float | None = None) -> bool:
        assert self.secret is not None, "set receiver.secret to the endpoint's secret"
        at = time.time() if now is None else now
        return verify(self.secret, item.headers, item.body, now=at)

    async def wait_for(
        self, check: Callable[[list[Received]], bool], within: float = 20.0
    ) -> list[Received]:
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(lambda: check(self.received))
        return list(self.received)

    async def wait_for_count(self, count: int, within: float = 20.0) -> list[Received]:
        return await self.wait_for(lambda got: len(got) >= count, within)

    def delivered(self) -> list[Received]:
        return [r for r in self.received if 200 <= r.answered < 300]

    async def handle(self, request: Request) -> Response:
        body = await request.body()
        answer = self.script.popleft() if self.script else Answer()
        item = Received(
            {k.lower(): v for k, v in request.headers.items()}, body, answer.status
        )
        if answer.hang:
            item.answered = 0
        async with self._changed:
            self.received.append(item)
            self._changed.notify_all()
        if answer.hang:
            self.hanging.set()
            await asyncio.Event().wait()
        headers = {"Retry-After": answer.retry_after} if answer.retry_after else {}
        return Response(status_code=answer.status, headers=headers)


@contextlib.asynccontextmanager
async def webhook_receiver() -> AsyncIterator[Receiver]:
    sock = loopback_socket()
    receiver = Receiver(url=f"http://127.0.0.1:{port_of(sock)}/hook")
    app = Starlette(routes=[Route("/hook", receiver.handle, methods=["POST"])])
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    async with asyncio.timeout(10):
        while not server.started:  # noqa: ASYNC110  (uvicorn sets a flag, no event)
            await asyncio.sleep(0.01)
    try:
        yield receiver
    finally:
        server.should_exit = True
        # A request left hanging on purpose must not hold the shutdown.
        server.force_exit = True
        try:
            await asyncio.wait_for(task, 10)
        finally:
            sock.close()
