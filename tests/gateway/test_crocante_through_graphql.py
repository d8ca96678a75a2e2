"""Crocante end to end: GraphQL → gateway → adapter → sandbox over loopback HTTP."""

from decimal import Decimal

from gateway.domain.enums import Provider

STAKES = """
query($filter: StakeFilter, $first: Int, $after: String) {
  stakes(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id provider providerStakeId status providerStatus amount
      rewardsEarned redeemableAt availableActions asset { symbol }
      product { id mode minAmount } actions { kind status }
      rewards { edges { node { amount cumulative } } } } }
    pageInfo { hasNextPage endCursor }
    providerFailures { provider code }
  }
}"""

PRODUCTS = """
query { stakingProducts(provider: CROCANTE) {
  id providerProductId mode minAmount durationDays asset { symbol } } }"""

CREATE = """
mutation($input: CreateStakeInput!) { createStake(input: $input) {
  stake { id status providerStakeId amount redeemableAt }
  action { kind status }
  userErrors { code message field } } }"""

UNSTAKE = """
mutation($input: UnstakeInput!) { unstake(input: $input) {
  stake { id status closedAt } action { kind status } userErrors { code message } } }"""

STAKE = """query($id: ID!) { stake(id: $id) { id status rewardsEarned
  statusHistory { from to source } } }"""


async def products(gateway) -> dict[str, dict]:
    data = await gateway.graphql(PRODUCTS)
    return {p["providerProductId"]: p for p in data["stakingProducts"]}


async def crocante_stakes(gateway) -> list[dict]:
    data = await gateway.graphql(
        STAKES, {"filter": {"provider": ["CROCANTE"]}, "first": 100}
    )
    assert data["stakes"]["providerFailures"] == []
    return [edge["node"] for edge in data["stakes"]["edges"]]


async def test_the_demo_user_sees_its_seeded_crocante_stakes_with_products_and_yield(
    gateway,
):
    stakes = await crocante_stakes(gateway)
    assert len(stakes) >= 4
    statuses = {s["status"] for s in stakes}
    assert {"ACTIVE", "WITHDRAWN"} <= statuses
    active = next(s for s in stakes if s["status"] == "ACTIVE")
    assert active["product"] is not None and active["asset"]["symbol"]
    assert active["rewards"]["edges"][0]["node"]["cumulative"] is True
    assert Decimal(active["rewardsEarned"]) > 0


async def test_a_created_stake_appears_accrues_and_redeems_only_when_due(gateway):
    product = (await products(gateway))["stake_usdt_fixed_30"]
    created = (
        await gateway.graphql(
            CREATE, {"input": {"productId": product["id"], "amount": "250.5"}}
        )
    )["createStake"]
    assert created["userErrors"] == []
    stake = created["stake"]
    assert stake["status"] == "ACTIVE" and Decimal(stake["amount"]) == Decimal("250.5")
    assert created["action"] == {"kind": "STAKE", "status": "COMPLETED"}
    assert stake["id"] in {s["id"] for s in await crocante_stakes(gateway)}

    early = (await gateway.graphql(UNSTAKE, {"input": {"stakeId": stake["id"]}}))[
        "unstake"
    ]
    assert [e["code"] for e in early["userErrors"]] == ["NOT_REDEEMABLE_YET"]

    before = Decimal(
        (await gateway.graphql(STAKE, {"id": stake["id"]}))["stake"]["rewardsEarned"]
        or "0"
    )
    await gateway.advance("crocante", 31 * 86400)
    after = (await gateway.graphql(STAKE, {"id": stake["id"]}))["stake"]
    assert Decimal(after["rewardsEarned"]) > before

    redeemed = (await gateway.graphql(UNSTAKE, {"input": {"stakeId": stake["id"]}}))[
        "unstake"
    ]
    assert redeemed["userErrors"] == []
    assert redeemed["stake"]["status"] == "WITHDRAWN"
    assert redeemed["action"]["kind"] == "REDEEM"
    history = (await gateway.graphql(STAKE, {"id": stake["id"]}))["stake"][
        "statusHistory"
    ]
    assert [(h["to"], h["source"]) for h in history] == [
        ("ACTIVE", "MUTATION"),
        ("WITHDRAWN", "MUTATION"),
    ]


