"""With OTEL_EXPORTER_OTLP_ENDPOINT set, operations and provider calls become spans of
one trace, and the trace's context travels to the providers."""

import logging

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from gateway import otel
from tests.gateway.conftest import DEMO_KEY, start_gateway

QUERY = "query Overview { stakes(first: 5) { edges { node { id } } } }"


@pytest.fixture(scope="module")
def spans() -> InMemorySpanExporter:
    # The process's one tracer provider (OpenTelemetry allows setting it once); the
    # gateway keeps a provider its host application set, as this one.
    exporter = InMemorySpanExporter()
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    return exporter


async def test_an_operation_and_its_provider_calls_are_one_trace(tmp_path, spans):
    spans.clear()
    async for gateway in start_gateway(
        tmp_path,
        OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:9/v1/traces",
        WATCHER_ENABLED=False,
    ):
        data = await gateway.graphql(QUERY, key=DEMO_KEY)
        assert data["stakes"]["edges"]
    finished = spans.get_finished_spans()
    upstream = [s for s in finished if s.attributes.get("provider")]
    operations = [
        s for s in finished if s.attributes.get("graphql.operation.name") == "Overview"
    ]
    assert len(operations) == 1, [s.name for s in finished]
    trace_id = operations[0].context.trace_id
    called = {
        s.attributes["provider"] for s in upstream if s.context.trace_id == trace_id
    }
    assert called == {"DFNS", "ZEROHASH", "CROCANTE"}
    assert all(s.kind is trace.SpanKind.CLIENT for s in upstream)


CLIENT = {
    "Authorization": f"Bearer {DEMO_KEY}",
    "graphql-client-name": "web",
    "graphql-client-version": "2.3.1",
}


async def traced(tmp_path, spans, **settings):
    spans.clear()
    async for gateway in start_gateway(
        tmp_path,
        OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:9/v1/traces",
        WATCHER_ENABLED=False,
        **settings,
    ):
        response = await gateway.http.post(
            "/graphql", json={"query": QUERY}, headers=CLIENT
        )
        assert response.status_code == 200
    (operation,) = [
        s
        for s in spans.get_finished_spans()
        if s.attributes.get("graphql.operation.type")
    ]
    return operation


async def test_the_operation_span_follows_the_graphql_semantic_conventions(
    tmp_path, spans
):
    operation = await traced(tmp_path, spans)
    # Named by its type alone: an operation name is the client's to choose.
    assert operation.name == "query"
    assert operation.kind is trace.SpanKind.SERVER
    assert dict(operation.attributes) == {
        "graphql.operation.type": "query",
        "graphql.operation.name": "Overview",
        "graphql.client.name": "web",
        "graphql.client.version": "2.3.1",
    }


async def test_the_document_and_operation_span_names_are_settings(tmp_path, spans):
    operation = await traced(
        tmp_path,
        spans,
        GATEWAY_OTEL_DOCUMENT=True,
        GATEWAY_OTEL_SPAN_NAMES_WITH_OPERATION=True,
    )
    assert operation.name == "query Overview"
    assert operation.attributes["graphql.document"] == QUERY


async def test_without_the_extra_the_endpoint_is_a_warning_not_a_failure(
    monkeypatch, caplog
):
    monkeypatch.setattr(otel, "available", lambda: False)
    with caplog.at_level(logging.WARNING, logger="gateway.otel"):
        assert otel.configure("http://127.0.0.1:9/v1/traces", "gw") is False
    assert "staking-gateway[otel]" in caplog.text
