"""Recorded provider answers, replayed after each provider's injected latency.

With many distinct clients nothing is shared, so every request costs the upstream its
five or so reads. The sandboxes build each answer in Python (about 1.3 ms of CPU a
call), so at 200 requests/s they would saturate their core before the gateway does. The
tape takes them out of the measurement, as `../shared/peer`'s tape does for Hive:
- `record`: GET answers pass through to the sandboxes and the 200s are kept, by path and
  query string;
- `replay`: a kept GET is answered from the tape after its provider's latency
  (`/_sandbox/faults`), counted as the sandbox's own counter would count it, with no
  auth check and no state change; anything else still reaches the sandbox;
- `off` (the default): everything reaches the sandboxes.

A scenario records during its warm-up and replays only while it measures reads: a write
would leave the tape behind the sandbox's state.
"""

import asyncio
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bench.counting import CallCounter, endpoint_of
from providers.sandbox_kit.faults import CONTROL_PREFIX, Faults

MODES = ("off", "record", "replay")
PREFIX = "/sandbox/"

Answer = tuple[list[tuple[bytes, bytes]], bytes]


class Tape:
    def __init__(
        self,
        app: ASGIApp,
        counters: Mapping[str, CallCounter],
        faults: Mapping[str, Faults],
    ) -> None:
        self.app = app
        self.counters = counters
        self.faults = faults
        self.mode = "off"
        self.answers: dict[tuple[str, bytes], Answer] = {}
        self.replayed = 0

    def set_mode(self, mode: str) -> dict[str, Any]:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.mode = mode
        if mode == "off":
            self.answers.clear()
        return {"mode": mode, "answers": len(self.answers), "replayed": self.replayed}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.mode == "off"
            or scope["type"] != "http"
            or scope["method"] != "GET"
            or not scope["path"].startswith(PREFIX)
            or CONTROL_PREFIX in scope["path"]
        ):
            await self.app(scope, receive, send)
            return
        key = (scope["path"], scope["query_string"])
        if self.mode == "replay":
            answer = self.answers.get(key)
            if answer is not None:
                await self._replay(scope, answer, send)
                return
        await self._record(scope, receive, send, key)

    async def _replay(self, scope: Scope, answer: Answer, send: Send) -> None:
        provider = scope["path"][len(PREFIX) :].split("/", 1)[0]
        # As the sandbox's own counter names it (it sees the full path too).
        self.counters[provider].calls[endpoint_of("GET", scope["path"])] += 1
        latency = self.faults[provider].latency_ms
        if latency:
            await asyncio.sleep(latency / 1000)
        headers, body = answer
        self.replayed += 1
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _record(
        self, scope: Scope, receive: Receive, send: Send, key: tuple[str, bytes]
    ) -> None:
        status = 0
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k != b"date"
                ]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, keep)
        if status == 200 and self.mode == "record":
            self.answers[key] = (headers, b"".join(chunks))
