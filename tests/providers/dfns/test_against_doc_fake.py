"""The adapter against a Dfns written from PROVIDERS.md alone (`doc_fake`)."""

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from pydantic import SecretStr

from gateway.domain.commands import CreateStake, CreateStakeAction, Unstake
from gateway.domain.enums import (
    ActionStatus,
    StakeActionKind,
    StakeStatus,
    UserErrorCode,
)
from providers.base import ProviderRejected
from providers.dfns import DfnsAdapter, DfnsConfig
from providers.dfns.auth import DfnsAuth
from tests.providers.dfns.doc_fake import STAKE_ID, DocFake

WALLET = "wa-docfk-00000-00000000000000"
IOTA_VALIDATOR = "0x" + "ab" * 32
XDC_CANDIDATE = "xdc" + "12" * 20
CRED_ID = "cr-docfk-00000-00000000000000"
ROOT = "/dfns-proxy"


def _key(kind: str) -> Any:
    if kind == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if kind == "p256":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _config(key: Any) -> DfnsConfig:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return DfnsConfig(
        api_url=f"http://dfns.example{ROOT}",
        auth_token=SecretStr("token-doc"),
        cred_id=CRED_ID,
        private_key_pem=SecretStr(pem),
    )


def _http(fake: DocFake) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.MockTransport(fake), base_url=f"http://dfns.example{ROOT}"
    )


def _wired(key_kind: str = "ed25519", **options: Any) -> tuple[DocFake, DfnsAdapter]:
    key = _key(key_kind)
    fake = DocFake("token-doc", CRED_ID, key.public_key(), root=ROOT, **options)
    return fake, DfnsAdapter(_http(fake), _config(key))


async def _product(adapter: DfnsAdapter, protocol: str):
    return next(p for p in await adapter.list_products() if p.protocol == protocol)


def _calls(fake: DocFake) -> list[str]:
    return [f"{r.method} {r.url.path.removeprefix(ROOT)}" for r in fake.requests]


def _body(request: httpx.Request) -> dict[str, Any]:
    body = json.loads(request.content)
    assert isinstance(body, dict)
    return body


@pytest.mark.parametrize("key_kind", ["ed25519", "p256", "rsa"])
async def test_a_stake_is_signed_and_sent_as_documented(key_kind):
    fake, adapter = _wired(key_kind)
    result = await adapter.create_stake(
        CreateStake(WALLET, await _product(adapter, "Ethereum"), Decimal("1.5"))
    )
    assert fake.violations == []
    assert _calls(fake) == [
        "POST /auth/action/init",
        "POST /auth/action",
        "POST /staking/stakes",
    ]
    init, _, post = fake.requests
    assert _body(init) == {
        "userActionPayload": post.content.decode(),
        "userActionHttpMethod": "POST",
        "userActionHttpPath": "/staking/stakes",  # no proxy prefix, no host
        "userActionServerKind": "Api",
    }
    assert _body(post) == {
        "protocol": "Ethereum",
        "walletId": WALLET,
        "provider": "Figment",
        "amount": "1500000000000000000",
    }
    assert all(r.headers["Authorization"] == "Bearer token-doc" for r in fake.requests)
    assert result.stake is not None and STAKE_ID.match(result.stake.provider_stake_id)
    assert result.stake.status is StakeStatus.PENDING
    assert result.action is not None
    assert result.action.provider_action_id.startswith("stka-")


async def test_every_write_has_its_own_single_use_user_action():
    fake, adapter = _wired()
    product = await _product(adapter, "Ethereum")
    for external_id in ("order-1", "order-2"):
        await adapter.create_stake(
            CreateStake(WALLET, product, Decimal(1), external_id=external_id)
        )
    tokens = [
        r.headers["X-DFNS-USERACTION"]
        for r in fake.requests
        if r.url.path.endswith("/staking/stakes") and r.method == "POST"
    ]
    assert len(tokens) == len(set(tokens)) == 2
    assert fake.violations == []
    replay = fake.requests[-1]
    answer = fake(replay)  # the same token again, as a replay would send it
    assert answer.status_code == 400
    assert fake.violations == ["400 user action has already been used"]


async def test_iota_and_xdc_bodies_and_their_actions_are_the_documented_ones():
    fake, adapter = _wired()
    iota = await adapter.create_stake(
        CreateStake(
            WALLET,
            await _product(adapter, "Iota"),
            Decimal(10),
            validator=IOTA_VALIDATOR,
            external_id="iota-1",
        )
    )
    xdc = await adapter.create_stake(
        CreateStake(
            WALLET,
            await _product(adapter, "Xdc"),
            Decimal(10_000_000),
            validator=XDC_CANDIDATE,
        )
    )
    assert iota.stake is not None and xdc.stake is not None
    for created in (iota, xdc):
        fake.activate(created.stake.provider_stake_id)
    iota_stake = await adapter.get_stake(WALLET, iota.stake.provider_stake_id)
    xdc_stake = await adapter.get_stake(WALLET, xdc.stake.provider_stake_id)
    assert iota_stake is not None and xdc_stake is not None
    await adapter.unstake(Unstake(WALLET, iota_stake, Decimal(4)))
    await adapter.create_stake_action(
        CreateStakeAction(WALLET, iota_stake, StakeActionKind.DEPOSIT, Decimal(1))
    )
    await adapter.unstake(Unstake(WALLET, xdc_stake))
    fake.settle(xdc.stake.provider_stake_id, "Unbond")
    unbonded = await adapter.get_stake(WALLET, xdc.stake.provider_stake_id)
    assert unbonded is not None
    await adapter.create_stake_action(
        CreateStakeAction(WALLET, unbonded, StakeActionKind.WITHDRAW)
    )
    assert fake.violations == []
    posts = [
        _body(r)
        for r in fake.requests
        if r.method == "POST" and "/staking/" in r.url.path
    ]
    assert posts == [
        {
            "protocol": "Iota",
            "walletId": WALLET,
            "validator": IOTA_VALIDATOR,
            "amount": "10000000000",
            "externalId": "iota-1",
        },
        {
            "protocol": "Xdc",
            "walletId": WALLET,
            "candidate": XDC_CANDIDATE,
            "amount": str(10_000_000 * 10**18),
        },
        {"protocol": "Iota", "kind": "Withdraw", "amount": "4000000000"},
        {"protocol": "Iota", "kind": "Deposit", "amount": "1000000000"},
        {"protocol": "Xdc", "kind": "Unbond"},
        {"protocol": "Xdc", "kind": "Withdraw"},
    ]
    action_paths = {
        r.url.path.removeprefix(ROOT)
        for r in fake.requests
        if r.url.path.endswith("/actions")
    }
    assert all(STAKE_ID.match(p.split("/")[3]) for p in action_paths)


