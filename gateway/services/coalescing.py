"""Identical reads in flight at the same moment share one upstream call.

The call runs in a task of its own, and every caller (the first one included) waits on
it through a shield: one caller going away (a client disconnects, a query times out)
cancels only its own wait, never the read the others are waiting for. When the last
caller goes away, nobody wants the read any more and it is cancelled too: a shared read
never outlives everyone who asked for it.
"""

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def _settle(task: "asyncio.Task[Any]") -> None:
    # Retrieve the outcome so an error nobody waited for is not reported as lost.
    if not task.cancelled():
        task.exception()


@dataclass
class _Shared(Generic[T]):
    task: "asyncio.Task[T]"
    waiters: int = 0


class Coalescer:
    def __init__(self) -> None:
        self._inflight: dict[Hashable, _Shared[Any]] = {}
        self.coalesced = 0

    async def run(
        self,
        key: Hashable,
        fn: Callable[[], Awaitable[T]],
        on_shared: Callable[[], None] | None = None,
    ) -> T:
        shared = self._inflight.get(key)
        if shared is not None:
            self.coalesced += 1
            if on_shared is not None:
                on_shared()
        else:

            async def call() -> T:
                return await fn()

            task = asyncio.ensure_future(call())
            shared = self._inflight[key] = _Shared(task)
            task.add_done_callback(_settle)
            task.add_done_callback(lambda done: self._forget(key, done))
        shared.waiters += 1
        try:
            result: T = await asyncio.shield(shared.task)
        finally:
            shared.waiters -= 1
            if shared.waiters == 0 and not shared.task.done():
                # A caller arriving now starts a read of its own, not this cancelled one.
                self._forget(key, shared.task)
                shared.task.cancel()
        return result

    def in_flight(self) -> int:
        return len(self._inflight)

    def _forget(self, key: Hashable, task: "asyncio.Task[Any]") -> None:
        found = self._inflight.get(key)
        if found is not None and found.task is task:
            del self._inflight[key]
