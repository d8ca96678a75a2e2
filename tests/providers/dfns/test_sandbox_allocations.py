"""The sandbox's allocations API (seed 001, PROVIDERS.md 1.4) over raw HTTP."""

import re
from typing import Any

import pytest

WALLET = "wa-alloc-00000-00000000000000"
USDC = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"
OFNS = "0x0A7660979A67E4bC51E750C628C8479ff9F458aE"
ALLOCATION_ID = re.compile(r"^allctn-[a-z0-9]{5}-[a-z0-9]{5}-[a-z0-9]{14,16}$")


def swap(
    source: str, source_amount: int, target: str, target_amount: int, bps=50
) -> dict[str, Any]:
    return {
        "sourceAsset": {
            "kind": "Erc20",
            "contract": source,
            "amount": str(source_amount),
        },
        "targetAsset": {
            "kind": "Erc20",
            "contract": target,
            "amount": str(target_amount),
        },
        "slippageBps": bps,
    }


def ofns_body(usdc: int = 1_000, **extra) -> dict[str, Any]:
    return {
        "walletId": WALLET,
        "protocol": "0fns",
        **swap(USDC, usdc * 10**6, OFNS, usdc * 10**6),
        **extra,
    }


def vault_body(amount: int = 5_000 * 10**6, **extra) -> dict[str, Any]:
    return {
        "walletId": WALLET,
        "protocol": "GauntletUsdcPrime",
        "amount": str(amount),
        **extra,
    }


async def create(raw, body) -> Any:
    response = await raw.post("/allocations", body)
    assert response.status_code == 200, response.text
    return response.json()


async def test_create_returns_the_allocation_with_its_deposit_action(raw):
    allocation = await create(raw, ofns_body(externalId="a-1"))
    assert ALLOCATION_ID.match(allocation["id"])
    assert allocation["protocol"] == "0fns" and allocation["provider"] == "M0"
    assert allocation["amount"]["kind"] == "Erc20"
    assert allocation["amount"]["contract"] == OFNS
    assert allocation["amount"]["metadata"]["decimals"] == 6
    assert (
        allocation["amount"]["amount"] == "0"
    )  # nothing invested until the trade settles
    [action] = allocation["actions"]
    assert action["kind"] == "Deposit" and action["status"] == "InProgress"
    assert action["allocationId"] == allocation["id"]
    assert action["externalId"] == "a-1"
    assert action["requestBody"] == ofns_body(externalId="a-1")


async def test_a_deposit_settles_and_rewards_accrue_with_the_clock(raw, clock):
    allocation = await create(raw, vault_body())
    await clock.advance(120)
    got = (await raw.get(f"/allocations/{allocation['id']}")).json()
    assert got["actions"][0]["status"] == "Completed"
    assert got["amount"]["amount"] == str(5_000 * 10**6)
    assert got["rewards"]["amount"] == "0"
    await clock.advance(365 * 24 * 3600)
    got = (await raw.get(f"/allocations/{allocation['id']}")).json()
    assert got["rewards"]["amount"] == str(5_000 * 10**6 * 600 // 10_000)


async def test_a_0fns_trade_below_the_slippage_bound_fails_and_refunds(raw, clock):
    # Zero tolerance and a 1:1 quote: the swap fee leaves it short.
    body = {
        "walletId": WALLET,
        "protocol": "0fns",
        **swap(USDC, 10**9, OFNS, 10**9, bps=0),
    }
    allocation = await create(raw, body)
    await clock.advance(120)
    got = (await raw.get(f"/allocations/{allocation['id']}")).json()
    assert got["actions"][0]["status"] == "Failed"
    assert "Slippage" in got["actions"][0]["failureReason"]
    assert got["amount"]["amount"] == "0"


async def test_withdrawals_leave_the_position_and_cannot_exceed_it(raw, clock):
    allocation = await create(raw, vault_body())
    path = f"/allocations/{allocation['id']}/actions"
    early = await raw.post(path, {"kind": "Withdraw", "amount": "1"})
    assert early.status_code == 400 and "Insufficient" in early.json()["message"]
    await clock.advance(120)
    response = await raw.post(path, {"kind": "Withdraw", "amount": str(2_000 * 10**6)})
    assert response.json()["amount"]["amount"] == str(3_000 * 10**6)
    assert response.json()["actions"][-1]["status"] == "InProgress"
    await clock.advance(120)
    items = (await raw.get(path)).json()["items"]
    assert [(a["kind"], a["status"]) for a in items] == [
        ("Withdraw", "Completed"),
        ("Deposit", "Completed"),
    ]


@pytest.mark.parametrize(
    "body",
    [
        ofns_body() | {"slippageBps": 10_001},
        ofns_body() | {"slippageBps": -1},
        ofns_body() | {"slippageBps": 12.5},
        ofns_body() | {"slippageBps": True},
        ofns_body() | {"amount": "1"},
        ofns_body() | swap(OFNS, 10, USDC, 10),
        ofns_body()
        | {"sourceAsset": {"kind": "Native", "contract": USDC, "amount": "1"}},
        vault_body() | {"amount": "-5"},
        vault_body() | {"slippageBps": 5},
        vault_body() | {"protocol": "Compound"},
        vault_body() | {"provider": "M0"},
        {"protocol": "GauntletUsdcPrime", "amount": "5"},
    ],
)
async def test_malformed_allocation_bodies_are_refused_with_400(raw, body):
    response = await raw.post("/allocations", body)
    assert response.status_code == 400, response.text


async def test_an_allocation_beyond_the_wallet_balance_is_refused(raw):
    response = await raw.post("/allocations", vault_body(2_000_000 * 10**6))
    assert response.status_code == 400 and "Insufficient" in response.json()["message"]


async def test_a_large_deposit_waits_for_approval_and_a_denial_refunds(
    raw, http, clock
):
    allocation = await create(raw, vault_body(300_000 * 10**6))
    action = allocation["actions"][0]
    assert action["status"] == "PendingPolicyApproval"
    await clock.advance(3600)
    assert (await raw.get(f"/allocations/{allocation['id']}")).json()["amount"][
        "amount"
    ] == "0"
    denied = await http.post(
        f"/_sandbox/approvals/{action['id']}", json={"decision": "Denied"}
    )
    assert denied.json()["actions"][0]["status"] == "Rejected"
    # Refunded: the whole starting balance can be allocated again.
    assert (
        await raw.post("/allocations", vault_body(1_000_000 * 10**6))
    ).status_code == 200


async def test_idempotent_allocation_actions_by_external_id(raw, clock):
    allocation = await create(raw, vault_body())
    await clock.advance(120)
    path = f"/allocations/{allocation['id']}/actions"
    body = {"kind": "Withdraw", "amount": "5", "externalId": "w-1"}
    first = await raw.post(path, body)
    again = await raw.post(path, body)
    assert len(again.json()["actions"]) == len(first.json()["actions"]) == 2
    conflict = await raw.post(path, body | {"amount": "6"})
    assert conflict.status_code == 409
    duplicate = conflict.json()["error"]["details"]["duplicate"]
    assert duplicate == {"id": first.json()["actions"][-1]["id"], "externalId": "w-1"}


async def test_allocation_list_items_carry_no_actions(raw, sandbox):
    items = (await raw.get("/allocations")).json()["items"]
    assert items and all("actions" not in i for i in items)
    assert {i["walletId"] for i in items} == set(sandbox.demo_owners)
