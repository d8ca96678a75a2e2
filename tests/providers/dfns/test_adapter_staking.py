"""DfnsAdapter against the sandbox: the staking half of the StakingAdapter port."""

from decimal import Decimal

import pytest

from gateway.domain.commands import CreateStake, CreateStakeAction, Unstake
from gateway.domain.enums import (
    ActionStatus,
    Provider,
    StakeActionKind,
    StakeStatus,
    StakingMode,
    UserErrorCode,
)
from gateway.domain.models import Asset, StakingProduct
from providers.base import (
    AllocationAdapter,
    ProviderRejected,
    ProviderUnavailable,
    StakingAdapter,
)
from providers.dfns import DfnsAdapter

OWNER = "wa-owner-00000-00000000000000"
IOTA_VALIDATOR = "0x" + "cd" * 32
XDC_CANDIDATE = "xdc" + "34" * 20


async def product(adapter: DfnsAdapter, protocol: str) -> StakingProduct:
    return next(p for p in await adapter.list_products() if p.protocol == protocol)


async def stake(
    adapter, protocol="Ethereum", amount="1.5", validator=None, external_id=None
):
    result = await adapter.create_stake(
        CreateStake(
            owner=OWNER,
            product=await product(adapter, protocol),
            amount=Decimal(amount),
            validator=validator,
            external_id=external_id,
        )
    )
    assert result.stake is not None and result.action is not None
    return result


async def rejected_code(call) -> UserErrorCode:
    with pytest.raises(ProviderRejected) as info:
        await call
    return info.value.user_error_code


def test_the_adapter_implements_both_ports(adapter):
    assert isinstance(adapter, StakingAdapter)
    assert isinstance(adapter, AllocationAdapter)
    assert adapter.provider is Provider.DFNS


async def test_products_are_one_per_protocol_with_validator_and_minimum_facts(adapter):
    products = {p.provider_product_id: p for p in await adapter.list_products()}
    assert set(products) == {"Ethereum:Figment", "Iota", "Babylon:Figment", "Xdc"}
    assert products["Xdc"].min_amount == Decimal(10_000_000)
    assert products["Xdc"].requires_validator and products["Iota"].requires_validator
    assert not products["Ethereum:Figment"].requires_validator
    assert products["Babylon:Figment"].asset.symbol == "BTC"
    assert products["Babylon:Figment"].unstaking_period_days == 7


async def test_create_stake_converts_whole_units_to_wei_exactly(adapter, raw):
    result = await stake(adapter, amount="1.000000000000000001", external_id="exact")
    assert result.stake.amount == Decimal("1.000000000000000001")
    assert result.stake.status is StakeStatus.PENDING
    assert result.action.kind is StakeActionKind.STAKE
    assert result.action.status is ActionStatus.IN_PROGRESS
    assert result.action.external_id == "exact"
    wire = (await raw.get(f"/staking/stakes/{result.stake.provider_stake_id}")).json()
    assert wire["requestBody"]["amount"] == "1000000000000000001"


async def test_more_decimals_than_the_asset_has_is_invalid_input(adapter):
    call = stake(adapter, "Iota", amount="0.0000000001", validator=IOTA_VALIDATOR)
    assert await rejected_code(call) is UserErrorCode.INVALID_INPUT


async def test_babylon_is_listed_closed_and_a_babylon_stake_is_refused_unsent(
    adapter, http
):
    babylon = await product(adapter, "Babylon")
    assert not babylon.is_open
    assert "dropped Babylon" in (babylon.closed_reason or "")
    others = [p for p in await adapter.list_products() if p.protocol != "Babylon"]
    assert others and all(p.is_open for p in others)
    sent: list[str] = []
    http.event_hooks["request"].append(lambda r: sent.append(r.url.path))
    with pytest.raises(ProviderRejected) as info:
        await stake(adapter, "Babylon", amount="0.5")
    assert info.value.user_error_code is UserErrorCode.UNSUPPORTED_ACTION
    assert "dropped Babylon" in info.value.message
    assert sent == []
    (error,) = await adapter.check_eligibility(OWNER, babylon, Decimal("0.5"))
    assert error.code is UserErrorCode.UNSUPPORTED_ACTION


