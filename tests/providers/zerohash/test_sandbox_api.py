"""The sandbox as a provider: request ids, replays, input checks, errors, participants."""

import uuid
from decimal import Decimal

import httpx
import pytest

from providers.zerohash.sandbox import ZerohashSandbox
from tests.providers.zerohash.helpers import (
    API_KEY,
    API_SECRET,
    BASE_URL,
    PASSPHRASE,
    balances,
    call,
)


def _stake_body(code="CUST01", **overrides):
    body = {"participant_code": code, "account_label": "general", "asset": "ETH"}
    body["amount"] = "1.5"
    return {**body, **overrides}


async def _accept_terms(http, code):
    body = {"signed_agreements": [{"type": "staking", "region": "us"}]}
    response = await call(http, "PATCH", f"/participants/customers/{code}", body)
    assert response.status_code == 200, response.text
    return response.json()["message"]


async def test_request_id_is_echoed_and_generated_when_absent(http):
    rid = str(uuid.uuid4())
    response = await call(http, "GET", "/assets", request_id=rid)
    assert response.headers["X-REQUEST-ID"] == rid
    assert response.json()["request_id"] == rid
    bare = await http.get("/time")
    assert uuid.UUID(bare.headers["X-REQUEST-ID"])


@pytest.mark.parametrize(
    "rid",
    [
        str(uuid.uuid1()),
        str(uuid.uuid5(uuid.NAMESPACE_URL, "x")),
        # version nibble 4, but not the RFC 4122 variant
        "6f1f3c1e-27d5-4f0b-0a43-5e0a3d1f7c21",
    ],
)
async def test_a_request_id_that_is_not_a_uuid_v4_is_refused(http, rid):
    response = await call(http, "GET", "/assets", request_id=rid)
    assert response.status_code == 400
    assert "v4" in response.json()["message"]


async def test_a_request_id_that_is_not_a_uuid_is_refused(http):
    response = await call(http, "GET", "/assets", request_id="not-a-uuid")
    assert response.status_code == 400
    assert response.json()["error_code"] == "VALIDATION_FAILED"


async def test_a_replayed_post_returns_the_first_answer_without_acting_twice(http):
    await _accept_terms(http, "CUST01")
    rid = str(uuid.uuid4())
    first = await call(http, "POST", "/stakes", _stake_body(), request_id=rid)
    again = await call(http, "POST", "/stakes", _stake_body(), request_id=rid)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert (await balances(http, "CUST01", "ETH"))["available"] == Decimal("62.5")


async def test_a_request_id_reused_for_another_body_is_a_conflict(http):
    await _accept_terms(http, "CUST01")
    rid = str(uuid.uuid4())
    await call(http, "POST", "/stakes", _stake_body(), request_id=rid)
    other = await call(http, "POST", "/stakes", _stake_body(amount="2"), request_id=rid)
    assert other.status_code == 409


async def test_a_refused_request_can_be_sent_again_under_the_same_id(http):
    rid = str(uuid.uuid4())
    refused = await call(http, "POST", "/stakes", _stake_body(), request_id=rid)
    assert refused.json()["error_code"] == "TERMS_NOT_ACCEPTED"
    await _accept_terms(http, "CUST01")
    accepted = await call(http, "POST", "/stakes", _stake_body(), request_id=rid)
    assert accepted.status_code == 200


