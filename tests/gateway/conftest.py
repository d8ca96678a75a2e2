"""A real gateway on a loopback port, on its embedded sandboxes, as `serve` runs it."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import uvicorn

from gateway.app import create_app
from gateway.settings import Settings
from tests.pending_tasks import describe_tasks
from tests.ports import loopback_socket, port_of
from tests.waiting import eventually

DEMO_KEY = "sgw_test_demo-key-for-tests"


@dataclass
class RunningGateway:
    url: str
    app: Any
    http: httpx.AsyncClient

    async def graphql(
        self, query: str, variables: dict | None = None, *, key: str | None = DEMO_KEY
    ) -> dict:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        response = await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def advance(self, provider: str, seconds: float) -> None:
        response = await self.http.post(
            f"/sandbox/{provider}/_sandbox/clock", json={"advance_seconds": seconds}
        )
        assert response.status_code == 200, response.text


async def start_gateway(tmp_path, **overrides: Any) -> AsyncIterator[RunningGateway]:
    with loopback_socket() as sock:
        url = f"http://127.0.0.1:{port_of(sock)}"
        options: dict[str, Any] = {
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'gateway.sqlite3'}",
            "GATEWAY_PUBLIC_URL": url,
            "GATEWAY_DEMO_API_KEY": DEMO_KEY,
            "PROVIDER_TIMEOUT_SECONDS": 5,
            **overrides,
        }
        settings = Settings(**options)
        app = create_app(settings)
        server = uvicorn.Server(
            uvicorn.Config(
                app,
                log_level="warning",
                lifespan="on",
                timeout_graceful_shutdown=settings.drain_seconds,
            )
        )
        task = asyncio.create_task(server.serve(sockets=[sock]), name="uvicorn")
        try:
            await eventually(lambda: server.started or task.done(), within=30)
            if task.done():
                task.result()  # its start-up error
            assert server.started, "gateway did not start"
            async with httpx.AsyncClient(base_url=url, timeout=20) as http:
                yield RunningGateway(url=url, app=app, http=http)
        finally:
            await _stop(server, task)
        # Stopped within its bound, nothing left running (gateway/shutdown.py).
        assert app.state.shutdown.left_behind == []


async def _stop(server: uvicorn.Server, task: asyncio.Task[None]) -> None:
    server.should_exit = True
    try:
        await asyncio.wait_for(asyncio.shield(task), 15)
        return
    except TimeoutError:
        # A connection that will not close must not hang the suite.
        server.force_exit = True
    try:
        await asyncio.wait_for(asyncio.shield(task), 10)
    except TimeoutError:
        # Not even forced: a stuck shutdown costs its test, not the whole run.
        pending = describe_tasks(asyncio.get_running_loop())
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        raise AssertionError(
            f"the gateway did not stop within 25 s; {pending}"
        ) from None


@pytest.fixture
async def gateway(tmp_path) -> AsyncIterator[RunningGateway]:
    async for running in start_gateway(tmp_path):
        yield running
