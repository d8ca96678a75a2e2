"""Allocations (DeFi yield positions) and their Deposit/Withdraw actions on the clock.

An allocation has no status; its actions do. A deposit moves funds out of the wallet at
once and into the position when it completes; a withdrawal leaves the position at once
and reaches the wallet when it completes. A 0fns trade fails, refunded, when what it
yields falls below `targetAsset.amount` less the slippage tolerance. Rewards accrue on
the position with the clock.
"""

from dataclasses import dataclass, field
from datetime import datetime

from providers.dfns.sandbox.accrual import Accrual
from providers.dfns.sandbox.allocation_requests import AllocationRequest, Movement
from providers.dfns.sandbox.errors import bad_request, duplicate, not_found
from providers.dfns.sandbox.ids import new_id
from providers.dfns.sandbox.protocols import (
    ALLOCATION_APPROVAL_ABOVE,
    ALLOCATION_TIME,
    SWAP_FEE_BPS,
    AllocationRules,
    ChainAsset,
)
from providers.dfns.sandbox.wallets import Wallets


@dataclass
class SandboxAllocationAction:
    id: str
    allocation_id: str
    kind: str
    movement: Movement
    created_at: datetime
    # What leaves (wallet for a deposit, position for a withdrawal), in minimum units.
    amount_in: int
    # The least the trade may yield (0fns); 0 for vaults.
    min_out: int = 0
    status: str = "InProgress"
    started_at: datetime | None = None
    failure_reason: str | None = None


@dataclass
class SandboxAllocation:
    id: str
    wallet_id: str
    rules: AllocationRules
    created_at: datetime
    accrual: Accrual
    position: int = 0
    actions: list[SandboxAllocationAction] = field(default_factory=list)


