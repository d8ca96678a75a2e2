"""Lifecycles on the simulated clock: stake and unstake progress, balances, rewards."""

from datetime import timedelta
from decimal import ROUND_DOWN, Decimal

import httpx
import pytest

from gateway.domain.commands import CreateStake, CreateStakeAction, Unstake
from gateway.domain.enums import (
    ActionStatus,
    StakeActionKind,
    StakeStatus,
    UserErrorCode,
)
from providers.base import ProviderRejected
from providers.sandbox_kit import SimulatedClock
from providers.zerohash import ZerohashAdapter
from providers.zerohash.sandbox import ZerohashSandbox
from tests.providers.zerohash.helpers import (
    API_KEY,
    API_SECRET,
    BASE_URL,
    PASSPHRASE,
    START,
    balances,
)

MINUTE, DAY = 60, 86_400


async def _product(adapter, symbol):
    return next(
        p for p in await adapter.list_products() if p.provider_product_id == symbol
    )


async def _staked(adapter, clock, owner="CUST01", symbol="ETH", amount="10"):
    await adapter.accept_terms(owner)
    result = await adapter.create_stake(
        CreateStake(owner, await _product(adapter, symbol), Decimal(amount))
    )
    return result.stake


async def _status(adapter, stake):
    return await adapter.get_stake(stake.owner, stake.provider_stake_id)


def _daily(amount, apy_percent):
    return (Decimal(amount) * Decimal(apy_percent) / 100 / 365).quantize(
        Decimal("1e-8"), rounding=ROUND_DOWN
    )


async def test_a_stake_moves_submitted_broadcasted_confirmed_staked(
    adapter, clock, http
):
    stake = await _staked(adapter, clock)
    seen = [(stake.provider_status, stake.status)]
    assert await balances(http, "CUST01", "ETH") == {
        "available": Decimal(54), "collateral": Decimal(10), "staked": Decimal(0)
    }  # fmt: skip
    for seconds in (MINUTE, 9 * MINUTE, DAY - 10 * MINUTE):
        await clock.advance(seconds)
        fresh = await _status(adapter, stake)
        seen.append((fresh.provider_status, fresh.status))
    assert seen == [
        ("submitted", StakeStatus.PENDING),
        ("broadcasted", StakeStatus.PENDING),
        ("confirmed", StakeStatus.PENDING),
        ("staked", StakeStatus.ACTIVE),
    ]
    assert fresh.activated_at == stake.created_at + timedelta(days=1)
    assert fresh.actions[0].status is ActionStatus.COMPLETED
    assert fresh.actions[0].transaction_hash.startswith("0x")
    assert await balances(http, "CUST01", "ETH") == {
        "available": Decimal(54), "collateral": Decimal(0), "staked": Decimal(10)
    }  # fmt: skip


async def test_sol_activates_sooner_than_eth(adapter, clock):
    stake = await _staked(adapter, clock, symbol="SOL", amount="100")
    await clock.advance(12 * 3600)
    assert (await _status(adapter, stake)).status is StakeStatus.ACTIVE


async def test_staked_amounts_earn_compounded_daily_rewards(adapter, clock):
    stake = await _staked(adapter, clock, amount="10")
    await clock.advance(DAY + 3 * DAY)
    first = _daily("10", "3.47")
    second = _daily(Decimal(10) + first, "3.47")
    third = _daily(Decimal(10) + first + second, "3.47")
    rewards = [
        r
        for r in await adapter.list_reward_history("CUST01")
        if r.provider_stake_id == stake.provider_stake_id
    ]
    assert sorted(r.amount for r in rewards) == sorted([first, second, third])
    assert all(
        r.usd_value == (r.amount * 3000).quantize(Decimal("0.01")) for r in rewards
    )
    fresh = await _status(adapter, stake)
    assert fresh.rewards_earned == first + second + third
    assert fresh.current_amount == Decimal(10) + first + second + third


async def test_a_full_unstake_unbonds_for_the_cooldown_then_withdraws(
    adapter, clock, http
):
    stake = await _staked(adapter, clock, amount="10")
    await clock.advance(DAY)
    stake = await _status(adapter, stake)
    result = await adapter.unstake(Unstake("CUST01", stake))
    assert result.action.kind is StakeActionKind.UNSTAKE
    assert (
        result.action.estimated_completion_at
        == result.action.created_at + timedelta(days=8)
    )
    assert result.stake.status is StakeStatus.UNBONDING
    assert result.stake.redeemable_at == result.action.estimated_completion_at
    await clock.advance(8 * DAY - 1)
    assert (await _status(adapter, stake)).status is StakeStatus.UNBONDING
    await clock.advance(1)
    done = await _status(adapter, stake)
    assert done.status is StakeStatus.WITHDRAWN
    assert done.provider_status == "unstaked"
    assert done.current_amount == 0
    assert done.closed_at == result.action.estimated_completion_at
    # Rewards earned while cooling down come back with the principal.
    assert (await balances(http, "CUST01", "ETH")) == {
        "available": Decimal(54) + Decimal(10) + done.rewards_earned,
        "collateral": Decimal(0),
        "staked": Decimal(0),
    }
    assert done.rewards_earned > _daily("10", "3.47") * 7


