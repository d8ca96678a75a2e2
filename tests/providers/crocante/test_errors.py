"""Crocante's refusals, in all three body shapes, become the right provider errors."""

import json
from decimal import Decimal

import httpx
import pytest
from pydantic import SecretStr

from gateway.domain.commands import CreateStake, Unstake
from gateway.domain.enums import Provider, StakingMode, UserErrorCode
from gateway.domain.models import Asset, StakingProduct
from providers.base import (
    ProviderAuthError,
    ProviderProtocolError,
    ProviderRejected,
    ProviderUnavailable,
)
from tests.providers.crocante.fakes import (
    mock_adapter,
    mock_client,
    ok,
    position_json,
    with_login,
)

PRODUCT = StakingProduct(
    provider=Provider.CROCANTE,
    provider_product_id="stake_btc_fixed_90",
    asset=Asset("BTC"),
    mode=StakingMode.FIXED,
)


def refusing(status, body):
    """A fake Crocante whose staking calls all answer `status` with `body`."""

    def handler(request):
        if request.method == "GET":
            return ok([])
        return httpx.Response(status, json=body)

    return with_login(handler)


async def create(handler, amount="1"):
    async with mock_client(handler) as client:
        command = CreateStake(owner="alice", product=PRODUCT, amount=Decimal(amount))
        return await mock_adapter(client).create_stake(command)


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (400, {"error": "Insufficient balance", "status": 400}, "INSUFFICIENT_BALANCE"),
        (400, {"error": "Amount below minimum", "status": 400}, "BELOW_MINIMUM_STAKE"),
        (404, {"error": "Invalid typeId", "status": 404}, "NOT_FOUND"),
        (404, {"error": "Invalid opId", "status": 404}, "NOT_FOUND"),
        (400, {"error": "Not redeemable yet", "status": 400}, "NOT_REDEEMABLE_YET"),
        (
            400,
            {"error": {"msg": "no funds", "code": "BALANCE_NOT_ENOUGH"}},
            "INSUFFICIENT_BALANCE",
        ),
        (
            400,
            {"message": "Not enough", "code": "BALANCE_NOT_ENOUGH"},
            "INSUFFICIENT_BALANCE",
        ),
        (404, {"error": {"msg": "gone", "code": "ENTITY_NOT_FOUND"}}, "NOT_FOUND"),
        (404, {"message": "no such thing"}, "NOT_FOUND"),
        (
            409,
            {"error": {"msg": "Price moved", "code": "TRADE_PRICE_OUT_OF_RANGE"}},
            "PROVIDER_REJECTED",
        ),
        (400, {"error": "Something else", "status": 400}, "PROVIDER_REJECTED"),
        (403, {"message": "Not allowed", "code": "KYC_REQUIRED"}, "PROVIDER_REJECTED"),
    ],
)
async def test_business_refusals_map_to_user_error_codes(status, body, code):
    with pytest.raises(ProviderRejected) as caught:
        await create(refusing(status, body))

    assert caught.value.user_error_code is UserErrorCode(code)


async def test_a_generic_refusal_keeps_the_providers_message_and_code():
    body = {"error": {"msg": "Price moved", "code": "TRADE_PRICE_OUT_OF_RANGE"}}

    with pytest.raises(ProviderRejected) as caught:
        await create(refusing(409, body))

    assert caught.value.message == "Price moved"
    assert caught.value.provider_code == "TRADE_PRICE_OUT_OF_RANGE"


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (401, {"error": "Unauthorized", "status": 401}),
        (401, {"error": {"msg": "no header", "code": "AUTH_HEADER_MISSING"}}),
        (403, {"error": {"msg": "bad", "code": "CREDENTIALS_INVALID"}}),
    ],
)
async def test_refused_credentials_are_an_auth_error(status, body):
    with pytest.raises(ProviderAuthError):
        await create(refusing(status, body))


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_are_unavailable(status):
    with pytest.raises(ProviderUnavailable) as caught:
        await create(refusing(status, {"error": "boom"}))

    assert caught.value.retryable


async def test_rate_limiting_is_unavailable_with_its_retry_after():
    def handler(request):
        return httpx.Response(429, headers={"Retry-After": "7"}, json={"error": "slow"})

    with pytest.raises(ProviderUnavailable) as caught:
        await create(with_login(handler))

    assert caught.value.code == "RATE_LIMITED"
    assert caught.value.retry_after == 7


async def test_a_404_without_a_crocante_body_is_a_protocol_error():
    def handler(request):
        return httpx.Response(404, text="<html>Not Found</html>")

    with pytest.raises(ProviderProtocolError):
        await create(with_login(handler))


async def test_network_errors_are_unavailable():
    def handler(request):
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(ProviderUnavailable) as caught:
        await create(handler)

    assert caught.value.code == "UNREACHABLE"


async def test_timeouts_are_unavailable():
    def handler(request):
        if request.url.path.endswith("/auth/login"):
            return ok({"token": "t"})
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(ProviderUnavailable) as caught:
        await create(handler)

    assert caught.value.code == "TIMEOUT"


async def test_a_refused_login_is_an_auth_error_and_nothing_else_is_called():
    calls = []

    def handler(request):
        calls.append(request.url.path)
        return httpx.Response(
            403, json={"error": {"msg": "no", "code": "CREDENTIALS_INVALID"}}
        )

    with pytest.raises(ProviderAuthError):
        await create(handler)

    assert calls == ["/v1/auth/login"]


