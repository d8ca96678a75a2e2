"""Reading a subscription with a deadline, so a missing message fails fast."""

import asyncio
from collections.abc import Awaitable, Callable

from gateway.events import Subscription

WAIT = 0.5  # for a message that should come
SILENCE = 0.05  # for one that should not


async def next_message(subscription: Subscription) -> str:
    async with asyncio.timeout(WAIT):
        return await anext(subscription)


async def assert_silent(subscription: Subscription) -> None:
    try:
        async with asyncio.timeout(SILENCE):
            message = await anext(subscription)
    except TimeoutError:
        return
    raise AssertionError(f"unexpected message {message!r}")


async def eventually(check: Callable[[], Awaitable[bool]]) -> None:
    """Polls state held by another process (Redis), for at most WAIT seconds."""
    for _ in range(100):
        if await check():
            return
        await asyncio.sleep(WAIT / 100)
    raise AssertionError("condition still false after waiting")
