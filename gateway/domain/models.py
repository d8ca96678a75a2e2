"""The common model: what a stake, an action, a reward and an allocation are, whoever
holds them.

Amounts are exact `Decimal`s in whole units of their asset; times are aware UTC datetimes.
Every object keeps the provider's own status word beside the common one.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from gateway.domain.enums import (
    ActionStatus,
    AllocationActionKind,
    ApprovalState,
    Provider,
    StakeActionKind,
    StakeStatus,
    StakingMode,
)


@dataclass(frozen=True, slots=True)
class Asset:
    symbol: str
    network: str | None = None
    decimals: int | None = None
    contract: str | None = None


@dataclass(frozen=True, slots=True)
class AssetAmount:
    asset: Asset
    amount: Decimal
    raw: str


@dataclass(frozen=True, slots=True)
class Validator:
    provider: str | None = None
    id: str | None = None
    commission_rate: Decimal | None = None


@dataclass(frozen=True, slots=True)
class StakingProduct:
    provider: Provider
    provider_product_id: str
    asset: Asset
    mode: StakingMode
    protocol: str | None = None
    apy: Decimal | None = None
    min_amount: Decimal | None = None
    duration_days: int | None = None
    lockup_days: int | None = None
    unstaking_period_days: int | None = None
    payout_frequency: str | None = None
    # Seconds from request to earning, where the provider says.
    activation_seconds: int | None = None
    requires_validator: bool = False
    is_open: bool = True
    # Why a product is not open for new stakes (its existing stakes still read).
    closed_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Approval:
    """A provider's approval step on an action. Each count or time is None where the
    provider does not say it."""

    state: ApprovalState
    required: int | None = None
    received: int | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StakeAction:
    provider: Provider
    provider_action_id: str
    owner: str
    kind: StakeActionKind
    status: ActionStatus
    provider_status: str
    created_at: datetime
    provider_stake_id: str | None = None
    amount: Decimal | None = None
    transaction_hash: str | None = None
    failure_reason: str | None = None
    external_id: str | None = None
    estimated_completion_at: datetime | None = None
    # None where the action needs no approval, or the provider does not say.
    approval: Approval | None = None


@dataclass(frozen=True, slots=True)
class Stake:
    provider: Provider
    provider_stake_id: str
    owner: str
    status: StakeStatus
    provider_status: str
    asset: Asset
    amount: Decimal
    created_at: datetime
    data_as_of: datetime
    protocol: str | None = None
    provider_product_id: str | None = None
    current_amount: Decimal | None = None
    apy: Decimal | None = None
    rewards_earned: Decimal | None = None
    validator: Validator | None = None
    activated_at: datetime | None = None
    redeemable_at: datetime | None = None
    closed_at: datetime | None = None
    actions: tuple[StakeAction, ...] = ()
    available_actions: tuple[StakeActionKind, ...] = ()
    # Every reward of this stake, where the provider reports them with the stake itself
    # (a running total); None when they must be asked for separately.
    rewards: "tuple[Reward, ...] | None" = None


@dataclass(frozen=True, slots=True)
class Reward:
    provider: Provider
    provider_reward_id: str
    owner: str
    asset: Asset
    amount: Decimal
    cumulative: bool
    provider_stake_id: str | None = None
    credited_at: datetime | None = None
    apy: Decimal | None = None
    usd_value: Decimal | None = None
    validator_id: str | None = None


@dataclass(frozen=True, slots=True)
class AllocationAction:
    provider: Provider
    provider_action_id: str
    provider_allocation_id: str
    owner: str
    kind: AllocationActionKind
    status: ActionStatus
    provider_status: str
    created_at: datetime
    source_asset: AssetAmount | None = None
    target_asset: AssetAmount | None = None
    slippage_bps: int | None = None
    amount: Decimal | None = None
    failure_reason: str | None = None
    external_id: str | None = None


@dataclass(frozen=True, slots=True)
class Allocation:
    provider: Provider
    provider_allocation_id: str
    wallet_id: str
    protocol: str
    amount: AssetAmount
    rewards: AssetAmount
    created_at: datetime
    actions: tuple[AllocationAction, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class ProviderFailure:
    """A provider that could not answer its part of a request."""

    provider: Provider
    code: str
    message: str
    retryable: bool
