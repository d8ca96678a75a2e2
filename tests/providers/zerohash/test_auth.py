"""Request signing (ZerohashAuth) and the sandbox's refusal of anything not signed right."""

import base64
import hashlib
import hmac
import json
import time

import httpx
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.routing import Mount

from providers.base import ProviderAuthError
from providers.zerohash import ZerohashAdapter
from providers.zerohash.auth import ZerohashAuth
from providers.zerohash.sandbox import ZerohashSandbox
from tests.providers.zerohash.helpers import (
    API_KEY,
    API_SECRET,
    PASSPHRASE,
    SECRET_BYTES,
    call,
    signature,
)

FIXED_TIME = 1_772_452_800.75


def _capture() -> tuple[list[httpx.Request], httpx.MockTransport]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    return seen, httpx.MockTransport(handler)


def _auth(mount_path: bytes = b"") -> ZerohashAuth:
    return ZerohashAuth(
        API_KEY,
        SecretStr(API_SECRET),
        SecretStr(PASSPHRASE),
        mount_path=mount_path,
        wall_clock=lambda: FIXED_TIME,
    )


async def test_signature_is_hmac_of_seconds_method_route_and_exact_body():
    seen, transport = _capture()
    body = json.dumps({"asset": "ETH", "amount": "1.5"}, separators=(",", ":")).encode()
    async with httpx.AsyncClient(transport=transport, base_url="https://zh") as client:
        await client.post("/stakes?x=1", content=body, auth=_auth())
    request = seen[0]
    message = b"1772452800POST/stakes?x=1" + body
    expected = base64.b64encode(
        hmac.new(SECRET_BYTES, message, hashlib.sha256).digest()
    )
    assert request.headers["X-SCX-SIGNED"] == expected.decode()
    assert request.headers["X-SCX-TIMESTAMP"] == "1772452800"
    assert request.headers["X-SCX-API-KEY"] == API_KEY
    assert request.headers["X-SCX-PASSPHRASE"] == PASSPHRASE
    assert request.content == body


async def test_get_signs_the_literal_empty_object_as_body():
    seen, transport = _capture()
    async with httpx.AsyncClient(transport=transport, base_url="https://zh") as client:
        await client.get("/stakes/CUST01", params={"page": 1}, auth=_auth())
    expected = signature(
        SECRET_BYTES, "1772452800", "GET", "/stakes/CUST01?page=1", "{}"
    )
    assert seen[0].headers["X-SCX-SIGNED"] == expected


async def test_mount_prefix_of_the_base_url_is_not_part_of_the_signed_route():
    seen, transport = _capture()
    base = "http://gateway/sandbox/zerohash/"
    async with httpx.AsyncClient(transport=transport, base_url=base) as client:
        await client.get("/assets", auth=_auth(client.base_url.raw_path))
    assert seen[0].url.raw_path == b"/sandbox/zerohash/assets"
    expected = signature(SECRET_BYTES, "1772452800", "GET", "/assets", "{}")
    assert seen[0].headers["X-SCX-SIGNED"] == expected


def test_a_secret_that_is_not_base64_is_refused_at_construction():
    with pytest.raises(ValueError, match="base64"):
        ZerohashAuth(API_KEY, SecretStr("not base64!"), SecretStr(PASSPHRASE))


async def test_adapter_works_against_a_sandbox_mounted_under_a_prefix(sandbox):
    outer = Starlette(routes=[Mount("/sandbox/zerohash", app=sandbox.app)])
    base = "http://gateway/sandbox/zerohash"
    transport = httpx.ASGITransport(app=outer)
    async with httpx.AsyncClient(transport=transport, base_url=base) as client:
        adapter = ZerohashAdapter(client, sandbox.gateway_config(base))
        stakes = await adapter.list_stakes(["DEMO01"])
    assert len(stakes) == 3


async def test_time_needs_no_credentials(http):
    response = await http.get("/time")
    assert response.status_code == 200
    assert abs(response.json()["epoch"] - time.time()) < 5


