"""The watcher: polls what pushes nothing (Dfns, Crocante; Zerohash as a backstop for
missed webhooks) and writes every change it sees to the status history.

One call per provider per cycle lists every followed identity's stakes, whatever their
number. A provider with a stake or action in flight is polled every `fast` seconds, a
settled one every `slow` seconds. With several replicas, a lease per provider makes one
replica poll it; when that replica dies its lease runs out and another takes over.
"""

import asyncio
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from gateway.domain.enums import ActionStatus, EventSource, Provider, StakeStatus
from gateway.domain.history import StatusReport
from gateway.domain.models import Stake
from gateway.services.provider_set import ProviderSet
from gateway.services.status_feed import StatusFeed, action_report, stake_report
from gateway.store.store import Store
from providers.base import ProviderError

log = logging.getLogger("gateway.watcher")

IN_FLIGHT_STAKE = {
    StakeStatus.PENDING,
    StakeStatus.UNBONDING,
    StakeStatus.WITHDRAWABLE,
    StakeStatus.WITHDRAWING,
}
IN_FLIGHT_ACTION = {
    ActionStatus.PENDING_APPROVAL,
    ActionStatus.PENDING,
    ActionStatus.IN_PROGRESS,
}


@dataclass(frozen=True)
class WatchPolicy:
    fast: float = 2.0
    slow: float = 30.0
    lease_ttl: float = 10.0


def in_flight(stakes: Sequence[Stake]) -> bool:
    return any(
        stake.status in IN_FLIGHT_STAKE
        or any(action.status in IN_FLIGHT_ACTION for action in stake.actions)
        for stake in stakes
    )


class Watcher:
    def __init__(
        self,
        store: Store,
        providers: ProviderSet,
        feed: StatusFeed,
        policy: WatchPolicy | None = None,
        *,
        holder: str | None = None,
    ) -> None:
        self.store = store
        self.providers = providers
        self.feed = feed
        self.policy = policy or WatchPolicy()
        self.holder = holder or f"replica-{uuid.uuid4().hex[:12]}"
        # What this replica last recorded per entity, so an unchanged poll writes nothing.
        self._seen: dict[tuple[Provider, str, str], tuple[str, str]] = {}
        self.polls: dict[Provider, int] = dict.fromkeys(Provider, 0)

    async def run(self) -> None:
        # A task group, not gather: cancelled, it returns only once every loop has
        # ended, so whoever stops the watcher may then close the store under it.
        async with asyncio.TaskGroup() as loops:
            loops.create_task(self._drain_outbox(), name="watcher-outbox")
            for provider in self.providers.adapters:
                loops.create_task(
                    self._watch(provider), name=f"watcher-{provider.value.lower()}"
                )

    async def _drain_outbox(self) -> None:
        """Publishes rows a failed publish left behind, once per cycle for all providers."""
        while True:
            try:
                await self.feed.publish_pending()
            except asyncio.CancelledError:
                raise
            except Exception:  # the next cycle tries again
                log.exception("outbox drain failed")
            await asyncio.sleep(self.policy.fast)

    async def _watch(self, provider: Provider) -> None:
        ttl = timedelta(seconds=self.policy.lease_ttl)
        next_poll = 0.0
        while True:
            try:
                if await self.store.leases.acquire(
                    f"poll:{provider.value}", self.holder, ttl
                ):
                    if time.monotonic() >= next_poll:
                        busy = await self.poll_once(provider)
                        delay = self.policy.fast if busy else self.policy.slow
                        next_poll = time.monotonic() + delay
                else:
                    next_poll = 0.0  # poll at once if the lease comes to us
            except asyncio.CancelledError:
                raise
            except Exception:  # a bad cycle must not end the watcher
                log.exception("watcher cycle failed for %s", provider.value)
            await asyncio.sleep(min(self.policy.fast, self.policy.lease_ttl / 3))

    async def poll_once(self, provider: Provider) -> bool:
        """Records what changed at `provider`; True while anything there is in flight."""
        owners = (await self.store.clients.linked_identities()).get(provider, ())
        if not owners:
            # Nobody to follow yet: look again soon (a client may be created any time).
            return True
        adapter = self.providers.adapter(provider)
        try:
            stakes = await self.providers.read(
                provider, ("stakes", owners), lambda: adapter.list_stakes(owners)
            )
        except ProviderError as error:
            log.warning("poll of %s failed: %s", provider.value, error)
            return True
        self.polls[provider] += 1
        await self.feed.record(self._changes(stakes))
        return in_flight(stakes)

    def _changes(self, stakes: Sequence[Stake]) -> list[StatusReport]:
        reports = []
        for stake in stakes:
            if self._changed(stake.provider, "stake", stake.provider_stake_id, stake):
                reports.append(stake_report(stake, EventSource.POLL))
            for action in stake.actions:
                key = action.provider_action_id
                if self._changed(stake.provider, "action", key, action):
                    reports.append(
                        action_report(action, EventSource.POLL, at=stake.data_as_of)
                    )
        return reports

    def _changed(self, provider: Provider, kind: str, key: str, item: object) -> bool:
        status = getattr(item, "status")  # noqa: B009  (stakes and actions alike)
        word = getattr(item, "provider_status")  # noqa: B009
        state = (str(status), str(word))
        if self._seen.get((provider, kind, key)) == state:
            return False
        self._seen[(provider, kind, key)] = state
        return True
