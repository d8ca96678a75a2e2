"""Stakes and their actions on the simulated clock.

A stake is `Staking` until its Stake action completes, then `Active`; Xdc and Babylon
unbond (`Unbonding` → `Unbond`) before a Withdraw (`Withdrawing` → `Withdrawn`);
Ethereum and Iota withdraw directly (Iota also in part, and takes deposits). One
action runs at a time. Above a per-asset threshold an action waits in
`PendingPolicyApproval` until decided. All of it follows the clock, lazily, on read.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from providers.dfns.sandbox.accrual import Accrual
from providers.dfns.sandbox.errors import bad_request, duplicate, not_found
from providers.dfns.sandbox.ids import hex_from, new_id
from providers.dfns.sandbox.protocols import STAKING, StakingRules
from providers.dfns.sandbox.stake_requests import StakeActionRequest, StakeRequest
from providers.dfns.sandbox.wallets import Wallets

IN_FLIGHT = frozenset({"PendingPolicyApproval", "InProgress"})


@dataclass
class SandboxStakeAction:
    id: str
    stake_id: str
    kind: str
    request_body: dict[str, object]
    created_at: datetime
    # Minimum units this action moves (a whole-stake action: the stake at request time).
    amount: int
    duration: timedelta
    external_id: str | None
    status: str = "InProgress"
    started_at: datetime | None = None
    failure_reason: str | None = None
    transaction_hash: str | None = None


@dataclass
class SandboxStake:
    id: str
    request: StakeRequest
    rules: StakingRules
    created_at: datetime
    accrual: Accrual
    status: str = "Staking"
    staked: int = 0
    activated_at: datetime | None = None
    actions: list[SandboxStakeAction] = field(default_factory=list)

    @property
    def wallet_id(self) -> str:
        return self.request.wallet_id


class StakeBook:
    def __init__(self, wallets: Wallets) -> None:
        self.wallets = wallets
        self._stakes: dict[str, SandboxStake] = {}
        self._by_action: dict[str, str] = {}
        self._created: dict[str, tuple[str, dict[str, object]]] = {}
        self._acted: dict[str, tuple[str, str, dict[str, object]]] = {}

    # Reading

    def get(self, stake_id: str, now: datetime) -> SandboxStake:
        stake = self._stakes.get(stake_id)
        if stake is None:
            raise not_found("Stake")
        self._settle(stake, now)
        return stake

    def all(self, now: datetime) -> list[SandboxStake]:
        for stake in self._stakes.values():
            self._settle(stake, now)
        return sorted(
            self._stakes.values(), key=lambda s: (s.created_at, s.id), reverse=True
        )

    def rewards(self, stake: SandboxStake, now: datetime) -> int | None:
        """What the stake has earned; None while no reward has been reported yet."""
        first = stake.activated_at
        if first is None or now < first + stake.rules.first_reward_after:
            return None
        return stake.accrual.earned(now)

    def pending_approvals(self, now: datetime) -> list[SandboxStakeAction]:
        return [
            a
            for s in self.all(now)
            for a in s.actions
            if a.status == "PendingPolicyApproval"
        ]

    # Writing

    def create(self, request: StakeRequest, at: datetime) -> SandboxStake:
        if request.external_id is not None and request.external_id in self._created:
            stake_id, body = self._created[request.external_id]
            if body != request.body:
                raise duplicate(stake_id, request.external_id)
            return self.get(stake_id, at)
        rules = STAKING[request.protocol]
        minimum = rules.asset.units(rules.min_amount)
        if request.amount < minimum:
            raise bad_request(
                f"Amount is below the minimum {rules.protocol} stake of "
                f"{rules.min_amount} {rules.asset.symbol}"
            )
        self.wallets.debit(request.wallet_id, rules.asset, request.amount)
        stake = SandboxStake(new_id("stk"), request, rules, at, Accrual(rules.apy_bps))
        self._stakes[stake.id] = stake
        if request.external_id is not None:
            self._created[request.external_id] = (stake.id, request.body)
        action = self._add_action(
            stake,
            "Stake",
            request.body,
            request.amount,
            rules.stake_time,
            request.external_id,
            at,
        )
        self._begin(stake, action, at)
        return stake

    def act(
        self, stake_id: str, request: StakeActionRequest, at: datetime
    ) -> SandboxStake:
        stake = self.get(stake_id, at)
        if request.external_id is not None and request.external_id in self._acted:
            action_id, acted_on, body = self._acted[request.external_id]
            if acted_on != stake_id or body != request.body:
                raise duplicate(action_id, request.external_id)
            return stake
        self._check_allowed(stake, request)
        rules = stake.rules
        amount = stake.staked if request.amount is None else request.amount
        duration = {
            "Unbond": rules.unbond_time,
            "Withdraw": rules.withdraw_time,
            "Deposit": rules.deposit_time,
        }[request.kind]
        assert (
            duration is not None
        )  # the request parser allows only kinds the chain has
        if request.kind == "Deposit":
            self.wallets.debit(stake.wallet_id, rules.asset, amount)
        action = self._add_action(
            stake, request.kind, request.body, amount, duration, request.external_id, at
        )
        if request.external_id is not None:
            self._acted[request.external_id] = (action.id, stake.id, request.body)
        self._begin(stake, action, at)
        return stake

    def decide(
        self, action_id: str, approved: bool, at: datetime
    ) -> SandboxStake | None:
        """A policy decision on a pending action; None if no stake has it."""
        stake_id = self._by_action.get(action_id)
        if stake_id is None:
            return None
        stake = self.get(stake_id, at)
        action = next(a for a in stake.actions if a.id == action_id)
        if action.status != "PendingPolicyApproval":
            raise bad_request(
                f"Action {action_id} is {action.status}, not awaiting approval"
            )
        if approved:
            self._start(stake, action, at)
        else:
            action.status = "Rejected"
            self._undo(stake, action)
        return stake

    def fail(self, stake_id: str, reason: str, at: datetime) -> None:
        """The chain refused the stake (used to seed a failed position)."""
        stake = self.get(stake_id, at)
        action = stake.actions[0]
        action.status, action.failure_reason = "Failed", reason
        self._undo(stake, action)

    # Lifecycle

    def _add_action(
        self,
        stake: SandboxStake,
        kind: str,
        body: dict[str, object],
        amount: int,
        duration: timedelta,
        external_id: str | None,
        at: datetime,
    ) -> SandboxStakeAction:
        action = SandboxStakeAction(
            new_id("stka"), stake.id, kind, body, at, amount, duration, external_id
        )
        stake.actions.append(action)
        self._by_action[action.id] = stake.id
        return action

    def _begin(
        self, stake: SandboxStake, action: SandboxStakeAction, at: datetime
    ) -> None:
        threshold = stake.rules.asset.units(stake.rules.approval_above)
        if action.kind in ("Stake", "Deposit") and action.amount > threshold:
            action.status = "PendingPolicyApproval"
        else:
            self._start(stake, action, at)

    def _whole(self, stake: SandboxStake, action: SandboxStakeAction) -> bool:
        return action.kind == "Withdraw" and action.amount >= stake.staked

    def _start(
        self, stake: SandboxStake, action: SandboxStakeAction, at: datetime
    ) -> None:
        action.status, action.started_at = "InProgress", at
        if action.kind == "Unbond":
            stake.status = "Unbonding"
            stake.accrual.stop(at)
        elif self._whole(stake, action):
            stake.status = "Withdrawing"
            stake.accrual.stop(at)
        elif action.kind == "Withdraw":
            stake.staked -= action.amount
            stake.accrual.earn(at, stake.staked)

    def _complete(
        self, stake: SandboxStake, action: SandboxStakeAction, at: datetime
    ) -> None:
        action.status = "Completed"
        action.transaction_hash = "0x" + hex_from(action.id, 64)
        if action.kind == "Stake":
            stake.status, stake.staked, stake.activated_at = "Active", action.amount, at
            stake.accrual.earn(at, stake.staked)
        elif action.kind == "Deposit":
            stake.staked += action.amount
            stake.accrual.earn(at, stake.staked)
        elif action.kind == "Unbond":
            stake.status = "Unbond"
        elif stake.status == "Withdrawing":
            self.wallets.credit(stake.wallet_id, stake.rules.asset, stake.staked)
            stake.status, stake.staked = "Withdrawn", 0
        else:
            self.wallets.credit(stake.wallet_id, stake.rules.asset, action.amount)

    def _undo(self, stake: SandboxStake, action: SandboxStakeAction) -> None:
        """A refused Stake or Deposit gives the funds back; a refused Stake fails."""
        if action.kind in ("Stake", "Deposit"):
            self.wallets.credit(stake.wallet_id, stake.rules.asset, action.amount)
        if action.kind == "Stake":
            stake.status = "Failed"

    def _settle(self, stake: SandboxStake, now: datetime) -> None:
        for action in stake.actions:
            if action.status == "InProgress" and action.started_at is not None:
                due = action.started_at + action.duration
                if due <= now:
                    self._complete(stake, action, due)

    def _check_allowed(self, stake: SandboxStake, request: StakeActionRequest) -> None:
        status, kind = stake.status, request.kind
        two_step = stake.rules.unbond_time is not None
        if kind in ("Unbond", "Withdraw") and status == "Staking":
            raise bad_request(
                f"Stake {stake.id} is not withdrawable yet: it is still Staking"
            )
        if kind == "Withdraw" and two_step and status in ("Active", "Unbonding"):
            raise bad_request(
                f"Stake {stake.id} is not withdrawable yet: it is {status}; "
                "it must be unbonded first"
            )
        busy = next((a for a in stake.actions if a.status in IN_FLIGHT), None)
        if busy is not None:
            raise bad_request(
                f"{kind} is not allowed while action {busy.id} is {busy.status}"
            )
        needed = "Unbond" if kind == "Withdraw" and two_step else "Active"
        if status != needed:
            raise bad_request(f"{kind} is not allowed for a stake in status {status}")
        if (
            request.amount is not None
            and kind == "Withdraw"
            and request.amount > stake.staked
        ):
            raise bad_request(
                f"Insufficient staked balance: stake {stake.id} holds {stake.staked}, "
                f"{request.amount} requested"
            )
