"""The write side: validate, run once per externalId, call the provider, record the change."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

from gateway.domain import commands as cmd
from gateway.domain.assets import decimals_of
from gateway.domain.caller import Caller
from gateway.domain.enums import EventSource, Provider, StakeActionKind, UserErrorCode
from gateway.domain.errors import UserError, UserFacingError, invalid_input, not_found
from gateway.domain.models import Allocation, Stake, StakingProduct
from gateway.services import validation
from gateway.services.idempotent import run_once
from gateway.services.provider_set import ProviderSet
from gateway.services.reads import StakingReader
from gateway.services.status_feed import StatusFeed, reports_for_result
from gateway.store.idempotency import IdempotencyStore
from providers.base import ProviderError, ProviderRejected, ProviderUnavailable


@dataclass(frozen=True, slots=True)
class StakeOutcome:
    result: cmd.StakeActionResult | None = None
    errors: tuple[UserError, ...] = ()


@dataclass(frozen=True, slots=True)
class AllocationOutcome:
    result: cmd.AllocationActionResult | None = None
    errors: tuple[UserError, ...] = field(default=())


Outcome = TypeVar("Outcome", StakeOutcome, AllocationOutcome)


@dataclass(frozen=True, slots=True)
class StakeRef:
    provider: Provider
    owner: str
    provider_stake_id: str


@dataclass(frozen=True, slots=True)
class AllocationRef:
    provider: Provider
    owner: str
    provider_allocation_id: str


def provider_error_as_user_error(error: ProviderError) -> UserError:
    if isinstance(error, ProviderRejected):
        return error.as_user_error()
    return UserError(
        UserErrorCode.PROVIDER_UNAVAILABLE,
        f"{error.provider.value.title()} could not take this request now ({error.code}).",
    )


class StakingCommands:
    def __init__(
        self,
        providers: ProviderSet,
        reader: StakingReader,
        idempotency: IdempotencyStore,
        feed: StatusFeed,
    ) -> None:
        self.providers = providers
        self.reader = reader
        self.idempotency = idempotency
        self.feed = feed

    async def _write_once(
        self,
        caller: Caller,
        provider: Provider,
        operation: str,
        payload: object,
        external_id: str | None,
        call: Callable[[], Awaitable[Any]],
        kind: type[Outcome],
    ) -> Outcome:
        """One provider write per externalId; refusals and outages become userErrors."""

        async def attempt() -> Outcome:
            try:
                result = await self.providers.write(provider, call)
            except ProviderUnavailable:
                raise  # leaves no idempotency record: the caller may retry
            except ProviderError as error:
                return kind(errors=(provider_error_as_user_error(error),))
            if isinstance(result, cmd.StakeActionResult):
                await self.feed.record(reports_for_result(result, EventSource.MUTATION))
            return kind(result=result)

        try:
            return await run_once(
                self.idempotency,
                client_id=caller.client_id,
                external_id=external_id,
                operation=operation,
                payload=payload,
                kind=kind,
                action=attempt,
            )
        except UserFacingError as error:
            return kind(errors=(error.error,))
        except ProviderUnavailable as error:
            return kind(errors=(provider_error_as_user_error(error),))

    async def _product(self, provider: Provider, product_id: str) -> StakingProduct:
        product = await self.providers.find_product(provider, product_id)
        if product is None:
            raise not_found("There is no such staking product.", "input", "productId")
        return validation.open_product(product)

    async def create_stake(
        self,
        caller: Caller,
        *,
        provider: Provider,
        product_id: str,
        amount: Decimal,
        wallet_id: str | None,
        validator: str | None,
        external_id: str | None,
    ) -> StakeOutcome:
        try:
            external_id = validation.external_id(external_id)
            owner = validation.owner_for(caller, provider, wallet_id)
            product = await self._product(provider, product_id)
            validation.stake_amount(product, amount)
            if product.requires_validator and not validator:
                raise invalid_input(
                    "This protocol needs a validator (or candidate).",
                    "input",
                    "validator",
                )
        except UserFacingError as error:
            return StakeOutcome(errors=(error.error,))
        except ProviderError as error:
            return StakeOutcome(errors=(provider_error_as_user_error(error),))
        command = cmd.CreateStake(
            owner=owner,
            product=product,
            amount=amount,
            validator=validator,
            external_id=external_id,
        )
        adapter = self.providers.adapter(provider)
        payload = (owner, product.provider_product_id, amount, validator)
        return await self._write_once(
            caller,
            provider,
            "createStake",
            payload,
            external_id,
            lambda: adapter.create_stake(command),
            StakeOutcome,
        )

    async def _owned_stake(self, caller: Caller, ref: StakeRef) -> Stake:
        stake = await self.reader.stake(
            caller, ref.provider, ref.owner, ref.provider_stake_id
        )
        if stake is None:
            raise not_found("There is no such stake.", "input", "stakeId")
        return stake

    async def unstake(
        self,
        caller: Caller,
        ref: StakeRef,
        amount: Decimal | None,
        external_id: str | None,
    ) -> StakeOutcome:
        return await self.stake_action(
            caller,
            ref,
            StakeActionKind.UNSTAKE,
            amount,
            external_id,
            operation="unstake",
        )

    async def stake_action(
        self,
        caller: Caller,
        ref: StakeRef,
        kind: StakeActionKind,
        amount: Decimal | None,
        external_id: str | None,
        *,
        operation: str = "createStakeAction",
    ) -> StakeOutcome:
        try:
            external_id = validation.external_id(external_id)
            if not caller.owns(ref.provider, ref.owner):
                raise not_found("There is no such stake.", "input", "stakeId")
            stake = await self._owned_stake(caller, ref)
            if amount is not None:
                validation.positive_amount(
                    amount,
                    "input",
                    "amount",
                    decimals=decimals_of(stake.asset.symbol, stake.asset.decimals),
                )
                if amount > stake.amount:
                    raise invalid_input(
                        "The amount is larger than the stake.", "input", "amount"
                    )
        except UserFacingError as error:
            return StakeOutcome(errors=(error.error,))
        except ProviderError as error:
            return StakeOutcome(errors=(provider_error_as_user_error(error),))
        adapter = self.providers.adapter(ref.provider)
        payload = (ref.owner, ref.provider_stake_id, kind, amount)
        call: Callable[[], Awaitable[cmd.StakeActionResult]]
        if kind is StakeActionKind.UNSTAKE and operation == "unstake":
            unstake = cmd.Unstake(ref.owner, stake, amount, external_id)
            call = lambda: adapter.unstake(unstake)  # noqa: E731
        else:
            action = cmd.CreateStakeAction(ref.owner, stake, kind, amount, external_id)
            call = lambda: adapter.create_stake_action(action)  # noqa: E731
        return await self._write_once(
            caller, ref.provider, operation, payload, external_id, call, StakeOutcome
        )

    async def accept_terms(
        self, caller: Caller, provider: Provider
    ) -> tuple[UserError, ...]:
        try:
            owners = caller.owners(provider) or (
                validation.owner_for(caller, provider, None),
            )
            adapter = self.providers.adapter(provider)
            for owner in owners:
                await self.providers.write(
                    provider, partial(adapter.accept_terms, owner)
                )
        except UserFacingError as error:
            return (error.error,)
        except ProviderError as error:
            return (provider_error_as_user_error(error),)
        return ()

    async def create_allocation(
        self,
        caller: Caller,
        provider: Provider,
        command: cmd.CreateAllocation,
        wallet_id: str | None,
    ) -> AllocationOutcome:
        try:
            validation.external_id(command.external_id)
            owner = validation.owner_for(caller, provider, wallet_id)
            command = replace(command, owner=owner)
            adapter = self.providers.allocation_adapter(provider)
        except UserFacingError as error:
            return AllocationOutcome(errors=(error.error,))
        except ProviderError as error:
            return AllocationOutcome(errors=(provider_error_as_user_error(error),))
        return await self._write_once(
            caller,
            provider,
            "createAllocation",
            command,
            command.external_id,
            lambda: adapter.create_allocation(command),
            AllocationOutcome,
        )

    async def allocation_action(
        self,
        caller: Caller,
        ref: AllocationRef,
        build: Callable[[Allocation], cmd.CreateAllocationAction],
    ) -> AllocationOutcome:
        try:
            allocation = await self.reader.allocation(
                caller, ref.provider, ref.owner, ref.provider_allocation_id
            )
            if allocation is None:
                raise not_found("There is no such allocation.", "input", "allocationId")
            command = build(allocation)
            validation.external_id(command.external_id)
            adapter = self.providers.allocation_adapter(ref.provider)
        except UserFacingError as error:
            return AllocationOutcome(errors=(error.error,))
        except ProviderError as error:
            return AllocationOutcome(errors=(provider_error_as_user_error(error),))
        payload = replace(command, allocation=None)  # type: ignore[arg-type]
        return await self._write_once(
            caller,
            ref.provider,
            "createAllocationAction",
            (ref, payload),
            command.external_id,
            lambda: adapter.create_allocation_action(command),
            AllocationOutcome,
        )
