"""Fault injection for a sandbox: added latency, random server errors, or downtime."""

import asyncio
import json
import random
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Receive, Scope, Send

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
            await asyncio.sleep(self.faults.latency_ms / 1000)
        if self.faults.down:
            await _plain_error(send, 503, "sandbox: provider is down (injected)")
            return
        if self.faults.error_rate and self.faults.rng.random() < self.faults.error_rate:
            await _plain_error(send, 500, "sandbox: injected server error")
            return
        await self.app(scope, receive, send)


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
