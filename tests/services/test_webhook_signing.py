"""Signatures as a receiver checks them: HMAC-SHA256 over `timestamp.body`, and the
example receiver agrees with the gateway's signer."""

import importlib.util
import time
from pathlib import Path

import httpx

from gateway.services.webhooks.signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookSigner,
    signature,
    verify,
)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "webhook_receiver.py"


def example_receiver():
    spec = importlib.util.spec_from_file_location("webhook_receiver", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def signed_request(secret: str, body: bytes, at: float) -> httpx.Request:
    request = httpx.Request("POST", "https://example.com/hook", content=body)
    flow = WebhookSigner(secret, lambda: at).auth_flow(request)
    return next(flow)


def test_the_signature_covers_the_timestamp_and_the_body():
    now = time.time()
    request = signed_request("whsec_x", b'{"id":"evt_1"}', now)
    headers = dict(request.headers)
    assert headers[TIMESTAMP_HEADER.lower()] == str(int(now))
    assert verify("whsec_x", headers, b'{"id":"evt_1"}', now=now)
    assert not verify("whsec_y", headers, b'{"id":"evt_1"}', now=now)
    assert not verify("whsec_x", headers, b'{"id":"evt_2"}', now=now)
    assert not verify("whsec_x", headers, b'{"id":"evt_1"}', now=now + 301)
    resigned = {**headers, TIMESTAMP_HEADER.lower(): str(int(now) + 1)}
    assert not verify("whsec_x", resigned, b'{"id":"evt_1"}', now=now)


def test_the_example_receiver_accepts_what_the_gateway_signs():
    verified = example_receiver().verified
    now = int(time.time())
    body = b'{"id":"evt_9","type":"ping"}'
    good = signature("whsec_s", now, body)
    assert good.startswith("v1=") and SIGNATURE_HEADER == "Webhook-Signature"
    assert verified("whsec_s", str(now), good, body)
    assert not verified(
        "whsec_s", str(now - 3600), signature("whsec_s", now - 3600, body), body
    )
    assert not verified("whsec_other", str(now), good, body)
