"""Received provider webhooks, kept once per delivery id and once per fact."""

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.domain.notices import ProviderNotice
from gateway.store.dialect import insert_ignoring_conflicts
from gateway.store.tables import WebhookEventRow

_webhooks = WebhookEventRow.__table__  # type: ignore[attr-defined]


async def record_webhook(
    connection: AsyncConnection, notice: ProviderNotice, payload: bytes
) -> bool:
    """Stores the delivery in the caller's transaction; False when it is a duplicate."""
    result = await connection.execute(
        insert_ignoring_conflicts(connection, _webhooks).values(
            provider=notice.provider.value,
            event_id=notice.event_id,
            dedupe_key=notice.dedupe_key,
            event_type=notice.event_type,
            received_at=datetime.now(UTC),
            payload=payload.decode("utf-8", errors="replace"),
        )
    )
    return result.rowcount == 1
