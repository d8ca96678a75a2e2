"""Choose the backend: Redis when the replicas share one, else in-process."""

from gateway.events.bus import EventBus
from gateway.events.memory import MemoryBus
from gateway.events.redis import RedisBus


def create_bus(redis_url: str | None) -> EventBus:
    return RedisBus(redis_url) if redis_url else MemoryBus()
