"""Waiting for a state to be reached, with a deadline, instead of sleeping for it."""

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    check: Callable[[], T | Awaitable[T]], *, within: float = 10.0, every: float = 0.01
) -> T:
    """The first truthy result of `check`, a function or a coroutine function (what a
    plain one returns is never awaited: it may be a task), polled until `within` s."""
    last: T | None = None
    try:
        async with asyncio.timeout(within):
            while True:
                result = check()
                last = await result if inspect.iscoroutine(result) else result
                if last:
                    return last
                await asyncio.sleep(every)
    except TimeoutError:
        raise AssertionError(
            f"still {last!r} after {within} s: {getattr(check, '__qualname__', check)}"
        ) from None
