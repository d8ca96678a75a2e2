"""`cancelStakeAction`: cancels where the provider allows it, else a NOT_CANCELLABLE
user error saying why."""

from typing import Annotated

import strawberry

from gateway.domain.errors import UserFacingError
from gateway.schema.ids import decode_id
from gateway.schema.payloads import StakeActionPayload
from gateway.schema.types import Stake, StakeAction, UserError
from gateway.services.cancellation import ActionRef, Cancellation


@strawberry.type
class CancelMutation:
    @strawberry.mutation(
        description="Cancels a requested action where its provider allows it (a "
        "Zerohash stake or unstake before broadcast); NOT_CANCELLABLE says why not."
    )
    async def cancel_stake_action(
        self,
        info: strawberry.Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="The StakeAction's id.")
        ],
        external_id: Annotated[
            str | None,
            strawberry.argument(
                description="Idempotency key: the same key cancels once."
            ),
        ] = None,
    ) -> StakeActionPayload:
        try:
            node = decode_id(id, "id", expect="StakeAction")
        except UserFacingError as error:
            return StakeActionPayload(
                stake=None, action=None, user_errors=[UserError.of(error.error)]
            )
        cancellation: Cancellation | None = info.context.services.cancellation
        assert cancellation is not None, "wired in the lifespan"
        outcome = await cancellation.cancel(
            info.context.caller,
            ActionRef(node.provider, node.owner, node.parent or "", node.key),
            external_id,
        )
        result = outcome.result
        return StakeActionPayload(
            stake=Stake.of(result.stake) if result and result.stake else None,
            action=StakeAction.of(result.action) if result and result.action else None,
            user_errors=[UserError.of(e) for e in outcome.errors],
        )
