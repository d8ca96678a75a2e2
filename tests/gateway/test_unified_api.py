"""One API over three providers: merged pages, batching, partial failure, idempotency."""

import asyncio
import time
from collections import Counter

from gateway.domain.enums import Provider
from tests.gateway.clients import new_client
from tests.gateway.conftest import DEMO_KEY, start_gateway

PRODUCTS = """query { stakingProducts(provider: CROCANTE) { id providerProductId } }"""
CREATE = """mutation($input: CreateStakeInput!) { createStake(input: $input) {
  stake { id } userErrors { code } } }"""
PAGE = """query($first: Int, $after: String) { stakes(first: $first, after: $after) {
  edges { node { id provider } } pageInfo { hasNextPage endCursor }
  providerFailures { provider code retryable } } }"""
NESTED = """query { stakes(first: 50) {
  edges { node { id status product { id apy } actions { kind status }
    rewards { edges { node { amount } } } statusHistory { to } } }
  providerFailures { provider } } }"""


async def crocante_product(gateway, key, product_id="stake_eth_variable") -> str:
    products = (await gateway.graphql(PRODUCTS, key=key))["stakingProducts"]
    return next(p["id"] for p in products if p["providerProductId"] == product_id)


async def stake(gateway, key, product, external_id=None) -> dict:
    variables = {
        "input": {"productId": product, "amount": "1", "externalId": external_id}
    }
    return (await gateway.graphql(CREATE, variables, key=key))["createStake"]


async def test_a_page_of_50_stakes_with_nested_fields_costs_a_constant_number_of_calls(
    gateway,
):
    key = await new_client(gateway, "bulk", {Provider.CROCANTE: ["bulk-user"]})
    product = await crocante_product(gateway, key)
    for _ in range(50):
        await stake(gateway, key, product)
    upstream = gateway.app.state.upstream
    before = upstream.total(Provider.CROCANTE)
    page = await gateway.graphql(NESTED, key=key)
    calls = upstream.total(Provider.CROCANTE) - before
    assert len(page["stakes"]["edges"]) == 50
    # Stakes (active + redeemed pages), rewards (the same lists), products: not 50 times.
    assert calls <= 8, calls


async def test_a_provider_that_is_down_costs_only_its_own_part(gateway):
    await gateway.http.post("/sandbox/crocante/_sandbox/faults", json={"down": True})
    try:
        started = time.monotonic()
        page = (await gateway.graphql(PAGE, {"first": 100}))["stakes"]
        elapsed = time.monotonic() - started
    finally:
        await gateway.http.post(
            "/sandbox/crocante/_sandbox/faults", json={"down": False}
        )
    providers = {e["node"]["provider"] for e in page["edges"]}
    assert providers == {"DFNS", "ZEROHASH"}
    assert [(f["provider"], f["retryable"]) for f in page["providerFailures"]] == [
        ("CROCANTE", True)
    ]
    assert elapsed < 5


async def test_a_provider_slower_than_its_timeout_fails_alone_within_the_timeout(
    tmp_path,
):
    async for gateway in start_gateway(
        tmp_path, PROVIDER_TIMEOUT_SECONDS=0.5, WATCHER_ENABLED=False
    ):
        await gateway.http.post(
            "/sandbox/zerohash/_sandbox/faults", json={"latency_ms": 3000}
        )
        started = time.monotonic()
        page = (await gateway.graphql(PAGE, {"first": 100}))["stakes"]
        elapsed = time.monotonic() - started
        await gateway.http.post(
            "/sandbox/zerohash/_sandbox/faults", json={"latency_ms": 0}
        )
        assert [(f["provider"], f["code"]) for f in page["providerFailures"]] == [
            ("ZEROHASH", "TIMEOUT")
        ]
        assert {e["node"]["provider"] for e in page["edges"]} == {"DFNS", "CROCANTE"}
        assert elapsed < 1.5


async def test_the_response_says_what_each_provider_cost(gateway):
    response = await gateway.http.post(
        "/graphql",
        json={"query": PAGE, "variables": {"first": 5}},
        headers={"Authorization": "Bearer sgw_test_demo-key-for-tests"},
    )
    trace = response.json()["extensions"]["providers"]
    assert set(trace) == {"DFNS", "ZEROHASH", "CROCANTE"}
    assert all(
        # A read can also ride on an identical one in flight (the watcher's, say).
        entry["calls"] + entry["sharedWithInFlight"] >= 1
        for entry in trace.values()
    )


