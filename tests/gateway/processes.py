"""Gateways as real processes (`python -m gateway serve`), and a fresh PostgreSQL database
for them to share."""

import asyncio
import os
import signal
import socket
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import POSTGRES_URL
from tests.gateway.conftest import DEMO_KEY
from tests.ports import loopback_socket, port_of
from tests.waiting import eventually


@asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    name = f"sgw_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        async with admin.connect() as connection:
            await connection.execute(
                text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            )
        await admin.dispose()


class GatewayProcess:
    def __init__(self, process: asyncio.subprocess.Process, url: str) -> None:
        self.process = process
        self.url = url

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, as when a machine dies."""
        self.process.send_signal(signal.SIGKILL)


@asynccontextmanager
async def gateway_process(
    env: dict[str, str],
    listening: socket.socket | None = None,
    *,
    output: Path | None = None,
) -> AsyncIterator[GatewayProcess]:
    """`python -m gateway serve` on a socket the OS bound. Pass `listening` to restart
    a gateway at the same address (the test keeps it); without, the process's own is
    closed here once handed over, so that a stopped gateway refuses connections."""
    sock = listening or loopback_socket()
    url = f"http://127.0.0.1:{port_of(sock)}"
    environment = {
        **os.environ,
        "GATEWAY_DEMO_API_KEY": DEMO_KEY,
        "GATEWAY_PUBLIC_URL": url,
        **env,
    }
    sink = output.open("wb") if output else None
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "gateway", "serve",
            "--fd", str(sock.fileno()), "--port", str(port_of(sock)),
            env=environment, pass_fds=[sock.fileno()],
            stdout=sink or asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
    finally:
        if listening is None:
            sock.close()
        if sink is not None:
            sink.close()
    try:
        async with httpx.AsyncClient(base_url=url) as http:

            async def healthy() -> bool:
                if process.returncode is not None:
                    raise AssertionError(
                        f"gateway process exited: {process.returncode}"
                    )
                with suppress(httpx.TransportError):
                    return (await http.get("/healthz")).status_code == 200
                return False

            await eventually(healthy, within=30, every=0.05)
        yield GatewayProcess(process, url)
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                process.kill()
                await process.wait()


async def graphql(
    url: str, query: str, variables: dict | None = None, *, key: str = DEMO_KEY
) -> dict:
    """POSTs to a gateway process; fails the test on any GraphQL error."""
    async with httpx.AsyncClient(base_url=url, timeout=20) as http:
        response = await http.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {key}"},
        )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]