async def test_a_babylon_stake_still_reads_but_takes_no_action(adapter, sandbox):
    stakes = await adapter.list_stakes(sandbox.demo_owners)
    (babylon,) = [s for s in stakes if s.protocol == "Babylon"]
    assert babylon.asset.symbol == "BTC" and babylon.amount == Decimal("0.5")
    assert babylon.available_actions == ()
    for call in (
        adapter.unstake(Unstake(babylon.owner, babylon)),
        adapter.create_stake_action(
            CreateStakeAction(babylon.owner, babylon, StakeActionKind.WITHDRAW)
        ),
    ):
        assert await rejected_code(call) is UserErrorCode.UNSUPPORTED_ACTION


async def test_an_xdc_stake_below_the_minimum_is_refused_as_below_minimum(adapter):
    call = stake(adapter, "Xdc", amount="9999999", validator=XDC_CANDIDATE)
    assert await rejected_code(call) is UserErrorCode.BELOW_MINIMUM_STAKE


async def test_iota_needs_a_validator_and_ethereum_takes_none(adapter):
    assert (
        await rejected_code(stake(adapter, "Iota", amount="5"))
        is UserErrorCode.INVALID_INPUT
    )
    call = stake(adapter, amount="1", validator=IOTA_VALIDATOR)
    assert await rejected_code(call) is UserErrorCode.INVALID_INPUT


async def test_a_stake_beyond_the_balance_is_insufficient_balance(adapter):
    assert (
        await rejected_code(stake(adapter, amount="5000"))
        is UserErrorCode.INSUFFICIENT_BALANCE
    )


async def test_a_malformed_validator_is_invalid_input_from_the_provider(adapter):
    call = stake(adapter, "Iota", amount="5", validator="not-an-address")
    assert await rejected_code(call) is UserErrorCode.INVALID_INPUT


async def test_replaying_a_create_with_its_external_id_returns_the_same_stake(adapter):
    first = await stake(adapter, external_id="again")
    second = await stake(adapter, external_id="again")
    assert second.stake.provider_stake_id == first.stake.provider_stake_id
    assert second.action.provider_action_id == first.action.provider_action_id


async def test_reusing_an_external_id_for_another_stake_is_an_idempotency_conflict(
    adapter,
):
    first = await stake(adapter, external_id="taken")
    with pytest.raises(ProviderRejected) as info:
        await stake(adapter, amount="2", external_id="taken")
    assert info.value.user_error_code is UserErrorCode.IDEMPOTENCY_CONFLICT
    assert info.value.existing_id == first.stake.provider_stake_id


async def test_a_stake_progresses_to_active_with_the_clock_and_earns(adapter, clock):
    created = await stake(adapter, amount="32")
    stake_id = created.stake.provider_stake_id
    await clock.advance(6 * 3600)
    active = await adapter.get_stake(OWNER, stake_id)
    assert active.status is StakeStatus.ACTIVE and active.provider_status == "Active"
    assert active.actions[0].status is ActionStatus.COMPLETED
    assert active.actions[0].transaction_hash
    assert active.validator.provider == "Figment" and active.validator.id.startswith(
        "0x"
    )
    assert active.available_actions == (
        StakeActionKind.UNSTAKE,
        StakeActionKind.WITHDRAW,
    )
    await clock.advance(365 * 24 * 3600)
    earning = await adapter.get_stake(OWNER, stake_id)
    assert earning.rewards_earned == Decimal("1.024")  # 3.2% of 32 ETH


async def test_unstaking_ethereum_withdraws_the_whole_stake(adapter, clock):
    created = await stake(adapter, amount="2")
    await clock.advance(6 * 3600)
    current = await adapter.get_stake(OWNER, created.stake.provider_stake_id)
    partial = adapter.unstake(Unstake(owner=OWNER, stake=current, amount=Decimal(1)))
    assert await rejected_code(partial) is UserErrorCode.INVALID_INPUT
    result = await adapter.unstake(Unstake(owner=OWNER, stake=current))
    assert result.action.kind is StakeActionKind.WITHDRAW
    assert result.stake.status is StakeStatus.WITHDRAWING
    assert result.stake.available_actions == ()
    await clock.advance(2 * 24 * 3600)
    done = await adapter.get_stake(OWNER, current.provider_stake_id)
    assert done.status is StakeStatus.WITHDRAWN and done.current_amount == 0


