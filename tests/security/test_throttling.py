"""Per-client rate limits over HTTP (429 + Retry-After) and WebSocket, shared by
replicas through Redis; caps on subscriptions per connection and connections per client."""

import asyncio
import json
import uuid
from contextlib import AsyncExitStack

import pytest
import websockets

from gateway.domain.enums import Provider
from tests.conftest import REDIS_URL
from tests.gateway.clients import new_client
from tests.gateway.ws import subscriber
from tests.security.wiring import post, start_secure_gateway

QUERY = "{ portfolio { stakeCount } }"
WATCH = "subscription { stakeStatusChanged { cursor } }"
LIMITS = {
    "GATEWAY_RATE_LIMIT_BURST": 3,
    "GATEWAY_RATE_LIMIT_PER_SECOND": 0.5,
    "GATEWAY_MAX_SUBSCRIPTIONS_PER_CONNECTION": 2,
    "GATEWAY_MAX_CONNECTIONS_PER_CLIENT": 2,
}


@pytest.fixture
async def strict(tmp_path):
    async for running in start_secure_gateway(tmp_path, **LIMITS):
        yield running


async def fresh_key(gateway, name: str) -> str:
    return await new_client(gateway, name, {Provider.CROCANTE: [name]})


async def test_a_client_past_its_burst_gets_429_with_retry_after(strict):
    key = await fresh_key(strict, "busy")
    statuses = [(await post(strict, QUERY, key=key)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    before = sum(strict.app.state.upstream.snapshot().values())
    refused = await post(strict, QUERY, key=key)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert sum(strict.app.state.upstream.snapshot().values()) == before


async def test_one_client_being_limited_does_not_limit_another(strict):
    busy, calm = await fresh_key(strict, "busy"), await fresh_key(strict, "calm")
    for _ in range(4):
        await post(strict, QUERY, key=busy)
    assert (await post(strict, QUERY, key=busy)).status_code == 429
    assert (await post(strict, QUERY, key=calm)).status_code == 200


async def test_operations_over_a_websocket_take_from_the_same_bucket(strict):
    key = await fresh_key(strict, "ws-busy")
    async with subscriber(strict.url, key) as client:
        for index in range(3):
            await client.subscribe(QUERY, op_id=str(index))
            assert (await client.next_data())["portfolio"]["stakeCount"] == 0
            assert (await client.next_message())["type"] == "complete"
        await client.subscribe(QUERY, op_id="over")
        refused = await client.next_message()
    print(refused)
    assert refused["type"] == "error"
    assert refused["payload"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_a_connection_may_hold_only_so_many_subscriptions(strict):
    key = await fresh_key(strict, "subs")
    async with subscriber(strict.url, key) as client:
        await client.subscribe(WATCH, op_id="1")
        await client.subscribe(WATCH, op_id="2")
        await client.subscribe(WATCH, op_id="3")
        refused = await client.next_message()
    assert refused["type"] == "error" and refused["id"] == "3"
    assert "Subscription limit reached" in refused["payload"][0]["message"]


async def test_a_client_may_hold_only_so_many_connections_and_gets_one_back_on_close(
    strict,
):
    key, other = await fresh_key(strict, "conns"), await fresh_key(strict, "other")
    url = strict.url.replace("http://", "ws://") + "/graphql"
    async with AsyncExitStack() as stack:
        for _ in range(2):
            await stack.enter_async_context(subscriber(strict.url, key))
        async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:
            init = {"Authorization": f"Bearer {key}"}
            await ws.send(json.dumps({"type": "connection_init", "payload": init}))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
        assert closed.value.rcvd.code == 4403
        async with subscriber(strict.url, other):
            pass  # another client is not affected
    guard = strict.app.state.guard
    for _ in range(50):
        if not guard.connections._open:
            break
        await asyncio.sleep(0.01)
    async with subscriber(strict.url, key), subscriber(strict.url, key):
        pass


@pytest.mark.redis
async def test_replicas_sharing_redis_share_each_clients_bucket(tmp_path):
    shared = {
        **LIMITS,
        "REDIS_URL": REDIS_URL,
        "GATEWAY_RATE_LIMIT_PREFIX": f"test-replicas-{uuid.uuid4().hex[:10]}",
        "GATEWAY_RATE_LIMIT_BURST": 4,
    }
    async with AsyncExitStack() as stack:
        replicas = []
        for _ in range(2):
            running = start_secure_gateway(tmp_path, **shared)
            stack.push_async_callback(running.aclose)
            replicas.append(await anext(running))
        one, two = replicas
        statuses = [
            (await post(replica, QUERY)).status_code for replica in (one, two) * 3
        ]
    assert statuses == [200, 200, 200, 200, 429, 429]
