"""A Dfns stake's running rewards total is reused for a short while, and says when it
was read; a write on the stake, or the TTL, makes the adapter read it again."""

from collections.abc import AsyncIterator
from decimal import Decimal

import httpx
import pytest

from gateway.domain.commands import CreateStake, Unstake
from gateway.domain.enums import StakeStatus
from providers.dfns import DfnsAdapter
from providers.dfns.sandbox import DfnsSandbox
from providers.sandbox_kit import SimulatedClock
from tests.providers.dfns.conftest import BASE_URL

OWNER = "wa-owner-00000-00000000000000"


@pytest.fixture
async def counted(
    sandbox: DfnsSandbox,
) -> AsyncIterator[tuple[httpx.AsyncClient, list]]:
    paths: list[str] = []

    async def note(request: httpx.Request) -> None:
        paths.append(request.url.path)

    transport = httpx.ASGITransport(app=sandbox.app)
    async with httpx.AsyncClient(
        transport=transport, base_url=BASE_URL, event_hooks={"request": [note]}
    ) as client:
        yield client, paths


def adapter_with(counted, sandbox, clock, ttl: float) -> DfnsAdapter:
    client, _ = counted
    return DfnsAdapter(
        client,
        sandbox.gateway_config(BASE_URL),
        now=clock.now,
        rewards_ttl_seconds=ttl,
    )


def rewards_reads(counted) -> int:
    return sum(1 for path in counted[1] if path.endswith("/rewards"))


async def test_within_the_ttl_a_total_is_not_read_again(counted, sandbox, clock):
    adapter = adapter_with(counted, sandbox, clock, ttl=30)
    first = await adapter.list_stakes(sandbox.demo_owners)
    reads = rewards_reads(counted)
    assert reads > 0
    await clock.advance(20)
    second = await adapter.list_stakes(sandbox.demo_owners)
    assert rewards_reads(counted) == reads
    assert [s.rewards for s in second] == [s.rewards for s in first]
    # What was reused says when it was read, not when it was served.
    read_at = {r.credited_at for s in second for r in s.rewards or ()}
    assert read_at and max(read_at) < clock.now()
    await clock.advance(11)
    await adapter.list_stakes(sandbox.demo_owners)
    assert rewards_reads(counted) == 2 * reads


async def test_without_a_ttl_every_list_reads_every_total(counted, sandbox, clock):
    adapter = adapter_with(counted, sandbox, clock, ttl=0)
    await adapter.list_stakes(sandbox.demo_owners)
    reads = rewards_reads(counted)
    await adapter.list_stakes(sandbox.demo_owners)
    assert rewards_reads(counted) == 2 * reads


async def test_a_write_on_a_stake_forgets_its_total(counted, sandbox, clock):
    adapter = adapter_with(counted, sandbox, clock, ttl=3600)
    product = next(p for p in await adapter.list_products() if p.protocol == "Ethereum")
    created = await adapter.create_stake(
        CreateStake(owner=OWNER, product=product, amount=Decimal(32))
    )
    stake_id = created.stake.provider_stake_id
    await clock.advance(30 * 24 * 3600)
    earning = await adapter.get_stake(OWNER, stake_id)
    assert earning.status is StakeStatus.ACTIVE and earning.rewards_earned > 0
    reads = rewards_reads(counted)
    await adapter.get_stake(OWNER, stake_id)
    assert rewards_reads(counted) == reads  # reused
    await adapter.unstake(Unstake(OWNER, earning, None, None))
    await adapter.get_stake(OWNER, stake_id)
    assert rewards_reads(counted) == reads + 1  # read again after the write


def test_the_clock_going_back_drops_a_total(sandbox) -> None:
    from providers.dfns.rewards_cache import RewardsCache

    clock = SimulatedClock(time_scale=0.0)
    cache = RewardsCache(ttl_seconds=30)
    now = clock.now()
    cache.put("stk-1", now, object())  # type: ignore[arg-type]
    assert cache.get("stk-1", now) is not None
    assert cache.get("stk-1", now.replace(year=now.year - 1)) is None
    assert cache.get("stk-1", now) is None
