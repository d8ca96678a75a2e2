"""What the adapter does with answers it cannot trust: every garbage or failure becomes
one of the provider errors, never a crash or a guess."""

import base64
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from pydantic import SecretStr

from gateway.domain.commands import CreateStake
from gateway.domain.enums import UserErrorCode
from providers.base import (
    ProviderAuthError,
    ProviderError,
    ProviderProtocolError,
    ProviderRejected,
    ProviderUnavailable,
)
from providers.dfns import DfnsAdapter, DfnsConfig
from tests.providers.dfns.fakes import (
    CHALLENGE,
    CRED_ID,
    FakeDfns,
    adapter_for,
    challenge_body,
    config,
    stake_json,
)

OWNER = "wa-owner-00000-00000000000000"


def reply(status: int = 200, **kwargs) -> Callable[[httpx.Request], httpx.Response]:
    return lambda _: httpx.Response(status, **kwargs)


def listing(*items, **extra) -> Callable[[httpx.Request], httpx.Response]:
    return reply(json={"items": list(items), **extra})


async def list_with(handler) -> None:
    adapter, http = adapter_for(FakeDfns(handler))
    async with http:
        await adapter.list_stakes([OWNER])


async def create_with(fake: FakeDfns, **kwargs) -> None:
    adapter, http = adapter_for(fake, **kwargs)
    async with http:
        ethereum = (await adapter.list_products())[0]
        await adapter.create_stake(
            CreateStake(owner=OWNER, product=ethereum, amount=Decimal(1))
        )


@pytest.mark.parametrize(
    "handler",
    [
        reply(text="<html>oops</html>"),
        reply(json=[]),
        reply(json={"items": "nope"}),
        listing(stake_json(walletId=None)),
        listing(stake_json(status=7)),
        listing(stake_json(status="Exploded")),
        listing(stake_json(protocol="Solana")),
        listing(stake_json(dateCreated="yesterday")),
        listing(stake_json(dateCreated="2026-01-02T03:04:05")),
        listing(stake_json(requestBody={"protocol": "Ethereum", "amount": 32})),
        listing(stake_json(requestBody={"protocol": "Ethereum", "amount": "-3"})),
        listing(stake_json(requestBody={"protocol": "Ethereum", "amount": "1e30"})),
        listing(stake_json(requestBody={"protocol": "Ethereum", "amount": "9" * 80})),
        listing(stake_json(requestBody={"protocol": "Ethereum"})),
        listing(stake_json(requester="us-1")),
        listing(stake_json(actions=[{"id": "stka-1", "kind": "Teleport"}])),
        listing(stake_json(data={"validator": "0xabc"})),
        listing(stake_json(protocol="Iota", data={"amount": 5, "validator": "v"})),
    ],
)
async def test_garbage_in_a_stake_list_is_a_protocol_error(handler):
    with pytest.raises(ProviderProtocolError):
        await list_with(handler)


async def test_another_wallets_stake_is_not_read_so_its_garbage_costs_nothing():
    other = "wa-other-00000-00000000000000"
    stakes = listing(
        stake_json(id="stk-ooooo-ooooo-oooooooooooooooo", walletId=other, status=7),
        stake_json(),
    )

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/rewards"):
            return httpx.Response(200, json={"symbol": "ETH", "balance": "0"})
        return stakes(request)

    fake = FakeDfns(handler)
    adapter, http = adapter_for(fake)
    async with http:
        stakes = await adapter.list_stakes([OWNER])
    assert [s.owner for s in stakes] == [OWNER]


async def test_the_adapter_stops_when_a_page_token_repeats():
    pages = iter(
        [
            {"items": [allocation_json()], "nextPageToken": "t1"},
            {"items": [], "nextPageToken": "t1"},
        ]
    )
    fake = FakeDfns(lambda _: httpx.Response(200, json=next(pages)))
    adapter, http = adapter_for(fake)
    async with http:
        assert len(await adapter.list_allocations([OWNER])) == 1
    tokens = [r.url.params.get("paginationToken") for r in fake.requests]
    assert tokens == [None, "t1"]


