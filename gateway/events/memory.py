"""The in-process bus: one gateway replica, no backend."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from gateway.events.bus import DEFAULT_MAX_QUEUE, Subscription
from gateway.events.fanout import FanoutCounters, LocalFanout


class MemoryBus(FanoutCounters):
    def __init__(self) -> None:
        self._fanout = LocalFanout()
        self._published = 0

    async def connect(self) -> None:
        return None

    async def disconnect(self) -> None:
        self._fanout.close_all()

    async def publish(self, channel: str, message: str) -> None:
        self._published += 1
        self._fanout.deliver(channel, message)

    @asynccontextmanager
    async def subscribe(
        self, channel: str, *, max_queue: int = DEFAULT_MAX_QUEUE
    ) -> AsyncIterator[Subscription]:
        subscription = Subscription(channel, max_queue)
        self._fanout.add(subscription)
        try:
            yield subscription
        finally:
            self._fanout.remove(subscription)

    async def ping(self) -> None:
        return None
