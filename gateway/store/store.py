"""The Store: one engine, and the repositories over it."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from gateway.store.client_webhooks import ClientWebhookStore
from gateway.store.clients import ClientStore
from gateway.store.engine import create_engine
from gateway.store.history import HistoryStore
from gateway.store.idempotency import IdempotencyStore
from gateway.store.leases import LeaseStore
from gateway.store.migrations import migrate


class Store:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.clients = ClientStore(engine)
        self.idempotency = IdempotencyStore(engine)
        self.history = HistoryStore(engine)
        self.leases = LeaseStore(engine)
        self.client_webhooks = ClientWebhookStore(engine)

    @classmethod
    def from_url(cls, database_url: str) -> "Store":
        return cls(create_engine(database_url))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def migrate(self) -> list[int]:
        return await migrate(self.engine)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        async with self.engine.begin() as connection:
            yield connection

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def close(self) -> None:
        await self.engine.dispose()
