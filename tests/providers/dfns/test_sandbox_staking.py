"""The sandbox's staking API speaks Dfns' wire format and lifecycle (seed 000,
PROVIDERS.md 1.3), checked over raw HTTP with the docs' own field names."""

import re
from typing import Any

import httpx
import pytest

from gateway.domain.enums import Provider
from providers.sandbox_kit.protocol import ProviderSandbox
from tests.providers.dfns.wire import RawDfns

WALLET = "wa-stake-00000-00000000000000"
ETH = 10**18
IOTA_VALIDATOR = "0x" + "ab" * 32
XDC_CANDIDATE = "xdc" + "12" * 20
STAKE_ID = re.compile(r"^stk-[a-z0-9]{5}-[a-z0-9]{5}-[a-z0-9]{14,16}$")
ACTION_ID = re.compile(r"^stka-[a-z0-9]{5}-[a-z0-9]{5}-[a-z0-9]{14,16}$")
DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def eth_body(amount: int = ETH, **extra) -> dict[str, Any]:
    return {
        "protocol": "Ethereum",
        "walletId": WALLET,
        "provider": "Figment",
        "amount": str(amount),
        **extra,
    }


def xdc_body(whole: int = 10_000_000) -> dict[str, Any]:
    return {
        "protocol": "Xdc",
        "walletId": WALLET,
        "candidate": XDC_CANDIDATE,
        "amount": str(whole * ETH),
    }


async def create(raw: RawDfns, body: dict[str, Any]) -> Any:
    response = await raw.post("/staking/stakes", body)
    assert response.status_code == 200, response.text
    return response.json()


async def act(raw: RawDfns, stake_id: str, body: dict[str, Any]) -> httpx.Response:
    return await raw.post(f"/staking/stakes/{stake_id}/actions", body)


async def status_of(raw: RawDfns, stake_id: str) -> Any:
    return (await raw.get(f"/staking/stakes/{stake_id}")).json()["status"]


async def test_create_returns_the_full_stake_with_its_stake_action(raw):
    stake = await create(raw, eth_body(externalId="e-1"))
    assert STAKE_ID.match(stake["id"])
    assert stake["walletId"] == WALLET
    assert stake["status"] == "Staking"
    assert stake["protocol"] == "Ethereum" and stake["provider"] == "Figment"
    assert stake["requestBody"] == eth_body(externalId="e-1")
    assert DATE.match(stake["dateCreated"])
    assert set(stake["requester"]) == {"userId", "tokenId"}
    assert stake["data"] is None  # no validator before activation
    [action] = stake["actions"]
    assert ACTION_ID.match(action["id"])
    assert action["kind"] == "Stake" and action["status"] == "InProgress"
    assert action["stakeId"] == stake["id"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({**eth_body(), "protocol": "Solana"}, "protocol"),
        (eth_body(amount=-1) | {"amount": "-1"}, "amount"),
        (eth_body() | {"amount": "1.5"}, "amount"),
        (eth_body() | {"amount": 1000}, "amount"),
        (eth_body() | {"amount": "0"}, "amount"),
        (eth_body() | {"provider": "Kiln"}, "provider"),
        (eth_body() | {"walletId": "wallet-1"}, "walletId"),
        (eth_body() | {"validator": IOTA_VALIDATOR}, "unrecognized"),
        (eth_body() | {"externalId": 7}, "externalId"),
        ({"protocol": "Iota", "walletId": WALLET, "amount": "1"}, "validator"),
        (xdc_body() | {"candidate": "not-an-address"}, "candidate"),
    ],
)
async def test_malformed_create_bodies_are_refused_with_400(raw, body, fragment):
    response = await raw.post("/staking/stakes", body)
    assert response.status_code == 400, response.text
    assert fragment in response.json()["error"]["message"]


BABYLON = {
    "protocol": "Babylon",
    "walletId": WALLET,
    "provider": "Figment",
    "amount": "50000000",
    "duration": 64_000,
}


