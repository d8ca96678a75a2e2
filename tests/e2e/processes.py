"""Real `staking-gateway` processes for end-to-end tests, as a person starts them."""

import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.ports import loopback_socket, port_of

REPO = Path(__file__).resolve().parents[2]
DEMO_KEY = "sgw_e2e_demo-key"


def command(*args: str) -> list[str]:
    """`staking-gateway ARGS` (through the launcher that wires what app.py does not
    yet)."""
    return [sys.executable, "-m", "tests.e2e.launch", *args]


def environment(extra: Mapping[str, str]) -> dict[str, str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DFNS_", "ZEROHASH_", "CROCANTE_", "GATEWAY_"))
        and k not in ("DATABASE_URL", "REDIS_URL")
    }
    path = os.pathsep.join(p for p in (str(REPO), base.get("PYTHONPATH")) if p)
    return {**base, "PYTHONPATH": path, "PYTHONUNBUFFERED": "1", **extra}


def run(args: list[str], env: Mapping[str, str], cwd: Path) -> str:
    """Runs a one-shot command (`migrate`, `clients create`) and returns its output."""
    done = subprocess.run(
        command(*args),
        env=environment(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@dataclass
class Server:
    url: str
    log: Path
    process: subprocess.Popen[bytes]

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def server(
    args: list[str],
    env: Mapping[str, str],
    cwd: Path,
    *,
    ready: str,
    listening: socket.socket | None = None,
) -> Iterator[Server]:
    """A long-running command serving `listening` (`--fd`: a socket bound here, so no
    other process can take its port first); ready once `GET <url><ready>` answers."""
    sock = listening or loopback_socket()
    port = port_of(sock)
    url = f"http://127.0.0.1:{port}"
    log = cwd / f"{args[0]}-{port}.log"
    try:
        with log.open("wb") as sink:
            process = subprocess.Popen(
                command(*args, "--fd", str(sock.fileno()), "--port", str(port)),
                env=environment(env),
                cwd=cwd,
                stdout=sink,
                stderr=subprocess.STDOUT,
                pass_fds=[sock.fileno()],
            )
    finally:
        sock.close()  # the process holds its own copy
    running = Server(url, log, process)
    try:
        _wait_ready(running, ready)
        yield running
    finally:
        _stop(process)


def _wait_ready(running: Server, path: str) -> None:
    deadline = time.monotonic() + 30
    with httpx.Client(base_url=running.url, timeout=2) as http:
        while time.monotonic() < deadline:
            if running.process.poll() is not None:
                break
            with suppress(httpx.TransportError):
                if http.get(path).status_code < 500:
                    return
            time.sleep(0.05)
    raise AssertionError(f"{running.url} did not start:\n{running.output()[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def gateway(tmp: Path, env: Mapping[str, str] | None = None) -> Iterator[Server]:
    """`staking-gateway serve` on its embedded sandboxes, SQLite in `tmp`."""
    settings = {
        "GATEWAY_DEMO_API_KEY": DEMO_KEY,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp / 'gateway.sqlite3'}",
        "WATCHER_FAST_SECONDS": "0.5",
        **(env or {}),
    }
    with server(["serve"], settings, tmp, ready="/healthz") as running:
        yield running


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    """A new PostgreSQL database for one run, dropped after; yields its URL."""
    name = f"sgw_e2e_{uuid.uuid4().hex[:10]}"

    async def execute(statement: str) -> None:
        engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as connection:
                await connection.execute(text(statement))
        finally:
            await engine.dispose()

    asyncio.run(execute(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        asyncio.run(execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def metric(url: str, name: str) -> float:
    """One unlabelled sample from `/metrics`."""
    with httpx.Client(base_url=url, timeout=5) as http:
        body = http.get("/metrics").text
    found = re.search(rf"^{re.escape(name)} ([0-9.e+-]+)$", body, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
