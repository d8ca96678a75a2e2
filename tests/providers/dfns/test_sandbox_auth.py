"""The sandbox checks Dfns authentication as strictly as Dfns: Bearer on every call,
a single-use user action bound to the exact request on every write, real signatures."""

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from starlette.applications import Starlette
from starlette.routing import Mount

from gateway.domain.commands import CreateStake
from providers.dfns import DfnsAdapter
from providers.dfns.sandbox import DfnsSandbox
from providers.sandbox_kit import SimulatedClock
from tests.providers.dfns.wire import RawDfns, public_pem

WALLET = "wa-authx-00000-00000000000000"
STAKE_BODY = {
    "protocol": "Ethereum",
    "walletId": WALLET,
    "provider": "Figment",
    "amount": "1000000000000000000",
}


def assert_dfns_error(response: httpx.Response, status: int) -> Any:
    assert response.status_code == status, response.text
    body = response.json()
    error = body["error"]
    assert set(error) == {"id", "status", "message", "details"}
    assert error["status"] == status
    assert body["message"] == error["message"]
    return error


async def test_a_call_without_a_bearer_token_is_refused_with_401(http):
    assert_dfns_error(await http.get("/staking/stakes"), 401)


async def test_a_call_with_another_token_is_refused_with_401(http):
    response = await http.get(
        "/staking/stakes", headers={"Authorization": "Bearer nope"}
    )
    assert_dfns_error(response, 401)


async def test_the_user_action_endpoints_need_the_bearer_token_too(http):
    response = await http.post("/auth/action/init", json={"userActionPayload": ""})
    assert_dfns_error(response, 401)


async def test_a_read_needs_no_user_action(raw):
    assert (await raw.get("/staking/stakes")).status_code == 200


async def test_a_write_without_a_user_action_is_refused_with_403(raw):
    response = await raw.http.post(
        "/staking/stakes", json=STAKE_BODY, headers=raw.bearer
    )
    assert_dfns_error(response, 403)


async def test_a_properly_signed_write_is_accepted(raw):
    response = await raw.post("/staking/stakes", STAKE_BODY)
    assert response.status_code == 200, response.text
    assert response.json()["walletId"] == WALLET


async def test_a_user_action_is_single_use(raw):
    payload = json.dumps(STAKE_BODY)
    action = await raw.user_action("POST", "/staking/stakes", payload)
    first = await raw.send_signed("POST", "/staking/stakes", payload, action)
    assert first.status_code == 200
    again = await raw.send_signed("POST", "/staking/stakes", payload, action)
    error = assert_dfns_error(again, 400)
    assert error["message"] == "user action has already been used"


@pytest.mark.parametrize(
    ("signed_method", "signed_path", "signed_payload"),
    [
        ("POST", "/staking/stakes", json.dumps({**STAKE_BODY, "amount": "2"})),
        ("POST", "/allocations", json.dumps(STAKE_BODY)),
        ("PUT", "/staking/stakes", json.dumps(STAKE_BODY)),
        # Same JSON, other bytes: the signature covers the exact string.
        ("POST", "/staking/stakes", json.dumps(STAKE_BODY, indent=1)),
    ],
)
async def test_a_user_action_for_another_request_is_refused_with_403(
    raw, signed_method, signed_path, signed_payload
):
    action = await raw.user_action(signed_method, signed_path, signed_payload)
    response = await raw.send_signed(
        "POST", "/staking/stakes", json.dumps(STAKE_BODY), action
    )
    assert_dfns_error(response, 403)


async def test_an_unknown_user_action_token_is_refused_with_403(raw):
    payload = json.dumps(STAKE_BODY)
    response = await raw.send_signed("POST", "/staking/stakes", payload, "made-up")
    assert_dfns_error(response, 403)


async def test_a_signature_by_an_unregistered_key_is_refused_with_401(raw):
    init = (await raw.challenge("POST", "/staking/stakes", "{}")).json()
    stranger = ed25519.Ed25519PrivateKey.generate()
    assert_dfns_error(await raw.complete(raw.assertion(init, key=stranger)), 401)


