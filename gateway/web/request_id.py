"""Gives every HTTP request and WebSocket connection its request id (ASGI middleware)."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.request_id import HEADER, current_request_id, request_id_from

_HEADER_BYTES = HEADER.lower().encode()


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == _HEADER_BYTES),
            None,
        )
        request_id = request_id_from(incoming)
        token = current_request_id.set(request_id)
        encoded = request_id.encode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k != _HEADER_BYTES
                ]
                headers.append((_HEADER_BYTES, encoded))
                message = {**message, "headers": headers}
            await send(message)

        try:
            # A WebSocket's frames go out as they are: nothing to add to each of them.
            wrapped = send_with_id if scope["type"] == "http" else send
            await self.app(scope, receive, wrapped)
        finally:
            current_request_id.reset(token)
