"""GraphQL over HTTP as its spec has it: media types, `Accept` negotiation, status codes.

A request accepting `application/graphql-response+json` gets that media type, and the
status says how far the request got: 200 once execution started (field errors and all),
a 4xx (or 5xx) without a `data` entry when it never did (a document that does not parse
or validate, variables that do not coerce, an operation that cannot be chosen, a refusal).
`application/json` keeps the legacy behaviour: 200 for every well-formed request.

A missing `Accept`, or `*/*`, gets `application/json`; an `Accept` that takes neither is
answered 406 before anything else happens, but for a browser's `text/html` (GraphiQL, or
JSON as before). A mutation sent with GET is a 405 that names POST.
"""

import re
from dataclasses import dataclass, field
from typing import Any

import orjson
from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema._graphql_core import GraphQLIncrementalExecutionResults
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_SSE_PROTOCOL
from strawberry.types import ExecutionResult, SubscriptionExecutionResult

from gateway.schema.context import Context
from gateway.schema.incremental import IncrementalGuard, merged
from gateway.schema.persisted_queries import PersistedQueries, Registration
from gateway.schema.request_error import RequestError
from gateway.web.accept import (
    EVENT_STREAM,
    GRAPHQL_RESPONSE_JSON,
    JSON,
    MULTIPART_MIXED,
    negotiate,
)

GRAPHQL_RESPONSE_CONTENT_TYPE = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
_SCOPE_KEY = "gateway.graphql_http"
# A document without this word cannot hold a subscription (a false hit keeps the
# stream a client asked for, as before).
_MAY_SUBSCRIBE = re.compile(r"\bsubscription\b")

# Request errors whose status says more than 400 does.
_STATUS_BY_CODE = {
    "UNTRUSTED_DOCUMENT": 403,
    "QUERY_TOO_LARGE": 413,
    "RATE_LIMITED": 429,
    "TIMEOUT": 504,
}


@dataclass
class Exchange:
    """What `Accept` chose for one request (None: only GraphiQL's page), and the
    response Strawberry fills, whose status the answer may change."""

    negotiated: str | None
    sub_response: Response | None = field(default=None)
    # An automatic persisted query, remembered once it has shown that it runs.
    registration: Registration | None = None

    @property
    def speaks_graphql_response(self) -> bool:
        return self.negotiated == GRAPHQL_RESPONSE_JSON

    @property
    def prefers_a_stream(self) -> bool:
        return self.negotiated == EVENT_STREAM


def request_error_status(result: ExecutionResult) -> int | None:
    """The status of an answer that never reached execution; None once it did.

    Field errors carry a path; request errors (syntax, validation, coercion, refusals)
    do not. A `data` entry, even null, means execution started.
    """
    if result.data is not None:
        return None
    errors = result.errors or []
    if not errors or any(error.path for error in errors):
        return None
    for error in errors:
        status = _STATUS_BY_CODE.get(str((error.extensions or {}).get("code")))
        if status is not None:
            return status
    if any(_server_fault(error) for error in errors):
        return 500
    return 400


def _server_fault(error: GraphQLError) -> bool:
    # An exception of ours escaping an extension: nothing in the document it points at.
    original = error.original_error
    return (
        original is not None
        and not isinstance(original, GraphQLError)
        and not error.nodes
        and not error.locations
    )


def exchange_of(request: Request) -> Exchange:
    exchange = request.scope.get(_SCOPE_KEY)
    return exchange if isinstance(exchange, Exchange) else Exchange(JSON)


