"""Why an action is not available on a stake now: the other half of `available_actions`.

The reasons are read off the common model (status, actions in flight, redeemability),
so every provider's stakes explain themselves the same way.
"""

from dataclasses import dataclass

from gateway.domain.enums import ActionStatus, Provider, StakeActionKind, StakeStatus
from gateway.domain.models import Stake

# What a caller may ask of each provider's stakes (createStakeAction, unstake,
# cancelStakeAction): each one not available now is explained.
EXPLAINED: dict[Provider, tuple[StakeActionKind, ...]] = {
    Provider.ZEROHASH: (StakeActionKind.UNSTAKE, StakeActionKind.CANCEL),
    Provider.DFNS: (
        StakeActionKind.UNSTAKE,
        StakeActionKind.WITHDRAW,
        StakeActionKind.CANCEL,
    ),
    Provider.CROCANTE: (StakeActionKind.REDEEM, StakeActionKind.CANCEL),
}
NO_CANCELLATION: dict[Provider, str] = {
    Provider.ZEROHASH: "Nothing to cancel: Zerohash cancels a stake or an unstake only "
    "before it is broadcast.",
    Provider.DFNS: "Dfns offers no cancellation of a staking action.",
    Provider.CROCANTE: "Crocante offers no cancellation of a staking action.",
}
_IN_FLIGHT = {
    ActionStatus.PENDING_APPROVAL,
    ActionStatus.PENDING,
    ActionStatus.IN_PROGRESS,
}
_UNSTAKING = {StakeStatus.UNBONDING, StakeStatus.WITHDRAWABLE, StakeStatus.WITHDRAWING}
_CLOSED = {StakeStatus.WITHDRAWN, StakeStatus.FAILED, StakeStatus.CANCELED}


@dataclass(frozen=True, slots=True)
class UnavailableAction:
    action: StakeActionKind
    reason: str


def _reason(stake: Stake, kind: StakeActionKind) -> str:
    provider = stake.provider.value.capitalize()
    if kind is StakeActionKind.CANCEL:
        return NO_CANCELLATION[stake.provider]
    if stake.status in _CLOSED:
        return f"The stake is {stake.status.value}: nothing more can be done with it."
    if kind is not StakeActionKind.WITHDRAW and stake.status is StakeStatus.PENDING:
        return "The stake is not active yet."
    if any(a.status in _IN_FLIGHT for a in stake.actions):
        return "An action is under way on this stake; it must finish first."
    if kind is StakeActionKind.WITHDRAW:
        if stake.status is not StakeStatus.WITHDRAWABLE:
            return "Only a WITHDRAWABLE stake can be withdrawn."
        return f"{provider} withdraws this stake's funds by itself."
    if stake.status in _UNSTAKING:
        return f"The stake is already {stake.status.value}."
    if (
        kind is StakeActionKind.REDEEM
        and stake.redeemable_at is not None
        and stake.redeemable_at > stake.data_as_of
    ):
        return f"Redeemable from {stake.redeemable_at.isoformat()}."
    return f"{provider} does not offer it on this stake now."


def unavailable_actions(stake: Stake) -> tuple[UnavailableAction, ...]:
    """Each action a caller may ask that this stake cannot take now, with why."""
    return tuple(
        UnavailableAction(kind, _reason(stake, kind))
        for kind in EXPLAINED.get(stake.provider, ())
        if kind not in stake.available_actions
    )
