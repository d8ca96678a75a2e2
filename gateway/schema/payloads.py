"""Mutation payloads and subscription events."""

from datetime import datetime

import strawberry

from gateway.schema.enums import ActionStatus, EventSource, StakeStatus
from gateway.schema.types import (
    Allocation,
    AllocationAction,
    Reward,
    Stake,
    StakeAction,
    UserError,
)


@strawberry.type
class StakeActionPayload:
    stake: Stake | None
    action: StakeAction | None
    user_errors: list[UserError]


@strawberry.type
class AllocationActionPayload:
    allocation: Allocation | None
    action: AllocationAction | None
    user_errors: list[UserError]


@strawberry.type
class AcceptTermsPayload:
    accepted: bool
    user_errors: list[UserError]


@strawberry.type
class StakeStatusEvent:
    cursor: str = strawberry.field(
        description="Pass as `after` to resume from this event."
    )
    stake: Stake
    previous_status: StakeStatus | None
    status: StakeStatus
    provider_status: str
    occurred_at: datetime
    source: EventSource


@strawberry.type
class ActionStatusEvent:
    cursor: str
    action: StakeAction
    previous_status: ActionStatus | None
    status: ActionStatus
    occurred_at: datetime
    source: EventSource
    stuck: bool = strawberry.field(
        default=False,
        description="True for an alert, not a change: the action has stayed in its "
        "provider status longer than that provider's threshold (action.stuck). Raised "
        "once; the action's next change ends it.",
    )


@strawberry.type
class RewardEvent:
    cursor: str
    reward: Reward
    occurred_at: datetime
    source: EventSource