class GraphQLOverHTTP(GraphQL[Context, None]):
    """Strawberry's ASGI view, answering as the GraphQL-over-HTTP spec says."""

    # Automatic persisted queries (create_app sets them; None: not spoken).
    persisted_queries: PersistedQueries | None = None
    # @defer and @stream (create_app sets it when they are on).
    incremental: IncrementalGuard | None = None

    def offered_media_types(self) -> tuple[str, ...]:
        # application/json first: what `*/*` and legacy clients have always had.
        offered: tuple[str, ...] = (JSON, GRAPHQL_RESPONSE_JSON)
        if GRAPHQL_SSE_PROTOCOL in self.protocols:
            offered += (EVENT_STREAM,)
        if self.incremental is not None:
            offered += (MULTIPART_MIXED,)
        return offered

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        accept = ", ".join(request.headers.getlist("accept")) or None
        chosen = negotiate(accept, self.offered_media_types())
        if chosen is None and not _accepts_html(accept):
            response: Response = _not_acceptable()
        else:
            exchange = Exchange(chosen)
            scope[_SCOPE_KEY] = exchange
            try:
                response = await self.run(request)
            except HTTPException as error:
                response = _refusal(error, exchange)
        await response(scope, receive, send)

    async def get_sub_response(self, request: Request | Any) -> Response:
        sub_response = await super().get_sub_response(request)
        exchange = exchange_of(request)
        exchange.sub_response = sub_response
        sub_response.media_type = (
            GRAPHQL_RESPONSE_CONTENT_TYPE if exchange.speaks_graphql_response else JSON
        )
        # The same URL answers differently per Accept: caches must key on it.
        sub_response.headers["Vary"] = "Accept"
        return sub_response

    async def execute_operation(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: None,
        sub_response: Response,
    ) -> ExecutionResult | list[ExecutionResult] | SubscriptionExecutionResult:
        exchange = exchange_of(request)
        if isinstance(request_data, GraphQLRequestData) and self.persisted_queries:
            exchange.registration = await self.persisted_queries.resolve(request_data)
        if (
            isinstance(request_data, GraphQLRequestData)
            and request_data.protocol == "sse"
            and not exchange.prefers_a_stream
            and not _MAY_SUBSCRIBE.search(request_data.query or "")
        ):
            # The client listed a JSON answer before an event stream: a query or a
            # mutation gets the JSON one (a subscription can only stream).
            request_data.protocol = "http"
        result = await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )
        if self.incremental is not None and isinstance(
            result, GraphQLIncrementalExecutionResults
        ):
            # A client that cannot read parts gets the whole answer in one (one that
            # can took gateway.schema.incremental_http's path before this).
            return await merged(self.incremental.results(result))
        return result

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        try:
            return await super().execute_single(
                request,
                request_adapter,
                sub_response,
                context,
                root_value,
                request_data,
            )
        except HTTPException as error:
            if request_adapter.method == "GET" and isinstance(
                error.__cause__, InvalidOperationTypeError
            ):
                raise RequestError(
                    405,
                    f"{error.reason}: send it with POST.",
                    code="METHOD_NOT_ALLOWED",
                    headers={"Allow": "POST"},
                ) from error
            raise

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        answer = await super().process_result(request, result)
        exchange = exchange_of(request)
        status = request_error_status(result)
        if status is None:
            await self.register_persisted(exchange)
        if status is not None and exchange.speaks_graphql_response:
            answer.pop("data", None)
            if exchange.sub_response is not None:
                exchange.sub_response.status_code = status
        return answer

    async def register_persisted(self, exchange: Exchange) -> None:
        """The document ran: the hash it was sent under now stands for it."""
        if exchange.registration and self.persisted_queries:
            await self.persisted_queries.register(exchange.registration)
            exchange.registration = None

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A GET naming a document by its hash alone is a query, not a browser.
        params = request.query_params
        return (
            super().should_render_graphql_ide(request)
            and "extensions" not in params
            and "documentId" not in params
        )

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = Response(
            self.encode_json(response_data),
            status_code=sub_response.status_code or 200,
            media_type=sub_response.media_type or JSON,
        )
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        return response


def _accepts_html(accept: str | None) -> bool:
    # A browser: it gets GraphiQL's page, or (the spec's other choice for an Accept
    # naming nothing of ours) a JSON answer, as before.
    return negotiate(accept, ("text/html",)) is not None


def _not_acceptable() -> Response:
    return PlainTextResponse(
        f"Not Acceptable: this endpoint answers {GRAPHQL_RESPONSE_JSON} or {JSON}.",
        status_code=406,
        headers={"Vary": "Accept"},
    )


def _refusal(error: HTTPException, exchange: Exchange) -> Response:
    headers = {"Vary": "Accept"}
    if isinstance(error, RequestError):
        headers.update(error.headers)
    if exchange.speaks_graphql_response:
        body = (
            error.body() if isinstance(error, RequestError) else _errors(error.reason)
        )
        return Response(
            _encode(body),
            status_code=error.status_code,
            media_type=GRAPHQL_RESPONSE_CONTENT_TYPE,
            headers=headers,
        )
    if isinstance(error, RequestError) and error.code is not None:
        return Response(
            _encode(error.body()),
            status_code=error.legacy_status,
            media_type=JSON,
            headers=headers,
        )
    # As Strawberry has always answered them.
    return PlainTextResponse(
        error.reason, status_code=error.status_code, headers=headers
    )


def _errors(message: str) -> dict[str, Any]:
    return {"errors": [{"message": message}]}


def _encode(body: dict[str, Any]) -> bytes:
    return orjson.dumps(body)
