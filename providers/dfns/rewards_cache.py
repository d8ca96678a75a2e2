"""Each Dfns stake's running rewards total, remembered for a short while.

Dfns has no batch rewards endpoint: a page of N earning stakes costs N calls, every
time. The total moves once per reward period (an Ethereum epoch is 6.4 minutes, Babylon
and XDC pay daily), so reading it again within seconds says nothing new. A total read
from here keeps the time it was read (the reward's `creditedAt`), and a write on a stake
forgets its total. An empty answer (no rewards yet) is kept the same way, as no total.
"""

from collections import OrderedDict
from datetime import datetime, timedelta

from providers.dfns.models import DfnsRewards


class RewardsCache:
    def __init__(self, ttl_seconds: float, max_stakes: int = 10_000) -> None:
        self._ttl = timedelta(seconds=ttl_seconds)
        self._max = max_stakes
        self._totals: OrderedDict[str, tuple[datetime, DfnsRewards | None]] = (
            OrderedDict()
        )
        self.hits = 0

    @property
    def enabled(self) -> bool:
        return self._ttl > timedelta(0)

    def get(
        self, stake_id: str, now: datetime
    ) -> tuple[datetime, DfnsRewards | None] | None:
        """The total and when it was read, while younger than the TTL; None if not
        kept (a kept total of None: Dfns had no rewards yet for the stake)."""
        found = self._totals.get(stake_id)
        if found is None:
            return None
        read_at, _ = found
        if not read_at <= now < read_at + self._ttl:
            # Expired, or the clock went back (a sandbox's clock can be reset).
            del self._totals[stake_id]
            return None
        self.hits += 1
        return found

    def put(
        self, stake_id: str, read_at: datetime, rewards: DfnsRewards | None
    ) -> None:
        if not self.enabled:
            return
        self._totals[stake_id] = (read_at, rewards)
        self._totals.move_to_end(stake_id)
        while len(self._totals) > self._max:
            self._totals.popitem(last=False)

    def forget(self, stake_id: str) -> None:
        self._totals.pop(stake_id, None)
