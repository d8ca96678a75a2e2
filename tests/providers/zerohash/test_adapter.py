"""ZerohashAdapter against the sandbox: every StakingAdapter operation."""

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest

from gateway.domain.commands import CreateStake, CreateStakeAction
from gateway.domain.enums import (
    ActionStatus,
    Provider,
    StakeActionKind,
    StakeStatus,
    StakingMode,
    UserErrorCode,
)
from providers.base import ProviderRejected, ProviderUnavailable, StakingAdapter
from providers.zerohash import ZerohashAdapter
from tests.providers.zerohash.fakes import Script, adapter_for, mock_client, ok
from tests.providers.zerohash.helpers import BASE_URL, START, balances


async def _eth(adapter):
    return next(
        p for p in await adapter.list_products() if p.provider_product_id == "ETH"
    )


def test_the_adapter_implements_the_staking_port(adapter):
    assert isinstance(adapter, StakingAdapter)
    assert adapter.provider is Provider.ZEROHASH


async def test_products_are_one_variable_product_per_stakeable_asset(adapter):
    products = {p.provider_product_id: p for p in await adapter.list_products()}
    assert set(products) == {"ETH", "SOL"}
    eth = products["ETH"]
    assert eth.mode is StakingMode.VARIABLE
    assert eth.apy == Decimal("0.0347")
    assert eth.min_amount is None
    assert eth.unstaking_period_days == 8
    assert eth.payout_frequency == "daily"
    assert eth.activation_seconds == 86_400
    assert eth.protocol == "Ethereum"
    assert products["SOL"].unstaking_period_days == 3


async def test_the_demo_participant_has_a_staked_a_pending_and_an_unstaked_history(
    adapter,
):
    stakes = await adapter.list_stakes(["DEMO01", "DEMO01"])
    by_amount = {(s.asset.symbol, s.amount): s for s in stakes}
    assert set(by_amount) == {("ETH", 32), ("ETH", 2), ("SOL", 150)}
    assert by_amount[("ETH", 2)].status is StakeStatus.PENDING
    eth = by_amount[("ETH", 32)]
    assert eth.status is StakeStatus.ACTIVE
    assert eth.rewards_earned > 0
    assert eth.validator.provider == "Figment"
    sol = by_amount[("SOL", 150)]
    # The seeded unstake was not asked through this adapter: Zerohash lists no
    # unstakes, so only its effect on the stake shows (README, known limits).
    assert [(a.kind, a.status, a.amount) for a in sol.actions] == [
        (StakeActionKind.STAKE, ActionStatus.COMPLETED, Decimal(150)),
    ]
    assert sol.status is StakeStatus.ACTIVE
    assert sol.current_amount == Decimal(100) + sol.rewards_earned
    assert all(s.owner == "DEMO01" and s.data_as_of for s in stakes)


async def test_get_stake_finds_the_owners_stake_only(adapter):
    stake = (await adapter.list_stakes(["DEMO01"]))[0]
    found = await adapter.get_stake("DEMO01", stake.provider_stake_id)
    assert found.provider_stake_id == stake.provider_stake_id
    assert await adapter.get_stake("CUST01", stake.provider_stake_id) is None
    assert await adapter.get_stake("DEMO01", "no-such-stake") is None


async def test_rewards_are_daily_rows_with_usd_value_and_apy(adapter):
    rewards = await adapter.list_rewards(["DEMO01"])
    assert len(rewards) > 20
    assert len({r.provider_reward_id for r in rewards}) == len(rewards)
    reward = rewards[0]
    assert reward.cumulative is False
    assert reward.owner == "DEMO01"
    assert reward.usd_value > 0
    assert reward.apy in (Decimal("0.0347"), Decimal("0.0685"))
    assert reward.validator_id


async def test_reward_history_filters_by_asset_and_dates(adapter):
    sol = await adapter.list_reward_history("DEMO01", asset="SOL")
    assert sol and {r.asset.symbol for r in sol} == {"SOL"}
    since = (START - timedelta(days=3)).date()
    recent = await adapter.list_reward_history("DEMO01", since=since)
    assert recent and all(r.credited_at.date() > since for r in recent)
    assert len(recent) < len(await adapter.list_reward_history("DEMO01"))


async def test_create_stake_returns_the_pending_stake_and_its_stake_action(adapter):
    await adapter.accept_terms("CUST01")
    result = await adapter.create_stake(
        CreateStake("CUST01", await _eth(adapter), Decimal("1.25"), external_id="ext-1")
    )
    assert result.stake.status is StakeStatus.PENDING
    assert result.stake.amount == Decimal("1.25")
    assert result.action.kind is StakeActionKind.STAKE
    assert result.action.status is ActionStatus.PENDING
    assert result.action.external_id == "ext-1"
    assert result.stake.actions[0] == result.action


async def test_the_same_external_id_creates_one_stake_even_from_a_new_adapter(
    adapter, http, sandbox
):
    await adapter.accept_terms("CUST01")
    command = CreateStake("CUST01", await _eth(adapter), Decimal(2), external_id="once")
    first = await adapter.create_stake(command)
    restarted = ZerohashAdapter(http, sandbox.gateway_config(BASE_URL))
    second = await restarted.create_stake(command)
    assert first.stake.provider_stake_id == second.stake.provider_stake_id
    assert (await balances(http, "CUST01", "ETH"))["available"] == Decimal(62)