async def test_more_requests_than_the_rate_limit_get_429(clock):
    sandbox = ZerohashSandbox(
        clock=clock, api_key=API_KEY, api_secret=API_SECRET, passphrase=PASSPHRASE,
        rate_limit=3,
    )  # fmt: skip
    transport = httpx.ASGITransport(app=sandbox.app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        statuses = [(await call(http, "GET", "/assets")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


async def test_a_new_participant_starts_with_balances_and_without_terms(http):
    assert await balances(http, "NEWBIE", "ETH") == {
        "available": Decimal(64), "collateral": Decimal(0), "staked": Decimal(0)
    }  # fmt: skip
    info = (await call(http, "GET", "/participant/NEWBIE/full_info")).json()["message"]
    assert info["status"] == "approved"
    assert info["jurisdiction_code"] == "US-NY"
    assert info["signed_agreements"] == []


@pytest.mark.parametrize(
    ("code", "status", "jurisdiction"),
    [
        ("PEND42", "pending_approval", "US-NY"),
        ("RESTR7", "locked", "US-NY"),
        ("NJ0001", "approved", "US-NJ"),
    ],
)
async def test_participant_code_prefixes_set_status_and_jurisdiction(
    http, code, status, jurisdiction
):
    info = (await call(http, "GET", f"/participant/{code}/full_info")).json()["message"]
    assert (info["status"], info["jurisdiction_code"]) == (status, jurisdiction)


async def test_accepting_terms_records_a_staking_agreement(http):
    accepted = await _accept_terms(http, "CUST09")
    assert accepted["staking_terms_accepted"] is True
    info = (await call(http, "GET", "/participant/CUST09/full_info")).json()["message"]
    assert [a["type"] for a in info["signed_agreements"]] == ["staking"]


async def test_accepting_terms_with_a_malformed_body_is_refused(http):
    for body in ({"signed_agreements": 3}, {"nickname": "x", "signed_agreements": []}):
        response = await call(http, "PATCH", "/participants/customers/C1", body)
        assert response.status_code == 400


@pytest.mark.parametrize(
    "overrides",
    [
        {"amount": 1.5},
        {"amount": "-1"},
        {"amount": "0"},
        {"amount": "1e3"},
        {"amount": "abc"},
        {"asset": "DOGE"},
        {"asset": "BTC"},
        {"asset": "SOL", "amount": "1.0000000001"},
        {"account_label": 7},
        {"participant_code": "bad code!"},
        {"memo": "unknown field"},
    ],
    ids=[
        "number", "negative", "zero", "exponent", "text", "unknown-asset",
        "not-stakeable", "too-precise", "label-type", "code", "unknown-field",
    ],
)  # fmt: skip
async def test_malformed_stake_requests_fail_validation(http, overrides):
    await _accept_terms(http, "CUST01")
    response = await call(http, "POST", "/stakes", _stake_body(**overrides))
    assert response.status_code == 400
    assert response.json()["error_code"] == "VALIDATION_FAILED"


async def test_a_stake_from_an_account_that_does_not_exist_is_refused(http):
    await _accept_terms(http, "CUST01")
    response = await call(http, "POST", "/stakes", _stake_body(account_label="savings"))
    assert response.status_code == 400
    assert response.json()["details"]["field"] == "account_label"


@pytest.mark.parametrize(
    ("code", "accept", "amount", "error_code", "failing_check"),
    [
        ("CUST01", False, "1", "TERMS_NOT_ACCEPTED", "terms_accepted"),
        ("NJ0001", True, "1", "JURISDICTION_RESTRICTED", "jurisdiction_allowed"),
        ("CUST01", True, "64.1", "INSUFFICIENT_BALANCE", "sufficient_balance"),
        ("PEND01", True, "1", "VALIDATION_FAILED", "platform_restrictions"),
    ],
)
async def test_business_refusals_carry_the_code_and_the_failing_check(
    http, code, accept, amount, error_code, failing_check
):
    if accept:
        await _accept_terms(http, code)
    response = await call(http, "POST", "/stakes", _stake_body(code, amount=amount))
    assert response.status_code == 400
    body = response.json()
    assert body["error_code"] == error_code
    checks = body["details"]["validation_checks"]
    assert checks[failing_check] in (False, "kyc_pending")
    assert body["user_message"]


async def test_staking_info_of_an_unknown_asset_is_not_found(http):
    response = await call(http, "GET", "/assets/DOGE/staking_info")
    assert response.status_code == 404
    assert response.json()["error_code"] == "NOT_FOUND"


async def test_unknown_stake_and_unstake_ids_are_not_found(http):
    for route in ("/stakes/nope/status", "/stakes/unstake/nope/status"):
        assert (await call(http, "GET", route)).status_code == 404


async def test_stake_lists_are_paged_and_filtered(http):
    page = await call(http, "GET", "/stakes/DEMO01?page=2&limit=2")
    body = page.json()
    assert body["pagination"] == {"page": 2, "total_pages": 2, "total_records": 3}
    assert len(body["message"]["stakes"]) == 1
    staked = await call(http, "GET", "/stakes/DEMO01?status=staked&asset=ETH")
    assert [s["quantity"] for s in staked.json()["message"]["stakes"]] == ["32"]
    bad = await call(http, "GET", "/stakes/DEMO01?status=sleeping")
    assert bad.status_code == 400


async def test_stakeable_assets_list_only_staking_enabled_assets(http):
    body = (await call(http, "GET", "/assets?staking_enabled=true")).json()
    assert [a["asset"] for a in body["message"]] == ["ETH", "SOL"]


async def test_injected_downtime_answers_503(http, sandbox):
    sandbox.faults.update(latency_ms=0, error_rate=0, down=True)
    assert (await call(http, "GET", "/assets")).status_code == 503


async def _staked_stake_id(http, clock):
    await _accept_terms(http, "CUST01")
    stake = (await call(http, "POST", "/stakes", _stake_body(amount="4"))).json()
    await clock.advance(86_400)
    return stake["message"]["stake_id"]


def _unstake_body(**overrides):
    body = {
        "participant_code": "CUST01", "account_label": "general", "asset": "ETH",
        "amount": "1", "unstake_type": "partial",
    }  # fmt: skip
    return {k: v for k, v in {**body, **overrides}.items() if v is not None}


@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"asset": "SOL"}, 400),
        ({"account_label": "savings"}, 400),
        ({"unstake_type": "most"}, 400),
        ({"amount": None}, 400),
        ({"amount": "-1"}, 400),
        ({"amount": "5"}, 400),
        ({"participant_code": "CUST02"}, 400),
        ({"reason": "unknown field"}, 400),
    ],
)
async def test_malformed_unstake_requests_are_refused(http, clock, overrides, status):
    await _staked_stake_id(http, clock)
    response = await call(http, "POST", "/stakes/unstake", _unstake_body(**overrides))
    assert response.status_code == status


