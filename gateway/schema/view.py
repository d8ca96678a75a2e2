"""The GraphQL endpoint: Strawberry's ASGI view with our auth and context."""

from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError

from gateway.schema.context import Context, Services
from gateway.web.graphiql import CONTENT_SECURITY_POLICY, render_graphiql


def bearer_key(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    scheme, _, key = value.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return None
    return key.strip()


def _wants_ide(request: Request) -> bool:
    return request.method == "GET" and "text/html" in request.headers.get("accept", "")


class GatewayGraphQL(GraphQL[Context, None]):
    def encode_json(self, data: object) -> str:
        # orjson: several times faster than json on large pages of stakes. Text, not
        # bytes: browsers' graphql-ws clients cannot read binary WebSocket frames.
        return orjson.dumps(data).decode()

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(
            render_graphiql(request.app.state.demo_key, request.url.path),
            headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY},
        )

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None = None
    ) -> Context:
        services: Services = request.state.services
        if isinstance(request, WebSocket):
            # Authenticated in on_ws_connect, from the connection_init payload.
            return Context(services, None)
        if _wants_ide(request):
            return Context(services, None)
        key = bearer_key(request.headers.get("authorization"))
        caller = await services.caller_for(key) if key else None
        if caller is None:
            raise HTTPException(
                401, "Unauthorized: send `Authorization: Bearer <api key>`."
            )
        return Context(services, caller)

    async def on_ws_connect(self, context: Context) -> Any:
        params = context.connection_params or {}
        raw = params.get("Authorization") or params.get("authorization")
        key = bearer_key(raw)
        caller = await context.services.caller_for(key) if key else None
        if caller is None:
            raise ConnectionRejectionError({"message": "Unauthorized"})
        context.authenticate(caller)
        return None
