"""RSA-signed webhooks (PROVIDERS.md 2.4), HMAC alongside, and the sandbox signing both.

The signatures here are made with `cryptography` directly, as the documentation reads:
RSA over SHA-256 of (raw body + x-zh-hook-timestamp) for x-zh-hook-rsa-signature and of
the raw body for x-zh-hook-rsa-signature-256; PKCS#1 v1.5 and base64 are the assumed
padding and encoding (README, known limits).
"""

import asyncio
import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pydantic import SecretStr

from gateway.settings import Settings
from gateway.web.webhooks import zerohash_verifier
from gateway.wiring import zerohash_config
from providers.zerohash import WebhookRejected, ZerohashConfig, verify_webhook
from providers.zerohash.webhook_rsa import load_public_key
from tests.providers.zerohash.test_webhook_delivery import HOOK_URL, _sandbox, _stake

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SECRET = SecretStr("whsec-test")
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PEM = (
    KEY.public_key()
    .public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    .decode()
)
PUBLIC = load_public_key(PEM)
BODY = json.dumps(
    {
        "event_type": "stake.confirmed",
        "participant_code": "CUST01",
        "stake_id": "stake-1",
        "asset": "ETH",
        "amount": "1",
        "status": "confirmed",
    }
).encode()


def _rsa(key, message: bytes) -> str:
    raw = key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(raw).decode()


def _headers(*, hmac_ok=None, rsa_ok=None, legacy_rsa_ok=None, sent=NOW):
    stamp = str(int(sent.timestamp() * 1000))
    headers = {"x-zh-hook-notification-id": "n-1", "x-zh-hook-timestamp": stamp}
    signed = BODY + stamp.encode()
    if hmac_ok is not None:
        key = b"whsec-test" if hmac_ok else b"wrong"
        headers["x-zh-hook-signature"] = hmac.new(
            key, signed, hashlib.sha256
        ).hexdigest()
    if rsa_ok is not None:
        headers["x-zh-hook-rsa-signature"] = _rsa(KEY if rsa_ok else OTHER_KEY, signed)
    if legacy_rsa_ok is not None:
        key = KEY if legacy_rsa_ok else OTHER_KEY
        headers["x-zh-hook-rsa-signature-256"] = _rsa(key, BODY)
    return headers


def test_an_rsa_signed_delivery_verifies_against_the_public_key_alone():
    notice = verify_webhook(_headers(rsa_ok=True), BODY, None, NOW, public_key=PUBLIC)
    assert notice.event_id == "n-1"
    assert notice.provider_stake_id == "stake-1"


@pytest.mark.parametrize(
    "headers",
    [
        _headers(rsa_ok=False),
        _headers(rsa_ok=True, legacy_rsa_ok=False),  # a wrong legacy one refuses
        _headers(legacy_rsa_ok=True),  # body only: no replay protection, not enough
        _headers(hmac_ok=True),  # HMAC not configured
        _headers(rsa_ok=True, sent=NOW - timedelta(minutes=6)),
    ],
)
def test_rsa_only_refuses_what_it_cannot_verify(headers):
    with pytest.raises(WebhookRejected):
        verify_webhook(headers, BODY, None, NOW, public_key=PUBLIC)


def test_a_tampered_body_fails_rsa():
    with pytest.raises(WebhookRejected):
        verify_webhook(_headers(rsa_ok=True), BODY + b" ", None, NOW, public_key=PUBLIC)


@pytest.mark.parametrize(
    ("hmac_ok", "rsa_ok", "accepted"),
    [
        (True, None, True),
        (None, True, True),
        (True, True, True),
        (False, True, True),
        (True, False, True),
        (False, False, False),
        (None, None, False),
    ],
)
def test_with_both_configured_one_must_verify(hmac_ok, rsa_ok, accepted):
    headers = _headers(hmac_ok=hmac_ok, rsa_ok=rsa_ok)
    if accepted:
        assert verify_webhook(headers, BODY, SECRET, NOW, public_key=PUBLIC)
    else:
        with pytest.raises(WebhookRejected):
            verify_webhook(headers, BODY, SECRET, NOW, public_key=PUBLIC)


def test_hmac_only_keeps_working_and_ignores_rsa_headers():
    assert verify_webhook(_headers(hmac_ok=True, rsa_ok=False), BODY, SECRET, NOW)
    with pytest.raises(WebhookRejected):
        verify_webhook(_headers(rsa_ok=True), BODY, SECRET, NOW)


def test_configuration_needs_a_secret_or_a_key_and_a_real_pem():
    with pytest.raises(ValueError, match="secret or an RSA public key"):
        ZerohashConfig(
            api_key="k",
            api_secret=SecretStr("s"),
            passphrase=SecretStr("p"),
            webhook_secret=None,
        )
    with pytest.raises(ValueError, match="PEM"):
        load_public_key("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----")
    with pytest.raises(ValueError):
        zerohash_verifier(None, "not a key")


class Receiver:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200)


@pytest.mark.parametrize("signing", ["rsa", "both"])
async def test_the_sandbox_signs_with_rsa_and_the_gateway_verifies(clock, signing):
    receiver = Receiver()
    sandbox = _sandbox(clock, receiver, webhook_signing=signing)
    await sandbox.start()
    try:
        await _stake(sandbox)
        async with asyncio.timeout(3):
            await sandbox.webhooks.drain()
    finally:
        await sandbox.stop()
    config = sandbox.gateway_config("http://sandbox")
    assert config.webhook_public_key is not None
    assert (config.webhook_secret is None) is (signing == "rsa")
    verify = zerohash_verifier(config.webhook_secret, config.webhook_public_key)
    assert receiver.requests
    now = datetime.now(UTC)
    for request in receiver.requests:
        assert str(request.url) == HOOK_URL
        assert "x-zh-hook-rsa-signature" in request.headers
        assert ("x-zh-hook-signature" in request.headers) is (signing == "both")
        assert verify(dict(request.headers), request.content, now).event_id


def test_the_gateway_reads_an_rsa_only_zerohash_setup_from_its_settings():
    settings = Settings(
        ZEROHASH_API_URL="https://api.cert.zerohash.com",
        ZEROHASH_API_KEY="k",
        ZEROHASH_API_SECRET=SecretStr("c2VjcmV0"),
        ZEROHASH_PASSPHRASE=SecretStr("p"),
        ZEROHASH_WEBHOOK_PUBLIC_KEY=PEM,
    )
    config = zerohash_config(settings, None)
    assert config.webhook_secret is None
    assert config.webhook_public_key == PEM
    verify = zerohash_verifier(config.webhook_secret, config.webhook_public_key)
    assert verify(_headers(rsa_ok=True), BODY, NOW).event_id == "n-1"
