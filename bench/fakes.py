"""In-memory providers for S4: a StakingAdapter answering from a prepared list, so the
measurement is the gateway's execution and serialization alone."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from gateway.domain.commands import (
    CreateStake,
    CreateStakeAction,
    StakeActionResult,
    Unstake,
)
from gateway.domain.enums import Provider, StakeActionKind, StakeStatus
from gateway.domain.errors import UserError
from gateway.domain.models import Asset, Reward, Stake, StakingProduct

OWNER = "bench-owner"
STATUSES = (
    StakeStatus.ACTIVE,
    StakeStatus.PENDING,
    StakeStatus.UNBONDING,
    StakeStatus.WITHDRAWN,
)


def make_stakes(provider: Provider, count: int) -> list[Stake]:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    asset = Asset(symbol="ETH", network="Ethereum", decimals=18)
    return [
        Stake(
            provider=provider,
            provider_stake_id=f"{provider.value.lower()}-{i:06d}",
            owner=OWNER,
            status=STATUSES[i % len(STATUSES)],
            provider_status="active",
            asset=asset,
            amount=Decimal("1.5") + Decimal(i) / 1000,
            created_at=start + timedelta(minutes=i),
            data_as_of=start + timedelta(days=400),
            protocol="Ethereum",
            apy=Decimal("0.035"),
            rewards_earned=Decimal("0.0123"),
            available_actions=(StakeActionKind.UNSTAKE,),
        )
        for i in range(count)
    ]


class FakeAdapter:
    def __init__(self, provider: Provider, stakes: Sequence[Stake]) -> None:
        self.provider = provider
        self.stakes = list(stakes)
        self.rewards_travel_with_stakes = False

    async def list_products(self) -> Sequence[StakingProduct]:
        return []

    async def list_stakes(self, owners: Sequence[str]) -> Sequence[Stake]:
        return self.stakes

    async def get_stake(self, owner: str, provider_stake_id: str) -> Stake | None:
        return next(
            (s for s in self.stakes if s.provider_stake_id == provider_stake_id), None
        )

    async def list_rewards(self, owners: Sequence[str]) -> Sequence[Reward]:
        return []

    async def create_stake(self, command: CreateStake) -> StakeActionResult:
        raise NotImplementedError

    async def unstake(self, command: Unstake) -> StakeActionResult:
        raise NotImplementedError

    async def create_stake_action(
        self, command: CreateStakeAction
    ) -> StakeActionResult:
        raise NotImplementedError

    async def accept_terms(self, owner: str) -> None:
        return None

    async def check_eligibility(
        self, owner: str, product: StakingProduct, amount: Decimal
    ) -> Sequence[UserError]:
        return []

    async def health_check(self) -> None:
        return None
