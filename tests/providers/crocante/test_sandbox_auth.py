"""The sandbox logs users in as Crocante does and refuses the rest with its codes."""

import time

import httpx
import pytest

from providers.crocante.sandbox import CrocanteSandbox
from providers.crocante.totp import decode_secret, totp
from providers.sandbox_kit import SimulatedClock
from tests.providers.crocante.fakes import PASSWORD, login

TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def auth_error(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


async def test_login_with_the_shared_password_returns_a_token_in_the_envelope(http):
    response = await http.post(
        "auth/login", json={"username": "bob", "password": PASSWORD}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == 200
    assert isinstance(body["data"]["token"], str) and len(body["data"]["token"]) > 20


async def test_a_user_never_seen_is_created_at_first_login_with_starting_balances(
    http, sandbox
):
    assert "newcomer" not in sandbox.state.users

    await login(http, "newcomer")

    assert sandbox.state.users["newcomer"].balances["ETH"] == 50


async def test_a_wrong_password_is_refused_with_credentials_invalid(http, sandbox):
    response = await http.post(
        "auth/login", json={"username": "bob", "password": "nope"}
    )

    assert auth_error(response) == (403, "CREDENTIALS_INVALID")
    assert "bob" not in sandbox.state.users


async def test_a_missing_password_is_refused_with_credentials_invalid(http):
    response = await http.post("auth/login", json={"username": "bob"})

    assert auth_error(response) == (403, "CREDENTIALS_INVALID")


@pytest.mark.parametrize(
    "body",
    [
        {"username": 7, "password": PASSWORD},
        {"username": "", "password": PASSWORD},
        {"username": "a b", "password": PASSWORD},
        {"username": "bob", "password": 123},
        {"username": "bob", "password": PASSWORD, "role": "admin"},
        ["bob", PASSWORD],
    ],
)
async def test_a_malformed_login_body_is_a_400(http, body):
    response = await http.post("auth/login", json=body)

    assert response.status_code == 400
    assert response.json()["status"] == 400


async def test_a_login_body_that_is_not_json_is_a_400(http):
    response = await http.post("auth/login", content=b"username=bob")

    assert response.status_code == 400


async def test_staking_without_an_authorization_header_is_auth_header_missing(http):
    response = await http.get("staking/types")

    assert auth_error(response) == (401, "AUTH_HEADER_MISSING")


async def test_a_non_bearer_authorization_is_auth_header_missing(http):
    response = await http.get(
        "staking/types", headers={"Authorization": "Basic Ym9iOng="}
    )

    assert auth_error(response) == (401, "AUTH_HEADER_MISSING")


async def test_an_unknown_token_is_session_invalid(http):
    response = await http.get(
        "staking/types", headers={"Authorization": "Bearer forged"}
    )

    assert auth_error(response) == (401, "SESSION_INVALID")


async def test_a_token_expires_after_its_ttl_of_simulated_time(http, clock):
    headers = await login(http)
    await clock.advance(3599)
    assert (await http.get("staking/types", headers=headers)).status_code == 200

    await clock.advance(1)
    response = await http.get("staking/types", headers=headers)

    assert auth_error(response) == (401, "TOKEN_EXPIRED")


async def test_an_expired_token_stays_refused(http, clock):
    headers = await login(http)
    await clock.advance(3600)
    await http.get("staking/types", headers=headers)

    response = await http.get("staking/types", headers=headers)

    assert response.status_code == 401


@pytest.fixture
async def totp_http():
    sandbox = CrocanteSandbox(
        clock=SimulatedClock(time_scale=0), password=PASSWORD, totp_secret=TOTP_SECRET
    )
    transport = httpx.ASGITransport(app=sandbox.app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://sandbox"
    ) as client:
        yield client


async def test_with_totp_enabled_a_login_without_a_code_is_totp_missing(totp_http):
    response = await totp_http.post(
        "auth/login", json={"username": "bob", "password": PASSWORD}
    )

    assert auth_error(response) == (401, "TOTP_MISSING")


async def test_with_totp_enabled_a_wrong_code_is_totp_invalid(totp_http):
    key, now = decode_secret(TOTP_SECRET), time.time()
    accepted = {totp(key, now + drift) for drift in (-60, -30, 0, 30, 60)}
    wrong = next(c for c in ("000000", "111111", "222222") if c not in accepted)

    response = await totp_http.post(
        "auth/login", json={"username": "bob", "password": PASSWORD, "totpCode": wrong}
    )

    assert auth_error(response) == (401, "TOTP_INVALID")


async def test_with_totp_enabled_the_current_code_logs_in(totp_http):
    code = totp(decode_secret(TOTP_SECRET), time.time())

    response = await totp_http.post(
        "auth/login", json={"username": "bob", "password": PASSWORD, "totpCode": code}
    )

    assert response.status_code == 200


async def test_the_password_is_random_when_not_given():
    first, second = CrocanteSandbox(), CrocanteSandbox()

    assert first.password != second.password
    assert len(first.password) >= 16


def test_gateway_config_carries_the_sandbox_credentials(sandbox):
    config = sandbox.gateway_config("http://host/sandbox/crocante/")

    assert config.base_url == "http://host/sandbox/crocante/"
    assert config.username is None
    assert config.password is not None
    assert config.password.get_secret_value() == PASSWORD
    assert config.login_any_owner is True
    assert config.totp_secret is None
