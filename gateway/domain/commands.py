"""What a caller asks a provider to do, already validated and resolved to provider terms."""

from dataclasses import dataclass
from decimal import Decimal

from gateway.domain.enums import AllocationActionKind, StakeActionKind
from gateway.domain.models import (
    Allocation,
    AllocationAction,
    Stake,
    StakeAction,
    StakingProduct,
)


@dataclass(frozen=True, slots=True)
class AssetAmountSpec:
    """An asset amount as a caller gives it: Dfns' kind (Native, Erc20, Spl), whole units."""

    kind: str
    amount: Decimal
    contract: str | None = None


@dataclass(frozen=True, slots=True)
class CreateStake:
    owner: str
    product: StakingProduct
    amount: Decimal
    validator: str | None = None
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class Unstake:
    owner: str
    stake: Stake
    # None: the whole position.
    amount: Decimal | None = None
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class CreateStakeAction:
    owner: str
    stake: Stake
    kind: StakeActionKind
    amount: Decimal | None = None
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class CreateAllocation:
    owner: str
    protocol: str
    source_asset: AssetAmountSpec | None = None
    target_asset: AssetAmountSpec | None = None
    slippage_bps: int | None = None
    amount: Decimal | None = None
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class CreateAllocationAction:
    owner: str
    allocation: Allocation
    kind: AllocationActionKind
    source_asset: AssetAmountSpec | None = None
    target_asset: AssetAmountSpec | None = None
    slippage_bps: int | None = None
    amount: Decimal | None = None
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class StakeActionResult:
    """What a stake mutation produced: the stake as it now stands and the action taken."""

    stake: Stake | None
    action: StakeAction | None


@dataclass(frozen=True, slots=True)
class AllocationActionResult:
    allocation: Allocation | None
    action: AllocationAction | None
