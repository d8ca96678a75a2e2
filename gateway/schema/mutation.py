"""Mutation: decode ids, hand over to the command service, shape the payload."""

import strawberry

from gateway.domain import commands as cmd
from gateway.domain.errors import UserFacingError, invalid_input
from gateway.schema.enums import Provider
from gateway.schema.ids import decode_id
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
)
from gateway.schema.types import (
    Allocation,
    AllocationAction,
    Stake,
    StakeAction,
    UserError,
)
from gateway.services.commands import (
    AllocationOutcome,
    AllocationRef,
    StakeOutcome,
    StakeRef,
)
from gateway.services.validation import positive_amount

MAX_SLIPPAGE_BPS = 10_000


def _stake_payload(outcome: StakeOutcome) -> StakeActionPayload:
    result = outcome.result
    return StakeActionPayload(
        stake=Stake.of(result.stake) if result and result.stake else None,
        action=StakeAction.of(result.action) if result and result.action else None,
        user_errors=[UserError.of(e) for e in outcome.errors],
    )


def _allocation_payload(outcome: AllocationOutcome) -> AllocationActionPayload:
    result = outcome.result
    return AllocationActionPayload(
        allocation=Allocation.of(result.allocation)
        if result and result.allocation
        else None,
        action=AllocationAction.of(result.action) if result and result.action else None,
        user_errors=[UserError.of(e) for e in outcome.errors],
    )


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
        self, info: strawberry.Info, input: CreateStakeInput
    ) -> StakeActionPayload:
        try:
            node = decode_id(
                input.product_id, "input", "productId", expect="StakingProduct"
            )
        except UserFacingError as error:
            return StakeActionPayload(
                stake=None, action=None, user_errors=[UserError.of(error.error)]
            )
        outcome = await info.context.services.commands.create_stake(
            info.context.caller,
            provider=node.provider,
            product_id=node.key,
            amount=input.amount,
            wallet_id=input.wallet_id,
            validator=input.validator,
            external_id=input.external_id,
        )
        return _stake_payload(outcome)

    @strawberry.mutation(
        description="Unstakes (or redeems) all of a stake, or part of it."
    )
    async def unstake(
        self, info: strawberry.Info, input: UnstakeInput
    ) -> StakeActionPayload:
        try:
            node = decode_id(input.stake_id, "input", "stakeId", expect="Stake")
        except UserFacingError as error:
            return StakeActionPayload(
                stake=None, action=None, user_errors=[UserError.of(error.error)]
            )
        ref = StakeRef(node.provider, node.owner, node.key)
        outcome = await info.context.services.commands.unstake(
            info.context.caller, ref, input.amount, input.external_id
        )
        return _stake_payload(outcome)

    @strawberry.mutation(
        description="Requests a change on a stake (withdraw, cancel, …)."
    )
    async def create_stake_action(
        self, info: strawberry.Info, input: CreateStakeActionInput
    ) -> StakeActionPayload:
        try:
            node = decode_id(input.stake_id, "input", "stakeId", expect="Stake")
        except UserFacingError as error:
            return StakeActionPayload(
                stake=None, action=None, user_errors=[UserError.of(error.error)]
            )
        ref = StakeRef(node.provider, node.owner, node.key)
        outcome = await info.context.services.commands.stake_action(
            info.context.caller, ref, input.kind, input.amount, input.external_id
        )
        return _stake_payload(outcome)

    @strawberry.mutation(description="Opens a Dfns allocation (DeFi yield position).")
    async def create_allocation(
        self, info: strawberry.Info, input: CreateAllocationInput
    ) -> AllocationActionPayload:
        try:
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
        except UserFacingError as error:
            return AllocationActionPayload(
                allocation=None, action=None, user_errors=[UserError.of(error.error)]
            )
        outcome = await info.context.services.commands.create_allocation(
            info.context.caller, Provider.DFNS, command, input.wallet_id
        )
        return _allocation_payload(outcome)

    @strawberry.mutation(description="Deposits into or withdraws from an allocation.")
    async def create_allocation_action(
        self, info: strawberry.Info, input: CreateAllocationActionInput
    ) -> AllocationActionPayload:
        try:
            node = decode_id(
                input.allocation_id, "input", "allocationId", expect="Allocation"
            )
            source = _spec(input.source_asset, "input", "sourceAsset")
            target = _spec(input.target_asset, "input", "targetAsset")
            slippage = _slippage(input.slippage_bps)
            amount = (
                positive_amount(input.amount, "input", "amount")
                if input.amount is not None
                else None
            )
        except UserFacingError as error:
            return AllocationActionPayload(
                allocation=None, action=None, user_errors=[UserError.of(error.error)]
            )
        ref = AllocationRef(node.provider, node.owner, node.key)
        outcome = await info.context.services.commands.allocation_action(
            info.context.caller,
            ref,
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
        return _allocation_payload(outcome)

    @strawberry.mutation(
        description="Accepts a provider's staking terms for the caller."
    )
    async def accept_staking_terms(
        self, info: strawberry.Info, provider: Provider
    ) -> AcceptTermsPayload:
        errors = await info.context.services.commands.accept_terms(
            info.context.caller, provider
        )
        return AcceptTermsPayload(
            accepted=not errors, user_errors=[UserError.of(e) for e in errors]
        )
