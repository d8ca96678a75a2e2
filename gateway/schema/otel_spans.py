"""The operation span as OpenTelemetry's GraphQL semantic conventions have it.

Named `{graphql.operation.type}` (with `GATEWAY_OTEL_SPAN_NAMES_WITH_OPERATION`,
`{graphql.operation.type} {graphql.operation.name}`), kind SERVER, with
`graphql.operation.type`, `graphql.operation.name`, the calling client's
`graphql.client.name` / `graphql.client.version`, and `graphql.document` only when
`GATEWAY_OTEL_DOCUMENT` asks for it (a document can carry values its variables should).
Names are the bounded labels of gateway.schema.operation_labels. An operation answered
with errors gets status ERROR and `error.type` (its first error's code).

Parsing, validation and resolver spans are Strawberry's. Imported only when tracing is
on: it needs the `otel` extra.
"""

from collections.abc import Callable, Generator

from opentelemetry.trace import SpanKind, Status, StatusCode
from strawberry.extensions import LifecycleStep, SchemaExtension
from strawberry.extensions.tracing import OpenTelemetryExtension

from gateway.schema.operation_labels import OperationLabeller

UNNAMED = "GraphQL Operation"


def graphql_spans(
    labeller: OperationLabeller,
    *,
    with_document: bool = False,
    name_with_operation: bool = False,
) -> Callable[[], SchemaExtension]:
    class GraphQLSpans(OpenTelemetryExtension):
        def on_operation(self) -> Generator[None, None, None]:
            span = self._tracer.start_span(UNNAMED, kind=SpanKind.SERVER)
            self._span_holder[LifecycleStep.OPERATION] = span
            try:
                yield
            finally:
                context = self.execution_context
                labels = labeller.labels(context)
                name = labels.type or UNNAMED
                if name_with_operation and labels.type and labels.operation:
                    name = f"{labels.type} {labels.operation}"
                span.update_name(name)
                attributes = {
                    "graphql.operation.type": labels.type,
                    "graphql.operation.name": labels.operation,
                    "graphql.client.name": labels.client,
                    "graphql.client.version": labels.client_version,
                }
                for key, value in attributes.items():
                    if value:
                        span.set_attribute(key, value)
                if with_document and context.query:
                    span.set_attribute("graphql.document", context.query)
                errors = context.result.errors if context.result is not None else None
                if errors:
                    code = (errors[0].extensions or {}).get("code")
                    span.set_attribute("error.type", str(code or "GraphQLError"))
                    span.set_status(Status(StatusCode.ERROR))
                span.end()

    return GraphQLSpans
