"""A change requested on a stake: stake, unstake, withdraw, redeem, cancel."""

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.domain import models
from gateway.schema.enums import (
    ActionStatus,
    ApprovalState,
    Provider,
    StakeActionKind,
)
from gateway.schema.ids import NodeId
from gateway.schema.types.node import Node

if TYPE_CHECKING:
    from gateway.schema.types.stake import Stake


@strawberry.type(
    description=(
        "A provider's approval step on an action. A count or time is null where the "
        "provider does not say it (Dfns gives only the state)."
    )
)
class Approval:
    state: ApprovalState = strawberry.field(description="Where the approval stands.")
    required: int | None = strawberry.field(
        description="How many approvals the action needs."
    )
    received: int | None = strawberry.field(
        description="How many approvals it has so far."
    )
    expires_at: datetime | None = strawberry.field(
        description="When the request for approval lapses."
    )

    @classmethod
    def of(cls, approval: models.Approval | None) -> "Approval | None":
        if approval is None:
            return None
        return cls(
            state=approval.state,
            required=approval.required,
            received=approval.received,
            expires_at=approval.expires_at,
        )


@strawberry.type(
    description="A change requested on a stake: stake, unstake, withdraw, redeem."
)
class StakeAction(Node):
    provider: Provider = strawberry.field(
        description="The staking provider holding it."
    )
    provider_action_id: str | None = strawberry.field(
        description=(
            "The provider's own id: Dfns stka-…, Zerohash stake_id or "
            "unstake_id; null for Crocante, which has none."
        )
    )
    kind: StakeActionKind = strawberry.field(description="What was requested.")
    status: ActionStatus = strawberry.field(
        description="Where the action stands, in the common vocabulary."
    )
    provider_status: str = strawberry.field(
        description=(
            "The provider's own status word, e.g. InProgress (Dfns) or "
            "broadcasted (Zerohash)."
        )
    )
    amount: Decimal | None = strawberry.field(
        description=(
            'In whole units of the asset, as an exact decimal string ("1.5" '
            "ETH, not wei). Null for the whole position."
        )
    )
    transaction_hash: str | None = strawberry.field(
        description="The on-chain transaction hash, once known."
    )
    failure_reason: str | None = strawberry.field(
        description="The provider's reason, set only when FAILED, REJECTED or CANCELED."
    )
    external_id: str | None = strawberry.field(
        description="The idempotency key given when it was created, if any."
    )
    created_at: datetime = strawberry.field(
        description="When the action was requested (UTC, ISO 8601)."
    )
    estimated_completion_at: datetime | None = strawberry.field(
        description="When unstaked funds are expected to be available."
    )
    approval: Approval | None = strawberry.field(
        description=(
            "Whether the action waits for an approval, where the provider says so "
            "(Dfns policy approvals); null otherwise."
        )
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
            approval=Approval.of(action.approval),
            domain=action,
        )

    @strawberry.field(description="The stake this action is on.")
    async def stake(
        self, info: strawberry.Info
    ) -> Annotated["Stake", strawberry.lazy("gateway.schema.types.stake")] | None:
        # A stake lists its actions: the import goes this way round at run time.
        from gateway.schema.types.stake import Stake

        if self.domain.provider_stake_id is None:
            return None
        stake = await info.context.loaders.stake.load(
            (self.domain.provider, self.domain.owner, self.domain.provider_stake_id)
        )
        return None if stake is None else Stake.of(stake)
