"""Migrations bring an older database up to date, on SQLite and PostgreSQL alike."""

from sqlalchemy import inspect, text

from gateway.store.migrations import latest_version


async def test_a_database_from_before_stuck_alerts_gains_the_column(store):
    async with store.engine.begin() as connection:
        await connection.execute(text("DROP INDEX IF EXISTS ix_status_event_entity"))
        await connection.execute(text("ALTER TABLE status_event DROP COLUMN stuck"))
        await connection.execute(text("DELETE FROM schema_version WHERE version = 4"))
    assert await store.migrate() == [4]
    async with store.engine.connect() as connection:

        def columns(sync):
            return {c["name"] for c in inspect(sync).get_columns("status_event")}

        assert "stuck" in await connection.run_sync(columns)
    assert await store.migrate() == []
    assert latest_version() == 4