async def test_the_same_external_id_twice_creates_one_stake(gateway):
    product = (await products(gateway))["stake_eth_variable"]
    variables = {
        "input": {"productId": product["id"], "amount": "1", "externalId": "order-1"}
    }
    first = (await gateway.graphql(CREATE, variables))["createStake"]
    second = (await gateway.graphql(CREATE, variables))["createStake"]
    assert first["stake"]["id"] == second["stake"]["id"]
    count = sum(
        1 for s in await crocante_stakes(gateway) if s["id"] == first["stake"]["id"]
    )
    assert count == 1
    variables["input"]["amount"] = "2"
    conflict = (await gateway.graphql(CREATE, variables))["createStake"]
    assert [e["code"] for e in conflict["userErrors"]] == ["IDEMPOTENCY_CONFLICT"]


async def test_bad_input_gets_a_typed_error_and_changes_nothing(gateway):
    product = (await products(gateway))["stake_eth_variable"]
    before = len(await crocante_stakes(gateway))
    cases = [
        ({"productId": product["id"], "amount": "-1"}, "INVALID_INPUT"),
        ({"productId": product["id"], "amount": "0"}, "INVALID_INPUT"),
        (
            {"productId": product["id"], "amount": "0.0000000000000000001"},
            "INVALID_INPUT",
        ),
        ({"productId": product["id"], "amount": "0.01"}, "BELOW_MINIMUM_STAKE"),
        ({"productId": "not-an-id", "amount": "1"}, "INVALID_INPUT"),
        (
            {"productId": product["id"].replace("A", "B", 1) + "x", "amount": "1"},
            "INVALID_INPUT",
        ),
    ]
    for given, code in cases:
        result = (await gateway.graphql(CREATE, {"input": given}))["createStake"]
        assert [e["code"] for e in result["userErrors"]] == [code], given
        assert result["stake"] is None
    assert len(await crocante_stakes(gateway)) == before


async def test_a_malformed_amount_is_refused_before_any_resolver_runs(gateway):
    product = (await products(gateway))["stake_eth_variable"]
    response = await gateway.http.post(
        "/graphql",
        json={
            "query": CREATE,
            "variables": {"input": {"productId": product["id"], "amount": 1.5}},
        },
        headers={"Authorization": "Bearer sgw_test_demo-key-for-tests"},
    )
    errors = response.json()["errors"]
    assert "Decimal values are sent as strings" in errors[0]["message"]


async def test_another_clients_stake_is_not_found_and_invisible(gateway):
    store = gateway.app.state  # the running app's services live in request state
    _ = store
    stakes = await crocante_stakes(gateway)
    stake_id = stakes[0]["id"]
    from gateway.store.clients import ClientStore
    from gateway.store.engine import create_engine

    engine = create_engine(gateway.app.state.settings.effective_database_url)
    try:
        _, other_key = await ClientStore(engine).create(
            "other", {Provider.CROCANTE: ["mallory"]}
        )
    finally:
        await engine.dispose()
    mine = await gateway.graphql(
        STAKES, {"filter": {"provider": ["CROCANTE"]}}, key=other_key
    )
    assert stake_id not in {e["node"]["id"] for e in mine["stakes"]["edges"]}
    seen = await gateway.graphql(STAKE, {"id": stake_id}, key=other_key)
    assert seen["stake"] is None
    refused = await gateway.graphql(
        UNSTAKE, {"input": {"stakeId": stake_id}}, key=other_key
    )
    assert [e["code"] for e in refused["unstake"]["userErrors"]] == ["NOT_FOUND"]


async def test_a_request_without_a_key_is_refused_with_401(gateway):
    response = await gateway.http.post(
        "/graphql", json={"query": "{ portfolio { stakeCount } }"}
    )
    assert response.status_code == 401
    browser = await gateway.http.get("/graphql", headers={"Accept": "text/html"})
    assert browser.status_code == 200 and "graphiql" in browser.text.lower()


async def test_pages_walk_every_stake_once(gateway):
    seen: list[str] = []
    after = None
    while True:
        page = (await gateway.graphql(STAKES, {"first": 2, "after": after}))["stakes"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    everything = (await gateway.graphql(STAKES, {"first": 100}))["stakes"]["edges"]
    assert seen == [e["node"]["id"] for e in everything]
    assert len(seen) == len(set(seen))