@pytest.mark.parametrize(
    ("response", "error", "code"),
    [
        (
            httpx.Response(500, json={"error": {"message": "boom"}}),
            ProviderUnavailable,
            "UPSTREAM_ERROR",
        ),
        (httpx.Response(503, text="down"), ProviderUnavailable, "UPSTREAM_ERROR"),
        (
            httpx.Response(429, headers={"Retry-After": "3"}),
            ProviderUnavailable,
            "RATE_LIMITED",
        ),
        (
            httpx.Response(401, json={"message": "token expired"}),
            ProviderAuthError,
            "AUTH_FAILED",
        ),
        (
            httpx.Response(403, json={"error": {"message": "no"}}),
            ProviderAuthError,
            "AUTH_FAILED",
        ),
        (httpx.Response(418, text="teapot"), ProviderProtocolError, "BAD_RESPONSE"),
    ],
)
async def test_http_failures_become_provider_errors(response, error, code):
    with pytest.raises(error) as info:
        await list_with(lambda _: response)
    assert info.value.code == code


async def test_a_rate_limit_carries_the_retry_after():
    with pytest.raises(ProviderUnavailable) as info:
        await list_with(reply(429, headers={"Retry-After": "3"}))
    assert info.value.retryable and info.value.retry_after == 3.0


@pytest.mark.parametrize(
    "exc", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow")]
)
async def test_network_failures_are_unavailable(exc):
    def handler(_):
        raise exc

    with pytest.raises(ProviderUnavailable):
        await list_with(handler)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            {"error": {"message": "Insufficient funds in wallet"}},
            UserErrorCode.INSUFFICIENT_BALANCE,
        ),
        (
            {"message": "Amount is below the minimum stake"},
            UserErrorCode.BELOW_MINIMUM_STAKE,
        ),
        (
            {"error": {"message": "Stake is not withdrawable yet"}},
            UserErrorCode.NOT_REDEEMABLE_YET,
        ),
        (
            {"error": {"message": "Unbond is not allowed here"}},
            UserErrorCode.UNSUPPORTED_ACTION,
        ),
        (
            {"error": {"message": "amount must match ^\\d+$"}},
            UserErrorCode.INVALID_INPUT,
        ),
        (None, UserErrorCode.INVALID_INPUT),
    ],
)
async def test_a_400_is_read_by_its_message(body, code):
    response = httpx.Response(400, json=body) if body else httpx.Response(400)
    with pytest.raises(ProviderRejected) as info:
        await create_with(FakeDfns(lambda _: response))
    assert info.value.user_error_code is code


async def test_a_402_is_a_provider_refusal():
    with pytest.raises(ProviderRejected) as info:
        await create_with(
            FakeDfns(reply(402, json={"message": "Staking is not on your plan"}))
        )
    assert info.value.user_error_code is UserErrorCode.PROVIDER_REJECTED


async def test_a_reused_user_action_is_an_auth_error_not_a_user_error():
    with pytest.raises(ProviderAuthError):
        await create_with(
            FakeDfns(reply(400, json={"message": "user action has already been used"}))
        )


@pytest.mark.parametrize(
    "fake",
    [
        FakeDfns(
            reply(json=stake_json()), init=reply(401, json={"message": "bad token"})
        ),
        FakeDfns(
            reply(json=stake_json()),
            complete=reply(401, json={"message": "bad signature"}),
        ),
        FakeDfns(
            reply(json=stake_json()), init=reply(json=challenge_body("cr-someone-else"))
        ),
    ],
    ids=["init-refused", "signature-refused", "credential-not-allowed"],
)
async def test_a_refused_signing_step_is_an_auth_error(fake):
    with pytest.raises(ProviderAuthError):
        await create_with(fake)
    assert not fake.bodies("/staking/stakes")  # the write itself was never sent


