"""Mutation: read the input, hand over to the command service, shape the payload.

Each resolver reads its input inside the `run` it hands to `stake_payload` or
`allocation_payload`, so a refusal met there (an id the gateway never gave out, a
malformed amount) is a `userError` in the payload, as the command service's own are.
"""

from typing import Annotated

import strawberry

from gateway.domain import commands as cmd
from gateway.domain.errors import invalid_input
from gateway.schema.enums import Provider
from gateway.schema.ids import input_id
from gateway.schema.inputs import (
    AssetAmountInput,
    CreateAllocationActionInput,
    CreateAllocationInput,
    CreateStakeActionInput,
    CreateStakeInput,
    UnstakeInput,
)
from gateway.schema.payloads import (
    AcceptTermsPayload,
    AllocationActionPayload,
    StakeActionPayload,
    allocation_payload,
    stake_payload,
)
from gateway.schema.types import UserError
from gateway.services.commands import (
    AllocationOutcome,
    AllocationRef,
    StakeOutcome,
    StakeRef,
    StakingCommands,
)
from gateway.services.validation import positive_amount

MAX_SLIPPAGE_BPS = 10_000


def _commands(info: strawberry.Info) -> StakingCommands:
    commands: StakingCommands = info.context.services.commands
    return commands


def _stake_ref(stake_id: strawberry.ID) -> StakeRef:
    node = input_id(stake_id, "stakeId", expect="Stake")
    return StakeRef(node.provider, node.owner, node.key)


def _spec(value: AssetAmountInput | None, *field: str) -> cmd.AssetAmountSpec | None:
    if value is None:
        return None
    positive_amount(value.amount, *field, "amount")
    return cmd.AssetAmountSpec(
        kind=value.kind, amount=value.amount, contract=value.contract
    )


def _slippage(value: int | None) -> int | None:
    if value is not None and not 0 <= value <= MAX_SLIPPAGE_BPS:
        raise invalid_input(
            "slippageBps must be between 0 and 10,000 (1 bp = 0.01 %).",
            "input",
            "slippageBps",
        )
    return value


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Stakes an amount in a product; idempotent by externalId."
    )
    async def create_stake(
        self,
        info: strawberry.Info,
        input: Annotated[
            CreateStakeInput,
            strawberry.argument(
                description="The product, amount and idempotency key of the new stake."
            ),
        ],
    ) -> StakeActionPayload:
        async def run() -> StakeOutcome:
            node = input_id(input.product_id, "productId", expect="StakingProduct")
            return await _commands(info).create_stake(
                info.context.caller,
                provider=node.provider,
                product_id=node.key,
                amount=input.amount,
                wallet_id=input.wallet_id,
                validator=input.validator,
                external_id=input.external_id,
            )

        return await stake_payload(run)

    @strawberry.mutation(
        description="Unstakes (or redeems) all of a stake, or part of it."
    )
    async def unstake(
        self,
        info: strawberry.Info,
        input: Annotated[
            UnstakeInput,
            strawberry.argument(
                description="The stake and, for a partial unstake, the amount."
            ),
        ],
    ) -> StakeActionPayload:
        async def run() -> StakeOutcome:
            ref = _stake_ref(input.stake_id)
            return await _commands(info).unstake(
                info.context.caller, ref, input.amount, input.external_id
            )

        return await stake_payload(run)

    @strawberry.mutation(
        description="Requests a change on a stake (withdraw, cancel, …)."
    )
    async def create_stake_action(
        self,
        info: strawberry.Info,
        input: Annotated[
            CreateStakeActionInput,
            strawberry.argument(description="The stake and the kind of change."),
        ],
    ) -> StakeActionPayload:
        async def run() -> StakeOutcome:
            ref = _stake_ref(input.stake_id)
            return await _commands(info).stake_action(
                info.context.caller, ref, input.kind, input.amount, input.external_id
            )

        return await stake_payload(run)

    @strawberry.mutation(description="Opens a Dfns allocation (DeFi yield position).")
    async def create_allocation(
        self,
        info: strawberry.Info,
        input: Annotated[
            CreateAllocationInput,
            strawberry.argument(description="The protocol and what to put in."),
        ],
    ) -> AllocationActionPayload:
        async def run() -> AllocationOutcome:
            command = cmd.CreateAllocation(
                owner="",
                protocol=input.protocol,
                source_asset=_spec(input.source_asset, "input", "sourceAsset"),
                target_asset=_spec(input.target_asset, "input", "targetAsset"),
                slippage_bps=_slippage(input.slippage_bps),
                amount=positive_amount(input.amount, "input", "amount")
                if input.amount is not None
                else None,
                external_id=input.external_id,
            )
            return await _commands(info).create_allocation(
                info.context.caller, Provider.DFNS, command, input.wallet_id
            )

        return await allocation_payload(run)

    @strawberry.mutation(description="Deposits into or withdraws from an allocation.")
    async def create_allocation_action(
        self,
        info: strawberry.Info,
        input: Annotated[
            CreateAllocationActionInput,
            strawberry.argument(
                description="The allocation and the deposit or withdrawal."
            ),
        ],
    ) -> AllocationActionPayload:
        async def run() -> AllocationOutcome:
            node = input_id(input.allocation_id, "allocationId", expect="Allocation")
            source = _spec(input.source_asset, "input", "sourceAsset")
            target = _spec(input.target_asset, "input", "targetAsset")
            slippage = _slippage(input.slippage_bps)
            amount = (
                positive_amount(input.amount, "input", "amount")
                if input.amount is not None
                else None
            )
            return await _commands(info).allocation_action(
                info.context.caller,
                AllocationRef(node.provider, node.owner, node.key),
                lambda allocation: cmd.CreateAllocationAction(
                    owner=node.owner,
                    allocation=allocation,
                    kind=input.kind,
                    source_asset=source,
                    target_asset=target,
                    slippage_bps=slippage,
                    amount=amount,
                    external_id=input.external_id,
                ),
            )

        return await allocation_payload(run)

    @strawberry.mutation(
        description="Accepts a provider's staking terms for the caller."
    )
    async def accept_staking_terms(
        self,
        info: strawberry.Info,
        provider: Annotated[
            Provider,
            strawberry.argument(
                description=(
                    "The provider whose terms to accept; only ZEROHASH has terms "
                    "(Dfns and Crocante return UNSUPPORTED_ACTION)."
                )
            ),
        ],
    ) -> AcceptTermsPayload:
        errors = await _commands(info).accept_terms(info.context.caller, provider)
        return AcceptTermsPayload(
            accepted=not errors, user_errors=[UserError.of(e) for e in errors]
        )
