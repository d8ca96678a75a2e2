"""Identical reads in flight together share one upstream call."""

import asyncio

from gateway.services.coalescing import Coalescer


async def test_concurrent_identical_reads_make_one_call():
    coalescer = Coalescer()
    calls = 0

    async def read() -> int:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)
        return 42

    results = await asyncio.gather(*(coalescer.run("key", read) for _ in range(10)))
    assert results == [42] * 10
    assert calls == 1 and coalescer.coalesced == 9


async def test_a_later_read_calls_again():
    coalescer = Coalescer()
    calls = 0

    async def read() -> int:
        nonlocal calls
        calls += 1
        return calls

    assert await coalescer.run("key", read) == 1
    assert await coalescer.run("key", read) == 2


async def test_a_failure_reaches_every_waiter_and_is_not_kept():
    coalescer = Coalescer()

    async def broken() -> int:
        await asyncio.sleep(0.01)
        raise ValueError("upstream broke")

    results = await asyncio.gather(
        *(coalescer.run("key", broken) for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, ValueError) for r in results)

    async def fine() -> int:
        return 1

    assert await coalescer.run("key", fine) == 1


async def test_different_keys_do_not_share():
    coalescer = Coalescer()

    async def read() -> str:
        await asyncio.sleep(0.01)
        return "x"

    await asyncio.gather(coalescer.run("a", read), coalescer.run("b", read))
    assert coalescer.coalesced == 0


async def test_a_caller_that_goes_away_does_not_cancel_the_others_read():
    coalescer = Coalescer()

    async def read() -> str:
        await asyncio.sleep(0.05)
        return "done"

    leader = asyncio.create_task(coalescer.run("key", read))
    await asyncio.sleep(0)
    follower = asyncio.create_task(coalescer.run("key", read))
    await asyncio.sleep(0.01)
    leader.cancel()
    assert await follower == "done"


async def test_a_read_everyone_left_is_cancelled_and_the_next_caller_reads_anew():
    coalescer = Coalescer()
    started: list[asyncio.Event] = []
    ended = []

    async def read() -> str:
        started.append(asyncio.Event())
        try:
            await asyncio.Event().wait()  # an upstream that never answers
        finally:
            ended.append(len(started))
        return "never"

    first = asyncio.create_task(coalescer.run("key", read))
    second = asyncio.create_task(coalescer.run("key", read))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    first.cancel()
    await asyncio.gather(first, return_exceptions=True)
    assert ended == [] and coalescer.in_flight() == 1, "one caller still waits"
    second.cancel()
    await asyncio.gather(second, return_exceptions=True)
    await asyncio.sleep(0)
    assert ended == [1], "nobody waits any more: the read is cancelled"
    assert coalescer.in_flight() == 0

    async def quick() -> str:
        return "fresh"

    assert await coalescer.run("key", quick) == "fresh"
