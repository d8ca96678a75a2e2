"""GATEWAY_ENV=production: no introspection, no GraphiQL, no anonymous calls, limits on,
and a loud warning when it still runs on the sandboxes (a staging setup)."""

import logging

import pytest

from tests.security.wiring import post, start_secure_gateway

INTROSPECTION = "{ __schema { queryType { name } types { name } } }"


@pytest.fixture
async def production(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="gateway.security")
    async for running in start_secure_gateway(tmp_path, GATEWAY_ENV="production"):
        yield running


async def test_introspection_is_refused_in_production(production):
    for query in (INTROSPECTION, '{ __type(name: "Stake") { fields { name } } }'):
        body = (await post(production, query)).json()
        assert body["data"] is None
        assert "introspection" in body["errors"][0]["message"].lower()


async def test_typename_still_works_in_production(production):
    body = (await post(production, "{ __typename }")).json()
    assert body["data"] == {"__typename": "Query"}


async def test_graphiql_is_not_served_in_production(production):
    response = await production.http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "graphiql" not in response.text.lower()


async def test_unauthenticated_calls_are_refused_in_production(production):
    assert (
        await post(production, "{ portfolio { stakeCount } }", key=None)
    ).status_code == 401


async def test_over_limit_queries_are_refused_in_production(production):
    body = (
        await post(production, "{ stakes(first: 1000) { edges { cursor } } }")
    ).json()
    assert "over the limit of 100" in body["errors"][0]["message"]


async def test_running_on_sandboxes_in_production_is_warned_about_at_start(
    production, caplog
):
    started = caplog.get_records("setup")
    warnings = [r.getMessage() for r in started if r.levelno == logging.WARNING]
    assert any(
        "production" in w and "CROCANTE" in w and "DFNS" in w and "ZEROHASH" in w
        for w in warnings
    ), warnings


async def test_introspection_and_graphiql_stay_on_in_development(gateway, caplog):
    body = (await post(gateway, INTROSPECTION)).json()
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"
    started = caplog.get_records("setup")
    assert not [r for r in started if "production" in r.getMessage()]


async def test_in_production_errors_do_not_suggest_field_names(production):
    body = (await post(production, "{ stakez(first: 1) { edges { cursor } } }")).json()
    message = body["errors"][0]["message"]
    assert "Cannot query field 'stakez'" in message
    assert "Did you mean" not in message and "stakes" not in message


async def test_in_development_errors_still_suggest(gateway):
    body = (await post(gateway, "{ stakez(first: 1) { edges { cursor } } }")).json()
    assert "Did you mean" in body["errors"][0]["message"]
