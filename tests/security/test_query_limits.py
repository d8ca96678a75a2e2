"""Hostile queries: depth, aliases, tokens, cost, the `first` cap, the per-query
deadline and the body size limit; each refusal names its limit, and nothing reaches a
provider."""

import time

import pytest

from tests.gateway.conftest import DEMO_KEY
from tests.gateway.ws import subscriber
from tests.security.wiring import post, start_secure_gateway

STAKE_FIELDS = "id status amount"


def upstream_calls(gateway) -> int:
    return sum(gateway.app.state.upstream.snapshot().values())


async def refusal(gateway, query: str, variables=None) -> str:
    before = upstream_calls(gateway)
    response = await post(gateway, query, variables)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] is None and body["errors"], body
    assert upstream_calls(gateway) == before, "a refused query reached a provider"
    return " ".join(e["message"] for e in body["errors"])


def nested(depth: int) -> str:
    """stakes > edges > node > rewards > edges > node > stake > rewards > …"""
    inner = "id"
    for level in range(depth):
        inner = (
            f"rewards {{ edges {{ node {{ stake {{ {inner} }} }} }} }}"
            if level % 2
            else f"stake {{ {inner} }}"
        )
    return f"{{ stakes(first: 1) {{ edges {{ node {{ {inner} }} }} }} }}"


async def test_a_query_nested_too_deep_is_refused_naming_the_depth_limit(gateway):
    message = await refusal(gateway, nested(12))
    assert "exceeds maximum operation depth of 12" in message


async def test_too_many_aliases_are_refused_naming_the_alias_limit(gateway):
    query = (
        "{ " + " ".join(f"a{i}: portfolio {{ stakeCount }}" for i in range(31)) + " }"
    )
    message = await refusal(gateway, query)
    assert "31 aliases found. Allowed: 30" in message


async def test_a_huge_document_is_refused_naming_the_token_limit(gateway):
    query = "{ portfolio { " + "stakeCount " * 3100 + "} }"
    message = await refusal(gateway, query)
    assert "more than 3000 tokens" in message


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ stakes(first: 101) { edges { cursor } } }", None),
        ("query($n: Int) { stakes(first: $n) { edges { cursor } } }", {"n": 5000}),
        ("{ rewards(first: 1000000) { edges { cursor } } }", None),
        ("{ allocations(first: 101) { edges { cursor } } }", None),
        (
            "{ stakes(first: 1) { edges { node { rewards(first: 500) { edges { cursor } } } } } }",
            None,
        ),
    ],
    ids=["literal", "variable", "rewards", "allocations", "nested"],
)
async def test_first_over_100_is_refused_naming_the_cap(gateway, query, variables):
    message = await refusal(gateway, query, variables)
    assert "over the limit of 100 items a page" in message


async def test_first_of_100_is_allowed(gateway):
    body = (await post(gateway, "{ stakes(first: 100) { edges { cursor } } }")).json()
    assert "errors" not in body


async def test_a_query_over_its_cost_budget_is_refused_with_its_cost(gateway):
    # 100 stakes x 100 rewards each x (edge + node + stake) ≈ 30 000 objects.
    query = """{ stakes(first: 100) { edges { node {
        rewards(first: 100) { edges { node { stake { id } } } } } } } }"""
    message = await refusal(gateway, query)
    assert "over the limit of 20000" in message and "This operation costs" in message


async def test_many_cheap_root_fields_add_up_in_the_cost(gateway):
    lists = " ".join(
        f"s{i}: stakes(first: 100) {{ edges {{ node {{ {STAKE_FIELDS} actions {{ kind }} }} }} }}"
        for i in range(20)
    )
    message = await refusal(gateway, "{ " + lists + " }")
    assert "This operation costs" in message


async def test_fragments_cannot_hide_cost_or_depth(gateway):
    query = """
      fragment R on Stake { rewards(first: 100) { edges { node { stake { id } } } } }
      { stakes(first: 100) { edges { node { ...R } } } }"""
    assert "This operation costs" in await refusal(gateway, query)


async def test_a_legitimate_dashboard_query_passes_every_limit(gateway):
    query = """{ stakes(first: 100) { edges { cursor node { id provider status amount
        asset { symbol } product { id apy } actions { kind status }
        rewards(first: 20) { edges { node { amount creditedAt } } }
        statusHistory { to at } } } pageInfo { hasNextPage endCursor } }
      portfolio { stakeCount totals { provider staked } } }"""
    body = (await post(gateway, query)).json()
    assert "errors" not in body, body


async def test_a_mutation_over_the_limits_never_reaches_the_provider(gateway):
    mutation = (
        "mutation { "
        + " ".join(
            f"m{i}: acceptStakingTerms(provider: ZEROHASH) {{ accepted }}"
            for i in range(31)
        )
        + " }"
    )
    assert "aliases" in await refusal(gateway, mutation)


@pytest.fixture
async def impatient(tmp_path):
    async for running in start_secure_gateway(
        tmp_path, GATEWAY_OPERATION_TIMEOUT_SECONDS=0.3
    ):
        yield running


async def test_a_query_running_past_its_deadline_is_stopped_with_a_clear_error(
    impatient,
):
    await impatient.http.post(
        "/sandbox/crocante/_sandbox/faults", json={"latency_ms": 1000}
    )
    started = time.monotonic()
    body = (
        await post(
            impatient,
            "{ stakes(first: 5, filter: {provider: [CROCANTE]}) { edges { cursor } } }",
        )
    ).json()
    elapsed = time.monotonic() - started
    assert elapsed < 1.5
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert "longer than 0.3 s" in body["errors"][0]["message"]


async def test_a_body_over_one_mib_is_refused_with_413_before_it_is_read(gateway):
    padding = "#" + "x" * (1024 * 1024)
    response = await post(gateway, "{ __typename }" + padding)
    assert response.status_code == 413
    assert "1048576 bytes" in response.text


async def test_a_streamed_body_without_a_length_is_capped_too(gateway):
    async def chunks():
        for _ in range(40):
            yield b" " * 64 * 1024

    response = await gateway.http.post(
        "/graphql",
        content=chunks(),
        headers={"Content-Type": "application/json", "Authorization": "Bearer x"},
    )
    assert response.status_code == 413


async def test_a_body_just_under_the_limit_is_served(gateway):
    padding = {"unused": "x" * (1024 * 1024 - 200)}
    response = await post(gateway, "{ __typename }", padding)
    assert response.status_code == 200 and response.json()["data"]["__typename"]


async def test_a_query_text_over_64_kib_is_refused_without_being_parsed(gateway):
    # Comments are no tokens: only the size limit stops a document padded with them.
    query = "{ __typename }\n" + ("# padding\n" * 7000)
    message = await refusal(gateway, query)
    assert "over the limit of 65536 bytes" in message


async def test_a_query_text_over_64_kib_is_refused_on_a_websocket_too(gateway):
    async with subscriber(gateway.url, DEMO_KEY) as client:
        await client.subscribe(
            "subscription { stakeStatusChanged { cursor } }\n" + "#" * 70_000
        )
        refused = await client.next_message()
    assert refused["type"] == "error"
    assert "65536 bytes" in refused["payload"][0]["message"]
