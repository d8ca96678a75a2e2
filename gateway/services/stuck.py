"""Stuck actions: an action that stays in one provider status longer than that
provider's threshold raises one alert, recorded in the status history like a change,
so it reaches `actionStatusChanged` (with `stuck: true`), the `action.stuck` webhooks
and /metrics. The next real change of the action ends it.

One replica checks at a time, under a lease, as the watcher polls.
"""

import asyncio
import logging
import re
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from gateway.domain.enums import ACTION_STATUS_RANK, ActionStatus, Provider
from gateway.domain.history import EntityKind, StatusEvent, StatusReport
from gateway.services.status_feed import StatusFeed
from gateway.services.watcher import IN_FLIGHT_ACTION
from gateway.store.store import Store

log = logging.getLogger("gateway.stuck")

LEASE = "stuck-actions"
# A Zerohash stake still broadcasting after 2 h, a Dfns action in progress after 1 h.
DEFAULT_THRESHOLDS = "ZEROHASH:broadcasted=2h,DFNS:InProgress=1h"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_ENTRY = re.compile(r"^\s*(\w+):([^=]+)=\s*([\d.]+)\s*([smhd]?)\s*$")


@dataclass(frozen=True)
class StuckThresholds:
    """Seconds per (provider, provider status word); the word is matched ignoring case."""

    limits: Mapping[tuple[Provider, str], float] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> "StuckThresholds":
        """`PROVIDER:status=2h,…` (units s, m, h, d; none is seconds)."""
        limits: dict[tuple[Provider, str], float] = {}
        for entry in filter(str.strip, text.split(",")):
            found = _ENTRY.match(entry)
            if found is None:
                raise ValueError(f"not PROVIDER:status=DURATION: {entry!r}")
            provider, word, amount, unit = found.groups()
            seconds = float(amount) * _UNITS[unit or "s"]
            limits[(Provider(provider.upper()), word.strip().lower())] = seconds
        return cls(limits)

    def limit(self, provider: Provider, provider_status: str) -> float | None:
        return self.limits.get((provider, provider_status.lower()))


def _alert(event: StatusEvent, now: datetime) -> StatusReport:
    return StatusReport(
        provider=event.provider,
        entity_kind=EntityKind.ACTION,
        entity_id=event.entity_id,
        owner=event.owner,
        to_status=event.to_status,
        provider_status=event.provider_status,
        rank=ACTION_STATUS_RANK[ActionStatus(event.to_status)],
        source=event.source,
        occurred_at=now,
        provider_stake_id=event.provider_stake_id,
        payload=event.payload,
        stuck=True,
    )


class StuckActionMonitor:
    def __init__(
        self,
        store: Store,
        feed: StatusFeed,
        thresholds: StuckThresholds,
        *,
        interval: float = 30.0,
        lease_ttl: float = 30.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        holder: str | None = None,
    ) -> None:
        self.store = store
        self.feed = feed
        self.thresholds = thresholds
        self.interval = interval
        self.lease_ttl = lease_ttl
        self.clock = clock
        self.holder = holder or f"replica-{uuid.uuid4().hex[:12]}"
        # What this replica saw at its last check (other replicas show none).
        self.stuck: Counter[Provider] = Counter()
        self.raised: Counter[Provider] = Counter()
        self.checks = 0

    async def check_once(self) -> list[StatusEvent]:
        """Raises the alerts due now; returns them."""
        now = self.clock()
        actions = await self.store.history.in_flight_actions(
            [s.value for s in IN_FLIGHT_ACTION]
        )
        due: list[StatusReport] = []
        stuck: Counter[Provider] = Counter()
        for event, since in actions:
            if event.stuck:  # raised already; the next change ends it
                stuck[event.provider] += 1
                continue
            limit = self.thresholds.limit(event.provider, event.provider_status)
            if limit is not None and now - since >= timedelta(seconds=limit):
                due.append(_alert(event, now))
        raised = await self.feed.record(due)
        for event in raised:
            stuck[event.provider] += 1
            self.raised[event.provider] += 1
            log.warning(
                "action %s at %s stuck in %r",
                event.entity_id,
                event.provider.value,
                event.provider_status,
            )
        self.stuck = stuck
        self.checks += 1
        return raised

    async def run(self) -> None:
        ttl = timedelta(seconds=self.lease_ttl)
        while True:
            try:
                if await self.store.leases.acquire(LEASE, self.holder, ttl):
                    await self.check_once()
                else:
                    self.stuck = Counter()
            except asyncio.CancelledError:
                raise
            except Exception:  # a bad check must not end the monitor
                log.exception("stuck-action check failed")
            await asyncio.sleep(self.interval)
