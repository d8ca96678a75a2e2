"""Who gets in: API keys and JWTs, over HTTP and WebSocket; nobody else, with a clear
401; GraphiQL still loads in development."""

import json
from contextlib import aclosing

import pytest
import websockets
from sqlalchemy import text

from gateway.domain.enums import Provider
from gateway.store.clients import hash_key
from gateway.store.engine import create_engine
from tests.gateway.clients import new_client
from tests.gateway.conftest import DEMO_KEY, start_gateway
from tests.gateway.ws import subscriber
from tests.security.jwt_keys import SECRET, hs256
from tests.security.wiring import post, start_secure_gateway

WHO = "{ portfolio { stakeCount } }"


@pytest.fixture
async def jwt_gateway(tmp_path):
    async for running in start_secure_gateway(tmp_path, GATEWAY_JWT_SECRET=SECRET):
        yield running


async def client_id(gateway, key) -> str:
    engine = create_engine(gateway.app.state.settings.effective_database_url)
    try:
        async with engine.connect() as connection:
            row = (
                await connection.execute(
                    text("SELECT id FROM api_client WHERE key_hash = :h"),
                    {"h": hash_key(key)},
                )
            ).one()
    finally:
        await engine.dispose()
    return str(row.id)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer sgw_nope_not-a-real-key"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer " + "x" * 20_000},
    ],
    ids=["none", "unknown-key", "basic", "empty", "huge"],
)
async def test_a_request_without_valid_credentials_gets_a_clear_401(gateway, headers):
    response = await gateway.http.post("/graphql", json={"query": WHO}, headers=headers)
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.text


async def test_a_jwt_naming_a_client_is_as_good_as_its_api_key(jwt_gateway):
    demo = await client_id(jwt_gateway, DEMO_KEY)
    by_key = (await post(jwt_gateway, WHO)).json()
    by_token = (await post(jwt_gateway, WHO, key=hs256({"sub": demo}))).json()
    assert by_token["data"] == by_key["data"]
    assert by_token["data"]["portfolio"]["stakeCount"] > 0
    expired = hs256({"sub": demo, "exp": 1})
    assert (await post(jwt_gateway, WHO, key=expired)).status_code == 401


async def test_a_websocket_authenticates_with_a_jwt_in_connection_init(jwt_gateway):
    key = await new_client(jwt_gateway, "ws-jwt", {Provider.CROCANTE: ["ws-jwt"]})
    token = hs256({"sub": await client_id(jwt_gateway, key)})
    async with subscriber(jwt_gateway.url, token) as client:
        await client.subscribe("query { portfolio { stakeCount } }")
        data = await client.next_data()
    assert data["portfolio"]["stakeCount"] == 0


@pytest.mark.parametrize("payload", [{}, {"Authorization": "Bearer wrong"}])
async def test_a_websocket_without_valid_credentials_is_closed_forbidden(
    gateway, payload
):
    url = gateway.url.replace("http://", "ws://") + "/graphql"
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd.code == 4403


async def test_graphiql_loads_without_credentials_in_development(gateway):
    response = await gateway.http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_a_browser_style_get_with_a_query_is_not_an_ide_request(gateway):
    """`Accept: text/html` lets GraphiQL load without a key; it must not run a query."""
    response = await gateway.http.get(
        "/graphql",
        params={"query": "{ stakingProducts { id } providers { provider state } }"},
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 401


async def test_a_browser_style_get_query_without_a_key_is_refused(
    tmp_path,
):
    async with aclosing(start_gateway(tmp_path)) as running:
        async for gateway in running:
            response = await gateway.http.get(
                "/graphql",
                params={"query": "{ providers { provider state } }"},
                headers={"Accept": "text/html"},
            )
    assert response.status_code == 401
