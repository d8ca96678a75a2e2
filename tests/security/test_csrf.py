"""CSRF: a page on another site cannot make a browser run an operation for its user.

The gateway's only credential is the `Authorization` header (or the WebSocket's
connection_init payload), which a browser never attaches by itself: there is no cookie
or other ambient credential for another site to ride on, whatever CORS allows. On top of
that, Strawberry already refuses what a plain HTML form
or <img> can send: bodies that are not `application/json`, mutations over GET, and
batches. These tests pin that down, and that a refused request reaches no provider.
"""

import json

import pytest
import websockets

from tests.gateway.conftest import DEMO_KEY

AUTH = {"Authorization": f"Bearer {DEMO_KEY}"}
MUTATION = "mutation { acceptStakingTerms(provider: ZEROHASH) { accepted } }"
QUERY = "{ stakingProducts(provider: CROCANTE) { id } }"


def upstream_calls(gateway) -> int:
    return sum(gateway.app.state.upstream.snapshot().values())


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", f"query={MUTATION}"),
        ("text/plain", json.dumps({"query": MUTATION})),
        (
            "multipart/form-data; boundary=x",
            f'--x\r\nContent-Disposition: form-data; name="query"\r\n\r\n{MUTATION}\r\n--x--\r\n',
        ),
    ],
    ids=["urlencoded", "text-plain", "multipart"],
)
async def test_what_an_html_form_can_post_is_refused_before_anything_runs(
    gateway, content_type, body
):
    before = upstream_calls(gateway)
    response = await gateway.http.post(
        "/graphql", content=body, headers={**AUTH, "Content-Type": content_type}
    )
    assert response.status_code == 400
    assert "Unsupported content type" in response.text
    assert upstream_calls(gateway) == before


async def test_a_mutation_over_get_is_refused_before_anything_runs(gateway):
    before = upstream_calls(gateway)
    response = await gateway.http.get(
        "/graphql", params={"query": MUTATION}, headers=AUTH
    )
    assert response.status_code in (400, 405)
    assert "mutations are not allowed" in response.text.lower()
    assert upstream_calls(gateway) == before


async def test_a_get_query_runs_only_with_the_authorization_header(gateway):
    """No ambient credential: a cross-site GET (an <img>, a link) arrives without one."""
    assert (
        await gateway.http.get("/graphql", params={"query": QUERY})
    ).status_code == 401
    response = await gateway.http.get("/graphql", params={"query": QUERY}, headers=AUTH)
    assert response.status_code == 200 and response.json()["data"]["stakingProducts"]


async def test_batched_operations_are_refused(gateway):
    response = await gateway.http.post(
        "/graphql", json=[{"query": QUERY}, {"query": QUERY}], headers=AUTH
    )
    assert response.status_code == 400


async def test_cors_never_lets_another_origin_send_credentials(gateway):
    """Whatever origins CORS lets read, it never allows credentials (cookies): the key
    must be set by the calling code, which another site's page does not have."""
    preflight = await gateway.http.options(
        "/graphql",
        headers={
            "Origin": "https://evil.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert preflight.headers.get("access-control-allow-credentials") != "true"
    response = await gateway.http.post(
        "/graphql",
        json={"query": QUERY},
        headers={"Origin": "https://evil.example", "Cookie": "session=stolen"},
    )
    assert response.status_code == 401
    assert response.headers.get("access-control-allow-credentials") != "true"


async def test_a_websocket_from_another_origin_gains_nothing_without_a_key(gateway):
    url = gateway.url.replace("http://", "ws://") + "/graphql"
    try:
        async with websockets.connect(
            url, subprotocols=["graphql-transport-ws"], origin="https://evil.example"
        ) as ws:
            await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
        assert closed.value.rcvd.code == 4403
    except websockets.InvalidStatus as refused:
        assert refused.response.status_code == 403
