"""`@defer` and `@stream` over HTTP: one `multipart/mixed` response, part by part.

With incremental delivery on (GATEWAY_INCREMENTAL_DELIVERY), a document that asks for
it is answered in parts when the client accepts `multipart/mixed` (Apollo Client sends
`multipart/mixed;deferSpec=20220824`, urql plain `multipart/mixed`; a missing `Accept`
or `*/*` take anything), or over Server-Sent Events when it asked for
`text/event-stream`: the initial payload as soon as it is ready, each deferred part as
it completes, in the format of gateway.schema.incremental_payloads. A client that
accepts neither gets the whole answer at once (gateway.schema.incremental). Every other
document takes the ordinary path (gateway.schema.graphql_http), untouched; a deferring
one comes here after that view has negotiated and resolved persisted queries.

A document refused before execution (validation, cost, depth), or one whose `@defer`
turned out to defer nothing (`if: false`), is answered as one ordinary JSON result:
only a response that really comes in parts is sent as parts.
"""

import asyncio
from collections.abc import AsyncGenerator, Mapping
from contextlib import aclosing, suppress
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from cross_web import AsyncHTTPRequestAdapter
from graphql import OperationType as Kind
from starlette.requests import Request
from starlette.responses import Response
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.base import BaseView
from strawberry.http.streaming import (
    MULTIPART_INCREMENTAL_BOUNDARY,
    HTTPStreamTransport,
    JSONEncoder,
    MultipartTransport,
)
from strawberry.types import ExecutionResult, SubscriptionExecutionResult
from strawberry.types.graphql import OperationType

from gateway.schema.context import Context
from gateway.schema.graphql_http import GraphQLOverHTTP, exchange_of
from gateway.schema.incremental_payloads import (
    DEFER_SPEC,
    Payload,
    incremental_operation,
    incremental_payloads,
)
from gateway.web.accept import MediaRange, parse_accept

INCREMENTAL_PROTOCOL = "multipart-incremental"
MULTIPART_MIXED = "multipart/mixed"
CONTENT_TYPE = (
    f'multipart/mixed; boundary="{MULTIPART_INCREMENTAL_BOUNDARY}"; '
    f"deferSpec={DEFER_SPEC}"
)


class IncrementalMultipartTransport(MultipartTransport, HTTPStreamTransport):
    """Each payload a JSON part, flushed as it is written (the closing delimiter of a
    part is written with it, so a client need not wait for the next one)."""

    protocol: ClassVar[Any] = INCREMENTAL_PROTOCOL
    batching_error: ClassVar[str] = "Batching is not supported with @defer or @stream"
    # No heartbeats: an empty part means nothing in this format, and the operation's
    # deadline bounds the silence between parts.
    heartbeat_interval: float = 24 * 3600.0
    send_initial_heartbeat: ClassVar[bool] = False
    headers: ClassVar[Mapping[str, str]] = {
        "Content-Type": CONTENT_TYPE,
        "Cache-Control": "no-cache, no-transform",
        # Proxies such as Nginx would otherwise hold the parts back.
        "X-Accel-Buffering": "no",
    }

    def __init__(self) -> None:
        super().__init__(MULTIPART_INCREMENTAL_BOUNDARY)

    def accepts(self, accept: str) -> bool:
        # Chosen per document (one that defers), never by `Accept` alone.
        return False

    def encode_next(
        self, response: GraphQLHTTPResponse, encode_json: JSONEncoder
    ) -> str:
        # The first part (the one with `data` or `errors`) opens the body, the last
        # (`hasNext: false`) closes it at once: a client that stops reading there (urql)
        # has read the whole body.
        opening = "data" in response or "errors" in response
        part = self.encode_multipart_data(response, encode_json)
        if response.get("hasNext") is False:
            part += "--\r\n"
        return f"--{self.separator}{part}" if opening else part

    def encode_complete(self) -> str:
        # Closed by the last part; a body cut short (a failure) stays unclosed.
        return ""

    def heartbeat_message(self, encode_json: JSONEncoder) -> str:
        return ""


def accepts_parts(accept: str | None) -> bool:
    """Whether `Accept` takes `multipart/mixed` in the format we write: the most
    specific range naming it (our `deferSpec`, then none, `multipart/*`, `*/*`)."""
    if accept is None or not accept.strip():
        return True
    best: tuple[int, float] | None = None
    for media_range in parse_accept(accept):
        level = _level(media_range)
        if level is not None and (best is None or level > best[0]):
            best = (level, media_range.quality)
    return best is not None and best[1] > 0


