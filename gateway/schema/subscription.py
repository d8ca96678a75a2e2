"""Subscriptions: replay what the caller missed since `after`, then follow the bus live.

The bus subscription opens *before* the replay query, and live events at or below the last
replayed cursor are skipped, so the seam between the two has neither gap nor duplicate.
"""

from collections.abc import AsyncGenerator, Callable
from functools import lru_cache
from typing import Any, TypeVar

import orjson
import strawberry

from gateway.domain import models
from gateway.domain.caller import Caller
from gateway.domain.errors import invalid_input
from gateway.domain.history import EntityKind, StatusEvent
from gateway.events import BusReconnected, SubscriberOverflow
from gateway.schema.enums import ActionStatus, Provider, StakeStatus
from gateway.schema.ids import decode_id
from gateway.schema.payloads import ActionStatusEvent, RewardEvent, StakeStatusEvent
from gateway.schema.types import Reward, Stake, StakeAction
from gateway.services.status_feed import STATUS_CHANNEL
from gateway.store.codec import from_data, loads

T = TypeVar("T")

REPLAY_BATCH = 500


# Every subscriber of this process receives the same bus message: it is decoded, and its
# GraphQL object built, once for all of them (both are read-only from then on).
@lru_cache(maxsize=256)
def _decode_event(message: str) -> StatusEvent:
    event: StatusEvent = from_data(StatusEvent, orjson.loads(message))
    return event


@lru_cache(maxsize=256)
def _built(build: Callable[[StatusEvent], Any], message: str) -> Any:
    return build(_decode_event(message))


def _cursor(after: str | None) -> int | None:
    if after is None:
        return None
    if not after.isdigit():
        raise invalid_input("`after` must be a cursor from an earlier event.", "after")
    return int(after)


class _Selection:
    def __init__(
        self,
        caller: Caller,
        kind: EntityKind,
        stake_id: strawberry.ID | None,
        provider: Provider | None,
    ) -> None:
        self.kind = kind
        self.owners = [
            (p, owner)
            for p in caller.providers
            if provider is None or p is provider
            for owner in caller.owners(p)
        ]
        self.stake: tuple[Provider, str] | None = None
        if stake_id is not None:
            node = decode_id(stake_id, "stakeId", expect="Stake")
            if not caller.owns(node.provider, node.owner):
                # Someone else's stake: nothing will ever match.
                self.owners = []
            self.stake = (node.provider, node.key)

    def matches(self, event: StatusEvent) -> bool:
        if event.entity_kind is not self.kind or not event.applied:
            return False
        if (event.provider, event.owner) not in self.owners:
            return False
        if self.stake is not None:
            return (event.provider, event.provider_stake_id) == self.stake
        return True


async def _replay(
    info: strawberry.Info, selection: _Selection, last: int
) -> AsyncGenerator[StatusEvent, None]:
    """Every stored event after `last` that the selection wants, in cursor order."""
    history = info.context.services.history
    while True:
        missed = await history.after(
            last, kinds=[selection.kind], owners=selection.owners, limit=REPLAY_BATCH
        )
        for event in missed:
            last = event.cursor
            if selection.matches(event):
                yield event
        if len(missed) < REPLAY_BATCH:
            return


async def _follow(
    info: strawberry.Info,
    selection: _Selection,
    after: str | None,
    build: Callable[[StatusEvent], T],
) -> AsyncGenerator[T, None]:
    last = _cursor(after)

    def fresh(built: T) -> T:
        # Nested fields of a pushed event are read after the change: no loader cache
        # survives from one event to the next on this connection.
        info.context.loaders = info.context.fresh_loaders()
        return built

    async with info.context.services.bus.subscribe(STATUS_CHANNEL) as live:
        # Subscribed first, replayed second: nothing published in between is lost, and
        # the cursor check below drops what both paths delivered.
        if last is None:
            # A fresh subscriber starts now; the mark still lets a bus outage be refilled.
            last = await info.context.services.history.latest_cursor()
        else:
            async for event in _replay(info, selection, last):
                last = event.cursor
                yield fresh(build(event))
        while True:
            try:
                async for message in live:
                    event = _decode_event(message)
                    if event.cursor <= last:
                        continue
                    if selection.matches(event):
                        last = event.cursor
                        yield fresh(_built(build, message))
                return
            except BusReconnected:
                # The bus lost its connection for a while: fill the gap from the store.
                async for event in _replay(info, selection, last):
                    last = event.cursor
                    yield fresh(build(event))
            except SubscriberOverflow as overflow:
                raise RuntimeError(
                    f"This subscriber fell behind and {overflow.dropped} events were "
                    f'dropped. Resume with after: "{last}".'
                ) from overflow


def _stake_event(event: StatusEvent) -> StakeStatusEvent:
    stake = loads(models.Stake, event.payload)
    return StakeStatusEvent(
        cursor=str(event.cursor),
        stake=Stake.of(stake),
        previous_status=StakeStatus(event.from_status) if event.from_status else None,
        status=StakeStatus(event.to_status),
        provider_status=event.provider_status,
        occurred_at=event.occurred_at,
        source=event.source,
    )


def _action_event(event: StatusEvent) -> ActionStatusEvent:
    action = loads(models.StakeAction, event.payload)
    return ActionStatusEvent(
        cursor=str(event.cursor),
        action=StakeAction.of(action),
        previous_status=ActionStatus(event.from_status) if event.from_status else None,
        status=ActionStatus(event.to_status),
        occurred_at=event.occurred_at,
        source=event.source,
        stuck=event.stuck,
    )


def _reward_event(event: StatusEvent) -> RewardEvent:
    reward = loads(models.Reward, event.payload)
    return RewardEvent(
        cursor=str(event.cursor),
        reward=Reward.of(reward),
        occurred_at=event.occurred_at,
        source=event.source,
    )


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Every status change of the caller's stakes; `after` replays what was "
        "missed since that cursor."
    )
    async def stake_status_changed(
        self,
        info: strawberry.Info,
        stake_id: strawberry.ID | None = None,
        provider: Provider | None = None,
        after: str | None = None,
    ) -> AsyncGenerator[StakeStatusEvent, None]:
        selection = _Selection(
            info.context.caller, EntityKind.STAKE, stake_id, provider
        )
        async for item in _follow(info, selection, after, _stake_event):
            yield item

    @strawberry.subscription(
        description="Status changes of actions on the caller's stakes."
    )
    async def action_status_changed(
        self,
        info: strawberry.Info,
        stake_id: strawberry.ID | None = None,
        provider: Provider | None = None,
        after: str | None = None,
    ) -> AsyncGenerator[ActionStatusEvent, None]:
        selection = _Selection(
            info.context.caller, EntityKind.ACTION, stake_id, provider
        )
        async for item in _follow(info, selection, after, _action_event):
            yield item

    @strawberry.subscription(description="Rewards credited to the caller's stakes.")
    async def reward_received(
        self,
        info: strawberry.Info,
        stake_id: strawberry.ID | None = None,
        provider: Provider | None = None,
        after: str | None = None,
    ) -> AsyncGenerator[RewardEvent, None]:
        selection = _Selection(
            info.context.caller, EntityKind.REWARD, stake_id, provider
        )
        async for item in _follow(info, selection, after, _reward_event):
            yield item