async def test_a_babylon_stake_is_refused_as_the_newest_create_body_has_none(raw):
    response = await raw.post("/staking/stakes", BABYLON)
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert message == "body.protocol must be one of: Ethereum, Iota, Xdc"


async def test_a_babylon_stake_reads_but_its_actions_are_refused(raw, sandbox):
    items = (await raw.get("/staking/stakes", limit=500)).json()["items"]
    (babylon,) = [s for s in items if s["protocol"] == "Babylon"]
    assert babylon["status"] == "Unbond"  # the demo's, unbonded 10 days ago
    assert set(babylon["data"]) >= {"finalityProviders", "lockHeight"}
    for kind in ("Unbond", "Withdraw"):
        response = await act(raw, babylon["id"], {"protocol": "Babylon", "kind": kind})
        assert response.status_code == 400
        assert "Ethereum, Iota, Xdc" in response.json()["error"]["message"]


async def test_rewards_answer_an_empty_body_until_the_first_is_reported(raw, clock):
    stake = await create(raw, eth_body())
    path = f"/staking/stakes/{stake['id']}/rewards"
    staking = await raw.get(path)
    assert staking.status_code == 200 and staking.content == b""
    await clock.advance(6 * 3600)  # active now, its first epoch not over
    assert await status_of(raw, stake["id"]) == "Active"
    assert (await raw.get(path)).content == b""
    await clock.advance(384)  # one Ethereum epoch
    assert (await raw.get(path)).json()["symbol"] == "ETH"


async def test_an_xdc_stake_below_ten_million_xdc_is_refused(raw):
    response = await raw.post("/staking/stakes", xdc_body(9_999_999))
    assert response.status_code == 400
    assert "below the minimum" in response.json()["message"]


async def test_a_stake_beyond_the_wallet_balance_is_refused(raw):
    response = await raw.post("/staking/stakes", xdc_body(60_000_000))
    assert response.status_code == 400
    assert "Insufficient balance" in response.json()["message"]


async def test_a_new_wallet_starts_funded_and_its_balance_is_spent(raw):
    await create(raw, eth_body(600 * ETH))
    response = await raw.post("/staking/stakes", eth_body(500 * ETH))
    assert response.status_code == 400
    assert "Insufficient balance" in response.json()["message"]


async def test_the_same_external_id_and_body_returns_the_existing_stake(raw):
    first = await create(raw, eth_body(externalId="same"))
    again = await create(raw, eth_body(externalId="same"))
    assert again["id"] == first["id"]


async def test_the_same_external_id_with_another_body_is_a_409_naming_the_duplicate(
    raw,
):
    first = await create(raw, eth_body(externalId="dup"))
    response = await raw.post("/staking/stakes", eth_body(2 * ETH, externalId="dup"))
    assert response.status_code == 409
    duplicate = response.json()["error"]["details"]["duplicate"]
    assert duplicate == {"id": first["id"], "externalId": "dup"}


