"""Reading a subscription with a deadline, so a missing message fails fast."""

import asyncio

from gateway.events import Subscription

# A deadline for a message that should come, not a wait: it only runs out on failure,
# so it is long enough for a loaded machine.
WAIT = 10.0
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
