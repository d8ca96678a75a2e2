"""A task cancelled in the middle of a statement ends, and leaves no task behind."""

import asyncio
import threading
from datetime import timedelta

from sqlalchemy import event, text

from gateway.store.store import Store
from tests.waiting import eventually


async def test_a_statement_cancelled_again_while_its_connection_closes_leaves_no_task(
    tmp_path,
):
    # SQLAlchemy closes a connection whose statement was cancelled in a shielded task of
    # its own; a second cancellation stops the connection's thread under that task. The
    # loop's last cancellation, at exit, is such a second one.
    store = Store.from_url(f"sqlite+aiosqlite:///{tmp_path / 'gateway.sqlite3'}")
    running, release = threading.Event(), threading.Event()

    def hold() -> int:  # a statement the database is still busy with
        running.set()
        release.wait(10)
        return 1

    @event.listens_for(store.engine.sync_engine, "connect")
    def _register(dbapi_connection, _record):
        dbapi_connection.create_function("hold", 0, hold)

    async def statement() -> None:
        async with store.transaction() as connection:
            await connection.execute(text("SELECT hold()"))

    before = asyncio.all_tasks()
    try:
        busy = asyncio.create_task(statement())
        await eventually(running.is_set)
        while not busy.done():  # cancelled until it ends, as anyio's scopes do
            busy.cancel()
            await asyncio.sleep(0.01)
    finally:
        release.set()
    try:
        await eventually(lambda: asyncio.all_tasks() <= before, within=5)
    except AssertionError:
        raise AssertionError(f"left behind: {asyncio.all_tasks() - before}") from None
    await store.close()
    assert busy.cancelled()


async def test_a_connection_closed_while_its_statement_returns_rows_frees_the_database(
    tmp_path,
):
    # A write cancelled between its execute and its fetch leaves the statement mid-step;
    # closed so, SQLite keeps the connection (and its write lock) until the statement is
    # collected, and every other writer waits out the busy timeout.
    store = Store.from_url(f"sqlite+aiosqlite:///{tmp_path / 'gateway.sqlite3'}")
    await store.migrate()
    async with store.engine.connect() as connection:
        await connection.execute(text("CREATE TABLE marks (n INTEGER)"))
        await connection.commit()
        raw = await connection.get_raw_connection()
        database = raw.driver_connection
        unread = await database.execute(
            "INSERT INTO marks VALUES (1), (2), (3) RETURNING n"
        )
        await database.close()
        await connection.invalidate()
    async with asyncio.timeout(5):
        assert await store.leases.acquire(
            "poll:dfns", "replica-a", timedelta(seconds=1)
        )
    assert unread is not None  # still referenced: the statement was not collected
    await store.close()
