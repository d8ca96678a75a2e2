"""Zerohash: staking from a participant's accounts, HMAC-signed calls, webhooks."""

from providers.zerohash.adapter import ZerohashAdapter
from providers.zerohash.config import ZerohashConfig
from providers.zerohash.webhooks import WebhookRejected, verify_webhook

__all__ = [
    "WebhookRejected",
    "ZerohashAdapter",
    "ZerohashConfig",
    "verify_webhook",
]
