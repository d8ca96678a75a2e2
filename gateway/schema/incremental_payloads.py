"""`@defer` and `@stream` on the wire, the same on every transport.

graphql-core 3.3 reports incremental delivery in the working group's newest format:
fragments and streams are announced as `pending` with an id, their data arrives under
that id (`subPath` relative to it, fields already sent left out), and `completed` closes
them. Apollo Client, urql and graphql-http read the format the RFC had in August 2022
(`deferSpec=20220824`), which this module writes: an initial `{"data", "hasNext"}`, then
`{"incremental": [{"data" or "items", "path", "label"?, "errors"?}], "hasNext"}`, each
entry placed by its full path (a streamed item by its index in the list).

`incremental_payloads` turns one operation's frames (`Schema.stream`) into such payloads,
and holds the operation's deadline over the deferred parts, which run after the
initial result and so after the executor's own timeout has let go.
"""

import asyncio
import re
from collections.abc import AsyncGenerator, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graphql import (
    BREAK,
    DirectiveNode,
    GraphQLError,
    GraphQLSyntaxError,
    IncrementalStreamResult,
    InitialIncrementalExecutionResult,
    OperationDefinitionNode,
    OperationType,
    SubsequentIncrementalExecutionResult,
    Visitor,
    parse,
    visit,
)
from graphql.execution import PendingResult

from gateway.security.timeout import timeout_error

DEFER_SPEC = "20220824"
INCREMENTAL_DIRECTIVES = frozenset({"defer", "stream"})
_MAY_BE_INCREMENTAL = re.compile(r"@\s*(?:defer|stream)\b")

Path = list[str | int]
Roots = list[tuple[Path, Any]]


@lru_cache(maxsize=512)
def incremental_operation(
    query: str | None, operation_name: str | None = None
) -> OperationType | None:
    """The type of the operation `query` runs, when its document asks for `@defer` or
    `@stream` anywhere; None for every other document (or one that does not parse)."""
    if not query or not _MAY_BE_INCREMENTAL.search(query):
        return None
    try:
        document = parse(query)
    except GraphQLSyntaxError:
        return None  # the ordinary path reports it
    found = False

    class Finder(Visitor):
        def enter_directive(self, node: DirectiveNode, *_: Any) -> Any:
            nonlocal found
            if node.name.value in INCREMENTAL_DIRECTIVES:
                found = True
                return BREAK
            return None

    visit(document, Finder())
    operations = [
        d
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
        and (operation_name is None or (d.name and d.name.value == operation_name))
    ]
    if not found or len(operations) != 1:
        return None  # nothing to defer, or no operation to run: the ordinary path
    return operations[0].operation


@dataclass(frozen=True, slots=True)
class Payload:
    """One incremental payload, ready to encode."""

    body: dict[str, Any]


