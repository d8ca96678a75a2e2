"""One status history for every source, then the bus, then the subscribers.

Reports are written first (the row is the outbox) and published after the commit; rows a
crash left unpublished are published at the next start, so nothing is lost between the two.

A follower subscribes to the bus *before* it replays from the history, and skips live
events at or below the last cursor it yielded, so the seam between the two has neither
gap nor duplicate; a bus reconnect is refilled from the history the same way.
"""

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

import orjson

from gateway.domain.commands import StakeActionResult
from gateway.domain.enums import (
    ACTION_STATUS_RANK,
    STAKE_STATUS_RANK,
    EventSource,
    Provider,
)
from gateway.domain.errors import FellBehind
from gateway.domain.history import (
    EntityKind,
    FeedEvent,
    StatusEvent,
    StatusReport,
    Subject,
)
from gateway.domain.models import Reward, Stake, StakeAction
from gateway.domain.notices import ProviderNotice
from gateway.events import BusReconnected, EventBus, SubscriberOverflow
from gateway.services.codec import dumps, from_data, loads, to_data
from gateway.store.store import Store

STATUS_CHANNEL = "staking-gateway.status"
MARK_BATCH = 256
REPLAY_BATCH = 500
SUBJECTS: dict[EntityKind, type[Subject]] = {
    EntityKind.STAKE: Stake,
    EntityKind.ACTION: StakeAction,
    EntityKind.REWARD: Reward,
}


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
    """The bus message for a recorded event: the one wire format of STATUS_CHANNEL."""
    return orjson.dumps(to_data(event)).decode()


# Every follower in this process receives the same bus message: it is decoded once for
# all of them, and its subject only once a follower wants it.
@lru_cache(maxsize=256)
def decode_event(message: str) -> StatusEvent:
    event: StatusEvent = from_data(StatusEvent, orjson.loads(message))
    return event


@lru_cache(maxsize=256)
def _live(message: str) -> FeedEvent:
    return feed_event(decode_event(message))


def feed_event(change: StatusEvent) -> FeedEvent:
    return FeedEvent(change, loads(SUBJECTS[change.entity_kind], change.payload))


@dataclass(frozen=True, slots=True)
class Selection:
    """Which applied changes a follower wants: one kind, these owners, maybe one stake."""

    kind: EntityKind
    owners: Sequence[tuple[Provider, str]]
    stake: tuple[Provider, str] | None = None

    def matches(self, event: StatusEvent) -> bool:
        if event.entity_kind is not self.kind or not event.applied:
            return False
        if (event.provider, event.owner) not in self.owners:
            return False
        if self.stake is not None:
            return (event.provider, event.provider_stake_id) == self.stake
        return True


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

    async def follow(
        self,
        kind: EntityKind,
        owners: Sequence[tuple[Provider, str]],
        stake: tuple[Provider, str] | None = None,
        after: int | None = None,
    ) -> AsyncIterator[FeedEvent]:
        """The selected changes after cursor `after` (from now if None), then live.

        Raises FellBehind when this follower read too slowly and the bus dropped some.
        """
        selection = Selection(kind, owners, stake)
        last = after
        async with self.bus.subscribe(STATUS_CHANNEL) as live:
            # Subscribed first, replayed second: nothing published in between is lost,
            # and the cursor check below drops what both paths delivered.
            if last is None:
                # A fresh follower starts now; the mark still lets a bus outage be
                # refilled.
                last = await self.store.history.latest_cursor()
            else:
                async for event in self._replay(selection, last):
                    last = event.change.cursor
                    yield event
            while True:
                try:
                    async for message in live:
                        change = decode_event(message)
                        if change.cursor <= last:
                            continue
                        if selection.matches(change):
                            last = change.cursor
                            yield _live(message)
                    return
                except BusReconnected:
                    # The bus lost its connection for a while: fill the gap from the
                    # history.
                    async for event in self._replay(selection, last):
                        last = event.change.cursor
                        yield event
                except SubscriberOverflow as overflow:
                    raise FellBehind(overflow.dropped, last) from overflow

    async def _replay(
        self, selection: Selection, last: int
    ) -> AsyncIterator[FeedEvent]:
        """Every recorded change after `last` that the selection wants, in cursor order."""
        while True:
            missed = await self.store.history.after(
                last,
                kinds=[selection.kind],
                owners=selection.owners,
                limit=REPLAY_BATCH,
            )
            for change in missed:
                last = change.cursor
                if selection.matches(change):
                    yield feed_event(change)
            if len(missed) < REPLAY_BATCH:
                return
