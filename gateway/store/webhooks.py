"""Received provider webhooks, kept once per delivery id and once per fact."""

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.domain.notices import ProviderNotice
from gateway.store.dialect import insert_ignoring_conflicts
from gateway.store.tables import WebhookEventRow

_webhooks = WebhookEventRow.__table__  # type: ignore[attr-defined]


async def record_webhooks(
    connection: AsyncConnection, deliveries: Sequence[tuple[ProviderNotice, bytes]]
) -> list[bool]:
    """Stores a burst of deliveries in one statement; for each, whether it was new.

    Of two deliveries of one event in the burst, the first is the new one.
    """
    if not deliveries:
        return []
    now = datetime.now(UTC)
    inserted = await connection.execute(
        insert_ignoring_conflicts(connection, _webhooks).returning(
            _webhooks.c.provider, _webhooks.c.event_id
        ),
        [
            {
                "provider": notice.provider.value,
                "event_id": notice.event_id,
                "dedupe_key": notice.dedupe_key,
                "event_type": notice.event_type,
                "received_at": now,
                "payload": payload.decode("utf-8", errors="replace"),
            }
            for notice, payload in deliveries
        ],
    )
    stored = {(row.provider, row.event_id) for row in inserted}
    fresh = []
    for notice, _ in deliveries:
        key = (notice.provider.value, notice.event_id)
        fresh.append(key in stored)
        stored.discard(key)
    return fresh
