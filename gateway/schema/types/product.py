"""What can be staked where: the staking products."""

from decimal import Decimal

import strawberry

from gateway.domain import models
from gateway.schema.enums import Provider, StakingMode
from gateway.schema.ids import NodeId
from gateway.schema.types.asset import Asset
from gateway.schema.types.node import Node


def product_id(provider: Provider, provider_product_id: str) -> str:
    return NodeId("StakingProduct", provider, "", provider_product_id).encode()


@strawberry.type(description="What can be staked where, and on what terms.")
class StakingProduct(Node):
    id: strawberry.ID = strawberry.field(
        description=(
            "Global, opaque id; pass it to `node(id:)` to fetch this object "
            "again. Pass it as `productId` to createStake."
        )
    )
    provider: Provider = strawberry.field(description="The provider offering it.")
    provider_product_id: str = strawberry.field(
        description=(
            "The provider's own id, e.g. a Crocante staking type (ADA_FLEX) "
            "or an asset symbol."
        )
    )
    asset: Asset = strawberry.field(description="The asset staked.")
    protocol: str | None = strawberry.field(
        description="The chain protocol where the provider names one (Dfns)."
    )
    mode: StakingMode = strawberry.field(description="FIXED term or VARIABLE.")
    apy: Decimal | None = strawberry.field(
        description="A fraction: 0.0347 means 3.47 % a year, net of fees."
    )
    min_amount: Decimal | None = strawberry.field(
        description="In whole units of the asset."
    )
    duration_days: int | None = strawberry.field(description="Term of a FIXED product.")
    lockup_days: int | None = strawberry.field(
        description="Days the funds are locked after staking, where the provider tells."
    )
    unstaking_period_days: int | None = strawberry.field(
        description="Days from an unstake request until the funds are available."
    )
    payout_frequency: str | None = strawberry.field(
        description=(
            "How often rewards are paid, in the provider's words, e.g. "
            'daily or "at redemption".'
        )
    )
    requires_validator: bool = strawberry.field(
        description="True where createStake must name a validator or candidate."
    )

    @classmethod
    def of(cls, product: models.StakingProduct) -> "StakingProduct":
        return cls(
            id=strawberry.ID(product_id(product.provider, product.provider_product_id)),
            provider=product.provider,
            provider_product_id=product.provider_product_id,
            asset=Asset.of(product.asset),
            protocol=product.protocol,
            mode=product.mode,
            apy=product.apy,
            min_amount=product.min_amount,
            duration_days=product.duration_days,
            lockup_days=product.lockup_days,
            unstaking_period_days=product.unstaking_period_days,
            payout_frequency=product.payout_frequency,
            requires_validator=product.requires_validator,
        )
