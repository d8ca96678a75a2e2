"""The allocation half of `DfnsAdapter` (DeFi yield positions, PROVIDERS.md 1.4)."""

from collections.abc import Callable, Sequence
from datetime import datetime

from gateway.domain.commands import (
    AllocationActionResult,
    CreateAllocation,
    CreateAllocationAction,
)
from gateway.domain.enums import AllocationActionKind, UserErrorCode
from gateway.domain.models import Allocation
from providers.base import ProviderRejected
from providers.dfns.allocation_mapping import to_allocation, to_allocation_action
from providers.dfns.allocation_models import DfnsAllocation
from providers.dfns.bodies import (
    allocation_action_body,
    allocation_fields,
    create_allocation_body,
    rejected,
)
from providers.dfns.catalog import ALLOCATION_PROTOCOLS, AllocationProtocol
from providers.dfns.client import DfnsClient
from providers.dfns.replay import (
    ALLOCATION_ID,
    is_conflict,
    not_found,
    pick_action,
    replayed_action,
)

_KINDS = {
    AllocationActionKind.DEPOSIT: "Deposit",
    AllocationActionKind.WITHDRAW: "Withdraw",
}


def _protocol(name: str) -> AllocationProtocol:
    protocol = ALLOCATION_PROTOCOLS.get(name)
    if protocol is None:
        raise rejected(f"{name!r} is not a Dfns allocation protocol", "protocol")
    return protocol


def _result(
    allocation: DfnsAllocation, kind: str, external_id: str | None
) -> AllocationActionResult:
    action = pick_action(allocation.actions, kind, external_id)
    return AllocationActionResult(
        allocation=to_allocation(allocation),
        action=to_allocation_action(action, allocation),
    )


class AllocationOperations:
    _client: DfnsClient
    _now: Callable[[], datetime]

    async def list_allocations(self, owners: Sequence[str]) -> Sequence[Allocation]:
        wanted = set(owners)
        if not wanted:
            return []
        listed = await self._client.list_allocations()
        return [to_allocation(a) for a in listed if a.wallet_id in wanted]

    async def _find_allocation(
        self, owner: str, allocation_id: str
    ) -> DfnsAllocation | None:
        if not ALLOCATION_ID.match(allocation_id):
            return None
        try:
            allocation = await self._client.get_allocation(allocation_id)
        except ProviderRejected as exc:
            if exc.user_error_code is UserErrorCode.NOT_FOUND:
                return None
            raise
        return allocation if allocation.wallet_id == owner else None

    async def get_allocation(
        self, owner: str, provider_allocation_id: str
    ) -> Allocation | None:
        allocation = await self._find_allocation(owner, provider_allocation_id)
        return None if allocation is None else to_allocation(allocation)

    async def create_allocation(
        self, command: CreateAllocation
    ) -> AllocationActionResult:
        protocol = _protocol(command.protocol)
        fields = allocation_fields(
            protocol,
            source_asset=command.source_asset,
            target_asset=command.target_asset,
            slippage_bps=command.slippage_bps,
            amount=command.amount,
        )
        body = create_allocation_body(
            protocol, command.owner, command.external_id, fields
        )
        try:
            allocation = await self._client.create_allocation(body)
        except ProviderRejected as exc:
            if not is_conflict(exc) or exc.existing_id is None:
                raise
            # The create body is echoed as the first Deposit action's requestBody.
            allocation = await self._client.get_allocation(exc.existing_id)
            replayed_action(allocation.actions, exc, body)
        return _result(allocation, "Deposit", command.external_id)

    async def create_allocation_action(
        self, command: CreateAllocationAction
    ) -> AllocationActionResult:
        allocation_id = command.allocation.provider_allocation_id
        if command.allocation.wallet_id != command.owner or not ALLOCATION_ID.match(
            allocation_id
        ):
            raise not_found(f"allocation {allocation_id}")
        protocol = _protocol(command.allocation.protocol)
        kind = _KINDS[command.kind]
        fields = allocation_fields(
            protocol,
            source_asset=command.source_asset,
            target_asset=command.target_asset,
            slippage_bps=command.slippage_bps,
            amount=command.amount,
        )
        body = allocation_action_body(kind, command.external_id, fields)
        try:
            allocation = await self._client.create_allocation_action(
                allocation_id, body
            )
        except ProviderRejected as exc:
            if not is_conflict(exc):
                raise
            allocation = await self._client.get_allocation(allocation_id)
            replayed_action(allocation.actions, exc, body)
        return _result(allocation, kind, command.external_id)
