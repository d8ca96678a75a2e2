"""Pure functions: Dfns allocation models → the common model. No I/O."""

from gateway.domain.enums import AllocationActionKind, Provider
from gateway.domain.models import Allocation, AllocationAction, Asset, AssetAmount
from providers.dfns.allocation_models import (
    DfnsAllocation,
    DfnsAllocationAction,
    DfnsAssetAmount,
    DfnsSwapAsset,
)
from providers.dfns.catalog import token_by_contract
from providers.dfns.mapping import action_status_of
from providers.dfns.units import whole_amount

ALLOCATION_KINDS: dict[str, AllocationActionKind] = {
    "Deposit": AllocationActionKind.DEPOSIT,
    "Withdraw": AllocationActionKind.WITHDRAW,
}


def to_asset_amount(value: DfnsAssetAmount, what: str) -> AssetAmount:
    asset = Asset(
        symbol=value.symbol or value.name or value.kind,
        network=value.network,
        decimals=value.decimals,
        contract=value.contract or value.mint,
    )
    return AssetAmount(
        asset=asset,
        amount=whole_amount(value.amount, value.decimals, what),
        raw=value.amount,
    )


def _swap_amount(
    swap: DfnsSwapAsset | None, position: DfnsAssetAmount, what: str
) -> AssetAmount | None:
    """A 0fns leg in whole units: its decimals come from the position's own metadata
    when it is the position's token, else from the known tokens; otherwise unknown."""
    if swap is None:
        return None
    if position.contract and position.contract.lower() == swap.contract.lower():
        asset = Asset(
            position.symbol or swap.kind,
            position.network,
            position.decimals,
            swap.contract,
        )
    else:
        token = token_by_contract(swap.contract)
        if token is None:
            return None
        asset = Asset(token.symbol, token.network, token.decimals, swap.contract)
    assert asset.decimals is not None
    return AssetAmount(
        asset=asset,
        amount=whole_amount(swap.amount, asset.decimals, what),
        raw=swap.amount,
    )


def to_allocation_action(
    action: DfnsAllocationAction, allocation: DfnsAllocation
) -> AllocationAction:
    # A vault's `amount` is in the underlying token, the asset the position is held in.
    amount = None
    if action.amount is not None:
        amount = whole_amount(
            action.amount, allocation.amount.decimals, "action amount"
        )
    return AllocationAction(
        provider=Provider.DFNS,
        provider_action_id=action.id,
        provider_allocation_id=action.allocation_id,
        owner=allocation.wallet_id,
        kind=ALLOCATION_KINDS[action.kind],
        status=action_status_of(action.status),
        provider_status=action.status,
        created_at=action.date_created,
        source_asset=_swap_amount(
            action.source_asset, allocation.amount, "sourceAsset"
        ),
        target_asset=_swap_amount(
            action.target_asset, allocation.amount, "targetAsset"
        ),
        slippage_bps=action.slippage_bps,
        amount=amount,
        failure_reason=action.failure_reason,
        external_id=action.external_id,
    )


def to_allocation(allocation: DfnsAllocation) -> Allocation:
    return Allocation(
        provider=Provider.DFNS,
        provider_allocation_id=allocation.id,
        wallet_id=allocation.wallet_id,
        protocol=allocation.protocol,
        amount=to_asset_amount(allocation.amount, "allocation amount"),
        rewards=to_asset_amount(allocation.rewards, "allocation rewards"),
        created_at=allocation.date_created,
        actions=tuple(
            to_allocation_action(a, allocation) for a in allocation.actions or ()
        ),
    )
