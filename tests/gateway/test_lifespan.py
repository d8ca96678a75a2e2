"""The lifespan cannot leak: a failed step or a failed close still closes everything else,
and a background task that will not end is left behind, by name, within the bound."""

import asyncio
import logging
import os
from pathlib import Path

import httpx
import pytest

from gateway.app import create_app
from gateway.events.memory import MemoryBus
from gateway.settings import Settings
from gateway.wiring import build_sandboxes
from tests.waiting import eventually


class ClosedTransport(httpx.AsyncBaseTransport):
    """A provider's transport (its sandbox over ASGI) that notes being closed."""

    def __init__(self, app) -> None:
        self.inner = httpx.ASGITransport(app)
        self.closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        self.closed = True
        await self.inner.aclose()


class Bus(MemoryBus):
    def __init__(self, *, fail_connect: bool = False, fail_close: bool = False):
        super().__init__()
        self.fail_connect, self.fail_close = fail_connect, fail_close

    async def connect(self) -> None:
        if self.fail_connect:
            raise ConnectionError("the bus is unreachable")

    async def disconnect(self) -> None:
        await super().disconnect()
        if self.fail_close:
            raise ConnectionError("the bus went away while closing")


def open_files(database: Path) -> list[str]:
    """This process's open files of the database (its -wal and -shm included)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            link = os.readlink(f"/proc/self/fd/{fd}")
        except FileNotFoundError:  # the listing's own descriptor, closed since
            continue
        if link.startswith(str(database)):
            found.append(link)
    return found


def gateway(tmp_path, bus: Bus, **settings):
    options = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'gateway.sqlite3'}",
        "GATEWAY_PUBLIC_URL": "http://127.0.0.1:9",
        "WATCHER_ENABLED": False,
        **settings,
    }
    config = Settings(**options)
    sandboxes = build_sandboxes(config)
    transports = {p: ClosedTransport(s.app) for p, s in sandboxes.items()}
    app = create_app(config, bus=bus, sandboxes=sandboxes, transports=transports)
    return app, list(transports.values())


async def test_a_step_that_fails_after_the_store_opened_closes_what_was_opened(
    tmp_path,
):
    app, transports = gateway(tmp_path, Bus(fail_connect=True))
    with pytest.raises(ConnectionError):
        async with app.router.lifespan_context(app):
            pass
    assert all(t.closed for t in transports)
    assert open_files(tmp_path / "gateway.sqlite3") == []


async def test_a_close_that_fails_does_not_skip_the_others(tmp_path):
    bus = Bus(fail_close=True)
    app, transports = gateway(tmp_path, bus)
    with pytest.raises(ConnectionError, match="while closing"):
        async with app.router.lifespan_context(app) as state:
            assert state["services"].bus is bus
            assert open_files(tmp_path / "gateway.sqlite3") != []
    assert all(t.closed for t in transports)
    assert open_files(tmp_path / "gateway.sqlite3") == []


async def test_every_background_task_is_named_and_stopped_with_the_lifespan(tmp_path):
    app, _ = gateway(tmp_path, Bus(), WATCHER_ENABLED=True)
    async with app.router.lifespan_context(app):
        shutdown = app.state.shutdown
        assert shutdown.tasks == [
            "client-webhook-sender",
            "stuck-action-monitor",
            "watcher",
        ]
        await eventually(
            lambda: (
                {"watcher-dfns", "watcher-outbox"}
                <= {t.get_name() for t in asyncio.all_tasks()}
            )
        )
    assert shutdown.tasks == []
    assert shutdown.left_behind == []
    left = {t.get_name() for t in asyncio.all_tasks()} & {"watcher", "watcher-dfns"}
    assert left == set()


async def test_a_task_that_will_not_end_is_logged_by_name_and_left_behind(
    tmp_path, caplog
):
    app, _ = gateway(tmp_path, Bus(), GATEWAY_SHUTDOWN_SECONDS=1)
    waiting, release = asyncio.Event(), asyncio.Event()

    async def stubborn() -> None:
        waiting.set()
        while not release.is_set():
            try:
                await release.wait()
            except asyncio.CancelledError:
                continue  # the defect this guards against

    loop = asyncio.get_running_loop()
    with caplog.at_level(logging.ERROR, logger="gateway.shutdown"):
        async with app.router.lifespan_context(app):
            app.state.shutdown.start(stubborn(), name="stubborn-poller")
            await eventually(waiting.is_set)
            started = loop.time()
        stopped = loop.time() - started
    release.set()
    assert stopped < 1.0 + 1.0  # half the bound, plus a grace per close
    assert app.state.shutdown.left_behind == ["stubborn-poller"]
    assert "stubborn-poller still running" in caplog.text
    assert "test_lifespan.py" in caplog.text  # where it waits
