"""Zerohash end to end: terms, a stake moving PENDING → ACTIVE by webhook, rewards, unstake."""

from decimal import Decimal

import pytest

from gateway.domain.enums import Provider
from tests.gateway.clients import new_client as make_client
from tests.gateway.ws import subscriber
from tests.waiting import eventually

PRODUCTS = """query { stakingProducts(provider: ZEROHASH) {
  id providerProductId asset { symbol } apy unstakingPeriodDays } }"""
CREATE = """mutation($input: CreateStakeInput!) { createStake(input: $input) {
  stake { id status providerStatus amount } action { kind status }
  userErrors { code message } } }"""
ACCEPT = """mutation { acceptStakingTerms(provider: ZEROHASH) {
  accepted userErrors { code } } }"""
STAKE = """query($id: ID!) { stake(id: $id) { id status providerStatus amount
  statusHistory { from to providerStatus source } actions { kind status amount } } }"""
REWARDS = """query($f: RewardFilter) { rewards(filter: $f, first: 50) {
  edges { node { amount usdValue cumulative asset { symbol } } }
  providerFailures { code } } }"""
UNSTAKE = """mutation($input: UnstakeInput!) { unstake(input: $input) {
  action { kind status amount estimatedCompletionAt } userErrors { code message } } }"""
WATCH = """subscription($id: ID, $after: String) {
  stakeStatusChanged(stakeId: $id, after: $after) {
  cursor status previousStatus source stake { id status } } }"""


async def new_client(gateway, participant: str) -> str:
    return await make_client(gateway, participant, {Provider.ZEROHASH: [participant]})


@pytest.fixture
async def eth(gateway) -> str:
    products = (await gateway.graphql(PRODUCTS))["stakingProducts"]
    return next(p["id"] for p in products if p["asset"]["symbol"] == "ETH")


async def test_a_new_participant_must_accept_terms_before_staking(gateway, eth):
    key = await new_client(gateway, "CUST77")
    refused = await gateway.graphql(
        CREATE, {"input": {"productId": eth, "amount": "1"}}, key=key
    )
    assert [e["code"] for e in refused["createStake"]["userErrors"]] == [
        "TERMS_NOT_ACCEPTED"
    ]
    accepted = await gateway.graphql(ACCEPT, key=key)
    assert accepted["acceptStakingTerms"] == {"accepted": True, "userErrors": []}
    created = await gateway.graphql(
        CREATE, {"input": {"productId": eth, "amount": "1"}}, key=key
    )
    assert created["createStake"]["userErrors"] == []
    assert created["createStake"]["stake"]["status"] == "PENDING"


async def test_a_stake_moves_to_active_by_webhook_and_subscribers_see_it(gateway, eth):
    key = await new_client(gateway, "CUST78")
    await gateway.graphql(ACCEPT, key=key)
    created = await gateway.graphql(
        CREATE, {"input": {"productId": eth, "amount": "2.5"}}, key=key
    )
    stake = created["createStake"]["stake"]
    assert stake["status"] == "PENDING"
    async with subscriber(gateway.url, key) as watcher:
        # From the first cursor: its PENDING first, then whatever the clock brings.
        await watcher.subscribe(WATCH, {"id": stake["id"], "after": "0"})
        await gateway.advance("zerohash", 2 * 86400)
        seen = []
        while not seen or seen[-1]["status"] != "ACTIVE":
            seen.append((await watcher.next_data())["stakeStatusChanged"])
    assert seen[-1]["stake"]["id"] == stake["id"]
    assert seen[-1]["previousStatus"] == "PENDING"

    async def history():
        found = (await gateway.graphql(STAKE, {"id": stake["id"]}, key=key))["stake"]
        return found if found["status"] == "ACTIVE" else None

    found = await eventually(history, every=0.1)
    steps = [(h["to"], h["source"]) for h in found["statusHistory"]]
    # Our mutation and Zerohash's own `stake.submitted` push race: one records it.
    assert steps[0] in (("PENDING", "MUTATION"), ("PENDING", "WEBHOOK"))
    assert ("ACTIVE", "WEBHOOK") in steps
    words = [h["providerStatus"] for h in found["statusHistory"]]
    assert words.index("staked") > words.index("submitted")


async def test_rewards_appear_with_usd_value_as_days_pass(gateway, eth):
    key = await new_client(gateway, "CUST79")
    await gateway.graphql(ACCEPT, key=key)
    await gateway.graphql(
        CREATE, {"input": {"productId": eth, "amount": "10"}}, key=key
    )
    await gateway.advance("zerohash", 5 * 86400)
    rewards = (
        await gateway.graphql(REWARDS, {"f": {"provider": ["ZEROHASH"]}}, key=key)
    )["rewards"]
    assert rewards["providerFailures"] == []
    amounts = [Decimal(e["node"]["amount"]) for e in rewards["edges"]]
    assert amounts and all(a > 0 for a in amounts)
    assert all(e["node"]["usdValue"] is not None for e in rewards["edges"])


async def test_a_partial_unstake_cools_down_and_completes(gateway, eth):
    key = await new_client(gateway, "CUST80")
    await gateway.graphql(ACCEPT, key=key)
    created = await gateway.graphql(
        CREATE, {"input": {"productId": eth, "amount": "4"}}, key=key
    )
    stake_id = created["createStake"]["stake"]["id"]
    await gateway.advance("zerohash", 2 * 86400)
    unstaked = await gateway.graphql(
        UNSTAKE, {"input": {"stakeId": stake_id, "amount": "1.5"}}, key=key
    )
    action = unstaked["unstake"]["action"]
    assert unstaked["unstake"]["userErrors"] == []
    assert action["kind"] == "UNSTAKE" and Decimal(action["amount"]) == Decimal("1.5")
    assert action["estimatedCompletionAt"] is not None
    await gateway.advance("zerohash", 9 * 86400)
    found = (await gateway.graphql(STAKE, {"id": stake_id}, key=key))["stake"]
    unstakes = [a for a in found["actions"] if a["kind"] == "UNSTAKE"]
    assert unstakes[0]["status"] == "COMPLETED"
    assert found["status"] == "ACTIVE"
