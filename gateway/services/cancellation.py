"""Cancelling a requested action where the provider allows it, and a typed refusal
(NOT_CANCELLABLE, saying why) everywhere else.

Zerohash cancels a stake or an unstake before it is broadcast. Dfns and Crocante offer
no cancellation of a staking action, so `availableActions` never lists CANCEL there.
"""

from dataclasses import dataclass

from gateway.domain.caller import Caller
from gateway.domain.enums import ActionStatus, Provider, StakeActionKind, UserErrorCode
from gateway.domain.errors import UserError, not_found
from gateway.services.commands import StakeOutcome, StakeRef, StakingCommands
from gateway.services.reads import StakingReader
from providers.base import ProviderError

# Not under way yet: the only ones a provider may still call back.
CANCELLABLE_STATUSES = {ActionStatus.PENDING_APPROVAL, ActionStatus.PENDING}
CANCELLABLE_KINDS = {StakeActionKind.STAKE, StakeActionKind.UNSTAKE}

WHY_NOT: dict[Provider, str] = {
    Provider.ZEROHASH: "Zerohash cancels a stake or an unstake only before it is "
    "broadcast; this one is past that.",
    Provider.DFNS: "Dfns offers no cancellation of a staking action.",
    Provider.CROCANTE: "Crocante offers no cancellation of a staking action.",
}


@dataclass(frozen=True, slots=True)
class ActionRef:
    provider: Provider
    owner: str
    provider_stake_id: str
    provider_action_id: str


def _refused(message: str) -> StakeOutcome:
    error = UserError(UserErrorCode.NOT_CANCELLABLE, message, ("id",))
    return StakeOutcome(errors=(error,))


class Cancellation:
    def __init__(self, commands: StakingCommands, reader: StakingReader) -> None:
        self.commands = commands
        self.reader = reader

    async def cancel(
        self, caller: Caller, ref: ActionRef, external_id: str | None = None
    ) -> StakeOutcome:
        missing = StakeOutcome(
            errors=(not_found("There is no such action.", "id").error,)
        )
        if not caller.owns(ref.provider, ref.owner):
            return missing
        try:
            stake = await self.reader.stake(
                caller, ref.provider, ref.owner, ref.provider_stake_id
            )
        except ProviderError:
            stake = None
        action = next(
            (
                a
                for a in (stake.actions if stake else ())
                if a.provider_action_id == ref.provider_action_id
            ),
            None,
        )
        if stake is None or action is None:
            return missing
        if action.status not in CANCELLABLE_STATUSES:
            return _refused(
                f"This action is {action.status.value}: only one not yet under way "
                "can be canceled."
            )
        if (
            action.kind not in CANCELLABLE_KINDS
            or StakeActionKind.CANCEL not in stake.available_actions
        ):
            return _refused(WHY_NOT[ref.provider])
        return await self.commands.stake_action(
            caller,
            StakeRef(ref.provider, ref.owner, ref.provider_stake_id),
            StakeActionKind.CANCEL,
            None,
            external_id,
            operation="cancelStakeAction",
        )
