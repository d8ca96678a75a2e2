"""Gateways as real processes (`python -m gateway serve`), and a fresh PostgreSQL database
for them to share."""

import asyncio
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.conftest import POSTGRES_URL
from tests.gateway.conftest import DEMO_KEY, free_port


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
    env: dict[str, str], port: int | None = None
) -> AsyncIterator[GatewayProcess]:
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    environment = {
        **os.environ,
        "GATEWAY_DEMO_API_KEY": DEMO_KEY,
        "GATEWAY_PUBLIC_URL": url,
        **env,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "gateway",
        "serve",
        "--port",
        str(port),
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        async with httpx.AsyncClient(base_url=url) as http:
            for _ in range(300):
                with suppress(httpx.TransportError):
                    if (await http.get("/healthz")).status_code == 200:
                        break
                await asyncio.sleep(0.05)
            else:
                raise AssertionError("gateway process did not start")
        yield GatewayProcess(process, url)
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
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
