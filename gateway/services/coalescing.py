"""Identical reads in flight at the same moment share one upstream call.

The call runs in a task of its own, and every caller (the first one included) waits on
it through a shield: one caller going away (a client disconnects, a query times out)
cancels only its own wait, never the read the others are waiting for.
"""

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


def _settle(task: "asyncio.Task[Any]") -> None:
    # Retrieve the outcome so an error nobody waited for is not reported as lost.
    if not task.cancelled():
        task.exception()


class Coalescer:
    def __init__(self) -> None:
        self._inflight: dict[Hashable, asyncio.Task[Any]] = {}
        self.coalesced = 0

    async def run(
        self,
        key: Hashable,
        fn: Callable[[], Awaitable[T]],
        on_shared: Callable[[], None] | None = None,
    ) -> T:
        task = self._inflight.get(key)
        if task is not None:
            self.coalesced += 1
            if on_shared is not None:
                on_shared()
        else:

            async def call() -> T:
                return await fn()

            task = asyncio.ensure_future(call())
            self._inflight[key] = task
            task.add_done_callback(_settle)
            task.add_done_callback(lambda done: self._forget(key, done))
        result: T = await asyncio.shield(task)
        return result

    def _forget(self, key: Hashable, task: "asyncio.Task[Any]") -> None:
        if self._inflight.get(key) is task:
            del self._inflight[key]
