"""Dfns end to end: stakes on two protocols through their lifecycles, policy approval,
allocations, idempotency — all through GraphQL against the signing sandbox."""

import pytest

from gateway.domain.enums import Provider
from tests.gateway.clients import new_client

WALLET = "wa-e2e01-00000-00000000000000"

PRODUCTS = """query { stakingProducts(provider: DFNS) {
  id providerProductId protocol requiresValidator minAmount asset { symbol decimals } } }"""
CREATE = """mutation($input: CreateStakeInput!) { createStake(input: $input) {
  stake { id status providerStatus amount protocol availableActions }
  action { kind status providerStatus
    approval { state required received expiresAt } }
  userErrors { code message field } } }"""
STAKE = """query($id: ID!) { stake(id: $id) { id status providerStatus availableActions
  actions { kind status } statusHistory { to source } } }"""
UNSTAKE = """mutation($input: UnstakeInput!) { unstake(input: $input) {
  stake { id status } action { kind status } userErrors { code message } } }"""
ACTION = """mutation($input: CreateStakeActionInput!) { createStakeAction(input: $input) {
  stake { id status } action { kind status } userErrors { code message } } }"""
ALLOCATE = """mutation($input: CreateAllocationInput!) { createAllocation(input: $input) {
  allocation { id protocol amount { amount asset { symbol } } }
  action { kind status } userErrors { code message field } } }"""
ALLOCATION_ACTION = """mutation($input: CreateAllocationActionInput!) {
  createAllocationAction(input: $input) {
    allocation { id amount { amount } actions { kind status } }
    action { kind status } userErrors { code message field } } }"""
ALLOCATIONS = """query { allocations { edges { node { id protocol walletId
  amount { amount raw asset { symbol decimals } } rewards { amount } } }
  providerFailures { code } } }"""


@pytest.fixture
async def dfns(gateway):
    key = await new_client(gateway, "dfns-e2e", {Provider.DFNS: [WALLET]})
    products = (await gateway.graphql(PRODUCTS, key=key))["stakingProducts"]
    return key, {p["protocol"]: p for p in products}


async def stake_of(gateway, key, stake_id):
    return (await gateway.graphql(STAKE, {"id": stake_id}, key=key))["stake"]


async def test_dfns_offers_one_product_per_protocol(gateway, dfns):
    _, products = dfns
    assert {"Ethereum", "Iota", "Xdc"} <= set(products)
    assert products["Iota"]["requiresValidator"] is True
    assert products["Ethereum"]["asset"] == {"symbol": "ETH", "decimals": 18}


async def test_a_babylon_stake_is_refused_with_the_reason(gateway, dfns):
    key, products = dfns
    created = await gateway.graphql(
        CREATE,
        {"input": {"productId": products["Babylon"]["id"], "amount": "0.1"}},
        key=key,
    )
    result = created["createStake"]
    assert result["stake"] is None
    (error,) = result["userErrors"]
    assert error["code"] == "UNSUPPORTED_ACTION"
    assert error["field"] == ["input", "productId"]
    assert "dropped Babylon from the create-stake" in error["message"]


async def test_an_ethereum_stake_activates_and_is_withdrawn(gateway, dfns):
    key, products = dfns
    created = await gateway.graphql(
        CREATE,
        {"input": {"productId": products["Ethereum"]["id"], "amount": "2.5"}},
        key=key,
    )
    result = created["createStake"]
    assert result["userErrors"] == []
    assert result["stake"]["status"] == "PENDING"
    assert result["stake"]["amount"] == "2.5"
    stake_id = result["stake"]["id"]
    await gateway.advance("dfns", 7 * 3600)
    assert (await stake_of(gateway, key, stake_id))["status"] == "ACTIVE"
    unstaked = (
        await gateway.graphql(UNSTAKE, {"input": {"stakeId": stake_id}}, key=key)
    )["unstake"]
    assert unstaked["userErrors"] == []
    assert unstaked["action"]["kind"] == "WITHDRAW"
    await gateway.advance("dfns", 3 * 86400)
    assert (await stake_of(gateway, key, stake_id))["status"] == "WITHDRAWN"


async def test_an_xdc_stake_unbonds_then_withdraws(gateway, dfns):
    key, products = dfns
    candidate = "xdc" + "ab" * 20
    missing = await gateway.graphql(
        CREATE,
        {"input": {"productId": products["Xdc"]["id"], "amount": "10000000"}},
        key=key,
    )
    assert [e["field"] for e in missing["createStake"]["userErrors"]] == [
        ["input", "validator"]
    ]
    created = await gateway.graphql(
        CREATE,
        {
            "input": {
                "productId": products["Xdc"]["id"],
                "amount": "10000000",
                "validator": candidate,
            }
        },
        key=key,
    )
    stake_id = created["createStake"]["stake"]["id"]
    await gateway.advance("dfns", 2 * 3600)
    assert (await stake_of(gateway, key, stake_id))["status"] == "ACTIVE"
    unbond = (
        await gateway.graphql(UNSTAKE, {"input": {"stakeId": stake_id}}, key=key)
    )["unstake"]
    assert unbond["userErrors"] == [] and unbond["action"]["kind"] == "UNSTAKE"
    await gateway.advance("dfns", 3 * 86400)
    unbonded = await stake_of(gateway, key, stake_id)
    assert unbonded["status"] == "WITHDRAWABLE"
    assert "WITHDRAW" in unbonded["availableActions"]
    withdraw = await gateway.graphql(
        ACTION, {"input": {"stakeId": stake_id, "kind": "WITHDRAW"}}, key=key
    )
    assert withdraw["createStakeAction"]["userErrors"] == []
    await gateway.advance("dfns", 3600)
    assert (await stake_of(gateway, key, stake_id))["status"] == "WITHDRAWN"


