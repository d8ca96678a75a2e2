"""The adapter against a Crocante written from PROVIDERS.md and the seed alone
(`doc_fake`), behind a proxy prefix and on non-default paths."""

import base64
import json
from decimal import Decimal

import httpx
import pytest
from pydantic import SecretStr

from gateway.domain.commands import CreateStake, Unstake
from gateway.domain.enums import (
    ActionStatus,
    StakeActionKind,
    StakeStatus,
    UserErrorCode,
)
from providers.base import ProviderRejected
from providers.crocante import CrocanteAdapter, CrocanteConfig
from tests.providers.crocante.doc_fake import DocFake, Paths

ROOT = "/proxy/crocante/v1"
PATHS = Paths(
    login="auth/login",
    types="private/staking/types",
    create="private/staking",
    active="private/staking/active",
    redeemed="private/staking/redeemed",
    redeem="private/staking/%OPID/redeem",
)


def _wired(**options) -> tuple[DocFake, CrocanteAdapter]:
    fake = DocFake("alice", "pw-1", root=ROOT, paths=PATHS, **options)
    config = CrocanteConfig(
        base_url=f"http://crocante.example{ROOT}/",
        username="alice",
        password=SecretStr("pw-1"),
        totp_secret=SecretStr(base64.b32encode(b"0123456789").decode())
        if fake.needs_totp
        else None,
        login_path=PATHS.login,
        types_path=PATHS.types,
        create_path=PATHS.create,
        active_path=PATHS.active,
        redeemed_path=PATHS.redeemed,
        redeem_path=PATHS.redeem,
    )
    http = httpx.AsyncClient(
        transport=httpx.MockTransport(fake), base_url=config.base_url
    )
    return fake, CrocanteAdapter(http, config)


def _calls(fake: DocFake) -> list[str]:
    return [
        f"{r.method} {r.url.path.removeprefix(ROOT)}"
        + (f"?{r.url.query.decode()}" if r.url.query else "")
        for r in fake.requests
    ]


async def _product(adapter: CrocanteAdapter, product_id: str):
    return next(
        p for p in await adapter.list_products() if p.provider_product_id == product_id
    )


@pytest.mark.parametrize("needs_totp", [False, True])
async def test_a_stake_logs_in_once_and_is_sent_as_documented(needs_totp):
    fake, adapter = _wired(needs_totp=needs_totp)
    product = await _product(adapter, "stake_eth_variable")
    result = await adapter.create_stake(CreateStake("alice", product, Decimal("5.0")))
    assert fake.violations == []
    calls = _calls(fake)
    assert calls[0] == "POST /auth/login"
    assert calls.count("POST /auth/login") == 1
    assert "POST /private/staking" in calls
    login, *rest = fake.requests
    body = json.loads(login.content)
    assert set(body) == {"username", "password"} | (
        {"totpCode"} if needs_totp else set()
    )
    assert all(r.headers["Authorization"].startswith("Bearer ") for r in rest)
    (create,) = [r for r in rest if r.method == "POST"]
    assert json.loads(create.content) == {
        "typeId": "stake_eth_variable",
        "amount": "5.0",
    }
    # No id comes back: the new position is found by listing the active ones again.
    assert calls[-1] == "GET /private/staking/active?page=0&size=50"
    assert result.stake is not None and result.action is not None
    assert result.stake.provider_stake_id == "op_stake_000001"
    assert result.stake.status is StakeStatus.ACTIVE
    assert result.stake.amount == Decimal(5)
    # The seed's reading: `amount` is the principal, `yield` beside it.
    assert result.stake.current_amount == Decimal("5.25")
    assert result.stake.rewards_earned == Decimal("0.25")
    assert result.action.kind is StakeActionKind.STAKE


async def test_a_redeem_posts_an_empty_body_on_the_operation_and_closes_it():
    fake, adapter = _wired()
    product = await _product(adapter, "stake_eth_variable")
    created = await adapter.create_stake(CreateStake("alice", product, Decimal(1)))
    assert created.stake is not None
    fake.requests.clear()
    redeemed = await adapter.unstake(Unstake("alice", created.stake))
    assert fake.violations == []
    (post,) = [r for r in fake.requests if r.method == "POST"]
    assert post.url.path == f"{ROOT}/private/staking/op_stake_000001/redeem"
    assert json.loads(post.content) == {}
    assert redeemed.stake is not None and redeemed.action is not None
    assert redeemed.stake.status is StakeStatus.WITHDRAWN
    assert redeemed.stake.closed_at is not None
    assert redeemed.action.kind is StakeActionKind.REDEEM
    assert redeemed.action.status is ActionStatus.COMPLETED
    (listed,) = await adapter.list_stakes(["alice"])
    assert listed.status is StakeStatus.WITHDRAWN
    assert "GET /private/staking/redeemed?page=0&size=50" in _calls(fake)


async def test_refusals_read_in_the_seeds_error_shape():
    fake, adapter = _wired()
    fixed = await _product(adapter, "stake_btc_fixed_90")
    with pytest.raises(ProviderRejected) as below:
        await adapter.create_stake(CreateStake("alice", fixed, Decimal("0.0001")))
    assert below.value.user_error_code is UserErrorCode.BELOW_MINIMUM_STAKE
    created = await adapter.create_stake(CreateStake("alice", fixed, Decimal("0.5")))
    assert created.stake is not None
    fake.positions["op_stake_000001"]["redeemableAt"] = "2026-06-01T00:00:00Z"
    with pytest.raises(ProviderRejected) as early:
        await adapter.unstake(Unstake("alice", created.stake))
    assert early.value.user_error_code is UserErrorCode.NOT_REDEEMABLE_YET
    assert fake.violations == ["400 Amount below minimum", "400 Not redeemable yet"]


async def test_the_fake_refuses_what_crocante_would():
    fake = DocFake("alice", "pw-1", root=ROOT, paths=PATHS)
    http = httpx.AsyncClient(
        transport=httpx.MockTransport(fake), base_url=f"http://crocante.example{ROOT}/"
    )
    assert (await http.get(PATHS.types)).status_code == 401
    login = await http.post(
        PATHS.login, json={"username": "alice", "password": "pw-1", "otp": "1"}
    )
    assert login.status_code == 400
    login = await http.post(PATHS.login, json={"username": "alice", "password": "pw-1"})
    bearer = {"Authorization": f"Bearer {login.json()['data']['token']}"}
    extra = await http.post(
        PATHS.create,
        json={"typeId": "stake_eth_variable", "amount": "1", "userId": "alice"},
        headers=bearer,
    )
    assert extra.status_code == 400
    assert len(fake.violations) == 3
