"""Query: thin resolvers over the read services."""

import asyncio
from datetime import datetime
from typing import Annotated

import strawberry

from gateway.domain import models
from gateway.domain.errors import UserFacingError
from gateway.schema.connections import (
    AllocationConnection,
    RewardConnection,
    StakeConnection,
    allocation_connection,
    reward_connection,
    stake_connection,
)
from gateway.schema.enums import Provider
from gateway.schema.ids import NodeId, decode_id, input_id
from gateway.schema.inputs import CreateStakeInput, RewardFilter, StakeFilter
from gateway.schema.paging import After, First
from gateway.schema.types import (
    Allocation,
    AllocationAction,
    Asset,
    Node,
    Portfolio,
    PortfolioTotal,
    ProviderFailure,
    ProviderHealth,
    Reward,
    Stake,
    StakeAction,
    StakePreview,
    StakingProduct,
    UserError,
)
from gateway.services.pagination import page_size
from gateway.services.reads import summarize
from providers.base import ProviderError


def _try_decode(value: str, expect: str | None = None) -> NodeId | None:
    try:
        return decode_id(value, expect=expect)
    except UserFacingError:
        return None


def _stake_matches(stake: models.Stake, where: StakeFilter | None) -> bool:
    if where is None:
        return True
    if where.asset and stake.asset.symbol.upper() not in {
        a.upper() for a in where.asset
    }:
        return False
    return not (where.status and stake.status not in where.status)


def _in_window(reward: models.Reward, where: RewardFilter) -> bool:
    at = reward.credited_at
    if where.from_ and (at is None or at < where.from_):
        return False
    return not (where.to and (at is None or at > where.to))


