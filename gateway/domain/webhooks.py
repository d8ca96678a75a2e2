"""Outbound webhooks: the endpoints a client registers and what is delivered to them."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from gateway.domain.history import EntityKind, StatusEvent


class WebhookEventType(StrEnum):
    STAKE_STATUS_CHANGED = "stake.status_changed"
    ACTION_STATUS_CHANGED = "action.status_changed"
    REWARD_RECEIVED = "reward.received"
    ACTION_STUCK = "action.stuck"
    # Sent by testWebhook only; never subscribed to.
    PING = "ping"


SUBSCRIBABLE = tuple(t for t in WebhookEventType if t is not WebhookEventType.PING)

EVENT_TYPE_OF_KIND: dict[EntityKind, WebhookEventType] = {
    EntityKind.STAKE: WebhookEventType.STAKE_STATUS_CHANGED,
    EntityKind.ACTION: WebhookEventType.ACTION_STATUS_CHANGED,
    EntityKind.REWARD: WebhookEventType.REWARD_RECEIVED,
}


def event_type_of(event: StatusEvent) -> WebhookEventType:
    if event.stuck:
        return WebhookEventType.ACTION_STUCK
    return EVENT_TYPE_OF_KIND[event.entity_kind]


class DeliveryState(StrEnum):
    PENDING = "PENDING"  # waiting for its first attempt or its next retry
    DELIVERED = "DELIVERED"  # the endpoint answered 2xx
    FAILED = "FAILED"  # retried for the whole retry window, then given up


def event_id_for(cursor: int, event_type: WebhookEventType) -> str:
    """Stable per status-history row: a redelivery or replay carries the same id."""
    return f"evt_{cursor}_{event_type.value.replace('.', '_')}"


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    id: str
    client_id: str
    url: str
    event_types: tuple[WebhookEventType, ...]
    created_at: datetime
    description: str | None = None
    # Set when the endpoint kept failing for the whole retry window; nothing is sent
    # to it until it is enabled again.
    disabled_at: datetime | None = None
    disabled_reason: str | None = None
    # The first failure since the last success.
    failing_since: datetime | None = None

    @property
    def enabled(self) -> bool:
        return self.disabled_at is None


@dataclass(frozen=True, slots=True)
class DeliveryAttempt:
    attempt: int
    attempted_at: datetime
    status_code: int | None
    error: str | None
    latency_ms: float


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    id: int
    endpoint_id: str
    event_id: str
    event_type: WebhookEventType
    cursor: int | None
    ordering_key: str
    body: str
    state: DeliveryState
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    first_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    last_status: int | None = None
    last_error: str | None = None
    attempt_log: tuple[DeliveryAttempt, ...] = ()