async def test_unstaking_xdc_unbonds_then_withdraws(adapter, clock):
    created = await stake(adapter, "Xdc", amount="10000000", validator=XDC_CANDIDATE)
    stake_id = created.stake.provider_stake_id
    assert created.stake.validator.id == XDC_CANDIDATE
    pending = adapter.unstake(Unstake(owner=OWNER, stake=created.stake))
    assert await rejected_code(pending) is UserErrorCode.NOT_REDEEMABLE_YET
    await clock.advance(3600)
    first = await adapter.unstake(Unstake(owner=OWNER, stake=created.stake))
    assert first.action.kind is StakeActionKind.UNSTAKE
    assert first.stake.status is StakeStatus.UNBONDING
    early = adapter.create_stake_action(
        CreateStakeAction(owner=OWNER, stake=first.stake, kind=StakeActionKind.WITHDRAW)
    )
    assert await rejected_code(early) is UserErrorCode.NOT_REDEEMABLE_YET
    await clock.advance(2 * 24 * 3600)
    withdrawable = await adapter.get_stake(OWNER, stake_id)
    assert withdrawable.status is StakeStatus.WITHDRAWABLE
    second = await adapter.unstake(Unstake(owner=OWNER, stake=withdrawable))
    assert second.action.kind is StakeActionKind.WITHDRAW
    assert second.stake.status is StakeStatus.WITHDRAWING


async def test_iota_withdraws_part_and_takes_a_deposit(adapter, clock):
    created = await stake(adapter, "Iota", amount="1000", validator=IOTA_VALIDATOR)
    await clock.advance(24 * 3600)
    current = await adapter.get_stake(OWNER, created.stake.provider_stake_id)
    assert StakeActionKind.DEPOSIT in current.available_actions
    part = await adapter.unstake(
        Unstake(owner=OWNER, stake=current, amount=Decimal("250.5"))
    )
    assert part.action.amount == Decimal("250.5")
    assert part.stake.current_amount == Decimal("749.5")
    assert part.stake.amount == Decimal(1000)
    await clock.advance(24 * 3600)
    deposit = await adapter.create_stake_action(
        CreateStakeAction(
            owner=OWNER,
            stake=current,
            kind=StakeActionKind.DEPOSIT,
            amount=Decimal("0.5"),
            external_id="dep-1",
        )
    )
    assert deposit.action.kind is StakeActionKind.DEPOSIT
    assert deposit.action.external_id == "dep-1"
    await clock.advance(24 * 3600)
    after = await adapter.get_stake(OWNER, current.provider_stake_id)
    assert after.current_amount == Decimal(750)


async def test_replaying_a_stake_action_by_external_id_returns_the_same_action(
    adapter, clock
):
    created = await stake(adapter, amount="1")
    await clock.advance(6 * 3600)
    command = CreateStakeAction(
        owner=OWNER,
        stake=created.stake,
        kind=StakeActionKind.WITHDRAW,
        external_id="w-1",
    )
    first = await adapter.create_stake_action(command)
    again = await adapter.create_stake_action(command)
    assert again.action.provider_action_id == first.action.provider_action_id


@pytest.mark.parametrize(
    "kind", [StakeActionKind.STAKE, StakeActionKind.REDEEM, StakeActionKind.CANCEL]
)
async def test_action_kinds_dfns_lacks_are_unsupported(adapter, kind):
    created = await stake(adapter)
    call = adapter.create_stake_action(
        CreateStakeAction(owner=OWNER, stake=created.stake, kind=kind)
    )
    assert await rejected_code(call) is UserErrorCode.UNSUPPORTED_ACTION


async def test_a_deposit_on_ethereum_is_unsupported(adapter, clock):
    created = await stake(adapter)
    await clock.advance(6 * 3600)
    command = CreateStakeAction(
        owner=OWNER,
        stake=created.stake,
        kind=StakeActionKind.DEPOSIT,
        amount=Decimal(1),
    )
    assert (
        await rejected_code(adapter.create_stake_action(command))
        is UserErrorCode.UNSUPPORTED_ACTION
    )


async def test_another_wallets_stake_is_not_found(adapter):
    created = await stake(adapter)
    stake_id = created.stake.provider_stake_id
    assert await adapter.get_stake("wa-other-00000-00000000000000", stake_id) is None
    assert await adapter.get_stake(OWNER, "stk-aaaaa-bbbbb-cccccccccccccccc") is None
    assert await adapter.get_stake(OWNER, "../auth/action") is None
    call = adapter.unstake(
        Unstake(owner="wa-other-00000-00000000000000", stake=created.stake)
    )
    assert await rejected_code(call) is UserErrorCode.NOT_FOUND


