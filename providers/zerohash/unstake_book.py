"""The unstakes this adapter submitted, followed by their own `unstake_id`.

Zerohash lists stakes (`GET /stakes/{participant_code}`) but documents no list of
unstakes, and a stake record does not name its unstakes. So the adapter keeps the ids
it was given by `POST /stakes/unstake`, polls each one under way with
`GET /stakes/unstake/{unstake_id}/status`, and places it on the stakes by the rule in
`providers.zerohash.unstakes`. The book lives in memory: after a restart an unstake
under way reaches the gateway through its `unstake.*` webhooks only (README, known
limits). Its size is bounded: settled entries beyond `MAX_SETTLED` are forgotten oldest
first.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from gateway.domain.models import StakeAction
from providers.zerohash.mapping import unstake_action
from providers.zerohash.models import StakeRecord, UnstakeRecord
from providers.zerohash.unstakes import (
    IN_EXIT_QUEUE,
    UNSTAKE_FINAL,
    Position,
    allocate,
)

MAX_SETTLED = 10_000


@dataclass
class Tracked:
    owner: str
    asset: str
    record: UnstakeRecord
    named_stake_id: str | None
    external_id: str | None
    # (stake_id, share) as last placed; kept once the unstake has settled.
    shares: list[tuple[str, Decimal]] = field(default_factory=list)

    @property
    def unstake_id(self) -> str:
        return self.record.unstake_id

    @property
    def settled(self) -> bool:
        return self.record.status.lower() in UNSTAKE_FINAL


@dataclass
class Placement:
    # stake_id -> unstakes with a share of it (under way, or unstaked)
    unbonding: dict[str, list[UnstakeRecord]] = field(default_factory=dict)
    # stake_id -> UNSTAKE actions shown on it
    actions: dict[str, list[StakeAction]] = field(default_factory=dict)


class UnstakeBook:
    def __init__(self) -> None:
        self._entries: dict[str, Tracked] = {}

    def knows(self, unstake_id: str) -> bool:
        return unstake_id in self._entries

    def track(
        self,
        owner: str,
        asset: str,
        record: UnstakeRecord,
        *,
        named_stake_id: str | None,
        external_id: str | None = None,
    ) -> None:
        self._entries[record.unstake_id] = Tracked(
            owner, record.asset or asset, record, named_stake_id, external_id
        )
        self._forget_old()

    def update(self, unstake_id: str, record: UnstakeRecord) -> None:
        entry = self._entries.get(unstake_id)
        if entry is not None:
            entry.record = record

    def in_flight(self, owner: str) -> list[Tracked]:
        return [e for e in self._entries.values() if e.owner == owner and not e.settled]

    def live(self, owner: str, asset: str) -> bool:
        return any(e.asset == asset for e in self.in_flight(owner))

    def action(self, unstake_id: str) -> StakeAction:
        entry = self._entries[unstake_id]
        stake_id = entry.named_stake_id or (
            entry.shares[0][0] if entry.shares else None
        )
        action = unstake_action(entry.record, entry.owner, stake_id)
        return replace(action, external_id=entry.external_id)

    def submitted_on(self, owner: str, stake_id: str) -> str | None:
        """The newest unstake not yet broadcast that touches `stake_id`, if any."""
        found = [
            e
            for e in self._entries.values()
            if e.owner == owner
            and e.record.status.lower() == "submitted"
            and (
                e.named_stake_id == stake_id or any(s == stake_id for s, _ in e.shares)
            )
        ]
        if not found:
            return None
        return max(found, key=lambda e: e.record.created_at).unstake_id

    def place(self, owner: str, records: Sequence[StakeRecord]) -> Placement:
        """Where this owner's tracked unstakes fall on `records` (oldest first)."""
        placement = Placement()
        entries = sorted(
            (e for e in self._entries.values() if e.owner == owner),
            key=lambda e: e.record.created_at,
        )
        left = {
            r.stake_id: r.current_quantity
            if r.current_quantity is not None
            else r.quantity
            for r in records
            if r.status.lower() == "staked"
        }
        by_asset = {r.stake_id: r for r in records}
        for entry in entries:
            status = entry.record.status.lower()
            if status in IN_EXIT_QUEUE:
                positions = [
                    Position(sid, by_asset[sid].created_at, left[sid])
                    for sid in left
                    if by_asset[sid].asset == entry.asset
                ]
                if positions:
                    entry.shares = allocate(entry.record.amount, positions)
                for sid, share in entry.shares:
                    if sid in left:
                        left[sid] -= share
            if status in IN_EXIT_QUEUE or status == "unstaked":
                for sid, _ in entry.shares:
                    placement.unbonding.setdefault(sid, []).append(entry.record)
            shown_on = entry.named_stake_id or (
                entry.shares[0][0] if entry.shares else None
            )
            if shown_on is not None and shown_on in by_asset:
                placement.actions.setdefault(shown_on, []).append(
                    self.action(entry.unstake_id)
                )
        return placement

    def _forget_old(self) -> None:
        settled = [e for e in self._entries.values() if e.settled]
        if len(settled) <= MAX_SETTLED:
            return
        settled.sort(key=lambda e: e.record.created_at)
        for entry in settled[: len(settled) - MAX_SETTLED]:
            del self._entries[entry.unstake_id]
