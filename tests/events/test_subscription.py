import pytest

from gateway.events import BusReconnected, SubscriberOverflow, Subscription

from .helpers import next_message


async def test_messages_come_out_in_the_order_they_were_offered():
    subscription = Subscription("c", max_queue=3)
    for message in ("a", "b", "c"):
        assert subscription.offer(message)

    assert [await next_message(subscription) for _ in range(3)] == ["a", "b", "c"]


async def test_offer_into_a_full_queue_is_refused_and_reported_after_the_queue():
    subscription = Subscription("c", max_queue=1)
    assert subscription.offer("kept")
    assert not subscription.offer("lost-1")
    assert not subscription.offer("lost-2")

    assert await next_message(subscription) == "kept"
    with pytest.raises(SubscriberOverflow) as raised:
        await next_message(subscription)
    assert raised.value.dropped == 2
    assert not isinstance(raised.value, BusReconnected)


async def test_messages_queued_after_an_overflow_follow_the_notice():
    subscription = Subscription("c", max_queue=1)
    subscription.offer("kept")
    subscription.offer("lost")
    assert await next_message(subscription) == "kept"
    subscription.offer("after")

    with pytest.raises(SubscriberOverflow):
        await next_message(subscription)
    assert await next_message(subscription) == "after"


async def test_a_reconnect_notice_is_an_overflow_raised_after_queued_messages():
    subscription = Subscription("c")
    subscription.offer("before")
    subscription.notify_reconnected()
    subscription.offer("after")

    assert await next_message(subscription) == "before"
    with pytest.raises(BusReconnected) as raised:
        await next_message(subscription)
    assert isinstance(raised.value, SubscriberOverflow)
    assert raised.value.dropped == 0
    assert await next_message(subscription) == "after"


async def test_a_closed_subscription_ends_iteration_after_its_messages():
    subscription = Subscription("c")
    subscription.offer("last")
    subscription.close()

    assert [m async for m in subscription] == ["last"]
    assert [m async for m in subscription] == []
    assert not subscription.offer("too late")


def test_max_queue_must_hold_at_least_one_message():
    with pytest.raises(ValueError, match="max_queue"):
        Subscription("c", max_queue=0)
