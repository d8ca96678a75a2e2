"""node(id) for every type, opaque ids that resolve to null for others, previewStake,
portfolio, cancel before broadcast, and the reward filters."""

from decimal import Decimal

from gateway.domain.enums import Provider
from tests.gateway.clients import new_client

EVERYTHING = """query {
  stakingProducts { id }
  stakes(first: 100) { edges { node { id actions { id } rewards { edges { node { id } } } } } }
  allocations { edges { node { id actions { id } } } }
}"""
NODE = """query($id: ID!) { node(id: $id) { id __typename } }"""
ALLOCATION = """query($id: ID!) { allocation(id: $id) { actions { id } } }"""
PREVIEW = """query($input: CreateStakeInput!) { previewStake(input: $input) {
  eligible userErrors { code } estimatedMonthlyReward estimatedActivationAt
  unstakingPeriodDays product { id } } }"""
PORTFOLIO = """query { portfolio { stakeCount averageApy
  totals { provider asset { symbol } staked unbonding rewards } providerFailures { code } } }"""
PRODUCTS = """query { stakingProducts(provider: ZEROHASH, asset: "ETH") { id apy } }"""
CREATE = """mutation($input: CreateStakeInput!) { createStake(input: $input) {
  stake { id status } userErrors { code } } }"""
ACTION = """mutation($input: CreateStakeActionInput!) { createStakeAction(input: $input) {
  stake { status } action { kind status } userErrors { code } } }"""
REWARDS = """query($f: RewardFilter) { rewards(filter: $f, first: 100) {
  edges { node { creditedAt stake { id } } } } }"""


def ids_of(data: dict) -> dict[str, str]:
    found = {"StakingProduct": data["stakingProducts"][0]["id"]}
    for edge in data["stakes"]["edges"]:
        found.setdefault("Stake", edge["node"]["id"])
        for action in edge["node"]["actions"]:
            found.setdefault("StakeAction", action["id"])
        for reward in edge["node"]["rewards"]["edges"]:
            found.setdefault("Reward", reward["node"]["id"])
    for edge in data["allocations"]["edges"]:
        found.setdefault("Allocation", edge["node"]["id"])
        for action in edge["node"]["actions"]:
            found.setdefault("AllocationAction", action["id"])
    return found


async def test_every_node_type_resolves_by_id_for_its_owner_and_to_null_for_others(
    gateway,
):
    ids = ids_of(await gateway.graphql(EVERYTHING))
    # Allocation lists omit actions (as Dfns' do): one allocation by id carries them.
    one = await gateway.graphql(ALLOCATION, {"id": ids["Allocation"]})
    ids["AllocationAction"] = one["allocation"]["actions"][0]["id"]
    assert set(ids) == {
        "StakingProduct", "Stake", "StakeAction", "Reward", "Allocation", "AllocationAction",
    }  # fmt: skip
    stranger = await new_client(
        gateway,
        "stranger",
        {Provider.CROCANTE: ["eve"], Provider.DFNS: ["wa-eve00-00000-00000000000000"]},
    )
    for type_name, node_id in ids.items():
        mine = (await gateway.graphql(NODE, {"id": node_id}))["node"]
        assert mine == {"id": node_id, "__typename": type_name}
        theirs = (await gateway.graphql(NODE, {"id": node_id}, key=stranger))["node"]
        if type_name != "StakingProduct":  # products are public
            assert theirs is None, type_name
    assert (await gateway.graphql(NODE, {"id": "garbage"}))["node"] is None


async def test_preview_tells_eligibility_and_estimates_without_acting(gateway):
    product = (await gateway.graphql(PRODUCTS))["stakingProducts"][0]
    before = (await gateway.graphql(PORTFOLIO))["portfolio"]["stakeCount"]
    preview = (
        await gateway.graphql(
            PREVIEW, {"input": {"productId": product["id"], "amount": "12"}}
        )
    )["previewStake"]
    assert preview["eligible"] is True and preview["userErrors"] == []
    assert Decimal(preview["estimatedMonthlyReward"]) == (
        Decimal(12) * Decimal(product["apy"]) / 12
    ).quantize(Decimal("1e-12"))
    assert preview["estimatedActivationAt"] is not None
    too_much = (
        await gateway.graphql(
            PREVIEW, {"input": {"productId": product["id"], "amount": "100000"}}
        )
    )["previewStake"]
    assert too_much["eligible"] is False
    assert "INSUFFICIENT_BALANCE" in {e["code"] for e in too_much["userErrors"]}
    assert (await gateway.graphql(PORTFOLIO))["portfolio"]["stakeCount"] == before


async def test_the_portfolio_totals_each_provider_and_asset(gateway):
    portfolio = (await gateway.graphql(PORTFOLIO))["portfolio"]
    assert portfolio["providerFailures"] == []
    providers = {t["provider"] for t in portfolio["totals"]}
    assert providers == {"DFNS", "ZEROHASH", "CROCANTE"}
    assert Decimal(portfolio["averageApy"]) > 0
    assert portfolio["stakeCount"] >= 10


async def test_a_zerohash_stake_can_be_canceled_before_broadcast_only(gateway):
    product = (await gateway.graphql(PRODUCTS))["stakingProducts"][0]["id"]
    created = await gateway.graphql(
        CREATE, {"input": {"productId": product, "amount": "1"}}
    )
    stake_id = created["createStake"]["stake"]["id"]
    canceled = (
        await gateway.graphql(
            ACTION, {"input": {"stakeId": stake_id, "kind": "CANCEL"}}
        )
    )["createStakeAction"]
    assert canceled["userErrors"] == []
    assert canceled["stake"]["status"] == "CANCELED"

    late = await gateway.graphql(
        CREATE, {"input": {"productId": product, "amount": "1"}}
    )
    late_id = late["createStake"]["stake"]["id"]
    await gateway.advance("zerohash", 120)
    refused = (
        await gateway.graphql(ACTION, {"input": {"stakeId": late_id, "kind": "CANCEL"}})
    )["createStakeAction"]
    assert len(refused["userErrors"]) == 1


async def test_rewards_filter_by_date_and_by_stake(gateway):
    everything = (await gateway.graphql(REWARDS, {"f": {"provider": ["ZEROHASH"]}}))[
        "rewards"
    ]
    dated = sorted(
        e["node"]["creditedAt"] for e in everything["edges"] if e["node"]["creditedAt"]
    )
    assert len(dated) >= 3
    middle = dated[len(dated) // 2]
    later = (
        await gateway.graphql(
            REWARDS, {"f": {"provider": ["ZEROHASH"], "from": middle}}
        )
    )["rewards"]
    assert all(e["node"]["creditedAt"] >= middle for e in later["edges"])
    assert 0 < len(later["edges"]) < len(everything["edges"])
    stake_id = everything["edges"][0]["node"]["stake"]["id"]
    one = (await gateway.graphql(REWARDS, {"f": {"stakeId": stake_id}}))["rewards"]
    assert {e["node"]["stake"]["id"] for e in one["edges"]} == {stake_id}
