"""One execution per event for every subscriber asking the same thing.

A thousand browser tabs of one client watching `stakeStatusChanged` with the same
selection would otherwise each decode, execute and encode every event. Subscriptions
with the same key (client, document, variables, operation) share one stream: it runs
once, each result is encoded once, and every member gets the encoded payload through its
own bounded queue, so one slow member falls behind alone. A stream starts with its first
member and stops with its last.
"""

import asyncio
import contextvars
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson
from graphql import GraphQLError
from strawberry.types.execution import ExecutionResult, PreExecutionError

log = logging.getLogger("gateway.subscriptions")

StreamKey = tuple[str, str, str, str | None]
FrameKind = Literal["next", "errors", "complete", "behind"]


@dataclass(frozen=True, slots=True)
class Frame:
    kind: FrameKind
    # "next": the encoded payload; "errors": the formatted errors, encoded.
    text: str = ""
    cursor: str | None = None


_COMPLETE = Frame("complete")


@dataclass(eq=False)
class Member:
    limit: int
    frames: asyncio.Queue[Frame] = field(default_factory=asyncio.Queue)
    behind: bool = False
    dropped: int = 0
    last_cursor: str | None = None

    def offer(self, frame: Frame) -> None:
        if self.behind:
            self.dropped += 1
            return
        if frame.kind == "next" and self.frames.qsize() >= self.limit:
            # It stops receiving; what it got last is where it resumes from.
            self.behind = True
            self.dropped = 1
            self.frames.put_nowait(Frame("behind"))
            return
        self.frames.put_nowait(frame)


class _Stream:
    def __init__(self) -> None:
        self.members: set[Member] = set()
        self.task: asyncio.Task[None] | None = None

    def broadcast(self, frame: Frame) -> None:
        for member in self.members:
            member.offer(frame)


Opener = Callable[[], Awaitable[Any]]


def encode_result(result: ExecutionResult) -> str:
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [error.formatted for error in result.errors]
    if result.extensions:
        payload["extensions"] = result.extensions
    return orjson.dumps(payload).decode()


def _cursor_of(result: ExecutionResult) -> str | None:
    if not isinstance(result.data, dict) or len(result.data) != 1:
        return None
    (event,) = result.data.values()
    cursor = event.get("cursor") if isinstance(event, dict) else None
    return cursor if isinstance(cursor, str) else None


class SharedStreams:
    def __init__(self, member_queue: int = 100) -> None:
        self.member_queue = member_queue
        self._streams: dict[StreamKey, _Stream] = {}
        self._pumps: set[asyncio.Task[None]] = set()  # running or still ending
        self._started = 0

    @property
    def stream_count(self) -> int:
        return len(self._streams)

    @property
    def member_count(self) -> int:
        return sum(len(s.members) for s in self._streams.values())

    @asynccontextmanager
    async def member(self, key: StreamKey, open_: Opener) -> AsyncIterator[Member]:
        """A place in the stream for `key`, started with `open_` if none runs."""
        stream = self._streams.get(key)
        if stream is None:
            stream = _Stream()
            self._streams[key] = stream
            # Its own context: the stream outlives the connection that started it.
            self._started += 1
            stream.task = asyncio.create_task(
                self._pump(key, stream, open_),
                name=f"shared-stream-{self._started}",
                context=contextvars.Context(),
            )
            self._pumps.add(stream.task)
            stream.task.add_done_callback(self._pumps.discard)
        joined = Member(self.member_queue)
        stream.members.add(joined)
        try:
            yield joined
        finally:
            stream.members.discard(joined)
            if not stream.members and self._streams.get(key) is stream:
                del self._streams[key]
                assert stream.task is not None
                stream.task.cancel()

    async def stop(self) -> None:
        """Ends every stream, and waits until their executions have closed."""
        pumps = list(self._pumps)
        for pump in pumps:
            pump.cancel()
        await asyncio.gather(*pumps, return_exceptions=True)

    async def _pump(self, key: StreamKey, stream: _Stream, open_: Opener) -> None:
        try:
            results = await open_()
            async with _closing(results):
                first = True
                async for result in results:
                    if first and isinstance(result, PreExecutionError):
                        stream.broadcast(_errors(result.errors or []))
                        return
                    if not isinstance(result, ExecutionResult):
                        stream.broadcast(
                            _errors(
                                [
                                    GraphQLError(
                                        "Incremental delivery is not supported over "
                                        "graphql-transport-ws"
                                    )
                                ]
                            )
                        )
                        return
                    first = False
                    stream.broadcast(
                        Frame("next", encode_result(result), _cursor_of(result))
                    )
            stream.broadcast(_COMPLETE)
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug: members get the masked error, the log the details
            log.exception("shared subscription stream failed")
            stream.broadcast(_errors([GraphQLError("Internal error.")]))
        finally:
            # Ended for whatever reason: the next subscriber starts a fresh stream.
            if self._streams.get(key) is stream:
                del self._streams[key]


def _errors(errors: list[GraphQLError]) -> Frame:
    return Frame("errors", orjson.dumps([e.formatted for e in errors]).decode())


@asynccontextmanager
async def _closing(results: Any) -> AsyncIterator[None]:
    try:
        yield
    finally:
        close = getattr(results, "aclose", None)
        if close is not None:
            await close()