async def test_a_call_without_credentials_is_refused_with_invalid_token(http):
    response = await http.get("/assets")
    assert response.status_code == 401
    body = response.json()
    assert body["error_code"] == "INVALID_TOKEN"
    assert set(body) == {
        "error_code", "message", "details", "user_message", "request_id", "timestamp"
    }  # fmt: skip


@pytest.mark.parametrize(
    "auth",
    [
        {"api_key": "someone-else"},
        {"passphrase": "wrong"},
        {"secret": b"another-secret"},
        {"stamp": lambda: str(int(time.time()) - 120)},
        {"stamp": lambda: str(int(time.time()) + 120)},
        {"stamp": lambda: str(int(time.time() * 1000))},
    ],
    ids=["api-key", "passphrase", "secret", "stale", "future", "milliseconds"],
)
async def test_wrong_credentials_or_timestamp_are_refused(http, auth):
    # Timestamps are taken when the test runs, not when the module is collected.
    auth = {k: v() if callable(v) else v for k, v in auth.items()}
    response = await call(http, "GET", "/assets?staking_enabled=true", **auth)
    assert response.status_code == 401
    assert response.json()["error_code"] == "INVALID_TOKEN"


async def test_the_signed_body_must_be_the_body_sent(http):
    signed = '{"participant_code":"CUST01"}'
    sent = b'{"participant_code":"CUST02"}'
    stamp = str(int(time.time()))
    headers = {
        "X-SCX-API-KEY": API_KEY,
        "X-SCX-TIMESTAMP": stamp,
        "X-SCX-PASSPHRASE": PASSPHRASE,
        "X-SCX-SIGNED": signature(SECRET_BYTES, stamp, "POST", "/stakes", signed),
    }
    response = await http.post("/stakes", content=sent, headers=headers)
    assert response.status_code == 401


async def test_the_query_string_is_part_of_the_signature(http):
    stamp = str(int(time.time()))
    headers = {
        "X-SCX-API-KEY": API_KEY,
        "X-SCX-TIMESTAMP": stamp,
        "X-SCX-PASSPHRASE": PASSPHRASE,
        "X-SCX-SIGNED": signature(SECRET_BYTES, stamp, "GET", "/stakes/DEMO01", "{}"),
    }
    response = await http.get("/stakes/DEMO01?page=2", headers=headers)
    assert response.status_code == 401


async def test_a_mounted_sandbox_refuses_a_route_signed_with_the_mount_prefix(sandbox):
    outer = Starlette(routes=[Mount("/sandbox/zerohash", app=sandbox.app)])
    transport = httpx.ASGITransport(app=outer)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        stamp = str(int(time.time()))
        route = "/sandbox/zerohash/assets"
        headers = {
            "X-SCX-API-KEY": API_KEY,
            "X-SCX-TIMESTAMP": stamp,
            "X-SCX-PASSPHRASE": PASSPHRASE,
            "X-SCX-SIGNED": signature(SECRET_BYTES, stamp, "GET", route, "{}"),
        }
        response = await client.get(route, headers=headers)
    assert response.status_code == 401


async def test_adapter_with_other_credentials_raises_provider_auth_error(http, clock):
    other = ZerohashSandbox(clock=clock)
    adapter = ZerohashAdapter(http, other.gateway_config("http://sandbox"))
    with pytest.raises(ProviderAuthError):
        await adapter.list_products()


def test_generated_credentials_differ_per_sandbox_and_the_secret_is_base64(clock):
    one, two = ZerohashSandbox(clock=clock), ZerohashSandbox(clock=clock)
    assert one.api_key != two.api_key
    assert one.api_secret != two.api_secret
    assert len(base64.b64decode(one.api_secret, validate=True)) == 32
    config = one.gateway_config("http://x")
    assert config.api_secret.get_secret_value() == one.api_secret
    assert config.webhook_secret.get_secret_value() == one.webhook_secret
    assert config.base_url == "http://x"