@strawberry.type
class Query:
    @strawberry.field(
        description="Fetches any object by its global id; null if not yours."
    )
    async def node(
        self,
        info: strawberry.Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="A global id from any object."),
        ],
    ) -> Node | None:
        node = _try_decode(id)
        if node is None:
            return None
        context = info.context
        try:
            if node.type_name == "Stake":
                stake = await context.loaders.stake.load(
                    (node.provider, node.owner, node.key)
                )
                return None if stake is None else Stake.of(stake)
            if node.type_name == "StakingProduct":
                product = await context.loaders.product.load((node.provider, node.key))
                return None if product is None else StakingProduct.of(product)
            if node.type_name in ("StakeAction", "Reward") and node.parent is not None:
                return await _child_of_stake(info, node)
            if node.type_name == "Allocation":
                found = await context.reader.allocation(
                    context.caller, node.provider, node.owner, node.key
                )
                return None if found is None else Allocation.of(found)
            if node.type_name == "AllocationAction" and node.parent is not None:
                parent = await context.reader.allocation(
                    context.caller, node.provider, node.owner, node.parent
                )
                for action in parent.actions if parent else ():
                    if action.provider_action_id == node.key:
                        return AllocationAction.of(action)
        except ProviderError:
            return None
        return None

    @strawberry.field(
        description="The caller's stakes at every linked provider, newest first."
    )
    async def stakes(
        self,
        info: strawberry.Info,
        filter: Annotated[
            StakeFilter | None,
            strawberry.argument(
                description="Optional filters by provider, asset and status."
            ),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> StakeConnection:
        page_size(first)
        only = filter.provider if filter else None
        info.context.caller  # noqa: B018  (refuses an unauthenticated caller)
        gathered = await info.context.loaders.stakes_of(only)
        chosen = [s for s in gathered.items if _stake_matches(s, filter)]
        return stake_connection(chosen, gathered.failures, first=first, after=after)

    @strawberry.field(
        description="One stake by its id; null if it is not the caller's."
    )
    async def stake(
        self,
        info: strawberry.Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The stake's global id.")
        ],
    ) -> Stake | None:
        node = _try_decode(id, "Stake")
        if node is None or not info.context.caller.owns(node.provider, node.owner):
            return None
        fresh = await info.context.reader.stake(
            info.context.caller, node.provider, node.owner, node.key
        )
        return None if fresh is None else Stake.of(fresh)

    @strawberry.field(
        description="What can be staked, at which provider, on which terms."
    )
    async def staking_products(
        self,
        info: strawberry.Info,
        provider: Annotated[
            Provider | None,
            strawberry.argument(description="Only this provider's products."),
        ] = None,
        asset: Annotated[
            str | None,
            strawberry.argument(
                description="Only products for this asset symbol, e.g. ETH."
            ),
        ] = None,
    ) -> list[StakingProduct]:
        gathered = await info.context.reader.products(provider, asset)
        return [StakingProduct.of(p) for p in gathered.items]

    @strawberry.field(description="Rewards across providers, newest first.")
    async def rewards(
        self,
        info: strawberry.Info,
        filter: Annotated[
            RewardFilter | None,
            strawberry.argument(
                description="Optional filters by provider, stake, asset and time."
            ),
        ] = None,
        first: First = None,
        after: After = None,
    ) -> RewardConnection:
        page_size(first)
        where = filter or RewardFilter()
        stake_node = _try_decode(where.stake_id, "Stake") if where.stake_id else None
        if where.stake_id and stake_node is None:
            return reward_connection([], [], first=first, after=after)
        only = [stake_node.provider] if stake_node else where.provider
        gathered = await info.context.loaders.rewards_of(only)
        chosen = [
            r
            for r in gathered.items
            if (not where.asset or r.asset.symbol.upper() == where.asset.upper())
            and (stake_node is None or r.provider_stake_id == stake_node.key)
            and _in_window(r, where)
        ]
        return reward_connection(chosen, gathered.failures, first=first, after=after)

    @strawberry.field(description="The caller's Dfns allocations, newest first.")
    async def allocations(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
    ) -> AllocationConnection:
        page_size(first)
        gathered = await info.context.reader.allocations(info.context.caller)
        return allocation_connection(
            gathered.items, gathered.failures, first=first, after=after
        )

    @strawberry.field(
        description="One Dfns allocation by its id; null if it is not the caller's."
    )
    async def allocation(
        self,
        info: strawberry.Info,
        id: Annotated[
            strawberry.ID,
            strawberry.argument(description="The allocation's global id."),
        ],
    ) -> Allocation | None:
        node = _try_decode(id, "Allocation")
        if node is None:
            return None
        found = await info.context.reader.allocation(
            info.context.caller, node.provider, node.owner, node.key
        )
        return None if found is None else Allocation.of(found)

    @strawberry.field(description="Totals per provider and asset.")
    async def portfolio(self, info: strawberry.Info) -> Portfolio:
        loaders = info.context.loaders
        stakes, rewards = await asyncio.gather(
            loaders.stakes_of(None), loaders.rewards_of(None)
        )
        summary = summarize(
            stakes.items, rewards.items, stakes.failures, rewards.failures
        )
        return Portfolio(
            totals=[
                PortfolioTotal(
                    provider=t.provider,
                    asset=Asset.of(t.asset),
                    staked=t.staked,
                    unbonding=t.unbonding,
                    rewards=t.rewards,
                )
                for t in summary.totals
            ],
            stake_count=summary.stake_count,
            average_apy=summary.average_apy,
            provider_failures=[
                ProviderFailure.of(f) for f in summary.provider_failures
            ],
        )

    @strawberry.field(description="Each upstream's health as the gateway sees it now.")
    async def providers(self, info: strawberry.Info) -> list[ProviderHealth]:
        reports = await info.context.services.providers.health()
        return [
            ProviderHealth(
                provider=r.provider,
                state=r.state,
                latency_ms=r.latency_ms,
                circuit_open=r.circuit_open,
                last_error=r.last_error,
                checked_at=r.checked_at if isinstance(r.checked_at, datetime) else None,
            )
            for r in reports
        ]

    @strawberry.field(
        description="Eligibility and estimates for a stake, without acting."
    )
    async def preview_stake(
        self,
        info: strawberry.Info,
        input: Annotated[
            CreateStakeInput,
            strawberry.argument(description="The same input createStake would take."),
        ],
    ) -> StakePreview:
        # A StakePreview needs its product: an id naming none is refused at the top
        # level, as a product that does not exist is.
        node = input_id(input.product_id, "productId", expect="StakingProduct")
        preview = await info.context.services.previews.preview(
            info.context.caller, node.provider, node.key, input.amount, input.wallet_id
        )
        return StakePreview(
            product=StakingProduct.of(preview.product),
            amount=preview.amount,
            eligible=preview.eligible,
            user_errors=[UserError.of(e) for e in preview.errors],
            estimated_monthly_reward=preview.estimated_monthly_reward,
            estimated_activation_at=preview.estimated_activation_at,
            unstaking_period_days=preview.product.unstaking_period_days,
        )


async def _child_of_stake(info: strawberry.Info, node: NodeId) -> Node | None:
    assert node.parent is not None
    if node.type_name == "StakeAction":
        stake = await info.context.loaders.stake.load(
            (node.provider, node.owner, node.parent)
        )
        if stake is None:
            return None
        for action in stake.actions:
            if action.provider_action_id == node.key:
                return StakeAction.of(action)
        return None
    found = await info.context.loaders.stake_rewards.load(
        (node.provider, node.owner, node.parent)
    )
    for reward in found.items:
        if reward.provider_reward_id == node.key:
            return Reward.of(reward)
    return None