async def test_an_unknown_credential_id_is_refused_with_401(raw):
    init = (await raw.challenge("POST", "/staking/stakes", "{}")).json()
    response = await raw.complete(
        raw.assertion(init, cred_id="cr-nope0-nope0-nope0nope0nope0no")
    )
    assert_dfns_error(response, 401)


@pytest.mark.parametrize(
    "client_data",
    [
        {"type": "webauthn.get", "origin": "https://app.dfns.io", "crossOrigin": False},
        {
            "type": "key.get",
            "origin": "https://app.dfns.io",
            "crossOrigin": False,
            "bad": 1,
        },
    ],
)
async def test_client_data_of_another_kind_or_challenge_is_refused(raw, client_data):
    init = (await raw.challenge("POST", "/staking/stakes", "{}")).json()
    data = {"challenge": init["challenge"], **client_data}
    if "bad" in data:
        data["challenge"] = "another-challenge"
    assert_dfns_error(await raw.complete(raw.assertion(init, client_data=data)), 401)


async def test_a_challenge_expires_after_five_simulated_minutes(raw, clock):
    init = (await raw.challenge("POST", "/staking/stakes", "{}")).json()
    await clock.advance(5 * 60 + 1)
    assert_dfns_error(await raw.complete(raw.assertion(init)), 401)


async def test_a_challenge_serves_once(raw):
    init = (await raw.challenge("POST", "/staking/stakes", "{}")).json()
    assert (await raw.complete(raw.assertion(init))).status_code == 200
    assert_dfns_error(await raw.complete(raw.assertion(init)), 401)


async def test_the_challenge_lists_the_registered_key_credentials(raw):
    init = (await raw.challenge("POST", "/staking/stakes", "{}")).json()
    assert {"type": "public-key", "id": raw.cred_id} in init["allowCredentials"]["key"]
    assert init["supportedCredentialKinds"][0]["kind"] == "Key"


async def test_init_refuses_a_path_with_a_host_or_query(raw):
    response = await raw.challenge("POST", "https://api.dfns.io/staking/stakes", "")
    assert_dfns_error(response, 400)


@pytest.mark.parametrize(
    "make_key",
    [
        lambda: ec.generate_private_key(ec.SECP256R1()),
        lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
        ed25519.Ed25519PrivateKey.generate,
    ],
    ids=["ecdsa-p256", "rsa", "ed25519"],
)
async def test_registered_ecdsa_rsa_and_ed25519_credentials_can_sign(
    raw, sandbox, make_key
):
    key = make_key()
    sandbox.register_credential("cr-extra-extra-extraextraextra", public_pem(key))
    other = RawDfns(raw.http, raw.token, "cr-extra-extra-extraextraextra", key)
    response = await other.post("/staking/stakes", STAKE_BODY)
    assert response.status_code == 200, response.text


async def test_a_sandbox_given_credentials_accepts_them_and_hands_out_no_key():
    key = ec.generate_private_key(ec.SECP256R1())
    sandbox = DfnsSandbox(
        clock=SimulatedClock(time_scale=0.0),
        auth_token="tok-given",
        credentials={"cr-given-given-givengivengiven": public_pem(key)},
    )
    with pytest.raises(RuntimeError):
        sandbox.gateway_config("http://sandbox")
    transport = httpx.ASGITransport(app=sandbox.app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://sandbox"
    ) as http:
        raw = RawDfns(http, "tok-given", "cr-given-given-givengivengiven", key)
        assert (await raw.post("/staking/stakes", STAKE_BODY)).status_code == 200


async def test_the_signed_path_excludes_the_prefix_the_sandbox_is_mounted_under(
    sandbox,
):
    host = Starlette(routes=[Mount("/sandbox/dfns", app=sandbox.app)])
    base_url = "http://gateway/sandbox/dfns"
    transport = httpx.ASGITransport(app=host)
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as http:
        adapter = DfnsAdapter(http, sandbox.gateway_config(base_url))
        products = await adapter.list_products()
        ethereum = next(p for p in products if p.protocol == "Ethereum")
        result = await adapter.create_stake(
            CreateStake(owner=WALLET, product=ethereum, amount=Decimal("0.5"))
        )
        assert result.stake is not None and result.stake.owner == WALLET
