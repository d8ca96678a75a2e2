"""Idempotency records: one provider call per (client, externalId), across processes.

A request *claims* its key by inserting a pending row (the unique constraint decides the
race, also between two gateways on one PostgreSQL); the winner calls the provider and
completes the row with its response; everyone else replays that response, or waits for it.
"""

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.store.dialect import insert_ignoring_conflicts
from gateway.store.tables import IdempotencyRow

_records = IdempotencyRow.__table__  # type: ignore[attr-defined]


class ClaimOutcome(StrEnum):
    CLAIMED = "claimed"  # ours: call the provider, then complete()
    REPLAY = "replay"  # done before with the same input: here is the response
    CONFLICT = "conflict"  # the key was used with another input
    BUSY = "busy"  # another request holds it and did not finish in time


@dataclass(frozen=True, slots=True)
class Claim:
    outcome: ClaimOutcome
    record_id: int | None = None
    response: str | None = None
    operation: str | None = None


class IdempotencyStore:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        wait_timeout: float = 30.0,
        poll_interval: float = 0.05,
        stale_after: timedelta = timedelta(minutes=5),
    ) -> None:
        self._engine = engine
        self._wait_timeout = wait_timeout
        self._poll_interval = poll_interval
        self._stale_after = stale_after

    async def claim(
        self, client_id: str, external_id: str, operation: str, request_hash: str
    ) -> Claim:
        deadline = asyncio.get_running_loop().time() + self._wait_timeout
        while True:
            claim = await self._try_claim(
                client_id, external_id, operation, request_hash
            )
            if claim is not None:
                return claim
            if asyncio.get_running_loop().time() >= deadline:
                return Claim(ClaimOutcome.BUSY)
            await asyncio.sleep(self._poll_interval)

    async def _try_claim(
        self, client_id: str, external_id: str, operation: str, request_hash: str
    ) -> Claim | None:
        now = datetime.now(UTC)
        async with self._engine.begin() as connection:
            inserted = await connection.execute(
                insert_ignoring_conflicts(connection, _records).values(
                    client_id=client_id,
                    external_id=external_id,
                    operation=operation,
                    request_hash=request_hash,
                    state="pending",
                    created_at=now,
                    updated_at=now,
                )
            )
            row = (
                await connection.execute(
                    select(_records).where(
                        _records.c.client_id == client_id,
                        _records.c.external_id == external_id,
                    )
                )
            ).one()
        if inserted.rowcount == 1:
            return Claim(ClaimOutcome.CLAIMED, record_id=row.id)
        if row.request_hash != request_hash or row.operation != operation:
            return Claim(
                ClaimOutcome.CONFLICT, record_id=row.id, operation=row.operation
            )
        if row.state == "done":
            return Claim(ClaimOutcome.REPLAY, record_id=row.id, response=row.response)
        if now - _aware(row.updated_at) > self._stale_after:
            # Its holder died mid-call: take it over. The provider's own idempotency key
            # (derived from the same externalId) keeps the retried call single.
            async with self._engine.begin() as connection:
                taken = await connection.execute(
                    update(_records)
                    .where(
                        _records.c.id == row.id, _records.c.updated_at == row.updated_at
                    )
                    .values(updated_at=now)
                )
            if taken.rowcount == 1:
                return Claim(ClaimOutcome.CLAIMED, record_id=row.id)
        return None

    async def complete(self, record_id: int, response: str) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                update(_records)
                .where(_records.c.id == record_id)
                .values(state="done", response=response, updated_at=datetime.now(UTC))
            )

    async def release(self, record_id: int) -> None:
        """Forget a claim whose call failed without effect, so a retry may go through."""
        async with self._engine.begin() as connection:
            await connection.execute(delete(_records).where(_records.c.id == record_id))


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything we store is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)
