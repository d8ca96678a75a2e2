"""A verified provider webhook: stored once, written to the history, then published."""

from dataclasses import replace

from gateway.domain.models import Stake
from gateway.domain.notices import ProviderNotice
from gateway.services.provider_set import ProviderSet
from gateway.services.status_feed import StatusFeed, reports_for_notice
from gateway.store.webhooks import record_webhook
from providers.base import ProviderError


class WebhookIngest:
    def __init__(self, providers: ProviderSet, feed: StatusFeed) -> None:
        self.providers = providers
        self.feed = feed

    async def _stake_as_notified(self, notice: ProviderNotice) -> Stake | None:
        """The stake with the status this event reports, for subscribers to render."""
        if notice.provider_stake_id is None or notice.stake_status is None:
            return None
        adapter = self.providers.adapter(notice.provider)
        stake_id = notice.provider_stake_id
        try:
            stake = await self.providers.read(
                notice.provider,
                ("stake", notice.owner, stake_id),
                lambda: adapter.get_stake(notice.owner, stake_id),
            )
        except ProviderError:
            # The history still gets the action/reward; the watcher reconciles the
            # stake.
            return None
        if stake is None:
            return None
        # The event's own status, not the fresher one read now: out-of-order deliveries
        # are then recorded as they came, and the history keeps the status monotonic.
        return replace(
            stake,
            status=notice.stake_status,
            provider_status=notice.provider_stake_status or stake.provider_status,
            data_as_of=notice.occurred_at,
        )

    async def ingest(self, notice: ProviderNotice, body: bytes) -> bool:
        """True when the event was new; False for a duplicate delivery (nothing
        changes).
        """
        stake = await self._stake_as_notified(notice)
        store = self.feed.store
        async with store.transaction() as connection:
            if not await record_webhook(connection, notice, body):
                return False
            recorded = [
                await store.history.record_in(connection, report)
                for report in reports_for_notice(notice, stake)
            ]
        await self.feed.publish([e for e in recorded if e is not None])
        return True
