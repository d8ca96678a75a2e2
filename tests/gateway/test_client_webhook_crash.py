"""A gateway killed with SIGKILL while a webhook delivery is in flight loses none: after
the restart the receiver gets that delivery again, with the same event id, and every
event recorded meanwhile, in order per stake.

The sandboxes run in their own process (the providers live on while the gateway is
dead), so the gateway runs in production shape; GATEWAY_WEBHOOK_ALLOW_PRIVATE lets it
reach the receiver on loopback.
"""

import asyncio
import os
import sys
from collections import defaultdict

import httpx
import pytest
from sqlalchemy import text

from gateway.domain.history import EntityKind
from gateway.domain.webhooks import EVENT_TYPE_OF_KIND, event_id_for
from gateway.store.engine import create_engine
from tests.gateway.processes import gateway_process, graphql
from tests.gateway.receiver import Answer, webhook_receiver
from tests.gateway.test_crash_recovery import start_sandboxes
from tests.ports import loopback_socket, port_of

pytestmark = pytest.mark.e2e

REGISTER = """mutation($url: String!) { createWebhookEndpoint(input: {url: $url,
  eventTypes: [STAKE_STATUS_CHANGED, ACTION_STATUS_CHANGED]}) {
  endpoint { id } secret userErrors { code message } } }"""
PRODUCTS = """query { stakingProducts(provider: CROCANTE) { id providerProductId } }"""
CREATE = """mutation($input: CreateStakeInput!) { createStake(input: $input) {
  stake { id } userErrors { code } } }"""


async def cli(env: dict[str, str], *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "gateway", *args,
        env=env, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await process.communicate()
    assert process.returncode == 0
    return out.decode()


async def expected_event_ids(database: str, user: str) -> set[str]:
    """What the outbox holds for our identity: every event the endpoint is owed."""
    engine = create_engine(database)
    query = text(
        "SELECT cursor, entity_kind FROM status_event WHERE owner = :owner AND applied"
        " AND entity_kind IN ('STAKE', 'ACTION') AND recorded_at >="
        " (SELECT created_at FROM webhook_endpoint)"
    )
    try:
        async with engine.connect() as connection:
            rows = (await connection.execute(query, {"owner": user})).all()
    finally:
        await engine.dispose()
    return {
        event_id_for(int(r.cursor), EVENT_TYPE_OF_KIND[EntityKind(r.entity_kind)])
        for r in rows
    }


async def test_a_gateway_killed_mid_delivery_loses_no_webhook(tmp_path):
    # Kept by the test, so the restarted gateway is reached where the first one was.
    listening = loopback_socket()
    sandbox, sandbox_port, sandbox_env = await start_sandboxes(
        tmp_path, port_of(listening)
    )
    database = f"sqlite+aiosqlite:///{tmp_path / 'gateway.sqlite3'}"
    env = {
        **{k: v for k, v in sandbox_env.items() if not k.startswith("SANDBOX_")},
        "DATABASE_URL": database,
        "WATCHER_FAST_SECONDS": "0.3",
        "WATCHER_LEASE_SECONDS": "1",
        "GATEWAY_WEBHOOK_ALLOW_PRIVATE": "true",
        "GATEWAY_WEBHOOK_POLL_SECONDS": "0.2",
        "GATEWAY_WEBHOOK_LEASE_SECONDS": "1",
        "GATEWAY_WEBHOOK_TIMEOUT_SECONDS": "30",
    }
    # The external Crocante sandbox serves the user its credentials log in as.
    demo_args = sandbox_env["SANDBOX_DEMO_CLIENT_ARGS"].split()
    user = demo_args[demo_args.index("--crocante-user") + 1]
    try:
        out = await cli({**os.environ, **env}, "clients", "create", "--name", "crash",
                        "--crocante-user", user)  # fmt: skip
        key = out.strip().splitlines()[-1]
        async with webhook_receiver() as receiver:
            async with gateway_process(env, listening) as first:
                registered = (await graphql(first.url, REGISTER, {"url": receiver.url},
                                            key=key))["createWebhookEndpoint"]  # fmt: skip
                assert registered["userErrors"] == [], registered
                receiver.secret = registered["secret"]
                receiver.script.append(Answer(hang=True))
                products = (await graphql(first.url, PRODUCTS, key=key))[
                    "stakingProducts"
                ]
                product = next(
                    p["id"]
                    for p in products
                    if p["providerProductId"] == "stake_eth_variable"
                )
                ours = set()
                for _ in range(3):
                    created = await graphql(
                        first.url, CREATE,
                        {"input": {"productId": product, "amount": "1"}}, key=key,
                    )  # fmt: skip
                    assert created["createStake"]["userErrors"] == []
                    ours.add(created["createStake"]["stake"]["id"])
                async with asyncio.timeout(20):
                    await receiver.hanging.wait()
                hung = receiver.received[0]
                first.kill()
                await first.process.wait()

            # While the gateway is dead, the stakes move on at their provider.
            async with httpx.AsyncClient() as http:
                await http.post(
                    f"http://127.0.0.1:{sandbox_port}/crocante/_sandbox/clock",
                    json={"advance_seconds": 2 * 86400},
                )

            async with gateway_process(env, listening):

                def all_active(got) -> bool:
                    stakes = {
                        r.json["data"]["stake"]["id"]
                        for r in got
                        if r.answered == 200
                        and r.json["type"] == "stake.status_changed"
                        and r.json["data"]["status"] == "ACTIVE"
                    }
                    return stakes >= ours

                await receiver.wait_for(all_active, within=60)
                expected = await expected_event_ids(database, user)

                def complete(got) -> bool:
                    return expected <= {r.event_id for r in got if r.answered == 200}

                got = await receiver.wait_for(complete, within=30)
    finally:
        listening.close()
        sandbox.terminate()
        await sandbox.wait()

    delivered = [r for r in got if r.answered == 200]
    assert hung.event_id in {r.event_id for r in delivered}, "the in-flight one again"
    assert {r.event_id for r in delivered} == expected, "nothing lost, nothing foreign"
    assert all(receiver.signed(r) for r in delivered)
    by_stake: dict[str, list[int]] = defaultdict(list)
    for r in delivered:
        by_stake[r.json["data"]["stake"]["id"]].append(int(r.json["cursor"]))
    for cursors in by_stake.values():
        firsts = list(dict.fromkeys(cursors))
        assert firsts == sorted(firsts), "in order per stake"
