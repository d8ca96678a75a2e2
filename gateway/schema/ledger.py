"""The rewards ledger in GraphQL: totals per period and asset (`rewardsSummary`). The
rows themselves are exported over HTTP (`/exports/rewards.csv`, `.json`)."""

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated

import strawberry

from gateway.domain import ledger as domain
from gateway.schema.enums import Provider
from gateway.schema.types import ProviderFailure
from gateway.services.ledger import RewardsLedger


@strawberry.enum(description="How rewards are grouped into periods (UTC).")
class RewardsGroupBy(Enum):
    DAY = strawberry.enum_value("DAY", description="One period per calendar day.")
    MONTH = strawberry.enum_value("MONTH", description="One per calendar month.")
    YEAR = strawberry.enum_value("YEAR", description="One per calendar year.")


@strawberry.type(description="The rewards of one asset credited in one period.")
class RewardsPeriodTotal:
    period: str = strawberry.field(
        description="The period: 2026-03-01 (DAY), 2026-03 (MONTH) or 2026 (YEAR)."
    )
    period_start: datetime = strawberry.field(description="When it begins (UTC).")
    asset: str = strawberry.field(description="The asset's ticker, e.g. ETH.")
    amount: Decimal = strawberry.field(description="The total, in whole units.")
    usd_value: Decimal | None = strawberry.field(
        description="The USD value of the rewards the provider priced; null if none."
    )
    usd_complete: bool = strawberry.field(
        description="True when the provider priced every one of them."
    )
    reward_count: int = strawberry.field(description="How many rewards it sums.")
    includes_running_totals: bool = strawberry.field(
        description="True when some are running totals (Dfns, Crocante report only "
        "what a stake earned to date): those count in the period they were read in."
    )

    @classmethod
    def of(cls, total: domain.PeriodTotal) -> "RewardsPeriodTotal":
        return cls(
            period=total.period,
            period_start=total.period_start,
            asset=total.asset,
            amount=total.amount,
            usd_value=total.usd_value,
            usd_complete=total.priced_count == total.reward_count,
            reward_count=total.reward_count,
            includes_running_totals=total.includes_running_totals,
        )


@strawberry.type(description="Reward totals per period and asset.")
class RewardsSummary:
    totals: list[RewardsPeriodTotal] = strawberry.field(
        description="Oldest period first; within one, by asset."
    )
    provider_failures: list[ProviderFailure] = strawberry.field(
        description="Providers that could not answer: their rewards are not counted."
    )


@strawberry.type
class LedgerQuery:
    @strawberry.field(
        description="The caller's rewards summed per period and asset, in the asset "
        "and in USD where the provider priced them."
    )
    async def rewards_summary(
        self,
        info: strawberry.Info,
        group_by: Annotated[
            RewardsGroupBy, strawberry.argument(description="Day, month or year.")
        ],
        from_: Annotated[
            datetime | None,
            strawberry.argument(name="from", description="Credited at or after this."),
        ] = None,
        to: Annotated[
            datetime | None,
            strawberry.argument(description="Credited before this."),
        ] = None,
        provider: Annotated[
            Provider | None, strawberry.argument(description="Only this provider.")
        ] = None,
        asset: Annotated[
            str | None, strawberry.argument(description="Only this asset, e.g. ETH.")
        ] = None,
    ) -> RewardsSummary:
        ledger: RewardsLedger | None = info.context.services.ledger
        assert ledger is not None, "the ledger is wired in the lifespan"
        summary = await ledger.summary(
            info.context.caller,
            domain.LedgerQuery(
                start=from_,
                end=to,
                providers=(provider,) if provider else (),
                asset=asset,
            ),
            domain.GroupBy[group_by.name],
        )
        return RewardsSummary(
            totals=[RewardsPeriodTotal.of(t) for t in summary.totals],
            provider_failures=[ProviderFailure.of(f) for f in summary.failures],
        )
