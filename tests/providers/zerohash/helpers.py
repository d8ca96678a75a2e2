"""Test helpers: fixed credentials, and raw signed calls written from PROVIDERS.md 2.1
(not from the adapter), so the sandbox's checks are tested on their own."""

import base64
import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
BASE_URL = "http://sandbox"
API_KEY = "test-api-key"
SECRET_BYTES = b"zerohash-test-secret-32-bytes!!!"
API_SECRET = base64.b64encode(SECRET_BYTES).decode()
PASSPHRASE = "test-passphrase"
WEBHOOK_SECRET = "test-webhook-secret"


def signature(secret: bytes, stamp: str, method: str, route: str, body: str) -> str:
    message = f"{stamp}{method}{route}{body}".encode()
    return base64.b64encode(hmac.new(secret, message, hashlib.sha256).digest()).decode()


def signed_headers(
    method: str,
    route: str,
    body: str,
    *,
    api_key: str = API_KEY,
    secret: bytes = SECRET_BYTES,
    passphrase: str = PASSPHRASE,
    stamp: str | None = None,
) -> dict[str, str]:
    stamp = stamp or str(int(time.time()))
    return {
        "X-SCX-API-KEY": api_key,
        "X-SCX-TIMESTAMP": stamp,
        "X-SCX-PASSPHRASE": passphrase,
        "X-SCX-SIGNED": signature(secret, stamp, method, route, body),
        "Content-Type": "application/json",
    }


async def call(
    http: httpx.AsyncClient,
    method: str,
    route: str,
    body: Any = None,
    *,
    request_id: str | None = None,
    **auth: Any,
) -> httpx.Response:
    """A signed call; `route` is the path with its query string, as signed."""
    text = "{}" if method == "GET" else json.dumps(body or {}, separators=(",", ":"))
    headers = signed_headers(method, route, text, **auth)
    headers["X-REQUEST-ID"] = request_id or str(uuid.uuid4())
    content = None if method == "GET" else text.encode()
    return await http.request(method, route, content=content, headers=headers)


async def balances(
    http: httpx.AsyncClient, code: str, asset: str
) -> dict[str, Decimal]:
    response = await call(http, "GET", f"/accounts?account_owner={code}&asset={asset}")
    assert response.status_code == 200, response.text
    return {
        row["account_type"]: Decimal(row["balance"])
        for row in response.json()["message"]
    }
