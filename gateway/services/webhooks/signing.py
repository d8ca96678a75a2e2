"""Signed deliveries: `Webhook-Signature` is HMAC-SHA256 over `timestamp.body`.

The timestamp travels in `Webhook-Timestamp` (Unix seconds), so a receiver can refuse an
old, replayed request; the event id in `Webhook-Id` lets it drop a repeat.
"""

import hashlib
import hmac
import secrets
from collections.abc import Callable, Generator, Mapping

import httpx

ID_HEADER = "Webhook-Id"
TIMESTAMP_HEADER = "Webhook-Timestamp"
SIGNATURE_HEADER = "Webhook-Signature"
EVENT_TYPE_HEADER = "Webhook-Event-Type"
SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return f"{SCHEME}={digest}"


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float,
    tolerance: float = DEFAULT_TOLERANCE_SECONDS,
) -> bool:
    """What a receiver does: a fresh timestamp and a matching signature."""
    lowered = {k.lower(): v for k, v in headers.items()}
    try:
        timestamp = int(lowered.get(TIMESTAMP_HEADER.lower(), ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    offered = lowered.get(SIGNATURE_HEADER.lower(), "").split(",")
    return any(hmac.compare_digest(expected, s.strip()) for s in offered)


class WebhookSigner(httpx.Auth):
    """Signs each request with the endpoint's secret at the moment it is sent."""

    def __init__(self, secret: str, clock: Callable[[], float]) -> None:
        self._secret = secret
        self._clock = clock

    def auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        timestamp = int(self._clock())
        request.headers[TIMESTAMP_HEADER] = str(timestamp)
        request.headers[SIGNATURE_HEADER] = signature(
            self._secret, timestamp, request.content
        )
        yield request
