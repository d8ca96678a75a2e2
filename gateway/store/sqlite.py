"""SQLite connections that let go of the database however their work is cut off.

SQLAlchemy's aiosqlite dialect runs each connection on a thread of its own; a task
cancelled mid-statement, or cancelled twice while its connection is being closed, must
neither keep SQLite's write lock nor leave a task behind that no cancellation ends.
"""

import asyncio
import sqlite3
import weakref
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import aiosqlite
from sqlalchemy.engine import URL

SQLITE_BUSY_SECONDS = 30


class _Database(sqlite3.Connection):
    """A SQLite connection that finishes its statements when it closes.

    A write cancelled between its execute and its fetch (an INSERT ... RETURNING) leaves
    its statement mid-step. Closed so, SQLite keeps the connection open, with its write
    lock, until the garbage collector frees that statement: every other writer waits
    out the busy timeout meanwhile (seen as a 30 s stop and "database is locked").
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cursors: weakref.WeakSet[sqlite3.Cursor] = weakref.WeakSet()

    def cursor(self, factory: Any = sqlite3.Cursor) -> Any:
        cursor = super().cursor(factory)
        self._cursors.add(cursor)
        return cursor

    def _tracked(self) -> sqlite3.Cursor:
        cursor: sqlite3.Cursor = self.cursor()
        return cursor

    # The shortcuts make their cursors in C, out of `cursor()`'s sight.
    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        return self._tracked().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        return self._tracked().executemany(sql, parameters)

    def executescript(self, script: str, /) -> sqlite3.Cursor:
        return self._tracked().executescript(script)

    def close(self) -> None:
        for cursor in list(self._cursors):
            cursor.close()
        super().close()


class _SqliteConnection(aiosqlite.Connection):
    """An aiosqlite connection whose thread is stopped once, however often it is asked.

    SQLAlchemy closes a connection whose statement was cancelled in a shielded task
    (`close()`); cancelled again meanwhile, it force-stops the thread (`stop()`). The
    shielded `close()` then asks for a second stop, which no thread will ever run, and
    awaits it forever: a task that no cancellation ends, so the loop cannot finish
    stopping (seen as a 300 s hang at a test's teardown).
    """

    def stop(self) -> "asyncio.Future[Any] | None":
        if not self._running:
            return None  # the first stop closes the database and ends the thread
        return super().stop()


def sqlite_connector(url: URL) -> Callable[[], Awaitable[aiosqlite.Connection]]:
    # The dialect's own reading of the URL (path, uri, check_same_thread), as usual.
    args, options = url.get_dialect()().create_connect_args(url)
    options.setdefault("timeout", SQLITE_BUSY_SECONDS)
    options["factory"] = _Database

    async def connect() -> aiosqlite.Connection:
        connection = _SqliteConnection(partial(sqlite3.connect, *args, **options), 64)
        connection._thread.daemon = True  # as SQLAlchemy sets it for its own connects
        return await connection

    return connect
