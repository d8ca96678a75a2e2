"""Isolation: two clients, each linked to its own Crocante user, Zerohash participant
and Dfns wallet. Neither sees the other's stakes, actions, rewards, allocations or
events, by listing, by id, by filter or by subscription; a mutation on the other's
stake answers NOT_FOUND and asks no provider to act.

Alice is the demo client (seeded history at every provider); Bob is a new client.
"""

import asyncio
import base64
import json

import pytest

from gateway.domain.enums import Provider
from tests.gateway.clients import new_client
from tests.gateway.conftest import DEMO_KEY
from tests.gateway.ws import subscriber
from tests.security.wiring import post

BOB = {
    Provider.CROCANTE: ["iso-bob"],
    Provider.ZEROHASH: ["ISOB01"],
    Provider.DFNS: ["wa-isob0-00000-00000000000000"],
}
EVERYTHING = """query {
  stakes(first: 100) { edges { node { id provider owner actions { id }
    rewards(first: 20) { edges { node { id } } } } } providerFailures { provider } }
  rewards(first: 100) { edges { node { id stake { id } } } }
  allocations(first: 100) { edges { node { id owner: walletId actions { id } } } }
  portfolio { stakeCount totals { provider staked } } }"""
BY_ID = """query($id: ID!) { node(id: $id) { id }
  stake(id: $id) { id } allocation(id: $id) { id } }"""
REWARDS_OF = """query($id: ID!) { rewards(filter: {stakeId: $id}, first: 100) {
  edges { node { id } } } }"""
PRODUCTS = "query { stakingProducts(provider: CROCANTE) { id providerProductId } }"
CREATE = """mutation($input: CreateStakeInput!) { createStake(input: $input) {
  stake { id } userErrors { code } } }"""
UNSTAKE = """mutation($input: UnstakeInput!) { unstake(input: $input) {
  stake { id } action { kind } userErrors { code message } } }"""
STAKE_ACTION = """mutation($input: CreateStakeActionInput!) {
  createStakeAction(input: $input) { stake { id } userErrors { code } } }"""
ALLOCATION_ACTION = """mutation($input: CreateAllocationActionInput!) {
  createAllocationAction(input: $input) { allocation { id } userErrors { code } } }"""
WATCHES = [
    "subscription($after: String) { stakeStatusChanged(after: $after) { stake { id } } }",
    "subscription($after: String) { actionStatusChanged(after: $after) { action { id } } }",
    "subscription($after: String) { rewardReceived(after: $after) { reward { id } } }",
]


async def data(gateway, query, variables=None, *, key):
    body = (await post(gateway, query, variables, key=key)).json()
    assert "errors" not in body, body
    return body["data"]


def ids_in(everything: dict) -> dict[str, set[str]]:
    stakes = [e["node"] for e in everything["stakes"]["edges"]]
    return {
        "stakes": {s["id"] for s in stakes},
        "actions": {a["id"] for s in stakes for a in s["actions"]},
        "rewards": {r["node"]["id"] for r in everything["rewards"]["edges"]}
        | {r["node"]["id"] for s in stakes for r in s["rewards"]["edges"]},
        "allocations": {a["node"]["id"] for a in everything["allocations"]["edges"]},
        "owners": {s["owner"] for s in stakes}
        | {a["node"]["owner"] for a in everything["allocations"]["edges"]},
    }


def writes(gateway) -> int:
    """Requests that ask a provider to act (logins and signing challenges aside)."""
    return sum(
        count
        for (_, method, path), count in gateway.app.state.upstream.calls.items()
        if method != "GET" and "auth" not in path
    )


def id_parts(node_id: str) -> list[str]:
    return json.loads(base64.urlsafe_b64decode(node_id + "=" * (-len(node_id) % 4)))


def provider_of(node_id: str) -> Provider:
    return Provider(id_parts(node_id)[1])


def forged(node_id: str, **changes: str) -> str:
    parts = id_parts(node_id)
    index = {"owner": 2, "key": 3}
    for name, value in changes.items():
        parts[index[name]] = value
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


@pytest.fixture
async def two(gateway):
    bob = await new_client(gateway, "bob", BOB)
    products = (await data(gateway, PRODUCTS, key=bob))["stakingProducts"]
    variable = next(
        p for p in products if p["providerProductId"] == "stake_eth_variable"
    )
    made = await data(
        gateway,
        CREATE,
        {"input": {"productId": variable["id"], "amount": "1"}},
        key=bob,
    )
    assert made["createStake"]["userErrors"] == []
    alice = ids_in(await data(gateway, EVERYTHING, key=DEMO_KEY))
    assert (
        alice["stakes"]
        and alice["actions"]
        and alice["rewards"]
        and alice["allocations"]
    )
    assert {provider_of(i) for i in alice["stakes"]} == set(Provider)
    return DEMO_KEY, bob, alice, made["createStake"]["stake"]["id"]


async def test_neither_client_lists_anything_of_the_other(gateway, two):
    alice_key, bob_key, alice, bob_stake = two
    bob = ids_in(await data(gateway, EVERYTHING, key=bob_key))
    assert bob["stakes"] == {bob_stake}
    for kind in ("stakes", "actions", "rewards", "allocations"):
        assert not alice[kind] & bob[kind], kind
    assert bob["owners"] <= {o for owners in BOB.values() for o in owners}
    again = ids_in(await data(gateway, EVERYTHING, key=alice_key))
    assert bob_stake not in again["stakes"]
    assert not again["owners"] & {o for owners in BOB.values() for o in owners}


