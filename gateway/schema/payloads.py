"""Mutation payloads and subscription events.

Every mutation answers a refusal the same way, whether it is met reading the input or by
the service: as a `userError` in its payload. Only what is not the caller's doing is a
top-level error.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime

import strawberry

from gateway.domain.errors import UserFacingError
from gateway.schema.enums import ActionStatus, EventSource, StakeStatus
from gateway.schema.types import (
    Allocation,
    AllocationAction,
    Reward,
    Stake,
    StakeAction,
    UserError,
)
from gateway.services.commands import AllocationOutcome, Outcome, StakeOutcome


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


async def _outcome(
    kind: type[Outcome], run: Callable[[], Awaitable[Outcome]]
) -> Outcome:
    """What `run` gave, or the refusal it raised reading the input, as an outcome."""
    try:
        return await run()
    except UserFacingError as error:
        return kind(errors=(error.error,))


async def stake_payload(
    run: Callable[[], Awaitable[StakeOutcome]],
) -> StakeActionPayload:
    """A stake mutation's payload: what `run` gave, or the refusal it met."""
    outcome = await _outcome(StakeOutcome, run)
    result = outcome.result
    return StakeActionPayload(
        stake=Stake.of(result.stake) if result and result.stake else None,
        action=StakeAction.of(result.action) if result and result.action else None,
        user_errors=[UserError.of(e) for e in outcome.errors],
    )


async def allocation_payload(
    run: Callable[[], Awaitable[AllocationOutcome]],
) -> AllocationActionPayload:
    """An allocation mutation's payload: what `run` gave, or the refusal it met."""
    outcome = await _outcome(AllocationOutcome, run)
    result = outcome.result
    return AllocationActionPayload(
        allocation=Allocation.of(result.allocation)
        if result and result.allocation
        else None,
        action=AllocationAction.of(result.action) if result and result.action else None,
        user_errors=[UserError.of(e) for e in outcome.errors],
    )