@pytest.mark.parametrize(
    "fake",
    [
        FakeDfns(
            reply(json=stake_json()), init=reply(json={"challengeIdentifier": "x"})
        ),
        FakeDfns(reply(json=stake_json()), init=reply(text="not json")),
        FakeDfns(reply(json=stake_json()), complete=reply(json={"token": "x"})),
        # A create answer with no Stake action in it.
        FakeDfns(reply(json=stake_json(status="Staking"))),
    ],
)
async def test_a_garbled_signing_or_create_answer_is_a_protocol_error(fake):
    with pytest.raises(ProviderProtocolError):
        await create_with(fake)


async def test_what_is_signed_is_exactly_what_is_sent():
    key = ed25519.Ed25519PrivateKey.generate()
    created = stake_json(
        status="Staking",
        actions=[
            {
                "id": "stka-1",
                "stakeId": "stk-aaaaa-bbbbb-cccccccccccccccc",
                "kind": "Stake",
                "status": "InProgress",
                "requester": {"userId": "us-1"},
                "requestBody": {"amount": "1000000000000000000"},
                "dateCreated": "2026-01-02T03:04:05.678Z",
            }
        ],
    )
    fake = FakeDfns(reply(json=created))
    await create_with(fake, base_url="http://dfns/api", key=key)
    init, action, write = fake.requests
    signed = json.loads(init.content)
    assert signed["userActionPayload"] == write.content.decode()
    assert signed["userActionHttpMethod"] == "POST"
    assert signed["userActionHttpPath"] == "/staking/stakes"  # no mount prefix
    assert signed["userActionServerKind"] == "Api"
    assert write.url.path == "/api/staking/stakes"
    assert write.headers["X-DFNS-USERACTION"] == "ua-1"
    assertion = json.loads(action.content)
    assert assertion["challengeIdentifier"] == "chl-1"
    factor = assertion["firstFactor"]
    assert (
        factor["kind"] == "Key" and factor["credentialAssertion"]["credId"] == CRED_ID
    )
    encoded = factor["credentialAssertion"]
    assert "=" not in encoded["clientData"] + encoded["signature"]
    client_data = base64.urlsafe_b64decode(encoded["clientData"] + "==")
    assert json.loads(client_data) == {
        "type": "key.get",
        "challenge": CHALLENGE,
        "origin": "https://app.dfns.io",
        "crossOrigin": False,
    }
    signature = base64.urlsafe_b64decode(encoded["signature"] + "==")
    key.public_key().verify(signature, client_data)  # raises if not ours
    assert all(r.headers["Authorization"] == "Bearer token-1" for r in fake.requests)


async def test_reads_carry_the_bearer_token_and_no_user_action():
    fake = FakeDfns(listing())
    adapter, http = adapter_for(fake)
    async with http:
        await adapter.health_check()
    [request] = fake.requests
    assert request.headers["Authorization"] == "Bearer token-1"
    assert "X-DFNS-USERACTION" not in request.headers
    assert request.url.params["limit"] == "1"


async def test_an_unreadable_private_key_is_an_auth_error():
    bad = DfnsConfig(
        api_url="http://dfns",
        auth_token=SecretStr("t"),
        cred_id=CRED_ID,
        private_key_pem=SecretStr(
            "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----"
        ),
    )
    async with httpx.AsyncClient() as http:
        with pytest.raises(ProviderAuthError):
            DfnsAdapter(http, bad)


def test_the_key_can_be_read_from_a_pem_file(tmp_path):
    good = config()
    path = tmp_path / "key.pem"
    path.write_text(good.private_key_pem.get_secret_value())
    loaded = DfnsConfig.with_key_file(
        api_url=good.api_url,
        auth_token=good.auth_token,
        cred_id=CRED_ID,
        private_key_file=path,
    )
    assert (
        loaded.private_key_pem.get_secret_value()
        == good.private_key_pem.get_secret_value()
    )


