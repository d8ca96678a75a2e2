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

_USER_ERRORS = "Why the request was refused; empty on success."
_SOURCE = (
    "How the gateway learned of it: Zerohash pushes webhooks, Dfns "
    "and Crocante are polled."
)
_OCCURRED = "When the change happened (UTC, ISO 8601)."
_EVENT_CURSOR = "Opaque event cursor; pass it as `after` to resume from this event."


@strawberry.type(description="The result of createStake, unstake or createStakeAction.")
class StakeActionPayload:
    stake: Stake | None = strawberry.field(
        description=(
            "The stake as it stands after the request; null if the request was refused."
        )
    )
    action: StakeAction | None = strawberry.field(
        description="The action the request created; null if the request was refused."
    )
    user_errors: list[UserError] = strawberry.field(description=_USER_ERRORS)


@strawberry.type(
    description="The result of createAllocation or createAllocationAction."
)
class AllocationActionPayload:
    allocation: Allocation | None = strawberry.field(
        description="The allocation as it stands after the request; null if refused."
    )
    action: AllocationAction | None = strawberry.field(
        description="The deposit or withdrawal the request created; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=_USER_ERRORS)


@strawberry.type(description="The result of acceptStakingTerms.")
class AcceptTermsPayload:
    accepted: bool = strawberry.field(
        description=(
            "True once the caller's terms at that provider are accepted "
            "(also when they already were)."
        )
    )
    user_errors: list[UserError] = strawberry.field(description=_USER_ERRORS)


@strawberry.type(description="One status change of one of the caller's stakes.")
class StakeStatusEvent:
    cursor: str = strawberry.field(
        description="Pass as `after` to resume from this event."
    )
    stake: Stake = strawberry.field(
        description="The stake, as it stands after the change."
    )
    previous_status: StakeStatus | None = strawberry.field(
        description="The status before the change; null when the stake is new."
    )
    status: StakeStatus = strawberry.field(description="The status after the change.")
    provider_status: str = strawberry.field(
        description="The provider's own status word after the change."
    )
    occurred_at: datetime = strawberry.field(description=_OCCURRED)
    source: EventSource = strawberry.field(description=_SOURCE)


@strawberry.type(
    description="One status change of an action on one of the caller's stakes."
)
class ActionStatusEvent:
    cursor: str = strawberry.field(description=_EVENT_CURSOR)
    action: StakeAction = strawberry.field(
        description="The action, as it stands after the change."
    )
    previous_status: ActionStatus | None = strawberry.field(
        description="The status before the change; null when the action is new."
    )
    status: ActionStatus = strawberry.field(description="The status after the change.")
    occurred_at: datetime = strawberry.field(description=_OCCURRED)
    source: EventSource = strawberry.field(description=_SOURCE)
    stuck: bool = strawberry.field(
        default=False,
        description="True for an alert, not a change: the action has stayed in its "
        "provider status longer than that provider's threshold (action.stuck). Raised "
        "once; the action's next change ends it.",
    )


@strawberry.type(description="A reward credited to one of the caller's stakes.")
class RewardEvent:
    cursor: str = strawberry.field(description=_EVENT_CURSOR)
    reward: Reward = strawberry.field(
        description="The reward; for Dfns, the new running total."
    )
    occurred_at: datetime = strawberry.field(
        description="When it was credited (UTC, ISO 8601)."
    )
    source: EventSource = strawberry.field(description=_SOURCE)


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
