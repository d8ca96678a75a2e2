"""Versioned schema migrations: each runs once, in order, recorded in `schema_version`."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.store.tables import (
    ApiClientRow,
    ClientIdentityRow,
    EntityStateRow,
    IdempotencyRow,
    OutboxCursorRow,
    SchemaVersionRow,
    StatusEventRow,
    WatcherLeaseRow,
    WebhookAttemptRow,
    WebhookDeliveryRow,
    WebhookEndpointRow,
    WebhookEventRow,
)


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


def _create_initial_tables(connection: Connection) -> None:
    tables: list[Any] = [
        ApiClientRow,
        ClientIdentityRow,
        IdempotencyRow,
        OutboxCursorRow,
        StatusEventRow,
        EntityStateRow,
        WebhookEventRow,
    ]
    for table in tables:
        table.__table__.create(connection, checkfirst=True)


def _create_watcher_leases(connection: Connection) -> None:
    table: Any = WatcherLeaseRow
    table.__table__.create(connection, checkfirst=True)


def _create_outbound_webhooks(connection: Connection) -> None:
    tables: list[Any] = [
        WebhookEndpointRow,
        WebhookDeliveryRow,
        WebhookAttemptRow,
        OutboxCursorRow,
    ]
    for table in tables:
        table.__table__.create(connection, checkfirst=True)


def _add_stuck_alerts(connection: Connection) -> None:
    columns = {c["name"] for c in inspect(connection).get_columns("status_event")}
    if "stuck" not in columns:
        connection.execute(
            text(
                "ALTER TABLE status_event ADD COLUMN stuck BOOLEAN NOT NULL DEFAULT false"
            )
        )
    # The stuck check reads each in-flight action's latest event.
    connection.execute(
        text(
            "CREATE INDEX IF NOT EXISTS ix_status_event_entity"
            " ON status_event (provider, entity_kind, entity_id, cursor)"
        )
    )


MIGRATIONS: Sequence[Migration] = (
    Migration(
        1,
        "clients, idempotency, status history, webhook events",
        _create_initial_tables,
    ),
    Migration(2, "watcher leases", _create_watcher_leases),
    Migration(
        3,
        "client webhook endpoints, deliveries, attempts, outbox cursors",
        _create_outbound_webhooks,
    ),
    Migration(4, "stuck-action alerts in the status history", _add_stuck_alerts),
)

# Any constant serves, as long as every replica uses the same one.
_POSTGRES_LOCK_ID = 727_274_001


def _pending(connection: Connection) -> list[Migration]:
    SchemaVersionRow.__table__.create(connection, checkfirst=True)  # type: ignore[attr-defined]
    applied = {
        row[0] for row in connection.execute(text("SELECT version FROM schema_version"))
    }
    return [m for m in MIGRATIONS if m.version not in applied]


def _apply_all(connection: Connection) -> list[int]:
    if connection.dialect.name == "postgresql":
        # Two replicas starting at once must not both migrate.
        connection.execute(text(f"SELECT pg_advisory_xact_lock({_POSTGRES_LOCK_ID})"))
    done: list[int] = []
    for migration in _pending(connection):
        migration.apply(connection)
        connection.execute(
            SchemaVersionRow.__table__.insert().values(  # type: ignore[attr-defined]
                version=migration.version,
                description=migration.description,
                applied_at=datetime.now(UTC),
            )
        )
        done.append(migration.version)
    return done


async def migrate(engine: AsyncEngine) -> list[int]:
    """Bring the database up to date; returns the versions applied now."""
    async with engine.begin() as connection:
        return await connection.run_sync(_apply_all)


async def current_version(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:

        def _read(sync: Connection) -> int:
            if not inspect(sync).has_table("schema_version"):
                return 0
            value = sync.execute(
                text("SELECT max(version) FROM schema_version")
            ).scalar()
            return int(value or 0)

        return await connection.run_sync(_read)


def latest_version() -> int:
    return MIGRATIONS[-1].version