@pytest.mark.parametrize(
    "rewards",
    [
        {"symbol": "ETH", "balance": 1.5},
        {"symbol": "BTC", "balance": "1"},
        {"symbol": "ETH", "balance": "-1.0"},
        {"symbol": "ETH", "balance": "NaN.0"},
        {"balance": "1"},
        "null",  # an answer, not an empty one
    ],
)
async def test_garbage_rewards_are_a_protocol_error(rewards):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/rewards"):
            if isinstance(rewards, str):
                return httpx.Response(200, content=rewards.encode())
            return httpx.Response(200, json=rewards)
        return httpx.Response(200, json={"items": [stake_json()]})

    adapter, http = adapter_for(FakeDfns(handler))
    async with http:
        with pytest.raises(ProviderProtocolError):
            await adapter.list_rewards([OWNER])


async def test_an_empty_rewards_answer_is_no_rewards_not_a_failed_page():
    quiet = "stk-quiet-00000-0000000000000000"

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == f"/staking/stakes/{quiet}/rewards":
            return httpx.Response(200)  # the SDK's `... | undefined`
        if request.url.path.endswith("/rewards"):
            return httpx.Response(200, json={"symbol": "ETH", "balance": "5"})
        return httpx.Response(200, json={"items": [stake_json(), stake_json(id=quiet)]})

    adapter, http = adapter_for(FakeDfns(handler))
    async with http:
        stakes = {s.provider_stake_id: s for s in await adapter.list_stakes([OWNER])}
        rewards = await adapter.list_rewards([OWNER])
    assert stakes[quiet].rewards_earned == 0 and stakes[quiet].rewards == ()
    assert [r.provider_stake_id for r in rewards] == [stake_json()["id"]]


@pytest.mark.parametrize(
    ("balance", "expected"),
    [("1500000000000000000", Decimal("1.5")), ("0.25", Decimal("0.25"))],
)
async def test_a_rewards_balance_is_minimum_units_unless_it_has_a_decimal_point(
    balance, expected
):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/rewards"):
            return httpx.Response(200, json={"symbol": "ETH", "balance": balance})
        return httpx.Response(200, json={"items": [stake_json()]})

    adapter, http = adapter_for(FakeDfns(handler))
    async with http:
        [reward] = await adapter.list_rewards([OWNER])
    assert reward.amount == expected and reward.cumulative


def allocation_json(**amount_overrides) -> dict[str, Any]:
    amount = {
        "kind": "Erc20",
        "contract": "0x0A7660979A67E4bC51E750C628C8479ff9F458aE",
        "amount": "1000000",
        "metadata": {"network": "Ethereum", "symbol": "0fns", "decimals": 6},
    }
    amount.update(amount_overrides)
    return {
        "id": "allctn-aaaaa-bbbbb-cccccccccccccccc",
        "walletId": OWNER,
        "protocol": "0fns",
        "amount": amount,
        "rewards": amount,
        "dateCreated": "2026-01-02T03:04:05.678Z",
    }


@pytest.mark.parametrize(
    "allocation",
    [
        allocation_json(metadata={"network": "Ethereum", "decimals": 99}),
        allocation_json(metadata={"network": "Ethereum"}),
        allocation_json(kind="Bitcoin"),
        allocation_json(contract=None),
        allocation_json(amount="12.5"),
        {**allocation_json(), "rewards": None},
        {**allocation_json(), "dateCreated": 1700000000},
    ],
)
async def test_garbage_allocations_are_a_protocol_error(allocation):
    adapter, http = adapter_for(FakeDfns(listing(allocation)))
    async with http:
        with pytest.raises(ProviderProtocolError):
            await adapter.list_allocations([OWNER])


async def test_every_adapter_error_is_a_provider_error():
    # The port promises provider errors only: even a crash-prone answer stays inside.
    with pytest.raises(ProviderError):
        await list_with(reply(json={"items": [None]}))