def _level(media_range: MediaRange) -> int | None:
    """How specifically a range names our parts; None: it does not name them."""
    name = f"{media_range.type}/{media_range.subtype}"
    params = {key.lower(): value for key, value in media_range.params}
    if name == "*/*":
        return 0
    if name == "multipart/*":
        return 1
    if name != MULTIPART_MIXED or "subscriptionspec" in params:
        return None
    spec = params.get("deferspec")
    if spec is None:
        return 2
    return 3 if spec == DEFER_SPEC else None


class IncrementalDelivery(GraphQLOverHTTP):
    """The GraphQL-over-HTTP view, answering documents with `@defer`/`@stream` in
    parts."""

    stream_transport_classes_by_protocol: Mapping[str, type[HTTPStreamTransport]] = {
        **BaseView.stream_transport_classes_by_protocol,
        INCREMENTAL_PROTOCOL: IncrementalMultipartTransport,
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.protocols = (*self.protocols, INCREMENTAL_PROTOCOL)

    async def execute_operation(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        request_data: GraphQLRequestData | list[GraphQLRequestData],
        context: Context,
        root_value: None,
        sub_response: Response,
    ) -> ExecutionResult | list[ExecutionResult] | SubscriptionExecutionResult:
        result = await super().execute_operation(
            request, request_adapter, request_data, context, root_value, sub_response
        )
        # Over Server-Sent Events Strawberry streams every frame: ours are formatted.
        if (
            isinstance(request_data, GraphQLRequestData)
            and request_data.protocol == "sse"
            and isinstance(result, SubscriptionExecutionResult)
        ):
            seconds = self._deadline(request_data)
            if seconds is not None:
                frames = cast(AsyncGenerator[Any, None], result)
                return cast(
                    SubscriptionExecutionResult, incremental_payloads(frames, seconds)
                )
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
        seconds = self._deadline(request_data)
        if seconds is None or not accepts_parts(request_adapter.headers.get("accept")):
            # Not deferring, or not read in parts: one answer (merged by the view).
            arguments = (request, request_adapter, sub_response, context, root_value)
            return await super().execute_single(*arguments, request_data)
        allowed = OperationType.from_http(request_adapter.method)
        # The first frame decides how to answer, before the response starts; the
        # operation runs in a task of its own, since its extensions must enter and
        # leave their context variables in one context (another task writes the parts).
        frames = _relayed(
            incremental_payloads(
                await self.schema.stream(
                    request_data.query,
                    variable_values=request_data.variables,
                    context_value=context,
                    root_value=root_value,
                    operation_name=request_data.operation_name,
                    operation_extensions=request_data.extensions,
                    allowed_operation_types=allowed - {OperationType.SUBSCRIPTION},
                ),
                seconds,
            )
        )
        first = await anext(frames)
        if not isinstance(first, Payload):
            async for _ in frames:  # nothing more: lets the operation's hooks finish
                pass
            return cast(ExecutionResult, first)
        await self.register_persisted(exchange_of(request))
        request_data.protocol = cast(Any, INCREMENTAL_PROTOCOL)
        return cast(ExecutionResult, _prepended(first, frames))

    def _deadline(self, request_data: GraphQLRequestData) -> float | None:
        """The deadline of a query or mutation with `@defer`/`@stream` (0: none);
        None for any other document."""
        if self.incremental is None:
            return None  # off: the directives are not even in the schema
        kind = incremental_operation(request_data.query, request_data.operation_name)
        if kind is Kind.QUERY:
            return self.incremental.timeout_seconds
        # Mutations keep no deadline (gateway.security.timeout says why).
        return 0 if kind is Kind.MUTATION else None

    async def _process_stream_result(
        self, request: Request, value: Any, all_pending: list[Any]
    ) -> tuple[GraphQLHTTPResponse, list[Any]]:
        if isinstance(value, Payload):
            return cast(GraphQLHTTPResponse, value.body), all_pending
        return await super()._process_stream_result(request, value, all_pending)


_END = object()


@dataclass(frozen=True, slots=True)
class _Failed:
    error: BaseException


async def _relayed(frames: AsyncGenerator[Any, None]) -> AsyncGenerator[Any, None]:
    """`frames`, iterated to the end in a task of their own."""
    queue: asyncio.Queue[Any] = asyncio.Queue()

    async def produce() -> None:
        try:
            async with aclosing(frames):
                async for frame in frames:
                    queue.put_nowait(frame)
        except Exception as error:
            queue.put_nowait(_Failed(error))
        finally:
            queue.put_nowait(_END)

    producer = asyncio.create_task(produce())
    try:
        while (frame := await queue.get()) is not _END:
            if isinstance(frame, _Failed):
                raise frame.error
            yield frame
    finally:
        producer.cancel()
        with suppress(asyncio.CancelledError):
            await producer


async def _prepended(
    first: Payload, rest: AsyncGenerator[Any, None]
) -> AsyncGenerator[Any, None]:
    try:
        yield first
        async for frame in rest:
            yield frame
    finally:
        await rest.aclose()
