"""Identical reads in flight at the same moment share one upstream call."""

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class Coalescer:
    def __init__(self) -> None:
        self._inflight: dict[Hashable, asyncio.Future[Any]] = {}
        self.coalesced = 0

    async def run(
        self,
        key: Hashable,
        fn: Callable[[], Awaitable[T]],
        on_shared: Callable[[], None] | None = None,
    ) -> T:
        existing = self._inflight.get(key)
        if existing is not None:
            self.coalesced += 1
            if on_shared is not None:
                on_shared()
            result: T = await asyncio.shield(existing)
            return result
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            value = await fn()
        except BaseException as exc:
            future.set_exception(exc)
            # Nobody else may be waiting: mark the exception as seen.
            future.exception()
            raise
        else:
            future.set_result(value)
            return value
        finally:
            del self._inflight[key]
