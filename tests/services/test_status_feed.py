"""A follower of the status feed gets every change it selected once, in cursor order:
what it missed is replayed from the history, then it follows the bus live."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from gateway.domain.enums import EventSource, Provider, StakeStatus
from gateway.domain.errors import FellBehind
from gateway.domain.history import EntityKind, FeedEvent
from gateway.domain.models import Asset, Stake
from gateway.events import DEFAULT_MAX_QUEUE, MemoryBus, Subscription
from gateway.services.status_feed import (
    STATUS_CHANNEL,
    StatusFeed,
    encode_event,
    stake_report,
)
from tests.events.helpers import WAIT
from tests.waiting import eventually

MINE = (Provider.ZEROHASH, "CUST01")
THEIRS = (Provider.ZEROHASH, "CUST02")
STAKE = Stake(
    provider=Provider.ZEROHASH,
    provider_stake_id="s-1",
    owner="CUST01",
    status=StakeStatus.PENDING,
    provider_status="submitted",
    asset=Asset(symbol="ETH", network="ethereum", decimals=18),
    protocol="ethereum",
    amount=Decimal("1.5"),
    created_at=datetime(2025, 1, 1, tzinfo=UTC),
    data_as_of=datetime(2025, 1, 1, tzinfo=UTC),
)


class RecordingBus(MemoryBus):
    """The in-process bus, keeping each subscription so a test can disturb it."""

    def __init__(self) -> None:
        super().__init__()
        self.subscriptions: list[Subscription] = []

    @asynccontextmanager
    async def subscribe(
        self, channel: str, *, max_queue: int = DEFAULT_MAX_QUEUE
    ) -> AsyncIterator[Subscription]:
        async with super().subscribe(channel, max_queue=max_queue) as subscription:
            self.subscriptions.append(subscription)
            yield subscription


@pytest.fixture
async def bus() -> AsyncIterator[RecordingBus]:
    bus = RecordingBus()
    await bus.connect()
    yield bus
    await bus.disconnect()


def change(owner: tuple[Provider, str], status: StakeStatus, word: str, stake="s-1"):
    return stake_report(
        replace(
            STAKE,
            provider=owner[0],
            owner=owner[1],
            provider_stake_id=stake,
            status=status,
            provider_status=word,
        ),
        EventSource.WEBHOOK,
    )


async def following(feed: StatusFeed, bus: RecordingBus, **selection):
    """A follower already subscribed to the bus, and its first event still to come."""
    events = feed.follow(EntityKind.STAKE, [MINE], **selection)
    first = asyncio.ensure_future(anext(events))

    async def subscribed() -> bool:
        return bus.subscriber_count == 1 or first.done()

    await eventually(subscribed)
    return events, first


async def next_event(events: AsyncIterator[FeedEvent]) -> FeedEvent:
    async with asyncio.timeout(WAIT):
        return await anext(events)


async def test_what_was_missed_is_replayed_then_live_changes_follow_once(store, bus):
    feed = StatusFeed(store, bus)
    (start,) = await feed.record([change(MINE, StakeStatus.PENDING, "submitted")])
    await feed.record([change(MINE, StakeStatus.ACTIVE, "staked")])
    await feed.record([change(THEIRS, StakeStatus.ACTIVE, "staked", stake="s-2")])

    events, first = await following(feed, bus, after=start.cursor)
    replayed = await first
    (live,) = await feed.record([change(MINE, StakeStatus.UNBONDING, "unstaking")])
    followed = await next_event(events)

    assert (replayed.change.to_status, replayed.subject.status) == (
        "ACTIVE",
        StakeStatus.ACTIVE,
    )
    assert followed.change.cursor == live.cursor
    assert followed.subject == replace(
        STAKE, status=StakeStatus.UNBONDING, provider_status="unstaking"
    )
    await events.aclose()


async def test_a_follower_from_now_sees_only_new_changes_of_its_stake(store, bus):
    feed = StatusFeed(store, bus)
    await feed.record([change(MINE, StakeStatus.PENDING, "submitted")])
    events, first = await following(feed, bus, stake=(Provider.ZEROHASH, "s-1"))
    await feed.record([change(MINE, StakeStatus.PENDING, "other", stake="s-3")])
    (wanted,) = await feed.record([change(MINE, StakeStatus.ACTIVE, "staked")])

    assert (await first).change.cursor == wanted.cursor
    await events.aclose()


async def test_changes_published_while_the_bus_was_away_are_refilled(store, bus):
    feed = StatusFeed(store, bus)
    events, first = await following(feed, bus)
    # Recorded but never delivered: the bus was reconnecting meanwhile.
    unseen = await store.history.record(change(MINE, StakeStatus.ACTIVE, "staked"))
    (subscription,) = bus.subscriptions
    subscription.notify_reconnected()
    (after,) = await feed.record([change(MINE, StakeStatus.UNBONDING, "unstaking")])

    assert unseen is not None
    assert (await first).change.cursor == unseen.cursor
    assert (await next_event(events)).change.cursor == after.cursor
    await events.aclose()


async def test_a_follower_that_falls_behind_learns_where_to_resume(store, bus):
    feed = StatusFeed(store, bus)
    events, first = await following(feed, bus)
    (seen,) = await feed.record([change(MINE, StakeStatus.ACTIVE, "staked")])
    assert (await first).change.cursor == seen.cursor
    unread = replace(seen, owner=THEIRS[1])
    for cursor in range(seen.cursor + 1, seen.cursor + DEFAULT_MAX_QUEUE + 2):
        await bus.publish(STATUS_CHANNEL, encode_event(replace(unread, cursor=cursor)))

    with pytest.raises(FellBehind) as raised:
        await next_event(events)
    assert raised.value.last == seen.cursor
    assert f'Resume with after: "{seen.cursor}"' in str(raised.value)
