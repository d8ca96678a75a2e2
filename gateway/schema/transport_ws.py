"""graphql-transport-ws with server pings and shared subscription streams.

A subscription joins a shared stream (gateway.schema.shared_streams) when its answers
cannot differ between subscribers with the same key: an authenticated client's
subscription that replays nothing. A replay from a cursor is that subscriber's own, and
anything else (queries and mutations over the socket, documents that do not parse) runs
as Strawberry runs it. With @defer on (GATEWAY_INCREMENTAL_DELIVERY), a query's or a
mutation's incremental payloads go out as successive `next` messages, in the format of
gateway.schema.incremental_payloads.
"""

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

import orjson
from graphql import (
    FieldNode,
    GraphQLSyntaxError,
    NullValueNode,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    parse,
)
from starlette.websockets import WebSocketDisconnect
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import Operation
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    CompleteMessage,
    NextMessage,
)
from strawberry.types.execution import ExecutionResult, PreExecutionError

from gateway.schema.context import Context
from gateway.schema.incremental_payloads import (
    Payload,
    incremental_operation,
    incremental_payloads,
)
from gateway.schema.keepalive import PingingTransportWSHandler
from gateway.schema.shared_streams import Frame, Member, StreamKey
from gateway.schema.view import GatewayGraphQL
from gateway.security.extensions import charge_operation

REPLAY_ARGUMENT = "after"


@dataclass(frozen=True)
class Replay:
    """Where a subscription document can ask for a replay (`after`)."""

    literal: bool  # an `after` written in the document, or a variable with a default
    variables: frozenset[str]  # variables passed as `after`


@lru_cache(maxsize=512)
def replay_of(query: str, operation_name: str | None) -> Replay | None:
    """How a subscription replays; None when the document is not one subscription."""
    try:
        document = parse(query)
    except GraphQLSyntaxError:
        return None
    operations = [
        d for d in document.definitions if isinstance(d, OperationDefinitionNode)
    ]
    chosen = [
        o
        for o in operations
        if operation_name is None or (o.name and o.name.value == operation_name)
    ]
    if len(chosen) != 1 or chosen[0].operation is not OperationType.SUBSCRIPTION:
        return None
    if operation_name is None and len(operations) != 1:
        return None
    operation = chosen[0]
    defaults = {
        d.variable.name.value
        for d in operation.variable_definitions or ()
        if d.default_value is not None
    }
    literal, variables = False, set()
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode):
            return None  # a fragment at the root could hide an `after`
        for argument in selection.arguments or ():
            if argument.name.value != REPLAY_ARGUMENT:
                continue
            value = argument.value
            if isinstance(value, VariableNode) and value.name.value not in defaults:
                variables.add(value.name.value)
            elif not isinstance(value, NullValueNode):
                literal = True
    return Replay(literal, frozenset(variables))


def stream_key(context: Context, operation: Operation[Any, Any]) -> StreamKey | None:
    """The key of the shared stream this subscription may join, if any.

    Shared: an authenticated client's subscription that replays nothing, so that it
    starts now for every member.
    """
    caller = context.caller_or_none
    if caller is None:
        return None
    replay = replay_of(operation.query, operation.operation_name)
    variables = operation.variables or {}
    if replay is None or replay.literal:
        return None
    if any(variables.get(name) is not None for name in replay.variables):
        return None
    try:
        encoded = json.dumps(variables, sort_keys=True)
    except (TypeError, ValueError):
        return None
    return (caller.client_id, operation.query, encoded, operation.operation_name)


class GatewayTransportWSHandler(PingingTransportWSHandler):
    async def _send_result_stream(
        self, operation: Operation[Any, Any], result_source: Any
    ) -> None:
        # With @defer on, each incremental payload is one more `next` message (the
        # payloads a multipart/mixed answer carries); Strawberry refuses them.
        view = self.view
        guard = view.incremental if isinstance(view, GatewayGraphQL) else None
        kind = incremental_operation(operation.query, operation.operation_name)
        if guard is None or kind not in (OperationType.QUERY, OperationType.MUTATION):
            await super()._send_result_stream(operation, result_source)
            return
        # Mutations keep no deadline (gateway.security.timeout says why).
        seconds = guard.timeout_seconds if kind is OperationType.QUERY else 0
        first = True
        async for frame in incremental_payloads(result_source, seconds):
            if isinstance(frame, Payload):
                message = {"id": operation.id, "type": "next", "payload": frame.body}
                await operation.send_operation_message(cast(NextMessage, message))
            elif first and isinstance(frame, PreExecutionError):
                await self._handle_pre_execution_error(operation, frame)
                return
            elif isinstance(frame, ExecutionResult):
                await operation.send_next(frame)
            first = False

    async def run_operation(self, operation: Operation[Any, Any]) -> None:
        view, context = self.view, self.context
        streams = view.shared_streams if isinstance(view, GatewayGraphQL) else None
        key = stream_key(context, operation) if isinstance(context, Context) else None
        if streams is None or key is None:
            await super().run_operation(operation)
            return
        assert isinstance(view, GatewayGraphQL)
        refusal = await charge_operation(view.guard.limiter, key[0])
        if refusal is not None:
            await operation.send_initial_errors([refusal])
            return

        def open_stream() -> Any:
            return self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=context,
                root_value=self.root_value,
                operation_name=operation.operation_name,
            )

        try:
            async with streams.member(key, open_stream) as member:
                if not await self._deliver(operation, member):
                    return
            await operation.send_operation_message(
                CompleteMessage(id=operation.id, type="complete")
            )
        except WebSocketDisconnected:
            return

    async def _deliver(self, operation: Operation[Any, Any], member: Member) -> bool:
        """Sends the member's frames; False when the operation already ended."""
        prefix = '{"id":' + orjson.dumps(operation.id).decode() + ',"type":"next"'
        while True:
            frame: Frame = await member.frames.get()
            if frame.kind == "next":
                if operation.completed:
                    return False
                await self._send_text(prefix + ',"payload":' + frame.text + "}")
                member.last_cursor = frame.cursor or member.last_cursor
            elif frame.kind == "errors":
                await operation.send_operation_message(
                    {
                        "id": operation.id,
                        "type": "error",
                        "payload": orjson.loads(frame.text),
                    }
                )
                return False
            elif frame.kind == "behind":
                await self._send_text(
                    prefix + ',"payload":' + _behind_payload(member) + "}"
                )
                return True
            else:
                return True

    async def _send_text(self, text: str) -> None:
        ws = getattr(self.websocket, "ws", None)
        if ws is None:
            await self.websocket.send_json(orjson.loads(text))
            return
        try:
            await ws.send_text(text)
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


def _behind_payload(member: Member) -> str:
    resume = (
        f' Resume with after: "{member.last_cursor}".'
        if member.last_cursor
        else " Resubscribe with `after` set to the last cursor you received."
    )
    message = f"This subscriber fell behind and events were dropped.{resume}"
    return orjson.dumps({"data": None, "errors": [{"message": message}]}).decode()


def with_ping_interval(seconds: float) -> type[Any]:
    return type(
        "PingingHandler", (GatewayTransportWSHandler,), {"ping_interval": seconds}
    )
