"""Fault injection for a sandbox: added latency, random server errors, or downtime."""

import asyncio
import json
import random
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTROL_PREFIX = "/_sandbox/"


@dataclass
class Faults:
    latency_ms: float = 0.0
    error_rate: float = 0.0
    down: bool = False
    rng: random.Random = field(default_factory=random.Random)

    def update(self, *, latency_ms: float, error_rate: float, down: bool) -> None:
        if latency_ms < 0:
            raise ValueError("latency_ms must not be negative")
        if not 0.0 <= error_rate <= 1.0:
            raise ValueError("error_rate must be between 0.0 and 1.0")
        self.latency_ms = latency_ms
        self.error_rate = error_rate
        self.down = down

    def as_dict(self) -> dict[str, object]:
        return {
            "latency_ms": self.latency_ms,
            "error_rate": self.error_rate,
            "down": self.down,
        }


class FaultInjectionMiddleware:
    """Applies `Faults` to every provider route; the sandbox's own control routes are exempt."""

    def __init__(self, app: ASGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The route path, not the full path: a sandbox mounted under /sandbox/<name>
        # must still reach its own control routes while "down".
        if scope["type"] != "http" or _route_path(scope).startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        if self.faults.latency_ms:
            replayed = await _late(receive, self.faults.latency_ms / 1000)
            if replayed is None:
                return  # the caller gave up waiting: nobody to answer
            receive = replayed
        if self.faults.down:
            await _plain_error(send, 503, "sandbox: provider is down (injected)")
            return
        if self.faults.error_rate and self.faults.rng.random() < self.faults.error_rate:
            await _plain_error(send, 500, "sandbox: injected server error")
            return
        await self.app(scope, receive, send)


async def _late(receive: Receive, seconds: float) -> Receive | None:
    """Waits `seconds` before the request is served, as a slow provider would; None if
    the caller hangs up meanwhile (a real server's work would be lost the same way, and
    a sandbox in the gateway's own process must not hold its stop for the rest).

    The body is read first, so the wait can hear the disconnect; the app is handed the
    same messages again."""
    body: list[Message] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        body.append(message)
        if not message.get("more_body", False):
            break
    try:
        gone = await asyncio.wait_for(receive(), seconds)
    except TimeoutError:
        pass
    else:
        if gone["type"] == "http.disconnect":
            return None

    async def replay() -> Message:
        if body:
            return body.pop(0)
        return await receive()

    return replay


def _route_path(scope: Scope) -> str:
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


async def _plain_error(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
