"""GetOperation() as the GraphQL spec has it: a document holding several operations
names the one to run (`operationName`), or none runs.

Strawberry alone would run the first of them; the spec calls that a request error,
raised before execution (so GraphQL over HTTP answers it 400).
"""

from collections.abc import Iterator

from graphql import GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension

AMBIGUOUS = "Must provide operation name if query contains multiple operations."


class OperationChoice(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        # Before parsing, the context's operation name is only the one the client sent.
        self._named = self.execution_context.operation_name is not None
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if (
            not self._named
            and not context.pre_execution_errors
            and document is not None
            and sum(
                isinstance(d, OperationDefinitionNode) for d in document.definitions
            )
            > 1
        ):
            context.pre_execution_errors = [GraphQLError(AMBIGUOUS)]
        yield
