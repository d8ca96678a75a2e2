import asyncio

import pytest

from gateway.events import MemoryBus, SubscriberOverflow

from .helpers import assert_silent, next_message


@pytest.fixture
async def bus():
    bus = MemoryBus()
    await bus.connect()
    yield bus
    await bus.disconnect()


async def test_publish_reaches_every_subscriber_of_the_channel(bus):
    async with (
        bus.subscribe("status") as first,
        bus.subscribe("status") as second,
        bus.subscribe("status") as third,
    ):
        await bus.publish("status", "m1")
        await bus.publish("status", "m2")

        for subscription in (first, second, third):
            assert await next_message(subscription) == "m1"
            assert await next_message(subscription) == "m2"
    assert (bus.published, bus.delivered, bus.dropped) == (2, 6, 0)


async def test_subscribers_receive_only_their_own_channel(bus):
    async with bus.subscribe("a") as on_a, bus.subscribe("b") as on_b:
        await bus.publish("a", "for-a")

        assert await next_message(on_a) == "for-a"
        await assert_silent(on_b)


async def test_leaving_the_context_unregisters_the_subscriber(bus):
    async with bus.subscribe("status"), bus.subscribe("other"):
        assert bus.subscriber_count == 2
    assert bus.subscriber_count == 0

    await bus.publish("status", "nobody listens")
    assert bus.delivered == 0


async def test_an_error_inside_the_context_still_unregisters(bus):
    with pytest.raises(RuntimeError):
        async with bus.subscribe("status"):
            raise RuntimeError("handler failed")
    assert bus.subscriber_count == 0


async def test_slow_subscriber_overflows_while_the_others_get_everything(bus):
    async with (
        bus.subscribe("status", max_queue=2) as slow,
        bus.subscribe("status") as fast,
    ):
        # Publishing never waits for the slow subscriber.
        async with asyncio.timeout(0.5):
            for n in range(5):
                await bus.publish("status", f"m{n}")

        assert [await next_message(fast) for _ in range(5)] == [
            f"m{n}" for n in range(5)
        ]
        assert await next_message(slow) == "m0"
        assert await next_message(slow) == "m1"
        with pytest.raises(SubscriberOverflow) as raised:
            await next_message(slow)
        assert raised.value.dropped == 3
        assert (bus.delivered, bus.dropped) == (7, 3)

        # The subscription stays usable once the subscriber has caught up.
        await bus.publish("status", "m5")
        assert await next_message(slow) == "m5"


async def test_disconnect_ends_open_subscriptions(bus):
    async with bus.subscribe("status") as subscription:
        await bus.publish("status", "last")
        await bus.disconnect()

        async with asyncio.timeout(0.5):
            assert [m async for m in subscription] == ["last"]
