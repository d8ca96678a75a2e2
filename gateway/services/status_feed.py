"""One status history for every source, then the bus.

Reports are written first (the row is the outbox) and published after the commit; rows a
crash left unpublished are published at the next start, so nothing is lost between the two.
"""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import orjson

from gateway.domain.commands import StakeActionResult
from gateway.domain.enums import ACTION_STATUS_RANK, STAKE_STATUS_RANK, EventSource
from gateway.domain.history import EntityKind, StatusEvent, StatusReport
from gateway.domain.models import Reward, Stake, StakeAction
from gateway.domain.notices import ProviderNotice
from gateway.events import EventBus
from gateway.store.codec import dumps, to_data
from gateway.store.store import Store

STATUS_CHANNEL = "staking-gateway.status"
MARK_BATCH = 256


def stake_report(
    stake: Stake,
    source: EventSource,
    *,
    at: datetime | None = None,
    event_id: str | None = None,
) -> StatusReport:
    return StatusReport(
        provider=stake.provider,
        entity_kind=EntityKind.STAKE,
        entity_id=stake.provider_stake_id,
        owner=stake.owner,
        to_status=stake.status.value,
        provider_status=stake.provider_status,
        rank=STAKE_STATUS_RANK[stake.status],
        source=source,
        occurred_at=at or stake.data_as_of,
        provider_stake_id=stake.provider_stake_id,
        provider_event_id=event_id,
        payload=dumps(stake),
    )


def action_report(
    action: StakeAction,
    source: EventSource,
    *,
    at: datetime | None = None,
    event_id: str | None = None,
) -> StatusReport:
    return StatusReport(
        provider=action.provider,
        entity_kind=EntityKind.ACTION,
        entity_id=action.provider_action_id,
        owner=action.owner,
        to_status=action.status.value,
        provider_status=action.provider_status,
        rank=ACTION_STATUS_RANK[action.status],
        source=source,
        occurred_at=at or datetime.now(UTC),
        provider_stake_id=action.provider_stake_id,
        provider_event_id=event_id,
        payload=dumps(action),
    )


def reward_report(
    reward: Reward,
    source: EventSource,
    *,
    at: datetime | None = None,
    event_id: str | None = None,
) -> StatusReport:
    return StatusReport(
        provider=reward.provider,
        entity_kind=EntityKind.REWARD,
        entity_id=reward.provider_reward_id,
        owner=reward.owner,
        to_status="CREDITED",
        # A cumulative reward is a new fact whenever its running total changes.
        provider_status=format(reward.amount, "f") if reward.cumulative else "credited",
        rank=0,
        source=source,
        occurred_at=at or reward.credited_at or datetime.now(UTC),
        provider_stake_id=reward.provider_stake_id,
        provider_event_id=event_id,
        payload=dumps(reward),
    )


def reports_for_result(
    result: StakeActionResult, source: EventSource
) -> list[StatusReport]:
    reports = []
    if result.stake is not None:
        reports.append(stake_report(result.stake, source))
    if result.action is not None:
        reports.append(action_report(result.action, source))
    return reports


def reports_for_notice(
    notice: ProviderNotice, stake: Stake | None
) -> list[StatusReport]:
    """What a verified webhook tells: the stake's new status, the action's, the reward."""
    reports: list[StatusReport] = []
    at, event_id = notice.occurred_at, notice.event_id
    if stake is not None:
        reports.append(
            stake_report(stake, EventSource.WEBHOOK, at=at, event_id=event_id)
        )
    if notice.action is not None:
        reports.append(
            action_report(notice.action, EventSource.WEBHOOK, at=at, event_id=event_id)
        )
    if notice.reward is not None:
        reports.append(
            reward_report(notice.reward, EventSource.WEBHOOK, at=at, event_id=event_id)
        )
    return reports


def encode_event(event: StatusEvent) -> str:
    return orjson.dumps(to_data(event)).decode()


class StatusFeed:
    def __init__(self, store: Store, bus: EventBus) -> None:
        self.store = store
        self.bus = bus
        self._published: set[int] = set()
        # Told of each published batch, in this process (the webhook sender wakes on
        # it); not a bus subscriber, so it counts as no subscription.
        self.on_published: list[Callable[[], None]] = []

    async def record(self, reports: Sequence[StatusReport]) -> list[StatusEvent]:
        if not reports:
            return []
        async with self.store.transaction() as connection:
            recorded = [
                await self.store.history.record_in(connection, r) for r in reports
            ]
        events = [e for e in recorded if e is not None]
        await self.publish(events)
        return events

    async def publish(self, events: Sequence[StatusEvent]) -> None:
        applied = [e for e in events if e.applied]
        for event in applied:
            await self.bus.publish(STATUS_CHANNEL, encode_event(event))
        if applied:
            for listener in self.on_published:
                listener()
        # Marked in batches: one UPDATE per event halved webhook ingest (bench S6). A
        # crash before the flush republishes a few events; subscribers skip cursors
        # they have seen, so nobody gets one twice.
        self._published.update(e.cursor for e in events)
        if len(self._published) >= MARK_BATCH:
            await self.flush_marks()

    async def flush_marks(self) -> None:
        if not self._published:
            return
        cursors, self._published = sorted(self._published), set()
        await self.store.history.mark_published(cursors)

    async def publish_pending(self) -> int:
        """Publishes what a crash left in the outbox; returns how many."""
        await self.flush_marks()
        pending = await self.store.history.unpublished()
        await self.publish(pending)
        return len(pending)
