"""Group commit: a batch cut off before it is stored leaves no caller waiting, and the
next delivery starts a batch of its own."""

import asyncio
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from types import SimpleNamespace

from gateway.domain.enums import Provider
from gateway.domain.notices import ProviderNotice
from gateway.events.memory import MemoryBus
from gateway.services.status_feed import StatusFeed
from gateway.services.webhook_ingest import WebhookIngest
from tests.waiting import eventually


def notice(event_id: str) -> ProviderNotice:
    return ProviderNotice(
        provider=Provider.DFNS,
        event_id=event_id,
        dedupe_key=f"event:{event_id}",
        event_type="wallet.transaction.confirmed",
        owner="wa-demo0",
        occurred_at=datetime(2026, 11, 22, 10, tzinfo=UTC),
    )


class HeldStore:
    """The store, whose transactions wait until released: a slow commit."""

    def __init__(self, store) -> None:
        self.store = store
        self.history = store.history
        self.released = asyncio.Event()

    @asynccontextmanager
    async def transaction(self):
        await self.released.wait()
        async with self.store.transaction() as connection:
            yield connection


async def test_a_cut_off_group_commit_answers_its_callers_and_the_next_one_is_stored(
    store,
):
    held = HeldStore(store)
    ingest = WebhookIngest(SimpleNamespace(), StatusFeed(held, MemoryBus()))
    waiting = [
        asyncio.create_task(ingest.ingest(notice(f"evt-{n}"), b"{}")) for n in range(3)
    ]

    def commit() -> asyncio.Task | None:
        found = [
            t for t in asyncio.all_tasks() if t.get_name() == "webhook-group-commit"
        ]
        return found[0] if found else None

    group = await eventually(commit)
    group.cancel()  # mid-commit, as the loop's last cancellation at exit does
    await eventually(lambda: all(t.done() for t in waiting), within=5)
    assert all(t.cancelled() for t in waiting)  # none acknowledged: delivered again
    held.released.set()
    assert await ingest.ingest(notice("evt-after"), b"{}") is True
    await ingest.drain()
    assert await ingest.ingest(notice("evt-after"), b"{}") is False  # stored once
