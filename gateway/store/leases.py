"""Leases: one replica at a time does a job (polling a provider); a dead holder's lease
runs out and another replica takes over within one TTL."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.store.dialect import insert_ignoring_conflicts
from gateway.store.tables import WatcherLeaseRow

_leases = WatcherLeaseRow.__table__  # type: ignore[attr-defined]


class LeaseStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def acquire(self, name: str, holder: str, ttl: timedelta) -> bool:
        """Takes or renews the lease `name` for `holder`; False while another holds it."""
        now = datetime.now(UTC)
        async with self._engine.begin() as connection:
            await connection.execute(
                insert_ignoring_conflicts(connection, _leases).values(
                    provider=name, holder=holder, expires_at=now + ttl
                )
            )
            taken = await connection.execute(
                update(_leases)
                .where(
                    _leases.c.provider == name,
                    (_leases.c.holder == holder) | (_leases.c.expires_at < now),
                )
                .values(holder=holder, expires_at=now + ttl)
            )
        return taken.rowcount == 1

    async def release(self, name: str, holder: str) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                update(_leases)
                .where(_leases.c.provider == name, _leases.c.holder == holder)
                .values(expires_at=datetime(1970, 1, 1, tzinfo=UTC))
            )
