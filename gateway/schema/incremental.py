"""`@defer` and `@stream` for a client that reads no parts: the whole answer at once.

graphql-core 3.3 runs deferred fragments and streamed lists after the initial payload.
A client that takes parts gets them as they come (gateway.schema.incremental_payloads,
gateway.schema.incremental_http); one that does not (`Accept: application/json` alone)
gets the payloads merged into the initial data, as if nothing had been deferred, held
to the same rules as the rest on the way:

- errors in later payloads are masked as MaskErrors masks the initial one (this path
  runs them past the operation's extensions);
- the operation's deadline covers the later payloads too: past it, the pending parts
  complete with a TIMEOUT error and their work is cancelled.

The document, deferred parts included, is validated and costed before anything runs.
"""

import asyncio
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Any

from graphql import GraphQLError
from graphql.execution import (
    CompletedResult,
    IncrementalStreamResult,
    SubsequentIncrementalExecutionResult,
)
from strawberry.schema._graphql_core import GraphQLIncrementalExecutionResults
from strawberry.types import ExecutionResult

from gateway.security.timeout import timeout_error

log = logging.getLogger("gateway.incremental")

Mask = Callable[[GraphQLError], bool]
MASKED = "Internal error."


class IncrementalGuard:
    def __init__(self, *, timeout_seconds: float, should_mask: Mask) -> None:
        self.timeout_seconds = timeout_seconds
        self.should_mask = should_mask

    def results(
        self, results: GraphQLIncrementalExecutionResults
    ) -> GraphQLIncrementalExecutionResults:
        """The same results, their later payloads masked and under the deadline."""
        pending = {p.id for p in results.initial_result.pending}
        return GraphQLIncrementalExecutionResults(
            results.initial_result,
            self._guarded(results.subsequent_results, pending),
        )

    async def _guarded(
        self, source: AsyncIterator[Any], pending: set[str]
    ) -> AsyncGenerator[SubsequentIncrementalExecutionResult, None]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout_seconds if self.timeout_seconds else None
        iterator = aiter(source)
        try:
            while True:
                try:
                    async with asyncio.timeout_at(deadline):
                        payload = await anext(iterator)
                except StopAsyncIteration:
                    return
                except TimeoutError:
                    yield _timed_out(pending, self.timeout_seconds)
                    return
                pending.update(p.id for p in payload.pending or ())
                pending.difference_update(c.id for c in payload.completed or ())
                self._mask(payload)
                yield payload
        finally:
            closing = getattr(iterator, "aclose", None)
            if closing is not None:
                await closing()

    def _mask(self, payload: SubsequentIncrementalExecutionResult) -> None:
        for part in [*(payload.incremental or ()), *(payload.completed or ())]:
            if part.errors:
                part.errors = [self._masked(error) for error in part.errors]

    def _masked(self, error: GraphQLError) -> GraphQLError:
        if not self.should_mask(error):
            return error
        log.error(
            "a deferred field failed: %s", error.message, exc_info=error.original_error
        )
        return GraphQLError(
            MASKED,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions=error.extensions,
        )


async def merged(results: GraphQLIncrementalExecutionResults) -> ExecutionResult:
    """The whole answer at once: each later payload merged in at its path."""
    initial = results.initial_result
    data = initial.data
    errors = list(initial.errors or ())
    paths = {p.id: list(p.path) for p in initial.pending}
    async for payload in results.subsequent_results:
        paths.update((p.id, list(p.path)) for p in payload.pending or ())
        for part in payload.incremental or ():
            errors.extend(part.errors or ())
            path = paths.get(part.id, []) + list(part.sub_path or ())
            if isinstance(part, IncrementalStreamResult):
                target = _at(data, path)
                if isinstance(target, list):
                    target.extend(part.items)
            else:
                target = _at(data, path)
                if isinstance(target, dict):
                    _merge(target, part.data)
        for done in payload.completed or ():
            errors.extend(done.errors or ())
    return ExecutionResult(
        data=data, errors=errors or None, extensions=initial.extensions
    )


def _at(data: Any, path: list[str | int]) -> Any:
    for key in path:
        if isinstance(data, dict) and isinstance(key, str):
            data = data.get(key)
        elif isinstance(data, list) and isinstance(key, int) and key < len(data):
            data = data[key]
        else:
            return None
    return data


def _merge(target: dict[str, Any], more: dict[str, Any]) -> None:
    for key, value in more.items():
        present = target.get(key)
        if isinstance(present, dict) and isinstance(value, dict):
            _merge(present, value)
        elif (
            isinstance(present, list)
            and isinstance(value, list)
            and len(present) == len(value)
        ):
            for mine, theirs in zip(present, value, strict=True):
                if isinstance(mine, dict) and isinstance(theirs, dict):
                    _merge(mine, theirs)
        else:
            target[key] = value


def _timed_out(
    pending: set[str], seconds: float
) -> SubsequentIncrementalExecutionResult:
    error = timeout_error(seconds)
    return SubsequentIncrementalExecutionResult(
        completed=[CompletedResult(id_, [error]) for id_ in sorted(pending)],
        has_next=False,
    )
