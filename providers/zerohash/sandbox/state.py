"""The sandbox's state and the lifecycles that run on the simulated clock.

Every transition is scheduled at a simulated time and applied, in time order, by
`settle(now)`, which every request and every clock advance calls first: the state a
client reads is always the state at `clock.now()`, and the same clock gives the same
history. Balances move available → collateral → staked on a stake and back on an
unstake; staked amounts earn a daily reward of apy_net / 365, compounded into the stake.
Rewards keep accruing while an unstake cools down (live API).
"""

import hashlib
import heapq
import random
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from typing import Any

from providers.zerohash.sandbox import views
from providers.zerohash.sandbox.assets import (
    ASSETS,
    BROADCAST_AFTER,
    CONFIRM_AFTER,
    REWARD_EVERY,
    STARTING_BALANCES,
)
from providers.zerohash.sandbox.participants import new_participant
from providers.zerohash.sandbox.records import (
    Balances,
    Participant,
    RewardRec,
    StakeRec,
    UnstakeRec,
)
from providers.zerohash.unstakes import Position, allocate

Emit = Callable[[dict[str, Any]], None]
DAYS_PER_YEAR = Decimal(365)
REWARD_QUANTUM = Decimal("1e-8")
# Statuses after which a request moves no more.
FINAL = frozenset({"staked", "unstaked", "canceled", "failed"})