async def test_babylon_is_refused_before_anything_is_sent():
    fake, adapter = _wired()
    with pytest.raises(ProviderRejected) as info:
        await adapter.create_stake(
            CreateStake(WALLET, await _product(adapter, "Babylon"), Decimal("0.1"))
        )
    assert info.value.user_error_code is UserErrorCode.UNSUPPORTED_ACTION
    assert fake.requests == []


async def test_a_list_reads_actions_and_rewards_per_stake_and_an_empty_rewards_answer():
    fake, adapter = _wired()
    product = await _product(adapter, "Ethereum")
    ids = []
    for _ in range(3):
        created = await adapter.create_stake(CreateStake(WALLET, product, Decimal(2)))
        assert created.stake is not None
        ids.append(created.stake.provider_stake_id)
        fake.activate(ids[-1])
    fake.no_rewards.add(ids[0])
    fake.requests.clear()
    stakes = {s.provider_stake_id: s for s in await adapter.list_stakes([WALLET])}
    assert fake.violations == []
    assert set(stakes) == set(ids)
    lists = [r for r in fake.requests if r.url.path == f"{ROOT}/staking/stakes"]
    assert [r.url.params["limit"] for r in lists] == ["500"]
    for stake_id in ids:
        assert f"GET /staking/stakes/{stake_id}/actions" in _calls(fake)
        assert [a.status for a in stakes[stake_id].actions] == [ActionStatus.COMPLETED]
    assert stakes[ids[0]].rewards_earned == 0 and stakes[ids[0]].rewards == ()
    assert stakes[ids[1]].rewards_earned == Decimal("7000E-18")


async def test_a_write_held_by_a_bodiless_202_shows_its_action_waiting():
    fake, adapter = _wired()
    created = await adapter.create_stake(
        CreateStake(
            WALLET,
            await _product(adapter, "Iota"),
            Decimal(10),
            validator=IOTA_VALIDATOR,
        )
    )
    assert created.stake is not None
    fake.activate(created.stake.provider_stake_id)
    stake = await adapter.get_stake(WALLET, created.stake.provider_stake_id)
    assert stake is not None
    fake.hold_writes = True
    held = await adapter.create_stake_action(
        CreateStakeAction(WALLET, stake, StakeActionKind.DEPOSIT, Decimal(3))
    )
    assert held.action is not None
    assert held.action.kind is StakeActionKind.DEPOSIT
    assert held.action.status is ActionStatus.PENDING_APPROVAL
    held_stake = await adapter.create_stake(
        CreateStake(
            WALLET,
            await _product(adapter, "Ethereum"),
            Decimal(1),
            external_id="held-1",
        )
    )
    assert held_stake.action is not None
    assert held_stake.action.status is ActionStatus.PENDING_APPROVAL
    assert fake.violations == []


async def test_an_external_id_reused_for_another_body_is_a_conflict_naming_it():
    fake, adapter = _wired()
    product = await _product(adapter, "Ethereum")
    first = await adapter.create_stake(
        CreateStake(WALLET, product, Decimal(1), external_id="same")
    )
    again = await adapter.create_stake(
        CreateStake(WALLET, product, Decimal(1), external_id="same")
    )
    assert first.stake is not None and again.stake is not None
    assert again.stake.provider_stake_id == first.stake.provider_stake_id
    with pytest.raises(ProviderRejected) as info:
        await adapter.create_stake(
            CreateStake(WALLET, product, Decimal(2), external_id="same")
        )
    assert info.value.user_error_code is UserErrorCode.IDEMPOTENCY_CONFLICT
    assert info.value.existing_id == first.stake.provider_stake_id
    assert fake.violations == ["409 externalId reused"]


async def test_the_fake_refuses_what_dfns_would():
    key = _key("ed25519")
    fake = DocFake("token-doc", CRED_ID, key.public_key(), root=ROOT)
    http = _http(fake)
    unsigned = await http.post("staking/stakes", content=b"{}")
    assert unsigned.status_code == 401  # no bearer
    bearer = {"Authorization": "Bearer token-doc"}
    no_action = await http.post("staking/stakes", content=b"{}", headers=bearer)
    assert no_action.status_code == 403
    babylon = {
        "protocol": "Babylon",
        "walletId": WALLET,
        "provider": "Figment",
        "amount": "10000000",
        "duration": 64000,
    }
    signed = await http.post(
        "staking/stakes",
        content=json.dumps(babylon, separators=(",", ":")).encode(),
        auth=DfnsAuth(_config(key), root_path=ROOT),
    )
    assert signed.status_code == 400
    assert "not in the create-stake union" in signed.json()["error"]["message"]
    assert len(fake.violations) == 3
