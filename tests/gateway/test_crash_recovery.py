"""A gateway killed with SIGKILL mid-lifecycle and restarted loses no transition: a
client resuming with its last cursor gets every missed event once, in order per stake.

The sandboxes run in their own process here, so the providers live on while the gateway
is dead, as real providers do.
"""

import asyncio
import os
import sys
from collections import defaultdict
from contextlib import suppress

import httpx
import pytest

from gateway.domain.enums import STAKE_STATUS_RANK, StakeStatus
from gateway.sandbox_env import read_env_file
from tests.gateway.processes import gateway_process, graphql
from tests.gateway.ws import subscriber
from tests.ports import loopback_socket, port_of
from tests.waiting import eventually

pytestmark = pytest.mark.e2e

PRODUCTS = """query { stakingProducts { id provider protocol asset { symbol } } }"""
CREATE = """mutation($input: CreateStakeInput!) { createStake(input: $input) {
  stake { id status } userErrors { code message } } }"""
WATCH = """subscription($after: String) { stakeStatusChanged(after: $after) {
  cursor status source stake { id } } }"""


async def start_sandboxes(tmp_path, gateway_port: int):
    env_file = tmp_path / "sandbox.env"
    with loopback_socket() as sock:
        port = port_of(sock)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "gateway", "sandbox",
            "--fd", str(sock.fileno()), "--port", str(port),
            "--gateway-url", f"http://127.0.0.1:{gateway_port}",
            env={**os.environ, "SANDBOX_ENV_FILE": str(env_file)}, pass_fds=[sock.fileno()],
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
        )  # fmt: skip
    async with httpx.AsyncClient() as http:

        async def ready() -> bool:
            with suppress(httpx.TransportError):
                clock = await http.get(f"http://127.0.0.1:{port}/dfns/_sandbox/clock")
                return clock.status_code == 200 and env_file.exists()
            return False

        await eventually(ready, within=30, every=0.05)
    return process, port, read_env_file(env_file)


async def make_client(env: dict[str, str]) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gateway", "clients", "create", "--name", "crash-test",
        *env["SANDBOX_DEMO_CLIENT_ARGS"].split(),
        env={**os.environ, **env}, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await process.communicate()
    assert process.returncode == 0
    return out.decode().strip().splitlines()[-1]


async def test_a_killed_gateway_loses_no_transition(tmp_path):
    # Kept by the test, so the restarted gateway is reached where the first one was.
    listening = loopback_socket()
    sandbox, sandbox_port, sandbox_env = await start_sandboxes(
        tmp_path, port_of(listening)
    )
    env = {
        **{k: v for k, v in sandbox_env.items() if not k.startswith("SANDBOX_")},
        "SANDBOX_DEMO_CLIENT_ARGS": sandbox_env["SANDBOX_DEMO_CLIENT_ARGS"],
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'gateway.sqlite3'}",
        "WATCHER_FAST_SECONDS": "0.3",
        "WATCHER_LEASE_SECONDS": "1",
    }
    sandboxes = f"http://127.0.0.1:{sandbox_port}"
    try:
        key = await make_client(env)
        async with gateway_process(env, listening) as first:
            products = (await graphql(first.url, PRODUCTS, key=key))["stakingProducts"]
            eth = {
                p["provider"]: p["id"]
                for p in products
                if p["asset"]["symbol"] == "ETH"
                and p["provider"] in ("DFNS", "ZEROHASH")
            }
            async with subscriber(first.url, key) as client:
                # From the first cursor: nothing is missed, however soon we create.
                await client.subscribe(WATCH, {"after": "0"})
                stakes = []
                for provider in ("DFNS", "ZEROHASH"):
                    created = await graphql(
                        first.url, CREATE,
                        {"input": {"productId": eth[provider], "amount": "1"}}, key=key,
                    )  # fmt: skip
                    assert created["createStake"]["userErrors"] == [], created
                    stakes.append(created["createStake"]["stake"]["id"])
                # The watcher's first look at the seeded stakes streams by as well.
                seen: list[dict] = []
                while {e["stake"]["id"] for e in seen} != set(stakes):
                    event = (await client.next_data())["stakeStatusChanged"]
                    if event["stake"]["id"] in stakes:
                        seen.append(event)
            assert {e["status"] for e in seen} == {"PENDING"}
            last_cursor = max(seen, key=lambda e: int(e["cursor"]))["cursor"]
            first.kill()
            await first.process.wait()

        # While the gateway is dead, both stakes activate at their providers.
        async with httpx.AsyncClient(base_url=sandboxes) as http:
            for provider in ("dfns", "zerohash"):
                await http.post(
                    f"/{provider}/_sandbox/clock", json={"advance_seconds": 2 * 86400}
                )

        async with gateway_process(env, listening) as second:
            async with subscriber(second.url, key) as client:
                await client.subscribe(WATCH, {"after": last_cursor})
                missed: list[dict] = []

                def all_active() -> bool:
                    last = {e["stake"]["id"]: e["status"] for e in missed}
                    return all(last.get(s) == "ACTIVE" for s in stakes)

                while not all_active():
                    missed.append(
                        (await client.next_data(within=30))["stakeStatusChanged"]
                    )
                # Anything sent twice would follow at once.
                with suppress(TimeoutError):
                    while True:
                        missed.append(
                            (await client.next_data(within=0.5))["stakeStatusChanged"]
                        )
        by_stake: dict[str, list[str]] = defaultdict(list)
        for event in missed:
            by_stake[event["stake"]["id"]].append(event["status"])
        for stake_id in stakes:
            statuses = by_stake[stake_id]
            assert statuses and statuses[-1] == "ACTIVE", (stake_id, statuses)
            assert len(statuses) == len(set(statuses)), "each transition once"
            ranks = [STAKE_STATUS_RANK[StakeStatus(s)] for s in statuses]
            assert ranks == sorted(ranks), "in order"
        cursors = [int(e["cursor"]) for e in missed]
        assert cursors == sorted(set(cursors))
    finally:
        listening.close()
        sandbox.terminate()
        await sandbox.wait()