class ZerohashState:
    def __init__(self, *, rng: random.Random | None = None) -> None:
        self.participants: dict[str, Participant] = {}
        self.stakes: dict[str, StakeRec] = {}
        self.unstakes: dict[str, UnstakeRec] = {}
        self.rewards: list[RewardRec] = []
        self.emit: Emit = lambda _event: None
        self._rng = rng or random.Random()
        self._queue: list[tuple[datetime, int, str, str]] = []
        self._seq = 0
        self._settled_at: datetime | None = None

    def new_id(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def participant(self, code: str, now: datetime) -> Participant:
        """The participant `code`, created with a starting balance on first sight."""
        found = self.participants.get(code)
        if found is None:
            found = new_participant(code, now, STARTING_BALANCES)
            self.participants[code] = found
        return found

    def balances(self, code: str, label: str, asset: str) -> Balances:
        return self.participants[code].accounts[label].setdefault(asset, Balances())

    def pending_share(self, stake: StakeRec) -> Decimal:
        """What unstakes still under way take from `stake`."""
        return sum(
            (
                amount
                for u in self.unstakes.values()
                if u.status not in FINAL
                for stake_id, amount in u.shares
                if stake_id == stake.stake_id
            ),
            Decimal(0),
        )

    def positions(self, code: str, label: str, asset: str) -> list[Position]:
        """The staked stakes an unstake of `asset` can take from, with what is left."""
        return [
            Position(
                s.stake_id, s.created_at, s.current_quantity - self.pending_share(s)
            )
            for s in self.stakes.values()
            if s.participant_code == code
            and s.account_label == label
            and s.asset == asset
            and s.status == "staked"
            and s.closed_at is None
        ]

    # Requests ----------------------------------------------------------------------

    def submit_stake(
        self, p: Participant, label: str, asset: str, quantity: Decimal, now: datetime
    ) -> StakeRec:
        spec = ASSETS[asset]
        account = self.balances(p.code, label, asset)
        account.available -= quantity
        account.collateral += quantity
        stake_id = self.new_id()
        stake = StakeRec(
            stake_id=stake_id,
            participant_code=p.code,
            account_label=label,
            asset=asset,
            quantity=quantity,
            status="submitted",
            apy=spec.apy_net,
            created_at=now,
            updated_at=now,
            estimated_activation_time=now + max(spec.activation, CONFIRM_AFTER),
            validator_id=f"validator_{asset.lower()}_{int(stake_id[:4], 16) % 8:02d}",
            validator_provider=spec.validator_provider,
            current_quantity=quantity,
        )
        self.stakes[stake_id] = stake
        self._stake_moved(stake, now)
        self._schedule(now + BROADCAST_AFTER, "stake", stake_id)
        return stake

    def cancel_stake(self, stake: StakeRec, now: datetime) -> None:
        account = self.balances(
            stake.participant_code, stake.account_label, stake.asset
        )
        account.collateral -= stake.quantity
        account.available += stake.quantity
        stake.status, stake.reason = "canceled", "user_initiated"
        stake.current_quantity = Decimal(0)
        stake.closed_at = now
        self._stake_moved(stake, now)

    def submit_unstake(
        self,
        p: Participant,
        label: str,
        asset: str,
        quantity: Decimal,
        unstake_type: str,
        now: datetime,
    ) -> UnstakeRec:
        """An asset-level unstake, its shares taken oldest stake first."""
        spec = ASSETS[asset]
        account = self.balances(p.code, label, asset)
        account.staked -= quantity
        account.collateral += quantity
        positions = self.positions(p.code, label, asset)
        shares = allocate(quantity, positions)
        left = {pos.stake_id: pos.capacity for pos in positions}
        unstake = UnstakeRec(
            unstake_id=self.new_id(),
            shares=shares,
            whole={sid for sid, share in shares if share == left[sid]},
            participant_code=p.code,
            account_label=label,
            asset=asset,
            amount=quantity,
            unstake_type=unstake_type,
            status="submitted",
            cooldown_period_days=spec.unstaking_period_days,
            created_at=now,
            updated_at=now,
            estimated_available_at=now + timedelta(days=spec.unstaking_period_days),
        )
        self.unstakes[unstake.unstake_id] = unstake
        self._unstake_moved(unstake, now)
        self._schedule(now + BROADCAST_AFTER, "unstake", unstake.unstake_id)
        return unstake

    def cancel_unstake(self, unstake: UnstakeRec, now: datetime) -> None:
        self._return_to_stake(unstake)
        unstake.status, unstake.reason = "canceled", "user_initiated"
        self._unstake_moved(unstake, now)

    # The clock ---------------------------------------------------------------------

    def settle(self, now: datetime) -> None:
        """Apply every transition due by `now`, in time order."""
        if self._settled_at is not None and now < self._settled_at:
            return
        self._settled_at = now
        while self._queue and self._queue[0][0] <= now:
            due, _, kind, target = heapq.heappop(self._queue)
            if kind == "stake":
                self._advance_stake(self.stakes[target], due)
            elif kind == "unstake":
                self._advance_unstake(self.unstakes[target], due)
            else:
                self._credit_reward(self.stakes[target], due)

    def _schedule(self, due: datetime, kind: str, target: str) -> None:
        self._seq += 1
        heapq.heappush(self._queue, (due, self._seq, kind, target))

    def _advance_stake(self, stake: StakeRec, due: datetime) -> None:
        owner = self.participants[stake.participant_code]
        if stake.status == "submitted":
            stake.status = "broadcasted"
            stake.tx_hash = _tx_hash(stake.stake_id)
            self._schedule(stake.created_at + CONFIRM_AFTER, "stake", stake.stake_id)
        elif stake.status == "broadcasted" and owner.stakes_fail:
            account = self.balances(owner.code, stake.account_label, stake.asset)
            account.collateral -= stake.quantity
            account.available += stake.quantity
            stake.status, stake.reason = "failed", "pool_capacity_exceeded"
            stake.current_quantity = Decimal(0)
            stake.closed_at = due
        elif stake.status == "broadcasted":
            stake.status = "confirmed"
            self._schedule(stake.estimated_activation_time, "stake", stake.stake_id)
        elif stake.status == "confirmed":
            account = self.balances(owner.code, stake.account_label, stake.asset)
            account.collateral -= stake.quantity
            account.staked += stake.quantity
            stake.status, stake.activated_at = "staked", due
            self._schedule(due + REWARD_EVERY, "reward", stake.stake_id)
        else:
            return  # canceled meanwhile: nothing left to do
        self._stake_moved(stake, due)

    def _advance_unstake(self, unstake: UnstakeRec, due: datetime) -> None:
        owner = self.participants[unstake.participant_code]
        if unstake.status == "submitted":
            unstake.status = "broadcasted"
            unstake.tx_hash = _tx_hash(unstake.unstake_id)
            self._schedule(
                unstake.created_at + CONFIRM_AFTER, "unstake", unstake.unstake_id
            )
        elif unstake.status == "broadcasted" and owner.unstakes_fail:
            self._return_to_stake(unstake)
            unstake.status, unstake.reason = "failed", "exit_queue_full"
        elif unstake.status == "broadcasted":
            unstake.status = "confirmed"
            self._schedule(
                unstake.estimated_available_at, "unstake", unstake.unstake_id
            )
        elif unstake.status == "confirmed":
            self._release(unstake, due)
            unstake.status = "unstaked"
        else:
            return
        self._unstake_moved(unstake, due)

    def _release(self, unstake: UnstakeRec, due: datetime) -> None:
        account = self.balances(
            unstake.participant_code, unstake.account_label, unstake.asset
        )
        account.collateral -= unstake.amount
        account.available += unstake.amount
        for stake_id, share in unstake.shares:
            stake = self.stakes[stake_id]
            stake.current_quantity -= share
            if unstake.unstake_type == "full" or stake_id in unstake.whole:
                # What the stake earned while cooling down leaves with it.
                account.staked -= stake.current_quantity
                account.available += stake.current_quantity
                stake.current_quantity = Decimal(0)
            if stake.current_quantity <= 0:
                stake.closed_at = due
            stake.updated_at = due

    def _return_to_stake(self, unstake: UnstakeRec) -> None:
        account = self.balances(
            unstake.participant_code, unstake.account_label, unstake.asset
        )
        account.collateral -= unstake.amount
        account.staked += unstake.amount

    def _credit_reward(self, stake: StakeRec, due: datetime) -> None:
        if stake.status != "staked" or stake.closed_at is not None:
            return
        spec = ASSETS[stake.asset]
        earned = (stake.current_quantity * stake.apy / 100 / DAYS_PER_YEAR).quantize(
            REWARD_QUANTUM, rounding=ROUND_DOWN
        )
        self._schedule(due + REWARD_EVERY, "reward", stake.stake_id)
        if earned <= 0:
            return
        stake.current_quantity += earned
        stake.total_rewards += earned
        stake.last_reward_at = stake.updated_at = due
        self.balances(
            stake.participant_code, stake.account_label, stake.asset
        ).staked += earned
        reward = RewardRec(
            reward_id=self.new_id(),
            stake_id=stake.stake_id,
            participant_code=stake.participant_code,
            account_label=stake.account_label,
            asset=stake.asset,
            amount=earned,
            reward_date=(due - REWARD_EVERY).date(),
            credited_at=due,
            usd_value=earned * spec.price_usd,
            apy=stake.apy,
            validator_id=stake.validator_id,
            cumulative=stake.total_rewards,
        )
        self.rewards.append(reward)
        self.emit(views.reward_event(reward, self._sent_at(due)))

    def _sent_at(self, due: datetime) -> datetime:
        return max(due, self._settled_at) if self._settled_at else due

    def _stake_moved(self, stake: StakeRec, at: datetime) -> None:
        stake.updated_at = at
        self.emit(views.stake_event(stake, self._sent_at(at), at))

    def _unstake_moved(self, unstake: UnstakeRec, at: datetime) -> None:
        unstake.updated_at = at
        self.emit(views.unstake_event(unstake, self._sent_at(at), at))


def _tx_hash(request_id: str) -> str:
    return "0x" + hashlib.sha256(request_id.encode()).hexdigest()
