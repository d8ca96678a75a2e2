"""The status bus: from whoever saw a status change to the GraphQL subscriptions."""

from gateway.events.bus import (
    DEFAULT_MAX_QUEUE,
    BusReconnected,
    EventBus,
    SubscriberOverflow,
    Subscription,
)
from gateway.events.factory import create_bus
from gateway.events.memory import MemoryBus
from gateway.events.redis import RedisBus

__all__ = [
    "DEFAULT_MAX_QUEUE",
    "BusReconnected",
    "EventBus",
    "MemoryBus",
    "RedisBus",
    "SubscriberOverflow",
    "Subscription",
    "create_bus",
]
