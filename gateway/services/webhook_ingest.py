"""A verified provider webhook: stored once, written to the history, then published."""

import asyncio
from dataclasses import dataclass, replace

from gateway.domain.enums import Provider
from gateway.domain.history import EntityKind, StatusEvent, StatusReport
from gateway.domain.models import Stake
from gateway.domain.notices import ProviderNotice
from gateway.services.codec import loads
from gateway.services.provider_set import ProviderSet
from gateway.services.status_feed import StatusFeed, reports_for_notice
from gateway.store.webhooks import record_webhooks
from providers.base import ProviderError

# How long a delivery waits for others to share its transaction: small beside a webhook's
# round trip, large enough to fold a burst into a few commits (bench S6).
GROUP_COMMIT_SECONDS = 0.002


@dataclass
class _Delivery:
    notice: ProviderNotice
    body: bytes
    reports: list[StatusReport]
    done: "asyncio.Future[tuple[bool, list[StatusEvent]]]"


class WebhookIngest:
    def __init__(self, providers: ProviderSet, feed: StatusFeed) -> None:
        self.providers = providers
        self.feed = feed
        self._waiting: list[_Delivery] = []
        self._flushing: asyncio.Task[None] | None = None  # the one gathering a batch
        self._commits: set[asyncio.Task[None]] = set()

    async def _stake_as_notified(self, notice: ProviderNotice) -> Stake | None:
        """The stake with the status this event reports, for subscribers to render."""
        if notice.provider_stake_id is None or notice.stake_status is None:
            return None
        stake = await self._known_stake(notice.provider, notice.provider_stake_id)
        if stake is None:
            stake = await self._read_stake(notice, notice.provider_stake_id)
        if stake is None or stake.owner != notice.owner:
            return None
        # The event's own status, not the fresher one read now: out-of-order deliveries
        # are then recorded as they came, and the history keeps the status monotonic.
        return replace(
            stake,
            status=notice.stake_status,
            provider_status=notice.provider_stake_status or stake.provider_status,
            data_as_of=notice.occurred_at,
        )

    async def _known_stake(self, provider: Provider, stake_id: str) -> Stake | None:
        # The stake as we last recorded it: a push then costs no call back upstream.
        payload = await self.feed.store.history.latest_payload(
            provider, EntityKind.STAKE, stake_id
        )
        return None if payload is None else loads(Stake, payload)

    async def _read_stake(self, notice: ProviderNotice, stake_id: str) -> Stake | None:
        adapter = self.providers.adapter(notice.provider)
        try:
            return await self.providers.read(
                notice.provider,
                ("stake", notice.owner, stake_id),
                lambda: adapter.get_stake(notice.owner, stake_id),
            )
        except ProviderError:
            # The history still gets the action and reward; the watcher reconciles.
            return None

    async def ingest(self, notice: ProviderNotice, body: bytes) -> bool:
        """True when the event was new; False for a duplicate delivery (nothing changes).

        Deliveries arriving together are written in one transaction (group commit): each
        caller still answers only after its own event is durably stored.
        """
        stake = await self._stake_as_notified(notice)
        done: asyncio.Future[tuple[bool, list[StatusEvent]]] = (
            asyncio.get_running_loop().create_future()
        )
        self._waiting.append(
            _Delivery(notice, body, reports_for_notice(notice, stake), done)
        )
        if self._flushing is None:
            self._flushing = asyncio.create_task(
                self._flush_soon(), name="webhook-group-commit"
            )
            self._commits.add(self._flushing)
            self._flushing.add_done_callback(self._commits.discard)
        fresh, events = await asyncio.shield(done)
        if events:
            await self.feed.publish(events)
        return fresh

    async def drain(self) -> None:
        """Waits for the group commits under way, so the store closes after them."""
        while self._commits:
            await asyncio.gather(*self._commits, return_exceptions=True)

    async def _flush_soon(self) -> None:
        batch: list[_Delivery] = []
        try:
            try:
                await asyncio.sleep(GROUP_COMMIT_SECONDS)
            finally:
                # Taken even when cut off, so that the next delivery starts a new batch.
                batch, self._waiting = self._waiting, []
                self._flushing = None
            await self._commit(batch)
        finally:
            # Cut off (cancelled): none of these is acknowledged, so each is delivered
            # again; no caller is left waiting for an answer that will not come.
            for delivery in batch:
                if not delivery.done.done():
                    delivery.done.cancel()

    async def _commit(self, batch: list[_Delivery]) -> None:
        store = self.feed.store
        try:
            async with store.transaction() as connection:
                fresh = await record_webhooks(
                    connection, [(d.notice, d.body) for d in batch]
                )
                reports = [
                    r
                    for d, new in zip(batch, fresh, strict=True)
                    if new
                    for r in d.reports
                ]
                recorded = iter(await store.history.record_all_in(connection, reports))
            outcomes = []
            for delivery, new in zip(batch, fresh, strict=True):
                events = [next(recorded) for _ in delivery.reports] if new else []
                outcomes.append((new, [e for e in events if e is not None]))
        except Exception as error:  # every delivery in the batch is answered with it
            for delivery in batch:
                if not delivery.done.done():
                    delivery.done.set_exception(error)
            return
        for delivery, outcome in zip(batch, outcomes, strict=True):
            if not delivery.done.done():
                delivery.done.set_result(outcome)