@pytest.mark.parametrize("field", ["stake_id", "notional_currency", "unstake_all"])
async def test_an_unstake_body_with_a_field_the_api_lacks_is_refused_naming_it(
    http, clock, sandbox, field
):
    stake_id = await _staked_stake_id(http, clock)
    response = await call(
        http, "POST", "/stakes/unstake", _unstake_body(**{field: stake_id})
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error_code"] == "VALIDATION_FAILED"
    assert body["details"]["field"] == field
    assert field in body["message"]
    assert all(u.participant_code != "CUST01" for u in sandbox.state.unstakes.values())


async def test_unstakes_are_of_an_asset_and_take_the_oldest_stakes_first(
    http, clock, sandbox
):
    older = await _staked_stake_id(http, clock)
    newer = await _staked_stake_id(http, clock)
    answer = await call(http, "POST", "/stakes/unstake", _unstake_body(amount="5"))
    unstake = answer.json()["message"]
    assert "stake_id" not in unstake
    shares = sandbox.state.unstakes[unstake["unstake_id"]].shares
    assert [stake_id for stake_id, _ in shares] == [older, newer]
    # All of the older stake (4 and a day's rewards), the rest from the newer one.
    assert shares[0][1] == sandbox.state.stakes[older].current_quantity > 4
    assert shares[0][1] + shares[1][1] == 5
    stake = (await call(http, "GET", f"/stakes/{older}/status")).json()["message"]
    assert "unstakes" not in stake


async def test_a_second_unstake_during_a_full_unstake_is_refused(http, clock):
    await _staked_stake_id(http, clock)
    full = _unstake_body(unstake_type="full")
    assert (await call(http, "POST", "/stakes/unstake", full)).status_code == 200
    again = await call(http, "POST", "/stakes/unstake", _unstake_body())
    assert again.status_code == 400


async def test_a_full_unstake_takes_the_whole_position(http, clock):
    await _staked_stake_id(http, clock)
    full = _unstake_body(unstake_type="full", amount="0.5")
    unstake = (await call(http, "POST", "/stakes/unstake", full)).json()["message"]
    assert Decimal(unstake["amount"]) == Decimal(4)
    status = await call(http, "GET", f"/stakes/unstake/{unstake['unstake_id']}/status")
    assert status.json()["message"]["status"] == "submitted"


async def test_an_unstake_can_be_canceled_only_before_broadcast(http, clock):
    await _staked_stake_id(http, clock)
    first = (await call(http, "POST", "/stakes/unstake", _unstake_body())).json()
    uid = first["message"]["unstake_id"]
    canceled = await call(http, "POST", f"/stakes/unstake/{uid}/cancel", {})
    assert canceled.json()["message"]["status"] == "canceled"
    second = (await call(http, "POST", "/stakes/unstake", _unstake_body())).json()
    await clock.advance(60)
    late = await call(
        http, "POST", f"/stakes/unstake/{second['message']['unstake_id']}/cancel", {}
    )
    assert late.status_code == 400
