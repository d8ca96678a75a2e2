"""The contract's object types, built from the common model by named functions."""

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.domain import models
from gateway.domain.errors import UserError as DomainUserError
from gateway.schema.enums import (
    ActionStatus,
    AllocationActionKind,
    EventSource,
    Provider,
    ProviderState,
    StakeActionKind,
    StakeStatus,
    StakingMode,
    UserErrorCode,
)
from gateway.schema.ids import NodeId

if TYPE_CHECKING:
    from gateway.schema.connections import RewardConnection


@strawberry.interface(
    description="An object with a global id; `node(id:)` fetches it again."
)
class Node:
    id: strawberry.ID


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
    asset: Asset
    amount: Decimal = strawberry.field(
        description="In whole units of the asset (1.5 ETH, not wei)."
    )
    raw: str = strawberry.field(description="The provider's own string, unconverted.")

    @classmethod
    def of(cls, value: models.AssetAmount) -> "AssetAmount":
        return cls(asset=Asset.of(value.asset), amount=value.amount, raw=value.raw)


@strawberry.type(description="Who runs the node a stake is delegated to.")
class Validator:
    provider: str | None
    id: str | None
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
    from_: StakeStatus | None = strawberry.field(name="from")
    to: StakeStatus
    provider_status: str
    at: datetime
    source: EventSource


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(
    description="A provider that could not answer its part of a request. The rest stands."
)
class ProviderFailure:
    provider: Provider
    code: str
    message: str
    retryable: bool

    @classmethod
    def of(cls, failure: models.ProviderFailure) -> "ProviderFailure":
        return cls(
            provider=failure.provider,
            code=failure.code,
            message=failure.message,
            retryable=failure.retryable,
        )


@strawberry.type(description="Why a request was refused.")
class UserError:
    code: UserErrorCode
    message: str = strawberry.field(description="For people: safe to show in a UI.")
    field: list[str] | None = strawberry.field(
        description="Path of the input field at fault, if any."
    )

    @classmethod
    def of(cls, error: DomainUserError) -> "UserError":
        return cls(
            code=error.code,
            message=error.message,
            field=list(error.field) if error.field else None,
        )


def product_id(provider: Provider, provider_product_id: str) -> str:
    return NodeId("StakingProduct", provider, "", provider_product_id).encode()


@strawberry.type(description="What can be staked where, and on what terms.")
class StakingProduct(Node):
    id: strawberry.ID
    provider: Provider
    provider_product_id: str
    asset: Asset
    protocol: str | None
    mode: StakingMode
    apy: Decimal | None = strawberry.field(
        description="A fraction: 0.0347 means 3.47 % a year, net of fees."
    )
    min_amount: Decimal | None = strawberry.field(
        description="In whole units of the asset."
    )
    duration_days: int | None = strawberry.field(description="Term of a FIXED product.")
    lockup_days: int | None
    unstaking_period_days: int | None = strawberry.field(
        description="Days from an unstake request until the funds are available."
    )
    payout_frequency: str | None
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


def stake_node_id(provider: Provider, owner: str, provider_stake_id: str) -> NodeId:
    return NodeId("Stake", provider, owner, provider_stake_id)


@strawberry.type(
    description="A change requested on a stake: stake, unstake, withdraw, redeem."
)
class StakeAction(Node):
    id: strawberry.ID
    provider: Provider
    provider_action_id: str | None
    kind: StakeActionKind
    status: ActionStatus
    provider_status: str
    amount: Decimal | None
    transaction_hash: str | None
    failure_reason: str | None
    external_id: str | None
    created_at: datetime
    estimated_completion_at: datetime | None = strawberry.field(
        description="When unstaked funds are expected to be available."
    )
    domain: strawberry.Private[models.StakeAction]

    @classmethod
    def of(cls, action: models.StakeAction) -> "StakeAction":
        node = NodeId(
            "StakeAction",
            action.provider,
            action.owner,
            action.provider_action_id,
            action.provider_stake_id,
        )
        return cls(
            id=strawberry.ID(node.encode()),
            provider=action.provider,
            provider_action_id=action.provider_action_id,
            kind=action.kind,
            status=action.status,
            provider_status=action.provider_status,
            amount=action.amount,
            transaction_hash=action.transaction_hash,
            failure_reason=action.failure_reason,
            external_id=action.external_id,
            created_at=action.created_at,
            estimated_completion_at=action.estimated_completion_at,
            domain=action,
        )

    @strawberry.field(description="The stake this action is on.")
    async def stake(self, info: strawberry.Info) -> "Stake | None":
        if self.domain.provider_stake_id is None:
            return None
        stake = await info.context.loaders.stake.load(
            (self.domain.provider, self.domain.owner, self.domain.provider_stake_id)
        )
        return None if stake is None else Stake.of(stake)