async def test_nothing_of_alices_resolves_by_id_for_bob(gateway, two):
    _, bob_key, alice, _ = two
    everything = (
        alice["stakes"] | alice["actions"] | alice["rewards"] | alice["allocations"]
    )
    for node_id in sorted(everything):
        found = await data(gateway, BY_ID, {"id": node_id}, key=bob_key)
        assert found == {"node": None, "stake": None, "allocation": None}, node_id
    # Positive control: the same ids resolve for Alice.
    sample = sorted(alice["stakes"])[0]
    assert (await data(gateway, BY_ID, {"id": sample}, key=DEMO_KEY))["node"]


async def test_an_id_forged_with_bobs_owner_and_alices_key_finds_nothing(gateway, two):
    _, bob_key, alice, _ = two
    for node_id in sorted(alice["stakes"] | alice["allocations"]):
        mine = forged(node_id, owner=BOB[provider_of(node_id)][0])
        found = await data(gateway, BY_ID, {"id": mine}, key=bob_key)
        assert found == {"node": None, "stake": None, "allocation": None}, node_id


async def test_filtering_by_alices_stake_gives_bob_no_rewards(gateway, two):
    _, bob_key, alice, _ = two
    for stake_id in sorted(alice["stakes"]):
        rewards = (await data(gateway, REWARDS_OF, {"id": stake_id}, key=bob_key))[
            "rewards"
        ]
        assert rewards["edges"] == []


async def test_mutations_on_alices_stakes_are_not_found_and_reach_no_provider(
    gateway, two
):
    _, bob_key, alice, _ = two
    before = writes(gateway)
    calls_before = sum(gateway.app.state.upstream.snapshot().values())
    for stake_id in sorted(alice["stakes"]):
        unstake = await data(
            gateway, UNSTAKE, {"input": {"stakeId": stake_id}}, key=bob_key
        )
        assert [e["code"] for e in unstake["unstake"]["userErrors"]] == ["NOT_FOUND"]
        action = await data(
            gateway,
            STAKE_ACTION,
            {"input": {"stakeId": stake_id, "kind": "WITHDRAW"}},
            key=bob_key,
        )
        assert [e["code"] for e in action["createStakeAction"]["userErrors"]] == [
            "NOT_FOUND"
        ]
    for allocation_id in sorted(alice["allocations"]):
        moved = await data(
            gateway,
            ALLOCATION_ACTION,
            {
                "input": {
                    "allocationId": allocation_id,
                    "kind": "WITHDRAW",
                    "amount": "1",
                }
            },
            key=bob_key,
        )
        assert [e["code"] for e in moved["createAllocationAction"]["userErrors"]] == [
            "NOT_FOUND"
        ]
    assert sum(gateway.app.state.upstream.snapshot().values()) == calls_before
    assert writes(gateway) == before


async def test_forged_ids_let_bob_act_on_nothing_of_alices(gateway, two):
    _, bob_key, alice, _ = two
    before = writes(gateway)
    for stake_id in sorted(alice["stakes"]):
        mine = forged(stake_id, owner=BOB[provider_of(stake_id)][0])
        unstake = await data(
            gateway, UNSTAKE, {"input": {"stakeId": mine}}, key=bob_key
        )
        assert (
            unstake["unstake"]["stake"] is None and unstake["unstake"]["action"] is None
        )
        assert unstake["unstake"]["userErrors"], unstake
    assert writes(gateway) == before


async def test_bob_subscribed_to_everything_sees_none_of_alices_events(gateway, two):
    alice_key, bob_key, alice, _ = two
    products = (await data(gateway, PRODUCTS, key=alice_key))["stakingProducts"]
    variable = next(
        p for p in products if p["providerProductId"] == "stake_eth_variable"
    )
    alice_stake = sorted(alice["stakes"])[0]
    async with (
        subscriber(gateway.url, bob_key) as bob_sub,
        subscriber(gateway.url, alice_key) as alice_sub,
    ):
        for index, watch in enumerate(WATCHES):
            await bob_sub.subscribe(watch, {"after": "0"}, op_id=f"all-{index}")
        await bob_sub.subscribe(
            "subscription($s: ID) { stakeStatusChanged(stakeId: $s) { stake { id } } }",
            {"s": alice_stake},
            op_id="alices",
        )
        await alice_sub.subscribe(WATCHES[0], op_id="own")
        await asyncio.sleep(0.2)
        made = await data(
            gateway,
            CREATE,
            {"input": {"productId": variable["id"], "amount": "1"}},
            key=alice_key,
        )
        created = made["createStake"]["stake"]["id"]
        await data(gateway, UNSTAKE, {"input": {"stakeId": created}}, key=alice_key)
        # Positive control: Alice hears of her own stake.
        seen = (await alice_sub.next_data())["stakeStatusChanged"]["stake"]["id"]
        assert seen == created
        # Bob hears nothing but of his own stake's history (replayed from cursor 0).
        bob_ids = {o for owners in BOB.values() for o in owners}
        try:
            while True:
                message = await bob_sub.next_message(within=0.5)
                payload = json.dumps(message)
                assert created not in payload and alice_stake not in payload
                assert message["type"] == "next", message
                node = next(iter(message["payload"]["data"].values()))
                entity = node.get("stake") or node.get("action") or node.get("reward")
                assert id_parts(entity["id"])[2] in bob_ids
        except TimeoutError:
            pass
