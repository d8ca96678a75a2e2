"""A credited reward (or a running total of them)."""

from datetime import datetime
from decimal import Decimal

import strawberry

from gateway.domain import models
from gateway.schema.enums import Provider
from gateway.schema.ids import NodeId
from gateway.schema.types.asset import Asset
from gateway.schema.types.node import Node
from gateway.schema.types.stake import Stake


@strawberry.type(
    description="One credited reward (or a running total, see `cumulative`)."
)
class Reward(Node):
    provider: Provider = strawberry.field(description="The provider that paid it.")
    asset: Asset = strawberry.field(description="The asset the reward is paid in.")
    amount: Decimal = strawberry.field(description="In whole units of the asset.")
    credited_at: datetime | None = strawberry.field(
        description=(
            "When it was credited (UTC, ISO 8601); for a Dfns running "
            "total, when last read."
        )
    )
    apy: Decimal | None = strawberry.field(
        description=(
            "The APY at the time, as a fraction (0.05 is 5 % a year), where "
            "the provider gives it."
        )
    )
    usd_value: Decimal | None = strawberry.field(
        description="Where the provider gives it."
    )
    validator_id: str | None = strawberry.field(
        description="The validator that earned it, where the provider gives it."
    )
    cumulative: bool = strawberry.field(
        description="True where the provider reports only a running total, not each distribution."
    )
    domain: strawberry.Private[models.Reward]

    @classmethod
    def of(cls, reward: models.Reward) -> "Reward":
        node = NodeId(
            "Reward",
            reward.provider,
            reward.owner,
            reward.provider_reward_id,
            reward.provider_stake_id,
        )
        return cls(
            id=strawberry.ID(node.encode()),
            provider=reward.provider,
            asset=Asset.of(reward.asset),
            amount=reward.amount,
            credited_at=reward.credited_at,
            apy=reward.apy,
            usd_value=reward.usd_value,
            validator_id=reward.validator_id,
            cumulative=reward.cumulative,
            domain=reward,
        )

    @strawberry.field(description="The stake that earned it.")
    async def stake(self, info: strawberry.Info) -> Stake | None:
        if self.domain.provider_stake_id is None:
            return None
        stake = await info.context.loaders.stake.load(
            (self.domain.provider, self.domain.owner, self.domain.provider_stake_id)
        )
        return None if stake is None else Stake.of(stake)
