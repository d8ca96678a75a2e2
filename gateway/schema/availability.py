"""`Stake.unavailableActions`: the actions a stake cannot take now, each with why."""

import strawberry

from gateway.domain import availability
from gateway.schema.enums import StakeActionKind


@strawberry.type(description="An action a stake cannot take now, and why.")
class UnavailableAction:
    action: StakeActionKind = strawberry.field(description="The action.")
    reason: str = strawberry.field(
        description="Why not, for people: safe to show in a UI."
    )

    @classmethod
    def of(cls, value: availability.UnavailableAction) -> "UnavailableAction":
        return cls(action=value.action, reason=value.reason)
