"""Subscriptions: the caller's selection of the status feed, as GraphQL events.

The feed (gateway.services.status_feed) replays what was missed since `after` and then
follows the bus live; here each of its events only becomes a GraphQL event.
"""

import weakref
from collections.abc import AsyncGenerator, Callable
from typing import Annotated, Generic, TypeVar

import strawberry

from gateway.domain import models
from gateway.domain.errors import invalid_input
from gateway.domain.history import EntityKind, FeedEvent
from gateway.schema.enums import ActionStatus, Provider, StakeStatus
from gateway.schema.ids import decode_id
from gateway.schema.payloads import ActionStatusEvent, RewardEvent, StakeStatusEvent
from gateway.schema.types import Reward, Stake, StakeAction

OnlyProvider = Annotated[
    Provider | None,
    strawberry.argument(description="Only this provider; omit for all."),
]
EventAfter = Annotated[
    str | None,
    strawberry.argument(
        description=(
            "Opaque event cursor: events since it are replayed first, then "
            "new ones follow live."
        )
    ),
]

T = TypeVar("T")


class _BuiltOnce(Generic[T]):
    """Each feed event's GraphQL object, built once for every subscriber receiving it.

    The feed hands every subscriber of this process the same object for one bus
    message; what is built from it is read-only, so one copy serves them all.
    """

    def __init__(self, build: Callable[[FeedEvent], T]) -> None:
        self._build = build
        self._built: weakref.WeakKeyDictionary[FeedEvent, T] = (
            weakref.WeakKeyDictionary()
        )

    def __call__(self, event: FeedEvent) -> T:
        built = self._built.get(event)
        if built is None:
            built = self._built[event] = self._build(event)
        return built


def _cursor(after: str | None) -> int | None:
    if after is None:
        return None
    if not after.isdigit():
        raise invalid_input("`after` must be a cursor from an earlier event.", "after")
    return int(after)


async def _follow(
    info: strawberry.Info,
    kind: EntityKind,
    stake_id: strawberry.ID | None,
    provider: Provider | None,
    after: str | None,
    build: _BuiltOnce[T],
) -> AsyncGenerator[T, None]:
    caller = info.context.caller
    owners = [
        (p, owner)
        for p in caller.providers
        if provider is None or p is provider
        for owner in caller.owners(p)
    ]
    stake = None
    if stake_id is not None:
        node = decode_id(stake_id, "stakeId", expect="Stake")
        if not caller.owns(node.provider, node.owner):
            # Someone else's stake: nothing will ever match.
            owners = []
        stake = (node.provider, node.key)
    last = _cursor(after)
    async for event in info.context.services.feed.follow(kind, owners, stake, last):
        # Nested fields of a pushed event are read after the change: no loader cache
        # survives from one event to the next on this connection.
        info.context.loaders = info.context.fresh_loaders()
        yield build(event)


def _stake_event(event: FeedEvent) -> StakeStatusEvent:
    change, stake = event.change, event.subject
    assert isinstance(stake, models.Stake)
    return StakeStatusEvent(
        cursor=str(change.cursor),
        stake=Stake.of(stake),
        previous_status=StakeStatus(change.from_status) if change.from_status else None,
        status=StakeStatus(change.to_status),
        provider_status=change.provider_status,
        occurred_at=change.occurred_at,
        source=change.source,
    )


def _action_event(event: FeedEvent) -> ActionStatusEvent:
    change, action = event.change, event.subject
    assert isinstance(action, models.StakeAction)
    return ActionStatusEvent(
        cursor=str(change.cursor),
        action=StakeAction.of(action),
        previous_status=ActionStatus(change.from_status)
        if change.from_status
        else None,
        status=ActionStatus(change.to_status),
        occurred_at=change.occurred_at,
        source=change.source,
        stuck=change.stuck,
    )


def _reward_event(event: FeedEvent) -> RewardEvent:
    change, reward = event.change, event.subject
    assert isinstance(reward, models.Reward)
    return RewardEvent(
        cursor=str(change.cursor),
        reward=Reward.of(reward),
        occurred_at=change.occurred_at,
        source=change.source,
    )


_STAKE_EVENT = _BuiltOnce(_stake_event)
_ACTION_EVENT = _BuiltOnce(_action_event)
_REWARD_EVENT = _BuiltOnce(_reward_event)


@strawberry.type(
    description=(
        "Live events over WebSocket (graphql-transport-ws or "
        "graphql-ws). Zerohash changes arrive as pushed; Dfns and "
        "Crocante ones after the next poll."
    )
)
class Subscription:
    @strawberry.subscription(
        description="Every status change of the caller's stakes; `after` replays what was "
        "missed since that cursor."
    )
    async def stake_status_changed(
        self,
        info: strawberry.Info,
        stake_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Only this stake (global id); omit for all."
            ),
        ] = None,
        provider: OnlyProvider = None,
        after: EventAfter = None,
    ) -> AsyncGenerator[StakeStatusEvent, None]:
        async for item in _follow(
            info, EntityKind.STAKE, stake_id, provider, after, _STAKE_EVENT
        ):
            yield item

    @strawberry.subscription(
        description="Status changes of actions on the caller's stakes."
    )
    async def action_status_changed(
        self,
        info: strawberry.Info,
        stake_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Only actions on this stake (global id); omit for all."
            ),
        ] = None,
        provider: OnlyProvider = None,
        after: EventAfter = None,
    ) -> AsyncGenerator[ActionStatusEvent, None]:
        async for item in _follow(
            info, EntityKind.ACTION, stake_id, provider, after, _ACTION_EVENT
        ):
            yield item

    @strawberry.subscription(description="Rewards credited to the caller's stakes.")
    async def reward_received(
        self,
        info: strawberry.Info,
        stake_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                description="Only rewards of this stake (global id); omit for all."
            ),
        ] = None,
        provider: OnlyProvider = None,
        after: EventAfter = None,
    ) -> AsyncGenerator[RewardEvent, None]:
        async for item in _follow(
            info, EntityKind.REWARD, stake_id, provider, after, _REWARD_EVENT
        ):
            yield item
