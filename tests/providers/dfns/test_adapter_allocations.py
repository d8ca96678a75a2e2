"""DfnsAdapter against the sandbox: the AllocationAdapter port."""

from decimal import Decimal

import pytest

from gateway.domain.commands import (
    AssetAmountSpec,
    CreateAllocation,
    CreateAllocationAction,
)
from gateway.domain.enums import ActionStatus, AllocationActionKind, UserErrorCode
from providers.base import ProviderRejected

OWNER = "wa-yield-00000-00000000000000"
USDC = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
OFNS = "0x0A7660979A67E4bC51E750C628C8479ff9F458aE"


def ofns(amount="1000", target="999", bps=50, external_id=None) -> CreateAllocation:
    return CreateAllocation(
        owner=OWNER,
        protocol="0fns",
        source_asset=AssetAmountSpec("Erc20", Decimal(amount), USDC),
        target_asset=AssetAmountSpec("Erc20", Decimal(target), OFNS),
        slippage_bps=bps,
        external_id=external_id,
    )


def vault(
    amount="2500.25", protocol="SteakhouseUsdt", external_id=None
) -> CreateAllocation:
    return CreateAllocation(
        owner=OWNER, protocol=protocol, amount=Decimal(amount), external_id=external_id
    )


async def code_of(call) -> UserErrorCode:
    with pytest.raises(ProviderRejected) as info:
        await call
    return info.value.user_error_code


async def test_a_0fns_allocation_trades_usdc_for_0fns(adapter, clock):
    result = await adapter.create_allocation(ofns(external_id="o-1"))
    action = result.action
    assert action.kind is AllocationActionKind.DEPOSIT
    assert action.status is ActionStatus.IN_PROGRESS
    assert action.source_asset.amount == Decimal(1000)
    assert action.source_asset.asset.symbol == "USDC"
    assert (
        action.target_asset.amount == Decimal(999)
        and action.target_asset.raw == "999000000"
    )
    assert action.slippage_bps == 50 and action.external_id == "o-1"
    await clock.advance(120)
    settled = await adapter.get_allocation(
        OWNER, result.allocation.provider_allocation_id
    )
    assert settled.amount.amount == Decimal("999.9")  # 1 bp swap fee
    assert settled.amount.asset.symbol == "0fns" and settled.amount.asset.decimals == 6
    assert settled.actions[0].status is ActionStatus.COMPLETED


async def test_a_vault_allocation_takes_an_amount_and_earns(adapter, clock):
    result = await adapter.create_allocation(vault())
    assert result.action.amount == Decimal("2500.25")
    assert result.allocation.protocol == "SteakhouseUsdt"
    await clock.advance(120 + 365 * 24 * 3600)
    grown = await adapter.get_allocation(
        OWNER, result.allocation.provider_allocation_id
    )
    assert grown.amount.amount == Decimal("2500.25")
    assert grown.rewards.amount == Decimal("137.51375")  # 5.5% a year


async def test_allocation_actions_deposit_and_withdraw(adapter, clock):
    created = await adapter.create_allocation(vault("100"))
    await clock.advance(120)
    withdraw = await adapter.create_allocation_action(
        CreateAllocationAction(
            owner=OWNER,
            allocation=created.allocation,
            kind=AllocationActionKind.WITHDRAW,
            amount=Decimal(40),
            external_id="w-1",
        )
    )
    assert withdraw.action.kind is AllocationActionKind.WITHDRAW
    assert withdraw.action.external_id == "w-1"
    assert withdraw.allocation.amount.amount == Decimal(60)
    deposit = await adapter.create_allocation_action(
        CreateAllocationAction(
            owner=OWNER,
            allocation=created.allocation,
            kind=AllocationActionKind.DEPOSIT,
            amount=Decimal(5),
        )
    )
    assert deposit.action.kind is AllocationActionKind.DEPOSIT
    assert deposit.action.amount == Decimal(5)


