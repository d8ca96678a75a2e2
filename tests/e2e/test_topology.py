"""The deployment of deploy/docker-compose.yml without Docker: one `sandbox` process, two
`serve` replicas on one PostgreSQL and one Redis, configured as an operator would (the
sandbox's env file, `migrate`, `clients create`)."""

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import websockets

from gateway.sandbox_env import demo_client_arguments, read_env_file
from tests.conftest import POSTGRES_URL, REDIS_URL
from tests.e2e.processes import (
    Server,
    fresh_database,
    metric,
    run,
    server,
    wait_until,
)
from tests.ports import loopback_socket, port_of

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]

ZEROHASH_ETH = "WyJTdGFraW5nUHJvZHVjdCIsIlpFUk9IQVNIIiwiIiwiRVRIIl0"
STAKES = """{ stakes(first: 100) {
  edges { node { id provider status } } providerFailures { provider code } } }"""
CREATE = """mutation($input: CreateStakeInput!) { createStake(input: $input) {
  stake { id status } userErrors { code } } }"""
WATCH = """subscription($stakeId: ID) { stakeStatusChanged(stakeId: $stakeId) {
  previousStatus status source stake { id } } }"""


@dataclass
class Deployment:
    sandbox: Server
    replicas: list[Server]
    key: str


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    tmp = tmp_path_factory.mktemp("topology")
    replicas = [loopback_socket(), loopback_socket()]
    env_file = tmp / "sandbox.env"
    # Zerohash's webhooks go to one replica, as they would to the load balancer.
    sandbox_args = [
        "sandbox", "--gateway-url", f"http://127.0.0.1:{port_of(replicas[0])}",
    ]  # fmt: skip
    with (
        fresh_database(POSTGRES_URL) as database,
        server(
            sandbox_args,
            {"SANDBOX_ENV_FILE": str(env_file)},
            tmp,
            ready="/zerohash/",
        ) as sandbox,
    ):
        providers = read_env_file(env_file)
        shared = {**providers, "DATABASE_URL": database, "REDIS_URL": REDIS_URL}
        run(["migrate"], shared, tmp)
        created = run(
            ["clients", "create", "--name", "demo", *demo_client_arguments(providers)],
            shared,
            tmp,
        )
        key = created.strip().splitlines()[-1]
        replica_env = {**shared, "WATCHER_FAST_SECONDS": "0.3"}
        with (
            server(
                ["serve"], replica_env, tmp, ready="/healthz", listening=replicas[0]
            ) as first,
            server(
                ["serve"], replica_env, tmp, ready="/healthz", listening=replicas[1]
            ) as second,
        ):
            yield Deployment(sandbox, [first, second], key)


def graphql(replica: Server, key: str, query: str, variables: dict | None = None):
    response = httpx.post(
        f"{replica.url}/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {key}"},
        timeout=20,
    )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


class Subscriber:
    """A graphql-transport-ws client on one replica, collecting events in order."""

    def __init__(self, replica: Server, key: str, variables: dict) -> None:
        self.url = replica.url.replace("http://", "ws://") + "/graphql"
        self.key = key
        self.variables = variables
        self.events: list[dict] = []

    async def run(self, until: int) -> None:
        async with websockets.connect(
            self.url, subprotocols=["graphql-transport-ws"]
        ) as ws:
            init = {"Authorization": f"Bearer {self.key}"}
            await ws.send(json.dumps({"type": "connection_init", "payload": init}))
            assert json.loads(await ws.recv())["type"] == "connection_ack"
            payload = {"query": WATCH, "variables": self.variables}
            await ws.send(
                json.dumps({"id": "1", "type": "subscribe", "payload": payload})
            )
            while len(self.events) < until:
                message = json.loads(await ws.recv())
                if message["type"] == "next":
                    self.events.append(message["payload"]["data"]["stakeStatusChanged"])
                elif message["type"] != "ping":
                    raise AssertionError(message)


def test_both_replicas_serve_every_provider_from_the_one_sandbox(deployment):
    one, other = (
        graphql(replica, deployment.key, STAKES)["stakes"]
        for replica in deployment.replicas
    )
    assert one["providerFailures"] == [] and other["providerFailures"] == []
    ids = [e["node"]["id"] for e in one["edges"]]
    assert ids == [e["node"]["id"] for e in other["edges"]]
    assert {e["node"]["provider"] for e in one["edges"]} == {
        "DFNS",
        "ZEROHASH",
        "CROCANTE",
    }
    for replica in deployment.replicas:
        ready = httpx.get(f"{replica.url}/readyz", timeout=10)
        assert ready.status_code == 200, ready.text


def test_an_external_id_used_on_both_replicas_makes_one_stake(deployment):
    variables = {
        "input": {"productId": ZEROHASH_ETH, "amount": "0.5", "externalId": "e2e-once"}
    }
    first, second = (
        graphql(replica, deployment.key, CREATE, variables)["createStake"]
        for replica in deployment.replicas
    )
    assert first["userErrors"] == [] and second["userErrors"] == []
    assert first["stake"]["id"] == second["stake"]["id"]


async def test_a_webhook_to_one_replica_reaches_subscribers_on_both(deployment):
    first, second = deployment.replicas
    created = graphql(
        second,
        deployment.key,
        CREATE,
        {"input": {"productId": ZEROHASH_ETH, "amount": "1"}},
    )["createStake"]
    stake_id = created["stake"]["id"]
    assert created["stake"]["status"] == "PENDING"

    subscribers = [
        Subscriber(r, deployment.key, {"stakeId": stake_id}) for r in (first, second)
    ]
    before = [metric(r.url, "gateway_bus_subscribers") for r in (first, second)]
    tasks = [asyncio.create_task(s.run(until=1)) for s in subscribers]
    try:
        for replica, count in zip((first, second), before, strict=True):
            await asyncio.to_thread(
                wait_until,
                lambda r=replica, c=count: metric(r.url, "gateway_bus_subscribers") > c,
                10,
                f"a subscriber on {replica.url}",
            )
        async with httpx.AsyncClient(base_url=deployment.sandbox.url) as http:
            moved = await http.post(
                "/zerohash/_sandbox/clock", json={"advance_seconds": 2 * 86400}
            )
            assert moved.status_code == 200, moved.text
        await asyncio.wait_for(asyncio.gather(*tasks), 30)
    finally:
        for task in tasks:
            task.cancel()
    for subscriber in subscribers:
        event = subscriber.events[0]
        assert event["stake"]["id"] == stake_id
        assert (event["previousStatus"], event["status"]) == ("PENDING", "ACTIVE")
    # One stored history, whichever replica recorded the change.
    histories = [
        graphql(
            replica,
            deployment.key,
            "query($id: ID!) { stake(id: $id) { statusHistory { to } } }",
            {"id": stake_id},
        )["stake"]["statusHistory"]
        for replica in (first, second)
    ]
    assert histories[0] == histories[1]
    assert [h["to"] for h in histories[0]] == ["PENDING", "ACTIVE"]
