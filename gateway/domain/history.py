"""The status history: every observed change of a stake, an action, or a credited reward."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from gateway.domain.enums import EventSource, Provider
from gateway.domain.models import Reward, Stake, StakeAction


class EntityKind(StrEnum):
    STAKE = "STAKE"
    ACTION = "ACTION"
    REWARD = "REWARD"


@dataclass(frozen=True, slots=True)
class StatusReport:
    """Something told us an entity is now in `to_status` (a common status name)."""

    provider: Provider
    entity_kind: EntityKind
    entity_id: str
    owner: str
    to_status: str
    provider_status: str
    rank: int
    source: EventSource
    occurred_at: datetime
    provider_stake_id: str | None = None
    provider_event_id: str | None = None
    # The object as it was then (the domain object, as JSON-ready data) for subscribers.
    payload: str = "{}"
    # Not a change: the action has stayed in `provider_status` past its threshold.
    stuck: bool = False


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """A recorded report. `applied` is False for a stale report that did not move the status."""

    cursor: int
    provider: Provider
    entity_kind: EntityKind
    entity_id: str
    owner: str
    from_status: str | None
    to_status: str
    provider_status: str
    applied: bool
    source: EventSource
    occurred_at: datetime
    payload: str
    provider_stake_id: str | None = None
    stuck: bool = False


Subject = Stake | StakeAction | Reward


@dataclass(frozen=True, slots=True, eq=False, weakref_slot=True)
class FeedEvent:
    """An applied change a subscriber follows, with its subject as it was then.

    Compared by identity: every subscriber of a process receives the same object for
    the same bus message, so what is built from it can be built once for all of them.
    """

    change: StatusEvent
    subject: Subject