@strawberry.type(description="One staking position at one provider.")
class Stake(Node):
    id: strawberry.ID
    provider: Provider
    provider_stake_id: str
    owner: str = strawberry.field(
        description="Dfns wallet id, Zerohash participant code, or Crocante user."
    )
    status: StakeStatus
    provider_status: str = strawberry.field(
        description="The provider's own status word."
    )
    asset: Asset
    protocol: str | None
    amount: Decimal = strawberry.field(description="Staked principal, in whole units.")
    current_amount: Decimal | None = strawberry.field(
        description="Principal plus what has accrued, where the provider tells."
    )
    apy: Decimal | None = strawberry.field(
        description="A fraction: 0.05 is 5 % a year."
    )
    rewards_earned: Decimal | None
    validator: Validator | None
    created_at: datetime
    activated_at: datetime | None
    redeemable_at: datetime | None
    closed_at: datetime | None
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
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
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


@strawberry.type(
    description="One credited reward (or a running total, see `cumulative`)."
)
class Reward(Node):
    id: strawberry.ID
    provider: Provider
    asset: Asset
    amount: Decimal = strawberry.field(description="In whole units of the asset.")
    credited_at: datetime | None
    apy: Decimal | None
    usd_value: Decimal | None = strawberry.field(
        description="Where the provider gives it."
    )
    validator_id: str | None
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


@strawberry.type(description="Money moved into or out of an allocation.")
class AllocationAction(Node):
    id: strawberry.ID
    kind: AllocationActionKind
    status: ActionStatus
    provider_status: str
    source_asset: AssetAmount | None
    target_asset: AssetAmount | None
    slippage_bps: int | None = strawberry.field(description="1 bp = 0.01 %.")
    amount: Decimal | None
    failure_reason: str | None
    external_id: str | None
    created_at: datetime
    domain: strawberry.Private[models.AllocationAction]

    @classmethod
    def of(cls, action: models.AllocationAction) -> "AllocationAction":
        node = NodeId(
            "AllocationAction",
            action.provider,
            action.owner,
            action.provider_action_id,
            action.provider_allocation_id,
        )
        return cls(
            id=strawberry.ID(node.encode()),
            kind=action.kind,
            status=action.status,
            provider_status=action.provider_status,
            source_asset=AssetAmount.of(action.source_asset)
            if action.source_asset
            else None,
            target_asset=AssetAmount.of(action.target_asset)
            if action.target_asset
            else None,
            slippage_bps=action.slippage_bps,
            amount=action.amount,
            failure_reason=action.failure_reason,
            external_id=action.external_id,
            created_at=action.created_at,
            domain=action,
        )

    @strawberry.field
    async def allocation(self, info: strawberry.Info) -> "Allocation | None":
        found = await info.context.reader.allocation(
            info.context.caller,
            self.domain.provider,
            self.domain.owner,
            self.domain.provider_allocation_id,
        )
        return None if found is None else Allocation.of(found)


@strawberry.type(
    description="A Dfns allocation: a DeFi yield position, with its actions."
)
class Allocation(Node):
    id: strawberry.ID
    provider: Provider
    provider_allocation_id: str
    wallet_id: str
    protocol: str
    amount: AssetAmount
    rewards: AssetAmount
    created_at: datetime
    actions: list[AllocationAction]

    @classmethod
    def of(cls, allocation: models.Allocation) -> "Allocation":
        node = NodeId(
            "Allocation",
            allocation.provider,
            allocation.wallet_id,
            allocation.provider_allocation_id,
        )
        return cls(
            id=strawberry.ID(node.encode()),
            provider=allocation.provider,
            provider_allocation_id=allocation.provider_allocation_id,
            wallet_id=allocation.wallet_id,
            protocol=allocation.protocol,
            amount=AssetAmount.of(allocation.amount),
            rewards=AssetAmount.of(allocation.rewards),
            created_at=allocation.created_at,
            actions=[AllocationAction.of(a) for a in allocation.actions],
        )


@strawberry.type
class PortfolioTotal:
    provider: Provider
    asset: Asset
    staked: Decimal = strawberry.field(
        description="Pending and active stakes, whole units."
    )
    unbonding: Decimal = strawberry.field(
        description="Unbonding, withdrawable or withdrawing."
    )
    rewards: Decimal


@strawberry.type(description="The caller's totals across providers.")
class Portfolio:
    totals: list[PortfolioTotal]
    stake_count: int
    average_apy: Decimal | None = strawberry.field(
        description="Weighted by staked amount, across providers."
    )
    provider_failures: list[ProviderFailure]


@strawberry.type(
    description="How one upstream provider is doing, as the gateway sees it."
)
class ProviderHealth:
    provider: Provider
    state: ProviderState
    latency_ms: float | None
    circuit_open: bool
    last_error: str | None
    checked_at: datetime | None


@strawberry.type(description="What createStake would do, without doing it.")
class StakePreview:
    product: StakingProduct
    amount: Decimal
    eligible: bool
    user_errors: list[UserError]
    estimated_monthly_reward: Decimal | None
    estimated_activation_at: datetime | None
    unstaking_period_days: int | None