async def test_withdrawing_more_than_the_position_is_insufficient_balance(
    adapter, clock
):
    created = await adapter.create_allocation(vault("10"))
    await clock.advance(120)
    command = CreateAllocationAction(
        owner=OWNER,
        allocation=created.allocation,
        kind=AllocationActionKind.WITHDRAW,
        amount=Decimal(11),
    )
    assert await code_of(adapter.create_allocation_action(command)) is (
        UserErrorCode.INSUFFICIENT_BALANCE
    )


@pytest.mark.parametrize(
    "command",
    [
        ofns(bps=10_001),
        ofns(bps=-1),
        ofns(amount="0.0000001"),
        ofns(amount="0"),
        CreateAllocation(owner=OWNER, protocol="0fns", amount=Decimal(1)),
        vault(protocol="Compound"),
        CreateAllocation(owner=OWNER, protocol="SteakhouseUsdt"),
        CreateAllocation(
            owner=OWNER,
            protocol="0fns",
            source_asset=AssetAmountSpec("Erc20", Decimal(1), "0x" + "00" * 20),
            target_asset=AssetAmountSpec("Erc20", Decimal(1), OFNS),
            slippage_bps=1,
        ),
        CreateAllocation(owner="bob", protocol="SteakhouseUsdt", amount=Decimal(1)),
    ],
)
async def test_allocations_the_adapter_can_tell_are_wrong_are_invalid_input(
    adapter, command
):
    assert (
        await code_of(adapter.create_allocation(command)) is UserErrorCode.INVALID_INPUT
    )


async def test_0fns_legs_in_the_wrong_direction_are_refused_by_the_provider(adapter):
    reversed_legs = CreateAllocation(
        owner=OWNER,
        protocol="0fns",
        source_asset=AssetAmountSpec("Erc20", Decimal(1), OFNS),
        target_asset=AssetAmountSpec("Erc20", Decimal(1), USDC),
        slippage_bps=1,
    )
    assert (
        await code_of(adapter.create_allocation(reversed_legs))
        is UserErrorCode.INVALID_INPUT
    )


async def test_replay_returns_the_allocation_and_a_changed_replay_conflicts(adapter):
    first = await adapter.create_allocation(vault(external_id="v-1"))
    again = await adapter.create_allocation(vault(external_id="v-1"))
    assert (
        again.allocation.provider_allocation_id
        == first.allocation.provider_allocation_id
    )
    assert again.action.provider_action_id == first.action.provider_action_id
    with pytest.raises(ProviderRejected) as info:
        await adapter.create_allocation(vault("1", external_id="v-1"))
    assert info.value.user_error_code is UserErrorCode.IDEMPOTENCY_CONFLICT
    assert info.value.existing_id == first.allocation.provider_allocation_id


async def test_lists_and_gets_are_scoped_to_the_wallet(adapter, sandbox):
    created = await adapter.create_allocation(vault())
    allocation_id = created.allocation.provider_allocation_id
    assert [
        a.provider_allocation_id for a in await adapter.list_allocations([OWNER])
    ] == [allocation_id]
    assert (
        await adapter.get_allocation("wa-other-00000-00000000000000", allocation_id)
        is None
    )
    assert (
        await adapter.get_allocation(OWNER, "allctn-aaaaa-bbbbb-cccccccccccccccc")
        is None
    )
    demo = await adapter.list_allocations(sandbox.demo_owners)
    assert {a.protocol for a in demo} >= {"0fns", "SteakhouseUsdt"}
    assert all(a.rewards.amount > 0 for a in demo)


async def test_an_action_on_another_wallets_allocation_is_not_found(adapter):
    created = await adapter.create_allocation(vault())
    command = CreateAllocationAction(
        owner="wa-other-00000-00000000000000",
        allocation=created.allocation,
        kind=AllocationActionKind.DEPOSIT,
        amount=Decimal(1),
    )
    assert (
        await code_of(adapter.create_allocation_action(command))
        is UserErrorCode.NOT_FOUND
    )
