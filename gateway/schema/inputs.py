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


@strawberry.input
class StakeFilter:
    provider: list[Provider] | None = None
    asset: list[str] | None = None
    status: list[StakeStatus] | None = None


@strawberry.input
class RewardFilter:
    provider: list[Provider] | None = None
    stake_id: strawberry.ID | None = None
    asset: str | None = None
    from_: datetime | None = strawberry.field(name="from", default=None)
    to: datetime | None = None


@strawberry.input
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


@strawberry.input
class UnstakeInput:
    stake_id: strawberry.ID
    amount: Decimal | None = strawberry.field(
        default=None, description="Omit for the whole position."
    )
    external_id: str | None = None


@strawberry.input
class CreateStakeActionInput:
    stake_id: strawberry.ID
    kind: StakeActionKind
    amount: Decimal | None = None
    external_id: str | None = None


@strawberry.input
class AssetAmountInput:
    kind: str = strawberry.field(
        description="Native, Erc20 or Spl, as Dfns names them."
    )
    contract: str | None = None
    amount: Decimal = strawberry.field(description="In whole units of the asset.")


@strawberry.input
class CreateAllocationInput:
    protocol: str
    wallet_id: str | None = None
    source_asset: AssetAmountInput | None = None
    target_asset: AssetAmountInput | None = None
    slippage_bps: int | None = None
    amount: Decimal | None = strawberry.field(
        default=None, description="For vault protocols: the deposit in whole units."
    )
    external_id: str | None = None


@strawberry.input
class CreateAllocationActionInput:
    allocation_id: strawberry.ID
    kind: AllocationActionKind
    source_asset: AssetAmountInput | None = None
    target_asset: AssetAmountInput | None = None
    slippage_bps: int | None = None
    amount: Decimal | None = None
    external_id: str | None = None
