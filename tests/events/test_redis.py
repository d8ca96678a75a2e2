import asyncio
from uuid import uuid4

import pytest
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from gateway.events import BusReconnected, RedisBus, SubscriberOverflow
from tests.waiting import eventually

from .helpers import assert_silent, next_message

pytestmark = pytest.mark.redis

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(params=["", "?protocol=2"], ids=["resp3", "resp2"])
def url(request):
    return REDIS_URL + request.param


def fast_bus(url: str = REDIS_URL, **options) -> RedisBus:
    # A unique client name lets a test find (and kill) this bus's connections.
    name = f"test-bus-{uuid4().hex}"
    return RedisBus(url, name=name, retry_delay=0.01, **options)


@pytest.fixture
def channel():
    return f"test-events-{uuid4().hex}"


@pytest.fixture
async def admin():
    async with Redis.from_url(REDIS_URL) as client:
        yield client


@pytest.fixture
async def replica_a(url):
    bus = fast_bus(url)
    await bus.connect()
    yield bus
    await bus.disconnect()


@pytest.fixture
async def replica_b(url):
    bus = fast_bus(url)
    await bus.connect()
    yield bus
    await bus.disconnect()


async def numsub(admin, channel) -> int:
    [(_, count)] = await admin.pubsub_numsub(channel)
    return count


async def wait_for_numsub(admin, channel, expected: int) -> None:
    async def reached():
        return await numsub(admin, channel) == expected

    await eventually(reached)


async def clients_named(admin, name: str) -> list[dict]:
    return [c for c in await admin.client_list() if c["name"] == name]


async def test_publish_on_one_replica_reaches_subscribers_on_both_exactly_once(
    replica_a, replica_b, channel
):
    async with (
        replica_a.subscribe(channel) as on_a,
        replica_b.subscribe(channel) as on_b1,
        replica_b.subscribe(channel) as on_b2,
    ):
        await replica_a.publish(channel, "hello")

        for subscription in (on_a, on_b1, on_b2):
            assert await next_message(subscription) == "hello"
        for subscription in (on_a, on_b1, on_b2):
            await assert_silent(subscription)
    assert (replica_a.published, replica_a.delivered) == (1, 1)
    assert (replica_b.published, replica_b.delivered) == (0, 2)


async def test_subscribers_receive_only_their_own_channel(replica_a, channel):
    async with (
        replica_a.subscribe(channel) as wanted,
        replica_a.subscribe(f"{channel}-other") as other,
    ):
        await replica_a.publish(channel, "for-wanted")

        assert await next_message(wanted) == "for-wanted"
        await assert_silent(other)


async def test_one_redis_subscription_serves_the_local_subscribers_until_the_last_leaves(
    replica_a, admin, channel
):
    async with replica_a.subscribe(channel):
        async with replica_a.subscribe(channel):
            assert await numsub(admin, channel) == 1
        await asyncio.sleep(0.02)
        assert await numsub(admin, channel) == 1
    await wait_for_numsub(admin, channel, 0)
    assert replica_a.subscriber_count == 0


async def test_a_cancelled_subscriber_still_releases_the_channel(
    replica_a, admin, channel
):
    entered = asyncio.Event()

    async def listen():
        async with replica_a.subscribe(channel) as subscription:
            entered.set()
            await anext(subscription)

    task = asyncio.create_task(listen())
    async with asyncio.timeout(0.5):
        await entered.wait()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

    await wait_for_numsub(admin, channel, 0)
    assert replica_a.subscriber_count == 0


async def test_a_channel_left_and_joined_again_at_once_is_still_delivered(
    replica_a, replica_b, channel
):
    for round_ in range(5):
        async with replica_a.subscribe(channel) as subscription:
            await replica_b.publish(channel, f"round-{round_}")
            assert await next_message(subscription) == f"round-{round_}"


async def test_a_slow_subscriber_overflows_without_holding_back_the_others(
    replica_a, channel
):
    async with (
        replica_a.subscribe(channel, max_queue=1) as slow,
        replica_a.subscribe(channel) as fast,
    ):
        for n in range(3):
            await replica_a.publish(channel, f"m{n}")

        assert [await next_message(fast) for _ in range(3)] == ["m0", "m1", "m2"]
        assert await next_message(slow) == "m0"
        with pytest.raises(SubscriberOverflow) as raised:
            await next_message(slow)
        assert raised.value.dropped == 2
        assert replica_a.dropped == 2


async def test_after_a_lost_connection_the_reader_resubscribes_and_warns_subscribers(
    replica_a, replica_b, admin, channel
):
    async with replica_a.subscribe(channel) as subscription:
        [connection] = await clients_named(admin, f"{replica_a.name}:sub")
        await admin.client_kill_filter(_id=connection["id"])

        with pytest.raises(BusReconnected):
            await next_message(subscription)
        # The notice comes once Redis has the channel again: nothing after it is lost.
        await replica_b.publish(channel, "after")
        assert await next_message(subscription) == "after"
        await replica_a.ping()
        async with replica_a.subscribe(channel) as newcomer:
            await replica_b.publish(channel, "newcomer")
            assert await next_message(newcomer) == "newcomer"  # no stale notice


async def test_an_idle_connection_stays_up_through_keepalive_pings(url, channel):
    bus = fast_bus(url, keepalive=0.02)
    await bus.connect()
    try:
        await asyncio.sleep(0.06)  # pings while subscribed to nothing
        async with bus.subscribe(channel) as subscription:
            await asyncio.sleep(0.06)  # pings while subscribed
            await bus.publish(channel, "still here")
            assert await next_message(subscription) == "still here"
    finally:
        await bus.disconnect()


async def test_ping_succeeds_against_a_live_server(replica_a, admin):
    await replica_a.ping()
    assert await clients_named(admin, f"{replica_a.name}:sub"), "its subscriber is up"


async def test_ping_fails_while_the_subscriber_connection_is_down(admin):
    bus = RedisBus(REDIS_URL, name=f"test-bus-{uuid4().hex}", retry_delay=5.0)
    await bus.connect()
    try:
        [connection] = await clients_named(admin, f"{bus.name}:sub")
        await admin.client_kill_filter(_id=connection["id"])

        async def ping_fails():
            try:
                await bus.ping()
            except RedisConnectionError:
                return True
            return False

        await eventually(ping_fails)
    finally:
        await bus.disconnect()  # also cancels the reader in its backoff


async def test_ping_refuses_before_connect():
    with pytest.raises(RuntimeError, match="connect"):
        await fast_bus().ping()


async def test_connect_fails_fast_when_redis_is_unreachable():
    bus = RedisBus("redis://127.0.0.1:1/0", connect_timeout=0.2)
    with pytest.raises(RedisConnectionError):
        await bus.connect()
    await bus.disconnect()


async def test_disconnect_closes_both_connections_and_ends_subscriptions(
    admin, channel
):
    bus = fast_bus()
    await bus.connect()
    names = (f"{bus.name}:sub", f"{bus.name}:pub")
    assert [len(await clients_named(admin, n)) for n in names] == [1, 1]
    async with bus.subscribe(channel) as subscription:
        await bus.disconnect()
        async with asyncio.timeout(0.5):
            assert [m async for m in subscription] == []

    async def gone():
        return [len(await clients_named(admin, n)) for n in names] == [0, 0]

    await eventually(gone)
