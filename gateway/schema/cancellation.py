"""`cancelStakeAction`: cancels where the provider allows it, else a NOT_CANCELLABLE
user error saying why."""

from typing import Annotated

import strawberry

from gateway.schema.ids import decode_id
from gateway.schema.payloads import StakeActionPayload, stake_payload
from gateway.services.cancellation import ActionRef, Cancellation
from gateway.services.commands import StakeOutcome


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
        async def run() -> StakeOutcome:
            node = decode_id(id, "id", expect="StakeAction")
            cancellation: Cancellation | None = info.context.services.cancellation
            assert cancellation is not None, "wired in the lifespan"
            return await cancellation.cancel(
                info.context.caller,
                ActionRef(node.provider, node.owner, node.parent or "", node.key),
                external_id,
            )

        return await stake_payload(run)
