"""Two gateway processes on one PostgreSQL and one Redis: exactly one sends the client
webhooks, each event once, whichever replica saw it."""

import re
from collections import Counter

import httpx
import pytest

from tests.conftest import REDIS_URL
from tests.gateway.processes import fresh_postgres_database, gateway_process, graphql
from tests.gateway.receiver import webhook_receiver
from tests.gateway.test_crash_recovery import make_client, start_sandboxes
from tests.ports import port_of, refusing_socket

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.e2e]

REGISTER = """mutation($url: String!) { createWebhookEndpoint(input: {url: $url,
  eventTypes: [STAKE_STATUS_CHANGED]}) { secret userErrors { code } } }"""
PRODUCTS = """query { stakingProducts(provider: CROCANTE) { id providerProductId } }"""
CREATE = """mutation($input: CreateStakeInput!) { createStake(input: $input) {
  stake { id } userErrors { code } } }"""


async def sender_metrics(url: str) -> tuple[float, float]:
    async with httpx.AsyncClient(base_url=url) as http:
        text = (await http.get("/metrics")).text
    sent = sum(
        float(m.group(1))
        for m in re.finditer(
            r"gateway_client_webhook_attempts_total\{[^}]*\} ([\d.]+)", text
        )
    )
    leading = re.search(r"^gateway_client_webhook_sender_leading ([\d.]+)$", text, re.M)
    return sent, float(leading.group(1)) if leading else 0.0


async def test_one_replica_sends_each_event_once_whichever_replica_saw_it(tmp_path):
    # Both replicas in front of one set of providers, as in production; Zerohash's
    # own webhooks are not this test's, so they go to a port that refuses them.
    nowhere = refusing_socket()
    sandbox, _, sandbox_env = await start_sandboxes(tmp_path, port_of(nowhere))
    demo_args = sandbox_env["SANDBOX_DEMO_CLIENT_ARGS"].split()
    crocante_user = demo_args[demo_args.index("--crocante-user") :][:2]
    try:
        async with fresh_postgres_database() as database, webhook_receiver() as hook:
            env = {
                **{
                    k: v for k, v in sandbox_env.items() if not k.startswith("SANDBOX_")
                },
                "GATEWAY_WEBHOOK_ALLOW_PRIVATE": "true",
                "DATABASE_URL": database,
                "REDIS_URL": REDIS_URL,
                "WATCHER_FAST_SECONDS": "0.3",
                "WATCHER_LEASE_SECONDS": "5",
                "GATEWAY_WEBHOOK_POLL_SECONDS": "0.2",
                "GATEWAY_WEBHOOK_LEASE_SECONDS": "5",  # no handover on a loaded box
            }
            # Creating the client migrates the new database, as an operator would.
            key = await make_client(
                {**env, "SANDBOX_DEMO_CLIENT_ARGS": " ".join(crocante_user)}
            )
            async with gateway_process(env) as first, gateway_process(env) as second:
                got, created = await _stake_four_times(first, second, hook, key)
                metrics = [await sender_metrics(r.url) for r in (first, second)]
    finally:
        nowhere.close()
        sandbox.terminate()
        await sandbox.wait()
    assert len(created) == 4
    assert all(hook.signed(r) for r in got)
    assert max(Counter(r.event_id for r in got).values()) == 1, "each event once"
    sent = sorted(m[0] for m in metrics)
    assert sent[0] == 0 and sent[1] >= len(got), metrics
    assert sorted(m[1] for m in metrics) == [0.0, 1.0], "one replica leads"


async def _stake_four_times(first, second, hook, key):
    registered = (await graphql(first.url, REGISTER, {"url": hook.url}, key=key))[
        "createWebhookEndpoint"
    ]
    assert registered["userErrors"] == []
    hook.secret = registered["secret"]
    products = (await graphql(second.url, PRODUCTS, key=key))["stakingProducts"]
    product = next(
        p["id"] for p in products if p["providerProductId"] == "stake_eth_variable"
    )
    created = set()
    for replica in (first, second, first, second):
        variables = {"input": {"productId": product, "amount": "1"}}
        answer = await graphql(replica.url, CREATE, variables, key=key)
        created.add(answer["createStake"]["stake"]["id"])

    def each_stake_heard(got) -> bool:
        return created <= {r.json["data"]["stake"]["id"] for r in got}

    return await hook.wait_for(each_stake_heard, within=30), created
