"""The event bus interface: a subscription is a bounded queue read as an async iterator.

Delivery never waits for a subscriber: a full queue drops the new message and the
subscriber learns it from ``SubscriberOverflow`` once it has read what was queued, so it
can resume from the store by cursor. Exceptions::

    SubscriberOverflow     the subscriber may have missed messages (``dropped`` locally)
     └── BusReconnected    the backend connection was lost and re-established
"""

import asyncio
from contextlib import AbstractAsyncContextManager
from typing import Final, Protocol, Self

DEFAULT_MAX_QUEUE: Final = 1000


class SubscriberOverflow(Exception):
    """The subscriber fell behind: ``dropped`` messages never reached its queue."""

    def __init__(self, dropped: int, reason: str | None = None) -> None:
        super().__init__(
            reason or f"subscriber fell behind; {dropped} message(s) dropped"
        )
        self.dropped = dropped


class BusReconnected(SubscriberOverflow):
    """The backend dropped and came back: messages published meanwhile are unknown."""

    def __init__(self, dropped: int = 0) -> None:
        super().__init__(
            dropped,
            "event bus reconnected; messages published meanwhile may be missing"
            f" ({dropped} dropped locally)",
        )


class _Gap:
    """Queue marker: raise once the messages queued before it are consumed."""

    def __init__(self) -> None:
        self.dropped = 0
        self.reconnected = False

    def exception(self) -> SubscriberOverflow:
        if self.reconnected:
            return BusReconnected(self.dropped)
        return SubscriberOverflow(self.dropped)


class _Closed:
    """Queue marker: the bus disconnected; iteration ends."""


_CLOSED: Final = _Closed()


class Subscription:
    """One subscriber's bounded queue of messages on one channel."""

    def __init__(self, channel: str, max_queue: int = DEFAULT_MAX_QUEUE) -> None:
        if max_queue < 1:
            raise ValueError("max_queue must be at least 1")
        self.channel = channel
        self.max_queue = max_queue
        # The bound is enforced in offer() rather than by the Queue so that a gap or
        # close marker always fits behind the messages already queued.
        self._queue: asyncio.Queue[str | _Gap | _Closed] = asyncio.Queue()
        self._messages = 0
        self._gap: _Gap | None = None
        self._closed = False

    def offer(self, message: str) -> bool:
        """Queues without waiting; False (and a pending overflow) when full."""
        if self._closed:
            return False
        if self._messages >= self.max_queue:
            self._pending_gap().dropped += 1
            return False
        self._messages += 1
        self._queue.put_nowait(message)
        return True

    def notify_reconnected(self) -> None:
        self._pending_gap().reconnected = True

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._queue.put_nowait(_CLOSED)

    def _pending_gap(self) -> _Gap:
        # One marker at a time: later drops join it, since every message queued after
        # it also arrives after them.
        if self._gap is None:
            self._gap = _Gap()
            self._queue.put_nowait(self._gap)
        return self._gap

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> str:
        item = await self._queue.get()
        if isinstance(item, str):
            self._messages -= 1
            return item
        if isinstance(item, _Closed):
            self._queue.put_nowait(item)  # stay closed for any later read
            raise StopAsyncIteration
        if item is self._gap:
            self._gap = None
        raise item.exception()


class EventBus(Protocol):
    """Publishes string messages on named channels to each subscriber of one."""

    async def connect(self) -> None: ...

    async def disconnect(self) -> None:
        """Releases the backend; open subscriptions stop iterating."""
        ...

    async def publish(self, channel: str, message: str) -> None: ...

    def subscribe(
        self, channel: str, *, max_queue: int = DEFAULT_MAX_QUEUE
    ) -> AbstractAsyncContextManager[Subscription]:
        """Active once entered: a message published after entry is delivered."""
        ...

    async def ping(self) -> None:
        """Raises when the backend is unusable (for /readyz)."""
        ...

    @property
    def published(self) -> int: ...

    @property
    def delivered(self) -> int: ...

    @property
    def dropped(self) -> int: ...

    @property
    def subscriber_count(self) -> int: ...
