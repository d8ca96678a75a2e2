"""Each listed Dfns stake's actions, remembered while its status stands.

A stake in a list carries no `actions[]` (PROVIDERS.md 1.4 says so of allocations; the
sandbox does the same for stakes), so its actions cost one more call on
`GET /staking/stakes/{id}/actions`. Actions move with the stake: a kept list is used
again only while the stake shows the status it had when the list was read, and for at
most the TTL. A stake that is over (`Withdrawn`, `Failed`) with every action settled
changes no more, so its list is kept without a TTL. A write on a stake forgets its list.
"""

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from providers.dfns.models import DfnsStakeAction

_OVER = frozenset({"Withdrawn", "Failed"})
_SETTLED = frozenset({"Completed", "Failed", "Rejected"})


@dataclass(frozen=True, slots=True)
class _Kept:
    status: str
    read_at: datetime
    actions: tuple[DfnsStakeAction, ...]

    @property
    def final(self) -> bool:
        return self.status in _OVER and all(a.status in _SETTLED for a in self.actions)


class ActionsCache:
    def __init__(self, ttl_seconds: float, max_stakes: int = 10_000) -> None:
        self._ttl = timedelta(seconds=ttl_seconds)
        self._max = max_stakes
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        self.hits = 0

    def get(
        self, stake_id: str, status: str, now: datetime
    ) -> tuple[DfnsStakeAction, ...] | None:
        kept = self._kept.get(stake_id)
        if kept is None:
            return None
        fresh = kept.read_at <= now < kept.read_at + self._ttl
        if kept.status != status or not (kept.final or fresh):
            del self._kept[stake_id]
            return None
        self.hits += 1
        return kept.actions

    def put(
        self,
        stake_id: str,
        status: str,
        read_at: datetime,
        actions: tuple[DfnsStakeAction, ...],
    ) -> None:
        kept = _Kept(status, read_at, actions)
        if not (kept.final or self._ttl > timedelta(0)):
            return
        self._kept[stake_id] = kept
        self._kept.move_to_end(stake_id)
        while len(self._kept) > self._max:
            self._kept.popitem(last=False)

    def forget(self, stake_id: str) -> None:
        self._kept.pop(stake_id, None)
