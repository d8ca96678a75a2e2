"""Adds `extensions.providers` to every response: per provider, the calls this request
made, how slow the slowest was, and how many were shared with identical reads in flight."""

from collections.abc import Iterator
from typing import Any

from strawberry.extensions import SchemaExtension

from gateway.services.tracing import RequestTrace, current_trace


class ProviderTraceExtension(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        self._trace = RequestTrace()
        token = current_trace.set(self._trace)
        try:
            yield
        finally:
            current_trace.reset(token)

    def get_results(self) -> dict[str, Any]:
        trace: RequestTrace | None = getattr(self, "_trace", None)
        if trace is None or not trace.providers:
            return {}
        return {"providers": trace.as_dict()}