async def test_lists_hold_only_the_given_wallets(adapter, sandbox):
    await stake(adapter)
    mine = await adapter.list_stakes([OWNER])
    assert len(mine) == 1 and mine[0].owner == OWNER
    demo = await adapter.list_stakes(sandbox.demo_owners)
    assert {s.owner for s in demo} == set(sandbox.demo_owners)
    assert {s.status for s in demo} >= {
        StakeStatus.PENDING,
        StakeStatus.ACTIVE,
        StakeStatus.UNBONDING,
        StakeStatus.WITHDRAWABLE,
        StakeStatus.WITHDRAWN,
        StakeStatus.FAILED,
    }
    assert await adapter.list_stakes([]) == []


async def test_rewards_are_one_cumulative_reward_per_earning_stake(adapter, sandbox):
    rewards = await adapter.list_rewards(sandbox.demo_owners)
    assert rewards and all(r.cumulative and r.amount > 0 for r in rewards)
    stakes = {
        s.provider_stake_id: s for s in await adapter.list_stakes(sandbox.demo_owners)
    }
    for reward in rewards:
        assert reward.asset == stakes[reward.provider_stake_id].asset
        assert reward.amount == stakes[reward.provider_stake_id].rewards_earned
    assert len({r.provider_stake_id for r in rewards}) == len(rewards)


async def test_accepting_terms_is_unsupported(adapter):
    assert (
        await rejected_code(adapter.accept_terms(OWNER))
        is UserErrorCode.UNSUPPORTED_ACTION
    )


async def test_eligibility_checks_wallet_product_decimals_and_minimum(adapter):
    xdc = await product(adapter, "Xdc")
    assert await adapter.check_eligibility(OWNER, xdc, Decimal(10_000_000)) == []
    [below] = await adapter.check_eligibility(OWNER, xdc, Decimal(5))
    assert below.code is UserErrorCode.BELOW_MINIMUM_STAKE
    iota = await product(adapter, "Iota")
    [precise] = await adapter.check_eligibility(OWNER, iota, Decimal("0.0000000001"))
    assert precise.code is UserErrorCode.INVALID_INPUT
    [wallet] = await adapter.check_eligibility("alice", iota, Decimal(1))
    assert wallet.field == ("owner",)
    foreign = StakingProduct(
        provider=Provider.CROCANTE,
        provider_product_id="ADA_FLEX",
        asset=Asset("ADA"),
        mode=StakingMode.VARIABLE,
    )
    [unknown] = await adapter.check_eligibility(OWNER, foreign, Decimal(1))
    assert unknown.field == ("product",)


async def test_health_check_passes_against_the_sandbox(adapter, http):
    answers = []

    async def record(response):
        answers.append(response.status_code)

    http.event_hooks["response"] = [record]
    await adapter.health_check()
    assert answers and all(200 <= status < 300 for status in answers)


async def test_a_sandbox_that_is_down_makes_the_adapter_unavailable(adapter, sandbox):
    sandbox.faults.update(latency_ms=0, error_rate=0.0, down=True)
    with pytest.raises(ProviderUnavailable):
        await adapter.health_check()
    with pytest.raises(ProviderUnavailable):
        await adapter.list_stakes(sandbox.demo_owners)


async def test_a_stake_with_no_rewards_yet_reads_as_zero_and_the_page_holds(
    adapter, sandbox, raw
):
    # The demo's newest Iota stake is in its first epoch: its rewards answer is empty.
    stakes = await adapter.list_stakes(sandbox.demo_owners)
    fresh = [
        s
        for s in stakes
        if s.protocol == "Iota" and s.status is StakeStatus.ACTIVE and not s.rewards
    ]
    (stake,) = fresh
    answer = await raw.get(f"/staking/stakes/{stake.provider_stake_id}/rewards")
    assert answer.status_code == 200 and answer.content == b""
    assert stake.rewards_earned == 0
    assert len(stakes) > 1  # the rest of the page is read as usual
    assert any(s.rewards_earned for s in stakes)
    earning = await adapter.list_rewards(sandbox.demo_owners)
    assert stake.provider_stake_id not in {r.provider_stake_id for r in earning}
