"""The sandbox pushing webhooks: signed as documented, retried, duplicated, reordered."""

import asyncio
import hashlib
import hmac
import json
from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pytest

from gateway.domain.commands import CreateStake
from providers.zerohash import ZerohashAdapter, verify_webhook
from providers.zerohash.sandbox import ZerohashSandbox
from tests.providers.zerohash.helpers import (
    API_KEY,
    API_SECRET,
    BASE_URL,
    PASSPHRASE,
    WEBHOOK_SECRET,
)

DAY = 86_400
HOOK_URL = "http://gateway/webhooks/zerohash"


class Receiver:
    """A webhook endpoint that answers `statuses` in turn (the last one repeats)."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses or (200,))
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        return httpx.Response(status)

    def notices(self, secret):
        now = datetime.now(UTC)
        return [
            verify_webhook(r.headers, r.content, secret, now) for r in self.requests
        ]


def _sandbox(clock, receiver, **options):
    return ZerohashSandbox(
        clock=clock,
        api_key=API_KEY,
        api_secret=API_SECRET,
        passphrase=PASSPHRASE,
        webhook_secret=WEBHOOK_SECRET,
        webhook_url=HOOK_URL,
        webhook_transport=httpx.MockTransport(receiver),
        retry_base_delay=0.001,
        seed=3,
        **options,
    )


async def _stake(sandbox, owner="CUST01", amount="10"):
    transport = httpx.ASGITransport(app=sandbox.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        adapter = ZerohashAdapter(http, sandbox.gateway_config(BASE_URL))
        await adapter.accept_terms(owner)
        eth = next(
            p for p in await adapter.list_products() if p.provider_product_id == "ETH"
        )
        return (
            await adapter.create_stake(CreateStake(owner, eth, Decimal(amount)))
        ).stake


async def _drain(sandbox):
    async with asyncio.timeout(3):
        await sandbox.webhooks.drain()


@pytest.fixture
async def started():
    running = []

    async def start(sandbox):
        await sandbox.start()
        running.append(sandbox)
        return sandbox

    yield start
    for sandbox in running:
        await sandbox.stop()


async def test_every_transition_and_reward_is_pushed_signed(clock, started):
    receiver = Receiver()
    sandbox = await started(_sandbox(clock, receiver))
    stake = await _stake(sandbox)
    await clock.advance(2 * DAY)
    await _drain(sandbox)
    secret = sandbox.gateway_config(BASE_URL).webhook_secret
    notices = [
        n
        for n in receiver.notices(secret)
        if n.provider_stake_id == stake.provider_stake_id
    ]
    assert [n.event_type for n in notices] == [
        "stake.submitted", "stake.broadcasted", "stake.confirmed", "stake.staked",
        "staking_reward.received",
    ]  # fmt: skip
    assert notices[-1].reward.amount > 0
    assert len({n.event_id for n in notices}) == len(notices)
    for request in receiver.requests:
        legacy = hmac.new(WEBHOOK_SECRET.encode(), request.content, hashlib.sha256)
        assert request.headers["x-zh-hook-signature-256"] == legacy.hexdigest()
        assert (
            request.headers["x-zh-hook-payload-type"]
            == json.loads(request.content)["event_type"]
        )


async def test_the_seeded_history_is_not_pushed(clock, started):
    receiver = Receiver()
    sandbox = await started(_sandbox(clock, receiver))
    await clock.advance(0)
    await _drain(sandbox)
    assert receiver.requests == []


async def test_a_failing_endpoint_is_retried_under_the_same_notification_id(
    clock, started
):
    receiver = Receiver(500, 503, 200)
    sandbox = await started(_sandbox(clock, receiver))
    await _stake(sandbox)
    await _drain(sandbox)
    ids = [r.headers["x-zh-hook-notification-id"] for r in receiver.requests]
    assert len(ids) == 3 and len(set(ids)) == 1
    assert len(sandbox.webhooks.delivered) == 1


async def test_delivery_gives_up_after_a_bounded_number_of_attempts(clock, started):
    receiver = Receiver(500)
    sandbox = await started(_sandbox(clock, receiver))
    await _stake(sandbox)
    await _drain(sandbox)
    assert len(receiver.requests) == 6
    assert [f.status for f in sandbox.webhooks.failed] == [500]


async def test_duplicates_come_under_new_ids_but_name_the_same_fact(clock, started):
    receiver = Receiver()
    sandbox = await started(_sandbox(clock, receiver, duplicate_rate=1.0))
    await _stake(sandbox)
    await clock.advance(60)
    await _drain(sandbox)
    notices = receiver.notices(sandbox.gateway_config(BASE_URL).webhook_secret)
    assert len(notices) == 4
    assert len({n.event_id for n in notices}) == 4
    assert len({n.dedupe_key for n in notices}) == 2


async def _reward_order(clock, started, reorder):
    receiver = Receiver()
    sandbox = await started(_sandbox(clock, receiver, reorder=reorder))
    await _stake(sandbox)
    await _drain(sandbox)
    await clock.advance(12 * DAY)
    await _drain(sandbox)
    notices = receiver.notices(sandbox.gateway_config(BASE_URL).webhook_secret)
    return [n.occurred_at for n in notices if n.owner == "CUST01"]


async def test_events_arrive_in_order_unless_reordering_is_asked_for(clock, started):
    in_order = await _reward_order(clock, started, reorder=False)
    assert in_order == sorted(in_order)


async def test_reordering_shuffles_the_events_of_one_clock_jump(clock, started):
    shuffled = await _reward_order(clock, started, reorder=True)
    assert len(shuffled) == 15
    assert shuffled != sorted(shuffled)


async def test_without_a_url_events_are_dropped_until_one_is_set(clock, started):
    receiver = Receiver()
    sandbox = await started(_sandbox(clock, receiver))
    sandbox.set_webhook_url(None)
    stake_one = await _stake(sandbox, owner="CUST01")
    assert sandbox.webhooks.dropped == 1
    sandbox.set_webhook_url(HOOK_URL)
    stake_two = await _stake(sandbox, owner="CUST02")
    await _drain(sandbox)
    stakes = {json.loads(r.content)["stake_id"] for r in receiver.requests}
    assert stakes == {stake_two.provider_stake_id}
    assert stake_one.provider_stake_id not in stakes


async def test_start_and_stop_are_idempotent(clock):
    receiver = Receiver()
    sandbox = _sandbox(clock, receiver)
    await sandbox.start()
    await sandbox.start()
    sandbox.webhooks.publish({"event_type": "ping"})
    await sandbox.webhooks.drain()
    assert len(receiver.requests) == 1, "one sender, however often started"
    await sandbox.stop()
    await sandbox.stop()
    sandbox.webhooks.publish({"event_type": "ping"})
    assert len(receiver.requests) == 1, "stopped: nothing more is sent"
