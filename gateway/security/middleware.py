"""The HTTP edge of the guard, as plain ASGI (nothing is buffered but capped bodies).

- A request body over `max_body_bytes` on a capped path is answered 413 before the
  GraphQL view reads any of it.
- `RateLimited`, raised while authenticating, becomes 429 with `Retry-After`.
- Each WebSocket connection runs inside a connection slot (see connections.py).
"""

import json
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.security.guard import Guard
from gateway.security.rate_limit import RateLimited

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


async def _send_json(
    send: Send,
    status: int,
    message: str,
    code: str,
    headers: Sequence[tuple[str, str]] = (),
) -> None:
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})
    raw = body.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(raw)).encode()),
                *((k.encode(), v.encode()) for k, v in headers),
            ],
        }
    )
    await send({"type": "http.response.body", "body": raw})


class SecurityMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        guard: Guard,
        max_body_bytes: int,
        capped_paths: Sequence[str] = ("/graphql",),
    ) -> None:
        self.app = app
        self.guard = guard
        self.max_body_bytes = max_body_bytes
        self.capped_paths = tuple(capped_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            with self.guard.connections.connection():
                await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] in _BODY_METHODS and self._capped(scope["path"]):
            replay = await self._read_capped(scope, receive)
            if replay is None:
                await _send_json(
                    send,
                    413,
                    f"The request body is over the limit of {self.max_body_bytes} bytes.",
                    "PAYLOAD_TOO_LARGE",
                )
                return
            receive = replay
        await self._run(scope, receive, send)

    def _capped(self, path: str) -> bool:
        return any(path == p or path.startswith(p + "/") for p in self.capped_paths)

    async def _read_capped(self, scope: Scope, receive: Receive) -> Receive | None:
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit():
                if int(value) > self.max_body_bytes:
                    return None
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                # The client went away: hand the app what there is, and the news.
                return _replay(bytes(body), message, receive)
            body.extend(message.get("body", b""))
            if len(body) > self.max_body_bytes:
                return None
            if not message.get("more_body", False):
                return _replay(bytes(body), None, receive)

    async def _run(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except RateLimited as limited:
            if started:
                raise
            await _send_json(
                send,
                429,
                str(limited),
                "RATE_LIMITED",
                headers=[("retry-after", limited.retry_after_header)],
            )


def _replay(body: bytes, pending: Message | None, receive: Receive) -> Receive:
    queue: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    if pending is not None:
        queue.append(pending)

    async def replayed() -> Message:
        return queue.pop(0) if queue else await receive()

    return replayed
