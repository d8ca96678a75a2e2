"""The GraphQL endpoint: Strawberry's ASGI view with our auth and context."""

from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.exceptions import ConnectionRejectionError

from gateway.schema.client_identity import client_identity
from gateway.schema.context import Context, Services
from gateway.schema.incremental_http import IncrementalDelivery
from gateway.schema.shared_streams import SharedStreams
from gateway.security.guard import Guard
from gateway.web.graphiql import CONTENT_SECURITY_POLICY, render_graphiql


def bearer_key(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    scheme, _, key = value.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return None
    return key.strip()


def _wants_ide(request: Request) -> bool:
    # A browser opening the endpoint, not a query sent with GET: that needs a key.
    return (
        request.method == "GET"
        and "query" not in request.query_params
        and "text/html" in request.headers.get("accept", "")
    )


class GatewayGraphQL(IncrementalDelivery):
    def __init__(
        self,
        schema: Any,
        *,
        guard: Guard,
        shared_streams: SharedStreams | None = None,
        **options: Any,
    ) -> None:
        super().__init__(schema, **options)
        self.guard = guard
        # Subscriptions asking the same thing share one execution.
        self.shared_streams = shared_streams

    def encode_json(self, data: object) -> str:
        # orjson: several times faster than json on large pages of stakes. Text, not
        # bytes: browsers' graphql-ws clients cannot read binary WebSocket frames.
        return orjson.dumps(data).decode()

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(
            render_graphiql(request.app.state.demo_key, request.url.path),
            headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY},
        )

    async def parse_http_body(self, request: Any) -> Any:
        data = await super().parse_http_body(request)
        return await self.guard.resolve_documents(request, data)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None = None
    ) -> Context:
        services: Services = request.state.services
        client = client_identity(request.headers)
        if isinstance(request, WebSocket):
            # Authenticated in on_ws_connect, from the connection_init payload.
            return Context(services, None, client=client)
        if _wants_ide(request):
            return Context(services, None)
        key = bearer_key(request.headers.get("authorization"))
        caller = await self.guard.authenticate(services, key) if key else None
        if caller is None:
            raise HTTPException(
                401, "Unauthorized: send `Authorization: Bearer <api key or JWT>`."
            )
        await self.guard.admit(caller)
        return Context(services, caller, client=client)

    async def on_ws_connect(self, context: Context) -> Any:
        params = context.connection_params or {}
        raw = params.get("Authorization") or params.get("authorization")
        key = bearer_key(raw)
        caller = await self.guard.authenticate(context.services, key) if key else None
        if caller is None:
            raise ConnectionRejectionError({"message": "Unauthorized"})
        if not self.guard.claim_connection(caller):
            raise ConnectionRejectionError(
                {"message": "Too many open connections for this client."}
            )
        context.authenticate(caller)
        declared = client_identity(params)
        if declared.name is not None or declared.version is not None:
            context.client = declared
        return None
