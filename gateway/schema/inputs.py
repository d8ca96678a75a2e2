"""The contract's input types."""

from datetime import datetime
from decimal import Decimal

import strawberry

from gateway.schema.enums import (
    AllocationActionKind,
    Provider,
    StakeActionKind,
    StakeStatus,
)

_EXTERNAL_ID = (
    "Optional idempotency key chosen by the caller: repeating the "
    "same key with the same input runs it once and returns the same "
    "result."
)
_SLIPPAGE = (
    "Swap slippage tolerance in basis points (1 bp = 0.01 %), 0 to "
    "10,000; 0fns swaps only."
)
_GIVE = "For 0fns: what to give; omit for vault protocols."
_RECEIVE = "For 0fns: what to receive; omit for vault protocols."


@strawberry.input(
    description=(
        "Narrows `stakes`; each list matches any of its values, and the "
        "filters combine with AND."
    )
)
class StakeFilter:
    provider: list[Provider] | None = strawberry.field(
        default=None, description="Only these providers."
    )
    asset: list[str] | None = strawberry.field(
        default=None, description='Only these asset symbols, e.g. ["ETH"].'
    )
    status: list[StakeStatus] | None = strawberry.field(
        default=None, description="Only stakes in these common statuses."
    )


@strawberry.input(description="Narrows `rewards`; the filters combine with AND.")
class RewardFilter:
    provider: list[Provider] | None = strawberry.field(
        default=None, description="Only these providers."
    )
    stake_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only rewards of this stake (global id)."
    )
    asset: str | None = strawberry.field(
        default=None, description="Only this asset symbol, e.g. ETH."
    )
    from_: datetime | None = strawberry.field(
        name="from",
        default=None,
        description="Only rewards credited at or after this instant (UTC, ISO 8601).",
    )
    to: datetime | None = strawberry.field(
        default=None,
        description="Only rewards credited before this instant (UTC, ISO 8601).",
    )


@strawberry.input(
    description="A new stake in one StakingProduct; try it first with previewStake."
)
class CreateStakeInput:
    product_id: strawberry.ID = strawberry.field(
        description="A StakingProduct id: it names the provider, the asset and the terms."
    )
    amount: Decimal = strawberry.field(description="In whole units of the asset.")
    wallet_id: str | None = strawberry.field(
        default=None,
        description="Which of the caller's wallets or accounts, where it has several.",
    )
    validator: str | None = strawberry.field(
        default=None,
        description="Validator or candidate, where the protocol asks for one.",
    )
    external_id: str | None = strawberry.field(
        default=None, description="Idempotency key: the same key and input run once."
    )


@strawberry.input(
    description="Unstakes (Dfns, Zerohash) or redeems (Crocante) a stake."
)
class UnstakeInput:
    stake_id: strawberry.ID = strawberry.field(description="The stake's global id.")
    amount: Decimal | None = strawberry.field(
        default=None, description="Omit for the whole position."
    )
    external_id: str | None = strawberry.field(
        default=None,
        description=_EXTERNAL_ID,
    )


@strawberry.input(
    description=(
        "A change on an existing stake; check `Stake.availableActions` "
        "for the kinds allowed now."
    )
)
class CreateStakeActionInput:
    stake_id: strawberry.ID = strawberry.field(description="The stake's global id.")
    kind: StakeActionKind = strawberry.field(
        description="What to do; it must be one of the stake's `availableActions`."
    )
    amount: Decimal | None = strawberry.field(
        default=None,
        description=(
            "For a partial UNSTAKE, WITHDRAW or DEPOSIT where the protocol "
            "allows it, in whole units of the asset, as an exact decimal "
            'string ("1.5" ETH, not wei). Omit for the whole position.'
        ),
    )
    external_id: str | None = strawberry.field(
        default=None,
        description=_EXTERNAL_ID,
    )


@strawberry.input(
    description="An amount of one asset for a Dfns allocation (0fns swap legs)."
)
class AssetAmountInput:
    kind: str = strawberry.field(
        description="Native, Erc20 or Spl, as Dfns names them."
    )
    contract: str | None = strawberry.field(
        default=None,
        description="Token contract address (Erc20) or mint (Spl); omit for Native.",
    )
    amount: Decimal = strawberry.field(description="In whole units of the asset.")


@strawberry.input(
    description=(
        "Opens a Dfns allocation: give source/target assets and "
        "slippage for 0fns, or `amount` for a vault protocol."
    )
)
class CreateAllocationInput:
    protocol: str = strawberry.field(
        description="The Dfns yield protocol, e.g. 0fns or GauntletUsdcPrime."
    )
    wallet_id: str | None = strawberry.field(
        default=None,
        description=(
            "The caller's Dfns wallet; required only when the caller has several."
        ),
    )
    source_asset: AssetAmountInput | None = strawberry.field(
        default=None, description=_GIVE
    )
    target_asset: AssetAmountInput | None = strawberry.field(
        default=None, description=_RECEIVE
    )
    slippage_bps: int | None = strawberry.field(
        default=None,
        description=_SLIPPAGE,
    )
    amount: Decimal | None = strawberry.field(
        default=None, description="For vault protocols: the deposit in whole units."
    )
    external_id: str | None = strawberry.field(
        default=None,
        description=_EXTERNAL_ID,
    )


@strawberry.input(
    description="A deposit into or withdrawal from an existing Dfns allocation."
)
class CreateAllocationActionInput:
    allocation_id: strawberry.ID = strawberry.field(
        description="The allocation's global id."
    )
    kind: AllocationActionKind = strawberry.field(description="DEPOSIT or WITHDRAW.")
    source_asset: AssetAmountInput | None = strawberry.field(
        default=None, description=_GIVE
    )
    target_asset: AssetAmountInput | None = strawberry.field(
        default=None, description=_RECEIVE
    )
    slippage_bps: int | None = strawberry.field(
        default=None,
        description=_SLIPPAGE,
    )
    amount: Decimal | None = strawberry.field(
        default=None,
        description=(
            "For vault protocols: the amount to move, in whole units of the "
            'asset, as an exact decimal string ("1.5" ETH, not wei).'
        ),
    )
    external_id: str | None = strawberry.field(
        default=None,
        description=_EXTERNAL_ID,
    )
