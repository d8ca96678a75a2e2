"""Secured gateways for the security tests: create_app with security settings, on a
loopback port (as a task or, for synchronous hypothesis tests, a thread)."""

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.settings import Settings
from tests.gateway.conftest import DEMO_KEY, RunningGateway
from tests.ports import loopback_socket, port_of
from tests.waiting import eventually

# The hooks this module once stood in for are in create_app now.
SecureSettings = Settings


def secure_app(settings: Settings, **create_kwargs: Any) -> Starlette:
    return create_app(settings, **create_kwargs)


def secure_settings(tmp_path, url: str, **overrides: Any) -> SecureSettings:
    return SecureSettings(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'gateway.sqlite3'}",
        GATEWAY_PUBLIC_URL=url,
        GATEWAY_DEMO_API_KEY=DEMO_KEY,
        PROVIDER_TIMEOUT_SECONDS=5,
        WATCHER_ENABLED=False,
        **overrides,
    )


async def start_secure_gateway(
    tmp_path,
    create_kwargs: dict[str, Any] | None = None,
    *,
    listening: socket.socket | None = None,
    log_level: str = "warning",
    **overrides: Any,
) -> AsyncIterator[RunningGateway]:
    """A secured gateway on a loopback socket (`listening`, or one of its own), on its
    embedded sandboxes."""
    sock = listening or loopback_socket()
    url = f"http://127.0.0.1:{port_of(sock)}"
    app = secure_app(
        secure_settings(tmp_path, url, **overrides), **(create_kwargs or {})
    )
    server = uvicorn.Server(uvicorn.Config(app, log_level=log_level, lifespan="on"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        await eventually(lambda: server.started or task.done(), within=30)
        if task.done():
            task.result()  # its start-up error
        assert server.started, "gateway did not start"
        async with httpx.AsyncClient(base_url=url, timeout=20) as http:
            yield RunningGateway(url=url, app=app, http=http)
    finally:
        server.should_exit = True
        await task
        sock.close()


async def post(gateway: RunningGateway, query: str, variables=None, *, key=DEMO_KEY):
    """The raw response: status, headers and body, errors included."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return await gateway.http.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )


@contextmanager
def threaded_gateway(tmp_path, **overrides: Any) -> Iterator[tuple[str, Starlette]]:
    """A secured gateway served from a thread, for synchronous (hypothesis) tests."""
    sock = loopback_socket()
    url = f"http://127.0.0.1:{port_of(sock)}"
    app = secure_app(secure_settings(tmp_path, url, **overrides))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, daemon=True
    )
    thread.start()
    for _ in range(500):
        if server.started or not thread.is_alive():
            break
        time.sleep(0.01)
    assert server.started, "gateway did not start"
    try:
        yield url, app
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
