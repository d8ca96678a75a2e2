"""Client webhooks: the endpoints clients registered, and the deliveries owed to them.

A delivery row is the outbound outbox: it is written in the same transaction that moves
the fan-out's position in the status history, so an event is queued once, and it stays
PENDING until an endpoint has acknowledged it, so a crash mid-send sends it again.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import Row, and_, delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.domain.enums import Provider
from gateway.domain.webhooks import (
    DeliveryAttempt,
    DeliveryState,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEventType,
)
from gateway.store.dialect import insert_ignoring_conflicts
from gateway.store.tables import (
    ApiClientRow,
    ClientIdentityRow,
    OutboxCursorRow,
    WebhookAttemptRow,
    WebhookDeliveryRow,
    WebhookEndpointRow,
)

_endpoints = WebhookEndpointRow.__table__  # type: ignore[attr-defined]
_deliveries = WebhookDeliveryRow.__table__  # type: ignore[attr-defined]
_attempts = WebhookAttemptRow.__table__  # type: ignore[attr-defined]
_positions = OutboxCursorRow.__table__  # type: ignore[attr-defined]
_identities = ClientIdentityRow.__table__  # type: ignore[attr-defined]
_clients = ApiClientRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class NewDelivery:
    endpoint_id: str
    event_id: str
    event_type: WebhookEventType
    cursor: int | None
    ordering_key: str
    body: str
    # False for one its caller sends itself (a test ping): the sender never takes it.
    scheduled: bool = True


@dataclass(frozen=True, slots=True)
class AttemptOutcome:
    """What one attempt changed: the delivery's next state, and whether it counts for
    the endpoint's health (a test ping does not)."""

    state: DeliveryState
    next_attempt_at: datetime | None
    ok: bool
    counts_for_health: bool = True


class _PositionMoved(Exception):
    pass


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _endpoint(row: Row[tuple[object, ...]]) -> WebhookEndpoint:
    return WebhookEndpoint(
        id=row.id,
        client_id=row.client_id,
        url=row.url,
        event_types=tuple(
            WebhookEventType(t) for t in str(row.event_types).split(",") if t
        ),
        created_at=_aware(row.created_at),  # type: ignore[arg-type]
        description=row.description,
        disabled_at=_aware(row.disabled_at),
        disabled_reason=row.disabled_reason,
        failing_since=_aware(row.failing_since),
    )


def _delivery(
    row: Row[tuple[object, ...]], log: Sequence[DeliveryAttempt] = ()
) -> WebhookDelivery:
    return WebhookDelivery(
        id=int(row.id),
        endpoint_id=row.endpoint_id,
        event_id=row.event_id,
        event_type=WebhookEventType(row.event_type),
        cursor=None if row.cursor is None else int(row.cursor),
        ordering_key=row.ordering_key,
        body=row.body,
        state=DeliveryState(row.state),
        attempts=int(row.attempts),
        created_at=_aware(row.created_at),  # type: ignore[arg-type]
        next_attempt_at=_aware(row.next_attempt_at),
        first_attempt_at=_aware(row.first_attempt_at),
        delivered_at=_aware(row.delivered_at),
        last_status=row.last_status,
        last_error=row.last_error,
        attempt_log=tuple(log),
    )


def _endpoint_ids(
    subscribers: Mapping[tuple[Provider, str], Sequence[WebhookEndpoint]],
) -> set[tuple[tuple[Provider, str], str]]:
    return {(owner, e.id) for owner, found in subscribers.items() for e in found}


class ClientWebhookStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    # Endpoints

    async def create_endpoint(
        self,
        endpoint: WebhookEndpoint,
        secret: str,
        *,
        fan_out: str,
        clock: Callable[[], datetime],
    ) -> WebhookEndpoint:
        """Stores the endpoint, stamped with its registration time taken under the
        `fan_out` position's row lock. A fan-out then either ran before (every event
        it took was recorded before the stamp) or sees this endpoint; none falls
        between (`enqueue_and_advance`)."""
        async with self._engine.begin() as connection:
            await self._lock_position(connection, fan_out)
            endpoint = replace(endpoint, created_at=clock())
            await connection.execute(
                _endpoints.insert().values(
                    id=endpoint.id,
                    client_id=endpoint.client_id,
                    url=endpoint.url,
                    event_types=",".join(t.value for t in endpoint.event_types),
                    description=endpoint.description,
                    secret=secret,
                    created_at=endpoint.created_at,
                )
            )
        return endpoint

    @staticmethod
    async def _ensure_position(connection: AsyncConnection, name: str) -> None:
        await connection.execute(
            insert_ignoring_conflicts(connection, _positions).values(
                name=name, cursor=0
            )
        )

    @classmethod
    async def _lock_position(cls, connection: AsyncConnection, name: str) -> None:
        await cls._ensure_position(connection, name)
        # A no-op write: it waits for, and then holds off, a fan-out moving it.
        await connection.execute(
            update(_positions)
            .where(_positions.c.name == name)
            .values(cursor=_positions.c.cursor)
        )

    async def endpoints(self, client_id: str | None = None) -> list[WebhookEndpoint]:
        query = select(_endpoints).order_by(_endpoints.c.created_at, _endpoints.c.id)
        if client_id is not None:
            query = query.where(_endpoints.c.client_id == client_id)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [_endpoint(row) for row in rows]

    async def endpoint(
        self, endpoint_id: str, client_id: str | None = None
    ) -> WebhookEndpoint | None:
        query = select(_endpoints).where(_endpoints.c.id == endpoint_id)
        if client_id is not None:
            query = query.where(_endpoints.c.client_id == client_id)
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).first()
        return None if row is None else _endpoint(row)

    async def with_secrets(
        self, endpoint_ids: Sequence[str]
    ) -> dict[str, tuple[WebhookEndpoint, str]]:
        """The endpoints and their signing secrets, for sending only."""
        if not endpoint_ids:
            return {}
        async with self._engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(_endpoints).where(
                        _endpoints.c.id.in_(list(set(endpoint_ids)))
                    )
                )
            ).all()
        return {row.id: (_endpoint(row), row.secret) for row in rows}

    async def delete_endpoint(self, endpoint_id: str, client_id: str | None) -> bool:
        condition = _endpoints.c.id == endpoint_id
        if client_id is not None:
            condition = and_(condition, _endpoints.c.client_id == client_id)
        async with self._engine.begin() as connection:
            found = (
                await connection.execute(select(_endpoints.c.id).where(condition))
            ).first()
            if found is None:
                return False
            # Children first: SQLite enforces the cascade only with foreign keys on.
            delivery_ids = select(_deliveries.c.id).where(
                _deliveries.c.endpoint_id == endpoint_id
            )
            await connection.execute(
                delete(_attempts).where(_attempts.c.delivery_id.in_(delivery_ids))
            )
            await connection.execute(
                delete(_deliveries).where(_deliveries.c.endpoint_id == endpoint_id)
            )
            await connection.execute(delete(_endpoints).where(condition))
        return True

    async def enable_endpoint(
        self, endpoint_id: str, client_id: str
    ) -> WebhookEndpoint | None:
        async with self._engine.begin() as connection:
            await connection.execute(
                update(_endpoints)
                .where(
                    _endpoints.c.id == endpoint_id,
                    _endpoints.c.client_id == client_id,
                )
                .values(disabled_at=None, disabled_reason=None, failing_since=None)
            )
        return await self.endpoint(endpoint_id, client_id)

    async def subscribers(
        self, owners: Sequence[tuple[Provider, str]]
    ) -> dict[tuple[Provider, str], list[WebhookEndpoint]]:
        """The endpoints of every active client linked to each owner. A disabled one
        is included: what it misses queues up, and flows once it is enabled again."""
        if not owners:
            return {}
        async with self._engine.connect() as connection:
            return await self._subscribers(connection, owners)

    @staticmethod
    async def _subscribers(
        connection: AsyncConnection, owners: Sequence[tuple[Provider, str]]
    ) -> dict[tuple[Provider, str], list[WebhookEndpoint]]:
        wanted = {(p.value, o) for p, o in owners}
        rows = (
            await connection.execute(
                select(
                    _identities.c.provider.label("owner_provider"),
                    _identities.c.identity.label("owner"),
                    _endpoints,
                )
                .join(_endpoints, _endpoints.c.client_id == _identities.c.client_id)
                .join(_clients, _clients.c.id == _identities.c.client_id)
                .where(
                    _clients.c.revoked_at.is_(None),
                    _identities.c.identity.in_([o for _, o in wanted]),
                )
                .order_by(_endpoints.c.id)
            )
        ).all()
        found: dict[tuple[Provider, str], list[WebhookEndpoint]] = {}
        for row in rows:
            if (row.owner_provider, row.owner) in wanted:
                key = (Provider(row.owner_provider), row.owner)
                found.setdefault(key, []).append(_endpoint(row))
        return found

    # The fan-out's position in the status history

    async def position(self, name: str) -> int:
        async with self._engine.begin() as connection:
            await self._ensure_position(connection, name)
            value = (
                await connection.execute(
                    select(_positions.c.cursor).where(_positions.c.name == name)
                )
            ).scalar()
        return int(value or 0)

    async def enqueue_and_advance(
        self,
        name: str,
        expected: int,
        advance_to: int,
        deliveries: Sequence[NewDelivery],
        now: datetime,
        owners: Sequence[tuple[Provider, str]],
        subscribers: Mapping[tuple[Provider, str], Sequence[WebhookEndpoint]],
    ) -> bool:
        """Queues `deliveries` and moves the position, both or neither.

        False, queuing nothing, when the position is no longer `expected` (another
        sender moved it first), or when the events' `owners` no longer have exactly
        the endpoints `subscribers` saw: one registered meanwhile is owed these events,
        so the caller works them out again.
        """
        try:
            async with self._engine.begin() as connection:
                moved = await connection.execute(
                    update(_positions)
                    .where(_positions.c.name == name, _positions.c.cursor == expected)
                    .values(cursor=advance_to)
                )
                if moved.rowcount != 1:
                    raise _PositionMoved
                # Under the position's lock, no registration can commit any more.
                now_seen = await self._subscribers(connection, owners) if owners else {}
                if _endpoint_ids(now_seen) != _endpoint_ids(subscribers):
                    raise _PositionMoved
                await self._insert(connection, deliveries, now)
        except _PositionMoved:  # rolled back: nothing queued
            return False
        return True

    async def enqueue(self, deliveries: Sequence[NewDelivery], now: datetime) -> int:
        async with self._engine.begin() as connection:
            await self._insert(connection, deliveries, now)
        return len(deliveries)

    async def enqueue_one(self, new: NewDelivery, now: datetime) -> WebhookDelivery:
        async with self._engine.begin() as connection:
            await self._insert(connection, [new], now)
            row = (
                await connection.execute(
                    select(_deliveries)
                    .where(
                        _deliveries.c.endpoint_id == new.endpoint_id,
                        _deliveries.c.event_id == new.event_id,
                    )
                    .order_by(_deliveries.c.id.desc())
                    .limit(1)
                )
            ).one()
        return _delivery(row)

    @staticmethod
    async def _insert(
        connection: AsyncConnection, deliveries: Sequence[NewDelivery], now: datetime
    ) -> None:
        if not deliveries:
            return
        await connection.execute(
            _deliveries.insert(),
            [
                {
                    "endpoint_id": d.endpoint_id,
                    "event_id": d.event_id,
                    "event_type": d.event_type.value,
                    "cursor": d.cursor,
                    "ordering_key": d.ordering_key,
                    "body": d.body,
                    "state": DeliveryState.PENDING.value,
                    "attempts": 0,
                    "created_at": now,
                    "next_attempt_at": now if d.scheduled else None,
                }
                for d in deliveries
            ],
        )

    # Sending

    async def due(self, now: datetime, limit: int = 100) -> list[WebhookDelivery]:
        """Deliveries to attempt now: each the oldest pending one of its stake at its
        endpoint (a later one waits for it), only to enabled endpoints of active
        clients."""
        earlier = _deliveries.alias("earlier")
        query = (
            select(_deliveries)
            .join(_endpoints, _endpoints.c.id == _deliveries.c.endpoint_id)
            .join(_clients, _clients.c.id == _endpoints.c.client_id)
            .where(
                _deliveries.c.state == DeliveryState.PENDING.value,
                _deliveries.c.next_attempt_at <= now,
                _endpoints.c.disabled_at.is_(None),
                # A revoked client is sent nothing more.
                _clients.c.revoked_at.is_(None),
                ~exists().where(
                    earlier.c.endpoint_id == _deliveries.c.endpoint_id,
                    earlier.c.ordering_key == _deliveries.c.ordering_key,
                    earlier.c.state == DeliveryState.PENDING.value,
                    earlier.c.id < _deliveries.c.id,
                ),
            )
            .order_by(_deliveries.c.id)
            .limit(limit)
        )
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [_delivery(row) for row in rows]

    async def record_attempt(
        self,
        delivery: WebhookDelivery,
        attempt: DeliveryAttempt,
        outcome: AttemptOutcome,
        disable_after: timedelta = timedelta(hours=24),
    ) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(
                _attempts.insert().values(
                    delivery_id=delivery.id,
                    attempt=attempt.attempt,
                    attempted_at=attempt.attempted_at,
                    status_code=attempt.status_code,
                    error=attempt.error,
                    latency_ms=attempt.latency_ms,
                )
            )
            values: dict[str, object] = {
                "state": outcome.state.value,
                "attempts": attempt.attempt,
                "next_attempt_at": outcome.next_attempt_at,
                "last_status": attempt.status_code,
                "last_error": attempt.error,
            }
            if attempt.attempt == 1:
                values["first_attempt_at"] = attempt.attempted_at
            if outcome.state is DeliveryState.DELIVERED:
                values["delivered_at"] = attempt.attempted_at
            await connection.execute(
                update(_deliveries)
                .where(_deliveries.c.id == delivery.id)
                .values(**values)
            )
            if not outcome.counts_for_health:
                return
            this = _endpoints.c.id == delivery.endpoint_id
            if outcome.ok:
                await connection.execute(
                    update(_endpoints).where(this).values(failing_since=None)
                )
                return
            # In SQL, not from what was read before sending: attempts run side by side.
            await connection.execute(
                update(_endpoints)
                .where(this, _endpoints.c.failing_since.is_(None))
                .values(failing_since=attempt.attempted_at)
            )
            await connection.execute(
                update(_endpoints)
                .where(
                    this,
                    _endpoints.c.disabled_at.is_(None),
                    _endpoints.c.failing_since <= attempt.attempted_at - disable_after,
                )
                .values(
                    disabled_at=attempt.attempted_at,
                    disabled_reason=(
                        f"No 2xx answer for {disable_after.total_seconds() / 3600:g} h:"
                        " disabled. Fix the endpoint, then enable it again."
                    ),
                )
            )

    # The delivery log

    async def deliveries(
        self,
        endpoint_ids: Sequence[str],
        *,
        limit: int = 20,
        before: int | None = None,
        event_id: str | None = None,
    ) -> list[WebhookDelivery]:
        """Newest first, each with its attempts, oldest attempt first."""
        if not endpoint_ids:
            return []
        query = select(_deliveries).where(
            _deliveries.c.endpoint_id.in_(list(endpoint_ids))
        )
        if before is not None:
            query = query.where(_deliveries.c.id < before)
        if event_id is not None:
            query = query.where(_deliveries.c.event_id == event_id)
        query = query.order_by(_deliveries.c.id.desc()).limit(limit)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
            ids = [int(r.id) for r in rows]
            attempts = (
                (
                    await connection.execute(
                        select(_attempts)
                        .where(_attempts.c.delivery_id.in_(ids))
                        .order_by(_attempts.c.id)
                    )
                ).all()
                if ids
                else []
            )
        logs: Mapping[int, list[DeliveryAttempt]] = {i: [] for i in ids}
        for a in attempts:
            logs[int(a.delivery_id)].append(
                DeliveryAttempt(
                    attempt=int(a.attempt),
                    attempted_at=_aware(a.attempted_at),  # type: ignore[arg-type]
                    status_code=a.status_code,
                    error=a.error,
                    latency_ms=float(a.latency_ms),
                )
            )
        return [_delivery(row, logs[int(row.id)]) for row in rows]
