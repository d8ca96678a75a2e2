"""What createStake would do, without doing it."""

from datetime import datetime
from decimal import Decimal

import strawberry

from gateway.schema.types.product import StakingProduct
from gateway.schema.types.user_error import UserError


@strawberry.type(description="What createStake would do, without doing it.")
class StakePreview:
    product: StakingProduct = strawberry.field(
        description="The product the stake would be made in."
    )
    amount: Decimal = strawberry.field(
        description=(
            "The amount that would be staked, in whole units of the asset, "
            'as an exact decimal string ("1.5" ETH, not wei).'
        )
    )
    eligible: bool = strawberry.field(
        description="True if createStake with this input would be accepted now."
    )
    user_errors: list[UserError] = strawberry.field(
        description=(
            "Why createStake would be refused (terms, balance, minimum, "
            "jurisdiction); empty when eligible."
        )
    )
    estimated_monthly_reward: Decimal | None = strawberry.field(
        description=(
            "Rough reward for 30 days at today's APY, in whole units of the "
            "asset; an estimate, not a promise."
        )
    )
    estimated_activation_at: datetime | None = strawberry.field(
        description="When the stake would likely start earning (UTC, ISO 8601)."
    )
    unstaking_period_days: int | None = strawberry.field(
        description="Days from an unstake request until the funds are available."
    )
