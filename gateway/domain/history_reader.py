"""What the schema may read of the status history: a port, so it never holds the store."""

from collections.abc import Sequence
from typing import Protocol

from gateway.domain.enums import Provider
from gateway.domain.history import EntityKind, StatusEvent


class HistoryReader(Protocol):
    """Read-only status history (gateway.store.history.HistoryStore is one)."""

    async def for_stakes(
        self, provider: Provider, stake_ids: Sequence[str]
    ) -> dict[str, list[StatusEvent]]:
        """The applied status changes of these stakes, oldest first."""
        ...

    async def after(
        self,
        cursor: int,
        *,
        kinds: Sequence[EntityKind],
        owners: Sequence[tuple[Provider, str]],
        limit: int = 1000,
    ) -> list[StatusEvent]:
        """Applied events after `cursor` for these owners, in cursor order."""
        ...

    async def latest_cursor(self) -> int: ...


class Probe(Protocol):
    """A dependency readiness can ping (the database, say)."""

    async def ping(self) -> None: ...
