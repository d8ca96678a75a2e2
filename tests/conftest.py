"""Shared fixtures: a migrated store on SQLite and on the real PostgreSQL; a hung test
fails with the asyncio tasks still pending (tests/pending_tasks.py)."""

import os
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from gateway.store.store import Store
from tests.pending_tasks import pytest_timeout_set_timer  # noqa: F401  (a hook)

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# A test that starts real processes (a gateway SIGKILLed and restarted, two replicas, a
# browser) spends most of its time in them; on a loaded box its honest run took over
# the 60 s every other test has (pyproject.toml).
REAL_PROCESS_TIMEOUT = 150


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("e2e") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(REAL_PROCESS_TIMEOUT))


async def _postgres_store() -> AsyncIterator[Store]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(POSTGRES_URL)
    async with admin.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_async_engine(
        POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}}
    )
    store = Store(engine)
    await store.migrate()
    try:
        yield store
    finally:
        await store.close()
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def store(request, tmp_path) -> AsyncIterator[Store]:
    if request.param == "sqlite":
        sqlite = Store.from_url(f"sqlite+aiosqlite:///{tmp_path / 'gateway.sqlite3'}")
        await sqlite.migrate()
        try:
            yield sqlite
        finally:
            await sqlite.close()
        return
    async for postgres in _postgres_store():
        yield postgres
