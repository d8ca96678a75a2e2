"""The assets the sandbox knows: staking parameters and fixed USD prices."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class AssetSpec:
    symbol: str
    name: str
    staking_enabled: bool
    # Percent, net of the platform fee, as `apy_net` reports it.
    apy_net: Decimal
    unstaking_period_days: int
    activation: timedelta
    price_usd: Decimal
    # Places an amount may carry (the chain's smallest unit).
    decimals: int
    validator_provider: str


ASSETS: dict[str, AssetSpec] = {
    spec.symbol: spec
    for spec in (
        AssetSpec(
            "ETH", "Ethereum", True, Decimal("3.47"), 8, timedelta(days=1),
            Decimal("3000.00"), 18, "Figment",
        ),
        AssetSpec(
            "SOL", "Solana", True, Decimal("6.85"), 3, timedelta(hours=12),
            Decimal("150.00"), 9, "Figment",
        ),
        AssetSpec(
            "BTC", "Bitcoin", False, Decimal(0), 0, timedelta(0),
            Decimal("60000.00"), 8, "",
        ),
    )
}  # fmt: skip

# What a participant never seen before starts with, per asset, in its `general` account.
STARTING_BALANCES: dict[str, Decimal] = {
    "ETH": Decimal(64),
    "SOL": Decimal(1000),
    "BTC": Decimal(1),
}
DEFAULT_ACCOUNT_LABEL = "general"
# Request to broadcast, request to confirmation: the same for every asset.
BROADCAST_AFTER = timedelta(minutes=1)
CONFIRM_AFTER = timedelta(minutes=10)
REWARD_EVERY = timedelta(days=1)


def stakeable(symbol: str) -> AssetSpec | None:
    spec = ASSETS.get(symbol)
    return spec if spec is not None and spec.staking_enabled else None
