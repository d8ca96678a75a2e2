"""One log line per GraphQL operation: at debug level always, as a warning when slow.

The line carries the request id (gateway.logs), the operation's name and type, its
duration and how many errors it answered with, so a slow answer can be followed to the
provider calls made for it (they log at debug level under the same id).
"""

import logging
import time
from collections.abc import Callable, Iterator

from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

log = logging.getLogger("gateway.operations")


def operation_log(slow_seconds: float) -> Callable[[], SchemaExtension]:
    class OperationLog(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            started = time.perf_counter()
            yield
            took = time.perf_counter() - started
            level = logging.WARNING if took >= slow_seconds else logging.DEBUG
            if not log.isEnabledFor(level):
                return
            context = self.execution_context
            try:
                kind = context.operation_type
            except Exception:  # a document that never became an operation
                kind = None
            if kind is OperationType.SUBSCRIPTION:
                return  # it lasts as long as its subscriber: its duration says nothing
            result = context.result
            log.log(
                level,
                "slow operation" if level == logging.WARNING else "operation",
                extra={
                    "operation": context.operation_name,
                    "type": kind.value if kind else None,
                    "ms": round(took * 1000, 2),
                    "errors": len(result.errors or []) if result is not None else 0,
                },
            )

    return OperationLog
