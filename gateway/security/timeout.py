"""A deadline on each query: a slow provider or a costly query cannot hold a worker.

Deferred parts of a query (`@defer`, `@stream`) run after its initial result, past
`on_execute`: gateway.schema.incremental holds them to the same deadline.

Mutations are left alone: stopping one half-way would leave the caller unsure whether
the provider acted (their provider calls have their own timeouts). Subscriptions are
long-lived by design.
"""

import asyncio
from collections.abc import AsyncIterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType


def timeout_error(seconds: float) -> GraphQLError:
    return GraphQLError(
        f"The operation took longer than {seconds:g} s and was stopped.",
        extensions={"code": "TIMEOUT"},
    )


class OperationTimeout(SchemaExtension):
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    async def on_execute(self) -> AsyncIterator[None]:
        if self.seconds <= 0 or self._operation_type() is not OperationType.QUERY:
            yield
            return
        try:
            async with asyncio.timeout(self.seconds):
                yield
        except TimeoutError:
            raise timeout_error(self.seconds) from None

    def _operation_type(self) -> OperationType | None:
        try:
            return self.execution_context.operation_type
        except RuntimeError:
            return None
