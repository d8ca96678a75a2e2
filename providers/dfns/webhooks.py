"""Dfns webhook deliveries: `X-DFNS-WEBHOOK-SIGNATURE: sha256=<hex>` over the raw body.

Dfns has no staking or allocation event kinds (PROVIDERS.md 1.6): a delivery is verified
and recorded, and its wallet is a hint to poll sooner, but it carries no stake status.
"""

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from pydantic import SecretStr

from gateway.domain.enums import Provider
from gateway.domain.notices import ProviderNotice


class DfnsWebhookRejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def dfns_webhook_signature(secret: SecretStr, body: bytes) -> str:
    digest = hmac.new(secret.get_secret_value().encode(), body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify_dfns_webhook(
    headers: Mapping[str, str],
    body: bytes,
    secret: SecretStr,
    now: datetime,
    tolerance: timedelta = timedelta(minutes=5),
) -> ProviderNotice:
    lower = {key.lower(): value for key, value in headers.items()}
    signature = lower.get("x-dfns-webhook-signature", "").strip()
    if not signature:
        raise DfnsWebhookRejected("missing X-DFNS-WEBHOOK-SIGNATURE")
    if not hmac.compare_digest(dfns_webhook_signature(secret, body), signature):
        raise DfnsWebhookRejected("bad X-DFNS-WEBHOOK-SIGNATURE")
    try:
        event = json.loads(body)
    except ValueError:
        raise DfnsWebhookRejected("body is not JSON") from None
    if not isinstance(event, dict):
        raise DfnsWebhookRejected("body is not a JSON object")
    event_id, kind, sent = (
        event.get("id"),
        event.get("kind"),
        event.get("timestampSent"),
    )
    if not isinstance(event_id, str) or not event_id or not isinstance(kind, str):
        raise DfnsWebhookRejected("missing id or kind")
    if isinstance(sent, bool) or not isinstance(sent, int | float):
        raise DfnsWebhookRejected("missing timestampSent")
    sent_at = datetime.fromtimestamp(sent, UTC)
    if abs(now - sent_at) > tolerance:
        raise DfnsWebhookRejected("timestampSent is outside the accepted window")
    data = event.get("data")
    wallet = data.get("walletId") if isinstance(data, dict) else None
    return ProviderNotice(
        provider=Provider.DFNS,
        event_id=event_id,
        # Each retry is a new event id at Dfns: the fact is the original's id.
        dedupe_key=f"event:{event.get('retryOf') or event_id}",
        event_type=kind,
        owner=wallet if isinstance(wallet, str) else "",
        occurred_at=sent_at,
    )
