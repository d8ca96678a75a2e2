"""The webhook sender against a real receiver on loopback, with a fake clock: signed
deliveries in order per stake, retries with backoff and Retry-After, a day of failures
disabling the endpoint, and the fan-out from the outbox."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from random import Random

import httpx
import pytest

from gateway.domain.enums import EventSource, Provider, StakeStatus
from gateway.domain.models import Asset, Stake
from gateway.domain.webhooks import DeliveryState, WebhookEventType
from gateway.events import MemoryBus
from gateway.schema.ids import NodeId
from gateway.services.status_feed import StatusFeed, stake_report
from gateway.services.webhooks.addresses import AddressPolicy
from gateway.services.webhooks.registry import WebhookRegistry
from gateway.services.webhooks.retry import RetryPolicy
from gateway.services.webhooks.sender import SenderPolicy, WebhookSender
from tests.gateway.receiver import Answer, webhook_receiver

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self) -> None:
        self.at = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


def stake(stake_id: str, status: StakeStatus, owner: str = "P1") -> Stake:
    return Stake(
        provider=Provider.ZEROHASH,
        provider_stake_id=stake_id,
        owner=owner,
        status=status,
        provider_status=status.value.lower(),
        asset=Asset(symbol="ETH"),
        amount=Decimal("1.5"),
        created_at=START,
        data_as_of=START,
    )


@pytest.fixture
async def world(store):
    clock = FakeClock()
    bus = MemoryBus()
    await bus.connect()
    async with httpx.AsyncClient() as http, webhook_receiver() as receiver:
        sender = WebhookSender(
            store,
            http,
            addresses=AddressPolicy(allow_loopback=True),
            retry=RetryPolicy(base_seconds=10, rng=Random(7)),
            policy=SenderPolicy(commit_grace=timedelta(0)),
            clock=clock,
        )
        registry = WebhookRegistry(store, sender.addresses, sender)
        client, _ = await store.clients.create("ours", {Provider.ZEROHASH: ["P1"]})
        registered = await registry.register(
            client.id, receiver.url, [WebhookEventType.STAKE_STATUS_CHANGED]
        )
        receiver.secret = registered.secret
        yield {
            "store": store,
            "clock": clock,
            "feed": StatusFeed(store, bus),
            "sender": sender,
            "registry": registry,
            "receiver": receiver,
            "endpoint": registered.endpoint,
            "client": client,
        }
    await bus.disconnect()


async def drain(sender) -> None:
    """Everything due now is fanned out and sent (no waiting: the clock is ours)."""
    while await sender.fan_out_once() or await sender.send_due_once():
        pass


async def test_deliveries_are_signed_carry_the_stake_and_go_out_in_order(world):
    feed, receiver = world["feed"], world["receiver"]
    for status in (StakeStatus.PENDING, StakeStatus.ACTIVE, StakeStatus.UNBONDING):
        await feed.record([stake_report(stake("s-1", status), EventSource.POLL)])
    await feed.record(
        [stake_report(stake("s-2", StakeStatus.PENDING), EventSource.POLL)]
    )
    await drain(world["sender"])

    got = receiver.delivered()
    assert len(got) == 4
    now = world["clock"]().timestamp()
    assert all(receiver.signed(r, now) for r in got)
    assert not any(receiver.signed(r, now + 3600) for r in got), (
        "an old timestamp does not verify"
    )
    bodies = [r.json for r in got]
    first_stake = [b for b in bodies if b["data"]["stake"]["providerStakeId"] == "s-1"]
    statuses = [b["data"]["status"] for b in first_stake]
    assert statuses == ["PENDING", "ACTIVE", "UNBONDING"]
    first = bodies[0]
    assert first["type"] == "stake.status_changed"
    assert first["id"] == got[0].event_id
    assert first["cursor"].isdigit()
    assert first["data"]["stake"]["amount"] == "1.5"
    assert (
        first["data"]["stake"]["id"]
        == NodeId("Stake", Provider.ZEROHASH, "P1", "s-1").encode()
    ), "the id GraphQL gives the same stake"
    assert len({b["id"] for b in bodies}) == 4


async def test_a_500_is_retried_after_its_backoff_and_retry_after_then_succeeds(world):
    feed, receiver, sender, clock = (
        world[k] for k in ("feed", "receiver", "sender", "clock")
    )
    receiver.script.append(Answer(status=500, retry_after="120"))
    await feed.record(
        [stake_report(stake("s-1", StakeStatus.PENDING), EventSource.POLL)]
    )
    await feed.record(
        [stake_report(stake("s-1", StakeStatus.ACTIVE), EventSource.POLL)]
    )
    await drain(sender)
    assert [r.answered for r in receiver.received] == [500]

    clock.advance(119)
    await drain(sender)
    assert len(receiver.received) == 1, "Retry-After is honoured"
    clock.advance(2)
    await drain(sender)
    assert [r.answered for r in receiver.received] == [500, 200, 200]
    first, again, then = receiver.received
    assert again.event_id == first.event_id, "the same event id: the receiver dedupes"
    assert then.json["data"]["status"] == "ACTIVE", "the later event waited its turn"

    log = await world["registry"].deliveries(world["client"].id, world["endpoint"].id)
    oldest = log[-1]
    assert oldest.state is DeliveryState.DELIVERED
    assert [a.status_code for a in oldest.attempt_log] == [500, 200]
    assert all(a.latency_ms >= 0 for a in oldest.attempt_log)
    endpoint = await world["registry"].endpoint(
        world["client"].id, world["endpoint"].id
    )
    assert endpoint.failing_since is None and endpoint.enabled


def test_backoff_doubles_with_jitter_and_honours_retry_after():
    policy = RetryPolicy(base_seconds=10, max_delay_seconds=3600, rng=Random(1))
    for attempt, step in ((1, 10), (2, 20), (3, 40), (10, 3600), (30, 3600)):
        delays = [policy.delay(attempt) for _ in range(50)]
        assert all(step / 2 <= d <= step for d in delays), (attempt, delays)
        assert len(set(delays)) > 1, "jittered"
    assert policy.delay(1, retry_after=600) == 600
    assert policy.delay(1, retry_after=10**9) == 24 * 3600


async def test_an_endpoint_failing_for_a_day_is_disabled_and_says_so(world):
    feed, receiver, sender, clock = (
        world[k] for k in ("feed", "receiver", "sender", "clock")
    )
    receiver.script.extend(Answer(status=503) for _ in range(100))
    await feed.record(
        [stake_report(stake("s-1", StakeStatus.PENDING), EventSource.POLL)]
    )
    await drain(sender)
    attempts = 1
    while clock() - START < timedelta(days=400):  # bounded: the loop below ends it
        endpoint = await world["registry"].endpoint(
            world["client"].id, world["endpoint"].id
        )
        if not endpoint.enabled:
            break
        clock.advance(3600)
        await drain(sender)
        attempts = len(receiver.received)
    assert endpoint.disabled_at is not None and endpoint.disabled_reason
    assert endpoint.failing_since is not None
    assert endpoint.disabled_at - endpoint.failing_since >= timedelta(hours=24)
    assert 5 < attempts < 40, attempts
    [delivery] = await world["registry"].deliveries(world["client"].id, endpoint.id)
    assert delivery.state is DeliveryState.FAILED

    # Disabled, it is sent nothing; what happens meanwhile waits for it to be enabled.
    await feed.record(
        [stake_report(stake("s-2", StakeStatus.PENDING), EventSource.POLL)]
    )
    clock.advance(60)
    await drain(sender)
    assert len(receiver.received) == attempts
    receiver.script.clear()
    await world["registry"].enable(world["client"].id, endpoint.id)
    await drain(sender)
    assert receiver.received[-1].json["data"]["stake"]["providerStakeId"] == "s-2"


async def test_only_the_owners_client_hears_of_a_stake(world):
    store, feed, receiver = world["store"], world["feed"], world["receiver"]
    other, _ = await store.clients.create("theirs", {Provider.ZEROHASH: ["P2"]})
    await feed.record(
        [
            stake_report(
                stake("theirs-1", StakeStatus.PENDING, owner="P2"), EventSource.POLL
            )
        ]
    )
    await feed.record(
        [stake_report(stake("ours-1", StakeStatus.PENDING), EventSource.POLL)]
    )
    await drain(world["sender"])
    assert [r.json["data"]["stake"]["providerStakeId"] for r in receiver.received] == [
        "ours-1"
    ]
    registry = world["registry"]
    assert await registry.endpoints(other.id) == []
    assert await registry.remove(other.id, world["endpoint"].id) is False
    assert len(await registry.endpoints(world["client"].id)) == 1


async def test_an_event_before_registration_is_not_sent_and_fan_out_runs_once(world):
    store, feed, receiver, sender = (
        world[k] for k in ("store", "feed", "receiver", "sender")
    )
    await feed.record(
        [stake_report(stake("s-1", StakeStatus.PENDING), EventSource.POLL)]
    )
    rival = WebhookSender(
        store, sender.http, addresses=sender.addresses, clock=sender.clock,
        policy=SenderPolicy(commit_grace=timedelta(0)),
    )  # fmt: skip
    queued = [await sender.fan_out_once(), await rival.fan_out_once()]
    assert sorted(queued) == [0, 1]
    await drain(sender)
    await drain(rival)
    assert len(receiver.received) == 1


async def test_a_revoked_client_is_sent_nothing_more(world):
    store, feed, receiver = world["store"], world["feed"], world["receiver"]
    await feed.record(
        [stake_report(stake("s-1", StakeStatus.PENDING), EventSource.POLL)]
    )
    await world["sender"].fan_out_once()
    assert await store.clients.revoke(world["client"].id) == 1
    await drain(world["sender"])
    assert receiver.received == []


async def test_an_endpoint_registered_during_a_fan_out_still_hears_what_came_after(
    world,
):
    # The fan-out reads the subscribers, then an endpoint registers before the
    # fan-out moves its position: the event recorded after the registration time
    # is owed to it, so that fan-out gives way and the next one queues it.
    store, feed, sender, registry = (
        world[k] for k in ("store", "feed", "sender", "registry")
    )
    theirs, _ = await store.clients.create("theirs", {Provider.ZEROHASH: ["P2"]})
    registered_meanwhile = []
    read_subscribers = sender.webhooks.subscribers

    async def subscribers_then_a_registration(owners):
        found = await read_subscribers(owners)
        if not registered_meanwhile:
            registered_meanwhile.append(
                await registry.register(
                    theirs.id,
                    world["receiver"].url,
                    [WebhookEventType.STAKE_STATUS_CHANGED],
                )
            )
        return found

    sender.webhooks.subscribers = subscribers_then_a_registration
    await feed.record(
        [stake_report(stake("t-1", StakeStatus.PENDING, owner="P2"), EventSource.POLL)]
    )
    assert await sender.fan_out_once() == 0, "it gives way rather than skip it"
    sender.webhooks.subscribers = read_subscribers
    await drain(sender)
    (endpoint,) = await registry.endpoints(theirs.id)
    got = [r for r in world["receiver"].received if r.json["data"]["stake"]]
    assert [r.json["data"]["stake"]["providerStakeId"] for r in got] == ["t-1"]
    assert endpoint.created_at == registered_meanwhile[0].endpoint.created_at
