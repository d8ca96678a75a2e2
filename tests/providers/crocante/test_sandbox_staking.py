"""The sandbox's staking endpoints: the seed's wire format, validation, lifecycle."""

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.providers.crocante.fakes import START, login

YEAR = 365 * 86400


async def active(http, headers, **params):
    response = await http.get("staking/active", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def redeemed(http, headers):
    response = await http.get("staking/redeemed", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]


async def stake(http, headers, type_id="stake_eth_variable", amount="2"):
    return await http.post(
        "staking", headers=headers, json={"typeId": type_id, "amount": amount}
    )


def refusal(response):
    return response.status_code, response.json()["error"]


async def test_types_list_the_seed_products_and_the_backend_ones(http):
    headers = await login(http)

    response = await http.get("staking/types", headers=headers)

    body = response.json()
    assert body["status"] == 200
    by_id = {t["id"]: t for t in body["data"]}
    assert by_id["stake_btc_fixed_90"] == {
        "id": "stake_btc_fixed_90",
        "currencyId": "BTC",
        "mode": "FIXED",
        "apy": "0.08",
        "minAmount": "0.001",
        "durationDays": 90,
    }
    assert "durationDays" not in by_id["stake_eth_variable"]
    assert {"ADA_FLEX", "ADA_180DAY", "USDT_90DAY"} <= set(by_id)
    assert "stake_eth_fixed_legacy" not in by_id


async def test_create_answers_an_empty_object_with_status_201(http):
    headers = await login(http)

    response = await stake(http, headers)

    assert response.status_code == 201
    assert response.json() == {"data": {}, "status": 201}


async def test_a_new_position_is_listed_active_in_the_backend_wire_format(http):
    headers = await login(http)
    await stake(http, headers, "stake_btc_fixed_90", "0.5")

    [position] = await active(http, headers)

    assert position["typeId"] == "stake_btc_fixed_90"
    assert position["startsAt"] == "2026-03-01T12:00:00Z"
    assert position["redeemableAt"] == "2026-05-30T12:00:00Z"
    assert position["initialAmount"] == position["amount"] == "0.5"
    assert position["initialAPY"] == position["apy"] == "0.08"
    assert position["yield"] == "0"
    assert position["type"]["id"] == "stake_btc_fixed_90"
    operation = position["operation"]
    assert operation["status"] == "ACTIVE"
    assert operation["closedAt"] is None
    assert operation["openedAt"] == "2026-03-01T12:00:00Z"
    assert operation["ownerId"] == operation["creatorId"]
    assert operation["id"]


async def test_staking_debits_the_balance(http, sandbox):
    headers = await login(http)

    await stake(http, headers, "stake_eth_variable", "2.25")

    assert sandbox.state.users["alice"].balances["ETH"] == Decimal("47.75")


async def test_yield_accrues_as_amount_times_apy_times_elapsed_over_365_days(
    http, clock
):
    headers = await login(http)
    await stake(http, headers, "stake_eth_variable", "10")

    await clock.advance(73 * 86400)
    [position] = await active(http, await login(http))

    # 10 x 0.05 x 73/365 = 0.1
    assert position["yield"] == "0.1"
    assert position["estRedeemYield"] == "0.1"
    assert position["operation"]["updatedAt"] == "2026-05-13T12:00:00Z"


async def test_yield_is_exact_to_18_decimals_and_rounds_down(http, clock):
    headers = await login(http)
    await stake(http, headers, "stake_eth_variable", "1")

    await clock.advance(1)
    [position] = await active(http, headers)

    # 0.05 / (365 x 86400) = 0.000000001585489599188...
    assert position["yield"] == "0.000000001585489599"


async def test_a_fixed_stake_earns_only_until_the_end_of_its_term(http, clock):
    headers = await login(http)
    await stake(http, headers, "stake_usdt_fixed_30", "3650")

    await clock.advance(40 * 86400)
    [position] = await active(http, await login(http))

    # 3650 x 0.06 x 30/365 = 18
    assert position["yield"] == position["estRedeemYield"] == "18"
    assert position["operation"]["updatedAt"] == position["redeemableAt"]


async def test_redeeming_a_fixed_stake_before_its_term_is_not_redeemable_yet(
    http, clock
):
    headers = await login(http)
    await stake(http, headers, "stake_usdt_fixed_30", "1000")
    [position] = await active(http, headers)

    await clock.advance(29 * 86400)
    response = await http.post(
        f"staking/{position['operation']['id']}/redeem",
        headers=await login(http),
        json={},
    )

    assert refusal(response) == (400, "Not redeemable yet")


async def test_redeem_credits_principal_and_yield_and_moves_the_position(
    http, clock, sandbox
):
    headers = await login(http)
    await stake(http, headers, "stake_eth_variable", "10")
    [position] = await active(http, headers)
    op_id = position["operation"]["id"]
    await clock.advance(73 * 86400)
    headers = await login(http)

    response = await http.post(f"staking/{op_id}/redeem", headers=headers, json={})

    assert response.status_code == 200
    assert response.json() == {"data": {}, "status": 200}
    assert await active(http, headers) == []
    [closed] = await redeemed(http, headers)
    assert closed["operation"]["id"] == op_id
    assert closed["operation"]["status"] == "REDEEMED"
    assert closed["operation"]["closedAt"] == "2026-05-13T12:00:00Z"
    assert closed["yield"] == "0.1"
    assert sandbox.state.users["alice"].balances["ETH"] == Decimal("50.1")


async def test_a_redeemed_position_stops_earning(http, clock):
    headers = await login(http)
    await stake(http, headers, "stake_eth_variable", "10")
    [position] = await active(http, headers)
    await clock.advance(73 * 86400)
    url = f"staking/{position['operation']['id']}/redeem"
    assert (await http.post(url, json={}, headers=await login(http))).status_code == 200

    await clock.advance(100 * 86400)
    [closed] = await redeemed(http, await login(http))

    assert closed["yield"] == "0.1"


async def test_redeeming_twice_is_refused(http):
    headers = await login(http)
    await stake(http, headers)
    [position] = await active(http, headers)
    url = f"staking/{position['operation']['id']}/redeem"
    await http.post(url, headers=headers, json={})

    response = await http.post(url, headers=headers, json={})

    assert response.status_code == 400


async def test_redeeming_another_users_operation_is_invalid_opid(http):
    alice = await login(http, "alice")
    await stake(http, alice)
    [position] = await active(http, alice)
    mallory = await login(http, "mallory")

    response = await http.post(
        f"staking/{position['operation']['id']}/redeem", headers=mallory, json={}
    )

    assert refusal(response) == (404, "Invalid opId")
    assert len(await active(http, alice)) == 1


async def test_redeeming_an_unknown_operation_is_invalid_opid(http):
    headers = await login(http)

    response = await http.post("staking/op_nope/redeem", headers=headers, json={})

    assert refusal(response) == (404, "Invalid opId")


async def test_redeem_takes_an_empty_object_only(http):
    headers = await login(http)
    await stake(http, headers)
    [position] = await active(http, headers)

    response = await http.post(
        f"staking/{position['operation']['id']}/redeem", headers=headers, json={"x": 1}
    )

    assert response.status_code == 400


@pytest.mark.parametrize(
    "type_id", ["stake_doge_forever", "stake_eth_fixed_legacy", 42]
)
async def test_an_unknown_or_withdrawn_product_is_invalid_typeid(http, type_id):
    headers = await login(http)

    response = await http.post(
        "staking", headers=headers, json={"typeId": type_id, "amount": "2"}
    )

    assert refusal(response) == (404, "Invalid typeId")


@pytest.mark.parametrize(
    "amount",
    [2, 2.5, "1e3", "-1", "0", "0.0", " 2", "2.", ".5", "1.0000000000000000001", ""],
)
async def test_an_amount_that_is_not_a_positive_decimal_string_is_refused(http, amount):
    headers = await login(http)

    response = await stake(http, headers, "stake_eth_variable", amount)

    assert refusal(response) == (400, "Invalid amount")


async def test_an_amount_with_18_decimals_is_accepted(http):
    headers = await login(http)

    response = await stake(http, headers, "stake_eth_variable", "1.000000000000000001")

    assert response.status_code == 201


async def test_an_amount_below_the_product_minimum_is_refused(http):
    headers = await login(http)

    response = await stake(http, headers, "stake_eth_variable", "0.09")

    assert refusal(response) == (400, "Amount below minimum")


async def test_an_amount_above_the_balance_is_insufficient_balance(http, sandbox):
    headers = await login(http)

    response = await stake(http, headers, "stake_eth_variable", "50.000000000000000001")

    assert refusal(response) == (400, "Insufficient balance")
    assert sandbox.state.users["alice"].balances["ETH"] == 50


async def test_unknown_fields_in_a_create_body_are_refused(http):
    headers = await login(http)

    response = await http.post(
        "staking",
        headers=headers,
        json={"typeId": "stake_eth_variable", "amount": "2", "userId": "other"},
    )

    assert response.status_code == 400


async def test_lists_page_from_zero_and_end_with_a_short_page(http):
    headers = await login(http)
    for _ in range(5):
        await stake(http, headers, "stake_eth_variable", "1")

    pages = [await active(http, headers, page=n, size=2) for n in range(4)]

    assert [len(page) for page in pages] == [2, 2, 1, 0]
    ids = [p["operation"]["id"] for page in pages for p in page]
    assert len(set(ids)) == 5


@pytest.mark.parametrize(
    "params", [{"page": "-1"}, {"page": "9" * 5000}, {"size": "0"}, {"size": "x"}]
)
async def test_malformed_paging_is_refused(http, params):
    headers = await login(http)

    response = await http.get("staking/active", headers=headers, params=params)

    assert response.status_code == 400


async def test_a_user_sees_only_their_own_positions(http):
    await stake(http, await login(http, "alice"))

    assert await active(http, await login(http, "bob")) == []


async def test_the_demo_user_comes_with_history_in_every_state(http, sandbox):
    assert sandbox.demo_owners == ("demo",)
    headers = await login(http, "demo")

    open_positions = await active(http, headers, size=100)
    closed = await redeemed(http, headers)

    modes = {(p["type"]["mode"], p["redeemableAt"] is not None) for p in open_positions}
    assert ("VARIABLE", False) in modes
    due = [
        p
        for p in open_positions
        if p["redeemableAt"] and p["redeemableAt"] <= "2026-03-01"
    ]
    locked = [
        p
        for p in open_positions
        if p["redeemableAt"] and p["redeemableAt"] > "2026-03-02"
    ]
    assert due and locked
    # In the backend's words (`COMPLETED`): only its list says it was redeemed.
    assert len(closed) == 1 and closed[0]["operation"]["status"] == "COMPLETED"
    assert all(Decimal(p["yield"]) > 0 for p in [*open_positions, *closed])


async def test_the_clock_control_route_moves_positions_forward(http):
    headers = await login(http)
    await stake(http, headers, "stake_eth_variable", "10")

    response = await http.post("_sandbox/clock", json={"advance_seconds": 73 * 86400})

    assert response.status_code == 200
    assert response.json()["now"].startswith(str((START + timedelta(days=73)).date()))
    [position] = await active(http, await login(http))
    assert position["yield"] == "0.1"


async def test_a_provider_marked_down_answers_503(http):
    await http.post("_sandbox/faults", json={"down": True})

    response = await http.post("auth/login", json={"username": "a", "password": "b"})

    assert response.status_code == 503


async def test_elapsed_time_is_measured_in_simulated_seconds(http, clock):
    headers = await login(http)
    await stake(http, headers, "stake_sol_variable", "365")
    await clock.advance(YEAR)

    [position] = await active(http, await login(http))

    # 365 x 0.07 x 1 year
    assert position["yield"] == "25.55"