@pytest.mark.parametrize("code", ["TOTP_MISSING", "TOTP_INVALID"])
async def test_a_login_refused_for_its_totp_is_an_auth_error(code):
    def handler(request):
        return httpx.Response(401, json={"error": {"msg": "totp", "code": code}})

    with pytest.raises(ProviderAuthError):
        await create(handler)


async def test_a_login_during_an_outage_is_unavailable_not_an_auth_error():
    def handler(request):
        return httpx.Response(503, json={"error": "down"})

    with pytest.raises(ProviderUnavailable):
        await create(handler)


@pytest.mark.parametrize(
    "body",
    [
        {"data": {"access_token": "tok-9"}, "status": 200},
        {"data": {"token": "tok-9"}, "status": 200},
        {"token": "tok-9"},
    ],
)
async def test_the_login_token_is_read_from_any_of_its_known_places(body):
    seen = []

    def handler(request):
        if request.url.path.endswith("/auth/login"):
            return httpx.Response(200, json=body)
        seen.append(request.headers.get("authorization"))
        return ok([])

    async with mock_client(handler) as client:
        await mock_adapter(client).list_stakes(["alice"])

    assert set(seen) == {"Bearer tok-9"}


@pytest.mark.parametrize(
    "body",
    [
        {"data": {}},
        {"data": {"token": 7}},
        {"data": {"token": ""}},
        {"data": {"token": "a b"}},
        {"data": {"token": "tok\r\nX-Injected: 1"}},
        ["tok"],
        "tok",
    ],
)
async def test_a_login_answer_without_a_token_is_a_protocol_error(body):
    def handler(request):
        return httpx.Response(200, json=body)

    with pytest.raises(ProviderProtocolError):
        await create(handler)


def expiring(code, logins, calls):
    """A fake Crocante whose first token is already stale when first used."""

    def handler(request):
        if request.url.path.endswith("/auth/login"):
            logins.append(request)
            return ok({"token": "old" if len(logins) == 1 else "new"})
        calls.append(request.headers["authorization"])
        if request.headers["authorization"] == "Bearer old":
            return httpx.Response(401, json={"error": {"msg": "expired", "code": code}})
        return ok([])

    return handler


@pytest.mark.parametrize("code", ["TOKEN_EXPIRED", "SESSION_INVALID"])
async def test_an_expired_session_logs_in_once_more_and_retries(code):
    logins, calls = [], []

    async with mock_client(expiring(code, logins, calls)) as client:
        await mock_adapter(client).health_check()

    assert calls == ["Bearer old", "Bearer new"]
    assert len(logins) == 2


async def test_concurrent_calls_on_a_stale_session_share_one_fresh_login():
    logins, calls = [], []

    handler = expiring("TOKEN_EXPIRED", logins, calls)
    async with mock_client(handler, interleave=True) as client:
        assert await mock_adapter(client).list_stakes(["alice"]) == []

    assert len(logins) == 2
    assert calls.count("Bearer new") == 2


async def test_a_session_refused_again_after_a_fresh_login_is_an_auth_error():
    logins = []

    def handler(request):
        if request.url.path.endswith("/auth/login"):
            logins.append(request)
            return ok({"token": f"t{len(logins)}"})
        return httpx.Response(
            401, json={"error": {"msg": "x", "code": "TOKEN_EXPIRED"}}
        )

    async with mock_client(handler) as client:
        adapter = mock_adapter(client)
        with pytest.raises(ProviderAuthError):
            await adapter.health_check()

    assert len(logins) == 2


async def test_the_login_sends_username_password_and_a_six_digit_totp():
    sent = []

    def handler(request):
        if request.url.path.endswith("/auth/login"):
            sent.append(json.loads(request.content))
            return ok({"token": "t"})
        return ok([])

    async with mock_client(handler) as client:
        adapter = mock_adapter(
            client, password=SecretStr("pw"), totp_secret=SecretStr("JBSWY3DPEHPK3PXP")
        )
        await adapter.health_check()

    [body] = sent
    assert body["username"] == "alice" and body["password"] == "pw"
    assert len(body["totpCode"]) == 6 and body["totpCode"].isdigit()


async def test_create_sends_the_amount_as_a_plain_decimal_string():
    sent = []

    def handler(request):
        if request.method == "POST":
            sent.append(json.loads(request.content))
            return ok({}, 201)
        return ok(
            [position_json("op_new", initialAmount="1000", typeId="stake_btc_fixed_90")]
            if sent
            else []
        )

    await create(with_login(handler), amount="1E+3")

    assert sent == [{"typeId": "stake_btc_fixed_90", "amount": "1000"}]


async def test_a_stake_accepted_but_never_listed_is_a_protocol_error():
    def handler(request):
        return ok({}, 201) if request.method == "POST" else ok([])

    with pytest.raises(ProviderProtocolError):
        await create(with_login(handler))


async def test_the_redeem_path_carries_the_escaped_operation_id():
    paths = []

    def handler(request):
        if request.method == "POST":
            paths.append(request.url.raw_path.decode())
            return ok({})
        return ok([position_json("op/1 x")])

    async with mock_client(with_login(handler)) as client:
        adapter = mock_adapter(client)
        stake = await adapter.get_stake("alice", "op/1 x")
        await adapter.unstake(Unstake(owner="alice", stake=stake))

    assert paths == ["/v1/staking/op%2F1%20x/redeem"]
