"""Signed provider webhooks: verified before anything is read or stored."""

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from pydantic import SecretStr
from starlette.requests import Request
from starlette.responses import JSONResponse

from gateway.domain.notices import ProviderNotice
from gateway.services.webhook_ingest import WebhookIngest
from providers.dfns.webhooks import DfnsWebhookRejected, verify_dfns_webhook
from providers.zerohash.webhook_rsa import load_public_key
from providers.zerohash.webhooks import WebhookRejected, verify_webhook

MAX_WEBHOOK_BYTES = 256 * 1024

Verifier = Callable[[dict[str, str], bytes, datetime], ProviderNotice]


async def _read_limited(request: Request) -> bytes | None:
    declared = request.headers.get("content-length")
    if (
        declared is not None
        and declared.isdigit()
        and int(declared) > MAX_WEBHOOK_BYTES
    ):
        return None
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_WEBHOOK_BYTES:
            return None
    return bytes(body)


def zerohash_verifier(
    secret: SecretStr | None, public_key_pem: str | None = None
) -> Verifier:
    """HMAC with `secret`, RSA with `public_key_pem`; with both, either verifies."""
    public_key = load_public_key(public_key_pem) if public_key_pem else None

    def verify(headers: dict[str, str], body: bytes, now: datetime) -> ProviderNotice:
        return verify_webhook(headers, body, secret, now, public_key=public_key)

    return verify


def dfns_verifier(secret: SecretStr) -> Verifier:
    def verify(headers: dict[str, str], body: bytes, now: datetime) -> ProviderNotice:
        try:
            return verify_dfns_webhook(headers, body, secret, now)
        except DfnsWebhookRejected as rejected:
            raise WebhookRejected(rejected.reason) from None

    return verify


def webhook_endpoint(
    provider_label: str, verifier: Callable[[Request], Verifier | None]
) -> Callable[[Request], Awaitable[JSONResponse]]:
    async def endpoint(request: Request) -> JSONResponse:
        metrics = request.state.metrics
        verify = verifier(request)
        if verify is None:
            return JSONResponse(
                {"error": "webhooks are not configured"}, status_code=404
            )
        body = await _read_limited(request)
        if body is None:
            metrics.webhooks.labels(provider_label, "too_large").inc()
            return JSONResponse({"error": "body too large"}, status_code=413)
        try:
            notice = verify(dict(request.headers), body, datetime.now(UTC))
        except WebhookRejected as rejected:
            metrics.webhooks.labels(provider_label, "rejected").inc()
            return JSONResponse({"error": str(rejected)}, status_code=401)
        ingest: WebhookIngest = request.state.webhook_ingest
        fresh = await ingest.ingest(notice, body)
        metrics.webhooks.labels(
            provider_label, "accepted" if fresh else "duplicate"
        ).inc()
        return JSONResponse({"received": True, "duplicate": not fresh})

    return endpoint
