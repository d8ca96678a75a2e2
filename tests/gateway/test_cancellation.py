"""cancelStakeAction through the real HTTP stack: a Zerohash stake is canceled before it
is broadcast; afterwards, and at a provider without cancellation, the answer is a typed
NOT_CANCELLABLE saying why; another client's action is not found."""

from gateway.domain.enums import Provider
from tests.gateway.clients import new_client

PRODUCTS = """query($p: Provider) { stakingProducts(provider: $p) {
  id providerProductId asset { symbol } } }"""
CREATE = """mutation($input: CreateStakeInput!) { createStake(input: $input) {
  stake { id availableActions unavailableActions { action reason } }
  action { id status providerStatus }
  userErrors { code } } }"""
CANCEL = """mutation($id: ID!) { cancelStakeAction(id: $id) {
  stake { status } action { id status } userErrors { code message field } } }"""


async def product(gateway, provider: str, pick) -> str:
    products = (await gateway.graphql(PRODUCTS, {"p": provider}))["stakingProducts"]
    return next(p["id"] for p in products if pick(p))


async def stake(gateway, product_id: str, key=None) -> dict:
    kwargs = {"key": key} if key else {}
    variables = {"input": {"productId": product_id, "amount": "1"}}
    created = (await gateway.graphql(CREATE, variables, **kwargs))["createStake"]
    assert created["userErrors"] == [], created
    return created


async def test_a_zerohash_stake_is_canceled_before_it_is_broadcast(gateway):
    await gateway.http.post("/sandbox/zerohash/_sandbox/faults", json={"hold": True})
    eth = await product(gateway, "ZEROHASH", lambda p: p["asset"]["symbol"] == "ETH")
    created = await stake(gateway, eth)
    assert "CANCEL" in created["stake"]["availableActions"]
    assert created["stake"]["unavailableActions"] == [
        {"action": "UNSTAKE", "reason": "The stake is not active yet."}
    ]
    canceled = (await gateway.graphql(CANCEL, {"id": created["action"]["id"]}))[
        "cancelStakeAction"
    ]
    assert canceled["userErrors"] == []
    assert canceled["stake"]["status"] == "CANCELED"
    assert canceled["action"]["status"] == "CANCELED"

    again = (await gateway.graphql(CANCEL, {"id": created["action"]["id"]}))[
        "cancelStakeAction"
    ]
    assert [e["code"] for e in again["userErrors"]] == ["NOT_CANCELLABLE"]


async def test_once_broadcast_or_where_the_provider_cannot_it_says_why(gateway):
    eth = await product(gateway, "ZEROHASH", lambda p: p["asset"]["symbol"] == "ETH")
    broadcast = await stake(gateway, eth)
    await gateway.advance("zerohash", 2 * 86400)
    late = (await gateway.graphql(CANCEL, {"id": broadcast["action"]["id"]}))[
        "cancelStakeAction"
    ]
    [error] = late["userErrors"]
    assert error["code"] == "NOT_CANCELLABLE" and error["field"] == ["id"]
    assert late["stake"] is None and late["action"] is None

    crocante = await product(
        gateway, "CROCANTE", lambda p: p["providerProductId"] == "stake_eth_variable"
    )
    created = await stake(gateway, crocante)
    assert "CANCEL" not in created["stake"]["availableActions"]
    why = {u["action"]: u["reason"] for u in created["stake"]["unavailableActions"]}
    assert why["CANCEL"] == "Crocante offers no cancellation of a staking action."
    assert set(why).isdisjoint(created["stake"]["availableActions"])
    refused = (await gateway.graphql(CANCEL, {"id": created["action"]["id"]}))[
        "cancelStakeAction"
    ]
    [error] = refused["userErrors"]
    assert error["code"] == "NOT_CANCELLABLE"
    assert "Crocante" in error["message"] or "under way" in error["message"]


async def test_another_clients_action_is_not_found_and_a_bad_id_is_invalid(gateway):
    await gateway.http.post("/sandbox/zerohash/_sandbox/faults", json={"hold": True})
    eth = await product(gateway, "ZEROHASH", lambda p: p["asset"]["symbol"] == "ETH")
    ours = await stake(gateway, eth)
    theirs = await new_client(gateway, "theirs", {Provider.ZEROHASH: ["OTHER9"]})
    answer = (await gateway.graphql(CANCEL, {"id": ours["action"]["id"]}, key=theirs))[
        "cancelStakeAction"
    ]
    assert [e["code"] for e in answer["userErrors"]] == ["NOT_FOUND"]
    still = (await gateway.graphql(CANCEL, {"id": ours["action"]["id"]}))[
        "cancelStakeAction"
    ]
    assert still["userErrors"] == [], "untouched by the other client"
    bad = (await gateway.graphql(CANCEL, {"id": "nope"}))["cancelStakeAction"]
    assert [e["code"] for e in bad["userErrors"]] == ["INVALID_INPUT"]
