"""The status history and outbox: one row per fact, the status moving only forward."""

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Row, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.domain.enums import EventSource, Provider
from gateway.domain.history import EntityKind, StatusEvent, StatusReport
from gateway.store.dialect import insert_ignoring_conflicts
from gateway.store.tables import EntityStateRow, StatusEventRow

_events = StatusEventRow.__table__  # type: ignore[attr-defined]
_states = EntityStateRow.__table__  # type: ignore[attr-defined]


def fact_key(report: StatusReport) -> str:
    """The same fact reported twice (webhook and poll, or a redelivery) is one row."""
    if report.entity_kind is EntityKind.REWARD:
        return f"{report.provider.value}:REWARD:{report.entity_id}:{report.provider_status}"
    if report.stuck:
        # Once per action and provider status: raised once, never again for it.
        return (
            f"{report.provider.value}:{report.entity_kind.value}:{report.entity_id}:"
            f"STUCK:{report.provider_status}"
        )
    return (
        f"{report.provider.value}:{report.entity_kind.value}:{report.entity_id}:"
        f"{report.to_status}:{report.provider_status}"
    )


def _row(
    report: StatusReport, from_status: str | None, applied: bool, now: datetime
) -> dict[str, object]:
    return {
        "fact_key": fact_key(report),
        "provider": report.provider.value,
        "entity_kind": report.entity_kind.value,
        "entity_id": report.entity_id,
        "provider_stake_id": report.provider_stake_id,
        "owner": report.owner,
        "from_status": from_status,
        "to_status": report.to_status,
        "provider_status": report.provider_status,
        "applied": applied,
        "source": report.source.value,
        "provider_event_id": report.provider_event_id,
        "occurred_at": report.occurred_at,
        "recorded_at": now,
        "payload": report.payload,
        "published": False,
        "stuck": report.stuck,
    }


def _event(
    cursor: int, report: StatusReport, from_status: str | None, applied: bool
) -> StatusEvent:
    return StatusEvent(
        cursor=cursor,
        provider=report.provider,
        entity_kind=report.entity_kind,
        entity_id=report.entity_id,
        owner=report.owner,
        from_status=from_status,
        to_status=report.to_status,
        provider_status=report.provider_status,
        applied=applied,
        source=report.source,
        occurred_at=report.occurred_at,
        payload=report.payload,
        provider_stake_id=report.provider_stake_id,
        stuck=report.stuck,
    )


class HistoryStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def record(self, report: StatusReport) -> StatusEvent | None:
        async with self._engine.begin() as connection:
            return await self.record_in(connection, report)

    async def record_in(
        self, connection: AsyncConnection, report: StatusReport
    ) -> StatusEvent | None:
        """Records `report` inside the caller's transaction; None when it is a repeat."""
        from_status: str | None = None
        applied = True
        if report.stuck:
            # An alert moves nothing: it is told as it is, from the status to itself.
            from_status = report.to_status
        elif report.entity_kind is not EntityKind.REWARD:
            from_status, applied = await self._advance_state(connection, report)
        result = await connection.execute(
            insert_ignoring_conflicts(connection, _events)
            .values(**_row(report, from_status, applied, datetime.now(UTC)))
            .returning(_events.c.cursor)
        )
        cursor = result.scalar()
        if cursor is None:
            return None
        return _event(int(cursor), report, from_status, applied)

    async def record_all_in(
        self, connection: AsyncConnection, reports: Sequence[StatusReport]
    ) -> list[StatusEvent | None]:
        """`record_in` for each, in order; runs of rewards go in one statement each.

        A reward moves no status, so a burst of them (webhooks) needs no per-row read.
        """
        recorded: list[StatusEvent | None] = []
        run: list[StatusReport] = []
        for report in reports:
            if report.entity_kind is EntityKind.REWARD:
                run.append(report)
                continue
            recorded += await self._record_rewards(connection, run)
            run = []
            recorded.append(await self.record_in(connection, report))
        recorded += await self._record_rewards(connection, run)
        return recorded

    async def _record_rewards(
        self, connection: AsyncConnection, reports: Sequence[StatusReport]
    ) -> list[StatusEvent | None]:
        if not reports:
            return []
        now = datetime.now(UTC)
        inserted = await connection.execute(
            insert_ignoring_conflicts(connection, _events).returning(
                _events.c.cursor, _events.c.fact_key
            ),
            [_row(report, None, True, now) for report in reports],
        )
        cursors = {row.fact_key: int(row.cursor) for row in inserted}
        recorded: list[StatusEvent | None] = []
        for report in reports:
            # Of one fact reported twice in the burst, the first is the new one.
            cursor = cursors.pop(fact_key(report), None)
            recorded.append(
                None if cursor is None else _event(cursor, report, None, True)
            )
        return recorded

    async def _advance_state(
        self, connection: AsyncConnection, report: StatusReport
    ) -> tuple[str | None, bool]:
        key = (
            _states.c.provider == report.provider.value,
            _states.c.entity_kind == report.entity_kind.value,
            _states.c.entity_id == report.entity_id,
        )
        select_state = select(_states).where(*key)
        if connection.dialect.name == "postgresql":
            select_state = select_state.with_for_update()
        current = (await connection.execute(select_state)).first()
        now = datetime.now(UTC)
        values = {
            "owner": report.owner,
            "status": report.to_status,
            "provider_status": report.provider_status,
            "rank": report.rank,
            "updated_at": now,
        }
        if current is None:
            inserted = await connection.execute(
                insert_ignoring_conflicts(connection, _states).values(
                    provider=report.provider.value,
                    entity_kind=report.entity_kind.value,
                    entity_id=report.entity_id,
                    **values,
                )
            )
            if inserted.rowcount == 1:
                return None, True
            current = (await connection.execute(select_state)).one()
        if report.rank < current.rank or (
            report.rank == current.rank and report.to_status == current.status
        ):
            # Stale or repeated: recorded for the record, the status stays.
            return current.status, False
        await connection.execute(update(_states).where(*key).values(**values))
        return current.status, True

    async def current_status(
        self, provider: Provider, kind: EntityKind, entity_id: str
    ) -> str | None:
        async with self._engine.connect() as connection:
            value = (
                await connection.execute(
                    select(_states.c.status).where(
                        _states.c.provider == provider.value,
                        _states.c.entity_kind == kind.value,
                        _states.c.entity_id == entity_id,
                    )
                )
            ).scalar()
        return None if value is None else str(value)

    async def for_stakes(
        self, provider: Provider, stake_ids: Sequence[str]
    ) -> dict[str, list[StatusEvent]]:
        """The applied status changes of these stakes, oldest first."""
        if not stake_ids:
            return {}
        async with self._engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(_events)
                    .where(
                        _events.c.provider == provider.value,
                        _events.c.entity_kind == EntityKind.STAKE.value,
                        _events.c.entity_id.in_(stake_ids),
                        _events.c.applied.is_(True),
                    )
                    .order_by(_events.c.cursor)
                )
            ).all()
        grouped: dict[str, list[StatusEvent]] = {stake_id: [] for stake_id in stake_ids}
        for row in rows:
            grouped[row.entity_id].append(_to_event(row))
        return grouped

    async def after(
        self,
        cursor: int,
        *,
        kinds: Sequence[EntityKind],
        owners: Sequence[tuple[Provider, str]],
        limit: int = 1000,
    ) -> list[StatusEvent]:
        """Applied events after `cursor` for these owners, in cursor order (for replay)."""
        if not owners:
            return []
        owner_filter = [
            (_events.c.provider == provider.value) & (_events.c.owner == owner)
            for provider, owner in owners
        ]

        async with self._engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(_events)
                    .where(
                        _events.c.cursor > cursor,
                        _events.c.entity_kind.in_([k.value for k in kinds]),
                        _events.c.applied.is_(True),
                        or_(*owner_filter),
                    )
                    .order_by(_events.c.cursor)
                    .limit(limit)
                )
            ).all()
        return [_to_event(row) for row in rows]

    async def recorded_after(
        self, cursor: int, limit: int = 500
    ) -> list[tuple[StatusEvent, datetime]]:
        """Events after `cursor`, every owner, applied or not (a cursor is never skipped
        unseen), with when each was recorded: what an outbox consumer reads next."""
        async with self._engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(_events)
                    .where(_events.c.cursor > cursor)
                    .order_by(_events.c.cursor)
                    .limit(limit)
                )
            ).all()
        recorded = []
        for row in rows:
            at: datetime = row.recorded_at
            recorded.append(
                (_to_event(row), at if at.tzinfo else at.replace(tzinfo=UTC))
            )
        return recorded

    async def in_flight_actions(
        self, statuses: Sequence[str]
    ) -> list[tuple[StatusEvent, datetime]]:
        """Each action now in one of `statuses`, as its latest event tells it, with when
        that event was recorded: since then it has been in that provider status."""
        newer = _events.alias("newer")
        latest = (
            select(func.max(newer.c.cursor))
            .where(
                newer.c.provider == _states.c.provider,
                newer.c.entity_kind == _states.c.entity_kind,
                newer.c.entity_id == _states.c.entity_id,
            )
            .correlate(_states)
            .scalar_subquery()
        )
        async with self._engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(_events)
                    .join(
                        _states,
                        (_states.c.provider == _events.c.provider)
                        & (_states.c.entity_kind == _events.c.entity_kind)
                        & (_states.c.entity_id == _events.c.entity_id),
                    )
                    .where(
                        _states.c.entity_kind == EntityKind.ACTION.value,
                        _states.c.status.in_(list(statuses)),
                        _events.c.cursor == latest,
                    )
                )
            ).all()
        found = []
        for row in rows:
            at: datetime = row.recorded_at
            found.append((_to_event(row), at if at.tzinfo else at.replace(tzinfo=UTC)))
        return found

    async def latest_payload(
        self, provider: Provider, kind: EntityKind, entity_id: str
    ) -> str | None:
        """The object as last recorded, whatever told us: a webhook renders from it."""
        async with self._engine.connect() as connection:
            value = (
                await connection.execute(
                    select(_events.c.payload)
                    .where(
                        _events.c.provider == provider.value,
                        _events.c.entity_kind == kind.value,
                        _events.c.entity_id == entity_id,
                    )
                    .order_by(_events.c.cursor.desc())
                    .limit(1)
                )
            ).scalar()
        return None if value is None else str(value)

    async def latest_cursor(self) -> int:
        async with self._engine.connect() as connection:
            value = (
                await connection.execute(select(func.max(_events.c.cursor)))
            ).scalar()
        return int(value or 0)

    async def unpublished(self, limit: int = 500) -> list[StatusEvent]:
        async with self._engine.connect() as connection:
            rows = (
                await connection.execute(
                    select(_events)
                    .where(_events.c.published.is_(False), _events.c.applied.is_(True))
                    .order_by(_events.c.cursor)
                    .limit(limit)
                )
            ).all()
        return [_to_event(row) for row in rows]

    async def mark_published(self, cursors: Sequence[int]) -> None:
        if not cursors:
            return
        async with self._engine.begin() as connection:
            await connection.execute(
                update(_events)
                .where(_events.c.cursor.in_(cursors))
                .values(published=True)
            )


def _to_event(row: Row[tuple[object, ...]]) -> StatusEvent:
    occurred: datetime = row.occurred_at
    return StatusEvent(
        cursor=int(row.cursor),
        provider=Provider(row.provider),
        entity_kind=EntityKind(row.entity_kind),
        entity_id=row.entity_id,
        owner=row.owner,
        from_status=row.from_status,
        to_status=row.to_status,
        provider_status=row.provider_status,
        applied=bool(row.applied),
        source=EventSource(row.source),
        occurred_at=occurred if occurred.tzinfo else occurred.replace(tzinfo=UTC),
        payload=row.payload,
        provider_stake_id=row.provider_stake_id,
        stuck=bool(row.stuck),
    )
