"""A staking position, its validator and its status history."""

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.domain import models
from gateway.domain.availability import unavailable_actions
from gateway.schema.availability import UnavailableAction
from gateway.schema.enums import EventSource, Provider, StakeActionKind, StakeStatus
from gateway.schema.ids import NodeId
from gateway.schema.paging import After, First
from gateway.schema.types.action import StakeAction
from gateway.schema.types.asset import Asset
from gateway.schema.types.node import Node
from gateway.schema.types.product import StakingProduct

if TYPE_CHECKING:
    from gateway.schema.connections import RewardConnection


@strawberry.type(description="Who runs the node a stake is delegated to.")
class Validator:
    provider: str | None = strawberry.field(
        description="Who operates the validator, e.g. Figment, where known."
    )
    id: str | None = strawberry.field(
        description="The validator's id or public key on its chain, where known."
    )
    commission_rate: Decimal | None = strawberry.field(
        description="A fraction: 0.05 is 5 %."
    )

    @classmethod
    def of(cls, value: models.Validator | None) -> "Validator | None":
        if value is None:
            return None
        return cls(
            provider=value.provider, id=value.id, commission_rate=value.commission_rate
        )


@strawberry.type(description="One recorded change of a stake's status.")
class StatusChange:
    from_: StakeStatus | None = strawberry.field(
        name="from", description="The status before; null for the first record."
    )
    to: StakeStatus = strawberry.field(description="The status after.")
    provider_status: str = strawberry.field(
        description="The provider's own status word after the change."
    )
    at: datetime = strawberry.field(description="When it changed (UTC, ISO 8601).")
    source: EventSource = strawberry.field(
        description=(
            "How the gateway learned of it: Zerohash pushes webhooks, Dfns "
            "and Crocante are polled."
        )
    )


def stake_node_id(provider: Provider, owner: str, provider_stake_id: str) -> NodeId:
    return NodeId("Stake", provider, owner, provider_stake_id)


@strawberry.type(description="One staking position at one provider.")
class Stake(Node):
    provider: Provider = strawberry.field(
        description="The staking provider holding it."
    )
    provider_stake_id: str = strawberry.field(
        description=(
            "The provider's own id: Dfns stk-…, Zerohash stake_id, Crocante "
            "operation id."
        )
    )
    owner: str = strawberry.field(
        description="Dfns wallet id, Zerohash participant code, or Crocante user."
    )
    status: StakeStatus = strawberry.field(
        description="Where the position stands in the common lifecycle."
    )
    provider_status: str = strawberry.field(
        description="The provider's own status word."
    )
    asset: Asset = strawberry.field(description="The staked asset.")
    protocol: str | None = strawberry.field(
        description=(
            "The chain protocol where the provider names one, e.g. Ethereum "
            "or Iota (Dfns)."
        )
    )
    amount: Decimal = strawberry.field(description="Staked principal, in whole units.")
    current_amount: Decimal | None = strawberry.field(
        description="Principal plus what has accrued, where the provider tells."
    )
    apy: Decimal | None = strawberry.field(
        description="A fraction: 0.05 is 5 % a year."
    )
    rewards_earned: Decimal | None = strawberry.field(
        description=(
            "Rewards earned so far, in whole units of the asset, where the "
            "provider tells."
        )
    )
    validator: Validator | None = strawberry.field(
        description="The validator the stake is delegated to, where known."
    )
    created_at: datetime = strawberry.field(
        description="When the stake was requested (UTC, ISO 8601)."
    )
    activated_at: datetime | None = strawberry.field(
        description=(
            "When it started earning (UTC, ISO 8601); null until ACTIVE. "
            "Crocante stakes are ACTIVE at creation."
        )
    )
    redeemable_at: datetime | None = strawberry.field(
        description=(
            "When the funds can be redeemed or become available (UTC, ISO "
            "8601): a Crocante FIXED term's end, or a Zerohash unstake's "
            "estimate."
        )
    )
    closed_at: datetime | None = strawberry.field(
        description=(
            "When the position ended: withdrawn, redeemed, canceled or "
            "failed (UTC, ISO 8601)."
        )
    )
    data_as_of: datetime = strawberry.field(
        description="When the gateway last had this from the provider."
    )
    available_actions: list[StakeActionKind] = strawberry.field(
        description="What createStakeAction/unstake can do with this stake now."
    )
    domain: strawberry.Private[models.Stake]

    @classmethod
    def of(cls, stake: models.Stake) -> "Stake":
        node = stake_node_id(stake.provider, stake.owner, stake.provider_stake_id)
        return cls(
            id=strawberry.ID(node.encode()),
            provider=stake.provider,
            provider_stake_id=stake.provider_stake_id,
            owner=stake.owner,
            status=stake.status,
            provider_status=stake.provider_status,
            asset=Asset.of(stake.asset),
            protocol=stake.protocol,
            amount=stake.amount,
            current_amount=stake.current_amount,
            apy=stake.apy,
            rewards_earned=stake.rewards_earned,
            validator=Validator.of(stake.validator),
            created_at=stake.created_at,
            activated_at=stake.activated_at,
            redeemable_at=stake.redeemable_at,
            closed_at=stake.closed_at,
            data_as_of=stake.data_as_of,
            available_actions=list(stake.available_actions),
            domain=stake,
        )

    @strawberry.field(description="The actions requested on this stake, oldest first.")
    def actions(self) -> list[StakeAction]:
        return [StakeAction.of(a) for a in self.domain.actions]

    @strawberry.field(
        description="What its provider offers that this stake cannot do now, with why "
        "(availableActions is what it can)."
    )
    def unavailable_actions(self) -> list[UnavailableAction]:
        return [UnavailableAction.of(u) for u in unavailable_actions(self.domain)]

    @strawberry.field(description="The product this stake was made in, where known.")
    async def product(self, info: strawberry.Info) -> StakingProduct | None:
        if self.domain.provider_product_id is None:
            return None
        product = await info.context.loaders.product.load(
            (self.domain.provider, self.domain.provider_product_id)
        )
        return None if product is None else StakingProduct.of(product)

    @strawberry.field(description="Rewards credited to this stake, newest first.")
    async def rewards(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
    ) -> Annotated["RewardConnection", strawberry.lazy("gateway.schema.connections")]:
        from gateway.schema.connections import reward_connection

        if self.domain.rewards is not None:
            # Read with the stake (a running total): no further upstream call.
            return reward_connection(self.domain.rewards, [], first=first, after=after)
        found = await info.context.loaders.stake_rewards.load(
            (self.domain.provider, self.domain.owner, self.domain.provider_stake_id)
        )
        return reward_connection(found.items, found.failures, first=first, after=after)

    @strawberry.field(description="Every recorded status change, oldest first.")
    async def status_history(self, info: strawberry.Info) -> list[StatusChange]:
        events = await info.context.loaders.history.load(
            (self.domain.provider, self.domain.provider_stake_id)
        )
        return [
            StatusChange(
                from_=StakeStatus(e.from_status) if e.from_status else None,
                to=StakeStatus(e.to_status),
                provider_status=e.provider_status,
                at=e.occurred_at,
                source=e.source,
            )
            for e in events
        ]
