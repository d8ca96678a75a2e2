"""Optional OpenTelemetry tracing: on when `OTEL_EXPORTER_OTLP_ENDPOINT` is set and the
`otel` extra is installed (`pip install 'staking-gateway[otel]'`).

Spans: each GraphQL operation, named and labelled as OpenTelemetry's GraphQL semantic
conventions say (gateway.schema.otel_spans), with its parse, validation and resolvers
that do work (plain fields read off objects make no span), and each call to a provider,
which also carries the W3C `traceparent` so a provider that traces can join.
An application that set its own tracer provider keeps it.
"""

import logging
from collections.abc import Callable
from typing import Any

import httpx

from gateway.schema.operation_labels import OperationLabeller

log = logging.getLogger("gateway.otel")


def available() -> bool:
    try:
        import opentelemetry.sdk.trace  # noqa: F401
    except ImportError:
        return False
    return True


def configure(endpoint: str, service_name: str) -> bool:
    """Sends spans to `endpoint`; False (with a warning) when the extra is missing."""
    if not available():
        log.warning(
            "OTEL_EXPORTER_OTLP_ENDPOINT is set but OpenTelemetry is not installed: "
            "pip install 'staking-gateway[otel]'"
        )
        return False
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider

    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return True  # the embedding application's own
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)
    return True


def schema_extension(
    labeller: OperationLabeller,
    *,
    with_document: bool = False,
    name_with_operation: bool = False,
) -> Callable[[], Any]:
    from gateway.schema.otel_spans import graphql_spans

    return graphql_spans(
        labeller, with_document=with_document, name_with_operation=name_with_operation
    )


class TracingTransport(httpx.AsyncBaseTransport):
    """A span around each provider call, its context sent along as `traceparent`."""

    def __init__(self, inner: httpx.AsyncBaseTransport, provider: str) -> None:
        from opentelemetry import trace

        self._inner = inner
        self._provider = provider
        self._tracer = trace.get_tracer("gateway.upstream")

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        from opentelemetry.propagate import inject
        from opentelemetry.trace import SpanKind, Status, StatusCode

        name = f"{self._provider} {request.method}"
        with self._tracer.start_as_current_span(name, kind=SpanKind.CLIENT) as span:
            span.set_attribute("provider", self._provider)
            span.set_attribute("http.request.method", request.method)
            span.set_attribute("url.path", request.url.path)
            inject(request.headers)
            try:
                response = await self._inner.handle_async_request(request)
            except Exception as error:
                span.set_status(Status(StatusCode.ERROR, type(error).__name__))
                raise
            span.set_attribute("http.response.status_code", response.status_code)
            if response.status_code >= 500:
                span.set_status(Status(StatusCode.ERROR))
            return response

    async def aclose(self) -> None:
        await self._inner.aclose()