async def test_an_ethereum_stake_activates_earns_and_withdraws_on_the_clock(raw, clock):
    stake = await create(raw, eth_body(32 * ETH))
    await clock.advance(6 * 3600)
    got = (await raw.get(f"/staking/stakes/{stake['id']}")).json()
    assert got["status"] == "Active"
    assert got["actions"][0]["status"] == "Completed"
    assert got["actions"][0]["transactionHash"].startswith("0x")
    assert got["data"]["validator"]["pubkey"].startswith("0x")
    await clock.advance(365 * 24 * 3600)
    rewards = (await raw.get(f"/staking/stakes/{stake['id']}/rewards")).json()
    # 3.2% a year on 32 ETH, in wei.
    assert rewards == {"symbol": "ETH", "balance": str(32 * ETH * 320 // 10_000)}
    withdrawn = await act(
        raw, stake["id"], {"protocol": "Ethereum", "kind": "Withdraw"}
    )
    assert withdrawn.json()["status"] == "Withdrawing"
    await clock.advance(2 * 24 * 3600)
    assert await status_of(raw, stake["id"]) == "Withdrawn"
    later = (await raw.get(f"/staking/stakes/{stake['id']}/rewards")).json()
    assert later == rewards  # nothing accrues once withdrawing


async def test_an_xdc_stake_unbonds_before_it_withdraws(raw, clock):
    stake = await create(raw, xdc_body())
    early = await act(raw, stake["id"], {"protocol": "Xdc", "kind": "Unbond"})
    assert (
        early.status_code == 400 and "not withdrawable yet" in early.json()["message"]
    )
    await clock.advance(3600)
    assert (
        await act(raw, stake["id"], {"protocol": "Xdc", "kind": "Unbond"})
    ).status_code == 200
    assert await status_of(raw, stake["id"]) == "Unbonding"
    too_soon = await act(raw, stake["id"], {"protocol": "Xdc", "kind": "Withdraw"})
    assert (
        too_soon.status_code == 400
        and "not withdrawable yet" in too_soon.json()["message"]
    )
    await clock.advance(2 * 24 * 3600)
    assert await status_of(raw, stake["id"]) == "Unbond"
    assert (
        await act(raw, stake["id"], {"protocol": "Xdc", "kind": "Withdraw"})
    ).status_code == 200
    assert await status_of(raw, stake["id"]) == "Withdrawing"
    await clock.advance(600)
    assert await status_of(raw, stake["id"]) == "Withdrawn"
    again = await act(raw, stake["id"], {"protocol": "Xdc", "kind": "Withdraw"})
    assert again.status_code == 400 and "not allowed" in again.json()["message"]


async def test_an_iota_stake_withdraws_in_part_and_takes_deposits(raw, clock):
    body = {
        "protocol": "Iota",
        "walletId": WALLET,
        "validator": IOTA_VALIDATOR,
        "amount": str(1_000 * 10**9),
    }
    stake = await create(raw, body)
    await clock.advance(24 * 3600)
    response = await act(
        raw,
        stake["id"],
        {"protocol": "Iota", "kind": "Withdraw", "amount": str(400 * 10**9)},
    )
    assert response.json()["status"] == "Active"
    assert response.json()["data"]["amount"] == str(600 * 10**9)
    busy = await act(
        raw, stake["id"], {"protocol": "Iota", "kind": "Deposit", "amount": "1"}
    )
    assert busy.status_code == 400 and "not allowed while" in busy.json()["message"]
    await clock.advance(24 * 3600)
    deposit = {"protocol": "Iota", "kind": "Deposit", "amount": str(100 * 10**9)}
    assert (await act(raw, stake["id"], deposit)).status_code == 200
    await clock.advance(24 * 3600)
    got = (await raw.get(f"/staking/stakes/{stake['id']}")).json()
    assert got["data"]["amount"] == str(700 * 10**9)
    too_much = {"protocol": "Iota", "kind": "Withdraw", "amount": str(701 * 10**9)}
    response = await act(raw, stake["id"], too_much)
    assert response.status_code == 400 and "Insufficient" in response.json()["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"protocol": "Ethereum", "kind": "Unbond"},
        {"protocol": "Ethereum", "kind": "Withdraw", "amount": "1"},
        {"protocol": "Iota", "kind": "Withdraw", "amount": "1"},
        {"protocol": "Ethereum", "kind": "Withdraw", "externalId": 3},
    ],
)
async def test_action_bodies_the_protocol_does_not_take_are_refused(raw, clock, body):
    stake = await create(raw, eth_body())
    await clock.advance(6 * 3600)
    response = await act(raw, stake["id"], body)
    assert response.status_code == 400, response.text


async def test_a_large_stake_waits_for_policy_approval_until_approved(raw, http, clock):
    stake = await create(raw, eth_body(150 * ETH))
    action = stake["actions"][0]
    assert action["status"] == "PendingPolicyApproval"
    await clock.advance(24 * 3600)
    assert await status_of(raw, stake["id"]) == "Staking"
    pending = (await http.get("/_sandbox/approvals")).json()["items"]
    assert action["id"] in {a["id"] for a in pending}
    decided = await http.post(
        f"/_sandbox/approvals/{action['id']}", json={"decision": "Approved"}
    )
    assert decided.json()["actions"][0]["status"] == "InProgress"
    await clock.advance(6 * 3600)
    assert await status_of(raw, stake["id"]) == "Active"


async def test_a_denied_stake_is_rejected_fails_and_refunds(raw, http):
    stake = await create(raw, eth_body(900 * ETH))
    action_id = stake["actions"][0]["id"]
    denied = await http.post(
        f"/_sandbox/approvals/{action_id}", json={"decision": "Denied"}
    )
    assert denied.json()["status"] == "Failed"
    assert denied.json()["actions"][0]["status"] == "Rejected"
    # The 900 ETH came back: another large stake fits the balance again.
    assert (await raw.post("/staking/stakes", eth_body(900 * ETH))).status_code == 200


async def test_a_decision_needs_a_pending_action_and_a_known_word(http, raw):
    stake = await create(raw, eth_body())
    action_id = stake["actions"][0]["id"]
    assert (
        await http.post(
            f"/_sandbox/approvals/{action_id}", json={"decision": "Approved"}
        )
    ).status_code == 400
    assert (
        await http.post("/_sandbox/approvals/stka-x", json={"decision": "Approved"})
    ).status_code == 404
    assert (
        await http.post(f"/_sandbox/approvals/{action_id}", json={"decision": "Maybe"})
    ).status_code == 400


async def test_lists_page_with_limit_and_pagination_token(raw):
    for _ in range(3):
        await create(raw, eth_body())
    seen: list[str] = []
    token = None
    while True:
        params = {"limit": 4} | ({"paginationToken": token} if token else {})
        page = (await raw.get("/staking/stakes", **params)).json()
        assert all("actions" not in item for item in page["items"])
        seen += [item["id"] for item in page["items"]]
        token = page.get("nextPageToken")
        if token is None:
            break
    everything = (await raw.get("/staking/stakes", limit=500)).json()["items"]
    assert seen == [item["id"] for item in everything]
    assert len(seen) == len(set(seen)) >= 3


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 501}, {"limit": "x"}, {"paginationToken": "bogus"}],
)
async def test_bad_paging_parameters_are_refused(raw, params):
    assert (await raw.get("/staking/stakes", **params)).status_code == 400


