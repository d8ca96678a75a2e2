"""The sandbox records: participants, balances, stakes, unstakes, rewards."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass
class Balances:
    available: Decimal = Decimal(0)
    collateral: Decimal = Decimal(0)
    staked: Decimal = Decimal(0)


@dataclass
class Participant:
    code: str
    # Zerohash participant status: "approved", "pending_approval", "locked".
    status: str
    kyc: str
    jurisdiction_code: str
    created_at: datetime
    stakes_fail: bool = False
    unstakes_fail: bool = False
    terms_accepted_at: datetime | None = None
    terms_region: str | None = None
    # account label -> asset -> balances
    accounts: dict[str, dict[str, Balances]] = field(default_factory=dict)


@dataclass
class StakeRec:
    stake_id: str
    participant_code: str
    account_label: str
    asset: str
    quantity: Decimal
    status: str
    apy: Decimal
    created_at: datetime
    updated_at: datetime
    estimated_activation_time: datetime
    validator_id: str
    validator_provider: str
    current_quantity: Decimal
    total_rewards: Decimal = Decimal(0)
    activated_at: datetime | None = None
    last_reward_at: datetime | None = None
    closed_at: datetime | None = None
    tx_hash: str | None = None
    reason: str | None = None


@dataclass
class UnstakeRec:
    """An asset-level unstake. `shares` is how it falls on the stakes of that asset,
    oldest first (see `providers.zerohash.unstakes`): (stake_id, amount) pairs."""

    unstake_id: str
    shares: list[tuple[str, Decimal]]
    # Stakes whose whole remaining position it took: they close when it completes,
    # and what they earned while it cooled down leaves with them.
    whole: set[str]
    participant_code: str
    account_label: str
    asset: str
    amount: Decimal
    unstake_type: str
    status: str
    cooldown_period_days: int
    created_at: datetime
    updated_at: datetime
    estimated_available_at: datetime
    tx_hash: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class RewardRec:
    reward_id: str
    stake_id: str
    participant_code: str
    account_label: str
    asset: str
    amount: Decimal
    reward_date: date
    credited_at: datetime
    usd_value: Decimal
    apy: Decimal
    validator_id: str
    cumulative: Decimal
