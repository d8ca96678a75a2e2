"""The caller's totals across providers."""

from decimal import Decimal

import strawberry

from gateway.schema.enums import Provider
from gateway.schema.types.asset import Asset
from gateway.schema.types.provider import ProviderFailure


@strawberry.type(description="The caller's totals for one asset at one provider.")
class PortfolioTotal:
    provider: Provider = strawberry.field(description="The provider.")
    asset: Asset = strawberry.field(
        description="The asset; all amounts in this row are in it."
    )
    staked: Decimal = strawberry.field(
        description="Pending and active stakes, whole units."
    )
    unbonding: Decimal = strawberry.field(
        description="Unbonding, withdrawable or withdrawing."
    )
    rewards: Decimal = strawberry.field(
        description="Rewards earned so far, in whole units of the asset."
    )


@strawberry.type(description="The caller's totals across providers.")
class Portfolio:
    totals: list[PortfolioTotal] = strawberry.field(
        description="One row per provider and asset."
    )
    stake_count: int = strawberry.field(
        description=(
            "How many stakes the caller has across providers, closed ones included."
        )
    )
    average_apy: Decimal | None = strawberry.field(
        description="Weighted by staked amount, across providers."
    )
    provider_failures: list[ProviderFailure] = strawberry.field(
        description=(
            "Providers that could not answer; their totals are missing, the rest stand."
        )
    )