async def test_a_page_walk_neither_repeats_nor_skips_while_stakes_are_created(gateway):
    key = await new_client(gateway, "walker", {Provider.CROCANTE: ["walker"]})
    product = await crocante_product(gateway, key)
    for _ in range(7):
        await stake(gateway, key, product)
    everything = [
        e["node"]["id"]
        for e in (await gateway.graphql(PAGE, {"first": 100}, key=key))["stakes"][
            "edges"
        ]
    ]
    walked: list[str] = []
    after = None
    while True:
        page = (await gateway.graphql(PAGE, {"first": 2, "after": after}, key=key))[
            "stakes"
        ]
        walked += [e["node"]["id"] for e in page["edges"]]
        await stake(gateway, key, product)  # arrives mid-walk, newest first
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert walked == everything


async def test_a_mutation_retried_with_the_same_external_id_reaches_the_provider_once(
    tmp_path,
):
    # Without the poller: its first login to Crocante could land in the count.
    async for gateway in start_gateway(tmp_path, WATCHER_ENABLED=False):
        key = await new_client(gateway, "retrier", {Provider.CROCANTE: ["retrier"]})
        product = await crocante_product(gateway, key)
        upstream = gateway.app.state.upstream
        posts_before = upstream.total(Provider.CROCANTE, "POST")
        concurrent = await asyncio.gather(
            *(stake(gateway, key, product, external_id="same-order") for _ in range(4))
        )
        again = await stake(gateway, key, product, external_id="same-order")
        ids = {r["stake"]["id"] for r in [*concurrent, again]}
        assert len(ids) == 1
        creates = upstream.total(Provider.CROCANTE, "POST") - posts_before
        # One create, plus at most one login.
        assert creates <= 2, creates


async def test_a_walk_over_all_three_providers_holds_while_stakes_arrive(gateway):
    everything = [
        e["node"]["id"]
        for e in (await gateway.graphql(PAGE, {"first": 100}))["stakes"]["edges"]
    ]
    croc = await crocante_product(gateway, DEMO_KEY)
    zerohash = (
        await gateway.graphql(
            '{ stakingProducts(provider: ZEROHASH, asset: "ETH") { id } }'
        )
    )["stakingProducts"][0]["id"]
    walked: list[str] = []
    after = None
    while True:
        page = (await gateway.graphql(PAGE, {"first": 3, "after": after}))["stakes"]
        walked += [e["node"]["id"] for e in page["edges"]]
        # New stakes at two providers land mid-walk.
        await stake(gateway, DEMO_KEY, croc)
        await stake(gateway, DEMO_KEY, zerohash)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert walked == everything
    providers = {
        e["node"]["provider"]
        for e in (await gateway.graphql(PAGE, {"first": 100}))["stakes"]["edges"]
    }
    assert providers == {"DFNS", "ZEROHASH", "CROCANTE"}


STAKES_AND_REWARDS = """{
  stakes(first: 20) { edges { node { id rewards { edges { node { amount } } } } } }
  rewards(first: 20) { edges { node { amount } } }
  portfolio { stakeCount totals { rewards } }
}"""


async def test_stakes_rewards_and_portfolio_in_one_request_list_each_providers_stakes_once(
    tmp_path,
):
    # No poller: every call counted is this request's.
    async for gateway in start_gateway(tmp_path, WATCHER_ENABLED=False):
        await _count_list_calls(gateway)


async def _count_list_calls(gateway) -> None:
    upstream = gateway.app.state.upstream
    before = Counter(upstream.calls)
    data = await gateway.graphql(STAKES_AND_REWARDS, key=DEMO_KEY)
    assert data["stakes"]["edges"] and data["rewards"]["edges"]
    calls = Counter(upstream.calls)
    calls.subtract(before)
    listed = {
        (provider, path): n
        for (provider, method, path), n in calls.items()
        if n and method == "GET" and not path.rstrip("/").endswith("rewards")
    }
    # Dfns and Crocante rewards travel with their stakes: three fields, one list each.
    dfns_lists = [n for (p, path), n in listed.items() if p is Provider.DFNS]
    crocante_lists = [n for (p, path), n in listed.items() if p is Provider.CROCANTE]
    assert dfns_lists and set(dfns_lists) == {1}, listed
    assert crocante_lists and set(crocante_lists) == {1}, listed
    # And each earning Dfns stake's rewards are read once, not once per field.
    per_stake = [
        n
        for (p, method, path), n in calls.items()
        if p is Provider.DFNS and path.rstrip("/").endswith("rewards") and n
    ]
    assert per_stake and set(per_stake) == {1}, per_stake