async def test_an_unknown_stake_is_a_404_in_dfns_error_shape(raw):
    response = await raw.get("/staking/stakes/stk-aaaaa-bbbbb-cccccccccccccccc")
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


async def test_stake_actions_list_newest_first(raw, clock):
    stake = await create(raw, eth_body())
    await clock.advance(6 * 3600)
    await act(raw, stake["id"], {"protocol": "Ethereum", "kind": "Withdraw"})
    items = (await raw.get(f"/staking/stakes/{stake['id']}/actions")).json()["items"]
    assert [a["kind"] for a in items] == ["Withdraw", "Stake"]


async def test_demo_wallets_come_with_stakes_in_several_states(raw, sandbox):
    items = (await raw.get("/staking/stakes", limit=500)).json()["items"]
    demo = [i for i in items if i["walletId"] in sandbox.demo_owners]
    statuses = {i["status"] for i in demo}
    assert {
        "Staking",
        "Active",
        "Unbonding",
        "Unbond",
        "Withdrawn",
        "Failed",
    } <= statuses
    assert {i["protocol"] for i in demo} == {"Ethereum", "Iota", "Xdc", "Babylon"}


async def test_the_clock_route_moves_stakes_along(raw, http):
    stake = await create(raw, eth_body())
    moved = await http.post("/_sandbox/clock", json={"advance_seconds": 6 * 3600})
    assert moved.status_code == 200
    assert await status_of(raw, stake["id"]) == "Active"


def test_the_sandbox_has_the_shape_the_gateway_hosts(sandbox):
    hosted: ProviderSandbox = sandbox
    assert hosted.provider is Provider.DFNS
    assert hosted.demo_owners == (
        "wa-demo0-00000-00000000000000",
        "wa-demo1-00000-00000000000000",
    )