async def test_choosing_a_validator_is_refused(adapter):
    command = CreateStake("CUST01", await _eth(adapter), Decimal(1), validator="v-1")
    with pytest.raises(ProviderRejected) as refused:
        await adapter.create_stake(command)
    assert refused.value.user_error_code is UserErrorCode.INVALID_INPUT


async def test_a_product_of_another_provider_is_refused(adapter):
    other = dataclasses.replace(await _eth(adapter), provider=Provider.DFNS)
    with pytest.raises(ProviderRejected):
        await adapter.create_stake(CreateStake("CUST01", other, Decimal(1)))


@pytest.mark.parametrize(
    ("owner", "amount", "expected"),
    [
        ("CUST01", "1", [UserErrorCode.TERMS_NOT_ACCEPTED]),
        ("CUST01", "65", [UserErrorCode.TERMS_NOT_ACCEPTED, UserErrorCode.INSUFFICIENT_BALANCE]),
        ("PEND01", "1", [UserErrorCode.FORBIDDEN, UserErrorCode.TERMS_NOT_ACCEPTED]),
        ("RESTR1", "1", [UserErrorCode.FORBIDDEN, UserErrorCode.TERMS_NOT_ACCEPTED]),
        ("NJ0001", "1", [UserErrorCode.JURISDICTION_RESTRICTED, UserErrorCode.TERMS_NOT_ACCEPTED]),
        ("DEMO01", "1", []),
    ],
)  # fmt: skip
async def test_eligibility_lists_every_missing_prerequisite(
    adapter, owner, amount, expected
):
    errors = await adapter.check_eligibility(
        owner, await _eth(adapter), Decimal(amount)
    )
    assert [e.code for e in errors] == expected


async def test_eligibility_does_not_act(adapter, http):
    await adapter.check_eligibility("CUST02", await _eth(adapter), Decimal(1))
    assert (await balances(http, "CUST02", "ETH"))["available"] == Decimal(64)


async def test_accepting_terms_makes_a_new_participant_eligible(adapter):
    eth = await _eth(adapter)
    await adapter.accept_terms("CUST03")
    assert await adapter.check_eligibility("CUST03", eth, Decimal(1)) == []


async def test_creating_a_stake_without_terms_is_terms_not_accepted(adapter):
    with pytest.raises(ProviderRejected) as refused:
        await adapter.create_stake(
            CreateStake("CUST04", await _eth(adapter), Decimal(1))
        )
    assert refused.value.user_error_code is UserErrorCode.TERMS_NOT_ACCEPTED
    assert refused.value.provider_code == "TERMS_NOT_ACCEPTED"


@pytest.mark.parametrize(
    ("owner", "amount", "code"),
    [
        ("NJ0002", "1", UserErrorCode.JURISDICTION_RESTRICTED),
        ("PEND02", "1", UserErrorCode.FORBIDDEN),
        ("CUST05", "100", UserErrorCode.INSUFFICIENT_BALANCE),
        ("CUST05", "-1", UserErrorCode.INVALID_INPUT),
    ],
)
async def test_refused_stakes_map_to_user_error_codes(adapter, owner, amount, code):
    await adapter.accept_terms(owner)
    with pytest.raises(ProviderRejected) as refused:
        await adapter.create_stake(
            CreateStake(owner, await _eth(adapter), Decimal(amount))
        )
    assert refused.value.user_error_code is code


@pytest.mark.parametrize(
    "kind", [StakeActionKind.WITHDRAW, StakeActionKind.DEPOSIT, StakeActionKind.REDEEM]
)
async def test_actions_zerohash_has_not_are_unsupported(adapter, kind):
    stake = (await adapter.list_stakes(["DEMO01"]))[0]
    with pytest.raises(ProviderRejected) as refused:
        await adapter.create_stake_action(CreateStakeAction("DEMO01", stake, kind))
    assert refused.value.user_error_code is UserErrorCode.UNSUPPORTED_ACTION


async def test_an_unstake_action_unstakes(adapter):
    stake = next(
        s
        for s in await adapter.list_stakes(["DEMO01"])
        if s.status is StakeStatus.ACTIVE
    )
    result = await adapter.create_stake_action(
        CreateStakeAction(
            "DEMO01", stake, StakeActionKind.UNSTAKE, Decimal(1), external_id="u-1"
        )
    )
    assert result.action.kind is StakeActionKind.UNSTAKE
    assert result.action.amount == Decimal(1)
    assert result.action.external_id == "u-1"
    assert (
        result.stake.actions[-1].provider_action_id == result.action.provider_action_id
    )


async def test_canceling_another_participants_stake_is_not_found(adapter):
    stake = (await adapter.list_stakes(["DEMO01"]))[0]
    with pytest.raises(ProviderRejected) as refused:
        await adapter.create_stake_action(
            CreateStakeAction("CUST01", stake, StakeActionKind.CANCEL)
        )
    assert refused.value.user_error_code is UserErrorCode.NOT_FOUND


async def test_health_check_passes_and_fails_with_the_provider(adapter, sandbox):
    await adapter.health_check()
    sandbox.faults.update(latency_ms=0, error_rate=0, down=True)
    with pytest.raises(ProviderUnavailable):
        await adapter.health_check()


async def test_health_check_is_an_unsigned_get_of_time():
    script = Script(ok({"epoch": 1.0, "iso": "1970-01-01T00:00:01Z"}))
    async with mock_client(script) as client:
        await adapter_for(client).health_check()
    request = script.requests[0]
    assert (request.method, request.url.path) == ("GET", "/time")
    assert "X-SCX-SIGNED" not in request.headers
