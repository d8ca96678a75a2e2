"""A clock that runs `time_scale` simulated seconds per real second and can be moved forward."""

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

Listener = Callable[[], Awaitable[None]]


class SimulatedClock:
    def __init__(
        self,
        *,
        time_scale: float = 1.0,
        start: datetime | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if time_scale < 0:
            raise ValueError("time_scale must not be negative")
        self._time_scale = time_scale
        self._start = start or datetime.now(UTC)
        self._monotonic = monotonic
        self._real_start = monotonic()
        self._offset = timedelta()
        self._listeners: list[Listener] = []
        self._held: datetime | None = None

    @property
    def time_scale(self) -> float:
        return self._time_scale

    def now(self) -> datetime:
        if self._held is not None:
            return self._held
        return self._running_now()

    def _running_now(self) -> datetime:
        elapsed = (self._monotonic() - self._real_start) * self._time_scale
        return self._start + timedelta(seconds=elapsed) + self._offset

    @property
    def held(self) -> bool:
        return self._held is not None

    def hold(self, held: bool) -> None:
        """Held, the clock stands still (and ignores `advance`): whatever is in flight
        stays where it is, for tests of what a stuck provider looks like. Released, it
        runs on from where it stood."""
        if held and self._held is None:
            self._held = self._running_now()
        elif not held and self._held is not None:
            self._offset -= self._running_now() - self._held
            self._held = None

    def on_advance(self, listener: Listener) -> None:
        """`listener` runs after every `advance`, so a sandbox can push what the jump caused."""
        self._listeners.append(listener)

    async def advance(self, seconds: float) -> datetime:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        if self._held is not None:
            return self._held
        self._offset += timedelta(seconds=seconds)
        for listener in self._listeners:
            await listener()
        return self.now()