class AllocationBook:
    def __init__(self, wallets: Wallets) -> None:
        self.wallets = wallets
        self._allocations: dict[str, SandboxAllocation] = {}
        self._by_action: dict[str, str] = {}
        # externalId → (entity id answered in a 409, allocation id, body)
        self._external: dict[str, tuple[str, str, dict[str, object]]] = {}

    def get(self, allocation_id: str, now: datetime) -> SandboxAllocation:
        allocation = self._allocations.get(allocation_id)
        if allocation is None:
            raise not_found("Allocation")
        self._settle(allocation, now)
        return allocation

    def all(self, now: datetime) -> list[SandboxAllocation]:
        for allocation in self._allocations.values():
            self._settle(allocation, now)
        return sorted(
            self._allocations.values(), key=lambda a: (a.created_at, a.id), reverse=True
        )

    def pending_approvals(self, now: datetime) -> list[SandboxAllocationAction]:
        return [
            a
            for x in self.all(now)
            for a in x.actions
            if a.status == "PendingPolicyApproval"
        ]

    def _replay(self, movement: Movement, allocation_id: str | None) -> str | None:
        """Where an identical earlier request went; a 409 for a different one."""
        if movement.external_id is None or movement.external_id not in self._external:
            return None
        entity_id, earlier_allocation, body = self._external[movement.external_id]
        if body != movement.body or allocation_id not in (None, earlier_allocation):
            raise duplicate(entity_id, movement.external_id)
        return earlier_allocation

    def create(self, request: AllocationRequest, at: datetime) -> SandboxAllocation:
        replayed = self._replay(request.movement, None)
        if replayed is not None:
            return self.get(replayed, at)
        rules = request.rules
        allocation = SandboxAllocation(
            new_id("allctn"), request.wallet_id, rules, at, Accrual(rules.apy_bps)
        )
        action = self._deposit(allocation, request.movement, at)
        self._allocations[allocation.id] = allocation
        self._remember(request.movement, allocation.id, allocation.id)
        self._begin(allocation, action, at)
        return allocation

    def act(
        self, allocation_id: str, kind: str, movement: Movement, at: datetime
    ) -> SandboxAllocation:
        allocation = self.get(allocation_id, at)
        if self._replay(movement, allocation_id) is not None:
            return allocation
        if kind == "Deposit":
            action = self._deposit(allocation, movement, at)
        else:
            action = self._withdraw(allocation, movement, at)
        self._remember(movement, action.id, allocation.id)
        self._begin(allocation, action, at)
        return allocation

    def decide(
        self, action_id: str, approved: bool, at: datetime
    ) -> SandboxAllocation | None:
        allocation_id = self._by_action.get(action_id)
        if allocation_id is None:
            return None
        allocation = self.get(allocation_id, at)
        action = next(a for a in allocation.actions if a.id == action_id)
        if action.status != "PendingPolicyApproval":
            raise bad_request(
                f"Action {action_id} is {action.status}, not awaiting approval"
            )
        if approved:
            action.status, action.started_at = "InProgress", at
        else:
            action.status = "Rejected"
            self.wallets.credit(
                allocation.wallet_id, self._paid_with(allocation), action.amount_in
            )
        return allocation

    def _remember(self, movement: Movement, entity_id: str, allocation_id: str) -> None:
        if movement.external_id is not None:
            self._external[movement.external_id] = (
                entity_id,
                allocation_id,
                movement.body,
            )

    @staticmethod
    def _paid_with(allocation: SandboxAllocation) -> ChainAsset:
        return allocation.rules.quote or allocation.rules.position

    def _swap_in(
        self, allocation: SandboxAllocation, movement: Movement, kind: str
    ) -> tuple[int, int]:
        """(amount in, least acceptable out) of a 0fns trade, its contracts checked."""
        rules, swap = allocation.rules, movement.swap
        assert rules.quote is not None and swap is not None
        source, target = (
            (rules.quote, rules.position)
            if kind == "Deposit"
            else (rules.position, rules.quote)
        )
        for leg, asset, key in (
            (swap.source, source, "sourceAsset"),
            (swap.target, target, "targetAsset"),
        ):
            if leg.contract.lower() != (asset.contract or "").lower():
                raise bad_request(
                    f"body.{key}.contract must be {asset.contract} "
                    f"({asset.symbol}) for a {kind}"
                )
        min_out = swap.target.amount * (10_000 - swap.slippage_bps) // 10_000
        return swap.source.amount, min_out

    def _new_action(
        self,
        allocation: SandboxAllocation,
        kind: str,
        movement: Movement,
        at: datetime,
        amount_in: int,
        min_out: int,
    ) -> SandboxAllocationAction:
        action = SandboxAllocationAction(
            new_id("allctna"), allocation.id, kind, movement, at, amount_in, min_out
        )
        allocation.actions.append(action)
        self._by_action[action.id] = allocation.id
        return action

    def _deposit(
        self, allocation: SandboxAllocation, movement: Movement, at: datetime
    ) -> SandboxAllocationAction:
        amount_in, min_out = movement.amount or 0, 0
        if movement.swap is not None:
            amount_in, min_out = self._swap_in(allocation, movement, "Deposit")
        self.wallets.debit(allocation.wallet_id, self._paid_with(allocation), amount_in)
        return self._new_action(allocation, "Deposit", movement, at, amount_in, min_out)

    def _withdraw(
        self, allocation: SandboxAllocation, movement: Movement, at: datetime
    ) -> SandboxAllocationAction:
        amount_in, min_out = movement.amount or 0, 0
        if movement.swap is not None:
            amount_in, min_out = self._swap_in(allocation, movement, "Withdraw")
        if amount_in > allocation.position:
            raise bad_request(
                f"Insufficient allocation balance: {allocation.position} available, "
                f"{amount_in} requested"
            )
        return self._new_action(
            allocation, "Withdraw", movement, at, amount_in, min_out
        )

    def _begin(
        self,
        allocation: SandboxAllocation,
        action: SandboxAllocationAction,
        at: datetime,
    ) -> None:
        threshold = self._paid_with(allocation).units(ALLOCATION_APPROVAL_ABOVE)
        if action.kind == "Deposit" and action.amount_in > threshold:
            action.status = "PendingPolicyApproval"
            return
        action.status, action.started_at = "InProgress", at
        if action.kind == "Withdraw":
            allocation.position -= action.amount_in
            allocation.accrual.earn(at, allocation.position)

    def _complete(
        self,
        allocation: SandboxAllocation,
        action: SandboxAllocationAction,
        at: datetime,
    ) -> None:
        out = action.amount_in
        if allocation.rules.quote is not None:
            out = action.amount_in * (10_000 - SWAP_FEE_BPS) // 10_000
        if out < action.min_out:
            action.status = "Failed"
            action.failure_reason = (
                f"Slippage tolerance exceeded: the trade yields {out}, "
                f"below {action.min_out}"
            )
            if action.kind == "Deposit":
                self.wallets.credit(
                    allocation.wallet_id, self._paid_with(allocation), action.amount_in
                )
            else:
                allocation.position += action.amount_in
                allocation.accrual.earn(at, allocation.position)
            return
        action.status = "Completed"
        if action.kind == "Deposit":
            allocation.position += out
            allocation.accrual.earn(at, allocation.position)
        else:
            received = allocation.rules.quote or allocation.rules.position
            self.wallets.credit(allocation.wallet_id, received, out)

    def _settle(self, allocation: SandboxAllocation, now: datetime) -> None:
        running = [
            a for a in allocation.actions if a.status == "InProgress" and a.started_at
        ]
        for action in sorted(running, key=lambda a: (a.started_at, a.id)):
            assert action.started_at is not None
            due = action.started_at + ALLOCATION_TIME
            if due <= now:
                self._complete(allocation, action, due)
