"""At most N WebSocket connections per client (on this replica).

The security middleware opens a slot around each WebSocket connection; `on_ws_connect`
claims it for the client it authenticated, and the slot is released when the connection
ends, however it ends. The slot travels in a context variable because Strawberry's
connection_init handling runs in the connection's own task and sees only the context.
"""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class ConnectionSlot:
    client_id: str | None = None


_current: ContextVar[ConnectionSlot | None] = ContextVar(
    "gateway_connection_slot", default=None
)


def current_connection() -> ConnectionSlot | None:
    """The WebSocket connection this code runs for, if any."""
    return _current.get()


class ConnectionLimiter:
    def __init__(self, max_per_client: int) -> None:
        self.max_per_client = max_per_client  # 0: no cap
        self._open: Counter[str] = Counter()

    def open_count(self, client_id: str) -> int:
        return self._open[client_id]

    @contextmanager
    def connection(self) -> Iterator[ConnectionSlot]:
        slot = ConnectionSlot()
        token = _current.set(slot)
        try:
            yield slot
        finally:
            _current.reset(token)
            if slot.client_id is not None:
                self._open[slot.client_id] -= 1
                if self._open[slot.client_id] <= 0:
                    del self._open[slot.client_id]

    def claim(self, client_id: str) -> bool:
        slot = _current.get()
        if slot is None and not self.max_per_client:
            return True
        if slot is None:
            raise RuntimeError(
                "A WebSocket was accepted outside SecurityMiddleware: add it to the app."
            )
        if slot.client_id is not None:
            return slot.client_id == client_id
        if self.max_per_client and self._open[client_id] >= self.max_per_client:
            return False
        self._open[client_id] += 1
        slot.client_id = client_id
        return True
