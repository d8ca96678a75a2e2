"""Dfns allocations (DeFi yield positions) and the money moved in and out."""

from datetime import datetime
from decimal import Decimal

import strawberry

from gateway.domain import models
from gateway.schema.enums import ActionStatus, AllocationActionKind, Provider
from gateway.schema.ids import NodeId
from gateway.schema.types.asset import AssetAmount
from gateway.schema.types.node import Node


@strawberry.type(description="Money moved into or out of an allocation.")
class AllocationAction(Node):
    kind: AllocationActionKind = strawberry.field(
        description="Deposit into or withdrawal from the allocation."
    )
    status: ActionStatus = strawberry.field(
        description="Where the action stands, in the common vocabulary."
    )
    provider_status: str = strawberry.field(
        description="Dfns's own status word, e.g. PendingPolicyApproval or InProgress."
    )
    source_asset: AssetAmount | None = strawberry.field(
        description=(
            "For 0fns swaps: what was given, in whole units; null for vault protocols."
        )
    )
    target_asset: AssetAmount | None = strawberry.field(
        description=(
            "For 0fns swaps: what was asked for, in whole units; null for "
            "vault protocols."
        )
    )
    slippage_bps: int | None = strawberry.field(description="1 bp = 0.01 %.")
    amount: Decimal | None = strawberry.field(
        description=(
            "For vault protocols: the amount moved, in whole units of the "
            'asset, as an exact decimal string ("1.5" ETH, not wei).'
        )
    )
    failure_reason: str | None = strawberry.field(
        description="Dfns's reason, set only when the status is FAILED or REJECTED."
    )
    external_id: str | None = strawberry.field(
        description="The idempotency key given when it was created, if any."
    )
    created_at: datetime = strawberry.field(
        description="When the action was requested (UTC, ISO 8601)."
    )
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

    @strawberry.field(description="The allocation this action is on.")
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
    provider: Provider = strawberry.field(
        description="Always DFNS: allocations are a Dfns feature."
    )
    provider_allocation_id: str = strawberry.field(
        description="Dfns's own id for the allocation (allctn-…)."
    )
    wallet_id: str = strawberry.field(
        description="The Dfns wallet that holds the allocation."
    )
    protocol: str = strawberry.field(
        description=(
            "The Dfns yield protocol, e.g. 0fns or GauntletUsdcPrime, as Dfns names it."
        )
    )
    amount: AssetAmount = strawberry.field(
        description="What is allocated now, in whole units of its asset."
    )
    rewards: AssetAmount = strawberry.field(
        description="Yield earned so far, in whole units of its asset."
    )
    created_at: datetime = strawberry.field(
        description="When the allocation was opened (UTC, ISO 8601)."
    )
    actions: list[AllocationAction] = strawberry.field(
        description="Deposits and withdrawals on this allocation, oldest first."
    )

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
