"""Local delivery shared by every backend: channel -> subscriptions, never blocking."""

from collections.abc import Iterable

from gateway.events.bus import Subscription


class LocalFanout:
    def __init__(self) -> None:
        self._channels: dict[str, set[Subscription]] = {}
        self.delivered = 0
        self.dropped = 0

    def add(self, subscription: Subscription) -> bool:
        """Registers; True when it is the channel's first subscriber."""
        subscribers = self._channels.setdefault(subscription.channel, set())
        subscribers.add(subscription)
        return len(subscribers) == 1

    def remove(self, subscription: Subscription) -> bool:
        """Unregisters; True when the channel has no subscriber left."""
        subscribers = self._channels.get(subscription.channel)
        if subscribers is None:
            return False
        subscribers.discard(subscription)
        if subscribers:
            return False
        del self._channels[subscription.channel]
        return True

    def has(self, channel: str) -> bool:
        return channel in self._channels

    def channels(self) -> list[str]:
        return list(self._channels)

    def subscribers(self, channel: str) -> Iterable[Subscription]:
        return tuple(self._channels.get(channel, ()))

    @property
    def subscriber_count(self) -> int:
        return sum(len(s) for s in self._channels.values())

    def deliver(self, channel: str, message: str) -> None:
        # A slow subscriber loses its own messages, never delays the others.
        for subscription in self._channels.get(channel, ()):
            if subscription.offer(message):
                self.delivered += 1
            else:
                self.dropped += 1

    def close_all(self) -> None:
        for subscribers in self._channels.values():
            for subscription in subscribers:
                subscription.close()


class FanoutCounters:
    """The counters /metrics reads, for a bus that fans out through a `LocalFanout`."""

    _published: int
    _fanout: LocalFanout

    @property
    def published(self) -> int:
        return self._published

    @property
    def delivered(self) -> int:
        return self._fanout.delivered

    @property
    def dropped(self) -> int:
        return self._fanout.dropped

    @property
    def subscriber_count(self) -> int:
        return self._fanout.subscriber_count