@dataclass
class Deliveries:
    """One response's pending fragments and streams, and where their data goes."""

    pending: dict[str, PendingResult] = field(default_factory=dict)
    # Per stream: how many of its list's items the client has (the next one's index).
    streamed: dict[str, int] = field(default_factory=dict)
    # Deferred fragments that had an entry of their own.
    delivered: set[str] = field(default_factory=set)

    def initial(self, result: InitialIncrementalExecutionResult) -> dict[str, Any]:
        body: dict[str, Any] = {"data": result.data}
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
        if result.extensions:
            body["extensions"] = result.extensions
        body["hasNext"] = result.has_next
        self._announce(result.pending, [([], result.data)])
        return body

    def subsequent(
        self, result: SubsequentIncrementalExecutionResult
    ) -> dict[str, Any]:
        for pending in result.pending or ():
            self.pending[pending.id] = pending
        data_entries: list[dict[str, Any]] = []
        item_entries: list[dict[str, Any]] = []
        roots: Roots = []
        # Fragments first: a list they bring must be in place before items join it.
        streams = []
        for entry in result.incremental or ():
            if isinstance(entry, IncrementalStreamResult):
                streams.append(entry)
                continue
            path = self._path(entry.id, entry.sub_path)
            data_entries.append(self._entry("data", entry.data, path, entry))
            roots.append((path, entry.data))
            self.delivered.add(entry.id)
        for entry in streams:
            path = self._path(entry.id, entry.sub_path)
            start = self.streamed.get(entry.id)
            if start is None:
                start = _length_at(roots, path)
            item_entries.append(
                self._entry("items", entry.items, [*path, start], entry)
            )
            roots.extend(
                (([*path, start + i]), item) for i, item in enumerate(entry.items)
            )
            self.streamed[entry.id] = start + len(entry.items)
        self._announce(result.pending or (), roots)
        entries = data_entries + item_entries
        for completed in result.completed or ():
            entries.extend(self._complete(completed.id, completed.errors))
        body: dict[str, Any] = {}
        if entries:
            body["incremental"] = entries
        if result.extensions:
            body["extensions"] = result.extensions
        body["hasNext"] = result.has_next
        return body

    def abandoned(self, error: GraphQLError) -> dict[str, Any]:
        """The last payload when the rest will not come: each pending part fails."""
        entries: list[dict[str, Any]] = []
        for pending_id in list(self.pending):
            entries.extend(self._complete(pending_id, [error]))
        return {"incremental": entries, "hasNext": False}

    def _announce(self, announced: Sequence[PendingResult], roots: Roots) -> None:
        for pending in announced:
            self.pending[pending.id] = pending
            if pending.id in self.streamed:
                continue
            # A stream's pending path names its list, a fragment's an object.
            value = _value_at(roots, list(pending.path))
            if isinstance(value, list):
                self.streamed[pending.id] = len(value)

    def _complete(
        self, pending_id: str, errors: Sequence[GraphQLError] | None
    ) -> list[dict[str, Any]]:
        pending = self.pending.pop(pending_id, None)
        delivered = pending_id in self.delivered
        self.delivered.discard(pending_id)
        streamed = self.streamed.pop(pending_id, None)
        if pending is None:
            return []
        path: Path = list(pending.path)
        if errors:
            kind, at = (
                ("items", [*path, streamed]) if streamed is not None else ("data", path)
            )
            return [_with(pending, {kind: None, "path": at}, errors)]
        if streamed is None and not delivered:
            # Every field of it was sent before: it still gets its (empty) payload.
            return [_with(pending, {"data": {}, "path": path}, None)]
        return []

    def _path(self, pending_id: str, sub_path: Sequence[str | int] | None) -> Path:
        return [*self.pending[pending_id].path, *(sub_path or ())]

    def _entry(self, kind: str, value: Any, path: Path, result: Any) -> dict[str, Any]:
        entry: dict[str, Any] = {kind: value, "path": path}
        label = self.pending[result.id].label
        if label is not None:
            entry["label"] = label
        if result.errors:
            entry["errors"] = [error.formatted for error in result.errors]
        if result.extensions:
            entry["extensions"] = result.extensions
        return entry


def _with(
    pending: PendingResult,
    entry: dict[str, Any],
    errors: Sequence[GraphQLError] | None,
) -> dict[str, Any]:
    if pending.label is not None:
        entry["label"] = pending.label
    if errors:
        entry["errors"] = [_located(error, entry["path"]) for error in errors]
    return entry


def _located(error: GraphQLError, path: Path) -> dict[str, Any]:
    formatted = dict(error.formatted)
    formatted.setdefault("path", path)
    if formatted.get("path") is None:
        formatted["path"] = path
    return formatted


def _value_at(roots: Roots, path: Path) -> Any:
    for base, value in roots:
        if path[: len(base)] != base:
            continue
        found = value
        for key in path[len(base) :]:
            if isinstance(key, str) and isinstance(found, dict) and key in found:
                found = found[key]
            elif isinstance(key, int) and isinstance(found, list) and key < len(found):
                found = found[key]
            else:
                break
        else:
            return found
    return None


def _length_at(roots: Roots, path: Path) -> int:
    value = _value_at(roots, path)
    return len(value) if isinstance(value, list) else 0


async def incremental_payloads(
    frames: AsyncGenerator[Any, None], seconds: float = 0
) -> AsyncGenerator[Any, None]:
    """One operation's frames, its incremental ones as `Payload`s.

    Anything else (an ordinary result, a refusal, a subscription's events) passes
    through unchanged. Once an incremental response has begun, the rest must arrive
    within `seconds` of the start (0: no deadline); what has not is then closed with
    a TIMEOUT error on each part still pending.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds if seconds > 0 else None
    deliveries: Deliveries | None = None
    # Closed whichever way the response ends: the operation's extensions finish with it.
    async with aclosing(frames) as source:
        while True:
            try:
                async with asyncio.timeout_at(deadline if deliveries else None):
                    frame = await anext(source)
            except StopAsyncIteration:
                return
            except TimeoutError:
                assert deliveries is not None
                yield Payload(deliveries.abandoned(timeout_error(seconds)))
                return
            if isinstance(frame, InitialIncrementalExecutionResult):
                deliveries = Deliveries()
                yield Payload(deliveries.initial(frame))
            elif isinstance(frame, SubsequentIncrementalExecutionResult):
                assert deliveries is not None
                yield Payload(deliveries.subsequent(frame))
            else:
                yield frame
