"""One log line per GraphQL operation: at debug level always, as a warning when slow.

The line carries the request id (gateway.logs), the operation's name and type, the
client's name and version (as gateway.schema.operation_labels bounds them), its
duration and how many errors it answered with, so a slow answer can be followed to the
provider calls made for it (they log at debug level under the same id).
"""

import logging
import time
from collections.abc import Callable, Iterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from gateway.schema.operation_labels import OperationLabeller

log = logging.getLogger("gateway.operations")


def operation_log(
    slow_seconds: float, labeller: OperationLabeller | None = None
) -> Callable[[], SchemaExtension]:
    labelled = labeller or OperationLabeller()

    class OperationLog(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            started = time.perf_counter()
            yield
            took = time.perf_counter() - started
            level = logging.WARNING if took >= slow_seconds else logging.DEBUG
            if not log.isEnabledFor(level):
                return
            context = self.execution_context
            labels = labelled.labels(context)
            if labels.type == OperationType.SUBSCRIPTION.value:
                return  # it lasts as long as its subscriber: its duration says nothing
            result = context.result
            log.log(
                level,
                "slow operation" if level == logging.WARNING else "operation",
                extra={
                    "operation": labels.operation or None,
                    "type": labels.type or None,
                    "client": labels.client or None,
                    "client_version": labels.client_version or None,
                    "ms": round(took * 1000, 2),
                    "errors": len(result.errors or []) if result is not None else 0,
                },
            )

    return OperationLog