async def test_a_partial_unstake_leaves_the_rest_staked(adapter, clock):
    stake = await _staked(adapter, clock, amount="10")
    await clock.advance(DAY)
    stake = await _status(adapter, stake)
    await adapter.unstake(Unstake("CUST01", stake, amount=Decimal(4)))
    # The rule (providers.zerohash.unstakes): UNBONDING while its share is queued.
    assert (await _status(adapter, stake)).status is StakeStatus.UNBONDING
    await clock.advance(8 * DAY)
    fresh = await _status(adapter, stake)
    assert fresh.status is StakeStatus.ACTIVE
    assert fresh.current_amount == Decimal(6) + fresh.rewards_earned
    assert [a.status for a in fresh.actions] == [ActionStatus.COMPLETED] * 2


async def test_canceling_a_submitted_stake_returns_the_funds(adapter, clock, http):
    stake = await _staked(adapter, clock)
    result = await adapter.create_stake_action(
        CreateStakeAction("CUST01", stake, StakeActionKind.CANCEL)
    )
    assert result.stake.status is StakeStatus.CANCELED
    assert result.action.status is ActionStatus.CANCELED
    assert (await balances(http, "CUST01", "ETH"))["available"] == Decimal(64)
    await clock.advance(2 * DAY)
    assert (await _status(adapter, stake)).status is StakeStatus.CANCELED


async def test_a_broadcast_stake_can_no_longer_be_canceled(adapter, clock):
    stake = await _staked(adapter, clock)
    await clock.advance(MINUTE)
    with pytest.raises(ProviderRejected) as refused:
        await adapter.create_stake_action(
            CreateStakeAction("CUST01", stake, StakeActionKind.CANCEL)
        )
    assert refused.value.user_error_code is UserErrorCode.INVALID_INPUT


async def test_canceling_a_submitted_unstake_leaves_the_stake_earning(
    adapter, clock, http
):
    stake = await _staked(adapter, clock, amount="10")
    await clock.advance(DAY)
    stake = await _status(adapter, stake)
    await adapter.unstake(Unstake("CUST01", stake))
    result = await adapter.create_stake_action(
        CreateStakeAction("CUST01", stake, StakeActionKind.CANCEL)
    )
    assert result.action.kind is StakeActionKind.UNSTAKE
    assert result.action.status is ActionStatus.CANCELED
    assert result.stake.status is StakeStatus.ACTIVE
    assert (await balances(http, "CUST01", "ETH"))["staked"] == Decimal(10)


async def test_stakes_of_a_fail_participant_fail_and_refund(adapter, clock, http):
    stake = await _staked(adapter, clock, owner="FAIL01")
    await clock.advance(10 * MINUTE)
    failed = await _status(adapter, stake)
    assert failed.status is StakeStatus.FAILED
    assert failed.actions[0].failure_reason == "pool_capacity_exceeded"
    assert (await balances(http, "FAIL01", "ETH"))["available"] == Decimal(64)


async def test_unstaking_a_stake_not_yet_active_is_not_redeemable_yet(adapter, clock):
    stake = await _staked(adapter, clock)
    with pytest.raises(ProviderRejected) as refused:
        await adapter.unstake(Unstake("CUST01", stake, amount=Decimal(1)))
    assert refused.value.user_error_code is UserErrorCode.NOT_REDEEMABLE_YET


async def test_unstaking_more_than_is_staked_is_insufficient_balance(adapter, clock):
    stake = await _staked(adapter, clock)
    await clock.advance(DAY)
    with pytest.raises(ProviderRejected) as refused:
        await adapter.unstake(Unstake("CUST01", stake, amount=Decimal(11)))
    assert refused.value.user_error_code is UserErrorCode.INSUFFICIENT_BALANCE


async def test_the_state_advances_as_time_passes_without_advance_calls():
    elapsed = [0.0]
    clock = SimulatedClock(time_scale=60, start=START, monotonic=lambda: elapsed[0])
    sandbox = ZerohashSandbox(
        clock=clock, api_key=API_KEY, api_secret=API_SECRET, passphrase=PASSPHRASE
    )
    transport = httpx.ASGITransport(app=sandbox.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        adapter = ZerohashAdapter(http, sandbox.gateway_config(BASE_URL))
        stake = await _staked(adapter, clock)
        elapsed[0] = 2.0  # two real seconds: two simulated minutes
        assert (await _status(adapter, stake)).provider_status == "broadcasted"


async def test_unstakes_of_an_exitfail_participant_fail_and_restake(
    adapter, clock, http
):
    stake = await _staked(adapter, clock, owner="EXITFAIL1", amount="10")
    await clock.advance(DAY)
    stake = await _status(adapter, stake)
    await adapter.unstake(Unstake("EXITFAIL1", stake))
    await clock.advance(10 * MINUTE)
    fresh = await _status(adapter, stake)
    assert fresh.status is StakeStatus.ACTIVE
    assert fresh.actions[-1].status is ActionStatus.FAILED
    assert fresh.actions[-1].failure_reason == "exit_queue_full"
    assert (await balances(http, "EXITFAIL1", "ETH"))["staked"] == Decimal(10)
