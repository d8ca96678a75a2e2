"""Assets and amounts of them."""

from decimal import Decimal

import strawberry

from gateway.domain import models


@strawberry.type(description="A crypto asset.")
class Asset:
    symbol: str = strawberry.field(description="Ticker, e.g. ETH.")
    network: str | None = strawberry.field(description="The chain, where known.")
    decimals: int | None = strawberry.field(
        description="How many decimal places the asset has (18 for ETH)."
    )
    contract: str | None = strawberry.field(
        description="Token contract or mint, where the asset is a token."
    )

    @classmethod
    def of(cls, asset: models.Asset) -> "Asset":
        return cls(
            symbol=asset.symbol,
            network=asset.network,
            decimals=asset.decimals,
            contract=asset.contract,
        )


@strawberry.type(description="An amount of one asset.")
class AssetAmount:
    asset: Asset = strawberry.field(description="Which asset the amount is in.")
    amount: Decimal = strawberry.field(
        description="In whole units of the asset (1.5 ETH, not wei)."
    )
    raw: str = strawberry.field(description="The provider's own string, unconverted.")

    @classmethod
    def of(cls, value: models.AssetAmount) -> "AssetAmount":
        return cls(asset=Asset.of(value.asset), amount=value.amount, raw=value.raw)