async def test_a_large_stake_waits_for_policy_approval(gateway, dfns):
    key, products = dfns
    created = await gateway.graphql(
        CREATE,
        {"input": {"productId": products["Ethereum"]["id"], "amount": "500"}},
        key=key,
    )
    action = created["createStake"]["action"]
    assert action["status"] == "PENDING_APPROVAL"
    assert action["providerStatus"] == "PendingPolicyApproval"
    assert action["approval"] == {
        "state": "PENDING",
        "required": None,
        "received": None,
        "expiresAt": None,
    }


async def test_the_same_external_id_twice_creates_one_stake(gateway, dfns):
    key, products = dfns
    variables = {
        "input": {
            "productId": products["Ethereum"]["id"],
            "amount": "1",
            "externalId": "dfns-order-1",
        }
    }
    first = (await gateway.graphql(CREATE, variables, key=key))["createStake"]
    second = (await gateway.graphql(CREATE, variables, key=key))["createStake"]
    assert first["userErrors"] == [] and second["userErrors"] == []
    assert first["stake"]["id"] == second["stake"]["id"]


async def test_an_allocation_takes_a_deposit_and_a_withdrawal(gateway, dfns):
    key, _ = dfns
    created = await gateway.graphql(
        ALLOCATE,
        {"input": {"protocol": "GauntletUsdcPrime", "amount": "1000"}},
        key=key,
    )
    result = created["createAllocation"]
    assert result["userErrors"] == [], result
    allocation_id = result["allocation"]["id"]
    too_slippy = await gateway.graphql(
        ALLOCATION_ACTION,
        {
            "input": {
                "allocationId": allocation_id,
                "kind": "DEPOSIT",
                "slippageBps": 20000,
            }
        },
        key=key,
    )
    assert [e["code"] for e in too_slippy["createAllocationAction"]["userErrors"]] == [
        "INVALID_INPUT"
    ]
    await gateway.advance("dfns", 600)
    withdrawn = await gateway.graphql(
        ALLOCATION_ACTION,
        {"input": {"allocationId": allocation_id, "kind": "WITHDRAW", "amount": "100"}},
        key=key,
    )
    assert withdrawn["createAllocationAction"]["userErrors"] == []
    assert withdrawn["createAllocationAction"]["action"]["kind"] == "WITHDRAW"
    listed = (await gateway.graphql(ALLOCATIONS, key=key))["allocations"]
    assert listed["providerFailures"] == []
    assert allocation_id in {e["node"]["id"] for e in listed["edges"]}


async def test_a_stake_with_no_rewards_yet_does_not_fail_the_dfns_page(gateway):
    # The demo's newest Iota stake answers its rewards call with an empty body.
    page = await gateway.graphql(
        """query { stakes(first: 100, filter: {provider: DFNS}) {
          edges { node { protocol status rewardsEarned } }
          providerFailures { provider code } } }"""
    )
    stakes = page["stakes"]
    assert stakes["providerFailures"] == []
    nodes = [e["node"] for e in stakes["edges"]]
    assert {"protocol": "Iota", "status": "ACTIVE", "rewardsEarned": "0"} in nodes
    assert len(nodes) > 1


LISTED = """query { stakes(first: 100, filter: {provider: DFNS}) {
  edges { node { id status
    actions { providerActionId kind status approval { state } } } } } }"""


async def held_stake(gateway, key, products) -> str:
    """A 400 ETH stake: large enough for the sandbox's policy to hold it for approval."""
    created = await gateway.graphql(
        CREATE,
        {"input": {"productId": products["Ethereum"]["id"], "amount": "400"}},
        key=key,
    )
    return created["createStake"]["stake"]["id"]


async def listed(gateway, key, stake_id: str) -> dict:
    edges = (await gateway.graphql(LISTED, key=key))["stakes"]["edges"]
    return next(e["node"] for e in edges if e["node"]["id"] == stake_id)


async def decide(gateway, action: dict, decision: str) -> None:
    decided = await gateway.http.post(
        f"/sandbox/dfns/_sandbox/approvals/{action['providerActionId']}",
        json={"decision": decision},
    )
    assert decided.status_code == 200


async def test_a_listed_stake_shows_its_action_waiting_then_approved(gateway, dfns):
    key, products = dfns
    stake_id = await held_stake(gateway, key, products)
    (waiting,) = (await listed(gateway, key, stake_id))["actions"]
    assert (waiting["kind"], waiting["status"]) == ("STAKE", "PENDING_APPROVAL")
    assert waiting["approval"] == {"state": "PENDING"}
    await decide(gateway, waiting, "Approved")
    # A listed stake's actions are reused while its status stands, for at most
    # DFNS_ACTIONS_CACHE_SECONDS (30 s of the sandbox's clock).
    await gateway.advance("dfns", 60)
    (moving,) = (await listed(gateway, key, stake_id))["actions"]
    assert (moving["status"], moving["approval"]) == ("IN_PROGRESS", None)
    await gateway.advance("dfns", 7 * 3600)
    active = await listed(gateway, key, stake_id)
    assert active["status"] == "ACTIVE"
    assert [a["status"] for a in active["actions"]] == ["COMPLETED"]


async def test_a_rejected_action_shows_its_approval_rejected(gateway, dfns):
    key, products = dfns
    stake_id = await held_stake(gateway, key, products)
    (waiting,) = (await listed(gateway, key, stake_id))["actions"]
    await decide(gateway, waiting, "Denied")
    await gateway.advance("dfns", 60)
    (rejected,) = (await listed(gateway, key, stake_id))["actions"]
    assert (rejected["status"], rejected["approval"]) == (
        "REJECTED",
        {"state": "REJECTED"},
    )
